//! `certkeeper media list`: tokens (PKCS#11) with their certificates and keys, and the registry store.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::cert::Certificate;
use certkeeper_core::media::pkcs11;
use certkeeper_core::media::survey::survey;
use certkeeper_core::media::tokens::Tokens;

use super::Context;
use crate::messages::AppError;

/// The PKCS#11 modules to use (see [`crate::settings::module_paths`]).
pub fn modules(given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    Ok(crate::settings::module_paths(given)?)
}

/// Runs `certkeeper media list`.
pub fn list(
    context: &Context,
    given_modules: &[PathBuf],
    token: Option<&str>,
    pin_file: Option<&Path>,
    dirs: &[PathBuf],
) -> Result<()> {
    let pin = pin_file
        .map(certkeeper_core::secret::read_secret_file)
        .transpose()?;
    let listed = survey(
        &modules(given_modules)?,
        token.zip(pin.as_ref()),
        dirs,
        &certkeeper_storage::location::registry_store(context.archive.as_deref())?,
    )?;
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &listed)?;
        return Ok(());
    }
    crate::messages::media::write_survey(&mut out, &listed, context.lang)
        .map_err(AppError::Output)?;
    Ok(())
}

/// Runs `certkeeper media watch`: prints reader and card changes as they happen (one JSON object per
/// line with `--json`), for `seconds` or until interrupted. With `archive_new` (the modules to read
/// tokens with), the certificates of each token inserted are archived and reported.
pub fn watch(
    context: &Context,
    seconds: Option<u64>,
    archive_new: Option<&[PathBuf]>,
) -> Result<()> {
    use certkeeper_core::media::watch::{Event, Watcher};
    let mut archiving = match archive_new {
        Some(given) => {
            let archive = super::archive::open_archive(context)?;
            Some((archive, Tokens::load(&modules(given)?)))
        }
        None => None,
    };
    let mut watcher = Watcher::new()?;
    let started = std::time::Instant::now();
    let until = seconds.map(std::time::Duration::from_secs);
    let lang = context.lang;
    loop {
        let left = until.map(|until| until.saturating_sub(started.elapsed()));
        if left == Some(std::time::Duration::ZERO) {
            return Ok(());
        }
        let wait = left
            .unwrap_or(std::time::Duration::from_secs(3600))
            .min(std::time::Duration::from_secs(3600));
        let events = watcher.next(wait)?;
        let mut out = super::stdout();
        for event in events {
            if context.json {
                serde_json::to_writer(&mut out, &event)
                    .map_err(std::io::Error::from)
                    .map_err(AppError::Output)?;
                writeln!(out).map_err(AppError::Output)?;
            } else {
                let line = crate::messages::media::event_line(&event, lang);
                writeln!(out, "{line}").map_err(AppError::Output)?;
            }
            out.flush().map_err(AppError::Output)?;
            if let (Event::CardInserted { .. }, Some((archive, tokens))) =
                (&event, archiving.as_mut())
            {
                let mut keep = |certificates: &[Certificate], place: &str| {
                    archive.keep_certificates(certificates, place)
                };
                let archived =
                    certkeeper_core::media::tokens::archive_certificates(tokens, &mut keep)
                        .map_err(crate::messages::Failed)?;
                for archived in archived {
                    if context.json {
                        serde_json::to_writer(&mut out, &archived)
                            .map_err(std::io::Error::from)
                            .map_err(AppError::Output)?;
                        writeln!(out).map_err(AppError::Output)?;
                    } else {
                        writeln!(
                            out,
                            "{}",
                            crate::messages::media::archived_from_token(&archived, lang)
                        )
                        .map_err(AppError::Output)?;
                    }
                    out.flush().map_err(AppError::Output)?;
                }
            }
        }
    }
}

/// Options of `media keygen`.
#[derive(Debug)]
pub struct Keygen<'a> {
    /// The token's label.
    pub token: &'a str,
    /// The algorithm, as `KeySpec::parse` reads it.
    pub algorithm: &'a str,
    /// CKA_LABEL.
    pub label: &'a str,
    /// CKA_ID, hex.
    pub id: Option<&'a str>,
    /// Whether the private key may leave the token.
    pub extractable: bool,
    /// The PIN file.
    pub pin_file: Option<&'a Path>,
    /// Where to write the public key (PEM).
    pub public_key_out: Option<&'a Path>,
    /// PKCS#11 modules.
    pub modules: &'a [PathBuf],
}

fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | ':')).collect();
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(digits.get(at..at + 2)?, 16).ok())
        .collect()
}

/// Runs `certkeeper media keygen`.
pub fn keygen(context: &Context, options: &Keygen<'_>) -> Result<()> {
    let spec =
        pkcs11::KeySpec::parse(options.algorithm).ok_or_else(|| AppError::UnknownKeyAlgorithm {
            given: options.algorithm.to_owned(),
        })?;
    let id = match options.id {
        Some(text) => parse_hex(text).ok_or_else(|| AppError::BadKeyId {
            given: text.to_owned(),
        })?,
        None => {
            let mut id = vec![0u8; 16];
            getrandom::fill(&mut id)
                .map_err(|error| certkeeper_core::error::CryptoError::Random(error.to_string()))?;
            id
        }
    };
    let tokens = certkeeper_core::media::tokens::Tokens::load(&modules(options.modules)?);
    let module = tokens.module_with(options.token)?;
    let terminal = crate::prompt::Terminal::new(context.lang);
    let prompt = crate::prompt::Answering::new(
        crate::prompt::Given {
            pin: crate::prompt::read_given(options.pin_file)?,
            ..crate::prompt::Given::default()
        },
        &terminal,
    );
    let pin = module.ask_pin(options.token, &prompt)?;
    let generated = module.generate_key_pair(
        options.token,
        &pin,
        spec,
        &id,
        options.label,
        options.extractable,
    )?;
    drop(pin);
    if let Some(path) = options.public_key_out {
        let pem = certkeeper_core::formats::pem::encode("PUBLIC KEY", &generated.public_key_info);
        super::export::write_file(path, pem.as_bytes(), false)?;
    }
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &generated)?;
    } else {
        writeln!(
            out,
            "{}",
            crate::messages::media::generated(&generated, options.token, context.lang)
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}
