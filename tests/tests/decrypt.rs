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

mod from_the_archive {
    use super::{encrypt, plaintext};
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl};
    use certkeeper_tests::support::{bin, temp_dir};

    fn certkeeper(
        archive: &std::path::Path,
        passphrase: &std::path::Path,
    ) -> std::process::Command {
        let mut command = std::process::Command::new(bin::certkeeper());
        command
            .arg("--archive")
            .arg(archive)
            .arg("--passphrase-file")
            .arg(passphrase)
            .env("CERTKEEPER_LANG", "en")
            .stdin(std::process::Stdio::null());
        command
    }

    #[test]
    fn documents_open_with_whichever_archived_key_fits_among_many() {
        let openssl = OpenSsl::new();
        let gost_ca = openssl.make_ca("УЦ ГОСТ", KeyAlgorithm::Gost2012_256("A"));
        let rsa_ca = openssl.make_ca("RSA CA", KeyAlgorithm::Rsa2048);
        let work = temp_dir();
        let drive = work.path().join("drive");
        std::fs::create_dir_all(&drive).expect("mkdir");
        let keep = |issued: &certkeeper_tests::support::openssl::Issued, name: &str| {
            std::fs::copy(&issued.cert, drive.join(format!("{name}.pem"))).expect("copy");
            std::fs::copy(&issued.key, drive.join(format!("{name}.key"))).expect("copy");
        };
        // Fifty other people's keys in the same archive.
        for n in 0..50 {
            let other = openssl.issue(
                &gost_ca,
                &format!("/CN=Другой {n}"),
                KeyAlgorithm::Gost2012_256("A"),
                30,
            );
            keep(&other, &format!("other-{n}"));
        }
        let rsa = openssl.issue(&rsa_ca, "/CN=Petrova RSA", KeyAlgorithm::Rsa2048, 30);
        let ec_ca = openssl.make_ca("EC CA", KeyAlgorithm::EcP256);
        let ec = openssl.issue(&ec_ca, "/CN=Petrova EC", KeyAlgorithm::EcP256, 30);
        let g256 = openssl.issue(
            &gost_ca,
            "/CN=Петрова 256",
            KeyAlgorithm::Gost2012_256("A"),
            30,
        );
        let g512 = openssl.issue(
            &gost_ca,
            "/CN=Петрова 512",
            KeyAlgorithm::Gost2012_512("A"),
            30,
        );
        let g2001 = openssl.issue(
            &gost_ca,
            "/CN=Петрова 2001",
            KeyAlgorithm::Gost2001("A"),
            30,
        );
        // Expired long ago (2015), and superseded by the 2012-256 one above.
        let old = openssl.issue_between(
            &gost_ca,
            "/CN=Петрова 2015",
            KeyAlgorithm::Gost2012_256("A"),
            "20150301000000Z",
            "20160301000000Z",
        );
        for (issued, name) in [
            (&rsa, "rsa"),
            (&ec, "ec"),
            (&g256, "g256"),
            (&g512, "g512"),
            (&g2001, "g2001"),
            (&old, "old"),
        ] {
            keep(issued, name);
        }
        // Archived without its key; and one never archived at all.
        let certificate_only = openssl.issue(
            &gost_ca,
            "/CN=Только сертификат",
            KeyAlgorithm::Gost2012_256("A"),
            30,
        );
        std::fs::copy(&certificate_only.cert, drive.join("certificate-only.pem")).expect("copy");
        let stranger = openssl.issue(&gost_ca, "/CN=Чужой", KeyAlgorithm::Gost2012_256("A"), 30);

        let archive = work.path().join("archive.db");
        let passphrase = certkeeper_tests::support::secret_file(work.path(), "passphrase", "p");
        assert!(
            certkeeper(&archive, &passphrase)
                .args(["init", "--allow-weak-passphrase"])
                .status()
                .expect("init")
                .success()
        );
        let output = certkeeper(&archive, &passphrase)
            .args(["--json", "import"])
            .arg(&drive)
            .output()
            .expect("import");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );

        let data = plaintext(300_001);
        let documents = work.path().join("documents");
        std::fs::create_dir_all(&documents).expect("mkdir");
        let cases = [
            (
                vec![&rsa],
                "-aes-256-cbc",
                &[][..],
                "der",
                "rsa-v15-cbc.p7m",
            ),
            (
                vec![&rsa],
                "-aes-128-gcm",
                &["-keyopt", "rsa_padding_mode:oaep"][..],
                "pem",
                "rsa-oaep-gcm.pem",
            ),
            (
                vec![&rsa],
                "-des-ede3-cbc",
                &[][..],
                "smime",
                "rsa-3des.p7m",
            ),
            (
                vec![&ec],
                "-aes-256-gcm",
                &["-keyopt", "ecdh_kdf_md:sha256"][..],
                "ber",
                "ec-gcm.p7m",
            ),
            (vec![&g256], "-gost89", &[][..], "ber", "g256-gost89.p7m"),
            (vec![&g512], "-gost89", &[][..], "der", "g512-gost89.p7e"),
            (vec![&g2001], "-gost89", &[][..], "pem", "g2001-gost89.enc"),
            (vec![&old], "-gost89", &[][..], "der", "old-2015.p7m"),
            (
                vec![&stranger, &g512],
                "-gost89",
                &[][..],
                "der",
                "two-recipients.p7m",
            ),
        ];
        for (recipients, cipher, options, form, name) in &cases {
            let document = encrypt(&openssl, &data, recipients, cipher, options, form);
            std::fs::copy(&document, documents.join(name)).expect("copy");
        }
        // Within one ACPKM section: the engine's own limit (docs/gost-acpkm-openssl.md).
        let small = plaintext(1_000);
        for (recipient, cipher, name) in [
            (&g256, "-kuznyechik-ctr-acpkm-omac", "g256-kuznyechik.p7m"),
            (&g512, "-magma-ctr-acpkm", "g512-magma.p7m"),
        ] {
            let document = encrypt(&openssl, &small, &[recipient], cipher, &[], "ber");
            std::fs::copy(&document, documents.join(name)).expect("copy");
        }

        for (_, cipher, _, form, name) in &cases {
            let output = work.path().join(format!("{name}.out"));
            let result = certkeeper(&archive, &passphrase)
                .args(["--json", "decrypt"])
                .arg(documents.join(name))
                .arg("-o")
                .arg(&output)
                .output()
                .expect("decrypt");
            assert!(
                result.status.success(),
                "{name} ({cipher}, {form}): {}",
                String::from_utf8_lossy(&result.stderr)
            );
            assert!(
                std::fs::read(&output).expect("output") == data,
                "{name}: output differs"
            );
            let opened: serde_json::Value = serde_json::from_slice(&result.stdout).expect("JSON");
            if *name == "old-2015.p7m" {
                assert_eq!(opened["subject"], "Петрова 2015");
            }
        }
        for name in ["g256-kuznyechik.p7m", "g512-magma.p7m"] {
            let output = work.path().join(format!("{name}.out"));
            assert!(
                certkeeper(&archive, &passphrase)
                    .arg("decrypt")
                    .arg(documents.join(name))
                    .arg("-o")
                    .arg(&output)
                    .status()
                    .expect("decrypt")
                    .success(),
                "{name}"
            );
            assert!(std::fs::read(&output).expect("output") == small, "{name}");
        }

        // Not in the archive: the message names the recipient by issuer and serial.
        let to_stranger = encrypt(&openssl, &data, &[&stranger], "-gost89", &[], "der");
        let output = work.path().join("stranger.out");
        let result = certkeeper(&archive, &passphrase)
            .arg("decrypt")
            .arg(&to_stranger)
            .arg("-o")
            .arg(&output)
            .output()
            .expect("decrypt");
        assert_eq!(result.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(
            stderr.contains("No archived key opens this document"),
            "{stderr}"
        );
        assert!(stderr.contains("CN=УЦ ГОСТ"), "{stderr}");
        assert!(stderr.contains("serial"), "{stderr}");
        assert!(!output.exists());
        // A token driver that does not load may hide the key: it is named, with the loader's reason.
        let missing_driver = work.path().join("no-such-pkcs11.so");
        let result = certkeeper(&archive, &passphrase)
            .env("CERTKEEPER_LANG", "en")
            .arg("decrypt")
            .arg(&to_stranger)
            .arg("-o")
            .arg(&output)
            .arg("--pkcs11-module")
            .arg(&missing_driver)
            .output()
            .expect("decrypt");
        assert_eq!(result.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(
            stderr.contains(&format!(
                "Token driver {} was not loaded (",
                missing_driver.display()
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains("No archived key opens this document"),
            "{stderr}"
        );
        // Nothing in the archive fits: said without asking the passphrase (none is given here, and
        // there is no terminal to ask at).
        let result = std::process::Command::new(bin::certkeeper())
            .arg("--archive")
            .arg(&archive)
            .arg("decrypt")
            .arg(&to_stranger)
            .arg("-o")
            .arg(&output)
            .env("CERTKEEPER_LANG", "en")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("decrypt");
        assert_eq!(result.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(
            stderr.contains("No archived key opens this document"),
            "{stderr}"
        );
        // Archived without its key: its subject and validity are named too.
        let to_certificate_only =
            encrypt(&openssl, &data, &[&certificate_only], "-gost89", &[], "der");
        let result = certkeeper(&archive, &passphrase)
            .arg("decrypt")
            .arg(&to_certificate_only)
            .arg("-o")
            .arg(&output)
            .output()
            .expect("decrypt");
        assert_eq!(result.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains("Только сертификат"), "{stderr}");
        assert!(stderr.contains("archived without its key"), "{stderr}");
        // A damaged document: an error, and nothing written (no output, no temporary file).
        let gcm_damaged = work.path().join("damaged-gcm.p7m");
        let mut gcm = std::fs::read(encrypt(
            &openssl,
            &data,
            &[&rsa],
            "-aes-256-gcm",
            &[],
            "der",
        ))
        .expect("read");
        let at = gcm.len() / 2;
        gcm[at] ^= 0x01;
        std::fs::write(&gcm_damaged, &gcm).expect("write");
        let out_dir = work.path().join("damaged-out");
        std::fs::create_dir_all(&out_dir).expect("mkdir");
        // A truncated document (a download cut short) too.
        let whole = std::fs::read(documents.join("g256-gost89.p7m")).expect("read");
        let truncated = work.path().join("truncated.p7m");
        std::fs::write(&truncated, &whole[..whole.len() - 5_000]).expect("write");
        for (document, said) in [
            (&gcm_damaged, "changed or damaged"),
            (&truncated, "damaged or incomplete"),
        ] {
            let result = certkeeper(&archive, &passphrase)
                .arg("decrypt")
                .arg(document)
                .arg("-o")
                .arg(out_dir.join("out"))
                .output()
                .expect("decrypt");
            assert_eq!(result.status.code(), Some(1));
            let stderr = String::from_utf8_lossy(&result.stderr);
            assert!(stderr.contains(said), "{stderr}");
            assert_eq!(
                std::fs::read_dir(&out_dir).expect("read").count(),
                0,
                "nothing left behind: {}",
                document.display()
            );
        }

        // The whole folder at once, with a report; the stranger's document is named as not opened.
        std::fs::copy(&to_stranger, documents.join("stranger.p7m")).expect("copy");
        let out = work.path().join("opened");
        let result = certkeeper(&archive, &passphrase)
            .args(["--json", "decrypt", "--batch"])
            .arg(&documents)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("batch");
        assert_eq!(result.status.code(), Some(1), "one document does not open");
        let report: Vec<serde_json::Value> = serde_json::from_slice(&result.stdout).expect("JSON");
        assert_eq!(report.len(), cases.len() + 3);
        let failed: Vec<&serde_json::Value> = report
            .iter()
            .filter(|item| item["opened"] == false)
            .collect();
        assert_eq!(failed.len(), 1, "{report:?}");
        assert!(
            failed[0]["input"]
                .as_str()
                .expect("input")
                .ends_with("stranger.p7m")
        );
        assert!(
            failed[0]["wanted"][0]["recipient"]
                .as_str()
                .expect("recipient")
                .contains("serial")
        );
        assert!(std::fs::read(out.join("rsa-v15-cbc")).expect("opened") == data);
        assert!(std::fs::read(out.join("g2001-gost89")).expect("opened") == data);
        // Run again: what opened before is left as it is.
        let again = certkeeper(&archive, &passphrase)
            .args(["--json", "decrypt", "--batch"])
            .arg(&documents)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("batch");
        let report: Vec<serde_json::Value> = serde_json::from_slice(&again.stdout).expect("JSON");
        assert_eq!(
            report.iter().filter(|item| item["opened"] == true).count(),
            cases.len() + 2
        );
    }
}

/// Every truncation and every one-bit flip of a real document, opened with the right key: an
/// error with a reason, or — where the damage touched nothing the content depends on — exactly the
/// content. A truncated document never yields part of its content, and an authenticated cipher
/// (OMAC, GCM) never yields changed content; only GOST 28147 CFB, which has no integrity check, may
/// yield changed content of the same length.
#[test]
fn every_truncation_and_bit_flip_of_a_document_is_a_typed_error() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("A"));
    let owner = openssl.issue(&ca, "/CN=owner", KeyAlgorithm::Gost2012_256("A"), 30);
    let rsa_ca = openssl.make_ca("RSA CA", KeyAlgorithm::Rsa2048);
    let rsa = openssl.issue(&rsa_ca, "/CN=rsa", KeyAlgorithm::Rsa2048, 30);
    let data = plaintext(700);
    for (recipient, cipher, form) in [
        (&owner, "-gost89", "ber"),
        (&owner, "-kuznyechik-ctr-acpkm-omac", "der"),
        (&rsa, "-aes-128-gcm", "pem"),
    ] {
        let document =
            std::fs::read(encrypt(&openssl, &data, &[recipient], cipher, &[], form)).expect("read");
        let key = pkcs8::from_file(&std::fs::read(&recipient.key).expect("key"), false, b"")
            .expect("key");
        let attempt = |bytes: Vec<u8>| -> Result<Vec<u8>, String> {
            let (_, reader) =
                armor::unwrap(std::io::Cursor::new(bytes)).map_err(|error| error.to_string())?;
            let document = Document::open(reader).map_err(|error| error.to_string())?;
            let recipient = document
                .envelope
                .recipients
                .first()
                .ok_or_else(|| "no recipient".to_owned())?;
            let content_key = recipient
                .unwrap_key(&key)
                .map_err(|error| error.to_string())?;
            let mut out = Vec::new();
            document
                .decrypt_to(&content_key, &mut out, &mut |_| {})
                .map_err(|error| error.to_string())?;
            Ok(out)
        };
        assert_eq!(
            attempt(document.clone()),
            Ok(data.clone()),
            "{cipher} intact"
        );
        let authenticated = cipher != "-gost89";
        let mut refused = 0;
        for cut in 0..document.len() {
            match attempt(document[..cut].to_vec()) {
                Err(reason) => {
                    assert!(!reason.trim().is_empty(), "{cipher} cut at {cut}");
                    refused += 1;
                }
                // Only the PEM armour's last line may go without the content changing.
                Ok(out) => assert!(
                    out == data && form == "pem" && cut + 40 > document.len(),
                    "{cipher} cut at {cut} of {} gave {} bytes",
                    document.len(),
                    out.len()
                ),
            }
        }
        assert!(
            refused + 40 > document.len(),
            "{cipher}: {refused} cuts refused"
        );
        let mut flips_refused = 0;
        for position in 0..document.len() {
            for bit in [0x01, 0x80] {
                let mut flipped = document.clone();
                flipped[position] ^= bit;
                match attempt(flipped) {
                    Err(reason) => {
                        assert!(!reason.trim().is_empty());
                        flips_refused += 1;
                    }
                    Ok(out) if out == data => {}
                    Ok(out) => assert!(
                        !authenticated && out.len() == data.len(),
                        "{cipher}: flipping bit {bit:#x} of byte {position} gave other content \
                         ({} bytes)",
                        out.len()
                    ),
                }
            }
        }
        assert!(flips_refused > 0, "{cipher}: no flip was noticed");
    }
}

#[test]
fn ecdh_p256_recipients_std_and_cofactor_with_every_kdf_hash() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("EC CA", KeyAlgorithm::EcP256);
    let ec = openssl.issue(&ca, "/CN=EC recipient", KeyAlgorithm::EcP256, 30);
    let data = plaintext(33_333);
    for (cipher, options) in [
        ("-aes-256-cbc", &[][..]),
        ("-aes-128-cbc", &["-keyopt", "ecdh_kdf_md:sha256"][..]),
        (
            "-aes-192-cbc",
            &[
                "-keyopt",
                "ecdh_cofactor_mode:1",
                "-keyopt",
                "ecdh_kdf_md:sha384",
            ][..],
        ),
        ("-aes-256-gcm", &["-keyopt", "ecdh_kdf_md:sha512"][..]),
        ("-des-ede3-cbc", &["-keyopt", "ecdh_kdf_md:sha224"][..]),
    ] {
        for form in ["der", "ber"] {
            let document = encrypt(&openssl, &data, &[&ec], cipher, options, form);
            let opened = decrypt(&document, &ec)
                .unwrap_or_else(|error| panic!("{cipher} {options:?} {form}: {error}"));
            assert!(
                opened == data,
                "{cipher} {options:?} {form}: output differs"
            );
        }
    }
}

mod signed_then_encrypted {
    use super::plaintext;
    use certkeeper_tests::support::openssl::{Issued, KeyAlgorithm, OpenSsl};
    use certkeeper_tests::support::{bin, run, temp_dir};

    fn sign(
        openssl: &OpenSsl,
        data: &std::path::Path,
        signer: &Issued,
        extra: &[&str],
    ) -> std::path::PathBuf {
        let out = openssl.path(&format!("signed-{}.der", signer.algorithm.name()));
        run(openssl
            .command()
            .args([
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-outform",
                "DER",
                "-in",
            ])
            .arg(data)
            .arg("-signer")
            .arg(&signer.cert)
            .arg("-inkey")
            .arg(&signer.key)
            .args(extra)
            .arg("-out")
            .arg(&out));
        out
    }

    fn encrypt(
        openssl: &OpenSsl,
        input: &std::path::Path,
        recipient: &Issued,
        cipher: &str,
    ) -> std::path::PathBuf {
        let out = openssl.path(&format!(
            "enc-{}-{}.p7m",
            input
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("x"),
            cipher.trim_start_matches('-')
        ));
        run(openssl
            .command()
            .args([
                "cms", "-encrypt", "-binary", "-stream", "-outform", "DER", cipher, "-in",
            ])
            .arg(input)
            .arg("-out")
            .arg(&out)
            .arg(&recipient.cert));
        out
    }

    #[test]
    fn the_signed_content_comes_out_and_each_signer_is_checked() {
        let openssl = OpenSsl::new();
        let gost_ca = openssl.make_ca("УЦ", KeyAlgorithm::Gost2012_256("A"));
        let rsa_ca = openssl.make_ca("RSA CA", KeyAlgorithm::Rsa2048);
        let ec_ca = openssl.make_ca("EC CA", KeyAlgorithm::EcP256);
        let recipient = openssl.issue(
            &gost_ca,
            "/CN=Получатель",
            KeyAlgorithm::Gost2012_256("A"),
            30,
        );
        let gost_signer = openssl.issue(
            &gost_ca,
            "/CN=Подписант",
            KeyAlgorithm::Gost2012_512("A"),
            30,
        );
        let rsa_signer = openssl.issue(&rsa_ca, "/CN=RSA signer", KeyAlgorithm::Rsa2048, 30);
        let ec_signer = openssl.issue(&ec_ca, "/CN=EC signer", KeyAlgorithm::EcP256, 30);
        let work = temp_dir();
        let drive = work.path().join("drive");
        std::fs::create_dir_all(&drive).expect("mkdir");
        std::fs::copy(&recipient.cert, drive.join("r.pem")).expect("copy");
        std::fs::copy(&recipient.key, drive.join("r.key")).expect("copy");
        // The GOST signer's certificate is archived; its signature carries no certificate.
        std::fs::copy(&gost_signer.cert, drive.join("signer.pem")).expect("copy");
        let archive = work.path().join("archive.db");
        let passphrase = certkeeper_tests::support::secret_file(work.path(), "passphrase", "p");
        let certkeeper = || {
            let mut command = std::process::Command::new(bin::certkeeper());
            command
                .arg("--archive")
                .arg(&archive)
                .arg("--passphrase-file")
                .arg(&passphrase)
                .env("CERTKEEPER_LANG", "en")
                .stdin(std::process::Stdio::null());
            command
        };
        assert!(
            certkeeper()
                .args(["init", "--allow-weak-passphrase"])
                .status()
                .expect("init")
                .success()
        );
        assert!(
            certkeeper()
                .arg("import")
                .arg(&drive)
                .status()
                .expect("import")
                .success()
        );

        let data = plaintext(200_000);
        let input = openssl.path("contract.bin");
        std::fs::write(&input, &data).expect("write");
        let cases = [
            (
                sign(&openssl, &input, &gost_signer, &["-nocerts"]),
                "Подписант",
            ),
            (sign(&openssl, &input, &rsa_signer, &[]), "RSA signer"),
            (
                sign(&openssl, &input, &ec_signer, &["-md", "sha384"]),
                "EC signer",
            ),
        ];
        for (signed, name) in &cases {
            let document = encrypt(&openssl, signed, &recipient, "-gost89");
            let output = work.path().join(format!("{name}.out"));
            let result = certkeeper()
                .args(["--json", "decrypt"])
                .arg(&document)
                .arg("-o")
                .arg(&output)
                .output()
                .expect("decrypt");
            assert!(
                result.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&result.stderr)
            );
            assert!(
                std::fs::read(&output).expect("output") == data,
                "{name}: the signed content"
            );
            let opened: serde_json::Value = serde_json::from_slice(&result.stdout).expect("JSON");
            let signer = &opened["signers"][0];
            assert_eq!(signer["verdict"]["result"], "valid", "{name}: {opened}");
            assert!(
                signer["subject"].as_str().expect("subject").contains(name),
                "{opened}"
            );
            assert!(signer["signing_time"].is_string(), "{opened}");
        }
        // The signed content changed before encryption: the signature does not verify.
        let mut tampered = std::fs::read(&cases[1].0).expect("read");
        let at = tampered.len() / 2;
        tampered[at] ^= 0x01;
        let tampered_path = openssl.path("tampered.der");
        std::fs::write(&tampered_path, &tampered).expect("write");
        let document = encrypt(&openssl, &tampered_path, &recipient, "-gost89");
        let output = work.path().join("tampered.out");
        let result = certkeeper()
            .arg("decrypt")
            .arg(&document)
            .arg("-o")
            .arg(&output)
            .output()
            .expect("decrypt");
        assert!(result.status.success());
        let text = String::from_utf8_lossy(&result.stdout);
        assert!(text.contains("SIGNATURE INVALID"), "{text}");
    }
}

/// EncryptedData (encrypted with a key the parties share, to no certificate): TC26's examples of
/// Р 1323565.1.025-2019 with Magma CTR-ACPKM-OMAC and Kuznyechik CTR-ACPKM. Without the key, what it
/// is and what to do is said (not "not an encrypted document"); with `--content-key-file` it opens
/// to the standard's plaintext. The key file holds the key as the standard prints it (most
/// significant byte first): the MAC-protected document tells that by itself, the other needs
/// `--reverse-key`. A file that is not hexadecimal is said so.
#[test]
fn encrypted_data_opens_with_the_shared_key_given() {
    use certkeeper_tests::support::{bin, secret_file, temp_dir, vectors};
    use sha2::Digest;
    const PLAIN_SHA256: &str = "ca5044960eacfd52852273e50bd684f75c459fc4d328b98df7ecdc9481faa59d";
    let folder = vectors::folder("realworld/cms/tc26-r1323565.1.025-2019");
    let key = folder.join("encryption_key.hex");
    let work = temp_dir();
    let passphrase = secret_file(work.path(), "passphrase", "shared keys\n");
    let archive = work.path().join("archive.db");
    let cli = |lang: &str| {
        let mut command = bin::on_archive(&archive, &passphrase);
        command.env("CERTKEEPER_LANG", lang);
        command
    };
    run(cli("en").args(["init", "--allow-weak-passphrase"]));
    for (name, extra) in [
        ("encrypted_magma_a411.pem", None),
        ("encrypted_kuznyechik_a421.pem", Some("--reverse-key")),
    ] {
        let document = work.path().join(name);
        std::fs::copy(folder.join(name), &document).expect("copy");
        for (lang, said) in [("en", "you share"), ("ru", "общим")] {
            let refused = cli(lang)
                .arg("decrypt")
                .arg(&document)
                .output()
                .expect("run");
            let stderr = String::from_utf8_lossy(&refused.stderr);
            assert!(!refused.status.success(), "{stderr}");
            assert!(
                stderr.contains(said) && stderr.contains("--content-key-file"),
                "{stderr}"
            );
        }
        let out = work.path().join(format!("{name}.txt"));
        let mut command = cli("en");
        command
            .arg("decrypt")
            .arg(&document)
            .arg("-o")
            .arg(&out)
            .arg("--content-key-file")
            .arg(&key);
        command.args(extra);
        let said = String::from_utf8_lossy(&run(&mut command).stdout).into_owned();
        assert!(said.contains("reverse byte order"), "{said}");
        let plain = std::fs::read(&out).expect("opened");
        assert_eq!(
            sha2::Sha256::digest(&plain)
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>(),
            PLAIN_SHA256
        );
    }
    let not_hex = secret_file(work.path(), "not-hex", "not a key\n");
    let refused = cli("en")
        .arg("decrypt")
        .arg(folder.join("encrypted_magma_a411.pem"))
        .arg("-o")
        .arg(work.path().join("never.txt"))
        .arg("--content-key-file")
        .arg(&not_hex)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("does not hold a content key"), "{stderr}");
    assert!(!work.path().join("never.txt").exists());
}

/// `decrypt --key FILE`: a private key the person has at hand opens a document whatever
/// certificate it names, as `openssl cms -decrypt -inkey` does — TK26CMS's examples, whose keys were
/// published without certificates (GOST 28147-89 key transport, 2012-256 and 512), and TC26's
/// Kuznyechik CTR-ACPKM example; a key of no recipient is said so and nothing is written.
#[test]
fn a_key_file_at_hand_opens_a_document_whatever_certificate_it_names() {
    use certkeeper_tests::support::{bin, temp_dir, vectors};
    let tk26 = vectors::folder("realworld/cms/tk26cms-2012");
    let tc26 = vectors::folder("realworld/cms/tc26-r1323565.1.025-2019");
    let mut tc26_plain =
        std::fs::read(tc26.join("plain/text_decrypted.plain")).expect("the plaintext");
    if tc26_plain.last() == Some(&b'\n') {
        tc26_plain.pop();
    }
    let work = temp_dir();
    let cases: [(std::path::PathBuf, std::path::PathBuf, Vec<u8>); 3] = [
        (
            tk26.join("enveloped_KTRI_256.der"),
            tk26.join("recipient256_key.pem"),
            b"Test data to encrypt.\n".repeat(100),
        ),
        (
            tk26.join("enveloped_KTRI_512.der"),
            tk26.join("recipient512_key.pem"),
            b"Test message".to_vec(),
        ),
        (
            tc26.join("encrypted_keytrans_a231.pem"),
            tc26.join("recipient256_key.pem"),
            tc26_plain,
        ),
    ];
    for (index, (document, key, expected)) in cases.iter().enumerate() {
        let out = work.path().join(format!("opened-{index}"));
        let said = run(std::process::Command::new(bin::certkeeper())
            .env("CERTKEEPER_LANG", "en")
            .arg("decrypt")
            .arg(document)
            .arg("-o")
            .arg(&out)
            .arg("--key")
            .arg(key));
        let said = String::from_utf8_lossy(&said.stdout);
        assert!(said.contains("with the key in"), "{said}");
        assert_eq!(
            &std::fs::read(&out).expect("opened"),
            expected,
            "{document:?}"
        );
    }
    let never = work.path().join("never");
    let refused = std::process::Command::new(bin::certkeeper())
        .env("CERTKEEPER_LANG", "ru")
        .arg("decrypt")
        .arg(tk26.join("enveloped_KTRI_512.der"))
        .arg("-o")
        .arg(&never)
        .arg("--key")
        .arg(tk26.join("recipient256_key.pem"))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("не подходит ни одному получателю"),
        "{stderr}"
    );
    assert!(!never.exists());
}

/// Keys archived without a certificate (TK26CMS's keys were published as bare PKCS#8 files, and its
/// documents name their recipient by issuer and serial only): imported, they open the documents no
/// archived certificate names, and the result says which key it was.
#[test]
fn keys_archived_without_a_certificate_open_documents_no_certificate_names() {
    use certkeeper_tests::support::{bin, vectors};
    let tk26 = vectors::folder("realworld/cms/tk26cms-2012");
    let scratch = bin::ScratchArchive::new("loose keys");
    let work = &scratch.work;
    let cli = || scratch.cli();
    run(cli()
        .arg("import")
        .arg(tk26.join("recipient256_key.pem"))
        .arg(tk26.join("recipient512_key.pem")));
    for (document, expected) in [
        (
            "enveloped_KTRI_256.der",
            b"Test data to encrypt.\n".repeat(100),
        ),
        ("enveloped_KTRI_512.der", b"Test message".to_vec()),
        // Key agreement with a GOST 28147-89 key wrap and an 8-byte UKM (OpenSSL gives wrong bytes).
        ("enveloped_KARI_256.der", b"Test message".to_vec()),
        ("enveloped_KARI_512.der", b"Test message".to_vec()),
    ] {
        let out = work.path().join(format!("{document}.txt"));
        let said = run(cli()
            .arg("decrypt")
            .arg(tk26.join(document))
            .arg("-o")
            .arg(&out));
        let said = String::from_utf8_lossy(&said.stdout);
        assert!(
            said.contains("archived key without a certificate"),
            "{said}"
        );
        assert_eq!(std::fs::read(&out).expect("opened"), expected, "{document}");
    }
}

/// An archive holding TC26's recipient certificates and keys (256 and 512), and TC26's folder.
fn tc26_recipients_archived() -> (
    certkeeper_tests::support::bin::ScratchArchive,
    std::path::PathBuf,
) {
    use certkeeper_tests::support::{bin, vectors};
    let tc26 = vectors::folder("realworld/cms/tc26-r1323565.1.025-2019");
    let scratch = bin::ScratchArchive::new("tc26 examples");
    let mut import = scratch.cli();
    import.arg("import");
    for name in [
        "recipient256_cert.pem",
        "recipient256_key.pem",
        "recipient512_cert.pem",
        "recipient512_key.pem",
    ] {
        import.arg(tc26.join(name));
    }
    run(&mut import);
    (scratch, tc26)
}

/// TC26's key-transport examples of Р 1323565.1.025-2019 through the archive path: the recipient
/// certificates and keys imported, then each document opened by `decrypt` with the archived key —
/// Kuznyechik CTR-ACPKM (256-bit key), Magma CTR-ACPKM-OMAC (512-bit key), and pygost's differently
/// encoded copy of the latter — to the published plaintext (SHA-256 `e1d5279e…`, the plain file
/// without its final LF).
#[test]
fn tc26_key_transport_examples_open_through_the_archive() {
    use sha2::Digest;
    let (scratch, tc26) = tc26_recipients_archived();
    let work = &scratch.work;
    let cli = || scratch.cli();
    for (document, recipient) in [
        ("encrypted_keytrans_a231.pem", "256-bit"),
        ("encrypted_keytrans_a241.pem", "512-bit"),
        ("pygost_ktri_512_variant.der", "512-bit"),
    ] {
        let out = work.path().join(format!("{document}.txt"));
        let said = run(cli()
            .arg("decrypt")
            .arg(tc26.join(document))
            .arg("-o")
            .arg(&out));
        let said = String::from_utf8_lossy(&said.stdout);
        assert!(said.contains(recipient), "{said}");
        let plain = std::fs::read(&out).expect("opened");
        assert_eq!(
            sha2::Sha256::digest(&plain)
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>(),
            "e1d5279e946c7756da1e26d2d539d1bcf25d7c59e6683e7d1b3b42b2c61ad7ea",
            "{document}"
        );
    }
}

/// The CryptoPro-made documents of CryptoARM's tests (KTRI, GOST 2012-256, GOST 28147-89) open
/// through the archive with the keys of CryptoPro CSP's own PFX exports (password `1`): each key
/// imported from its PFX, each document decrypted to the published plaintext (987 bytes, SHA-256
/// `f7054641…`).
#[test]
fn cryptopro_made_documents_open_with_keys_from_cryptopro_s_own_pfx() {
    use certkeeper_tests::support::{bin, secret_file, vectors};
    let ku = vectors::folder("realworld/cms/cryptoarm-cryptopro-ktri");
    let scratch = bin::ScratchArchive::new("cryptopro documents");
    let work = &scratch.work;
    let cli = || scratch.cli();
    let password = secret_file(work.path(), "pfx-password", "1\n");
    let kinds = [
        "digitalSignature-keyEncipherment",
        "digitalSignature",
        "keyEncipherment",
        "none",
    ];
    let mut import = cli();
    import.arg("import").arg("--password-file").arg(&password);
    for kind in kinds {
        import.arg(ku.join(format!("KU-{kind}.pfx")));
    }
    run(&mut import);
    let expected = std::fs::read(ku.join("expected-plaintext.bin")).expect("the plaintext");
    for kind in kinds {
        let out = work.path().join(format!("{kind}.txt"));
        let said = run(cli()
            .arg("decrypt")
            .arg(ku.join(format!("KU-{kind}.txt.enc")))
            .arg("-o")
            .arg(&out));
        let said = String::from_utf8_lossy(&said.stdout);
        assert!(
            said.contains(&format!("«KU - {}»", kind.replace('-', " - "))),
            "{said}"
        );
        assert_eq!(std::fs::read(&out).expect("opened"), expected, "{kind}");
    }
}

/// TC26's key-agreement examples of Р 1323565.1.025-2019 (KExp15): a211 carries an ephemeral
/// originator key (Kuznyechik, 512-bit keys), a221 names the sender's static key by its certificate
/// (Magma, 256-bit keys), which is not in the document. Through the archive: a221 is refused with
/// what to do until the sender's certificate is imported, then opens; with `--key`, the sender's
/// certificate is given by `--originator`.
#[test]
fn tc26_key_agreement_examples_open_with_an_ephemeral_or_the_sender_s_static_key() {
    use certkeeper_tests::support::bin;
    use sha2::Digest;
    const PLAIN: &str = "e1d5279e946c7756da1e26d2d539d1bcf25d7c59e6683e7d1b3b42b2c61ad7ea";
    let sha256 = |path: &std::path::Path| -> String {
        sha2::Sha256::digest(std::fs::read(path).expect("opened"))
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    };
    let (scratch, tc26) = tc26_recipients_archived();
    let work = &scratch.work;
    let cli = || scratch.cli();
    let a211 = work.path().join("a211.txt");
    run(cli()
        .arg("decrypt")
        .arg(tc26.join("encrypted_keyagree_a211.pem"))
        .arg("-o")
        .arg(&a211));
    assert_eq!(sha256(&a211), PLAIN);
    let a221 = work.path().join("a221.txt");
    let refused = cli()
        .arg("decrypt")
        .arg(tc26.join("encrypted_keyagree_a221.pem"))
        .arg("-o")
        .arg(&a221)
        .output()
        .expect("run");
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("sender's own key"), "{said}");
    assert!(said.contains("serial 018CBA82"), "{said}");
    assert!(!a221.exists());
    run(cli().arg("import").arg(tc26.join("sender256_cert.pem")));
    run(cli()
        .arg("decrypt")
        .arg(tc26.join("encrypted_keyagree_a221.pem"))
        .arg("-o")
        .arg(&a221));
    assert_eq!(sha256(&a221), PLAIN);
    // A key at hand, no archive: the sender's certificate given on the command line.
    let given = work.path().join("a221-given.txt");
    run(std::process::Command::new(bin::certkeeper())
        .env("CERTKEEPER_LANG", "en")
        .arg("decrypt")
        .arg(tc26.join("encrypted_keyagree_a221.pem"))
        .arg("--key")
        .arg(tc26.join("recipient256_key.pem"))
        .arg("--originator")
        .arg(tc26.join("sender256_cert.pem"))
        .arg("-o")
        .arg(&given));
    assert_eq!(sha256(&given), PLAIN);
    // The sender's certificate inside the document (originatorInfo), as a sender may put it: the
    // key alone opens it.
    let openssl = certkeeper_tests::support::openssl::OpenSsl::new();
    let der = work.path().join("a221.der");
    run(openssl
        .command()
        .args(["cms", "-cmsout", "-inform", "PEM", "-outform", "DER", "-in"])
        .arg(tc26.join("encrypted_keyagree_a221.pem"))
        .arg("-out")
        .arg(&der));
    let sender = openssl.der(&tc26.join("sender256_cert.pem"));
    let with_sender = work.path().join("a221-with-sender.der");
    std::fs::write(
        &with_sender,
        with_originator_info(&std::fs::read(&der).expect("DER"), &sender),
    )
    .expect("write");
    let opened = work.path().join("a221-with-sender.txt");
    run(std::process::Command::new(bin::certkeeper())
        .env("CERTKEEPER_LANG", "en")
        .arg("decrypt")
        .arg(&with_sender)
        .arg("--key")
        .arg(tc26.join("recipient256_key.pem"))
        .arg("-o")
        .arg(&opened));
    assert_eq!(sha256(&opened), PLAIN);
}

/// An EnvelopedData (DER ContentInfo) with `certificate` put into its originatorInfo.
fn with_originator_info(document: &[u8], certificate: &[u8]) -> Vec<u8> {
    use certkeeper_core::formats::der::{Reader, write};
    let content_info = Reader::new(document).required("ContentInfo").expect("DER");
    let mut fields = content_info.children();
    let content_type = fields.required("contentType").expect("type");
    let explicit = fields.required("content").expect("content");
    let enveloped = explicit
        .children()
        .required("EnvelopedData")
        .expect("EnvelopedData");
    let mut parts = enveloped.children();
    let version = parts.required("version").expect("version");
    let mut rest = Vec::new();
    while let Some(part) = parts.next_tlv("part").expect("part") {
        rest.extend_from_slice(part.raw);
    }
    let originator_info = write::tlv(0xa0, &write::tlv(0xa0, certificate));
    let enveloped = write::sequence(&[version.raw, &originator_info, &rest]);
    write::sequence(&[content_type.raw, &write::explicit(0, &enveloped)])
}

/// Documents OpenSSL's GOST engine 3.0.x encrypts with Kuznyechik or Magma CTR-ACPKM (64 KiB, far past
/// the first section, where that engine departs from the standard: docs/gost-acpkm-openssl.md). With
/// OMAC (EnvelopedData to a TC26 certificate), the standard's key stream fails the MAC and the
/// engine's is tried by itself: the content comes out whole and that is said. Without OMAC
/// (EncryptedData with a shared key) nothing can tell: the standard's key stream gives other bytes
/// past the first section, and `--openssl-acpkm` opens it whole.
#[test]
fn ctr_acpkm_documents_of_openssl_s_gost_engine_3_0_open_whole() {
    use certkeeper_tests::support::{bin, secret_file, temp_dir, vectors};
    let tc26 = vectors::folder("realworld/cms/tc26-r1323565.1.025-2019");
    let openssl = OpenSsl::new();
    let work = temp_dir();
    let data = plaintext(64 * 1024);
    let input = work.path().join("plain.bin");
    std::fs::write(&input, &data).expect("write");
    let certkeeper = || {
        let mut command = std::process::Command::new(bin::certkeeper());
        command.env("CERTKEEPER_LANG", "en");
        command
    };
    for cipher in ["kuznyechik-ctr-acpkm-omac", "magma-ctr-acpkm-omac"] {
        let document = work.path().join(format!("{cipher}.p7m"));
        run(openssl
            .command()
            .args(["cms", "-encrypt", "-binary", &format!("-{cipher}")])
            .args(["-outform", "DER", "-in"])
            .arg(&input)
            .arg("-out")
            .arg(&document)
            .arg(tc26.join("recipient256_cert.pem")));
        let out = work.path().join(format!("{cipher}.out"));
        let said = run(certkeeper()
            .arg("decrypt")
            .arg(&document)
            .arg("--key")
            .arg(tc26.join("recipient256_key.pem"))
            .arg("-o")
            .arg(&out));
        let said = String::from_utf8_lossy(&said.stdout);
        assert!(
            said.contains("OpenSSL's GOST engine 3.0.x"),
            "{cipher}: {said}"
        );
        assert!(std::fs::read(&out).expect("opened") == data, "{cipher}");
    }
    const KEY: &str = "8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef";
    let key_file = secret_file(work.path(), "content-key", &format!("{KEY}\n"));
    for (cipher, section) in [("kuznyechik-ctr-acpkm", 4096), ("magma-ctr-acpkm", 1024)] {
        let document = work.path().join(format!("{cipher}.der"));
        run(openssl
            .command()
            .args([
                "cms",
                "-EncryptedData_encrypt",
                "-binary",
                &format!("-{cipher}"),
            ])
            .args(["-secretkey", KEY, "-outform", "DER", "-in"])
            .arg(&input)
            .arg("-out")
            .arg(&document));
        let standard = work.path().join(format!("{cipher}.standard"));
        let said = run(certkeeper()
            .arg("decrypt")
            .arg(&document)
            .arg("--content-key-file")
            .arg(&key_file)
            .arg("-o")
            .arg(&standard));
        assert!(!String::from_utf8_lossy(&said.stdout).contains("OpenSSL's GOST engine"));
        let standard = std::fs::read(&standard).expect("opened");
        assert!(
            standard[..section] == data[..section],
            "{cipher}: first section"
        );
        assert!(
            standard[section..] != data[section..],
            "{cipher}: departs after it"
        );
        let asked = work.path().join(format!("{cipher}.engine"));
        let said = run(certkeeper()
            .arg("decrypt")
            .arg(&document)
            .arg("--content-key-file")
            .arg(&key_file)
            .arg("--openssl-acpkm")
            .arg("-o")
            .arg(&asked));
        assert!(String::from_utf8_lossy(&said.stdout).contains("OpenSSL's GOST engine 3.0.x"));
        assert!(std::fs::read(&asked).expect("opened") == data, "{cipher}");
    }
}

/// Signed and digested documents, not encrypted (TC26's SignedData and DigestedData examples of
/// Р 1323565.1.025-2019, TK26's CMS examples): `decrypt` writes their content, checks each
/// signature (TC26's carry the signer's certificate; TK26's do not, so theirs is "not checked") and
/// the digest; a changed byte of a digested content writes nothing, and of a signed one is told.
#[test]
fn signed_and_digested_examples_give_their_content_checked() {
    use certkeeper_tests::support::{bin, vectors};
    use sha2::Digest;
    /// CP1251 (ASCII and А–я) as text.
    fn cp1251(bytes: &[u8]) -> String {
        bytes
            .iter()
            .map(|&byte| match byte {
                0xc0..=0xff => char::from_u32(0x410 + u32::from(byte - 0xc0)).unwrap_or('?'),
                _ => char::from(byte),
            })
            .collect()
    }
    let tc26 = vectors::folder("realworld/cms/tc26-r1323565.1.025-2019");
    let tk26 = vectors::folder("realworld/signed");
    let scratch = bin::ScratchArchive::new("signed");
    let work = &scratch.work;
    let cli = || scratch.cli();
    let open = |document: &std::path::Path| -> (String, Vec<u8>) {
        let out = work.path().join(format!(
            "{}.out",
            document
                .file_name()
                .and_then(|name| name.to_str())
                .expect("name")
        ));
        let said = run(cli().arg("decrypt").arg(document).arg("-o").arg(&out));
        (
            String::from_utf8_lossy(&said.stdout).into_owned(),
            std::fs::read(&out).expect("written"),
        )
    };
    for name in ["signed_a111.pem", "signed_a121.pem"] {
        let (said, content) = open(&tc26.join(name));
        assert!(said.contains("not encrypted: signed"), "{said}");
        assert!(said.contains("ORIGINATOR: GOST 34.10-12"), "{said}");
        assert!(said.contains("signature valid"), "{said}");
        assert_eq!(
            cp1251(&content),
            "Контрольный пример для структуры SignedData."
        );
        let sha = sha2::Sha256::digest(&content);
        assert_eq!(&sha[..4], [0x43, 0x94, 0x7d, 0x4a]);
    }
    for (name, digest) in [
        ("hashed_a311.pem", "GOST R 34.11-2012 256"),
        ("hashed_a321.pem", "GOST R 34.11-2012 512"),
    ] {
        let (said, content) = open(&tc26.join(name));
        assert!(said.contains(&format!("its digest {digest}")), "{said}");
        assert_eq!(
            cp1251(&content),
            "Контрольный пример для структуры DigestData."
        );
    }
    for name in ["tk26cms_signed_256.der", "tk26cms_signed_512.der"] {
        let (said, content) = open(&tk26.join(name));
        assert!(said.contains("signature not checked"), "{said}");
        assert_eq!(content, b"Test message");
    }
    // The digested examples hold GOST R 34.11-2012's own messages (M1 and M2 of the standard).
    let (_, m2) = open(&tk26.join("tk26cms_digested_256.der"));
    assert!(
        cp1251(&m2).starts_with("Се ветри, Стрибожи внуци"),
        "{}",
        cp1251(&m2)
    );
    let (_, m1) = open(&tk26.join("tk26cms_digested_512.der"));
    assert!(m1.starts_with(b"012345678901234567890123456789"));
    // A changed content: a digest that does not match writes nothing; a signature is told invalid.
    let changed = |source: &std::path::Path, name: &str, from: &[u8]| -> std::path::PathBuf {
        let mut bytes = std::fs::read(source).expect("read");
        let at = bytes
            .windows(from.len())
            .position(|window| window == from)
            .expect("the content inside");
        bytes[at] ^= 0x01;
        let path = work.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    };
    let digested = changed(
        &tk26.join("tk26cms_digested_512.der"),
        "changed-digested.der",
        b"0123",
    );
    let out = work.path().join("changed-digested.out");
    let refused = cli()
        .arg("decrypt")
        .arg(&digested)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("run");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("digest does not match"));
    assert!(!out.exists());
    let openssl = OpenSsl::new();
    let a121 = work.path().join("signed_a121.der");
    run(openssl
        .command()
        .args(["cms", "-cmsout", "-inform", "PEM", "-outform", "DER", "-in"])
        .arg(tc26.join("signed_a121.pem"))
        .arg("-out")
        .arg(&a121));
    // «Контр» in CP1251.
    let signed = changed(&a121, "changed-signed.der", &[0xca, 0xee, 0xed, 0xf2, 0xf0]);
    let (said, _) = open(&signed);
    assert!(said.contains("SIGNATURE INVALID"), "{said}");
}

/// One document and a batch take the same option for where to write (`--out`, also `-o` and
/// `--output`): a document's content goes exactly there, never beside the document, and a file
/// already there is refused with advice that names that option.
#[test]
fn one_document_and_a_batch_are_written_where_out_says() {
    use certkeeper_tests::support::bin::ScratchArchive;
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Rsa2048);
    let rsa = openssl.issue(&ca, "/CN=Out recipient", KeyAlgorithm::Rsa2048, 30);
    let scratch = ScratchArchive::new("out-option passphrase 1");
    let work = scratch.work.path();
    run(scratch.cli().arg("import").arg(&rsa.cert).arg(&rsa.key));
    let data = plaintext(5_000);
    let document = work.join("letter.p7m");
    std::fs::copy(
        encrypt(&openssl, &data, &[&rsa], "-aes-256-cbc", &[], "der"),
        &document,
    )
    .expect("copy the document");
    for (option, name) in [("--out", "a.txt"), ("--output", "b.txt"), ("-o", "c.txt")] {
        let target = work.join(name);
        run(scratch
            .cli()
            .arg("decrypt")
            .arg(&document)
            .arg(option)
            .arg(&target));
        assert!(std::fs::read(&target).expect(option) == data, "{option}");
    }
    assert!(!work.join("letter").exists(), "nothing beside the document");
    let again = scratch
        .cli()
        .arg("decrypt")
        .arg(&document)
        .arg("--out")
        .arg(work.join("a.txt"))
        .output()
        .expect("decrypt");
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        !again.status.success() && said.contains("already exists") && said.contains("--out"),
        "{said}"
    );
    let batch = work.join("batch");
    std::fs::create_dir(&batch).expect("a folder");
    std::fs::copy(&document, batch.join("letter.p7m")).expect("copy");
    let opened = work.join("opened");
    run(scratch
        .cli()
        .args(["decrypt", "--batch"])
        .arg(&batch)
        .arg("--out")
        .arg(&opened));
    assert!(std::fs::read(opened.join("letter")).expect("opened") == data);
}
