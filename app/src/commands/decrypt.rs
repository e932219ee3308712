//! `certkeeper decrypt`: opens encrypted documents with whichever archived or token key fits
//! (core's [`certkeeper_core::open`]); this module parses, asks and prints.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::cms::content::KeyStream;
use certkeeper_core::files;
use certkeeper_core::interact::Prompt;
use certkeeper_core::media::tokens::TokenKeys;
use certkeeper_core::open::{self, KeySource, OpenError, Opened, Wanted, Watch};
use certkeeper_core::secret::ExposeSecret;
use certkeeper_storage::catalog::Catalog;
use certkeeper_storage::key_source::{ArchiveKeys, CatalogKeys};
use certkeeper_storage::{Archive, ArchiveLocation};
use serde::Serialize;

use super::Context;
use super::archive::open_archive;
use crate::messages::documents::{self, BatchLine, opened_before, signer_text};
use crate::messages::{AppError, Lang};

/// Documents larger than this get a progress line on a terminal.
const PROGRESS_FROM: u64 = 16 << 20;

/// Where `decrypt` looks for keys: the archive (opened, with its passphrase, at the first document
/// the archive keeps a key for) and the tokens.
pub struct Keys<'a> {
    context: &'a Context,
    catalog: Catalog,
    archive: Option<Archive>,
    tokens: TokenKeys,
    key_stream: KeyStream,
}

impl<'a> Keys<'a> {
    /// The archive of `context` and the tokens of the modules at `module_paths`.
    pub fn new(context: &'a Context, module_paths: Vec<PathBuf>) -> Result<Self> {
        let location = ArchiveLocation::resolve(context.archive.clone())?;
        Ok(Self {
            context,
            catalog: Catalog::open(&location)?,
            archive: None,
            tokens: TokenKeys::new(module_paths),
            key_stream: KeyStream::Standard,
        })
    }

    /// Decrypts CTR-ACPKM content with `stream` (`--openssl-acpkm`).
    pub fn with_key_stream(mut self, stream: KeyStream) -> Self {
        self.key_stream = stream;
        self
    }

    /// Opens the archive (its passphrase asked) when it keeps a key for one of `input`'s
    /// recipients and is not open yet; without such a key the tokens are searched without it.
    fn unlock_if_needed(&mut self, input: &Path) -> Result<()> {
        if self.archive.is_some() {
            return Ok(());
        }
        let needed = match open::inspect(&[&mut CatalogKeys(&self.catalog)], input) {
            // A key kept for a named certificate; or no certificate named at all while the archive
            // keeps keys without a certificate, which are tried then.
            // A signed or digested document needs no key; its signers' certificates are public.
            Ok(inspection) if inspection.kind != open::DocumentKind::ToRecipients => false,
            Ok(inspection) => {
                inspection.key_kept()
                    || (inspection
                        .recipients
                        .iter()
                        .all(|recipient| recipient.known.is_empty())
                        && self.catalog.has_keys_without_certificate()?)
            }
            // An archive of an older schema cannot be asked this way; the full archive can.
            Err(OpenError::Source(_)) => true,
            // The document itself is at fault: said when it is opened.
            Err(_) => false,
        };
        if needed {
            self.archive = Some(open_archive(self.context)?);
        }
        Ok(())
    }

    /// Opens one document with the archive's keys (when it is open) or its public part, then the
    /// tokens'.
    fn open(
        &mut self,
        input: &Path,
        output: &Path,
        prompt: &dyn Prompt,
    ) -> Result<Opened, OpenError> {
        let size = std::fs::metadata(input).map(|meta| meta.len()).unwrap_or(0);
        let show = size >= PROGRESS_FROM && std::io::stderr().is_terminal();
        let mut last = std::time::Instant::now();
        let shown = certkeeper_core::text::printable(&input.display().to_string()).into_owned();
        let mut progress = |done: u64, total: u64| {
            if show && last.elapsed() >= std::time::Duration::from_millis(500) {
                last = std::time::Instant::now();
                let percent = done.saturating_mul(100) / total.max(1);
                eprint!("\r{} {percent}%", shown);
            }
        };
        let mut watch = Watch {
            progress: Some(&mut progress),
            stop: None,
            key_stream: self.key_stream,
        };
        let opened = match &mut self.archive {
            Some(archive) => {
                let mut archived = ArchiveKeys::new(archive);
                let mut sources: [&mut dyn KeySource; 2] = [&mut archived, &mut self.tokens];
                open::open_document(&mut sources, prompt, input, output, &mut watch)
            }
            None => {
                let mut public = CatalogKeys(&self.catalog);
                let mut sources: [&mut dyn KeySource; 2] = [&mut public, &mut self.tokens];
                open::open_document(&mut sources, prompt, input, output, &mut watch)
            }
        };
        if show && opened.is_ok() {
            eprintln!("\r{} 100%", shown);
        }
        if let Err(OpenError::NoKeyFits { .. }) = &opened {
            // A token that holds the key may sit behind a driver that did not load.
            for unusable in self.tokens.unusable() {
                eprintln!(
                    "{}",
                    certkeeper_core::text::printable(&crate::messages::media::driver_not_loaded(
                        unusable,
                        self.context.lang
                    ))
                );
            }
        }
        opened
    }
}

/// Runs `certkeeper decrypt INPUT [-o OUTPUT]`.
pub fn decrypt(
    keys: &mut Keys<'_>,
    input: &Path,
    output: Option<&Path>,
    prompt: &dyn Prompt,
) -> Result<()> {
    let context = keys.context;
    let output = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| open::default_output(input));
    keys.unlock_if_needed(input)?;
    let opened = keys.open(input, &output, prompt)?;
    let mut out = super::stdout();
    if context.json {
        return Ok(super::write_json(&mut out, &opened)?);
    }
    let lang = context.lang;
    writeln!(out, "{}", documents::opened_line(&opened, lang)).map_err(AppError::Output)?;
    if let Some(note) = documents::key_stream_note(&opened, lang) {
        writeln!(out, "{note}").map_err(AppError::Output)?;
    }
    for signer in &opened.signers {
        writeln!(out, "  {}", signer_text(signer, lang)).map_err(AppError::Output)?;
    }
    Ok(())
}

/// Runs `certkeeper decrypt INPUT --content-key-file FILE`: the document opened with the content
/// key the person gives (hexadecimal), no archive needed.
pub fn decrypt_with_content_key(
    context: &Context,
    input: &Path,
    output: Option<&Path>,
    key_file: &Path,
    reverse_key: bool,
    key_stream: KeyStream,
) -> Result<()> {
    let text =
        crate::prompt::read_given(Some(key_file))?.ok_or_else(|| AppError::BadContentKey {
            path: key_file.to_path_buf(),
        })?;
    let key = open::content_key_from_hex(text.expose_secret()).ok_or_else(|| {
        AppError::BadContentKey {
            path: key_file.to_path_buf(),
        }
    })?;
    let output = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| open::default_output(input));
    let mut watch = open::Watch {
        key_stream,
        ..open::Watch::default()
    };
    let opened = open::open_with_content_key(&key, reverse_key, input, &output, &mut watch)?;
    let line = documents::opened_with_content_key(&opened, context.lang);
    report(context, &opened, &line)
}

/// What a document opened with a key the person gave: JSON, or `line` and its signers.
fn report(context: &Context, opened: &Opened, line: &str) -> Result<()> {
    let mut out = super::stdout();
    if context.json {
        return Ok(super::write_json(&mut out, opened)?);
    }
    writeln!(out, "{line}").map_err(AppError::Output)?;
    if let Some(note) = documents::key_stream_note(opened, context.lang) {
        writeln!(out, "{note}").map_err(AppError::Output)?;
    }
    for signer in &opened.signers {
        writeln!(out, "  {}", signer_text(signer, context.lang)).map_err(AppError::Output)?;
    }
    Ok(())
}

/// Runs `certkeeper decrypt INPUT --key FILE`: the document opened with a private key file the
/// person has at hand, no archive needed.
pub fn decrypt_with_key_file(
    context: &Context,
    input: &Path,
    output: Option<&Path>,
    key_file: &Path,
    originator_files: &[PathBuf],
    password_file: Option<&Path>,
    key_stream: KeyStream,
) -> Result<()> {
    let mut originators = Vec::new();
    for file in originator_files {
        let bytes = files::read_regular(file, 1 << 20)?;
        let before = originators.len();
        for found in certkeeper_core::formats::detect::read_bytes(file, &bytes) {
            if let certkeeper_core::formats::detect::Found::Certificate { certificate, .. } = found
            {
                originators.push(*certificate);
            }
        }
        if originators.len() == before {
            return Err(AppError::NoCertificateIn {
                path: file.to_path_buf(),
            }
            .into());
        }
    }
    let bytes = files::read_regular(key_file, 1 << 20)?;
    let encrypted = bytes
        .windows(b"ENCRYPTED PRIVATE KEY".len())
        .any(|window| window == b"ENCRYPTED PRIVATE KEY")
        || password_file.is_some();
    let password = crate::prompt::read_given(password_file)?;
    let password = password
        .as_ref()
        .map(|secret| secret.expose_secret().as_bytes())
        .unwrap_or_default();
    let key = certkeeper_core::formats::pkcs8::from_file(&bytes, encrypted, password)?;
    let output = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| open::default_output(input));
    let name = key_file.display().to_string();
    let opened = open::open_with_key(
        &key,
        &name,
        &originators,
        input,
        &output,
        &mut open::Watch {
            key_stream,
            ..open::Watch::default()
        },
    )?;
    let line = documents::opened_with_key_file(&opened, context.lang);
    report(context, &opened, &line)
}

/// One document of `decrypt --batch` (JSON documented in the README).
#[derive(Debug, Serialize)]
struct BatchItem {
    input: PathBuf,
    opened: bool,
    #[serde(flatten)]
    result: Option<Opened>,
    /// Why it did not open.
    reason: Option<String>,
    /// When no archived key fits: the recipients to look for.
    wanted: Vec<Wanted>,
}

impl BatchItem {
    fn new(input: PathBuf, outcome: Result<Opened, OpenError>, lang: Lang) -> Self {
        let (opened, result, reason, wanted) = match outcome {
            Ok(opened) => (true, Some(opened), None, Vec::new()),
            Err(OpenError::NoKeyFits { wanted }) => (
                false,
                None,
                Some(documents::no_key_fits(lang).to_owned()),
                wanted,
            ),
            Err(error) => {
                let text = crate::messages::describe(&error.into(), lang);
                (false, None, Some(text.problem), Vec::new())
            }
        };
        Self {
            input,
            opened,
            result,
            reason,
            wanted,
        }
    }
}

/// Runs `certkeeper decrypt --batch DIR --out DIR`: every file in the folder (recursively); a report
/// at the end. False when something did not open.
pub fn decrypt_batch(
    keys: &mut Keys<'_>,
    folder: &Path,
    out: &Path,
    prompt: &dyn Prompt,
) -> Result<bool> {
    let lang = keys.context.lang;
    files::create_private_folders(out)?;
    let mut report = Vec::new();
    for planned in open::plan_folder(folder, out)? {
        if planned.done_before {
            // Opened by an earlier run: left as it is, so a batch can be run again after importing
            // the keys the first run asked for.
            report.push(BatchItem {
                input: planned.input,
                opened: true,
                result: None,
                reason: Some(opened_before(lang).to_owned()),
                wanted: Vec::new(),
            });
            continue;
        }
        if let Some(parent) = planned.output.parent() {
            files::create_private_folders(parent)?;
        }
        keys.unlock_if_needed(&planned.input)?;
        let outcome = keys.open(&planned.input, &planned.output, prompt);
        report.push(BatchItem::new(planned.input, outcome, lang));
    }
    print_report(&report, keys.context)?;
    Ok(report.iter().all(|item| item.opened))
}

fn print_report(report: &[BatchItem], context: &Context) -> Result<()> {
    let mut stdout = super::stdout();
    if context.json {
        return Ok(super::write_json(&mut stdout, &report)?);
    }
    let lang = context.lang;
    for item in report {
        let line = match (&item.result, &item.reason) {
            (None, Some(reason)) if item.opened => BatchLine::Skipped(&item.input, reason),
            (Some(opened), _) => BatchLine::Opened(opened),
            (None, reason) => BatchLine::Failed(
                &item.input,
                reason.as_deref().unwrap_or_default(),
                &item.wanted,
            ),
        };
        writeln!(stdout, "{}", documents::batch_line(line, lang)).map_err(AppError::Output)?;
    }
    let opened = report.iter().filter(|item| item.opened).count();
    writeln!(
        stdout,
        "{}",
        documents::totals(report.len(), opened, false, false, lang)
    )
    .map_err(AppError::Output)?;
    Ok(())
}
