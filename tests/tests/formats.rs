//! Certificate and key formats against real files: CryptoPro CSP containers from ../shared/vectors and
//! OpenSSL with the GOST engine.

use std::path::Path;

use certkeeper_core::crypto::gost::{Digest, Gost94CryptoPro, Streebog256, Streebog512};
use certkeeper_core::error::FormatError;
use certkeeper_core::formats::cryptopro;
use certkeeper_tests::support::openssl::OpenSsl;
use certkeeper_tests::support::{run, vectors};
use secrecy::SecretString;

/// (folder, password, file with the expected scalar, little-endian hex)
const CONTAINERS: &[(&str, &str, Option<&str>)] = &[
    ("g2001", "1", Some("g2001.expected-d.le.hex")),
    ("g2012256", "1", Some("g2012256.expected-d.le.hex")),
    ("g2012512", "1", Some("g2012512.expected-d.le.hex")),
    ("svkreml-00000000", "123456", None),
    ("srv-emptypass", "", Some("srv-emptypass.expected-d.le.hex")),
];

fn password(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

/// The public key of a DER certificate as OpenSSL reads it: (x, y) big-endian.
fn certificate_public_key(openssl: &OpenSsl, certificate_der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let cert = openssl.path("container-cert.der");
    std::fs::write(&cert, certificate_der).expect("write certificate");
    let public = openssl.path("container-cert.pub.pem");
    let pem = run(openssl
        .command()
        .args(["x509", "-inform", "DER", "-noout", "-pubkey", "-in"])
        .arg(&cert))
    .stdout;
    std::fs::write(&public, pem).expect("write public key");
    let text = String::from_utf8(
        run(openssl
            .command()
            .args(["pkey", "-pubin", "-text", "-noout", "-in"])
            .arg(&public))
        .stdout,
    )
    .expect("UTF-8");
    let number = |label: &str| -> String {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(label))
            .unwrap_or_else(|| panic!("no {label} in {text}"))
            .trim()
            .to_owned()
    };
    let bytes = |hex: String, len: usize| -> Vec<u8> {
        let hex = format!("{hex:0>width$}", width = 2 * len);
        (0..hex.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("hex"))
            .collect()
    };
    let len = if number("X:").len() > 64 { 64 } else { 32 };
    (bytes(number("X:"), len), bytes(number("Y:"), len))
}

#[test]
fn real_cryptopro_containers_open_with_their_passwords() {
    let folder = vectors::folder("cryptopro");
    let openssl = OpenSsl::new();
    for (name, secret, expected) in CONTAINERS {
        let container = cryptopro::open(&folder.join(name), &password(secret))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        if let Some(expected) = expected {
            assert_eq!(
                container.key.to_le_bytes().to_vec(),
                vectors::hex_file(&folder.join(expected)),
                "{name}"
            );
        }
        // The key belongs to the certificate stored in the container, as OpenSSL reads it.
        let certificate = container
            .header
            .certificate
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no certificate"));
        let public = container.key.public_key();
        assert_eq!(
            (public.x_be(), public.y_be()),
            certificate_public_key(&openssl, certificate),
            "{name}"
        );
        assert!(
            container.header.private_key_not_after.is_some(),
            "{name}: usage period"
        );
    }
    // The separate certificate file of svkreml-00000000 holds the same key.
    let container =
        cryptopro::open(&folder.join("svkreml-00000000"), &password("123456")).expect("open");
    let der = std::fs::read(folder.join("svkreml-00000000.cert.crt")).expect("certificate file");
    let public = container.key.public_key();
    assert_eq!(
        (public.x_be(), public.y_be()),
        certificate_public_key(&openssl, &der)
    );
}

#[test]
fn wrong_passwords_are_reported_as_such() {
    let folder = vectors::folder("cryptopro");
    for (name, secret, _) in CONTAINERS {
        let wrong = if secret.is_empty() { "1" } else { "wrong" };
        let error =
            cryptopro::open(&folder.join(name), &password(wrong)).expect_err("wrong password");
        assert!(
            matches!(error, FormatError::WrongContainerPassword),
            "{name}: {error:?}"
        );
        assert_eq!(error.to_string(), "wrong container password");
    }
}

#[test]
fn recovered_keys_sign_what_openssl_verifies_with_the_containers_certificate() {
    let folder = vectors::folder("cryptopro");
    let openssl = OpenSsl::new();
    let document = openssl.path("document.txt");
    let data = "Налоговая декларация, 4 квартал".as_bytes();
    std::fs::write(&document, data).expect("write");
    for (name, secret, _) in CONTAINERS {
        let container = cryptopro::open(&folder.join(name), &password(secret)).expect("open");
        let (digest, option) = match container.header.digest_oid.as_str() {
            "1.2.643.2.2.30.1" => (Gost94CryptoPro::digest(data).to_vec(), "-md_gost94"),
            "1.2.643.7.1.1.2.3" => (Streebog512::digest(data).to_vec(), "-md_gost12_512"),
            _ => (Streebog256::digest(data).to_vec(), "-md_gost12_256"),
        };
        let signature = container.key.sign_digest(&digest).expect("sign");
        let signature_path = openssl.path(&format!("{name}.sig"));
        std::fs::write(&signature_path, &signature).expect("write signature");
        let cert = openssl.path(&format!("{name}.der"));
        std::fs::write(
            &cert,
            container.header.certificate.as_ref().expect("certificate"),
        )
        .expect("write");
        let public = openssl.path(&format!("{name}.pub.pem"));
        std::fs::write(
            &public,
            run(openssl
                .command()
                .args(["x509", "-inform", "DER", "-noout", "-pubkey", "-in"])
                .arg(&cert))
            .stdout,
        )
        .expect("write");
        let verified = run(openssl
            .command()
            .args(["dgst", option, "-verify"])
            .arg(&public)
            .arg("-signature")
            .arg(&signature_path)
            .arg(&document));
        assert_eq!(
            String::from_utf8_lossy(&verified.stdout).trim(),
            "Verified OK",
            "{name}"
        );
    }
}

#[test]
fn damaged_containers_give_typed_errors() {
    let folder = vectors::folder("cryptopro");
    let scratch = certkeeper_tests::support::temp_dir();
    let copy = |name: &str| -> std::path::PathBuf {
        let target = scratch.path().join(name);
        std::fs::create_dir_all(&target).expect("mkdir");
        for file in ["header.key", "masks.key", "primary.key", "name.key"] {
            std::fs::copy(folder.join("g2012256").join(file), target.join(file)).expect("copy");
        }
        target
    };
    let truncate = |path: &Path, len: usize| {
        let bytes = std::fs::read(path).expect("read");
        std::fs::write(path, &bytes[..len.min(bytes.len())]).expect("write");
    };
    let missing = copy("missing");
    std::fs::remove_file(missing.join("primary.key")).expect("remove");
    assert!(matches!(
        cryptopro::open(&missing, &password("1")),
        Err(FormatError::ContainerFile { .. })
    ));
    assert!(!cryptopro::is_container(&missing));

    for (file, len) in [
        ("header.key", 100),
        ("masks.key", 20),
        ("primary.key", 10),
        ("header.key", 0),
    ] {
        let broken = copy(&format!("broken-{file}-{len}"));
        truncate(&broken.join(file), len);
        let error = cryptopro::open(&broken, &password("1")).expect_err("broken container");
        assert!(
            matches!(
                error,
                FormatError::Der { .. } | FormatError::UnsupportedContainer { .. }
            ),
            "{file}: {error:?}"
        );
    }
    // A flipped byte in the masked key is a wrong key, reported as a wrong password.
    let flipped = copy("flipped");
    let mut primary = std::fs::read(flipped.join("primary.key")).expect("read");
    primary[10] ^= 0xff;
    std::fs::write(flipped.join("primary.key"), primary).expect("write");
    assert!(matches!(
        cryptopro::open(&flipped, &password("1")),
        Err(FormatError::WrongContainerPassword)
    ));
}
