//! `certkeeper info`: which archive, passphrase source and language certkeeper would use.
//!
//! It also checks them, so that a wrong `--passphrase-file` is found before it matters. The
//! passphrase itself is read only to check that it can be, and is never shown.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use certkeeper_storage::ArchiveLocation;
use certkeeper_storage::location::LocationOrigin;
use serde::Serialize;

use super::Context;
use crate::messages::{AppError, Lang, LangOrigin};

/// The JSON form of `certkeeper --json info` (documented in the README).
#[derive(Debug, Serialize)]
struct Info {
    version: &'static str,
    archive: ArchiveInfo,
    passphrase: PassphraseInfo,
    language: LanguageInfo,
}

#[derive(Debug, Serialize)]
struct ArchiveInfo {
    path: PathBuf,
    /// `explicit` (--archive or CERTKEEPER_ARCHIVE) or `default`.
    origin: &'static str,
    exists: bool,
}

#[derive(Debug, Serialize)]
#[serde(tag = "source", rename_all = "lowercase")]
enum PassphraseInfo {
    /// Asked in the terminal or the window when needed.
    Prompt,
    /// Read from a file that was checked to hold a usable passphrase.
    File { path: PathBuf },
}

#[derive(Debug, Serialize)]
struct LanguageInfo {
    code: Lang,
    /// `CERTKEEPER_LANG`, the locale variable that decided, or `default`.
    chosen_by: &'static str,
}

/// Runs `certkeeper info`.
pub fn run(context: &Context) -> Result<()> {
    let location = ArchiveLocation::resolve(context.archive.clone())?;
    let passphrase = match &context.passphrase_file {
        Some(path) => {
            // Read to prove it is usable; dropping the secret zeroizes it.
            drop(certkeeper_core::secret::read_secret_file(path)?);
            PassphraseInfo::File { path: path.clone() }
        }
        None => PassphraseInfo::Prompt,
    };
    let info = Info {
        version: env!("CARGO_PKG_VERSION"),
        archive: ArchiveInfo {
            path: location.path().to_path_buf(),
            origin: match location.origin() {
                LocationOrigin::Default => "default",
                _ => "explicit",
            },
            exists: location.exists(),
        },
        passphrase,
        language: LanguageInfo {
            code: context.lang,
            chosen_by: match &context.lang_origin {
                LangOrigin::Override => "CERTKEEPER_LANG",
                LangOrigin::Locale(variable) => variable,
                LangOrigin::Settings => "settings",
                LangOrigin::Fallback => "default",
            },
        },
    };

    let mut out = std::io::stdout().lock();
    if context.json {
        super::write_json(&mut out, &info)?;
    } else {
        write_text(&mut out, &info, context.lang).map_err(AppError::Output)?;
    }
    Ok(())
}

fn write_text(out: &mut impl Write, info: &Info, lang: Lang) -> std::io::Result<()> {
    let label = |en, ru| lang.pick(en, ru);
    writeln!(out, "certkeeper {}", info.version)?;
    let archive_state = match (info.archive.origin, info.archive.exists) {
        ("default", true) => label("default", "по умолчанию"),
        ("default", false) => label("default, not created yet", "по умолчанию, ещё не создан"),
        (_, true) => label("given", "задан"),
        (_, false) => label("given, not created yet", "задан, ещё не создан"),
    };
    writeln!(
        out,
        "{:<12}{} ({archive_state})",
        label("archive:", "архив:"),
        info.archive.path.display()
    )?;
    let passphrase = match &info.passphrase {
        PassphraseInfo::Prompt => {
            label("asked when needed", "запрашивается при необходимости").to_owned()
        }
        PassphraseInfo::File { path } => {
            format!("{} {}", label("read from", "читается из"), path.display())
        }
    };
    writeln!(out, "{:<12}{passphrase}", label("passphrase:", "пароль:"))?;
    let language = match info.language.code {
        Lang::En => "English",
        Lang::Ru => "русский",
    };
    writeln!(
        out,
        "{:<12}{language} ({})",
        label("language:", "язык:"),
        info.language.chosen_by
    )
}
