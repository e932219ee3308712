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
    /// A cryptographic operation failed or was given bad input.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A certificate could not be read.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    /// A file holding certificates or keys could not be read as what it claims to be.
    #[error(transparent)]
    Format(#[from] FormatError),
}

/// Why a certificate or key file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The DER encoding is broken (truncated, wrong tag, impossible length).
    #[error("{what}: {reason} at byte {offset}")]
    Der {
        /// The structure being read.
        what: &'static str,
        /// Where the problem is, from the start of the file.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A file of a CryptoPro container is missing or unreadable.
    #[error("cannot read container file {path}: {source}")]
    ContainerFile {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The container holds a key of a kind certkeeper cannot open.
    #[error("unsupported container: {reason}")]
    UnsupportedContainer {
        /// What is unsupported.
        reason: String,
    },
    /// The password does not open the container (the recovered key does not match its fingerprint).
    #[error("wrong container password")]
    WrongContainerPassword,
    /// The password does not open the file (PFX integrity check or decryption failed).
    #[error("wrong password for the file")]
    WrongFilePassword,
    /// The file asks for more key derivation work than any real file needs (see
    /// [`crate::formats::pbe::Budget`]): not opened.
    #[error("the file asks for more key derivation work than any real file needs")]
    TooMuchWork,
    /// The person pressed Stop while the file's password was being checked.
    #[error("stopped while checking the file's password")]
    Stopped,
    /// The file is protected with an algorithm certkeeper does not implement.
    #[error("unsupported encryption or integrity algorithm {oid}")]
    UnsupportedEncryption {
        /// The algorithm's object identifier.
        oid: String,
    },
    /// Parts of the file are encrypted to a certificate's key (a PFX in public-key privacy mode),
    /// and no key at hand opens them.
    #[error("parts of the file are encrypted to a certificate's key that is not at hand")]
    EncryptedToCertificate,
    /// The file is signed (a PFX in public-key integrity mode) and a signature does not verify.
    #[error("the signature of {signer} does not verify: {reason}")]
    SignatureNotValid {
        /// The signer as the file names it.
        signer: String,
        /// Why.
        reason: String,
    },
    /// A cryptographic step failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Why a cryptographic operation failed. No variant carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// An input (key, digest, signature, UKM, wrapped key) has the wrong length.
    #[error("{what} is {actual} bytes long, {expected} expected")]
    Length {
        /// What the input is.
        what: &'static str,
        /// The length required.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// A private key is zero modulo the group order.
    #[error("the private key is zero modulo the group order")]
    PrivateKeyOutOfRange,
    /// A public key is not a point of the curve's prime-order subgroup.
    #[error("the public key is not a valid point of the curve")]
    PublicKeyInvalid,
    /// The keys of an operation belong to different parameter sets, or to the wrong size.
    #[error("the keys belong to different or unsuitable parameter sets")]
    ParamSetMismatch,
    /// A key agreement was asked with a zero UKM, which would not bind the result to the exchange.
    #[error("the user keying material (UKM) is zero")]
    ZeroUkm,
    /// The signature does not match the digest and public key.
    #[error("the signature does not verify")]
    BadSignature,
    /// An object identifier names no parameter set or algorithm this crate knows.
    #[error("unknown algorithm or parameter set {oid}")]
    UnknownOid {
        /// The dotted object identifier.
        oid: String,
    },
    /// An integrity check (a MAC, a key wrap's check value) failed: wrong key or damaged data.
    #[error("the integrity check of the {what} failed")]
    IntegrityCheckFailed {
        /// What was checked.
        what: &'static str,
    },
    /// The operating system's random generator failed.
    #[error("the system random generator failed: {0}")]
    Random(String),
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

/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The data is not a DER X.509 certificate.
    #[error("not a valid X.509 certificate: {reason}")]
    Parse {
        /// What the parser said.
        reason: String,
    },
    /// An extension the model reads is malformed.
    #[error("malformed certificate extension {oid}")]
    Extension {
        /// The extension's object identifier.
        oid: &'static str,
    },
}
