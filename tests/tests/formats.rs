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
    // A flipped byte in the salt fails the integrity check of masks.key: damage, not a wrong password.
    let damaged = copy("damaged-masks");
    let mut masks = std::fs::read(damaged.join("masks.key")).expect("read");
    let last = masks.len() - 8;
    masks[last] ^= 0x01;
    std::fs::write(damaged.join("masks.key"), masks).expect("write");
    let error = cryptopro::open(&damaged, &password("1")).expect_err("damaged");
    assert!(
        matches!(
            error,
            FormatError::Der {
                what: "masks.key",
                reason: "integrity check failed: the file is damaged",
                ..
            }
        ),
        "{error:?}"
    );
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

mod certificates {
    use certkeeper_core::cert::{Certificate, Status, format_time};
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl};
    use certkeeper_tests::support::run;

    /// DER of a private key usage period from 2026-01-15 to 2027-04-14 (GeneralizedTime, implicit tags).
    const USAGE_PERIOD: &str = "2.5.29.16 = DER:3022800F32303236303131353030303030305A810F32303237303431343030303030305A\n";

    #[test]
    fn russian_qualified_fields_are_read_from_an_openssl_certificate() {
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("Тестовый УЦ", KeyAlgorithm::Gost2012_256("TCA"));
        let subject = "/CN=ООО \"Ромашка\"/O=ООО \"Ромашка\"/C=RU/1.2.643.3.131.1.1=007701234567\
                       /INNLE=7701234567/1.2.643.100.1=1027700132195/1.2.643.100.3=12345678901\
                       /SN=Иванова/GN=Анна Петровна";
        let extensions = format!(
            "{USAGE_PERIOD}\
             certificatePolicies = 1.2.643.100.113.1, 1.2.643.100.113.2\n\
             1.2.643.100.111 = ASN1:FORMAT:UTF8,UTF8String:КриптоПро CSP (версия 5.0)\n"
        );
        let issued = openssl.issue_with_extensions(
            &ca,
            subject,
            KeyAlgorithm::Gost2012_256("TCA"),
            365,
            &extensions,
        );
        let certificate = Certificate::from_der(&openssl.der(&issued.cert)).expect("parse");

        assert_eq!(certificate.subject.display_name(), "ООО \"Ромашка\"");
        assert_eq!(certificate.inn.as_deref(), Some("007701234567"));
        assert_eq!(certificate.innle.as_deref(), Some("7701234567"));
        assert_eq!(certificate.ogrn.as_deref(), Some("1027700132195"));
        assert_eq!(certificate.snils.as_deref(), Some("12345678901"));
        assert_eq!(certificate.ogrnip, None);
        assert_eq!(certificate.issuer.display_name(), "Тестовый УЦ");
        assert_eq!(certificate.subject.get("2.5.4.4"), Some("Иванова"));
        assert_eq!(certificate.key_algorithm.name, "GOST R 34.10-2012 256");
        assert_eq!(
            certificate.key_algorithm.parameters.as_deref(),
            Some("id-tc26-gost-3410-12-256-paramSetA")
        );
        assert_eq!(certificate.policies, ["KC1", "KC2"]);
        assert_eq!(
            certificate.subject_sign_tool.as_deref(),
            Some("КриптоПро CSP (версия 5.0)")
        );
        assert_eq!(
            certificate
                .private_key_not_before
                .map(format_time)
                .as_deref(),
            Some("2026-01-15T00:00:00Z")
        );
        assert_eq!(
            certificate
                .private_key_not_after
                .map(format_time)
                .as_deref(),
            Some("2027-04-14T00:00:00Z")
        );
        assert!(
            certificate
                .key_usage
                .contains(&"digitalSignature".to_owned())
        );
        assert!(
            certificate
                .extended_key_usage
                .contains(&"emailProtection".to_owned())
        );
        assert!(!certificate.is_ca);
        assert!(certificate.subject_key_id.is_some() && certificate.authority_key_id.is_some());

        // Thumbprints and serial as OpenSSL computes them.
        let fingerprint = String::from_utf8(
            run(openssl
                .command()
                .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
                .arg(&issued.cert))
            .stdout,
        )
        .expect("UTF-8");
        assert_eq!(
            fingerprint
                .trim()
                .rsplit('=')
                .next()
                .expect("value")
                .replace(':', ""),
            certificate.sha1_thumbprint
        );
        let serial = String::from_utf8(
            run(openssl
                .command()
                .args(["x509", "-noout", "-serial", "-in"])
                .arg(&issued.cert))
            .stdout,
        )
        .expect("UTF-8");
        assert_eq!(
            serial.trim().trim_start_matches("serial="),
            certificate.serial
        );

        // Status over time: the key period ends before the certificate.
        let key_end = certificate.private_key_not_after.expect("period");
        assert_eq!(
            certificate.status_at(certificate.not_before - 1),
            Status::NotYetValid
        );
        assert_eq!(
            certificate.status_at(certificate.not_before + 1),
            Status::Valid
        );
        assert_eq!(
            certificate.status_at(certificate.not_after + 1),
            Status::Expired
        );
        if key_end < certificate.not_after {
            assert_eq!(
                certificate.status_at(key_end + 1),
                Status::PrivateKeyPeriodEnded
            );
        }

        // The public key read from the certificate is the one OpenSSL generated.
        let text = openssl.gost_key_text(&issued.key, 32);
        let public = certificate.gost_public_key().expect("GOST key");
        assert_eq!((public.x_be(), public.y_be()), (text.x, text.y));
    }

    #[test]
    fn every_key_family_is_named() {
        let openssl = OpenSsl::new();
        for (algorithm, name) in [
            (KeyAlgorithm::Rsa2048, "RSA 2048"),
            (KeyAlgorithm::EcP256, "EC P-256"),
            (KeyAlgorithm::Gost2001("A"), "GOST R 34.10-2001"),
            (KeyAlgorithm::Gost2012_512("A"), "GOST R 34.10-2012 512"),
        ] {
            let ca = openssl.make_ca("CA", algorithm);
            let certificate = Certificate::from_der(&openssl.der(&ca.cert)).expect("parse");
            assert_eq!(certificate.key_algorithm.name, name);
            assert!(certificate.is_ca);
        }
    }
}

mod pfx {
    use certkeeper_core::cert::Certificate;
    use certkeeper_core::error::FormatError;
    use certkeeper_core::formats::pkcs12;
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};

    #[test]
    fn pfx_files_made_by_openssl_open_with_their_password() {
        let openssl = OpenSsl::new();
        let password = "Пароль-2026";
        for (algorithm, protection, key_oid) in [
            (
                KeyAlgorithm::Rsa2048,
                PfxProtection::Aes256,
                "1.2.840.113549.1.1.1",
            ),
            (
                KeyAlgorithm::EcP256,
                PfxProtection::Aes256,
                "1.2.840.10045.2.1",
            ),
            (
                KeyAlgorithm::Rsa2048,
                PfxProtection::Legacy3Des,
                "1.2.840.113549.1.1.1",
            ),
            (
                KeyAlgorithm::Gost2012_256("A"),
                PfxProtection::Gost,
                "1.2.643.7.1.1.1.1",
            ),
            (
                KeyAlgorithm::Gost2012_256("TCA"),
                PfxProtection::Gost,
                "1.2.643.7.1.1.1.1",
            ),
            (
                KeyAlgorithm::Gost2012_512("A"),
                PfxProtection::Gost,
                "1.2.643.7.1.1.1.2",
            ),
        ] {
            let name = format!("{} {protection:?}", algorithm.name());
            let ca = openssl.make_ca("PFX CA", algorithm);
            let user = openssl.issue(&ca, "/CN=Сидоров", algorithm, 30);
            let pfx = std::fs::read(openssl.pfx(&user, password, protection)).expect("read PFX");
            let opened = pkcs12::parse(&pfx, password.as_bytes())
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            let expected_der = openssl.der(&user.cert);
            assert_eq!(opened.certificates, vec![expected_der.clone()], "{name}");
            assert_eq!(opened.keys.len(), 1, "{name}");
            assert_eq!(opened.keys[0].algorithm_oid, key_oid, "{name}");
            if algorithm.is_gost() {
                let certificate = Certificate::from_der(&expected_der).expect("certificate");
                let key = opened.keys[0].gost.as_ref().expect("GOST key");
                assert_eq!(
                    Some(key.public_key()),
                    certificate.gost_public_key(),
                    "{name}: key matches certificate"
                );
            }
            assert!(
                matches!(
                    pkcs12::parse(&pfx, b"wrong"),
                    Err(FormatError::WrongFilePassword)
                ),
                "{name}: wrong password"
            );
            for cut in [10, pfx.len() / 2, pfx.len() - 1] {
                assert!(
                    pkcs12::parse(&pfx[..cut], password.as_bytes()).is_err(),
                    "{name}: truncated at {cut}"
                );
            }
        }
    }
}

mod pfx_written {
    use certkeeper_core::formats::pbe::Protection;
    use certkeeper_core::formats::{pkcs8, pkcs12};
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};
    use certkeeper_tests::support::run;

    /// The public key of a PEM file (certificate or private key) as OpenSSL prints it.
    fn public_of(openssl: &OpenSsl, path: &std::path::Path, certificate: bool) -> String {
        let output = if certificate {
            run(openssl
                .command()
                .args(["x509", "-noout", "-pubkey", "-in"])
                .arg(path))
            .stdout
        } else {
            run(openssl.command().args(["pkey", "-pubout", "-in"]).arg(path)).stdout
        };
        String::from_utf8(output).expect("UTF-8")
    }

    #[test]
    fn pfx_written_by_certkeeper_opens_in_openssl() {
        let openssl = OpenSsl::new();
        let password = "Ключ-от-ПФХ";
        for (algorithm, protection) in [
            (KeyAlgorithm::Rsa2048, Protection::Aes256),
            (KeyAlgorithm::EcP256, Protection::Aes256),
            (KeyAlgorithm::Gost2012_256("TCA"), Protection::Gost),
            (KeyAlgorithm::Gost2012_512("A"), Protection::Gost),
            (KeyAlgorithm::Gost2012_256("A"), Protection::Aes256),
        ] {
            let name = format!("{} {protection:?}", algorithm.name());
            let ca = openssl.make_ca("CA", algorithm);
            let user = openssl.issue(&ca, "/CN=Кузнецова", algorithm, 30);
            // The key and certificate as certkeeper holds them: read from OpenSSL's own PFX.
            let source =
                std::fs::read(openssl.pfx(&user, "x", PfxProtection::Aes256)).expect("read");
            let opened = pkcs12::parse(&source, b"x").expect("open");
            let key_der = match &opened.keys[0].gost {
                Some(gost) => pkcs8::gost_private_key_info(
                    gost,
                    pkcs8::GostAlgorithm::from_oid(&opened.keys[0].algorithm_oid)
                        .expect("GOST algorithm"),
                ),
                None => opened.keys[0].der.clone(),
            };
            let written = pkcs12::build(
                &opened.certificates[0],
                &key_der,
                password.as_bytes(),
                protection,
                Some("Кузнецова"),
            )
            .expect("build");
            let path = openssl.path("certkeeper.pfx");
            std::fs::write(&path, &written).expect("write");

            // OpenSSL checks the MAC, decrypts both parts and finds a key that fits the certificate.
            let extracted = openssl.path("extracted.pem");
            run(openssl
                .command()
                .args(["pkcs12", "-in"])
                .arg(&path)
                .args(["-passin", &format!("pass:{password}"), "-nodes", "-out"])
                .arg(&extracted));
            let cert_pem = openssl.path("extracted-cert.pem");
            run(openssl
                .command()
                .args(["x509", "-in"])
                .arg(&extracted)
                .arg("-out")
                .arg(&cert_pem));
            let key_pem = openssl.path("extracted-key.pem");
            run(openssl
                .command()
                .args(["pkey", "-in"])
                .arg(&extracted)
                .arg("-out")
                .arg(&key_pem));
            assert_eq!(
                public_of(&openssl, &cert_pem, true),
                public_of(&openssl, &user.cert, true),
                "{name}"
            );
            assert_eq!(
                public_of(&openssl, &key_pem, false),
                public_of(&openssl, &user.cert, true),
                "{name}: key"
            );
            let wrong = openssl
                .command()
                .args(["pkcs12", "-noout", "-in"])
                .arg(&path)
                .args(["-passin", "pass:wrong"])
                .output()
                .expect("run");
            assert!(
                !wrong.status.success(),
                "{name}: OpenSSL refuses the wrong password"
            );
            // And certkeeper reads its own file back.
            let again = pkcs12::parse(&written, password.as_bytes()).expect("reopen");
            assert_eq!(again.certificates, opened.certificates, "{name}");
        }
    }
}

mod pkcs8_files {
    use certkeeper_core::formats::pbe::Protection;
    use certkeeper_core::formats::{pem, pkcs8};
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl};
    use certkeeper_tests::support::run;

    #[test]
    fn encrypted_pkcs8_and_pem_go_both_ways_with_openssl() {
        let openssl = OpenSsl::new();
        for (algorithm, openssl_cipher, protection) in [
            (
                KeyAlgorithm::Gost2012_256("TCA"),
                "gost89",
                Protection::Gost,
            ),
            (
                KeyAlgorithm::Gost2012_512("B"),
                "aes-256-cbc",
                Protection::Aes256,
            ),
            (KeyAlgorithm::Gost2001("XA"), "gost89", Protection::Aes256),
        ] {
            let name = algorithm.name();
            let key_path = openssl.generate_key(algorithm, &name);
            let text = openssl.gost_key_text(
                &key_path,
                if matches!(algorithm, KeyAlgorithm::Gost2012_512(_)) {
                    64
                } else {
                    32
                },
            );

            // OpenSSL encrypts, certkeeper decrypts.
            let encrypted = openssl.path(&format!("{name}.p8.der"));
            run(openssl
                .command()
                .args([
                    "pkcs8",
                    "-topk8",
                    "-v2",
                    openssl_cipher,
                    "-outform",
                    "DER",
                    "-passout",
                    "pass:парольчик",
                    "-in",
                ])
                .arg(&key_path)
                .arg("-out")
                .arg(&encrypted));
            let bytes = std::fs::read(&encrypted).expect("read");
            let key = pkcs8::parse_encrypted(&bytes, "парольчик".as_bytes())
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            let gost = key.gost.as_ref().expect("GOST key");
            assert_eq!(gost.public_key().x_be(), text.x, "{name}");
            assert!(
                pkcs8::parse_encrypted(&bytes, b"wrong").is_err(),
                "{name}: wrong password"
            );

            // certkeeper encrypts and writes PEM, OpenSSL decrypts to the same key.
            let algorithm =
                pkcs8::GostAlgorithm::from_oid(&key.algorithm_oid).expect("GOST algorithm");
            let ours = pkcs8::encrypt(
                &pkcs8::gost_private_key_info(gost, algorithm),
                "ещё-пароль".as_bytes(),
                protection,
            )
            .expect("encrypt");
            let pem_path = openssl.path(&format!("{name}.certkeeper.pem"));
            std::fs::write(&pem_path, pem::encode("ENCRYPTED PRIVATE KEY", &ours)).expect("write");
            let public = run(openssl
                .command()
                .args(["pkey", "-pubout", "-passin", "pass:ещё-пароль", "-in"])
                .arg(&pem_path))
            .stdout;
            let expected = run(openssl
                .command()
                .args(["pkey", "-pubout", "-in"])
                .arg(&key_path))
            .stdout;
            assert_eq!(
                public, expected,
                "{name}: OpenSSL reads certkeeper's encrypted key"
            );
        }
    }
}

mod containers_written {
    use certkeeper_core::crypto::gost::{Digest, Gost94CryptoPro, Streebog256, Streebog512};
    use certkeeper_core::error::FormatError;
    use certkeeper_core::formats::cryptopro::{self, NewContainer};
    use certkeeper_core::formats::pkcs8::GostAlgorithm;
    use certkeeper_core::formats::pkcs12;
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};
    use certkeeper_tests::support::{run, temp_dir, vectors};
    use secrecy::SecretString;

    /// Given the same key, certificate, period, name and password, certkeeper writes the header and
    /// name files of a real CryptoPro container byte for byte (only the masks and salts are random).
    #[test]
    fn written_header_is_byte_identical_to_cryptopro_s() {
        let folder = vectors::folder("cryptopro");
        let drive = temp_dir();
        for (name, secret, algorithm) in [
            ("g2012256", "1", GostAlgorithm::Gost2012_256),
            ("g2012512", "1", GostAlgorithm::Gost2012_512),
            ("g2001", "1", GostAlgorithm::Gost2001),
            ("srv-emptypass", "", GostAlgorithm::Gost2012_256),
        ] {
            let password = SecretString::from(secret.to_owned());
            let real = cryptopro::open(&folder.join(name), &password).expect("open");
            let container_name = real.name.clone().expect("name");
            let copy = drive.path().join(name);
            cryptopro::write(
                &copy,
                &NewContainer {
                    name: &container_name,
                    key: &real.key,
                    algorithm,
                    certificate: real.header.certificate.as_deref(),
                    private_key_not_after: real.header.private_key_not_after.as_deref(),
                },
                &password,
            )
            .expect("write");
            for file in ["header.key", "name.key"] {
                assert!(
                    std::fs::read(copy.join(file)).expect("ours")
                        == std::fs::read(folder.join(name).join(file)).expect("real"),
                    "{name}/{file} differs from CryptoPro's"
                );
            }
            let again = cryptopro::open(&copy, &password).expect("reopen");
            assert_eq!(again.key.to_le_bytes(), real.key.to_le_bytes());
        }
    }

    #[test]
    fn containers_written_by_certkeeper_open_again_and_sign_what_openssl_verifies() {
        let openssl = OpenSsl::new();
        let drive = temp_dir();
        for (algorithm, gost, digest_option, secret) in [
            (
                KeyAlgorithm::Gost2012_256("TCA"),
                GostAlgorithm::Gost2012_256,
                "-md_gost12_256",
                "Пароль-1",
            ),
            (
                KeyAlgorithm::Gost2012_512("A"),
                GostAlgorithm::Gost2012_512,
                "-md_gost12_512",
                "secret",
            ),
            (
                KeyAlgorithm::Gost2001("XA"),
                GostAlgorithm::Gost2001,
                "-md_gost94",
                "12345678",
            ),
            (
                KeyAlgorithm::Gost2012_256("XA"),
                GostAlgorithm::Gost2012_256,
                "-md_gost12_256",
                "",
            ),
        ] {
            let name = algorithm.name();
            let ca = openssl.make_ca("УЦ", algorithm);
            let user = openssl.issue(&ca, "/CN=Орлова", algorithm, 365);
            let pfx = std::fs::read(openssl.pfx(&user, "x", PfxProtection::Aes256)).expect("read");
            let opened = pkcs12::parse(&pfx, b"x").expect("open");
            let key = opened.keys[0].gost.as_ref().expect("GOST key");
            assert_eq!(
                GostAlgorithm::from_oid(&opened.keys[0].algorithm_oid),
                Some(gost)
            );

            let folder = drive.path().join(format!("{name}.000"));
            let password = SecretString::from(secret.to_owned());
            cryptopro::write(
                &folder,
                &NewContainer {
                    name: &format!("Орлова {name}"),
                    key,
                    algorithm: gost,
                    certificate: Some(&opened.certificates[0]),
                    private_key_not_after: Some("20271231235959Z"),
                },
                &password,
            )
            .unwrap_or_else(|error| panic!("{name}: {error}"));

            let container = cryptopro::open(&folder, &password)
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_eq!(container.key.to_le_bytes(), key.to_le_bytes(), "{name}");
            assert_eq!(
                container.header.private_key_not_after.as_deref(),
                Some("20271231235959Z")
            );
            assert_eq!(
                container.header.password_protected,
                !secret.is_empty(),
                "{name}"
            );
            assert_eq!(
                container.name.as_deref(),
                Some(format!("Орлова {name}").as_str())
            );
            if !secret.is_empty() {
                let wrong = cryptopro::open(&folder, &SecretString::from("wrong".to_owned()))
                    .expect_err("wrong");
                assert!(
                    matches!(wrong, FormatError::WrongContainerPassword),
                    "{name}: {wrong:?}"
                );
            }
            // The reserve copy opens the key when the first copy is damaged.
            std::fs::write(folder.join("masks.key"), b"\x30\x03\x04\x01\x00").expect("damage");
            let reserve = cryptopro::open(&folder, &password)
                .unwrap_or_else(|error| panic!("{name}: reserve: {error}"));
            assert_eq!(reserve.key.to_le_bytes(), key.to_le_bytes());

            // The recovered key signs what OpenSSL verifies with the certificate.
            let data = format!("Акт сверки {name}").into_bytes();
            let digest = match gost {
                GostAlgorithm::Gost2001 => Gost94CryptoPro::digest(&data).to_vec(),
                GostAlgorithm::Gost2012_256 => Streebog256::digest(&data).to_vec(),
                GostAlgorithm::Gost2012_512 => Streebog512::digest(&data).to_vec(),
            };
            let signature = container.key.sign_digest(&digest).expect("sign");
            let document = openssl.path("act.txt");
            std::fs::write(&document, &data).expect("write");
            let signature_path = openssl.path("act.sig");
            std::fs::write(&signature_path, &signature).expect("write");
            let public = openssl.public_key_pem(&user.key);
            let verified = run(openssl
                .command()
                .args(["dgst", digest_option, "-verify"])
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
}

/// R 50.1.112-2016's own PFX example (TC26, as pygost prints it): the MAC key from PBKDF2 with
/// HMAC-Streebog-512 as the standard says, and the key masked (the masked scalar and its mask, as
/// CryptoPro exports keys). It opens with its password and its key is the standard's scalar, the
/// same as the standard's PrivateKeyInfo example; a wrong password is told as such. Through the
/// archive: imported, then exported by certkeeper as PKCS#8 and PFX, the key opens in OpenSSL with
/// the GOST engine and its public key is the certificate's.
#[test]
fn the_tc26_pfx_example_opens_its_masked_key_is_the_standard_s_and_goes_to_openssl() {
    use certkeeper_core::formats::{pkcs8, pkcs12};
    use certkeeper_tests::support::{bin, secret_file, temp_dir};
    let dir = vectors::folder("realworld/pfx/tk26-r50.1.112-2016");
    let pfx_file = dir.join("tk26_example.pfx");
    let bytes = std::fs::read(&pfx_file).expect("the PFX");
    let pfx = pkcs12::parse(&bytes, "Пароль для PFX".as_bytes()).expect("it opens");
    assert_eq!((pfx.keys.len(), pfx.certificates.len()), (1, 1));
    let big_endian = |key: &pkcs8::KeyInfo| -> String {
        let mut scalar = key
            .gost
            .as_ref()
            .expect("a GOST key")
            .to_le_bytes()
            .to_vec();
        scalar.reverse();
        scalar.iter().map(|byte| format!("{byte:02X}")).collect()
    };
    // The scalar the standard prints.
    const SCALAR: &str = "2BEA34A3B05D19645B8F41246A995008230700FD006BA6EB53B422559CEF2252";
    assert_eq!(big_endian(&pfx.keys[0]), SCALAR);
    let example = std::fs::read(dir.join("expected_private_key_info.der")).expect("the example");
    assert_eq!(
        big_endian(&pkcs8::parse_private_key_info(&example).expect("masked PKCS#8")),
        SCALAR
    );
    assert!(matches!(
        pkcs12::parse(&bytes, "Пароль для pfx".as_bytes()),
        Err(FormatError::WrongFilePassword)
    ));

    let work = temp_dir();
    let passphrase = secret_file(work.path(), "passphrase", "the tc26 example\n");
    let archive = work.path().join("archive.db");
    let cli = || bin::on_archive(&archive, &passphrase);
    run(cli().args(["init", "--allow-weak-passphrase"]));
    let password = secret_file(work.path(), "pfx-password", "Пароль для PFX\n");
    run(cli()
        .arg("import")
        .arg(&pfx_file)
        .arg("--password-file")
        .arg(&password));
    let listed = run(cli().args(["--json", "list"]));
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    assert_eq!(listed[0]["has_private_key"], true, "{listed}");
    let thumbprint = listed[0]["sha1_thumbprint"].as_str().expect("thumbprint");
    OpenSsl::new().check_exports(&cli, work.path(), thumbprint, "tc26");
}

/// CryptoPro CSP's own PFX export (real files, password `1`; GOST 2001, 2012-256 and 2012-512 keys,
/// and the KU-* keys of the CryptoPro-made documents): every key opens, equals the key recovered
/// independently (the corpus' `expected-key` files) and, where the PFX holds a certificate, is that
/// certificate's key as OpenSSL reads it. The outer MAC does not verify even with the right password,
/// yet a wrong password is still told as such (by the key blob's own MAC).
#[test]
fn cryptopro_s_own_pfx_opens_with_its_password_and_tells_a_wrong_one() {
    use certkeeper_core::formats::{pkcs8, pkcs12};
    let folder = vectors::folder("realworld/pfx/cryptoarm-cryptopro");
    let ku = vectors::folder("realworld/cms/cryptoarm-cryptopro-ktri");
    let mut files: Vec<_> = [&folder, &ku]
        .iter()
        .flat_map(|folder| std::fs::read_dir(folder).expect("the folder").flatten())
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pfx"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 10, "{files:?}");
    let openssl = OpenSsl::new();
    let scalar_of = |key: &pkcs8::KeyInfo| key.gost.as_ref().expect("GOST").to_le_bytes().to_vec();
    let (mut checked_by_file, mut checked_by_certificate) = (0, 0);
    for file in &files {
        let bytes = std::fs::read(file).expect("a PFX");
        let pfx = pkcs12::parse(&bytes, b"1").unwrap_or_else(|error| panic!("{file:?}: {error}"));
        assert_eq!(pfx.keys.len(), 1, "{file:?}");
        let key = &pfx.keys[0];
        let stem = file
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("name");
        let expected = [
            file.with_file_name(format!("{stem}.expected-key.p8.der")),
            file.with_file_name(format!("{stem}.expected-key.pem")),
        ]
        .into_iter()
        .find(|path| path.exists());
        if let Some(expected) = expected {
            let bytes = std::fs::read(&expected).expect("expected key");
            let expected = pkcs8::from_file(&bytes, false, b"").expect("expected key");
            assert_eq!(scalar_of(key), scalar_of(&expected), "{file:?}");
            checked_by_file += 1;
        }
        // The certificate of the key is among the file's (the KU files hold their CA's as well).
        let public = key.gost.as_ref().expect("GOST").public_key();
        if !pfx.certificates.is_empty() {
            assert!(
                pfx.certificates.iter().any(|certificate| {
                    certificate_public_key(&openssl, certificate) == (public.x_be(), public.y_be())
                }),
                "{file:?}"
            );
            checked_by_certificate += 1;
        }
        assert!(
            matches!(
                pkcs12::parse(&bytes, b"2"),
                Err(FormatError::WrongFilePassword)
            ),
            "{file:?}"
        );
        assert!(
            matches!(
                pkcs12::parse(&bytes, b""),
                Err(FormatError::WrongFilePassword)
            ),
            "{file:?}"
        );
    }
    // Eight keys checked against the independently recovered ones; all ten against their certificate
    // in the file (both GOST 2001 ones among them, for which no recovered key was published).
    assert_eq!((checked_by_file, checked_by_certificate), (8, 10));
}

/// CryptoPro CSP's own PFX through the archive: imported with its password, the key is exported by
/// certkeeper as PKCS#8 and as PFX, OpenSSL with the GOST engine reads both and finds the
/// certificate's public key, and a document OpenSSL encrypts to the certificate opens with the
/// archived key — for a GOST 2001 key and a GOST 2012-512 key.
#[test]
fn a_key_from_cryptopro_s_pfx_goes_to_openssl_and_opens_what_openssl_encrypts_to_it() {
    use certkeeper_tests::support::{bin, secret_file};
    let folder = vectors::folder("realworld/pfx/cryptoarm-cryptopro");
    let scratch = bin::ScratchArchive::new("cryptopro pfx");
    let work = &scratch.work;
    let cli = || scratch.cli();
    let password = secret_file(work.path(), "pfx-password", "1\n");
    run(cli()
        .arg("import")
        .arg(folder.join("pfx2001.pfx"))
        .arg(folder.join("pfx2012-512.pfx"))
        .arg("--password-file")
        .arg(&password));
    let listed = run(cli().args(["--json", "list"]));
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let subjects = ["TrustedCrypto2001", "TrustedCrypro2012-512"];
    let openssl = OpenSsl::new();
    let plain = work.path().join("plain.txt");
    std::fs::write(&plain, "Договор № 7 от 3 декабря\n".repeat(50)).expect("write");
    for subject in subjects {
        let entry = listed
            .as_array()
            .expect("a list")
            .iter()
            .find(|entry| {
                entry["subject_name"]
                    .as_str()
                    .is_some_and(|text| text.contains(subject))
            })
            .unwrap_or_else(|| panic!("{subject} in {listed}"));
        assert_eq!(entry["has_private_key"], true, "{entry}");
        let thumbprint = entry["sha1_thumbprint"].as_str().expect("thumbprint");
        let certificate = openssl.check_exports(&cli, work.path(), thumbprint, subject);
        let document = work.path().join(format!("{subject}.p7m"));
        run(openssl
            .command()
            .args([
                "cms", "-encrypt", "-binary", "-gost89", "-outform", "DER", "-in",
            ])
            .arg(&plain)
            .arg("-out")
            .arg(&document)
            .arg(&certificate));
        let opened = work.path().join(format!("{subject}.txt"));
        run(cli().arg("decrypt").arg(&document).arg("-o").arg(&opened));
        assert_eq!(
            std::fs::read(&opened).expect("opened"),
            std::fs::read(&plain).expect("plain"),
            "{subject}"
        );
    }
}

/// RFC 9548's PFX examples (password «Пароль для PFX»): A.2.1 (certificate in clear, key under PBES2
/// with Kuznyechik CTR-ACPKM-OMAC) and A.2.2 (both under Magma CTR-ACPKM(-OMAC)) open to the
/// published key and certificate, and a wrong password is told; A.3 (public-key privacy and
/// integrity modes: a signed AuthenticatedSafe whose key part is an EnvelopedData to the recipient's
/// certificate, KARI with KExp15) opens with the recipient's key, is refused without it, and a
/// changed byte of its signed content is refused.
#[test]
fn rfc_9548_pfx_examples_open_in_every_mode() {
    use certkeeper_core::formats::{pbe, pkcs8, pkcs12};
    let dir = vectors::folder("realworld/pfx/rfc9548");
    let read = |name: &str| std::fs::read(dir.join(name)).expect("a vector");
    let password = "Пароль для PFX".as_bytes();
    let expected_key =
        pkcs8::parse_private_key_info(&read("expected_key_OneAsymmetricKey.der")).expect("key");
    let scalar = |key: &pkcs8::KeyInfo| key.gost.as_ref().expect("GOST").to_le_bytes().to_vec();
    let expected_certificate = read("expected_cert_originator512.der");
    for name in [
        "A.2.1_cert_clear_key_encrypted.pfx",
        "A.2.2_cert_and_key_encrypted.pfx",
    ] {
        let bytes = read(name);
        let pfx = pkcs12::parse(&bytes, password).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(pfx.keys.len(), 1, "{name}");
        assert_eq!(scalar(&pfx.keys[0]), scalar(&expected_key), "{name}");
        assert_eq!(
            pfx.certificates,
            vec![expected_certificate.clone()],
            "{name}"
        );
        assert!(
            matches!(
                pkcs12::parse(&bytes, "Пароль для pfx".as_bytes()),
                Err(FormatError::WrongFilePassword)
            ),
            "{name}"
        );
    }
    let privacy = read("A.3_public_key_privacy.pfx");
    assert!(matches!(
        pkcs12::parse(&privacy, b""),
        Err(FormatError::EncryptedToCertificate)
    ));
    let recipient = pkcs8::from_file(&read("A.3_recipient256_key.pem"), false, b"").expect("key");
    let with_key = |bytes: &[u8]| {
        pkcs12::parse_with(bytes, b"", &pbe::Budget::per_file(), &|document| {
            certkeeper_core::open::open_in_memory(document, &|recipients| {
                recipients
                    .iter()
                    .find_map(|candidate| candidate.unwrap_key(&recipient).ok())
            })
            .map_err(|_| FormatError::EncryptedToCertificate)
        })
    };
    let pfx = with_key(&privacy).expect("it opens with the recipient's key");
    assert_eq!(pfx.keys.len(), 1);
    assert_eq!(scalar(&pfx.keys[0]), scalar(&expected_key));
    assert_eq!(pfx.certificates, vec![expected_certificate]);
    // A changed byte of the signed AuthenticatedSafe (inside the certificate bag's data).
    let needle = &read("expected_cert_originator512.der")[40..56];
    let at = privacy
        .windows(needle.len())
        .position(|window| window == needle)
        .expect("the certificate inside");
    let mut changed = privacy.clone();
    changed[at + 3] ^= 0x01;
    assert!(matches!(
        with_key(&changed),
        Err(FormatError::SignatureNotValid { .. })
    ));
}

/// RFC 9548's PFX through the archive: A.2.1 imported with its password; A.3 (encrypted to the
/// recipient's certificate) refused with what to do until the recipient's certificate and key are
/// archived, then imported with its key and certificate, which `export` hands to OpenSSL.
#[test]
fn rfc_9548_pfx_examples_import_and_the_privacy_mode_uses_the_archived_key() {
    use certkeeper_tests::support::{bin, secret_file};
    let dir = vectors::folder("realworld/pfx/rfc9548");
    let scratch = bin::ScratchArchive::new("rfc 9548");
    let work = &scratch.work;
    let cli = || scratch.cli();
    let refused = cli()
        .arg("import")
        .arg(dir.join("A.3_public_key_privacy.pfx"))
        .output()
        .expect("run");
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(said.contains("encrypted to a certificate's key"), "{said}");
    run(cli()
        .arg("import")
        .arg(dir.join("A.3_recipient256_cert.der"))
        .arg(dir.join("A.3_recipient256_key.pem")));
    run(cli()
        .arg("import")
        .arg(dir.join("A.3_public_key_privacy.pfx")));
    let password = secret_file(work.path(), "pfx-password", "Пароль для PFX\n");
    run(cli()
        .arg("import")
        .arg(dir.join("A.2.1_cert_clear_key_encrypted.pfx"))
        .arg("--password-file")
        .arg(&password));
    let listed = run(cli().args(["--json", "list"]));
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let originator = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|entry| entry["subject_name"] == "ORIGINATOR: GOST 34.10-12 512-bit")
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(originator["has_private_key"], true, "{originator}");
    let thumbprint = originator["sha1_thumbprint"].as_str().expect("thumbprint");
    OpenSsl::new().check_exports(&cli, work.path(), thumbprint, "originator");
}

/// Real qualified certificates of CryptoARM's tests (certs/cryptoarm: a person's 2012 and two 2001
/// certificates, a legal entity's employee, a CA root) through the archive: INN, SNILS, OGRN and the
/// organisation's INN read as the corpus' README says (a twelve-digit "00…" INN of an organisation is
/// its old form, read as its INNLE too).
#[test]
fn real_qualified_certificates_read_their_inn_snils_and_ogrn() {
    use certkeeper_tests::support::bin;
    let scratch = bin::ScratchArchive::new("real certificates");
    let cli = || scratch.cli();
    run(cli()
        .arg("import")
        .arg(vectors::folder("realworld/certs/cryptoarm")));
    let listed = run(cli().args(["--json", "list"]));
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let mut rows: Vec<String> = listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|entry| {
            [
                "subject_name",
                "inn",
                "innle",
                "snils",
                "ogrn",
                "key_algorithm",
            ]
            .iter()
            .map(|field| entry[field].as_str().unwrap_or("-").to_owned())
            .collect::<Vec<_>>()
            .join(" | ")
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            "Курзенев Александр Владиславович | 001215039585 | 1215039585 | 00295392742 | 1021200769237 | GOST R 34.10-2001",
            "Тестовый УЦ ООО \"КРИПТО-ПРО\" | 001234567890 | 1234567890 | - | 1234567890123 | GOST R 34.10-2012 256",
            "Шалагина Наталья Владимировна | 121519331820 | - | 02504715314 | - | GOST R 34.10-2001",
            "Шалагина Наталья Владимировна | 121519331820 | - | 02504715314 | - | GOST R 34.10-2001",
            "Шалагина Наталья Владимировна | 121519331820 | - | 02504715314 | - | GOST R 34.10-2012 256",
        ]
    );
}
