//! What a file holds, decided by its content (never by its name), and what a folder holds, scanned
//! recursively: a USB drive keeps `*.000` container folders, `.pfx`/`.p12`, `.cer`/`.crt`/`.pem`/`.der`
//! and `.p7b` files side by side.

use std::path::{Path, PathBuf};

use super::cryptopro::{self, ContainerHeader};
use super::der::{self, Reader, tag};
use crate::cert::Certificate;

/// The largest file looked into: certificate and key files are small; a bigger file is something else.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// How a certificate was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateEncoding {
    /// A DER file.
    Der,
    /// A PEM block.
    Pem,
    /// Inside a PKCS#7 certs-only bundle (.p7b), DER or PEM.
    Pkcs7,
}

/// One thing found in a file or folder.
#[derive(Debug)]
pub enum Found {
    /// A certificate.
    Certificate {
        /// The file.
        path: PathBuf,
        /// How it was stored.
        encoding: CertificateEncoding,
        /// The certificate.
        certificate: Box<Certificate>,
    },
    /// A CryptoPro container folder (its key is only read when a password is given).
    Container {
        /// The folder.
        path: PathBuf,
        /// What `header.key` says.
        header: Box<ContainerHeader>,
        /// The name CryptoPro shows.
        name: Option<String>,
    },
    /// A PKCS#8 private key, plain or encrypted.
    PrivateKey {
        /// The file.
        path: PathBuf,
        /// The key algorithm's OID (plain keys) or the encryption scheme's OID (encrypted keys).
        algorithm_oid: String,
        /// Whether a password protects it.
        encrypted: bool,
    },
    /// A PKCS#12 (PFX) file.
    Pkcs12 {
        /// The file.
        path: PathBuf,
    },
    /// A file that is plainly something else (a photo, an office document, a text): by its
    /// content's signature, or by its extension when nothing in it is a certificate or key.
    Other {
        /// The file.
        path: PathBuf,
        /// What it is, in English ("JPEG image", "office document"); shown only as a detail.
        kind: &'static str,
    },
    /// Something that could not be read, and why.
    Unreadable {
        /// The file or folder.
        path: PathBuf,
        /// Why, for a person.
        reason: String,
    },
}

/// Everything `path` holds: a file, a container folder, or a folder scanned recursively.
pub fn scan(path: &Path) -> Vec<Found> {
    walk(path).into_iter().flat_map(read).collect()
}

/// One thing to read, found by [`walk`] without reading it: a file, a CryptoPro container folder,
/// or what could not even be listed. Reading them one by one ([`read`]) lets a caller show
/// progress over a large folder and stop between two.
#[derive(Debug)]
pub enum Unit {
    /// A file, to be read by content.
    File(PathBuf),
    /// A CryptoPro container folder.
    Container(PathBuf),
    /// A file or folder that could not be listed, and why.
    Unreadable(Found),
}

/// The units under `path`, in a stable order (sorted by name at every level).
pub fn walk(path: &Path) -> Vec<Unit> {
    let mut units = Vec::new();
    walk_into(path, &mut units, 0, &mut crate::files::Visited::default());
    units
}

/// Units read ahead on a thread of their own, in order: while the caller archives what one file
/// held, the next ones are being read and parsed (a second core's worth on a large folder). At most
/// `depth` units wait read; dropping the iterator stops the reading after the unit in hand.
pub fn read_ahead(units: Vec<Unit>, depth: usize) -> ReadAhead {
    let (sender, receiver) = std::sync::mpsc::sync_channel(depth.max(1));
    // The units are handed over once the thread runs, so that they stay here if it cannot start.
    let (hand_over, handed) = std::sync::mpsc::channel::<Vec<Unit>>();
    let reader = std::thread::Builder::new()
        .name("certkeeper-read-ahead".into())
        .spawn(move || {
            for unit in handed.recv().unwrap_or_default() {
                if sender.send(read(unit)).is_err() {
                    break;
                }
            }
        });
    match reader {
        Ok(_) => match hand_over.send(units) {
            Ok(()) => ReadAhead::Thread(receiver),
            Err(std::sync::mpsc::SendError(units)) => ReadAhead::Here(units.into_iter()),
        },
        // No thread to be had (a process at its limit): each unit is read when asked for.
        Err(error) => {
            tracing::debug!("reading ahead in the caller's thread: {error}");
            ReadAhead::Here(units.into_iter())
        }
    }
}

/// What [`read_ahead`] yields: each unit's findings, in the order of the units.
pub enum ReadAhead {
    /// Read by the reading thread.
    Thread(std::sync::mpsc::Receiver<Vec<Found>>),
    /// Read as asked for.
    Here(std::vec::IntoIter<Unit>),
}

impl Iterator for ReadAhead {
    type Item = Vec<Found>;

    fn next(&mut self) -> Option<Vec<Found>> {
        match self {
            ReadAhead::Thread(receiver) => receiver.recv().ok(),
            ReadAhead::Here(units) => units.next().map(read),
        }
    }
}

/// What one unit holds.
pub fn read(unit: Unit) -> Vec<Found> {
    match unit {
        Unit::Container(folder) => vec![read_container(&folder)],
        Unit::Unreadable(found) => vec![found],
        Unit::File(path) => {
            let unreadable = |reason: String| Found::Unreadable {
                path: path.clone(),
                reason,
            };
            // Only a regular file is opened, never a FIFO or device, and never more is read
            // than a certificate or key file can be.
            match crate::files::read_regular(&path, MAX_FILE_BYTES) {
                Ok(bytes) => read_bytes(&path, &bytes),
                // A film or a large photo is larger than any key file: by its name it is other.
                Err(crate::files::FileError::TooLarge { .. }) if other_by_name(&path).is_some() => {
                    vec![Found::Other {
                        path: path.clone(),
                        kind: other_by_name(&path).unwrap_or("file"),
                    }]
                }
                Err(error) => vec![unreadable(error.to_string())],
            }
        }
    }
}

fn walk_into(
    path: &Path,
    units: &mut Vec<Unit>,
    depth: usize,
    visited: &mut crate::files::Visited,
) {
    let unreadable = |reason: String| {
        Unit::Unreadable(Found::Unreadable {
            path: path.to_path_buf(),
            reason,
        })
    };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) => return units.push(unreadable(error.to_string())),
    };
    if let Some(kind) = crate::files::special_kind(&metadata.file_type()) {
        return units.push(unreadable(format!(
            "not a regular file ({kind}); it is never read"
        )));
    }
    if !metadata.is_dir() {
        return units.push(Unit::File(path.to_path_buf()));
    }
    // A link back up the tree is followed once: the folder it leads to is walked already.
    if !visited.first_time(&metadata) {
        return;
    }
    if cryptopro::is_container(path) {
        return units.push(Unit::Container(path.to_path_buf()));
    }
    if depth > 16 {
        return units.push(unreadable("folders nested too deep".to_owned()));
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect(),
        Err(error) => return units.push(unreadable(error.to_string())),
    };
    entries.sort();
    for entry in entries {
        walk_into(&entry, units, depth + 1, visited);
    }
}

fn read_container(folder: &Path) -> Found {
    let header = crate::files::read_regular(&folder.join("header.key"), cryptopro::MAX_FILE)
        .map_err(|error| error.to_string())
        .and_then(|bytes| cryptopro::parse_header(&bytes).map_err(|error| error.to_string()));
    match header {
        Ok(header) => Found::Container {
            path: folder.to_path_buf(),
            header: Box::new(header),
            name: crate::files::read_regular(&folder.join("name.key"), cryptopro::MAX_FILE)
                .ok()
                .and_then(|bytes| cryptopro::parse_name(&bytes).ok()),
        },
        Err(reason) => Found::Unreadable {
            path: folder.to_path_buf(),
            reason: format!("CryptoPro container with a damaged header.key: {reason}"),
        },
    }
}

/// What the bytes of one file hold.
pub fn read_bytes(path: &Path, bytes: &[u8]) -> Vec<Found> {
    // PEM, also after lines of text (as `openssl pkcs12` writes it: "Bag Attributes",
    // "subject=…"): the blocks are read, the text around them is not.
    if let Some(start) = crate::formats::pem::start(bytes) {
        return read_pem(path, &bytes[start..]);
    }
    read_der(path, bytes, false)
}

fn read_pem(path: &Path, bytes: &[u8]) -> Vec<Found> {
    let mut found = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(bytes) {
        match block {
            Ok(block) => match block.label.as_str() {
                "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                    found.push(certificate(path, &block.contents, CertificateEncoding::Pem));
                }
                _ => found.extend(read_der(path, &block.contents, true)),
            },
            Err(error) => {
                found.push(Found::Unreadable {
                    path: path.to_path_buf(),
                    reason: format!("broken PEM: {error}"),
                });
                break;
            }
        }
    }
    if found.is_empty() {
        found.push(Found::Unreadable {
            path: path.to_path_buf(),
            reason: "PEM file without any block".to_owned(),
        });
    }
    found
}

fn certificate(path: &Path, der: &[u8], encoding: CertificateEncoding) -> Found {
    match Certificate::from_der(der) {
        Ok(certificate) => Found::Certificate {
            path: path.to_path_buf(),
            encoding,
            certificate: Box::new(certificate),
        },
        Err(error) => Found::Unreadable {
            path: path.to_path_buf(),
            reason: error.to_string(),
        },
    }
}

const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const DATA: &str = "1.2.840.113549.1.7.1";

/// Extensions of files that certificates and keys come in: such a file is never set aside as
/// "other" by its name, only read.
const KEY_EXTENSIONS: &[&str] = &[
    "cer", "crt", "der", "pem", "p7b", "p7c", "p7m", "p7s", "p7e", "sig", "sgn", "pfx", "p12",
    "key", "enc", "cms", "csr", "req", "p10", "crl",
];

/// Whether `path` is named as a certificate or key file: then it is read as one, and an error when
/// it is not one, whatever it holds.
fn named_as_key(path: &Path) -> bool {
    path.extension().is_some_and(|extension| {
        KEY_EXTENSIONS.contains(&extension.to_string_lossy().to_lowercase().as_str())
    })
}

/// What a file is by its extension, when it is a kind that never holds a certificate or key.
fn other_by_name(path: &Path) -> Option<&'static str> {
    let extension = path.extension()?.to_string_lossy().to_lowercase();
    Some(match extension.as_str() {
        "jpg" | "jpeg" | "png" | "gif" | "bmp" | "tif" | "tiff" | "heic" | "webp" | "svg" => {
            "image"
        }
        "pdf" => "PDF document",
        "doc" | "docx" | "xls" | "xlsx" | "xlsm" | "odt" | "ods" | "odp" | "ppt" | "pptx"
        | "rtf" => "office document",
        "txt" | "csv" | "md" | "log" | "ini" | "xml" | "html" | "htm" | "json" => "text",
        "mp3" | "wav" | "ogg" | "mp4" | "avi" | "mov" | "mkv" | "m4a" => "audio or video",
        "zip" | "rar" | "7z" | "gz" | "tar" | "iso" => "archive",
        "exe" | "dll" | "msi" | "lnk" | "sys" => "program",
        _ => return None,
    })
}

/// What a file is by its content's signature, when it is a kind that never holds a certificate or
/// key (the first bytes of JPEG, PNG, GIF, PDF, ZIP and office files, …), or plain text with no
/// PEM block in it.
fn other_by_content(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"\x89PNG\r\n\x1A\n", "PNG image"),
        (b"GIF8", "GIF image"),
        (b"%PDF-", "PDF document"),
        (b"PK\x03\x04", "ZIP archive or office document"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "office document"),
        (b"{\\rtf", "RTF document"),
        (b"Rar!", "RAR archive"),
        (b"7z\xBC\xAF\x27\x1C", "7-Zip archive"),
        (b"RIFF", "audio or video"),
        (b"ID3", "audio"),
        (b"MZ", "program"),
        (b"BM", "image"),
    ];
    if let Some((_, kind)) = SIGNATURES
        .iter()
        .find(|(signature, _)| bytes.starts_with(signature))
    {
        return Some(kind);
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return Some("photo or video");
    }
    let text = std::str::from_utf8(bytes).ok()?;
    (!text.contains('\0') && !text.contains("-----BEGIN ")).then_some("text")
}

fn read_der(path: &Path, bytes: &[u8], from_pem: bool) -> Vec<Found> {
    let unknown = || {
        if !from_pem
            && !named_as_key(path)
            && let Some(kind) = other_by_content(bytes).or_else(|| other_by_name(path))
        {
            return vec![Found::Other {
                path: path.to_path_buf(),
                kind,
            }];
        }
        vec![Found::Unreadable {
            path: path.to_path_buf(),
            reason: "not a certificate, key, PKCS#7 or PKCS#12 file".to_owned(),
        }]
    };
    let Ok(Some(outer)) = Reader::new(bytes).next_tlv("file") else {
        return unknown();
    };
    if outer.tag != tag::SEQUENCE {
        return unknown();
    }
    if Certificate::from_der(outer.raw).is_ok() {
        let encoding = if from_pem {
            CertificateEncoding::Pem
        } else {
            CertificateEncoding::Der
        };
        return vec![certificate(path, outer.raw, encoding)];
    }
    let mut fields = outer.children();
    let first = fields.next_tlv("file").ok().flatten();
    let second = fields.next_tlv("file").ok().flatten();
    let third = fields.next_tlv("file").ok().flatten();
    match (first, second, third) {
        // ContentInfo { signedData, [0] SignedData }: a PKCS#7 bundle.
        (Some(oid), Some(content), _)
            if oid.tag == tag::OID
                && der::oid_to_string(oid.value).as_deref() == Some(SIGNED_DATA) =>
        {
            read_pkcs7(path, content)
        }
        // PFX { version 3, authSafe ContentInfo, macData }.
        (Some(version), Some(auth_safe), _)
            if version.tag == tag::INTEGER
                && version.value == [3]
                && auth_safe.tag == tag::SEQUENCE
                && {
                    let mut inner = auth_safe.children();
                    inner
                        .next_tlv("authSafe")
                        .ok()
                        .flatten()
                        .is_some_and(|oid| {
                            der::oid_to_string(oid.value).as_deref() == Some(DATA)
                                || der::oid_to_string(oid.value).as_deref() == Some(SIGNED_DATA)
                        })
                } =>
        {
            vec![Found::Pkcs12 {
                path: path.to_path_buf(),
            }]
        }
        // PrivateKeyInfo { version, AlgorithmIdentifier, OCTET STRING }.
        (Some(version), Some(algorithm), Some(key))
            if version.tag == tag::INTEGER
                && algorithm.tag == tag::SEQUENCE
                && key.tag == tag::OCTET_STRING =>
        {
            vec![private_key(path, algorithm, false)]
        }
        // EncryptedPrivateKeyInfo { AlgorithmIdentifier, OCTET STRING }.
        (Some(algorithm), Some(data), None)
            if algorithm.tag == tag::SEQUENCE && data.tag == tag::OCTET_STRING =>
        {
            vec![private_key(path, algorithm, true)]
        }
        _ => unknown(),
    }
}

fn private_key(path: &Path, algorithm: der::Tlv<'_>, encrypted: bool) -> Found {
    let algorithm_oid = algorithm
        .children()
        .next_tlv("algorithm")
        .ok()
        .flatten()
        .and_then(|oid| der::oid_to_string(oid.value))
        .unwrap_or_default();
    Found::PrivateKey {
        path: path.to_path_buf(),
        algorithm_oid,
        encrypted,
    }
}

/// SignedData { version, digestAlgorithms, encapContentInfo, certificates [0] IMPLICIT, ... }.
fn read_pkcs7(path: &Path, explicit: der::Tlv<'_>) -> Vec<Found> {
    let broken = |reason: &str| {
        vec![Found::Unreadable {
            path: path.to_path_buf(),
            reason: format!("broken PKCS#7 bundle: {reason}"),
        }]
    };
    let Ok(Some(signed_data)) = explicit.children().next_tlv("SignedData") else {
        return broken("no SignedData");
    };
    let mut fields = signed_data.children();
    let mut found = Vec::new();
    loop {
        match fields.next_tlv("SignedData") {
            Ok(Some(field)) if field.tag == 0xa0 => {
                let mut certificates = field.children();
                loop {
                    match certificates.next_tlv("certificate") {
                        Ok(Some(entry)) => {
                            found.push(certificate(path, entry.raw, CertificateEncoding::Pkcs7))
                        }
                        Ok(None) => break,
                        Err(error) => return broken(&error.to_string()),
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) => return broken(&error.to_string()),
        }
    }
    if found.is_empty() {
        return broken("it holds no certificate");
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hostile drive: five links to itself, a FIFO no one writes to, a link to /dev/zero. The
    /// walk ends, the FIFO and the device are named as never read, nothing blocks.
    #[cfg(unix)]
    #[test]
    fn links_back_up_fifos_and_devices_neither_hang_nor_loop() {
        let dir = tempfile::tempdir().expect("dir");
        let drive = dir.path().join("drive");
        std::fs::create_dir_all(drive.join("inner")).expect("mkdir");
        std::fs::write(drive.join("inner/readme.txt"), b"not a certificate").expect("write");
        for n in 0..5 {
            std::os::unix::fs::symlink(".", drive.join(format!("loop-{n}"))).expect("symlink");
        }
        std::os::unix::fs::symlink("..", drive.join("inner/up")).expect("symlink");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(drive.join("pipe.cer"))
                .status()
                .expect("mkfifo")
                .success()
        );
        std::os::unix::fs::symlink("/dev/zero", drive.join("zero.pfx")).expect("symlink");
        let found = scan(&drive);
        let reasons: Vec<String> = found
            .iter()
            .filter_map(|found| match found {
                Found::Unreadable { path, reason } => Some(format!(
                    "{}: {reason}",
                    path.file_name().unwrap_or_default().to_string_lossy()
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            reasons,
            [
                "pipe.cer: not a regular file (a FIFO); it is never read".to_owned(),
                "zero.pfx: not a regular file (a device); it is never read".to_owned(),
            ],
            "{found:?}"
        );
    }

    fn names(found: &[Found]) -> Vec<String> {
        found
            .iter()
            .map(|found| match found {
                Found::Certificate { path, .. }
                | Found::Pkcs12 { path }
                | Found::PrivateKey { path, .. }
                | Found::Container { path, .. }
                | Found::Other { path, .. }
                | Found::Unreadable { path, .. } => path.display().to_string(),
            })
            .collect()
    }

    /// Photos, office documents and texts are other files, by content or by name; a file named as
    /// a certificate or key is never set aside by its name, and binary junk stays unreadable.
    #[test]
    fn plainly_other_files_are_told_from_unreadable_ones() {
        let kind = |name: &str, bytes: &[u8]| match read_bytes(Path::new(name), bytes).as_slice() {
            [Found::Other { kind, .. }] => Some(*kind),
            [Found::Unreadable { .. }] => None,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            kind("IMG_1.JPG", b"\xFF\xD8\xFF\xE1junk"),
            Some("JPEG image")
        );
        assert_eq!(kind("a", b"%PDF-1.4 junk"), Some("PDF document"));
        assert_eq!(
            kind("Договор.docx", b"PK\x03\x04junk"),
            Some("ZIP archive or office document")
        );
        assert_eq!(kind("notes.txt", "пароль в сейфе".as_bytes()), Some("text"));
        assert_eq!(
            kind("photo.heic", b"\x00\x00\x00\x18ftypheic"),
            Some("photo or video")
        );
        assert_eq!(
            kind("table.xlsx", b"\x01\x02\x03\xFE"),
            Some("office document")
        );
        // Named as a certificate: read, and unreadable when it is not one.
        assert_eq!(kind("broken.cer", b"\x30\x82\x01\x00\xFE\xFF"), None);
        assert_eq!(kind("blob", b"\x30\x82\x01\x00\xFE\xFF"), None);
        assert_eq!(kind("text.cer", b"not a certificate"), None);
        // PEM after text (as `openssl pkcs12 -out` writes it) is read as PEM, never set aside.
        let found = read_bytes(
            Path::new("bundle.pem"),
            b"Bag Attributes\n    localKeyID: 01\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        );
        assert!(
            matches!(found.as_slice(), [Found::Unreadable { reason, .. }] if !reason.contains("not a certificate, key")),
            "{found:?}"
        );
    }

    #[test]
    fn read_ahead_yields_what_reading_in_turn_does_and_stops_when_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        for n in 0..200 {
            std::fs::write(
                dir.path().join(format!("{n:03}.cer")),
                format!("not a certificate {n}"),
            )
            .expect("write");
        }
        let in_turn = scan(dir.path());
        let ahead: Vec<Found> = read_ahead(walk(dir.path()), 4).flatten().collect();
        assert_eq!(in_turn.len(), 200);
        assert_eq!(names(&ahead), names(&in_turn));
        // Stopping after a few: the reading thread ends instead of blocking on the rest.
        let mut reading = read_ahead(walk(dir.path()), 2);
        assert!(reading.next().is_some());
        drop(reading);
    }
}
