//! Getting a new certificate — the use case behind `certkeeper request` and the window's Requests
//! page, following the CA guide's steps (DESIGN.md): the key is made on the medium the person chose,
//! a request with the qualified fields is signed by it, sent to the CA over CMP with the CA's one-time
//! code (or written as a PKCS#10 file for any other CA), the CA is asked again until the certificate
//! is issued, and the certificate is installed beside its key and archived with it.
//!
//! Each request is a job kept in the archive ([`Requests`], which storage implements) and saved
//! before every network step, so a process killed at any point continues from the archive
//! ([`advance`]); several jobs may wait at once. States: key generated → request made → submitted →
//! waiting → issued → installed, or rejected (the CA's words) or cancelled; nothing is ever deleted.
//!
//! - [`name`] — the subject from RFC 4514 text, with INN, SNILS, OGRN… as CAs expect them.
//! - [`pkcs10`] — PKCS#10 and CRMF requests with the qualified certificate's extensions.
//! - [`sign`] — who signs: a GOST key in memory, or a token.
//! - [`cmp`] — CMP messages (RFC 4210, RFC 9483).
//! - [`http`] — CMP over HTTP (RFC 6712).

pub mod cmp;
pub mod http;
pub mod name;
pub mod pkcs10;
pub mod sign;

use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::cert::Certificate;
use crate::copy::Medium;
use crate::crypto::gost::{ParamSet, PrivateKey};
use crate::error::FormatError;
use crate::files::{self, FileError};
use crate::formats::cryptopro::{self, ContainerFiles};
use crate::formats::der::write;
use crate::formats::pkcs8::{GostAlgorithm, KeyInfo, PublicKeyMaterial};
use crate::import::{FileImport, KeyImport, UnlockedKey};
use crate::interact::{Declined, Prompt, Request};
use crate::keys::ContainerKind;
use crate::media::pkcs11::{KeySpec, TokenError};
use crate::media::registry::{RegistryStore, Stored, folder_stem};
use crate::media::tokens::Tokens;
use crate::open::SourceError;
use cmp::{Answer, CmpError, Protection, Status, Transaction};
use http::Transport;
use name::{Subject, SubjectError};
use pkcs10::{Family, OldCertificate, RequestContents};
use sign::{GostSigner, SignError, Signer, TokenSigner};

/// Where a request job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The key is on its medium (and, for containers, in the archive).
    KeyGenerated,
    /// The request is signed and kept; nothing sent yet.
    RequestMade,
    /// Sent to the CA; no answer recorded yet.
    Submitted,
    /// The CA is issuing; asked again at the job's next poll time.
    Waiting,
    /// The CA issued the certificate; it is being confirmed and installed.
    Issued,
    /// Installed beside its key and archived.
    Installed,
    /// The CA refused (its words in the job's error).
    Rejected,
    /// Cancelled by its owner.
    Cancelled,
}

impl State {
    /// The name the archive and `--json` use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::KeyGenerated => "key_generated",
            Self::RequestMade => "request_made",
            Self::Submitted => "submitted",
            Self::Waiting => "waiting",
            Self::Issued => "issued",
            Self::Installed => "installed",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads [`State::as_str`]'s names.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::KeyGenerated,
            Self::RequestMade,
            Self::Submitted,
            Self::Waiting,
            Self::Issued,
            Self::Installed,
            Self::Rejected,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }

    /// Whether the job is over (installed, rejected or cancelled).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Installed | Self::Rejected | Self::Cancelled)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The key a request is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// GOST R 34.10-2012 with a 256-bit key on this parameter set.
    Gost2012_256(ParamSet),
    /// GOST R 34.10-2012 with a 512-bit key.
    Gost2012_512(ParamSet),
    /// RSA with a 2048-bit modulus (tokens).
    Rsa2048,
    /// ECDSA on NIST P-256 (tokens).
    EcP256,
}

impl Algorithm {
    /// Reads `gost2012-256[:SET]` (the default, CryptoPro A), `gost2012-512[:SET]`, `rsa2048`,
    /// `ec-p256`.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match KeySpec::parse(text)? {
            KeySpec::Gost2012(set) if set.bits() == 512 => Self::Gost2012_512(set),
            KeySpec::Gost2012(set) => Self::Gost2012_256(set),
            KeySpec::Rsa(2048) => Self::Rsa2048,
            KeySpec::EcP256 => Self::EcP256,
            _ => return None,
        })
    }

    /// The name `--algorithm` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gost2012_256(_) => "gost2012-256",
            Self::Gost2012_512(_) => "gost2012-512",
            Self::Rsa2048 => "rsa2048",
            Self::EcP256 => "ec-p256",
        }
    }

    fn spec(self) -> KeySpec {
        match self {
            Self::Gost2012_256(set) | Self::Gost2012_512(set) => KeySpec::Gost2012(set),
            Self::Rsa2048 => KeySpec::Rsa(2048),
            Self::EcP256 => KeySpec::EcP256,
        }
    }

    fn family(self) -> Family {
        match self {
            Self::Gost2012_256(_) | Self::Gost2012_512(_) => Family::Gost,
            Self::Rsa2048 => Family::Rsa,
            Self::EcP256 => Family::Ec,
        }
    }
}

impl Default for Algorithm {
    fn default() -> Self {
        Self::Gost2012_256(ParamSet::CryptoProA)
    }
}

/// CMP's certificate request messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Initialization request: the first certificate, with the CA's one-time code.
    Ir,
    /// Certification request: another certificate, with the one-time code.
    Cr,
    /// A PKCS#10 request inside CMP.
    P10cr,
    /// Key update request: a renewal signed with the current certificate's key.
    Kur,
}

impl Command {
    /// Reads `ir`, `cr`, `p10cr`, `kur`.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ir" => Self::Ir,
            "cr" => Self::Cr,
            "p10cr" => Self::P10cr,
            "kur" => Self::Kur,
            _ => return None,
        })
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ir => "ir",
            Self::Cr => "cr",
            Self::P10cr => "p10cr",
            Self::Kur => "kur",
        }
    }
}

/// A request job as the archive keeps it. The one-time code is not here: it is sealed apart
/// ([`Requests::secret`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The archive's id of the job (0 before it is kept).
    pub id: i64,
    /// Where it is.
    pub state: State,
    /// Who the certificate is for, as a person reads it.
    pub subject: String,
    /// The subject, DER.
    pub subject_der: Vec<u8>,
    /// Where the key is: `dir:PATH`, `registry` or `token:LABEL`.
    pub medium: String,
    /// The key on it: the container's folder, or the token key's CKA_ID in hex.
    pub key_place: String,
    /// `--algorithm`'s name.
    pub algorithm: String,
    /// The public key's identifier ([`PublicKeyMaterial::id`]).
    pub public_key: String,
    /// The PKCS#10 request, DER (empty until made).
    pub csr: Vec<u8>,
    /// The CRMF CertReqMsg for `ir`/`cr`, DER.
    pub cert_req_msg: Vec<u8>,
    /// The CertReqMsg for `kur` (with the renewed certificate's id), DER; empty when not a renewal.
    pub kur_req_msg: Vec<u8>,
    /// The SHA-1 thumbprint of the certificate this one renews.
    pub renews: Option<String>,
    /// The CA's CMP address.
    pub ca: Option<String>,
    /// The CMP command used.
    pub command: Option<String>,
    /// The reference of the CA's one-time code.
    pub reference: Option<String>,
    /// The CMP transaction under way.
    pub transaction: Option<Transaction>,
    /// When the CA is asked next (Unix time).
    pub next_poll: Option<i64>,
    /// The issued certificate, DER, until it is installed.
    pub certificate: Option<Vec<u8>>,
    /// The CA's certificates sent with it.
    pub chain: Vec<Vec<u8>>,
    /// Whether the CA took the confirmation (certConf answered by pkiconf).
    pub confirmed: bool,
    /// The archive's id of the installed certificate.
    pub certificate_id: Option<i64>,
    /// The last error, or the CA's reason for a rejection.
    pub error: Option<String>,
    /// When the job was made (Unix time).
    pub created: i64,
    /// When it last changed.
    pub updated: i64,
}

impl Job {
    /// A job for a key about to be made at `at`: nothing signed, sent or received yet.
    pub fn new(
        subject: &str,
        subject_der: &[u8],
        medium: &Medium,
        algorithm: &str,
        at: i64,
    ) -> Self {
        Self {
            id: 0,
            state: State::KeyGenerated,
            subject: subject.to_owned(),
            subject_der: subject_der.to_vec(),
            medium: medium.to_string(),
            key_place: String::new(),
            algorithm: algorithm.to_owned(),
            public_key: String::new(),
            csr: Vec::new(),
            cert_req_msg: Vec::new(),
            kur_req_msg: Vec::new(),
            renews: None,
            ca: None,
            command: None,
            reference: None,
            transaction: None,
            next_poll: None,
            certificate: None,
            chain: Vec::new(),
            confirmed: false,
            certificate_id: None,
            error: None,
            created: at,
            updated: at,
        }
    }
}

/// How the one-time code is kept with a save.
#[derive(Debug, Clone, Copy)]
pub enum Secret<'a> {
    /// Left as it is.
    Keep,
    /// Replaced (sealed by the archive).
    Set(&'a SecretString),
    /// Forgotten: the transaction is over.
    Clear,
}

/// What a request needs of the archive. Every method is one transaction; every change of a job is
/// written to the audit log.
pub trait Requests {
    /// Keeps a new job, with the new key's container when there is one (sealed, its key unlocked):
    /// the job's id.
    fn create(&mut self, job: &Job, key: Option<&FileImport<'_>>) -> Result<i64, SourceError>;
    /// Saves the job as it is now, and the one-time code as `secret` says.
    fn save(&mut self, job: &Job, secret: Secret<'_>) -> Result<(), SourceError>;
    /// The job's one-time code (unsealed).
    fn secret(&mut self, id: i64) -> Result<Option<SecretString>, SourceError>;
    /// One job.
    fn job(&mut self, id: i64) -> Result<Option<Job>, SourceError>;
    /// Every job, newest first.
    fn jobs(&mut self) -> Result<Vec<Job>, SourceError>;
    /// Archives the installed certificate, the CA's certificates and the container with the
    /// certificate in it, and saves the job (installed), all in one transaction: the certificate's
    /// archive id.
    fn install(&mut self, job: &Job, files: &[FileImport<'_>]) -> Result<i64, SourceError>;
    /// An archived certificate by SHA-1 thumbprint or id.
    fn certificate(&mut self, thumbprint: &str) -> Result<Option<Certificate>, SourceError>;
    /// The archived private key of `certificate` (for a key update's signature).
    fn private_key(&mut self, certificate: &Certificate) -> Result<Option<KeyInfo>, SourceError>;
    /// Whether an issued certificate can be installed here (the archive is open with its
    /// passphrase); the reminder service cannot, and leaves it for the person.
    fn can_install(&self) -> bool {
        true
    }
}

/// What went wrong getting a certificate, for the catalogue to explain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnrollError {
    /// The subject text is wrong.
    #[error("{0}")]
    Subject(#[from] SubjectError),
    /// Fields of the subject's form are wrong (each named).
    #[error("{} field(s) of the subject are wrong", .0.len())]
    Fields(Vec<name::FieldError>),
    /// No key is made on this medium.
    #[error("no key is made in {medium}: {why:?}")]
    Medium {
        /// What was given.
        medium: String,
        /// Why not.
        why: MediumRefusal,
    },
    /// The certificate to renew is not in the archive.
    #[error("certificate {thumbprint} is not in the archive")]
    NotArchived {
        /// What was given.
        thumbprint: String,
    },
    /// No such job.
    #[error("there is no request {id}")]
    NoSuchJob {
        /// The job asked for.
        id: i64,
    },
    /// The job is not in a state where this can be done.
    #[error("request {id} is {state}")]
    WrongState {
        /// The job.
        id: i64,
        /// Its state.
        state: State,
    },
    /// The certificate is for another key: nothing was changed.
    #[error("the certificate {thumbprint} is not for the key of request {id}")]
    NotOurKey {
        /// The job.
        id: i64,
        /// The certificate's thumbprint.
        thumbprint: String,
    },
    /// The file given is not a certificate or a PKCS#7 bundle.
    #[error("{path}: not a certificate: {reason}")]
    NotACertificate {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A key update needs the renewed certificate's key, and the archive does not have it unlocked.
    #[error("the key of certificate {thumbprint} is not in the archive")]
    NoOldKey {
        /// The renewed certificate.
        thumbprint: String,
    },
    /// A key update needs a renewal (`--like`).
    #[error("kur renews a certificate: make the request with --like")]
    KurWithoutRenewal,
    /// No password for the new container.
    #[error("no password was given for the new container: {0}")]
    PasswordNotGiven(Declined),
    /// The key's container is not where it was written (a drive taken out).
    #[error("the key's container {} is not there", folder.display())]
    ContainerMissing {
        /// Where it was.
        folder: PathBuf,
    },
    /// CMP failed (the job is kept, with the error).
    #[error("{0}")]
    Cmp(#[from] CmpError),
    /// Signing failed.
    #[error("{0}")]
    Sign(#[from] SignError),
    /// A token refused.
    #[error("{0}")]
    Token(#[from] TokenError),
    /// A container did not read or write.
    #[error("{0}")]
    Format(#[from] FormatError),
    /// A file could not be written.
    #[error("{0}")]
    File(#[from] FileError),
    /// The archive could not be read or written.
    #[error("{0}")]
    Archive(#[source] SourceError),
}

/// Why no key is made on a medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediumRefusal {
    /// `archive` is not a key medium: keys go there on their own.
    Archive,
    /// CryptoPro containers (drives, the registry store) hold GOST keys only.
    NotGostInContainer,
    /// The token cannot make this kind of key.
    TokenCannot,
}

impl From<SourceError> for EnrollError {
    fn from(error: SourceError) -> Self {
        Self::Archive(error)
    }
}

/// What a person should know about a new request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum Notice {
    /// The container has no password: anyone with the drive can use the key, and a forgotten
    /// password could not be recovered anyway (the CA guide's warning).
    NoContainerPassword,
    /// The token still has its factory PIN (or asks for it to be changed): change it.
    DefaultPin {
        /// The token.
        label: String,
    },
    /// The key may not leave the token, so the archive keeps its certificate only.
    KeyStaysOnToken {
        /// The token.
        label: String,
    },
}

/// Where a request's subject comes from.
#[derive(Debug, Clone, Copy)]
pub enum SubjectFrom<'a> {
    /// RFC 4514 text.
    Text(&'a str),
    /// Copied from an archived certificate, which the new one renews.
    Like(&'a str),
    /// The fields of a form.
    Fields(&'a name::Fields),
}

/// Everything a request needs besides the archive.
pub struct Environment<'a> {
    /// The PKCS#11 modules to load when a token takes part.
    pub module_paths: &'a [PathBuf],
    /// The registry store.
    pub registry: &'a dyn Fn() -> Result<RegistryStore, SourceError>,
    /// Who is asked for PINs and passwords.
    pub prompt: &'a dyn Prompt,
}

/// A new job and what to tell about it.
#[derive(Debug)]
pub struct Created {
    /// The job, kept.
    pub job: Job,
    /// What the person should know.
    pub notices: Vec<Notice>,
}

/// Rutoken's (and most tokens') factory user PIN.
pub const FACTORY_PIN: &str = "12345678";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

fn random_id() -> Result<Vec<u8>, EnrollError> {
    let mut id = vec![0u8; 16];
    getrandom::fill(&mut id)
        .map_err(|error| SignError::Crypto(crate::error::CryptoError::Random(error.to_string())))?;
    Ok(id)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02X}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

/// The renewed certificate's issuer and serial number, for CRMF's oldCertID.
fn old_certificate(certificate: &Certificate) -> Option<OldCertificate> {
    use x509_parser::prelude::FromDer;
    let (_, parsed) = x509_parser::certificate::X509Certificate::from_der(&certificate.der).ok()?;
    Some(OldCertificate {
        issuer: parsed.issuer().as_raw().to_vec(),
        serial: write::tlv(0x02, parsed.tbs_certificate.raw_serial()),
    })
}

/// The request's subject, its name for people, and the certificate it renews.
fn subject_of(
    requests: &mut dyn Requests,
    from: SubjectFrom<'_>,
) -> Result<(Vec<u8>, String, Option<Certificate>), EnrollError> {
    match from {
        SubjectFrom::Text(text) => {
            let subject = Subject::parse(text)?;
            let shown = subject
                .get(crate::cert::oid::CN)
                .map(str::to_owned)
                .unwrap_or_else(|| crate::text::printable(text).into_owned());
            Ok((subject.der, shown, None))
        }
        SubjectFrom::Fields(fields) => {
            let subject = Subject::from_fields(fields).map_err(EnrollError::Fields)?;
            let shown = subject
                .get(crate::cert::oid::CN)
                .unwrap_or_default()
                .to_owned();
            Ok((subject.der, shown, None))
        }
        SubjectFrom::Like(thumbprint) => {
            let certificate =
                requests
                    .certificate(thumbprint)?
                    .ok_or_else(|| EnrollError::NotArchived {
                        thumbprint: thumbprint.to_owned(),
                    })?;
            let der = certificate
                .subject_der()
                .ok_or_else(|| EnrollError::NotArchived {
                    thumbprint: thumbprint.to_owned(),
                })?;
            let shown = certificate.subject.display_name().to_owned();
            Ok((der, shown, Some(certificate)))
        }
    }
}

/// The name CryptoPro shows for the new container: who it is for and the day it was made.
fn container_name(shown: &str, at: i64) -> String {
    let who: String = shown.chars().take(40).collect();
    format!("{who} {}", crate::cert::format_date(at))
}

/// Signs the request both ways (PKCS#10 and CRMF, and CRMF for a key update when it renews).
fn sign_requests(
    job: &mut Job,
    contents: &RequestContents,
    old: Option<&OldCertificate>,
    signer: &dyn Signer,
) -> Result<(), EnrollError> {
    job.csr = pkcs10::certification_request(contents, signer)?;
    job.cert_req_msg = pkcs10::cert_req_msg(contents, None, signer)?;
    if let Some(old) = old {
        job.kur_req_msg = pkcs10::cert_req_msg(contents, Some(old), signer)?;
    }
    Ok(())
}

/// Makes a key on `medium` and a request for a certificate of it, and keeps both as a new job
/// (`request made`). A CryptoPro container (drive or registry store) gets a new password asked
/// through the prompt — it may be empty — and is archived at once; a token is asked its PIN once.
pub fn new_request(
    requests: &mut dyn Requests,
    subject: SubjectFrom<'_>,
    medium: &Medium,
    algorithm: Algorithm,
    environment: &Environment<'_>,
) -> Result<Created, EnrollError> {
    let refused = |why| EnrollError::Medium {
        medium: medium.to_string(),
        why,
    };
    match medium {
        Medium::Archive => return Err(refused(MediumRefusal::Archive)),
        Medium::Dir(_) | Medium::Registry if algorithm.family() != Family::Gost => {
            return Err(refused(MediumRefusal::NotGostInContainer));
        }
        Medium::Token(label) if algorithm.family() == Family::Gost => {
            // Told before the PIN is asked: a token without the TC26 mechanism for this size
            // cannot make the key at all.
            let tokens = Tokens::load(environment.module_paths);
            let module = tokens.module_with(label)?;
            if !module.generates(label, algorithm.spec())? {
                return Err(refused(MediumRefusal::TokenCannot));
            }
        }
        _ => {}
    }
    let (subject_der, shown, renewed) = subject_of(requests, subject)?;
    let old = renewed.as_ref().and_then(old_certificate);
    let at = now();
    let mut job = Job {
        renews: renewed.as_ref().map(|c| c.sha1_thumbprint.clone()),
        ..Job::new(&shown, &subject_der, medium, algorithm.as_str(), at)
    };
    let mut notices = Vec::new();
    let extensions = pkcs10::qualified_extensions(algorithm.family(), at);
    match medium {
        Medium::Token(label) => {
            let tokens = Tokens::load(environment.module_paths);
            let module = tokens.module_with(label)?;
            let pin = module.ask_pin(label, environment.prompt)?;
            let id = random_id()?;
            let generated = module
                .generate_key_pair(label, &pin, algorithm.spec(), &id, &shown, false)
                .map_err(|error| match error {
                    TokenError::CannotGenerate { .. } => refused(MediumRefusal::TokenCannot),
                    other => other.into(),
                })?;
            if pin.expose_secret() == FACTORY_PIN || module.pin_state(label)?.to_be_changed {
                notices.push(Notice::DefaultPin {
                    label: label.clone(),
                });
            }
            notices.push(Notice::KeyStaysOnToken {
                label: label.clone(),
            });
            job.key_place = hex(&id);
            job.public_key = crate::cert::public_key_material_of_spki(&generated.public_key_info)
                .map(|material| material.id())
                .unwrap_or_default();
            job.id = requests.create(&job, None)?;
            let key = module.private_key(label, &pin, &id)?;
            drop(pin);
            let contents = RequestContents {
                subject: subject_der,
                public_key_info: generated.public_key_info.clone(),
                extensions,
            };
            sign_requests(&mut job, &contents, old.as_ref(), &TokenSigner::new(&key)?)?;
        }
        Medium::Dir(_) | Medium::Registry => {
            let set = match algorithm {
                Algorithm::Gost2012_256(set) | Algorithm::Gost2012_512(set) => set,
                _ => return Err(refused(MediumRefusal::NotGostInContainer)),
            };
            let password = environment
                .prompt
                .secret(&Request::NewPassword { allow_empty: true })
                .map_err(EnrollError::PasswordNotGiven)?;
            if password.expose_secret().is_empty() {
                notices.push(Notice::NoContainerPassword);
            }
            let key = PrivateKey::generate(set).map_err(SignError::Crypto)?;
            let gost = if set.bits() == 512 {
                GostAlgorithm::Gost2012_512
            } else {
                GostAlgorithm::Gost2012_256
            };
            let name = container_name(&shown, at);
            let not_after = pkcs10::generalized_time(at + pkcs10::PRIVATE_KEY_DAYS * 86_400);
            let files = cryptopro::build(
                &cryptopro::NewContainer {
                    name: &name,
                    key: &key,
                    algorithm: gost,
                    certificate: None,
                    private_key_not_after: Some(&not_after),
                },
                &password,
            )?;
            let folder = write_container(medium, &name, &files, environment)?;
            let material = PublicKeyMaterial {
                family: "gost",
                bytes: key.public_key().to_le_bytes().to_vec(),
            };
            job.key_place = folder.display().to_string();
            job.public_key = material.id();
            let original = files.to_der();
            let unlocked = [UnlockedKey {
                algorithm: crate::formats::pkcs8::algorithm_name(if set.bits() == 512 {
                    "1.2.643.7.1.1.1.2"
                } else {
                    "1.2.643.7.1.1.1.1"
                }),
                public_key: job.public_key.clone(),
                private_key_info: crate::formats::pkcs8::gost_private_key_info(&key, gost),
            }];
            let location = place_of(medium, &folder);
            job.id = requests.create(
                &job,
                Some(&FileImport {
                    location: &location,
                    certificates: &[],
                    key: Some(KeyImport {
                        kind: ContainerKind::CryptoPro,
                        name: &name,
                        original: &original,
                        public_key: Some(&job.public_key),
                        keys: &unlocked,
                        keep_password: None,
                    }),
                }),
            )?;
            let contents = RequestContents {
                subject: subject_der,
                public_key_info: pkcs10::gost_public_key_info(&key.public_key()),
                extensions,
            };
            sign_requests(&mut job, &contents, old.as_ref(), &GostSigner(&key))?;
        }
        Medium::Archive => return Err(refused(MediumRefusal::Archive)),
    }
    job.state = State::RequestMade;
    job.updated = now();
    requests.save(&job, Secret::Keep)?;
    Ok(Created { job, notices })
}

/// How the archive names where a container lives.
fn place_of(medium: &Medium, folder: &Path) -> String {
    match medium {
        Medium::Registry => format!("registry:{}", folder.display()),
        _ => Medium::Dir(folder.to_path_buf()).to_string(),
    }
}

/// Writes a new container onto a drive (a free `NAME.000` folder) or into the registry store, and
/// reads it back.
fn write_container(
    medium: &Medium,
    name: &str,
    files: &ContainerFiles,
    environment: &Environment<'_>,
) -> Result<PathBuf, EnrollError> {
    match medium {
        Medium::Dir(folder) => {
            files::create_private_folders(folder)?;
            let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.clone());
            let target = (0..1000)
                .map(|number| folder.join(format!("{}.{number:03}", folder_stem(name))))
                .find(|path| !files::taken(path))
                .ok_or_else(|| FileError::Exists {
                    path: folder.clone(),
                })?;
            files.write(&target)?;
            if ContainerFiles::read(&target)? != *files {
                return Err(FileError::Write {
                    path: target,
                    source: std::io::Error::other("the container reads back differently"),
                }
                .into());
            }
            Ok(target)
        }
        _ => {
            let store = (environment.registry)()?;
            match store.put(name, files)? {
                Stored::Written(folder) | Stored::AlreadyThere(folder) => Ok(folder),
            }
        }
    }
}

/// Where a CMP request goes and how it is protected.
pub struct Submission<'a> {
    /// The CA's CMP address (kept in the job).
    pub url: &'a str,
    /// The reference of the one-time code (the `ir`/`cr`/`p10cr` MAC's senderKID).
    pub reference: Option<&'a str>,
    /// The one-time code.
    pub secret: Option<&'a SecretString>,
    /// Which request message.
    pub command: Command,
}

/// Where a job got to after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The CA is still issuing: ask again at this time.
    Waiting {
        /// Unix time.
        next_poll: i64,
    },
    /// Installed and archived.
    Installed {
        /// The certificate's archive id.
        certificate_id: i64,
        /// Its SHA-1 thumbprint.
        thumbprint: String,
        /// Its subject.
        subject: String,
    },
    /// Issued and confirmed; installing waits for the archive's passphrase (`request resume`, the
    /// window).
    Issued {
        /// Who it is for.
        subject: String,
    },
    /// Refused by the CA.
    Rejected {
        /// The CA's words.
        reason: String,
    },
}

fn job_or_not_found(requests: &mut dyn Requests, id: i64) -> Result<Job, EnrollError> {
    requests.job(id)?.ok_or(EnrollError::NoSuchJob { id })
}

/// Sends job `id`'s request to the CA (`request made`, or a job whose last try failed), then
/// follows it as [`advance`] does: the job is saved before the message goes.
pub fn submit(
    requests: &mut dyn Requests,
    id: i64,
    submission: &Submission<'_>,
    transport: &dyn Transport,
    environment: &Environment<'_>,
) -> Result<Progress, EnrollError> {
    let mut job = job_or_not_found(requests, id)?;
    if !matches!(job.state, State::RequestMade | State::Submitted) {
        return Err(EnrollError::WrongState {
            id,
            state: job.state,
        });
    }
    if submission.command == Command::Kur && job.kur_req_msg.is_empty() {
        return Err(EnrollError::KurWithoutRenewal);
    }
    job.ca = Some(submission.url.to_owned());
    job.command = Some(submission.command.as_str().to_owned());
    job.reference = submission.reference.map(str::to_owned);
    job.transaction = Some(Transaction::start()?);
    job.state = State::Submitted;
    job.error = None;
    job.updated = now();
    requests.save(
        &job,
        submission.secret.map(Secret::Set).unwrap_or(Secret::Clear),
    )?;
    exchange_step(requests, job, transport, environment)
}

/// Takes job `id` one step further: a waiting job is asked about (once), an issued one confirmed
/// and installed, a submitted one whose answer was lost sent again in a new transaction. What a
/// killed process left is continued from the archive this way.
pub fn advance(
    requests: &mut dyn Requests,
    id: i64,
    transport: &dyn Transport,
    environment: &Environment<'_>,
) -> Result<Progress, EnrollError> {
    let mut job = job_or_not_found(requests, id)?;
    match job.state {
        State::Submitted => {
            // The answer was never recorded: the request goes again, as a new transaction.
            job.transaction = Some(Transaction::start()?);
            job.updated = now();
            requests.save(&job, Secret::Keep)?;
            exchange_step(requests, job, transport, environment)
        }
        State::Waiting | State::Issued => exchange_step(requests, job, transport, environment),
        state => Err(EnrollError::WrongState { id, state }),
    }
}

/// The jobs the CA is to be asked about now: waiting ones whose time came, and issued ones not
/// confirmed yet (what the reminder service and `request resume` take up).
pub fn due(jobs: &[Job], now: i64) -> Vec<&Job> {
    jobs.iter()
        .filter(|job| match job.state {
            State::Waiting => job.next_poll.is_none_or(|next| next <= now),
            State::Issued => !job.confirmed,
            _ => false,
        })
        .collect()
}

/// The transport for a job: its CA's address.
pub fn transport_of(job: &Job) -> Result<http::Http, EnrollError> {
    let url = job.ca.as_deref().unwrap_or_default();
    Ok(http::Http::new(url)?)
}

/// One network step of a job in `submitted`, `waiting` or `issued`.
fn exchange_step(
    requests: &mut dyn Requests,
    mut job: Job,
    transport: &dyn Transport,
    environment: &Environment<'_>,
) -> Result<Progress, EnrollError> {
    // Issued and confirmed: nothing more to say to the CA (its code is forgotten by now).
    if job.state == State::Issued && job.confirmed {
        if !requests.can_install() {
            return Ok(Progress::Issued {
                subject: job.subject.clone(),
            });
        }
        return install_issued(requests, job, environment);
    }
    let secret = requests.secret(job.id)?;
    let command = job
        .command
        .as_deref()
        .and_then(Command::parse)
        .unwrap_or(Command::Ir);
    // A key update is signed with the renewed certificate's key: archived, or on a token.
    let old = match command {
        Command::Kur => {
            let thumbprint = job.renews.clone().ok_or(EnrollError::KurWithoutRenewal)?;
            let certificate =
                requests
                    .certificate(&thumbprint)?
                    .ok_or_else(|| EnrollError::NotArchived {
                        thumbprint: thumbprint.clone(),
                    })?;
            let key = match requests.private_key(&certificate)?.and_then(|key| key.gost) {
                Some(key) => OldKey::Archived(key),
                None => match token_key_of(&certificate, environment)? {
                    Some(key) => OldKey::Token(key),
                    None => return Err(EnrollError::NoOldKey { thumbprint }),
                },
            };
            Some((certificate, key))
        }
        _ => None,
    };
    let gost_signer;
    let token_signer;
    let old_signer: Option<&dyn Signer> = match &old {
        Some((_, OldKey::Archived(key))) => {
            gost_signer = GostSigner(key);
            Some(&gost_signer)
        }
        Some((_, OldKey::Token(key))) => {
            token_signer = TokenSigner::new(key)?;
            Some(&token_signer)
        }
        None => None,
    };
    let old_subject = old
        .as_ref()
        .and_then(|(certificate, _)| certificate.subject_der())
        .unwrap_or_default();
    let reference = job.reference.clone().unwrap_or_default();
    let old_key_id = old
        .as_ref()
        .and_then(|(certificate, _)| certificate.subject_key_id.as_deref())
        .and_then(unhex);
    let protection = match (&old, old_signer) {
        (Some((certificate, _)), Some(signer)) => Protection::Signature {
            signer,
            certificate: &certificate.der,
            subject: &old_subject,
            key_id: old_key_id.as_deref(),
        },
        _ => Protection::Mac {
            reference: reference.as_bytes(),
            secret: secret.as_ref().ok_or(CmpError::WrongCode {
                text: "no one-time code was given".to_owned(),
            })?,
        },
    };
    let mac_secret = match protection {
        Protection::Mac { .. } => secret.as_ref(),
        Protection::Signature { .. } => None,
    };
    let cert_req_id = match command {
        Command::P10cr => pkcs10::P10CR_REQ_ID,
        _ => pkcs10::CERT_REQ_ID as i64,
    };
    let job = loop {
        let mut transaction = job.transaction.clone().unwrap_or(Transaction::start()?);
        let hash;
        let body = match job.state {
            State::Submitted => match command {
                Command::Ir => cmp::Body::Ir(&job.cert_req_msg),
                Command::Cr => cmp::Body::Cr(&job.cert_req_msg),
                Command::Kur => cmp::Body::Kur(&job.kur_req_msg),
                Command::P10cr => cmp::Body::P10cr(&job.csr),
            },
            State::Waiting => cmp::Body::PollReq { cert_req_id },
            State::Issued if !job.confirmed => {
                let certificate = job.certificate.clone().unwrap_or_default();
                hash = cmp::certificate_hash(&certificate)?;
                cmp::Body::CertConf {
                    hash: &hash,
                    cert_req_id,
                }
            }
            State::Issued if !requests.can_install() => {
                return Ok(Progress::Issued {
                    subject: job.subject.clone(),
                });
            }
            State::Issued => break job,
            state => {
                return Err(EnrollError::WrongState { id: job.id, state });
            }
        };
        let message = cmp::encode(
            &body,
            &mut transaction,
            &job.subject_der,
            &protection,
            now(),
        )?;
        // The nonce about to go is saved first: an answer to it is recognised after a restart.
        job.transaction = Some(transaction.clone());
        job.updated = now();
        requests.save(&job, Secret::Keep)?;
        let answer = transport
            .exchange(&message)
            .and_then(|bytes| cmp::decode(&bytes, &transaction, mac_secret));
        let response = match answer {
            Ok(response) => response,
            Err(error) => {
                job.error = Some(error.to_string());
                if matches!(error, CmpError::WrongCode { .. }) && job.state == State::Submitted {
                    // The code did not work: the job waits for a new one.
                    job.state = State::RequestMade;
                    job.transaction = None;
                    requests.save(&job, Secret::Clear)?;
                } else {
                    requests.save(&job, Secret::Keep)?;
                }
                return Err(error.into());
            }
        };
        transaction.their_nonce = response.sender_nonce.clone();
        job.transaction = Some(transaction);
        job.error = None;
        job.updated = now();
        match response.answer {
            Answer::Certificates {
                status,
                certificate,
                chain,
            } => match (status.status, certificate) {
                (Status::Accepted, Some(certificate)) => {
                    check_our_key(&job, &certificate)?;
                    job.certificate = Some(certificate);
                    job.chain = chain;
                    job.state = State::Issued;
                    job.next_poll = None;
                    requests.save(&job, Secret::Keep)?;
                }
                (Status::Waiting, _) => {
                    // "Waiting" asks for a pollReq; pollRep then says how long to wait.
                    job.state = State::Waiting;
                    job.next_poll = Some(now());
                    requests.save(&job, Secret::Keep)?;
                    return Ok(Progress::Waiting {
                        next_poll: job.next_poll.unwrap_or_default(),
                    });
                }
                _ => {
                    let reason = status.describe();
                    job.state = State::Rejected;
                    job.error = Some(reason.clone());
                    job.transaction = None;
                    requests.save(&job, Secret::Clear)?;
                    return Ok(Progress::Rejected { reason });
                }
            },
            Answer::Poll { check_after, .. } => {
                job.state = State::Waiting;
                job.next_poll = Some(now() + check_after.min(MAX_CHECK_AFTER) as i64);
                requests.save(&job, Secret::Keep)?;
                return Ok(Progress::Waiting {
                    next_poll: job.next_poll.unwrap_or_default(),
                });
            }
            Answer::Confirmed => {
                job.confirmed = true;
                job.transaction = None;
                requests.save(&job, Secret::Clear)?;
            }
            Answer::Error(status) => {
                return Err(CmpError::Refused {
                    text: status.describe(),
                }
                .into());
            }
        }
    };
    // A token's session for the old key ends before the token is opened again to install.
    drop(old);
    install_issued(requests, job, environment)
}

/// A CA's checkAfter is followed up to a day.
const MAX_CHECK_AFTER: u64 = 86_400;

/// The key a renewed certificate was made for.
enum OldKey {
    /// A GOST key the archive holds unlocked.
    Archived(PrivateKey),
    /// A key on a token, in its logged-in session.
    Token(crate::media::pkcs11::TokenKey),
}

/// The renewed certificate's key on a token that holds the certificate, logged in with the PIN
/// asked once (a token key never leaves it, so the token signs the key update).
fn token_key_of(
    certificate: &Certificate,
    environment: &Environment<'_>,
) -> Result<Option<crate::media::pkcs11::TokenKey>, EnrollError> {
    let tokens = Tokens::load(environment.module_paths);
    for module in tokens.modules() {
        for token in module.tokens()? {
            let Ok(id) = crate::media::pkcs11::certificate_id(
                module,
                &token.label,
                &certificate.sha1_thumbprint,
            ) else {
                continue;
            };
            let pin = module.ask_pin(&token.label, environment.prompt)?;
            return Ok(Some(module.private_key(&token.label, &pin, &id)?));
        }
    }
    Ok(None)
}

fn check_our_key(job: &Job, certificate: &[u8]) -> Result<Certificate, EnrollError> {
    let parsed =
        Certificate::from_der(certificate).map_err(|error| EnrollError::NotACertificate {
            path: PathBuf::from(job.ca.clone().unwrap_or_default()),
            reason: error.to_string(),
        })?;
    let ours = parsed
        .public_key_material()
        .is_some_and(|material| material.id() == job.public_key);
    if !ours {
        return Err(EnrollError::NotOurKey {
            id: job.id,
            thumbprint: parsed.sha1_thumbprint.clone(),
        });
    }
    Ok(parsed)
}

/// Installs job `id`'s certificate from a file the CA gave (DER or PEM, or a PKCS#7 bundle with its
/// chain): for any CA that takes request files. A certificate for another key is refused and
/// nothing changes.
pub fn install_file(
    requests: &mut dyn Requests,
    id: i64,
    path: &Path,
    environment: &Environment<'_>,
) -> Result<Progress, EnrollError> {
    let mut job = job_or_not_found(requests, id)?;
    if job.state.is_final() {
        return Err(EnrollError::WrongState {
            id,
            state: job.state,
        });
    }
    let not_a_certificate = |reason: String| EnrollError::NotACertificate {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = files::read_regular(path, crate::formats::detect::MAX_FILE_BYTES)?;
    let mut certificates = Vec::new();
    let mut reasons = Vec::new();
    for found in crate::formats::detect::read_bytes(path, &bytes) {
        match found {
            crate::formats::detect::Found::Certificate { certificate, .. } => {
                certificates.push(certificate.der.clone());
            }
            crate::formats::detect::Found::Unreadable { reason, .. } => reasons.push(reason),
            _ => {}
        }
    }
    if certificates.is_empty() {
        reasons.push("no certificate in it".to_owned());
        return Err(not_a_certificate(reasons.join("; ")));
    }
    // The one for our key; the rest is its chain.
    let ours = certificates.iter().position(|der| {
        Certificate::from_der(der)
            .ok()
            .and_then(|c| c.public_key_material())
            .is_some_and(|material| material.id() == job.public_key)
    });
    let Some(ours) = ours else {
        let first = Certificate::from_der(&certificates[0])
            .map(|c| c.sha1_thumbprint)
            .unwrap_or_default();
        return Err(EnrollError::NotOurKey {
            id,
            thumbprint: first,
        });
    };
    let mut chain = certificates;
    let certificate = chain.remove(ours);
    job.certificate = Some(certificate);
    job.chain = chain;
    job.state = State::Issued;
    job.confirmed = true;
    install_issued(requests, job, environment)
}

/// Writes the issued certificate beside its key (into the container, or onto the token with the
/// key's CKA_ID), then archives it with its chain and the container, and marks the job installed.
fn install_issued(
    requests: &mut dyn Requests,
    mut job: Job,
    environment: &Environment<'_>,
) -> Result<Progress, EnrollError> {
    let der = job.certificate.clone().unwrap_or_default();
    let certificate = check_our_key(&job, &der)?;
    let chain: Vec<Certificate> = job
        .chain
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok())
        .collect();
    let medium: Medium = job.medium.parse().map_err(|_| EnrollError::Medium {
        medium: job.medium.clone(),
        why: MediumRefusal::Archive,
    })?;
    let location;
    let mut container = None;
    match &medium {
        Medium::Token(label) => {
            let tokens = Tokens::load(environment.module_paths);
            let module = tokens.module_with(label)?;
            let id = unhex(&job.key_place).unwrap_or_default();
            let pin = module.ask_pin(label, environment.prompt)?;
            module.install_certificate(
                label,
                &pin,
                &id,
                &der,
                certificate.subject.display_name(),
            )?;
            location = medium.to_string();
        }
        _ => {
            let folder = PathBuf::from(&job.key_place);
            // A drive's container is its folder; the registry store's may be a registry key.
            let store = match medium {
                Medium::Registry => Some((environment.registry)()?),
                _ => None,
            };
            let on_disk = store
                .as_ref()
                .is_none_or(|store| !store.is_windows_registry());
            if on_disk && !cryptopro::is_container(&folder) {
                return Err(EnrollError::ContainerMissing { folder });
            }
            let mut files = match &store {
                Some(store) => store.read(&folder),
                None => ContainerFiles::read(&folder),
            }
            .map_err(|error| match error {
                FormatError::ContainerFile { source, .. }
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    EnrollError::ContainerMissing {
                        folder: folder.clone(),
                    }
                }
                other => other.into(),
            })?;
            let header = cryptopro::with_certificate(&files.header, &der)?;
            if header != files.header {
                match &store {
                    Some(store) => store.replace_header(&folder, &header)?,
                    None => files::write_bytes(
                        &folder.join("header.key"),
                        &header,
                        files::Mode {
                            private: true,
                            replace: true,
                        },
                    )?,
                }
            }
            files.header = header;
            let name = files
                .name
                .as_deref()
                .and_then(|bytes| cryptopro::parse_name(bytes).ok())
                .unwrap_or_else(|| job.subject.clone());
            location = place_of(&medium, &folder);
            container = Some((name, files.to_der()));
        }
    }
    let mut certificates = vec![certificate.clone()];
    certificates.extend(chain);
    let key = container.as_ref().map(|(name, original)| KeyImport {
        kind: ContainerKind::CryptoPro,
        name,
        original,
        public_key: Some(&job.public_key),
        keys: &[],
        keep_password: None,
    });
    job.state = State::Installed;
    job.updated = now();
    job.error = None;
    let certificate_id = requests.install(
        &job,
        &[FileImport {
            location: &location,
            certificates: &certificates,
            key,
        }],
    )?;
    job.certificate_id = Some(certificate_id);
    Ok(Progress::Installed {
        certificate_id,
        thumbprint: certificate.sha1_thumbprint.clone(),
        subject: certificate.subject.display_name().to_owned(),
    })
}

/// Cancels job `id` (kept, as every job is). A job already over stays as it is.
pub fn cancel(requests: &mut dyn Requests, id: i64) -> Result<Job, EnrollError> {
    let mut job = job_or_not_found(requests, id)?;
    if job.state.is_final() {
        return Err(EnrollError::WrongState {
            id,
            state: job.state,
        });
    }
    job.state = State::Cancelled;
    job.transaction = None;
    job.next_poll = None;
    job.updated = now();
    requests.save(&job, Secret::Clear)?;
    Ok(job)
}

/// The PEM of a request (`--csr-out`).
pub fn csr_pem(job: &Job) -> String {
    crate::formats::pem::encode("CERTIFICATE REQUEST", &job.csr)
}

/// Where a request's files go for a CA that takes files: `pem`, and the DER beside it.
pub fn request_file_paths(pem: &Path) -> (PathBuf, PathBuf) {
    (pem.to_path_buf(), pem.with_extension("der"))
}

/// Refuses request files that would go over something there ([`request_file_paths`]).
pub fn check_request_files(pem: &Path) -> Result<(), EnrollError> {
    let (pem, der) = request_file_paths(pem);
    for path in [pem, der] {
        if files::taken(&path) {
            return Err(FileError::Exists { path }.into());
        }
    }
    Ok(())
}

/// Writes job's request as PEM at `pem` and as DER beside it, each whole or not at all and never
/// over a file: the two paths.
pub fn write_request_files(job: &Job, pem: &Path) -> Result<(PathBuf, PathBuf), EnrollError> {
    check_request_files(pem)?;
    let (pem, der) = request_file_paths(pem);
    files::write_bytes(&pem, csr_pem(job).as_bytes(), files::Mode::NEW)?;
    files::write_bytes(&der, &job.csr, files::Mode::NEW)?;
    Ok((pem, der))
}
