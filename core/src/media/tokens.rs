//! The tokens a person has: the PKCS#11 modules loaded once (each that fails reported with the
//! reason, never dropped without a word), a token found by its label, its PIN asked once through the
//! prompt — and the keys that stay on tokens as a [`KeySource`] for opening documents.

use std::path::PathBuf;

use secrecy::SecretString;

use super::pkcs11::{Module, TokenError, TokenKey};
use crate::cert::Certificate;
use crate::cms::CmsError;
use crate::cms::recipients::Recipient;
use crate::interact::Prompt;
use crate::open::{KeySource, OpenError, Unwrapped};

/// A module that could not be used, and why.
#[derive(Debug)]
pub struct Unusable {
    /// The module's path.
    pub path: PathBuf,
    /// What went wrong.
    pub error: TokenError,
}

/// The loaded PKCS#11 modules.
pub struct Tokens {
    modules: Vec<Module>,
    unusable: Vec<Unusable>,
}

impl Tokens {
    /// Loads every module of `paths`; those that fail are kept in [`Tokens::unusable`].
    pub fn load(paths: &[PathBuf]) -> Self {
        let mut modules = Vec::new();
        let mut unusable = Vec::new();
        for path in paths {
            match Module::load(path) {
                Ok(module) => modules.push(module),
                Err(error) => {
                    tracing::warn!(module = %path.display(), %error, "PKCS#11 module not usable");
                    unusable.push(Unusable {
                        path: path.clone(),
                        error,
                    });
                }
            }
        }
        Self { modules, unusable }
    }

    /// The modules that loaded.
    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// The modules that did not, with the reason.
    pub fn unusable(&self) -> &[Unusable] {
        &self.unusable
    }

    /// The module that has token `label`.
    pub fn module_with(&self, label: &str) -> Result<&Module, TokenError> {
        for module in &self.modules {
            if module.tokens()?.iter().any(|token| token.label == label) {
                return Ok(module);
            }
        }
        let unusable = self
            .unusable
            .iter()
            .map(|failed| failed.path.display().to_string())
            .collect::<Vec<_>>();
        Err(TokenError::NotFound {
            label: label.to_owned(),
            what: if unusable.is_empty() {
                "token (it is not inserted, or its driver is not given with --pkcs11-module)"
                    .to_owned()
            } else {
                format!(
                    "token (it is not inserted, or its driver is not given with --pkcs11-module; \
                     these drivers could not be loaded: {})",
                    unusable.join(", ")
                )
            },
        })
    }

    /// The PIN of token `label`, asked once through `prompt` with the token's PIN state shown
    /// first; a locked PIN is reported without asking.
    pub fn pin(&self, label: &str, prompt: &dyn Prompt) -> Result<SecretString, TokenError> {
        self.module_with(label)?.ask_pin(label, prompt)
    }
}

/// A key on a token that opened a document before, kept logged in for the run.
struct Hit {
    key: TokenKey,
    id: Vec<u8>,
    certificate: Certificate,
}

/// Keys that stay on tokens, as a key source: modules loaded at the first need; a token's PIN is
/// asked only when a certificate on it is a recipient's, once per token and key for the run, and
/// never retried.
pub struct TokenKeys {
    paths: Vec<PathBuf>,
    tokens: Option<Tokens>,
    hits: Vec<Hit>,
}

impl TokenKeys {
    /// Keys on the tokens of the modules at `paths`.
    pub fn new(paths: Vec<PathBuf>) -> Self {
        Self {
            paths,
            tokens: None,
            hits: Vec::new(),
        }
    }

    /// The modules that could not be used, once tokens were searched.
    pub fn unusable(&self) -> &[Unusable] {
        self.tokens.as_ref().map(Tokens::unusable).unwrap_or(&[])
    }
}

fn try_hit(hit: &Hit, recipient: &Recipient) -> Result<Option<Unwrapped>, OpenError> {
    match recipient.unwrap_with(&hit.key) {
        Ok(content_key) => Ok(Some(Unwrapped {
            content_key,
            certificate: Some(hit.certificate.clone()),
            key_name: None,
            certificate_id: None,
            token: Some(hit.key.label().to_owned()),
        })),
        Err(CmsError::WrongKey) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

impl KeySource for TokenKeys {
    /// Tokens and modules that cannot be read are passed over (they hold nothing usable); once a
    /// recipient's certificate is found on a token, a wrong PIN or a token failure is the answer.
    fn content_key(
        &mut self,
        recipients: &[Recipient],
        prompt: &dyn Prompt,
    ) -> Result<Option<Unwrapped>, OpenError> {
        for hit in &self.hits {
            for recipient in recipients.iter().filter(|r| r.id.matches(&hit.certificate)) {
                if let Some(found) = try_hit(hit, recipient)? {
                    return Ok(Some(found));
                }
            }
        }
        let paths = &self.paths;
        let tokens = self.tokens.get_or_insert_with(|| Tokens::load(paths));
        for module in tokens.modules() {
            let Ok(on_module) = module.tokens() else {
                continue;
            };
            for token in on_module {
                let Ok(certificates) = module.certificates(&token.label) else {
                    continue;
                };
                for on_token in certificates {
                    let Ok(certificate) = Certificate::from_der(&on_token.der) else {
                        continue;
                    };
                    let Some(recipient) = recipients.iter().find(|r| r.id.matches(&certificate))
                    else {
                        continue;
                    };
                    if self
                        .hits
                        .iter()
                        .any(|hit| hit.key.label() == token.label && hit.id == on_token.id)
                    {
                        continue;
                    }
                    let failed = |error: TokenError| OpenError::Source(Box::new(error));
                    let pin = module.ask_pin(&token.label, prompt).map_err(failed)?;
                    let key = module
                        .private_key(&token.label, &pin, &on_token.id)
                        .map_err(failed)?;
                    drop(pin);
                    let hit = Hit {
                        key,
                        id: on_token.id,
                        certificate,
                    };
                    let found = try_hit(&hit, recipient);
                    self.hits.push(hit);
                    if let Some(found) = found? {
                        return Ok(Some(found));
                    }
                }
            }
        }
        Ok(None)
    }
}

/// The module paths as given on the command line, else `CERTKEEPER_PKCS11_MODULES` (a path list),
/// else `configured` (the settings), else the usual places of Rutoken's, OpenSC's and SoftHSM2's
/// modules.
pub fn module_paths(given: &[PathBuf], configured: &[PathBuf]) -> Vec<PathBuf> {
    if !given.is_empty() {
        return given.to_vec();
    }
    if let Some(list) = std::env::var_os("CERTKEEPER_PKCS11_MODULES") {
        return std::env::split_paths(&list).collect();
    }
    if !configured.is_empty() {
        return configured.to_vec();
    }
    super::pkcs11::default_modules()
}

/// What archiving the certificates of a token did (`media watch --archive-new --json`: one line
/// `{"event": "certificates_archived", "token", "added": [subjects], "already_there"}`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct FromToken {
    event: &'static str,
    /// The token's label.
    pub token: String,
    /// The subjects of the certificates new to the archive.
    pub added: Vec<String>,
    /// How many it held already.
    pub already_there: usize,
}

/// Keeps certificates seen at a place (`token:LABEL`) in the archive: for each, whether it is new.
pub type Keep<'a> =
    dyn FnMut(&[Certificate], &str) -> Result<Vec<bool>, crate::open::SourceError> + 'a;

/// Keeps in the archive (through `keep`: the certificates and where they were seen, `token:LABEL`;
/// for each, whether it is new) the certificates on every token the modules see now, after a card
/// was inserted. A token that is not ready yet is asked again for up to three seconds.
pub fn archive_certificates(
    tokens: &Tokens,
    keep: &mut Keep<'_>,
) -> Result<Vec<FromToken>, crate::open::SourceError> {
    let mut results = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        for module in tokens.modules() {
            let Ok(on_module) = module.tokens() else {
                continue;
            };
            for token in on_module {
                let Ok(found) = module.certificates(&token.label) else {
                    continue;
                };
                let certificates: Vec<Certificate> = found
                    .iter()
                    .filter_map(|certificate| Certificate::from_der(&certificate.der).ok())
                    .collect();
                if certificates.is_empty() {
                    continue;
                }
                let added = keep(&certificates, &format!("token:{}", token.label))?;
                let mut result = FromToken {
                    event: "certificates_archived",
                    token: token.label.clone(),
                    added: Vec::new(),
                    already_there: 0,
                };
                for (certificate, new) in certificates.iter().zip(added) {
                    if new {
                        result
                            .added
                            .push(certificate.subject.display_name().to_owned());
                    } else {
                        result.already_there += 1;
                    }
                }
                results.push(result);
            }
        }
        if !results.is_empty() || std::time::Instant::now() >= deadline {
            return Ok(results);
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}
