//! `certkeeper inspect PATH...`: what each file or folder holds, without archiving anything.

use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::cert::{Certificate, format_time};

pub(crate) use crate::views::{CertificateView, Item, KeyView};
use certkeeper_core::error::FormatError;
use certkeeper_core::formats::cryptopro::{self, ContainerHeader};
use certkeeper_core::formats::detect::{self, Found};
use certkeeper_core::formats::pkcs8::{self, KeyInfo};
use certkeeper_core::secret::SecretString;

use super::Context;
use crate::messages::{AppError, Lang};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

fn usage_time(text: &Option<String>) -> Option<String> {
    // "YYYYMMDDHHMMSSZ" as stored in header.key, shown like every other time.
    text.as_ref().map(|raw| {
        certkeeper_core::cert::generalized_time_to_unix(raw)
            .map(format_time)
            .unwrap_or_else(|| raw.clone())
    })
}

fn container_item(
    path: &Path,
    header: &ContainerHeader,
    name: Option<String>,
    password: Option<&SecretString>,
    now: i64,
    lang: Lang,
) -> Item {
    let certificate = header
        .certificate
        .as_deref()
        .and_then(|der| Certificate::from_der(der).ok());
    // Without a password file, the empty password is tried: a local container has no retry counter,
    // and an unprotected one then shows whether its key matches.
    let empty = SecretString::from(String::new());
    let attempt = cryptopro::open(path, password.unwrap_or(&empty));
    let (opened, protected, key_matches_certificate, error) = match attempt {
        Ok(container) => {
            let matches = certificate
                .as_ref()
                .and_then(Certificate::gost_public_key)
                .map(|public| public == container.key.public_key());
            (true, password.is_some(), matches, None)
        }
        Err(FormatError::WrongContainerPassword) if password.is_none() => (false, true, None, None),
        Err(error) => {
            let text = crate::messages::describe(&anyhow::Error::from(error), lang);
            (
                false,
                true,
                None,
                Some(format!("{} {}", text.problem, text.next_step)),
            )
        }
    };
    Item::Container {
        path: path.to_path_buf(),
        name,
        key_algorithm: match header.param_set.bits() {
            512 => "GOST R 34.10-2012 512".to_owned(),
            _ if header.digest_oid == "1.2.643.2.2.30.1" => "GOST R 34.10-2001".to_owned(),
            _ => "GOST R 34.10-2012 256".to_owned(),
        },
        key_parameters: header.param_set.name().to_owned(),
        protected,
        opened,
        key_matches_certificate,
        private_key_not_before: usage_time(&header.private_key_not_before),
        private_key_not_after: usage_time(&header.private_key_not_after),
        certificate: certificate
            .map(|certificate| Box::new(CertificateView::new(&certificate, now))),
        error,
    }
}

fn pkcs12_item(path: &Path, password: Option<&SecretString>, now: i64, lang: Lang) -> Item {
    use certkeeper_core::secret::ExposeSecret;
    let max = certkeeper_core::formats::detect::MAX_FILE_BYTES;
    let bytes = match certkeeper_core::files::read_regular(path, max) {
        Ok(bytes) => bytes,
        Err(error) => {
            return Item::Unreadable {
                path: path.to_path_buf(),
                reason: error.to_string(),
            };
        }
    };
    // Like containers: without a password file the empty password is tried.
    let secret = password
        .map(|password| password.expose_secret().as_bytes())
        .unwrap_or(b"");
    // Only guessed, the empty password gets a guess's work budget; a file that needs more is shown
    // as protected, as one with a password is.
    let budget = match password {
        Some(_) => certkeeper_core::formats::pbe::Budget::per_file(),
        None => certkeeper_core::formats::pbe::Budget::for_a_guess(),
    };
    match certkeeper_core::formats::pkcs12::parse_within(&bytes, secret, &budget) {
        Ok(pfx) => {
            let certificates: Vec<Certificate> = pfx
                .certificates
                .iter()
                .filter_map(|der| Certificate::from_der(der).ok())
                .collect();
            let keys = pfx
                .keys
                .iter()
                .map(|key| KeyView {
                    key_algorithm: pkcs8::algorithm_name(&key.algorithm_oid),
                    algorithm_oid: key.algorithm_oid.clone(),
                    key_matches_certificate: key.public_key_material().map(|public| {
                        certificates.iter().any(|certificate| {
                            certificate.public_key_material().as_ref() == Some(&public)
                        })
                    }),
                })
                .collect();
            Item::Pkcs12 {
                path: path.to_path_buf(),
                protected: password.is_some(),
                opened: true,
                certificates: certificates
                    .iter()
                    .map(|certificate| CertificateView::new(certificate, now))
                    .collect(),
                keys,
                error: None,
            }
        }
        Err(FormatError::WrongFilePassword | FormatError::TooMuchWork) if password.is_none() => {
            Item::Pkcs12 {
                path: path.to_path_buf(),
                protected: true,
                opened: false,
                certificates: Vec::new(),
                keys: Vec::new(),
                error: None,
            }
        }
        Err(error) => {
            // Protected when the password was what failed; a damaged file is not known to be.
            let protected = matches!(
                error,
                FormatError::WrongFilePassword | FormatError::TooMuchWork
            );
            let text = crate::messages::describe(&anyhow::Error::from(error), lang);
            Item::Pkcs12 {
                path: path.to_path_buf(),
                protected,
                opened: false,
                certificates: Vec::new(),
                keys: Vec::new(),
                error: Some(format!("{} {}", text.problem, text.next_step)),
            }
        }
    }
}

/// The PKCS#8 key in `path` (DER, or the first private key block of a PEM file).
fn load_key(path: &Path, encrypted: bool, password: &[u8]) -> Result<KeyInfo, FormatError> {
    let max = certkeeper_core::formats::detect::MAX_FILE_BYTES;
    let bytes = certkeeper_core::files::read_regular(path, max).map_err(|error| {
        FormatError::ContainerFile {
            path: path.to_path_buf(),
            source: std::io::Error::other(error.to_string()),
        }
    })?;
    pkcs8::from_file(&bytes, encrypted, password)
}

fn private_key_item(
    path: PathBuf,
    algorithm_oid: String,
    encrypted: bool,
    password: Option<&SecretString>,
    lang: Lang,
) -> Item {
    use certkeeper_core::secret::ExposeSecret;
    let attempt = match (encrypted, password) {
        (true, None) => None,
        (_, password) => Some(load_key(
            &path,
            encrypted,
            password
                .map(|password| password.expose_secret().as_bytes())
                .unwrap_or(b""),
        )),
    };
    match attempt {
        Some(Ok(key)) => Item::PrivateKey {
            path,
            key_algorithm: pkcs8::algorithm_name(&key.algorithm_oid),
            algorithm_oid: key.algorithm_oid.clone(),
            encrypted,
            opened: true,
            // Filled in once every certificate of the run is known.
            key_matches_certificate: None,
            error: None,
        },
        Some(Err(error)) => {
            let text = crate::messages::describe(&anyhow::Error::from(error), lang);
            Item::PrivateKey {
                path,
                key_algorithm: pkcs8::algorithm_name(&algorithm_oid),
                algorithm_oid,
                encrypted,
                opened: false,
                key_matches_certificate: None,
                error: Some(format!("{} {}", text.problem, text.next_step)),
            }
        }
        None => Item::PrivateKey {
            path,
            key_algorithm: pkcs8::algorithm_name(&algorithm_oid),
            algorithm_oid,
            encrypted,
            opened: false,
            key_matches_certificate: None,
            error: None,
        },
    }
}

/// For every opened loose key: whether a certificate found in the same run belongs to it.
fn match_loose_keys(
    items: &mut [Item],
    certificates: &[pkcs8::PublicKeyMaterial],
    password: Option<&SecretString>,
) {
    use certkeeper_core::secret::ExposeSecret;
    let secret = password
        .map(|password| password.expose_secret().as_bytes())
        .unwrap_or(b"");
    for item in items.iter_mut() {
        if let Item::PrivateKey {
            path,
            encrypted,
            opened: true,
            key_matches_certificate,
            ..
        } = item
            && let Ok(key) = load_key(path, *encrypted, secret)
        {
            *key_matches_certificate = key
                .public_key_material()
                .map(|public| certificates.contains(&public));
        }
    }
}

/// Runs `certkeeper inspect`.
pub fn run(context: &Context, paths: &[PathBuf], password_file: Option<&Path>) -> Result<bool> {
    let password = match password_file {
        Some(path) => Some(certkeeper_core::secret::read_secret_file(path)?),
        None => None,
    };
    let now = now();
    let mut items = Vec::new();
    // Public keys of every certificate seen, to tell which loose key files belong to them.
    let mut certificate_keys = Vec::new();
    for path in paths {
        for found in detect::scan(path) {
            items.push(match found {
                Found::Certificate {
                    path,
                    encoding,
                    certificate,
                } => {
                    certificate_keys.extend(certificate.public_key_material());
                    Item::Certificate {
                        path,
                        encoding,
                        certificate: Box::new(CertificateView::new(&certificate, now)),
                    }
                }
                Found::Container { path, header, name } => {
                    container_item(&path, &header, name, password.as_ref(), now, context.lang)
                }
                Found::PrivateKey {
                    path,
                    algorithm_oid,
                    encrypted,
                } => private_key_item(
                    path,
                    algorithm_oid,
                    encrypted,
                    password.as_ref(),
                    context.lang,
                ),
                Found::Pkcs12 { path } => pkcs12_item(&path, password.as_ref(), now, context.lang),
                Found::Unreadable { path, reason } => Item::Unreadable { path, reason },
                Found::Other { path, kind } => Item::Other { path, what: kind },
            });
        }
    }
    match_loose_keys(&mut items, &certificate_keys, password.as_ref());
    let all_read = !items.iter().any(|item| {
        matches!(item, Item::Unreadable { .. })
            || matches!(item, Item::Container { error: Some(_), .. })
    });
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &items)?;
    } else {
        for item in &items {
            crate::messages::certificates::write_item(&mut out, item, context.lang)
                .map_err(AppError::Output)?;
        }
    }
    Ok(all_read)
}
