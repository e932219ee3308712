//! Creating and opening the archive file.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::{Error, Result, SqliteContext};
use crate::keyring::{self, KdfParams};
use crate::location::ArchiveLocation;
use crate::migrate::migrate;

/// An open, unlocked archive.
pub struct Archive {
    connection: Connection,
    sealer: Sealer,
    /// A shared lock on the database file for as long as the archive is open, so that `restore`
    /// can tell that another certkeeper (the window, the reminder service) has it open. An advisory
    /// `flock`, independent of SQLite's own `fcntl` locks on Linux.
    _in_use: Option<std::fs::File>,
}

/// Takes the shared "in use" lock on the database file (see [`Archive`]).
pub(crate) fn mark_in_use(path: &Path) -> Option<std::fs::File> {
    let file = std::fs::File::open(path).ok()?;
    file.lock_shared().ok()?;
    Some(file)
}

/// What Argon2id made of the archive's passphrase (the key-encryption key): the unlock agent keeps
/// it between commands so that they skip the key derivation. With the archive file it gives the
/// data key, so it is a secret of the same rank as the passphrase: zeroized on drop, never shown.
pub struct UnlockKey(Zeroizing<[u8; 32]>);

impl UnlockKey {
    /// The key from its 32 bytes (as the agent hands them back).
    pub fn from_bytes(bytes: Zeroizing<[u8; 32]>) -> Self {
        Self(bytes)
    }

    /// Its 32 bytes, for handing to the agent.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for UnlockKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnlockKey([REDACTED])")
    }
}

/// Seals and opens secrets with the archive's data key.
pub(crate) struct Sealer {
    data_key: Zeroizing<[u8; 32]>,
}

impl Sealer {
    /// Seals `secret` for `table`.`column` of row `row`.
    pub(crate) fn seal(
        &self,
        table: &str,
        row: i64,
        column: &str,
        secret: &[u8],
    ) -> Result<Vec<u8>> {
        keyring::seal(
            &self.data_key,
            secret,
            format!("{table}/{row}/{column}").as_bytes(),
        )
    }

    /// Opens what [`Sealer::seal`] sealed for the same place; the error names the place.
    pub(crate) fn unseal(
        &self,
        table: &str,
        row: i64,
        column: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        keyring::open(
            &self.data_key,
            sealed,
            format!("{table}/{row}/{column}").as_bytes(),
        )
        .ok_or_else(|| Error::Corrupted {
            what: format!("sealed {column} of {table} row {row} does not open"),
        })
    }

    /// A keyed hash (HMAC-SHA-256 under a key derived from the data key) that recognises a secret seen
    /// again without revealing anything about it to someone who does not hold the data key.
    pub(crate) fn tag(&self, purpose: &str, secret: &[u8]) -> String {
        use hmac::{KeyInit, Mac};
        type HmacSha256 = hmac::Hmac<sha2::Sha256>;
        let mut derive = <HmacSha256 as KeyInit>::new_from_slice(&self.data_key[..])
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        derive.update(b"certkeeper tag key v1\0");
        derive.update(purpose.as_bytes());
        let tag_key = Zeroizing::new(derive.finalize().into_bytes());
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&tag_key[..])
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(secret);
        crate::certificates::hex_upper(&mac.finalize().into_bytes())
    }
}

impl Sealer {
    /// The keyed tag of a certificate row: over its SHA-256, which `verify` checks against the DER.
    pub(crate) fn certificate_tag(&self, sha256: &str) -> String {
        self.tag("certificate row", sha256.as_bytes())
    }

    /// The keyed seal of the audit log's head: entry `entry_id` with `hash` (0 and no hash for an
    /// empty log).
    pub(crate) fn audit_seal(&self, entry_id: i64, hash: &[u8]) -> String {
        let mut sealed = entry_id.to_be_bytes().to_vec();
        sealed.extend_from_slice(hash);
        self.tag("audit head", &sealed)
    }
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Archive { data_key: [REDACTED], .. }")
    }
}

/// Opens an existing archive file for reading and writing, configured, migrated to this version
/// and back-filled, and marked in use (see [`mark_in_use`]); nothing is unlocked.
pub(crate) fn open_file(location: &ArchiveLocation) -> Result<(Connection, Option<std::fs::File>)> {
    let path = location.path();
    if !path.is_file() {
        return Err(Error::NotFound {
            path: path.to_path_buf(),
        });
    }
    let mut connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .context("opening the archive file")?;
    configure(&connection)?;
    migrate(&mut connection)?;
    crate::certificates::backfill(&mut connection)?;
    Ok((connection, mark_in_use(path)))
}

/// WAL for readers beside one writer (the window, the reminder service and the CLI at once), foreign
/// keys, a busy timeout, secure deletion, temporary data kept in memory so nothing lands in temp
/// files, and a page cache of 32 MiB (the indexes of a large import stay in memory).
pub(crate) fn configure(connection: &Connection) -> Result<()> {
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA synchronous = FULL;
             PRAGMA cache_size = -32768;",
        )
        .context("configuring the database")?;
    // Every statement of an import is prepared once per connection, not once per certificate.
    connection.set_prepared_statement_cache_capacity(64);
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .context("setting the busy timeout")
}

impl Archive {
    /// Creates a new archive protected by `passphrase`.
    pub fn create(
        location: &ArchiveLocation,
        passphrase: &SecretString,
        params: KdfParams,
    ) -> Result<Self> {
        let path = location.path();
        if passphrase.expose_secret().is_empty() {
            return Err(Error::EmptyPassphrase);
        }
        if path.exists() {
            return Err(Error::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            // The data folder holds keys (the archive, the registry store): the owner's only.
            certkeeper_core::files::create_private_folders(parent).map_err(|error| Error::Io {
                path: parent.to_path_buf(),
                source: std::io::Error::other(error.to_string()),
            })?;
        }
        // Readable by its owner only (SQLite gives the -wal and -shm files the same mode).
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .context("creating the archive file")?;
        configure(&connection)?;
        migrate(&mut connection)?;
        let keyring::NewDataKey {
            salt,
            wrapped,
            data_key,
        } = keyring::new_data_key(passphrase, params)?;
        let sealer = Sealer { data_key };
        let transaction = connection
            .transaction()
            .context("storing the key hierarchy")?;
        transaction
            .execute(
                "INSERT INTO keyring (id, kdf, kdf_memory_kib, kdf_iterations, kdf_parallelism, kdf_salt,
                                      wrapped_data_key, created_at, changed_at, header_check, bound)
                 VALUES (1, 'argon2id', ?1, ?2, ?3, ?4, ?5, unixepoch(), unixepoch(), ?6, 1)",
                (
                    params.memory_kib,
                    params.iterations,
                    params.parallelism,
                    &salt[..],
                    &wrapped,
                    keyring::header_check(params, &salt, &wrapped, true),
                ),
            )
            .context("storing the key hierarchy")?;
        crate::certificates::seal_audit_head(&transaction, &sealer)?;
        transaction.commit().context("storing the key hierarchy")?;
        Ok(Self {
            connection,
            sealer,
            _in_use: mark_in_use(path),
        })
    }

    /// Opens the archive and unlocks it with `passphrase`.
    pub fn open(location: &ArchiveLocation, passphrase: &SecretString) -> Result<Self> {
        let (mut connection, in_use) = open_file(location)?;
        let (header, kek, data_key) = unlock(&connection, passphrase)?;
        let sealer = Sealer { data_key };
        if !header.bound || header.check.is_none() {
            bind(&mut connection, &sealer, &header, &kek)?;
        }
        Ok(Self {
            connection,
            sealer,
            _in_use: in_use,
        })
    }

    /// Opens the archive with `passphrase` and gives, besides it, the key Argon2id made of the
    /// passphrase, for the unlock agent to keep (see [`UnlockKey`]).
    pub fn open_keeping_key(
        location: &ArchiveLocation,
        passphrase: &SecretString,
    ) -> Result<(Self, UnlockKey)> {
        let (mut connection, in_use) = open_file(location)?;
        let (header, kek, data_key) = unlock(&connection, passphrase)?;
        let sealer = Sealer { data_key };
        if !header.bound || header.check.is_none() {
            bind(&mut connection, &sealer, &header, &kek)?;
        }
        Ok((
            Self {
                connection,
                sealer,
                _in_use: in_use,
            },
            UnlockKey(kek),
        ))
    }

    /// Opens the archive with a key kept since an earlier unlock: no key derivation. The data key
    /// is unwrapped, and so authenticated, with it: a key made of an older passphrase (changed
    /// since) or for another archive file (restored over it) is [`Error::WrongPassphrase`].
    pub fn open_with_key(location: &ArchiveLocation, key: &UnlockKey) -> Result<Self> {
        let (connection, in_use) = open_file(location)?;
        let header = read_header(&connection)?;
        if !header.bound {
            // An archive from before the binding is bound at its first opening by passphrase.
            return Err(Error::WrongPassphrase);
        }
        let data_key = keyring::unwrap_data_key(&key.0, &header.wrapped, header.bound)?;
        Ok(Self {
            connection,
            sealer: Sealer { data_key },
            _in_use: in_use,
        })
    }

    /// A second connection to the same archive, already unlocked (the data key is shared, no key
    /// derivation): for work on another thread — an import in the window — while this one keeps
    /// answering. SQLite's WAL lets both read while one writes.
    pub fn another(&self) -> Result<Self> {
        let path = self
            .connection
            .path()
            .filter(|path| !path.is_empty())
            .map(std::path::PathBuf::from)
            .ok_or_else(|| Error::NotFound {
                path: std::path::PathBuf::from(":memory:"),
            })?;
        let connection = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .context("opening the archive file")?;
        configure(&connection)?;
        Ok(Self {
            connection,
            sealer: Sealer {
                data_key: self.sealer.data_key.clone(),
            },
            _in_use: mark_in_use(&path),
        })
    }

    /// Opens an archive file read-only (a backup to check before restoring it) and unlocks it.
    pub(crate) fn open_read_only(path: &Path, passphrase: &SecretString) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::NotFound {
                path: path.to_path_buf(),
            });
        }
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .context("opening the backup")?;
        let (_, _, data_key) = unlock(&connection, passphrase)?;
        Ok(Self {
            connection,
            sealer: Sealer { data_key },
            _in_use: None,
        })
    }

    /// The data key wrapped under `kek`.
    pub(crate) fn wrap_data_key(&self, kek: &[u8; 32]) -> Result<Vec<u8>> {
        // An open archive is bound (opening binds it).
        keyring::wrap_data_key(kek, &self.sealer.data_key, true)
    }

    /// The Argon2id parameters stored in the archive.
    pub fn kdf_params(&self) -> Result<KdfParams> {
        self.connection
            .query_row(
                "SELECT kdf_memory_kib, kdf_iterations, kdf_parallelism FROM keyring WHERE id = 1",
                [],
                |row| {
                    Ok(KdfParams {
                        memory_kib: row.get(0)?,
                        iterations: row.get(1)?,
                        parallelism: row.get(2)?,
                    })
                },
            )
            .context("reading the key hierarchy")
    }

    /// Seals `secret` for `table`.`column` of row `row`: moved to another place, it will not open.
    pub fn seal(&self, table: &str, row: i64, column: &str, secret: &[u8]) -> Result<Vec<u8>> {
        self.sealer.seal(table, row, column, secret)
    }

    /// Opens what [`Archive::seal`] sealed for the same place.
    pub fn unseal(
        &self,
        table: &str,
        row: i64,
        column: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.sealer.unseal(table, row, column, sealed)
    }

    pub(crate) fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// The connection and the sealer at once, for a transaction that seals.
    pub(crate) fn parts_mut(&mut self) -> (&mut Connection, &Sealer) {
        (&mut self.connection, &self.sealer)
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The path of the database file.
    pub fn path(&self) -> Option<&Path> {
        self.connection.path().map(Path::new)
    }
}

/// The key hierarchy's row.
pub(crate) struct Header {
    params: KdfParams,
    salt: Vec<u8>,
    wrapped: Vec<u8>,
    /// [`keyring::header_check`] as stored (`None` in archives made before it existed).
    check: Option<Vec<u8>>,
    /// Whether the certificates and audit log are bound to the data key.
    pub(crate) bound: bool,
}

/// Whether `table` of `connection`'s database has `column` (a backup made by an older certkeeper may
/// not have it yet: backups are checked before they are migrated).
pub(crate) fn has_column(connection: &Connection, table: &str, column: &str) -> Result<bool> {
    connection
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
            [table, column],
            |row| row.get(0),
        )
        .context("reading the archive's schema")
}

/// The key hierarchy's row, checked: a damaged row or parameters outside sane bounds are told as
/// damage before any key is derived, never as a wrong passphrase.
pub(crate) fn read_header(connection: &Connection) -> Result<Header> {
    let current = has_column(connection, "keyring", "bound")?;
    let query = if current {
        "SELECT kdf_memory_kib, kdf_iterations, kdf_parallelism, kdf_salt, wrapped_data_key, header_check, bound FROM keyring WHERE id = 1"
    } else {
        "SELECT kdf_memory_kib, kdf_iterations, kdf_parallelism, kdf_salt, wrapped_data_key, NULL, NULL FROM keyring WHERE id = 1"
    };
    let header = connection
        .query_row(query, [], |row| {
            Ok(Header {
                params: KdfParams {
                    memory_kib: row.get(0)?,
                    iterations: row.get(1)?,
                    parallelism: row.get(2)?,
                },
                salt: row.get(3)?,
                wrapped: row.get(4)?,
                check: row.get(5)?,
                bound: row.get::<_, Option<i64>>(6)? == Some(1),
            })
        })
        .map_err(|error| match error {
            rusqlite::Error::QueryReturnedNoRows => Error::Corrupted {
                what: "the key hierarchy is missing".to_owned(),
            },
            source => Error::Sqlite {
                context: "reading the key hierarchy",
                source,
            },
        })?;
    if let Some(check) = &header.check
        && *check
            != keyring::header_check(header.params, &header.salt, &header.wrapped, header.bound)
    {
        return Err(Error::DamagedHeader { params: None });
    }
    if header.params.out_of_bounds() {
        return Err(Error::DamagedHeader {
            params: Some(header.params),
        });
    }
    Ok(header)
}

/// The data key, unwrapped with `passphrase` from the keyring of `connection`'s database, with the
/// header and the key-encryption key it was unwrapped with.
#[allow(clippy::type_complexity)]
fn unlock(
    connection: &Connection,
    passphrase: &SecretString,
) -> Result<(Header, Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>)> {
    let header = read_header(connection)?;
    let kek = keyring::derive_kek(passphrase, &header.salt, header.params)?;
    let data_key = keyring::unwrap_data_key(&kek, &header.wrapped, header.bound)?;
    Ok((header, kek, data_key))
}

/// Binds an archive made before certkeeper bound its contents to the data key, in one transaction:
/// every certificate whose DER matches its SHA-256 gets its keyed tag, the audit log's head its keyed
/// seal, the key hierarchy its check, and the data key is wrapped again as a bound archive's.
fn bind(
    connection: &mut Connection,
    sealer: &Sealer,
    header: &Header,
    kek: &[u8; 32],
) -> Result<()> {
    use sha2::Digest;
    let transaction = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .context("binding the archive to its key")?;
    if !header.bound {
        let rows: Vec<(i64, String, Vec<u8>)> = {
            let mut statement = transaction
                .prepare("SELECT id, sha256, der FROM certificates WHERE tag IS NULL")
                .context("reading certificates")?;
            let rows = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .context("reading certificates")?;
            rows.collect::<std::result::Result<_, _>>()
                .context("reading certificates")?
        };
        let mut update = transaction
            .prepare("UPDATE certificates SET tag = ?1 WHERE id = ?2")
            .context("binding certificates")?;
        for (id, sha256, der) in rows {
            // A record already damaged stays untagged: verify reports it.
            if crate::certificates::hex_upper(&sha2::Sha256::digest(&der)) == sha256 {
                update
                    .execute(rusqlite::params![sealer.certificate_tag(&sha256), id])
                    .context("binding certificates")?;
            }
        }
        drop(update);
        crate::certificates::seal_audit_head(&transaction, sealer)?;
    }
    let wrapped = keyring::wrap_data_key(kek, &sealer.data_key, true)?;
    transaction
        .execute(
            "UPDATE keyring SET wrapped_data_key = ?1, header_check = ?2, bound = 1 WHERE id = 1",
            rusqlite::params![
                &wrapped,
                keyring::header_check(header.params, &header.salt, &wrapped, true)
            ],
        )
        .context("binding the archive to its key")?;
    transaction
        .commit()
        .context("binding the archive to its key")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters: the tests are about behaviour, not about cost.
    const FAST: KdfParams = KdfParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    fn passphrase(text: &str) -> SecretString {
        SecretString::from(text.to_owned())
    }

    #[test]
    fn a_kept_unlock_key_opens_until_the_passphrase_changes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        drop(Archive::create(&location, &passphrase("первый"), FAST).expect("create"));
        let (mut opened, key) =
            Archive::open_keeping_key(&location, &passphrase("первый")).expect("open");
        assert_eq!(format!("{key:?}"), "UnlockKey([REDACTED])");
        let again = Archive::open_with_key(&location, &key).expect("the kept key opens");
        assert!(again.verify().expect("verify").is_sound());
        drop(again);
        opened
            .change_passphrase(&passphrase("второй"), FAST)
            .expect("change");
        drop(opened);
        assert!(matches!(
            Archive::open_with_key(&location, &key),
            Err(Error::WrongPassphrase)
        ));
        // Another archive's key does not open this one.
        let other = ArchiveLocation::explicit(dir.path().join("other.db"));
        drop(Archive::create(&other, &passphrase("второй"), FAST).expect("create"));
        let (_, other_key) =
            Archive::open_keeping_key(&other, &passphrase("второй")).expect("open");
        assert!(matches!(
            Archive::open_with_key(&location, &other_key),
            Err(Error::WrongPassphrase)
        ));
    }

    #[test]
    fn created_archive_opens_with_its_passphrase_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("nested").join("archive.db"));
        let created =
            Archive::create(&location, &passphrase("правильный пароль"), FAST).expect("create");
        let sealed = created
            .seal("keys", 7, "secret", b"key bytes")
            .expect("seal");
        drop(created);

        let opened = Archive::open(&location, &passphrase("правильный пароль")).expect("open");
        assert_eq!(opened.kdf_params().expect("params"), FAST);
        assert_eq!(
            &opened.unseal("keys", 7, "secret", &sealed).expect("unseal")[..],
            b"key bytes"
        );
        // A blob moved to another row or column does not open.
        assert!(matches!(
            opened.unseal("keys", 8, "secret", &sealed),
            Err(Error::Corrupted { .. })
        ));
        assert!(matches!(
            opened.unseal("keys", 7, "other", &sealed),
            Err(Error::Corrupted { .. })
        ));
        let mut flipped = sealed.clone();
        flipped[20] ^= 1;
        assert!(matches!(
            opened.unseal("keys", 7, "secret", &flipped),
            Err(Error::Corrupted { .. })
        ));
        drop(opened);

        assert!(matches!(
            Archive::open(&location, &passphrase("неправильный")),
            Err(Error::WrongPassphrase)
        ));
        assert!(matches!(
            Archive::create(&location, &passphrase("x"), FAST),
            Err(Error::AlreadyExists { .. })
        ));
    }

    /// Runs `sql` on the archive file behind certkeeper's back.
    fn raw(location: &ArchiveLocation, sql: &str, params: impl rusqlite::Params) {
        let connection = Connection::open(location.path()).expect("raw");
        connection.execute(sql, params).expect(sql);
    }

    #[test]
    fn a_damaged_header_and_absurd_key_derivation_parameters_are_damage_not_a_wrong_passphrase() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        drop(Archive::create(&location, &passphrase("p"), FAST).expect("create"));
        let header =
            read_header(&Connection::open(location.path()).expect("open")).expect("header");
        assert!(header.bound);
        let damaged = |error: Result<Archive>| match error {
            Err(error @ Error::DamagedHeader { .. }) => error.to_string(),
            other => panic!("{:?}", other.map(|_| ())),
        };

        // A flipped bit in the wrapped key: damage, said before any key derivation.
        let mut flipped = header.wrapped.clone();
        flipped[30] ^= 1;
        raw(
            &location,
            "UPDATE keyring SET wrapped_data_key = ?1",
            [&flipped],
        );
        let what = damaged(Archive::open(&location, &passphrase("p")));
        assert!(what.contains("header"), "{what}");
        raw(
            &location,
            "UPDATE keyring SET wrapped_data_key = ?1",
            [&header.wrapped],
        );

        // Parameters edited without the check: damage.
        raw(&location, "UPDATE keyring SET kdf_iterations = 3", []);
        assert!(damaged(Archive::open(&location, &passphrase("p"))).contains("header"));

        // Absurd parameters, even with a matching check (a crafted archive or backup): refused at
        // once, never derived with (2^32-1 passes would take days, 16 GiB would be allocated).
        for (memory_kib, iterations, parallelism) in [
            (FAST.memory_kib, u32::MAX, 1),
            (16 * 1024 * 1024, 1, 1),
            (1024 * 1024, 64, 1),
            (FAST.memory_kib, 1, 255),
        ] {
            let params = KdfParams {
                memory_kib,
                iterations,
                parallelism,
            };
            raw(
                &location,
                "UPDATE keyring SET kdf_memory_kib = ?1, kdf_iterations = ?2, kdf_parallelism = ?3,
                                    header_check = ?4",
                rusqlite::params![
                    memory_kib,
                    iterations,
                    parallelism,
                    keyring::header_check(params, &header.salt, &header.wrapped, true)
                ],
            );
            let started = std::time::Instant::now();
            let what = damaged(Archive::open(&location, &passphrase("p")));
            assert!(what.contains("outside what certkeeper accepts"), "{what}");
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "derived with"
            );
            let what = damaged(Archive::open_read_only(location.path(), &passphrase("p")));
            assert!(what.contains("outside"), "{what}");
        }
        raw(
            &location,
            "UPDATE keyring SET kdf_memory_kib = ?1, kdf_iterations = ?2, kdf_parallelism = ?3,
                                header_check = ?4",
            rusqlite::params![
                FAST.memory_kib,
                FAST.iterations,
                FAST.parallelism,
                keyring::header_check(FAST, &header.salt, &header.wrapped, true)
            ],
        );
        // The "bound" mark taken away with the check recomputed: the key no longer unwraps, so an
        // archive cannot be made to skip its checks.
        raw(
            &location,
            "UPDATE keyring SET bound = NULL, header_check = ?1",
            [keyring::header_check(
                FAST,
                &header.salt,
                &header.wrapped,
                false,
            )],
        );
        assert!(Archive::open(&location, &passphrase("p")).is_err());
        raw(
            &location,
            "UPDATE keyring SET bound = 1, header_check = ?1",
            [keyring::header_check(
                FAST,
                &header.salt,
                &header.wrapped,
                true,
            )],
        );
        Archive::open(&location, &passphrase("p")).expect("opens again");
        assert!(matches!(
            Archive::open(&location, &passphrase("wrong")),
            Err(Error::WrongPassphrase)
        ));
    }

    #[test]
    fn an_archive_made_before_binding_is_bound_when_next_opened() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        let archive = Archive::create(&location, &passphrase("p"), FAST).expect("create");
        // Made as an older certkeeper made it: the key wrapped the old way, no check, no seal.
        let header = read_header(archive.connection()).expect("header");
        let kek = keyring::derive_kek(&passphrase("p"), &header.salt, FAST).expect("kek");
        let old = keyring::wrap_data_key(&kek, &archive.sealer.data_key, false).expect("wrap");
        drop(archive);
        raw(
            &location,
            "UPDATE keyring SET wrapped_data_key = ?1, header_check = NULL, bound = NULL",
            [&old],
        );
        raw(&location, "DELETE FROM audit_seal", []);
        let opened = Archive::open(&location, &passphrase("p")).expect("opens the old way");
        let report = opened.verify().expect("verify");
        assert!(report.bound && report.is_sound(), "{report:?}");
        let header = read_header(opened.connection()).expect("header");
        assert!(header.bound && header.check.is_some());
        drop(opened);
        Archive::open(&location, &passphrase("p")).expect("opens the new way");
    }

    #[test]
    fn empty_passphrase_and_missing_archive_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        assert!(matches!(
            Archive::create(&location, &passphrase(""), FAST),
            Err(Error::EmptyPassphrase)
        ));
        assert!(matches!(
            Archive::open(&location, &passphrase("x")),
            Err(Error::NotFound { .. })
        ));
    }

    #[test]
    fn archives_of_a_newer_version_or_with_a_changed_migration_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        drop(Archive::create(&location, &passphrase("p"), FAST).expect("create"));
        let raw = Connection::open(location.path()).expect("raw open");
        raw.execute(
            "INSERT INTO schema_migrations (version, checksum, applied_at) VALUES ('29991231000000_future', 'x', 0)",
            [],
        )
        .expect("insert");
        drop(raw);
        let error = Archive::open(&location, &passphrase("p")).expect_err("newer");
        assert!(
            matches!(&error, Error::NewerArchive { version } if version == "29991231000000_future"),
            "{error:?}"
        );

        let raw = Connection::open(location.path()).expect("raw open");
        raw.execute(
            "DELETE FROM schema_migrations WHERE version = '29991231000000_future'",
            [],
        )
        .expect("delete");
        raw.execute("UPDATE schema_migrations SET checksum = 'edited'", [])
            .expect("update");
        drop(raw);
        assert!(matches!(
            Archive::open(&location, &passphrase("p")),
            Err(Error::MigrationChanged { .. })
        ));
    }
}
