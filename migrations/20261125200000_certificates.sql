-- Every certificate ever seen. Certificates are public: their fields stay queryable.
CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    sha1 TEXT NOT NULL,
    der BLOB NOT NULL,
    subject TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    private_key_not_after INTEGER,
    key_algorithm TEXT NOT NULL,
    -- subject and issuer lowercased by certkeeper (SQLite's lower() knows ASCII only), for search
    search_text TEXT NOT NULL,
    inn TEXT,
    innle TEXT,
    ogrn TEXT,
    ogrnip TEXT,
    snils TEXT,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
) STRICT;
CREATE INDEX certificates_subject_name ON certificates (subject_name);
CREATE INDEX certificates_inn ON certificates (inn);
CREATE INDEX certificates_innle ON certificates (innle);
CREATE INDEX certificates_snils ON certificates (snils);
CREATE INDEX certificates_ogrn ON certificates (ogrn);
CREATE INDEX certificates_sha1 ON certificates (sha1);
CREATE INDEX certificates_serial ON certificates (serial);
CREATE INDEX certificates_not_after ON certificates (not_after);

-- Where each certificate was seen: a file or folder on a medium.
CREATE TABLE sightings (
    id INTEGER PRIMARY KEY,
    certificate_id INTEGER NOT NULL REFERENCES certificates (id),
    location TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    UNIQUE (certificate_id, location)
) STRICT;

-- Append-only log of every change; each entry hashes the previous one, so a removed or edited entry
-- breaks the chain.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    previous_hash BLOB NOT NULL,
    hash BLOB NOT NULL
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates BEGIN SELECT RAISE(ABORT, 'archived certificates are never deleted'); END;
