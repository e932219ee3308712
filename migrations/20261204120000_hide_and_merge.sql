-- Forgetting a mistaken import without losing anything: a certificate can be hidden from the
-- lists and the reminders (never deleted; old documents still open with its key), and key
-- containers that hold the same key (a CryptoPro container and the same key's PEM files) can be
-- merged into one entry. Both are audited and undone the same way.

-- When the person hid the certificate (Unix seconds); NULL: shown.
ALTER TABLE certificates ADD COLUMN hidden_at INTEGER;

-- The container this one was merged into (the same key); NULL: its own entry.
ALTER TABLE key_containers ADD COLUMN merged_into INTEGER REFERENCES key_containers (id);
