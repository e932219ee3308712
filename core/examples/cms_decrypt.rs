//! Decrypts one CMS document with a private key given explicitly, the way `openssl cms -decrypt
//! -inkey KEY` does: the decryption engine of `certkeeper decrypt` without the archive around it.
//! Used by `bench/decrypt-vs-openssl.sh` to compare time and peak memory with OpenSSL and gpgsm.
//!
//! Usage: cms_decrypt KEY.pem DOCUMENT OUTPUT

use std::io::Write;

use certkeeper_core::cms::{Document, armor};
use certkeeper_core::formats::pkcs8;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, key, document, output] = args.as_slice() else {
        return Err("usage: cms_decrypt KEY.pem DOCUMENT OUTPUT".into());
    };
    let key = pkcs8::from_file(&std::fs::read(key)?, false, b"")?;
    let (_, reader) = armor::unwrap(std::fs::File::open(document)?)?;
    let document = Document::open(reader)?;
    let recipients = document.envelope.recipients.clone();
    let content_key = recipients
        .iter()
        .find_map(|recipient| recipient.unwrap_key(&key).ok())
        .ok_or("the key opens no recipient of the document")?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(output)?);
    let bytes = document.decrypt_to(&content_key, &mut out, &mut |_| {})?;
    out.flush()?;
    eprintln!("{bytes} bytes");
    Ok(())
}
