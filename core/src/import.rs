//! Importing every certificate and key container in files and folders into the archive — the use
//! case behind `certkeeper import` and the window's Import page.
//!
//! Files are found and read ahead on a second thread ([`detect::read_ahead`]) while the archive
//! writes; they go in batches, each one transaction through the [`Keeper`] (the archive, which
//! storage implements). Every container is kept whole; its key is taken out when its password is
//! known: the empty password first (a file has no retry counter), then the one given, else the
//! person is asked once per container through the prompt (an empty answer keeps it locked).

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::cert::Certificate;
use crate::cms::recipients::Recipient;
use crate::error::FormatError;
use crate::formats::cryptopro::{self, ContainerFiles, ContainerHeader};
use crate::formats::detect::{self, Found};
use crate::formats::pbe::Budget;
use crate::formats::pkcs8::{self, KeyInfo, PublicKeyMaterial};
use crate::formats::pkcs12;
use crate::interact::{Prompt, Request};
use crate::keys::ContainerKind;
use crate::media::registry::RegistryStore;
use crate::open::SourceError;

/// A private key taken out of a container.
pub struct UnlockedKey {
    /// The key algorithm, by name.
    pub algorithm: String,
    /// The public key's identifier ([`certkeeper_core::formats::pkcs8::PublicKeyMaterial::id`]).
    pub public_key: String,
    /// The PKCS#8 PrivateKeyInfo, DER.
    pub private_key_info: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for UnlockedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnlockedKey")
            .field("algorithm", &self.algorithm)
            .field("public_key", &self.public_key)
            .field("private_key_info", &"[REDACTED]")
            .finish()
    }
}

/// A container to archive. Its `Debug` shows the size of the original, never its bytes (an
/// unencrypted PKCS#8 file is the key itself).
pub struct KeyImport<'a> {
    /// Its kind.
    pub kind: ContainerKind,
    /// Its name as CryptoPro shows it, or the file's name.
    pub name: &'a str,
    /// The container as found (see [`ContainerKind`]).
    pub original: &'a [u8],
    /// The public key of the key inside, when known (with or without the password).
    pub public_key: Option<&'a str>,
    /// The keys taken out of it; empty when its password is not known.
    pub keys: &'a [UnlockedKey],
    /// The password, when the user asked to keep it in the archive.
    pub keep_password: Option<&'a SecretString>,
}

impl std::fmt::Debug for KeyImport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyImport")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("original_bytes", &self.original.len())
            .field("public_key", &self.public_key)
            .field("keys", &self.keys)
            .field("keep_password", &self.keep_password.is_some())
            .finish()
    }
}

/// What happened to a container on import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyImported {
    /// Newly archived, with this many new private keys.
    Added {
        /// Private keys archived that were not there yet.
        new_keys: usize,
    },
    /// Already in the archive ("last seen" updated), with this many private keys it gave only now
    /// (its password was not known before).
    AlreadyThere {
        /// Private keys archived that were not there yet.
        new_keys: usize,
    },
}

/// What happened to one certificate on import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// Newly archived.
    Added,
    /// Already in the archive: only "last seen" changed.
    AlreadyThere,
}

/// What one file (or container folder) holds, to archive.
#[derive(Debug)]
pub struct FileImport<'a> {
    /// Where it was seen.
    pub location: &'a str,
    /// Its certificates.
    pub certificates: &'a [Certificate],
    /// Its key container, when it is one.
    pub key: Option<KeyImport<'a>>,
}

/// What became of one file's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileImported {
    /// Each certificate, in order.
    pub certificates: Vec<Imported>,
    /// The key container.
    pub key: Option<KeyImported>,
}

/// The JSON summary of `import` (documented in the README).
#[derive(Debug, Default, Serialize)]
pub struct ImportSummary {
    /// Certificates newly archived (each certificate once, however many files hold it).
    pub added: usize,
    /// Certificates that were in the archive already (each once).
    pub already_there: usize,
    /// Every key container, PFX and key file found.
    pub keys: Vec<KeyReport>,
    /// Files that could not be read, and why.
    pub unreadable: Vec<Unreadable>,
    /// Files that are plainly not certificates or keys (photos, office documents, texts): counted,
    /// not errors.
    pub other_files: usize,
    /// Stopped before the end when asked (the window's "Stop"); what was read is archived.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
    /// The thumbprints counted so far.
    #[serde(skip)]
    counted: std::collections::HashSet<String>,
}

/// What became of one key container, PFX or key file.
#[derive(Debug, Serialize)]
pub struct KeyReport {
    /// Where it was.
    pub path: PathBuf,
    /// Its kind (`cryptopro`, `pkcs12`, `pkcs8`).
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// What became of it.
    pub status: KeyStatus,
    /// Private keys archived that were not in the archive yet.
    pub new_keys: usize,
}

/// What became of a key container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// Archived, with its key(s) unlocked: old documents open without its password.
    Archived,
    /// Archived before; "last seen" updated (and its key unlocked now if it was not).
    AlreadyThere,
    /// Archived whole, but locked: its password was not given.
    Locked,
    /// Archived whole, but locked: the password given does not open it.
    WrongPassword,
}

/// A file that could not be read.
#[derive(Debug, Serialize)]
pub struct Unreadable {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
    /// Why, typed, when a format's reader said it (for a message in the person's language).
    #[serde(skip)]
    pub error: Option<FormatError>,
}

/// Why a file of an import could not be read: a reader's typed error, or a description.
#[derive(Debug)]
enum Failure {
    Format(FormatError),
    Other(String),
}

impl From<FormatError> for Failure {
    fn from(error: FormatError) -> Self {
        Self::Format(error)
    }
}

/// Files per transaction on import: large enough that the commit's fsync does not dominate, small
/// enough that the write lock is held for well under a second (the window and the reminder service
/// wait for it).
const IMPORT_BATCH: usize = 500;

/// Files read ahead of the one being archived.
const READ_AHEAD: usize = 64;

/// A container ready to archive, owning what [`KeyImport`] borrows.
struct PendingKey {
    kind: ContainerKind,
    name: String,
    original: Zeroizing<Vec<u8>>,
    public_key: Option<String>,
    keys: Vec<UnlockedKey>,
    keep_password: Option<SecretString>,
    /// Whether it opened; why not otherwise.
    locked: Option<KeyStatus>,
}

struct Pending {
    location: PathBuf,
    certificates: Vec<Certificate>,
    key: Option<PendingKey>,
}

/// How container passwords are found: the empty password first (a file has no retry counter),
/// then the one given, else the person is asked once per container.
pub struct Passwords<'a> {
    /// The password given (a file on the command line, typed in the window).
    pub given: Option<SecretString>,
    /// Keep the passwords that opened containers in the archive.
    pub keep: bool,
    /// Who is asked when nothing else opens a container; declining keeps it locked.
    pub prompt: &'a dyn Prompt,
    /// The window's Stop: it also ends a file's password check under way (the import then stops
    /// as it does between files).
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl Passwords<'_> {
    /// Tries `open` with the empty password (within a guess's work budget: a file that asks for
    /// more is taken as locked), then the given one or one asked (within a file's). The password
    /// that opened it (when one was needed), or why nothing did.
    fn unlock<T>(
        &self,
        what: &str,
        mut open: impl FnMut(&SecretString, &Budget) -> Result<T, FormatError>,
    ) -> Result<(T, Option<SecretString>), Result<KeyStatus, FormatError>> {
        let empty = SecretString::from(String::new());
        match open(&empty, &Budget::for_a_guess().stopped_by(self.stop.clone())) {
            Ok(value) => return Ok((value, None)),
            Err(
                FormatError::WrongContainerPassword
                | FormatError::WrongFilePassword
                | FormatError::TooMuchWork,
            ) => {}
            Err(other) => return Err(Err(other)),
        }
        let password = match &self.given {
            Some(password) => password.clone(),
            None => match self
                .prompt
                .secret(&Request::PasswordToArchive { name: what })
            {
                Ok(password) if !password.expose_secret().is_empty() => password,
                _ => return Err(Ok(KeyStatus::Locked)),
            },
        };
        match open(&password, &Budget::per_file().stopped_by(self.stop.clone())) {
            Ok(value) => Ok((value, Some(password))),
            Err(FormatError::WrongContainerPassword | FormatError::WrongFilePassword) => {
                Err(Ok(KeyStatus::WrongPassword))
            }
            Err(other) => Err(Err(other)),
        }
    }
}

/// What an import needs of the archive.
pub trait Keeper {
    /// Whether the archive holds this container unlocked already (then nobody is asked its
    /// password again).
    fn holds_unlocked(&self, kind: ContainerKind, original: &[u8]) -> bool;

    /// Keeps `files` in one transaction.
    fn keep(&mut self, files: &[FileImport<'_>]) -> Result<Vec<FileImported>, SourceError>;

    /// The content key of one of `recipients` from the keys the archive keeps unlocked, asking
    /// nothing: for a part of a file encrypted to an archived certificate's key (a PFX in
    /// public-key privacy mode).
    fn content_key(&self, recipients: &[Recipient]) -> Option<Zeroizing<Vec<u8>>> {
        let _ = recipients;
        None
    }
}

fn unlocked_from_info(info: &KeyInfo, fallback: Option<&PublicKeyMaterial>) -> Option<UnlockedKey> {
    let public = info.public_key_material().or_else(|| fallback.cloned())?;
    Some(UnlockedKey {
        algorithm: pkcs8::algorithm_name(&info.algorithm_oid),
        public_key: public.id(),
        private_key_info: info.der.clone(),
    })
}

/// Whether the archive holds this container unlocked already (then nobody is asked its password
/// again; a PFX's certificates were archived when it was unlocked). A failed lookup only means the
/// password is asked.
fn known_unlocked(archive: &dyn Keeper, kind: ContainerKind, original: &[u8]) -> bool {
    archive.holds_unlocked(kind, original)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A CryptoPro container folder: kept whole; its key taken out when the password is known.
fn container(
    archive: &dyn Keeper,
    path: &Path,
    header: &ContainerHeader,
    name: Option<String>,
    files: ContainerFiles,
    passwords: &Passwords<'_>,
) -> Result<Pending, (PathBuf, Failure)> {
    let unreadable = |error: FormatError| (path.to_path_buf(), Failure::from(error));
    let certificate = header
        .certificate
        .as_deref()
        .and_then(|der| Certificate::from_der(der).ok());
    let name = name.unwrap_or_else(|| file_name(path));
    // Named as CryptoPro names it, with whose certificate it holds and where it is.
    let what = match &certificate {
        Some(certificate) => format!(
            "«{name}» — {} ({})",
            certificate.subject.display_name(),
            path.display()
        ),
        None => format!("«{name}» ({})", path.display()),
    };
    let original = files.to_der();
    let opened = if known_unlocked(archive, ContainerKind::CryptoPro, &original) {
        Err(Ok(None))
    } else {
        passwords
            .unlock(&what, |password, _| files.open(password))
            .map_err(|error| error.map(Some))
    };
    let (keys, password, locked) = match opened {
        Ok((opened, password)) => {
            let info = opened.private_key_info();
            let public = PublicKeyMaterial {
                family: "gost",
                bytes: opened.key.public_key().to_le_bytes().to_vec(),
            };
            let key = UnlockedKey {
                algorithm: pkcs8::algorithm_name(&header.algorithm_oid),
                public_key: public.id(),
                private_key_info: info,
            };
            (vec![key], password, None)
        }
        Err(Ok(status)) => (Vec::new(), None, status),
        Err(Err(error)) => return Err(unreadable(error)),
    };
    Ok(Pending {
        location: path.to_path_buf(),
        key: Some(PendingKey {
            kind: ContainerKind::CryptoPro,
            name,
            original,
            public_key: certificate
                .as_ref()
                .and_then(Certificate::public_key_material)
                .map(|material| material.id()),
            keys,
            keep_password: password.filter(|_| passwords.keep),
            locked,
        }),
        certificates: certificate.into_iter().collect(),
    })
}

/// The bytes of a PFX or key file (a regular file, at most [`detect::MAX_FILE_BYTES`]), or why not.
fn read_key_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, (PathBuf, Failure)> {
    crate::files::read_regular(path, detect::MAX_FILE_BYTES)
        .map(Zeroizing::new)
        .map_err(|error| (path.to_path_buf(), Failure::Other(error.to_string())))
}

/// A PFX file: kept whole; its certificates and keys taken out when the password is known.
fn pfx(
    archive: &dyn Keeper,
    path: &Path,
    passwords: &Passwords<'_>,
) -> Result<Pending, (PathBuf, Failure)> {
    let unreadable = |error: FormatError| (path.to_path_buf(), Failure::from(error));
    let bytes = read_key_file(path)?;
    let what = format!("{}", path.display());
    let opened = if known_unlocked(archive, ContainerKind::Pkcs12, &bytes) {
        Err(Ok(None))
    } else {
        passwords
            .unlock(&what, |password, budget| {
                pkcs12::parse_with(
                    &bytes,
                    password.expose_secret().as_bytes(),
                    budget,
                    &|document| {
                        crate::open::open_in_memory(document, &|recipients| {
                            archive.content_key(recipients)
                        })
                        .map_err(|error| match error {
                            crate::open::OpenError::KeyDoesNotFit { .. } => {
                                FormatError::EncryptedToCertificate
                            }
                            _ => FormatError::Der {
                                what: "PKCS#12 file",
                                offset: 0,
                                reason: "a part encrypted to a certificate's key does not open",
                            },
                        })
                    },
                )
            })
            .map_err(|error| error.map(Some))
    };
    let (certificates, keys, password, locked) = match opened {
        Ok((pfx, password)) => {
            let certificates: Vec<Certificate> = pfx
                .certificates
                .iter()
                .filter_map(|der| Certificate::from_der(der).ok())
                .collect();
            // A key without its public half (EC keys may omit it) belongs to the file's one
            // end-entity certificate, if it has only one.
            let end_entities: Vec<&Certificate> =
                certificates.iter().filter(|cert| !cert.is_ca).collect();
            let fallback = match end_entities.as_slice() {
                [only] => only.public_key_material(),
                _ => None,
            };
            let keys = pfx
                .keys
                .iter()
                .filter_map(|info| unlocked_from_info(info, fallback.as_ref()))
                .collect();
            (certificates, keys, password, None)
        }
        Err(Ok(status)) => (Vec::new(), Vec::new(), None, status),
        Err(Err(error)) => return Err(unreadable(error)),
    };
    Ok(Pending {
        location: path.to_path_buf(),
        certificates,
        key: Some(PendingKey {
            kind: ContainerKind::Pkcs12,
            name: file_name(path),
            original: bytes,
            public_key: None,
            keys,
            keep_password: password.filter(|_| passwords.keep),
            locked,
        }),
    })
}

/// A PKCS#8 key file: kept whole; the key taken out (when encrypted, with the password).
fn key_file(
    archive: &dyn Keeper,
    path: &Path,
    encrypted: bool,
    passwords: &Passwords<'_>,
) -> Result<Pending, (PathBuf, Failure)> {
    let unreadable = |error: FormatError| (path.to_path_buf(), Failure::from(error));
    let bytes = read_key_file(path)?;
    let what = format!("{}", path.display());
    let opened = if encrypted && known_unlocked(archive, ContainerKind::Pkcs8, &bytes) {
        Err(Ok(None))
    } else if encrypted {
        passwords
            .unlock(&what, |password, budget| {
                pkcs8::from_file_within(&bytes, true, password.expose_secret().as_bytes(), budget)
            })
            .map_err(|error| error.map(Some))
    } else {
        pkcs8::from_file(&bytes, false, b"")
            .map(|info| (info, None))
            .map_err(Err)
    };
    let (keys, password, locked) = match opened {
        Ok((info, password)) => (
            unlocked_from_info(&info, None).into_iter().collect(),
            password,
            None,
        ),
        Err(Ok(status)) => (Vec::new(), None, status),
        Err(Err(error)) => return Err(unreadable(error)),
    };
    Ok(Pending {
        location: path.to_path_buf(),
        certificates: Vec::new(),
        key: Some(PendingKey {
            kind: ContainerKind::Pkcs8,
            name: file_name(path),
            original: bytes,
            public_key: None,
            keys,
            keep_password: password.filter(|_| passwords.keep),
            locked,
        }),
    })
}

/// Archives `pending` in one transaction and counts the results.
fn import_batch(
    archive: &mut dyn Keeper,
    pending: &mut Vec<Pending>,
    summary: &mut ImportSummary,
) -> Result<(), SourceError> {
    if pending.is_empty() {
        return Ok(());
    }
    // A removable drive is named by its label and serial as well as its path.
    let mut places = crate::media::volume::Places::default();
    let locations: Vec<String> = pending
        .iter()
        .map(|item| places.name(&item.location))
        .collect();
    let files: Vec<FileImport<'_>> = pending
        .iter()
        .zip(&locations)
        .map(|(item, location)| FileImport {
            location,
            certificates: &item.certificates,
            key: item.key.as_ref().map(|key| KeyImport {
                kind: key.kind,
                name: &key.name,
                original: &key.original,
                public_key: key.public_key.as_deref(),
                keys: &key.keys,
                keep_password: key.keep_password.as_ref(),
            }),
        })
        .collect();
    let results = archive.keep(&files)?;
    for (item, result) in pending.iter().zip(results) {
        for (certificate, imported) in item.certificates.iter().zip(result.certificates) {
            // The same certificate in a container, a PEM and a PFX is one certificate: counted
            // the first time, as what happened then.
            if summary.counted.insert(certificate.sha1_thumbprint.clone()) {
                match imported {
                    Imported::Added => summary.added += 1,
                    Imported::AlreadyThere => summary.already_there += 1,
                }
            }
        }
        if let (Some(key), Some(imported)) = (&item.key, result.key) {
            let (status, new_keys) = match imported {
                KeyImported::Added { new_keys } => {
                    (key.locked.unwrap_or(KeyStatus::Archived), new_keys)
                }
                KeyImported::AlreadyThere { new_keys } => {
                    (key.locked.unwrap_or(KeyStatus::AlreadyThere), new_keys)
                }
            };
            summary.keys.push(KeyReport {
                path: item.location.clone(),
                kind: key.kind.as_str(),
                name: key.name.clone(),
                status,
                new_keys,
            });
        }
    }
    pending.clear();
    Ok(())
}

/// What a file or folder found holds, read (a container's key taken out when its password is
/// known); `None` for a file that is plainly something else.
fn read_found(
    archive: &dyn Keeper,
    found: Found,
    passwords: &Passwords<'_>,
) -> Result<Option<Pending>, (PathBuf, Failure)> {
    Ok(Some(match found {
        Found::Certificate {
            path, certificate, ..
        } => Pending {
            location: path,
            certificates: vec![*certificate],
            key: None,
        },
        Found::Container { path, header, name } => match ContainerFiles::read(&path) {
            Ok(files) => container(archive, &path, &header, name, files, passwords)?,
            Err(error) => return Err((path, Failure::from(error))),
        },
        Found::Pkcs12 { path } => pfx(archive, &path, passwords)?,
        Found::PrivateKey {
            path, encrypted, ..
        } => key_file(archive, &path, encrypted, passwords)?,
        Found::Other { .. } => return Ok(None),
        Found::Unreadable { path, reason } => return Err((path, Failure::Other(reason))),
    }))
}

/// A container of the registry store, read as a container folder is.
fn stored(
    archive: &dyn Keeper,
    place: PathBuf,
    files: ContainerFiles,
    passwords: &Passwords<'_>,
) -> Result<Pending, (PathBuf, Failure)> {
    match cryptopro::parse_header(&files.header) {
        Ok(header) => {
            let name = files
                .name
                .as_deref()
                .and_then(|bytes| cryptopro::parse_name(bytes).ok());
            container(archive, &place, &header, name, files, passwords)
        }
        Err(error) => Err((place, Failure::from(error))),
    }
}

/// How far an import has got: files and container folders read of all found.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Read so far.
    pub done: usize,
    /// Found in all.
    pub total: usize,
}

/// Archives everything under `paths`. `progress` hears after every file; when it answers false
/// the import stops there, keeping everything read so far (committed like the rest) and saying
/// so in the summary.
pub fn import_paths(
    archive: &mut dyn Keeper,
    paths: &[PathBuf],
    passwords: &Passwords<'_>,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<ImportSummary, SourceError> {
    // Where files were seen is remembered as absolute, canonical paths.
    let paths: Vec<PathBuf> = paths
        .iter()
        .map(|path| crate::files::lasting_path(path))
        .collect();
    let units: Vec<detect::Unit> = paths.iter().flat_map(|path| detect::walk(path)).collect();
    let total = units.len();
    // Files are read and parsed a little ahead on a second thread while this one archives.
    let findings = detect::read_ahead(units, READ_AHEAD)
        .map(|findings| findings.into_iter().map(Item::Found).collect());
    import_items(
        archive,
        findings,
        total,
        ImportSummary::default(),
        passwords,
        progress,
    )
}

/// Archives every container of the registry store (on Windows the registry itself), as
/// [`import_paths`] does a folder's.
pub fn import_store(
    archive: &mut dyn Keeper,
    store: &RegistryStore,
    passwords: &Passwords<'_>,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<ImportSummary, SourceError> {
    let mut summary = ImportSummary::default();
    let entries = match store.list() {
        Ok(entries) => entries,
        Err(error) => {
            summary.unreadable.push(Unreadable {
                path: store.folder().to_path_buf(),
                reason: error.to_string(),
                error: None,
            });
            Vec::new()
        }
    };
    let total = entries.len();
    let items = entries.into_iter().map(|entry| {
        vec![Item::Stored {
            place: entry.folder,
            files: entry.files,
        }]
    });
    import_items(archive, items, total, summary, passwords, progress)
}

/// What an import reads: a file or folder found, or a container of the registry store.
enum Item {
    Found(Found),
    Stored {
        place: PathBuf,
        files: ContainerFiles,
    },
}

fn import_items(
    archive: &mut dyn Keeper,
    items: impl Iterator<Item = Vec<Item>>,
    total: usize,
    mut summary: ImportSummary,
    passwords: &Passwords<'_>,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<ImportSummary, SourceError> {
    // Files go in batches, each batch one transaction: a crash keeps every whole batch before it, and
    // the summary (the only success reported) comes after the last commit.
    let mut pending: Vec<Pending> = Vec::new();
    'files: for (done, findings) in items.enumerate() {
        if !progress(Progress { done, total }) {
            summary.stopped = true;
            break;
        }
        for found in findings {
            let item = match found {
                Item::Found(found) => read_found(&*archive, found, passwords),
                Item::Stored { place, files } => {
                    stored(&*archive, place, files, passwords).map(Some)
                }
            };
            // Stopped during a file's password check: that file is left, as the next one is.
            if passwords
                .stop
                .as_ref()
                .is_some_and(|stop| stop.load(std::sync::atomic::Ordering::SeqCst))
            {
                summary.stopped = true;
                break 'files;
            }
            match item {
                Ok(Some(item)) => pending.push(item),
                Ok(None) => summary.other_files += 1,
                Err((path, Failure::Other(reason))) => summary.unreadable.push(Unreadable {
                    path,
                    reason,
                    error: None,
                }),
                Err((path, Failure::Format(error))) => summary.unreadable.push(Unreadable {
                    path,
                    reason: error.to_string(),
                    error: Some(error),
                }),
            }
            if pending.len() == IMPORT_BATCH {
                import_batch(archive, &mut pending, &mut summary)?;
            }
        }
    }
    import_batch(archive, &mut pending, &mut summary)?;
    if !summary.stopped {
        progress(Progress { done: total, total });
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_import_shows_neither_the_key_file_nor_the_password_in_debug() {
        let original = b"0.\x02\x01\x00 the unencrypted key itself";
        let password = SecretString::from("hunter2".to_owned());
        let import = KeyImport {
            kind: ContainerKind::Pkcs8,
            name: "key.pem",
            original,
            public_key: None,
            keys: &[],
            keep_password: Some(&password),
        };
        let shown = format!("{import:?}");
        assert!(
            shown.contains(&format!("original_bytes: {}", original.len())),
            "{shown}"
        );
        for secret in ["the unencrypted key", "48, 46", "hunter2"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
