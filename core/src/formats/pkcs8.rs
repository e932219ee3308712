//! PKCS#8 private keys (RFC 5208 / RFC 5958), plain and encrypted with PBES2 (RFC 8018).

use super::der::{self, Reader, tag};
use super::pbe;
use crate::crypto::gost::{ParamSet, PrivateKey};
use crate::error::FormatError;

/// A private key from a PKCS#8 PrivateKeyInfo.
#[derive(Debug)]
pub struct KeyInfo {
    /// The key algorithm's object identifier.
    pub algorithm_oid: String,
    /// The GOST key, when the algorithm is GOST R 34.10.
    pub gost: Option<PrivateKey>,
    /// The PrivateKeyInfo as DER (secret: kept zeroized by its owner).
    pub der: zeroize::Zeroizing<Vec<u8>>,
}

const GOST_ALGORITHMS: [&str; 6] = [
    "1.2.643.2.2.19",
    "1.2.643.2.2.98",
    "1.2.643.7.1.1.1.1",
    "1.2.643.7.1.1.1.2",
    "1.2.643.7.1.1.6.1",
    "1.2.643.7.1.1.6.2",
];

fn bad(reason: &'static str) -> FormatError {
    FormatError::Der {
        what: "PKCS#8 private key",
        offset: 0,
        reason,
    }
}

/// Reads a PrivateKeyInfo. GOST keys are taken in every form producers write the scalar: the engine's
/// little-endian OCTET STRING, an OCTET STRING inside it, or a big-endian INTEGER.
pub fn parse_private_key_info(bytes: &[u8]) -> Result<KeyInfo, FormatError> {
    let outer = Reader::new(bytes).required("PrivateKeyInfo")?;
    let outer_raw = outer.raw;
    let mut fields = outer.children();
    let version = fields
        .required("version")?
        .expect(tag::INTEGER, "version")?;
    let algorithm = fields.required("privateKeyAlgorithm")?;
    let mut algorithm_fields = algorithm.children();
    let oid = algorithm_fields
        .required("algorithm")?
        .expect(tag::OID, "algorithm")?;
    let algorithm_oid =
        der::oid_to_string(oid).ok_or_else(|| bad("broken algorithm identifier"))?;
    let key = fields
        .required("privateKey")?
        .expect(tag::OCTET_STRING, "privateKey")?;
    let gost = if GOST_ALGORITHMS.contains(&algorithm_oid.as_str()) {
        let mut parameter_oids = Vec::new();
        if let Some(parameters) = algorithm_fields.next_tlv("parameters")? {
            der::walk(parameters.raw, 2, &mut |tlv, _| {
                if tlv.tag == tag::OID {
                    parameter_oids.extend(der::oid_to_string(tlv.value));
                }
            })?;
        }
        let set = parameter_oids
            .iter()
            .find_map(|oid| ParamSet::from_oid(oid).ok())
            .ok_or_else(|| bad("GOST key without a known parameter set"))?;
        let len = set.coordinate_len();
        let scalar = if key.len() == len {
            PrivateKey::from_le_bytes(set, key)?
        } else if key.len() % len == 0 && !looks_like_der(key) {
            // Masked, as CryptoPro exports keys (R 50.1.112-2016's example): the masked scalar and
            // its masks, each little-endian and of the curve's size.
            unmask(set, key)?
        } else {
            let inner = Reader::new(key).required("GOST private key")?;
            match inner.tag {
                tag::OCTET_STRING if inner.value.len() == len => {
                    PrivateKey::from_le_bytes(set, inner.value)?
                }
                tag::OCTET_STRING if inner.value.len() % len == 0 => unmask(set, inner.value)?,
                tag::INTEGER => {
                    let digits = inner.value.strip_prefix(&[0]).unwrap_or(inner.value);
                    if digits.len() > len {
                        return Err(bad("GOST private key larger than its curve"));
                    }
                    let mut padded = zeroize::Zeroizing::new(vec![0u8; len]);
                    padded[len - digits.len()..].copy_from_slice(digits);
                    PrivateKey::from_be_bytes(set, &padded)?
                }
                _ => return Err(bad("GOST private key of an unknown form")),
            }
        };
        Some(scalar)
    } else {
        None
    };
    // A GOST key in a OneAsymmetricKey (version 1, with its public key: RFC 9548's), which the GOST
    // engine does not read, is kept in the engine's form, so that what certkeeper exports opens there.
    let der = match (&gost, GostAlgorithm::from_oid(&algorithm_oid)) {
        (Some(key), Some(family)) if version != [0] => gost_private_key_info(key, family),
        _ => zeroize::Zeroizing::new(outer_raw.to_vec()),
    };
    Ok(KeyInfo {
        algorithm_oid,
        gost,
        der,
    })
}

/// Whether `bytes` are exactly one DER element (a TLV whose length covers them all).
fn looks_like_der(bytes: &[u8]) -> bool {
    let mut reader = Reader::new(bytes);
    matches!(reader.next_tlv("element"), Ok(Some(tlv)) if tlv.raw.len() == bytes.len())
}

/// A masked GOST private key (the masked scalar, then one or more masks, each little-endian and
/// `set`'s size): d = masked · mask₁ · … mod q, as CryptoPro's PKCS#8 export and the GOST engine
/// read it.
fn unmask(set: ParamSet, value: &[u8]) -> Result<PrivateKey, FormatError> {
    let mut parts = value.chunks(set.coordinate_len());
    let first = parts
        .next()
        .ok_or_else(|| bad("an empty masked GOST key"))?;
    let mut key = PrivateKey::from_le_bytes(set, first)?;
    for mask in parts {
        key = PrivateKey::from_le_bytes(set, &key.mask_le(mask)?)?;
    }
    Ok(key)
}

/// Decrypts an EncryptedPrivateKeyInfo with `password` and reads the key (within one file's
/// [`pbe::Budget`]).
pub fn parse_encrypted(bytes: &[u8], password: &[u8]) -> Result<KeyInfo, FormatError> {
    parse_encrypted_within(bytes, password, &pbe::Budget::per_file())
}

/// [`parse_encrypted`] within `budget` (a PFX's: one part of a file).
pub fn parse_encrypted_within(
    bytes: &[u8],
    password: &[u8],
    budget: &pbe::Budget,
) -> Result<KeyInfo, FormatError> {
    let outer = Reader::new(bytes).required("EncryptedPrivateKeyInfo")?;
    let mut fields = outer.children();
    let algorithm = fields.required("encryptionAlgorithm")?;
    let data = fields
        .required("encryptedData")?
        .expect(tag::OCTET_STRING, "encryptedData")?;
    let mut scheme = algorithm.children();
    let scheme_oid = scheme
        .required("algorithm")?
        .expect(tag::OID, "algorithm")?;
    if der::oid_to_string(scheme_oid).as_deref() == Some(super::cryptopro_pfx::KEY_PROTECTION) {
        let parameters = scheme.next_tlv("parameters")?;
        return super::cryptopro_pfx::decrypt_key(parameters, data, password, budget);
    }
    let plain = pbe::decrypt(algorithm, data, password, budget)?;
    // A wrong password gives garbage: GOST CFB always "decrypts", and CBC padding comes out valid
    // about once in 256 tries. Garbage is not a key, so it means the password did not fit; a
    // PrivateKeyInfo whose key is not understood says so instead.
    parse_private_key_info(&plain).map_err(|error| {
        if is_private_key_info(&plain) {
            error
        } else {
            FormatError::WrongFilePassword
        }
    })
}

/// Whether `bytes` are a PrivateKeyInfo's frame: exactly one SEQUENCE holding a version INTEGER
/// and an algorithm identifier (what garbage from a wrong password never is).
fn is_private_key_info(bytes: &[u8]) -> bool {
    let mut reader = Reader::new(bytes);
    let Ok(Some(outer)) = reader.next_tlv("PrivateKeyInfo") else {
        return false;
    };
    if outer.tag != tag::SEQUENCE || outer.raw.len() != bytes.len() {
        return false;
    }
    let mut fields = outer.children();
    let version = fields.next_tlv("version");
    let algorithm = fields.next_tlv("privateKeyAlgorithm");
    matches!(
        (version, algorithm),
        (Ok(Some(version)), Ok(Some(algorithm)))
            if version.tag == tag::INTEGER && algorithm.tag == tag::SEQUENCE
    )
}

/// The private key of a file's bytes: DER, or the first private key block of a PEM file; encrypted
/// keys are opened with `password`.
pub fn from_file(bytes: &[u8], encrypted: bool, password: &[u8]) -> Result<KeyInfo, FormatError> {
    from_file_within(bytes, encrypted, password, &pbe::Budget::per_file())
}

/// [`from_file`] within `budget`: [`pbe::Budget::for_a_guess`] when the empty password is only
/// tried.
pub fn from_file_within(
    bytes: &[u8],
    encrypted: bool,
    password: &[u8],
    budget: &pbe::Budget,
) -> Result<KeyInfo, FormatError> {
    let der = if let Some(start) = crate::formats::pem::start(bytes) {
        x509_parser::pem::Pem::iter_from_buffer(&bytes[start..])
            .filter_map(Result::ok)
            .find(|block| block.label.ends_with("PRIVATE KEY"))
            .map(|block| block.contents)
            .ok_or_else(|| bad("no private key block in the PEM file"))?
    } else {
        bytes.to_vec()
    };
    if encrypted {
        parse_encrypted_within(&der, password, budget)
    } else {
        parse_private_key_info(&der)
    }
}

/// A name people know for a key algorithm's OID.
pub fn algorithm_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.1" => "RSA".to_owned(),
        "1.2.840.10045.2.1" => "EC".to_owned(),
        "1.2.643.2.2.19" | "1.2.643.2.2.98" => "GOST R 34.10-2001".to_owned(),
        "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.6.1" => "GOST R 34.10-2012 256".to_owned(),
        "1.2.643.7.1.1.1.2" | "1.2.643.7.1.1.6.2" => "GOST R 34.10-2012 512".to_owned(),
        "1.2.840.113549.1.5.13" => "PBES2-encrypted key".to_owned(),
        other => other.to_owned(),
    }
}

/// Which GOST R 34.10 a key is for: the parameter sets of 2001 serve 2012-256 keys too, so the
/// algorithm travels beside the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GostAlgorithm {
    /// GOST R 34.10-2001 (with GOST R 34.11-94).
    Gost2001,
    /// GOST R 34.10-2012 with a 256-bit key (with Streebog-256).
    Gost2012_256,
    /// GOST R 34.10-2012 with a 512-bit key (with Streebog-512).
    Gost2012_512,
}

impl GostAlgorithm {
    /// The algorithm of a key's object identifier (signature or key agreement OIDs).
    pub fn from_oid(oid: &str) -> Option<Self> {
        match oid {
            "1.2.643.2.2.19" | "1.2.643.2.2.98" => Some(Self::Gost2001),
            "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.6.1" => Some(Self::Gost2012_256),
            "1.2.643.7.1.1.1.2" | "1.2.643.7.1.1.6.2" => Some(Self::Gost2012_512),
            _ => None,
        }
    }
}

/// A GOST private key as a PrivateKeyInfo in OpenSSL's GOST engine form: the algorithm with its
/// parameter set (and hash for 256-bit keys), the scalar as a little-endian OCTET STRING.
pub fn gost_private_key_info(
    key: &PrivateKey,
    algorithm: GostAlgorithm,
) -> zeroize::Zeroizing<Vec<u8>> {
    use super::der::write;
    let set = key.param_set();
    let (algorithm, digest) = match algorithm {
        GostAlgorithm::Gost2012_512 => ("1.2.643.7.1.1.1.2", None),
        GostAlgorithm::Gost2012_256 => ("1.2.643.7.1.1.1.1", Some("1.2.643.7.1.1.2.2")),
        GostAlgorithm::Gost2001 => ("1.2.643.2.2.19", Some("1.2.643.2.2.30.1")),
    };
    let mut parameters = vec![write::oid(set.oid())];
    if let Some(digest) = digest {
        parameters.push(write::oid(digest));
    }
    let parameter_refs: Vec<&[u8]> = parameters.iter().map(Vec::as_slice).collect();
    let scalar = key.to_le_bytes();
    zeroize::Zeroizing::new(write::sequence(&[
        &write::integer(0),
        &write::sequence(&[&write::oid(algorithm), &write::sequence(&parameter_refs)]),
        &write::octets(&scalar),
    ]))
}

/// An EncryptedPrivateKeyInfo of `private_key_info` (DER) under `password`.
pub fn encrypt(
    private_key_info: &[u8],
    password: &[u8],
    protection: pbe::Protection,
) -> Result<Vec<u8>, FormatError> {
    use super::der::write;
    let (algorithm, ciphertext) = pbe::encrypt(protection, private_key_info, password)?;
    Ok(write::sequence(&[&algorithm, &write::octets(&ciphertext)]))
}

/// A public key in a form that compares across files: the family and the key's defining bytes
/// (GOST: x ‖ y little-endian; RSA: the modulus without leading zeros; EC: the encoded point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyMaterial {
    /// "gost", "rsa" or "ec".
    pub family: &'static str,
    /// The defining bytes.
    pub bytes: Vec<u8>,
}

impl PublicKeyMaterial {
    /// An identifier of the key pair: SHA-256 over the family, a zero byte and the defining bytes,
    /// uppercase hex. The archive links private keys to their certificates by it.
    pub fn id(&self) -> String {
        use digest::Digest;
        sha2::Sha256::new()
            .chain_update(self.family.as_bytes())
            .chain_update([0])
            .chain_update(&self.bytes)
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02X}"))
            .collect()
    }
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|byte| *byte != 0)
        .unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

impl KeyInfo {
    /// The public half of this private key, when it can be told from the key alone.
    pub fn public_key_material(&self) -> Option<PublicKeyMaterial> {
        if let Some(gost) = &self.gost {
            return Some(PublicKeyMaterial {
                family: "gost",
                bytes: gost.public_key().to_le_bytes().to_vec(),
            });
        }
        let outer = Reader::new(&self.der).required("PrivateKeyInfo").ok()?;
        let mut fields = outer.children();
        fields.next_tlv("version").ok()??;
        fields.next_tlv("algorithm").ok()??;
        let key = fields.next_tlv("privateKey").ok()??;
        let inner = Reader::new(key.value).required("private key").ok()?;
        let mut key_fields = inner.children();
        match self.algorithm_oid.as_str() {
            // RSAPrivateKey { version, modulus, ... }.
            "1.2.840.113549.1.1.1" => {
                key_fields.next_tlv("version").ok()??;
                let modulus = key_fields.next_tlv("modulus").ok()??;
                Some(PublicKeyMaterial {
                    family: "rsa",
                    bytes: strip_zeros(modulus.value),
                })
            }
            // ECPrivateKey { version, privateKey, [0] parameters OPTIONAL, [1] publicKey OPTIONAL }.
            "1.2.840.10045.2.1" => {
                while let Some(field) = key_fields.next_tlv("ECPrivateKey").ok()? {
                    if field.tag == 0xa1 {
                        let bits = field.children().next_tlv("publicKey").ok()??;
                        return Some(PublicKeyMaterial {
                            family: "ec",
                            bytes: bits.value.get(1..)?.to_vec(),
                        });
                    }
                }
                // Without the optional public key (PKCS#11 tokens leave it out): computed from the
                // private scalar, for P-256.
                use p256::elliptic_curve::sec1::ToSec1Point;
                use p256::pkcs8::DecodePrivateKey;
                let secret = p256::SecretKey::from_pkcs8_der(&self.der).ok()?;
                Some(PublicKeyMaterial {
                    family: "ec",
                    bytes: secret.public_key().to_sec1_point(false).as_bytes().to_vec(),
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A P-256 key encrypted by `openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 1 -passout pass:right`.
    const OPENSSL_AES_KEY: [u8; 238] = hex_literal::hex!(
        "3081eb305606092a864886f70d01050d3049302806092a864886f70d01050c30"
        "1b0408bb0a00c8b284d3c8020101300c06082a864886f70d02090500301d0609"
        "60864801650304012a04107acfe86bca540158f33bf37fd618c8310481900c51"
        "5903757d36249af0c25723d0981f7504780861cfa9f6ed54f9be69a08da2d2b9"
        "9be9a84572e8ba062d1be15add7e4869e16ca57fb35e59e68b54d976be15dfe7"
        "c24abca7af64125a88a47084afa963d8c6ccea9da34b5ec23a10acf09d0d1a8d"
        "11d660b26aa8750fb6beef08fb37de7bf217c0e9e45e887ca46de2f78f1010cd"
        "98fd37f230706158ee45e6fa23b9"
    );

    #[test]
    fn a_wrong_password_that_passes_the_padding_check_is_still_a_wrong_password() {
        let key = parse_encrypted(&OPENSSL_AES_KEY, b"right").expect("the right password");
        assert_eq!(key.algorithm_oid, "1.2.840.10045.2.1");
        // "wrong 545" decrypts this file to garbage that ends in valid CBC padding.
        let mut fields = Reader::new(&OPENSSL_AES_KEY)
            .required("file")
            .expect("outer")
            .children();
        let algorithm = fields.required("algorithm").expect("algorithm");
        let data = fields.required("data").expect("data");
        let data = data.expect(tag::OCTET_STRING, "data").expect("octets");
        assert!(pbe::decrypt(algorithm, data, b"wrong 545", &pbe::Budget::per_file()).is_ok());
        assert!(matches!(
            parse_encrypted(&OPENSSL_AES_KEY, b"wrong 545"),
            Err(FormatError::WrongFilePassword)
        ));
    }

    #[test]
    fn a_wrong_password_on_a_gost_key_is_a_wrong_password() {
        // CFB has no padding: every password "decrypts".
        use super::super::der::write;
        let key_info = write::sequence(&[
            &write::integer(0),
            &write::sequence(&[&write::oid("1.2.840.113549.1.1.1"), &[0x05, 0x00]]),
            &write::octets(&write::sequence(&[&write::integer(0), &write::integer(7)])),
        ]);
        let file = encrypt(&key_info, b"right", pbe::Protection::Gost).expect("encrypt");
        assert!(parse_encrypted(&file, b"right").is_ok());
        assert!(matches!(
            parse_encrypted(&file, b"wrong"),
            Err(FormatError::WrongFilePassword)
        ));
    }
}
