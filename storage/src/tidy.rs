//! Forgetting a mistaken import without losing anything: a certificate hidden from the lists and
//! reminders (it stays, with its key, for old documents), and the containers of one key merged into
//! one entry. Each change is one audited transaction and is undone the same way.

use rusqlite::{OptionalExtension, params};

use crate::archive::Archive;
use crate::certificates::{audit_keyed, now};
use crate::error::{Result, SqliteContext};

/// One hidden certificate (`list --hidden`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden {
    /// The archive's id.
    pub id: i64,
    /// SHA-1 thumbprint.
    pub sha1: String,
    /// Whose it is.
    pub subject_name: String,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// When it was hidden, Unix seconds.
    pub hidden_at: i64,
}

impl Archive {
    /// Hides certificate `id_or_thumbprint` from lists, searches and reminders (`hidden`), or shows
    /// it again; nothing is deleted. Its id, or `None` when no certificate is named so; a
    /// certificate already so is left as it is (and nothing audited).
    pub fn hide_certificate(
        &mut self,
        id_or_thumbprint: &str,
        hidden: bool,
    ) -> Result<Option<i64>> {
        let Some((id, _)) = self.certificate_der(id_or_thumbprint)? else {
            return Ok(None);
        };
        let at = now();
        let (connection, sealer) = self.parts_mut();
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting to hide a certificate")?;
        let (sha1, was_hidden): (String, Option<i64>) = transaction
            .query_row(
                "SELECT sha1, hidden_at FROM certificates WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .context("reading a certificate")?;
        if was_hidden.is_some() != hidden {
            transaction
                .execute(
                    "UPDATE certificates SET hidden_at = ?2 WHERE id = ?1",
                    params![id, hidden.then_some(at)],
                )
                .context("hiding a certificate")?;
            let action = if hidden {
                "certificate hidden"
            } else {
                "certificate shown again"
            };
            audit_keyed(&transaction, sealer, action, &sha1)?;
        }
        transaction.commit().context("hiding a certificate")?;
        Ok(Some(id))
    }

    /// The hidden certificates, most recently hidden first.
    pub fn hidden_certificates(&self) -> Result<Vec<Hidden>> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT id, sha1, subject_name, not_after, hidden_at FROM certificates
                 WHERE hidden_at IS NOT NULL ORDER BY hidden_at DESC, id",
            )
            .context("reading the hidden certificates")?;
        let rows = statement
            .query_map([], |row| {
                Ok(Hidden {
                    id: row.get(0)?,
                    sha1: row.get(1)?,
                    subject_name: row.get(2)?,
                    not_after: row.get(3)?,
                    hidden_at: row.get(4)?,
                })
            })
            .context("reading the hidden certificates")?;
        rows.collect::<std::result::Result<_, _>>()
            .context("reading the hidden certificates")
    }

    /// Merges the containers that hold certificate `certificate_id`'s key into one entry: the
    /// CryptoPro container first, else a PFX, else the oldest; the others point to it (their
    /// originals and sightings stay). How many were merged.
    pub fn merge_key_containers(&mut self, certificate_id: i64) -> Result<usize> {
        let Some(public_key) = self.certificate_public_key(certificate_id)? else {
            return Ok(0);
        };
        let (connection, sealer) = self.parts_mut();
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting to merge key containers")?;
        let primary: Option<(i64, String, String)> = transaction
            .query_row(
                "SELECT id, kind, name FROM key_containers
                 WHERE public_key = ?1 AND merged_into IS NULL
                 ORDER BY CASE kind WHEN 'cryptopro' THEN 0 WHEN 'pkcs12' THEN 1 ELSE 2 END, id
                 LIMIT 1",
                [&public_key],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .context("reading key containers")?;
        let Some((primary, kind, name)) = primary else {
            return Ok(0);
        };
        let merged = transaction
            .execute(
                "UPDATE key_containers SET merged_into = ?2
                 WHERE public_key = ?1 AND merged_into IS NULL AND id != ?2",
                params![public_key, primary],
            )
            .context("merging key containers")?;
        if merged > 0 {
            audit_keyed(
                &transaction,
                sealer,
                "key containers merged",
                &format!("{kind} {name}"),
            )?;
        }
        transaction.commit().context("merging key containers")?;
        Ok(merged)
    }

    /// Undoes [`Archive::merge_key_containers`] for certificate `certificate_id`'s key: every
    /// container is its own entry again. How many were separated.
    pub fn unmerge_key_containers(&mut self, certificate_id: i64) -> Result<usize> {
        let Some(public_key) = self.certificate_public_key(certificate_id)? else {
            return Ok(0);
        };
        let (connection, sealer) = self.parts_mut();
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting to separate key containers")?;
        let separated = transaction
            .execute(
                "UPDATE key_containers SET merged_into = NULL
                 WHERE public_key = ?1 AND merged_into IS NOT NULL",
                [&public_key],
            )
            .context("separating key containers")?;
        if separated > 0 {
            audit_keyed(
                &transaction,
                sealer,
                "key containers separated",
                &public_key,
            )?;
        }
        transaction.commit().context("separating key containers")?;
        Ok(separated)
    }
}
