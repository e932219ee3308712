//! File formats that hold certificates and keys.
//!
//! - [`der`] — a strict DER reader for structures walked by hand.
//! - [`cryptopro`] — CryptoPro CSP key containers.

pub mod cryptopro;
pub mod der;
