//! `certkeeper info`: which archive, passphrase source and language certkeeper would use.
//!
//! It also checks them, so that a wrong `--passphrase-file` is found before it matters. The
//! passphrase itself is read only to check that it can be, and is never shown.

use anyhow::Result;
use certkeeper_storage::ArchiveLocation;
use certkeeper_storage::location::LocationOrigin;

use super::Context;
use crate::messages::{AppError, LangOrigin};
use crate::views::{ArchiveInfo, Info, LanguageInfo, PassphraseInfo};

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
        commit: env!("CERTKEEPER_COMMIT"),
        archive: ArchiveInfo {
            path: location.path().to_path_buf(),
            origin: match location.origin() {
                LocationOrigin::Default => "default",
                _ => "explicit",
            },
            exists: location.exists(),
        },
        passphrase,
        unlocked: crate::agent::status(&location),
        language: LanguageInfo {
            code: context.lang,
            chosen_by: match &context.lang_origin {
                LangOrigin::Override => "CERTKEEPER_LANG",
                LangOrigin::Locale(variable) => variable,
                LangOrigin::Settings => "settings",
                LangOrigin::WindowsDisplayLanguage => "Windows display language",
                LangOrigin::Fallback => "default",
            },
        },
    };

    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &info)?;
    } else {
        crate::messages::lang::write_info(&mut out, &info, context.lang)
            .map_err(AppError::Output)?;
    }
    Ok(())
}
