//! Opening documents encrypted by the real `openssl cms -encrypt` (with the GOST engine for GOST).

use certkeeper_core::cms::{Document, armor};
use certkeeper_core::formats::pkcs8;
use certkeeper_tests::support::openssl::{Issued, KeyAlgorithm, OpenSsl};
use certkeeper_tests::support::run;

/// The plaintext: every byte value, a few blocks plus an odd tail.
fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// Encrypts with OpenSSL in the given form: "der", "ber" (-stream) or "pem" / "smime".
fn encrypt(
    openssl: &OpenSsl,
    data: &[u8],
    recipients: &[&Issued],
    cipher: &str,
    options: &[&str],
    form: &str,
) -> std::path::PathBuf {
    let input = openssl.path(&format!("plain-{}-{form}.bin", data.len()));
    std::fs::write(&input, data).expect("write");
    let output = openssl.path(&format!(
        "doc-{}-{}-{form}-{}.out",
        cipher.trim_start_matches('-'),
        recipients.len(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or(0)
    ));
    let mut command = openssl.command();
    command
        .args(["cms", "-encrypt", "-binary", cipher, "-in"])
        .arg(&input);
    match form {
        "der" => {
            command.args(["-outform", "DER"]);
        }
        "ber" => {
            command.args(["-outform", "DER", "-stream"]);
        }
        "pem" => {
            command.args(["-outform", "PEM"]);
        }
        _ => {
            command.args(["-outform", "SMIME"]);
        }
    }
    command.arg("-out").arg(&output);
    for recipient in recipients {
        command.arg("-recip").arg(&recipient.cert).args(options);
    }
    run(&mut command);
    output
}

/// Decrypts `document` with `recipient`'s key (the recipient found by its certificate).
fn decrypt(document: &std::path::Path, recipient: &Issued) -> Result<Vec<u8>, String> {
    let key =
        pkcs8::from_file(&std::fs::read(&recipient.key).expect("key"), false, b"").expect("key");
    let file = std::fs::File::open(document).expect("open");
    let (_, reader) = armor::unwrap(file).map_err(|error| error.to_string())?;
    let document = Document::open(reader).map_err(|error| error.to_string())?;
    let mut last = Err("no recipient".to_owned());
    for candidate in &document.envelope.recipients {
        match candidate.unwrap_key(&key) {
            Ok(content_key) => {
                let mut out = Vec::new();
                document
                    .decrypt_to(&content_key, &mut out, &mut |_| {})
                    .map_err(|error| error.to_string())?;
                return Ok(out);
            }
            Err(error) => last = Err(error.to_string()),
        }
    }
    last
}

#[test]
fn rsa_recipients_with_aes_and_3des_in_every_form() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Rsa2048);
    let rsa = openssl.issue(&ca, "/CN=RSA recipient", KeyAlgorithm::Rsa2048, 30);
    let data = plaintext(70_001);
    for (cipher, options) in [
        ("-aes-256-cbc", &[][..]),
        ("-aes-128-cbc", &["-keyopt", "rsa_padding_mode:oaep"][..]),
        ("-aes-192-cbc", &[][..]),
        ("-des-ede3-cbc", &[][..]),
        ("-aes-256-gcm", &[][..]),
        ("-aes-128-gcm", &["-keyopt", "rsa_padding_mode:oaep"][..]),
    ] {
        for form in ["der", "ber", "pem", "smime"] {
            let document = encrypt(&openssl, &data, &[&rsa], cipher, options, form);
            let opened = decrypt(&document, &rsa)
                .unwrap_or_else(|error| panic!("{cipher} {options:?} {form}: {error}"));
            assert!(
                opened == data,
                "{cipher} {options:?} {form}: output differs"
            );
        }
    }
}

#[test]
fn gost_recipients_with_gost_ciphers() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("A"));
    let r256 = openssl.issue(&ca, "/CN=256", KeyAlgorithm::Gost2012_256("A"), 30);
    let r512 = openssl.issue(&ca, "/CN=512", KeyAlgorithm::Gost2012_512("A"), 30);
    let r2001 = openssl.issue(&ca, "/CN=2001", KeyAlgorithm::Gost2001("A"), 30);
    // Within one ACPKM section for documents the engine makes (docs/gost-acpkm-openssl.md).
    let small = plaintext(1_000);
    let large = plaintext(100_000);
    for (recipient, name) in [(&r256, "2012-256"), (&r512, "2012-512"), (&r2001, "2001")] {
        for form in ["der", "ber", "pem"] {
            let document = encrypt(&openssl, &large, &[recipient], "-gost89", &[], form);
            let opened = decrypt(&document, recipient)
                .unwrap_or_else(|error| panic!("{name} gost89 {form}: {error}"));
            assert!(opened == large, "{name} gost89 {form}: output differs");
        }
    }
    for (recipient, name) in [(&r256, "2012-256"), (&r512, "2012-512")] {
        for cipher in [
            "-kuznyechik-ctr-acpkm",
            "-kuznyechik-ctr-acpkm-omac",
            "-magma-ctr-acpkm",
            "-magma-ctr-acpkm-omac",
        ] {
            for form in ["der", "ber"] {
                let document = encrypt(&openssl, &small, &[recipient], cipher, &[], form);
                let opened = decrypt(&document, recipient)
                    .unwrap_or_else(|error| panic!("{name} {cipher} {form}: {error}"));
                assert!(opened == small, "{name} {cipher} {form}: output differs");
            }
        }
    }
}

#[test]
fn damaged_truncated_and_wrong_key_documents_fail_clearly() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("A"));
    let owner = openssl.issue(&ca, "/CN=owner", KeyAlgorithm::Gost2012_256("A"), 30);
    let stranger = openssl.issue(&ca, "/CN=stranger", KeyAlgorithm::Gost2012_256("A"), 30);
    let rsa_ca = openssl.make_ca("RSA CA", KeyAlgorithm::Rsa2048);
    let rsa = openssl.issue(&rsa_ca, "/CN=rsa", KeyAlgorithm::Rsa2048, 30);
    let data = plaintext(5_000);
    for (recipient, cipher) in [
        (&owner, "-kuznyechik-ctr-acpkm-omac"),
        (&owner, "-gost89"),
        (&rsa, "-aes-256-gcm"),
        (&rsa, "-aes-256-cbc"),
    ] {
        let document = encrypt(&openssl, &data, &[recipient], cipher, &[], "der");
        let bytes = std::fs::read(&document).expect("read");
        // Truncated anywhere in the last part: an error, never a panic or silent success.
        for cut in [bytes.len() - 1, bytes.len() - 20, bytes.len() / 2, 10] {
            let truncated = openssl.path("truncated.der");
            std::fs::write(&truncated, &bytes[..cut]).expect("write");
            let error = decrypt(&truncated, recipient).expect_err("truncated");
            assert!(
                error.contains("damaged") || error.contains("truncated"),
                "{cipher} cut at {cut}: {error}"
            );
        }
        // A flipped byte in the middle of the encrypted content.
        let mut flipped = bytes.clone();
        let middle = bytes.len() - 2_500;
        flipped[middle] ^= 0x01;
        let damaged = openssl.path("flipped.der");
        std::fs::write(&damaged, &flipped).expect("write");
        let result = decrypt(&damaged, recipient);
        match cipher {
            // Authenticated: the change is detected.
            "-kuznyechik-ctr-acpkm-omac" | "-aes-256-gcm" => {
                let error = result.expect_err("detected");
                assert!(error.contains("damaged"), "{cipher}: {error}");
            }
            // Unauthenticated: it decrypts, but not to the original.
            _ => assert!(result.map(|out| out != data).unwrap_or(true), "{cipher}"),
        }
    }
    // The wrong key: said so.
    let document = encrypt(&openssl, &data, &[&owner], "-gost89", &[], "der");
    let error = decrypt(&document, &stranger).expect_err("wrong key");
    assert!(error.contains("does not open"), "{error}");
    // Not CMS at all, and a signed-only document.
    let junk = openssl.path("junk.bin");
    std::fs::write(&junk, b"\x30\x03\x02\x01\x00").expect("write");
    assert!(decrypt(&junk, &owner).is_err());
    let signed = openssl.path("signed.der");
    let input = openssl.path("plain-signed.bin");
    std::fs::write(&input, &data).expect("write");
    run(openssl
        .command()
        .args([
            "cms",
            "-sign",
            "-binary",
            "-outform",
            "DER",
            "-nodetach",
            "-in",
        ])
        .arg(&input)
        .arg("-signer")
        .arg(&owner.cert)
        .arg("-inkey")
        .arg(&owner.key)
        .arg("-out")
        .arg(&signed));
    let error = decrypt(&signed, &owner).expect_err("not encrypted");
    assert!(error.contains("not encrypted"), "{error}");
}
