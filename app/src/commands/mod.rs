//! One module per command; each takes what it needs from [`Context`].

pub mod archive;
pub mod copy;
pub mod decrypt;
pub mod export;
pub mod import;
pub mod info;
pub mod init;
pub mod inspect;
pub mod maintenance;
pub mod media;
pub mod registry;
pub mod reminders;
pub mod settings;

use std::path::PathBuf;

use crate::messages::{Lang, LangOrigin};

/// What every command may need: the global options after the environment has been applied.
#[derive(Debug)]
pub struct Context {
    /// The archive file, as given or by default.
    pub archive: Option<PathBuf>,
    /// Where the archive passphrase is read from, when not asked.
    pub passphrase_file: Option<PathBuf>,
    /// Print JSON instead of text.
    pub json: bool,
    /// The language of every message.
    pub lang: Lang,
    /// Why that language.
    pub lang_origin: LangOrigin,
}

/// Writes `value` as pretty JSON and a newline: the `--json` form of every command.
pub(crate) fn write_json(
    out: &mut impl std::io::Write,
    value: &impl serde::Serialize,
) -> Result<(), crate::messages::AppError> {
    use crate::messages::AppError;
    serde_json::to_writer_pretty(&mut *out, value)
        .map_err(std::io::Error::from)
        .map_err(AppError::Output)?;
    writeln!(out).map_err(AppError::Output)
}
