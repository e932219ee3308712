//! certkeeper's archive: one encrypted SQLite file that keeps every certificate and key container a
//! person ever had, so that nothing needed to open an old document is ever lost.
//!
//! - [`location`] — where the archive lives: a path the user gives, `CERTKEEPER_ARCHIVE`, or the
//!   platform's data directory (`~/.local/share/certkeeper/archive.db` on Linux, per the XDG Base
//!   Directory Specification).
//! - [`error`] — the typed errors of this crate.
//!
//! Migrations are SQL files in the workspace's `migrations/` folder, named
//! `YYYYMMDDHHMMSS_description.sql`; a shipped migration is never edited, only followed by a later one.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod location;

pub use error::{Error, Result};
pub use location::ArchiveLocation;
