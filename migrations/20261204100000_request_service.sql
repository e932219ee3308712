-- The reminder service asks the CA about waiting requests without the archive's passphrase. It gets
-- the one-time code sealed under a key that lives only in the user's runtime folder
-- ($XDG_RUNTIME_DIR/certkeeper/service.key: memory, the user's own, gone at logout), never in the
-- archive or its backups in a form that opens without the passphrase or that key. NULL when there is
-- no runtime folder, and once the transaction ends.
ALTER TABLE requests ADD COLUMN service_secret BLOB;
