//! How certificates are shown, shared by the command line (`inspect`, `show`, their JSON) and the
//! window's details panel.

use std::path::PathBuf;

use certkeeper_core::cert::{Certificate, Status, format_time};
use certkeeper_storage::Archive;
use serde::Serialize;

use crate::messages::AppError;

/// A certificate as `inspect --json` and `show --json` show it (documented in the README).
#[derive(Debug, Serialize)]
pub struct CertificateView {
    pub(crate) subject: String,
    pub(crate) issuer: String,
    pub(crate) subject_name: String,
    pub(crate) serial: String,
    pub(crate) not_before: String,
    pub(crate) not_after: String,
    pub(crate) private_key_not_before: Option<String>,
    pub(crate) private_key_not_after: Option<String>,
    pub(crate) status: Status,
    pub(crate) key_algorithm: String,
    pub(crate) key_parameters: Option<String>,
    pub(crate) key_usage: Vec<String>,
    pub(crate) extended_key_usage: Vec<String>,
    pub(crate) subject_key_id: Option<String>,
    pub(crate) authority_key_id: Option<String>,
    pub(crate) is_ca: bool,
    pub(crate) sha1_thumbprint: String,
    pub(crate) sha256_fingerprint: String,
    pub(crate) inn: Option<String>,
    pub(crate) innle: Option<String>,
    pub(crate) ogrn: Option<String>,
    pub(crate) ogrnip: Option<String>,
    pub(crate) snils: Option<String>,
    pub(crate) subject_sign_tool: Option<String>,
    pub(crate) issuer_sign_tool: Vec<String>,
    pub(crate) policies: Vec<String>,
    /// The validity and the private key's period as times, for dates in the reader's language.
    #[serde(skip)]
    pub(crate) times: Times,
}

/// A certificate's times (Unix seconds), for text in the reader's language and time zone; the JSON
/// keeps RFC 3339 in UTC.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Times {
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) private_key_not_before: Option<i64>,
    pub(crate) private_key_not_after: Option<i64>,
}

impl CertificateView {
    /// The view of `certificate` at time `now` (Unix seconds).
    pub fn new(certificate: &Certificate, now: i64) -> Self {
        Self {
            subject: certificate.subject.to_string(),
            issuer: certificate.issuer.to_string(),
            subject_name: certificate.subject.display_name().to_owned(),
            serial: certificate.serial.clone(),
            not_before: format_time(certificate.not_before),
            not_after: format_time(certificate.not_after),
            private_key_not_before: certificate.private_key_not_before.map(format_time),
            private_key_not_after: certificate.private_key_not_after.map(format_time),
            status: certificate.status_at(now),
            key_algorithm: certificate.key_algorithm.name.clone(),
            key_parameters: certificate.key_algorithm.parameters.clone(),
            key_usage: certificate.key_usage.clone(),
            extended_key_usage: certificate.extended_key_usage.clone(),
            subject_key_id: certificate.subject_key_id.clone(),
            authority_key_id: certificate.authority_key_id.clone(),
            is_ca: certificate.is_ca,
            sha1_thumbprint: certificate.sha1_thumbprint.clone(),
            sha256_fingerprint: certificate.sha256_fingerprint.clone(),
            inn: certificate.inn.clone(),
            innle: certificate.innle.clone(),
            ogrn: certificate.ogrn.clone(),
            ogrnip: certificate.ogrnip.clone(),
            snils: certificate.snils.clone(),
            times: Times {
                not_before: certificate.not_before,
                not_after: certificate.not_after,
                private_key_not_before: certificate.private_key_not_before,
                private_key_not_after: certificate.private_key_not_after,
            },
            subject_sign_tool: certificate.subject_sign_tool.clone(),
            issuer_sign_tool: certificate.issuer_sign_tool.clone(),
            policies: certificate.policies.clone(),
        }
    }
}

/// Everything the archive knows of one certificate (`show`).
pub(crate) fn shown(archive: &Archive, id_or_thumbprint: &str, now: i64) -> anyhow::Result<Shown> {
    let Some((id, der)) = archive.certificate_der(id_or_thumbprint)? else {
        return Err(AppError::NoSuchCertificate {
            query: id_or_thumbprint.to_owned(),
        }
        .into());
    };
    let certificate = Certificate::from_der(&der)?;
    let view = CertificateView::new(&certificate, now);
    let record = archive
        .certificate_record(id)?
        .ok_or_else(|| AppError::NoSuchCertificate {
            query: id_or_thumbprint.to_owned(),
        })?;
    let containers: Vec<ContainerView> = archive
        .containers_for(id)?
        .into_iter()
        .map(|container| ContainerView {
            id: container.id,
            kind: container.kind.as_str(),
            name: container.name,
            password_kept: container.password_kept,
            seen: container
                .seen
                .into_iter()
                .map(|(location, first, last)| SeenView::new(location, first, last))
                .collect(),
        })
        .collect();
    Ok(Shown {
        id,
        certificate: view,
        superseded_by: record.superseded_by,
        has_private_key: record.has_private_key,
        first_archived: format_time(record.first_seen),
        seen: record
            .seen
            .into_iter()
            .map(|(location, first, last)| SeenView::new(location, first, last))
            .collect(),
        key_containers: containers,
    })
}

/// `show --json` (documented in the README).
#[derive(Debug, Serialize)]
pub(crate) struct Shown {
    pub(crate) id: i64,
    pub(crate) certificate: CertificateView,
    /// The id of the newest certificate of the same owner, when this one has been renewed.
    pub(crate) superseded_by: Option<i64>,
    /// Whether the archive holds the private key unlocked (old documents open without a password).
    pub(crate) has_private_key: bool,
    pub(crate) first_archived: String,
    /// Where the certificate was seen on import, most recent first.
    pub(crate) seen: Vec<SeenView>,
    /// The archived containers that hold its key.
    pub(crate) key_containers: Vec<ContainerView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SeenView {
    pub(crate) location: String,
    pub(crate) first_seen: String,
    pub(crate) last_seen: String,
}

impl SeenView {
    fn new(location: String, first: i64, last: i64) -> Self {
        Self {
            location,
            first_seen: format_time(first),
            last_seen: format_time(last),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct ContainerView {
    pub(crate) id: i64,
    pub(crate) kind: &'static str,
    pub(crate) name: String,
    pub(crate) password_kept: bool,
    pub(crate) seen: Vec<SeenView>,
}

/// One certificate in `list --json` (documented in the README).
#[derive(Debug, Serialize)]
pub(crate) struct ListedView {
    pub(crate) id: i64,
    pub(crate) subject_name: String,
    pub(crate) issuer: String,
    pub(crate) serial: String,
    pub(crate) sha1_thumbprint: String,
    pub(crate) not_before: String,
    pub(crate) not_after: String,
    pub(crate) private_key_not_after: Option<String>,
    pub(crate) key_algorithm: String,
    pub(crate) inn: Option<String>,
    pub(crate) innle: Option<String>,
    pub(crate) ogrn: Option<String>,
    pub(crate) ogrnip: Option<String>,
    pub(crate) snils: Option<String>,
    /// The id of the newest certificate of the same owner, when this one has been renewed.
    pub(crate) superseded_by: Option<i64>,
    /// Whether the archive holds the private key (unlocked).
    pub(crate) has_private_key: bool,
    /// The validity as times, for dates in the reader's language.
    #[serde(skip)]
    pub(crate) times: Times,
}

/// A private key found inside a PFX file.
#[derive(Debug, Serialize)]
pub(crate) struct KeyView {
    pub(crate) key_algorithm: String,
    pub(crate) algorithm_oid: String,
    /// Whether the key belongs to one of the file's certificates (GOST keys; `null` for others).
    pub(crate) key_matches_certificate: Option<bool>,
}

/// One item of `inspect --json`.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Item {
    Certificate {
        path: PathBuf,
        encoding: certkeeper_core::formats::detect::CertificateEncoding,
        certificate: Box<CertificateView>,
    },
    Container {
        path: PathBuf,
        name: Option<String>,
        key_algorithm: String,
        key_parameters: String,
        /// Whether a password protects the key (false: it opens with an empty password).
        protected: bool,
        /// Whether the key was opened (with the empty password or the one given).
        opened: bool,
        /// Whether the opened key belongs to the certificate kept in the container.
        key_matches_certificate: Option<bool>,
        private_key_not_before: Option<String>,
        private_key_not_after: Option<String>,
        certificate: Option<Box<CertificateView>>,
        error: Option<String>,
    },
    PrivateKey {
        path: PathBuf,
        /// The key algorithm by name (for an encrypted key not opened: the encryption scheme).
        key_algorithm: String,
        algorithm_oid: String,
        encrypted: bool,
        /// Whether it was read (plain, or decrypted with the password file).
        opened: bool,
        /// Whether it belongs to a certificate found in the same run.
        key_matches_certificate: Option<bool>,
        error: Option<String>,
    },
    Pkcs12 {
        path: PathBuf,
        /// Whether a password protects the file (false: it opens with an empty password).
        protected: bool,
        /// Whether it was opened.
        opened: bool,
        /// Its certificates, when opened.
        certificates: Vec<CertificateView>,
        /// Its keys, when opened.
        keys: Vec<KeyView>,
        error: Option<String>,
    },
    Unreadable {
        path: PathBuf,
        reason: String,
    },
    /// A file that is plainly not a certificate or key (a photo, an office document, a text).
    Other {
        path: PathBuf,
        /// What it is ("JPEG image", "office document", "text").
        what: &'static str,
    },
}

/// The JSON form of `certkeeper --json info` (documented in the README).
#[derive(Debug, Serialize)]
pub(crate) struct Info {
    pub(crate) version: &'static str,
    /// The git commit it was built from.
    pub(crate) commit: &'static str,
    pub(crate) archive: ArchiveInfo,
    pub(crate) passphrase: PassphraseInfo,
    /// What the unlock agent keeps for this archive (`null`: nothing, or no agent).
    pub(crate) unlocked: Option<crate::agent::Held>,
    pub(crate) language: LanguageInfo,
}

#[derive(Debug, Serialize)]
pub(crate) struct ArchiveInfo {
    pub(crate) path: PathBuf,
    /// `explicit` (--archive or CERTKEEPER_ARCHIVE) or `default`.
    pub(crate) origin: &'static str,
    pub(crate) exists: bool,
}

#[derive(Debug, Serialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub(crate) enum PassphraseInfo {
    /// Asked in the terminal or the window when needed.
    Prompt,
    /// Read from a file that was checked to hold a usable passphrase.
    File { path: PathBuf },
}

#[derive(Debug, Serialize)]
pub(crate) struct LanguageInfo {
    pub(crate) code: crate::messages::Lang,
    /// `CERTKEEPER_LANG`, the locale variable that decided, or `default`.
    pub(crate) chosen_by: &'static str,
}

/// One certificate of a certification path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathStep {
    /// Whose certificate it is (the subject's name; the issuer's name for one not archived).
    pub(crate) name: String,
    /// Its id in the archive, when it is there.
    pub(crate) id: Option<i64>,
}

/// The certification path of `certificate` through the archive, from it up: each issuer found by
/// its key (the authority key identifier is the issuer's subject key identifier, and its subject
/// is the issuer named), up to a self-issued root, or to the first issuer the archive lacks (then
/// named, with no id). At most 8 steps.
pub(crate) fn certification_path(archive: &Archive, certificate: &Certificate) -> Vec<PathStep> {
    let mut path = vec![PathStep {
        name: certificate.subject.display_name().to_owned(),
        id: archive
            .certificate_der(&certificate.sha1_thumbprint)
            .ok()
            .flatten()
            .map(|(id, _)| id),
    }];
    let mut current = certificate.clone();
    while path.len() < 8 && current.subject != current.issuer {
        let issuer = current.authority_key_id.as_deref().and_then(|key_id| {
            archive
                .find_by_subject_key_id(key_id)
                .ok()?
                .into_iter()
                .filter_map(|id| {
                    let (_, der) = archive.certificate_der(&id.to_string()).ok()??;
                    Some((id, Certificate::from_der(&der).ok()?))
                })
                .find(|(_, candidate)| candidate.subject == current.issuer)
        });
        match issuer {
            Some((id, found)) => {
                path.push(PathStep {
                    name: found.subject.display_name().to_owned(),
                    id: Some(id),
                });
                current = found;
            }
            None => {
                path.push(PathStep {
                    name: current.issuer.display_name().to_owned(),
                    id: None,
                });
                break;
            }
        }
    }
    path
}
