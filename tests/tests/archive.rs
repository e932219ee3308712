//! The encrypted archive with real certificates made by OpenSSL.

use certkeeper_core::cert::Certificate;
use certkeeper_storage::certificates::Imported;
use certkeeper_storage::{Archive, ArchiveLocation, KdfParams};
use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl};
use certkeeper_tests::support::{run, temp_dir};
use secrecy::SecretString;

const FAST: KdfParams = KdfParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

fn certificate(
    openssl: &OpenSsl,
    ca: &certkeeper_tests::support::openssl::Issued,
    subject: &str,
) -> Certificate {
    let issued = openssl.issue(ca, subject, KeyAlgorithm::Gost2012_256("TCA"), 365);
    let der = run(openssl
        .command()
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&issued.cert))
    .stdout;
    Certificate::from_der(&der).expect("certificate")
}

#[test]
fn certificates_are_archived_once_found_by_their_fields_and_never_deleted() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("УЦ", KeyAlgorithm::Gost2012_256("TCA"));
    let ivanov = certificate(
        &openssl,
        &ca,
        "/CN=Иванов Иван/SNILS=12345678901/INN=770123456789",
    );
    let romashka = certificate(
        &openssl,
        &ca,
        "/CN=ООО Ромашка/O=ООО Ромашка/INNLE=7701234567/OGRN=1027700132195",
    );

    let dir = temp_dir();
    let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
    let mut archive =
        Archive::create(&location, &SecretString::from("p".to_owned()), FAST).expect("create");
    let first = archive
        .import_certificates(&[ivanov.clone(), romashka.clone()], "/media/usb")
        .expect("import");
    assert_eq!(first, [Imported::Added, Imported::Added]);
    let again = archive
        .import_certificates(std::slice::from_ref(&ivanov), "/media/usb2")
        .expect("import");
    assert_eq!(again, [Imported::AlreadyThere]);

    assert_eq!(
        archive.list_certificates(None, None).expect("list").len(),
        2
    );
    for (search, expected) in [
        ("иванов", "Иванов Иван"),
        // Upper case, and shorter than the trigram index's three letters.
        ("ИВАНОВ ИВ", "Иванов Иван"),
        ("ов и", "Иванов Иван"),
        ("ма", "ООО Ромашка"),
        ("12345678901", "Иванов Иван"),
        ("770123456789", "Иванов Иван"),
        ("7701234567", "ООО Ромашка"),
        ("1027700132195", "ООО Ромашка"),
        (
            romashka.sha1_thumbprint.to_lowercase().as_str(),
            "ООО Ромашка",
        ),
        (ivanov.serial.as_str(), "Иванов Иван"),
    ] {
        let found = archive
            .list_certificates(Some(search), None)
            .expect("search");
        assert_eq!(found.len(), 1, "{search}");
        assert_eq!(found[0].subject_name, expected, "{search}");
    }
    assert!(
        archive
            .list_certificates(Some("Петров"), None)
            .expect("search")
            .is_empty()
    );
    drop(archive);

    // Nothing archived is deleted, and the audit log cannot be rewritten, even with raw SQL.
    let raw = rusqlite::Connection::open(location.path()).expect("raw");
    assert!(raw.execute("DELETE FROM certificates", []).is_err());
    assert!(raw.execute("UPDATE audit SET action = 'x'", []).is_err());
    assert!(raw.execute("DELETE FROM audit", []).is_err());
    let entries: i64 = raw
        .query_row("SELECT count(*) FROM audit", [], |row| row.get(0))
        .expect("count");
    assert_eq!(entries, 2);
}

#[test]
fn verify_finds_a_tampered_certificate_and_a_broken_audit_chain() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("TCA"));
    let one = certificate(&openssl, &ca, "/CN=Первый");
    let two = certificate(&openssl, &ca, "/CN=Второй");
    let dir = temp_dir();
    let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
    let mut archive =
        Archive::create(&location, &SecretString::from("p".to_owned()), FAST).expect("create");
    archive
        .import_certificates(&[one, two], "/drive")
        .expect("import");
    let sound = archive.verify().expect("verify");
    assert!(sound.is_sound(), "{sound:?}");
    assert_eq!(sound.audit_entries, 2);
    drop(archive);

    // Someone edits a certificate's bytes with raw SQL.
    let raw = rusqlite::Connection::open(location.path()).expect("raw");
    let der: Vec<u8> = raw
        .query_row("SELECT der FROM certificates WHERE id = 2", [], |row| {
            row.get(0)
        })
        .expect("der");
    let mut tampered = der.clone();
    tampered[100] ^= 0x01;
    raw.execute("UPDATE certificates SET der = ?1 WHERE id = 2", [tampered])
        .expect("tamper");
    // And removes the audit triggers to rewrite history.
    raw.execute_batch(
        "DROP TRIGGER audit_no_update; UPDATE audit SET subject = 'forged' WHERE id = 1;",
    )
    .expect("forge");
    drop(raw);
    let archive = Archive::open(&location, &SecretString::from("p".to_owned())).expect("open");
    let report = archive.verify().expect("verify");
    assert!(!report.is_sound());
    assert_eq!(report.damaged_certificates, [2]);
    assert_eq!(report.audit_broken_at, Some(1));
}
