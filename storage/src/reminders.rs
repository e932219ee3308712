//! Renewal reminders' side of the archive: the deadlines of the certificates, what a person decided
//! (mute, snooze), the thresholds and the reminders already sent. None of it is secret, so the
//! reminder service works without the passphrase; every change still goes into the audit log, in
//! one transaction.

use std::collections::HashSet;

use certkeeper_core::expiry::{Item, Reason, SentKey};
use rusqlite::{Connection, OptionalExtension, params};

use crate::certificates::audit;
use crate::error::{Result, SqliteContext};
use crate::location::ArchiveLocation;

/// The reminder tables of an archive, opened without the passphrase.
pub struct ReminderStore {
    pub(crate) connection: Connection,
    _in_use: Option<std::fs::File>,
}

/// How a certificate is named on the command line: its id or its SHA-1 thumbprint.
fn find(connection: &Connection, id_or_thumbprint: &str) -> Result<Option<(i64, String)>> {
    let key = id_or_thumbprint.trim();
    let by_id = key.parse::<i64>().ok();
    let thumbprint = certkeeper_core::cert::Thumbprint::new(key);
    let thumbprint = thumbprint.as_str();
    connection
        .query_row(
            "SELECT id, sha1 FROM certificates WHERE id = ?1 OR sha1 = ?2 ORDER BY id LIMIT 1",
            params![by_id, thumbprint],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .context("looking the certificate up")
}

impl ReminderStore {
    /// Opens the archive for reminders (migrating it when needed; no passphrase).
    pub fn open(location: &ArchiveLocation) -> Result<Self> {
        let (connection, in_use) = crate::archive::open_file(location)?;
        Ok(Self {
            connection,
            _in_use: in_use,
        })
    }

    /// The end-entity certificates with a deadline (notAfter or key usage period end) between `from`
    /// and `until` (Unix seconds), with whether a valid newer certificate of the same owner
    /// supersedes each (judged at `now`) and the person's rules. Range lookups on indexes.
    pub fn items(&self, now: i64, from: i64, until: i64) -> Result<Vec<Item>> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT c.id, c.subject_name, c.sha1, c.not_after, c.private_key_not_after,
                        EXISTS (SELECT 1 FROM certificates AS newer
                                WHERE newer.owner = c.owner
                                  AND newer.not_before > c.not_before + 86400
                                  AND newer.not_before <= ?1 AND newer.not_after > ?1)
                        OR EXISTS (SELECT 1 FROM requests AS renewal
                                   JOIN certificates AS newer ON newer.id = renewal.certificate_id
                                   WHERE renewal.renews = c.sha1 AND renewal.state = 'installed'
                                     AND newer.id != c.id
                                     AND newer.not_before <= ?1 AND newer.not_after > ?1),
                        COALESCE(rules.muted, 0), rules.snoozed_until
                 FROM (SELECT id FROM certificates WHERE not_after BETWEEN ?2 AND ?3
                       UNION
                       SELECT id FROM certificates WHERE private_key_not_after BETWEEN ?2 AND ?3) AS hits
                 CROSS JOIN certificates AS c ON c.id = hits.id
                 LEFT JOIN reminder_rules AS rules ON rules.certificate_id = c.id
                 WHERE COALESCE(c.is_ca, 0) = 0 AND c.hidden_at IS NULL
                 ORDER BY c.id",
            )
            .context("preparing the deadlines")?;
        let rows = statement
            .query_map(params![now, from, until], |row| {
                Ok(Item {
                    id: row.get(0)?,
                    subject: row.get(1)?,
                    sha1_thumbprint: row.get(2)?,
                    not_after: row.get(3)?,
                    private_key_not_after: row.get(4)?,
                    superseded: row.get(5)?,
                    muted: row.get::<_, i64>(6)? != 0,
                    snoozed_until: row.get(7)?,
                })
            })
            .context("reading the deadlines")?;
        rows.collect::<std::result::Result<_, _>>()
            .context("reading the deadlines")
    }

    /// The certificates whose reminders a person muted, or snoozed beyond `now`, whatever their
    /// deadlines (they are left out of `expiry` and the reminders), by id. `superseded` is not
    /// judged here (false).
    pub fn ruled(&self, now: i64) -> Result<Vec<Item>> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT c.id, c.subject_name, c.sha1, c.not_after, c.private_key_not_after,
                        rules.muted, rules.snoozed_until
                 FROM reminder_rules AS rules
                 JOIN certificates AS c ON c.id = rules.certificate_id
                 WHERE (rules.muted = 1 OR rules.snoozed_until > ?1) AND c.hidden_at IS NULL
                 ORDER BY c.id",
            )
            .context("preparing the muted and snoozed certificates")?;
        let rows = statement
            .query_map(params![now], |row| {
                Ok(Item {
                    id: row.get(0)?,
                    subject: row.get(1)?,
                    sha1_thumbprint: row.get(2)?,
                    not_after: row.get(3)?,
                    private_key_not_after: row.get(4)?,
                    superseded: false,
                    muted: row.get::<_, Option<i64>>(5)?.unwrap_or(0) != 0,
                    snoozed_until: row.get::<_, Option<i64>>(6)?.filter(|until| *until > now),
                })
            })
            .context("reading the muted and snoozed certificates")?;
        rows.collect::<std::result::Result<_, _>>()
            .context("reading the muted and snoozed certificates")
    }

    /// The reminders sent for deadlines from `since` on.
    pub fn sent(&self, since: i64) -> Result<HashSet<SentKey>> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT certificate_id, kind, deadline, threshold_days FROM reminders_sent
                 WHERE deadline >= ?1",
            )
            .context("preparing the sent reminders")?;
        let rows = statement
            .query_map([since], |row| {
                let kind: String = row.get(1)?;
                Ok(SentKey {
                    certificate_id: row.get(0)?,
                    reason: if kind == "private_key" {
                        Reason::PrivateKey
                    } else {
                        Reason::Certificate
                    },
                    deadline: row.get(2)?,
                    threshold_days: row.get(3)?,
                })
            })
            .context("reading the sent reminders")?;
        rows.collect::<std::result::Result<_, _>>()
            .context("reading the sent reminders")
    }

    /// Records reminders as sent at `at`, in one transaction with their audit entries.
    pub fn record_sent(&mut self, sent: &[SentKey], at: i64) -> Result<()> {
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting to record reminders")?;
        for key in sent {
            let inserted = transaction
                .prepare_cached(
                    "INSERT OR IGNORE INTO reminders_sent
                         (certificate_id, kind, deadline, threshold_days, sent_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .context("preparing a statement")?
                .execute(params![
                    key.certificate_id,
                    key.reason.as_str(),
                    key.deadline,
                    key.threshold_days,
                    at
                ])
                .context("recording a reminder")?;
            if inserted > 0 {
                audit(
                    &transaction,
                    "reminder sent",
                    &format!(
                        "{} {} {} days",
                        key.certificate_id,
                        key.reason.as_str(),
                        key.threshold_days
                    ),
                )?;
            }
        }
        transaction.commit().context("recording reminders")
    }

    fn set_rule(
        &mut self,
        id_or_thumbprint: &str,
        muted: Option<bool>,
        snoozed_until: Option<Option<i64>>,
        action: &str,
    ) -> Result<Option<i64>> {
        let Some((id, sha1)) = find(&self.connection, id_or_thumbprint)? else {
            return Ok(None);
        };
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting to change a reminder rule")?;
        let now = crate::certificates::now();
        transaction
            .execute(
                "INSERT INTO reminder_rules (certificate_id, muted, snoozed_until, changed_at)
                 VALUES (?1, COALESCE(?2, 0), ?3, ?4)
                 ON CONFLICT (certificate_id) DO UPDATE SET
                     muted = COALESCE(?2, muted),
                     snoozed_until = CASE WHEN ?5 THEN ?3 ELSE snoozed_until END,
                     changed_at = ?4",
                params![
                    id,
                    muted,
                    snoozed_until.flatten(),
                    now,
                    snoozed_until.is_some()
                ],
            )
            .context("changing a reminder rule")?;
        audit(&transaction, action, &sha1)?;
        transaction.commit().context("changing a reminder rule")?;
        Ok(Some(id))
    }

    /// Mutes (or unmutes) a certificate's reminders; `None` when no certificate is named so.
    pub fn mute(&mut self, id_or_thumbprint: &str, muted: bool) -> Result<Option<i64>> {
        let action = if muted {
            "reminders muted"
        } else {
            "reminders unmuted"
        };
        self.set_rule(id_or_thumbprint, Some(muted), None, action)
    }

    /// Snoozes a certificate's reminders until `until` (Unix seconds), or ends a snooze (`None`).
    pub fn snooze(&mut self, id_or_thumbprint: &str, until: Option<i64>) -> Result<Option<i64>> {
        let action = if until.is_some() {
            "reminders snoozed"
        } else {
            "reminders unsnoozed"
        };
        self.set_rule(id_or_thumbprint, None, Some(until), action)
    }

    /// The thresholds, in days before a deadline (the defaults when never set).
    pub fn thresholds(&self) -> Result<Vec<u32>> {
        let stored: Option<String> = self
            .connection
            .query_row(
                "SELECT value FROM reminder_settings WHERE name = 'thresholds'",
                [],
                |row| row.get(0),
            )
            .optional()
            .context("reading the thresholds")?;
        Ok(stored
            .as_deref()
            .and_then(certkeeper_core::expiry::parse_thresholds)
            .unwrap_or_else(|| certkeeper_core::expiry::DEFAULT_THRESHOLDS.to_vec()))
    }

    /// Sets the thresholds.
    pub fn set_thresholds(&mut self, thresholds: &[u32]) -> Result<()> {
        let value = thresholds
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("starting to change the thresholds")?;
        transaction
            .execute(
                "INSERT INTO reminder_settings (name, value) VALUES ('thresholds', ?1)
                 ON CONFLICT (name) DO UPDATE SET value = ?1",
                [&value],
            )
            .context("changing the thresholds")?;
        audit(&transaction, "reminder thresholds set", &value)?;
        transaction.commit().context("changing the thresholds")
    }
}
