//! Who signs a request: a GOST key in memory (a CryptoPro container certkeeper has just written), or
//! a key that stays on a token. Each gives its signature AlgorithmIdentifier and the signature value
//! as X.509 carries it in a BIT STRING.

use crate::crypto::gost::PrivateKey;
use crate::formats::der::write;
use crate::media::pkcs11::{SigningKind, TokenError, TokenKey};

/// Signs certificate requests (PKCS#10, CRMF proof of possession) and CMP messages.
pub trait Signer {
    /// The signature's AlgorithmIdentifier, DER.
    fn algorithm_identifier(&self) -> Vec<u8>;
    /// The signature over `data`, as it goes into the BIT STRING.
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// Why a signature was not made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The GOST arithmetic failed (no randomness).
    #[error("{0}")]
    Crypto(#[from] crate::error::CryptoError),
    /// The token refused.
    #[error("{0}")]
    Token(#[from] TokenError),
}

/// The signature algorithm of GOST R 34.10-2012 with Streebog of the key's size (TC26:
/// id-tc26-signwithdigest-gost3410-12-256 and -512).
pub fn gost_signature_oid(bits: usize) -> &'static str {
    if bits == 512 {
        "1.2.643.7.1.1.3.3"
    } else {
        "1.2.643.7.1.1.3.2"
    }
}

/// A GOST R 34.10-2012 key in memory, signing with Streebog of its size. The signature is s ‖ r,
/// big-endian, the hash read little-endian — as OpenSSL's GOST engine and CryptoPro write X.509
/// signatures.
pub struct GostSigner<'a>(pub &'a PrivateKey);

impl Signer for GostSigner<'_> {
    fn algorithm_identifier(&self) -> Vec<u8> {
        write::sequence(&[&write::oid(gost_signature_oid(self.0.param_set().bits()))])
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        let digest = crate::crypto::gost::streebog_of_size(self.0.param_set().bits(), data);
        Ok(self.0.sign_digest(&digest)?)
    }
}

/// A key on a token, signing as its type says: RSA PKCS#1 v1.5 or ECDSA with SHA-256, or GOST
/// R 34.10-2012 with Streebog — the token makes the signature.
pub struct TokenSigner<'a> {
    key: &'a TokenKey,
    kind: SigningKind,
}

impl<'a> TokenSigner<'a> {
    /// A signer of `key`, whose type is read from the token once.
    pub fn new(key: &'a TokenKey) -> Result<Self, SignError> {
        Ok(Self {
            key,
            kind: key.kind()?,
        })
    }
}

impl Signer for TokenSigner<'_> {
    fn algorithm_identifier(&self) -> Vec<u8> {
        match self.kind {
            SigningKind::Rsa => {
                write::sequence(&[&write::oid("1.2.840.113549.1.1.11"), &write::null()])
            }
            SigningKind::Ec => write::sequence(&[&write::oid("1.2.840.10045.4.3.2")]),
            SigningKind::Gost(bits) => write::sequence(&[&write::oid(gost_signature_oid(bits))]),
        }
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        let signature = self.key.sign(data)?;
        if self.kind != SigningKind::Ec {
            return Ok(signature);
        }
        // PKCS#11 gives r ‖ s; X.509 wants Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }.
        let (r, s) = signature.split_at(signature.len() / 2);
        Ok(write::sequence(&[
            &unsigned_integer(r),
            &unsigned_integer(s),
        ]))
    }
}

/// A DER INTEGER of an unsigned big-endian number.
pub(crate) fn unsigned_integer(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|byte| *byte != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    let mut contents = bytes[start..].to_vec();
    if contents.first().is_none_or(|byte| byte & 0x80 != 0) {
        contents.insert(0, 0);
    }
    write::tlv(0x02, &contents)
}

/// A BIT STRING with no unused bits.
pub(crate) fn bit_string(bytes: &[u8]) -> Vec<u8> {
    write::tlv(0x03, &[&[0u8][..], bytes].concat())
}
