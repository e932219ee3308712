//! Archived certificates: import (idempotent, one transaction per action), list and search.

use rusqlite::{OptionalExtension, params};
use sha2::Digest;

use certkeeper_core::cert::Certificate;

use crate::archive::Archive;
use crate::error::{Result, SqliteContext};
use crate::keys::import_key_into;
pub use certkeeper_core::import::{FileImport, FileImported, Imported};

/// Who a certificate was issued to, so that a renewal is told from another person's certificate: the
/// person (SNILS, else a personal 12-digit INN) and the organisation (OGRN, else its INN, else OGRNIP);
/// the whole subject name when the certificate has none of these (CA and foreign certificates).
///
/// A certificate is superseded by a certificate of the same owner that became valid more than a day
/// later: certificates issued together (one per algorithm, or for two purposes) stand side by side.
pub fn owner_of(certificate: &Certificate) -> String {
    let personal_inn = |inn: &&String| {
        inn.len() == 12 && certkeeper_core::cert::organisation_inn_of_old_form(inn).is_none()
    };
    let person = certificate
        .snils
        .as_ref()
        .map(|snils| format!("snils:{snils}"))
        .or_else(|| {
            certificate
                .inn
                .as_ref()
                .filter(personal_inn)
                .map(|inn| format!("inn:{inn}"))
        });
    let organisation = certificate
        .ogrn
        .as_ref()
        .map(|ogrn| format!("ogrn:{ogrn}"))
        .or_else(|| certificate.innle.as_ref().map(|inn| format!("innle:{inn}")))
        .or_else(|| {
            certificate
                .inn
                .as_ref()
                .filter(|inn| inn.len() == 10)
                .map(|inn| format!("innle:{inn}"))
        })
        .or_else(|| {
            certificate
                .ogrnip
                .as_ref()
                .map(|ogrnip| format!("ogrnip:{ogrnip}"))
        });
    match (person, organisation) {
        (None, None) => format!("subject:{}", certificate.subject),
        (person, organisation) => [person, organisation]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The certificate installed by a renewal of `certificates`' row (a request made with `--like`):
/// whatever the dates, it supersedes the one it renews.
pub(crate) const RENEWED_BY: &str = "(SELECT renewal.certificate_id FROM requests AS renewal
     WHERE renewal.renews = certificates.sha1 AND renewal.state = 'installed'
       AND renewal.certificate_id IS NOT NULL AND renewal.certificate_id != certificates.id
     ORDER BY renewal.id DESC LIMIT 1)";

/// The public key identifier stored with a certificate ('' when certkeeper cannot read its key).
pub(crate) fn public_key_of(certificate: &Certificate) -> String {
    certificate
        .public_key_material()
        .map(|material| material.id())
        .unwrap_or_default()
}

/// Fills the public key and owner of certificates archived before those columns existed, in one
/// transaction (a no-op once done).
pub(crate) fn backfill(connection: &mut rusqlite::Connection) -> Result<()> {
    // Looked at first without the write lock: usually there is nothing to do.
    let pending: bool = connection
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM certificates WHERE public_key IS NULL)
                 OR EXISTS (SELECT 1 FROM certificates WHERE owner IS NULL)
                 OR EXISTS (SELECT 1 FROM certificates WHERE subject_key_id IS NULL)
                 OR EXISTS (SELECT 1 FROM certificates WHERE is_ca IS NULL)",
            [],
            |row| row.get(0),
        )
        .context("reading old records")?;
    if !pending {
        return Ok(());
    }
    let transaction = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .context("starting to complete old records")?;
    {
        let mut pending = transaction
            .prepare(
                "SELECT id, der FROM certificates
                 WHERE public_key IS NULL OR owner IS NULL OR subject_key_id IS NULL OR is_ca IS NULL",
            )
            .context("reading old records")?;
        let mut update = transaction
            .prepare(
                "UPDATE certificates SET public_key = ?1, owner = ?2, subject_key_id = ?3, is_ca = ?4
                 WHERE id = ?5",
            )
            .context("completing old records")?;
        let rows = pending
            .query_map([], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .context("reading old records")?;
        for row in rows {
            let (id, der) = row.context("reading old records")?;
            let (public_key, owner, subject_key_id, is_ca) = match Certificate::from_der(&der) {
                Ok(certificate) => (
                    public_key_of(&certificate),
                    owner_of(&certificate),
                    certificate.subject_key_id.clone().unwrap_or_default(),
                    certificate.is_ca,
                ),
                // `verify` reports the damage; the record stays as it is.
                Err(_) => (
                    String::new(),
                    format!("unreadable:{id}"),
                    String::new(),
                    false,
                ),
            };
            update
                .execute(params![public_key, owner, subject_key_id, is_ca, id])
                .context("completing old records")?;
        }
    }
    transaction.commit().context("completing old records")
}

/// A certificate as the archive lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The archive's id.
    pub id: i64,
    /// SHA-1 thumbprint, uppercase hex.
    pub sha1: String,
    /// The subject's common name or organisation.
    pub subject_name: String,
    /// The issuer, as text.
    pub issuer: String,
    /// The serial number, uppercase hex.
    pub serial: String,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// End of the private key usage period, Unix seconds.
    pub private_key_not_after: Option<i64>,
    /// The key algorithm by name.
    pub key_algorithm: String,
    /// INN (person, or organisation in older certificates).
    pub inn: Option<String>,
    /// INN of a legal entity.
    pub innle: Option<String>,
    /// OGRN.
    pub ogrn: Option<String>,
    /// OGRNIP.
    pub ogrnip: Option<String>,
    /// SNILS.
    pub snils: Option<String>,
    /// The newest certificate of the same owner, when this one has been renewed.
    pub superseded_by: Option<i64>,
    /// Whether the archive holds the private key.
    pub has_private_key: bool,
    /// Who it was issued to ([`owner_of`]): a person's or organisation's certificates over the
    /// years share it.
    pub owner: String,
    /// What the archive's name search looks in (see [`Listed::searched`]).
    pub name_text: String,
}

impl Listed {
    /// Everything a search of the archive looks in, lowercase, one per line: the name index's text
    /// (the subject's values and the issuer's name), the identifiers, the thumbprint and the
    /// serial number. The window filters its list by the same fields as it is typed.
    pub fn searched(&self) -> String {
        let mut text = self.name_text.to_lowercase();
        for field in [
            &self.inn,
            &self.innle,
            &self.ogrn,
            &self.ogrnip,
            &self.snils,
        ]
        .into_iter()
        .flatten()
        .chain([&self.sha1, &self.serial])
        {
            text.push('\n');
            text.push_str(&field.to_lowercase());
        }
        text
    }
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

/// The hash of an audit entry: SHA-256 over the previous entry's hash, the time, the action and the
/// subject.
fn audit_hash(previous: &[u8], at: i64, action: &str, subject: &str) -> Vec<u8> {
    sha2::Sha256::new()
        .chain_update(previous)
        .chain_update(at.to_be_bytes())
        .chain_update(action.as_bytes())
        .chain_update([0])
        .chain_update(subject.as_bytes())
        .finalize()
        .to_vec()
}

/// Appends to the hash-chained audit log inside the caller's transaction, without the data key (the
/// reminder service, a copy recorded by the command line): the entry extends the chain after its keyed
/// seal. The new entry's id and hash.
pub(crate) fn audit(
    transaction: &rusqlite::Transaction<'_>,
    action: &str,
    subject: &str,
) -> Result<(i64, Vec<u8>)> {
    let previous: Vec<u8> = transaction
        .prepare_cached("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")
        .context("preparing a statement")?
        .query_row([], |row| row.get(0))
        .optional()
        .context("reading the audit log")?
        .unwrap_or_else(|| vec![0u8; 32]);
    let at = now();
    let hash = audit_hash(&previous, at, action, subject);
    transaction
        .prepare_cached("INSERT INTO audit (at, action, subject, previous_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5)")
        .context("preparing a statement")?
        .execute(
            params![at, action, subject, previous, hash],
        )
        .context("writing the audit log")?;
    Ok((transaction.last_insert_rowid(), hash))
}

/// Appends to the audit log with the data key at hand: the entry becomes the log's keyed head, so
/// that neither it nor anything before it can be rewritten or cut away unseen.
pub(crate) fn audit_keyed(
    transaction: &rusqlite::Transaction<'_>,
    sealer: &crate::archive::Sealer,
    action: &str,
    subject: &str,
) -> Result<()> {
    let (id, hash) = audit(transaction, action, subject)?;
    write_seal(transaction, sealer, id, &hash)
}

/// Seals the audit log's present head (an empty log as entry 0).
pub(crate) fn seal_audit_head(
    transaction: &rusqlite::Transaction<'_>,
    sealer: &crate::archive::Sealer,
) -> Result<()> {
    let (id, hash): (i64, Vec<u8>) = transaction
        .query_row(
            "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .context("reading the audit log")?
        .unwrap_or_default();
    write_seal(transaction, sealer, id, &hash)
}

fn write_seal(
    transaction: &rusqlite::Transaction<'_>,
    sealer: &crate::archive::Sealer,
    id: i64,
    hash: &[u8],
) -> Result<()> {
    transaction
        .prepare_cached(
            "INSERT INTO audit_seal (id, entry_id, tag) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET entry_id = excluded.entry_id, tag = excluded.tag",
        )
        .context("preparing a statement")?
        .execute(params![id, sealer.audit_seal(id, hash)])
        .context("sealing the audit log")?;
    Ok(())
}

impl Archive {
    /// Archives `certificates` seen at `location`, all in one transaction: new ones are added,
    /// known ones only get their "last seen" updated.
    pub fn import_certificates(
        &mut self,
        certificates: &[Certificate],
        location: &str,
    ) -> Result<Vec<Imported>> {
        let mut results = self.import_files(&[FileImport {
            location,
            certificates,
            key: None,
        }])?;
        Ok(results
            .pop()
            .map(|imported| imported.certificates)
            .unwrap_or_default())
    }

    /// Archives what several files hold (each given with where it was seen) in one transaction: all
    /// of it or, on any failure, nothing. What each file's contents became, in order.
    pub fn import_files(&mut self, files: &[FileImport<'_>]) -> Result<Vec<FileImported>> {
        let at = now();
        let (connection, sealer) = self.parts_mut();
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting the import")?;
        let mut all = Vec::with_capacity(files.len());
        for file in files {
            let certificates =
                import_into(&transaction, sealer, file.certificates, file.location, at)?;
            let key = file
                .key
                .as_ref()
                .map(|key| import_key_into(&transaction, sealer, key, file.location, at))
                .transpose()?;
            all.push(FileImported { certificates, key });
        }
        // The log's new head is sealed once, in the same transaction as its entries.
        seal_audit_head(&transaction, sealer)?;
        transaction.commit().context("committing the import")?;
        Ok(all)
    }

    /// Keeps `certificates` seen at `place` (`token:LABEL`): for each, whether it is new to the
    /// archive (the archive's side of [`certkeeper_core::media::tokens::archive_certificates`]).
    pub fn keep_certificates(
        &mut self,
        certificates: &[Certificate],
        place: &str,
    ) -> std::result::Result<Vec<bool>, certkeeper_core::open::SourceError> {
        Ok(self
            .import_certificates(certificates, place)?
            .into_iter()
            .map(|imported| matches!(imported, Imported::Added))
            .collect())
    }

    /// Archived certificates, soonest to expire last; `search` matches the fields of
    /// [`Listed::searched`]: a part of the name text (case-insensitive), an identifier (INN, INNLE,
    /// SNILS, OGRN, OGRNIP), the thumbprint or the serial exactly.
    pub fn list_certificates(
        &self,
        search: Option<&str>,
        expiring_before: Option<i64>,
    ) -> Result<Vec<Listed>> {
        // A number (INN, SNILS "123-456-789 01", OGRN) is matched exactly, never as a part of a
        // longer number; anything else as a part of the subject or issuer (through the trigram index
        // of migration certificate_search), or exactly as a thumbprint or serial. Each branch of the
        // union has its own index, so a search does not read every row.
        let digits: Option<String> = search.and_then(|text| {
            let cleaned: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
            (!cleaned.is_empty() && cleaned.chars().all(|c| c.is_ascii_digit())).then_some(cleaned)
        });
        let identifier = search.map(|text| {
            certkeeper_core::cert::Thumbprint::new(text)
                .as_str()
                .to_owned()
        });
        // Sixteen hex digits or more are a thumbprint or serial, never a part of a name.
        let hex = identifier
            .as_deref()
            .is_some_and(|id| id.len() >= 16 && id.chars().all(|c| c.is_ascii_hexdigit()));
        let pattern = match (&digits, search) {
            (None, Some(text)) if !hex => Some(format!("%{}%", text.trim().to_lowercase())),
            _ => None,
        };
        // Two statements rather than one with `?searching = 0 OR ...`: SQLite plans a statement once,
        // and that OR would make it read every row even for a thumbprint. The matches drive the join,
        // so a search reads the index entries it hits, not the table in expiry order.
        // The name index only when there is a name to look for: `LIKE NULL` would read it all.
        let searched = format!(
            "({} SELECT id FROM certificates WHERE inn = ?3
                UNION SELECT id FROM certificates WHERE innle = ?3
                UNION SELECT id FROM certificates WHERE inn = ?5
                UNION SELECT id FROM certificates WHERE innle = ?5
                UNION SELECT id FROM certificates WHERE snils = ?3
                UNION SELECT id FROM certificates WHERE ogrn = ?3
                UNION SELECT id FROM certificates WHERE ogrnip = ?3
                UNION SELECT id FROM certificates WHERE sha1 = ?2
                UNION SELECT id FROM certificates WHERE serial = ?2) AS hits
             CROSS JOIN certificates ON certificates.id = hits.hit",
            if pattern.is_some() {
                "SELECT rowid AS hit FROM certificates_search WHERE search_text LIKE ?1 UNION"
            } else {
                "SELECT NULL AS hit WHERE ?1 IS NOT NULL UNION"
            }
        );
        let sql = format!(
            "SELECT id, sha1, subject_name, issuer, serial, not_before, not_after, private_key_not_after,
                    key_algorithm, inn, innle, ogrn, ogrnip, snils,
                    COALESCE({RENEWED_BY},
                        (SELECT newer.id FROM certificates AS newer
                         WHERE newer.owner = certificates.owner AND newer.not_before > certificates.not_before + 86400
                         ORDER BY newer.not_before DESC LIMIT 1)),
                    EXISTS (SELECT 1 FROM private_keys WHERE private_keys.public_key = certificates.public_key),
                    COALESCE(owner, ''), search_text
             FROM {}
             WHERE (?4 IS NULL OR not_after < ?4) AND hidden_at IS NULL
             ORDER BY not_after DESC, id",
            if search.is_some() {
                searched.as_str()
            } else {
                "certificates"
            }
        );
        let mut statement = self
            .connection()
            .prepare_cached(&sql)
            .context("preparing the list")?;
        // An organisation's INN is searched in both its forms: ten digits, and the old twelve
        // ("00" and the ten).
        let other_form = digits.as_deref().and_then(|digits| match digits.len() {
            10 => Some(format!("00{digits}")),
            _ => certkeeper_core::cert::organisation_inn_of_old_form(digits).map(str::to_owned),
        });
        let plain = digits.or_else(|| search.map(|text| text.trim().to_owned()));
        // ?5 is in the statement only when there is a search.
        let mut values: Vec<&dyn rusqlite::ToSql> =
            vec![&pattern, &identifier, &plain, &expiring_before];
        if search.is_some() {
            values.push(&other_form);
        }
        let rows = statement
            .query_map(values.as_slice(), |row| {
                Ok(Listed {
                    id: row.get(0)?,
                    sha1: row.get(1)?,
                    subject_name: row.get(2)?,
                    issuer: row.get(3)?,
                    serial: row.get(4)?,
                    not_before: row.get(5)?,
                    not_after: row.get(6)?,
                    private_key_not_after: row.get(7)?,
                    key_algorithm: row.get(8)?,
                    inn: row.get(9)?,
                    innle: row.get(10)?,
                    ogrn: row.get(11)?,
                    ogrnip: row.get(12)?,
                    snils: row.get(13)?,
                    superseded_by: row.get(14)?,
                    has_private_key: row.get(15)?,
                    owner: row.get(16)?,
                    name_text: row.get(17)?,
                })
            })
            .context("listing certificates")?;
        rows.collect::<std::result::Result<_, _>>()
            .context("listing certificates")
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its place in the chain.
    pub id: i64,
    /// When, in seconds since 1970 (UTC).
    pub at: i64,
    /// What happened ("certificate added", ...).
    pub action: String,
    /// What it happened to (a certificate's SHA-1 thumbprint, ...).
    pub subject: String,
}

impl Archive {
    /// The audit log, oldest first. `verify` checks its chain.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT id, at, action, subject FROM audit ORDER BY id")
            .context("reading the audit log")?;
        let rows = statement
            .query_map([], |row| {
                Ok(AuditEntry {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    action: row.get(2)?,
                    subject: row.get(3)?,
                })
            })
            .context("reading the audit log")?;
        rows.collect::<std::result::Result<_, _>>()
            .context("reading the audit log")
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verification {
    /// What SQLite's integrity check reported ("ok" when sound).
    pub sqlite: Vec<String>,
    /// Audit log entries checked.
    pub audit_entries: u64,
    /// The first audit entry whose hash or link does not match, by id.
    pub audit_broken_at: Option<i64>,
    /// Certificates whose stored DER no longer matches their SHA-256.
    pub damaged_certificates: Vec<i64>,
    /// Whether the certificates and the audit log are bound to the data key (archives made before
    /// are bound when next opened; a backup is checked as it was made).
    pub bound: bool,
    /// Certificates changed behind certkeeper's back: a column read from the DER (name, expiry, …)
    /// that no longer matches it, or a DER replaced together with its hash (the keyed tag does not
    /// match).
    pub changed_certificates: Vec<i64>,
    /// Audit entries after the last one written with the data key: what the reminder service
    /// recorded since (it never holds the key), which the key cannot vouch for.
    pub audit_unsealed: u64,
    /// Sealed secrets checked.
    pub sealed_checked: u64,
    /// Sealed secrets that do not open (damaged, or moved from another row), by record.
    pub damaged_secrets: Vec<String>,
}

impl Verification {
    /// Whether everything is sound.
    pub fn is_sound(&self) -> bool {
        self.sqlite == ["ok"]
            && self.audit_broken_at.is_none()
            && self.damaged_certificates.is_empty()
            && self.changed_certificates.is_empty()
            && self.damaged_secrets.is_empty()
    }
}

impl Archive {
    /// Checks the database (SQLite's integrity check), every certificate against its fingerprint,
    /// that every sealed secret opens where it is, and the audit log's hash chain.
    pub fn verify(&self) -> Result<Verification> {
        let connection = self.connection();
        let mut verification = Verification::default();
        {
            let mut statement = connection
                .prepare("PRAGMA integrity_check")
                .context("checking integrity")?;
            verification.sqlite = statement
                .query_map([], |row| row.get(0))
                .context("checking integrity")?
                .collect::<std::result::Result<_, _>>()
                .context("checking integrity")?;
        }
        verification.bound = crate::archive::read_header(connection)?.bound;
        self.verify_certificates(&mut verification)?;
        for (table, column, label) in [
            ("key_containers", "original", "key container"),
            (
                "key_containers",
                "password",
                "kept password of key container",
            ),
            ("private_keys", "private_key", "private key"),
        ] {
            let mut statement = connection
                .prepare(&format!(
                    "SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY id"
                ))
                .context("reading sealed secrets")?;
            let rows = statement
                .query_map([], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
                })
                .context("reading sealed secrets")?;
            for row in rows {
                let (id, sealed) = row.context("reading sealed secrets")?;
                verification.sealed_checked += 1;
                if self.sealer().unseal(table, id, column, &sealed).is_err() {
                    verification.damaged_secrets.push(format!("{label} {id}"));
                }
            }
        }
        self.verify_audit(&mut verification)?;
        Ok(verification)
    }

    /// Every certificate against its SHA-256 and, in a bound archive, against its keyed tag and the
    /// columns derived from it.
    fn verify_certificates(&self, verification: &mut Verification) -> Result<()> {
        let bound = verification.bound;
        let query = if bound {
            format!("SELECT id, sha256, der, tag, {DERIVED_COLUMNS} FROM certificates ORDER BY id")
        } else {
            "SELECT id, sha256, der FROM certificates ORDER BY id".to_owned()
        };
        let mut statement = self
            .connection()
            .prepare(&query)
            .context("reading certificates")?;
        let columns = statement.column_count();
        let mut rows = statement.query([]).context("reading certificates")?;
        while let Some(row) = rows.next().context("reading certificates")? {
            let id: i64 = row.get(0).context("reading certificates")?;
            let sha256: String = row.get(1).context("reading certificates")?;
            let der: Vec<u8> = row.get(2).context("reading certificates")?;
            if hex_upper(&sha2::Sha256::digest(&der)) != sha256 {
                verification.damaged_certificates.push(id);
                continue;
            }
            if !bound {
                continue;
            }
            let tag: Option<String> = row.get(3).context("reading certificates")?;
            let stored = (4..columns)
                .map(|column| row.get::<_, rusqlite::types::Value>(column))
                .collect::<std::result::Result<Vec<_>, _>>()
                .context("reading certificates")?;
            let derived =
                Certificate::from_der(&der).map(|certificate| derived_values(&certificate));
            let sound = tag.as_deref() == Some(self.sealer().certificate_tag(&sha256).as_str())
                && derived.is_ok_and(|derived| derived == stored);
            if !sound {
                verification.changed_certificates.push(id);
            }
        }
        Ok(())
    }

    /// The audit log's hash chain and, in a bound archive, its keyed seal: the entry it names must be
    /// there, unchanged; what follows it is counted as written without the key.
    fn verify_audit(&self, verification: &mut Verification) -> Result<()> {
        let connection = self.connection();
        let seal: Option<(i64, String)> = if verification.bound {
            connection
                .query_row(
                    "SELECT entry_id, tag FROM audit_seal WHERE id = 1",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .context("reading the audit log's seal")?
        } else {
            None
        };
        let mut statement = connection
            .prepare("SELECT id, at, action, subject, previous_hash, hash FROM audit ORDER BY id")
            .context("reading the audit log")?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Vec<u8>>(4)?,
                    row.get::<_, Vec<u8>>(5)?,
                ))
            })
            .context("reading the audit log")?;
        let mut previous = vec![0u8; 32];
        // The sealed entry's hash once met (an empty log's seal names entry 0, with no hash).
        let mut sealed_hash: Option<Vec<u8>> = match &seal {
            Some((0, _)) => Some(Vec::new()),
            _ => None,
        };
        for row in rows {
            let (id, at, action, subject, previous_hash, hash) =
                row.context("reading the audit log")?;
            verification.audit_entries += 1;
            let expected = audit_hash(&previous, at, &action, &subject);
            if previous_hash != previous || hash != expected {
                verification.audit_broken_at = Some(id);
                return Ok(());
            }
            match &seal {
                Some((entry_id, _)) if *entry_id == id => sealed_hash = Some(hash.clone()),
                Some((entry_id, _)) if id > *entry_id => verification.audit_unsealed += 1,
                _ => {}
            }
            previous = hash;
        }
        if verification.bound {
            let sound = match (&seal, &sealed_hash) {
                (Some((entry_id, tag)), Some(hash)) => {
                    *tag == self.sealer().audit_seal(*entry_id, hash)
                }
                _ => false,
            };
            if !sound {
                // The log was rewritten, cut short behind its seal, or the seal taken away.
                verification.audit_broken_at = Some(seal.map_or(0, |(entry_id, _)| entry_id));
                verification.audit_unsealed = 0;
            }
        }
        Ok(())
    }
}

impl Archive {
    /// The certificates a document names as its recipient: by issuer (as certkeeper shows names)
    /// and serial number (uppercase hex), or by subject key identifier (uppercase hex). Expired and
    /// superseded certificates included; an index lookup each.
    pub fn find_by_issuer_serial(&self, issuer: &str, serial: &str) -> Result<Vec<i64>> {
        find_by_issuer_serial(self.connection(), issuer, serial)
    }

    /// See [`Archive::find_by_issuer_serial`].
    pub fn find_by_subject_key_id(&self, subject_key_id: &str) -> Result<Vec<i64>> {
        find_by_subject_key_id(self.connection(), subject_key_id)
    }

    /// The DER of the certificate with this id, or with this SHA-1 thumbprint (any case, separators
    /// allowed).
    pub fn certificate_der(&self, id_or_thumbprint: &str) -> Result<Option<(i64, Vec<u8>)>> {
        let key = id_or_thumbprint.trim();
        let thumbprint = certkeeper_core::cert::Thumbprint::new(key);
        let thumbprint = thumbprint.as_str();
        let id: Option<i64> = key.parse().ok();
        self.connection()
            .query_row(
                "SELECT id, der FROM certificates WHERE id = ?1 OR sha1 = ?2",
                params![id, thumbprint],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .context("reading a certificate")
    }
}

pub(crate) fn find_by_issuer_serial(
    connection: &rusqlite::Connection,
    issuer: &str,
    serial: &str,
) -> Result<Vec<i64>> {
    let mut statement = connection
        .prepare_cached("SELECT id FROM certificates WHERE serial = ?1 AND issuer = ?2 ORDER BY id")
        .context("preparing a statement")?;
    let rows = statement
        .query_map(params![serial, issuer], |row| row.get(0))
        .context("looking a recipient up")?;
    rows.collect::<std::result::Result<_, _>>()
        .context("looking a recipient up")
}

pub(crate) fn find_by_subject_key_id(
    connection: &rusqlite::Connection,
    subject_key_id: &str,
) -> Result<Vec<i64>> {
    let mut statement = connection
        .prepare_cached("SELECT id FROM certificates WHERE subject_key_id = ?1 ORDER BY id")
        .context("preparing a statement")?;
    let rows = statement
        .query_map([subject_key_id], |row| row.get(0))
        .context("looking a recipient up")?;
    rows.collect::<std::result::Result<_, _>>()
        .context("looking a recipient up")
}

/// What the archive knows about a certificate beyond the certificate itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    /// The newest certificate of the same owner, when this one has been renewed.
    pub superseded_by: Option<i64>,
    /// Whether the archive holds the private key unlocked.
    pub has_private_key: bool,
    /// When it was first archived, Unix seconds.
    pub first_seen: i64,
    /// When it was last seen on import, Unix seconds.
    pub last_seen: i64,
    /// Where it was seen: (location, first seen, last seen), most recently seen first.
    pub seen: Vec<(String, i64, i64)>,
}

impl Archive {
    /// What the archive knows about certificate `id` (None when there is no such certificate).
    pub fn certificate_record(&self, id: i64) -> Result<Option<CertificateRecord>> {
        let Some((superseded_by, has_private_key, first_seen, last_seen)) = self
            .connection()
            .query_row(
                &format!("SELECT COALESCE({RENEWED_BY}, (SELECT newer.id FROM certificates AS newer
                         WHERE newer.owner = certificates.owner AND newer.not_before > certificates.not_before + 86400
                         ORDER BY newer.not_before DESC LIMIT 1)),
                        EXISTS (SELECT 1 FROM private_keys WHERE private_keys.public_key = certificates.public_key),
                        first_seen, last_seen
                 FROM certificates WHERE id = ?1"),
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()
            .context("reading a certificate")?
        else {
            return Ok(None);
        };
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT location, first_seen, last_seen FROM sightings WHERE certificate_id = ?1
                 ORDER BY last_seen DESC, id",
            )
            .context("reading where the certificate was seen")?;
        let seen = statement
            .query_map([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .context("reading where the certificate was seen")?
            .collect::<std::result::Result<_, _>>()
            .context("reading where the certificate was seen")?;
        Ok(Some(CertificateRecord {
            superseded_by,
            has_private_key,
            first_seen,
            last_seen,
            seen,
        }))
    }
}

/// One file's certificates, inside the caller's transaction.
/// What the name search (a trigram index) looks in: the subject's values — names, organisation,
/// title, address, e-mail — and the issuer's name and organisation, lowercased, one per line.
/// Identifiers (INN, INNLE, OGRN, OGRNIP, SNILS) have exact indexes of their own, and attribute
/// labels and the country are never searched for, so they are left out: every character here is
/// about one index entry, the larger part of what archiving a certificate costs.
fn search_text(certificate: &Certificate) -> String {
    use certkeeper_core::cert::oid;
    let identifiers = [
        oid::INN,
        oid::INNLE,
        oid::OGRN,
        oid::OGRNIP,
        oid::SNILS,
        COUNTRY,
    ];
    let subject = certificate
        .subject
        .attributes
        .iter()
        .filter(|attribute| !identifiers.contains(&attribute.oid.as_str()));
    let issuer = certificate
        .issuer
        .attributes
        .iter()
        .filter(|attribute| attribute.oid == oid::CN || attribute.oid == oid::O);
    let mut text = String::new();
    for attribute in subject.chain(issuer) {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&attribute.value.to_lowercase());
    }
    text
}

/// countryName (2.5.4.6).
const COUNTRY: &str = "2.5.4.6";

/// The columns of a certificate row that are derived from its DER: written on import, checked
/// against the DER by `verify`.
const DERIVED_COLUMNS: &str = "sha1, subject, subject_name, issuer, serial, not_before, not_after, \
     private_key_not_after, key_algorithm, search_text, inn, innle, ogrn, ogrnip, snils, public_key, \
     owner, subject_key_id, is_ca";

/// The values of [`DERIVED_COLUMNS`] for `certificate`, in that order.
fn derived_values(certificate: &Certificate) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value;
    let text = |text: &str| Value::Text(text.to_owned());
    let optional = |text: &Option<String>| text.as_deref().map_or(Value::Null, text_value);
    vec![
        text(&certificate.sha1_thumbprint),
        text(&certificate.subject.to_string()),
        text(certificate.subject.display_name()),
        text(&certificate.issuer.to_string()),
        text(&certificate.serial),
        Value::Integer(certificate.not_before),
        Value::Integer(certificate.not_after),
        certificate
            .private_key_not_after
            .map_or(Value::Null, Value::Integer),
        text(&certificate.key_algorithm.name),
        text(&search_text(certificate)),
        optional(&certificate.inn),
        optional(&certificate.innle),
        optional(&certificate.ogrn),
        optional(&certificate.ogrnip),
        optional(&certificate.snils),
        text(&public_key_of(certificate)),
        text(&owner_of(certificate)),
        text(certificate.subject_key_id.as_deref().unwrap_or_default()),
        Value::Integer(i64::from(certificate.is_ca)),
    ]
}

/// The insert of a new certificate row: sha256, der, first_seen (also last_seen), tag, then
/// [`DERIVED_COLUMNS`] in [`derived_values`]' order.
static INSERT_CERTIFICATE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let derived = DERIVED_COLUMNS.split(',').count();
    let placeholders: Vec<String> = (1..=4 + derived).map(|n| format!("?{n}")).collect();
    format!(
        "INSERT INTO certificates (sha256, der, first_seen, tag, {DERIVED_COLUMNS}, last_seen)
         VALUES ({}, ?3)",
        placeholders.join(", ")
    )
});

fn text_value(text: &str) -> rusqlite::types::Value {
    rusqlite::types::Value::Text(text.to_owned())
}

/// Bytes as upper-case hex, as fingerprints are stored.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0F)]));
    }
    text
}

pub(crate) fn import_into(
    transaction: &rusqlite::Transaction<'_>,
    sealer: &crate::archive::Sealer,
    certificates: &[Certificate],
    location: &str,
    at: i64,
) -> Result<Vec<Imported>> {
    let mut results = Vec::with_capacity(certificates.len());
    for certificate in certificates {
        let existing: Option<i64> = transaction
            .prepare_cached("SELECT id FROM certificates WHERE sha256 = ?1")
            .context("preparing a statement")?
            .query_row([&certificate.sha256_fingerprint], |row| row.get(0))
            .optional()
            .context("looking the certificate up")?;
        let (id, result) = match existing {
            Some(id) => {
                transaction
                    .prepare_cached("UPDATE certificates SET last_seen = ?1 WHERE id = ?2")
                    .context("preparing a statement")?
                    .execute(params![at, id])
                    .context("updating last seen")?;
                (id, Imported::AlreadyThere)
            }
            None => {
                let mut values = vec![
                    text_value(&certificate.sha256_fingerprint),
                    rusqlite::types::Value::Blob(certificate.der.clone()),
                    rusqlite::types::Value::Integer(at),
                    text_value(&sealer.certificate_tag(&certificate.sha256_fingerprint)),
                ];
                values.extend(derived_values(certificate));
                transaction
                    .prepare_cached(&INSERT_CERTIFICATE)
                    .context("preparing a statement")?
                    .execute(rusqlite::params_from_iter(values))
                    .context("archiving the certificate")?;
                let id = transaction.last_insert_rowid();
                audit(
                    transaction,
                    "certificate added",
                    &certificate.sha1_thumbprint,
                )?;
                (id, Imported::Added)
            }
        };
        transaction
                .prepare_cached("INSERT INTO sightings (certificate_id, location, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
                     ON CONFLICT (certificate_id, location) DO UPDATE SET last_seen = excluded.last_seen")
                .context("preparing a statement")?
                .execute(
                    params![id, location, at],
                )
                .context("recording where the certificate was seen")?;
        results.push(result);
    }
    Ok(results)
}

impl certkeeper_core::import::Keeper for Archive {
    fn holds_unlocked(&self, kind: crate::keys::KeyKind, original: &[u8]) -> bool {
        // A failed lookup only means the password is asked.
        Archive::holds_unlocked(self, kind, original).unwrap_or(false)
    }

    fn keep(
        &mut self,
        files: &[FileImport<'_>],
    ) -> std::result::Result<Vec<FileImported>, certkeeper_core::open::SourceError> {
        Ok(self.import_files(files)?)
    }

    fn content_key(
        &self,
        recipients: &[certkeeper_core::cms::recipients::Recipient],
    ) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        // A key that does not fit, or a failed lookup, leaves the part unopened: said so.
        crate::key_source::unlocked_content_key(self, recipients)
            .ok()
            .flatten()
    }
}
