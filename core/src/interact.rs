//! What certkeeper asks a person for, and the trait through which it asks. Core never prompts by
//! itself: the command line and the desktop window each implement [`Prompt`] once, and core hands
//! them a [`Request`] that says exactly what is wanted and what the person should know first (a
//! token's PIN state is shown before its PIN is asked).

use secrecy::SecretString;

use crate::media::pkcs11::PinState;

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request<'a> {
    /// The archive's passphrase.
    ArchivePassphrase,
    /// A new passphrase for the archive (asked twice by the implementor).
    NewArchivePassphrase,
    /// The password of an existing container or file.
    ContainerPassword {
        /// The container's name or the file's path, as the person knows it.
        name: &'a str,
    },
    /// The password of a container or file being archived; declining, or an empty answer, keeps it
    /// archived locked.
    PasswordToArchive {
        /// The container's name and where it is, as the person knows it.
        name: &'a str,
    },
    /// A password for a container or file about to be written (asked twice by the implementor).
    NewPassword {
        /// Whether an empty password is allowed (CryptoPro containers may have none).
        allow_empty: bool,
    },
    /// A token's user PIN.
    Pin {
        /// The token's label.
        token: &'a str,
        /// The PIN state before this attempt (count low, final try).
        state: PinState,
    },
}

/// Why nothing was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Declined {
    /// There is no one to ask (no terminal, no window).
    #[error("there is no one to ask")]
    NoOneToAsk,
    /// The person cancelled.
    #[error("cancelled")]
    Cancelled,
    /// A new secret was typed twice, differently (where the person cannot simply be asked again,
    /// as at a terminal).
    #[error("the two entries differ")]
    Differ,
}

/// Asks a person. Implementations ask once per call and never retry on their own: a wrong PIN is
/// reported by the caller with the token's new state, and it is the person who decides to try again.
/// A [`Request::NewPassword`] is typed twice by every implementation, so a typing mistake never
/// locks a new file; callers never ask twice themselves.
pub trait Prompt {
    /// A secret: passphrase, password or PIN.
    fn secret(&self, request: &Request<'_>) -> Result<SecretString, Declined>;
}
