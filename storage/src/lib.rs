//! certkeeper's archive: one encrypted SQLite file that keeps every certificate and key container a
//! person ever had, so that nothing needed to open an old document is ever lost.
//!
//! - [`location`] — where the archive lives: a path the user gives, `CERTKEEPER_ARCHIVE`, or the
//!   platform's data directory (`~/.local/share/certkeeper/archive.db` on Linux, per the XDG Base
//!   Directory Specification).
//! - [`archive`] — creating and opening the archive (WAL, foreign keys, migrations, unlock).
//! - [`catalog`] — the public part (certificates, whether a key is kept) read without the passphrase.
//! - [`certificates`] — archived certificates: idempotent import, list and search.
//! - [`keys`] — archived key containers (kept whole) and the private keys taken out of them.
//! - [`copy_side`] — the archive's side of a copy between key media.
//! - [`key_source`] — the archive's keys (and its public part) as a key source for opening
//!   documents.
//! - [`requests`] — certificate request jobs (the archive's side of getting a new certificate).
//! - [`keyring`] — the key hierarchy: Argon2id → key-encryption key → data key → AES-256-GCM seals
//!   bound to their table, row and column.
//! - [`sightings`] — where a copied certificate and its key now live, recorded without the
//!   passphrase.
//! - [`maintenance`] — changing the passphrase, online backup and restore.
//! - [`error`] — the typed errors of this crate.
//!
//! Migrations are SQL files in the workspace's `migrations/` folder, named
//! `YYYYMMDDHHMMSS_description.sql`; a shipped migration is never edited, only followed by a later one.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod archive;
pub mod catalog;
pub mod certificates;
pub mod copy_side;
pub mod error;
pub mod key_source;
pub mod keyring;
pub mod keys;
pub mod location;
pub mod maintenance;
mod migrate;
pub mod reminders;
pub mod requests;
pub mod sightings;
pub mod tidy;

pub use archive::{Archive, UnlockKey};
pub use error::{Error, Result};
pub use keyring::KdfParams;
pub use location::ArchiveLocation;
