//! `certkeeper passwd`, `backup` and `restore`.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use certkeeper_core::secret::SecretString;
use certkeeper_storage::ArchiveLocation;
use serde::Serialize;

use super::Context;
use super::archive::{ask_secret, open_archive};
use crate::messages::archive as words;
use crate::messages::{AppError, Asked};

fn say(context: &Context, done: words::Done<'_>) -> Result<()> {
    writeln!(super::stdout(), "{}", words::done(done, context.lang)).map_err(AppError::Output)?;
    Ok(())
}

/// Runs `certkeeper passwd`: the archive's data key is wrapped under a new passphrase; nothing sealed
/// changes.
pub fn passwd(
    context: &Context,
    new_passphrase_file: Option<&Path>,
    allow_weak: bool,
) -> Result<()> {
    // The current passphrase is asked even while the agent keeps the archive unlocked.
    let mut archive = super::archive::open_archive_asking(context)?;
    let terminal = crate::prompt::Terminal::new(context.lang);
    let prompt = crate::prompt::Answering::new(
        crate::prompt::Given {
            new_passphrase: crate::prompt::read_given(new_passphrase_file)?,
            ..crate::prompt::Given::default()
        },
        &terminal,
    );
    let new = crate::prompt::new_passphrase(&prompt)?;
    super::init::strong_enough(&new, allow_weak)?;
    // The cost never goes down: an archive made with a higher cost keeps it.
    let params = archive.kdf_params()?.raised_to_default();
    archive.change_passphrase(&new, params)?;
    // What the agent keeps was made of the old passphrase: of no use any more.
    if let Err(error) = crate::agent::lock() {
        tracing::warn!(%error, "the unlock agent did not answer");
    }
    if context.json {
        #[derive(Serialize)]
        struct Changed {
            changed: bool,
        }
        super::write_json(&mut super::stdout(), &Changed { changed: true })?;
    } else {
        say(
            context,
            words::Done::PassphraseChanged(
                &archive
                    .path()
                    .map(Path::display)
                    .map(|path| path.to_string())
                    .unwrap_or_default(),
            ),
        )?;
    }
    Ok(())
}

/// Runs `certkeeper backup PATH`: a consistent copy while the archive stays in use.
pub fn backup(context: &Context, to: &Path) -> Result<()> {
    if certkeeper_core::files::taken(to) {
        return Err(AppError::OutputExists {
            path: to.to_path_buf(),
        }
        .into());
    }
    let archive = open_archive(context)?;
    archive.backup(to)?;
    if context.json {
        #[derive(Serialize)]
        struct Backup<'a> {
            backup: &'a Path,
        }
        super::write_json(&mut super::stdout(), &Backup { backup: to })?;
    } else {
        say(context, words::Done::BackedUp(to))?;
    }
    Ok(())
}

/// Runs `certkeeper restore PATH`: the archive becomes the backup; the archive it replaces is kept
/// beside it.
pub fn restore(context: &Context, from: &Path) -> Result<()> {
    let location = ArchiveLocation::resolve(context.archive.clone())?;
    let passphrase: SecretString = match &context.passphrase_file {
        Some(path) => certkeeper_core::secret::read_secret_file(path)?,
        None => ask_secret(
            words::backup_passphrase_prompt(context.lang),
            Asked::Passphrase,
        )?,
    };
    let restored = certkeeper_storage::maintenance::restore(&location, from, &passphrase)?;
    if context.json {
        #[derive(Serialize)]
        struct Restored<'a> {
            restored_from: &'a Path,
            certificates: i64,
            previous_kept_at: Option<&'a Path>,
        }
        super::write_json(
            &mut super::stdout(),
            &Restored {
                restored_from: from,
                certificates: restored.certificates,
                previous_kept_at: restored.previous_kept_at.as_deref(),
            },
        )?;
    } else {
        say(context, words::Done::Restored(restored.certificates))?;
        if let Some(previous) = &restored.previous_kept_at {
            say(context, words::Done::ReplacedKeptAt(previous))?;
        }
    }
    Ok(())
}
