-- The archive's key hierarchy: the passphrase, through Argon2id with the parameters stored here, gives
-- the key-encryption key; it wraps (AES-256-GCM) the random data key that seals every secret.
CREATE TABLE keyring (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kdf TEXT NOT NULL CHECK (kdf = 'argon2id'),
    kdf_memory_kib INTEGER NOT NULL CHECK (kdf_memory_kib >= 8),
    kdf_iterations INTEGER NOT NULL CHECK (kdf_iterations >= 1),
    kdf_parallelism INTEGER NOT NULL CHECK (kdf_parallelism >= 1),
    kdf_salt BLOB NOT NULL CHECK (length(kdf_salt) = 16),
    -- nonce (12 bytes) ‖ ciphertext and tag of the 32-byte data key
    wrapped_data_key BLOB NOT NULL CHECK (length(wrapped_data_key) = 60),
    created_at INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
) STRICT;
