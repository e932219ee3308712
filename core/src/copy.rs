//! Copying a key and its certificate between key media — the use case behind `certkeeper copy` and
//! the window's Key media page.
//!
//! A [`Medium`] is parsed once from what a person types or picks (`archive`, `token:LABEL`,
//! `dir:PATH`, `registry`). CryptoPro containers go byte for byte between the archive, folders and
//! the registry store; RSA and EC keys go between tokens, to and from PFX files on drives, and to
//! and from the archive; a key that may not leave its token goes as its certificate alone. Every
//! token copy is proven by signing with one side and verifying with the other (in
//! [`crate::media::pkcs11`]). The archive's side is the [`Archived`] trait, which storage
//! implements; PINs and passwords are asked through the [`Prompt`], once each.

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::cert::{Certificate, Thumbprint};
use crate::error::FormatError;
use crate::files::{self, FileError, Mode};
use crate::formats::cryptopro::{self, ContainerFiles};
use crate::formats::detect::{self, Found};
use crate::formats::pkcs8::KeyInfo;
use crate::formats::{pbe, pkcs12};
use crate::interact::{Declined, Prompt, Request};
use crate::media::pkcs11::{self, Copied, TokenError};
use crate::media::registry::{RegistryStore, Stored, containers_in, folder_stem};
use crate::media::tokens::Tokens;
use crate::open::SourceError;

/// Where keys and certificates live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Medium {
    /// certkeeper's archive.
    Archive,
    /// A PKCS#11 token, by its label.
    Token(String),
    /// A folder or USB drive.
    Dir(PathBuf),
    /// The CryptoPro registry store.
    Registry,
}

impl std::str::FromStr for Medium {
    type Err = CopyError;

    fn from_str(text: &str) -> Result<Self, CopyError> {
        match text {
            "archive" => Ok(Self::Archive),
            "registry" => Ok(Self::Registry),
            _ => {
                if let Some(label) = text.strip_prefix("token:").filter(|l| !l.is_empty()) {
                    Ok(Self::Token(label.to_owned()))
                } else if let Some(path) = text.strip_prefix("dir:").filter(|p| !p.is_empty()) {
                    Ok(Self::Dir(PathBuf::from(path)))
                } else {
                    Err(CopyError::UnknownMedium {
                        text: text.to_owned(),
                    })
                }
            }
        }
    }
}

impl fmt::Display for Medium {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Archive => f.write_str("archive"),
            Self::Token(label) => write!(f, "token:{label}"),
            Self::Dir(path) => write!(f, "dir:{}", path.display()),
            Self::Registry => f.write_str("registry"),
        }
    }
}

/// Why a copy between two media is not made, for the catalogue to explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// A GOST key onto a token that does not sign with GOST keys of its size.
    GostKeyToToken,
    /// A container into the archive: that is what import is for.
    ContainerIntoArchive,
    /// A token's RSA or EC key into the registry store, which keeps CryptoPro containers of GOST
    /// keys.
    KeyIntoRegistry,
    /// A certificate alone into the registry store, which keeps containers.
    CertificateIntoRegistry,
    /// A certificate alone from somewhere else than a token.
    CertificateOnlyFromToken,
    /// From a medium to itself, or a pair of media no copy goes between.
    Between,
}

/// Why a copy was not made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// Not a medium: `archive`, `token:LABEL`, `dir:PATH` or `registry`.
    #[error("{text} is not a medium")]
    UnknownMedium {
        /// What was given.
        text: String,
    },
    /// No copy goes this way.
    #[error("no copy from {from} to {to}: {why:?}")]
    Refused {
        /// The source.
        from: Medium,
        /// The target.
        to: Medium,
        /// Why.
        why: Refusal,
    },
    /// The certificate (with its container or key) is not on the source medium.
    #[error("certificate {thumbprint} is not on {on}")]
    NotFound {
        /// The certificate asked for.
        thumbprint: Thumbprint,
        /// Where it was looked for.
        on: Medium,
    },
    /// The copy on a drive reads back differently from the original (a failing drive).
    #[error("the copy in {} reads back differently", folder.display())]
    ReadsBackDifferently {
        /// The copy.
        folder: PathBuf,
    },
    /// No password for the file being written was given.
    #[error("no password was given for the new file: {why}")]
    PasswordNotGiven {
        /// Why.
        why: Declined,
    },
    /// A key file would be written without a password.
    #[error("a key file needs a password")]
    EmptyPassword,
    /// A token refused (wrong PIN, key not extractable, not inserted).
    #[error("{0}")]
    Token(#[source] TokenError),
    /// A container or file did not read.
    #[error("{0}")]
    Format(#[source] FormatError),
    /// A certificate did not read.
    #[error("{0}")]
    Certificate(#[source] crate::error::CertificateError),
    /// A file could not be written.
    #[error("{0}")]
    File(#[source] FileError),
    /// The archive could not be read or written, or its key not unlocked.
    #[error("{0}")]
    Archive(#[source] SourceError),
}

impl From<TokenError> for CopyError {
    fn from(error: TokenError) -> Self {
        Self::Token(error)
    }
}

impl From<FormatError> for CopyError {
    fn from(error: FormatError) -> Self {
        Self::Format(error)
    }
}

impl From<FileError> for CopyError {
    fn from(error: FileError) -> Self {
        Self::File(error)
    }
}

/// A CryptoPro container kept in the archive.
pub struct ArchivedContainer {
    /// The archive's id of the container.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its files.
    pub files: ContainerFiles,
}

/// What a copy needs of the archive. Methods that read or write sealed data open the archive on
/// first use (its passphrase asked through the prompt); [`Archived::record_sighting`] needs no
/// passphrase.
pub trait Archived {
    /// The CryptoPro container of the certificate.
    fn container(
        &mut self,
        thumbprint: &Thumbprint,
        prompt: &dyn Prompt,
    ) -> Result<Option<ArchivedContainer>, SourceError>;

    /// Every CryptoPro container of the archive.
    fn containers(&mut self, prompt: &dyn Prompt) -> Result<Vec<ArchivedContainer>, SourceError>;

    /// The certificate and its private key, unlocked, or taken out of its container with the
    /// password asked through `prompt`.
    fn key(
        &mut self,
        thumbprint: &Thumbprint,
        prompt: &dyn Prompt,
    ) -> Result<Option<(Certificate, KeyInfo)>, SourceError>;

    /// Records that the archived container `id` now also lives at `place` (`dir:PATH` or
    /// `registry:PATH`, the copy's own folder).
    fn record_container_copy(
        &mut self,
        id: i64,
        place: &str,
        prompt: &dyn Prompt,
    ) -> Result<(), SourceError>;

    /// Keeps a key with its certificate, found at `place`.
    fn add_key(
        &mut self,
        certificate: &Certificate,
        key: &KeyInfo,
        name: &str,
        place: &Medium,
        prompt: &dyn Prompt,
    ) -> Result<(), SourceError>;

    /// Keeps a certificate alone, found at `place`.
    fn add_certificate(
        &mut self,
        certificate: &Certificate,
        place: &Medium,
        prompt: &dyn Prompt,
    ) -> Result<(), SourceError>;

    /// Records, without the passphrase, that the certificate (and its key) now also lives at
    /// `place`: `Some(true)` when the archive holds the certificate, `None` when there is no
    /// archive.
    fn record_sighting(
        &mut self,
        thumbprint: &Thumbprint,
        place: &Medium,
    ) -> Option<Result<bool, SourceError>>;
}

/// Everything a copy may need besides the two media.
pub struct Media<'a> {
    /// The archive's side.
    pub archive: &'a mut dyn Archived,
    /// The PKCS#11 modules to load when a token takes part.
    pub module_paths: &'a [PathBuf],
    /// The registry store, when it takes part.
    pub registry: &'a dyn Fn() -> Result<RegistryStore, SourceError>,
    /// Who is asked for PINs and passwords.
    pub prompt: &'a dyn Prompt,
}

/// Whether the archive recorded where the copy now lives.
#[derive(Debug)]
pub enum Recorded {
    /// There is no archive, or it does not hold the certificate.
    Nothing,
    /// Recorded at this place.
    At(Medium),
    /// The copy was made, but recording it failed.
    Failed(SourceError),
}

/// Where a copy went besides tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// A file or folder.
    Path(PathBuf),
    /// The archive.
    Archive,
}

/// What a copy did.
#[derive(Debug)]
#[non_exhaustive]
pub enum Done {
    /// A CryptoPro container copied byte for byte.
    Container {
        /// Its name.
        name: String,
        /// The copy's folder (or registry key).
        to: PathBuf,
        /// The very same container was there already (nothing was written).
        already_there: bool,
    },
    /// A key (with its certificate) from the archive or a drive onto a token.
    KeyToToken {
        /// What the token reports.
        copied: Copied,
        /// The certificate's subject.
        subject: String,
        /// The token.
        label: String,
        /// Whether the archive recorded it.
        recorded: Recorded,
    },
    /// A key from a token into a PFX file or the archive.
    KeyFromToken {
        /// The key type.
        key_type: String,
        /// The certificate's subject.
        subject: String,
        /// The token.
        label: String,
        /// Where it went.
        written: Written,
    },
    /// A certificate alone from a token into a file or the archive.
    CertificateFromToken {
        /// The certificate's subject.
        subject: String,
        /// The token.
        label: String,
        /// Where it went.
        written: Written,
    },
    /// A key (and its certificate) from token to token.
    TokenToToken {
        /// What the target token reports.
        copied: Copied,
        /// The source token.
        from: String,
        /// The target token.
        to: String,
        /// Whether the archive recorded it.
        recorded: Recorded,
    },
    /// A certificate alone from token to token.
    CertificateTokenToToken {
        /// The source token.
        from: String,
        /// The target token.
        to: String,
    },
}

/// Copies the certificate `thumbprint` — with its key unless `certificate_only` — from `from` to
/// `to`.
pub fn copy(
    media: &mut Media<'_>,
    thumbprint: &Thumbprint,
    from: &Medium,
    to: &Medium,
    certificate_only: bool,
) -> Result<Done, CopyError> {
    let refused = |why| CopyError::Refused {
        from: from.clone(),
        to: to.clone(),
        why,
    };
    match (from, to) {
        (Medium::Token(source), Medium::Token(target)) if source == target => {
            Err(refused(Refusal::Between))
        }
        (Medium::Token(source), Medium::Token(target)) => {
            token_to_token(media, thumbprint, source, target, certificate_only)
        }
        (Medium::Token(label), _) if certificate_only => {
            token_certificate_out(media, thumbprint, label, to)
        }
        (Medium::Token(label), _) => token_key_out(media, thumbprint, label, to),
        _ if certificate_only => Err(refused(Refusal::CertificateOnlyFromToken)),
        (_, Medium::Token(label)) => key_onto_token(media, thumbprint, from, label),
        (_, Medium::Archive) => Err(refused(Refusal::ContainerIntoArchive)),
        _ if from == to => Err(refused(Refusal::Between)),
        _ => copy_container(media, thumbprint, from, to),
    }
}

fn certificate_of(files: &ContainerFiles) -> Option<Certificate> {
    cryptopro::parse_header(&files.header)
        .ok()
        .and_then(|header| header.certificate)
        .and_then(|der| Certificate::from_der(&der).ok())
}

fn name_of(files: &ContainerFiles, fallback: &Path) -> String {
    files
        .name
        .as_deref()
        .and_then(|bytes| cryptopro::parse_name(bytes).ok())
        .unwrap_or_else(|| fallback.display().to_string())
}

/// The CryptoPro container of the certificate on `from`, and its archive id when it came from the
/// archive.
fn find_container(
    media: &mut Media<'_>,
    thumbprint: &Thumbprint,
    from: &Medium,
) -> Result<(String, ContainerFiles, Option<i64>), CopyError> {
    let not_found = || CopyError::NotFound {
        thumbprint: thumbprint.clone(),
        on: from.clone(),
    };
    let is_it =
        |files: &ContainerFiles| certificate_of(files).is_some_and(|c| thumbprint.is_of(&c));
    match from {
        Medium::Archive => {
            let found = media
                .archive
                .container(thumbprint, media.prompt)
                .map_err(CopyError::Archive)?
                .ok_or_else(not_found)?;
            Ok((found.name, found.files, Some(found.id)))
        }
        Medium::Dir(folder) => {
            for found in detect::scan(folder) {
                if let Found::Container { path, .. } = found {
                    let files = ContainerFiles::read(&path)?;
                    if is_it(&files) {
                        return Ok((name_of(&files, &path), files, None));
                    }
                }
            }
            Err(not_found())
        }
        Medium::Registry => {
            let store = (media.registry)().map_err(CopyError::Archive)?;
            let entries = store.list().map_err(|source| FileError::Read {
                path: store.folder().to_path_buf(),
                source,
            })?;
            entries
                .into_iter()
                .find(|entry| is_it(&entry.files))
                .map(|entry| (name_of(&entry.files, &entry.folder), entry.files, None))
                .ok_or_else(not_found)
        }
        Medium::Token(_) => Err(not_found()),
    }
}

/// The first name `name(0)`, `name(1)`, … up to 999 that is free in `folder`.
fn free_name(folder: &Path, name: impl Fn(u32) -> String) -> Result<PathBuf, CopyError> {
    (0..1000)
        .map(|number| folder.join(name(number)))
        .find(|path| !files::taken(path))
        .ok_or_else(|| {
            FileError::Exists {
                path: folder.to_path_buf(),
            }
            .into()
        })
}

fn create_folder(folder: &Path) -> Result<(), CopyError> {
    Ok(files::create_private_folders(folder)?)
}

/// A CryptoPro container byte for byte between the archive, folders and the registry store.
fn copy_container(
    media: &mut Media<'_>,
    thumbprint: &Thumbprint,
    from: &Medium,
    to: &Medium,
) -> Result<Done, CopyError> {
    let (name, files, archived) = find_container(media, thumbprint, from)?;
    let (written, already_there) = match to {
        Medium::Dir(folder) => {
            // A drive that has the very same container keeps it: CryptoPro would list a second
            // copy under the same name.
            let there = containers_in(folder)
                .unwrap_or_default()
                .into_iter()
                .find(|entry| entry.files == files);
            match there {
                Some(entry) => (entry.folder, true),
                None => {
                    let target = free_name(folder, |number| {
                        format!("{}.{number:03}", folder_stem(&name))
                    })?;
                    create_folder(folder)?;
                    files.write(&target)?;
                    if ContainerFiles::read(&target)? != files {
                        return Err(CopyError::ReadsBackDifferently { folder: target });
                    }
                    (target, false)
                }
            }
        }
        Medium::Registry => {
            let store = (media.registry)().map_err(CopyError::Archive)?;
            match store.put(&name, &files)? {
                Stored::Written(folder) => (folder, false),
                Stored::AlreadyThere(folder) => (folder, true),
            }
        }
        _ => {
            return Err(CopyError::Refused {
                from: from.clone(),
                to: to.clone(),
                why: Refusal::Between,
            });
        }
    };
    // The archive knows where its containers live.
    if let Some(id) = archived {
        let place = match to {
            Medium::Registry => format!("registry:{}", written.display()),
            _ => Medium::Dir(written.clone()).to_string(),
        };
        media
            .archive
            .record_container_copy(id, &place, media.prompt)
            .map_err(CopyError::Archive)?;
    }
    Ok(Done::Container {
        name,
        to: written,
        already_there,
    })
}

/// CKA_ID for a key written to a token: the certificate's subject key identifier, else the first
/// 20 bytes of its SHA-1 thumbprint.
fn token_id(certificate: &Certificate) -> Vec<u8> {
    let hex_bytes = |hex: &str| -> Option<Vec<u8>> {
        (0..hex.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
            .collect()
    };
    certificate
        .subject_key_id
        .as_deref()
        .and_then(hex_bytes)
        .or_else(|| hex_bytes(&certificate.sha1_thumbprint))
        .unwrap_or_default()
}

/// The key and certificate in a PFX file on `folder`: tried without a password first, then — when
/// a PFX there refused it — with one asked once.
fn key_in_pfx(
    folder: &Path,
    thumbprint: &Thumbprint,
    prompt: &dyn Prompt,
) -> Result<Option<(Certificate, KeyInfo)>, CopyError> {
    let candidates: Vec<PathBuf> = detect::scan(folder)
        .into_iter()
        .filter_map(|found| match found {
            Found::Pkcs12 { path } => Some(path),
            _ => None,
        })
        .collect();
    let read = |path: &Path| crate::files::read_regular(path, detect::MAX_FILE_BYTES);
    let find = |bytes: &[u8], password: &[u8]| -> Result<Option<(Certificate, KeyInfo)>, bool> {
        let pfx = match pkcs12::parse(bytes, password) {
            Ok(pfx) => pfx,
            Err(FormatError::WrongFilePassword) => return Err(true),
            Err(_) => return Err(false),
        };
        let Some(certificate) = pfx
            .certificates
            .iter()
            .filter_map(|der| Certificate::from_der(der).ok())
            .find(|certificate| thumbprint.is_of(certificate))
        else {
            return Ok(None);
        };
        let wanted = certificate.public_key_material();
        Ok(pfx
            .keys
            .into_iter()
            .find(|key| key.public_key_material() == wanted)
            .map(|key| (certificate, key)))
    };
    let mut locked = Vec::new();
    for path in &candidates {
        let bytes = read(path)?;
        match find(&bytes, b"") {
            Ok(Some(found)) => return Ok(Some(found)),
            Err(true) => locked.push(bytes),
            _ => {}
        }
    }
    if locked.is_empty() {
        return Ok(None);
    }
    let name = folder.display().to_string();
    let password = prompt
        .secret(&Request::ContainerPassword { name: &name })
        .map_err(|why| CopyError::PasswordNotGiven { why })?;
    for bytes in &locked {
        if let Ok(Some(found)) = find(bytes, password.expose_secret().as_bytes()) {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// What was recorded of a copy now at `place`.
fn recorded(media: &mut Media<'_>, thumbprint: &Thumbprint, place: &Medium) -> Recorded {
    match media.archive.record_sighting(thumbprint, place) {
        Some(Ok(true)) => Recorded::At(place.clone()),
        Some(Ok(false)) | None => Recorded::Nothing,
        Some(Err(error)) => Recorded::Failed(error),
    }
}

/// A key with its certificate onto a token: RSA or EC from the archive or a PFX file on a drive,
/// GOST from the archive, a PFX file or a CryptoPro container (archived, on a drive or in the
/// registry store) — when the token signs with GOST keys of that size.
fn key_onto_token(
    media: &mut Media<'_>,
    thumbprint: &Thumbprint,
    from: &Medium,
    label: &str,
) -> Result<Done, CopyError> {
    let to = Medium::Token(label.to_owned());
    let found = match from {
        Medium::Archive => match media
            .archive
            .key(thumbprint, media.prompt)
            .map_err(CopyError::Archive)?
        {
            Some(found) => Some(found),
            None => key_in_container(media, thumbprint, from)?,
        },
        Medium::Dir(folder) => match key_in_pfx(folder, thumbprint, media.prompt)? {
            Some(found) => Some(found),
            None => key_in_container(media, thumbprint, from)?,
        },
        Medium::Registry => key_in_container(media, thumbprint, from)?,
        Medium::Token(_) => None,
    };
    let (certificate, key) = found.ok_or_else(|| CopyError::NotFound {
        thumbprint: thumbprint.clone(),
        on: from.clone(),
    })?;
    let tokens = Tokens::load(media.module_paths);
    let module = tokens.module_with(label)?;
    // Said before the PIN is asked: a token without GOST signatures of this size cannot use it.
    if let Some(gost) = &key.gost
        && !module.signs_gost(label, gost.param_set().bits())?
    {
        return Err(CopyError::Refused {
            from: from.clone(),
            to,
            why: Refusal::GostKeyToToken,
        });
    }
    let pin = module.ask_pin(label, media.prompt)?;
    let copied = pkcs11::import_key(
        module,
        label,
        &pin,
        &pkcs11::NewTokenKey {
            private_key_info: &key.der,
            certificate: Some(&certificate.der),
            id: &token_id(&certificate),
            label: certificate.subject.display_name(),
            extractable: false,
        },
    )?;
    drop(pin);
    Ok(Done::KeyToToken {
        copied,
        subject: certificate.subject.display_name().to_owned(),
        label: label.to_owned(),
        recorded: recorded(media, thumbprint, &to),
    })
}

/// The GOST key and certificate of the CryptoPro container of `thumbprint` on `from`, opened
/// without a password or with the one asked (once).
fn key_in_container(
    media: &mut Media<'_>,
    thumbprint: &Thumbprint,
    from: &Medium,
) -> Result<Option<(Certificate, KeyInfo)>, CopyError> {
    let (name, files, _) = match find_container(media, thumbprint, from) {
        Ok(found) => found,
        Err(CopyError::NotFound { .. }) => return Ok(None),
        Err(other) => return Err(other),
    };
    let Some(certificate) = certificate_of(&files) else {
        return Ok(None);
    };
    let container = match files.open(&SecretString::from(String::new())) {
        Err(FormatError::WrongContainerPassword) => {
            let password = media
                .prompt
                .secret(&Request::ContainerPassword { name: &name })
                .map_err(|why| CopyError::PasswordNotGiven { why })?;
            files.open(&password)?
        }
        other => other?,
    };
    let key = crate::formats::pkcs8::parse_private_key_info(&container.private_key_info())?;
    Ok(Some((certificate, key)))
}

/// A new file's password, asked once through the prompt (typed twice there).
fn new_password(prompt: &dyn Prompt) -> Result<SecretString, CopyError> {
    let password = prompt
        .secret(&Request::NewPassword { allow_empty: false })
        .map_err(|why| CopyError::PasswordNotGiven { why })?;
    if password.expose_secret().is_empty() {
        return Err(CopyError::EmptyPassword);
    }
    Ok(password)
}

/// A key (RSA or EC, extractable) with its certificate off a token: into a PFX file on a drive, or
/// into the archive.
fn token_key_out(
    media: &mut Media<'_>,
    thumbprint: &Thumbprint,
    label: &str,
    to: &Medium,
) -> Result<Done, CopyError> {
    let from = Medium::Token(label.to_owned());
    if matches!(to, Medium::Registry) {
        return Err(CopyError::Refused {
            from,
            to: to.clone(),
            why: Refusal::KeyIntoRegistry,
        });
    }
    let tokens = Tokens::load(media.module_paths);
    let module = tokens.module_with(label)?;
    let id = pkcs11::certificate_id(module, label, thumbprint.as_str())?;
    let pin = module.ask_pin(label, media.prompt)?;
    let exported = pkcs11::export_key(module, label, &pin, &id)?;
    drop(pin);
    let certificate_der = exported
        .certificate
        .clone()
        .ok_or_else(|| CopyError::NotFound {
            thumbprint: thumbprint.clone(),
            on: from.clone(),
        })?;
    let certificate = Certificate::from_der(&certificate_der).map_err(CopyError::Certificate)?;
    let key = crate::formats::pkcs8::parse_private_key_info(&exported.private_key_info)?;
    let written = match to {
        Medium::Dir(folder) => {
            let path = {
                let stem = folder_stem(certificate.subject.display_name());
                free_name(folder, |number| match number {
                    0 => format!("{stem}.pfx"),
                    _ => format!("{stem}-{number}.pfx"),
                })?
            };
            let password = new_password(media.prompt)?;
            let pfx = pkcs12::build(
                &certificate.der,
                &key.der,
                password.expose_secret().as_bytes(),
                pbe::Protection::Aes256,
                Some(certificate.subject.display_name()),
            )?;
            create_folder(folder)?;
            files::write_bytes(&path, &pfx, Mode::PRIVATE_NEW)?;
            Written::Path(path)
        }
        _ => {
            media
                .archive
                .add_key(&certificate, &key, &exported.label, &from, media.prompt)
                .map_err(CopyError::Archive)?;
            Written::Archive
        }
    };
    Ok(Done::KeyFromToken {
        key_type: exported.key_type,
        subject: certificate.subject.display_name().to_owned(),
        label: label.to_owned(),
        written,
    })
}

/// The certificate alone off a token (for a key that may not leave it): a `.cer` file on a drive,
/// or into the archive.
fn token_certificate_out(
    media: &mut Media<'_>,
    thumbprint: &Thumbprint,
    label: &str,
    to: &Medium,
) -> Result<Done, CopyError> {
    let from = Medium::Token(label.to_owned());
    let tokens = Tokens::load(media.module_paths);
    let module = tokens.module_with(label)?;
    let certificate = module
        .certificates(label)?
        .into_iter()
        .filter_map(|found| Certificate::from_der(&found.der).ok())
        .find(|certificate| thumbprint.is_of(certificate))
        .ok_or_else(|| CopyError::NotFound {
            thumbprint: thumbprint.clone(),
            on: from.clone(),
        })?;
    let written = match to {
        Medium::Dir(folder) => {
            let stem = folder_stem(certificate.subject.display_name());
            let short = thumbprint.as_str().get(..8).unwrap_or(thumbprint.as_str());
            let path = folder.join(format!("{stem}-{short}.cer"));
            create_folder(folder)?;
            if !files::taken(&path) {
                files::write_bytes(&path, &certificate.der, Mode::NEW)?;
            }
            Written::Path(path)
        }
        Medium::Archive => {
            media
                .archive
                .add_certificate(&certificate, &from, media.prompt)
                .map_err(CopyError::Archive)?;
            Written::Archive
        }
        _ => {
            return Err(CopyError::Refused {
                from,
                to: to.clone(),
                why: Refusal::CertificateIntoRegistry,
            });
        }
    };
    Ok(Done::CertificateFromToken {
        subject: certificate.subject.display_name().to_owned(),
        label: label.to_owned(),
        written,
    })
}

/// What [`keep_in_registry`] did (`registry sync --json`, documented in the README).
#[derive(Debug, Default, serde::Serialize)]
pub struct Synced {
    /// The store's folder.
    pub store: PathBuf,
    /// The containers written now.
    pub written: Vec<PathBuf>,
    /// How many were there already.
    pub already_there: usize,
}

/// The containers that are not an earlier version of another: a key made for a request is
/// archived at once, and again once its certificate is installed into the container's header (the
/// key files unchanged). Of the versions of one key (the same key files), the one whose header
/// holds a certificate is kept, else the newest; the order is the archive's.
pub fn current_versions(containers: Vec<ArchivedContainer>) -> Vec<ArchivedContainer> {
    let holds_certificate = |container: &ArchivedContainer| {
        cryptopro::parse_header(&container.files.header)
            .ok()
            .is_some_and(|header| header.certificate.is_some())
    };
    let same_key = |a: &ArchivedContainer, b: &ArchivedContainer| {
        a.files.masks == b.files.masks
            && a.files.primary == b.files.primary
            && a.files.reserve == b.files.reserve
    };
    let superseded: Vec<bool> = containers
        .iter()
        .map(|container| {
            containers.iter().any(|other| {
                other.id != container.id
                    && same_key(other, container)
                    && match (holds_certificate(other), holds_certificate(container)) {
                        (true, false) => true,
                        (false, true) => false,
                        _ => other.id > container.id,
                    }
            })
        })
        .collect();
    containers
        .into_iter()
        .zip(superseded)
        .filter_map(|(container, superseded)| (!superseded).then_some(container))
        .collect()
}

/// Of the archived versions of one key's container, the one to copy for `certificate` (DER): the
/// version holding that certificate, else the current one (see [`current_versions`]).
pub fn version_for(
    versions: Vec<ArchivedContainer>,
    certificate: &[u8],
) -> Option<ArchivedContainer> {
    let holds_it = |container: &ArchivedContainer| {
        cryptopro::parse_header(&container.files.header)
            .ok()
            .and_then(|header| header.certificate)
            .is_some_and(|held| held == certificate)
    };
    match versions.iter().position(holds_it) {
        Some(index) => Some(versions.into_iter().nth(index)?),
        None => current_versions(versions)
            .into_iter()
            .max_by_key(|container| container.id),
    }
}

/// Keeps every CryptoPro container of the archive in the registry store, as the CA recommends for
/// every old certificate (idempotent: what is there already is left alone; of a key archived
/// before and after its certificate was installed, the latter — see [`current_versions`]); the
/// archive records where each lives.
pub fn keep_in_registry(
    archive: &mut dyn Archived,
    store: &RegistryStore,
    prompt: &dyn Prompt,
) -> Result<Synced, CopyError> {
    let mut synced = Synced {
        store: store.folder().to_path_buf(),
        ..Synced::default()
    };
    let containers = current_versions(archive.containers(prompt).map_err(CopyError::Archive)?);
    for container in containers {
        let folder = match store.put(&container.name, &container.files)? {
            Stored::Written(folder) => {
                synced.written.push(folder.clone());
                folder
            }
            Stored::AlreadyThere(folder) => {
                synced.already_there += 1;
                folder
            }
        };
        archive
            .record_container_copy(
                container.id,
                &format!("registry:{}", folder.display()),
                prompt,
            )
            .map_err(CopyError::Archive)?;
    }
    Ok(synced)
}

/// A key with its certificate, or the certificate alone, from token to token.
fn token_to_token(
    media: &mut Media<'_>,
    thumbprint: &Thumbprint,
    from: &str,
    to: &str,
    certificate_only: bool,
) -> Result<Done, CopyError> {
    let tokens = Tokens::load(media.module_paths);
    let source = tokens.module_with(from)?;
    let target = tokens.module_with(to)?;
    let id = pkcs11::certificate_id(source, from, thumbprint.as_str())?;
    let target_pin = target.ask_pin(to, media.prompt)?;
    if certificate_only {
        pkcs11::copy_certificate((source, from), (target, to, &target_pin), &id)?;
        return Ok(Done::CertificateTokenToToken {
            from: from.to_owned(),
            to: to.to_owned(),
        });
    }
    let source_pin = source.ask_pin(from, media.prompt)?;
    let copied = pkcs11::copy_key((source, from, &source_pin), (target, to, &target_pin), &id)?;
    Ok(Done::TokenToToken {
        copied,
        from: from.to_owned(),
        to: to.to_owned(),
        recorded: recorded(media, thumbprint, &Medium::Token(to.to_owned())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_are_parsed_once_and_written_back_the_same() {
        for text in [
            "archive",
            "registry",
            "token:Рутокен ЭЦП",
            "dir:/media/флешка",
        ] {
            let medium: Medium = text.parse().expect(text);
            assert_eq!(medium.to_string(), text);
        }
        assert_eq!(
            "token:Rutoken".parse::<Medium>().expect("token"),
            Medium::Token("Rutoken".to_owned())
        );
        for bad in ["", "token:", "dir:", "usb", "Archive"] {
            assert!(
                matches!(bad.parse::<Medium>(), Err(CopyError::UnknownMedium { ref text }) if text == bad),
                "{bad}"
            );
        }
    }
}
