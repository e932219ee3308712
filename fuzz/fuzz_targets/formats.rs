//! Untrusted files as every format certkeeper reads: typed errors, never a panic.
#![no_main]

use std::path::Path;

use certkeeper_core::cert::Certificate;
use certkeeper_core::formats::{cryptopro, cryptopro_pfx, detect, pbe, pkcs8, pkcs12};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = detect::read_bytes(Path::new("fuzz"), data);
    let _ = cryptopro::parse_header(data);
    let _ = cryptopro::parse_name(data);
    let _ = cryptopro::ContainerFiles::from_der(data).map(|files| files.to_der());
    let _ = pkcs12::parse(data, b"password");
    // As import and inspect try it first, within a guess's work budget.
    let _ = pkcs12::parse_within(data, b"", &pbe::Budget::for_a_guess());
    let _ = pkcs8::parse_private_key_info(data);
    let _ = pkcs8::parse_encrypted(data, b"password");
    let _ = Certificate::from_der(data);
    // A CryptoPro PFX key bag as it is once decrypted (the frame, the key blob, the wrapped key).
    let _ = cryptopro_pfx::key_from_decrypted(data, &[0x5a; 32]);
});
