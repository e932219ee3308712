-- What someone who has the archive file but not its passphrase cannot change unseen (issue 17).
--
-- SHA-256 over the key hierarchy's row, so that a damaged row is told from a wrong passphrase. NULL in
-- archives made before; written at their next unlock.
ALTER TABLE keyring ADD COLUMN header_check BLOB CHECK (header_check IS NULL OR length(header_check) = 32);
-- 1 once the certificates and the audit log are bound to the data key. The data key is then wrapped
-- with other associated data, so taking the mark away makes the archive not open rather than unchecked.
ALTER TABLE keyring ADD COLUMN bound INTEGER CHECK (bound IS NULL OR bound = 1);
-- HMAC-SHA-256, under a key derived from the data key, over the certificate's SHA-256: a DER replaced
-- together with its hash is found by verify (which also checks every derived column against the DER).
ALTER TABLE certificates ADD COLUMN tag TEXT;
-- The last audit entry written with the data key, and an HMAC over its id and hash: the chain cannot
-- be rewritten or cut short behind it unseen. entry_id 0 stands for an empty log.
CREATE TABLE audit_seal (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    entry_id INTEGER NOT NULL,
    tag TEXT NOT NULL
) STRICT;
