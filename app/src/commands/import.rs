//! `certkeeper import`: every certificate and key container in files and folders goes into the
//! archive (core's [`certkeeper_core::import`]); this module parses, asks and prints.

use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::import::{ImportSummary, Passwords, import_paths, import_store};

use super::Context;
use super::archive::open_archive;
use crate::messages::AppError;

/// What `certkeeper import` reads.
pub enum From<'a> {
    /// Files and folders.
    Paths(&'a [PathBuf]),
    /// The registry store's containers.
    Registry,
}

/// How an import ended, for its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was read and every key it could open is archived.
    Done,
    /// Some files or folders could not be read.
    SomethingUnreadable,
    /// Containers were archived locked because the password given did not open them.
    WrongPasswords(usize),
}

/// Runs `certkeeper import`.
pub fn import(
    context: &Context,
    from: From<'_>,
    password_file: Option<&Path>,
    keep_passwords: bool,
) -> Result<Outcome> {
    let terminal = crate::prompt::Terminal::new(context.lang);
    let passwords = Passwords {
        given: crate::prompt::read_given(password_file)?,
        keep: keep_passwords,
        prompt: &terminal,
        stop: None,
    };
    let mut archive = open_archive(context)?;
    // A bar on a terminal for a long import; nothing when the output is piped.
    let mut bar = crate::progress::Bar::on_terminal(context.lang);
    let mut progress = |progress: certkeeper_core::import::Progress| {
        if let Some(bar) = bar.as_mut() {
            bar.update(progress.done, progress.total);
        }
        true
    };
    let summary = match from {
        From::Paths(paths) => import_paths(&mut archive, paths, &passwords, &mut progress),
        From::Registry => {
            let store = super::registry::store(context)?;
            import_store(&mut archive, &store, &passwords, &mut progress)
        }
    };
    if let Some(bar) = bar {
        bar.finish();
    }
    let summary = summary.map_err(crate::messages::Failed)?;
    write_summary(context, &summary)?;
    let wrong = summary
        .keys
        .iter()
        .filter(|key| key.status == certkeeper_core::import::KeyStatus::WrongPassword)
        .count();
    Ok(if !summary.unreadable.is_empty() {
        Outcome::SomethingUnreadable
    } else if wrong > 0 {
        Outcome::WrongPasswords(wrong)
    } else {
        Outcome::Done
    })
}

fn write_summary(context: &Context, summary: &ImportSummary) -> Result<()> {
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, summary)?;
        return Ok(());
    }
    crate::messages::import::write_summary(&mut out, summary, context.lang)
        .map_err(AppError::Output)?;
    Ok(())
}
