//! Untrusted encrypted documents: every structure `certkeeper decrypt` reads (the BER stream, PEM and
//! S/MIME armour, recipient infos, cipher parameters, the trailer after the content) gives a typed
//! error, never a panic, an endless loop or unbounded memory.
#![no_main]

use std::io::Read;

use certkeeper_core::cms::{Document, armor, signed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((_, mut reader)) = armor::unwrap(std::io::Cursor::new(data.to_vec())) else {
        return;
    };
    let mut decoded = Vec::new();
    if reader.read_to_end(&mut decoded).is_err() {
        return;
    }
    // Signed and digested documents (not encrypted) are read by the same command.
    let _ = signed::unwrap(&decoded[..], &mut std::io::sink(), &|_| None);
    let _ = signed::unwrap_digested(&decoded[..], &mut std::io::sink());
    if let Ok(document) = Document::open(std::io::Cursor::new(decoded)) {
        let key = vec![0x5a; document.envelope.cipher.key_len()];
        let _ = document.decrypt_to(&key, &mut std::io::sink(), &mut |_| {});
    }
});
