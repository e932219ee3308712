//! Errors of `certkeeper-core`.
//!
//! Variants carry context (which file, which limit) but never a secret value. The application maps
//! each variant to a message for a person in its catalogue.

use std::path::PathBuf;

/// A result with [`Error`] as its error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `certkeeper-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file that should hold a secret (an archive passphrase, a container password) could not be used.
    #[error(transparent)]
    SecretFile(#[from] SecretFileError),
}

/// Why a secret could not be read from a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretFileError {
    /// The file could not be opened or read.
    #[error("cannot read secret file {path}: {source}")]
    Unreadable {
        /// The file named by the user.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file holds nothing but an optional line ending.
    #[error("secret file {path} is empty")]
    Empty {
        /// The file named by the user.
        path: PathBuf,
    },
    /// The file is not UTF-8 text.
    #[error("secret file {path} is not UTF-8 text")]
    NotText {
        /// The file named by the user.
        path: PathBuf,
    },
    /// The file is larger than any passphrase or password could reasonably be; probably the wrong file.
    #[error("secret file {path} is {size} bytes, more than the {limit} bytes a secret may have")]
    TooLarge {
        /// The file named by the user.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The largest size accepted.
        limit: u64,
    },
}
