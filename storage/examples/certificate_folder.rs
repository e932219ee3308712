//! Writes COUNT certificate files into FOLDER: copies of a real GOST certificate, each with its own
//! name, serial number and owner (as a CA's customers differ), one `.cer` each. For measuring
//! `certkeeper import` on a large folder (`bench/import.sh`).
//!
//! Run: `cargo run --release -p certkeeper-storage --example certificate_folder FOLDER COUNT`

#[path = "../benches/common/mod.rs"]
mod common;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(folder), Some(count)) = (args.next(), args.next()) else {
        eprintln!("usage: certificate_folder FOLDER COUNT");
        std::process::exit(2);
    };
    let count: u64 = count.parse().expect("COUNT is a number");
    let folder = std::path::Path::new(&folder);
    std::fs::create_dir_all(folder).expect("make the folder");
    let dir = tempfile::tempdir().expect("temp dir");
    let template = common::template(dir.path());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    for n in 0..count {
        std::fs::write(
            folder.join(format!("{n:07}.cer")),
            common::dated_copy(&template, n, count, now),
        )
        .expect("write a certificate");
    }
    println!("{count} certificates written to {}", folder.display());
}
