//! The certificate request: PKCS#10 (RFC 2986) for CAs that take request files and for CMP's
//! `p10cr`, and the CRMF CertReqMsg (RFC 4211) that CMP's `ir`, `cr` and `kur` carry. Both hold the
//! same subject, public key and extensions a qualified certificate needs: key usage, extended key
//! usage, the private key usage period, and subjectSignTool (1.2.643.100.111) naming certkeeper.

use super::sign::{SignError, Signer, bit_string};
use crate::crypto::gost::{ParamSet, PublicKey};
use crate::formats::der::write;

/// What a request asks for, besides who signs it.
#[derive(Debug, Clone)]
pub struct RequestContents {
    /// The subject, an X.501 Name (DER).
    pub subject: Vec<u8>,
    /// The new key's SubjectPublicKeyInfo (DER).
    pub public_key_info: Vec<u8>,
    /// The requested extensions, DER `Extensions` (SEQUENCE OF Extension).
    pub extensions: Vec<u8>,
}

/// The key's family, which decides its key usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// GOST R 34.10-2012: signing and key agreement (VKO) for encryption.
    Gost,
    /// RSA: signing and key transport.
    Rsa,
    /// ECDSA/ECDH.
    Ec,
}

/// How long the private key may sign, from now: 15 months, what CryptoPro CSP gives a new key and
/// what the FSB's rules for qualified keys allow.
/// (15 months of 30.44 days on average).
pub const PRIVATE_KEY_DAYS: i64 = 457;

/// `YYYYMMDDHHMMSSZ` of a Unix time.
pub fn generalized_time(unix: i64) -> String {
    crate::cert::format_time(unix)
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'Z')
        .collect()
}

fn extension(oid: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        write::sequence(&[&write::oid(oid), &[0x01, 0x01, 0xff], &write::octets(value)])
    } else {
        write::sequence(&[&write::oid(oid), &write::octets(value)])
    }
}

/// The extensions of a qualified certificate request, for a key made at `now`.
pub fn qualified_extensions(family: Family, now: i64) -> Vec<u8> {
    // digitalSignature, nonRepudiation, and keyEncipherment + dataEncipherment (GOST, RSA) or
    // keyAgreement (EC): what the CAs' qualified templates ask.
    let key_usage = match family {
        Family::Gost | Family::Rsa => write::tlv(0x03, &[4, 0xf0]),
        Family::Ec => write::tlv(0x03, &[3, 0xc8]),
    };
    // clientAuth and emailProtection (RFC 5280 4.2.1.12).
    let extended = write::sequence(&[
        &write::oid("1.3.6.1.5.5.7.3.2"),
        &write::oid("1.3.6.1.5.5.7.3.4"),
    ]);
    let until = now + PRIVATE_KEY_DAYS * 86_400;
    let period = write::sequence(&[
        &write::tlv(0x80, generalized_time(now).as_bytes()),
        &write::tlv(0x81, generalized_time(until).as_bytes()),
    ]);
    let tool = write::tlv(
        0x0c,
        concat!("certkeeper ", env!("CARGO_PKG_VERSION")).as_bytes(),
    );
    write::sequence(&[
        &extension("2.5.29.15", true, &key_usage),
        &extension("2.5.29.37", false, &extended),
        &extension("2.5.29.16", false, &period),
        &extension(crate::cert::oid::SUBJECT_SIGN_TOOL, false, &tool),
    ])
}

/// The SubjectPublicKeyInfo of a GOST R 34.10-2012 public key: the algorithm with its parameter set
/// (and Streebog-256 for 256-bit keys on the CryptoPro curves, as R 1323565.1.024 asks), the point
/// as an OCTET STRING of x ‖ y little-endian.
pub fn gost_public_key_info(public: &PublicKey) -> Vec<u8> {
    let set = public.param_set();
    let mut parameters = vec![write::oid(set.oid())];
    let algorithm = if set.bits() == 512 {
        "1.2.643.7.1.1.1.2"
    } else {
        if !matches!(
            set,
            ParamSet::Tc26_256A | ParamSet::Tc26_256B | ParamSet::Tc26_256C | ParamSet::Tc26_256D
        ) {
            parameters.push(write::oid("1.2.643.7.1.1.2.2"));
        }
        "1.2.643.7.1.1.1.1"
    };
    let refs: Vec<&[u8]> = parameters.iter().map(Vec::as_slice).collect();
    write::sequence(&[
        &write::sequence(&[&write::oid(algorithm), &write::sequence(&refs)]),
        &bit_string(&write::octets(public.to_le_bytes())),
    ])
}

/// A PKCS#10 CertificationRequest, signed by `signer`.
pub fn certification_request(
    contents: &RequestContents,
    signer: &dyn Signer,
) -> Result<Vec<u8>, SignError> {
    let extension_request = write::sequence(&[
        &write::oid("1.2.840.113549.1.9.14"),
        &write::set(&[&contents.extensions]),
    ]);
    let info = write::sequence(&[
        &write::integer(0),
        &contents.subject,
        &contents.public_key_info,
        &write::explicit(0, &extension_request),
    ]);
    let signature = signer.sign(&info)?;
    Ok(write::sequence(&[
        &info,
        &signer.algorithm_identifier(),
        &bit_string(&signature),
    ]))
}

/// The certificate a renewal replaces, for CRMF's oldCertID control (RFC 4211 6.5): its issuer
/// (Name, DER) and serial number (INTEGER, DER).
#[derive(Debug, Clone)]
pub struct OldCertificate {
    /// The issuer's Name, DER.
    pub issuer: Vec<u8>,
    /// The serial number's INTEGER, DER.
    pub serial: Vec<u8>,
}

/// The certReqId every CRMF request certkeeper makes carries (one certificate per message).
pub const CERT_REQ_ID: u64 = 0;
/// The certReqId that stands for a p10cr's request in pollReq and certConf (RFC 9480 2.11).
pub const P10CR_REQ_ID: i64 = -1;

/// A CRMF CertReqMsg with a signature proof of possession by the new key (RFC 4211 4.1: over the
/// CertRequest, which holds the subject and public key).
pub fn cert_req_msg(
    contents: &RequestContents,
    old: Option<&OldCertificate>,
    signer: &dyn Signer,
) -> Result<Vec<u8>, SignError> {
    // CRMF's module has IMPLICIT tags: [6] and [9] replace the SEQUENCE tags; a Name is a CHOICE,
    // so [5] wraps it.
    let template = write::sequence(&[
        &write::explicit(5, &contents.subject),
        &write::tlv(0xa6, inner(&contents.public_key_info)),
        &write::tlv(0xa9, inner(&contents.extensions)),
    ]);
    let mut request_parts = vec![write::integer(CERT_REQ_ID), template];
    if let Some(old) = old {
        let cert_id = write::sequence(&[&write::explicit(4, &old.issuer), &old.serial]);
        request_parts.push(write::sequence(&[&write::sequence(&[
            &write::oid("1.3.6.1.5.5.7.5.1.5"),
            &cert_id,
        ])]));
    }
    let refs: Vec<&[u8]> = request_parts.iter().map(Vec::as_slice).collect();
    let request = write::sequence(&refs);
    let signature = signer.sign(&request)?;
    let popo = write::tlv(
        0xa1,
        &[signer.algorithm_identifier(), bit_string(&signature)].concat(),
    );
    Ok(write::sequence(&[&request, &popo]))
}

/// The contents of a DER element (its header dropped).
fn inner(der: &[u8]) -> &[u8] {
    crate::formats::der::Reader::new(der)
        .required("element")
        .map(|tlv| tlv.value)
        .unwrap_or(der)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enroll::sign::GostSigner;

    #[test]
    fn a_request_signed_by_a_gost_key_verifies_with_its_own_public_key() {
        use x509_parser::prelude::FromDer;
        for set in [
            ParamSet::CryptoProA,
            ParamSet::Tc26_256A,
            ParamSet::Tc26_512A,
        ] {
            let key = crate::crypto::gost::PrivateKey::generate(set).expect("key");
            let subject = super::super::name::Subject::parse("CN=Тест,SNILS=11223344595,C=RU")
                .expect("subject");
            let contents = RequestContents {
                subject: subject.der,
                public_key_info: gost_public_key_info(&key.public_key()),
                extensions: qualified_extensions(Family::Gost, 1_780_000_000),
            };
            let csr = certification_request(&contents, &GostSigner(&key)).expect("csr");
            let (rest, parsed) =
                x509_parser::certification_request::X509CertificationRequest::from_der(&csr)
                    .expect("x509-parser reads it");
            assert!(rest.is_empty());
            let extensions: Vec<String> = parsed
                .requested_extensions()
                .into_iter()
                .flatten()
                .map(|extension| format!("{extension:?}"))
                .collect();
            assert_eq!(extensions.len(), 4, "{extensions:?}");
            // The signature: Streebog of the info, verified with the key's own public key.
            let info = parsed.certification_request_info.raw;
            let digest = crate::crypto::gost::streebog_of_size(set.bits(), info);
            key.public_key()
                .verify_digest(&digest, &parsed.signature_value.data)
                .expect("signature verifies");
        }
    }

    #[test]
    fn the_private_key_usage_period_is_fifteen_months() {
        assert_eq!(generalized_time(0), "19700101000000Z");
        assert_eq!(generalized_time(1_780_000_000), "20260528202640Z");
        let extensions = qualified_extensions(Family::Gost, 1_780_000_000);
        let text = String::from_utf8_lossy(&extensions);
        assert!(text.contains("20260528202640Z"));
        assert!(text.contains("20270828202640Z"), "{text}");
        assert!(text.contains("certkeeper "));
    }
}
