//! Opening CMS/PKCS#7 encrypted documents (RFC 5652 EnvelopedData, RFC 5083 AuthEnvelopedData) of any
//! size with bounded memory. The `cms` module reads the structure itself ([`ber`]), takes the content
//! key out with a recipient's private key ([`recipients`]) and decrypts the content as it streams by
//! ([`content`]). Which private key to use is the caller's business (the archive looks recipients up
//! by issuer and serial number or key identifier).

pub mod armor;
pub mod ber;
pub mod content;
pub mod recipients;
pub mod signed;

use std::io::{Read, Write};

use zeroize::Zeroizing;

use self::ber::{Ber, Header, Segments};
use self::content::ContentCipher;
use self::recipients::Recipient;
use crate::crypto::gost::gost28147::Sbox;
use crate::error::{CryptoError, FormatError};
use crate::formats::der::{self, Reader, tag};

/// Why a document could not be opened. No variant carries key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// Reading the document failed.
    #[error("cannot read the document: {0}")]
    Read(#[source] std::io::Error),
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Write(#[source] std::io::Error),
    /// The structure is broken or truncated.
    #[error("the document is damaged at byte {offset}: {reason}")]
    Malformed {
        /// Where, from the start of the (decoded) document.
        offset: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// The file is not a CMS document at all.
    #[error("not a CMS/PKCS#7 document")]
    NotCms,
    /// The document is CMS but not encrypted (signed only, or data).
    #[error("the document is not encrypted (its content type is {content_type})")]
    NotEncrypted {
        /// The content type's OID.
        content_type: String,
    },
    /// Something certkeeper does not implement.
    #[error("unsupported: {what}")]
    Unsupported {
        /// What.
        what: String,
    },
    /// The key given does not open the document.
    #[error("the key does not open the document")]
    WrongKey,
    /// The content was changed or damaged (a tag or MAC does not match, padding is broken).
    #[error("the document is damaged: {reason}")]
    Corrupted {
        /// What was found.
        reason: &'static str,
    },
    /// A cryptographic step failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The document was encrypted with the sender's static key, named by a certificate that is
    /// neither in the document nor known.
    #[error("the sender's certificate is needed: {originator}")]
    OriginatorUnknown {
        /// The certificate as the document names it (issuer and serial, or key identifier).
        originator: String,
    },
    /// The token holding the recipient's key failed the operation.
    #[error("token {label}: {reason}")]
    Token {
        /// The token's label.
        label: String,
        /// What the module said.
        reason: String,
    },
}

impl From<FormatError> for CmsError {
    fn from(error: FormatError) -> Self {
        match error {
            FormatError::Der { reason, offset, .. } => CmsError::Malformed {
                offset: offset as u64,
                reason,
            },
            FormatError::Crypto(error) => CmsError::Crypto(error),
            other => CmsError::Unsupported {
                what: other.to_string(),
            },
        }
    }
}

const ENVELOPED_DATA: &str = "1.2.840.113549.1.7.3";
const AUTH_ENVELOPED_DATA: &str = "1.2.840.113549.1.9.16.1.23";
/// EncryptedData: encrypted with a key the parties share, to no recipient.
const ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
/// The GOST content MAC attribute (id-cms-mac-attr, RFC 9337).
const GOST_MAC_ATTRIBUTE: &str = "1.2.643.7.1.0.6.1.1";

/// What the document says before its content: to whom it is encrypted and how.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// AuthEnvelopedData (authenticated encryption) rather than EnvelopedData.
    pub authenticated: bool,
    /// EncryptedData: the content key is one the parties share, given by the person; there are
    /// no recipients.
    pub shared_key: bool,
    /// The recipients certkeeper can use.
    pub recipients: Vec<Recipient>,
    /// Recipients of kinds certkeeper does not implement, described for a person.
    pub unsupported_recipients: Vec<String>,
    /// The content cipher.
    pub cipher: ContentCipher,
}

/// An open document positioned at its encrypted content.
pub struct Document<R: Read> {
    ber: Ber<R>,
    /// What the document says before its content.
    pub envelope: Envelope,
    /// The enclosing levels still open: their end offsets (None = indefinite length).
    levels: Vec<Option<u64>>,
    content: Option<Segments>,
}

fn oid_of(element: &[u8]) -> Result<String, CmsError> {
    let tlv = Reader::new(element).required("object identifier")?;
    der::oid_to_string(tlv.expect(tag::OID, "object identifier")?).ok_or(CmsError::Malformed {
        offset: 0,
        reason: "broken object identifier",
    })
}

/// The certificates of an originatorInfo ([0] IMPLICIT SEQUENCE { certs [0] IMPLICIT SET OPTIONAL,
/// crls [1] OPTIONAL }); those that do not read are left out.
fn originator_certificates(info: &[u8]) -> Vec<crate::cert::Certificate> {
    let Ok(outer) = Reader::new(info).required("originatorInfo") else {
        return Vec::new();
    };
    let mut fields = outer.children();
    let Ok(Some(certs)) = fields.next_tlv("certs") else {
        return Vec::new();
    };
    if certs.tag != 0xa0 {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut items = certs.children();
    while let Ok(Some(item)) = items.next_tlv("certificate") {
        if item.tag == tag::SEQUENCE
            && let Ok(certificate) = crate::cert::Certificate::from_der(item.raw)
        {
            found.push(certificate);
        }
    }
    found
}

fn end_of(ber: &Ber<impl Read>, header: Header) -> Option<u64> {
    header.len.map(|len| ber.offset() + len)
}

impl<R: Read> Document<R> {
    /// Reads the document up to its encrypted content (DER or BER; see [`armor`] for PEM and S/MIME).
    pub fn open(reader: R) -> Result<Self, CmsError> {
        let mut ber = Ber::new(reader);
        let mut levels = Vec::new();
        let content_info = ber.header().map_err(|_| CmsError::NotCms)?;
        if content_info.tag != 0x30 {
            return Err(CmsError::NotCms);
        }
        levels.push(end_of(&ber, content_info));
        let header = ber.header().map_err(|_| CmsError::NotCms)?;
        if header.tag != tag::OID {
            return Err(CmsError::NotCms);
        }
        let content_type = oid_of(&ber.element_der(header)?).map_err(|_| CmsError::NotCms)?;
        let (authenticated, shared_key) = match content_type.as_str() {
            ENVELOPED_DATA => (false, false),
            AUTH_ENVELOPED_DATA => (true, false),
            ENCRYPTED_DATA => (false, true),
            _ => return Err(CmsError::NotEncrypted { content_type }),
        };
        let explicit = ber.expect(0xa0, "the content is missing")?;
        levels.push(end_of(&ber, explicit));
        let enveloped = ber.expect(0x30, "EnvelopedData expected")?;
        levels.push(end_of(&ber, enveloped));
        let version = ber.expect(tag::INTEGER, "EnvelopedData version expected")?;
        ber.element_der(version)?;
        let (recipients, unsupported_recipients) = if shared_key {
            // EncryptedData: the EncryptedContentInfo comes next.
            (Vec::new(), Vec::new())
        } else {
            let mut header = ber.header()?;
            let mut originator_info = None;
            if header.tag == 0xa0 {
                // originatorInfo: certificates and CRLs of the originator; a static originator key
                // of a key agreement is taken from its certificates.
                originator_info = Some(ber.element_der(header)?);
                header = ber.header()?;
            }
            if header.tag != 0x31 {
                return Err(CmsError::Malformed {
                    offset: ber.offset(),
                    reason: "recipientInfos expected",
                });
            }
            let (mut recipients, unsupported) =
                recipients::parse_recipient_infos(&ber.element_der(header)?)?;
            if let Some(info) = originator_info {
                for certificate in originator_certificates(&info) {
                    for recipient in &mut recipients {
                        recipient.set_originator(&certificate);
                    }
                }
            }
            (recipients, unsupported)
        };
        let info = ber.expect(0x30, "EncryptedContentInfo expected")?;
        levels.push(end_of(&ber, info));
        let header = ber.expect(tag::OID, "content type expected")?;
        ber.element_der(header)?;
        let header = ber.expect(0x30, "content encryption algorithm expected")?;
        let cipher = parse_cipher(&ber.element_der(header)?, authenticated)?;
        let header = ber.header()?;
        let content = match header.tag {
            0x80 | 0xa0 => Segments::new(&mut ber, header)?,
            _ => {
                return Err(CmsError::Unsupported {
                    what: "a document whose encrypted content is kept elsewhere (detached)"
                        .to_owned(),
                });
            }
        };
        Ok(Self {
            ber,
            envelope: Envelope {
                authenticated,
                shared_key,
                recipients,
                unsupported_recipients,
                cipher,
            },
            levels,
            content: Some(content),
        })
    }

    /// Decrypts the content with the content-encryption key `key` into `out`, calling `progress` with
    /// the encrypted bytes read so far. The output is only final when this returns `Ok`: a wrong key,
    /// a damaged or truncated document, or a tag that does not match is an error after some output
    /// may have been written, so the caller writes to a temporary file and keeps it only on success.
    pub fn decrypt_to(
        self,
        key: &[u8],
        out: &mut impl Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64, CmsError> {
        self.decrypt_with(key, content::KeyStream::Standard, out, progress)
    }

    /// [`Document::decrypt_to`] with the CTR-ACPKM key stream `stream`.
    pub fn decrypt_with(
        mut self,
        key: &[u8],
        stream: content::KeyStream,
        out: &mut impl Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64, CmsError> {
        let mut decryptor = content::decryptor(&self.envelope.cipher, key, stream)?;
        let mut segments = self.content.take().ok_or(CmsError::Malformed {
            offset: self.ber.offset(),
            reason: "content read twice",
        })?;
        let mut input = vec![0u8; 1 << 16];
        let mut plain = Zeroizing::new(Vec::with_capacity(1 << 16));
        let mut written = 0u64;
        loop {
            let read = segments.read(&mut self.ber, &mut input)?;
            if read == 0 {
                break;
            }
            plain.clear();
            decryptor.update(&input[..read], &mut plain)?;
            out.write_all(&plain).map_err(CmsError::Write)?;
            written += plain.len() as u64;
            progress(self.ber.offset());
        }
        // After the content: close the EncryptedContentInfo, then read what follows it.
        self.close_level()?;
        let tag = self.trailer()?;
        plain.clear();
        decryptor.finish(tag.as_deref(), &mut plain)?;
        out.write_all(&plain).map_err(CmsError::Write)?;
        written += plain.len() as u64;
        out.flush().map_err(CmsError::Write)?;
        Ok(written)
    }

    /// Closes the innermost open level (reads its end-of-contents marker if it has one).
    fn close_level(&mut self) -> Result<(), CmsError> {
        match self.levels.pop() {
            Some(None) => self.ber.end_of_contents(),
            Some(Some(end)) if self.ber.offset() == end => Ok(()),
            Some(Some(_)) => Err(CmsError::Malformed {
                offset: self.ber.offset(),
                reason: "the encrypted content does not end where its container ends",
            }),
            None => Ok(()),
        }
    }

    /// The elements after the encrypted content up to the end of the document: the GCM tag
    /// (AuthEnvelopedData) or the GOST MAC attribute (EnvelopedData), whichever is there.
    fn trailer(&mut self) -> Result<Option<Vec<u8>>, CmsError> {
        let mut tag = None;
        // The rest of the (Auth)EnvelopedData.
        loop {
            if let Some(Some(end)) = self.levels.last()
                && self.ber.offset() >= *end
            {
                break;
            }
            let header = self.ber.header()?;
            if header.is_end_of_contents() {
                if self.levels.last() == Some(&None) {
                    self.levels.pop();
                    break;
                }
                return Err(CmsError::Malformed {
                    offset: self.ber.offset(),
                    reason: "unexpected end-of-contents marker",
                });
            }
            let element = self.ber.element_der(header)?;
            match header.tag {
                // mac (AuthEnvelopedData).
                0x04 if self.envelope.authenticated => {
                    tag = Some(Reader::new(&element).required("mac")?.value.to_vec());
                }
                // authAttrs would have to be authenticated too.
                0xa1 if self.envelope.authenticated => {
                    return Err(CmsError::Unsupported {
                        what: "authenticated attributes in AuthEnvelopedData".to_owned(),
                    });
                }
                // unprotectedAttrs (EnvelopedData): the GOST MAC lives here.
                0xa1 => tag = tag.or(gost_mac(&element)?),
                _ => {}
            }
        }
        if let Some(Some(_)) = self.levels.last() {
            self.levels.pop();
        }
        // The [0] and the ContentInfo.
        while let Some(level) = self.levels.pop() {
            match level {
                None => self.ber.end_of_contents()?,
                Some(end) if self.ber.offset() == end => {}
                Some(_) => {
                    return Err(CmsError::Malformed {
                        offset: self.ber.offset(),
                        reason: "something unexpected after the encrypted content",
                    });
                }
            }
        }
        Ok(tag)
    }
}

/// The value of the GOST MAC attribute among `[1] IMPLICIT SET OF Attribute`.
fn gost_mac(attributes: &[u8]) -> Result<Option<Vec<u8>>, CmsError> {
    let set = Reader::new(attributes).required("unprotectedAttrs")?;
    let mut items = set.children();
    while let Some(attribute) = items.next_tlv("Attribute")? {
        let mut fields = attribute.children();
        let kind = fields.required("attrType")?;
        if oid_of(kind.raw)? == GOST_MAC_ATTRIBUTE {
            let values = fields.required("attrValues")?;
            let value = values
                .children()
                .required("MAC")?
                .expect(tag::OCTET_STRING, "MAC")?;
            return Ok(Some(value.to_vec()));
        }
    }
    Ok(None)
}

fn unsupported(what: String) -> CmsError {
    CmsError::Unsupported { what }
}

/// The content cipher from its AlgorithmIdentifier (DER).
fn parse_cipher(algorithm: &[u8], authenticated: bool) -> Result<ContentCipher, CmsError> {
    let sequence = Reader::new(algorithm).required("contentEncryptionAlgorithm")?;
    let mut parts = sequence.children();
    let oid = oid_of(parts.required("algorithm")?.raw)?;
    let params = parts.next_tlv("parameters")?;
    let octets = |what: &'static str| -> Result<&[u8], CmsError> {
        Ok(params
            .ok_or(CmsError::Malformed {
                offset: 0,
                reason: "cipher parameters missing",
            })?
            .expect(tag::OCTET_STRING, what)?)
    };
    let aes_cbc = |key_len: usize| -> Result<ContentCipher, CmsError> {
        Ok(ContentCipher::AesCbc {
            key_len,
            iv: octets("IV")?.try_into().map_err(|_| CmsError::Malformed {
                offset: 0,
                reason: "the AES IV is not 16 bytes",
            })?,
        })
    };
    let aes_gcm = |key_len: usize| -> Result<ContentCipher, CmsError> {
        let params = params.ok_or(CmsError::Malformed {
            offset: 0,
            reason: "GCM parameters missing",
        })?;
        let mut fields = params.children();
        let nonce = fields
            .required("aes-nonce")?
            .expect(tag::OCTET_STRING, "aes-nonce")?
            .to_vec();
        let tag_len = match fields.next_tlv("aes-ICVlen")? {
            Some(length) => {
                let bytes = length.expect(tag::INTEGER, "aes-ICVlen")?;
                bytes
                    .iter()
                    .fold(0usize, |acc, byte| acc * 256 + usize::from(*byte))
            }
            None => 12,
        };
        Ok(ContentCipher::AesGcm {
            key_len,
            nonce,
            tag_len,
        })
    };
    let acpkm = |block: usize, omac: bool| -> Result<ContentCipher, CmsError> {
        let params = params.ok_or(CmsError::Malformed {
            offset: 0,
            reason: "cipher parameters missing",
        })?;
        let ukm = params
            .children()
            .required("ukm")?
            .expect(tag::OCTET_STRING, "ukm")?;
        let iv_len = block / 2;
        if ukm.len() != iv_len + 8 {
            return Err(CmsError::Malformed {
                offset: 0,
                reason: "the cipher's UKM has the wrong length",
            });
        }
        let mut kdf_seed = [0u8; 8];
        kdf_seed.copy_from_slice(&ukm[iv_len..]);
        Ok(ContentCipher::CtrAcpkm {
            block,
            iv: ukm[..iv_len].to_vec(),
            kdf_seed,
            omac,
        })
    };
    let cipher = match oid.as_str() {
        "2.16.840.1.101.3.4.1.2" => aes_cbc(16)?,
        "2.16.840.1.101.3.4.1.22" => aes_cbc(24)?,
        "2.16.840.1.101.3.4.1.42" => aes_cbc(32)?,
        "2.16.840.1.101.3.4.1.6" => aes_gcm(16)?,
        "2.16.840.1.101.3.4.1.26" => aes_gcm(24)?,
        "2.16.840.1.101.3.4.1.46" => aes_gcm(32)?,
        "1.2.840.113549.3.7" => ContentCipher::DesEde3Cbc {
            iv: octets("IV")?.try_into().map_err(|_| CmsError::Malformed {
                offset: 0,
                reason: "the 3DES IV is not 8 bytes",
            })?,
        },
        "1.2.643.2.2.21" => {
            let params = params.ok_or(CmsError::Malformed {
                offset: 0,
                reason: "GOST 28147-89 parameters missing",
            })?;
            let mut fields = params.children();
            let iv: [u8; 8] = fields
                .required("iv")?
                .expect(tag::OCTET_STRING, "iv")?
                .try_into()
                .map_err(|_| CmsError::Malformed {
                    offset: 0,
                    reason: "the GOST 28147-89 IV is not 8 bytes",
                })?;
            let set = oid_of(fields.required("encryptionParamSet")?.raw)?;
            ContentCipher::Gost28147Cfb {
                iv,
                sbox: Sbox::from_oid(&set)?,
            }
        }
        "1.2.643.7.1.1.5.2.1" => acpkm(16, false)?,
        "1.2.643.7.1.1.5.2.2" => acpkm(16, true)?,
        "1.2.643.7.1.1.5.1.1" => acpkm(8, false)?,
        "1.2.643.7.1.1.5.1.2" => acpkm(8, true)?,
        other => return Err(unsupported(format!("content cipher {other}"))),
    };
    if authenticated != matches!(cipher, ContentCipher::AesGcm { .. }) {
        return Err(unsupported(format!(
            "{} in {}",
            cipher.name(),
            if authenticated {
                "AuthEnvelopedData"
            } else {
                "EnvelopedData"
            }
        )));
    }
    Ok(cipher)
}
