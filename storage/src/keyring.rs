//! The archive's keys: passphrase → Argon2id → key-encryption key → unwraps the random data key,
//! which seals every secret with AES-256-GCM bound (associated data) to its table, row and column.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Argon2id cost. The default takes about half a second on the machines certkeeper runs on
/// (2 cores); it is stored per archive, so it can be raised later without breaking old archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        Self {
            memory_kib: 256 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

const KEYRING_AAD: &[u8] = b"certkeeper keyring v1";

pub(crate) fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| Error::Random(error.to_string()))?;
    Ok(bytes)
}

/// The key-encryption key from the passphrase.
pub(crate) fn derive_kek(
    passphrase: &SecretString,
    salt: &[u8],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>> {
    let argon_params = argon2::Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(32),
    )
    .map_err(|error| Error::Corrupted {
        what: format!("Argon2 parameters: {error}"),
    })?;
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon_params,
    );
    let mut kek = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase.expose_secret().as_bytes(), salt, &mut kek[..])
        .map_err(|error| Error::Corrupted {
            what: format!("Argon2: {error}"),
        })?;
    Ok(kek)
}

/// nonce ‖ AES-256-GCM(key, plaintext, aad).
pub(crate) fn seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
    let nonce: [u8; 12] = random()?;
    let cipher = Aes256Gcm::new(key.into());
    let sealed = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| Error::Corrupted {
            what: "AES-GCM refused to seal".to_owned(),
        })?;
    Ok([&nonce[..], &sealed].concat())
}

/// Opens [`seal`]'s output; `None` when the key, data or associated data do not match.
pub(crate) fn open(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (nonce, ciphertext) = sealed.split_at_checked(12)?;
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    let cipher = Aes256Gcm::new(key.into());
    cipher
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
        .map(Zeroizing::new)
}

/// A fresh data key and its wrapped form.
pub(crate) struct NewDataKey {
    /// The Argon2id salt.
    pub salt: [u8; 16],
    /// The data key sealed under the key-encryption key.
    pub wrapped: Vec<u8>,
    /// The data key itself.
    pub data_key: Zeroizing<[u8; 32]>,
}

/// A new data key wrapped under the passphrase.
pub(crate) fn new_data_key(passphrase: &SecretString, params: KdfParams) -> Result<NewDataKey> {
    let salt: [u8; 16] = random()?;
    let data_key = Zeroizing::new(random::<32>()?);
    let kek = derive_kek(passphrase, &salt, params)?;
    let wrapped = wrap_data_key(&kek, &data_key)?;
    Ok(NewDataKey {
        salt,
        wrapped,
        data_key,
    })
}

/// The data key wrapped under a key-encryption key.
pub(crate) fn wrap_data_key(kek: &[u8; 32], data_key: &[u8; 32]) -> Result<Vec<u8>> {
    seal(kek, &data_key[..], KEYRING_AAD)
}

/// The data key from the wrapped form; a wrong passphrase fails the GCM tag.
pub(crate) fn unwrap_data_key(
    passphrase: &SecretString,
    salt: &[u8],
    params: KdfParams,
    wrapped: &[u8],
) -> Result<Zeroizing<[u8; 32]>> {
    let kek = derive_kek(passphrase, salt, params)?;
    let data_key = open(&kek, wrapped, KEYRING_AAD).ok_or(Error::WrongPassphrase)?;
    let mut key = Zeroizing::new([0u8; 32]);
    if data_key.len() != 32 {
        return Err(Error::Corrupted {
            what: "the wrapped data key has the wrong size".to_owned(),
        });
    }
    key.copy_from_slice(&data_key);
    Ok(key)
}
