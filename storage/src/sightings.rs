//! Where an archived certificate and its key now live, recorded without the passphrase: a copy
//! made from a token or a drive (not from the archive) still belongs in the archive's record of
//! where things are. Nothing recorded here is secret: the certificate's sightings, the sightings of
//! the key containers with its public key, and an audit entry.

use rusqlite::OptionalExtension;

use crate::certificates::{audit, now};
use crate::error::{Result, SqliteContext};
use crate::keys::{Seen, seen};
use crate::location::ArchiveLocation;

/// What the archive knew of a copied certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// The certificate is archived, and now also seen at the copy's place.
    pub certificate: bool,
    /// Archived key containers with its public key, now also seen there.
    pub containers: usize,
}

/// Records that the certificate with SHA-1 `thumbprint` (and the key that goes with it) was copied
/// to `place` (`token:LABEL`, a path): one transaction, with an audit entry the first time. A
/// certificate the archive does not hold is left alone (`certificate: false`).
pub fn record_copy(location: &ArchiveLocation, thumbprint: &str, place: &str) -> Result<Recorded> {
    let (mut connection, _in_use) = crate::archive::open_file(location)?;
    let thumbprint = certkeeper_core::cert::Thumbprint::new(thumbprint);
    let thumbprint = thumbprint.as_str();
    let at = now();
    let transaction = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .context("starting to record a copy")?;
    let certificate: Option<(i64, String)> = transaction
        .query_row(
            "SELECT id, public_key FROM certificates WHERE sha1 = ?1",
            [&thumbprint],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .context("looking the certificate up")?;
    let Some((id, public_key)) = certificate else {
        return Ok(Recorded {
            certificate: false,
            containers: 0,
        });
    };
    let new_place = seen(&transaction, Seen::Certificate, id, place, at)?;
    let containers = if public_key.is_empty() {
        Vec::new()
    } else {
        containers_with(&transaction, &public_key)?
    };
    for container in &containers {
        seen(&transaction, Seen::Container, *container, place, at)?;
    }
    if new_place {
        audit(
            &transaction,
            "certificate copied",
            &format!("{thumbprint} → {place}"),
        )?;
    }
    transaction.commit().context("recording a copy")?;
    Ok(Recorded {
        certificate: true,
        containers: containers.len(),
    })
}

/// The archived key containers of `public_key`, oldest first.
fn containers_with(transaction: &rusqlite::Transaction<'_>, public_key: &str) -> Result<Vec<i64>> {
    let mut statement = transaction
        .prepare("SELECT id FROM key_containers WHERE public_key = ?1 ORDER BY id")
        .context("recording a copy")?;
    let rows = statement
        .query_map([public_key], |row| row.get(0))
        .context("recording a copy")?;
    rows.collect::<std::result::Result<Vec<i64>, _>>()
        .context("recording a copy")
}
