//! Archived key containers and private keys.
//!
//! A container (a CryptoPro folder, a PFX file or a PKCS#8 key file) is kept whole, sealed, exactly as
//! it was found, so it can be written back byte for byte. Every private key taken out of it (when its
//! password is known) is kept once more on its own, sealed as a PKCS#8 PrivateKeyInfo, so that an old
//! document opens without the container's password. Keys are linked to certificates by the public key
//! (see [`certkeeper_core::formats::pkcs8::PublicKeyMaterial::id`]), an indexed column on both sides.

use rusqlite::{OptionalExtension, params};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::archive::{Archive, Sealer};
use crate::certificates::{audit, audit_keyed, now, seal_audit_head};
use crate::error::{Error, Result, SqliteContext};

pub use certkeeper_core::import::{KeyImport, KeyImported, UnlockedKey};
/// What kind of container a key came in (see [`certkeeper_core::keys::ContainerKind`]).
pub use certkeeper_core::keys::ContainerKind as KeyKind;

/// Archives `key` seen at `location` inside the caller's transaction.
pub(crate) fn import_key_into(
    transaction: &rusqlite::Transaction<'_>,
    sealer: &Sealer,
    key: &KeyImport<'_>,
    location: &str,
    at: i64,
) -> Result<KeyImported> {
    let tag = sealer.tag(key.kind.as_str(), key.original);
    let existing: Option<i64> = transaction
        .query_row(
            "SELECT id FROM key_containers WHERE tag = ?1",
            [&tag],
            |row| row.get(0),
        )
        .optional()
        .context("looking the key container up")?;
    let public_key = key
        .public_key
        .or_else(|| (key.keys.len() == 1).then(|| key.keys[0].public_key.as_str()));
    let (container_id, added) = match existing {
        Some(id) => {
            transaction
                .execute(
                    "UPDATE key_containers SET last_seen = ?1, public_key = coalesce(public_key, ?2)
                     WHERE id = ?3",
                    params![at, public_key, id],
                )
                .context("updating last seen")?;
            (id, false)
        }
        None => {
            // The row id is part of what the seal is bound to, so it is chosen before sealing; this
            // transaction is the only writer.
            let id: i64 = transaction
                .query_row(
                    "SELECT coalesce(max(id), 0) + 1 FROM key_containers",
                    [],
                    |row| row.get(0),
                )
                .context("numbering the key container")?;
            let original = sealer.seal("key_containers", id, "original", key.original)?;
            transaction
                .execute(
                    "INSERT INTO key_containers (id, kind, tag, name, public_key, original, first_seen, last_seen)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                    params![id, key.kind.as_str(), tag, key.name, public_key, original, at],
                )
                .context("archiving the key container")?;
            audit(
                transaction,
                "key container added",
                &format!("{} {}", key.kind.as_str(), key.name),
            )?;
            (id, true)
        }
    };
    if let Some(password) = key.keep_password {
        let sealed = sealer.seal(
            "key_containers",
            container_id,
            "password",
            password.expose_secret().as_bytes(),
        )?;
        let changed = transaction
            .execute(
                "UPDATE key_containers SET password = ?1 WHERE id = ?2 AND password IS NULL",
                params![sealed, container_id],
            )
            .context("keeping the container password")?;
        if changed > 0 {
            audit(
                transaction,
                "container password kept",
                &format!("{} {}", key.kind.as_str(), key.name),
            )?;
        }
    }
    seen(transaction, Seen::Container, container_id, location, at)?;
    let mut new_keys = 0;
    for unlocked in key.keys {
        if add_private_key(transaction, sealer, container_id, unlocked, at)? {
            new_keys += 1;
        }
    }
    Ok(if added {
        KeyImported::Added { new_keys }
    } else {
        KeyImported::AlreadyThere { new_keys }
    })
}

/// Archives one private key unless a key with the same public key is there already.
fn add_private_key(
    transaction: &rusqlite::Transaction<'_>,
    sealer: &Sealer,
    container_id: i64,
    key: &UnlockedKey,
    at: i64,
) -> Result<bool> {
    let known: Option<i64> = transaction
        .query_row(
            "SELECT id FROM private_keys WHERE public_key = ?1",
            [&key.public_key],
            |row| row.get(0),
        )
        .optional()
        .context("looking the private key up")?;
    if known.is_some() {
        return Ok(false);
    }
    let id: i64 = transaction
        .query_row(
            "SELECT coalesce(max(id), 0) + 1 FROM private_keys",
            [],
            |row| row.get(0),
        )
        .context("numbering the private key")?;
    let sealed = sealer.seal("private_keys", id, "private_key", &key.private_key_info)?;
    transaction
        .execute(
            "INSERT INTO private_keys (id, public_key, algorithm, container_id, private_key, first_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, key.public_key, key.algorithm, container_id, sealed, at],
        )
        .context("archiving the private key")?;
    audit(transaction, "private key added", &key.public_key)?;
    Ok(true)
}

/// An archived container, as `show` and `export` see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedContainer {
    /// The archive's id.
    pub id: i64,
    /// Its kind.
    pub kind: KeyKind,
    /// Its name.
    pub name: String,
    /// Whether its password is kept in the archive.
    pub password_kept: bool,
    /// Where it was seen: (location, first seen, last seen), most recently seen first.
    pub seen: Vec<(String, i64, i64)>,
}

/// A container as it was found, from the archive.
pub struct ArchivedOriginal {
    /// The archive's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its bytes (see [`KeyKind`]).
    pub original: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for ArchivedOriginal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchivedOriginal")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A private key from the archive.
pub struct ArchivedKey {
    /// The archive's id.
    pub id: i64,
    /// The key algorithm, by name.
    pub algorithm: String,
    /// The PKCS#8 PrivateKeyInfo, DER.
    pub private_key_info: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for ArchivedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchivedKey")
            .field("id", &self.id)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// What was seen somewhere: an archived certificate or key container.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seen {
    /// A row of `certificates` (its sightings).
    Certificate,
    /// A row of `key_containers` (its key sightings).
    Container,
}

/// Records that `what` (row `id`) was seen at `location` (first seen now, or seen again): true when
/// it had not been seen there before.
pub(crate) fn seen(
    transaction: &rusqlite::Transaction<'_>,
    what: Seen,
    id: i64,
    location: &str,
    at: i64,
) -> Result<bool> {
    let (known, record) = match what {
        Seen::Certificate => (
            "SELECT EXISTS (SELECT 1 FROM sightings WHERE certificate_id = ?1 AND location = ?2)",
            "INSERT INTO sightings (certificate_id, location, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (certificate_id, location) DO UPDATE SET last_seen = excluded.last_seen",
        ),
        Seen::Container => (
            "SELECT EXISTS (SELECT 1 FROM key_sightings WHERE container_id = ?1 AND location = ?2)",
            "INSERT INTO key_sightings (container_id, location, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (container_id, location) DO UPDATE SET last_seen = excluded.last_seen",
        ),
    };
    let known: bool = transaction
        .prepare_cached(known)
        .context("preparing a statement")?
        .query_row(params![id, location], |row| row.get(0))
        .context("recording where something lives")?;
    transaction
        .prepare_cached(record)
        .context("preparing a statement")?
        .execute(params![id, location, at])
        .context("recording where something lives")?;
    Ok(!known)
}

impl Archive {
    /// The public key identifier of certificate `certificate_id` ('' when certkeeper cannot read its
    /// key).
    pub(crate) fn certificate_public_key(&self, certificate_id: i64) -> Result<Option<String>> {
        self.connection()
            .query_row(
                "SELECT public_key FROM certificates WHERE id = ?1",
                [certificate_id],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()
            .context("reading a certificate")
            .map(|found| found.flatten().filter(|key| !key.is_empty()))
    }

    /// The private key of certificate `certificate_id`, when the archive holds it unlocked.
    pub fn private_key_for(&self, certificate_id: i64) -> Result<Option<ArchivedKey>> {
        let Some(public_key) = self.certificate_public_key(certificate_id)? else {
            return Ok(None);
        };
        let row: Option<(i64, String, Vec<u8>)> = self
            .connection()
            .query_row(
                "SELECT id, algorithm, private_key FROM private_keys WHERE public_key = ?1",
                [&public_key],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .context("reading a private key")?;
        row.map(|(id, algorithm, sealed)| self.archived_key(id, algorithm, &sealed))
            .transpose()
    }

    /// A private key's row, its PrivateKeyInfo unsealed.
    fn archived_key(&self, id: i64, algorithm: String, sealed: &[u8]) -> Result<ArchivedKey> {
        Ok(ArchivedKey {
            id,
            algorithm,
            private_key_info: self
                .sealer()
                .unseal("private_keys", id, "private_key", sealed)?,
        })
    }

    /// The unlocked private keys no archived certificate is for (a loose PKCS#8 key, a container
    /// that held none), oldest first: tried on a document when no certificate names a recipient.
    pub fn keys_without_certificate(&self) -> Result<Vec<ArchivedKey>> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT id, algorithm, private_key FROM private_keys
                 WHERE NOT EXISTS (SELECT 1 FROM certificates
                                   WHERE certificates.public_key = private_keys.public_key)
                 ORDER BY id",
            )
            .context("preparing a statement")?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Vec<u8>>(2)?,
                ))
            })
            .context("reading private keys")?;
        let mut keys = Vec::new();
        for row in rows {
            let (id, algorithm, sealed) = row.context("reading private keys")?;
            keys.push(self.archived_key(id, algorithm, &sealed)?);
        }
        Ok(keys)
    }

    /// The containers that hold the key of certificate `certificate_id`, oldest first.
    pub fn containers_for(&self, certificate_id: i64) -> Result<Vec<ArchivedContainer>> {
        let Some(public_key) = self.certificate_public_key(certificate_id)? else {
            return Ok(Vec::new());
        };
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT id, kind, name, password IS NOT NULL FROM key_containers
                 WHERE public_key = ?1 AND merged_into IS NULL ORDER BY id",
            )
            .context("reading key containers")?;
        let rows: Vec<(i64, String, String, bool)> = statement
            .query_map([&public_key], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .context("reading key containers")?
            .collect::<std::result::Result<_, _>>()
            .context("reading key containers")?;
        let mut sightings = self
            .connection()
            .prepare_cached(
                "SELECT location, first_seen, last_seen FROM key_sightings
                 WHERE container_id = ?1
                    OR container_id IN (SELECT id FROM key_containers WHERE merged_into = ?1)
                 ORDER BY last_seen DESC, id",
            )
            .context("reading where key containers were seen")?;
        let mut containers = Vec::with_capacity(rows.len());
        for (id, kind, name, password_kept) in rows {
            let seen = sightings
                .query_map([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .context("reading where key containers were seen")?
                .collect::<std::result::Result<_, _>>()
                .context("reading where key containers were seen")?;
            containers.push(ArchivedContainer {
                id,
                kind: KeyKind::from_name(&kind).ok_or_else(|| Error::Corrupted {
                    what: format!("unknown key container kind {kind:?}"),
                })?,
                name,
                password_kept,
                seen,
            });
        }
        Ok(containers)
    }

    /// The container as it was found (see [`KeyKind`]) and its kept password, if any.
    pub fn container_original(
        &self,
        container_id: i64,
    ) -> Result<(Zeroizing<Vec<u8>>, Option<SecretString>)> {
        let (original, password): (Vec<u8>, Option<Vec<u8>>) = self
            .connection()
            .query_row(
                "SELECT original, password FROM key_containers WHERE id = ?1",
                [container_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .context("reading a key container")?;
        let original =
            self.sealer()
                .unseal("key_containers", container_id, "original", &original)?;
        let password = password
            .map(|sealed| {
                let plain =
                    self.sealer()
                        .unseal("key_containers", container_id, "password", &sealed)?;
                String::from_utf8(plain.to_vec())
                    .map(SecretString::from)
                    .map_err(|_| Error::Corrupted {
                        what: format!(
                            "the kept password of key container {container_id} is not text"
                        ),
                    })
            })
            .transpose()?;
        Ok((original, password))
    }

    /// Every archived CryptoPro container, with its files as [`KeyKind::CryptoPro`] stores them.
    pub fn cryptopro_containers(&self) -> Result<Vec<ArchivedOriginal>> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT id, name, original FROM key_containers WHERE kind = 'cryptopro' ORDER BY id",
            )
            .context("reading key containers")?;
        let rows: Vec<(i64, String, Vec<u8>)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .context("reading key containers")?
            .collect::<std::result::Result<_, _>>()
            .context("reading key containers")?;
        rows.into_iter()
            .map(|(id, name, sealed)| {
                let original = self
                    .sealer()
                    .unseal("key_containers", id, "original", &sealed)?;
                Ok(ArchivedOriginal { id, name, original })
            })
            .collect()
    }

    /// Records that container `container_id` now also lives at `location` (a copy was written there).
    pub fn record_copy(&mut self, container_id: i64, location: &str) -> Result<()> {
        let at = now();
        let (connection, sealer) = self.parts_mut();
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting to record a copy")?;
        if seen(&transaction, Seen::Container, container_id, location, at)? {
            audit_keyed(&transaction, sealer, "container copied", location)?;
        }
        transaction.commit().context("recording a copy")
    }

    /// Whether this very container (same kind, same bytes) is archived with its key unlocked already:
    /// importing it again then needs no password.
    pub fn holds_unlocked(&self, kind: KeyKind, original: &[u8]) -> Result<bool> {
        let tag = self.sealer().tag(kind.as_str(), original);
        self.connection()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM key_containers AS container
                                JOIN private_keys AS key
                                  ON key.container_id = container.id OR key.public_key = container.public_key
                                WHERE container.tag = ?1)",
            )
            .context("preparing a statement")?
            .query_row([&tag], |row| row.get(0))
            .context("looking the key container up")
    }

    /// Archives a key taken out of an archived container later (its password given only now).
    pub fn add_unlocked_key(&mut self, container_id: i64, key: &UnlockedKey) -> Result<bool> {
        let at = now();
        let (connection, sealer) = self.parts_mut();
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting to archive a key")?;
        transaction
            .execute(
                "UPDATE key_containers SET public_key = coalesce(public_key, ?1) WHERE id = ?2",
                params![key.public_key, container_id],
            )
            .context("linking the key container")?;
        let added = add_private_key(&transaction, sealer, container_id, key, at)?;
        seal_audit_head(&transaction, sealer)?;
        transaction.commit().context("archiving a key")?;
        Ok(added)
    }
}
