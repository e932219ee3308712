//! Errors of `certkeeper-storage`. Variants carry context but never a secret.

/// A result with [`Error`] as its error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `certkeeper-storage`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No archive path was given and the platform's data directory is unknown (no home directory).
    #[error("no archive path given and no home directory to put the default archive in")]
    NoDataDirectory,
}
