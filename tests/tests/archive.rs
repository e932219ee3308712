//! The encrypted archive with real certificates made by OpenSSL.

use certkeeper_core::cert::Certificate;
use certkeeper_core::formats::pkcs8;
use certkeeper_storage::certificates::{FileImport, Imported};
use certkeeper_storage::keys::{KeyImport, KeyImported, KeyKind, UnlockedKey};
use certkeeper_storage::{Archive, ArchiveLocation, KdfParams};
use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl};
use certkeeper_tests::support::temp_dir;
use secrecy::{ExposeSecret, SecretString};

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
    der_of(
        openssl,
        &openssl.issue(ca, subject, KeyAlgorithm::Gost2012_256("TCA"), 365),
    )
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
    // The issuer's name finds everything it issued; attribute labels are not searched.
    assert_eq!(
        archive
            .list_certificates(Some("уц"), None)
            .expect("search")
            .len(),
        2
    );
    assert!(
        archive
            .list_certificates(Some("cn="), None)
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

/// The SHA-256 chain link certkeeper writes: what someone who edits the log recomputes.
fn audit_hash(previous: &[u8], at: i64, action: &str, subject: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::new()
        .chain_update(previous)
        .chain_update(at.to_be_bytes())
        .chain_update(action.as_bytes())
        .chain_update([0])
        .chain_update(subject.as_bytes())
        .finalize()
        .to_vec()
}

/// A copy of the archive file at `original`, edited by `edit` with raw SQL (triggers dropped, as an
/// attacker with the file would).
fn edited(
    original: &std::path::Path,
    name: &str,
    edit: impl FnOnce(&rusqlite::Connection),
) -> ArchiveLocation {
    let path = original.with_file_name(name);
    std::fs::copy(original, &path).expect("copy");
    let raw = rusqlite::Connection::open(&path).expect("raw");
    raw.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .expect("drop triggers");
    edit(&raw);
    drop(raw);
    ArchiveLocation::explicit(path)
}

#[test]
fn verify_finds_deliberate_edits_that_keep_every_hash_consistent() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("TCA"));
    let one = certificate(&openssl, &ca, "/CN=Первый");
    let two = certificate(&openssl, &ca, "/CN=Второй");
    let stranger = certificate(&openssl, &ca, "/CN=Чужой");
    let dir = temp_dir();
    let passphrase = SecretString::from("p".to_owned());
    let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
    let mut archive = Archive::create(&location, &passphrase, FAST).expect("create");
    archive
        .import_certificates(&[one.clone(), two], "/drive")
        .expect("import");
    drop(archive);
    // The reminder service writes without the key: its entry follows the keyed seal.
    certkeeper_storage::reminders::ReminderStore::open(&location)
        .expect("reminders")
        .mute(&one.sha1_thumbprint, true)
        .expect("mute");
    let archive = Archive::open(&location, &passphrase).expect("open");
    let sound = archive.verify().expect("verify");
    assert!(sound.is_sound() && sound.bound, "{sound:?}");
    assert_eq!((sound.audit_entries, sound.audit_unsealed), (3, 1));
    drop(archive);
    // Another archive, with its own key, holds a certificate the attacker wants in.
    let other = ArchiveLocation::explicit(dir.path().join("other.db"));
    let mut archive = Archive::create(&other, &passphrase, FAST).expect("create");
    archive
        .import_certificates(&[stranger], "/elsewhere")
        .expect("import");
    drop(archive);

    let verify = |location: &ArchiveLocation| {
        Archive::open(location, &passphrase)
            .expect("open")
            .verify()
            .expect("verify")
    };
    // 1. The whole chain rewritten with every SHA-256 recomputed.
    let rewritten = edited(location.path(), "rewritten.db", |raw| {
        let entries: Vec<(i64, i64, String, String)> = raw
            .prepare("SELECT id, at, action, subject FROM audit ORDER BY id")
            .expect("read")
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .expect("read")
            .collect::<Result<_, _>>()
            .expect("read");
        let mut previous = vec![0u8; 32];
        for (id, at, action, subject) in entries {
            let subject = if id == 1 {
                "forged".to_owned()
            } else {
                subject
            };
            let hash = audit_hash(&previous, at, &action, &subject);
            raw.execute(
                "UPDATE audit SET subject = ?1, previous_hash = ?2, hash = ?3 WHERE id = ?4",
                rusqlite::params![subject, previous, hash, id],
            )
            .expect("rewrite");
            previous = hash;
        }
    });
    let report = verify(&rewritten);
    assert!(!report.is_sound());
    assert_eq!(report.audit_broken_at, Some(2), "{report:?}");
    // 2. The last entries deleted, back behind the seal.
    let cut = edited(location.path(), "cut.db", |raw| {
        raw.execute("DELETE FROM audit WHERE id >= 2", [])
            .expect("cut");
    });
    let report = verify(&cut);
    assert!(!report.is_sound());
    assert_eq!(report.audit_broken_at, Some(2), "{report:?}");
    // Only what was written without the key can go unseen: the service's entry after the seal.
    let unsealed_cut = edited(location.path(), "unsealed-cut.db", |raw| {
        raw.execute("DELETE FROM audit WHERE id = 3", [])
            .expect("cut");
    });
    let report = verify(&unsealed_cut);
    assert!(
        report.is_sound() && report.audit_unsealed == 0,
        "{report:?}"
    );
    // 3. The seal itself taken away.
    let unsealed = edited(location.path(), "unsealed.db", |raw| {
        raw.execute("DELETE FROM audit_seal", []).expect("unseal");
    });
    assert!(!verify(&unsealed).is_sound());
    // 4. A name and an expiry date changed in the table, the DER left alone.
    let renamed = edited(location.path(), "renamed.db", |raw| {
        raw.execute(
            "UPDATE certificates SET subject_name = 'Директор', not_after = not_after + 315360000
             WHERE id = 1",
            [],
        )
        .expect("edit");
    });
    let report = verify(&renamed);
    assert!(!report.is_sound());
    assert_eq!(report.changed_certificates, [1], "{report:?}");
    assert!(report.damaged_certificates.is_empty());
    // 5. Another certificate's whole row (DER, SHA-256, every column, its own archive's tag) put in
    //    place of certificate 2.
    let replaced = edited(location.path(), "replaced.db", |raw| {
        raw.execute(
            "ATTACH DATABASE ?1 AS other",
            [other.path().to_str().expect("utf-8")],
        )
        .expect("attach");
        raw.execute(
            "UPDATE certificates SET (sha256, sha1, der, subject, subject_name, issuer, serial,
                 not_before, not_after, private_key_not_after, key_algorithm, search_text, inn,
                 innle, ogrn, ogrnip, snils, public_key, owner, subject_key_id, is_ca, tag) =
             (SELECT sha256, sha1, der, subject, subject_name, issuer, serial, not_before,
                 not_after, private_key_not_after, key_algorithm, search_text, inn, innle, ogrn,
                 ogrnip, snils, public_key, owner, subject_key_id, is_ca, tag
              FROM other.certificates WHERE id = 1)
             WHERE id = 2",
            [],
        )
        .expect("replace");
    });
    let report = verify(&replaced);
    assert!(!report.is_sound());
    assert_eq!(report.changed_certificates, [2], "{report:?}");
    assert!(report.damaged_certificates.is_empty());
    // A backup edited so is not restored.
    let error = certkeeper_storage::maintenance::restore(&location, rewritten.path(), &passphrase)
        .expect_err("refused");
    assert!(
        error.to_string().contains("does not pass verify"),
        "{error}"
    );
    assert!(verify(&location).is_sound());
}

/// A PKCS#8 key file made by OpenSSL, as import hands it to the archive.
fn key_of(issued: &certkeeper_tests::support::openssl::Issued) -> (Vec<u8>, UnlockedKey) {
    let bytes = std::fs::read(&issued.key).expect("key file");
    let info = pkcs8::from_file(&bytes, false, b"").expect("key");
    let public = info.public_key_material().expect("public key");
    let key = UnlockedKey {
        algorithm: pkcs8::algorithm_name(&info.algorithm_oid),
        public_key: public.id(),
        private_key_info: info.der.clone(),
    };
    (bytes, key)
}

fn der_of(openssl: &OpenSsl, issued: &certkeeper_tests::support::openssl::Issued) -> Certificate {
    let der = openssl.der(&issued.cert);
    Certificate::from_der(&der).expect("certificate")
}

#[test]
fn keys_are_sealed_linked_to_their_certificates_and_a_moved_or_flipped_blob_is_named() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("TCA"));
    let gost = openssl.issue(&ca, "/CN=Петров", KeyAlgorithm::Gost2012_512("A"), 30);
    let rsa = openssl.issue(&ca, "/CN=Petrov RSA", KeyAlgorithm::Rsa2048, 30);
    let (gost_file, gost_key) = key_of(&gost);
    let (rsa_file, rsa_key) = key_of(&rsa);
    let gost_cert = der_of(&openssl, &gost);
    let rsa_cert = der_of(&openssl, &rsa);

    let dir = temp_dir();
    let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
    let passphrase = SecretString::from("p".to_owned());
    let mut archive = Archive::create(&location, &passphrase, FAST).expect("create");
    let kept = SecretString::from("пароль контейнера".to_owned());
    let files = |gost_location| {
        [
            FileImport {
                location: gost_location,
                certificates: std::slice::from_ref(&gost_cert),
                key: Some(KeyImport {
                    kind: KeyKind::Pkcs8,
                    name: "gost.key",
                    original: &gost_file,
                    public_key: None,
                    keys: std::slice::from_ref(&gost_key),
                    keep_password: Some(&kept),
                }),
            },
            FileImport {
                location: "/drive/rsa",
                certificates: std::slice::from_ref(&rsa_cert),
                key: Some(KeyImport {
                    kind: KeyKind::Pkcs8,
                    name: "rsa.key",
                    original: &rsa_file,
                    public_key: None,
                    keys: std::slice::from_ref(&rsa_key),
                    keep_password: None,
                }),
            },
        ]
    };
    let first = archive.import_files(&files("/drive/gost")).expect("import");
    assert_eq!(
        first.iter().map(|file| file.key).collect::<Vec<_>>(),
        [
            Some(KeyImported::Added { new_keys: 1 }),
            Some(KeyImported::Added { new_keys: 1 })
        ]
    );
    // The same files again, one from another place: nothing new, one more sighting.
    let again = archive
        .import_files(&files("/backup/gost"))
        .expect("import");
    assert_eq!(
        again.iter().map(|file| file.key).collect::<Vec<_>>(),
        [
            Some(KeyImported::AlreadyThere { new_keys: 0 }),
            Some(KeyImported::AlreadyThere { new_keys: 0 })
        ]
    );
    let listed = archive.list_certificates(None, None).expect("list");
    assert!(listed.iter().all(|item| item.has_private_key), "{listed:?}");
    let gost_id = listed
        .iter()
        .find(|item| item.subject_name == "Петров")
        .expect("listed")
        .id;
    let archived = archive
        .private_key_for(gost_id)
        .expect("read")
        .expect("key");
    assert_eq!(
        &archived.private_key_info[..],
        &gost_key.private_key_info[..]
    );
    let containers = archive.containers_for(gost_id).expect("containers");
    assert_eq!(containers.len(), 1);
    assert!(containers[0].password_kept);
    assert_eq!(
        containers[0]
            .seen
            .iter()
            .map(|seen| seen.0.as_str())
            .collect::<Vec<_>>()
            .len(),
        2
    );
    let (original, password) = archive
        .container_original(containers[0].id)
        .expect("original");
    assert_eq!(&original[..], &gost_file[..]);
    assert_eq!(
        password.map(|password| password.expose_secret().to_owned()),
        Some("пароль контейнера".to_owned())
    );
    let sound = archive.verify().expect("verify");
    assert!(sound.is_sound(), "{sound:?}");
    assert_eq!(
        sound.sealed_checked, 5,
        "two containers, one password, two keys"
    );
    drop(archive);

    // Nothing is deleted by normal use, not even by SQL that tries.
    let raw = rusqlite::Connection::open(location.path()).expect("raw");
    for table in ["key_containers", "private_keys"] {
        let error = raw
            .execute(&format!("DELETE FROM {table}"), [])
            .expect_err("refused");
        assert!(error.to_string().contains("never deleted"), "{error}");
    }
    // A flipped byte in one sealed key, and two containers' blobs swapped.
    let sealed: Vec<u8> = raw
        .query_row(
            "SELECT private_key FROM private_keys WHERE id = 1",
            [],
            |row| row.get(0),
        )
        .expect("sealed");
    let mut flipped = sealed.clone();
    flipped[30] ^= 0x04;
    raw.execute(
        "UPDATE private_keys SET private_key = ?1 WHERE id = 1",
        [&flipped],
    )
    .expect("flip");
    raw.execute_batch(
        "CREATE TEMP TABLE originals AS SELECT id, original FROM key_containers;
         UPDATE key_containers SET original = (SELECT original FROM originals WHERE originals.id = 3 - key_containers.id);",
    )
    .expect("swap");
    drop(raw);
    let archive = Archive::open(&location, &passphrase).expect("open");
    let report = archive.verify().expect("verify");
    assert!(!report.is_sound());
    assert_eq!(
        report.damaged_secrets,
        ["key container 1", "key container 2", "private key 1"]
    );
    // The read that touches a damaged blob fails, naming it, and never returns wrong bytes.
    let error = archive.private_key_for(gost_id).expect_err("damaged");
    assert!(
        error
            .to_string()
            .contains("private_key of private_keys row 1"),
        "{error}"
    );
    let error = archive
        .container_original(containers[0].id)
        .expect_err("moved");
    assert!(
        error.to_string().contains(&format!(
            "original of key_containers row {}",
            containers[0].id
        )),
        "{error}"
    );
}

#[test]
fn a_renewed_certificate_supersedes_the_old_one_which_stays() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("УЦ ФНС", KeyAlgorithm::Gost2012_256("TCA"));
    let subject = "/CN=Сидорова Анна/SNILS=11223344595/INN=500100732259";
    let issue = |from: &str, to: &str, algorithm| {
        der_of(
            &openssl,
            &openssl.issue_between(&ca, subject, algorithm, from, to),
        )
    };
    // 2001 key in 2018, renewed to 2012 in 2019 and again in 2020; a second 2020 certificate issued
    // the same day (another purpose) stands beside the first; another person is not affected.
    let y2018 = issue(
        "20180301000000Z",
        "20190301000000Z",
        KeyAlgorithm::Gost2001("A"),
    );
    let y2019 = issue(
        "20190215000000Z",
        "20200215000000Z",
        KeyAlgorithm::Gost2012_256("A"),
    );
    let y2020 = issue(
        "20200201000000Z",
        "20210201000000Z",
        KeyAlgorithm::Gost2012_256("A"),
    );
    let y2020b = issue(
        "20200201000100Z",
        "20210201000000Z",
        KeyAlgorithm::Gost2012_512("A"),
    );
    let other = der_of(
        &openssl,
        &openssl.issue_between(
            &ca,
            "/CN=Сидоров Пётр/SNILS=11223344600",
            KeyAlgorithm::Gost2012_256("A"),
            "20170101000000Z",
            "20180101000000Z",
        ),
    );

    let dir = temp_dir();
    let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
    let mut archive =
        Archive::create(&location, &SecretString::from("p".to_owned()), FAST).expect("create");
    // Imported out of order: the archive's answer does not depend on it.
    archive
        .import_certificates(&[y2020.clone(), y2018.clone(), other.clone()], "/a")
        .expect("import");
    archive
        .import_certificates(&[y2019.clone(), y2020b.clone()], "/b")
        .expect("import");
    let listed = archive.list_certificates(None, None).expect("list");
    let by = |certificate: &Certificate| {
        listed
            .iter()
            .find(|item| item.sha1 == certificate.sha1_thumbprint)
            .expect("listed")
    };
    let newest = by(&y2020b).id;
    assert_eq!(by(&y2018).superseded_by, Some(newest));
    assert_eq!(by(&y2019).superseded_by, Some(newest));
    assert_eq!(by(&y2020).superseded_by, None, "issued the same day");
    assert_eq!(by(&y2020b).superseded_by, None);
    assert_eq!(by(&other).superseded_by, None);
    assert_eq!(listed.len(), 5, "nothing superseded is dropped");
    let record = archive
        .certificate_record(by(&y2018).id)
        .expect("record")
        .expect("there");
    assert_eq!(record.superseded_by, Some(newest));
    assert_eq!(record.seen.len(), 1);
}

#[test]
fn passphrase_change_backup_while_in_use_and_restore() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("TCA"));
    let holder = openssl.issue(&ca, "/CN=Орлова", KeyAlgorithm::Gost2012_256("A"), 30);
    let (key_file, key) = key_of(&holder);
    let holder_cert = der_of(&openssl, &holder);
    let template = certificate(&openssl, &ca, "/CN=Шаблон");

    let dir = temp_dir();
    let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
    let old = SecretString::from("старый".to_owned());
    let new = SecretString::from("новый".to_owned());
    let mut archive = Archive::create(&location, &old, FAST).expect("create");
    archive
        .import_files(&[FileImport {
            location: "/drive",
            certificates: std::slice::from_ref(&holder_cert),
            key: Some(KeyImport {
                kind: KeyKind::Pkcs8,
                name: "orlova.key",
                original: &key_file,
                public_key: None,
                keys: std::slice::from_ref(&key),
                keep_password: None,
            }),
        }])
        .expect("import");

    // The passphrase changes; what is sealed does not.
    archive.change_passphrase(&new, FAST).expect("passwd");
    drop(archive);
    assert!(matches!(
        Archive::open(&location, &old),
        Err(certkeeper_storage::Error::WrongPassphrase)
    ));
    let archive = Archive::open(&location, &new).expect("open with the new passphrase");
    let id = archive.list_certificates(None, None).expect("list")[0].id;
    assert_eq!(
        &archive
            .private_key_for(id)
            .expect("read")
            .expect("key")
            .private_key_info[..],
        &key.private_key_info[..]
    );
    assert!(archive.verify().expect("verify").is_sound());

    // Backups while another connection keeps importing: each is a consistent snapshot (every
    // certificate's audit entry is there, and nothing more).
    let writer_location = location.clone();
    let writer_passphrase = new.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer_stop = stop.clone();
    let writer = std::thread::spawn(move || {
        let mut writer = Archive::open(&writer_location, &writer_passphrase).expect("open");
        let mut written = 0u32;
        while !writer_stop.load(std::sync::atomic::Ordering::Relaxed) {
            // The same certificate under new serials is not possible without a CA at hand; each
            // round re-imports it from a new place, which is a write (a sighting) all the same, and
            // adds one more certificate copy made distinct by a changed byte in its signature.
            let mut der = template.der.clone();
            let last = der.len() - 1;
            der[last] = der[last].wrapping_add(written as u8);
            der[last - 1] = der[last - 1].wrapping_add((written >> 8) as u8);
            if let Ok(copy) = Certificate::from_der(&der) {
                writer
                    .import_certificates(&[copy], &format!("/loop/{written}"))
                    .expect("import");
            }
            written += 1;
        }
        written
    });
    let mut backups = Vec::new();
    for round in 0..5 {
        let path = dir.path().join(format!("backup-{round}.db"));
        archive.backup(&path).expect("backup");
        backups.push(path);
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().expect("writer");
    assert!(written > 5, "the writer kept writing: {written}");
    let mut counts = Vec::new();
    for path in &backups {
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(
                &std::fs::metadata(path).expect("metadata").permissions()
            ) & 0o777,
            0o600
        );
        let copy = Archive::open(&ArchiveLocation::explicit(path.clone()), &new).expect("open");
        let report = copy.verify().expect("verify");
        assert!(report.is_sound(), "{report:?}");
        let certificates = copy.list_certificates(None, None).expect("list").len();
        let added = copy
            .audit_log()
            .expect("audit")
            .iter()
            .filter(|entry| entry.action == "certificate added")
            .count();
        assert_eq!(certificates, added, "a snapshot, not a mix");
        counts.push(certificates);
    }
    assert!(
        counts.windows(2).all(|pair| pair[0] <= pair[1]),
        "{counts:?}"
    );
    let error = archive.backup(&backups[0]).expect_err("exists");
    assert!(matches!(
        error,
        certkeeper_storage::Error::AlreadyExists { .. }
    ));

    // Restore refuses while the archive is open elsewhere, then replaces it, keeping the old one.
    let restored_from = &backups[0];
    let error = certkeeper_storage::maintenance::restore(&location, restored_from, &new)
        .expect_err("in use");
    assert!(
        matches!(error, certkeeper_storage::Error::InUse { .. }),
        "{error:?}"
    );
    let before = archive.list_certificates(None, None).expect("list").len();
    drop(archive);
    let wrong = certkeeper_storage::maintenance::restore(
        &location,
        restored_from,
        &SecretString::from("не тот".to_owned()),
    )
    .expect_err("wrong passphrase");
    assert!(matches!(wrong, certkeeper_storage::Error::WrongPassphrase));
    let restored =
        certkeeper_storage::maintenance::restore(&location, restored_from, &new).expect("restore");
    assert_eq!(restored.certificates as usize, counts[0]);
    let kept = restored.previous_kept_at.expect("kept");
    let previous = Archive::open(&ArchiveLocation::explicit(kept), &new).expect("previous");
    assert_eq!(
        previous.list_certificates(None, None).expect("list").len(),
        before
    );
    let archive = Archive::open(&location, &new).expect("open");
    assert_eq!(
        archive.list_certificates(None, None).expect("list").len(),
        counts[0]
    );
    let report = archive.verify().expect("verify");
    assert!(report.is_sound(), "{report:?}");
    assert_eq!(
        archive
            .audit_log()
            .expect("audit")
            .last()
            .map(|entry| entry.action.clone()),
        Some("archive restored".to_owned())
    );
}

/// `count` distinct certificates made from `template` (two bytes of its signature changed: certkeeper
/// archives what it is given, it does not check signatures on import), written as DER files.
fn certificate_files(template: &Certificate, folder: &std::path::Path, first: u32, count: u32) {
    std::fs::create_dir_all(folder).expect("mkdir");
    for n in first..first + count {
        let mut der = template.der.clone();
        let last = der.len() - 1;
        der[last - 1] = (n >> 8) as u8;
        der[last] = n as u8;
        std::fs::write(folder.join(format!("{n:05}.cer")), der).expect("write");
    }
}

/// The SHA-1 thumbprints (as the archive shows them) of the DER files in `folder`.
fn thumbprints_in(folder: &std::path::Path) -> std::collections::BTreeSet<String> {
    use sha1::Digest;
    std::fs::read_dir(folder)
        .expect("read_dir")
        .map(|entry| {
            let der = std::fs::read(entry.expect("entry").path()).expect("read");
            sha1::Sha1::digest(&der)
                .iter()
                .map(|byte| format!("{byte:02X}"))
                .collect()
        })
        .collect()
}

/// A tiny deterministic generator (the seed is printed, so a failure can be replayed).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

#[test]
fn an_import_killed_at_random_points_leaves_a_sound_archive_with_every_reported_import() {
    use certkeeper_tests::support::bin;

    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("TCA"));
    let template = certificate(&openssl, &ca, "/CN=Копия");
    let dir = temp_dir();
    let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
    let passphrase_file = certkeeper_tests::support::secret_file(dir.path(), "passphrase", "p");
    drop(Archive::create(&location, &SecretString::from("p".to_owned()), FAST).expect("create"));

    // Each round imports its own folder of 1,100 files: three transactions (500, 500, 100).
    const ROUNDS: u32 = 15;
    const PER_ROUND: u32 = 1_100;
    let binary = bin::certkeeper();
    let import = |folder: &std::path::Path| {
        std::process::Command::new(&binary)
            .arg("--archive")
            .arg(location.path())
            .arg("--passphrase-file")
            .arg(&passphrase_file)
            .args(["--json", "import"])
            .arg(folder)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn certkeeper")
    };
    // How long a whole import takes here, so the kills land anywhere in it.
    let calibration = dir.path().join("calibration");
    certificate_files(&template, &calibration, 60_000, PER_ROUND);
    let started = std::time::Instant::now();
    let output = import(&calibration).wait_with_output().expect("wait");
    assert!(output.status.success());
    let full_run = started.elapsed();

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos() as u64)
        .unwrap_or(1);
    println!("seed {seed}, a whole import takes {full_run:?}");
    let mut random = Lcg(seed);
    let mut reported = vec![calibration.clone()];
    let mut killed = Vec::new();
    for round in 0..ROUNDS {
        let folder = dir.path().join(format!("round-{round}"));
        certificate_files(&template, &folder, round * PER_ROUND, PER_ROUND);
        let mut child = import(&folder);
        // Mostly inside the run; now and then just after it, when success has been reported.
        let delay = random.below(full_run.as_millis() as u64 * 11 / 10 + 1);
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL: no destructor, no rollback, no clean close.
        let output = child.wait_with_output().expect("wait");
        // Success is what the person was told: exit status 0 and the summary.
        let summary: Option<serde_json::Value> = output
            .status
            .success()
            .then(|| serde_json::from_slice(&output.stdout).ok())
            .flatten();
        match summary {
            Some(summary) => {
                assert_eq!(summary["added"], PER_ROUND, "{summary}");
                reported.push(folder);
            }
            None => killed.push((folder, delay)),
        }
    }
    println!(
        "{} imports reported success, {} were killed (after {:?} ms)",
        reported.len(),
        killed.len(),
        killed.iter().map(|(_, delay)| *delay).collect::<Vec<_>>()
    );

    let archive = Archive::open(&location, &SecretString::from("p".to_owned())).expect("open");
    let report = archive.verify().expect("verify");
    assert!(report.is_sound(), "{report:?}");
    let archived: std::collections::BTreeSet<String> = archive
        .list_certificates(None, None)
        .expect("list")
        .into_iter()
        .map(|item| item.sha1)
        .collect();
    for folder in &reported {
        let missing = thumbprints_in(folder).difference(&archived).count();
        assert_eq!(missing, 0, "{} reported success", folder.display());
    }
    // A killed import keeps whole batches only: 0, 500, 1,000 or all 1,100 of its certificates.
    for (folder, delay) in &killed {
        let present = thumbprints_in(folder).intersection(&archived).count();
        assert!(
            [0, 500, 1_000, 1_100].contains(&present),
            "{} killed after {delay} ms left {present} certificates",
            folder.display()
        );
    }
    drop(archive);
    // Running a killed import again finishes it.
    if let Some((folder, _)) = killed.first() {
        assert!(import(folder).wait().expect("wait").success());
        let archive = Archive::open(&location, &SecretString::from("p".to_owned())).expect("open");
        assert!(archive.verify().expect("verify").is_sound());
        let archived: std::collections::BTreeSet<String> = archive
            .list_certificates(None, None)
            .expect("list")
            .into_iter()
            .map(|item| item.sha1)
            .collect();
        assert!(thumbprints_in(folder).is_subset(&archived));
    }
}

/// Every file under `folder`, recursively.
fn files_under(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read_dir") {
                pending.push(entry.expect("entry").path());
            }
        } else {
            files.push(path);
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[test]
fn no_key_or_password_is_ever_on_disk_in_clear() {
    use certkeeper_tests::support::bin;
    use certkeeper_tests::support::openssl::PfxProtection;
    use certkeeper_tests::support::vectors;

    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("TCA"));
    let holder = openssl.issue(&ca, "/CN=Секретов", KeyAlgorithm::Gost2012_512("A"), 30);
    let pfx_password = "пароль-от-PFX-2026";
    let pfx = openssl.pfx(&holder, pfx_password, PfxProtection::Gost);
    let pfx_key = openssl.gost_key_text(&holder.key, 64);
    let pfx_key_info = pkcs8::from_file(&std::fs::read(&holder.key).expect("key"), false, b"")
        .expect("key")
        .der;
    let container_scalar_le: Vec<u8> = {
        let hex = std::fs::read_to_string(
            vectors::folder("cryptopro").join("g2012256.expected-d.le.hex"),
        )
        .expect("expected scalar");
        let hex = hex.trim();
        (0..hex.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("hex"))
            .collect()
    };
    let passphrase = "фраза-архива-для-проверки";

    let work = temp_dir();
    let drive = work.path().join("drive");
    certkeeper_tests::support::copy_dir(
        &vectors::folder("cryptopro").join("g2012256"),
        &drive.join("g2012256"),
    );
    std::fs::copy(&pfx, drive.join("secretov.pfx")).expect("copy");
    let passphrase_file =
        certkeeper_tests::support::secret_file(work.path(), "passphrase", passphrase);
    let container_password = certkeeper_tests::support::secret_file(work.path(), "container", "1");
    let pfx_password_file =
        certkeeper_tests::support::secret_file(work.path(), "pfx", pfx_password);

    let archive_dir = work.path().join("archive");
    let temp = work.path().join("tmp");
    std::fs::create_dir_all(&temp).expect("mkdir");
    let location = ArchiveLocation::explicit(archive_dir.join("archive.db"));
    let passphrase_secret = SecretString::from(passphrase.to_owned());
    // The window stays open meanwhile: its connection keeps the write-ahead log on disk, as it is
    // while the app runs, so the log is searched too.
    let window = Archive::create(&location, &passphrase_secret, FAST).expect("create");
    // The container's password does not open the PFX (exit status 1, the PFX archived locked);
    // the PFX's opens it next.
    for (password, code) in [(&container_password, 1), (&pfx_password_file, 0)] {
        let status = std::process::Command::new(bin::certkeeper())
            .arg("--archive")
            .arg(location.path())
            .arg("--passphrase-file")
            .arg(&passphrase_file)
            .args(["import", "--keep-passwords", "--password-file"])
            .arg(password)
            .arg(&drive)
            .env("TMPDIR", &temp)
            .env("CERTKEEPER_LOG", "trace")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run");
        assert_eq!(status.code(), Some(code));
    }
    let listed = window.list_certificates(None, None).expect("list");
    assert_eq!(listed.iter().filter(|item| item.has_private_key).count(), 2);

    let utf16: Vec<u8> = pfx_password
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let reversed = |bytes: &[u8]| bytes.iter().rev().copied().collect::<Vec<u8>>();
    let secrets: Vec<(&str, Vec<u8>)> = vec![
        ("archive passphrase", passphrase.as_bytes().to_vec()),
        ("PFX password", pfx_password.as_bytes().to_vec()),
        ("PFX password (BMPString)", utf16),
        ("PFX key, big-endian", pfx_key.private.clone()),
        ("PFX key, little-endian", reversed(&pfx_key.private)),
        ("PFX key as PKCS#8", pfx_key_info.to_vec()),
        ("container key, little-endian", container_scalar_le.clone()),
        ("container key, big-endian", reversed(&container_scalar_le)),
    ];
    let mut searched = Vec::new();
    let mut check = |stage: &str| {
        let files: Vec<_> = files_under(&archive_dir)
            .into_iter()
            .chain(files_under(&temp))
            .collect();
        for file in &files {
            let bytes = std::fs::read(file).expect("read");
            for (what, secret) in &secrets {
                assert!(
                    !contains(&bytes, secret),
                    "{stage}: the {what} is in {} in clear",
                    file.display()
                );
            }
            searched.push(format!(
                "{stage}: {} ({} bytes)",
                file.file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                bytes.len()
            ));
        }
    };
    check("while in use");
    drop(window);
    check("after closing");
    println!("searched: {searched:#?}");
    assert!(
        searched
            .iter()
            .any(|file| file.starts_with("while in use: archive.db-wal")),
        "the write-ahead log was there to search: {searched:?}"
    );
    assert!(
        files_under(&temp).is_empty(),
        "certkeeper left temporary files"
    );
    // The search finds what is there in clear: the (public) certificate.
    let certificate = der_of(&openssl, &holder);
    assert!(contains(
        &std::fs::read(location.path()).expect("read"),
        &certificate.der
    ));
}

#[test]
fn the_window_the_reminder_service_and_two_imports_use_the_archive_at_once() {
    use certkeeper_tests::support::bin;

    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("TCA"));
    let template = certificate(&openssl, &ca, "/CN=Одновременно");
    let dir = temp_dir();
    let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
    let passphrase = SecretString::from("p".to_owned());
    drop(Archive::create(&location, &passphrase, FAST).expect("create"));
    let passphrase_file = certkeeper_tests::support::secret_file(dir.path(), "passphrase", "p");
    let folders: Vec<_> = (0..2)
        .map(|n| {
            let folder = dir.path().join(format!("drive-{n}"));
            certificate_files(&template, &folder, n * 1_200, 1_200);
            folder
        })
        .collect();

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The window: lists and searches all the time.
    let window = {
        let (location, passphrase, stop) = (location.clone(), passphrase.clone(), stop.clone());
        std::thread::spawn(move || {
            let archive = Archive::open(&location, &passphrase).expect("window opens");
            let mut reads = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                archive.list_certificates(None, None).expect("window lists");
                archive
                    .list_certificates(Some("одновременно"), None)
                    .expect("window searches");
                reads += 1;
            }
            reads
        })
    };
    // The reminder service: reads, and writes (its own imports stand in for its bookkeeping). Its
    // certificate ends in bytes no file above does: the template itself may (its signature's last
    // two bytes are random), and the import that meets it would count it as already there.
    let reminders = {
        let (location, passphrase, stop) = (location.clone(), passphrase.clone(), stop.clone());
        let mut der = template.der.clone();
        let last = der.len() - 1;
        der[last - 1] = 0xff;
        der[last] = 0xff;
        let template = Certificate::from_der(&der).expect("the service's certificate");
        std::thread::spawn(move || {
            let mut archive = Archive::open(&location, &passphrase).expect("service opens");
            let mut writes = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                archive
                    .list_certificates(None, Some(i64::MAX))
                    .expect("service reads");
                archive
                    .import_certificates(std::slice::from_ref(&template), "/service")
                    .expect("service writes");
                writes += 1;
            }
            writes
        })
    };
    // Two imports from the command line at the same time.
    let imports: Vec<_> = folders
        .iter()
        .map(|folder| {
            std::process::Command::new(bin::certkeeper())
                .arg("--archive")
                .arg(location.path())
                .arg("--passphrase-file")
                .arg(&passphrase_file)
                .args(["--json", "import"])
                .arg(folder)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in imports {
        let output = child.wait_with_output().expect("wait");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(summary["added"], 1_200, "{summary}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = window.join().expect("the window never failed");
    let writes = reminders.join().expect("the service never failed");
    println!("window read {reads} times, service wrote {writes} times meanwhile");
    assert!(reads > 0 && writes > 0);
    let archive = Archive::open(&location, &passphrase).expect("open");
    assert!(archive.verify().expect("verify").is_sound());
    assert_eq!(
        archive.list_certificates(None, None).expect("list").len(),
        2_401
    );
}

#[test]
fn a_copy_made_elsewhere_is_recorded_without_the_passphrase_once() {
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("CA", KeyAlgorithm::Gost2012_256("TCA"));
    let holder = openssl.issue(&ca, "/CN=Сидоров", KeyAlgorithm::Gost2012_256("A"), 30);
    let (file, key) = key_of(&holder);
    let certificate = der_of(&openssl, &holder);
    let dir = temp_dir();
    let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
    let mut archive =
        Archive::create(&location, &SecretString::from("p".to_owned()), FAST).expect("create");
    archive
        .import_files(&[FileImport {
            location: "/drive/sidorov",
            certificates: std::slice::from_ref(&certificate),
            key: Some(KeyImport {
                kind: KeyKind::Pkcs8,
                name: "sidorov.key",
                original: &file,
                public_key: None,
                keys: std::slice::from_ref(&key),
                keep_password: None,
            }),
        }])
        .expect("import");
    // Recorded twice (the same copy made again): seen there once, one audit entry.
    for _ in 0..2 {
        let recorded = certkeeper_storage::sightings::record_copy(
            &location,
            &certificate.sha1_thumbprint.to_lowercase(),
            "token:new-token",
        )
        .expect("record");
        assert!(recorded.certificate);
        assert_eq!(recorded.containers, 1);
    }
    let unknown = certkeeper_storage::sightings::record_copy(&location, "00112233", "token:x")
        .expect("record");
    assert!(!unknown.certificate);
    let (id, _) = archive
        .certificate_der(&certificate.sha1_thumbprint)
        .expect("read")
        .expect("archived");
    let record = archive
        .certificate_record(id)
        .expect("read")
        .expect("record");
    assert!(
        record
            .seen
            .iter()
            .any(|(place, _, _)| place == "token:new-token"),
        "{:?}",
        record.seen
    );
    let containers = archive.containers_for(id).expect("containers");
    assert!(
        containers[0]
            .seen
            .iter()
            .any(|(place, _, _)| place == "token:new-token")
    );
    let copied = archive
        .audit_log()
        .expect("audit")
        .into_iter()
        .filter(|entry| entry.action == "certificate copied")
        .count();
    assert_eq!(copied, 1);
    assert!(archive.verify().expect("verify").is_sound());
}

/// One organisation's certificates over the years (the real ESIA signing certificates): its INN
/// in the old form (`007710474375` under the INN attribute, 2019–2021) and the new (`7710474375`
/// under INNLE, 2025). Either form finds all of them, and the organisation's own certificates are
/// one owner's: each older one is superseded by the newest.
#[test]
fn an_organisation_s_inn_in_its_old_and_new_form_is_one_owner_found_by_either() {
    use certkeeper_tests::support::{bin, run, secret_file, vectors};
    let work = temp_dir();
    let passphrase = secret_file(work.path(), "passphrase", "esia over the years\n");
    let archive = work.path().join("archive.db");
    let cli = || bin::on_archive(&archive, &passphrase);
    run(cli().args(["init", "--allow-weak-passphrase"]));
    run(cli()
        .arg("import")
        .arg(vectors::folder("realworld/certs/esia")));
    let search = |text: &str| -> Vec<serde_json::Value> {
        let output = run(cli().args(["--json", "list", "--search", text]));
        serde_json::from_slice(&output.stdout).expect("JSON")
    };
    let by_new = search("7710474375");
    let by_old = search("007710474375");
    assert_eq!(by_new.len(), 8, "{by_new:?}");
    let ids = |found: &[serde_json::Value]| {
        let mut ids: Vec<i64> = found
            .iter()
            .filter_map(|item| item["id"].as_i64())
            .collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(ids(&by_old), ids(&by_new));
    assert!(
        by_new
            .iter()
            .any(|item| item["inn"] == "007710474375" && item["innle"] == "7710474375"),
        "the old form read as the organisation's INN: {by_new:?}"
    );
    // The organisation's own certificates (no person in them): every one but the newest is
    // superseded by the newest.
    let own: Vec<&serde_json::Value> = by_new
        .iter()
        .filter(|item| item["snils"].is_null())
        .collect();
    let newest = own
        .iter()
        .max_by_key(|item| item["not_before"].as_str().map(str::to_owned))
        .expect("some");
    for item in &own {
        if item["id"] != newest["id"] {
            assert_eq!(item["superseded_by"], newest["id"], "{item}");
        }
    }
}

/// A mistaken import is forgotten without losing anything: a hidden certificate leaves `list`,
/// searches, `expiry` and the reminders, stays in `list --hidden`, its key still opens an old
/// document, `verify` still passes, and `unhide` brings it back; the same key found in a PFX and
/// two PEM files is three containers until `merge` makes it one entry (sightings kept), and
/// `merge --undo` separates them. Every change is in the audit log.
#[test]
fn a_certificate_is_hidden_and_a_keys_containers_merged_reversibly() {
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};
    use certkeeper_tests::support::{bin, run, secret_file};
    let work = temp_dir();
    let passphrase = secret_file(work.path(), "passphrase", "p");
    let archive = work.path().join("archive.db");
    let cli = || {
        let mut command = bin::on_archive(&archive, &passphrase);
        command.env("CERTKEEPER_LANG", "en");
        command
    };
    let text = |command: &mut std::process::Command| {
        String::from_utf8_lossy(&run(command).stdout).into_owned()
    };
    run(cli().args(["init", "--allow-weak-passphrase"]));
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("Tidy CA", KeyAlgorithm::Rsa2048);
    let mistake = openssl.issue(&ca, "/CN=Imported by mistake", KeyAlgorithm::Rsa2048, 20);
    let drive = work.path().join("drive");
    std::fs::create_dir_all(&drive).expect("mkdir");
    let pfx = openssl.pfx(&mistake, "1", PfxProtection::Aes256);
    std::fs::copy(&pfx, drive.join("mistake.pfx")).expect("copy");
    std::fs::copy(&mistake.key, drive.join("mistake-key.pem")).expect("copy");
    // The same key again, as DER: another file, the same key.
    run(openssl
        .command()
        .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
        .arg(&mistake.key)
        .arg("-out")
        .arg(drive.join("mistake-key.der")));
    let password = secret_file(work.path(), "password", "1");
    run(cli()
        .arg("import")
        .arg(&drive)
        .arg("--password-file")
        .arg(&password));
    let listed: serde_json::Value =
        serde_json::from_str(&text(cli().args(["--json", "list"]))).expect("JSON");
    let id = listed[0]["id"].to_string();
    let containers = |shown: &str| shown.matches("container:").count();
    assert_eq!(containers(&text(cli().args(["show", &id]))), 3);

    // Merged: one entry, where each was seen kept.
    let merged = text(cli().args(["merge", &id]));
    assert!(merged.contains("merged into one entry: 2"), "{merged}");
    let shown = text(cli().args(["show", &id]));
    assert_eq!(containers(&shown), 1, "{shown}");
    assert!(
        shown.contains("mistake-key.pem") && shown.contains("mistake-key.der"),
        "{shown}"
    );
    let undone = text(cli().args(["merge", &id, "--undo"]));
    assert!(undone.contains("separated again: 2"), "{undone}");
    assert_eq!(containers(&text(cli().args(["show", &id]))), 3);

    // Hidden: out of the lists and reminders, its key still at work.
    let document = openssl.cms_encrypt(b"old letter", &[&mistake], "-aes-256-cbc", &[]);
    let hidden = text(cli().args(["hide", &id]));
    assert!(hidden.starts_with("Hidden:"), "{hidden}");
    assert!(text(cli().arg("list")).contains("No certificates."));
    assert!(text(cli().args(["list", "--search", "mistake"])).contains("No certificates."));
    let expiry = cli().arg("expiry").output().expect("expiry");
    assert!(
        !String::from_utf8_lossy(&expiry.stdout).contains("Imported by mistake"),
        "{expiry:?}"
    );
    let hidden_list = text(cli().args(["list", "--hidden"]));
    assert!(hidden_list.contains("Imported by mistake"), "{hidden_list}");
    let opened = work.path().join("letter.txt");
    run(cli()
        .arg("decrypt")
        .arg(&document)
        .arg("--out")
        .arg(&opened));
    assert_eq!(std::fs::read(&opened).expect("opened"), b"old letter");
    run(cli().arg("verify"));
    run(cli().args(["unhide", &id]));
    assert!(text(cli().arg("list")).contains("Imported by mistake"));
    let audit = text(cli().arg("audit"));
    for action in [
        "key containers merged",
        "key containers separated",
        "certificate hidden",
        "certificate shown again",
    ] {
        assert!(audit.contains(action), "{action} missing:\n{audit}");
    }
}

/// The unlock agent's test bench: an archive made through the command line, a private runtime
/// folder (`XDG_RUNTIME_DIR`) for the agent, and a system bus of the test's own choosing.
struct AgentBench {
    work: tempfile::TempDir,
    archive: std::path::PathBuf,
    passphrase: std::path::PathBuf,
    runtime: std::path::PathBuf,
    system_bus: String,
}

impl Drop for AgentBench {
    /// A failed test leaves no agent behind.
    fn drop(&mut self) {
        let _ = self.bare().arg("lock").output();
    }
}

impl AgentBench {
    const PASSPHRASE: &'static str = "the agent keeps what this becomes";

    fn new() -> Self {
        use certkeeper_tests::support::{bin, run, secret_file};
        let work = temp_dir();
        let runtime = certkeeper_tests::support::private_folder(&work.path().join("runtime"));
        let passphrase = secret_file(work.path(), "passphrase", Self::PASSPHRASE);
        let archive = work.path().join("archive.db");
        run(bin::on_archive(&archive, &passphrase).arg("init"));
        Self {
            work,
            archive,
            passphrase,
            runtime,
            // No system bus unless a test gives one (never the machine's own).
            system_bus: "unix:path=/nonexistent/system_bus_socket".to_owned(),
        }
    }

    /// certkeeper on the archive with no passphrase file and no terminal: it opens only through
    /// the agent.
    fn bare(&self) -> std::process::Command {
        let mut command = std::process::Command::new(certkeeper_tests::support::bin::certkeeper());
        command
            .arg("--archive")
            .arg(&self.archive)
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &self.system_bus)
            .env("CERTKEEPER_LANG", "en")
            .env_remove("CERTKEEPER_PASSPHRASE_FILE")
            .stdin(std::process::Stdio::null());
        command
    }

    fn unlock(&self, idle: &str) -> std::process::Output {
        certkeeper_tests::support::run(
            self.bare()
                .arg("--passphrase-file")
                .arg(&self.passphrase)
                .args(["unlock", "--for", idle]),
        )
    }

    /// Whether `list` opens the archive without being given the passphrase.
    fn opens_without_passphrase(&self) -> bool {
        let output = self.bare().arg("list").output().expect("certkeeper list");
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr);
            assert!(
                said.contains("no terminal to type the archive passphrase"),
                "{said}"
            );
        }
        output.status.success()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.runtime.join("certkeeper/agent.log")).unwrap_or_default()
    }

    fn socket(&self) -> std::path::PathBuf {
        self.runtime.join("certkeeper/agent.sock")
    }

    /// Waits until the agent has left (its socket gone).
    fn agent_gone(&self, within: std::time::Duration) -> bool {
        let started = std::time::Instant::now();
        while started.elapsed() < within {
            if !self.socket().exists() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    }

    /// The agent's process id, from its log.
    fn agent_pid(&self) -> u32 {
        let log = self.log();
        let line = log
            .lines()
            .rev()
            .find(|line| line.contains("started on"))
            .expect("started");
        let at = line.find("agent[").expect("pid") + 6;
        line[at..line[at..].find(']').expect("pid") + at]
            .parse()
            .expect("pid")
    }
}

/// `unlock` once, and commands open the archive without the passphrase until `lock`, until the
/// idle time passes unused, or (tested below) logind's signals; `info` tells; killing the agent
/// loses nothing; a passphrase changed since makes the kept key useless; the agent's log never
/// holds the passphrase or a key.
#[test]
fn unlocked_once_the_archive_opens_without_asking_until_lock_or_idle_time() {
    use certkeeper_tests::support::run;
    let bench = AgentBench::new();
    assert!(!bench.opens_without_passphrase(), "no agent yet");
    let said = String::from_utf8_lossy(&bench.unlock("10m").stdout).into_owned();
    assert!(
        said.contains("Unlocked:") && said.contains("10 min"),
        "{said}"
    );
    // The folder and socket are the owner's only.
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&bench.runtime.join("certkeeper")), 0o700);
    assert_eq!(mode(&bench.socket()), 0o600);
    assert!(bench.opens_without_passphrase());
    let info: serde_json::Value =
        serde_json::from_slice(&run(bench.bare().args(["--json", "info"])).stdout).expect("JSON");
    assert_eq!(info["unlocked"]["idle_seconds"], 600, "{info}");
    assert!(info["unlocked"]["seconds_left"].as_u64().expect("left") > 590);
    let text = String::from_utf8_lossy(&run(bench.bare().arg("info")).stdout).into_owned();
    assert!(text.contains("unlocked:   yes, by the agent"), "{text}");

    // lock: asked again, and the agent leaves.
    let said = String::from_utf8_lossy(&run(bench.bare().arg("lock")).stdout).into_owned();
    assert!(said.contains("Locked"), "{said}");
    assert!(bench.agent_gone(std::time::Duration::from_secs(5)));
    assert!(!bench.opens_without_passphrase());
    let said = String::from_utf8_lossy(&run(bench.bare().arg("lock")).stdout).into_owned();
    assert!(said.contains("Nothing was unlocked"), "{said}");

    // The idle time: each use starts it again; unused, the key is forgotten.
    bench.unlock("3s");
    for _ in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        assert!(
            bench.opens_without_passphrase(),
            "used within the idle time"
        );
    }
    std::thread::sleep(std::time::Duration::from_millis(3600));
    assert!(
        !bench.opens_without_passphrase(),
        "unused for longer than the idle time"
    );
    assert!(bench.agent_gone(std::time::Duration::from_secs(5)));

    // Killed: nothing lost, asked again, and unlock works again over the socket it left.
    bench.unlock("10m");
    let pid = bench.agent_pid();
    run(std::process::Command::new("kill").args(["-9", &pid.to_string()]));
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(!bench.opens_without_passphrase());
    let verified = run(certkeeper_tests::support::bin::on_archive(
        &bench.archive,
        &bench.passphrase,
    )
    .args(["--json", "verify"]));
    let verified: serde_json::Value = serde_json::from_slice(&verified.stdout).expect("JSON");
    assert_eq!(verified["sound"], true, "{verified}");
    bench.unlock("10m");
    assert!(bench.opens_without_passphrase());

    // A passphrase changed meanwhile: the kept key no longer fits, the passphrase is asked.
    let new = certkeeper_tests::support::secret_file(
        bench.work.path(),
        "new-passphrase",
        "a new passphrase for the archive",
    );
    run(
        certkeeper_tests::support::bin::on_archive(&bench.archive, &bench.passphrase)
            .env("XDG_RUNTIME_DIR", "/nonexistent")
            .arg("passwd")
            .arg("--new-passphrase-file")
            .arg(&new),
    );
    assert!(!bench.opens_without_passphrase());
    run(bench.bare().arg("lock"));

    let log = bench.log();
    assert!(
        log.contains("key kept for archive") && log.contains("forgotten"),
        "{log}"
    );
    assert!(!log.contains(AgentBench::PASSPHRASE), "{log}");
    // No key, nor anything as long as one in hex.
    let longest_hex = log
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_hex < 32, "{log}");
}

/// Another user id is turned away by the agent even when the folder and socket were opened to
/// everyone (SO_PEERCRED): `nobody` gets no key. Run as root, as CI does; otherwise only the
/// owner-only folder is checked.
#[test]
fn another_user_cannot_take_the_key_from_the_agent() {
    use certkeeper_tests::support::{require_program, run};
    let bench = AgentBench::new();
    bench.unlock("10m");
    let folder = bench.runtime.join("certkeeper");
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::metadata(&folder).expect("folder").mode() & 0o077,
        0
    );
    let root = String::from_utf8_lossy(&run(std::process::Command::new("id").arg("-u")).stdout)
        .trim()
        == "0";
    if root {
        use std::os::unix::fs::PermissionsExt;
        // A careless chmod: everything on the way to the socket opened to everyone.
        for path in [bench.work.path(), &bench.runtime, &folder] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        std::fs::set_permissions(bench.socket(), std::fs::Permissions::from_mode(0o777))
            .expect("chmod");
        let setpriv = require_program("setpriv", "util-linux");
        // Debian's, which `nobody` may run (not one under root's home).
        let python = std::path::Path::new("/usr/bin/python3");
        assert!(python.is_file(), "apt-get install python3");
        // The request certkeeper itself would send for this archive.
        let canonical = std::fs::canonicalize(&bench.archive).expect("canonical");
        let id = {
            use sha2::Digest;
            sha2::Sha256::digest(canonical.as_os_str().as_encoded_bytes())
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>()
        };
        // The agent may close before the request is even sent (a broken pipe): refused either way.
        let script = format!(
            "import socket\n\
             try:\n    \
             s = socket.socket(socket.AF_UNIX)\n    \
             s.settimeout(3)\n    \
             s.connect({socket:?})\n    \
             s.sendall(b'GET {id}\\n')\n    \
             print(repr(s.recv(64)))\n\
             except Exception as e:\n    print('error', type(e).__name__)\n",
            socket = bench.socket().display().to_string()
        );
        let asked = run(std::process::Command::new(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(python)
            .arg("-c")
            .arg(&script));
        let answer = String::from_utf8_lossy(&asked.stdout).into_owned();
        assert!(
            answer.trim() == "b''" || answer.starts_with("error"),
            "{answer}"
        );
        assert!(
            bench
                .log()
                .contains("refused a connection from user id 65534"),
            "{}",
            bench.log()
        );
        // The owner still gets it.
        assert!(bench.opens_without_passphrase());
    }
    run(bench.bare().arg("lock"));
}

/// logind's signals on the system bus (a private bus here, the same signals): the session
/// locking (the Lock signal, or its LockedHint set), and the computer going to sleep, make the
/// agent forget the key; waking and unlocking do not.
#[test]
fn the_agent_forgets_when_the_session_locks_or_the_computer_sleeps() {
    use certkeeper_tests::support::dbus::DbusSession;
    use certkeeper_tests::support::{require_program, run};
    let gdbus = require_program("gdbus", "libglib2.0-bin");
    let bus = DbusSession::start();
    let mut bench = AgentBench::new();
    bench.system_bus = bus.address().to_owned();
    // As a bus client (`--session` on the private bus's address): a message sent with
    // `--address` goes out before the client is registered, and the bus drops it.
    let emit = |path: &str, signal: &str, arguments: &[&str]| {
        run(bus
            .command(&gdbus)
            .args([
                "emit",
                "--session",
                "--object-path",
                path,
                "--signal",
                signal,
            ])
            .args(arguments));
    };
    let following = || {
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(10) {
            if bench.log().contains("following logind") {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    };
    for (path, signal, arguments, why) in [
        (
            "/org/freedesktop/login1/session/_32",
            "org.freedesktop.login1.Session.Lock",
            &[][..],
            "the session locked",
        ),
        (
            "/org/freedesktop/login1/session/_32",
            "org.freedesktop.DBus.Properties.PropertiesChanged",
            &[
                "'org.freedesktop.login1.Session'",
                "{'LockedHint': <true>}",
                "@as []",
            ][..],
            "the session locked",
        ),
        (
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager.PrepareForSleep",
            &["true"][..],
            "the computer goes to sleep",
        ),
    ] {
        let _ = std::fs::remove_file(bench.runtime.join("certkeeper/agent.log"));
        bench.unlock("10m");
        assert!(following(), "{}", bench.log());
        // Waking up, or the session unlocked, is no reason to forget.
        emit(
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager.PrepareForSleep",
            &["false"],
        );
        emit(
            "/org/freedesktop/login1/session/_32",
            "org.freedesktop.DBus.Properties.PropertiesChanged",
            &[
                "'org.freedesktop.login1.Session'",
                "{'LockedHint': <false>}",
                "@as []",
            ],
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(bench.opens_without_passphrase(), "{}", bench.log());
        emit(path, signal, arguments);
        let started = std::time::Instant::now();
        while bench.opens_without_passphrase() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "{why}: still unlocked\n{}",
                bench.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(bench.log().contains(why), "{}", bench.log());
        run(bench.bare().arg("lock"));
        assert!(bench.agent_gone(std::time::Duration::from_secs(20)));
    }
}
