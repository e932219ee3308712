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
pub mod notify;
pub mod packaging;
pub mod registry;
pub mod reminders;
pub mod request;
pub mod settings;
pub mod unlock;

use certkeeper_core::text::Escaping;
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
/// Standard output for a person: text from files (names, paths) cannot rewrite the terminal
/// ([`Escaping`]); JSON goes out as it is ([`write_json`]).
pub(crate) fn stdout() -> Escaping<std::io::StdoutLock<'static>> {
    Escaping::new(std::io::stdout().lock())
}

pub(crate) fn write_json<W: std::io::Write>(
    out: &mut Escaping<W>,
    value: &impl serde::Serialize,
) -> Result<(), crate::messages::AppError> {
    use crate::messages::AppError;
    // JSON escapes control characters itself, and its strings stay the file's exact text.
    let out = out.raw();
    serde_json::to_writer_pretty(&mut *out, value)
        .map_err(std::io::Error::from)
        .map_err(AppError::Output)?;
    writeln!(out).map_err(AppError::Output)
}
