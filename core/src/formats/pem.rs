//! PEM (RFC 7468) output: base64 in 64-character lines between BEGIN/END labels. The encoder is
//! constant-time (`base64ct`), since private keys go through it too.

use base64ct::{Base64, Encoding};

/// Where the PEM in `bytes` begins: at the start (after blank space), or after lines of text, as
/// `openssl pkcs12` writes its "Bag Attributes"; `None` when there is no PEM block.
pub fn start(bytes: &[u8]) -> Option<usize> {
    let trimmed = bytes.trim_ascii_start();
    if trimmed.starts_with(b"-----BEGIN ") {
        return Some(bytes.len() - trimmed.len());
    }
    let needle = b"\n-----BEGIN ";
    bytes
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + 1)
}

/// `der` as a PEM block with `label` ("CERTIFICATE", "ENCRYPTED PRIVATE KEY", ...).
pub fn encode(label: &str, der: &[u8]) -> String {
    let body = Base64::encode_string(der);
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_64_characters_and_read_back() {
        let der: Vec<u8> = (0..=255u8).cycle().take(200).collect();
        let pem = encode("CERTIFICATE", &der);
        assert!(
            pem.lines()
                .all(|line| line.len() <= 64 || line.starts_with("-----"))
        );
        let block = x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes())
            .next()
            .expect("block")
            .expect("PEM");
        assert_eq!(block.label, "CERTIFICATE");
        assert_eq!(block.contents, der);
    }
}
