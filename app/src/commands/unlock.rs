//! `certkeeper unlock [--for DURATION]` and `certkeeper lock`: the archive unlocked once for the
//! commands and the window that follow (see [`crate::agent`]).

use std::io::Write;

use anyhow::Result;
use certkeeper_storage::Archive;
use serde::Serialize;

use super::Context;
use crate::messages::{AppError, unlock as words};

/// What `unlock --json` says.
#[derive(Debug, Serialize)]
struct Unlocked<'a> {
    archive: &'a std::path::Path,
    idle_seconds: u64,
}

/// Runs `certkeeper unlock`.
pub fn unlock(context: &Context, idle: Option<&str>) -> Result<()> {
    let idle = match idle {
        Some(given) => crate::agent::parse_idle(given)?,
        None => crate::agent::DEFAULT_IDLE,
    };
    // Where the agent lives is checked before the passphrase is asked.
    crate::agent::folder()?;
    let location = super::archive::existing_location(context)?;
    let passphrase = super::archive::passphrase(context)?;
    let (archive, key) = Archive::open_keeping_key(&location, &passphrase)?;
    drop(passphrase);
    drop(archive);
    crate::agent::store(&location, &key, idle)?;
    let mut out = super::stdout();
    if context.json {
        super::write_json(
            &mut out,
            &Unlocked {
                archive: location.path(),
                idle_seconds: idle.as_secs(),
            },
        )?;
    } else {
        writeln!(
            out,
            "{}",
            words::unlocked(location.path(), idle, context.lang)
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}

/// Runs `certkeeper lock`.
pub fn lock(context: &Context) -> Result<()> {
    let was_running = crate::agent::lock()?;
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &serde_json::json!({ "locked": was_running }))?;
    } else {
        writeln!(out, "{}", words::locked(was_running, context.lang)).map_err(AppError::Output)?;
    }
    Ok(())
}
