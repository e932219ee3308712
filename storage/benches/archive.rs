//! The archive at scale: importing a folder of certificates, listing and searching at 10,000 and
//! 100,000 records. Anchors measured elsewhere (issue 5): XCA 2.4 and gpgsm import 10,000
//! certificates in about 230 s; XCA needs 14 s to open and list them. Targets: ≥ 5,000 imported
//! certificates per second (key derivation excluded) growing linearly, list of 10,000 under 200 ms,
//! search under 20 ms at 100,000.
//!
//! The certificates are real GOST R 34.10-2012 certificates made by OpenSSL's GOST engine; each copy
//! gets its own serial number and name (so its own thumbprint), the way a CA's customers differ. Their
//! signatures no longer verify, which the archive does not check on import.
//!
//! Run: `cargo bench -p certkeeper-storage --bench archive` (needs `openssl` and
//! `libengine-gost-openssl`, as the tests do).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use certkeeper_core::cert::Certificate;
use certkeeper_core::formats::detect::{self, Found};
use certkeeper_storage::certificates::FileImport;
use certkeeper_storage::{Archive, ArchiveLocation, KdfParams};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use secrecy::SecretString;

/// Marks the bytes each copy rewrites: the name's number and the serial number.
const NAME_MARK: &[u8] = b"QXQXQXQ";
const SERIAL: u64 = 0x1122_3344_5566_7788;

/// One certificate from OpenSSL, DER.
fn template(dir: &Path) -> Vec<u8> {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/openssl-gost.cnf");
    let status = Command::new("openssl")
        .current_dir(dir)
        .env("OPENSSL_CONF", &config)
        .args([
            "req",
            "-x509",
            "-newkey",
            "gost2012_256",
            "-pkeyopt",
            "paramset:A",
            "-nodes",
            "-keyout",
            "key.pem",
            "-md_gost12_256",
            "-days",
            "365",
            "-set_serial",
            &format!("0x{SERIAL:016X}"),
            "-utf8",
            // An end-entity certificate, as users hold: CA certificates do not take part in reminders.
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-subj",
            "/CN=Бухгалтер QXQXQXQ/O=ООО Ромашка/INN=007710474375/SNILS=11223344595/C=RU",
            "-outform",
            "DER",
            "-out",
            "template.cer",
        ])
        .status()
        .expect("run openssl (apt-get install openssl libengine-gost-openssl)");
    assert!(status.success(), "openssl could not make the template");
    std::fs::read(dir.join("template.cer")).expect("read the template")
}

fn replace_all(der: &mut [u8], mark: &[u8], with: &[u8]) -> usize {
    let mut count = 0;
    let mut at = 0;
    while let Some(found) = der[at..].windows(mark.len()).position(|w| w == mark) {
        let start = at + found;
        der[start..start + mark.len()].copy_from_slice(with);
        at = start + mark.len();
        count += 1;
    }
    count
}

/// Copy number `n` of the template: its own name and serial number.
fn copy(template: &[u8], n: u64) -> Vec<u8> {
    let mut der = template.to_vec();
    let name = format!("{n:07}");
    assert_eq!(
        replace_all(&mut der, NAME_MARK, name.as_bytes()),
        2,
        "subject and issuer"
    );
    let serial = (SERIAL & 0xFFFF_FFFF_0000_0000) | n;
    assert_eq!(
        replace_all(&mut der, &SERIAL.to_be_bytes(), &serial.to_be_bytes()),
        1
    );
    der
}

/// `YYMMDDHHMMSSZ` of a Unix time (UTCTime, years 1950–2049).
fn utc_time(time: i64) -> Vec<u8> {
    let text = certkeeper_core::cert::format_time(time);
    format!(
        "{}{}{}{}{}{}Z",
        &text[2..4],
        &text[5..7],
        &text[8..10],
        &text[11..13],
        &text[14..16],
        &text[17..19]
    )
    .into_bytes()
}

/// Copy number `n` of `count`, valid for a year up to a notAfter spread evenly over ten years
/// around `now`: an archive of many years of certificates, a few of them due at any time.
fn dated_copy(template: &[u8], n: u64, count: u64, now: i64) -> Vec<u8> {
    let mut der = copy(template, n);
    // Each copy another person (their own SNILS), so none supersedes another.
    let snils = format!("{:011}", 20_000_000_000 + n);
    assert_eq!(
        replace_all(&mut der, b"11223344595", snils.as_bytes()),
        2,
        "subject and issuer"
    );
    let span = 10 * 365 * 86_400;
    let not_after = now - span / 2 + (span * n as i64) / count as i64;
    let not_before = not_after - 365 * 86_400;
    // Validity ::= SEQUENCE { UTCTime, UTCTime }: 30 1E 17 0D ... 17 0D ...
    let at = der
        .windows(4)
        .position(|w| w == [0x30, 0x1e, 0x17, 0x0d])
        .expect("the validity");
    der[at + 4..at + 17].copy_from_slice(&utc_time(not_before));
    der[at + 19..at + 32].copy_from_slice(&utc_time(not_after));
    der
}

fn new_archive(dir: &Path) -> Archive {
    let location = ArchiveLocation::explicit(dir.join("archive.db"));
    for file in ["archive.db", "archive.db-wal", "archive.db-shm"] {
        let _ = std::fs::remove_file(dir.join(file));
    }
    // The key derivation is excluded from every figure; a cheap one keeps the set-up short.
    let params = KdfParams {
        memory_kib: 8 * 1024,
        iterations: 1,
        parallelism: 1,
    };
    Archive::create(&location, &SecretString::from("bench"), params).expect("create")
}

/// What `certkeeper import FOLDER` does: scan, read and parse, then one transaction per 500 files
/// (`IMPORT_BATCH` in app/src/commands/archive.rs).
fn import_folder(archive: &mut Archive, folder: &Path) -> usize {
    let files: Vec<(String, Vec<Certificate>)> = detect::scan(folder)
        .into_iter()
        .map(|found| match found {
            Found::Certificate {
                path, certificate, ..
            } => (path.display().to_string(), vec![*certificate]),
            _ => panic!("only certificates were written"),
        })
        .collect();
    let mut added = 0;
    for batch in files.chunks(500) {
        let batch: Vec<FileImport<'_>> = batch
            .iter()
            .map(|(location, certificates)| FileImport {
                location,
                certificates,
                key: None,
            })
            .collect();
        added += archive
            .import_files(&batch)
            .expect("import")
            .iter()
            .map(|file| file.certificates.len())
            .sum::<usize>();
    }
    added
}

fn folder_of(template: &[u8], dir: &Path, count: u64) -> PathBuf {
    let folder = dir.join(format!("drive-{count}"));
    std::fs::create_dir_all(&folder).expect("folder");
    for n in 0..count {
        std::fs::write(folder.join(format!("{n:07}.cer")), copy(template, n)).expect("write");
    }
    folder
}

fn archive(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let template = template(dir.path());

    let mut group = c.benchmark_group("import folder");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for count in [1_000u64, 10_000] {
        let folder = folder_of(&template, dir.path(), count);
        group.throughput(Throughput::Elements(count));
        group.bench_with_input(BenchmarkId::from_parameter(count), &folder, |b, folder| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let mut archive = new_archive(dir.path());
                    let started = Instant::now();
                    assert_eq!(import_folder(&mut archive, folder), count as usize);
                    total += started.elapsed();
                }
                total
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("list and search");
    group.sample_size(20);
    for count in [10_000u64, 100_000] {
        let mut archive = new_archive(dir.path());
        let certificates: Vec<Certificate> = (0..count)
            .map(|n| Certificate::from_der(&copy(&template, n)).expect("parse"))
            .collect();
        for chunk in certificates.chunks(10_000) {
            archive.import_certificates(chunk, "bench").expect("import");
        }
        let thumbprint = certificates.last().expect("some").sha1_thumbprint.clone();
        let name = format!("бухгалтер {:07}", count - 1);
        drop(certificates);
        let rows = count as usize;
        group.bench_function(BenchmarkId::new("list all", count), |b| {
            b.iter(|| {
                assert_eq!(
                    archive.list_certificates(None, None).expect("list").len(),
                    rows
                )
            });
        });
        group.bench_function(BenchmarkId::new("search name", count), |b| {
            b.iter(|| {
                assert_eq!(
                    archive
                        .list_certificates(Some(&name), None)
                        .expect("search")
                        .len(),
                    1
                )
            });
        });
        group.bench_function(BenchmarkId::new("search thumbprint", count), |b| {
            b.iter(|| {
                assert_eq!(
                    archive
                        .list_certificates(Some(&thumbprint), None)
                        .expect("search")
                        .len(),
                    1
                )
            });
        });
        group.bench_function(BenchmarkId::new("search INN", count), |b| {
            b.iter(|| {
                archive
                    .list_certificates(Some("007710474375"), None)
                    .expect("search")
                    .len()
            });
        });
    }
    group.finish();

    // `certkeeper expiry --json`: the deadlines of the coming 30 days (and the past 30) among
    // 100,000 certificates, with the supersession and reminder rules, as the command reads them
    // (issue 8 target: under 100 ms).
    let mut group = c.benchmark_group("expiry");
    group.sample_size(20);
    let count = 100_000u64;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    let mut archive = new_archive(dir.path());
    for start in (0..count).step_by(10_000) {
        let certificates: Vec<Certificate> = (start..start + 10_000)
            .map(|n| Certificate::from_der(&dated_copy(&template, n, count, now)).expect("parse"))
            .collect();
        archive
            .import_certificates(&certificates, "bench")
            .expect("import");
    }
    drop(archive);
    let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
    let store = certkeeper_storage::reminders::ReminderStore::open(&location).expect("open");
    let day = 86_400;
    group.bench_function(BenchmarkId::new("within 30 days", count), |b| {
        b.iter(|| {
            let items = store
                .items(now, now - 30 * day, now + 30 * day)
                .expect("items");
            let due = certkeeper_core::expiry::upcoming(&items, now, 30, 30);
            assert!(
                (1_000..2_000).contains(&due.len()),
                "about 60 days of 10 years: {}",
                due.len()
            );
            due.len()
        });
    });
    group.bench_function(BenchmarkId::new("reminders due", count), |b| {
        let sent = store.sent(now - 2 * day).expect("sent");
        b.iter(|| {
            let items = store
                .items(now, now - 2 * day, now + 30 * day)
                .expect("items");
            certkeeper_core::expiry::reminders(
                &items,
                now,
                &certkeeper_core::expiry::DEFAULT_THRESHOLDS,
                &sent,
            )
            .len()
        });
    });
    group.finish();
}

criterion_group!(benches, archive);
criterion_main!(benches);
