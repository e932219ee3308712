//! Password-based encryption of PKCS#8 keys and PKCS#12 contents: PBES2 (RFC 8018) with PBKDF2 over
//! HMAC-SHA-1/-256/-512 or HMAC-Streebog-256/-512 and AES-CBC, 3DES-CBC or GOST 28147-89 (CFB with
//! CryptoPro key meshing, as OpenSSL's GOST engine and CryptoPro write it), and the legacy PKCS#12
//! schemes with 3DES and RC2 (RFC 7292 appendix B and C) that older tools wrote.

use cipher::{BlockModeDecrypt, KeyIvInit};
use digest::Digest;
use hmac::{KeyInit, Mac};
use zeroize::Zeroizing;

use super::der::{self, Tlv, tag};
use crate::crypto::gost::gost28147::{Cfb, KeyMeshing, Sbox, constant_time_eq};
use crate::crypto::gost::kdf::{HmacStreebog256, HmacStreebog512, kdf_tree_256};
use crate::crypto::gost::r3413::{Cipher3412, Ctr, Omac};
use crate::error::FormatError;

/// The largest PBKDF2 iteration count accepted: far above anything real, low enough that a hostile
/// file cannot make certkeeper spin for hours.
const MAX_ITERATIONS: u64 = 10_000_000;

/// The key derivation work one file may ask for, each time it is opened: the iteration counts of
/// its MAC and of each encrypted part and key add up, weighed by what an iteration costs. A file
/// that asks for more (a 111-byte PFX with a Streebog MAC at 10^7 iterations, 200 encrypted bags)
/// is refused before the derivation that would exceed it, never ground through for minutes.
///
/// A budget can also carry a Stop (the window's): a derivation under way then ends within a few
/// milliseconds of it, with [`FormatError::Stopped`].
#[derive(Debug)]
pub struct Budget {
    left: std::cell::Cell<u64>,
    stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// Iterations between two looks at the Stop: a few milliseconds of even the slowest PRF.
const ROUNDS_BETWEEN_LOOKS: u32 = 512;

/// Roughly what one iteration costs, in nanoseconds of a 2-core machine's release build: one HMAC
/// (two compressions) for PBKDF2, one hash for the PKCS#12 KDF, per output block.
pub(crate) mod cost {
    /// HMAC-SHA-1.
    pub const HMAC_SHA1: u64 = 250;
    /// HMAC-SHA-256.
    pub const HMAC_SHA256: u64 = 400;
    /// HMAC-SHA-512.
    pub const HMAC_SHA512: u64 = 600;
    /// HMAC-Streebog-256 and -512 (no assembly: 20 times SHA-256's cost).
    pub const HMAC_STREEBOG: u64 = 6_000;
    /// One hash of the PKCS#12 KDF: SHA-1.
    pub const SHA1: u64 = 125;
    /// SHA-256.
    pub const SHA256: u64 = 200;
    /// SHA-512.
    pub const SHA512: u64 = 300;
    /// One GOST R 34.11-94 hash of a short input (CryptoPro's PFX key derivation).
    pub const GOST94: u64 = 5_000;
}

impl Budget {
    /// What one file may cost to open: some 3 s (a real file asks for a thousandth of it: 2048
    /// iterations for its MAC and each part).
    pub const PER_FILE_NS: u64 = 3_000_000_000;

    /// What trying the empty password by itself may cost (a scan of a drive tries it on every
    /// file): a tenth of [`Budget::PER_FILE_NS`], still a hundred real files' worth.
    pub const PER_GUESS_NS: u64 = Self::PER_FILE_NS / 10;

    /// A fresh budget for opening one file once.
    pub fn per_file() -> Self {
        Self {
            left: std::cell::Cell::new(Self::PER_FILE_NS),
            stop: None,
        }
    }

    /// A fresh budget for trying the empty password on a file nobody gave a password for: a file
    /// that needs more is treated as locked (a password is asked, and then [`Budget::per_file`]
    /// applies).
    pub fn for_a_guess() -> Self {
        Self {
            left: std::cell::Cell::new(Self::PER_GUESS_NS),
            stop: None,
        }
    }

    /// The same budget, ended early when `stop` is set.
    pub fn stopped_by(self, stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>) -> Self {
        Self { stop, ..self }
    }

    /// Refuses once the Stop is set.
    pub(crate) fn go_on(&self) -> Result<(), FormatError> {
        match &self.stop {
            Some(stop) if stop.load(std::sync::atomic::Ordering::Relaxed) => {
                Err(FormatError::Stopped)
            }
            _ => Ok(()),
        }
    }

    /// Takes `iterations` × `blocks` iterations costing `cost` each from the budget, or refuses.
    pub(crate) fn charge(
        &self,
        iterations: u64,
        blocks: u64,
        cost: u64,
    ) -> Result<(), FormatError> {
        self.go_on()?;
        let asked = iterations.saturating_mul(blocks).saturating_mul(cost);
        match self.left.get().checked_sub(asked) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(FormatError::TooMuchWork),
        }
    }
}

fn bad(reason: &'static str) -> FormatError {
    FormatError::Der {
        what: "encryption parameters",
        offset: 0,
        reason,
    }
}

fn oid(tlv: Tlv<'_>) -> Result<String, FormatError> {
    der::oid_to_string(tlv.expect(tag::OID, "algorithm")?)
        .ok_or_else(|| bad("broken object identifier"))
}

fn integer(tlv: Tlv<'_>) -> Result<u64, FormatError> {
    let value = tlv.expect(tag::INTEGER, "integer")?;
    if value.is_empty() || value.len() > 8 || value[0] & 0x80 != 0 {
        return Err(bad("integer out of range"));
    }
    Ok(value
        .iter()
        .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte)))
}

/// The cleartext of `data`, encrypted as `algorithm` (an AlgorithmIdentifier) says; its key
/// derivation is charged to `budget`.
pub fn decrypt(
    algorithm: Tlv<'_>,
    data: &[u8],
    password: &[u8],
    budget: &Budget,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let mut fields = algorithm.children();
    let scheme = oid(fields.required("algorithm")?)?;
    let parameters = fields.required("parameters")?;
    match scheme.as_str() {
        "1.2.840.113549.1.5.13" => pbes2(parameters, data, password, budget),
        "1.2.840.113549.1.12.1.3" => {
            pkcs12_legacy(Legacy::TripleDes, parameters, data, password, budget)
        }
        "1.2.840.113549.1.12.1.5" => pkcs12_legacy(
            Legacy::Rc2 { key_len: 16 },
            parameters,
            data,
            password,
            budget,
        ),
        "1.2.840.113549.1.12.1.6" => pkcs12_legacy(
            Legacy::Rc2 { key_len: 5 },
            parameters,
            data,
            password,
            budget,
        ),
        other => Err(FormatError::UnsupportedEncryption {
            oid: other.to_owned(),
        }),
    }
}

fn pbkdf2(
    prf: &str,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
    budget: &Budget,
) -> Result<(), FormatError> {
    let (cost, block) = match prf {
        "1.2.840.113549.2.7" => (cost::HMAC_SHA1, 20),
        "1.2.840.113549.2.9" => (cost::HMAC_SHA256, 32),
        "1.2.840.113549.2.11" => (cost::HMAC_SHA512, 64),
        "1.2.643.7.1.1.4.1" => (cost::HMAC_STREEBOG, 32),
        _ => (cost::HMAC_STREEBOG, 64),
    };
    budget.charge(
        u64::from(iterations),
        out.len().div_ceil(block) as u64,
        cost,
    )?;
    match prf {
        "1.2.840.113549.2.7" => {
            pbkdf2_within::<hmac::Hmac<sha1::Sha1>>(password, salt, iterations, out, budget)
        }
        "1.2.840.113549.2.9" => {
            pbkdf2_within::<hmac::Hmac<sha2::Sha256>>(password, salt, iterations, out, budget)
        }
        "1.2.840.113549.2.11" => {
            pbkdf2_within::<hmac::Hmac<sha2::Sha512>>(password, salt, iterations, out, budget)
        }
        "1.2.643.7.1.1.4.1" => {
            pbkdf2_within::<HmacStreebog256>(password, salt, iterations, out, budget)
        }
        "1.2.643.7.1.1.4.2" => {
            pbkdf2_within::<HmacStreebog512>(password, salt, iterations, out, budget)
        }
        other => Err(FormatError::UnsupportedEncryption {
            oid: other.to_owned(),
        }),
    }
}

/// PBKDF2 (RFC 8018, 5.2) with the PRF `M`, looking at `budget`'s Stop, when it has one, every
/// [`ROUNDS_BETWEEN_LOOKS`] iterations (charging is the caller's: [`Budget::charge`]).
pub(crate) fn pbkdf2_within<M>(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
    budget: &Budget,
) -> Result<(), FormatError>
where
    M: Mac + KeyInit + digest::FixedOutput + digest::Update + Clone + Sync,
{
    // Nothing to look at: the `pbkdf2` crate's loop, measured 15–25 % faster on Streebog
    // (`bench/pfx-budget.sh`).
    if budget.stop.is_none() {
        return pbkdf2::pbkdf2::<M>(password, salt, iterations, out)
            .map_err(|_| bad("PBKDF2 output length"));
    }
    let prf = <M as KeyInit>::new_from_slice(password).map_err(|_| bad("PBKDF2 key"))?;
    for (index, chunk) in out
        .chunks_mut(<M as digest::OutputSizeUser>::output_size())
        .enumerate()
    {
        let block = u32::try_from(index + 1).map_err(|_| bad("PBKDF2 output length"))?;
        let mut u = Zeroizing::new(
            prf.clone()
                .chain_update(salt)
                .chain_update(block.to_be_bytes())
                .finalize()
                .into_bytes()
                .to_vec(),
        );
        let mut t = u.clone();
        for round in 1..iterations {
            if round % ROUNDS_BETWEEN_LOOKS == 0 {
                budget.go_on()?;
            }
            let next = prf.clone().chain_update(&u[..]).finalize().into_bytes();
            u.copy_from_slice(&next);
            t.iter_mut()
                .zip(u.iter())
                .for_each(|(sum, byte)| *sum ^= byte);
        }
        chunk.copy_from_slice(&t[..chunk.len()]);
    }
    Ok(())
}

fn pbes2(
    parameters: Tlv<'_>,
    data: &[u8],
    password: &[u8],
    budget: &Budget,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let mut fields = parameters.children();
    let kdf = fields.required("keyDerivationFunc")?;
    let encryption = fields.required("encryptionScheme")?;
    let mut kdf_fields = kdf.children();
    if oid(kdf_fields.required("kdf")?)? != "1.2.840.113549.1.5.12" {
        return Err(bad("PBES2 without PBKDF2"));
    }
    let mut pbkdf2_fields = kdf_fields.required("PBKDF2-params")?.children();
    let salt = pbkdf2_fields
        .required("salt")?
        .expect(tag::OCTET_STRING, "salt")?;
    let iterations = integer(pbkdf2_fields.required("iterationCount")?)?;
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return Err(bad("PBKDF2 iteration count out of range"));
    }
    let mut prf = "1.2.840.113549.2.7".to_owned(); // hmacWithSHA1 is the default
    while let Some(field) = pbkdf2_fields.next_tlv("PBKDF2-params")? {
        if field.tag == tag::SEQUENCE {
            prf = oid(field.children().required("prf")?)?;
        }
    }
    let mut encryption_fields = encryption.children();
    let cipher = oid(encryption_fields.required("cipher")?)?;
    let cipher_parameters = encryption_fields.required("cipher parameters")?;
    let key_len = match cipher.as_str() {
        "2.16.840.1.101.3.4.1.2" => 16,
        "2.16.840.1.101.3.4.1.22" => 24,
        "2.16.840.1.101.3.4.1.42" | "1.2.643.2.2.21" => 32,
        KUZNYECHIK_CTR_ACPKM
        | KUZNYECHIK_CTR_ACPKM_OMAC
        | MAGMA_CTR_ACPKM
        | MAGMA_CTR_ACPKM_OMAC => 32,
        "1.2.840.113549.3.7" => 24,
        other => {
            return Err(FormatError::UnsupportedEncryption {
                oid: other.to_owned(),
            });
        }
    };
    let mut key = Zeroizing::new(vec![0u8; key_len]);
    pbkdf2(&prf, password, salt, iterations as u32, &mut key, budget)?;
    let mut plain = Zeroizing::new(data.to_vec());
    match cipher.as_str() {
        "1.2.643.2.2.21" => {
            // Gost28147-89-Parameters ::= SEQUENCE { iv OCTET STRING (8), encryptionParamSet OID }.
            let mut gost = cipher_parameters.children();
            let iv: [u8; 8] = gost
                .required("iv")?
                .expect(tag::OCTET_STRING, "iv")?
                .try_into()
                .map_err(|_| bad("GOST 28147-89 IV is not 8 bytes"))?;
            let sbox = Sbox::from_oid(&oid(gost.required("encryptionParamSet")?)?)?;
            let key: &[u8; 32] = key[..].try_into().map_err(|_| bad("key length"))?;
            Cfb::new(key, &iv, sbox, KeyMeshing::CryptoPro).decrypt(&mut plain);
            Ok(plain)
        }
        KUZNYECHIK_CTR_ACPKM | KUZNYECHIK_CTR_ACPKM_OMAC => {
            let key: &[u8; 32] = key[..].try_into().map_err(|_| bad("key length"))?;
            ctr_acpkm::<kuznyechik::Kuznyechik>(
                key,
                cipher_parameters,
                cipher == KUZNYECHIK_CTR_ACPKM_OMAC,
                plain,
            )
        }
        MAGMA_CTR_ACPKM | MAGMA_CTR_ACPKM_OMAC => {
            let key: &[u8; 32] = key[..].try_into().map_err(|_| bad("key length"))?;
            ctr_acpkm::<magma::Magma>(
                key,
                cipher_parameters,
                cipher == MAGMA_CTR_ACPKM_OMAC,
                plain,
            )
        }
        _ => {
            let iv = cipher_parameters.expect(tag::OCTET_STRING, "iv")?;
            cbc_decrypt(&cipher, &key, iv, &mut plain)?;
            Ok(plain)
        }
    }
}

/// Kuznyechik and Magma CTR-ACPKM, and with OMAC (RFC 9337 section 5; the PFX of RFC 9548).
const KUZNYECHIK_CTR_ACPKM: &str = "1.2.643.7.1.1.5.2.1";
const KUZNYECHIK_CTR_ACPKM_OMAC: &str = "1.2.643.7.1.1.5.2.2";
const MAGMA_CTR_ACPKM: &str = "1.2.643.7.1.1.5.1.1";
const MAGMA_CTR_ACPKM_OMAC: &str = "1.2.643.7.1.1.5.1.2";

/// PBES2's CTR-ACPKM decryption under the PBKDF2 key `key`. The parameters are
/// SEQUENCE { ukm OCTET STRING } (16 bytes for Kuznyechik, 12 for Magma): the IV is its first half
/// block. The sections are 256 KiB (Kuznyechik) and 8 KiB (Magma). With OMAC the encryption and MAC
/// keys are KDF_TREE_GOSTR3411_2012_256(key, "kdf tree", the rest of the UKM), and the MAC (a whole
/// block) is encrypted after the content; it tells a wrong password.
fn ctr_acpkm<C: Cipher3412>(
    key: &[u8; 32],
    parameters: Tlv<'_>,
    omac: bool,
    mut plain: Zeroizing<Vec<u8>>,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let ukm = parameters
        .children()
        .required("ukm")?
        .expect(tag::OCTET_STRING, "ukm")?;
    let half = C::BLOCK / 2;
    if ukm.len() < half + 8 {
        return Err(bad("the UKM of CTR-ACPKM is too short"));
    }
    let (iv, seed) = (&ukm[..half], &ukm[half..half + 8]);
    let section = if C::BLOCK == 16 { 256 * 1024 } else { 8 * 1024 };
    if !omac {
        Ctr::<C>::acpkm(key, iv, section)?.apply(&mut plain);
        return Ok(plain);
    }
    if plain.len() < C::BLOCK {
        return Err(FormatError::WrongFilePassword);
    }
    let keys = kdf_tree_256(key, b"kdf tree", seed, 1, 64)?;
    let enc: &[u8; 32] = keys[..32].try_into().map_err(|_| bad("key length"))?;
    let mac_key: &[u8; 32] = keys[32..].try_into().map_err(|_| bad("key length"))?;
    Ctr::<C>::acpkm(enc, iv, section)?.apply(&mut plain);
    let content_len = plain.len() - C::BLOCK;
    let mut mac = Omac::<C>::new(mac_key);
    mac.update(&plain[..content_len]);
    if !constant_time_eq(&mac.finalize(), &plain[content_len..]) {
        return Err(FormatError::WrongFilePassword);
    }
    plain.truncate(content_len);
    Ok(plain)
}

fn cbc_decrypt(
    cipher: &str,
    key: &[u8],
    iv: &[u8],
    data: &mut Zeroizing<Vec<u8>>,
) -> Result<(), FormatError> {
    let padding_error = |_| FormatError::WrongFilePassword;
    let length = |_| bad("key or IV length");
    let plain_len = match cipher {
        "2.16.840.1.101.3.4.1.2" => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
            .map_err(length)?
            .decrypt_padded::<cipher::block_padding::Pkcs7>(data)
            .map_err(padding_error)?
            .len(),
        "2.16.840.1.101.3.4.1.22" => cbc::Decryptor::<aes::Aes192>::new_from_slices(key, iv)
            .map_err(length)?
            .decrypt_padded::<cipher::block_padding::Pkcs7>(data)
            .map_err(padding_error)?
            .len(),
        "2.16.840.1.101.3.4.1.42" => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(length)?
            .decrypt_padded::<cipher::block_padding::Pkcs7>(data)
            .map_err(padding_error)?
            .len(),
        _ => cbc::Decryptor::<des::TdesEde3>::new_from_slices(key, iv)
            .map_err(length)?
            .decrypt_padded::<cipher::block_padding::Pkcs7>(data)
            .map_err(padding_error)?
            .len(),
    };
    data.truncate(plain_len);
    Ok(())
}

/// The password as PKCS#12 wants it for its own KDF: BMPString (UTF-16 big-endian) with two zero bytes.
pub fn bmp_password(password: &[u8]) -> Zeroizing<Vec<u8>> {
    let text = String::from_utf8_lossy(password);
    let mut out = Zeroizing::new(Vec::with_capacity(2 * password.len() + 2));
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// The PKCS#12 key derivation (RFC 7292 appendix B.2) with hash `D` of block size `v` bytes.
pub fn pkcs12_kdf<D: Digest>(
    bmp_password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    v: usize,
    out: &mut [u8],
) {
    // Without a Stop, nothing ends it early.
    let _ = pkcs12_kdf_within::<D>(
        bmp_password,
        salt,
        id,
        iterations,
        v,
        out,
        &Budget::per_file(),
    );
}

/// [`pkcs12_kdf`] looking at `budget`'s Stop every [`ROUNDS_BETWEEN_LOOKS`] iterations (charging is
/// the caller's).
pub(crate) fn pkcs12_kdf_within<D: Digest>(
    bmp_password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    v: usize,
    out: &mut [u8],
    budget: &Budget,
) -> Result<(), FormatError> {
    let fill = |source: &[u8]| -> Vec<u8> {
        if source.is_empty() {
            return Vec::new();
        }
        let len = v * source.len().div_ceil(v);
        source.iter().copied().cycle().take(len).collect()
    };
    let mut i = Zeroizing::new([fill(salt), fill(bmp_password)].concat());
    let d = vec![id; v];
    let u = <D as Digest>::output_size();
    for chunk in out.chunks_mut(u) {
        let mut a = D::new().chain_update(&d).chain_update(&*i).finalize();
        for round in 1..iterations {
            if round % ROUNDS_BETWEEN_LOOKS == 0 {
                budget.go_on()?;
            }
            a = D::digest(&a);
        }
        chunk.copy_from_slice(&a[..chunk.len()]);
        // B = A repeated to v bytes; I_j = (I_j + B + 1) mod 2^(8v) for every block of I.
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for block in i.chunks_mut(v) {
            let mut carry = 1u16;
            for (byte, add) in block.iter_mut().zip(&b).rev() {
                let sum = u16::from(*byte) + u16::from(*add) + carry;
                *byte = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    Ok(())
}

/// The legacy PKCS#12 ciphers (RFC 7292 appendix C) still found in files older tools wrote.
#[derive(Debug, Clone, Copy)]
enum Legacy {
    /// pbeWithSHAAnd3-KeyTripleDES-CBC.
    TripleDes,
    /// pbeWithSHAAnd128BitRC2-CBC (16-byte key) or pbeWithSHAAnd40BitRC2-CBC (5-byte key).
    Rc2 { key_len: usize },
}

fn pkcs12_legacy(
    algorithm: Legacy,
    parameters: Tlv<'_>,
    data: &[u8],
    password: &[u8],
    budget: &Budget,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let mut fields = parameters.children();
    let salt = fields.required("salt")?.expect(tag::OCTET_STRING, "salt")?;
    let iterations = integer(fields.required("iterations")?)?;
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return Err(bad("PKCS#12 iteration count out of range"));
    }
    let bmp = bmp_password(password);
    let key_len = match algorithm {
        Legacy::TripleDes => 24,
        Legacy::Rc2 { key_len } => key_len,
    };
    let mut key = Zeroizing::new(vec![0u8; key_len]);
    let mut iv = [0u8; 8];
    // The key (one or two SHA-1 outputs) and the IV (one).
    budget.charge(iterations, key_len.div_ceil(20) as u64 + 1, cost::SHA1)?;
    pkcs12_kdf_within::<sha1::Sha1>(&bmp, salt, 1, iterations as u32, 64, &mut key[..], budget)?;
    pkcs12_kdf_within::<sha1::Sha1>(&bmp, salt, 2, iterations as u32, 64, &mut iv, budget)?;
    let mut plain = Zeroizing::new(data.to_vec());
    match algorithm {
        Legacy::TripleDes => cbc_decrypt("1.2.840.113549.3.7", &key[..], &iv, &mut plain)?,
        Legacy::Rc2 { key_len } => {
            use cipher::InnerIvInit;
            let rc2 = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
            let len = cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(rc2, &iv)
                .map_err(|_| bad("RC2 IV length"))?
                .decrypt_padded::<cipher::block_padding::Pkcs7>(&mut plain)
                .map_err(|_| FormatError::WrongFilePassword)?
                .len();
            plain.truncate(len);
        }
    }
    Ok(plain)
}

/// Checks an HMAC in constant time.
pub fn verify_hmac<M: Mac + KeyInit>(key: &[u8], data: &[u8], expected: &[u8]) -> bool {
    let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.verify_slice(expected).is_ok()
}

/// How certkeeper protects a PFX file or PKCS#8 key it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC (OpenSSL 3's default); SHA-256 MAC.
    Aes256,
    /// PBES2 with PBKDF2-HMAC-Streebog-512 and GOST 28147-89 CFB (S-box Z, CryptoPro key meshing);
    /// Streebog-512 MAC — the form of OpenSSL's GOST engine and CryptoPro.
    Gost,
}

/// PBKDF2 iterations of files certkeeper writes (OpenSSL's default; certkeeper's archive, not the
/// file, is where passwords get the expensive treatment).
pub const ITERATIONS: u32 = 2048;

fn random(len: usize) -> Result<Vec<u8>, FormatError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes)
        .map_err(|error| crate::error::CryptoError::Random(error.to_string()))?;
    Ok(bytes)
}

/// Encrypts `plain`, returning the AlgorithmIdentifier and the ciphertext.
pub fn encrypt(
    protection: Protection,
    plain: &[u8],
    password: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), FormatError> {
    use super::der::write;
    let salt = random(8)?;
    let (prf, key_len) = match protection {
        Protection::Aes256 => ("1.2.840.113549.2.9", 32),
        Protection::Gost => ("1.2.643.7.1.1.4.2", 32),
    };
    let mut key = Zeroizing::new(vec![0u8; key_len]);
    pbkdf2(
        prf,
        password,
        &salt,
        ITERATIONS,
        &mut key,
        &Budget::per_file(),
    )?;
    let pbkdf2_parameters = write::sequence(&[
        &write::oid("1.2.840.113549.1.5.12"),
        &write::sequence(&[
            &write::octets(&salt),
            &write::integer(ITERATIONS.into()),
            &write::sequence(&[&write::oid(prf), &write::null()]),
        ]),
    ]);
    let (scheme, ciphertext) = match protection {
        Protection::Aes256 => {
            use cipher::BlockModeEncrypt;
            let iv = random(16)?;
            let mut buffer = plain.to_vec();
            buffer.resize(plain.len() / 16 * 16 + 16, 0);
            let len = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, &iv)
                .map_err(|_| bad("key or IV length"))?
                .encrypt_padded::<cipher::block_padding::Pkcs7>(&mut buffer, plain.len())
                .map_err(|_| bad("padding"))?
                .len();
            buffer.truncate(len);
            let ciphertext = buffer;
            (
                write::sequence(&[&write::oid("2.16.840.1.101.3.4.1.42"), &write::octets(&iv)]),
                ciphertext,
            )
        }
        Protection::Gost => {
            let iv: [u8; 8] = random(8)?.try_into().expect("8 bytes");
            let mut ciphertext = plain.to_vec();
            let key: &[u8; 32] = key[..].try_into().expect("32 bytes");
            Cfb::new(key, &iv, Sbox::Z, KeyMeshing::CryptoPro).encrypt(&mut ciphertext);
            let parameters = write::sequence(&[&write::octets(&iv), &write::oid(Sbox::Z.oid())]);
            (
                write::sequence(&[&write::oid("1.2.643.2.2.21"), &parameters]),
                ciphertext,
            )
        }
    };
    let algorithm = write::sequence(&[
        &write::oid("1.2.840.113549.1.5.13"),
        &write::sequence(&[&pbkdf2_parameters, &scheme]),
    ]);
    Ok((algorithm, ciphertext))
}
