//! Signed-then-encrypted documents: after decryption the content is a CMS SignedData (RFC 5652
//! section 5). Its encapsulated content is streamed out while it is hashed, then every signer is
//! checked: the message digest attribute against the content, and the signature over the signed
//! attributes with the signer's certificate (from the document, or from the archive).
//!
//! Signatures: GOST R 34.10-2012 (256, 512) and 2001, RSA PKCS#1 v1.5, ECDSA on P-256.

use std::io::{Read, Write};

use digest::Digest;

use super::CmsError;
use super::ber::{Ber, Segments};
use super::recipients::RecipientId;
use crate::cert::{Certificate, Name, format_time};
use crate::formats::der::{self, Reader, Tlv, tag};

/// The SignedData content type.
pub const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";

/// Whether a signature verifies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "reason")]
pub enum Verdict {
    /// The signature is valid for the content and the signer's key.
    Valid,
    /// The content or the signature does not match.
    Invalid(String),
    /// It could not be checked (no certificate of the signer, an algorithm certkeeper lacks).
    Unchecked(String),
}

/// One signer of a signed document.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Signer {
    /// The signer as the document names it.
    pub signer: String,
    /// The signer's certificate subject, when the certificate was found.
    pub subject: Option<String>,
    /// The signing time the signer states, when there is one.
    pub signing_time: Option<String>,
    /// Whether the signature verifies.
    pub verdict: Verdict,
}

/// Digests the signers may use.
enum Hasher {
    Sha1(sha1::Sha1),
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    /// Bulk content: certkeeper's own Streebog (`crypto::gost::streebog`), the faster one.
    Streebog(crate::crypto::gost::streebog::Streebog),
    Gost94(gost94::Gost94CryptoPro),
}

impl Hasher {
    fn new(oid: &str) -> Option<Self> {
        Some(match oid {
            "1.3.14.3.2.26" => Self::Sha1(Default::default()),
            "2.16.840.1.101.3.4.2.4" => Self::Sha224(Default::default()),
            "2.16.840.1.101.3.4.2.1" => Self::Sha256(Default::default()),
            "2.16.840.1.101.3.4.2.2" => Self::Sha384(Default::default()),
            "2.16.840.1.101.3.4.2.3" => Self::Sha512(Default::default()),
            "1.2.643.7.1.1.2.2" => Self::Streebog(crate::crypto::gost::streebog::Streebog::new(
                crate::crypto::gost::streebog::Size::Bits256,
            )),
            "1.2.643.7.1.1.2.3" => Self::Streebog(crate::crypto::gost::streebog::Streebog::new(
                crate::crypto::gost::streebog::Size::Bits512,
            )),
            "1.2.643.2.2.9" => Self::Gost94(Default::default()),
            _ => return None,
        })
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha1(h) => h.update(data),
            Self::Sha224(h) => h.update(data),
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
            Self::Streebog(h) => h.update(data),
            Self::Gost94(h) => h.update(data),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Self::Sha1(h) => h.finalize().to_vec(),
            Self::Sha224(h) => h.finalize().to_vec(),
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
            Self::Streebog(h) => h.finalize(),
            Self::Gost94(h) => h.finalize().to_vec(),
        }
    }

    /// The digest of `data` with the algorithm `oid`.
    fn digest(oid: &str, data: &[u8]) -> Option<Vec<u8>> {
        let mut hasher = Self::new(oid)?;
        hasher.update(data);
        Some(hasher.finish())
    }
}

fn malformed(reason: &'static str) -> CmsError {
    CmsError::Malformed { offset: 0, reason }
}

fn oid_of(tlv: Tlv<'_>) -> Result<String, CmsError> {
    der::oid_to_string(tlv.expect(tag::OID, "object identifier")?)
        .ok_or_else(|| malformed("broken object identifier"))
}

/// Whether `start` (the first bytes of a decrypted content) is a SignedData ContentInfo.
pub fn is_signed_data(start: &[u8]) -> bool {
    // SEQUENCE, a length, then OBJECT IDENTIFIER 1.2.840.113549.1.7.2.
    const OID: [u8; 11] = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    if start.first() != Some(&0x30) || start.len() < 2 {
        return false;
    }
    let skip = match start[1] {
        0x80 => 2,
        length if length < 0x80 => 2,
        length => 2 + usize::from(length & 0x7f),
    };
    start.get(skip..skip + OID.len()) == Some(&OID[..])
}

/// Streams the encapsulated content of the SignedData in `input` to `out`, then checks every
/// signer; `find` looks a signer's certificate up where the document does not carry it.
pub fn unwrap<R: Read>(
    input: R,
    out: &mut impl Write,
    find: &dyn Fn(&RecipientId) -> Option<Certificate>,
) -> Result<(u64, Vec<Signer>), CmsError> {
    let mut ber = Ber::new(input);
    let mut levels = Levels::default();
    levels.enter_content(&mut ber, SIGNED_DATA, "SignedData expected")?;
    let header = ber.expect(0x31, "digestAlgorithms expected")?;
    let algorithms = ber.element_der(header)?;
    let mut hashers: Vec<(String, Hasher)> = Vec::new();
    let set = Reader::new(&algorithms).required("digestAlgorithms")?;
    let mut items = set.children();
    while let Some(item) = items.next_tlv("DigestAlgorithmIdentifier")? {
        let oid = oid_of(item.children().required("algorithm")?)?;
        if let Some(hasher) = Hasher::new(&oid) {
            hashers.push((oid, hasher));
        }
    }
    let (written, mut header) = levels.encapsulated(&mut ber, &mut hashers, out)?;
    let mut certificates = Vec::new();
    if header.tag == 0xa0 {
        let all = ber.element_der(header)?;
        let set = Reader::new(&all).required("certificates")?;
        let mut items = set.children();
        while let Some(item) = items.next_tlv("certificate")? {
            if let Ok(certificate) = Certificate::from_der(item.raw) {
                certificates.push(certificate);
            }
        }
        header = ber.header()?;
    }
    if header.tag == 0xa1 {
        ber.element_der(header)?;
        header = ber.header()?;
    }
    if header.tag != 0x31 {
        return Err(malformed("signerInfos expected"));
    }
    let signer_infos = ber.element_der(header)?;
    levels.close(&mut ber)?;
    out.flush().map_err(CmsError::Write)?;
    let digests: Vec<(String, Vec<u8>)> = hashers
        .into_iter()
        .map(|(oid, hasher)| (oid, hasher.finish()))
        .collect();
    let set = Reader::new(&signer_infos).required("signerInfos")?;
    let mut items = set.children();
    let mut signers = Vec::new();
    while let Some(info) = items.next_tlv("SignerInfo")? {
        signers.push(check_signer(info, &digests, &certificates, find)?);
    }
    Ok((written, signers))
}

/// The levels of a signed or digested document opened with indefinite lengths, closed at its end.
#[derive(Default)]
struct Levels {
    open_indefinite: usize,
}

impl Levels {
    fn enter<R: Read>(
        &mut self,
        ber: &mut Ber<R>,
        tag: u8,
        what: &'static str,
    ) -> Result<(), CmsError> {
        if ber.expect(tag, what)?.len.is_none() {
            self.open_indefinite += 1;
        }
        Ok(())
    }

    /// A ContentInfo of `content_type` up to the inner structure's version (read): `what` names
    /// that structure.
    fn enter_content<R: Read>(
        &mut self,
        ber: &mut Ber<R>,
        content_type: &str,
        what: &'static str,
    ) -> Result<(), CmsError> {
        self.enter(ber, 0x30, "ContentInfo expected")?;
        let header = ber.expect(tag::OID, "content type expected")?;
        let found = oid_of(Reader::new(&ber.element_der(header)?).required("content type")?)?;
        if found != content_type {
            return Err(CmsError::NotEncrypted {
                content_type: found,
            });
        }
        self.enter(ber, 0xa0, what)?;
        self.enter(ber, 0x30, what)?;
        let header = ber.expect(tag::INTEGER, "version expected")?;
        ber.element_der(header)?;
        Ok(())
    }

    /// The encapContentInfo: its content streamed to `out` through `hashers`; its length and the
    /// header after it.
    fn encapsulated<R: Read>(
        &mut self,
        ber: &mut Ber<R>,
        hashers: &mut [(String, Hasher)],
        out: &mut impl Write,
    ) -> Result<(u64, crate::cms::ber::Header), CmsError> {
        self.enter(ber, 0x30, "encapContentInfo expected")?;
        let header = ber.expect(tag::OID, "eContentType expected")?;
        ber.element_der(header)?;
        let header = ber.header()?;
        let (written, mut header) = stream_content(ber, header, hashers, out)?;
        // End of encapContentInfo, when it had an indefinite length.
        if header.is_end_of_contents() {
            self.open_indefinite = self
                .open_indefinite
                .checked_sub(1)
                .ok_or_else(|| malformed("an end-of-contents marker where none is open"))?;
            header = ber.header()?;
        }
        Ok((written, header))
    }

    /// The end-of-contents markers of the levels still open.
    fn close<R: Read>(&mut self, ber: &mut Ber<R>) -> Result<(), CmsError> {
        for _ in 0..self.open_indefinite {
            ber.end_of_contents()?;
        }
        self.open_indefinite = 0;
        Ok(())
    }
}

/// Streams an eContent ([0] EXPLICIT OCTET STRING, constructed in BER; `header` is its first header)
/// to `out` through `hashers`; returns its length and the header that follows it.
fn stream_content<R: Read>(
    ber: &mut Ber<R>,
    header: crate::cms::ber::Header,
    hashers: &mut [(String, Hasher)],
    out: &mut impl Write,
) -> Result<(u64, crate::cms::ber::Header), CmsError> {
    if header.tag != 0xa0 {
        return Err(CmsError::Unsupported {
            what: "a signature whose content is kept elsewhere (detached)".to_owned(),
        });
    }
    let explicit_indefinite = header.len.is_none();
    let octets = ber.header()?;
    if octets.tag != 0x04 && octets.tag != 0x24 {
        return Err(malformed("the signed content is not an OCTET STRING"));
    }
    let mut segments = Segments::new(ber, octets)?;
    let mut buffer = vec![0u8; 1 << 16];
    let mut written = 0u64;
    loop {
        let read = segments.read(ber, &mut buffer)?;
        if read == 0 {
            break;
        }
        for (_, hasher) in hashers.iter_mut() {
            hasher.update(&buffer[..read]);
        }
        out.write_all(&buffer[..read]).map_err(CmsError::Write)?;
        written += read as u64;
    }
    if explicit_indefinite {
        ber.end_of_contents()?;
    }
    Ok((written, ber.header()?))
}

/// The DigestedData content type.
pub const DIGESTED_DATA: &str = "1.2.840.113549.1.7.5";

/// Streams the encapsulated content of the DigestedData in `input` to `out` and checks its digest
/// (GOST R 34.11-2012 and -94, SHA-1 and SHA-2): the content's length and the digest's name, or
/// [`CmsError::Corrupted`] when the digest does not match (the output is then not to be kept).
pub fn unwrap_digested<R: Read>(input: R, out: &mut impl Write) -> Result<(u64, String), CmsError> {
    let mut ber = Ber::new(input);
    let mut levels = Levels::default();
    levels.enter_content(&mut ber, DIGESTED_DATA, "DigestedData expected")?;
    let header = ber.expect(0x30, "digestAlgorithm expected")?;
    let algorithm = ber.element_der(header)?;
    let oid = oid_of(
        Reader::new(&algorithm)
            .required("digestAlgorithm")?
            .children()
            .required("algorithm")?,
    )?;
    let hasher = Hasher::new(&oid).ok_or_else(|| CmsError::Unsupported {
        what: format!("a digest of algorithm {oid}"),
    })?;
    let mut hashers = vec![(oid.clone(), hasher)];
    let (written, header) = levels.encapsulated(&mut ber, &mut hashers, out)?;
    if header.tag != tag::OCTET_STRING {
        return Err(malformed("the digest expected"));
    }
    let digest = ber.element_der(header)?;
    let digest = Reader::new(&digest)
        .required("digest")?
        .expect(tag::OCTET_STRING, "digest")?
        .to_vec();
    levels.close(&mut ber)?;
    out.flush().map_err(CmsError::Write)?;
    let computed = hashers
        .pop()
        .map(|(_, hasher)| hasher.finish())
        .unwrap_or_default();
    if computed != digest {
        return Err(CmsError::Corrupted {
            reason: "the digest does not match the content",
        });
    }
    Ok((written, digest_name(&oid)))
}

/// A name people know for a digest algorithm.
fn digest_name(oid: &str) -> String {
    match oid {
        "1.2.643.7.1.1.2.2" => "GOST R 34.11-2012 256 (Streebog)".to_owned(),
        "1.2.643.7.1.1.2.3" => "GOST R 34.11-2012 512 (Streebog)".to_owned(),
        "1.2.643.2.2.9" => "GOST R 34.11-94".to_owned(),
        "1.3.14.3.2.26" => "SHA-1".to_owned(),
        "2.16.840.1.101.3.4.2.1" => "SHA-256".to_owned(),
        "2.16.840.1.101.3.4.2.2" => "SHA-384".to_owned(),
        "2.16.840.1.101.3.4.2.3" => "SHA-512".to_owned(),
        other => other.to_owned(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02X}")).collect()
}

fn check_signer(
    info: Tlv<'_>,
    digests: &[(String, Vec<u8>)],
    certificates: &[Certificate],
    find: &dyn Fn(&RecipientId) -> Option<Certificate>,
) -> Result<Signer, CmsError> {
    let mut fields = info.children();
    fields.required("version")?;
    let sid = fields.required("sid")?;
    let id = match sid.tag {
        0x30 => {
            let mut parts = sid.children();
            let issuer = parts.required("issuer")?;
            let serial = parts.required("serial")?.expect(tag::INTEGER, "serial")?;
            RecipientId::IssuerSerial {
                issuer: Name::from_der(issuer.raw)
                    .map_err(|_| malformed("the signer's issuer name is broken"))?
                    .to_string(),
                serial: hex(serial),
            }
        }
        _ => RecipientId::SubjectKeyId(hex(sid.value)),
    };
    let digest_oid = oid_of(
        fields
            .required("digestAlgorithm")?
            .children()
            .required("algorithm")?,
    )?;
    let mut next = fields.required("signatureAlgorithm")?;
    let mut signed_attributes = None;
    if next.tag == 0xa0 {
        signed_attributes = Some(next);
        next = fields.required("signatureAlgorithm")?;
    }
    let signature_oid = oid_of(next.children().required("algorithm")?)?;
    let signature = fields
        .required("signature")?
        .expect(tag::OCTET_STRING, "signature")?;
    let certificate = certificates
        .iter()
        .find(|certificate| match &id {
            RecipientId::IssuerSerial { issuer, serial } => {
                certificate.issuer.to_string() == *issuer && certificate.serial == *serial
            }
            RecipientId::SubjectKeyId(key_id) => {
                certificate.subject_key_id.as_deref() == Some(key_id.as_str())
            }
        })
        .cloned()
        .or_else(|| find(&id));
    let mut signer = Signer {
        signer: id.to_string(),
        subject: certificate
            .as_ref()
            .map(|certificate| certificate.subject.to_string()),
        signing_time: None,
        verdict: Verdict::Unchecked(String::new()),
    };
    let Some(content_digest) = digests
        .iter()
        .find(|(oid, _)| *oid == digest_oid)
        .map(|(_, digest)| digest.clone())
    else {
        signer.verdict = Verdict::Unchecked(format!("digest algorithm {digest_oid}"));
        return Ok(signer);
    };
    // What the signature covers: the DER of the signed attributes as a SET, or the content digest.
    let signed_digest = match signed_attributes {
        Some(attributes) => {
            let mut stated = None;
            let set = attributes.children();
            let mut items = set;
            while let Some(attribute) = items.next_tlv("Attribute")? {
                let mut parts = attribute.children();
                let kind = oid_of(parts.required("attrType")?)?;
                let value = parts.required("attrValues")?.children().required("value")?;
                match kind.as_str() {
                    MESSAGE_DIGEST => {
                        stated = Some(value.expect(tag::OCTET_STRING, "messageDigest")?.to_vec())
                    }
                    SIGNING_TIME => {
                        signer.signing_time = signing_time(value);
                    }
                    _ => {}
                }
            }
            if stated.as_deref() != Some(&content_digest[..]) {
                signer.verdict = Verdict::Invalid(
                    "the content does not match what was signed (it was changed)".to_owned(),
                );
                return Ok(signer);
            }
            let mut reencoded = attributes.raw.to_vec();
            reencoded[0] = 0x31;
            Hasher::digest(&digest_oid, &reencoded).ok_or_else(|| malformed("digest"))?
        }
        None => content_digest,
    };
    let Some(certificate) = certificate else {
        signer.verdict = Verdict::Unchecked(
            "the signer's certificate is neither in the document nor in the archive".to_owned(),
        );
        return Ok(signer);
    };
    signer.verdict = verify(
        &certificate,
        &signature_oid,
        &digest_oid,
        &signed_digest,
        signature,
    );
    Ok(signer)
}

fn signing_time(value: Tlv<'_>) -> Option<String> {
    let text = std::str::from_utf8(value.value).ok()?;
    let full = match value.tag {
        // UTCTime YYMMDDHHMMSSZ: 50–99 are 19xx.
        0x17 => {
            let year: u32 = text.get(..2)?.parse().ok()?;
            format!("{}{text}", if year >= 50 { "19" } else { "20" })
        }
        _ => text.to_owned(),
    };
    crate::cert::generalized_time_to_unix(&full).map(format_time)
}

fn verify(
    certificate: &Certificate,
    signature_oid: &str,
    digest_oid: &str,
    digest: &[u8],
    signature: &[u8],
) -> Verdict {
    let result: Result<(), String> = match signature_oid {
        "1.2.643.7.1.1.1.1" | "1.2.643.7.1.1.1.2" | "1.2.643.2.2.19" | "1.2.643.7.1.1.3.2"
        | "1.2.643.7.1.1.3.3" | "1.2.643.2.2.3" => match certificate.gost_public_key() {
            Some(public) => public
                .verify_digest(digest, signature)
                .map_err(|_| "the signature does not match".to_owned()),
            None => Err("the signer's certificate holds no GOST key".to_owned()),
        },
        "1.2.840.113549.1.1.1"
        | "1.2.840.113549.1.1.5"
        | "1.2.840.113549.1.1.11"
        | "1.2.840.113549.1.1.12"
        | "1.2.840.113549.1.1.13" => verify_rsa(certificate, digest_oid, digest, signature),
        "1.2.840.10045.4.3.2"
        | "1.2.840.10045.4.3.3"
        | "1.2.840.10045.4.3.4"
        | "1.2.840.10045.2.1" => verify_ecdsa(certificate, digest, signature),
        other => return Verdict::Unchecked(format!("signature algorithm {other}")),
    };
    match result {
        Ok(()) => Verdict::Valid,
        Err(reason) => Verdict::Invalid(reason),
    }
}

fn verify_rsa(
    certificate: &Certificate,
    digest_oid: &str,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    use rsa::pkcs8::DecodePublicKey;
    let spki = certificate
        .subject_public_key_info()
        .ok_or("the signer's certificate is unreadable")?;
    let public = rsa::PublicKey::from_public_key_der(&spki)
        .map_err(|_| "the signer's certificate holds no RSA key".to_owned())?;
    let scheme = match digest_oid {
        "1.3.14.3.2.26" => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
        "2.16.840.1.101.3.4.2.4" => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
        "2.16.840.1.101.3.4.2.2" => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        "2.16.840.1.101.3.4.2.3" => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        _ => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
    };
    public
        .verify(scheme, digest, signature)
        .map_err(|_| "the signature does not match".to_owned())
}

fn verify_ecdsa(certificate: &Certificate, digest: &[u8], signature: &[u8]) -> Result<(), String> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let point = certificate
        .public_key_material()
        .filter(|material| material.family == "ec")
        .ok_or("the signer's certificate holds no EC key")?;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point.bytes)
        .map_err(|_| "the signer's key is not on P-256".to_owned())?;
    let signature = p256::ecdsa::Signature::from_der(signature)
        .map_err(|_| "the signature is malformed".to_owned())?;
    key.verify_prehash(digest, &signature)
        .map_err(|_| "the signature does not match".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::der::write;

    /// An end-of-contents marker after a definite-length encapContentInfo (found by fuzzing): a
    /// typed error for signed and digested documents, never an arithmetic overflow.
    #[test]
    fn a_stray_end_of_contents_marker_is_a_typed_error() {
        let content = write::sequence(&[
            &write::oid("1.2.840.113549.1.7.1"),
            &write::explicit(0, &write::octets(b"x")),
        ]);
        let signed = write::sequence(&[
            &write::oid(SIGNED_DATA),
            &write::explicit(
                0,
                &write::sequence(&[
                    &write::integer(1),
                    &write::set(&[]),
                    &content,
                    &[0x00, 0x00],
                    &write::set(&[]),
                ]),
            ),
        ]);
        assert!(unwrap(&signed[..], &mut std::io::sink(), &|_| None).is_err());
        let digested = write::sequence(&[
            &write::oid(DIGESTED_DATA),
            &write::explicit(
                0,
                &write::sequence(&[
                    &write::integer(0),
                    &write::sequence(&[&write::oid("1.2.643.7.1.1.2.2")]),
                    &content,
                    &[0x00, 0x00],
                    &write::octets(&[0; 32]),
                ]),
            ),
        ]);
        assert!(unwrap_digested(&digested[..], &mut std::io::sink()).is_err());
    }
}
