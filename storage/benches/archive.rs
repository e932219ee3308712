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
use std::time::{Duration, Instant};

mod common;

use certkeeper_core::cert::Certificate;
use certkeeper_core::formats::detect::{self, Found};
use certkeeper_storage::certificates::FileImport;
use certkeeper_storage::{Archive, ArchiveLocation, KdfParams};
use common::{copy, dated_copy, template};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use secrecy::SecretString;

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

/// What `certkeeper import FOLDER` does: list the files, read and parse them a little ahead on a
/// second thread (`detect::read_ahead`), and archive them one transaction per 500 files
/// (`IMPORT_BATCH` in app/src/commands/import.rs).
fn import_folder(archive: &mut Archive, folder: &Path) -> usize {
    let mut added = 0;
    let mut pending: Vec<(String, Vec<Certificate>)> = Vec::with_capacity(500);
    let mut archive_pending = |pending: &mut Vec<(String, Vec<Certificate>)>| {
        let batch: Vec<FileImport<'_>> = pending
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
        pending.clear();
    };
    for found in detect::read_ahead(detect::walk(folder), 64).flatten() {
        match found {
            Found::Certificate {
                path, certificate, ..
            } => pending.push((path.display().to_string(), vec![*certificate])),
            _ => panic!("only certificates were written"),
        }
        if pending.len() == 500 {
            archive_pending(&mut pending);
        }
    }
    archive_pending(&mut pending);
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
        let now = 1_790_000_000;
        let certificates: Vec<Certificate> = (0..count)
            .map(|n| Certificate::from_der(&dated_copy(&template, n, count, now)).expect("parse"))
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
        // One person among `count` (each copy its own SNILS). A search every certificate matches (the
        // INN of the one organisation all of them work for) costs what "list all" does.
        let snils = format!("{:011}", 20_000_000_000 + count - 1);
        group.bench_function(BenchmarkId::new("search SNILS", count), |b| {
            b.iter(|| {
                assert_eq!(
                    archive
                        .list_certificates(Some(&snils), None)
                        .expect("search")
                        .len(),
                    1
                )
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
