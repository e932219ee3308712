//! The archive's side of a copy between key media ([`certkeeper_core::copy::Archived`]): the
//! archive is opened at the first need of something sealed (its passphrase asked through the
//! prompt); where a copy now lives is recorded without it.

use certkeeper_core::cert::{Certificate, Thumbprint};
use certkeeper_core::copy::{Archived, ArchivedContainer, Medium};
use certkeeper_core::formats::cryptopro::ContainerFiles;
use certkeeper_core::formats::pkcs8::{KeyInfo, algorithm_name};
use certkeeper_core::interact::{Prompt, Request};
use certkeeper_core::open::SourceError;

use crate::archive::Archive;
use crate::certificates::FileImport;
use crate::error::Error;
use crate::keys::{KeyImport, KeyKind, UnlockedKey};
use crate::location::ArchiveLocation;

/// The archive at a location, opened when a copy first needs it.
pub struct ArchiveSide {
    location: Option<ArchiveLocation>,
    archive: Option<Archive>,
}

impl ArchiveSide {
    /// The archive at `location` (None: there is none), not opened yet.
    pub fn at(location: Option<ArchiveLocation>) -> Self {
        Self {
            location,
            archive: None,
        }
    }

    /// An archive open already (the window's).
    pub fn open(archive: Archive) -> Self {
        Self {
            location: archive.path().map(ArchiveLocation::explicit),
            archive: Some(archive),
        }
    }

    fn archive(&mut self, prompt: &dyn Prompt) -> Result<&mut Archive, Error> {
        if self.archive.is_none() {
            let location = self.location.as_ref().ok_or(Error::NoDataDirectory)?;
            if !location.exists() {
                return Err(Error::NotFound {
                    path: location.path().to_path_buf(),
                });
            }
            let passphrase = prompt
                .secret(&Request::ArchivePassphrase)
                .map_err(|why| Error::PassphraseNotGiven { why })?;
            self.archive = Some(Archive::open(location, &passphrase)?);
        }
        self.archive.as_mut().ok_or(Error::NoDataDirectory)
    }
}

fn boxed(error: impl std::error::Error + Send + Sync + 'static) -> SourceError {
    Box::new(error)
}

impl Archived for ArchiveSide {
    fn container(
        &mut self,
        thumbprint: &Thumbprint,
        prompt: &dyn Prompt,
    ) -> Result<Option<ArchivedContainer>, SourceError> {
        let archive = self.archive(prompt).map_err(boxed)?;
        let Some((id, der)) = archive
            .certificate_der(thumbprint.as_str())
            .map_err(boxed)?
        else {
            return Ok(None);
        };
        // The same key may be archived in several versions of its container: the one made with
        // the key (no certificate yet) and the one the certificate was installed into.
        let mut versions = Vec::new();
        for container in archive.containers_for(id).map_err(boxed)? {
            if container.kind != KeyKind::CryptoPro {
                continue;
            }
            let (original, _) = archive.container_original(container.id).map_err(boxed)?;
            versions.push(ArchivedContainer {
                id: container.id,
                name: container.name,
                files: ContainerFiles::from_der(&original).map_err(boxed)?,
            });
        }
        Ok(certkeeper_core::copy::version_for(versions, &der))
    }

    fn containers(&mut self, prompt: &dyn Prompt) -> Result<Vec<ArchivedContainer>, SourceError> {
        self.archive(prompt)
            .map_err(boxed)?
            .cryptopro_containers()
            .map_err(boxed)?
            .into_iter()
            .map(|container| {
                Ok(ArchivedContainer {
                    id: container.id,
                    name: container.name,
                    files: ContainerFiles::from_der(&container.original).map_err(boxed)?,
                })
            })
            .collect()
    }

    fn key(
        &mut self,
        thumbprint: &Thumbprint,
        prompt: &dyn Prompt,
    ) -> Result<Option<(Certificate, KeyInfo)>, SourceError> {
        let archive = self.archive(prompt).map_err(boxed)?;
        let Some((id, der)) = archive
            .certificate_der(thumbprint.as_str())
            .map_err(boxed)?
        else {
            return Ok(None);
        };
        let certificate = Certificate::from_der(&der).map_err(boxed)?;
        Ok(archive
            .private_key(id, prompt)
            .map_err(boxed)?
            .map(|key| (certificate, key)))
    }

    fn record_container_copy(
        &mut self,
        id: i64,
        place: &str,
        prompt: &dyn Prompt,
    ) -> Result<(), SourceError> {
        self.archive(prompt)
            .map_err(boxed)?
            .record_copy(id, place)
            .map_err(boxed)
    }

    fn add_key(
        &mut self,
        certificate: &Certificate,
        key: &KeyInfo,
        name: &str,
        place: &Medium,
        prompt: &dyn Prompt,
    ) -> Result<(), SourceError> {
        let public = key
            .public_key_material()
            .map(|material| material.id())
            .unwrap_or_default();
        let unlocked = UnlockedKey {
            algorithm: algorithm_name(&key.algorithm_oid),
            public_key: public.clone(),
            private_key_info: key.der.clone(),
        };
        let location = place.to_string();
        self.archive(prompt)
            .map_err(boxed)?
            .import_files(&[FileImport {
                location: &location,
                certificates: std::slice::from_ref(certificate),
                key: Some(KeyImport {
                    kind: KeyKind::Pkcs8,
                    name,
                    original: &key.der,
                    public_key: Some(&public),
                    keys: std::slice::from_ref(&unlocked),
                    keep_password: None,
                }),
            }])
            .map(|_| ())
            .map_err(boxed)
    }

    fn add_certificate(
        &mut self,
        certificate: &Certificate,
        place: &Medium,
        prompt: &dyn Prompt,
    ) -> Result<(), SourceError> {
        self.archive(prompt)
            .map_err(boxed)?
            .import_certificates(std::slice::from_ref(certificate), &place.to_string())
            .map(|_| ())
            .map_err(boxed)
    }

    fn record_sighting(
        &mut self,
        thumbprint: &Thumbprint,
        place: &Medium,
    ) -> Option<Result<bool, SourceError>> {
        let location = self
            .location
            .as_ref()
            .filter(|location| location.exists())?;
        Some(
            crate::sightings::record_copy(location, thumbprint.as_str(), &place.to_string())
                .map(|recorded| recorded.certificate)
                .map_err(boxed),
        )
    }
}
