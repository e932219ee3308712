-- Key containers and private keys. Everything secret is sealed by certkeeper (AES-256-GCM under the
-- archive's data key, bound to its table, row and column) before SQLite sees it.

-- Each container, PFX or key file as it was found, kept whole so it can be written back byte for byte.
CREATE TABLE key_containers (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('cryptopro', 'pkcs12', 'pkcs8')),
    -- HMAC-SHA-256 of the original under a key derived from the data key: recognises a container seen
    -- again, without letting someone who holds a file confirm that it is in the archive
    tag TEXT NOT NULL UNIQUE,
    -- the container's name as CryptoPro shows it, or the file's name
    name TEXT NOT NULL,
    -- the public key of the key inside (as private_keys.public_key), when known without the password
    -- (a CryptoPro container that carries its certificate) or once the password opened it
    public_key TEXT,
    -- sealed: the container's files (CryptoPro) or the file's bytes, as found
    original BLOB NOT NULL,
    -- sealed: the container's password, only when the user asked to keep it
    password BLOB,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
) STRICT;

-- Every private key taken out of a container, once per key whatever the number of copies.
CREATE TABLE private_keys (
    id INTEGER PRIMARY KEY,
    -- SHA-256 of the public key (family, then its defining bytes): links the key to its certificates
    public_key TEXT NOT NULL UNIQUE,
    algorithm TEXT NOT NULL,
    -- the container it was first taken from
    container_id INTEGER NOT NULL REFERENCES key_containers (id),
    -- sealed: the PKCS#8 PrivateKeyInfo
    private_key BLOB NOT NULL,
    first_seen INTEGER NOT NULL
) STRICT;

-- Where each container was seen.
CREATE TABLE key_sightings (
    id INTEGER PRIMARY KEY,
    container_id INTEGER NOT NULL REFERENCES key_containers (id),
    location TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    UNIQUE (container_id, location)
) STRICT;

CREATE INDEX key_containers_public_key ON key_containers (public_key);

CREATE TRIGGER key_containers_no_delete BEFORE DELETE ON key_containers BEGIN SELECT RAISE(ABORT, 'archived key containers are never deleted'); END;
CREATE TRIGGER private_keys_no_delete BEFORE DELETE ON private_keys BEGIN SELECT RAISE(ABORT, 'archived private keys are never deleted'); END;

-- The certificate's public key in the same form as private_keys.public_key ('' when certkeeper cannot
-- read the key), and its owner: who it was issued to, so that a renewal supersedes the older ones.
-- Both are filled by certkeeper on import, and for certificates archived before this migration when
-- the archive is next opened.
ALTER TABLE certificates ADD COLUMN public_key TEXT;
ALTER TABLE certificates ADD COLUMN owner TEXT;
CREATE INDEX certificates_public_key ON certificates (public_key);
CREATE INDEX certificates_owner ON certificates (owner, not_before);
