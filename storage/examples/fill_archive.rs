//! Makes an archive of COUNT certificates for benchmarking the window and the command line
//! (`bench/ui-list.sh`): copies of a real GOST certificate, deadlines spread over ten years, each
//! its own owner. The passphrase is read from PASSPHRASE_FILE; the key derivation is the default
//! one, as `certkeeper init` uses.
//!
//! Run: `cargo run --release -p certkeeper-storage --example fill_archive ARCHIVE PASSPHRASE_FILE COUNT`

#[path = "../benches/common/mod.rs"]
mod common;

use certkeeper_core::cert::Certificate;
use certkeeper_storage::{Archive, ArchiveLocation, KdfParams};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(archive), Some(passphrase_file), Some(count)) =
        (args.next(), args.next(), args.next())
    else {
        eprintln!("usage: fill_archive ARCHIVE PASSPHRASE_FILE COUNT");
        std::process::exit(2);
    };
    let count: u64 = count.parse().expect("COUNT is a number");
    let passphrase =
        certkeeper_core::secret::read_secret_file(std::path::Path::new(&passphrase_file))
            .expect("read the passphrase file");
    let dir = tempfile::tempdir().expect("temp dir");
    let template = common::template(dir.path());
    let location = ArchiveLocation::explicit(&archive);
    let mut archive =
        Archive::create(&location, &passphrase, KdfParams::default()).expect("create");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    let certificates: Vec<Certificate> = (0..count)
        .map(|n| {
            Certificate::from_der(&common::dated_copy(&template, n, count, now)).expect("parse")
        })
        .collect();
    for chunk in certificates.chunks(10_000) {
        archive.import_certificates(chunk, "bench").expect("import");
    }
    println!("{count} certificates archived");
}
