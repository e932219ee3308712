//! CryptoPro CSP key containers: the folder (`*.000` on a drive, or the registry store's HDIMAGE) with
//! `header.key`, `name.key`, `primary.key`, `masks.key` and, for a second key, `primary2.key` and
//! `masks2.key`.
//!
//! How a container opens (checked on real containers written by CryptoPro CSP):
//! - `header.key` names the key algorithm, its parameter set and hash, carries the certificate
//!   (`[5]`), the first 8 bytes of the public key's x coordinate, little-endian (`[10]`), and the
//!   private key usage period (`[12]`, attribute 1.2.643.2.2.37.3.10).
//! - `masks.key` is SEQUENCE { mask, salt (12 bytes), MAC (4 bytes) }; `primary.key` is
//!   SEQUENCE { masked key }.
//! - A key is derived from the password: the password widened to 4 bytes per character is hashed with
//!   the salt, then iterated 2000 times (2 for an empty password) through an HMAC-like construction over
//!   the constant "DENEFH028.760246785.IUEFHWUIO.EF"; the hash is Streebog-256, or GOST R 34.11-94
//!   (CryptoPro parameters) for GOST 2001 keys.
//! - The masked key is GOST 28147-89 ECB-decrypted with it (S-box Z for 2012 keys, CryptoPro-A for
//!   2001 keys), and unmasked: d = masked · mask⁻¹ mod q (all numbers little-endian).
//! - The right password is recognised by the fingerprint: the first 8 bytes of x(d·P) equal `[10]`.
//! - The 4-byte MAC in `masks.key` protects the mask and salt themselves: it is the GOST 28147-89
//!   IMIT of the salt under the last 32 bytes of the mask (S-box of the key's cipher), found on and
//!   holding for all five real containers. A damaged `masks.key` is therefore told apart from a wrong
//!   password.
//! - `header.key` ends with the IMIT of its content under an all-zero key (its integrity check), and
//!   `[2]` holds a password check: the IMIT of 16 zero bytes under the key derived from the password
//!   with the fingerprint as salt (zeros when there is no password). Both verified on the real
//!   containers; both written by [`write`].
//! - `primary2.key`/`masks2.key` are a reserve copy of the same key under another mask; it is used when
//!   the first copy is damaged.

use std::path::Path;

use digest::Digest;
use secrecy::{ExposeSecret, SecretString};
use zeroize::{Zeroize, Zeroizing};

use super::der::{self, Reader, tag};
use crate::crypto::gost::gost28147::{Gost28147, Imit, KeyMeshing, Sbox};
use crate::crypto::gost::{Gost94CryptoPro, ParamSet, PrivateKey, Streebog256};
use crate::error::FormatError;
use crate::formats::pkcs8::GostAlgorithm;

/// Attribute of the private key usage period in `header.key`.
const PRIVATE_KEY_USAGE_PERIOD: &str = "1.2.643.2.2.37.3.10";
/// The constant of the password key derivation.
const KDF_CONSTANT: &[u8; 32] = b"DENEFH028.760246785.IUEFHWUIO.EF";
/// The largest file a container holds (`header.key` with a long certificate chain stays far below).
pub(crate) const MAX_FILE: u64 = 1 << 20;

/// The hash of the password key derivation, fixed by the key's algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KdfHash {
    /// GOST R 34.11-94 with CryptoPro parameters (GOST R 34.10-2001 keys).
    Gost94,
    /// Streebog-256 (GOST R 34.10-2012 keys).
    Streebog256,
}

/// What `header.key` says about the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerHeader {
    /// The curve of the key.
    pub param_set: ParamSet,
    /// The key algorithm's object identifier (signature or key agreement, 2001 or 2012).
    pub algorithm_oid: String,
    /// The hash algorithm's object identifier.
    pub digest_oid: String,
    /// The certificate stored with the key (DER), when there is one.
    pub certificate: Option<Vec<u8>>,
    /// The first 8 bytes of the public key's x coordinate, little-endian.
    pub fingerprint: [u8; 8],
    /// Start of the private key usage period, as `YYYYMMDDHHMMSSZ`.
    pub private_key_not_before: Option<String>,
    /// End of the private key usage period, as `YYYYMMDDHHMMSSZ`.
    pub private_key_not_after: Option<String>,
    /// Whether the container says its key is protected by a password (attribute kccaSoftPassword).
    pub password_protected: bool,
    /// The password check value (`[2]`): IMIT of 16 zero bytes under the key derived from the password
    /// with the fingerprint as salt.
    pub password_mac: Option<[u8; 4]>,
}

/// An opened container: its header, name and private key.
#[derive(Debug)]
pub struct Container {
    /// What the header says.
    pub header: ContainerHeader,
    /// The container's name (`name.key`), as CryptoPro shows it.
    pub name: Option<String>,
    /// The private key.
    pub key: PrivateKey,
}

impl ContainerHeader {
    /// The key's algorithm: from its object identifier, else — for the identifiers older CryptoPro
    /// versions wrote that name no size — from the size of its parameter set. The one rule for
    /// every place a container's key becomes a PrivateKeyInfo (import, export, decryption).
    pub fn gost_algorithm(&self) -> super::pkcs8::GostAlgorithm {
        use super::pkcs8::GostAlgorithm;
        GostAlgorithm::from_oid(&self.algorithm_oid).unwrap_or(match self.param_set.bits() {
            512 => GostAlgorithm::Gost2012_512,
            _ => GostAlgorithm::Gost2012_256,
        })
    }
}

impl Container {
    /// The private key as a PKCS#8 PrivateKeyInfo in OpenSSL's GOST engine form.
    pub fn private_key_info(&self) -> Zeroizing<Vec<u8>> {
        super::pkcs8::gost_private_key_info(&self.key, self.header.gost_algorithm())
    }
}

fn read_file(folder: &Path, name: &str) -> Result<Vec<u8>, FormatError> {
    let path = folder.join(name);
    crate::files::read_regular(&path, MAX_FILE).map_err(|error| match error {
        crate::files::FileError::TooLarge { .. } => FormatError::Der {
            what: "container file",
            offset: 0,
            reason: "file too large for a container part",
        },
        crate::files::FileError::Read { source, .. } => FormatError::ContainerFile {
            path: path.clone(),
            source,
        },
        other => FormatError::ContainerFile {
            path: path.clone(),
            source: std::io::Error::other(other.to_string()),
        },
    })
}

/// Whether `folder` looks like a CryptoPro container (has the files one needs).
pub fn is_container(folder: &Path) -> bool {
    REQUIRED_FILES
        .iter()
        .all(|name| folder.join(name).is_file())
}

/// A key file of a container (`masks.key`, `primary.key`, ...), zeroized when dropped.
pub type KeyFile = Zeroizing<Vec<u8>>;

/// The files of a container as they are on disk, for keeping a container whole (in the archive) and
/// writing it back byte for byte. The key files stay encrypted under the container's password; they
/// are zeroized all the same.
#[derive(Clone, PartialEq, Eq)]
pub struct ContainerFiles {
    /// `header.key`.
    pub header: Vec<u8>,
    /// `name.key`, when there is one.
    pub name: Option<Vec<u8>>,
    /// `masks.key`.
    pub masks: Zeroizing<Vec<u8>>,
    /// `primary.key`.
    pub primary: Zeroizing<Vec<u8>>,
    /// `masks2.key` and `primary2.key`, the reserve copy, when there is one.
    pub reserve: Option<(KeyFile, KeyFile)>,
}

impl std::fmt::Debug for ContainerFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerFiles")
            .field("header", &self.header.len())
            .field("reserve", &self.reserve.is_some())
            .finish_non_exhaustive()
    }
}

/// The files every container has.
const REQUIRED_FILES: [&str; 3] = ["header.key", "masks.key", "primary.key"];

/// The names of a container's files, in the order [`ContainerFiles::to_der`] writes them.
const FILE_NAMES: [&str; 6] = [
    "header.key",
    "name.key",
    "masks.key",
    "primary.key",
    "masks2.key",
    "primary2.key",
];

impl ContainerFiles {
    /// Reads the files of the container in `folder`.
    pub fn read(folder: &Path) -> Result<Self, FormatError> {
        Self::from_named(|name| {
            // A missing required file is reported by the read, with its path.
            if REQUIRED_FILES.contains(&name) || folder.join(name).is_file() {
                read_file(folder, name).map(Some)
            } else {
                Ok(None)
            }
        })
    }

    /// Builds the files from `file`, which gives a file's bytes by its name (`header.key`…) or
    /// None where there is no such file: a folder's files, or the values of a registry key.
    pub fn from_named(
        mut file: impl FnMut(&'static str) -> Result<Option<Vec<u8>>, FormatError>,
    ) -> Result<Self, FormatError> {
        let mut required = |name: &'static str| {
            file(name)?.ok_or_else(|| FormatError::ContainerFile {
                path: name.into(),
                source: std::io::ErrorKind::NotFound.into(),
            })
        };
        let header = required("header.key")?;
        let masks = Zeroizing::new(required("masks.key")?);
        let primary = Zeroizing::new(required("primary.key")?);
        let reserve = match (file("masks2.key")?, file("primary2.key")?) {
            (Some(masks), Some(primary)) => Some((Zeroizing::new(masks), Zeroizing::new(primary))),
            _ => None,
        };
        Ok(Self {
            header,
            name: file("name.key")?,
            masks,
            primary,
            reserve,
        })
    }

    /// The files by name (`header.key`…), those there are, in the order CryptoPro lists them.
    pub fn named(&self) -> impl Iterator<Item = (&'static str, &[u8])> {
        let (masks2, primary2) = match &self.reserve {
            Some((masks, primary)) => (Some(&masks[..]), Some(&primary[..])),
            None => (None, None),
        };
        FILE_NAMES
            .into_iter()
            .zip([
                Some(&self.header[..]),
                self.name.as_deref(),
                Some(&self.masks[..]),
                Some(&self.primary[..]),
                masks2,
                primary2,
            ])
            .filter_map(|(name, bytes)| bytes.map(|bytes| (name, bytes)))
    }

    /// Writes the files into `folder`, which must not exist yet: whole or not at all, and for the
    /// owner only (folder 700, files 600, whatever the umask), as a key container must be.
    pub fn write(&self, folder: &Path) -> Result<(), FormatError> {
        crate::files::write_private_folder(folder, self.named()).map_err(|error| {
            let source = match error {
                crate::files::FileError::Write { source, .. }
                | crate::files::FileError::Read { source, .. } => source,
                other => std::io::Error::new(std::io::ErrorKind::AlreadyExists, other.to_string()),
            };
            FormatError::ContainerFile {
                path: folder.to_path_buf(),
                source,
            }
        })
    }

    /// The files as one DER value: SEQUENCE OF SEQUENCE { IA5String name, OCTET STRING content }.
    pub fn to_der(&self) -> Zeroizing<Vec<u8>> {
        use super::der::write;
        let entries: Vec<Zeroizing<Vec<u8>>> = self
            .named()
            .map(|(name, bytes)| {
                Zeroizing::new(write::sequence(&[
                    &der::write::tlv(tag::IA5_STRING, name.as_bytes()),
                    &write::octets(bytes),
                ]))
            })
            .collect();
        let refs: Vec<&[u8]> = entries.iter().map(|entry| entry.as_slice()).collect();
        Zeroizing::new(write::sequence(&refs))
    }

    /// Reads what [`ContainerFiles::to_der`] wrote.
    pub fn from_der(bytes: &[u8]) -> Result<Self, FormatError> {
        let bad = |reason| FormatError::Der {
            what: "stored container",
            offset: 0,
            reason,
        };
        let mut found: [Option<Vec<u8>>; 6] = Default::default();
        let outer = Reader::new(bytes).required("stored container")?;
        let mut entries = outer.children();
        while let Some(entry) = entries.next_tlv("container file")? {
            let mut fields = entry.children();
            let name = fields
                .required("file name")?
                .expect(tag::IA5_STRING, "file name")?;
            let content = fields
                .required("file content")?
                .expect(tag::OCTET_STRING, "file content")?;
            let index = FILE_NAMES
                .iter()
                .position(|known| known.as_bytes() == name)
                .ok_or_else(|| bad("unknown container file"))?;
            if found[index].replace(content.to_vec()).is_some() {
                return Err(bad("container file twice"));
            }
        }
        let [header, name, masks, primary, masks2, primary2] = found;
        let reserve = match (masks2, primary2) {
            (Some(masks), Some(primary)) => Some((Zeroizing::new(masks), Zeroizing::new(primary))),
            (None, None) => None,
            _ => return Err(bad("half a reserve copy")),
        };
        Ok(Self {
            header: header.ok_or_else(|| bad("no header.key"))?,
            name,
            masks: Zeroizing::new(masks.ok_or_else(|| bad("no masks.key"))?),
            primary: Zeroizing::new(primary.ok_or_else(|| bad("no primary.key"))?),
            reserve,
        })
    }

    /// Opens the container with `password` (empty for a container without one).
    pub fn open(&self, password: &SecretString) -> Result<Container, FormatError> {
        let header = parse_header(&self.header)?;
        let name = self
            .name
            .as_deref()
            .and_then(|bytes| parse_name(bytes).ok());
        // A wrong password is known from the check value before any key is touched.
        let (kind, sbox) = kdf_and_sbox(&header);
        if header.password_protected
            && let Some(expected) = header.password_mac
            && password_mac(kind, &header.fingerprint, password, sbox) != expected
        {
            return Err(FormatError::WrongContainerPassword);
        }
        let key = match (
            unlock(&header, &self.masks, &self.primary, password),
            &self.reserve,
        ) {
            (Err(FormatError::Der { .. }), Some((masks, primary))) => {
                unlock(&header, masks, primary, password)?
            }
            (other, _) => other?,
        };
        Ok(Container { header, name, key })
    }
}

/// Opens the container in `folder` with `password` (empty for a container without one).
pub fn open(folder: &Path, password: &SecretString) -> Result<Container, FormatError> {
    ContainerFiles::read(folder)?.open(password)
}

/// The container name from `name.key`: SEQUENCE { IA5String }.
pub fn parse_name(bytes: &[u8]) -> Result<String, FormatError> {
    let outer = Reader::new(bytes).required("name.key")?;
    let text = outer
        .children()
        .required("container name")?
        .expect(tag::IA5_STRING, "container name")?;
    Ok(crate::text::printable(&String::from_utf8_lossy(text)).into_owned())
}

/// Reads `header.key`.
pub fn parse_header(bytes: &[u8]) -> Result<ContainerHeader, FormatError> {
    let outer = Reader::new(bytes).required("header.key")?;
    let mut parts = outer.children();
    let content = parts.required("keyContainerContent")?;
    let container_mac = parts
        .required("hmacKeyContainerContent")?
        .expect(tag::OCTET_STRING, "header.key MAC")?;
    let mut attributes = None;
    let mut password_mac = None;
    {
        let mut fields = content.children();
        while let Some(field) = fields.next_tlv("keyContainerContent")? {
            match field.tag {
                tag::BIT_STRING if attributes.is_none() => attributes = field.value.get(1).copied(),
                0x82 => password_mac = field.value.try_into().ok(),
                _ => {}
            }
        }
    }
    let mut oids = Vec::new();
    let mut certificate = None;
    let mut fingerprint = None;
    let mut period = None;
    der::walk(bytes, 8, &mut |tlv, _| match tlv.tag {
        tag::OID => oids.push(der::oid_to_string(tlv.value).unwrap_or_default()),
        0x85 => certificate = Some(tlv.value.to_vec()),
        0x8a => fingerprint = Some(tlv.value.to_vec()),
        0xac => period = Some(tlv.value),
        _ => {}
    })?;
    let malformed = |reason| FormatError::Der {
        what: "header.key",
        offset: 0,
        reason,
    };
    let param_set = oids
        .iter()
        .find_map(|oid| ParamSet::from_oid(oid).ok())
        .ok_or_else(|| FormatError::UnsupportedContainer {
            reason: format!("no known GOST R 34.10 parameter set among {oids:?}"),
        })?;
    let algorithm_oid = oids
        .iter()
        .find(|oid| {
            oid.starts_with("1.2.643.7.1.1.1.")
                || oid.starts_with("1.2.643.7.1.1.6.")
                || oid.starts_with("1.2.643.2.2.19")
                || oid.starts_with("1.2.643.2.2.98")
        })
        .cloned()
        .unwrap_or_default();
    let digest_oid = oids
        .iter()
        .find(|oid| {
            ["1.2.643.2.2.30.1", "1.2.643.7.1.1.2.2", "1.2.643.7.1.1.2.3"].contains(&oid.as_str())
        })
        .cloned()
        .ok_or_else(|| FormatError::UnsupportedContainer {
            reason: format!("no known hash algorithm among {oids:?}"),
        })?;
    let fingerprint: [u8; 8] = fingerprint
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| malformed("no 8-byte public key fingerprint ([10])"))?;
    let (private_key_not_before, private_key_not_after) = match period {
        Some(contents) => parse_usage_period(contents)?,
        None => (None, None),
    };
    let sbox = if digest_oid == "1.2.643.2.2.30.1" {
        Sbox::CryptoProA
    } else {
        Sbox::Z
    };
    if content_mac(content.raw, sbox) != container_mac {
        return Err(malformed("integrity check failed: the file is damaged"));
    }
    Ok(ContainerHeader {
        param_set,
        algorithm_oid,
        digest_oid,
        certificate,
        fingerprint,
        private_key_not_before,
        private_key_not_after,
        password_protected: attributes.is_some_and(|bits| bits & 0x80 != 0),
        password_mac,
    })
}

/// The IMIT of the header's content under an all-zero key.
fn content_mac(content: &[u8], sbox: Sbox) -> [u8; 4] {
    let mut imit = Imit::new(&[0u8; 32], &[0; 8], sbox, KeyMeshing::None);
    imit.update(content);
    imit.finalize_mac()
}

/// The password check value of `[2]`.
fn password_mac(
    kind: KdfHash,
    fingerprint: &[u8; 8],
    password: &SecretString,
    sbox: Sbox,
) -> [u8; 4] {
    let key = password_key(kind, fingerprint, password);
    let mut imit = Imit::new(&key, &[0; 8], sbox, KeyMeshing::None);
    imit.update(&[0u8; 16]);
    imit.finalize_mac()
}

fn kdf_and_sbox(header: &ContainerHeader) -> (KdfHash, Sbox) {
    match header.digest_oid.as_str() {
        "1.2.643.2.2.30.1" => (KdfHash::Gost94, Sbox::CryptoProA),
        _ => (KdfHash::Streebog256, Sbox::Z),
    }
}

/// `[12]` holds SEQUENCE { OID, OCTET STRING { SEQUENCE { [0] time?, [1] time? } } }.
fn parse_usage_period(contents: &[u8]) -> Result<(Option<String>, Option<String>), FormatError> {
    let mut outer = Reader::new(contents);
    while let Some(attribute) = outer.next_tlv("private key usage period")? {
        if attribute.tag != tag::SEQUENCE {
            continue;
        }
        let mut fields = attribute.children();
        let oid = fields
            .required("attribute type")?
            .expect(tag::OID, "attribute type")?;
        if der::oid_to_string(oid).as_deref() != Some(PRIVATE_KEY_USAGE_PERIOD) {
            continue;
        }
        let value = fields
            .required("attribute value")?
            .expect(tag::OCTET_STRING, "attribute value")?;
        let period = Reader::new(value).required("usage period")?;
        let mut times = period.children();
        let (mut not_before, mut not_after) = (None, None);
        while let Some(time) = times.next_tlv("usage period time")? {
            let text = String::from_utf8_lossy(time.value).into_owned();
            match time.tag {
                0x80 => not_before = Some(text),
                0x81 => not_after = Some(text),
                _ => {}
            }
        }
        return Ok((not_before, not_after));
    }
    Ok((None, None))
}

/// SEQUENCE { OCTET STRING, ... }: the octet strings in order.
fn octet_strings<'a>(bytes: &'a [u8], what: &'static str) -> Result<Vec<&'a [u8]>, FormatError> {
    let outer = Reader::new(bytes).required(what)?;
    let mut children = outer.children();
    let mut strings = Vec::new();
    while let Some(child) = children.next_tlv(what)? {
        strings.push(child.expect(tag::OCTET_STRING, what)?);
    }
    Ok(strings)
}

fn hash(kind: KdfHash, parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    match kind {
        KdfHash::Streebog256 => {
            let mut hasher = Streebog256::new();
            parts.iter().for_each(|part| hasher.update(part));
            out.copy_from_slice(&hasher.finalize());
        }
        KdfHash::Gost94 => {
            let mut hasher = Gost94CryptoPro::new();
            parts.iter().for_each(|part| hasher.update(part));
            out.copy_from_slice(&hasher.finalize());
        }
    }
    out
}

/// The key that encrypts the masked private key, from the password and the salt.
fn password_key(kind: KdfHash, salt: &[u8], password: &SecretString) -> Zeroizing<[u8; 32]> {
    // Each character widened to 4 bytes, as CryptoPro does; characters outside one byte keep their
    // low byte, which is what CryptoPro stores for its supported code page.
    let widened: Zeroizing<Vec<u8>> = Zeroizing::new(
        password
            .expose_secret()
            .chars()
            .flat_map(|c| [c as u32 as u8, 0, 0, 0])
            .collect(),
    );
    let salted = hash(kind, &[salt, &widened]);
    // The working value is 64 bytes for Streebog (32 used) and 32 for GOST R 34.11-94.
    let width = if kind == KdfHash::Streebog256 { 64 } else { 32 };
    let mut current = Zeroizing::new(vec![0u8; width]);
    current[..32].copy_from_slice(KDF_CONSTANT);
    let rounds = if widened.is_empty() { 2 } else { 2000 };
    let mut inner = Zeroizing::new(vec![0u8; width]);
    let mut outer = Zeroizing::new(vec![0u8; width]);
    for _ in 0..rounds {
        for i in 0..width {
            inner[i] = current[i] ^ 0x36;
            outer[i] = current[i] ^ 0x5c;
        }
        let next = hash(kind, &[&inner, &salted[..], &outer, &salted[..]]);
        current[..32].copy_from_slice(&next[..]);
        current[32..].fill(0);
    }
    for i in 0..width {
        inner[i] = current[i] ^ 0x36;
        outer[i] = current[i] ^ 0x5c;
    }
    let last = hash(kind, &[&inner[..32], salt, &outer[..32], &widened]);
    hash(kind, &[&last[..]])
}

/// Recovers the private key from the masked key, the mask and the password.
fn unlock(
    header: &ContainerHeader,
    masks: &[u8],
    primary: &[u8],
    password: &SecretString,
) -> Result<PrivateKey, FormatError> {
    let set = header.param_set;
    let len = set.coordinate_len();
    let masks = octet_strings(masks, "masks.key")?;
    let (mask, salt, mac) = match masks.as_slice() {
        [mask, salt, mac, ..] if mask.len() == len && salt.len() == 12 && mac.len() == 4 => {
            (*mask, *salt, *mac)
        }
        _ => {
            return Err(FormatError::Der {
                what: "masks.key",
                offset: 0,
                reason: "expected the mask of the key's size, a 12-byte salt and a 4-byte MAC",
            });
        }
    };
    let primary = octet_strings(primary, "primary.key")?;
    let masked = match primary.first() {
        Some(masked) if masked.len() == len => *masked,
        _ => {
            return Err(FormatError::Der {
                what: "primary.key",
                offset: 0,
                reason: "expected a key of the parameter set's size",
            });
        }
    };
    let (kind, sbox) = kdf_and_sbox(header);
    let mac_key = mask_mac_key(mask)?;
    let mut imit = Imit::new(mac_key, &[0; 8], sbox, KeyMeshing::None);
    imit.update(salt);
    if imit.finalize_mac() != mac {
        return Err(FormatError::Der {
            what: "masks.key",
            offset: 0,
            reason: "integrity check failed: the file is damaged",
        });
    }
    let key = password_key(kind, salt, password);
    let mut unmasked_input = Zeroizing::new(masked.to_vec());
    Gost28147::new(&key, sbox).ecb_decrypt(&mut unmasked_input)?;
    let private = PrivateKey::unmask_le(set, &unmasked_input, mask)
        .map_err(|_| FormatError::WrongContainerPassword)?;
    let public = private.public_key();
    let mut x_le = public.to_le_bytes()[..8].to_vec();
    let matches = x_le == header.fingerprint;
    x_le.zeroize();
    if matches {
        Ok(private)
    } else {
        Err(FormatError::WrongContainerPassword)
    }
}

/// The MAC key of `masks.key`: the last 32 bytes of the mask.
fn mask_mac_key(mask: &[u8]) -> Result<&[u8; 32], FormatError> {
    mask.len()
        .checked_sub(32)
        .and_then(|start| mask[start..].try_into().ok())
        .ok_or(FormatError::Der {
            what: "masks.key",
            offset: 0,
            reason: "the mask is shorter than 32 bytes",
        })
}

/// What goes into a container certkeeper writes.
#[derive(Debug)]
pub struct NewContainer<'a> {
    /// The name CryptoPro shows (name.key).
    pub name: &'a str,
    /// The key.
    pub key: &'a PrivateKey,
    /// Its algorithm (2001 or 2012 share parameter sets).
    pub algorithm: GostAlgorithm,
    /// The certificate to keep with the key, DER.
    pub certificate: Option<&'a [u8]>,
    /// End of the private key usage period, `YYYYMMDDHHMMSSZ`.
    pub private_key_not_after: Option<&'a str>,
}

fn random(len: usize) -> Result<Vec<u8>, FormatError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes)
        .map_err(|error| crate::error::CryptoError::Random(error.to_string()))?;
    Ok(bytes)
}

/// One masked, encrypted copy of the key: (masks.key, primary.key).
fn masked_copy(
    key: &PrivateKey,
    kind: KdfHash,
    sbox: Sbox,
    password: &SecretString,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), FormatError> {
    use super::der::write;
    let mask = PrivateKey::generate(key.param_set())?.to_le_bytes();
    let salt = random(12)?;
    let mac_key = mask_mac_key(&mask)?;
    let mut imit = Imit::new(mac_key, &[0; 8], sbox, KeyMeshing::None);
    imit.update(&salt);
    let masks = write::sequence(&[
        &write::octets(&mask),
        &write::octets(&salt),
        &write::octets(&imit.finalize_mac()),
    ]);
    let mut masked = key.mask_le(&mask)?;
    Gost28147::new(&password_key(kind, &salt, password), sbox).ecb_encrypt(&mut masked)?;
    Ok((
        masks,
        Zeroizing::new(write::sequence(&[&write::octets(&masked)])),
    ))
}

/// Builds the files of a CryptoPro CSP container, in the layout CryptoPro CSP writes: header with both
/// MACs, name, the key masked twice (primary and reserve copy).
pub fn build(
    new: &NewContainer<'_>,
    password: &SecretString,
) -> Result<ContainerFiles, FormatError> {
    use super::der::write;
    let set = new.key.param_set();
    let (exchange_oid, digest_oid) = match new.algorithm {
        GostAlgorithm::Gost2001 => ("1.2.643.2.2.98", "1.2.643.2.2.30.1"),
        GostAlgorithm::Gost2012_256 => ("1.2.643.7.1.1.6.1", "1.2.643.7.1.1.2.2"),
        GostAlgorithm::Gost2012_512 => ("1.2.643.7.1.1.6.2", "1.2.643.7.1.1.2.3"),
    };
    let (kind, sbox) = if new.algorithm == GostAlgorithm::Gost2001 {
        (KdfHash::Gost94, Sbox::CryptoProA)
    } else {
        (KdfHash::Streebog256, Sbox::Z)
    };
    let public = new.key.public_key();
    let mut fingerprint = [0u8; 8];
    fingerprint.copy_from_slice(&public.to_le_bytes()[..8]);
    let has_password = !password.expose_secret().is_empty();
    let check = if has_password {
        password_mac(kind, &fingerprint, password, sbox)
    } else {
        [0; 4]
    };

    let mut content_parts: Vec<Vec<u8>> = vec![
        write::explicit(0, &write::oid("1.2.643.2.2.37.2.1")),
        // kccaSoftPassword (bit 0) when there is a password; kccaReservePrimary (bit 1) always.
        der::write::tlv(
            tag::BIT_STRING,
            &[6, if has_password { 0xc0 } else { 0x40 }],
        ),
        write::sequence(&[
            // pkaExportable (bit 0) and pkaExchange (bit 2).
            &der::write::tlv(tag::BIT_STRING, &[5, 0xa0]),
            &write::explicit(
                0,
                &[
                    write::oid(exchange_oid),
                    write::sequence(&[&write::oid(set.oid()), &write::oid(digest_oid)]),
                ]
                .concat(),
            ),
        ]),
        der::write::tlv(0x82, &check),
    ];
    if let Some(certificate) = new.certificate {
        content_parts.push(der::write::tlv(0x85, certificate));
    }
    content_parts.push(der::write::tlv(0x8a, &fingerprint));
    if let Some(not_after) = new.private_key_not_after {
        let period = write::sequence(&[&der::write::tlv(0x81, not_after.as_bytes())]);
        content_parts.push(write::explicit(
            12,
            &write::sequence(&[
                &write::oid(PRIVATE_KEY_USAGE_PERIOD),
                &write::octets(&period),
            ]),
        ));
    }
    let part_refs: Vec<&[u8]> = content_parts.iter().map(Vec::as_slice).collect();
    let content = write::sequence(&part_refs);
    let header = write::sequence(&[&content, &write::octets(&content_mac(&content, sbox))]);

    let (masks, primary) = masked_copy(new.key, kind, sbox, password)?;
    let (masks2, primary2) = masked_copy(new.key, kind, sbox, password)?;
    let name = write::sequence(&[&der::write::tlv(tag::IA5_STRING, new.name.as_bytes())]);
    Ok(ContainerFiles {
        header,
        name: Some(name),
        masks: Zeroizing::new(masks),
        primary,
        reserve: Some((Zeroizing::new(masks2), primary2)),
    })
}

/// `header.key` with `certificate` (DER) kept in it, as CryptoPro CSP's "install certificate into
/// the container" writes it: the certificate as `[5]` before the public key fingerprint (replacing one
/// there before), the header's integrity check made anew. The key files do not change, so no password
/// is needed.
pub fn with_certificate(header: &[u8], certificate: &[u8]) -> Result<Vec<u8>, FormatError> {
    use super::der::write;
    let parsed = parse_header(header)?;
    let (_, sbox) = kdf_and_sbox(&parsed);
    let outer = Reader::new(header).required("header.key")?;
    let content = outer.children().required("keyContainerContent")?;
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut placed = false;
    let mut fields = content.children();
    while let Some(field) = fields.next_tlv("keyContainerContent")? {
        match field.tag {
            0x85 => {}
            0x8a if !placed => {
                parts.push(der::write::tlv(0x85, certificate));
                parts.push(field.raw.to_vec());
                placed = true;
            }
            _ => parts.push(field.raw.to_vec()),
        }
    }
    if !placed {
        parts.push(der::write::tlv(0x85, certificate));
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let content = write::sequence(&refs);
    Ok(write::sequence(&[
        &content,
        &write::octets(&content_mac(&content, sbox)),
    ]))
}

/// Writes a CryptoPro CSP container into `folder` (which must not exist yet), in the layout CryptoPro
/// CSP writes: header with both MACs, name, the key masked twice (primary and reserve copy).
pub fn write(
    folder: &Path,
    new: &NewContainer<'_>,
    password: &SecretString,
) -> Result<(), FormatError> {
    build(new, password)?.write(folder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::gost::ParamSet;

    #[test]
    fn container_files_survive_storage_byte_for_byte() {
        let key = PrivateKey::generate(ParamSet::Tc26_256A).expect("key");
        let password = SecretString::from("12345678".to_owned());
        let files = build(
            &NewContainer {
                name: "stored",
                key: &key,
                algorithm: GostAlgorithm::Gost2012_256,
                certificate: None,
                private_key_not_after: None,
            },
            &password,
        )
        .expect("build");
        let stored = ContainerFiles::from_der(&files.to_der()).expect("from der");
        assert_eq!(stored, files);
        let opened = stored.open(&password).expect("open");
        assert_eq!(opened.key.to_le_bytes()[..], key.to_le_bytes()[..]);
        assert_eq!(opened.name.as_deref(), Some("stored"));

        // Without the reserve copy, and with pieces missing or doubled.
        let lean = ContainerFiles {
            reserve: None,
            name: None,
            ..files.clone()
        };
        assert_eq!(
            ContainerFiles::from_der(&lean.to_der()).expect("lean"),
            lean
        );
        // A certificate installed later: the header changes, nothing else; the key still opens.
        let certificate = b"\x30\x03\x02\x01\x05";
        let header = with_certificate(&files.header, certificate).expect("install");
        let parsed = parse_header(&header).expect("installed header reads");
        assert_eq!(parsed.certificate.as_deref(), Some(&certificate[..]));
        assert_eq!(
            parsed.fingerprint,
            parse_header(&files.header).expect("before").fingerprint
        );
        let again = with_certificate(&header, b"\x30\x03\x02\x01\x06").expect("replace");
        assert_eq!(
            parse_header(&again).expect("again").certificate.as_deref(),
            Some(&b"\x30\x03\x02\x01\x06"[..])
        );
        let installed = ContainerFiles {
            header,
            ..files.clone()
        };
        assert_eq!(
            installed.open(&password).expect("open").key.to_le_bytes()[..],
            key.to_le_bytes()[..]
        );

        let stored = files.to_der();
        for cut in 0..stored.len() {
            assert!(ContainerFiles::from_der(&stored[..cut]).is_err());
        }
        use super::der::write;
        let header_only = write::sequence(&[&write::sequence(&[
            &der::write::tlv(tag::IA5_STRING, b"header.key"),
            &write::octets(b"x"),
        ])]);
        assert!(ContainerFiles::from_der(&header_only).is_err());
        let twice = write::sequence(&[&header_only[2..], &header_only[2..]]);
        assert!(ContainerFiles::from_der(&twice).is_err());
    }
}
