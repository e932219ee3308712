//! Archives of many certificates for benchmarks: copies of one real GOST certificate made by
//! OpenSSL's GOST engine, each with its own name, serial number (so its own thumbprint) and, for
//! [`dated_copy`], its own owner and dates. Shared by `benches/archive.rs` and
//! `examples/fill_archive.rs`.

use std::path::Path;
use std::process::Command;

/// Marks the bytes each copy rewrites: the name's number and the serial number.
pub const NAME_MARK: &[u8] = b"QXQXQXQ";
pub const SERIAL: u64 = 0x1122_3344_5566_7788;

/// One certificate from OpenSSL, DER.
pub fn template(dir: &Path) -> Vec<u8> {
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
pub fn copy(template: &[u8], n: u64) -> Vec<u8> {
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
pub fn dated_copy(template: &[u8], n: u64, count: u64, now: i64) -> Vec<u8> {
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
