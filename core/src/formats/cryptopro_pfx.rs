//! The key bag of CryptoPro CSP's own PFX export ("export with private key" on Windows): an
//! EncryptedPrivateKeyInfo under the scheme `1.2.840.113549.1.12.1.80`, which neither OpenSSL nor
//! Windows' own importer reads.
//!
//! How it opens (the algorithm as li0ard's cpfx describes it; the 2001 unwrap, the MAC checks and
//! the key blob's layout found on, and holding for, the real CryptoPro exports of the test corpus):
//! - The parameters are SEQUENCE { salt OCTET STRING (16 bytes), iterations INTEGER (2000) }.
//! - K = UTF-16LE(password); then, for i = 1 … iterations, K = GOST R 34.11-94 (CryptoPro
//!   parameters) of K ‖ salt ‖ i (two bytes, big-endian).
//! - The bag is GOST 28147-89 CFB-decrypted under K (CryptoPro-A S-box, IV the salt's first 8 bytes)
//!   into SEQUENCE { 0, AlgorithmIdentifier, OCTET STRING blob } — a PrivateKeyInfo whose key is
//!   CryptoAPI's key blob.
//! - The blob: a 16-byte header (PRIVATEKEYBLOB 07 20, the key's ALG_ID — aa24 for 2001, aa46 for
//!   2012-256, aa42 for 2012-512 —, "MAG1", the key's length in bytes), then SEQUENCE {
//!   SEQUENCE { UKM (8), SEQUENCE { encrypted key, MAC (4) }, [0] { attributes, [0] { algorithm,
//!   { parameter set, hash } } } }, check (4) }.
//! - The key-encryption key: KDF_GOSTR3411_2012_256(K, 26 BD B8 78, UKM) for 2012 keys; for 2001
//!   keys CryptoPro's diversification of K by the UKM (RFC 4357 section 6.5). The key is GOST
//!   28147-89 ECB-decrypted under it (CryptoPro-A), little-endian, unmasked.
//! - The MAC is GOST 28147-89 IMIT of the key under the key-encryption key with the UKM as IV: it
//!   tells a wrong password (the PFX's own SHA-1 MAC does not verify even with the right one).

use digest::Digest;
use zeroize::Zeroizing;

use super::der::{self, Reader, Tlv, tag};
use super::pbe;
use super::pkcs8::{self, GostAlgorithm, KeyInfo};
use crate::crypto::gost::gost28147::{self, Cfb, Gost28147, Imit, KeyMeshing, Sbox};
use crate::crypto::gost::{Gost94CryptoPro, ParamSet, PrivateKey, kdf};
use crate::error::FormatError;

/// The object identifier of the scheme.
pub const KEY_PROTECTION: &str = "1.2.840.113549.1.12.1.80";

/// The label of the 2012 keys' key-encryption key derivation.
const KEK_LABEL: [u8; 4] = [0x26, 0xbd, 0xb8, 0x78];

/// The largest iteration count the two-byte round number allows (CryptoPro writes 2000).
const MAX_ITERATIONS: u64 = 0xffff;

fn bad(reason: &'static str) -> FormatError {
    FormatError::Der {
        what: "CryptoPro key bag",
        offset: 0,
        reason,
    }
}

fn octets<'a>(tlv: Option<Tlv<'a>>, what: &'static str) -> Result<&'a [u8], FormatError> {
    tlv.ok_or_else(|| bad("a field is missing"))?
        .expect(tag::OCTET_STRING, what)
}

/// Opens a key bag protected with [`KEY_PROTECTION`]: `parameters` are the AlgorithmIdentifier's,
/// `encrypted` the bag's encrypted data. A wrong password is [`FormatError::WrongFilePassword`].
pub fn decrypt_key(
    parameters: Option<Tlv<'_>>,
    encrypted: &[u8],
    password: &[u8],
    budget: &pbe::Budget,
) -> Result<KeyInfo, FormatError> {
    let parameters = parameters.ok_or_else(|| bad("no salt and iteration count"))?;
    let mut fields = parameters.children();
    let salt = fields.required("salt")?.expect(tag::OCTET_STRING, "salt")?;
    let iterations = fields
        .required("iterations")?
        .expect(tag::INTEGER, "iterations")?;
    if salt.len() < 8 || salt.len() > 64 {
        return Err(bad("a salt of an unexpected length"));
    }
    if iterations.is_empty() || iterations.len() > 4 || iterations[0] & 0x80 != 0 {
        return Err(bad("iteration count out of range"));
    }
    let iterations = iterations
        .iter()
        .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte));
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return Err(bad("iteration count out of range"));
    }
    if encrypted.is_empty() || encrypted.len() > 4096 {
        return Err(bad("a key bag of an unexpected length"));
    }
    budget.charge(iterations, 1, pbe::cost::GOST94)?;
    let key = password_key(password, salt, iterations, budget)?;
    let mut iv = [0u8; 8];
    iv.copy_from_slice(&salt[..8]);
    let mut plain = Zeroizing::new(encrypted.to_vec());
    Cfb::new(&key, &iv, Sbox::CryptoProA, KeyMeshing::None).decrypt(&mut plain);
    key_from_decrypted(&plain, &key)
}

/// The key of a decrypted bag (`plain`), unwrapped with the password's key `key`. Garbage from a
/// wrong password is not the frame read here, and a frame whose key fails its MAC is the wrong
/// password too (one in 2³² garbage frames would pass the MAC): both are
/// [`FormatError::WrongFilePassword`].
pub fn key_from_decrypted(plain: &[u8], key: &[u8; 32]) -> Result<KeyInfo, FormatError> {
    let blob = read_frame(plain).ok_or(FormatError::WrongFilePassword)?;
    let outer_algorithm = blob.algorithm;
    let wrapped = read_blob(blob.key_blob)?;
    let algorithm = GostAlgorithm::from_oid(&outer_algorithm)
        .or_else(|| GostAlgorithm::from_oid(&wrapped.algorithm))
        .ok_or_else(|| FormatError::UnsupportedContainer {
            reason: format!("a {} key", pkcs8::algorithm_name(&outer_algorithm)),
        })?;
    let set =
        ParamSet::from_oid(&wrapped.param_set).map_err(|_| FormatError::UnsupportedContainer {
            reason: format!("a GOST key of parameter set {}", wrapped.param_set),
        })?;
    if wrapped.encrypted.len() != set.bits() / 8 {
        return Err(bad("a key of the wrong length for its parameter set"));
    }
    let kek = key_encryption_key(algorithm, key, &wrapped.ukm);
    let mut scalar = Zeroizing::new(wrapped.encrypted.to_vec());
    Gost28147::new(&kek, Sbox::CryptoProA)
        .ecb_decrypt(&mut scalar)
        .map_err(|_| bad("a key of the wrong length"))?;
    let mut imit = Imit::new(&kek, &wrapped.ukm, Sbox::CryptoProA, KeyMeshing::None);
    imit.update(&scalar);
    if !gost28147::constant_time_eq(&imit.finalize_mac(), wrapped.mac) {
        return Err(FormatError::WrongFilePassword);
    }
    let private = PrivateKey::from_le_bytes(set, &scalar)?;
    pkcs8::parse_private_key_info(&pkcs8::gost_private_key_info(&private, algorithm))
}

/// The key-encryption key of a blob: KDF_GOSTR3411_2012_256 for 2012 keys, CryptoPro's
/// diversification for 2001 keys.
fn key_encryption_key(
    algorithm: GostAlgorithm,
    key: &[u8; 32],
    ukm: &[u8; 8],
) -> Zeroizing<[u8; 32]> {
    match algorithm {
        GostAlgorithm::Gost2001 => gost28147::diversify_cryptopro(key, ukm, Sbox::CryptoProA),
        GostAlgorithm::Gost2012_256 | GostAlgorithm::Gost2012_512 => {
            kdf::kdf_256(&key[..], &KEK_LABEL, ukm)
        }
    }
}

/// K of the module's description, within `budget`'s Stop.
fn password_key(
    password: &[u8],
    salt: &[u8],
    iterations: u64,
    budget: &pbe::Budget,
) -> Result<Zeroizing<[u8; 32]>, FormatError> {
    let text = std::str::from_utf8(password).map_err(|_| FormatError::WrongFilePassword)?;
    let wide: Zeroizing<Vec<u8>> =
        Zeroizing::new(text.encode_utf16().flat_map(u16::to_le_bytes).collect());
    let mut key = Zeroizing::new([0u8; 32]);
    for round in 1..=iterations {
        if round % 512 == 0 {
            budget.go_on()?;
        }
        let mut hash = Gost94CryptoPro::new();
        hash.update(if round == 1 { &wide[..] } else { &key[..] });
        hash.update(salt);
        // Two bytes, big-endian: the count is at most MAX_ITERATIONS.
        hash.update(
            u16::try_from(round)
                .map_err(|_| bad("iteration count out of range"))?
                .to_be_bytes(),
        );
        key.copy_from_slice(&hash.finalize());
    }
    Ok(key)
}

/// The decrypted bag: a PrivateKeyInfo frame around the key blob.
struct Frame<'a> {
    algorithm: String,
    key_blob: &'a [u8],
}

fn read_frame(plain: &[u8]) -> Option<Frame<'_>> {
    let mut reader = Reader::new(plain);
    let outer = reader.next_tlv("PrivateKeyInfo").ok()??;
    if outer.tag != tag::SEQUENCE {
        return None;
    }
    let mut fields = outer.children();
    let version = fields.next_tlv("version").ok()??;
    if version.tag != tag::INTEGER {
        return None;
    }
    let algorithm = fields.next_tlv("algorithm").ok()??;
    let oid = algorithm.children().next_tlv("algorithm").ok()??;
    let algorithm = der::oid_to_string(oid.expect(tag::OID, "algorithm").ok()?)?;
    let key_blob = fields
        .next_tlv("privateKey")
        .ok()??
        .expect(tag::OCTET_STRING, "privateKey")
        .ok()?;
    Some(Frame {
        algorithm,
        key_blob,
    })
}

/// The wrapped key of a key blob.
struct Wrapped<'a> {
    ukm: [u8; 8],
    encrypted: &'a [u8],
    mac: &'a [u8],
    algorithm: String,
    param_set: String,
}

/// The length of the blob's CryptoAPI header.
const BLOB_HEADER: usize = 16;

fn read_blob(blob: &[u8]) -> Result<Wrapped<'_>, FormatError> {
    if blob.len() <= BLOB_HEADER || blob[0] != 0x07 || &blob[8..12] != b"MAG1" {
        return Err(bad("not a CryptoPro private key blob"));
    }
    let length = u32::from_le_bytes([blob[12], blob[13], blob[14], blob[15]]);
    let outer = Reader::new(&blob[BLOB_HEADER..]).required("key blob")?;
    let mut outer_fields = outer.children();
    let inner = outer_fields.required("key transport")?;
    let mut fields = inner.children();
    let ukm: [u8; 8] = octets(fields.next_tlv("UKM")?, "UKM")?
        .try_into()
        .map_err(|_| bad("a UKM of the wrong length"))?;
    let mut key_fields = fields.required("encrypted key")?.children();
    let encrypted = octets(key_fields.next_tlv("encrypted key")?, "encrypted key")?;
    let mac = octets(key_fields.next_tlv("MAC")?, "MAC")?;
    if mac.len() != 4 || usize::try_from(length).ok() != Some(encrypted.len()) {
        return Err(bad("a wrapped key of the wrong length"));
    }
    // [0] { attributes BIT STRING, [0] { algorithm OID, { parameter set, hash } } }.
    let description = fields.required("key description")?;
    if description.tag != 0xa0 {
        return Err(bad("no key description"));
    }
    let mut description_fields = description.children();
    description_fields.required("key attributes")?;
    let identifier = description_fields.required("key algorithm")?;
    if identifier.tag != 0xa0 {
        return Err(bad("no key algorithm"));
    }
    let mut identifier_fields = identifier.children();
    let algorithm = der::oid_to_string(
        identifier_fields
            .required("algorithm")?
            .expect(tag::OID, "algorithm")?,
    )
    .ok_or_else(|| bad("broken object identifier"))?;
    let param_set = der::oid_to_string(
        identifier_fields
            .required("parameters")?
            .children()
            .required("parameter set")?
            .expect(tag::OID, "parameter set")?,
    )
    .ok_or_else(|| bad("broken object identifier"))?;
    Ok(Wrapped {
        ukm,
        encrypted,
        mac,
        algorithm,
        param_set,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::der::write;

    /// A decrypted bag in the layout of CryptoPro's exports, holding `private` wrapped under the
    /// password's key `key`.
    fn bag(private: &PrivateKey, algorithm: GostAlgorithm, key: &[u8; 32]) -> Vec<u8> {
        let ukm = [0x13, 0x03, 0x17, 0x75, 0xd8, 0xd7, 0xe5, 0x1f];
        let (outer, agreement, alg_id) = match algorithm {
            GostAlgorithm::Gost2001 => ("1.2.643.2.2.19", "1.2.643.2.2.98", 0xaa24u16),
            GostAlgorithm::Gost2012_256 => ("1.2.643.7.1.1.1.1", "1.2.643.7.1.1.6.1", 0xaa46),
            GostAlgorithm::Gost2012_512 => ("1.2.643.7.1.1.1.2", "1.2.643.7.1.1.6.2", 0xaa42),
        };
        let kek = key_encryption_key(algorithm, key, &ukm);
        let scalar = private.to_le_bytes();
        let mut imit = Imit::new(&kek, &ukm, Sbox::CryptoProA, KeyMeshing::None);
        imit.update(&scalar);
        let mac = imit.finalize_mac();
        let mut encrypted = scalar.to_vec();
        Gost28147::new(&kek, Sbox::CryptoProA)
            .ecb_encrypt(&mut encrypted)
            .expect("whole blocks");
        let description = write::tlv(
            0xa0,
            &[
                write::tlv(0x03, &[0x05, 0xa0]),
                write::tlv(
                    0xa0,
                    &[
                        write::oid(agreement),
                        write::sequence(&[
                            &write::oid(private.param_set().oid()),
                            &write::oid("1.2.643.7.1.1.2.2"),
                        ]),
                    ]
                    .concat(),
                ),
            ]
            .concat(),
        );
        let transport = write::sequence(&[
            &write::octets(&ukm),
            &write::sequence(&[&write::octets(&encrypted), &write::octets(&mac)]),
            &description,
        ]);
        let mut blob = vec![0x07, 0x20, 0, 0];
        blob.extend_from_slice(&u32::from(alg_id).to_le_bytes());
        blob.extend_from_slice(b"MAG1");
        blob.extend_from_slice(&u32::try_from(scalar.len()).expect("small").to_le_bytes());
        blob.extend_from_slice(&write::sequence(&[
            &transport,
            &write::octets(&[1, 2, 3, 4]),
        ]));
        write::sequence(&[
            &write::integer(0),
            &write::sequence(&[&write::oid(outer), &write::null()]),
            &write::octets(&blob),
        ])
    }

    #[test]
    fn every_key_kind_comes_back_and_a_wrong_key_or_damage_is_told() {
        let key = [0x5a; 32];
        for (set, algorithm) in [
            (ParamSet::CryptoProXchA, GostAlgorithm::Gost2001),
            (ParamSet::CryptoProXchA, GostAlgorithm::Gost2012_256),
            (ParamSet::Tc26_512A, GostAlgorithm::Gost2012_512),
        ] {
            let private = PrivateKey::generate(set).expect("a key");
            let plain = bag(&private, algorithm, &key);
            let opened = key_from_decrypted(&plain, &key).expect("it opens");
            assert_eq!(
                opened.gost.as_ref().expect("GOST").to_le_bytes(),
                private.to_le_bytes()
            );
            assert!(matches!(
                key_from_decrypted(&plain, &[0x5b; 32]),
                Err(FormatError::WrongFilePassword)
            ));
            // Every truncation and flipped bit: a typed error, never a panic or another key.
            for cut in 0..plain.len() {
                assert!(key_from_decrypted(&plain[..cut], &key).is_err());
            }
            for at in 0..plain.len() {
                let mut damaged = plain.clone();
                damaged[at] ^= 0x01;
                if let Ok(other) = key_from_decrypted(&damaged, &key) {
                    // Only bytes the scalar does not depend on (the header's reserved bytes, the
                    // attributes, the trailing check — and the parameter set, which the MAC does
                    // not cover: the certificate check of import catches that one) may change
                    // without notice.
                    let other = other.gost.as_ref().expect("GOST");
                    if other.param_set() == set {
                        assert_eq!(other.to_le_bytes(), private.to_le_bytes(), "byte {at}");
                    }
                }
            }
        }
    }
}
