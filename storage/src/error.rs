//! Errors of `certkeeper-storage`. Variants carry context but never a secret.

use std::path::PathBuf;

/// A result with [`Error`] as its error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `certkeeper-storage`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No archive path was given and the platform's data directory is unknown (no home directory).
    #[error("no archive path given and no home directory to put the default archive in")]
    NoDataDirectory,
    /// The Windows registry store cannot be reached: the user's SID could not be read from the
    /// process token.
    #[error("the Windows user of this process is unknown: {0}")]
    UserUnknown(#[source] std::io::Error),
    /// `init` on a path where an archive (or another file) already is.
    #[error("{path} already exists")]
    AlreadyExists {
        /// The archive path.
        path: PathBuf,
    },
    /// No archive at the path.
    #[error("no archive at {path}")]
    NotFound {
        /// The archive path.
        path: PathBuf,
    },
    /// Another certkeeper (the window, the reminder service) has the archive open.
    #[error("{path} is in use by another certkeeper")]
    InUse {
        /// The archive path.
        path: PathBuf,
    },
    /// The passphrase does not open the archive.
    #[error("wrong archive passphrase")]
    WrongPassphrase,
    /// An empty passphrase was given for a new archive.
    #[error("the archive passphrase is empty")]
    EmptyPassphrase,
    /// The archive was written by a newer certkeeper (it holds a migration this build does not know).
    #[error("the archive was written by a newer certkeeper (migration {version})")]
    NewerArchive {
        /// The unknown migration.
        version: String,
    },
    /// A migration applied to the archive differs from the one this build ships.
    #[error("migration {version} of the archive differs from this build's")]
    MigrationChanged {
        /// The migration.
        version: String,
    },
    /// The archive's header (the key hierarchy's row) is damaged, or asks for key derivation work
    /// outside sane bounds (`params` then says what it asks for): told before any key is derived.
    #[error("the archive's header is damaged{}", params.map(|params| format!(": Argon2id with {} KiB, {} passes, {} lanes is outside what certkeeper accepts", params.memory_kib, params.iterations, params.parallelism)).unwrap_or_default())]
    DamagedHeader {
        /// The parameters asked for, when they are what is wrong.
        params: Option<crate::keyring::KdfParams>,
    },
    /// The archive's structure is damaged.
    #[error("the archive is damaged: {what}")]
    Corrupted {
        /// What is wrong.
        what: String,
    },
    /// SQLite reported an error.
    #[error("archive database error while {context}: {source}")]
    Sqlite {
        /// What certkeeper was doing.
        context: &'static str,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The file system refused (creating the archive folder).
    #[error("cannot create {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The archive's passphrase was not given (no one to ask, or the person cancelled).
    #[error("the archive passphrase was not given: {why}")]
    PassphraseNotGiven {
        /// Why.
        why: certkeeper_core::interact::Declined,
    },
    /// The system random generator failed.
    #[error("the system random generator failed: {0}")]
    Random(String),
}

/// `result.context("doing x")` for SQLite errors.
pub(crate) trait SqliteContext<T> {
    fn context(self, context: &'static str) -> Result<T>;
}

impl Error {
    /// Whether SQLite found the file damaged or not a database at all (as opposed to a full disk,
    /// a missing permission or a lock): what to do next is restore, not retry.
    pub fn is_damaged_file(&self) -> bool {
        matches!(
            self,
            Error::Sqlite { source, .. } if matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            )
        )
    }
}

impl<T> SqliteContext<T> for std::result::Result<T, rusqlite::Error> {
    fn context(self, context: &'static str) -> Result<T> {
        self.map_err(|source| Error::Sqlite { context, source })
    }
}
