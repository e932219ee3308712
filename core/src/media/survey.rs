//! Every key medium there is now, as `certkeeper media list` and the window's Key media page show
//! them: tokens (with the objects on each and the key pairs each can generate), the modules that
//! could not be loaded and why, the registry store's containers, and folders and the removable
//! drives mounted for this user with what each holds.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::pkcs11::{ObjectInfo, TokenError, TokenInfo};
use super::registry::RegistryStore;
use super::tokens::Tokens;
use crate::cert::Certificate;
use crate::files::FileError;
use crate::secret::SecretString;

/// Why the media could not be surveyed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SurveyError {
    /// A token could not be read.
    #[error("{0}")]
    Token(#[source] TokenError),
    /// The registry store could not be listed.
    #[error("{0}")]
    Registry(#[source] FileError),
}

/// One token in `media list --json` (documented in the README).
#[derive(Debug, Serialize)]
pub struct TokenView {
    /// The token.
    #[serde(flatten)]
    pub token: TokenInfo,
    /// Its objects (with the PIN: private keys too).
    pub objects: Vec<ObjectView>,
    /// The key pairs the token can generate ("RSA", "EC", "GOST R 34.10-2012 256"/"512").
    pub generates: Vec<&'static str>,
}

/// One object on a token, with the certificate's subject and thumbprint for certificates.
#[derive(Debug, Serialize)]
pub struct ObjectView {
    /// The object.
    #[serde(flatten)]
    pub object: ObjectInfo,
    /// For certificates: the subject's name and the thumbprint.
    pub subject: Option<String>,
    /// For certificates: the SHA-1 thumbprint.
    pub sha1_thumbprint: Option<String>,
}

/// Every medium there is now (`media list --json`, documented in the README).
#[derive(Debug, Serialize)]
pub struct Survey {
    /// The tokens of every module that loaded.
    pub tokens: Vec<TokenView>,
    /// The token drivers (PKCS#11 modules) that loaded and were asked for tokens.
    pub modules: Vec<PathBuf>,
    /// Modules that could not be used, and why.
    pub unusable_modules: Vec<String>,
    /// The registry store.
    pub registry: RegistryView,
    /// Folders and USB drives: the ones given and the removable drives mounted for this user.
    pub drives: Vec<DriveView>,
}

/// What a scan of a folder or drive found (`media list --json`, documented in the README).
#[derive(Debug, Serialize)]
pub struct DriveView {
    /// The folder or drive.
    pub path: PathBuf,
    /// CryptoPro container folders, with the name CryptoPro shows.
    pub containers: Vec<ContainerView>,
    /// PFX files.
    pub pfx: Vec<PathBuf>,
    /// PKCS#8 key files.
    pub private_keys: Vec<PathBuf>,
    /// Certificate files.
    pub certificates: Vec<CertificateView>,
    /// Other files (not certificates or keys).
    pub other_files: usize,
}

/// A CryptoPro container found on a drive.
#[derive(Debug, Serialize)]
pub struct ContainerView {
    /// Its folder.
    pub path: PathBuf,
    /// The name CryptoPro shows.
    pub name: Option<String>,
}

/// A certificate file found on a drive.
#[derive(Debug, Serialize)]
pub struct CertificateView {
    /// The file.
    pub path: PathBuf,
    /// The subject's name.
    pub subject: String,
    /// The SHA-1 thumbprint.
    pub sha1_thumbprint: String,
    /// The end of its validity.
    pub not_after: String,
}

/// The removable drives mounted for this user (`/media/USER/*`, `/run/media/USER/*`).
pub fn mounted_drives() -> Vec<PathBuf> {
    let Some(user) = std::env::var_os("USER") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for root in ["/media", "/run/media"] {
        if let Ok(entries) = std::fs::read_dir(Path::new(root).join(&user)) {
            found.extend(
                entries
                    .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                    .filter(|path| path.is_dir()),
            );
        }
    }
    found.sort();
    found
}

fn scan_drive(path: &Path) -> DriveView {
    use crate::formats::detect::Found;
    let mut view = DriveView {
        path: path.to_path_buf(),
        containers: Vec::new(),
        pfx: Vec::new(),
        private_keys: Vec::new(),
        certificates: Vec::new(),
        other_files: 0,
    };
    for found in crate::formats::detect::scan(path) {
        match found {
            Found::Container { path, name, .. } => {
                view.containers.push(ContainerView { path, name })
            }
            Found::Pkcs12 { path } => view.pfx.push(path),
            Found::PrivateKey { path, .. } => view.private_keys.push(path),
            Found::Certificate {
                path, certificate, ..
            } => view.certificates.push(CertificateView {
                path,
                subject: certificate.subject.display_name().to_owned(),
                sha1_thumbprint: certificate.sha1_thumbprint.clone(),
                not_after: crate::cert::format_time(certificate.not_after),
            }),
            Found::Other { .. } | Found::Unreadable { .. } => view.other_files += 1,
        }
    }
    view
}

/// The registry store and its containers.
#[derive(Debug, Serialize)]
pub struct RegistryView {
    /// The store's folder.
    pub store: PathBuf,
    /// Its container folders.
    pub containers: Vec<PathBuf>,
}

/// Every medium there is now: tokens (their objects read with `pin` for the token it names),
/// the registry store, and `dirs` with the mounted drives.
pub fn survey(
    module_paths: &[PathBuf],
    pin: Option<(&str, &SecretString)>,
    dirs: &[PathBuf],
    store: &RegistryStore,
) -> Result<Survey, SurveyError> {
    let token = pin.map(|(label, _)| label);
    let pin = pin.map(|(_, pin)| pin);
    let mut listed = Survey {
        tokens: Vec::new(),
        modules: Vec::new(),
        unusable_modules: Vec::new(),
        registry: RegistryView {
            store: PathBuf::new(),
            containers: Vec::new(),
        },
        drives: Vec::new(),
    };
    let mut drives = dirs.to_vec();
    drives.extend(mounted_drives());
    drives.dedup();
    listed.drives = drives.iter().map(|drive| scan_drive(drive)).collect();
    let tokens = Tokens::load(module_paths);
    listed.unusable_modules = tokens
        .unusable()
        .iter()
        .map(|failed| failed.error.to_string())
        .collect();
    listed.modules = tokens
        .modules()
        .iter()
        .map(|module| module.path().to_path_buf())
        .collect();
    for module in tokens.modules() {
        for info in module.tokens().map_err(SurveyError::Token)? {
            // The PIN goes to the token it was given for, once.
            let pin = pin.filter(|_| token == Some(info.label.as_str()));
            let objects = module
                .objects(&info.label, pin)
                .map_err(SurveyError::Token)?
                .into_iter()
                .map(|object| {
                    let certificate = object
                        .value
                        .as_deref()
                        .and_then(|der| Certificate::from_der(der).ok());
                    ObjectView {
                        subject: certificate
                            .as_ref()
                            .map(|cert| cert.subject.display_name().to_owned()),
                        sha1_thumbprint: certificate.map(|cert| cert.sha1_thumbprint),
                        object,
                    }
                })
                .collect();
            let generates = module.key_generation(&info.label).unwrap_or_default();
            listed.tokens.push(TokenView {
                token: info,
                objects,
                generates,
            });
        }
    }
    listed.registry.store = store.folder().to_path_buf();
    listed.registry.containers = store
        .list()
        .map_err(|source| {
            SurveyError::Registry(FileError::Read {
                path: store.folder().to_path_buf(),
                source,
            })
        })?
        .into_iter()
        .map(|entry| entry.folder)
        .collect();
    Ok(listed)
}
