//! The archive as a [`KeySource`] for opening documents: its unlocked keys first, then keys locked
//! in archived containers (the container's kept password, else asked once through the prompt; the
//! key is then kept for the rest of the run). Before the passphrase is given, the archive's public
//! part ([`Catalog`]) already names the certificates a document was encrypted to.

use std::collections::HashMap;

use certkeeper_core::cert::Certificate;
use certkeeper_core::cms::CmsError;
use certkeeper_core::cms::recipients::{Recipient, RecipientId};
use certkeeper_core::formats::pkcs8::{KeyInfo, algorithm_name, parse_private_key_info};
use certkeeper_core::interact::Prompt;
use certkeeper_core::keys::{KeyError, Locked};
use certkeeper_core::open::{KeySource, Known, OpenError, Unwrapped};

use crate::archive::Archive;
use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::keys::UnlockedKey;

fn failed(error: Error) -> OpenError {
    OpenError::Source(Box::new(error))
}

/// The certificate ids a recipient names.
fn ids_named(archive: &Archive, id: &RecipientId) -> Result<Vec<i64>> {
    match id {
        RecipientId::IssuerSerial { issuer, serial } => {
            archive.find_by_issuer_serial(issuer, serial)
        }
        RecipientId::SubjectKeyId(key_id) => archive.find_by_subject_key_id(key_id),
    }
}

impl Archive {
    /// The private key of certificate `id`: unlocked, or taken out of its first container with the
    /// kept password or one asked through `prompt` — and then kept unlocked, so the next export or
    /// document needs no password. `Ok(None)` when the archive keeps no key of it.
    pub fn private_key(
        &mut self,
        id: i64,
        prompt: &dyn Prompt,
    ) -> std::result::Result<Option<KeyInfo>, KeyOrArchiveError> {
        if let Some(key) = self.private_key_for(id)? {
            return Ok(Some(
                parse_private_key_info(&key.private_key_info)
                    .map_err(|error| KeyOrArchiveError::Key(KeyError::Format(error)))?,
            ));
        }
        let containers = self.containers_for(id)?;
        let Some(container) = containers.first() else {
            return Ok(None);
        };
        let certificate = self
            .certificate_der(&id.to_string())?
            .and_then(|(_, der)| Certificate::from_der(&der).ok())
            .ok_or_else(|| Error::Corrupted {
                what: format!("certificate {id} does not read"),
            })?;
        let (original, kept) = self.container_original(container.id)?;
        let locked = Locked {
            kind: container.kind,
            name: &container.name,
            original: &original,
        };
        let info = locked.unlock_asking(kept, &certificate, prompt)?;
        if let Some(public) = info.public_key_material() {
            self.add_unlocked_key(
                container.id,
                &UnlockedKey {
                    algorithm: algorithm_name(&info.algorithm_oid),
                    public_key: public.id(),
                    private_key_info: info.der.clone(),
                },
            )?;
        }
        Ok(Some(info))
    }
}

/// Why a key did not come out of the archive: the archive itself, or the container.
#[derive(Debug, thiserror::Error)]
pub enum KeyOrArchiveError {
    /// The archive could not be read.
    #[error("{0}")]
    Archive(#[from] Error),
    /// The container did not open.
    #[error("{0}")]
    Key(#[from] KeyError),
}

/// An open archive's keys, kept unsealed for the run once used (a batch of documents to the same
/// certificate unseals its key once).
pub struct ArchiveKeys<'a> {
    archive: &'a mut Archive,
    cache: HashMap<i64, KeyInfo>,
}

impl<'a> ArchiveKeys<'a> {
    /// The keys of `archive`.
    pub fn new(archive: &'a mut Archive) -> Self {
        Self {
            archive,
            cache: HashMap::new(),
        }
    }
}

fn unwrap_with(
    recipient: &Recipient,
    key: &KeyInfo,
) -> std::result::Result<Option<zeroize::Zeroizing<Vec<u8>>>, OpenError> {
    match recipient.unwrap_key(key) {
        Ok(content_key) => Ok(Some(content_key)),
        Err(CmsError::WrongKey) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

impl KeySource for ArchiveKeys<'_> {
    fn known(&self, id: &RecipientId) -> std::result::Result<Vec<Known>, OpenError> {
        let mut known = Vec::new();
        for certificate_id in ids_named(self.archive, id).map_err(failed)? {
            let certificate = self
                .archive
                .certificate_der(&certificate_id.to_string())
                .map_err(failed)?
                .and_then(|(_, der)| Certificate::from_der(&der).ok());
            let key_kept = self
                .archive
                .private_key_for(certificate_id)
                .map_err(failed)?
                .is_some()
                || !self
                    .archive
                    .containers_for(certificate_id)
                    .map_err(failed)?
                    .is_empty();
            known.push(Known {
                certificate_id,
                certificate,
                key_kept,
            });
        }
        Ok(known)
    }

    fn content_key(
        &mut self,
        recipients: &[Recipient],
        prompt: &dyn Prompt,
    ) -> std::result::Result<Option<Unwrapped>, OpenError> {
        let found = |archive: &Archive, certificate_id: i64, content_key| {
            let certificate = archive
                .certificate_der(&certificate_id.to_string())
                .map_err(failed)?
                .and_then(|(_, der)| Certificate::from_der(&der).ok())
                .ok_or_else(|| {
                    failed(Error::Corrupted {
                        what: format!("certificate {certificate_id} does not read"),
                    })
                })?;
            Ok(Some(Unwrapped {
                content_key,
                certificate: Some(certificate),
                key_name: None,
                certificate_id: Some(certificate_id),
                token: None,
            }))
        };
        // Unlocked keys first, for every recipient; a locked container's password is asked only
        // when no unlocked key fits, and once.
        let mut locked = Vec::new();
        for recipient in recipients {
            for id in ids_named(self.archive, &recipient.id).map_err(failed)? {
                if !self.cache.contains_key(&id) {
                    match self.archive.private_key_for(id).map_err(failed)? {
                        Some(key) => {
                            let info = parse_private_key_info(&key.private_key_info)
                                .map_err(|error| OpenError::Document(error.into()))?;
                            self.cache.insert(id, info);
                        }
                        None => {
                            if !self.archive.containers_for(id).map_err(failed)?.is_empty() {
                                locked.push((id, recipient));
                            }
                            continue;
                        }
                    }
                }
                if let Some(key) = self.cache.get(&id)
                    && let Some(content_key) = unwrap_with(recipient, key)?
                {
                    return found(self.archive, id, content_key);
                }
            }
        }
        if let Some((id, recipient)) = locked.first() {
            let key = match self.archive.private_key(*id, prompt) {
                Ok(Some(key)) => key,
                Ok(None) => return Ok(None),
                Err(KeyOrArchiveError::Archive(error)) => return Err(failed(error)),
                Err(KeyOrArchiveError::Key(error)) => {
                    return Err(OpenError::Source(Box::new(error)));
                }
            };
            let content_key = recipient.unwrap_key(&key)?;
            self.cache.insert(*id, key);
            return found(self.archive, *id, content_key);
        }
        keyless_content_key(self.archive, recipients)
    }
}

/// When no archived certificate names a recipient: the content key from the keys archived without a
/// certificate (each key wrap checks its own integrity, so another key fails safely), with the key
/// named.
fn keyless_content_key(
    archive: &Archive,
    recipients: &[Recipient],
) -> std::result::Result<Option<Unwrapped>, OpenError> {
    let named = recipients.iter().try_fold(false, |named, recipient| {
        Ok::<_, Error>(named || !ids_named(archive, &recipient.id)?.is_empty())
    });
    if named.map_err(failed)? {
        return Ok(None);
    }
    for key in archive.keys_without_certificate().map_err(failed)? {
        let Ok(info) = parse_private_key_info(&key.private_key_info) else {
            continue;
        };
        for recipient in recipients {
            match recipient.unwrap_key(&info) {
                Ok(content_key) => {
                    return Ok(Some(Unwrapped {
                        content_key,
                        certificate: None,
                        key_name: Some(format!(
                            "{} #{}",
                            algorithm_name(&info.algorithm_oid),
                            key.id
                        )),
                        certificate_id: None,
                        token: None,
                    }));
                }
                Err(CmsError::WrongKey | CmsError::Corrupted { .. } | CmsError::Crypto(_)) => {}
                Err(CmsError::Unsupported { .. }) => {}
                Err(other) => return Err(other.into()),
            }
        }
    }
    Ok(None)
}

/// The content key of one of `recipients` from the keys `archive` keeps unlocked — of the
/// certificates they name, else those without a certificate — asking nothing (a locked container
/// is not opened): for a part of a file being imported that is encrypted to an archived
/// certificate's key. A static originator's certificate is taken from the archive.
pub fn unlocked_content_key(
    archive: &Archive,
    recipients: &[Recipient],
) -> std::result::Result<Option<zeroize::Zeroizing<Vec<u8>>>, OpenError> {
    let mut recipients = recipients.to_vec();
    for recipient in &mut recipients {
        let Some(id) = recipient.originator_wanted().cloned() else {
            continue;
        };
        for certificate_id in ids_named(archive, &id).map_err(failed)? {
            if let Some((_, der)) = archive
                .certificate_der(&certificate_id.to_string())
                .map_err(failed)?
                && let Ok(certificate) = Certificate::from_der(&der)
            {
                recipient.set_originator(&certificate);
            }
        }
    }
    for recipient in &recipients {
        for id in ids_named(archive, &recipient.id).map_err(failed)? {
            if let Some(key) = archive.private_key_for(id).map_err(failed)?
                && let Ok(info) = parse_private_key_info(&key.private_key_info)
                && let Some(content_key) = unwrap_with(recipient, &info)?
            {
                return Ok(Some(content_key));
            }
        }
    }
    Ok(keyless_content_key(archive, &recipients)?.map(|found| found.content_key))
}

/// The archive's public part as a key source: it names the certificates a document was encrypted
/// to, and whether the archive keeps their keys, without the passphrase; it opens nothing.
pub struct CatalogKeys<'a>(pub &'a Catalog);

impl KeySource for CatalogKeys<'_> {
    fn known(&self, id: &RecipientId) -> std::result::Result<Vec<Known>, OpenError> {
        let ids = match id {
            RecipientId::IssuerSerial { issuer, serial } => {
                self.0.find_by_issuer_serial(issuer, serial)
            }
            RecipientId::SubjectKeyId(key_id) => self.0.find_by_subject_key_id(key_id),
        }
        .map_err(failed)?;
        ids.into_iter()
            .map(|certificate_id| {
                let certificate = self
                    .0
                    .certificate_der(certificate_id)
                    .map_err(failed)?
                    .and_then(|der| Certificate::from_der(&der).ok());
                Ok(Known {
                    certificate_id,
                    certificate,
                    key_kept: self.0.key_kept(certificate_id).map_err(failed)?,
                })
            })
            .collect()
    }

    fn content_key(
        &mut self,
        _recipients: &[Recipient],
        _prompt: &dyn Prompt,
    ) -> std::result::Result<Option<Unwrapped>, OpenError> {
        Ok(None)
    }
}
