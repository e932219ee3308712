//! File formats that hold certificates and keys.
//!
//! - [`der`] — a strict DER reader for structures walked by hand.
//! - [`cryptopro`] — CryptoPro CSP key containers.
//! - [`detect`] — what a file or folder holds, by content.

pub mod cryptopro;
pub mod der;
pub mod detect;
