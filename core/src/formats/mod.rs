//! File formats that hold certificates and keys.
//!
//! - [`der`] — a strict DER reader for structures walked by hand.
//! - [`cryptopro`] — CryptoPro CSP key containers.
//! - [`detect`] — what a file or folder holds, by content.
//! - [`pkcs8`], [`pkcs12`], [`pbe`] — private keys and PFX files with their password-based encryption.

pub mod cryptopro;
pub mod der;
pub mod detect;
pub mod pbe;
pub mod pkcs12;
pub mod pkcs8;
