-- Certificate request jobs (issue 18): a new key on its medium, its request, the CA's answers. Saved
-- before every network step so that a killed process continues; never deleted (cancelled is a state).
CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('key_generated', 'request_made', 'submitted', 'waiting',
        'issued', 'installed', 'rejected', 'cancelled')),
    -- who the certificate is for, as a person reads it, and the subject Name (DER)
    subject TEXT NOT NULL,
    subject_der BLOB NOT NULL,
    -- where the key is: dir:PATH, registry or token:LABEL; and the container's folder or the token
    -- key's CKA_ID (hex)
    medium TEXT NOT NULL,
    key_place TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    -- the new key's public key, in the form of private_keys.public_key
    public_key TEXT NOT NULL,
    -- the requests, signed by the new key: PKCS#10, and CRMF for ir/cr and for kur (empty until made)
    csr BLOB NOT NULL,
    cert_req_msg BLOB NOT NULL,
    kur_req_msg BLOB NOT NULL,
    -- the SHA-1 thumbprint of the certificate this one renews
    renews TEXT,
    -- the CA's CMP address, the message used, the one-time code's reference
    ca TEXT,
    command TEXT CHECK (command IS NULL OR command IN ('ir', 'cr', 'p10cr', 'kur')),
    reference TEXT,
    -- sealed: the one-time code, while its transaction lasts
    secret BLOB,
    -- the CMP transaction: its id, our last senderNonce, the CA's last senderNonce
    transaction_id BLOB,
    sender_nonce BLOB,
    recipient_nonce BLOB,
    -- when the CA is asked next (Unix time), while waiting
    next_poll INTEGER,
    -- the issued certificate and the CA's certificates sent with it (DER; the chain as a SEQUENCE)
    certificate BLOB,
    chain BLOB,
    -- 1 once the CA took the confirmation (certConf answered by pkiconf)
    confirmed INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
    certificate_id INTEGER REFERENCES certificates (id),
    -- the last error, or the CA's reason for a rejection
    error TEXT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL
) STRICT;
CREATE INDEX requests_due ON requests (state, next_poll);
CREATE TRIGGER requests_no_delete BEFORE DELETE ON requests BEGIN SELECT RAISE(ABORT, 'certificate requests are never deleted'); END;
