//! GOST cryptography: the algorithms Russian qualified certificates, CryptoPro containers and GOST
//! CMS documents are made of.
//!
//! | Module | Standard |
//! |---|---|
//! | [`params`] | GOST R 34.10 parameter sets (RFC 4357, RFC 7836, R 1323565.1.024-2019) |
//! | [`r3410`] | GOST R 34.10-2012/-2001 keys and signatures (RFC 7091, RFC 5832) |
//! | [`vko`] | VKO GOST R 34.10-2001/-2012 key agreement (RFC 4357, RFC 7836) |
//! | [`r3413`] | GOST R 34.13-2015 CTR, CTR-ACPKM, OMAC and KExp15/KImp15 for Kuznyechik and Magma |
//! | [`kdf`] | HMAC-Streebog, KDF_256, KDF_TREE (R 50.1.113-2016), PBKDF2-HMAC-Streebog-512 (R 50.1.111-2016) |
//! | [`gost28147`] | GOST 28147-89 modes, IMIT, key meshing, diversification and key wrap (RFC 4357) |
//!
//! The hash functions are RustCrypto's `streebog` (GOST R 34.11-2012, RFC 6986) and `gost94`
//! (GOST R 34.11-94); the block ciphers its `magma` and `kuznyechik` (GOST R 34.12-2015).
//! Elliptic curve arithmetic on secret scalars runs in constant time (see `ec`).

mod ec;
mod field;
pub mod gost28147;
pub mod kdf;
pub mod params;
pub mod r3410;
pub mod r3413;
pub mod streebog;
pub mod vko;

pub use ::streebog::{Streebog256, Streebog512};
pub use digest::Digest;
pub use gost94::Gost94CryptoPro;
pub use params::ParamSet;
pub use r3410::{PrivateKey, PublicKey};

/// Streebog of `data` of a GOST R 34.10-2012 key's size (512 bits for 512-bit keys, else 256), as
/// the hash function gives it: the digest a GOST signature signs.
pub fn streebog_of_size(bits: usize, data: &[u8]) -> Vec<u8> {
    if bits == 512 {
        Streebog512::digest(data).to_vec()
    } else {
        Streebog256::digest(data).to_vec()
    }
}

#[cfg(test)]
mod tests;
