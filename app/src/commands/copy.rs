//! `certkeeper copy`: a key and its certificate from one token to another.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::cert::Certificate;
use certkeeper_core::formats::cryptopro::ContainerFiles;
use certkeeper_core::media::pkcs11::{self, Module, TokenError};
use certkeeper_core::media::registry::Stored;
use certkeeper_core::secret::SecretString;

use certkeeper_core::interact::Prompt;

use super::Context;
use crate::messages::{AppError, Lang};

/// Options of `copy`.
#[derive(Debug)]
pub struct CopyOptions<'a> {
    /// `token:LABEL` to copy from.
    pub from: &'a str,
    /// `token:LABEL` to copy to.
    pub to: &'a str,
    /// The source token's PIN.
    pub from_secret_file: Option<&'a Path>,
    /// The target token's PIN.
    pub to_secret_file: Option<&'a Path>,
    /// Copy the certificate alone.
    pub certificate_only: bool,
    /// PKCS#11 modules.
    pub modules: &'a [PathBuf],
}

/// What a copy needs from whoever runs it, the command line or the window: the language, the
/// archive (opened when a copy needs it), and a person to ask for PINs and passwords that no
/// secret file gives.
pub(crate) struct Io<'a> {
    pub lang: Lang,
    pub archive: &'a dyn Fn() -> Result<certkeeper_storage::Archive>,
    /// The archive file, for recording a copy that did not need the archive opened (no
    /// passphrase: where things are is not secret).
    pub location: Option<certkeeper_storage::ArchiveLocation>,
    pub prompt: &'a dyn Prompt,
}

/// What a copy did: a line for a person, and the value `--json` prints where there is one.
#[derive(Debug)]
pub(crate) struct Done {
    pub line: String,
    pub json: Option<serde_json::Value>,
}

impl Done {
    fn line(line: String) -> Self {
        Self { line, json: None }
    }

    /// Records in the archive, when it holds the certificate, that it (and its key) now also
    /// lives at `place`, and says so. The copy is made whatever happens here: a failure to record
    /// it is told, not returned.
    fn recorded(mut self, io: &Io<'_>, thumbprint: &str, place: &str) -> Self {
        let Some(location) = io.location.as_ref().filter(|location| location.exists()) else {
            return self;
        };
        match certkeeper_storage::sightings::record_copy(location, thumbprint, place) {
            Ok(recorded) if recorded.certificate => {
                self.line.push_str(io.lang.pick(
                    "; the archive records where it now lives",
                    "; в архиве записано, где копия теперь хранится",
                ));
            }
            Ok(_) => {}
            Err(error) => {
                let text = crate::messages::describe(&error.into(), io.lang);
                self.line.push_str(&format!(
                    "; {} {} {}",
                    io.lang
                        .pick("not recorded in the archive:", "в архив не записано:"),
                    text.problem,
                    text.next_step
                ));
            }
        }
        if let Some(serde_json::Value::Object(object)) = self.json.as_mut() {
            object.insert("recorded_at".to_owned(), serde_json::Value::from(place));
        }
        self
    }
}

fn token_label(medium: &str) -> Result<&str> {
    medium.strip_prefix("token:").ok_or_else(|| {
        AppError::UnsupportedMedium {
            medium: medium.to_owned(),
        }
        .into()
    })
}

/// The module that has token `label`.
pub(crate) fn module_with(modules: &[Module], label: &str) -> Result<usize> {
    for (index, module) in modules.iter().enumerate() {
        if module.tokens()?.iter().any(|token| token.label == label) {
            return Ok(index);
        }
    }
    Err(TokenError::NotFound {
        label: label.to_owned(),
        what: "token (it is not inserted, or its driver is not given with --pkcs11-module)"
            .to_owned(),
    }
    .into())
}

pub(crate) fn pin(
    context: &Context,
    module: &Module,
    label: &str,
    file: Option<&Path>,
) -> Result<SecretString> {
    if let Some(file) = file {
        return Ok(certkeeper_core::secret::read_secret_file(file)?);
    }
    // Asked through the prompt, with the token's PIN state shown first; a locked PIN is not asked.
    Ok(module.ask_pin(label, &crate::prompt::Terminal::new(context.lang))?)
}

/// A token's PIN from its secret file, else asked through `io`.
fn pin_for(io: &Io<'_>, module: &Module, label: &str, file: Option<&Path>) -> Result<SecretString> {
    if let Some(file) = file {
        return Ok(certkeeper_core::secret::read_secret_file(file)?);
    }
    Ok(module.ask_pin(label, io.prompt)?)
}

/// Where a CryptoPro container can be read from or written to besides tokens.
enum Place {
    Archive,
    Dir(PathBuf),
    Registry,
}

fn place(medium: &str) -> Option<Place> {
    match medium {
        "archive" => Some(Place::Archive),
        "registry" => Some(Place::Registry),
        _ => medium
            .strip_prefix("dir:")
            .map(|path| Place::Dir(PathBuf::from(path))),
    }
}

/// A container found for a copy, and — when it came from the archive — the open archive and its id
/// there, so the copy can be recorded.
struct Source {
    name: String,
    files: ContainerFiles,
    archived: Option<(certkeeper_storage::Archive, i64)>,
}

/// The CryptoPro container of the certificate with `thumbprint`: from the archive, a folder (scanned)
/// or the registry store.
fn container_at(io: &Io<'_>, place: &Place, thumbprint: &str) -> Result<Source> {
    let wanted = thumbprint.to_uppercase().replace([' ', ':'], "");
    let matches = |files: &ContainerFiles| {
        certkeeper_core::formats::cryptopro::parse_header(&files.header)
            .ok()
            .and_then(|header| header.certificate)
            .and_then(|der| Certificate::from_der(&der).ok())
            .is_some_and(|certificate| certificate.sha1_thumbprint == wanted)
    };
    let name_of = |files: &ContainerFiles, fallback: &Path| {
        files
            .name
            .as_deref()
            .and_then(|bytes| certkeeper_core::formats::cryptopro::parse_name(bytes).ok())
            .unwrap_or_else(|| fallback.display().to_string())
    };
    let not_found = || AppError::NoSuchContainer {
        query: wanted.clone(),
    };
    match place {
        Place::Archive => {
            let archive = (io.archive)()?;
            let Some((id, _)) = archive.certificate_der(&wanted)? else {
                return Err(not_found().into());
            };
            for container in archive.containers_for(id)? {
                if container.kind == certkeeper_storage::keys::KeyKind::CryptoPro {
                    let (original, _) = archive.container_original(container.id)?;
                    let files = ContainerFiles::from_der(&original)?;
                    return Ok(Source {
                        name: container.name,
                        files,
                        archived: Some((archive, container.id)),
                    });
                }
            }
            Err(not_found().into())
        }
        Place::Dir(folder) => {
            for found in certkeeper_core::formats::detect::scan(folder) {
                if let certkeeper_core::formats::detect::Found::Container { path, .. } = found {
                    let files = ContainerFiles::read(&path)?;
                    if matches(&files) {
                        return Ok(Source {
                            name: name_of(&files, &path),
                            files,
                            archived: None,
                        });
                    }
                }
            }
            Err(not_found().into())
        }
        Place::Registry => {
            let store = super::registry::store()?;
            for entry in store
                .list()
                .map_err(|source| certkeeper_storage::Error::Io {
                    path: store.folder().to_path_buf(),
                    source,
                })?
            {
                if matches(&entry.files) {
                    return Ok(Source {
                        name: name_of(&entry.files, &entry.folder),
                        files: entry.files,
                        archived: None,
                    });
                }
            }
            Err(not_found().into())
        }
    }
}

/// Copies a CryptoPro container byte for byte between the archive, folders and the registry store.
fn copy_container(io: &Io<'_>, thumbprint: &str, from: &Place, to: &Place) -> Result<Done> {
    let Source {
        name,
        files,
        archived,
    } = container_at(io, from, thumbprint)?;
    let written = match to {
        Place::Dir(folder) => {
            let target = (0..1000)
                .map(|number| {
                    folder.join(format!(
                        "{}.{number:03}",
                        certkeeper_core::media::registry::folder_stem(&name)
                    ))
                })
                .find(|path| !path.exists())
                .ok_or_else(|| AppError::OutputExists {
                    path: folder.clone(),
                })?;
            std::fs::create_dir_all(folder).map_err(|source| certkeeper_storage::Error::Io {
                path: folder.clone(),
                source,
            })?;
            files.write(&target)?;
            // The copy reads back as the same container.
            if ContainerFiles::read(&target)? != files {
                return Err(AppError::UnsupportedMedium {
                    medium: format!("dir:{} (the copy reads back differently)", folder.display()),
                }
                .into());
            }
            target
        }
        Place::Registry => match super::registry::store()?.put(&name, &files)? {
            Stored::Written(folder) | Stored::AlreadyThere(folder) => folder,
        },
        Place::Archive => {
            return Err(AppError::UnsupportedMedium {
                medium: "archive (use certkeeper import PATH)".to_owned(),
            }
            .into());
        }
    };
    // The archive knows where its containers live.
    if let Some((mut archive, id)) = archived {
        let medium = match to {
            Place::Registry => "registry",
            _ => "dir",
        };
        archive.record_copy(id, &format!("{medium}:{}", written.display()))?;
    }
    Ok(Done::line(format!(
        "{} «{name}» → {}",
        io.lang.pick("Container copied:", "Контейнер скопирован:"),
        written.display()
    )))
}

/// The PKCS#11 modules of `options` that load.
fn load_modules(options: &CopyOptions<'_>) -> Result<Vec<Module>> {
    Ok(super::media::modules(options.modules)?
        .iter()
        .filter_map(|path| Module::load(path).ok())
        .collect())
}

/// A GOST key cannot go onto a token here: say so, and what to do instead.
fn gost_to_token(label: &str) -> anyhow::Error {
    AppError::UnsupportedMedium {
        medium: format!(
            "token:{label} (a GOST key from a CryptoPro container; keep it in a container on a drive \
             or in the registry, or copy the certificate alone with --certificate-only)"
        ),
    }
    .into()
}

/// CKA_ID for a key written to a token: the certificate's subject key identifier, else the first
/// 20 bytes of its SHA-1 thumbprint.
fn token_id(certificate: &Certificate) -> Vec<u8> {
    certificate
        .subject_key_id
        .as_deref()
        .and_then(|hex| {
            (0..hex.len())
                .step_by(2)
                .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
                .collect::<Option<Vec<u8>>>()
        })
        .unwrap_or_else(|| {
            (0..certificate.sha1_thumbprint.len())
                .step_by(2)
                .filter_map(|at| {
                    u8::from_str_radix(certificate.sha1_thumbprint.get(at..at + 2)?, 16).ok()
                })
                .collect()
        })
}

/// A key (RSA or EC) with its certificate from the archive or a drive (a PFX file) onto a token.
fn file_to_token(
    io: &Io<'_>,
    thumbprint: &str,
    from: &Place,
    label: &str,
    options: &CopyOptions<'_>,
) -> Result<Done> {
    let wanted = thumbprint.to_uppercase().replace([' ', ':'], "");
    let not_found = || AppError::NoSuchContainer {
        query: wanted.clone(),
    };
    let (certificate, key) = match from {
        Place::Archive => {
            let mut archive = (io.archive)()?;
            let Some((id, der)) = archive.certificate_der(&wanted)? else {
                return Err(not_found().into());
            };
            let certificate = Certificate::from_der(&der)?;
            let key = super::export::private_key(
                io.lang,
                &mut archive,
                id,
                &wanted,
                options.from_secret_file,
                Some(io.prompt),
            )?;
            (certificate, key)
        }
        Place::Dir(folder) => {
            let mut found = None;
            let password = match options.from_secret_file {
                Some(file) => certkeeper_core::secret::read_secret_file(file)?,
                None => SecretString::from(String::new()),
            };
            for item in certkeeper_core::formats::detect::scan(folder) {
                let certkeeper_core::formats::detect::Found::Pkcs12 { path } = item else {
                    continue;
                };
                let bytes =
                    std::fs::read(&path).map_err(|source| certkeeper_storage::Error::Io {
                        path: path.clone(),
                        source,
                    })?;
                use certkeeper_core::secret::ExposeSecret;
                let Ok(pfx) = certkeeper_core::formats::pkcs12::parse(
                    &bytes,
                    password.expose_secret().as_bytes(),
                ) else {
                    continue;
                };
                let Some(certificate) = pfx
                    .certificates
                    .iter()
                    .filter_map(|der| Certificate::from_der(der).ok())
                    .find(|certificate| certificate.sha1_thumbprint == wanted)
                else {
                    continue;
                };
                let wanted_key = certificate.public_key_material();
                if let Some(key) = pfx
                    .keys
                    .into_iter()
                    .find(|key| key.public_key_material() == wanted_key)
                {
                    found = Some((certificate, key));
                    break;
                }
            }
            found.ok_or_else(not_found)?
        }
        Place::Registry => return Err(gost_to_token(label)),
    };
    if key.gost.is_some() {
        return Err(gost_to_token(label));
    }
    let modules = load_modules(options)?;
    let module = &modules[module_with(&modules, label)?];
    let token_pin = pin_for(io, module, label, options.to_secret_file)?;
    let copied = pkcs11::import_key(
        module,
        label,
        &token_pin,
        &pkcs11::NewTokenKey {
            private_key_info: &key.der,
            certificate: Some(&certificate.der),
            id: &token_id(&certificate),
            label: certificate.subject.display_name(),
            extractable: false,
        },
    )?;
    drop(token_pin);
    Ok(Done {
        line: format!(
            "{} {} {} «{}» → {} «{label}»; {}",
            io.lang.pick("Copied", "Скопирован"),
            copied.key_type,
            io.lang.pick("key of", "ключ"),
            certificate.subject.display_name(),
            io.lang.pick("token", "токен"),
            io.lang.pick(
                "the token signs with it and the original verifies",
                "токен подписывает им, оригинал проверяет подпись"
            )
        ),
        json: serde_json::to_value(&copied).ok(),
    }
    .recorded(io, thumbprint, &format!("token:{label}")))
}

/// A key (RSA or EC, extractable) with its certificate off a token: into a PFX file on a drive, or
/// into the archive.
fn token_to_file(
    io: &Io<'_>,
    thumbprint: &str,
    label: &str,
    to: &Place,
    options: &CopyOptions<'_>,
) -> Result<Done> {
    if matches!(to, Place::Registry) {
        return Err(AppError::UnsupportedMedium {
            medium:
                "registry (the registry store keeps CryptoPro containers of GOST keys; copy an \
                     RSA or EC key to dir:PATH as a PFX file, or to the archive)"
                    .to_owned(),
        }
        .into());
    }
    let modules = load_modules(options)?;
    let module = &modules[module_with(&modules, label)?];
    let id = pkcs11::certificate_id(module, label, thumbprint)?;
    let token_pin = pin_for(io, module, label, options.from_secret_file)?;
    let exported = pkcs11::export_key(module, label, &token_pin, &id)?;
    drop(token_pin);
    let certificate_der =
        exported
            .certificate
            .clone()
            .ok_or_else(|| AppError::NoSuchContainer {
                query: thumbprint.to_owned(),
            })?;
    let certificate = Certificate::from_der(&certificate_der)?;
    let key = certkeeper_core::formats::pkcs8::parse_private_key_info(&exported.private_key_info)?;
    let written = match to {
        Place::Dir(folder) => {
            let stem =
                certkeeper_core::media::registry::folder_stem(certificate.subject.display_name());
            let path = (0..1000)
                .map(|number| {
                    if number == 0 {
                        folder.join(format!("{stem}.pfx"))
                    } else {
                        folder.join(format!("{stem}-{number}.pfx"))
                    }
                })
                .find(|path| !path.exists())
                .ok_or_else(|| AppError::OutputExists {
                    path: folder.clone(),
                })?;
            let password = super::export::new_password(
                io.lang,
                &super::export::ExportOptions {
                    out: &path,
                    password_file: options.to_secret_file,
                    key_password_file: None,
                },
                false,
                Some(io.prompt),
            )?;
            use certkeeper_core::secret::ExposeSecret;
            let pfx = certkeeper_core::formats::pkcs12::build(
                &certificate.der,
                &key.der,
                password.expose_secret().as_bytes(),
                certkeeper_core::formats::pbe::Protection::Aes256,
                Some(certificate.subject.display_name()),
            )?;
            std::fs::create_dir_all(folder).map_err(|source| certkeeper_storage::Error::Io {
                path: folder.clone(),
                source,
            })?;
            super::export::write_file(&path, &pfx, true)?;
            path.display().to_string()
        }
        _ => {
            let mut archive = (io.archive)()?;
            let public = key
                .public_key_material()
                .map(|material| material.id())
                .unwrap_or_default();
            let unlocked = certkeeper_storage::keys::UnlockedKey {
                algorithm: certkeeper_core::formats::pkcs8::algorithm_name(&key.algorithm_oid),
                public_key: public.clone(),
                private_key_info: key.der.clone(),
            };
            let location = format!("token:{label}");
            archive.import_files(&[certkeeper_storage::certificates::FileImport {
                location: &location,
                certificates: std::slice::from_ref(&certificate),
                key: Some(certkeeper_storage::keys::KeyImport {
                    kind: certkeeper_storage::keys::KeyKind::Pkcs8,
                    name: &exported.label,
                    original: &key.der,
                    public_key: Some(&public),
                    keys: std::slice::from_ref(&unlocked),
                    keep_password: None,
                }),
            }])?;
            "archive".to_owned()
        }
    };
    Ok(Done::line(format!(
        "{} {} {} «{}» {} «{label}» → {written}; {}",
        io.lang.pick("Copied", "Скопирован"),
        exported.key_type,
        io.lang.pick("key of", "ключ"),
        certificate.subject.display_name(),
        io.lang.pick("from token", "с токена"),
        io.lang.pick(
            "the copy signs and the token verifies with the original",
            "копия подписывает, токен проверяет подпись оригиналом"
        )
    )))
}

/// The certificate alone off a token (for a key that may not leave it): a `.cer` file on a drive,
/// or into the archive.
fn token_certificate_to_file(
    io: &Io<'_>,
    thumbprint: &str,
    label: &str,
    to: &Place,
    options: &CopyOptions<'_>,
) -> Result<Done> {
    let modules = load_modules(options)?;
    let module = &modules[module_with(&modules, label)?];
    let wanted = thumbprint.to_uppercase().replace([' ', ':'], "");
    let certificate = module
        .certificates(label)?
        .into_iter()
        .filter_map(|found| Certificate::from_der(&found.der).ok())
        .find(|certificate| certificate.sha1_thumbprint == wanted)
        .ok_or_else(|| AppError::NoSuchContainer {
            query: wanted.clone(),
        })?;
    let written = match to {
        Place::Dir(folder) => {
            let stem =
                certkeeper_core::media::registry::folder_stem(certificate.subject.display_name());
            let path = folder.join(format!("{stem}-{}.cer", &wanted[..8]));
            std::fs::create_dir_all(folder).map_err(|source| certkeeper_storage::Error::Io {
                path: folder.clone(),
                source,
            })?;
            if !path.exists() {
                super::export::write_file(&path, &certificate.der, false)?;
            }
            path.display().to_string()
        }
        Place::Archive => {
            let mut archive = (io.archive)()?;
            archive.import_certificates(
                std::slice::from_ref(&certificate),
                &format!("token:{label}"),
            )?;
            "archive".to_owned()
        }
        Place::Registry => {
            return Err(AppError::UnsupportedMedium {
                medium: "registry (it keeps containers; copy the certificate to dir:PATH or the \
                         archive)"
                    .to_owned(),
            }
            .into());
        }
    };
    Ok(Done::line(format!(
        "{} «{}» {} «{label}» → {written}",
        io.lang
            .pick("Certificate copied:", "Сертификат скопирован:"),
        certificate.subject.display_name(),
        io.lang.pick("from token", "с токена"),
    )))
}

/// Runs `certkeeper copy THUMBPRINT --from MEDIUM --to MEDIUM`.
pub fn copy(context: &Context, thumbprint: &str, options: &CopyOptions<'_>) -> Result<()> {
    let terminal = crate::prompt::Terminal::new(context.lang);
    let open = || super::archive::open_archive(context);
    let io = Io {
        lang: context.lang,
        archive: &open,
        location: certkeeper_storage::ArchiveLocation::resolve(context.archive.clone()).ok(),
        prompt: &terminal,
    };
    let done = copy_with(&io, thumbprint, options)?;
    let mut out = std::io::stdout().lock();
    match (&done.json, context.json) {
        (Some(value), true) => super::write_json(&mut out, value)?,
        _ => writeln!(out, "{}", done.line).map_err(AppError::Output)?,
    }
    Ok(())
}

/// A copy between any two media, for the command line and the window.
pub(crate) fn copy_with(io: &Io<'_>, thumbprint: &str, options: &CopyOptions<'_>) -> Result<Done> {
    let tokens = (
        options.from.strip_prefix("token:"),
        options.to.strip_prefix("token:"),
    );
    match (place(options.from), place(options.to), tokens) {
        (Some(from), Some(to), _) => return copy_container(io, thumbprint, &from, &to),
        (Some(from), None, (_, Some(to))) if !options.certificate_only => {
            return file_to_token(io, thumbprint, &from, to, options);
        }
        (None, Some(to), (Some(from), _)) if !options.certificate_only => {
            return token_to_file(io, thumbprint, from, &to, options);
        }
        (None, Some(to), (Some(from), _)) => {
            return token_certificate_to_file(io, thumbprint, from, &to, options);
        }
        _ => {}
    }
    let from = token_label(options.from)?;
    let to = token_label(options.to)?;
    let modules = load_modules(options)?;
    let source = &modules[module_with(&modules, from)?];
    let target = &modules[module_with(&modules, to)?];
    let id = pkcs11::certificate_id(source, from, thumbprint)?;
    let target_pin = pin_for(io, target, to, options.to_secret_file)?;
    if options.certificate_only {
        pkcs11::copy_certificate((source, from), (target, to, &target_pin), &id)?;
        return Ok(Done::line(format!(
            "{} «{from}» → «{to}»",
            io.lang
                .pick("Certificate copied:", "Сертификат скопирован:")
        )));
    }
    let source_pin = pin_for(io, source, from, options.from_secret_file)?;
    let copied = pkcs11::copy_key((source, from, &source_pin), (target, to, &target_pin), &id)?;
    Ok(Done {
        line: format!(
            "{} {} {} «{from}» → «{to}»{}; {}",
            io.lang.pick("Copied", "Скопирован"),
            copied.key_type,
            io.lang.pick("key", "ключ"),
            if copied.certificate {
                io.lang
                    .pick(" with its certificate", " вместе с сертификатом")
            } else {
                ""
            },
            io.lang.pick(
                "the copy signs and the original verifies it",
                "копия подписывает, оригинал проверяет подпись"
            )
        ),
        json: serde_json::to_value(&copied).ok(),
    }
    .recorded(io, thumbprint, &format!("token:{to}")))
}
