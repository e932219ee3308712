//! Changing the passphrase, backing the archive up while it is in use, and restoring a backup.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, MAIN_DB, OpenFlags};
use secrecy::{ExposeSecret, SecretString};

use crate::archive::Archive;
use crate::certificates::audit_keyed;
use crate::error::{Error, Result, SqliteContext};
use crate::keyring::{self, KdfParams};
use crate::location::ArchiveLocation;

/// What [`restore`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// Where the archive that was replaced is kept now (it is never deleted).
    pub previous_kept_at: Option<PathBuf>,
    /// Certificates in the restored archive.
    pub certificates: i64,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An empty file readable by its owner only, for SQLite to fill (SQLite keeps the mode it finds).
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop).map_err(io_error(path))
}

/// A name beside `path` that does not exist yet: `path` + `suffix` (+ a number if needed).
fn free_name(path: &Path, suffix: &str) -> PathBuf {
    let base = path.as_os_str().to_owned();
    let mut candidate = PathBuf::from({
        let mut name = base.clone();
        name.push(suffix);
        name
    });
    let mut number = 1;
    while certkeeper_core::files::taken(&candidate) {
        number += 1;
        let mut name = base.clone();
        name.push(format!("{suffix}-{number}"));
        candidate = PathBuf::from(name);
    }
    candidate
}

/// Copies the live database `from` into a new file at `to`, consistently (one read transaction, so
/// writers elsewhere are not blocked and nothing half-written is copied), and syncs it.
fn copy_database(from: &Connection, to: &Path) -> Result<()> {
    create_private(to)?;
    let result = (|| {
        let mut destination = Connection::open(to).context("creating the copy")?;
        {
            let backup = rusqlite::backup::Backup::new(from, &mut destination)
                .context("starting the copy")?;
            // All pages in one step (-1): one consistent snapshot of the source. A writer holding
            // the destination or source briefly makes the step busy; it is tried again.
            let mut attempts = 0;
            loop {
                match backup.step(-1).context("copying the archive")? {
                    rusqlite::backup::StepResult::Done => break,
                    _ if attempts < 200 => {
                        attempts += 1;
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    _ => {
                        return Err(Error::Corrupted {
                            what: "the archive stayed busy for ten seconds during the copy"
                                .to_owned(),
                        });
                    }
                }
            }
        }
        // The copy stands alone: fold its WAL (if any) into the file.
        destination
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .context("finishing the copy")?;
        let check: String = destination
            .query_row("PRAGMA quick_check", [], |row| row.get(0))
            .context("checking the copy")?;
        if check != "ok" {
            return Err(Error::Corrupted {
                what: format!("the copy does not pass SQLite's check: {check}"),
            });
        }
        drop(destination);
        std::fs::File::open(to)
            .and_then(|file| file.sync_all())
            .map_err(io_error(to))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(to);
        for suffix in ["-wal", "-shm"] {
            let mut name = to.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
    result
}

impl Archive {
    /// Changes the passphrase: a new salt and key-encryption key wrap the same data key, so nothing
    /// sealed is touched. `params` may raise the Argon2id cost at the same time.
    pub fn change_passphrase(&mut self, new: &SecretString, params: KdfParams) -> Result<()> {
        if new.expose_secret().is_empty() {
            return Err(Error::EmptyPassphrase);
        }
        let salt: [u8; 16] = keyring::random()?;
        let kek = keyring::derive_kek(new, &salt, params)?;
        let wrapped = self.wrap_data_key(&kek)?;
        let (connection, sealer) = self.parts_mut();
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting the passphrase change")?;
        transaction
            .execute(
                "UPDATE keyring SET kdf_memory_kib = ?1, kdf_iterations = ?2, kdf_parallelism = ?3,
                                    kdf_salt = ?4, wrapped_data_key = ?5, changed_at = unixepoch(),
                                    header_check = ?6, bound = 1
                 WHERE id = 1",
                rusqlite::params![
                    params.memory_kib,
                    params.iterations,
                    params.parallelism,
                    &salt[..],
                    &wrapped,
                    keyring::header_check(params, &salt, &wrapped, true),
                ],
            )
            .context("storing the new key hierarchy")?;
        audit_keyed(&transaction, sealer, "passphrase changed", "")?;
        transaction
            .commit()
            .context("committing the passphrase change")?;
        // The old wrapping is overwritten in the file (secure_delete); fold the WAL in so no copy of
        // it stays there either.
        self.connection()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .context("checkpointing")?;
        Ok(())
    }

    /// Writes a consistent copy of the archive to `to` (which must not exist) while it stays in use:
    /// into a temporary file beside it, checked, synced, then renamed.
    pub fn backup(&self, to: &Path) -> Result<()> {
        if certkeeper_core::files::taken(to) {
            return Err(Error::AlreadyExists {
                path: to.to_path_buf(),
            });
        }
        let temporary = free_name(to, ".certkeeper-tmp");
        copy_database(self.connection(), &temporary)?;
        if certkeeper_core::files::taken(to) {
            let _ = std::fs::remove_file(&temporary);
            return Err(Error::AlreadyExists {
                path: to.to_path_buf(),
            });
        }
        std::fs::rename(&temporary, to).map_err(io_error(to))?;
        Ok(())
    }
}

/// Replaces the archive at `location` with the backup at `from`, which must open with `passphrase`
/// and pass `verify`. The archive it replaces is first copied beside it (never deleted), and the
/// restore goes through SQLite, so a copy of certkeeper that has the archive open sees the restored
/// content rather than a file pulled away under it.
pub fn restore(
    location: &ArchiveLocation,
    from: &Path,
    passphrase: &SecretString,
) -> Result<Restored> {
    let backup = Archive::open_read_only(from, passphrase)?;
    let report = backup.verify()?;
    if !report.is_sound() {
        return Err(Error::Corrupted {
            what: format!("the backup {} does not pass verify", from.display()),
        });
    }
    let certificates: i64 = backup
        .connection()
        .query_row("SELECT count(*) FROM certificates", [], |row| row.get(0))
        .context("counting certificates")?;
    let path = location.path();
    // Nobody else may have the archive open: a window or reminder service would go on with what it
    // read before. Held until the restore is done.
    let _exclusive = match std::fs::File::open(path) {
        Ok(file) => match file.try_lock() {
            Ok(()) => Some(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::InUse {
                    path: path.to_path_buf(),
                });
            }
            Err(std::fs::TryLockError::Error(source)) => return Err(io_error(path)(source)),
        },
        Err(_) => None,
    };
    let previous_kept_at = if path.exists() {
        let aside = free_name(path, ".before-restore");
        match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .context("opening the current archive")
            .and_then(|current| copy_database(&current, &aside))
        {
            Ok(()) => {}
            // A damaged archive (the usual reason to restore) may not copy through SQLite: its bytes
            // are kept as they are.
            Err(_) => {
                std::fs::copy(path, &aside).map_err(io_error(&aside))?;
            }
        }
        Some(aside)
    } else {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        create_private(path)?;
        None
    };
    let mut target = Connection::open(path).context("opening the archive to restore into")?;
    target
        .busy_timeout(std::time::Duration::from_secs(10))
        .context("setting the busy timeout")?;
    target
        .restore(MAIN_DB, from, None::<fn(rusqlite::backup::Progress)>)
        .context("restoring the backup")?;
    drop(target);
    drop(backup);
    drop(_exclusive);
    let mut restored = Archive::open(location, passphrase)?;
    let (connection, sealer) = restored.parts_mut();
    let transaction = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .context("recording the restore")?;
    let from_shown = std::fs::canonicalize(from).unwrap_or_else(|_| from.to_path_buf());
    audit_keyed(
        &transaction,
        sealer,
        "archive restored",
        &from_shown.display().to_string(),
    )?;
    transaction.commit().context("recording the restore")?;
    Ok(Restored {
        previous_kept_at,
        certificates,
    })
}
