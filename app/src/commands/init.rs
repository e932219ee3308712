//! `certkeeper init`: creates the archive.

use std::io::Write;

use anyhow::Result;
use certkeeper_core::secret::{ExposeSecret, SecretString};
use certkeeper_storage::{Archive, ArchiveLocation, KdfParams};
use serde::Serialize;

use super::Context;
use crate::messages::{AppError, Lang};

#[derive(Debug, Serialize)]
struct Created {
    archive: std::path::PathBuf,
    created: bool,
    kdf: Kdf,
}

#[derive(Debug, Serialize)]
struct Kdf {
    algorithm: &'static str,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

/// The new archive's passphrase: from the passphrase file, or typed twice at the terminal.
fn new_passphrase(context: &Context) -> Result<SecretString> {
    let terminal = crate::prompt::Terminal::new(context.lang);
    let prompt = crate::prompt::Answering::new(
        crate::prompt::Given {
            new_passphrase: crate::prompt::read_given(context.passphrase_file.as_deref())?,
            ..crate::prompt::Given::default()
        },
        &terminal,
    );
    Ok(crate::prompt::new_passphrase(&prompt)?)
}

/// Refuses a new archive passphrase below the strength floor, unless the caller accepts the risk.
pub fn strong_enough(passphrase: &SecretString, allow_weak: bool) -> Result<(), AppError> {
    if allow_weak {
        return Ok(());
    }
    // The passphrase is only measured here; nothing of it is kept or shown.
    certkeeper_core::passphrase::check(passphrase.expose_secret()).map_err(|why| {
        AppError::WeakPassphrase {
            why,
            can_override: true,
        }
    })
}

/// Runs `certkeeper init`; a passphrase below the strength floor is refused unless
/// `allow_weak`.
pub fn run(context: &Context, allow_weak: bool) -> Result<()> {
    let location = ArchiveLocation::resolve(context.archive.clone())?;
    if location.exists() {
        return Err(certkeeper_storage::Error::AlreadyExists {
            path: location.path().to_path_buf(),
        }
        .into());
    }
    let passphrase = new_passphrase(context)?;
    strong_enough(&passphrase, allow_weak)?;
    let params = KdfParams::default();
    let archive = Archive::create(&location, &passphrase, params)?;
    drop(archive);
    let mut out = super::stdout();
    if context.json {
        let created = Created {
            archive: location.path().to_path_buf(),
            created: true,
            kdf: Kdf {
                algorithm: "argon2id",
                memory_kib: params.memory_kib,
                iterations: params.iterations,
                parallelism: params.parallelism,
            },
        };
        super::write_json(&mut out, &created)?;
    } else {
        let lang: Lang = context.lang;
        let created = crate::messages::archive::Done::Created(location.path());
        writeln!(out, "{}", crate::messages::archive::done(created, lang))
            .map_err(AppError::Output)?;
        writeln!(
            out,
            "{}",
            crate::messages::archive::keep_the_passphrase_safe(lang)
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}
