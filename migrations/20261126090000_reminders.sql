-- Renewal reminders (issue 8).

-- Whether a certificate belongs to a CA: CA certificates (chains imported with PFX files) do not
-- warn. Filled on import; older rows are filled when the archive is opened (NULL until then).
ALTER TABLE certificates ADD COLUMN is_ca INTEGER;
-- The key usage period ends on its own date; both deadlines are looked up by range.
CREATE INDEX certificates_private_key_not_after ON certificates (private_key_not_after);

-- What a person decided about a certificate's reminders: muted for good, or snoozed until a time.
CREATE TABLE reminder_rules (
    certificate_id INTEGER PRIMARY KEY REFERENCES certificates (id),
    muted INTEGER NOT NULL DEFAULT 0 CHECK (muted IN (0, 1)),
    snoozed_until INTEGER,
    changed_at INTEGER NOT NULL
) STRICT;

-- Every reminder sent, so that none is sent twice: one per certificate, deadline and threshold.
CREATE TABLE reminders_sent (
    certificate_id INTEGER NOT NULL REFERENCES certificates (id),
    kind TEXT NOT NULL CHECK (kind IN ('certificate', 'private_key')),
    deadline INTEGER NOT NULL,
    threshold_days INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (certificate_id, kind, deadline, threshold_days)
) STRICT, WITHOUT ROWID;

-- Reminder settings: name → value (thresholds: days before, comma-separated).
CREATE TABLE reminder_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
