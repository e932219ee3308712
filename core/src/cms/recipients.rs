//! Recipient infos: who a document was encrypted to, and taking the content-encryption key out with
//! that recipient's private key.
//!
//! - RSA key transport, PKCS#1 v1.5 and OAEP (RFC 3560).
//! - GOST R 34.10-2001/2012 key transport with GOST 28147-89 (RFC 4490): VKO (8-byte UKM) with the
//!   ephemeral key in the document, then the CryptoPro key unwrap under the S-box it names.
//! - ECDH key agreement on P-256 (RFC 5753): dhSinglePass-stdDH and cofactorDH with the ANSI X9.63
//!   KDF over SHA-1/SHA-2, the content key wrapped with AES key wrap (RFC 3394).
//! - GOST R 34.10-2012 key transport with KExp15 (RFC 9337, `kuznyechik-kexp15`/`magma-kexp15`): VKO
//!   with the first 16 bytes of the 32-byte UKM, for 256-bit keys KDF_TREE with the next 8 as seed,
//!   then KImp15 with the last bytes as IV.
//! - GOST key agreement (KeyAgreeRecipientInfo) the same two ways: with KExp15 and the 32-byte UKM of
//!   the RecipientInfo (Р 1323565.1.025-2019), and with a GOST 28147-89 key wrap (None or CryptoPro
//!   diversification, RFC 4357) under the VKO of the 8-byte UKM (TK26's CMS profile). The originator
//!   is an ephemeral key in the document or a static key named by its certificate: that certificate
//!   comes from the document's originatorInfo or is set by the caller
//!   ([`Recipient::originator_wanted`], [`Recipient::set_originator`]).

use zeroize::Zeroizing;

use super::CmsError;
use crate::cert::Name;
use crate::crypto::gost::{ParamSet, PublicKey};
use crate::formats::der::{self, Reader, Tlv, tag};
use crate::formats::pkcs8::KeyInfo;

/// How a recipient is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecipientId {
    /// The certificate's issuer and serial number.
    IssuerSerial {
        /// The issuer, as certkeeper shows names (and stores them in the archive).
        issuer: String,
        /// The serial number, uppercase hex as certkeeper stores it.
        serial: String,
    },
    /// The certificate's subject key identifier, uppercase hex.
    SubjectKeyId(String),
}

impl RecipientId {
    /// Whether `certificate` is the one this recipient names.
    pub fn matches(&self, certificate: &crate::cert::Certificate) -> bool {
        match self {
            Self::IssuerSerial { issuer, serial } => {
                certificate.serial == *serial && certificate.issuer.to_string() == *issuer
            }
            Self::SubjectKeyId(id) => certificate.subject_key_id.as_deref() == Some(id.as_str()),
        }
    }
}

impl std::fmt::Display for RecipientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::IssuerSerial { issuer, serial } => write!(f, "{issuer}, serial {serial}"),
            Self::SubjectKeyId(id) => write!(f, "key identifier {id}"),
        }
    }
}

/// One recipient of a document.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// Who.
    pub id: RecipientId,
    /// The key-encryption algorithm's OID.
    pub algorithm: String,
    algorithm_params: Vec<u8>,
    encrypted_key: Vec<u8>,
    agreement: Option<Agreement>,
}

/// The originator of a key agreement.
#[derive(Debug, Clone)]
enum Originator {
    /// Its public key, as a SubjectPublicKeyInfo (DER): an ephemeral key given in the document, or a
    /// static one taken from its certificate.
    Key(Vec<u8>),
    /// A static key named by its certificate, not found yet.
    Certificate(RecipientId),
}

/// What a key agreement recipient shares with the others of its RecipientInfo.
#[derive(Debug, Clone)]
struct Agreement {
    /// The originator.
    originator: Originator,
    /// User keying material, when given.
    ukm: Option<Vec<u8>>,
    /// The key wrap AlgorithmIdentifier (DER), as it goes into the KDF's SharedInfo.
    wrap: Vec<u8>,
}

const RSA: &str = "1.2.840.113549.1.1.1";
const RSA_OAEP: &str = "1.2.840.113549.1.1.7";
const GOST_2001: &str = "1.2.643.2.2.19";
const GOST_2001_DH: &str = "1.2.643.2.2.98";
const GOST_2012_256: &str = "1.2.643.7.1.1.1.1";
const GOST_2012_512: &str = "1.2.643.7.1.1.1.2";
const GOST_2012_256_DH: &str = "1.2.643.7.1.1.6.1";
const GOST_2012_512_DH: &str = "1.2.643.7.1.1.6.2";
const KUZNYECHIK_KEXP15: &str = "1.2.643.7.1.1.7.2.1";
const MAGMA_KEXP15: &str = "1.2.643.7.1.1.7.1.1";
/// GOST 28147-89 key wrap without diversification, and with CryptoPro's (RFC 4357 section 6).
const GOST_NONE_KEY_WRAP: &str = "1.2.643.2.2.13.0";
const GOST_CRYPTOPRO_KEY_WRAP: &str = "1.2.643.2.2.13.1";

fn malformed(reason: &'static str) -> CmsError {
    CmsError::Malformed { offset: 0, reason }
}

fn oid(tlv: Tlv<'_>) -> Result<String, CmsError> {
    der::oid_to_string(tlv.expect(tag::OID, "object identifier")?)
        .ok_or_else(|| malformed("broken object identifier"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02X}")).collect()
}

/// Reads the recipientInfos SET (DER).
pub fn parse_recipient_infos(set: &[u8]) -> Result<(Vec<Recipient>, Vec<String>), CmsError> {
    let outer = Reader::new(set).required("recipientInfos")?;
    let mut infos = outer.children();
    let mut recipients = Vec::new();
    let mut unsupported = Vec::new();
    while let Some(info) = infos.next_tlv("RecipientInfo")? {
        match info.tag {
            // KeyTransRecipientInfo.
            0x30 => recipients.push(key_transport(info)?),
            0xa1 => recipients.extend(key_agreement(info)?),
            0xa2 => unsupported.push("a previously distributed key (KEK)".to_owned()),
            0xa3 => unsupported.push("a password".to_owned()),
            _ => unsupported.push("an unknown kind of recipient".to_owned()),
        }
    }
    Ok((recipients, unsupported))
}

fn key_transport(info: Tlv<'_>) -> Result<Recipient, CmsError> {
    let mut fields = info.children();
    fields.required("version")?;
    let rid = fields.required("recipient identifier")?;
    let id = match rid.tag {
        0x30 => {
            let mut parts = rid.children();
            let issuer = parts.required("issuer")?;
            let serial = parts
                .required("serial number")?
                .expect(tag::INTEGER, "serial number")?;
            RecipientId::IssuerSerial {
                issuer: Name::from_der(issuer.raw)
                    .map_err(|_| malformed("the recipient's issuer name is broken"))?
                    .to_string(),
                serial: hex(serial),
            }
        }
        0x80 => RecipientId::SubjectKeyId(hex(rid.value)),
        _ => return Err(malformed("unknown recipient identifier")),
    };
    let algorithm = fields.required("keyEncryptionAlgorithm")?;
    let mut parts = algorithm.children();
    let algorithm_oid = oid(parts.required("algorithm")?)?;
    let algorithm_params = parts
        .next_tlv("parameters")?
        .map(|tlv| tlv.raw.to_vec())
        .unwrap_or_default();
    let encrypted_key = fields
        .required("encryptedKey")?
        .expect(tag::OCTET_STRING, "encryptedKey")?
        .to_vec();
    Ok(Recipient {
        id,
        algorithm: algorithm_oid,
        algorithm_params,
        encrypted_key,
        agreement: None,
    })
}

fn issuer_serial(rid: Tlv<'_>) -> Result<RecipientId, CmsError> {
    let mut parts = rid.children();
    let issuer = parts.required("issuer")?;
    let serial = parts
        .required("serial number")?
        .expect(tag::INTEGER, "serial number")?;
    Ok(RecipientId::IssuerSerial {
        issuer: Name::from_der(issuer.raw)
            .map_err(|_| malformed("the recipient's issuer name is broken"))?
            .to_string(),
        serial: hex(serial),
    })
}

/// KeyAgreeRecipientInfo: one originator key, any number of recipients.
fn key_agreement(info: Tlv<'_>) -> Result<Vec<Recipient>, CmsError> {
    let mut fields = info.children();
    fields.required("version")?;
    let originator = fields.required("originator")?;
    // originator [0] EXPLICIT OriginatorIdentifierOrKey: originatorKey [1] (an ephemeral key), or the
    // certificate of a static key by issuer and serial or by subjectKeyIdentifier [0].
    let named = Reader::new(originator.value).required("originator")?;
    let originator = match named.tag {
        0xa1 => {
            // OriginatorPublicKey ::= SEQUENCE { algorithm, publicKey }: a SubjectPublicKeyInfo.
            let spki = der::write::tlv(tag::SEQUENCE, named.value);
            spki_bits(&spki)?;
            Originator::Key(spki)
        }
        0x30 => Originator::Certificate(issuer_serial(named)?),
        0x80 => Originator::Certificate(RecipientId::SubjectKeyId(hex(named.value))),
        _ => return Err(malformed("unknown originator identifier")),
    };
    let mut next = fields.required("keyEncryptionAlgorithm")?;
    let mut ukm = None;
    if next.tag == 0xa1 {
        ukm = Some(
            Reader::new(next.value)
                .required("ukm")?
                .expect(tag::OCTET_STRING, "ukm")?
                .to_vec(),
        );
        next = fields.required("keyEncryptionAlgorithm")?;
    }
    let mut algorithm_parts = next.children();
    let algorithm = oid(algorithm_parts.required("algorithm")?)?;
    let wrap = algorithm_parts.required("key wrap algorithm")?.raw.to_vec();
    let keys = fields.required("recipientEncryptedKeys")?;
    let mut items = keys.children();
    let mut recipients = Vec::new();
    while let Some(item) = items.next_tlv("RecipientEncryptedKey")? {
        let mut parts = item.children();
        let rid = parts.required("rid")?;
        let id = match rid.tag {
            0x30 => issuer_serial(rid)?,
            0xa0 => RecipientId::SubjectKeyId(hex(rid
                .children()
                .required("subjectKeyIdentifier")?
                .expect(tag::OCTET_STRING, "subjectKeyIdentifier")?)),
            _ => return Err(malformed("unknown recipient identifier")),
        };
        let encrypted_key = parts
            .required("encryptedKey")?
            .expect(tag::OCTET_STRING, "encryptedKey")?
            .to_vec();
        recipients.push(Recipient {
            id,
            algorithm: algorithm.clone(),
            algorithm_params: Vec::new(),
            encrypted_key,
            agreement: Some(Agreement {
                originator: originator.clone(),
                ukm: ukm.clone(),
                wrap: wrap.clone(),
            }),
        });
    }
    Ok(recipients)
}

/// The padding of an RSA key transport recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaPadding {
    /// PKCS#1 v1.5.
    Pkcs1v15,
    /// OAEP with SHA-1 and MGF1-SHA-1 (the default parameters).
    OaepSha1,
    /// OAEP with SHA-256 and MGF1-SHA-256.
    OaepSha256,
}

/// Which VKO a GOST recipient needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vko {
    /// VKO GOST R 34.10-2001 (GOST R 34.11-94 of the shared point), 8-byte UKM.
    Gost2001,
    /// VKO GOST R 34.10-2012 with a 256-bit result.
    Gost2012_256,
    /// VKO GOST R 34.10-2012 with a 512-bit result.
    Gost2012_512,
}

/// A recipient's private key, doing its one private operation where the key lives: in memory (a
/// key taken out of the archive or a file, [`KeyInfo`]) or on a token, where the key never leaves.
/// Everything around the operation (KDFs, key unwrapping) is done by [`Recipient::unwrap_with`].
pub trait RecipientKey {
    /// RSA decryption of an encrypted content key.
    fn rsa_decrypt(
        &self,
        padding: RsaPadding,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CmsError>;
    /// The P-256 ECDH shared secret (the x coordinate) with `peer`, a SEC 1 point.
    fn ecdh_p256(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, CmsError>;
    /// The VKO key-encryption key with the sender's ephemeral key and the UKM.
    fn vko(&self, kind: Vko, peer: &PublicKey, ukm: &[u8]) -> Result<Zeroizing<Vec<u8>>, CmsError>;
}

impl RecipientKey for KeyInfo {
    fn rsa_decrypt(
        &self,
        padding: RsaPadding,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        use rsa::pkcs8::DecodePrivateKey;
        let private = rsa::PrivateKey::from_pkcs8_der(&self.der).map_err(|_| CmsError::WrongKey)?;
        match padding {
            RsaPadding::Pkcs1v15 => private.decrypt(rsa::Pkcs1v15Encrypt, ciphertext),
            RsaPadding::OaepSha1 => private.decrypt(rsa::Oaep::<sha1::Sha1>::new(), ciphertext),
            RsaPadding::OaepSha256 => private.decrypt(rsa::Oaep::<sha2::Sha256>::new(), ciphertext),
        }
        .map(Zeroizing::new)
        .map_err(|_| CmsError::WrongKey)
    }

    fn ecdh_p256(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        use p256::pkcs8::DecodePrivateKey;
        let secret = p256::SecretKey::from_pkcs8_der(&self.der).map_err(|_| CmsError::WrongKey)?;
        let originator = p256::PublicKey::from_sec1_bytes(peer)
            .map_err(|_| malformed("the originator's key is not a P-256 point"))?;
        let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), originator.as_affine());
        Ok(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
    }

    fn vko(&self, kind: Vko, peer: &PublicKey, ukm: &[u8]) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        use crate::crypto::gost::vko;
        let own = self.gost.as_ref().ok_or(CmsError::WrongKey)?;
        Ok(match kind {
            Vko::Gost2001 => {
                let ukm: &[u8; 8] = ukm
                    .try_into()
                    .map_err(|_| malformed("the UKM is not 8 bytes"))?;
                Zeroizing::new(vko::vko_2001(own, peer, ukm)?.to_vec())
            }
            Vko::Gost2012_256 => Zeroizing::new(vko::vko_2012_256(own, peer, ukm)?.to_vec()),
            Vko::Gost2012_512 => Zeroizing::new(vko::vko_2012_512(own, peer, ukm)?.to_vec()),
        })
    }
}

impl Recipient {
    /// Takes the content-encryption key out with the recipient's private key (PKCS#8).
    pub fn unwrap_key(&self, key: &KeyInfo) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        self.unwrap_with(key)
    }

    /// Takes the content-encryption key out with the recipient's private key, wherever it lives.
    pub fn unwrap_with(&self, key: &dyn RecipientKey) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        if let Some(agreement) = &self.agreement {
            return match self.algorithm.as_str() {
                KUZNYECHIK_KEXP15 | MAGMA_KEXP15 => {
                    let ukm = agreement
                        .ukm
                        .as_deref()
                        .ok_or_else(|| malformed("GOST key agreement without a UKM"))?;
                    let peer = gost_public_key(spki_contents(agreement.originator_key()?)?)?;
                    self.import_kexp15(key, &self.encrypted_key, &peer, ukm)
                }
                GOST_2001 | GOST_2001_DH | GOST_2012_256 | GOST_2012_512 | GOST_2012_256_DH
                | GOST_2012_512_DH => self.unwrap_gost_agreement(agreement, key),
                _ => self.unwrap_ecdh(agreement, key),
            };
        }
        match self.algorithm.as_str() {
            RSA | RSA_OAEP => self.unwrap_rsa(key),
            GOST_2001 | GOST_2001_DH | GOST_2012_256 | GOST_2012_512 => self.unwrap_gost_4490(key),
            KUZNYECHIK_KEXP15 | MAGMA_KEXP15 => self.unwrap_kexp15(key),
            other => Err(CmsError::Unsupported {
                what: format!("key transport algorithm {other}"),
            }),
        }
    }

    fn unwrap_ecdh(
        &self,
        agreement: &Agreement,
        key: &dyn RecipientKey,
    ) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        let hash = match self.algorithm.as_str() {
            // dhSinglePass-stdDH-*kdf-scheme and dhSinglePass-cofactorDH-*kdf-scheme (RFC 5753); the
            // cofactor of P-256 is 1, so both give the same shared secret.
            "1.3.133.16.840.63.0.2" | "1.3.133.16.840.63.0.3" => "sha1",
            "1.3.132.1.11.0" | "1.3.132.1.14.0" => "sha224",
            "1.3.132.1.11.1" | "1.3.132.1.14.1" => "sha256",
            "1.3.132.1.11.2" | "1.3.132.1.14.2" => "sha384",
            "1.3.132.1.11.3" | "1.3.132.1.14.3" => "sha512",
            other => {
                return Err(CmsError::Unsupported {
                    what: format!(
                        "key agreement with {} keys ({other})",
                        crate::formats::pkcs8::algorithm_name(other)
                    ),
                });
            }
        };
        let wrap = Reader::new(&agreement.wrap).required("key wrap algorithm")?;
        let wrap_oid = oid(wrap.children().required("algorithm")?)?;
        let key_len = match wrap_oid.as_str() {
            "2.16.840.1.101.3.4.1.5" => 16,
            "2.16.840.1.101.3.4.1.25" => 24,
            "2.16.840.1.101.3.4.1.45" => 32,
            // id-alg-CMS3DESwrap (RFC 3217).
            "1.2.840.113549.1.9.16.3.6" => 24,
            other => {
                return Err(CmsError::Unsupported {
                    what: format!("key wrap {other}"),
                });
            }
        };
        let (_, point) = spki_bits(agreement.originator_key()?)?;
        let shared = key.ecdh_p256(point)?;
        // ECC-CMS-SharedInfo ::= SEQUENCE { keyInfo, entityUInfo [0] OPTIONAL, suppPubInfo [2] }.
        use crate::formats::der::write;
        let mut parts = vec![agreement.wrap.clone()];
        if let Some(ukm) = &agreement.ukm {
            parts.push(write::explicit(0, &write::octets(ukm)));
        }
        parts.push(write::explicit(
            2,
            &write::octets(&((key_len as u32) * 8).to_be_bytes()),
        ));
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let shared_info = write::sequence(&refs);
        let kek = x963_kdf(hash, &shared, &shared_info, key_len);
        if wrap_oid == "1.2.840.113549.1.9.16.3.6" {
            des3_key_unwrap(&kek, &self.encrypted_key)
        } else {
            aes_key_unwrap(&kek, &self.encrypted_key)
        }
    }

    fn unwrap_rsa(&self, key: &dyn RecipientKey) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        let padding = if self.algorithm == RSA_OAEP {
            match oaep_hashes(&self.algorithm_params)? {
                (hash, mgf) if hash == "sha1" && mgf == "sha1" => RsaPadding::OaepSha1,
                (hash, mgf) if hash == "sha256" && mgf == "sha256" => RsaPadding::OaepSha256,
                (hash, mgf) => {
                    return Err(CmsError::Unsupported {
                        what: format!("RSA-OAEP with {hash} and MGF1-{mgf}"),
                    });
                }
            }
        } else {
            RsaPadding::Pkcs1v15
        };
        key.rsa_decrypt(padding, &self.encrypted_key)
    }

    fn unwrap_gost_4490(&self, key: &dyn RecipientKey) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        use crate::crypto::gost::gost28147::{Sbox, unwrap_cryptopro};
        // GostR3410-KeyTransport ::= SEQUENCE { sessionEncryptedKey, transportParameters [0] }.
        let transport = Reader::new(&self.encrypted_key).required("GostR3410-KeyTransport")?;
        let mut fields = transport.children();
        let (encrypted, mac) = encrypted_key_28147(fields.required("sessionEncryptedKey")?)?;
        let parameters = fields.required("transportParameters")?;
        if parameters.tag != 0xa0 {
            return Err(malformed("GOST key transport without its parameters"));
        }
        let mut parameter_fields = parameters.children();
        let sbox = Sbox::from_oid(&oid(parameter_fields.required("encryptionParamSet")?)?)?;
        let mut next = parameter_fields.required("ukm")?;
        let ephemeral = if next.tag == 0xa0 {
            let spki = next;
            next = parameter_fields.required("ukm")?;
            gost_public_key(spki.value)?
        } else {
            return Err(CmsError::Unsupported {
                what: "GOST key transport without an ephemeral key (static-static agreement)"
                    .to_owned(),
            });
        };
        let ukm: [u8; 8] = next
            .expect(tag::OCTET_STRING, "ukm")?
            .try_into()
            .map_err(|_| malformed("the UKM is not 8 bytes"))?;
        let kek = self.kek_28147(key, &ephemeral, &ukm)?;
        let wrapped = [&ukm[..], encrypted, mac].concat();
        let key = unwrap_cryptopro(&kek, &wrapped, sbox).map_err(|_| CmsError::WrongKey)?;
        Ok(Zeroizing::new(key.to_vec()))
    }

    fn unwrap_kexp15(&self, key: &dyn RecipientKey) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        // GostR3410-KeyTransport (RFC 9337) ::= SEQUENCE { encryptedKey, ephemeralPublicKey, ukm }.
        let transport = Reader::new(&self.encrypted_key).required("GostR3410-KeyTransport")?;
        let mut fields = transport.children();
        let exported = fields
            .required("encryptedKey")?
            .expect(tag::OCTET_STRING, "encryptedKey")?;
        let spki = fields.required("ephemeralPublicKey")?;
        let ephemeral = gost_public_key(spki.value)?;
        let ukm = fields.required("ukm")?.expect(tag::OCTET_STRING, "ukm")?;
        self.import_kexp15(key, exported, &ephemeral, ukm)
    }

    /// KImp15 of `exported` under the keys of KEG (R 1323565.1.020): the VKO of the recipient's key
    /// with `peer` and the 32-byte `ukm`.
    fn import_kexp15(
        &self,
        key: &dyn RecipientKey,
        exported: &[u8],
        peer: &PublicKey,
        ukm: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        use crate::crypto::gost::kdf::kdf_tree_256;
        use crate::crypto::gost::r3413::kimp15;
        if ukm.len() < 32 {
            return Err(malformed("the UKM is shorter than 32 bytes"));
        }
        // The first 16 bytes of the UKM are a big-endian number here (R 1323565.1.020 section 4.3;
        // checked against OpenSSL's GOST engine: `pkeyutl -derive` with the document's UKM gives the
        // same 64 bytes only so), unlike the 8-byte little-endian UKM of RFC 4490; zero counts as one.
        let mut vko_ukm = [0u8; 16];
        vko_ukm.copy_from_slice(&ukm[..16]);
        vko_ukm.reverse();
        if vko_ukm == [0u8; 16] {
            vko_ukm[0] = 1;
        }
        // The originator's key is on the recipient's curve, so its size is the recipient key's.
        let keys: Zeroizing<Vec<u8>> = if peer.param_set().bits() == 512 {
            key.vko(Vko::Gost2012_512, peer, &vko_ukm)?
        } else {
            let kek = key.vko(Vko::Gost2012_256, peer, &vko_ukm)?;
            kdf_tree_256(&kek[..], b"kdf tree", &ukm[16..24], 1, 64)?
        };
        let mac_key: &[u8; 32] = keys[..32].try_into().map_err(|_| CmsError::WrongKey)?;
        let enc_key: &[u8; 32] = keys[32..64].try_into().map_err(|_| CmsError::WrongKey)?;
        let key = if self.algorithm == KUZNYECHIK_KEXP15 {
            kimp15::<kuznyechik::Kuznyechik>(exported, mac_key, enc_key, &ukm[24..32])
        } else {
            kimp15::<magma::Magma>(exported, mac_key, enc_key, &ukm[24..28])
        };
        key.map_err(|_| CmsError::WrongKey)
    }
}

impl Agreement {
    /// The originator's public key (a SubjectPublicKeyInfo), or why it is not known.
    fn originator_key(&self) -> Result<&[u8], CmsError> {
        match &self.originator {
            Originator::Key(spki) => Ok(spki),
            Originator::Certificate(id) => Err(CmsError::OriginatorUnknown {
                originator: id.to_string(),
            }),
        }
    }
}

impl Recipient {
    /// The certificate of the originator's static key, when the document names one that is not known
    /// yet (neither in the document's originatorInfo nor set by [`Recipient::set_originator`]).
    pub fn originator_wanted(&self) -> Option<&RecipientId> {
        match self
            .agreement
            .as_ref()
            .map(|agreement| &agreement.originator)
        {
            Some(Originator::Certificate(id)) => Some(id),
            _ => None,
        }
    }

    /// Gives the originator's certificate the document names (see [`Recipient::originator_wanted`]);
    /// a certificate that is not the one named is ignored.
    pub fn set_originator(&mut self, certificate: &crate::cert::Certificate) {
        let Some(agreement) = self.agreement.as_mut() else {
            return;
        };
        if let Originator::Certificate(id) = &agreement.originator
            && id.matches(certificate)
            && let Some(spki) = certificate.subject_public_key_info()
        {
            agreement.originator = Originator::Key(spki);
        }
    }

    /// GOST key agreement with a GOST 28147-89 key wrap (TK26's CMS profile): the key-encryption key
    /// is the VKO of the recipient's key with the originator's and the 8-byte UKM; the wrap is
    /// Gost28147-89-EncryptedKey ::= SEQUENCE { encryptedKey, maskKey [0] OPTIONAL, macKey }.
    fn unwrap_gost_agreement(
        &self,
        agreement: &Agreement,
        key: &dyn RecipientKey,
    ) -> Result<Zeroizing<Vec<u8>>, CmsError> {
        use crate::crypto::gost::gost28147::{Sbox, unwrap_cryptopro, unwrap_gost};
        // KeyWrapAlgorithm { id-Gost28147-89-(None|CryptoPro)-KeyWrap, { encryptionParamSet, ukm? } }.
        let wrap = Reader::new(&agreement.wrap).required("key wrap algorithm")?;
        let mut wrap_fields = wrap.children();
        let wrap_oid = oid(wrap_fields.required("algorithm")?)?;
        let mut parameters = wrap_fields.required("key wrap parameters")?.children();
        let sbox = Sbox::from_oid(&oid(parameters.required("encryptionParamSet")?)?)?;
        let wrap_ukm = match parameters.next_tlv("ukm")? {
            Some(ukm) => Some(ukm.expect(tag::OCTET_STRING, "ukm")?),
            None => None,
        };
        let ukm: [u8; 8] = agreement
            .ukm
            .as_deref()
            .or(wrap_ukm)
            .ok_or_else(|| malformed("GOST key agreement without a UKM"))?
            .try_into()
            .map_err(|_| malformed("the UKM is not 8 bytes"))?;
        let (encrypted, mac) = encrypted_key_28147(
            Reader::new(&self.encrypted_key).required("Gost28147-89-EncryptedKey")?,
        )?;
        let peer = gost_public_key(spki_contents(agreement.originator_key()?)?)?;
        let kek = self.kek_28147(key, &peer, &ukm)?;
        let wrapped = [&ukm[..], encrypted, mac].concat();
        let content_key = match wrap_oid.as_str() {
            GOST_NONE_KEY_WRAP => unwrap_gost(&kek, &wrapped, sbox),
            GOST_CRYPTOPRO_KEY_WRAP => unwrap_cryptopro(&kek, &wrapped, sbox),
            other => {
                return Err(CmsError::Unsupported {
                    what: format!("GOST key agreement with the key wrap {other}"),
                });
            }
        }
        .map_err(|_| CmsError::WrongKey)?;
        Ok(Zeroizing::new(content_key.to_vec()))
    }
}

impl Recipient {
    /// The GOST 28147-89 key-encryption key: the VKO of the recipient's key with `peer` and the
    /// 8-byte UKM — GOST R 34.11-94 for 2001 keys; for 2012 keys of both sizes Streebog-256, as RFC
    /// 4490's successors and OpenSSL's GOST engine use with GOST 28147-89.
    fn kek_28147(
        &self,
        key: &dyn RecipientKey,
        peer: &PublicKey,
        ukm: &[u8; 8],
    ) -> Result<Zeroizing<[u8; 32]>, CmsError> {
        let kind = match self.algorithm.as_str() {
            GOST_2001 | GOST_2001_DH => Vko::Gost2001,
            _ => Vko::Gost2012_256,
        };
        Ok(Zeroizing::new(
            key.vko(kind, peer, ukm)?
                .as_slice()
                .try_into()
                .map_err(|_| CmsError::WrongKey)?,
        ))
    }
}

/// Gost28147-89-EncryptedKey ::= SEQUENCE { encryptedKey, maskKey [0] OPTIONAL, macKey }: the
/// encrypted key (32 bytes) and its MAC (4); CryptoPro does not use the mask.
fn encrypted_key_28147(wrapped: Tlv<'_>) -> Result<(&[u8], &[u8]), CmsError> {
    let mut fields = wrapped.children();
    let encrypted = fields
        .required("encryptedKey")?
        .expect(tag::OCTET_STRING, "encryptedKey")?;
    let mut mac = fields.required("macKey")?;
    if mac.tag == 0xa0 {
        mac = fields.required("macKey")?;
    }
    let mac = mac.expect(tag::OCTET_STRING, "macKey")?;
    if encrypted.len() != 32 || mac.len() != 4 {
        return Err(malformed("the wrapped key has the wrong size"));
    }
    Ok((encrypted, mac))
}

/// The contents of a SubjectPublicKeyInfo (its algorithm and BIT STRING, as [`gost_public_key`]
/// reads them).
fn spki_contents(spki: &[u8]) -> Result<&[u8], CmsError> {
    Ok(Reader::new(spki).required("SubjectPublicKeyInfo")?.value)
}

/// The algorithm and the key bytes of a SubjectPublicKeyInfo (the BIT STRING's, whole bytes).
fn spki_bits(spki: &[u8]) -> Result<(Tlv<'_>, &[u8]), CmsError> {
    let mut fields = Reader::new(spki)
        .required("SubjectPublicKeyInfo")?
        .children();
    let algorithm = fields.required("algorithm")?;
    let bits = fields
        .required("subjectPublicKey")?
        .expect(tag::BIT_STRING, "subjectPublicKey")?;
    let key = bits
        .split_first()
        .filter(|(unused, _)| **unused == 0)
        .map(|(_, key)| key)
        .ok_or_else(|| malformed("the originator's public key is broken"))?;
    Ok((algorithm, key))
}

/// ANSI X9.63 KDF (SEC 1 section 3.6.1): Hash(Z ‖ counter ‖ SharedInfo) for counter = 1, 2, ...
fn x963_kdf(hash: &str, secret: &[u8], shared_info: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    use digest::Digest;
    fn run<D: Digest>(secret: &[u8], shared_info: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(len + 64));
        let mut counter = 1u32;
        while out.len() < len {
            out.extend_from_slice(
                &D::new()
                    .chain_update(secret)
                    .chain_update(counter.to_be_bytes())
                    .chain_update(shared_info)
                    .finalize(),
            );
            counter += 1;
        }
        out.truncate(len);
        out
    }
    match hash {
        "sha1" => run::<sha1::Sha1>(secret, shared_info, len),
        "sha224" => run::<sha2::Sha224>(secret, shared_info, len),
        "sha384" => run::<sha2::Sha384>(secret, shared_info, len),
        "sha512" => run::<sha2::Sha512>(secret, shared_info, len),
        _ => run::<sha2::Sha256>(secret, shared_info, len),
    }
}

/// AES key unwrap (RFC 3394) of a CMS recipient's content key.
fn aes_key_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, CmsError> {
    if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) {
        return Err(malformed("the wrapped key has the wrong size"));
    }
    crate::crypto::aes_kw::unwrap(kek, wrapped).map_err(|_| CmsError::WrongKey)
}

/// Triple-DES key unwrap (RFC 3217 section 3.2): CBC under a fixed IV, the bytes reversed, CBC again
/// under the IV found, then the SHA-1 check value.
fn des3_key_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, CmsError> {
    use cipher::array::Array;
    use cipher::{BlockModeDecrypt, KeyIvInit};
    use digest::Digest;
    const IV: [u8; 8] = [0x4a, 0xdd, 0xa2, 0x2c, 0x79, 0xe8, 0x21, 0x05];
    if wrapped.len() != 40 {
        return Err(malformed("the wrapped 3DES key has the wrong size"));
    }
    let cbc = |iv: &[u8], data: &mut [u8]| -> Result<(), CmsError> {
        let mut mode = cbc::Decryptor::<des::TdesEde3>::new_from_slices(kek, iv)
            .map_err(|_| CmsError::WrongKey)?;
        let (blocks, _) = Array::<u8, cipher::consts::U8>::slice_as_chunks_mut(data);
        mode.decrypt_blocks(blocks);
        Ok(())
    };
    let mut temp = Zeroizing::new(wrapped.to_vec());
    cbc(&IV, &mut temp)?;
    temp.reverse();
    let (iv, rest) = temp.split_at_mut(8);
    let iv = iv.to_vec();
    cbc(&iv, rest)?;
    let (key, icv) = rest.split_at(24);
    let check = sha1::Sha1::digest(key);
    if check[..8] != *icv {
        return Err(CmsError::WrongKey);
    }
    Ok(Zeroizing::new(key.to_vec()))
}

/// The hashes of RSAES-OAEP-params: (hash, MGF1 hash); SHA-1 when absent (RFC 8017's defaults).
fn oaep_hashes(params: &[u8]) -> Result<(String, String), CmsError> {
    let name = |oid: &str| match oid {
        "1.3.14.3.2.26" => "sha1".to_owned(),
        "2.16.840.1.101.3.4.2.1" => "sha256".to_owned(),
        other => other.to_owned(),
    };
    let mut hash = "sha1".to_owned();
    let mut mgf = "sha1".to_owned();
    if params.is_empty() {
        return Ok((hash, mgf));
    }
    let sequence = Reader::new(params).required("RSAES-OAEP-params")?;
    let mut fields = sequence.children();
    while let Some(field) = fields.next_tlv("RSAES-OAEP-params field")? {
        match field.tag {
            0xa0 => {
                let algorithm = Reader::new(field.value).required("hashAlgorithm")?;
                hash = name(&oid(algorithm.children().required("algorithm")?)?);
            }
            0xa1 => {
                let algorithm = Reader::new(field.value).required("maskGenAlgorithm")?;
                let mut parts = algorithm.children();
                parts.required("MGF1")?;
                let inner = parts.required("MGF1 hash")?;
                mgf = name(&oid(inner.children().required("algorithm")?)?);
            }
            0xa2 => {
                return Err(CmsError::Unsupported {
                    what: "RSA-OAEP with a label".to_owned(),
                });
            }
            _ => {}
        }
    }
    Ok((hash, mgf))
}

/// A GOST public key from the contents of a SubjectPublicKeyInfo (algorithm, BIT STRING).
fn gost_public_key(spki_contents: &[u8]) -> Result<PublicKey, CmsError> {
    let mut fields = Reader::new(spki_contents);
    let algorithm = fields.required("algorithm")?;
    let mut parts = algorithm.children();
    parts.required("algorithm")?;
    let params = parts.required("parameters")?;
    let set = ParamSet::from_oid(&oid(params.children().required("publicKeyParamSet")?)?)?;
    let bits = fields
        .required("subjectPublicKey")?
        .expect(tag::BIT_STRING, "subjectPublicKey")?;
    let (unused, key) = bits
        .split_first()
        .ok_or_else(|| malformed("empty public key"))?;
    if *unused != 0 {
        return Err(malformed("the public key is not whole bytes"));
    }
    let point = Reader::new(key)
        .required("GOST public key")?
        .expect(tag::OCTET_STRING, "GOST public key")?;
    Ok(PublicKey::from_le_bytes(set, point)?)
}
