//! `certkeeper decrypt`: opens encrypted documents with whichever archived key fits.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::cert::{Certificate, format_time};
use certkeeper_core::cms::recipients::{Recipient, RecipientId};
use certkeeper_core::cms::signed::{self, Signer};
use certkeeper_core::cms::{CmsError, Document, armor};
use certkeeper_core::formats::pkcs8::KeyInfo;
use certkeeper_core::media::pkcs11::{Module, TokenKey};
use certkeeper_storage::catalog::Catalog;
use certkeeper_storage::{Archive, ArchiveLocation};
use serde::Serialize;
use zeroize::Zeroizing;

use super::Context;
use super::archive::open_archive;
use crate::messages::AppError;

/// Documents larger than this get a progress line on a terminal.
const PROGRESS_FROM: u64 = 16 << 20;

/// What opened a document (JSON of `decrypt`, documented in the README).
#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    /// The document.
    pub input: PathBuf,
    /// Where the content was written.
    pub output: PathBuf,
    /// The archived certificate whose key opened it (null when a token's key opened it and its
    /// certificate is not archived).
    pub certificate_id: Option<i64>,
    /// The label of the token whose key opened it, when the key is on a token.
    pub token: Option<String>,
    /// Its subject's name.
    pub subject: String,
    /// Its serial number.
    pub serial: String,
    /// The content cipher.
    pub cipher: String,
    /// Bytes written.
    pub bytes: u64,
    /// When the document was signed, then encrypted: its signers and whether each signature
    /// verifies (the output is then the signed content itself).
    pub signers: Vec<certkeeper_core::cms::signed::Signer>,
}

/// A recipient of a document no archived key fits, for the person to look for.
#[derive(Debug, Clone, Serialize)]
pub struct Wanted {
    /// The issuer and serial number, or the key identifier, as the document names it.
    pub recipient: String,
    /// When the certificate itself is archived (without its key): its subject.
    pub subject: Option<String>,
    /// And its validity.
    pub valid: Option<String>,
}

/// Keys already taken out of the archive in this run (batch decryption of many documents to the
/// same certificate unseals its key once).
#[derive(Default)]
struct KeyCache {
    keys: HashMap<i64, KeyInfo>,
}

/// Tokens searched for a recipient's key when the archive keeps none. Modules are loaded at the
/// first need; a token's PIN is asked (or read from the PIN file) only when a certificate on it is a
/// recipient's, once per run, and never retried; the logged-in session lasts for the run.
pub(crate) struct Tokens<'a> {
    given: &'a [PathBuf],
    pin_file: Option<&'a Path>,
    /// Who is asked for a PIN (the window's dialog); the terminal when none.
    prompt: Option<&'a dyn certkeeper_core::interact::Prompt>,
    modules: Option<Vec<Module>>,
    keys: Vec<TokenHit>,
}

struct TokenHit {
    key: TokenKey,
    id: Vec<u8>,
    certificate: Certificate,
}

/// How the content key was found.
enum Through {
    /// An archived certificate's key.
    Archive(i64),
    /// A key on a token, with the token's certificate.
    Token(String, Box<Certificate>),
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(given: &'a [PathBuf], pin_file: Option<&'a Path>) -> Self {
        Self {
            given,
            pin_file,
            prompt: None,
            modules: None,
            keys: Vec::new(),
        }
    }

    /// PINs asked through `prompt` (the window's dialog) instead of the terminal.
    pub(crate) fn asking(mut self, prompt: &'a dyn certkeeper_core::interact::Prompt) -> Self {
        self.prompt = Some(prompt);
        self
    }

    /// The content key from a key on a token, when a token holds a recipient's certificate.
    /// Tokens and modules that cannot be read are passed over (they hold nothing usable); once a
    /// recipient's certificate is found, a wrong PIN or a token failure is the answer.
    fn content_key(
        &mut self,
        context: &Context,
        recipients: &[Recipient],
    ) -> Result<Option<(Zeroizing<Vec<u8>>, Through)>> {
        let try_key = |hit: &TokenHit, recipient: &Recipient| match recipient.unwrap_with(&hit.key)
        {
            Ok(key) => Ok(Some((
                key,
                Through::Token(
                    hit.key.label().to_owned(),
                    Box::new(hit.certificate.clone()),
                ),
            ))),
            Err(CmsError::WrongKey) => Ok(None),
            Err(other) => Err(anyhow::Error::from(other)),
        };
        for hit in &self.keys {
            for recipient in recipients.iter().filter(|r| r.id.matches(&hit.certificate)) {
                if let Some(found) = try_key(hit, recipient)? {
                    return Ok(Some(found));
                }
            }
        }
        if self.modules.is_none() {
            self.modules = Some(
                super::media::modules(self.given)?
                    .iter()
                    .filter_map(|path| Module::load(path).ok())
                    .collect(),
            );
        }
        let Some(modules) = self.modules.as_ref() else {
            return Ok(None);
        };
        for module in modules.iter() {
            let Ok(tokens) = module.tokens() else {
                continue;
            };
            for token in tokens {
                let Ok(certificates) = module.certificates(&token.label) else {
                    continue;
                };
                for on_token in certificates {
                    let Ok(certificate) = Certificate::from_der(&on_token.der) else {
                        continue;
                    };
                    let Some(recipient) = recipients.iter().find(|r| r.id.matches(&certificate))
                    else {
                        continue;
                    };
                    if self
                        .keys
                        .iter()
                        .any(|hit| hit.key.label() == token.label && hit.id == on_token.id)
                    {
                        continue;
                    }
                    let pin = match (self.prompt, self.pin_file) {
                        (Some(prompt), None) => module.ask_pin(&token.label, prompt)?,
                        _ => super::copy::pin(context, module, &token.label, self.pin_file)?,
                    };
                    let key = module.private_key(&token.label, &pin, &on_token.id)?;
                    drop(pin);
                    let hit = TokenHit {
                        key,
                        id: on_token.id,
                        certificate,
                    };
                    let found = try_key(&hit, recipient);
                    self.keys.push(hit);
                    if let Some(found) = found? {
                        return Ok(Some(found));
                    }
                }
            }
        }
        Ok(None)
    }
}

/// The certificate ids a recipient names.
fn lookup(archive: &Archive, recipient: &Recipient) -> Result<Vec<i64>> {
    Ok(match &recipient.id {
        RecipientId::IssuerSerial { issuer, serial } => {
            archive.find_by_issuer_serial(issuer, serial)?
        }
        RecipientId::SubjectKeyId(id) => archive.find_by_subject_key_id(id)?,
    })
}

fn certificate(archive: &Archive, id: i64) -> Result<Option<Certificate>> {
    Ok(archive
        .certificate_der(&id.to_string())?
        .and_then(|(_, der)| Certificate::from_der(&der).ok()))
}

/// The content key and the certificate id it came through, or the recipients no archived key fits.
type KeyOrWanted = std::result::Result<(Zeroizing<Vec<u8>>, i64), Vec<Wanted>>;

/// The content key and the certificate it came through: an archived unlocked key first; else a key
/// locked in an archived container, opened with its password (the key is then kept unlocked).
fn content_key(
    context: &Context,
    archive: &mut Archive,
    cache: &mut KeyCache,
    recipients: &[Recipient],
    key_password_file: Option<&Path>,
    prompt: Option<&dyn certkeeper_core::interact::Prompt>,
) -> Result<KeyOrWanted> {
    let mut locked = Vec::new();
    let mut wanted = Vec::new();
    for recipient in recipients {
        let ids = lookup(archive, recipient)?;
        if ids.is_empty() {
            wanted.push(Wanted {
                recipient: recipient.id.to_string(),
                subject: None,
                valid: None,
            });
        }
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = cache.keys.entry(id) {
                match archive.private_key_for(id)? {
                    Some(key) => {
                        let info = certkeeper_core::formats::pkcs8::parse_private_key_info(
                            &key.private_key_info,
                        )?;
                        slot.insert(info);
                    }
                    None if !archive.containers_for(id)?.is_empty() => locked.push((id, recipient)),
                    None => {
                        let known = certificate(archive, id)?;
                        wanted.push(Wanted {
                            recipient: recipient.id.to_string(),
                            subject: known.as_ref().map(|cert| cert.subject.to_string()),
                            valid: known.as_ref().map(|cert| {
                                format!(
                                    "{} – {}",
                                    format_time(cert.not_before),
                                    format_time(cert.not_after)
                                )
                            }),
                        });
                        continue;
                    }
                }
            }
            if let Some(key) = cache.keys.get(&id) {
                match recipient.unwrap_key(key) {
                    Ok(content_key) => return Ok(Ok((content_key, id))),
                    Err(CmsError::WrongKey) => continue,
                    Err(other) => return Err(other.into()),
                }
            }
        }
    }
    // Only a locked container holds a fitting key: its password is asked once.
    if let Some((id, recipient)) = locked.first() {
        let key = super::export::private_key(
            context.lang,
            archive,
            *id,
            &id.to_string(),
            key_password_file,
            prompt,
        )?;
        let content_key = recipient.unwrap_key(&key)?;
        cache.keys.insert(*id, key);
        return Ok(Ok((content_key, *id)));
    }
    Ok(Err(wanted))
}

/// What the archive's public part says about a document before any passphrase is asked.
enum Precheck {
    /// Some recipient's key is kept in the archive: unlock it and decrypt.
    KeyKept,
    /// No recipient's key is kept: say to whom the document was encrypted.
    NoKey(Vec<Wanted>),
}

fn wanted_from(catalog: &Catalog, recipient: &Recipient, id: Option<i64>) -> Wanted {
    let known = id
        .and_then(|id| catalog.certificate_der(id).ok().flatten())
        .and_then(|der| Certificate::from_der(&der).ok());
    Wanted {
        recipient: recipient.id.to_string(),
        subject: known.as_ref().map(|cert| cert.subject.to_string()),
        valid: known.as_ref().map(|cert| {
            format!(
                "{} – {}",
                format_time(cert.not_before),
                format_time(cert.not_after)
            )
        }),
    }
}

/// Reads the document's recipients and looks them up without the passphrase.
fn precheck(catalog: &Catalog, input: &Path) -> std::result::Result<Precheck, Failure> {
    let other = |error: anyhow::Error| Failure::Other(error);
    let file = std::fs::File::open(input).map_err(|error| other(CmsError::Read(error).into()))?;
    let (_, reader) = armor::unwrap(file).map_err(|error| other(CmsError::Read(error).into()))?;
    let document = Document::open(reader).map_err(|error| other(error.into()))?;
    let mut wanted = Vec::new();
    for recipient in &document.envelope.recipients {
        let ids = match &recipient.id {
            RecipientId::IssuerSerial { issuer, serial } => {
                catalog.find_by_issuer_serial(issuer, serial)
            }
            RecipientId::SubjectKeyId(id) => catalog.find_by_subject_key_id(id),
        };
        // An archive of an older schema cannot be asked this way; the full archive can.
        let Ok(ids) = ids else {
            return Ok(Precheck::KeyKept);
        };
        if ids.is_empty() {
            wanted.push(wanted_from(catalog, recipient, None));
        }
        for id in ids {
            if catalog.key_kept(id).unwrap_or(true) {
                return Ok(Precheck::KeyKept);
            }
            wanted.push(wanted_from(catalog, recipient, Some(id)));
        }
    }
    if document.envelope.recipients.is_empty() {
        return Err(other(
            CmsError::Unsupported {
                what: format!(
                    "recipients of the kinds {}",
                    document.envelope.unsupported_recipients.join(", ")
                ),
            }
            .into(),
        ));
    }
    Ok(Precheck::NoKey(wanted))
}

/// Where the content of `input` goes by default: beside it, without `.p7m`/`.p7e`/`.cms`/`.enc`.
pub(crate) fn default_output(input: &Path, folder: Option<&Path>) -> PathBuf {
    let name = input
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".to_owned());
    let lower = name.to_lowercase();
    let stripped = [".p7m", ".p7e", ".cms", ".enc"]
        .iter()
        .find_map(|ext| {
            lower
                .ends_with(ext)
                .then(|| name[..name.len() - ext.len()].to_owned())
        })
        .filter(|stem| !stem.is_empty())
        .unwrap_or_else(|| format!("{name}.decrypted"));
    match folder {
        Some(folder) => folder.join(stripped),
        None => input.with_file_name(stripped),
    }
}

/// Why one document did not open.
#[derive(Debug)]
enum Failure {
    /// No archived key fits.
    NoKey(Vec<Wanted>),
    /// Anything else (damaged, wrong form, output exists...).
    Other(anyhow::Error),
}

/// Opens one document into `output` (atomically: a temporary file renamed only on success).
/// Where `open_one` looks for a key: the archive (when it keeps one for a recipient, else `None`
/// with what the public part said), then tokens.
struct Keys<'a, 'b> {
    archive: std::result::Result<&'a mut Archive, Vec<Wanted>>,
    /// The archive's public part, to name the archived certificate of a token's key.
    catalog: &'a Catalog,
    cache: &'a mut KeyCache,
    tokens: &'a mut Tokens<'b>,
    key_password_file: Option<&'a Path>,
    /// Who is asked for a locked container's password (the window); the terminal when none.
    prompt: Option<&'a dyn certkeeper_core::interact::Prompt>,
}

fn open_one(
    context: &Context,
    keys: Keys<'_, '_>,
    input: &Path,
    output: &Path,
    watch: &mut Watch<'_>,
) -> std::result::Result<Opened, Failure> {
    let other = |error: anyhow::Error| Failure::Other(error);
    if output.exists() {
        return Err(other(
            AppError::OutputExists {
                path: output.to_path_buf(),
            }
            .into(),
        ));
    }
    let file = std::fs::File::open(input).map_err(|error| other(CmsError::Read(error).into()))?;
    let size = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    let (_, reader) = armor::unwrap(file).map_err(|error| other(CmsError::Read(error).into()))?;
    let document = Document::open(reader).map_err(|error| other(error.into()))?;
    if document.envelope.recipients.is_empty() {
        return Err(other(
            CmsError::Unsupported {
                what: format!(
                    "recipients of the kinds {}",
                    document.envelope.unsupported_recipients.join(", ")
                ),
            }
            .into(),
        ));
    }
    let cipher = document.envelope.cipher.name();
    let Keys {
        archive,
        catalog,
        cache,
        tokens,
        key_password_file,
        prompt,
    } = keys;
    let recipients = &document.envelope.recipients;
    let (archive, from_archive) = match archive {
        Ok(archive) => {
            let found = content_key(
                context,
                archive,
                cache,
                recipients,
                key_password_file,
                prompt,
            )
            .map_err(other)?;
            (Some(archive), found)
        }
        Err(wanted) => (None, Err(wanted)),
    };
    let (key, through) = match from_archive {
        Ok((key, id)) => (key, Through::Archive(id)),
        Err(wanted) => match tokens.content_key(context, recipients).map_err(other)? {
            Some(found) => found,
            None => return Err(Failure::NoKey(wanted)),
        },
    };
    let temporary = super::temporary_beside(output, "part");
    let inner = {
        let mut name = temporary.as_os_str().to_owned();
        name.push(".signed");
        PathBuf::from(name)
    };
    let result = (|| -> Result<(u64, Vec<Signer>)> {
        let mut bytes = write_private(&temporary, |writer| {
            let show = size >= PROGRESS_FROM && std::io::stderr().is_terminal();
            let mut last = std::time::Instant::now();
            let mut progress = |done: u64| {
                if let Some(report) = watch.progress.as_mut() {
                    report(done, size);
                }
                if show && last.elapsed() >= std::time::Duration::from_millis(500) {
                    last = std::time::Instant::now();
                    let percent = done.saturating_mul(100) / size.max(1);
                    eprint!("\r{} {percent}%", input.display());
                }
            };
            let mut guarded = Guarded {
                inner: writer,
                stop: watch.stop,
            };
            let bytes = document.decrypt_to(&key, &mut guarded, &mut progress)?;
            if show {
                eprintln!("\r{} 100%", input.display());
            }
            Ok(bytes)
        })?;
        // Signed, then encrypted: the signed content is the output, and the signers are checked.
        let mut start = [0u8; 16];
        let read = std::io::Read::read(
            &mut std::fs::File::open(&temporary).map_err(CmsError::Read)?,
            &mut start,
        )
        .map_err(CmsError::Read)?;
        let mut signers = Vec::new();
        if signed::is_signed_data(&start[..read]) {
            let signed_file = std::io::BufReader::with_capacity(
                1 << 16,
                std::fs::File::open(&temporary).map_err(CmsError::Read)?,
            );
            let archive: Option<&Archive> = archive.as_deref();
            let find = |id: &RecipientId| -> Option<Certificate> {
                let archive = archive?;
                let ids = match id {
                    RecipientId::IssuerSerial { issuer, serial } => {
                        archive.find_by_issuer_serial(issuer, serial).ok()?
                    }
                    RecipientId::SubjectKeyId(key_id) => {
                        archive.find_by_subject_key_id(key_id).ok()?
                    }
                };
                certificate(archive, *ids.first()?).ok().flatten()
            };
            bytes = write_private(&inner, |writer| {
                let (bytes, found) = signed::unwrap(signed_file, writer, &find)?;
                signers = found;
                Ok(bytes)
            })?;
            std::fs::remove_file(&temporary).map_err(CmsError::Write)?;
            std::fs::rename(&inner, &temporary).map_err(CmsError::Write)?;
        }
        if output.exists() {
            return Err(AppError::OutputExists {
                path: output.to_path_buf(),
            }
            .into());
        }
        std::fs::rename(&temporary, output).map_err(CmsError::Write)?;
        Ok((bytes, signers))
    })();
    let (bytes, signers) = match result {
        Ok(done) => done,
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            let _ = std::fs::remove_file(&inner);
            return Err(other(error));
        }
    };
    let (certificate_id, token, known) = match through {
        Through::Archive(id) => {
            let archive = archive.ok_or_else(|| other(AppError::SomethingUnreadable.into()))?;
            (Some(id), None, certificate(archive, id).map_err(other)?)
        }
        Through::Token(label, certificate) => {
            let issuer = certificate.issuer.to_string();
            let ids = match archive {
                Some(archive) => archive.find_by_issuer_serial(&issuer, &certificate.serial),
                None => catalog.find_by_issuer_serial(&issuer, &certificate.serial),
            };
            let id = ids.ok().and_then(|ids| ids.first().copied());
            (id, Some(label), Some(*certificate))
        }
    };
    Ok(Opened {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
        certificate_id,
        token,
        subject: known
            .as_ref()
            .map(|cert| cert.subject.display_name().to_owned())
            .unwrap_or_default(),
        serial: known.map(|cert| cert.serial).unwrap_or_default(),
        cipher,
        bytes,
        signers,
    })
}

/// Who follows a document being opened: progress (bytes read of the file's size), and a flag that
/// stops it (the output is then never written: the temporary file is removed).
#[derive(Default)]
pub(crate) struct Watch<'a> {
    pub progress: Option<&'a mut dyn FnMut(u64, u64)>,
    pub stop: Option<&'a std::sync::atomic::AtomicBool>,
}

/// A writer that fails once `stop` is set, which ends the decryption cleanly.
struct Guarded<'a, W> {
    inner: W,
    stop: Option<&'a std::sync::atomic::AtomicBool>,
}

impl<W: Write> Write for Guarded<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self
            .stop
            .is_some_and(|stop| stop.load(std::sync::atomic::Ordering::SeqCst))
        {
            // Not `Interrupted`: `write_all` retries those.
            return Err(std::io::Error::other("stopped by the person"));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// To whom a document was encrypted, as the window shows it before opening it: each recipient
/// and, when the archive knows its certificate, that certificate's id and whether its key is
/// kept. Needs no passphrase (the archive's public part).
pub(crate) fn recipients_of(
    catalog: &Catalog,
    input: &Path,
) -> Result<Vec<(Wanted, Option<i64>, bool)>> {
    let file = std::fs::File::open(input).map_err(CmsError::Read)?;
    let (_, reader) = armor::unwrap(file).map_err(CmsError::Read)?;
    let document = Document::open(reader)?;
    let mut found = Vec::new();
    for recipient in &document.envelope.recipients {
        let ids = match &recipient.id {
            RecipientId::IssuerSerial { issuer, serial } => {
                catalog.find_by_issuer_serial(issuer, serial)?
            }
            RecipientId::SubjectKeyId(id) => catalog.find_by_subject_key_id(id)?,
        };
        if ids.is_empty() {
            found.push((wanted_from(catalog, recipient, None), None, false));
        }
        for id in ids {
            let kept = catalog.key_kept(id).unwrap_or(false);
            found.push((wanted_from(catalog, recipient, Some(id)), Some(id), kept));
        }
    }
    if document.envelope.recipients.is_empty() {
        return Err(CmsError::Unsupported {
            what: format!(
                "recipients of the kinds {}",
                document.envelope.unsupported_recipients.join(", ")
            ),
        }
        .into());
    }
    Ok(found)
}

/// The window's "open": `input` into `output` with the archived keys (the archive is open
/// already) or a token's, followed by `watch`.
pub(crate) fn open_document(
    context: &Context,
    archive: &mut Archive,
    catalog: &Catalog,
    input: &Path,
    output: &Path,
    watch: &mut Watch<'_>,
    prompt: &dyn certkeeper_core::interact::Prompt,
) -> Result<Opened> {
    let mut cache = KeyCache::default();
    let mut tokens = Tokens::new(&[], None).asking(prompt);
    let keys = Keys {
        archive: Ok(archive),
        catalog,
        cache: &mut cache,
        tokens: &mut tokens,
        key_password_file: None,
        prompt: Some(prompt),
    };
    match open_one(context, keys, input, output, watch) {
        Ok(opened) => Ok(opened),
        Err(Failure::NoKey(wanted)) => Err(AppError::NoKeyFits {
            recipients: describe_wanted(&wanted, context),
        }
        .into()),
        Err(Failure::Other(error)) => Err(error),
    }
}

/// Creates `path` readable by its owner only, lets `fill` write it, and syncs it.
fn write_private(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<u64>,
) -> Result<u64> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(CmsError::Write)?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
    let bytes = fill(&mut writer)?;
    let file = writer
        .into_inner()
        .map_err(|error| CmsError::Write(error.into_error()))?;
    file.sync_all().map_err(CmsError::Write)?;
    Ok(bytes)
}

/// Runs `certkeeper decrypt INPUT [-o OUTPUT]`.
pub fn decrypt(
    context: &Context,
    input: &Path,
    output: Option<&Path>,
    key_password_file: Option<&Path>,
    tokens: &mut Tokens<'_>,
) -> Result<()> {
    // The passphrase is asked only when the archive keeps a key for one of the recipients;
    // otherwise the tokens are searched.
    let location = ArchiveLocation::resolve(context.archive.clone())?;
    let catalog = Catalog::open(&location)?;
    let mut opened;
    let archive = match precheck(&catalog, input) {
        Ok(Precheck::KeyKept) => {
            opened = open_archive(context)?;
            Ok(&mut opened)
        }
        Ok(Precheck::NoKey(wanted)) | Err(Failure::NoKey(wanted)) => Err(wanted),
        Err(Failure::Other(error)) => return Err(error),
    };
    let output = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_output(input, None));
    let mut cache = KeyCache::default();
    let keys = Keys {
        archive,
        catalog: &catalog,
        cache: &mut cache,
        tokens,
        key_password_file,
        prompt: None,
    };
    match open_one(context, keys, input, &output, &mut Watch::default()) {
        Ok(opened) => {
            let mut out = std::io::stdout().lock();
            if context.json {
                super::write_json(&mut out, &opened)?;
            } else {
                writeln!(
                    out,
                    "{} {} → {} ({} «{}», {} {})",
                    context.lang.pick("Opened", "Открыт"),
                    opened.input.display(),
                    opened.output.display(),
                    opened_with(&opened, context),
                    opened.subject,
                    context.lang.pick("cipher", "шифр"),
                    opened.cipher
                )
                .map_err(AppError::Output)?;
                write_signers(&mut out, &opened.signers, context)?;
            }
            Ok(())
        }
        Err(Failure::NoKey(wanted)) => Err(AppError::NoKeyFits {
            recipients: describe_wanted(&wanted, context),
        }
        .into()),
        Err(Failure::Other(error)) => Err(error),
    }
}

/// "certificate 12", "key on token «Rutoken»" or both.
pub(crate) fn opened_with(opened: &Opened, context: &Context) -> String {
    let lang = context.lang;
    match (&opened.token, opened.certificate_id) {
        (Some(label), Some(id)) => format!(
            "{} «{label}», {} {id}",
            lang.pick("key on token", "ключ на токене"),
            lang.pick("certificate", "сертификат")
        ),
        (Some(label), None) => {
            format!("{} «{label}»,", lang.pick("key on token", "ключ на токене"))
        }
        (None, Some(id)) => format!("{} {id}", lang.pick("certificate", "сертификат")),
        (None, None) => String::new(),
    }
}

/// "signed by NAME (time): verdict".
pub(crate) fn signer_text(signer: &Signer, lang: crate::messages::Lang) -> String {
    use certkeeper_core::cms::signed::Verdict;
    let verdict = match &signer.verdict {
        Verdict::Valid => lang.pick("signature valid", "подпись верна").to_owned(),
        Verdict::Invalid(reason) => format!(
            "{}: {reason}",
            lang.pick("SIGNATURE INVALID", "ПОДПИСЬ НЕВЕРНА")
        ),
        Verdict::Unchecked(reason) => format!(
            "{}: {reason}",
            lang.pick("signature not checked", "подпись не проверена")
        ),
    };
    format!(
        "{} {}{}: {verdict}",
        lang.pick("signed by", "подписал"),
        signer.subject.as_deref().unwrap_or(&signer.signer),
        signer
            .signing_time
            .as_ref()
            .map(|time| format!(" ({time})"))
            .unwrap_or_default()
    )
}

fn write_signers(out: &mut impl Write, signers: &[Signer], context: &Context) -> Result<()> {
    for signer in signers {
        writeln!(out, "  {}", signer_text(signer, context.lang)).map_err(AppError::Output)?;
    }
    Ok(())
}

fn describe_wanted(wanted: &[Wanted], context: &Context) -> Vec<String> {
    wanted
        .iter()
        .map(|item| match (&item.subject, &item.valid) {
            (Some(subject), Some(valid)) => format!(
                "{} ({subject}, {valid}; {})",
                item.recipient,
                context.lang.pick(
                    "the certificate is archived without its key",
                    "сертификат есть в архиве, но без ключа"
                )
            ),
            _ => item.recipient.clone(),
        })
        .collect()
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

/// Runs `certkeeper decrypt --batch DIR --out DIR`: every file in the folder (recursively); a report
/// at the end. False when something did not open.
pub fn decrypt_batch(
    context: &Context,
    folder: &Path,
    out: &Path,
    key_password_file: Option<&Path>,
    tokens: &mut Tokens<'_>,
) -> Result<bool> {
    let location = ArchiveLocation::resolve(context.archive.clone())?;
    let catalog = Catalog::open(&location)?;
    // Opened (passphrase asked) at the first document the archive keeps a key for.
    let mut archive: Option<Archive> = None;
    std::fs::create_dir_all(out).map_err(|source| certkeeper_storage::Error::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            if path == out {
                continue;
            }
            let entries = std::fs::read_dir(&path).map_err(CmsError::Read)?;
            for entry in entries {
                pending.push(entry.map_err(CmsError::Read)?.path());
            }
        } else {
            files.push(path);
        }
    }
    files.sort();
    let mut cache = KeyCache::default();
    let mut report = Vec::with_capacity(files.len());
    for input in files {
        let relative = input.strip_prefix(folder).unwrap_or(&input);
        let target = default_output(&out.join(relative), None);
        if let Some(parent) = target.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if target.exists() {
            // Opened by an earlier run: left as it is, so a batch can be run again after importing
            // the keys the first run asked for.
            report.push(BatchItem {
                input,
                opened: true,
                result: None,
                reason: Some(
                    context
                        .lang
                        .pick(
                            "opened before; the output is there and was left as it is",
                            "открыт ранее; результат уже есть и не тронут",
                        )
                        .to_owned(),
                ),
                wanted: Vec::new(),
            });
            continue;
        }
        let outcome = match precheck(&catalog, &input) {
            Ok(Precheck::KeyKept) => {
                if archive.is_none() {
                    archive = Some(open_archive(context)?);
                }
                match archive.as_mut() {
                    Some(archive) => {
                        let keys = Keys {
                            archive: Ok(archive),
                            catalog: &catalog,
                            cache: &mut cache,
                            tokens,
                            key_password_file,
                            prompt: None,
                        };
                        open_one(context, keys, &input, &target, &mut Watch::default())
                    }
                    None => continue,
                }
            }
            Ok(Precheck::NoKey(wanted)) => {
                let keys = Keys {
                    archive: Err(wanted),
                    catalog: &catalog,
                    cache: &mut cache,
                    tokens,
                    key_password_file,
                    prompt: None,
                };
                open_one(context, keys, &input, &target, &mut Watch::default())
            }
            Err(failure) => Err(failure),
        };
        let item = match outcome {
            Ok(opened) => BatchItem {
                input,
                opened: true,
                result: Some(opened),
                reason: None,
                wanted: Vec::new(),
            },
            Err(Failure::NoKey(wanted)) => BatchItem {
                input,
                opened: false,
                result: None,
                reason: Some(
                    context
                        .lang
                        .pick(
                            "no archived key or token key fits; encrypted to:",
                            "не подходит ни ключ из архива, ни ключ на токене; зашифрован для:",
                        )
                        .to_owned(),
                ),
                wanted,
            },
            Err(Failure::Other(error)) => {
                let text = crate::messages::describe(&error, context.lang);
                BatchItem {
                    input,
                    opened: false,
                    result: None,
                    reason: Some(text.problem),
                    wanted: Vec::new(),
                }
            }
        };
        report.push(item);
    }
    let all_opened = report.iter().all(|item| item.opened);
    let mut stdout = std::io::stdout().lock();
    if context.json {
        super::write_json(&mut stdout, &report)?;
    } else {
        let lang = context.lang;
        for item in &report {
            match (&item.result, &item.reason) {
                (None, Some(reason)) if item.opened => writeln!(
                    stdout,
                    "{}  {}: {reason}",
                    lang.pick("skipped", "пропущен"),
                    item.input.display()
                ),
                (Some(opened), _) => writeln!(
                    stdout,
                    "{}  {} → {}  ({} «{}»)",
                    lang.pick("opened ", "открыт "),
                    item.input.display(),
                    opened.output.display(),
                    opened_with(opened, context),
                    opened.subject
                ),
                (None, reason) => writeln!(
                    stdout,
                    "{}  {}: {} {}",
                    lang.pick("FAILED ", "НЕ ОТКРЫТ"),
                    item.input.display(),
                    reason.as_deref().unwrap_or_default(),
                    describe_wanted(&item.wanted, context).join("; ")
                ),
            }
            .map_err(AppError::Output)?;
        }
        let opened = report.iter().filter(|item| item.opened).count();
        writeln!(
            stdout,
            "{} {opened}, {} {}",
            lang.pick("Opened:", "Открыто:"),
            lang.pick("not opened:", "не открыто:"),
            report.len() - opened
        )
        .map_err(AppError::Output)?;
    }
    Ok(all_opened)
}
