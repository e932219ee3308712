//! Opening an old encrypted document with whichever key fits — the use case behind `certkeeper
//! decrypt` and the window's "Old documents" page.
//!
//! A document (CMS EnvelopedData or AuthEnvelopedData, RFC 5652 / RFC 5083) names its recipients.
//! Keys are looked for in [`KeySource`]s, in the order the caller gives them — the archive first
//! (its unlocked keys, then its locked containers, whose password is asked through the
//! [`Prompt`]), then keys that stay on tokens. The content is streamed into a temporary file beside
//! the output and renamed only when the whole document decrypted and its tag or MAC matched; a
//! document signed and then encrypted is unwrapped once more, its signers checked, and the signed
//! content is the output.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use zeroize::Zeroizing;

use crate::cert::{Certificate, format_time};
use crate::cms::content::{ContentCipher, KeyStream};
use crate::cms::recipients::{Recipient, RecipientId};
use crate::cms::signed::{self, Signer};
use crate::cms::{CmsError, Document, armor};
use crate::files::{self, FileError, Mode};
use crate::interact::Prompt;

/// An error of a key source that is not core's own (the archive's, a token's).
pub type SourceError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a document did not open.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The document cannot be read, is damaged, or is of a form certkeeper does not open.
    #[error("{0}")]
    Document(#[from] CmsError),
    /// No key of any source fits: to whom the document was encrypted.
    #[error("no archived key or token key fits")]
    NoKeyFits {
        /// The recipients, with what the archive knows of their certificates.
        wanted: Vec<Wanted>,
    },
    /// The output file exists; it is never replaced.
    #[error("{} exists already", path.display())]
    OutputExists {
        /// The output.
        path: PathBuf,
    },
    /// Writing the output failed.
    #[error("{0}")]
    Output(#[source] FileError),
    /// The document is not a regular file, or cannot be opened.
    #[error("{0}")]
    Input(#[source] FileError),
    /// A key source failed (the archive could not be read, a token refused its PIN, a container's
    /// password was wrong or not given).
    #[error("{0}")]
    Source(#[source] SourceError),
    /// The key given (`decrypt --key`) opens none of the document's recipients.
    #[error("the key given opens none of the document's recipients")]
    KeyDoesNotFit {
        /// To whom the document was encrypted.
        recipients: Vec<String>,
    },
    /// The document is EncryptedData: encrypted with a key the parties share, not to a certificate,
    /// so no archived key opens it; the content key has to be given.
    #[error("encrypted with a shared key ({cipher}), not to a certificate")]
    SharedKeyNeeded {
        /// The content cipher.
        cipher: String,
    },
}

impl From<FileError> for OpenError {
    fn from(error: FileError) -> Self {
        match error {
            FileError::Exists { path } => Self::OutputExists { path },
            other => Self::Output(other),
        }
    }
}

/// A certificate a key source knows for a recipient, found without opening any key.
#[derive(Debug, Clone)]
pub struct Known {
    /// Its id in the archive.
    pub certificate_id: i64,
    /// The certificate, when it reads.
    pub certificate: Option<Certificate>,
    /// Whether the archive keeps its private key (unlocked or in a container).
    pub key_kept: bool,
}

/// A content key and the key that opened it.
pub struct Unwrapped {
    /// The content-encryption key.
    pub content_key: Zeroizing<Vec<u8>>,
    /// The certificate of the key that opened it (`None`: a key archived without one).
    pub certificate: Option<Certificate>,
    /// What the key is, when it has no certificate (shown instead of the subject).
    pub key_name: Option<String>,
    /// Its id in the archive, when the archive keeps it.
    pub certificate_id: Option<i64>,
    /// The token's label, when the key stays on a token.
    pub token: Option<String>,
}

/// Where keys are looked for: the archive, tokens, a test's keys in memory.
pub trait KeySource {
    /// The certificates this source knows for `id`, without opening a key or asking anything.
    fn known(&self, id: &RecipientId) -> Result<Vec<Known>, OpenError> {
        let _ = id;
        Ok(Vec::new())
    }

    /// The content key for one of `recipients`, asking through `prompt` for what the source needs
    /// (a container's password, a token's PIN — once, never retried). `None` when this source holds
    /// no key for any of them; an error when it holds one and could not use it.
    fn content_key(
        &mut self,
        recipients: &[Recipient],
        prompt: &dyn Prompt,
    ) -> Result<Option<Unwrapped>, OpenError>;
}

/// A recipient no key was found for, for the person to look for (JSON of `decrypt`, documented in
/// the README).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wanted {
    /// The issuer and serial number, or the key identifier, as the document names it.
    pub recipient: String,
    /// When the certificate itself is archived (without its key): its subject.
    pub subject: Option<String>,
    /// And its validity.
    pub valid: Option<String>,
}

/// "from – to" of a certificate, as documents and the window show it.
pub fn validity(certificate: &Certificate) -> String {
    format!(
        "{} – {}",
        format_time(certificate.not_before),
        format_time(certificate.not_after)
    )
}

/// One recipient of a document and what the key sources know of it.
#[derive(Debug, Clone)]
pub struct RecipientInfo {
    /// The recipient as the document names it.
    pub recipient: String,
    /// The archived certificates it names (none when the archive does not know it).
    pub known: Vec<Known>,
}

impl RecipientInfo {
    /// Whether a source keeps a key for this recipient.
    pub fn key_kept(&self) -> bool {
        self.known.iter().any(|known| known.key_kept)
    }

    /// What to look for when no key opened the document: the recipient, or each archived
    /// certificate of it that is kept without its key.
    fn wanted(&self) -> Vec<Wanted> {
        let without_key: Vec<&Known> = self.known.iter().filter(|k| !k.key_kept).collect();
        if self.known.is_empty() {
            return vec![Wanted {
                recipient: self.recipient.clone(),
                subject: None,
                valid: None,
            }];
        }
        without_key
            .into_iter()
            .map(|known| Wanted {
                recipient: self.recipient.clone(),
                subject: known.certificate.as_ref().map(|c| c.subject.to_string()),
                valid: known.certificate.as_ref().map(validity),
            })
            .collect()
    }
}

/// What a document says before it is opened: its recipients and what the sources know of each.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The recipients certkeeper can use.
    pub recipients: Vec<RecipientInfo>,
    /// The content cipher's name.
    pub cipher: String,
    /// What kind of document it is.
    pub kind: DocumentKind,
}

/// What kind of document was chosen, as far as opening it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentKind {
    /// Encrypted to recipients (EnvelopedData, AuthEnvelopedData): a recipient's key opens it.
    ToRecipients,
    /// Encrypted with a key the parties share (EncryptedData): the content key has to be given.
    SharedKey,
    /// Not encrypted: signed or digested; its content is written out and checked.
    NotEncrypted,
}

impl Inspection {
    /// Whether a source keeps a key for some recipient (so opening it needs that source unlocked).
    pub fn key_kept(&self) -> bool {
        self.recipients.iter().any(RecipientInfo::key_kept)
    }

    /// What to look for, when no key opens it.
    pub fn wanted(&self) -> Vec<Wanted> {
        self.recipients
            .iter()
            .flat_map(RecipientInfo::wanted)
            .collect()
    }
}

/// An open document of any kind and its size in bytes.
fn read_any_document(input: &Path) -> Result<(Document<Box<dyn Read>>, u64), OpenError> {
    // Only a regular file is opened: a FIFO or a device in a folder of documents never hangs it.
    let file = files::open_regular(input).map_err(OpenError::Input)?;
    let size = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    let (_, reader) = armor::unwrap(file).map_err(CmsError::Read)?;
    Ok((Document::open(reader)?, size))
}

/// An open document encrypted to recipients, and its size in bytes.
fn read_document(input: &Path) -> Result<(Document<Box<dyn Read>>, u64), OpenError> {
    let (document, size) = read_any_document(input)?;
    if document.envelope.shared_key {
        return Err(OpenError::SharedKeyNeeded {
            cipher: document.envelope.cipher.name(),
        });
    }
    if document.envelope.recipients.is_empty() {
        return Err(CmsError::Unsupported {
            what: format!(
                "recipients of the kinds {}",
                document.envelope.unsupported_recipients.join(", ")
            ),
        }
        .into());
    }
    Ok((document, size))
}

fn known_by(sources: &[&mut dyn KeySource], id: &RecipientId) -> Result<Vec<Known>, OpenError> {
    for source in sources {
        let known = source.known(id)?;
        if !known.is_empty() {
            return Ok(known);
        }
    }
    Ok(Vec::new())
}

fn inspect_recipients(
    sources: &[&mut dyn KeySource],
    recipients: &[Recipient],
) -> Result<Vec<RecipientInfo>, OpenError> {
    recipients
        .iter()
        .map(|recipient| {
            Ok(RecipientInfo {
                recipient: recipient.id.to_string(),
                known: known_by(sources, &recipient.id)?,
            })
        })
        .collect()
}

/// To whom `input` was encrypted and what `sources` know of each recipient, without opening any
/// key (the archive's public part needs no passphrase).
pub fn inspect(sources: &[&mut dyn KeySource], input: &Path) -> Result<Inspection, OpenError> {
    let (document, _) = match read_document(input) {
        Err(OpenError::SharedKeyNeeded { cipher }) => {
            return Ok(Inspection {
                recipients: Vec::new(),
                cipher,
                kind: DocumentKind::SharedKey,
            });
        }
        Err(OpenError::Document(CmsError::NotEncrypted { content_type }))
            if content_type == signed::SIGNED_DATA || content_type == signed::DIGESTED_DATA =>
        {
            return Ok(Inspection {
                recipients: Vec::new(),
                cipher: String::new(),
                kind: DocumentKind::NotEncrypted,
            });
        }
        other => other?,
    };
    Ok(Inspection {
        recipients: inspect_recipients(sources, &document.envelope.recipients)?,
        cipher: document.envelope.cipher.name(),
        kind: DocumentKind::ToRecipients,
    })
}

/// A content key written as hexadecimal digits (spaces, line breaks and colons allowed), as senders
/// hand keys over; `None` when it is not.
pub fn content_key_from_hex(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let digits: Zeroizing<String> = Zeroizing::new(
        text.chars()
            .filter(|c| !c.is_whitespace() && *c != ':')
            .collect(),
    );
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return None;
    }
    let mut key = Zeroizing::new(Vec::with_capacity(digits.len() / 2));
    for at in (0..digits.len()).step_by(2) {
        key.push(u8::from_str_radix(digits.get(at..at + 2)?, 16).ok()?);
    }
    Some(key)
}

/// What opened a document (JSON of `decrypt`, documented in the README).
#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    /// The document.
    pub input: PathBuf,
    /// Where the content was written.
    pub output: PathBuf,
    /// The archived certificate whose key opened it (null when a token's key opened it and its
    /// certificate is not archived).
    pub certificate_id: Option<i64>,
    /// The label of the token whose key opened it, when the key is on a token.
    pub token: Option<String>,
    /// Its subject's name.
    pub subject: String,
    /// Its serial number.
    pub serial: String,
    /// The content cipher.
    pub cipher: String,
    /// Bytes written.
    pub bytes: u64,
    /// When the document was signed, then encrypted: its signers and whether each signature
    /// verifies (the output is then the signed content itself).
    pub signers: Vec<Signer>,
    /// Whether the content was decrypted with the CTR-ACPKM key stream of OpenSSL's GOST engine
    /// 3.0.x rather than the standard's (found by the document's MAC, or asked for).
    pub openssl_engine_key_stream: bool,
    /// When the document was not encrypted at all: signed or digested.
    pub not_encrypted: Option<Unencrypted>,
    /// Whether the content key given was read in reverse byte order (as GOST standards print keys).
    pub content_key_reversed: bool,
}

/// Who follows a document being opened: progress (bytes read of the file's size), and a flag that
/// stops it (the output is then never written: the temporary file is removed); and the CTR-ACPKM
/// key stream asked for.
#[derive(Default)]
pub struct Watch<'a> {
    /// Told (bytes read, file size) as the document is read.
    pub progress: Option<&'a mut dyn FnMut(u64, u64)>,
    /// Set by the person to stop.
    pub stop: Option<&'a std::sync::atomic::AtomicBool>,
    /// The CTR-ACPKM key stream: the standard's (and, for a document with a MAC that fails, OpenSSL's
    /// GOST engine 3.0.x's tried after it), or the engine's asked for (a document without a MAC
    /// cannot tell).
    pub key_stream: KeyStream,
}

/// A writer that fails once `stop` is set, which ends the decryption cleanly.
struct Guarded<'a, W> {
    inner: W,
    stop: Option<&'a std::sync::atomic::AtomicBool>,
}

impl<W: Write> Write for Guarded<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self
            .stop
            .is_some_and(|stop| stop.load(std::sync::atomic::Ordering::SeqCst))
        {
            // Not `Interrupted`: `write_all` retries those.
            return Err(std::io::Error::other("stopped by the person"));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Refuses an output that exists: it is never replaced.
fn never_over(output: &Path) -> Result<(), OpenError> {
    if files::taken(output) {
        return Err(OpenError::OutputExists {
            path: output.to_path_buf(),
        });
    }
    Ok(())
}

/// Opens `input` into `output` with the first key of `sources` that fits, in their order. A document
/// that is signed or digested and not encrypted has its content written out as well, each signature
/// checked (the signer's certificate from the document or the sources) or its digest.
pub fn open_document(
    sources: &mut [&mut dyn KeySource],
    prompt: &dyn Prompt,
    input: &Path,
    output: &Path,
    watch: &mut Watch<'_>,
) -> Result<Opened, OpenError> {
    never_over(output)?;
    let (document, size) = match read_document(input) {
        Err(OpenError::Document(CmsError::NotEncrypted { content_type }))
            if content_type == signed::SIGNED_DATA || content_type == signed::DIGESTED_DATA =>
        {
            let find = |id: &RecipientId| -> Option<Certificate> {
                known_by(sources, id)
                    .ok()?
                    .into_iter()
                    .find_map(|known| known.certificate)
            };
            return open_unencrypted(input, output, &find);
        }
        other => other?,
    };
    let cipher = document.envelope.cipher.name();
    let mut recipients = document.envelope.recipients.clone();
    // A static originator key of a key agreement: its certificate from the sources (the archive).
    for recipient in &mut recipients {
        if let Some(id) = recipient.originator_wanted().cloned()
            && let Some(certificate) = known_by(sources, &id)?
                .into_iter()
                .find_map(|known| known.certificate)
        {
            recipient.set_originator(&certificate);
        }
    }
    let mut found = None;
    for source in sources.iter_mut() {
        if let Some(unwrapped) = source.content_key(&recipients, prompt)? {
            found = Some(unwrapped);
            break;
        }
    }
    let Some(found) = found else {
        let wanted = inspect_recipients(sources, &recipients)?
            .iter()
            .flat_map(RecipientInfo::wanted)
            .collect();
        return Err(OpenError::NoKeyFits { wanted });
    };
    let certificate_id = match (found.certificate_id, &found.certificate) {
        (Some(id), _) => Some(id),
        (None, Some(certificate)) => {
            let named = RecipientId::IssuerSerial {
                issuer: certificate.issuer.to_string(),
                serial: certificate.serial.clone(),
            };
            known_by(sources, &named)?
                .first()
                .map(|known| known.certificate_id)
        }
        (None, None) => None,
    };
    let find = |id: &RecipientId| -> Option<Certificate> {
        known_by(sources, id)
            .ok()?
            .into_iter()
            .find_map(|known| known.certificate)
    };
    let decrypted = decrypt_into(
        document,
        input,
        &found.content_key,
        size,
        output,
        watch,
        &find,
    )?;
    Ok(Opened {
        certificate_id,
        token: found.token,
        subject: found
            .certificate
            .as_ref()
            .map(|certificate| certificate.subject.display_name().to_owned())
            .or(found.key_name)
            .unwrap_or_default(),
        serial: found
            .certificate
            .map(|certificate| certificate.serial)
            .unwrap_or_default(),
        ..Opened::of(input, output, cipher, decrypted)
    })
}

/// Opens `input` into `output` with the content-encryption key given by the person (EncryptedData,
/// whose key the parties share; or any document whose content key is known): a wrong key fails the
/// document's MAC or padding where it has one. GOST standards print keys as numbers, most
/// significant byte first: a key that fails the document's MAC as given is tried in reverse byte
/// order (`reversed` asks for that order at once, for a document without a MAC to tell), and the
/// result says which (`Opened::content_key_reversed`).
pub fn open_with_content_key(
    content_key: &[u8],
    reversed: bool,
    input: &Path,
    output: &Path,
    watch: &mut Watch<'_>,
) -> Result<Opened, OpenError> {
    never_over(output)?;
    let backwards = || {
        let mut key = Zeroizing::new(content_key.to_vec());
        key.reverse();
        key
    };
    let with = |key: &[u8], watch: &mut Watch<'_>| {
        let (document, size) = read_any_document(input)?;
        opened_with_key_given(document, size, key, "", input, output, watch)
    };
    let mut opened = if reversed {
        with(&backwards(), watch)?
    } else {
        match with(content_key, watch) {
            Err(OpenError::Document(CmsError::Corrupted { .. })) => with(&backwards(), watch)?,
            other => return other,
        }
    };
    opened.content_key_reversed = true;
    Ok(opened)
}

/// Decrypts `document` with a content key found from what the person gave (no archived
/// certificate behind it); `subject` says what that was.
fn opened_with_key_given(
    document: Document<Box<dyn Read>>,
    size: u64,
    content_key: &[u8],
    subject: &str,
    input: &Path,
    output: &Path,
    watch: &mut Watch<'_>,
) -> Result<Opened, OpenError> {
    let cipher = document.envelope.cipher.name();
    let decrypted = decrypt_into(document, input, content_key, size, output, watch, &|_| None)?;
    Ok(Opened {
        subject: subject.to_owned(),
        ..Opened::of(input, output, cipher, decrypted)
    })
}

/// Opens `input` into `output` with a private key the person has at hand (`decrypt --key`, as
/// `openssl cms -decrypt -inkey` does): every recipient is tried with it, whatever certificate the
/// document names (each GOST and RSA-OAEP wrap has an integrity check, so a wrong key fails safely).
/// `name` says which key it was in the result. `originators` are certificates the person gives for
/// a key agreement with the sender's static key (besides those in the document).
pub fn open_with_key(
    key: &crate::formats::pkcs8::KeyInfo,
    name: &str,
    originators: &[Certificate],
    input: &Path,
    output: &Path,
    watch: &mut Watch<'_>,
) -> Result<Opened, OpenError> {
    never_over(output)?;
    let (document, size) = read_document(input)?;
    let mut content_key = None;
    let mut unsupported = None;
    let mut recipients = document.envelope.recipients.clone();
    for recipient in &mut recipients {
        for certificate in originators {
            recipient.set_originator(certificate);
        }
    }
    for recipient in &recipients {
        match recipient.unwrap_key(key) {
            Ok(unwrapped) => {
                content_key = Some(unwrapped);
                break;
            }
            // Not this recipient's key (another key, another curve).
            Err(CmsError::WrongKey | CmsError::Corrupted { .. } | CmsError::Crypto(_)) => {}
            Err(error @ (CmsError::Unsupported { .. } | CmsError::OriginatorUnknown { .. })) => {
                unsupported = Some(error)
            }
            Err(other) => return Err(other.into()),
        }
    }
    if let (None, Some(error)) = (&content_key, unsupported) {
        return Err(error.into());
    }
    let Some(content_key) = content_key else {
        return Err(key_does_not_fit(&document.envelope.recipients));
    };
    opened_with_key_given(document, size, &content_key, name, input, output, watch)
}

/// A signed or digested document, not encrypted: its content written to `output` whole or not at
/// all, each signer checked (certificates from the document, else `find`) or the digest (a digest
/// that does not match writes nothing).
fn open_unencrypted(
    input: &Path,
    output: &Path,
    find: &dyn Fn(&RecipientId) -> Option<Certificate>,
) -> Result<Opened, OpenError> {
    let read = || -> Result<Box<dyn Read>, OpenError> {
        let file = files::open_regular(input).map_err(OpenError::Input)?;
        Ok(armor::unwrap(file).map_err(CmsError::Read)?.1)
    };
    let mut start = [0u8; 32];
    let peeked = read()?.read(&mut start).map_err(CmsError::Read)?;
    let signed_data = signed::is_signed_data(&start[..peeked]);
    let mut outcome = (Vec::new(), Unencrypted::Signed);
    let bytes = files::write_whole(output, Mode::PRIVATE_NEW, |writer| {
        if signed_data {
            let (bytes, signers) = signed::unwrap(read()?, writer, find)?;
            outcome.0 = signers;
            Ok::<_, OpenError>(bytes)
        } else {
            let (bytes, digest) = signed::unwrap_digested(read()?, writer)?;
            outcome.1 = Unencrypted::Digested(digest);
            Ok(bytes)
        }
    })?;
    let (signers, unencrypted) = outcome;
    Ok(Opened {
        not_encrypted: Some(unencrypted),
        ..Opened::of(
            input,
            output,
            String::new(),
            (bytes, signers, KeyStream::Standard),
        )
    })
}

impl Opened {
    /// `input` opened into `output` with `cipher`: the bytes written, the signers and the key stream
    /// of [`decrypt_into`]; by no archived certificate, token or key name (callers add theirs).
    fn of(
        input: &Path,
        output: &Path,
        cipher: String,
        (bytes, signers, stream): (u64, Vec<Signer>, KeyStream),
    ) -> Self {
        Self {
            input: input.to_path_buf(),
            output: output.to_path_buf(),
            certificate_id: None,
            token: None,
            subject: String::new(),
            serial: String::new(),
            cipher,
            bytes,
            signers,
            openssl_engine_key_stream: stream == KeyStream::OpensslGostEngine30,
            not_encrypted: None,
            content_key_reversed: false,
        }
    }
}

/// What a document that opened without a key was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "digest")]
pub enum Unencrypted {
    /// Signed (SignedData): its signers are in [`Opened::signers`].
    Signed,
    /// Digested (DigestedData) with this digest, which matches.
    Digested(String),
}

/// The key given opens none of `recipients`: who they are.
fn key_does_not_fit(recipients: &[Recipient]) -> OpenError {
    OpenError::KeyDoesNotFit {
        recipients: recipients
            .iter()
            .map(|recipient| recipient.id.to_string())
            .collect(),
    }
}

/// Finds the content key of one of a document's recipients, asking nothing.
pub type ContentKeyFor<'a> = dyn Fn(&[Recipient]) -> Option<Zeroizing<Vec<u8>>> + 'a;

/// Decrypts an EnvelopedData held in memory (`document`, DER: a part of a file, such as a PFX in
/// public-key privacy mode) with the content key `content_key` finds for its recipients.
pub fn open_in_memory(
    document: &[u8],
    content_key: &ContentKeyFor<'_>,
) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    let document = Document::open(std::io::Cursor::new(document))?;
    let Some(key) = content_key(&document.envelope.recipients) else {
        return Err(key_does_not_fit(&document.envelope.recipients));
    };
    let mut out = Zeroizing::new(Vec::new());
    document.decrypt_to(&key, &mut *out, &mut |_| {})?;
    Ok(out)
}

/// Decrypts into `output` whole or not at all with the key stream `watch` asks for; a signed content
/// inside is unwrapped in turn. A CTR-ACPKM-OMAC document whose MAC fails with the standard's key
/// stream is read again (from `input`) with that of OpenSSL's GOST engine 3.0.x, which encrypts past
/// the first section with another one (`docs/gost-acpkm-openssl.md`): when the MAC then holds, it
/// opens, and the key stream used is returned so that it is said.
fn decrypt_into(
    document: Document<Box<dyn Read>>,
    input: &Path,
    content_key: &[u8],
    size: u64,
    output: &Path,
    watch: &mut Watch<'_>,
    find: &dyn Fn(&RecipientId) -> Option<Certificate>,
) -> Result<(u64, Vec<Signer>, KeyStream), OpenError> {
    let stream = watch.key_stream;
    let second_chance = stream == KeyStream::Standard
        && matches!(
            document.envelope.cipher,
            ContentCipher::CtrAcpkm { omac: true, .. }
        );
    match decrypt_once(document, content_key, stream, size, output, watch, find) {
        Err(error @ OpenError::Document(CmsError::Corrupted { .. })) if second_chance => {
            let (document, size) = read_any_document(input)?;
            let engine = KeyStream::OpensslGostEngine30;
            match decrypt_once(document, content_key, engine, size, output, watch, find) {
                Ok((bytes, signers)) => Ok((bytes, signers, engine)),
                Err(_) => Err(error),
            }
        }
        other => other.map(|(bytes, signers)| (bytes, signers, stream)),
    }
}

/// [`decrypt_into`] with one key stream.
fn decrypt_once(
    document: Document<Box<dyn Read>>,
    content_key: &[u8],
    stream: KeyStream,
    size: u64,
    output: &Path,
    watch: &mut Watch<'_>,
    find: &dyn Fn(&RecipientId) -> Option<Certificate>,
) -> Result<(u64, Vec<Signer>), OpenError> {
    let decrypted = files::temporary_beside(output, "decrypted");
    let result = (|| {
        files::write_whole(&decrypted, Mode::PRIVATE_NEW, |writer| {
            let mut progress = |done: u64| {
                if let Some(report) = watch.progress.as_mut() {
                    report(done, size);
                }
            };
            let mut guarded = Guarded {
                inner: writer,
                stop: watch.stop,
            };
            document
                .decrypt_with(content_key, stream, &mut guarded, &mut progress)
                .map_err(OpenError::from)
        })?;
        let mut start = [0u8; 16];
        let mut file = std::fs::File::open(&decrypted).map_err(CmsError::Read)?;
        let read = file.read(&mut start).map_err(CmsError::Read)?;
        if signed::is_signed_data(&start[..read]) {
            // Signed, then encrypted: the signed content is the output, and the signers checked.
            let signed_file = std::io::BufReader::with_capacity(
                1 << 16,
                std::fs::File::open(&decrypted).map_err(CmsError::Read)?,
            );
            files::write_whole(output, Mode::PRIVATE_NEW, |writer| {
                signed::unwrap(signed_file, writer, find).map_err(OpenError::from)
            })
        } else {
            let bytes = file.metadata().map_err(CmsError::Read)?.len();
            drop(file);
            if files::taken(output) {
                return Err(OpenError::OutputExists {
                    path: output.to_path_buf(),
                });
            }
            std::fs::rename(&decrypted, output).map_err(CmsError::Write)?;
            Ok((bytes, Vec::new()))
        }
    })();
    let _ = std::fs::remove_file(&decrypted);
    result
}

/// Where the content of `input` goes by default: beside it, without `.p7m`/`.p7e`/`.cms`/`.enc`.
pub fn default_output(input: &Path) -> PathBuf {
    let name = input
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".to_owned());
    let lower = name.to_lowercase();
    let stripped = [".p7m", ".p7e", ".cms", ".enc"]
        .iter()
        .find_map(|ext| {
            lower
                .ends_with(ext)
                .then(|| name[..name.len() - ext.len()].to_owned())
        })
        .filter(|stem| !stem.is_empty())
        .unwrap_or_else(|| format!("{name}.decrypted"));
    input.with_file_name(stripped)
}

/// One document of a folder to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The document.
    pub input: PathBuf,
    /// Where its content goes.
    pub output: PathBuf,
    /// Its output exists already (opened by an earlier run): it is left as it is, so a folder can
    /// be opened again after importing the keys the first run asked for.
    pub done_before: bool,
}

/// Every file under `folder` (recursively, in name order) and where its content goes under `out`,
/// mirroring the folder's layout; `out` itself is passed over when it lies inside `folder`.
pub fn plan_folder(folder: &Path, out: &Path) -> Result<Vec<Planned>, OpenError> {
    let mut files = Vec::new();
    let mut visited = files::Visited::default();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(path) = pending.pop() {
        // Links are followed (a link to a document is a document), a folder only once.
        let is_dir = std::fs::metadata(&path)
            .is_ok_and(|metadata| metadata.is_dir() && visited.first_time(&metadata));
        if is_dir {
            if path == out {
                continue;
            }
            let entries = std::fs::read_dir(&path).map_err(CmsError::Read)?;
            for entry in entries {
                pending.push(entry.map_err(CmsError::Read)?.path());
            }
        } else if !std::fs::metadata(&path).is_ok_and(|metadata| metadata.is_dir()) {
            // Anything else is planned; a FIFO or device is refused when opened, and said so.
            files.push(path);
        }
    }
    files.sort();
    Ok(files
        .into_iter()
        .map(|input| {
            let relative = input.strip_prefix(folder).unwrap_or(&input);
            let output = default_output(&out.join(relative));
            let done_before = files::taken(&output);
            Planned {
                input,
                output,
                done_before,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests;
