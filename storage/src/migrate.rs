//! Applies the embedded SQL migrations in order, recording each with its SHA-256, and refuses archives
//! changed under a shipped migration or written by a newer certkeeper.

use rusqlite::{Connection, OptionalExtension};
use sha2::Digest;

use crate::error::{Error, Result, SqliteContext};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

fn checksum(sql: &str) -> String {
    sha2::Sha256::digest(sql.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Brings the schema up to date inside one transaction.
pub(crate) fn migrate(connection: &mut Connection) -> Result<()> {
    let transaction = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .context("starting the migration")?;
    transaction
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version TEXT PRIMARY KEY,
                 checksum TEXT NOT NULL,
                 applied_at INTEGER NOT NULL
             ) STRICT;",
        )
        .context("creating the migrations table")?;
    let applied: Vec<(String, String)> = {
        let mut statement = transaction
            .prepare("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .context("reading applied migrations")?;
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .context("reading applied migrations")?
            .collect::<std::result::Result<_, _>>()
            .context("reading applied migrations")?
    };
    for (version, recorded) in &applied {
        match MIGRATIONS.iter().find(|(name, _)| name == version) {
            None => {
                return Err(Error::NewerArchive {
                    version: version.clone(),
                });
            }
            Some((_, sql)) if checksum(sql) != *recorded => {
                return Err(Error::MigrationChanged {
                    version: version.clone(),
                });
            }
            Some(_) => {}
        }
    }
    for (version, sql) in MIGRATIONS {
        let done = transaction
            .query_row(
                "SELECT 1 FROM schema_migrations WHERE version = ?1",
                [version],
                |_| Ok(()),
            )
            .optional()
            .context("checking a migration")?
            .is_some();
        if done {
            continue;
        }
        transaction
            .execute_batch(sql)
            .context("applying a migration")?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version, checksum, applied_at) VALUES (?1, ?2, unixepoch())",
                (version, checksum(sql)),
            )
            .context("recording a migration")?;
        tracing::info!(version, "applied archive migration");
    }
    transaction.commit().context("committing the migration")
}
