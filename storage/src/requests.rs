//! Certificate request jobs — the archive's side of [`certkeeper_core::enroll`]. A job is one row of
//! `requests`, saved whole before every network step; its one-time code is sealed apart and
//! forgotten when its transaction ends. Every change of a job's state goes into the audit log, and a
//! job is never deleted.

use rusqlite::{OptionalExtension, Row, params};
use secrecy::{ExposeSecret, SecretString};

use certkeeper_core::cert::Certificate;
use certkeeper_core::enroll::cmp::Transaction;
use certkeeper_core::enroll::{Job, Requests, Secret, State};
use certkeeper_core::formats::der::{Reader, write};
use certkeeper_core::formats::pkcs8::{KeyInfo, parse_private_key_info};
use certkeeper_core::import::FileImport;
use certkeeper_core::open::SourceError;

use crate::archive::{Archive, Sealer};
use crate::certificates::{audit, audit_keyed, import_into, now, seal_audit_head};
use crate::error::{Error, Result, SqliteContext};
use crate::keys::import_key_into;

const COLUMNS: &str = "id, state, subject, subject_der, medium, key_place, algorithm, public_key, \
    csr, cert_req_msg, kur_req_msg, renews, ca, command, reference, transaction_id, sender_nonce, \
    recipient_nonce, next_poll, certificate, chain, confirmed, certificate_id, error, created, updated";

/// A `requests` row, decoded.
fn job_of(row: &Row<'_>) -> rusqlite::Result<Job> {
    let state: String = row.get(1)?;
    let transaction_id: Option<Vec<u8>> = row.get(15)?;
    let chain: Option<Vec<u8>> = row.get(20)?;
    Ok(Job {
        id: row.get(0)?,
        state: State::parse(&state).unwrap_or(State::Cancelled),
        subject: row.get(2)?,
        subject_der: row.get(3)?,
        medium: row.get(4)?,
        key_place: row.get(5)?,
        algorithm: row.get(6)?,
        public_key: row.get(7)?,
        csr: row.get(8)?,
        cert_req_msg: row.get(9)?,
        kur_req_msg: row.get(10)?,
        renews: row.get(11)?,
        ca: row.get(12)?,
        command: row.get(13)?,
        reference: row.get(14)?,
        transaction: match transaction_id {
            Some(id) => Some(Transaction {
                id,
                our_nonce: row.get::<_, Option<Vec<u8>>>(16)?.unwrap_or_default(),
                their_nonce: row.get(17)?,
            }),
            None => None,
        },
        next_poll: row.get(18)?,
        certificate: row.get(19)?,
        chain: chain.map(|bytes| split_chain(&bytes)).unwrap_or_default(),
        confirmed: row.get::<_, i64>(21)? == 1,
        certificate_id: row.get(22)?,
        error: row.get(23)?,
        created: row.get(24)?,
        updated: row.get(25)?,
    })
}

/// The chain as kept: a SEQUENCE of the certificates' DER.
fn join_chain(chain: &[Vec<u8>]) -> Option<Vec<u8>> {
    let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    (!chain.is_empty()).then(|| write::sequence(&refs))
}

fn split_chain(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut chain = Vec::new();
    if let Ok(outer) = Reader::new(bytes).required("chain") {
        let mut items = outer.children();
        while let Ok(Some(item)) = items.next_tlv("chain") {
            chain.push(item.raw.to_vec());
        }
    }
    chain
}

/// Writes every column of `job` (row `id`) inside the caller's transaction; an audit entry when its
/// state changed.
fn write_job(
    transaction: &rusqlite::Transaction<'_>,
    sealer: Option<&Sealer>,
    id: i64,
    job: &Job,
    secret: Secret<'_>,
) -> Result<()> {
    let before: Option<String> = transaction
        .query_row("SELECT state FROM requests WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .optional()
        .context("reading a request")?;
    let (transaction_id, our_nonce, their_nonce) = match &job.transaction {
        Some(t) => (Some(&t.id), Some(&t.our_nonce), t.their_nonce.as_ref()),
        None => (None, None, None),
    };
    transaction
        .prepare_cached(
            "INSERT INTO requests (id, state, subject, subject_der, medium, key_place, algorithm,
                 public_key, csr, cert_req_msg, kur_req_msg, renews, ca, command, reference,
                 transaction_id, sender_nonce, recipient_nonce, next_poll, certificate, chain,
                 confirmed, certificate_id, error, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, key_place = excluded.key_place,
                 public_key = excluded.public_key, csr = excluded.csr,
                 cert_req_msg = excluded.cert_req_msg, kur_req_msg = excluded.kur_req_msg,
                 ca = excluded.ca, command = excluded.command, reference = excluded.reference,
                 transaction_id = excluded.transaction_id, sender_nonce = excluded.sender_nonce,
                 recipient_nonce = excluded.recipient_nonce, next_poll = excluded.next_poll,
                 certificate = excluded.certificate, chain = excluded.chain,
                 confirmed = excluded.confirmed, certificate_id = excluded.certificate_id,
                 error = excluded.error, updated = excluded.updated",
        )
        .context("preparing a statement")?
        .execute(params![
            id,
            job.state.as_str(),
            job.subject,
            job.subject_der,
            job.medium,
            job.key_place,
            job.algorithm,
            job.public_key,
            job.csr,
            job.cert_req_msg,
            job.kur_req_msg,
            job.renews,
            job.ca,
            job.command,
            job.reference,
            transaction_id,
            our_nonce,
            their_nonce,
            job.next_poll,
            job.certificate,
            join_chain(&job.chain),
            i64::from(job.confirmed),
            job.certificate_id,
            job.error,
            job.created,
            job.updated,
        ])
        .context("saving a request")?;
    match (secret, sealer) {
        (Secret::Keep, _) => {}
        (Secret::Set(code), Some(sealer)) => {
            let sealed = sealer.seal("requests", id, "secret", code.expose_secret().as_bytes())?;
            // For the reminder service, which asks the CA without the passphrase.
            let for_service = runtime_key(true).and_then(|key| {
                crate::keyring::seal(&key, code.expose_secret().as_bytes(), &service_aad(id)).ok()
            });
            transaction
                .execute(
                    "UPDATE requests SET secret = ?1, service_secret = ?2 WHERE id = ?3",
                    params![sealed, for_service, id],
                )
                .context("keeping the one-time code")?;
        }
        (Secret::Set(_), None) => {
            return Err(Error::Corrupted {
                what: "a one-time code cannot be kept without the passphrase".to_owned(),
            });
        }
        (Secret::Clear, _) => {
            transaction
                .execute(
                    "UPDATE requests SET secret = NULL, service_secret = NULL WHERE id = ?1",
                    [id],
                )
                .context("forgetting the one-time code")?;
        }
    }
    if before.as_deref() != Some(job.state.as_str()) {
        let action = match job.state {
            State::KeyGenerated => "request key generated",
            State::RequestMade => "request made",
            State::Submitted => "request submitted",
            State::Waiting => "request waiting",
            State::Issued => "request issued",
            State::Installed => "request installed",
            State::Rejected => "request rejected",
            State::Cancelled => "request cancelled",
        };
        let subject = format!("request {id}: {}", job.subject);
        match sealer {
            Some(sealer) => audit_keyed(transaction, sealer, action, &subject)?,
            // The reminder service extends the chain after its keyed seal.
            None => {
                audit(transaction, action, &subject)?;
            }
        }
    }
    Ok(())
}

impl Archive {
    fn in_transaction<T>(
        &mut self,
        what: &'static str,
        work: impl FnOnce(&rusqlite::Transaction<'_>, &Sealer) -> Result<T>,
    ) -> Result<T> {
        let (connection, sealer) = self.parts_mut();
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context(what)?;
        let value = work(&transaction, sealer)?;
        transaction.commit().context(what)?;
        Ok(value)
    }

    /// Keeps a new job (and the new key's container): its id.
    pub fn create_request(&mut self, job: &Job, key: Option<&FileImport<'_>>) -> Result<i64> {
        let at = now();
        self.in_transaction("keeping a new request", |transaction, sealer| {
            let id: i64 = transaction
                .query_row("SELECT coalesce(max(id), 0) + 1 FROM requests", [], |row| {
                    row.get(0)
                })
                .context("numbering the request")?;
            if let Some(file) = key {
                import_into(transaction, sealer, file.certificates, file.location, at)?;
                if let Some(key) = &file.key {
                    import_key_into(transaction, sealer, key, file.location, at)?;
                }
            }
            write_job(transaction, Some(sealer), id, job, Secret::Keep)?;
            seal_audit_head(transaction, sealer)?;
            Ok(id)
        })
    }

    /// Saves a job.
    pub fn save_request(&mut self, job: &Job, secret: Secret<'_>) -> Result<()> {
        self.in_transaction("saving a request", |transaction, sealer| {
            let known: bool = transaction
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM requests WHERE id = ?1)",
                    [job.id],
                    |row| row.get(0),
                )
                .context("reading a request")?;
            if !known {
                return Err(Error::Corrupted {
                    what: format!("request {} is not in the archive", job.id),
                });
            }
            write_job(transaction, Some(sealer), job.id, job, secret)
        })
    }

    /// The one-time code of job `id`, unsealed.
    pub fn request_secret(&self, id: i64) -> Result<Option<SecretString>> {
        let sealed: Option<Vec<u8>> = self
            .connection()
            .query_row("SELECT secret FROM requests WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()
            .context("reading a request")?
            .flatten();
        sealed
            .map(|sealed| {
                let open = self.sealer().unseal("requests", id, "secret", &sealed)?;
                Ok(SecretString::from(
                    String::from_utf8_lossy(&open).into_owned(),
                ))
            })
            .transpose()
    }

    /// Job `id`.
    pub fn request(&self, id: i64) -> Result<Option<Job>> {
        read_job(self.connection(), id)
    }

    /// Every job, newest first.
    pub fn requests(&self) -> Result<Vec<Job>> {
        read_jobs(self.connection())
    }

    /// Archives an installed certificate with its chain and container, and saves its job, in one
    /// transaction: the certificate's id.
    pub fn install_request(&mut self, job: &Job, files: &[FileImport<'_>]) -> Result<i64> {
        let at = now();
        self.in_transaction("installing the certificate", |transaction, sealer| {
            for file in files {
                import_into(transaction, sealer, file.certificates, file.location, at)?;
                if let Some(key) = &file.key {
                    import_key_into(transaction, sealer, key, file.location, at)?;
                }
            }
            let sha256 = files
                .first()
                .and_then(|file| file.certificates.first())
                .map(|certificate| certificate.sha256_fingerprint.clone())
                .unwrap_or_default();
            let certificate_id: i64 = transaction
                .query_row(
                    "SELECT id FROM certificates WHERE sha256 = ?1",
                    [&sha256],
                    |row| row.get(0),
                )
                .context("finding the installed certificate")?;
            let mut installed = job.clone();
            installed.certificate_id = Some(certificate_id);
            write_job(transaction, Some(sealer), job.id, &installed, Secret::Clear)?;
            seal_audit_head(transaction, sealer)?;
            Ok(certificate_id)
        })
    }
}

fn read_job(connection: &rusqlite::Connection, id: i64) -> Result<Option<Job>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM requests WHERE id = ?1"),
            [id],
            job_of,
        )
        .optional()
        .context("reading a request")
}

fn read_jobs(connection: &rusqlite::Connection) -> Result<Vec<Job>> {
    let mut statement = connection
        .prepare(&format!("SELECT {COLUMNS} FROM requests ORDER BY id DESC"))
        .context("preparing a statement")?;
    let jobs = statement
        .query_map([], job_of)
        .context("reading the requests")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("reading the requests")?;
    Ok(jobs)
}

/// The associated data of a one-time code sealed for the reminder service.
fn service_aad(id: i64) -> Vec<u8> {
    format!("requests/{id}/service_secret").into_bytes()
}

/// The reminder service's key: 32 random bytes in `$XDG_RUNTIME_DIR/certkeeper/service.key` (the
/// user's own folder in memory, gone at logout), made when `create` and missing. None without a
/// runtime folder: then only a command with the passphrase goes on with a waiting request.
fn runtime_key(create: bool) -> Option<zeroize::Zeroizing<[u8; 32]>> {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .map(std::path::PathBuf::from)
        .filter(|path| path.is_absolute() && path.is_dir())?;
    let folder = runtime.join("certkeeper");
    let path = folder.join("service.key");
    if let Ok(bytes) = certkeeper_core::files::read_regular(&path, 64) {
        let bytes = zeroize::Zeroizing::new(bytes);
        return <[u8; 32]>::try_from(bytes.as_slice())
            .ok()
            .map(zeroize::Zeroizing::new);
    }
    if !create {
        return None;
    }
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut key[..]).ok()?;
    certkeeper_core::files::create_private_folders(&folder).ok()?;
    certkeeper_core::files::write_bytes(&path, &key[..], certkeeper_core::files::Mode::PRIVATE_NEW)
        .ok()?;
    Some(key)
}

/// The reminder service's side of a request: it asks the CA about waiting requests and takes the
/// confirmation, without the passphrase; installing, which archives, waits for a command or the
/// window with the passphrase.
impl Requests for crate::reminders::ReminderStore {
    fn create(
        &mut self,
        _: &Job,
        _: Option<&FileImport<'_>>,
    ) -> std::result::Result<i64, SourceError> {
        Err(boxed(Error::Corrupted {
            what: "the reminder service does not make requests".to_owned(),
        }))
    }

    fn save(&mut self, job: &Job, secret: Secret<'_>) -> std::result::Result<(), SourceError> {
        let saved = (|| {
            let transaction = self
                .connection
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .context("saving a request")?;
            write_job(&transaction, None, job.id, job, secret)?;
            transaction.commit().context("saving a request")
        })();
        saved.map_err(boxed)
    }

    fn secret(&mut self, id: i64) -> std::result::Result<Option<SecretString>, SourceError> {
        let sealed: Option<Vec<u8>> = self
            .connection
            .query_row(
                "SELECT service_secret FROM requests WHERE id = ?1",
                [id],
                |row| row.get(0),
            )
            .optional()
            .context("reading a request")
            .map_err(boxed)?
            .flatten();
        Ok(sealed.and_then(|sealed| {
            let key = runtime_key(false)?;
            let open = crate::keyring::open(&key, &sealed, &service_aad(id))?;
            Some(SecretString::from(
                String::from_utf8_lossy(&open).into_owned(),
            ))
        }))
    }

    fn job(&mut self, id: i64) -> std::result::Result<Option<Job>, SourceError> {
        read_job(&self.connection, id).map_err(boxed)
    }

    fn jobs(&mut self) -> std::result::Result<Vec<Job>, SourceError> {
        read_jobs(&self.connection).map_err(boxed)
    }

    fn install(&mut self, _: &Job, _: &[FileImport<'_>]) -> std::result::Result<i64, SourceError> {
        Err(boxed(Error::Corrupted {
            what: "installing needs the passphrase".to_owned(),
        }))
    }

    fn certificate(&mut self, _: &str) -> std::result::Result<Option<Certificate>, SourceError> {
        Ok(None)
    }

    fn private_key(
        &mut self,
        _: &Certificate,
    ) -> std::result::Result<Option<KeyInfo>, SourceError> {
        Ok(None)
    }

    fn can_install(&self) -> bool {
        false
    }
}

fn boxed(error: Error) -> SourceError {
    Box::new(error)
}

impl Requests for Archive {
    fn create(
        &mut self,
        job: &Job,
        key: Option<&FileImport<'_>>,
    ) -> std::result::Result<i64, SourceError> {
        self.create_request(job, key).map_err(boxed)
    }

    fn save(&mut self, job: &Job, secret: Secret<'_>) -> std::result::Result<(), SourceError> {
        self.save_request(job, secret).map_err(boxed)
    }

    fn secret(&mut self, id: i64) -> std::result::Result<Option<SecretString>, SourceError> {
        self.request_secret(id).map_err(boxed)
    }

    fn job(&mut self, id: i64) -> std::result::Result<Option<Job>, SourceError> {
        self.request(id).map_err(boxed)
    }

    fn jobs(&mut self) -> std::result::Result<Vec<Job>, SourceError> {
        self.requests().map_err(boxed)
    }

    fn install(
        &mut self,
        job: &Job,
        files: &[FileImport<'_>],
    ) -> std::result::Result<i64, SourceError> {
        self.install_request(job, files).map_err(boxed)
    }

    fn certificate(
        &mut self,
        thumbprint: &str,
    ) -> std::result::Result<Option<Certificate>, SourceError> {
        let found = self.certificate_der(thumbprint).map_err(boxed)?;
        Ok(found.and_then(|(_, der)| Certificate::from_der(&der).ok()))
    }

    fn private_key(
        &mut self,
        certificate: &Certificate,
    ) -> std::result::Result<Option<KeyInfo>, SourceError> {
        let Some((id, _)) = self
            .certificate_der(&certificate.sha1_thumbprint)
            .map_err(boxed)?
        else {
            return Ok(None);
        };
        let Some(key) = self.private_key_for(id).map_err(boxed)? else {
            return Ok(None);
        };
        Ok(Some(parse_private_key_info(&key.private_key_info)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ArchiveLocation, KdfParams};

    fn job() -> Job {
        Job {
            state: State::RequestMade,
            key_place: "/media/usb/PetrovaA.000".to_owned(),
            public_key: "ABCD".to_owned(),
            csr: vec![1, 2, 3],
            cert_req_msg: vec![4, 5],
            ..Job::new(
                "Петрова Анна",
                &[0x30, 0x00],
                &"dir:/media/usb".parse().expect("medium"),
                "gost2012-256",
                1_780_000_000,
            )
        }
    }

    #[test]
    fn a_job_is_saved_whole_its_code_sealed_every_state_audited_and_never_deleted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        let passphrase = SecretString::from("пароль архива".to_owned());
        let fast = KdfParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        };
        let mut archive = Archive::create(&location, &passphrase, fast).expect("create");
        let id = archive.create_request(&job(), None).expect("create job");
        let mut saved = archive.request(id).expect("read").expect("there");
        assert_eq!(saved, Job { id, ..job() });

        // Submitted with a code, waiting with the CA's nonce and a chain: all read back.
        let code = SecretString::from("482-915".to_owned());
        saved.state = State::Waiting;
        saved.ca = Some("http://ca.example/pkix/".to_owned());
        saved.command = Some("ir".to_owned());
        saved.reference = Some("4711".to_owned());
        saved.transaction = Some(Transaction {
            id: vec![7; 16],
            our_nonce: vec![8; 16],
            their_nonce: Some(vec![9; 16]),
        });
        saved.next_poll = Some(1_780_000_060);
        saved.chain = vec![vec![0x30, 0x01, 0x01], vec![0x30, 0x00]];
        archive
            .save_request(&saved, Secret::Set(&code))
            .expect("save");
        assert_eq!(archive.request(id).expect("read").as_ref(), Some(&saved));
        assert_eq!(
            archive
                .request_secret(id)
                .expect("secret")
                .map(|secret| secret.expose_secret().to_owned()),
            Some("482-915".to_owned())
        );
        let sealed: Vec<u8> = archive
            .connection()
            .query_row("SELECT secret FROM requests WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .expect("sealed");
        assert!(!sealed.windows(7).any(|window| window == b"482-915"));

        // Cancelled: the code is forgotten; the job stays, and cannot be deleted.
        saved.state = State::Cancelled;
        archive.save_request(&saved, Secret::Clear).expect("cancel");
        assert!(archive.request_secret(id).expect("secret").is_none());
        assert!(
            archive
                .connection()
                .execute("DELETE FROM requests WHERE id = ?1", [id])
                .is_err()
        );
        let actions: Vec<String> = archive
            .audit_log()
            .expect("audit")
            .into_iter()
            .map(|entry| entry.action)
            .collect();
        for action in ["request made", "request waiting", "request cancelled"] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
        assert!(archive.verify().expect("verify").is_sound());
        assert_eq!(archive.requests().expect("all").len(), 1);
    }
}
