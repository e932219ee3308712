//! The archive's public part, read without the passphrase: certificates and whether a key is kept
//! for them. `decrypt` looks a document's recipients up here first, so the passphrase is asked only
//! when the archive holds a key that can open the document.

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::{Error, Result, SqliteContext};
use crate::location::ArchiveLocation;

/// A read-only view of the archive's certificates (nothing sealed is read).
pub struct Catalog {
    connection: Connection,
}

impl Catalog {
    /// Opens the archive read-only, without its passphrase.
    pub fn open(location: &ArchiveLocation) -> Result<Self> {
        let path = location.path();
        if !path.is_file() {
            return Err(Error::NotFound {
                path: path.to_path_buf(),
            });
        }
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .context("opening the archive file")?;
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .context("setting the busy timeout")?;
        Ok(Self { connection })
    }

    /// Checks that the file is a certkeeper archive (its key hierarchy is there), without the
    /// passphrase: for "open an existing archive" before asking for it.
    pub fn check(&self) -> Result<()> {
        let kdf: Option<String> = self
            .connection
            .query_row("SELECT kdf FROM keyring WHERE id = 1", [], |row| row.get(0))
            .optional()
            .context("checking that this is a certkeeper archive")?;
        match kdf {
            Some(_) => Ok(()),
            None => Err(Error::Corrupted {
                what: "it has no key hierarchy (keyring)".to_owned(),
            }),
        }
    }

    /// See [`crate::Archive::find_by_issuer_serial`].
    pub fn find_by_issuer_serial(&self, issuer: &str, serial: &str) -> Result<Vec<i64>> {
        crate::certificates::find_by_issuer_serial(&self.connection, issuer, serial)
    }

    /// See [`crate::Archive::find_by_subject_key_id`].
    pub fn find_by_subject_key_id(&self, subject_key_id: &str) -> Result<Vec<i64>> {
        crate::certificates::find_by_subject_key_id(&self.connection, subject_key_id)
    }

    /// The DER of certificate `id`.
    pub fn certificate_der(&self, id: i64) -> Result<Option<Vec<u8>>> {
        self.connection
            .query_row("SELECT der FROM certificates WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()
            .context("reading a certificate")
    }

    /// Whether the archive keeps a private key for certificate `id`, unlocked or in a container.
    pub fn key_kept(&self, id: i64) -> Result<bool> {
        self.connection
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM certificates AS certificate
                                WHERE certificate.id = ?1 AND certificate.public_key <> '' AND (
                                    EXISTS (SELECT 1 FROM private_keys
                                            WHERE private_keys.public_key = certificate.public_key)
                                    OR EXISTS (SELECT 1 FROM key_containers
                                               WHERE key_containers.public_key = certificate.public_key)))",
                [id],
                |row| row.get(0),
            )
            .context("looking a key up")
    }

    /// Whether the archive keeps a private key no archived certificate is for (tried on a document
    /// no archived certificate names).
    pub fn has_keys_without_certificate(&self) -> Result<bool> {
        self.connection
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM private_keys
                                WHERE NOT EXISTS (SELECT 1 FROM certificates
                                                  WHERE certificates.public_key = private_keys.public_key))",
                [],
                |row| row.get(0),
            )
            .context("looking keys up")
    }
}
