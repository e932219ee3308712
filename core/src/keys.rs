//! A private key kept locked in its container (a CryptoPro container, a PFX file, an encrypted
//! PKCS#8 file), taken out with the container's password — the one place every use case (opening a
//! document, exporting, copying to a token) unlocks an archived container.

use secrecy::{ExposeSecret, SecretString};

use crate::cert::Certificate;
use crate::error::FormatError;
use crate::formats::cryptopro::ContainerFiles;
use crate::formats::{pkcs8, pkcs12};
use crate::interact::{Declined, Prompt, Request};

/// The kinds of container a key is kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    /// A CryptoPro CSP container, its files as [`ContainerFiles::to_der`] writes them.
    CryptoPro,
    /// A PKCS#12 (PFX) file.
    Pkcs12,
    /// A PKCS#8 key file, plain or encrypted.
    Pkcs8,
}

impl ContainerKind {
    /// The name stored in the archive and shown in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CryptoPro => "cryptopro",
            Self::Pkcs12 => "pkcs12",
            Self::Pkcs8 => "pkcs8",
        }
    }

    /// The kind [`ContainerKind::as_str`] names.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "cryptopro" => Some(Self::CryptoPro),
            "pkcs12" => Some(Self::Pkcs12),
            "pkcs8" => Some(Self::Pkcs8),
            _ => None,
        }
    }
}

/// Why a container's key was not taken out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The password does not open the container.
    #[error("the password of «{name}» is wrong")]
    WrongPassword {
        /// The container's name.
        name: String,
    },
    /// No password was given (no one to ask, or the person cancelled).
    #[error("the password of «{name}» was not given: {why}")]
    PasswordNotGiven {
        /// The container's name.
        name: String,
        /// Why.
        why: Declined,
    },
    /// The container opened but holds no key of the certificate.
    #[error("«{name}» holds no key of this certificate")]
    NotThisKey {
        /// The container's name.
        name: String,
    },
    /// The container is damaged or of a form certkeeper does not read.
    #[error("{0}")]
    Format(#[source] FormatError),
}

/// A locked container: what it is, its name and its bytes.
pub struct Locked<'a> {
    /// Its kind.
    pub kind: ContainerKind,
    /// Its name, as the person knows it.
    pub name: &'a str,
    /// Its bytes.
    pub original: &'a [u8],
}

impl Locked<'_> {
    /// The key of `certificate` with `password`.
    pub fn unlock(
        &self,
        password: &SecretString,
        certificate: &Certificate,
    ) -> Result<pkcs8::KeyInfo, KeyError> {
        let name = || self.name.to_owned();
        let format = |error| match error {
            FormatError::WrongContainerPassword | FormatError::WrongFilePassword => {
                KeyError::WrongPassword { name: name() }
            }
            other => KeyError::Format(other),
        };
        let keys = match self.kind {
            ContainerKind::CryptoPro => {
                let opened = ContainerFiles::from_der(self.original)
                    .and_then(|files| files.open(password))
                    .map_err(format)?;
                vec![pkcs8::parse_private_key_info(&opened.private_key_info()).map_err(format)?]
            }
            ContainerKind::Pkcs12 => {
                pkcs12::parse(self.original, password.expose_secret().as_bytes())
                    .map_err(format)?
                    .keys
            }
            ContainerKind::Pkcs8 => vec![
                pkcs8::from_file(self.original, true, password.expose_secret().as_bytes())
                    .map_err(format)?,
            ],
        };
        let wanted = certificate.public_key_material();
        keys.into_iter()
            .find(|key| {
                // A CryptoPro container holds exactly one key, named by the certificate stored with
                // it; PFX and PKCS#8 files are matched by the public key.
                self.kind == ContainerKind::CryptoPro || key.public_key_material() == wanted
            })
            .ok_or_else(|| KeyError::NotThisKey { name: name() })
    }

    /// The key of `certificate`, with the kept password when there is one, else the password asked
    /// once through `prompt` (a wrong one is an error, never asked again).
    pub fn unlock_asking(
        &self,
        kept: Option<SecretString>,
        certificate: &Certificate,
        prompt: &dyn Prompt,
    ) -> Result<pkcs8::KeyInfo, KeyError> {
        let password = match kept {
            Some(kept) => kept,
            None => prompt
                .secret(&Request::ContainerPassword { name: self.name })
                .map_err(|why| KeyError::PasswordNotGiven {
                    name: self.name.to_owned(),
                    why,
                })?,
        };
        self.unlock(&password, certificate)
    }
}
