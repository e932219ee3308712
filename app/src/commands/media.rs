//! `certkeeper media list`: tokens (PKCS#11) with their certificates and keys, and the registry store.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::cert::Certificate;
use certkeeper_core::media::pkcs11::{self, Module, ObjectInfo, TokenInfo};
use serde::Serialize;

use super::Context;
use crate::messages::AppError;

/// The PKCS#11 modules to use (see [`crate::settings::module_paths`]).
pub fn modules(given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    Ok(crate::settings::module_paths(given)?)
}

/// One token in `media list --json` (documented in the README).
#[derive(Debug, Serialize)]
pub(crate) struct TokenView {
    #[serde(flatten)]
    pub(crate) token: TokenInfo,
    pub(crate) objects: Vec<ObjectView>,
    /// The key pairs the token can generate ("RSA", "EC", "GOST R 34.10-2012 256"/"512").
    pub(crate) generates: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ObjectView {
    #[serde(flatten)]
    pub(crate) object: ObjectInfo,
    /// For certificates: the subject's name and the thumbprint.
    pub(crate) subject: Option<String>,
    sha1_thumbprint: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Listed {
    pub(crate) tokens: Vec<TokenView>,
    /// Modules that could not be used, and why.
    pub(crate) unusable_modules: Vec<String>,
    pub(crate) registry: RegistryView,
    /// Folders and USB drives: the ones given and the removable drives mounted for this user.
    pub(crate) drives: Vec<DriveView>,
}

/// What a scan of a folder or drive found (`media list --json`, documented in the README).
#[derive(Debug, Serialize)]
pub(crate) struct DriveView {
    pub(crate) path: PathBuf,
    /// CryptoPro container folders, with the name CryptoPro shows.
    pub(crate) containers: Vec<ContainerView>,
    /// PFX files.
    pub(crate) pfx: Vec<PathBuf>,
    /// PKCS#8 key files.
    pub(crate) private_keys: Vec<PathBuf>,
    /// Certificate files.
    pub(crate) certificates: Vec<CertificateView>,
    /// Other files (not certificates or keys).
    pub(crate) other_files: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct ContainerView {
    pub(crate) path: PathBuf,
    pub(crate) name: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CertificateView {
    pub(crate) path: PathBuf,
    pub(crate) subject: String,
    pub(crate) sha1_thumbprint: String,
    pub(crate) not_after: String,
}

/// The removable drives mounted for this user (`/media/USER/*`, `/run/media/USER/*`).
pub(crate) fn mounted_drives() -> Vec<PathBuf> {
    let Some(user) = std::env::var_os("USER") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for root in ["/media", "/run/media"] {
        if let Ok(entries) = std::fs::read_dir(Path::new(root).join(&user)) {
            found.extend(
                entries
                    .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                    .filter(|path| path.is_dir()),
            );
        }
    }
    found.sort();
    found
}

fn scan_drive(path: &Path) -> DriveView {
    use certkeeper_core::formats::detect::Found;
    let mut view = DriveView {
        path: path.to_path_buf(),
        containers: Vec::new(),
        pfx: Vec::new(),
        private_keys: Vec::new(),
        certificates: Vec::new(),
        other_files: 0,
    };
    for found in certkeeper_core::formats::detect::scan(path) {
        match found {
            Found::Container { path, name, .. } => {
                view.containers.push(ContainerView { path, name })
            }
            Found::Pkcs12 { path } => view.pfx.push(path),
            Found::PrivateKey { path, .. } => view.private_keys.push(path),
            Found::Certificate {
                path, certificate, ..
            } => view.certificates.push(CertificateView {
                path,
                subject: certificate.subject.display_name().to_owned(),
                sha1_thumbprint: certificate.sha1_thumbprint.clone(),
                not_after: certkeeper_core::cert::format_time(certificate.not_after),
            }),
            Found::Unreadable { .. } => view.other_files += 1,
        }
    }
    view
}

#[derive(Debug, Serialize)]
pub(crate) struct RegistryView {
    pub(crate) store: PathBuf,
    pub(crate) containers: Vec<PathBuf>,
}

/// Runs `certkeeper media list`.
pub fn list(
    context: &Context,
    given_modules: &[PathBuf],
    token: Option<&str>,
    pin_file: Option<&Path>,
    dirs: &[PathBuf],
) -> Result<()> {
    let pin = pin_file
        .map(certkeeper_core::secret::read_secret_file)
        .transpose()?;
    let listed = survey(given_modules, token.zip(pin.as_ref()), dirs)?;
    let mut out = std::io::stdout().lock();
    if context.json {
        super::write_json(&mut out, &listed)?;
        return Ok(());
    }
    print(context, &listed, &mut out)
}

/// Every medium there is now: tokens (their objects read with `pin` for the token it names),
/// the registry store, and `dirs` with the mounted drives.
pub(crate) fn survey(
    given_modules: &[PathBuf],
    pin: Option<(&str, &certkeeper_core::secret::SecretString)>,
    dirs: &[PathBuf],
) -> Result<Listed> {
    let token = pin.map(|(label, _)| label);
    let pin = pin.map(|(_, pin)| pin);
    let mut listed = Listed {
        tokens: Vec::new(),
        unusable_modules: Vec::new(),
        registry: RegistryView {
            store: PathBuf::new(),
            containers: Vec::new(),
        },
        drives: Vec::new(),
    };
    let mut drives = dirs.to_vec();
    drives.extend(mounted_drives());
    drives.dedup();
    listed.drives = drives.iter().map(|drive| scan_drive(drive)).collect();
    for path in modules(given_modules)? {
        let module = match Module::load(&path) {
            Ok(module) => module,
            Err(error) => {
                listed.unusable_modules.push(error.to_string());
                continue;
            }
        };
        for info in module.tokens()? {
            // The PIN goes to the token it was given for, once.
            let pin = pin.filter(|_| token == Some(info.label.as_str()));
            let objects = module
                .objects(&info.label, pin)?
                .into_iter()
                .map(|object| {
                    let certificate = object
                        .value
                        .as_deref()
                        .and_then(|der| Certificate::from_der(der).ok());
                    ObjectView {
                        subject: certificate
                            .as_ref()
                            .map(|cert| cert.subject.display_name().to_owned()),
                        sha1_thumbprint: certificate.map(|cert| cert.sha1_thumbprint),
                        object,
                    }
                })
                .collect();
            let generates = module.key_generation(&info.label).unwrap_or_default();
            listed.tokens.push(TokenView {
                token: info,
                objects,
                generates,
            });
        }
    }
    let store = super::registry::store()?;
    listed.registry.store = store.folder().to_path_buf();
    listed.registry.containers = store
        .list()
        .map_err(|source| certkeeper_storage::Error::Io {
            path: store.folder().to_path_buf(),
            source,
        })?
        .into_iter()
        .map(|entry| entry.folder)
        .collect();
    Ok(listed)
}

fn print(context: &Context, listed: &Listed, out: &mut impl Write) -> Result<()> {
    let lang = context.lang;
    for view in &listed.tokens {
        let token = &view.token;
        let mut state = Vec::new();
        if token.pin.locked {
            state.push(lang.pick("PIN LOCKED", "PIN ЗАБЛОКИРОВАН"));
        } else if token.pin.final_try {
            state.push(lang.pick("one PIN try left", "осталась одна попытка ввода PIN"));
        } else if token.pin.count_low {
            state.push(lang.pick("a wrong PIN was entered", "был введён неверный PIN"));
        }
        writeln!(
            out,
            "{} «{}» ({} {}, {} {}){}",
            lang.pick("token", "токен"),
            token.label,
            token.model,
            token.manufacturer,
            lang.pick("serial", "серийный №"),
            token.serial,
            if state.is_empty() {
                String::new()
            } else {
                format!(" — {}", state.join(", "))
            }
        )
        .map_err(AppError::Output)?;
        for object in &view.objects {
            writeln!(
                out,
                "  {:<12} id {}  «{}»{}{}",
                object.object.class,
                object.object.id,
                object.subject.as_deref().unwrap_or(&object.object.label),
                object
                    .object
                    .key_type
                    .as_ref()
                    .map(|kind| format!("  {kind}"))
                    .unwrap_or_default(),
                match object.object.extractable {
                    Some(false) => lang.pick("  non-extractable", "  неизвлекаемый"),
                    Some(true) => lang.pick("  extractable", "  извлекаемый"),
                    None => "",
                }
            )
            .map_err(AppError::Output)?;
        }
        if !view.generates.is_empty() {
            writeln!(
                out,
                "  {} {}",
                lang.pick("generates keys:", "создаёт ключи:"),
                view.generates.join(", ")
            )
            .map_err(AppError::Output)?;
        }
    }
    writeln!(
        out,
        "{} {}: {} {}",
        lang.pick("registry store", "хранилище «реестр»"),
        listed.registry.store.display(),
        listed.registry.containers.len(),
        lang.pick("containers", "контейнеров")
    )
    .map_err(AppError::Output)?;
    for drive in &listed.drives {
        writeln!(
            out,
            "{} {}: {} {}, {} PFX, {} {}, {} {}",
            lang.pick("drive", "диск"),
            drive.path.display(),
            drive.containers.len(),
            lang.pick("containers", "контейнеров"),
            drive.pfx.len(),
            drive.private_keys.len(),
            lang.pick("key files", "файлов ключей"),
            drive.certificates.len(),
            lang.pick("certificates", "сертификатов"),
        )
        .map_err(AppError::Output)?;
        for container in &drive.containers {
            writeln!(
                out,
                "  {:<12} «{}»  {}",
                lang.pick("container", "контейнер"),
                container.name.as_deref().unwrap_or_default(),
                container.path.display()
            )
            .map_err(AppError::Output)?;
        }
        for pfx in &drive.pfx {
            writeln!(out, "  {:<12} {}", "PFX", pfx.display()).map_err(AppError::Output)?;
        }
        for certificate in &drive.certificates {
            writeln!(
                out,
                "  {:<12} «{}» {} {}  {}",
                lang.pick("certificate", "сертификат"),
                certificate.subject,
                lang.pick("until", "до"),
                certificate.not_after,
                certificate.path.display()
            )
            .map_err(AppError::Output)?;
        }
    }
    for problem in &listed.unusable_modules {
        writeln!(
            out,
            "{} {problem}",
            lang.pick("not used:", "не используется:")
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}

/// A reader or card change, for a person (the terminal's line, the window's notice).
pub(crate) fn event_line(
    event: &certkeeper_core::media::watch::Event,
    lang: crate::messages::Lang,
) -> String {
    use certkeeper_core::media::watch::Event;
    match event {
        Event::ReaderAdded { reader } => format!(
            "{} {reader}",
            lang.pick("reader connected:", "подключён считыватель:")
        ),
        Event::ReaderRemoved { reader } => format!(
            "{} {reader}",
            lang.pick("reader disconnected:", "отключён считыватель:")
        ),
        Event::CardInserted { reader, atr } => format!(
            "{} {reader} (ATR {atr})",
            lang.pick("token inserted into", "токен вставлен в")
        ),
        Event::CardRemoved { reader } => format!(
            "{} {reader}",
            lang.pick("token removed from", "токен извлечён из")
        ),
    }
}

/// What archiving the certificates of an inserted token did (`media watch --archive-new --json`:
/// one line `{"event": "certificates_archived", "token", "added": [subjects], "already_there"}`).
#[derive(Debug, Serialize)]
pub(crate) struct ArchivedFromToken {
    event: &'static str,
    pub token: String,
    pub added: Vec<String>,
    pub already_there: usize,
}

impl ArchivedFromToken {
    /// What was archived, for a person.
    pub(crate) fn line(&self, lang: crate::messages::Lang) -> String {
        if self.added.is_empty() {
            format!(
                "{} «{}» {}",
                lang.pick("the certificates of token", "сертификаты токена"),
                self.token,
                lang.pick("are already archived", "уже в архиве")
            )
        } else {
            format!(
                "{} «{}»: {}",
                lang.pick(
                    "archived from the inserted token",
                    "из вставленного токена сохранены в архив"
                ),
                self.token,
                self.added.join(", ")
            )
        }
    }
}

/// Archives the certificates on every token the modules see now (after a card was inserted): new
/// ones are added with the token as where they were seen, known ones get "last seen" updated. A
/// token that is not ready yet is asked again for up to three seconds.
pub(crate) fn archive_token_certificates(
    archive: &mut certkeeper_storage::Archive,
    modules: &[Module],
) -> Result<Vec<ArchivedFromToken>> {
    let mut results = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        for module in modules {
            let Ok(tokens) = module.tokens() else {
                continue;
            };
            for token in tokens {
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
                let imported = archive
                    .import_certificates(&certificates, &format!("token:{}", token.label))?;
                let mut result = ArchivedFromToken {
                    event: "certificates_archived",
                    token: token.label.clone(),
                    added: Vec::new(),
                    already_there: 0,
                };
                for (certificate, outcome) in certificates.iter().zip(imported) {
                    match outcome {
                        certkeeper_storage::certificates::Imported::Added => result
                            .added
                            .push(certificate.subject.display_name().to_owned()),
                        _ => result.already_there += 1,
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

/// Runs `certkeeper media watch`: prints reader and card changes as they happen (one JSON object per
/// line with `--json`), for `seconds` or until interrupted. With `archive_new` (the modules to read
/// tokens with), the certificates of each token inserted are archived and reported.
pub fn watch(
    context: &Context,
    seconds: Option<u64>,
    archive_new: Option<&[PathBuf]>,
) -> Result<()> {
    use certkeeper_core::media::watch::{Event, Watcher};
    let mut archiving = match archive_new {
        Some(given) => {
            let archive = super::archive::open_archive(context)?;
            let modules: Vec<Module> = modules(given)?
                .iter()
                .filter_map(|path| Module::load(path).ok())
                .collect();
            Some((archive, modules))
        }
        None => None,
    };
    let mut watcher = Watcher::new()?;
    let started = std::time::Instant::now();
    let until = seconds.map(std::time::Duration::from_secs);
    let lang = context.lang;
    loop {
        let left = until.map(|until| until.saturating_sub(started.elapsed()));
        if left == Some(std::time::Duration::ZERO) {
            return Ok(());
        }
        let wait = left
            .unwrap_or(std::time::Duration::from_secs(3600))
            .min(std::time::Duration::from_secs(3600));
        let events = watcher.next(wait)?;
        let mut out = std::io::stdout().lock();
        for event in events {
            if context.json {
                serde_json::to_writer(&mut out, &event)
                    .map_err(std::io::Error::from)
                    .map_err(AppError::Output)?;
                writeln!(out).map_err(AppError::Output)?;
            } else {
                let line = event_line(&event, lang);
                writeln!(out, "{line}").map_err(AppError::Output)?;
            }
            out.flush().map_err(AppError::Output)?;
            if let (Event::CardInserted { .. }, Some((archive, modules))) =
                (&event, archiving.as_mut())
            {
                for archived in archive_token_certificates(archive, modules)? {
                    if context.json {
                        serde_json::to_writer(&mut out, &archived)
                            .map_err(std::io::Error::from)
                            .map_err(AppError::Output)?;
                        writeln!(out).map_err(AppError::Output)?;
                    } else {
                        writeln!(out, "{}", archived.line(lang)).map_err(AppError::Output)?;
                    }
                    out.flush().map_err(AppError::Output)?;
                }
            }
        }
    }
}

/// Options of `media keygen`.
#[derive(Debug)]
pub struct Keygen<'a> {
    /// The token's label.
    pub token: &'a str,
    /// The algorithm, as `KeySpec::parse` reads it.
    pub algorithm: &'a str,
    /// CKA_LABEL.
    pub label: &'a str,
    /// CKA_ID, hex.
    pub id: Option<&'a str>,
    /// Whether the private key may leave the token.
    pub extractable: bool,
    /// The PIN file.
    pub pin_file: Option<&'a Path>,
    /// Where to write the public key (PEM).
    pub public_key_out: Option<&'a Path>,
    /// PKCS#11 modules.
    pub modules: &'a [PathBuf],
}

fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | ':')).collect();
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(digits.get(at..at + 2)?, 16).ok())
        .collect()
}

/// Runs `certkeeper media keygen`.
pub fn keygen(context: &Context, options: &Keygen<'_>) -> Result<()> {
    let spec =
        pkcs11::KeySpec::parse(options.algorithm).ok_or_else(|| AppError::UnknownKeyAlgorithm {
            given: options.algorithm.to_owned(),
        })?;
    let id = match options.id {
        Some(text) => parse_hex(text).ok_or_else(|| AppError::BadKeyId {
            given: text.to_owned(),
        })?,
        None => {
            let mut id = vec![0u8; 16];
            getrandom::fill(&mut id)
                .map_err(|error| certkeeper_core::error::CryptoError::Random(error.to_string()))?;
            id
        }
    };
    let tokens = certkeeper_core::media::tokens::Tokens::load(&modules(options.modules)?);
    let module = tokens.module_with(options.token)?;
    let terminal = crate::prompt::Terminal::new(context.lang);
    let prompt = crate::prompt::Answering::new(
        crate::prompt::Given {
            pin: crate::prompt::read_given(options.pin_file)?,
            ..crate::prompt::Given::default()
        },
        &terminal,
    );
    let pin = module.ask_pin(options.token, &prompt)?;
    let generated = module.generate_key_pair(
        options.token,
        &pin,
        spec,
        &id,
        options.label,
        options.extractable,
    )?;
    drop(pin);
    if let Some(path) = options.public_key_out {
        let pem = certkeeper_core::formats::pem::encode("PUBLIC KEY", &generated.public_key_info);
        super::export::write_file(path, pem.as_bytes(), false)?;
    }
    let mut out = std::io::stdout().lock();
    if context.json {
        super::write_json(&mut out, &generated)?;
    } else {
        writeln!(
            out,
            "{} {} {} «{}»: CKA_ID {}{}",
            context.lang.pick("Generated", "Создан ключ"),
            generated.key_type,
            context.lang.pick("on token", "на токене"),
            options.token,
            generated.id,
            if generated.extractable {
                context.lang.pick(" (extractable)", " (извлекаемый)")
            } else {
                context
                    .lang
                    .pick(" (cannot leave the token)", " (не покидает токен)")
            }
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}
