//! The one catalogue of what certkeeper says to a person, in English and Russian.
//!
//! Every message is a pair: what went wrong, and what to do next (with the exact command when there
//! is one). The command line and the desktop window both take their words from here, so a message is
//! written once and reads the same everywhere.
//!
//! - [`lang`] — which language, and why (`CERTKEEPER_LANG`, the settings, the locale).
//! - [`errors`] — the application's own errors and the words for every error that reaches a
//!   person, the libraries' included.
//! - [`prompts`] — the words of the terminal's and the window's prompts.
//! - [`certificates`] — how a certificate reads as text.
//! - [`archive`], [`documents`], [`media`], [`import`], [`reminders`], [`requests`] — what each use case says when it
//!   works.

pub mod archive;
pub mod certificates;
pub mod documents;
pub mod errors;
pub mod help;
pub mod import;
pub mod lang;
pub mod media;
pub mod prompts;
pub mod reminders;
pub mod requests;
pub mod unlock;

pub use errors::{AppError, Asked, Failed, describe};
pub use lang::{Lang, LangOrigin, Text};
