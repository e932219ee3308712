//! PKCS#11 tokens (Rutoken, OpenSC cards, SoftHSM2) through `cryptoki`: tokens with their label,
//! serial, model and PIN state, and the objects on them (certificates and keys, with CKA_ID, CKA_LABEL
//! and whether each key may leave the token).
//!
//! PIN rules: the state flags (count low, final try, locked) are read before a login and shown to the
//! person; a wrong PIN is reported with the state after it and never tried again on its own.

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as Pkcs11Error, RvError};
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use secrecy::SecretString;

/// Modules searched when none is configured: Rutoken, OpenSC, SoftHSM2 (Debian paths).
pub const DEFAULT_MODULES: [&str; 4] = [
    "/usr/lib/librtpkcs11ecp.so",
    "/usr/lib/x86_64-linux-gnu/librtpkcs11ecp.so",
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/softhsm/libsofthsm2.so",
];

/// The modules searched when none is configured, where their installers put them: on Linux
/// [`DEFAULT_MODULES`]; on Windows Rutoken's `rtPKCS11ECP.dll` and OpenSC's `opensc-pkcs11.dll` in
/// System32, OpenSC's own folder, and SoftHSM2's `softhsm2-x64.dll` (its installer's `C:\SoftHSM2`,
/// or the folder `SOFTHSM2_CONF` is in).
pub fn module_candidates() -> Vec<PathBuf> {
    #[cfg(windows)]
    {
        let folder = |variable: &str, fallback: &str| {
            std::env::var_os(variable)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(fallback))
        };
        let system32 = folder("SystemRoot", r"C:\Windows").join("System32");
        let program_files = folder("ProgramFiles", r"C:\Program Files");
        let mut candidates = vec![
            system32.join("rtPKCS11ECP.dll"),
            system32.join("opensc-pkcs11.dll"),
            program_files.join(r"OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll"),
            PathBuf::from(r"C:\SoftHSM2\lib\softhsm2-x64.dll"),
        ];
        // SoftHSM2's installer sets SOFTHSM2_CONF to <its folder>\etc\softhsm2.conf.
        if let Some(root) = std::env::var_os("SOFTHSM2_CONF")
            .map(PathBuf::from)
            .and_then(|conf| conf.parent()?.parent().map(|root| root.to_path_buf()))
        {
            candidates.push(root.join(r"lib\softhsm2-x64.dll"));
        }
        candidates
    }
    #[cfg(not(windows))]
    {
        DEFAULT_MODULES.iter().map(PathBuf::from).collect()
    }
}

/// The modules that exist among [`module_candidates`], each once.
pub fn default_modules() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    for path in module_candidates() {
        if path.is_file() && !found.contains(&path) {
            found.push(path);
        }
    }
    found
}

/// Whether `path` is Rutoken's own PKCS#11 module (`librtpkcs11ecp.so`, `rtPKCS11ECP.dll`), the one
/// that knows Rutoken's GOST keys.
pub fn is_rutoken_module(path: &Path) -> bool {
    path.file_name()
        .map(|name| {
            name.to_string_lossy()
                .to_lowercase()
                .contains("rtpkcs11ecp")
        })
        .unwrap_or(false)
}

/// What went wrong with a token. No variant carries a PIN.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The module could not be loaded or initialised.
    #[error("the PKCS#11 module {module} cannot be used: {reason}")]
    Module {
        /// Its path.
        module: PathBuf,
        /// What the loader or the module said.
        reason: String,
    },
    /// The PIN is wrong; the token's state after the attempt.
    #[error("wrong PIN for token {label}")]
    WrongPin {
        /// The token's label.
        label: String,
        /// The PIN state now.
        state: PinState,
    },
    /// No PIN was given: there was no one to ask, or the person cancelled.
    #[error("no PIN was given for token {label}")]
    PinNotGiven {
        /// The token's label.
        label: String,
        /// Why.
        why: crate::interact::Declined,
    },
    /// The PIN is locked: too many wrong attempts.
    #[error("the PIN of token {label} is locked")]
    PinLocked {
        /// The token's label.
        label: String,
    },
    /// The key may not leave its token (CKA_EXTRACTABLE false): only the certificate can be copied.
    #[error("the key {id} of token {label} cannot leave the token")]
    NotExtractable {
        /// The token's label.
        label: String,
        /// CKA_ID, hex.
        id: String,
    },
    /// The object asked for is not on the token.
    #[error("token {label} holds no {what}")]
    NotFound {
        /// The token's label.
        label: String,
        /// What was looked for.
        what: String,
    },
    /// The copy was written but signing on the target and verifying on the source failed.
    #[error("the copy on token {label} does not sign like the original")]
    CopyMismatch {
        /// The target token's label.
        label: String,
    },
    /// The token cannot make this kind of key pair: no mechanism for it, or its parameters refused.
    #[error("token {label} cannot generate {what} keys")]
    CannotGenerate {
        /// The token's label.
        label: String,
        /// The kind, as people know it ("GOST R 34.10-2012 512 (TC26 A)").
        what: String,
    },
    /// Any other PKCS#11 failure.
    #[error("token {label}: {reason}")]
    Failed {
        /// The token's label.
        label: String,
        /// What the module said.
        reason: String,
    },
}

/// The user PIN's state as the token reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PinState {
    /// At least one wrong PIN was entered since the last good one.
    pub count_low: bool,
    /// One more wrong PIN locks it.
    pub final_try: bool,
    /// It is locked.
    pub locked: bool,
    /// The token asks for the PIN to be changed (CKF_USER_PIN_TO_BE_CHANGED): it is still the
    /// factory PIN (Rutoken's 12345678), or an administrator reset it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub to_be_changed: bool,
}

/// A token in a slot.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    /// The module it was found through.
    pub module: PathBuf,
    /// The slot number.
    pub slot: u64,
    /// CKA_LABEL of the token.
    pub label: String,
    /// The serial number.
    pub serial: String,
    /// The model.
    pub model: String,
    /// The manufacturer.
    pub manufacturer: String,
    /// The PIN state.
    pub pin: PinState,
}

/// An object on a token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ObjectInfo {
    /// "certificate", "private_key" or "public_key".
    pub class: &'static str,
    /// CKA_ID, uppercase hex.
    pub id: String,
    /// CKA_LABEL.
    pub label: String,
    /// For keys: the key type ("RSA", "EC", "GOST R 34.10-2012" ...).
    pub key_type: Option<String>,
    /// For private keys: whether the key may leave the token (CKA_EXTRACTABLE).
    pub extractable: Option<bool>,
    /// For certificates: the DER.
    #[serde(skip)]
    pub value: Option<Vec<u8>>,
}

/// A loaded PKCS#11 module.
pub struct Module {
    path: PathBuf,
    context: Pkcs11,
    /// Finalizes the module when the last of this and the keys it handed out goes.
    finalizer: std::sync::Arc<Finalizer>,
}

/// Calls C_Finalize, as PKCS#11 asks of an application that is done with a module. Without it a
/// module's own clean-up runs at process exit, after OpenSSL's: SoftHSM2 built with GOST then
/// releases its GOST engine into a freed OpenSSL and the process dies (seen with its 2.6.1).
struct Finalizer(Pkcs11);

impl Drop for Finalizer {
    fn drop(&mut self) {
        if let Err(error) = self.0.clone().finalize() {
            tracing::debug!(%error, "C_Finalize failed");
        }
    }
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("path", &self.path).finish()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02X}")).collect()
}

fn pin_state(info: &cryptoki::slot::TokenInfo) -> PinState {
    PinState {
        count_low: info.user_pin_count_low(),
        final_try: info.user_pin_final_try(),
        locked: info.user_pin_locked(),
        to_be_changed: info.user_pin_to_be_changed(),
    }
}

impl Module {
    /// Loads and initialises the module at `path`.
    pub fn load(path: &Path) -> Result<Self, TokenError> {
        let failed = |reason: String| TokenError::Module {
            module: path.to_path_buf(),
            reason,
        };
        let context = Pkcs11::new(path).map_err(|error| failed(error.to_string()))?;
        context
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(|error| failed(error.to_string()))?;
        Ok(Self {
            path: path.to_path_buf(),
            finalizer: std::sync::Arc::new(Finalizer(context.clone())),
            context,
        })
    }

    /// Where the module was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn failed(&self, label: &str, error: Pkcs11Error) -> TokenError {
        TokenError::Failed {
            label: label.to_owned(),
            reason: error.to_string(),
        }
    }

    /// Every token present.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, TokenError> {
        let slots = self
            .context
            .get_slots_with_token()
            .map_err(|error| self.failed("", error))?;
        let mut tokens = Vec::new();
        for slot in slots {
            let info = self
                .context
                .get_token_info(slot)
                .map_err(|error| self.failed("", error))?;
            // A blank token (SoftHSM2 always offers one, a new card has one) holds nothing yet.
            if !info.token_initialized() {
                continue;
            }
            tokens.push(TokenInfo {
                module: self.path.clone(),
                slot: slot.id(),
                label: info.label().trim().to_owned(),
                serial: info.serial_number().trim().to_owned(),
                model: info.model().trim().to_owned(),
                manufacturer: info.manufacturer_id().trim().to_owned(),
                pin: pin_state(&info),
            });
        }
        Ok(tokens)
    }

    fn slot(&self, label: &str) -> Result<Slot, TokenError> {
        let slots = self
            .context
            .get_slots_with_token()
            .map_err(|error| self.failed(label, error))?;
        for slot in slots {
            let info = self
                .context
                .get_token_info(slot)
                .map_err(|error| self.failed(label, error))?;
            if info.token_initialized() && info.label().trim() == label {
                return Ok(slot);
            }
        }
        Err(TokenError::Failed {
            label: label.to_owned(),
            reason: "no such token is present".to_owned(),
        })
    }

    /// The PIN state of token `label`, to show before asking for the PIN.
    pub fn pin_state(&self, label: &str) -> Result<PinState, TokenError> {
        let slot = self.slot(label)?;
        let info = self
            .context
            .get_token_info(slot)
            .map_err(|error| self.failed(label, error))?;
        Ok(pin_state(&info))
    }

    /// Asks for the PIN of token `label` through `prompt`, with the token's PIN state in the
    /// request; a locked PIN is reported without asking. The PIN is the caller's for one operation.
    pub fn ask_pin(
        &self,
        label: &str,
        prompt: &dyn crate::interact::Prompt,
    ) -> Result<SecretString, TokenError> {
        let state = self.pin_state(label)?;
        if state.locked {
            return Err(TokenError::PinLocked {
                label: label.to_owned(),
            });
        }
        prompt
            .secret(&crate::interact::Request::Pin {
                token: label,
                state,
            })
            .map_err(|why| TokenError::PinNotGiven {
                label: label.to_owned(),
                why,
            })
    }

    /// A session on token `label`, logged in with `pin` when one is given: exactly one login attempt.
    pub fn session(&self, label: &str, pin: Option<&SecretString>) -> Result<Session, TokenError> {
        self.open(label, pin, false)
    }

    fn open(
        &self,
        label: &str,
        pin: Option<&SecretString>,
        write: bool,
    ) -> Result<Session, TokenError> {
        let slot = self.slot(label)?;
        let session = if write {
            self.context.open_rw_session(slot)
        } else {
            self.context.open_ro_session(slot)
        }
        .map_err(|error| self.failed(label, error))?;
        if let Some(pin) = pin {
            if self.pin_state(label)?.locked {
                return Err(TokenError::PinLocked {
                    label: label.to_owned(),
                });
            }
            match session.login(UserType::User, Some(pin)) {
                Ok(()) => {}
                Err(Pkcs11Error::Pkcs11(RvError::PinIncorrect, _)) => {
                    return Err(TokenError::WrongPin {
                        label: label.to_owned(),
                        state: self.pin_state(label)?,
                    });
                }
                Err(Pkcs11Error::Pkcs11(RvError::PinLocked, _)) => {
                    return Err(TokenError::PinLocked {
                        label: label.to_owned(),
                    });
                }
                Err(error) => return Err(self.failed(label, error)),
            }
        }
        Ok(session)
    }

    /// The certificates and keys on token `label`; private keys only with the PIN.
    pub fn objects(
        &self,
        label: &str,
        pin: Option<&SecretString>,
    ) -> Result<Vec<ObjectInfo>, TokenError> {
        let session = self.session(label, pin)?;
        let mut objects = Vec::new();
        for (class, name) in [
            (ObjectClass::CERTIFICATE, "certificate"),
            (ObjectClass::PRIVATE_KEY, "private_key"),
            (ObjectClass::PUBLIC_KEY, "public_key"),
        ] {
            let handles = session
                .find_objects(&[Attribute::Class(class)])
                .map_err(|error| self.failed(label, error))?;
            for handle in handles {
                let mut wanted = vec![AttributeType::Id, AttributeType::Label];
                match name {
                    "certificate" => wanted.push(AttributeType::Value),
                    "private_key" => {
                        wanted.push(AttributeType::KeyType);
                        wanted.push(AttributeType::Extractable);
                    }
                    _ => wanted.push(AttributeType::KeyType),
                }
                let attributes = session
                    .get_attributes(handle, &wanted)
                    .map_err(|error| self.failed(label, error))?;
                let mut object = ObjectInfo {
                    class: name,
                    id: String::new(),
                    label: String::new(),
                    key_type: None,
                    extractable: None,
                    value: None,
                };
                for attribute in attributes {
                    match attribute {
                        Attribute::Id(id) => object.id = hex(&id),
                        Attribute::Label(text) => {
                            object.label = String::from_utf8_lossy(&text).into_owned();
                        }
                        Attribute::KeyType(kind) => object.key_type = Some(key_type_name(kind)),
                        Attribute::Extractable(flag) => object.extractable = Some(flag),
                        Attribute::Value(value) => object.value = Some(value),
                        _ => {}
                    }
                }
                objects.push(object);
            }
        }
        Ok(objects)
    }
}

fn key_type_name(kind: cryptoki::object::KeyType) -> String {
    use cryptoki::object::KeyType;
    match kind {
        KeyType::RSA => "RSA".to_owned(),
        KeyType::EC => "EC".to_owned(),
        KeyType::GOSTR3410 => "GOST R 34.10".to_owned(),
        other => other.to_string(),
    }
}

/// What [`copy_key`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Copied {
    /// CKA_ID of the copied objects, hex.
    pub id: String,
    /// The key type.
    pub key_type: String,
    /// Whether the certificate went too.
    pub certificate: bool,
}

fn find_one(
    session: &Session,
    class: ObjectClass,
    id: &[u8],
) -> Result<Option<cryptoki::object::ObjectHandle>, Pkcs11Error> {
    Ok(session
        .find_objects(&[Attribute::Class(class), Attribute::Id(id.to_vec())])?
        .into_iter()
        .next())
}

/// A private key to create on a token by unwrapping.
struct NewPrivateKey<'a> {
    key_type: cryptoki::object::KeyType,
    id: &'a [u8],
    label: &'a [u8],
    extractable: bool,
}

/// Unwraps `wrapped` (AES key wrap with padding under the key `transport_value`) on `session` as a
/// token private key: sensitive, leaving the token again only when `extractable`, for signing and
/// for decrypting (RSA) or deriving (EC). The transport key exists on the token only as a session
/// object for this call and is destroyed whatever happens.
fn unwrap_private_key(
    session: &Session,
    transport_value: &[u8],
    wrapped: &[u8],
    key: &NewPrivateKey<'_>,
) -> Result<cryptoki::object::ObjectHandle, Pkcs11Error> {
    use cryptoki::mechanism::Mechanism;
    use cryptoki::object::KeyType;
    let transport = session.create_object(&[
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::AES),
        Attribute::Token(false),
        Attribute::Value(transport_value.to_vec()),
        Attribute::Unwrap(true),
    ])?;
    let template = [
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::KeyType(key.key_type),
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(key.extractable),
        Attribute::Id(key.id.to_vec()),
        Attribute::Label(key.label.to_vec()),
        Attribute::Sign(true),
        if key.key_type == KeyType::RSA {
            Attribute::Decrypt(true)
        } else {
            Attribute::Derive(true)
        },
    ];
    let unwrapped = session.unwrap_key(&Mechanism::AesKeyWrapPad, transport, wrapped, &template);
    let _ = session.destroy_object(transport);
    unwrapped
}

/// CKA_ID of the certificate on token `label` whose SHA-1 thumbprint is `thumbprint` (hex).
pub fn certificate_id(
    module: &Module,
    label: &str,
    thumbprint: &str,
) -> Result<Vec<u8>, TokenError> {
    use digest::Digest;
    let wanted = crate::cert::Thumbprint::new(thumbprint);
    let wanted = wanted.as_str();
    let session = module.session(label, None)?;
    let handles = session
        .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
        .map_err(|error| module.failed(label, error))?;
    for handle in handles {
        let attributes = session
            .get_attributes(handle, &[AttributeType::Value, AttributeType::Id])
            .map_err(|error| module.failed(label, error))?;
        let (mut value, mut id) = (None, None);
        for attribute in attributes {
            match attribute {
                Attribute::Value(bytes) => value = Some(bytes),
                Attribute::Id(bytes) => id = Some(bytes),
                _ => {}
            }
        }
        if let (Some(value), Some(id)) = (value, id)
            && hex(&sha1::Sha1::digest(&value)) == wanted
        {
            return Ok(id);
        }
    }
    Err(TokenError::NotFound {
        label: label.to_owned(),
        what: format!("certificate {wanted}"),
    })
}

/// Copies the key pair and certificate with CKA_ID `id` from token `from_label` to token `to_label`:
/// the private key wrapped on the source (AES key wrap with padding, under a one-time AES key that
/// exists only in the two sessions) and unwrapped on the target, the public key and certificate
/// re-created there. The copy is proven by signing on the target and verifying on the source.
/// A key that may not leave its token is refused with [`TokenError::NotExtractable`].
pub fn copy_key(
    from: (&Module, &str, &SecretString),
    to: (&Module, &str, &SecretString),
    id: &[u8],
) -> Result<Copied, TokenError> {
    use cryptoki::mechanism::Mechanism;
    use cryptoki::object::{CertificateType, KeyType};
    let (source_module, source_label, source_pin) = from;
    let (target_module, target_label, target_pin) = to;
    let source = source_module.open(source_label, Some(source_pin), true)?;
    let target = target_module.open(target_label, Some(target_pin), true)?;
    let on_source = |error| source_module.failed(source_label, error);
    let on_target = |error| target_module.failed(target_label, error);
    let private = find_one(&source, ObjectClass::PRIVATE_KEY, id)
        .map_err(on_source)?
        .ok_or_else(|| TokenError::NotFound {
            label: source_label.to_owned(),
            what: format!("private key {}", hex(id)),
        })?;
    let mut key_type = None;
    let mut extractable = false;
    let mut label = Vec::new();
    for attribute in source
        .get_attributes(
            private,
            &[
                AttributeType::KeyType,
                AttributeType::Extractable,
                AttributeType::Label,
            ],
        )
        .map_err(on_source)?
    {
        match attribute {
            Attribute::KeyType(kind) => key_type = Some(kind),
            Attribute::Extractable(flag) => extractable = flag,
            Attribute::Label(text) => label = text,
            _ => {}
        }
    }
    let key_type = key_type.ok_or_else(|| TokenError::Failed {
        label: source_label.to_owned(),
        reason: "the key has no type".to_owned(),
    })?;
    if !extractable {
        return Err(TokenError::NotExtractable {
            label: source_label.to_owned(),
            id: hex(id),
        });
    }
    let (is_rsa, public_fields) = match key_type {
        KeyType::RSA => (
            true,
            vec![AttributeType::Modulus, AttributeType::PublicExponent],
        ),
        KeyType::EC => (false, vec![AttributeType::EcParams, AttributeType::EcPoint]),
        other => {
            return Err(TokenError::Failed {
                label: source_label.to_owned(),
                reason: format!("copying {other} keys between tokens is not supported"),
            });
        }
    };
    let public = find_one(&source, ObjectClass::PUBLIC_KEY, id)
        .map_err(on_source)?
        .ok_or_else(|| TokenError::NotFound {
            label: source_label.to_owned(),
            what: format!("public key {}", hex(id)),
        })?;
    let public_attributes = source
        .get_attributes(public, &public_fields)
        .map_err(on_source)?;

    // A one-time transport key: generated on the source, handed to the target as a session object.
    let transport = source
        .generate_key(
            &Mechanism::AesKeyGen,
            &[
                Attribute::Token(false),
                Attribute::ValueLen(32.into()),
                Attribute::Extractable(true),
                Attribute::Sensitive(false),
                Attribute::Wrap(true),
            ],
        )
        .map_err(on_source)?;
    let transport_value = zeroize::Zeroizing::new(
        source
            .get_attributes(transport, &[AttributeType::Value])
            .map_err(on_source)?
            .into_iter()
            .find_map(|attribute| match attribute {
                Attribute::Value(value) => Some(value),
                _ => None,
            })
            .ok_or_else(|| TokenError::Failed {
                label: source_label.to_owned(),
                reason: "the transport key has no value".to_owned(),
            })?,
    );
    let wrapped = source
        .wrap_key(&Mechanism::AesKeyWrapPad, transport, private)
        .map_err(on_source)?;
    let _ = source.destroy_object(transport);
    let copied = unwrap_private_key(
        &target,
        &transport_value,
        &wrapped,
        &NewPrivateKey {
            key_type,
            id,
            label: &label,
            extractable: true,
        },
    )
    .map_err(on_target)?;
    let mut public_template = vec![
        Attribute::Class(ObjectClass::PUBLIC_KEY),
        Attribute::KeyType(key_type),
        Attribute::Token(true),
        Attribute::Id(id.to_vec()),
        Attribute::Label(label),
        Attribute::Verify(true),
    ];
    public_template.extend(public_attributes);
    target.create_object(&public_template).map_err(on_target)?;
    let mut certificate = false;
    if let Some(handle) = find_one(&source, ObjectClass::CERTIFICATE, id).map_err(on_source)? {
        let mut attributes = source
            .get_attributes(
                handle,
                &[
                    AttributeType::Value,
                    AttributeType::Label,
                    AttributeType::Subject,
                ],
            )
            .map_err(on_source)?;
        attributes.extend([
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Id(id.to_vec()),
        ]);
        target.create_object(&attributes).map_err(on_target)?;
        certificate = true;
    }
    // Proof: the copy signs, the original's public key verifies.
    let challenge = b"certkeeper copy check";
    let (mechanism, data): (Mechanism, Vec<u8>) = if is_rsa {
        (Mechanism::Sha256RsaPkcs, challenge.to_vec())
    } else {
        use digest::Digest;
        (Mechanism::Ecdsa, sha2::Sha256::digest(challenge).to_vec())
    };
    let signature = target.sign(&mechanism, copied, &data).map_err(on_target)?;
    source
        .verify(&mechanism, public, &data, &signature)
        .map_err(|_| TokenError::CopyMismatch {
            label: target_label.to_owned(),
        })?;
    Ok(Copied {
        id: hex(id),
        key_type: key_type_name(key_type),
        certificate,
    })
}

/// Copies only the certificate with CKA_ID `id` (for a key that may not leave its token).
pub fn copy_certificate(
    from: (&Module, &str),
    to: (&Module, &str, &SecretString),
    id: &[u8],
) -> Result<(), TokenError> {
    use cryptoki::object::CertificateType;
    let (source_module, source_label) = from;
    let (target_module, target_label, target_pin) = to;
    let source = source_module.open(source_label, None, false)?;
    let target = target_module.open(target_label, Some(target_pin), true)?;
    let handle = find_one(&source, ObjectClass::CERTIFICATE, id)
        .map_err(|error| source_module.failed(source_label, error))?
        .ok_or_else(|| TokenError::NotFound {
            label: source_label.to_owned(),
            what: format!("certificate {}", hex(id)),
        })?;
    let mut attributes = source
        .get_attributes(
            handle,
            &[
                AttributeType::Value,
                AttributeType::Label,
                AttributeType::Subject,
            ],
        )
        .map_err(|error| source_module.failed(source_label, error))?;
    attributes.extend([
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
        Attribute::Token(true),
        Attribute::Id(id.to_vec()),
    ]);
    target
        .create_object(&attributes)
        .map_err(|error| target_module.failed(target_label, error))?;
    Ok(())
}

impl Module {
    /// Writes `certificate` (DER) onto token `label` beside the key pair with CKA_ID `id`, under
    /// `certificate_label` (logged in with `pin`, one attempt). A certificate with that CKA_ID and the
    /// same value is left as it is; the key pair must be there.
    pub fn install_certificate(
        &self,
        label: &str,
        pin: &SecretString,
        id: &[u8],
        certificate: &[u8],
        certificate_label: &str,
    ) -> Result<(), TokenError> {
        use cryptoki::object::CertificateType;
        let session = self.open(label, Some(pin), true)?;
        let on_token = |error| self.failed(label, error);
        if find_one(&session, ObjectClass::PRIVATE_KEY, id)
            .map_err(on_token)?
            .is_none()
        {
            return Err(TokenError::NotFound {
                label: label.to_owned(),
                what: format!("private key {}", hex(id)),
            });
        }
        if let Some(handle) = find_one(&session, ObjectClass::CERTIFICATE, id).map_err(on_token)? {
            let value = session
                .get_attributes(handle, &[AttributeType::Value])
                .map_err(on_token)
                .map(|attributes| attribute_bytes(attributes, AttributeType::Value))?;
            if value.as_deref() == Some(certificate) {
                return Ok(());
            }
        }
        let mut attributes = vec![
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Id(id.to_vec()),
            Attribute::Label(certificate_label.as_bytes().to_vec()),
            Attribute::Value(certificate.to_vec()),
        ];
        if let Ok(parsed) = crate::cert::Certificate::from_der(certificate)
            && let Some(subject) = parsed.subject_der()
        {
            attributes.push(Attribute::Subject(subject));
        }
        session.create_object(&attributes).map_err(on_token)?;
        Ok(())
    }
}

/// A certificate on a token with the CKA_ID that links it to its key.
#[derive(Debug, Clone)]
pub struct TokenCertificate {
    /// CKA_ID.
    pub id: Vec<u8>,
    /// The certificate's DER.
    pub der: Vec<u8>,
}

impl Module {
    /// The X.509 certificates on token `label` (public objects: no PIN needed).
    pub fn certificates(&self, label: &str) -> Result<Vec<TokenCertificate>, TokenError> {
        let session = self.session(label, None)?;
        let handles = session
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
            .map_err(|error| self.failed(label, error))?;
        let mut found = Vec::new();
        for handle in handles {
            let (mut id, mut der) = (Vec::new(), None);
            for attribute in session
                .get_attributes(handle, &[AttributeType::Id, AttributeType::Value])
                .map_err(|error| self.failed(label, error))?
            {
                match attribute {
                    Attribute::Id(bytes) => id = bytes,
                    Attribute::Value(bytes) => der = Some(bytes),
                    _ => {}
                }
            }
            if let Some(der) = der {
                found.push(TokenCertificate { id, der });
            }
        }
        Ok(found)
    }

    /// The private key with CKA_ID `id` on token `label`, in a session logged in with `pin` (one
    /// attempt). The key stays on the token; [`TokenKey`] has it do its operations there.
    pub fn private_key(
        &self,
        label: &str,
        pin: &SecretString,
        id: &[u8],
    ) -> Result<TokenKey, TokenError> {
        let session = self.open(label, Some(pin), false)?;
        let handle = find_one(&session, ObjectClass::PRIVATE_KEY, id)
            .map_err(|error| self.failed(label, error))?
            .ok_or_else(|| TokenError::NotFound {
                label: label.to_owned(),
                what: format!("private key {}", hex(id)),
            })?;
        Ok(TokenKey {
            label: label.to_owned(),
            module: self.path.clone(),
            session,
            handle,
            _finalizer: self.finalizer.clone(),
        })
    }
}

/// A private key on a token, usable while its logged-in session lasts (the PIN is not kept).
pub struct TokenKey {
    label: String,
    /// The module's file, for the TC26 calls that `cryptoki` cannot make.
    module: PathBuf,
    session: Session,
    handle: cryptoki::object::ObjectHandle,
    /// Last, so that the session is closed before the module may be finalized.
    _finalizer: std::sync::Arc<Finalizer>,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl TokenKey {
    /// The token's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    fn failed(&self, error: Pkcs11Error) -> crate::cms::CmsError {
        match error {
            // The token says the data does not fit this key: like a wrong key in memory.
            Pkcs11Error::Pkcs11(
                RvError::EncryptedDataInvalid
                | RvError::EncryptedDataLenRange
                | RvError::DataInvalid
                | RvError::DomainParamsInvalid,
                _,
            ) => crate::cms::CmsError::WrongKey,
            Pkcs11Error::Pkcs11(RvError::KeyFunctionNotPermitted, _) => {
                crate::cms::CmsError::Token {
                    label: self.label.clone(),
                    reason: "the token does not allow this key to decrypt (its CKA_DECRYPT or \
                             CKA_DERIVE attribute is off)"
                        .to_owned(),
                }
            }
            other => crate::cms::CmsError::Token {
                label: self.label.clone(),
                reason: other.to_string(),
            },
        }
    }

    /// What the key signs as, read from its CKA_KEY_TYPE.
    pub fn kind(&self) -> Result<SigningKind, TokenError> {
        use cryptoki::object::KeyType;
        let kind = self
            .session
            .get_attributes(self.handle, &[AttributeType::KeyType])
            .map_err(|error| self.on_token(error))?
            .into_iter()
            .find_map(|attribute| match attribute {
                Attribute::KeyType(kind) => Some(kind),
                _ => None,
            });
        match kind {
            Some(KeyType::RSA) => Ok(SigningKind::Rsa),
            Some(KeyType::EC) => Ok(SigningKind::Ec),
            Some(KeyType::GOSTR3410) => Ok(SigningKind::Gost(256)),
            Some(kind) if super::tc26::is_gost_512(*kind) => Ok(SigningKind::Gost(512)),
            other => Err(TokenError::Failed {
                label: self.label.clone(),
                reason: format!(
                    "signing with {} keys on a token is not supported",
                    other.map(key_type_name).unwrap_or_else(|| "unknown".into())
                ),
            }),
        }
    }

    fn on_token(&self, error: Pkcs11Error) -> TokenError {
        TokenError::Failed {
            label: self.label.clone(),
            reason: error.to_string(),
        }
    }

    /// Signs `data` on the token as the key's type says: RSA PKCS#1 v1.5 with SHA-256, ECDSA over
    /// SHA-256 (the signature as r ‖ s), or GOST R 34.10-2012 over Streebog of the key's size,
    /// computed here and signed by the token with CKM_GOSTR3410 (the signature as s ‖ r,
    /// big-endian, which is how X.509 carries it).
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>, TokenError> {
        use cryptoki::mechanism::Mechanism;
        use digest::Digest;
        match self.kind()? {
            SigningKind::Rsa => self
                .session
                .sign(&Mechanism::Sha256RsaPkcs, self.handle, data)
                .map_err(|error| self.on_token(error)),
            SigningKind::Ec => self
                .session
                .sign(&Mechanism::Ecdsa, self.handle, &sha2::Sha256::digest(data))
                .map_err(|error| self.on_token(error)),
            SigningKind::Gost(bits) => {
                let digest = crate::crypto::gost::streebog_of_size(bits, data);
                let raw =
                    super::tc26::Raw::load(&self.module).map_err(|reason| TokenError::Failed {
                        label: self.label.clone(),
                        reason,
                    })?;
                raw.sign_gost_digest(self.session.handle(), self.handle.handle(), &digest)
                    .map_err(|rv| TokenError::Failed {
                        label: self.label.clone(),
                        reason: format!("C_Sign with GOST R 34.10 failed (0x{rv:08X})"),
                    })
            }
        }
    }
}

/// How a key on a token signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningKind {
    /// RSA PKCS#1 v1.5 with SHA-256.
    Rsa,
    /// ECDSA with SHA-256.
    Ec,
    /// GOST R 34.10-2012 of this size (256 or 512) with Streebog of the same size.
    Gost(usize),
}

impl crate::cms::recipients::RecipientKey for TokenKey {
    fn rsa_decrypt(
        &self,
        padding: crate::cms::recipients::RsaPadding,
        ciphertext: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, crate::cms::CmsError> {
        use crate::cms::recipients::RsaPadding;
        use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
        use cryptoki::mechanism::{Mechanism, MechanismType};
        let mechanism = match padding {
            RsaPadding::Pkcs1v15 => Mechanism::RsaPkcs,
            RsaPadding::OaepSha1 => Mechanism::RsaPkcsOaep(PkcsOaepParams::new(
                MechanismType::SHA1,
                PkcsMgfType::MGF1_SHA1,
                PkcsOaepSource::empty(),
            )),
            RsaPadding::OaepSha256 => Mechanism::RsaPkcsOaep(PkcsOaepParams::new(
                MechanismType::SHA256,
                PkcsMgfType::MGF1_SHA256,
                PkcsOaepSource::empty(),
            )),
        };
        self.session
            .decrypt(&mechanism, self.handle, ciphertext)
            .map(zeroize::Zeroizing::new)
            .map_err(|error| self.failed(error))
    }

    fn ecdh_p256(&self, peer: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, crate::cms::CmsError> {
        use cryptoki::mechanism::Mechanism;
        use cryptoki::mechanism::elliptic_curve::{EcKdf, Ecdh1DeriveParams};
        use cryptoki::object::KeyType;
        // The shared secret as a session object the token lets go of, read once and destroyed.
        let derived = self
            .session
            .derive_key(
                &Mechanism::Ecdh1Derive(Ecdh1DeriveParams::new(EcKdf::null(), peer)),
                self.handle,
                &[
                    Attribute::Class(ObjectClass::SECRET_KEY),
                    Attribute::KeyType(KeyType::GENERIC_SECRET),
                    Attribute::Token(false),
                    Attribute::Sensitive(false),
                    Attribute::Extractable(true),
                    Attribute::ValueLen(32.into()),
                ],
            )
            .map_err(|error| self.failed(error))?;
        let value = self
            .session
            .get_attributes(derived, &[AttributeType::Value])
            .map_err(|error| self.failed(error));
        let _ = self.session.destroy_object(derived);
        value?
            .into_iter()
            .find_map(|attribute| match attribute {
                Attribute::Value(value) => Some(zeroize::Zeroizing::new(value)),
                _ => None,
            })
            .ok_or_else(|| crate::cms::CmsError::Token {
                label: self.label.clone(),
                reason: "the token gave no shared secret".to_owned(),
            })
    }

    fn vko(
        &self,
        _kind: crate::cms::recipients::Vko,
        _peer: &crate::crypto::gost::PublicKey,
        _ukm: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, crate::cms::CmsError> {
        Err(crate::cms::CmsError::Unsupported {
            what: format!(
                "GOST key agreement with a key that stays on token {} (copy the container to \
                 the archive, or open the document with the token's own software)",
                self.label
            ),
        })
    }
}

/// A key pair to generate on a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    /// RSA with this modulus size in bits.
    Rsa(u32),
    /// ECDSA/ECDH on NIST P-256.
    EcP256,
    /// ECDSA/ECDH on NIST P-384.
    EcP384,
    /// GOST R 34.10-2012 on this parameter set (its size gives 256 or 512).
    Gost2012(crate::crypto::gost::ParamSet),
}

/// The kinds of key pair a token is asked about, each with the name `media list` gives it.
pub const KEY_PAIRS: [(KeySpec, &str); 4] = [
    (KeySpec::Rsa(2048), "RSA"),
    (KeySpec::EcP256, "EC"),
    (
        KeySpec::Gost2012(crate::crypto::gost::ParamSet::CryptoProA),
        "GOST R 34.10-2012 256",
    ),
    (
        KeySpec::Gost2012(crate::crypto::gost::ParamSet::Tc26_512A),
        "GOST R 34.10-2012 512",
    ),
];

/// Whether `name`, as [`Module::key_generation`] lists it, is a GOST key pair (what a qualified
/// certificate needs).
pub fn is_gost_key_pair(name: &str) -> bool {
    KEY_PAIRS
        .iter()
        .any(|(spec, known)| *known == name && matches!(spec, KeySpec::Gost2012(_)))
}

impl KeySpec {
    /// Reads `rsa2048`, `rsa3072`, `rsa4096`, `ec-p256`, `ec-p384`, `gost2012-256[:SET]` (SET: A,
    /// B, C (CryptoPro A–C), XA, XB (CryptoPro XchA/XchB), TC26-A … TC26-D; CryptoPro A by default,
    /// what CAs accept most widely) or `gost2012-512[:SET]` (A, B, C; A by default).
    pub fn parse(text: &str) -> Option<Self> {
        use crate::crypto::gost::ParamSet;
        let lower = text.trim().to_ascii_lowercase();
        let (kind, set) = lower.split_once(':').unwrap_or((lower.as_str(), ""));
        Some(match (kind, set) {
            ("rsa2048", "") => Self::Rsa(2048),
            ("rsa3072", "") => Self::Rsa(3072),
            ("rsa4096", "") => Self::Rsa(4096),
            ("ec-p256" | "p256", "") => Self::EcP256,
            ("ec-p384" | "p384", "") => Self::EcP384,
            ("gost2012-256", set) => Self::Gost2012(match set {
                "" | "a" => ParamSet::CryptoProA,
                "b" => ParamSet::CryptoProB,
                "c" => ParamSet::CryptoProC,
                "xa" => ParamSet::CryptoProXchA,
                "xb" => ParamSet::CryptoProXchB,
                "tc26-a" => ParamSet::Tc26_256A,
                "tc26-b" => ParamSet::Tc26_256B,
                "tc26-c" => ParamSet::Tc26_256C,
                "tc26-d" => ParamSet::Tc26_256D,
                _ => return None,
            }),
            ("gost2012-512", set) => Self::Gost2012(match set {
                "" | "a" => ParamSet::Tc26_512A,
                "b" => ParamSet::Tc26_512B,
                "c" => ParamSet::Tc26_512C,
                _ => return None,
            }),
            _ => return None,
        })
    }

    /// The PKCS#11 mechanism that generates such a pair: CKM_RSA_PKCS_KEY_PAIR_GEN,
    /// CKM_EC_KEY_PAIR_GEN, or TC26's GOST ones for 256 and 512 bits.
    pub fn generation_mechanism(self) -> u64 {
        match self {
            Self::Rsa(_) => 0x0000_0000,
            Self::EcP256 | Self::EcP384 => 0x0000_1040,
            Self::Gost2012(set) if set.bits() == 512 => super::tc26::CKM_GOSTR3410_512_KEY_PAIR_GEN,
            Self::Gost2012(_) => super::tc26::CKM_GOSTR3410_KEY_PAIR_GEN,
        }
    }

    /// A name people know.
    pub fn name(self) -> String {
        match self {
            Self::Rsa(bits) => format!("RSA {bits}"),
            Self::EcP256 => "EC P-256".to_owned(),
            Self::EcP384 => "EC P-384".to_owned(),
            Self::Gost2012(set) => format!("GOST R 34.10-2012 {} ({})", set.bits(), set.name()),
        }
    }
}

/// A key pair generated on a token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Generated {
    /// CKA_ID of both keys, hex: give it to the certificate written beside them.
    pub id: String,
    /// What was made.
    pub key_type: String,
    /// Whether the private key may leave the token.
    pub extractable: bool,
    /// The public key as a SubjectPublicKeyInfo (DER), for a certificate request.
    #[serde(skip)]
    pub public_key_info: Vec<u8>,
}

fn attribute_bytes(attributes: Vec<Attribute>, wanted: AttributeType) -> Option<Vec<u8>> {
    attributes
        .into_iter()
        .find_map(|attribute| match (attribute, wanted) {
            (Attribute::Modulus(bytes), AttributeType::Modulus)
            | (Attribute::PublicExponent(bytes), AttributeType::PublicExponent)
            | (Attribute::EcPoint(bytes), AttributeType::EcPoint)
            | (Attribute::Value(bytes), AttributeType::Value) => Some(bytes),
            _ => None,
        })
}

/// A DER INTEGER of an unsigned big-endian number.
fn unsigned_integer(bytes: &[u8]) -> Vec<u8> {
    use super::super::formats::der::write;
    let start = bytes
        .iter()
        .position(|byte| *byte != 0)
        .unwrap_or(bytes.len());
    let mut contents = bytes[start..].to_vec();
    if contents.first().is_none_or(|byte| byte & 0x80 != 0) {
        contents.insert(0, 0);
    }
    write::tlv(0x02, &contents)
}

/// A BIT STRING with no unused bits.
fn bit_string(bytes: &[u8]) -> Vec<u8> {
    use super::super::formats::der::write;
    write::tlv(0x03, &[&[0u8][..], bytes].concat())
}

impl Module {
    /// Every mechanism token `label` offers, as numbers: vendor-defined ones (the TC26 GOST
    /// mechanisms) included, which `cryptoki`'s own list leaves out.
    pub fn mechanisms(&self, label: &str) -> Result<Vec<u64>, TokenError> {
        let slot = self.slot(label)?;
        let raw = super::tc26::Raw::load(&self.path).map_err(|reason| TokenError::Failed {
            label: label.to_owned(),
            reason,
        })?;
        raw.mechanisms(slot.id()).map_err(|rv| TokenError::Failed {
            label: label.to_owned(),
            reason: format!("C_GetMechanismList failed (0x{rv:08X})"),
        })
    }

    /// Whether token `label` signs with GOST R 34.10 keys of `bits` (256 or 512) over a digest
    /// (CKM_GOSTR3410, CKM_GOSTR3410_512): what a GOST key written onto it needs to be of use.
    pub fn signs_gost(&self, label: &str, bits: usize) -> Result<bool, TokenError> {
        let wanted = if bits == 512 {
            super::tc26::CKM_GOSTR3410_512
        } else {
            super::tc26::CKM_GOSTR3410
        };
        Ok(self.mechanisms(label)?.contains(&wanted))
    }

    /// Whether token `label` can generate key pairs of `spec` (its mechanism for them is in the
    /// full mechanism list).
    pub fn generates(&self, label: &str, spec: KeySpec) -> Result<bool, TokenError> {
        Ok(self
            .mechanisms(label)?
            .contains(&spec.generation_mechanism()))
    }

    /// The kinds of key pair token `label` can generate, read from its full mechanism list: the
    /// names of [`KEY_PAIRS`].
    pub fn key_generation(&self, label: &str) -> Result<Vec<&'static str>, TokenError> {
        let offered = self.mechanisms(label)?;
        Ok(KEY_PAIRS
            .into_iter()
            .filter(|(spec, _)| offered.contains(&spec.generation_mechanism()))
            .map(|(_, name)| name)
            .collect())
    }

    /// Generates a key pair on token `label` (logged in with `pin`, one attempt): both keys stay on
    /// the token under CKA_ID `id` and CKA_LABEL `key_label`; the private key is sensitive and may
    /// leave the token only when `extractable`. GOST keys go through the TC26 mechanisms; a token
    /// without the mechanism is told apart from a failure.
    pub fn generate_key_pair(
        &self,
        label: &str,
        pin: &SecretString,
        spec: KeySpec,
        id: &[u8],
        key_label: &str,
        extractable: bool,
    ) -> Result<Generated, TokenError> {
        use super::super::formats::der::write;
        use cryptoki::mechanism::Mechanism;
        let session = self.open(label, Some(pin), true)?;
        let on_token = |error| self.failed(label, error);
        let unsupported = |what: String| TokenError::CannotGenerate {
            label: label.to_owned(),
            what,
        };
        let common_public = vec![
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::Id(id.to_vec()),
            Attribute::Label(key_label.as_bytes().to_vec()),
        ];
        let common_private = vec![
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(extractable),
            Attribute::Sign(true),
            Attribute::Id(id.to_vec()),
            Attribute::Label(key_label.as_bytes().to_vec()),
        ];
        let public_key_info = match spec {
            KeySpec::Rsa(bits) => {
                let mut public = common_public.clone();
                public.extend([
                    // CK_ULONG is 64 bits on Linux and 32 on Windows: from u32 on both.
                    Attribute::ModulusBits(cryptoki::types::Ulong::from(
                        cryptoki_sys::CK_ULONG::from(bits),
                    )),
                    Attribute::PublicExponent(vec![1, 0, 1]),
                    Attribute::Encrypt(true),
                ]);
                let mut private = common_private.clone();
                private.push(Attribute::Decrypt(true));
                let (public, _) = session
                    .generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &public, &private)
                    .map_err(|error| match error {
                        Pkcs11Error::Pkcs11(RvError::MechanismInvalid, _) => {
                            unsupported(spec.name())
                        }
                        other => on_token(other),
                    })?;
                let attributes = session
                    .get_attributes(
                        public,
                        &[AttributeType::Modulus, AttributeType::PublicExponent],
                    )
                    .map_err(on_token)?;
                let modulus = attribute_bytes(attributes.clone(), AttributeType::Modulus);
                let exponent = attribute_bytes(attributes, AttributeType::PublicExponent);
                let (Some(modulus), Some(exponent)) = (modulus, exponent) else {
                    return Err(TokenError::Failed {
                        label: label.to_owned(),
                        reason: "the new RSA key has no modulus".to_owned(),
                    });
                };
                let key =
                    write::sequence(&[&unsigned_integer(&modulus), &unsigned_integer(&exponent)]);
                write::sequence(&[
                    &write::sequence(&[&write::oid("1.2.840.113549.1.1.1"), &write::null()]),
                    &bit_string(&key),
                ])
            }
            KeySpec::EcP256 | KeySpec::EcP384 => {
                let curve = if spec == KeySpec::EcP256 {
                    "1.2.840.10045.3.1.7"
                } else {
                    "1.3.132.0.34"
                };
                let mut public = common_public.clone();
                public.push(Attribute::EcParams(write::oid(curve)));
                let mut private = common_private.clone();
                private.push(Attribute::Derive(true));
                let (public, _) = session
                    .generate_key_pair(&Mechanism::EccKeyPairGen, &public, &private)
                    .map_err(|error| match error {
                        Pkcs11Error::Pkcs11(RvError::MechanismInvalid, _) => {
                            unsupported(spec.name())
                        }
                        other => on_token(other),
                    })?;
                let point = session
                    .get_attributes(public, &[AttributeType::EcPoint])
                    .map_err(on_token)
                    .map(|attributes| attribute_bytes(attributes, AttributeType::EcPoint))?
                    .ok_or_else(|| TokenError::Failed {
                        label: label.to_owned(),
                        reason: "the new EC key has no point".to_owned(),
                    })?;
                // CKA_EC_POINT is the DER OCTET STRING of the point (PKCS#11 v2.40); some tokens
                // give the bare point.
                let point = match crate::formats::der::Reader::new(&point).required("point") {
                    Ok(tlv) if tlv.tag == 0x04 && tlv.raw.len() == point.len() => {
                        tlv.value.to_vec()
                    }
                    _ => point,
                };
                write::sequence(&[
                    &write::sequence(&[&write::oid("1.2.840.10045.2.1"), &write::oid(curve)]),
                    &bit_string(&point),
                ])
            }
            KeySpec::Gost2012(set) => {
                use crate::crypto::gost::ParamSet;
                const CKR_GENERAL_ERROR: u64 = 0x05;
                const CKR_ATTRIBUTE_VALUE_INVALID: u64 = 0x13;
                const CKR_DOMAIN_PARAMS_INVALID: u64 = 0x130;
                let bits = set.bits();
                let (algorithm, digest) = if bits == 512 {
                    ("1.2.643.7.1.1.1.2", "1.2.643.7.1.1.2.3")
                } else {
                    ("1.2.643.7.1.1.1.1", "1.2.643.7.1.1.2.2")
                };
                if !self.generates(label, spec)? {
                    return Err(unsupported(spec.name()));
                }
                let raw =
                    super::tc26::Raw::load(&self.path).map_err(|reason| TokenError::Failed {
                        label: label.to_owned(),
                        reason,
                    })?;
                let params = write::oid(set.oid());
                let digest_oid = write::oid(digest);
                raw.generate_gost(
                    session.handle(),
                    &super::tc26::GostTemplate {
                        bits,
                        params: &params,
                        digest: &digest_oid,
                        id,
                        label: key_label.as_bytes(),
                        extractable,
                    },
                )
                .map_err(|rv| {
                    // The parameter set refused: in the standard's words, or (SoftHSM2, which
                    // knows CryptoPro A only) as a general error for any other set.
                    let refused = [CKR_ATTRIBUTE_VALUE_INVALID, CKR_DOMAIN_PARAMS_INVALID];
                    if refused.contains(&rv)
                        || (rv == CKR_GENERAL_ERROR && set != ParamSet::CryptoProA)
                    {
                        unsupported(spec.name())
                    } else {
                        TokenError::Failed {
                            label: label.to_owned(),
                            reason: format!("C_GenerateKeyPair failed (0x{rv:08X})"),
                        }
                    }
                })?;
                let public = find_one(&session, ObjectClass::PUBLIC_KEY, id)
                    .map_err(on_token)?
                    .ok_or_else(|| TokenError::NotFound {
                        label: label.to_owned(),
                        what: format!("public key {}", hex(id)),
                    })?;
                // CKA_VALUE of a GOST public key: x ‖ y, little-endian (PKCS#11 v2.40 2.19.3).
                let value = session
                    .get_attributes(public, &[AttributeType::Value])
                    .map_err(on_token)
                    .map(|attributes| attribute_bytes(attributes, AttributeType::Value))?
                    .ok_or_else(|| TokenError::Failed {
                        label: label.to_owned(),
                        reason: "the new GOST key has no value".to_owned(),
                    })?;
                // A token that ignored the parameters it was given would give a point that is not
                // on the asked curve, and a certificate for it would be useless: said, with the
                // pair's CKA_ID, before any request is made for it.
                if crate::crypto::gost::PublicKey::from_le_bytes(set, &value).is_err() {
                    return Err(TokenError::Failed {
                        label: label.to_owned(),
                        reason: format!(
                            "the token made key pair {} on other parameters than the {} asked \
                             for; do not use it",
                            hex(id),
                            set.name()
                        ),
                    });
                }
                let mut parameters = vec![write::oid(set.oid())];
                if bits == 256 {
                    parameters.push(write::oid(digest));
                }
                let refs: Vec<&[u8]> = parameters.iter().map(Vec::as_slice).collect();
                write::sequence(&[
                    &write::sequence(&[&write::oid(algorithm), &write::sequence(&refs)]),
                    &bit_string(&write::octets(&value)),
                ])
            }
        };
        Ok(Generated {
            id: hex(id),
            key_type: spec.name(),
            extractable,
            public_key_info,
        })
    }
}

/// A key taken off a token in software form: its PrivateKeyInfo and the certificate beside it.
pub struct ExportedKey {
    /// The PKCS#8 PrivateKeyInfo (DER).
    pub private_key_info: zeroize::Zeroizing<Vec<u8>>,
    /// The certificate with the same CKA_ID, when there is one.
    pub certificate: Option<Vec<u8>>,
    /// The key type ("RSA", "EC").
    pub key_type: String,
    /// CKA_LABEL of the key.
    pub label: String,
}

impl std::fmt::Debug for ExportedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportedKey")
            .field("key_type", &self.key_type)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// The token mechanism and data of a proof signature: RSA PKCS#1 v1.5 with SHA-256 over the
/// challenge, or ECDSA over its SHA-256 digest (r ‖ s).
fn proof_mechanism(
    is_rsa: bool,
    challenge: &[u8],
) -> (cryptoki::mechanism::Mechanism<'static>, Vec<u8>) {
    use cryptoki::mechanism::Mechanism;
    use digest::Digest;
    if is_rsa {
        (Mechanism::Sha256RsaPkcs, challenge.to_vec())
    } else {
        (Mechanism::Ecdsa, sha2::Sha256::digest(challenge).to_vec())
    }
}

/// Verifies in software a token's signature (as [`proof_mechanism`] makes it) with the public half
/// of `private_key_info`.
fn software_verify(private_key_info: &[u8], challenge: &[u8], signature: &[u8]) -> bool {
    use digest::Digest;
    let digest = sha2::Sha256::digest(challenge);
    let Ok(info) = super::super::formats::pkcs8::parse_private_key_info(private_key_info) else {
        return false;
    };
    match info.algorithm_oid.as_str() {
        "1.2.840.113549.1.1.1" => {
            use rsa::pkcs8::DecodePrivateKey;
            rsa::PrivateKey::from_pkcs8_der(private_key_info).is_ok_and(|key| {
                key.to_public_key()
                    .verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest, signature)
                    .is_ok()
            })
        }
        "1.2.840.10045.2.1" => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            use p256::pkcs8::DecodePrivateKey;
            let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_der(private_key_info) else {
                return false;
            };
            let Ok(signature) = p256::ecdsa::Signature::from_slice(signature) else {
                return false;
            };
            key.verifying_key()
                .verify_prehash(&digest, &signature)
                .is_ok()
        }
        _ => false,
    }
}

const PROOF: &[u8] = b"certkeeper copy check";

/// Takes the key pair with CKA_ID `id` off token `label` in software form, for a PFX file or the
/// archive: wrapped on the token (AES key wrap with padding under a one-time AES key) and unwrapped
/// here. A key that may not leave its token is refused with [`TokenError::NotExtractable`]. The
/// copy is proven: the original signs on the token and the copy's public half verifies.
pub fn export_key(
    module: &Module,
    label: &str,
    pin: &SecretString,
    id: &[u8],
) -> Result<ExportedKey, TokenError> {
    use cryptoki::mechanism::Mechanism;
    use cryptoki::object::KeyType;
    let session = module.open(label, Some(pin), true)?;
    let on_token = |error| module.failed(label, error);
    let private = find_one(&session, ObjectClass::PRIVATE_KEY, id)
        .map_err(on_token)?
        .ok_or_else(|| TokenError::NotFound {
            label: label.to_owned(),
            what: format!("private key {}", hex(id)),
        })?;
    let (mut key_type, mut extractable, mut key_label) = (None, false, Vec::new());
    for attribute in session
        .get_attributes(
            private,
            &[
                AttributeType::KeyType,
                AttributeType::Extractable,
                AttributeType::Label,
            ],
        )
        .map_err(on_token)?
    {
        match attribute {
            Attribute::KeyType(kind) => key_type = Some(kind),
            Attribute::Extractable(flag) => extractable = flag,
            Attribute::Label(text) => key_label = text,
            _ => {}
        }
    }
    if !extractable {
        return Err(TokenError::NotExtractable {
            label: label.to_owned(),
            id: hex(id),
        });
    }
    let is_rsa = match key_type {
        Some(KeyType::RSA) => true,
        Some(KeyType::EC) => false,
        other => {
            return Err(TokenError::Failed {
                label: label.to_owned(),
                reason: format!(
                    "taking {} keys off a token is not supported",
                    other.map(key_type_name).unwrap_or_else(|| "unknown".into())
                ),
            });
        }
    };
    let transport = session
        .generate_key(
            &Mechanism::AesKeyGen,
            &[
                Attribute::Token(false),
                Attribute::ValueLen(32.into()),
                Attribute::Extractable(true),
                Attribute::Sensitive(false),
                Attribute::Wrap(true),
            ],
        )
        .map_err(on_token)?;
    let transport_value = session
        .get_attributes(transport, &[AttributeType::Value])
        .map_err(on_token)
        .map(|attributes| attribute_bytes(attributes, AttributeType::Value))?
        .map(zeroize::Zeroizing::new);
    let wrapped = session.wrap_key(&Mechanism::AesKeyWrapPad, transport, private);
    let _ = session.destroy_object(transport);
    let wrapped = wrapped.map_err(on_token)?;
    let transport_value = transport_value.ok_or_else(|| TokenError::Failed {
        label: label.to_owned(),
        reason: "the transport key has no value".to_owned(),
    })?;
    let mut private_key_info = crate::crypto::aes_kw::unwrap_pad(&transport_value, &wrapped)
        .map_err(|error| TokenError::Failed {
            label: label.to_owned(),
            reason: format!("the wrapped key does not unwrap: {error}"),
        })?;
    // SoftHSM2 pads the key to whole blocks before the padded wrap, so the length in the wrap's
    // check value counts its padding too: the PrivateKeyInfo's own DER length is what counts.
    let der_len = crate::formats::der::Reader::new(&private_key_info)
        .required("PrivateKeyInfo")
        .map(|tlv| tlv.raw.len())
        .map_err(|error| TokenError::Failed {
            label: label.to_owned(),
            reason: format!("the unwrapped key is not a PrivateKeyInfo: {error}"),
        })?;
    private_key_info.truncate(der_len);
    // Proof: the original signs on the token, the copy's public half verifies (tokens written by
    // enrolment software often hold no public key object, so the token's own key does the signing).
    let (mechanism, data) = proof_mechanism(is_rsa, PROOF);
    let signature = session.sign(&mechanism, private, &data).map_err(on_token)?;
    if !software_verify(&private_key_info, PROOF, &signature) {
        return Err(TokenError::CopyMismatch {
            label: label.to_owned(),
        });
    }
    let certificate = match find_one(&session, ObjectClass::CERTIFICATE, id).map_err(on_token)? {
        Some(handle) => session
            .get_attributes(handle, &[AttributeType::Value])
            .map_err(on_token)
            .map(|attributes| attribute_bytes(attributes, AttributeType::Value))?,
        None => None,
    };
    Ok(ExportedKey {
        private_key_info,
        certificate,
        key_type: key_type_name(if is_rsa { KeyType::RSA } else { KeyType::EC }),
        label: String::from_utf8_lossy(&key_label).into_owned(),
    })
}

/// A software key to write onto a token with [`import_key`].
#[derive(Clone, Copy)]
pub struct NewTokenKey<'a> {
    /// The PKCS#8 PrivateKeyInfo (DER).
    pub private_key_info: &'a [u8],
    /// The certificate to write beside it.
    pub certificate: Option<&'a [u8]>,
    /// CKA_ID of the objects written.
    pub id: &'a [u8],
    /// CKA_LABEL of the objects written.
    pub label: &'a str,
    /// Whether the key may leave the token again.
    pub extractable: bool,
}

impl std::fmt::Debug for NewTokenKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewTokenKey")
            .field("label", &self.label)
            .field("extractable", &self.extractable)
            .finish_non_exhaustive()
    }
}

/// Writes a software key (PKCS#8 PrivateKeyInfo: RSA or EC P-256) and its certificate onto token
/// `label` under CKA_ID `id`: wrapped here under a one-time AES key that the token holds only for
/// the session, unwrapped on the token as a sensitive key (extractable only when asked), the public
/// key and certificate created beside it. Proven by signing on the token and verifying here.
pub fn import_key(
    module: &Module,
    label: &str,
    pin: &SecretString,
    key: &NewTokenKey<'_>,
) -> Result<Copied, TokenError> {
    let NewTokenKey {
        private_key_info,
        certificate,
        id,
        label: key_label,
        extractable,
    } = *key;
    use super::super::formats::der::write;
    use cryptoki::object::{CertificateType, KeyType};
    let info = super::super::formats::pkcs8::parse_private_key_info(private_key_info).map_err(
        |error| TokenError::Failed {
            label: label.to_owned(),
            reason: format!("the key cannot be read: {error}"),
        },
    )?;
    let (key_type, public_attributes) = match info.algorithm_oid.as_str() {
        "1.2.840.113549.1.1.1" => {
            use rsa::pkcs8::DecodePrivateKey;
            use rsa::traits::PublicKeyParts;
            let key = rsa::PrivateKey::from_pkcs8_der(private_key_info).map_err(|error| {
                TokenError::Failed {
                    label: label.to_owned(),
                    reason: format!("the RSA key cannot be read: {error}"),
                }
            })?;
            (
                KeyType::RSA,
                vec![
                    Attribute::Modulus(key.n().to_be_bytes().to_vec()),
                    Attribute::PublicExponent(key.e().to_be_bytes().to_vec()),
                ],
            )
        }
        "1.2.840.10045.2.1" => {
            use p256::elliptic_curve::sec1::ToSec1Point;
            use p256::pkcs8::DecodePrivateKey;
            let key = p256::SecretKey::from_pkcs8_der(private_key_info).map_err(|_| {
                TokenError::Failed {
                    label: label.to_owned(),
                    reason: "only EC keys on P-256 can be written to a token".to_owned(),
                }
            })?;
            let point = key.public_key().to_sec1_point(false);
            (
                KeyType::EC,
                vec![
                    Attribute::EcParams(write::oid("1.2.840.10045.3.1.7")),
                    Attribute::EcPoint(write::octets(point.as_bytes())),
                ],
            )
        }
        // GOST: the public half is written by a raw call (cryptoki has no GOST attributes).
        _ if info.gost.is_some() => {
            let bits = info.gost.as_ref().map_or(256, |key| key.param_set().bits());
            let key_type = if bits == 512 {
                KeyType::new_vendor_defined(super::tc26::CKK_GOSTR3410_512 as _).map_err(
                    |error| TokenError::Failed {
                        label: label.to_owned(),
                        reason: error.to_string(),
                    },
                )?
            } else {
                KeyType::GOSTR3410
            };
            (key_type, Vec::new())
        }
        other => {
            return Err(TokenError::Failed {
                label: label.to_owned(),
                reason: format!(
                    "writing {} keys to a token is not supported",
                    super::super::formats::pkcs8::algorithm_name(other)
                ),
            });
        }
    };
    let is_rsa = key_type == KeyType::RSA;
    let session = module.open(label, Some(pin), true)?;
    let on_token = |error| module.failed(label, error);
    let mut transport_value = zeroize::Zeroizing::new(vec![0u8; 32]);
    getrandom::fill(&mut transport_value).map_err(|error| TokenError::Failed {
        label: label.to_owned(),
        reason: format!("the system random generator failed: {error}"),
    })?;
    let wrapped =
        crate::crypto::aes_kw::wrap_pad(&transport_value, private_key_info).map_err(|error| {
            TokenError::Failed {
                label: label.to_owned(),
                reason: error.to_string(),
            }
        })?;
    let private = unwrap_private_key(
        &session,
        &transport_value,
        &wrapped,
        &NewPrivateKey {
            key_type,
            id,
            label: key_label.as_bytes(),
            extractable,
        },
    )
    .map_err(on_token)?;
    let raw_failed = |what: &str, rv: u64| TokenError::Failed {
        label: label.to_owned(),
        reason: format!("{what} failed (0x{rv:08X})"),
    };
    let raw = match &info.gost {
        Some(_) => {
            Some(
                super::tc26::Raw::load(&module.path).map_err(|reason| TokenError::Failed {
                    label: label.to_owned(),
                    reason,
                })?,
            )
        }
        None => None,
    };
    if let (Some(key), Some(raw)) = (&info.gost, &raw) {
        let set = key.param_set();
        let digest =
            match super::super::formats::pkcs8::GostAlgorithm::from_oid(&info.algorithm_oid) {
                Some(super::super::formats::pkcs8::GostAlgorithm::Gost2001) => "1.2.643.2.2.30.1",
                _ if set.bits() == 512 => "1.2.643.7.1.1.2.3",
                _ => "1.2.643.7.1.1.2.2",
            };
        raw.create_gost_public_key(
            session.handle(),
            &super::tc26::GostTemplate {
                bits: set.bits(),
                params: &write::oid(set.oid()),
                digest: &write::oid(digest),
                id,
                label: key_label.as_bytes(),
                extractable,
            },
            key.public_key().to_le_bytes(),
        )
        .map_err(|rv| raw_failed("C_CreateObject of the GOST public key", rv))?;
    } else {
        let mut public_template = vec![
            Attribute::Class(ObjectClass::PUBLIC_KEY),
            Attribute::KeyType(key_type),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Id(id.to_vec()),
            Attribute::Label(key_label.as_bytes().to_vec()),
            Attribute::Verify(true),
        ];
        public_template.extend(public_attributes);
        session.create_object(&public_template).map_err(on_token)?;
    }
    if let Some(der) = certificate {
        let mut attributes = vec![
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Id(id.to_vec()),
            Attribute::Label(key_label.as_bytes().to_vec()),
            Attribute::Value(der.to_vec()),
        ];
        if let Ok(parsed) = crate::cert::Certificate::from_der(der)
            && let Some(subject) = parsed.subject_der()
        {
            attributes.push(Attribute::Subject(subject));
        }
        session.create_object(&attributes).map_err(on_token)?;
    }
    // Proof: the token signs with the copy, the software key's public half verifies.
    let proven = if let (Some(key), Some(raw)) = (&info.gost, &raw) {
        let digest = crate::crypto::gost::streebog_of_size(key.param_set().bits(), PROOF);
        let signature = raw
            .sign_gost_digest(session.handle(), private.handle(), &digest)
            .map_err(|rv| raw_failed("C_Sign with GOST R 34.10", rv))?;
        key.public_key().verify_digest(&digest, &signature).is_ok()
    } else {
        let (mechanism, data) = proof_mechanism(is_rsa, PROOF);
        let signature = session.sign(&mechanism, private, &data).map_err(on_token)?;
        software_verify(private_key_info, PROOF, &signature)
    };
    if !proven {
        return Err(TokenError::CopyMismatch {
            label: label.to_owned(),
        });
    }
    Ok(Copied {
        id: hex(id),
        key_type: match &info.gost {
            Some(key) => format!("GOST R 34.10-2012 {}", key.param_set().bits()),
            None => key_type_name(key_type),
        },
        certificate: certificate.is_some(),
    })
}
