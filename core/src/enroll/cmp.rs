//! CMP messages (RFC 4210, profiled by RFC 9483): what certkeeper sends — `ir`, `cr`, `kur` (CRMF,
//! RFC 4211), `p10cr`, `pollReq`, `certConf` — and what it reads back — `ip`/`cp`/`kup`, `pollRep`,
//! `pkiconf`, `error`. The first request is protected with the CA's one-time code as CMP's
//! password-based MAC (RFC 4211 4.4: salted SHA-256 iterated, HMAC-SHA-256), the code's reference as
//! senderKID; a key update is signed with the key it replaces. Every response is read strictly: its
//! transaction id and recipient nonce must be ours, and a MAC-protected one must verify.
//!
//! The few types needed are encoded here by hand over [`crate::formats::der`]: the published `cmpv2`
//! crate encodes `pollReq`/`pollRep` unlike OpenSSL and other CAs (a SEQUENCE OF SEQUENCE).

use digest::Digest;
use hmac::{KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::sign::{SignError, Signer, bit_string};
use crate::formats::der::{Reader, Tlv, oid_to_string, write};

/// How many times the password-based MAC's one-way function runs (RFC 4211 4.4; OpenSSL takes
/// 100 to 100,000).
const PBM_ITERATIONS: u64 = 10_000;
/// The largest response certkeeper reads.
pub const MAX_RESPONSE: usize = 4 << 20;

/// What went wrong talking CMP, for the catalogue to explain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmpError {
    /// The CA did not take the one-time code (and reference): wrong, expired or used.
    #[error("the CA did not accept the one-time code: {text}")]
    WrongCode {
        /// What the CA said.
        text: String,
    },
    /// The CA answered with an error.
    #[error("the CA refused: {text}")]
    Refused {
        /// What the CA said, in its words, with the failure reasons named.
        text: String,
    },
    /// The answer is not CMP, or not an answer to this request.
    #[error("the CA's answer is not understood: {reason}")]
    BadResponse {
        /// Why.
        reason: String,
    },
    /// The answer's MAC does not verify: it was changed on the way or does not come from the CA.
    #[error("the CA's answer is not protected by the one-time code")]
    BadProtection,
    /// The CA could not be reached.
    #[error("cannot reach the CA at {url}: {reason}")]
    Unreachable {
        /// Where.
        url: String,
        /// Why.
        reason: String,
    },
    /// The CA's HTTP server refused the request.
    #[error("the CA at {url} answered HTTP {status}")]
    Http {
        /// Where.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// Signing the request failed.
    #[error("{0}")]
    Sign(#[from] SignError),
}

fn bad(reason: impl Into<String>) -> CmpError {
    CmpError::BadResponse {
        reason: reason.into(),
    }
}

/// How a request is protected.
pub enum Protection<'a> {
    /// The password-based MAC from the CA's reference and one-time code.
    Mac {
        /// The reference (senderKID).
        reference: &'a [u8],
        /// The one-time code.
        secret: &'a SecretString,
    },
    /// Signed by the key of `certificate` (a key update: the current certificate's key).
    Signature {
        /// The signing key.
        signer: &'a dyn Signer,
        /// Its certificate, DER (sent in extraCerts).
        certificate: &'a [u8],
        /// Its subject, DER (the sender).
        subject: &'a [u8],
        /// Its subject key identifier, sent as senderKID so the CA finds the certificate
        /// (RFC 9483 3.1).
        key_id: Option<&'a [u8]>,
    },
}

/// A request's body.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    /// Initialization request: CertReqMessages with one CertReqMsg (DER).
    Ir(&'a [u8]),
    /// Certification request.
    Cr(&'a [u8]),
    /// Key update request.
    Kur(&'a [u8]),
    /// A PKCS#10 request (DER).
    P10cr(&'a [u8]),
    /// Asks whether the certificate is ready.
    PollReq {
        /// The request's certReqId (-1 after a p10cr, RFC 9480 2.11).
        cert_req_id: i64,
    },
    /// Confirms the certificate received.
    CertConf {
        /// Its hash (the hash of its signature algorithm).
        hash: &'a [u8],
        /// The request's certReqId (-1 after a p10cr).
        cert_req_id: i64,
    },
}

impl Body<'_> {
    fn encode(&self) -> Vec<u8> {
        let messages = |msg: &[u8]| write::sequence(&[msg]);
        match self {
            Self::Ir(msg) => write::explicit(0, &messages(msg)),
            Self::Cr(msg) => write::explicit(2, &messages(msg)),
            Self::Kur(msg) => write::explicit(7, &messages(msg)),
            Self::P10cr(csr) => write::explicit(4, csr),
            // Tag numbers up to 30 take one byte: [25] is 0xB9 (X.690 8.1.2.2).
            Self::PollReq { cert_req_id } => write::explicit(
                25,
                &write::sequence(&[&write::sequence(&[&signed_integer(*cert_req_id)])]),
            ),
            Self::CertConf { hash, cert_req_id } => write::explicit(
                24,
                &write::sequence(&[&write::sequence(&[
                    &write::octets(hash),
                    &signed_integer(*cert_req_id),
                    // PKIStatusInfo { accepted }
                    &write::sequence(&[&write::integer(0)]),
                ])]),
            ),
        }
    }
}

/// A DER INTEGER of a signed number (two's complement, as few octets as it takes).
fn signed_integer(value: i64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let mut start = 0;
    while start < 7
        && ((bytes[start] == 0x00 && bytes[start + 1] & 0x80 == 0)
            || (bytes[start] == 0xff && bytes[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    write::tlv(0x02, &bytes[start..])
}

/// Reads the PKIBody: its tag number, contents and whole length.
fn read_body_tag(data: &[u8]) -> Result<(u8, &[u8], usize), CmpError> {
    let tlv = Reader::new(data)
        .required("PKIBody")
        .map_err(|error| bad(error.to_string()))?;
    if tlv.tag & 0xe0 != 0xa0 {
        return Err(bad("the body is not a tagged PKIBody"));
    }
    Ok((tlv.tag & 0x1f, tlv.value, tlv.raw.len()))
}

/// The state of one CMP transaction kept between messages (and in the archive between runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// transactionID, random, the same in every message of the transaction.
    pub id: Vec<u8>,
    /// Our senderNonce in the last message sent.
    pub our_nonce: Vec<u8>,
    /// The CA's senderNonce in its last answer (our next recipNonce).
    pub their_nonce: Option<Vec<u8>>,
}

fn random(len: usize) -> Result<Vec<u8>, CmpError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|error| {
        CmpError::Sign(SignError::Crypto(crate::error::CryptoError::Random(
            error.to_string(),
        )))
    })?;
    Ok(bytes)
}

impl Transaction {
    /// A new transaction with a fresh random id.
    pub fn start() -> Result<Self, CmpError> {
        Ok(Self {
            id: random(16)?,
            our_nonce: Vec::new(),
            their_nonce: None,
        })
    }
}

/// The NULL-DN as a GeneralName (directoryName with no RDNs).
fn null_dn() -> Vec<u8> {
    write::explicit(4, &write::sequence(&[]))
}

/// PBMParameter's one-way function (RFC 4211 4.4): the hashes CAs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owf {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    Streebog256,
    Streebog512,
}

impl Owf {
    fn from_oid(oid: &str) -> Option<Self> {
        Some(match oid {
            "1.3.14.3.2.26" => Self::Sha1,
            SHA256_OID => Self::Sha256,
            "2.16.840.1.101.3.4.2.2" => Self::Sha384,
            "2.16.840.1.101.3.4.2.3" => Self::Sha512,
            "1.2.643.7.1.1.2.2" => Self::Streebog256,
            "1.2.643.7.1.1.2.3" => Self::Streebog512,
            _ => return None,
        })
    }

    fn digest(self, data: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(data: &[&[u8]]) -> Vec<u8> {
            let mut hash = D::new();
            for part in data {
                hash.update(part);
            }
            hash.finalize().to_vec()
        }
        match self {
            Self::Sha1 => run::<sha1::Sha1>(data),
            Self::Sha256 => run::<sha2::Sha256>(data),
            Self::Sha384 => run::<sha2::Sha384>(data),
            Self::Sha512 => run::<sha2::Sha512>(data),
            Self::Streebog256 => run::<streebog::Streebog256>(data),
            Self::Streebog512 => run::<streebog::Streebog512>(data),
        }
    }
}

/// PBMParameter's MAC (RFC 4211 4.4, RFC 8018 B.1, R 50.1.113-2016 for HMAC-Streebog).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MacAlgorithm {
    HmacSha1,
    HmacSha256,
    HmacSha384,
    HmacSha512,
    HmacStreebog256,
    HmacStreebog512,
}

impl MacAlgorithm {
    fn from_oid(oid: &str) -> Option<Self> {
        Some(match oid {
            // hmac-sha1 (OpenSSL's default for CMP) and hmacWithSHA1.
            "1.3.6.1.5.5.8.1.2" | "1.2.840.113549.2.7" => Self::HmacSha1,
            HMAC_SHA256_OID => Self::HmacSha256,
            "1.2.840.113549.2.10" => Self::HmacSha384,
            "1.2.840.113549.2.11" => Self::HmacSha512,
            "1.2.643.7.1.1.4.1" => Self::HmacStreebog256,
            "1.2.643.7.1.1.4.2" => Self::HmacStreebog512,
            _ => return None,
        })
    }

    /// The MAC of `data` (None only if the key were refused, which HMAC never does).
    fn mac(self, key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        fn run<M: KeyInit + Mac>(key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
            let mut mac = <M as KeyInit>::new_from_slice(key).ok()?;
            mac.update(data);
            Some(mac.finalize().into_bytes().to_vec())
        }
        match self {
            Self::HmacSha1 => run::<hmac::Hmac<sha1::Sha1>>(key, data),
            Self::HmacSha256 => run::<hmac::Hmac<sha2::Sha256>>(key, data),
            Self::HmacSha384 => run::<hmac::Hmac<sha2::Sha384>>(key, data),
            Self::HmacSha512 => run::<hmac::Hmac<sha2::Sha512>>(key, data),
            Self::HmacStreebog256 => run::<crate::crypto::gost::kdf::HmacStreebog256>(key, data),
            Self::HmacStreebog512 => run::<crate::crypto::gost::kdf::HmacStreebog512>(key, data),
        }
    }
}

/// The password-based MAC's key: the one-way function over secret ‖ salt, then over its own output,
/// `iterations` times in all (RFC 4211 4.4).
fn pbm_key(owf: Owf, secret: &[u8], salt: &[u8], iterations: u64) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(owf.digest(&[secret, salt]));
    for _ in 1..iterations {
        *key = owf.digest(&[&key]);
    }
    key
}

const PBM_OID: &str = "1.2.840.113533.7.66.13";
const SHA256_OID: &str = "2.16.840.1.101.3.4.2.1";
const HMAC_SHA256_OID: &str = "1.2.840.113549.2.9";

/// Encodes a request, its header built from `transaction` (a fresh senderNonce is drawn and kept
/// in it), protected as `protection` says. `sender` is the request's subject (DER Name).
pub fn encode(
    body: &Body<'_>,
    transaction: &mut Transaction,
    sender: &[u8],
    protection: &Protection<'_>,
    now: i64,
) -> Result<Vec<u8>, CmpError> {
    transaction.our_nonce = random(16)?;
    let time = write::tlv(0x18, super::pkcs10::generalized_time(now).as_bytes());
    let (protection_algorithm, sender_kid, sender_name) = match protection {
        Protection::Mac { reference, .. } => {
            let salt = random(16)?;
            let parameters = write::sequence(&[
                &write::octets(&salt),
                &write::sequence(&[&write::oid(SHA256_OID)]),
                &write::integer(PBM_ITERATIONS),
                &write::sequence(&[&write::oid(HMAC_SHA256_OID)]),
            ]);
            (
                write::sequence(&[&write::oid(PBM_OID), &parameters]),
                Some(reference.to_vec()),
                write::explicit(4, sender),
            )
        }
        Protection::Signature {
            signer,
            subject,
            key_id,
            ..
        } => (
            signer.algorithm_identifier(),
            key_id.map(<[u8]>::to_vec),
            write::explicit(4, subject),
        ),
    };
    let mut fields = vec![
        write::integer(2),
        sender_name,
        null_dn(),
        write::explicit(0, &time),
        write::explicit(1, &protection_algorithm),
    ];
    if let Some(kid) = sender_kid {
        fields.push(write::explicit(2, &write::octets(&kid)));
    }
    fields.push(write::explicit(4, &write::octets(&transaction.id)));
    fields.push(write::explicit(5, &write::octets(&transaction.our_nonce)));
    if let Some(theirs) = &transaction.their_nonce {
        fields.push(write::explicit(6, &write::octets(theirs)));
    }
    let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
    let header = write::sequence(&refs);
    let body = body.encode();
    let protected_part = write::sequence(&[&header, &body]);
    let (protection_value, extra_certs) = match protection {
        Protection::Mac { secret, .. } => {
            let parameters = pbm_parameters(&protection_algorithm).ok_or_else(|| bad("own PBM"))?;
            let key = pbm_key(
                parameters.owf,
                secret.expose_secret().as_bytes(),
                &parameters.salt,
                parameters.iterations,
            );
            let mac = parameters
                .mac
                .mac(&key, &protected_part)
                .ok_or_else(|| bad("own PBM"))?;
            (mac, None)
        }
        Protection::Signature {
            signer,
            certificate,
            ..
        } => (
            signer.sign(&protected_part)?,
            Some(write::explicit(1, &write::sequence(&[certificate]))),
        ),
    };
    let mut message = vec![
        header,
        body,
        write::explicit(0, &bit_string(&protection_value)),
    ];
    message.extend(extra_certs);
    let refs: Vec<&[u8]> = message.iter().map(Vec::as_slice).collect();
    Ok(write::sequence(&refs))
}

/// A PBMParameter certkeeper can compute.
struct PbmParameters {
    salt: Vec<u8>,
    owf: Owf,
    iterations: u64,
    mac: MacAlgorithm,
}

/// The parameters of a PBM protectionAlg, when its one-way function and MAC are known.
fn pbm_parameters(algorithm: &[u8]) -> Option<PbmParameters> {
    let outer = Reader::new(algorithm).required("protectionAlg").ok()?;
    let mut parts = outer.children();
    let oid = parts.required("algorithm").ok()?.expect(0x06, "oid").ok()?;
    if oid_to_string(oid).as_deref() != Some(PBM_OID) {
        return None;
    }
    let parameters = parts.required("PBMParameter").ok()?;
    let mut fields = parameters.children();
    let salt = fields.required("salt").ok()?.expect(0x04, "salt").ok()?;
    let owf = fields.required("owf").ok()?;
    let count = fields
        .required("iterationCount")
        .ok()?
        .expect(0x02, "count")
        .ok()?;
    let mac = fields.required("mac").ok()?;
    let first_oid = |tlv: Tlv<'_>| {
        tlv.children()
            .required("oid")
            .ok()
            .and_then(|oid| oid_to_string(oid.value))
    };
    if count.len() > 4 {
        return None;
    }
    let iterations = count
        .iter()
        .fold(0u64, |value, byte| value << 8 | u64::from(*byte));
    // A CA asking more work than OpenSSL allows is not followed.
    if !(1..=100_000).contains(&iterations) {
        return None;
    }
    Some(PbmParameters {
        salt: salt.to_vec(),
        owf: Owf::from_oid(&first_oid(owf)?)?,
        iterations,
        mac: MacAlgorithm::from_oid(&first_oid(mac)?)?,
    })
}

/// PKIStatus values (RFC 4210 5.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// accepted (0) or grantedWithMods (1).
    Accepted,
    /// rejection (2).
    Rejected,
    /// waiting (3).
    Waiting,
    /// Any other (revocation warnings).
    Other(u64),
}

/// The names of PKIFailureInfo bits (RFC 4210 5.2.3, RFC 9480).
const FAILURES: [&str; 27] = [
    "badAlg",
    "badMessageCheck",
    "badRequest",
    "badTime",
    "badCertId",
    "badDataFormat",
    "wrongAuthority",
    "incorrectData",
    "missingTimeStamp",
    "badPOP",
    "certRevoked",
    "certConfirmed",
    "wrongIntegrity",
    "badRecipientNonce",
    "timeNotAvailable",
    "unacceptedPolicy",
    "unacceptedExtension",
    "addInfoNotAvailable",
    "badSenderNonce",
    "badCertTemplate",
    "signerNotTrusted",
    "transactionIdInUse",
    "unsupportedVersion",
    "notAuthorized",
    "systemUnavail",
    "systemFailure",
    "duplicateCertReq",
];

/// A PKIStatusInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusInfo {
    /// The status.
    pub status: Status,
    /// The CA's words (statusString).
    pub text: Vec<String>,
    /// The failure reasons named (failInfo).
    pub failures: Vec<&'static str>,
}

impl StatusInfo {
    /// The CA's words and the failure reasons, for a person.
    pub fn describe(&self) -> String {
        let mut parts = self.text.clone();
        if !self.failures.is_empty() {
            parts.push(format!("({})", self.failures.join(", ")));
        }
        if parts.is_empty() {
            parts.push(format!("status {:?}", self.status));
        }
        crate::text::printable(&parts.join(" ")).into_owned()
    }

    /// Whether the CA says the MAC, or the sender behind it, is not accepted: a wrong, expired or
    /// used one-time code.
    fn is_wrong_code(&self) -> bool {
        self.failures.iter().any(|name| {
            matches!(
                *name,
                "badMessageCheck" | "wrongIntegrity" | "notAuthorized"
            )
        })
    }
}

fn read_free_text(tlv: Tlv<'_>) -> Vec<String> {
    let mut texts = Vec::new();
    let mut items = tlv.children();
    while let Ok(Some(item)) = items.next_tlv("PKIFreeText") {
        texts.push(String::from_utf8_lossy(item.value).into_owned());
    }
    texts
}

fn read_integer(tlv: Tlv<'_>) -> Result<u64, CmpError> {
    let value = tlv
        .expect(0x02, "INTEGER")
        .map_err(|error| bad(error.to_string()))?;
    if value.len() > 8 || value.first().is_some_and(|byte| byte & 0x80 != 0) {
        return Err(bad("an INTEGER out of range"));
    }
    Ok(value
        .iter()
        .fold(0u64, |acc, byte| acc << 8 | u64::from(*byte)))
}

fn read_status(tlv: Tlv<'_>) -> Result<StatusInfo, CmpError> {
    let mut fields = tlv.children();
    let status = match read_integer(
        fields
            .required("PKIStatus")
            .map_err(|e| bad(e.to_string()))?,
    )? {
        0 | 1 => Status::Accepted,
        2 => Status::Rejected,
        3 => Status::Waiting,
        other => Status::Other(other),
    };
    let mut info = StatusInfo {
        status,
        text: Vec::new(),
        failures: Vec::new(),
    };
    while let Some(field) = fields
        .next_tlv("PKIStatusInfo")
        .map_err(|e| bad(e.to_string()))?
    {
        match field.tag {
            0x30 => info.text = read_free_text(field),
            0x03 => {
                if let Some((_, bits)) = field.value.split_first() {
                    for (at, name) in FAILURES.iter().enumerate() {
                        if bits
                            .get(at / 8)
                            .is_some_and(|byte| byte & (0x80 >> (at % 8)) != 0)
                        {
                            info.failures.push(name);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

/// What the CA answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// ip, cp or kup.
    Certificates {
        /// The status of the request.
        status: StatusInfo,
        /// The certificate, when issued.
        certificate: Option<Vec<u8>>,
        /// caPubs and extraCerts: the CA's certificates, for the chain.
        chain: Vec<Vec<u8>>,
    },
    /// Not ready yet: ask again after this many seconds.
    Poll {
        /// checkAfter.
        check_after: u64,
        /// The CA's words, if any.
        reason: Vec<String>,
    },
    /// pkiconf: the confirmation is taken.
    Confirmed,
    /// An error message.
    Error(StatusInfo),
}

/// A decoded answer, checked against the transaction.
#[derive(Debug)]
pub struct Response {
    /// What it says.
    pub answer: Answer,
    /// Its senderNonce (our next recipNonce).
    pub sender_nonce: Option<Vec<u8>>,
}

/// Reads the CA's answer to the last message of `transaction`. `secret` is the one-time code when
/// the request was MAC-protected: a MAC-protected answer must verify with it (an error that does not
/// is reported as a wrong code when it says so).
pub fn decode(
    message: &[u8],
    transaction: &Transaction,
    secret: Option<&SecretString>,
) -> Result<Response, CmpError> {
    let der = |error: crate::error::FormatError| bad(error.to_string());
    let outer = Reader::new(message).required("PKIMessage").map_err(der)?;
    if outer.tag != 0x30 || outer.raw.len() != message.len() {
        return Err(bad("not a PKIMessage"));
    }
    let content = outer.value;
    let header = Reader::new(content).required("PKIHeader").map_err(der)?;
    let rest = &content[header.raw.len()..];
    let (number, body, body_len) = read_body_tag(rest)?;
    let body_raw = &rest[..body_len];
    let mut trailer = Reader::new(&rest[body_len..]);
    let mut protection = None;
    let mut extra_certs = Vec::new();
    while let Some(field) = trailer.next_tlv("PKIMessage").map_err(der)? {
        match field.tag {
            0xa0 => {
                let bits = field.children().required("protection").map_err(der)?;
                protection = bits.value.split_first().map(|(_, value)| value.to_vec());
            }
            0xa1 => {
                let mut certificates = field
                    .children()
                    .required("extraCerts")
                    .map_err(der)?
                    .children();
                while let Some(certificate) = certificates.next_tlv("extraCerts").map_err(der)? {
                    extra_certs.push(certificate.raw.to_vec());
                }
            }
            _ => {}
        }
    }

    // The header: ours?
    let mut fields = header.children();
    let _pvno = fields.required("pvno").map_err(der)?;
    let _sender = fields.required("sender").map_err(der)?;
    let _recipient = fields.required("recipient").map_err(der)?;
    let (mut algorithm, mut transaction_id, mut sender_nonce, mut recip_nonce) =
        (None, None, None, None);
    while let Some(field) = fields.next_tlv("PKIHeader").map_err(der)? {
        let inner = || field.children().required("PKIHeader field");
        match field.tag {
            0xa1 => algorithm = Some(inner().map_err(der)?.raw.to_vec()),
            0xa4 => transaction_id = Some(inner().map_err(der)?.value.to_vec()),
            0xa5 => sender_nonce = Some(inner().map_err(der)?.value.to_vec()),
            0xa6 => recip_nonce = Some(inner().map_err(der)?.value.to_vec()),
            _ => {}
        }
    }

    let answer = read_body(number, body, &extra_certs)?;
    // A MAC-protected answer must verify with the code; without one, a CA's signature is taken as
    // it is (the certificate itself is checked against the request's key before it is installed).
    let verified = match (algorithm.as_deref().and_then(pbm_parameters), secret) {
        (Some(parameters), Some(secret)) => {
            let key = pbm_key(
                parameters.owf,
                secret.expose_secret().as_bytes(),
                &parameters.salt,
                parameters.iterations,
            );
            let protected_part = write::sequence(&[header.raw, body_raw]);
            let expected = parameters
                .mac
                .mac(&key, &protected_part)
                .unwrap_or_default();
            let given = protection.as_deref().unwrap_or_default();
            Some(
                !expected.is_empty()
                    && given.len() == expected.len()
                    && subtle_eq(given, &expected) == 1,
            )
        }
        _ => None,
    };
    if let Answer::Error(status) = &answer {
        // An error is shown even unverified: nothing is taken from it but words.
        if status.is_wrong_code() || verified == Some(false) {
            return Err(CmpError::WrongCode {
                text: status.describe(),
            });
        }
        return Err(CmpError::Refused {
            text: status.describe(),
        });
    }
    if verified == Some(false) {
        return Err(CmpError::BadProtection);
    }
    if transaction_id.as_deref() != Some(transaction.id.as_slice()) {
        return Err(bad("the answer belongs to another transaction"));
    }
    if recip_nonce.as_deref() != Some(transaction.our_nonce.as_slice()) {
        return Err(bad(
            "the answer's recipNonce is not our last nonce (a replayed answer)",
        ));
    }
    Ok(Response {
        answer,
        sender_nonce,
    })
}

/// Constant-time comparison of two equal-length byte strings.
fn subtle_eq(a: &[u8], b: &[u8]) -> u8 {
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    u8::from(difference == 0)
}

fn read_body(number: u8, body: &[u8], extra_certs: &[Vec<u8>]) -> Result<Answer, CmpError> {
    let der = |error: crate::error::FormatError| bad(error.to_string());
    let content = Reader::new(body).required("PKIBody").map_err(der)?;
    match number {
        // ip, cp, kup: CertRepMessage.
        1 | 3 | 8 => {
            let mut fields = content.children();
            let mut chain = Vec::new();
            let mut first = fields.required("CertRepMessage").map_err(der)?;
            if first.tag == 0xa1 {
                let mut pubs = first.children().required("caPubs").map_err(der)?.children();
                while let Some(certificate) = pubs.next_tlv("caPubs").map_err(der)? {
                    chain.push(certificate.raw.to_vec());
                }
                first = fields.required("response").map_err(der)?;
            }
            chain.extend(extra_certs.iter().cloned());
            let response = first.children().required("CertResponse").map_err(der)?;
            let mut parts = response.children();
            let _cert_req_id = parts.required("certReqId").map_err(der)?;
            let status = read_status(parts.required("status").map_err(der)?)?;
            let mut certificate = None;
            if let Some(pair) = parts.next_tlv("CertResponse").map_err(der)?
                && pair.tag == 0x30
            {
                let choice = pair.children().required("certOrEncCert").map_err(der)?;
                if choice.tag == 0xa0 {
                    certificate = Some(
                        choice
                            .children()
                            .required("certificate")
                            .map_err(der)?
                            .raw
                            .to_vec(),
                    );
                } else {
                    return Err(bad(
                        "the CA sent the certificate encrypted (certkeeper asks for it in the clear)",
                    ));
                }
            }
            Ok(Answer::Certificates {
                status,
                certificate,
                chain,
            })
        }
        // pollRep.
        26 => {
            let entry = content.children().required("PollRepContent").map_err(der)?;
            let mut parts = entry.children();
            let _cert_req_id = parts.required("certReqId").map_err(der)?;
            let check_after = read_integer(parts.required("checkAfter").map_err(der)?)?;
            let reason = match parts.next_tlv("pollRep").map_err(der)? {
                Some(text) => read_free_text(text),
                None => Vec::new(),
            };
            Ok(Answer::Poll {
                check_after,
                reason,
            })
        }
        // pkiconf.
        19 => Ok(Answer::Confirmed),
        // error.
        23 => {
            let status = read_status(content.children().required("PKIStatusInfo").map_err(der)?)?;
            let mut status = status;
            let mut rest = content.children();
            let _ = rest.required("PKIStatusInfo");
            while let Some(field) = rest.next_tlv("ErrorMsgContent").map_err(der)? {
                if field.tag == 0x30 {
                    status.text.extend(read_free_text(field));
                }
            }
            Ok(Answer::Error(status))
        }
        other => Err(bad(format!(
            "an answer of type [{other}] to a certificate request"
        ))),
    }
}

/// The hash certConf carries: the certificate's DER under the hash of its own signature algorithm
/// (RFC 4210 5.3.18): Streebog for GOST R 34.10-2012, GOST R 34.11-94 for 2001, SHA-2 for RSA and
/// ECDSA.
pub fn certificate_hash(certificate: &[u8]) -> Result<Vec<u8>, CmpError> {
    use x509_parser::prelude::FromDer;
    let (_, parsed) = x509_parser::certificate::X509Certificate::from_der(certificate)
        .map_err(|_| bad("the certificate the CA sent does not read"))?;
    let oid = parsed.signature_algorithm.algorithm.to_id_string();
    Ok(match oid.as_str() {
        "1.2.643.7.1.1.3.2" => streebog::Streebog256::digest(certificate).to_vec(),
        "1.2.643.7.1.1.3.3" => streebog::Streebog512::digest(certificate).to_vec(),
        "1.2.643.2.2.3" => gost94::Gost94CryptoPro::digest(certificate).to_vec(),
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => {
            sha2::Sha384::digest(certificate).to_vec()
        }
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => {
            sha2::Sha512::digest(certificate).to_vec()
        }
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" => sha1::Sha1::digest(certificate).to_vec(),
        _ => sha2::Sha256::digest(certificate).to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CA's answer, made the way a CA makes it (MAC-protected with the same code).
    fn answer(body: &[u8], transaction: &Transaction, secret: &str, tamper: bool) -> Vec<u8> {
        let salt = b"0123456789abcdef";
        let algorithm = write::sequence(&[
            &write::oid(PBM_OID),
            &write::sequence(&[
                &write::octets(salt),
                &write::sequence(&[&write::oid(SHA256_OID)]),
                &write::integer(500),
                // OpenSSL's default MAC for CMP.
                &write::sequence(&[&write::oid("1.3.6.1.5.5.8.1.2")]),
            ]),
        ]);
        let header = write::sequence(&[
            &write::integer(2),
            &null_dn(),
            &null_dn(),
            &write::explicit(1, &algorithm),
            &write::explicit(4, &write::octets(&transaction.id)),
            &write::explicit(5, &write::octets(b"their nonce 0001")),
            &write::explicit(6, &write::octets(&transaction.our_nonce)),
        ]);
        let key = pbm_key(Owf::Sha256, secret.as_bytes(), salt, 500);
        let mut mac = MacAlgorithm::HmacSha1
            .mac(&key, &write::sequence(&[&header, body]))
            .expect("HMAC takes any key");
        if tamper {
            mac[0] ^= 1;
        }
        write::sequence(&[&header, body, &write::explicit(0, &bit_string(&mac))])
    }

    #[test]
    fn answers_are_read_and_checked_against_the_transaction() {
        let secret = SecretString::from("SECRET".to_owned());
        let mut transaction = Transaction::start().expect("transaction");
        let request = encode(
            &Body::PollReq { cert_req_id: 0 },
            &mut transaction,
            &write::sequence(&[]),
            &Protection::Mac {
                reference: b"1234",
                secret: &secret,
            },
            1_780_000_000,
        )
        .expect("request");
        // pollReq is [25] (one identifier byte, 0xB9), a SEQUENCE OF SEQUENCE { certReqId }, as
        // OpenSSL encodes it.
        assert!(
            request
                .windows(7)
                .any(|w| w == [0xb9, 0x07, 0x30, 0x05, 0x30, 0x03, 0x02])
        );

        let poll_rep = write::explicit(
            26,
            &write::sequence(&[&write::sequence(&[&write::integer(0), &write::integer(7)])]),
        );
        let response = decode(
            &answer(&poll_rep, &transaction, "SECRET", false),
            &transaction,
            Some(&secret),
        )
        .expect("pollRep");
        assert_eq!(
            response.answer,
            Answer::Poll {
                check_after: 7,
                reason: vec![]
            }
        );
        assert_eq!(
            response.sender_nonce.as_deref(),
            Some(&b"their nonce 0001"[..])
        );
        assert!(matches!(
            decode(
                &answer(&poll_rep, &transaction, "SECRET", true),
                &transaction,
                Some(&secret)
            ),
            Err(CmpError::BadProtection)
        ));
        let other = Transaction::start().expect("other");
        assert!(matches!(
            decode(
                &answer(&poll_rep, &other, "SECRET", false),
                &transaction,
                Some(&secret)
            ),
            Err(CmpError::BadResponse { .. })
        ));

        // An error: a wrong code (badMessageCheck) is told apart, in the CA's words.
        let error = write::explicit(
            23,
            &write::sequence(&[&write::sequence(&[
                &write::integer(2),
                &write::sequence(&[&write::tlv(0x0c, b"wrong pbm value")]),
                &write::tlv(0x03, &[6, 0x40]),
            ])]),
        );
        match decode(
            &answer(&error, &transaction, "OTHER", false),
            &transaction,
            Some(&secret),
        ) {
            Err(CmpError::WrongCode { text }) => {
                assert_eq!(text, "wrong pbm value (badMessageCheck)")
            }
            other => panic!("{other:?}"),
        }

        // Every prefix and a flipped byte anywhere: an error, never a panic.
        let good = answer(&poll_rep, &transaction, "SECRET", false);
        for cut in 0..good.len() {
            assert!(decode(&good[..cut], &transaction, Some(&secret)).is_err());
        }
        for at in 0..good.len() {
            let mut changed = good.clone();
            changed[at] ^= 0x55;
            let _ = decode(&changed, &transaction, Some(&secret));
        }
    }

    #[test]
    fn cert_req_ids_are_signed_integers() {
        assert_eq!(signed_integer(0), [2, 1, 0]);
        assert_eq!(signed_integer(-1), [2, 1, 0xff]);
        assert_eq!(signed_integer(127), [2, 1, 0x7f]);
        assert_eq!(signed_integer(128), [2, 2, 0, 0x80]);
        assert_eq!(signed_integer(-129), [2, 2, 0xff, 0x7f]);
    }

    #[test]
    fn the_pbm_key_is_sha256_iterated_as_rfc_4211_says() {
        // One application: SHA-256(secret ‖ salt).
        let once = pbm_key(Owf::Sha256, b"pass", b"salt", 1);
        assert_eq!(once[..], sha2::Sha256::digest(b"passsalt")[..]);
        let twice = pbm_key(Owf::Sha256, b"pass", b"salt", 2);
        assert_eq!(twice[..], sha2::Sha256::digest(&*once)[..]);
    }
}
