//! `certkeeper import`: every certificate and key container in files and folders goes into the archive.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::cert::Certificate;
use certkeeper_core::error::FormatError;
use certkeeper_core::formats::cryptopro::{ContainerFiles, ContainerHeader};
use certkeeper_core::formats::detect::{self, Found};
use certkeeper_core::formats::pkcs8::{self, KeyInfo, PublicKeyMaterial};
use certkeeper_core::formats::pkcs12;
use certkeeper_core::secret::{ExposeSecret, SecretString};
use certkeeper_storage::Archive;
use certkeeper_storage::certificates::{FileImport, Imported};
use certkeeper_storage::keys::{KeyImport, KeyImported, KeyKind, UnlockedKey};
use serde::Serialize;
use zeroize::Zeroizing;

use super::Context;
use super::archive::{ask_secret, open_archive};
use crate::messages::{AppError, Asked, Lang};

/// The JSON summary of `import` (documented in the README).
#[derive(Debug, Default, Serialize)]
pub(crate) struct ImportSummary {
    /// Certificates newly archived.
    pub added: usize,
    /// Certificates that were in the archive already.
    pub already_there: usize,
    /// Every key container, PFX and key file found.
    pub keys: Vec<KeyReport>,
    pub unreadable: Vec<Unreadable>,
    /// Stopped before the end when asked (the window's "Stop"); what was read is archived.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
}

#[derive(Debug, Serialize)]
pub(crate) struct KeyReport {
    pub path: PathBuf,
    pub kind: &'static str,
    pub name: String,
    pub status: KeyStatus,
    /// Private keys archived that were not in the archive yet.
    pub new_keys: usize,
}

/// What became of a key container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum KeyStatus {
    /// Archived, with its key(s) unlocked: old documents open without its password.
    Archived,
    /// Archived before; "last seen" updated (and its key unlocked now if it was not).
    AlreadyThere,
    /// Archived whole, but locked: its password was not given.
    Locked,
    /// Archived whole, but locked: the password given does not open it.
    WrongPassword,
}

#[derive(Debug, Serialize)]
pub(crate) struct Unreadable {
    pub path: PathBuf,
    pub reason: String,
}

/// Files per transaction on import: large enough that the commit's fsync does not dominate, small
/// enough that the write lock is held for well under a second (the window and the reminder service
/// wait for it).
const IMPORT_BATCH: usize = 500;

/// Files read ahead of the one being archived.
const READ_AHEAD: usize = 64;

/// A container ready to archive, owning what [`KeyImport`] borrows.
struct PendingKey {
    kind: KeyKind,
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

/// How container passwords are found: the empty password first (a file has no retry counter), then
/// the password file, else the person at the terminal is asked once per container.
pub(crate) struct Passwords {
    /// The password file's, or the one typed in the window.
    pub file: Option<SecretString>,
    /// Keep the passwords that opened containers in the archive.
    pub keep: bool,
    pub lang: Lang,
    /// Ask at the terminal when nothing else opens a container.
    pub interactive: bool,
}

impl Passwords {
    /// Tries `open` with the empty password, then the password file or one typed answer. The
    /// password that opened it (when one was needed), or why nothing did.
    fn unlock<T>(
        &self,
        what: &str,
        mut open: impl FnMut(&SecretString) -> Result<T, FormatError>,
    ) -> Result<(T, Option<SecretString>), Result<KeyStatus, FormatError>> {
        let empty = SecretString::from(String::new());
        match open(&empty) {
            Ok(value) => return Ok((value, None)),
            Err(FormatError::WrongContainerPassword | FormatError::WrongFilePassword) => {}
            Err(other) => return Err(Err(other)),
        }
        let password = match &self.file {
            Some(password) => password.clone(),
            None if self.interactive => {
                let prompt = match self.lang {
                    Lang::En => format!("Password of {what} (Enter to archive it locked): "),
                    Lang::Ru => format!("Пароль для {what} (Enter — сохранить запертым): "),
                };
                match ask_secret(&prompt, Asked::ContainerPassword) {
                    Ok(password) if !password.expose_secret().is_empty() => password,
                    _ => return Err(Ok(KeyStatus::Locked)),
                }
            }
            None => return Err(Ok(KeyStatus::Locked)),
        };
        match open(&password) {
            Ok(value) => Ok((value, Some(password))),
            Err(FormatError::WrongContainerPassword | FormatError::WrongFilePassword) => {
                Err(Ok(KeyStatus::WrongPassword))
            }
            Err(other) => Err(Err(other)),
        }
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
fn known_unlocked(archive: &Archive, kind: KeyKind, original: &[u8]) -> bool {
    archive.holds_unlocked(kind, original).unwrap_or(false)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A CryptoPro container folder: kept whole; its key taken out when the password is known.
fn container(
    archive: &Archive,
    path: &Path,
    header: &ContainerHeader,
    name: Option<String>,
    passwords: &Passwords,
) -> Result<Pending, (PathBuf, String)> {
    let unreadable = |error: FormatError| (path.to_path_buf(), error.to_string());
    let files = ContainerFiles::read(path).map_err(unreadable)?;
    let certificate = header
        .certificate
        .as_deref()
        .and_then(|der| Certificate::from_der(der).ok());
    let name = name.unwrap_or_else(|| file_name(path));
    let what = format!("«{name}» ({})", path.display());
    let original = files.to_der();
    let opened = if known_unlocked(archive, KeyKind::CryptoPro, &original) {
        Err(Ok(None))
    } else {
        passwords
            .unlock(&what, |password| files.open(password))
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
            kind: KeyKind::CryptoPro,
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

/// A PFX file: kept whole; its certificates and keys taken out when the password is known.
fn pfx(
    archive: &Archive,
    path: &Path,
    passwords: &Passwords,
) -> Result<Pending, (PathBuf, String)> {
    let unreadable = |error: String| (path.to_path_buf(), error);
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|error| unreadable(error.to_string()))?);
    let what = format!("{}", path.display());
    let opened = if known_unlocked(archive, KeyKind::Pkcs12, &bytes) {
        Err(Ok(None))
    } else {
        passwords
            .unlock(&what, |password| {
                pkcs12::parse(&bytes, password.expose_secret().as_bytes())
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
        Err(Err(error)) => return Err(unreadable(error.to_string())),
    };
    Ok(Pending {
        location: path.to_path_buf(),
        certificates,
        key: Some(PendingKey {
            kind: KeyKind::Pkcs12,
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
    archive: &Archive,
    path: &Path,
    encrypted: bool,
    passwords: &Passwords,
) -> Result<Pending, (PathBuf, String)> {
    let unreadable = |error: String| (path.to_path_buf(), error);
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|error| unreadable(error.to_string()))?);
    let what = format!("{}", path.display());
    let opened = if encrypted && known_unlocked(archive, KeyKind::Pkcs8, &bytes) {
        Err(Ok(None))
    } else if encrypted {
        passwords
            .unlock(&what, |password| {
                pkcs8::from_file(&bytes, true, password.expose_secret().as_bytes())
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
        Err(Err(error)) => return Err(unreadable(error.to_string())),
    };
    Ok(Pending {
        location: path.to_path_buf(),
        certificates: Vec::new(),
        key: Some(PendingKey {
            kind: KeyKind::Pkcs8,
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
    archive: &mut Archive,
    pending: &mut Vec<Pending>,
    summary: &mut ImportSummary,
) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let locations: Vec<String> = pending
        .iter()
        .map(|item| item.location.display().to_string())
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
    let results = archive.import_files(&files)?;
    for (item, result) in pending.iter().zip(results) {
        for certificate in result.certificates {
            match certificate {
                Imported::Added => summary.added += 1,
                Imported::AlreadyThere => summary.already_there += 1,
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

/// Runs `certkeeper import`. False when something could not be read.
pub fn import(
    context: &Context,
    paths: &[PathBuf],
    password_file: Option<&Path>,
    keep_passwords: bool,
) -> Result<bool> {
    let passwords = Passwords {
        file: password_file
            .map(certkeeper_core::secret::read_secret_file)
            .transpose()?,
        keep: keep_passwords,
        lang: context.lang,
        interactive: std::io::IsTerminal::is_terminal(&std::io::stdin()),
    };
    let mut archive = open_archive(context)?;
    let summary = import_paths(&mut archive, paths, &passwords, &mut |_| true)?;
    write_summary(context, &summary)?;
    Ok(summary.unreadable.is_empty())
}

/// How far an import has got: files and container folders read of all found.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progress {
    pub done: usize,
    pub total: usize,
}

/// Archives everything under `paths`. `progress` hears after every file; when it answers false
/// the import stops there, keeping everything read so far (committed like the rest) and saying
/// so in the summary.
pub(crate) fn import_paths(
    archive: &mut Archive,
    paths: &[PathBuf],
    passwords: &Passwords,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<ImportSummary> {
    let mut summary = ImportSummary::default();
    let units: Vec<detect::Unit> = paths.iter().flat_map(|path| detect::walk(path)).collect();
    let total = units.len();
    // Files go in batches, each batch one transaction: a crash keeps every whole batch before it, and
    // the summary (the only success reported) comes after the last commit.
    let mut pending: Vec<Pending> = Vec::new();
    // Files are read and parsed a little ahead on a second thread while this one archives.
    for (done, findings) in detect::read_ahead(units, READ_AHEAD).enumerate() {
        if !progress(Progress { done, total }) {
            summary.stopped = true;
            break;
        }
        for found in findings {
            let item = match found {
                Found::Certificate {
                    path, certificate, ..
                } => Ok(Pending {
                    location: path,
                    certificates: vec![*certificate],
                    key: None,
                }),
                Found::Container { path, header, name } => {
                    container(archive, &path, &header, name, passwords)
                }
                Found::Pkcs12 { path } => pfx(archive, &path, passwords),
                Found::PrivateKey {
                    path, encrypted, ..
                } => key_file(archive, &path, encrypted, passwords),
                Found::Unreadable { path, reason } => Err((path, reason)),
            };
            match item {
                Ok(item) => pending.push(item),
                Err((path, reason)) => summary.unreadable.push(Unreadable { path, reason }),
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

fn write_summary(context: &Context, summary: &ImportSummary) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if context.json {
        super::write_json(&mut out, summary)?;
        return Ok(());
    }
    let lang = context.lang;
    writeln!(
        out,
        "{} {}, {} {}",
        lang.pick("Certificates added:", "Сертификатов добавлено:"),
        summary.added,
        lang.pick("already in the archive:", "уже были в архиве:"),
        summary.already_there
    )
    .map_err(AppError::Output)?;
    for key in &summary.keys {
        let status = key_status_text(key, lang);
        writeln!(out, "{} «{}»: {status}", key.path.display(), key.name)
            .map_err(AppError::Output)?;
    }
    for unreadable in &summary.unreadable {
        writeln!(
            out,
            "{}: {} {}",
            unreadable.path.display(),
            lang.pick("cannot read:", "не читается:"),
            unreadable.reason
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}

/// What became of a key container, for a person.
pub(crate) fn key_status_text(key: &KeyReport, lang: Lang) -> &'static str {
    match key.status {
        KeyStatus::Archived => {
            lang.pick("archived with its key", "сохранён в архиве вместе с ключом")
        }
        KeyStatus::AlreadyThere if key.new_keys > 0 => lang.pick(
            "was in the archive; its key is archived now",
            "уже был в архиве; теперь сохранён и его ключ",
        ),
        KeyStatus::AlreadyThere => lang.pick("already in the archive", "уже был в архиве"),
        KeyStatus::Locked => lang.pick(
            "archived locked: give its password (--password-file) to archive the key itself",
            "сохранён запертым: чтобы сохранить сам ключ, укажите его пароль (--password-file)",
        ),
        KeyStatus::WrongPassword => lang.pick(
            "archived locked: the password does not open it; import it again with the right one",
            "сохранён запертым: пароль не подошёл; импортируйте его ещё раз с верным паролем",
        ),
    }
}
