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

impl KdfParams {
    /// The cost for a new passphrase of an archive that has these: never below the default, and
    /// never lower than the archive's own (an archive made with a higher cost keeps it).
    pub fn raised_to_default(self) -> Self {
        let default = Self::default();
        Self {
            memory_kib: self.memory_kib.max(default.memory_kib),
            iterations: self.iterations.max(default.iterations),
            parallelism: self.parallelism,
        }
    }

    /// The most memory an archive may ask for: 4 GiB.
    pub const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
    /// The most passes an archive may ask for.
    pub const MAX_ITERATIONS: u32 = 64;
    /// The most lanes an archive may ask for.
    pub const MAX_PARALLELISM: u32 = 16;
    /// The most work (memory × passes) an archive may ask for: 16 GiB·passes, some 30 s on a
    /// 2-core machine (the default is 0.5).
    pub const MAX_WORK_KIB: u64 = 16 * 1024 * 1024;

    /// Whether these parameters are outside sane bounds: an archive or a backup from elsewhere must
    /// not make certkeeper hash for days or allocate all memory.
    pub fn out_of_bounds(&self) -> bool {
        let Self {
            memory_kib,
            iterations,
            parallelism,
        } = *self;
        let sane = (1..=Self::MAX_PARALLELISM).contains(&parallelism)
            && (8 * parallelism..=Self::MAX_MEMORY_KIB).contains(&memory_kib)
            && (1..=Self::MAX_ITERATIONS).contains(&iterations)
            && u64::from(memory_kib) * u64::from(iterations) <= Self::MAX_WORK_KIB;
        !sane
    }
}

/// The associated data of the wrapped data key, before and after the archive's rows and audit log
/// were bound to the key: an archive whose `bound` mark is taken away does not open.
fn keyring_aad(bound: bool) -> &'static [u8] {
    if bound {
        b"certkeeper keyring v2: rows and audit bound to the data key"
    } else {
        b"certkeeper keyring v1"
    }
}

/// SHA-256 over everything the key hierarchy's row holds, so that a damaged row is told from a wrong
/// passphrase (it is not a defence against a deliberate edit, which can recompute it).
pub(crate) fn header_check(params: KdfParams, salt: &[u8], wrapped: &[u8], bound: bool) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::new()
        .chain_update(b"certkeeper keyring header\0")
        .chain_update(params.memory_kib.to_be_bytes())
        .chain_update(params.iterations.to_be_bytes())
        .chain_update(params.parallelism.to_be_bytes())
        .chain_update((salt.len() as u32).to_be_bytes())
        .chain_update(salt)
        .chain_update((wrapped.len() as u32).to_be_bytes())
        .chain_update(wrapped)
        .chain_update([u8::from(bound)])
        .finalize()
        .to_vec()
}

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
    if params.out_of_bounds() {
        return Err(Error::DamagedHeader {
            params: Some(params),
        });
    }
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
    let wrapped = wrap_data_key(&kek, &data_key, true)?;
    Ok(NewDataKey {
        salt,
        wrapped,
        data_key,
    })
}

/// The data key wrapped under a key-encryption key.
pub(crate) fn wrap_data_key(kek: &[u8; 32], data_key: &[u8; 32], bound: bool) -> Result<Vec<u8>> {
    seal(kek, &data_key[..], keyring_aad(bound))
}

/// The data key from the wrapped form; a wrong passphrase fails the GCM tag.
pub(crate) fn unwrap_data_key(
    kek: &[u8; 32],
    wrapped: &[u8],
    bound: bool,
) -> Result<Zeroizing<[u8; 32]>> {
    let data_key = open(kek, wrapped, keyring_aad(bound)).ok_or(Error::WrongPassphrase)?;
    let mut key = Zeroizing::new([0u8; 32]);
    if data_key.len() != 32 {
        return Err(Error::Corrupted {
            what: "the wrapped data key has the wrong size".to_owned(),
        });
    }
    key.copy_from_slice(&data_key);
    Ok(key)
}
