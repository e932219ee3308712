//! File formats that hold certificates and keys.
//!
//! - [`der`] — a strict DER reader for structures walked by hand.
//! - [`cryptopro`] — CryptoPro CSP key containers.
//! - [`detect`] — what a file or folder holds, by content.
//! - [`pem`] — PEM output.
//! - [`pkcs8`], [`pkcs12`], [`pbe`] — private keys and PFX files with their password-based encryption.

pub mod cryptopro;
pub mod cryptopro_pfx;
pub mod der;
pub mod detect;
pub mod pbe;
pub mod pem;
pub mod pkcs12;
pub mod pkcs8;

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::pbe::Protection;
    use super::{cryptopro, detect, pkcs8, pkcs12};
    use crate::cert::Certificate;
    use crate::crypto::gost::{ParamSet, PrivateKey};

    /// Every parser on `bytes`: any result is fine, a panic is not.
    fn all_parsers(bytes: &[u8]) {
        let _ = detect::read_bytes(Path::new("fuzz"), bytes);
        let _ = cryptopro::parse_header(bytes);
        let _ = cryptopro::parse_name(bytes);
        let _ = cryptopro::ContainerFiles::from_der(bytes).map(|files| files.to_der());
        let _ = pkcs12::parse(bytes, b"password");
        let _ = pkcs8::parse_private_key_info(bytes);
        let _ = pkcs8::parse_encrypted(bytes, b"password");
        let _ = Certificate::from_der(bytes);
    }

    #[test]
    fn damaged_files_never_panic_any_parser() {
        let key = PrivateKey::generate(ParamSet::Tc26_256A).expect("key");
        let pfx = pkcs12::build(
            b"not really a certificate",
            &pkcs8::gost_private_key_info(&key, pkcs8::GostAlgorithm::Gost2012_256),
            b"password",
            Protection::Gost,
            None,
        )
        .expect("build");
        assert!(pkcs12::parse(&pfx, b"password").is_ok());
        // Every truncation and a flipped bit at every position.
        for cut in 0..pfx.len() {
            all_parsers(&pfx[..cut]);
        }
        for position in 0..pfx.len() {
            let mut damaged = pfx.clone();
            damaged[position] ^= 0x10;
            all_parsers(&damaged);
        }
        // And structured garbage: lengths that lie, deep nesting.
        let mut nested = Vec::new();
        for _ in 0..200 {
            nested = super::der::write::sequence(&[&nested]);
        }
        all_parsers(&nested);
        all_parsers(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]);
        all_parsers(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    }
}
