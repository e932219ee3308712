//! `certkeeper copy`: a key and its certificate from one token to another.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::cert::Certificate;
use certkeeper_core::formats::cryptopro::ContainerFiles;
use certkeeper_core::media::pkcs11::{self, Module, TokenError};
use certkeeper_core::media::registry::Stored;
use certkeeper_core::secret::SecretString;

use super::Context;
use super::archive::ask_secret;
use crate::messages::{AppError, Asked};

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
    // The PIN state is shown before asking.
    let state = module.pin_state(label)?;
    let warning = if state.final_try {
        context.lang.pick(
            " (last try before it locks!)",
            " (последняя попытка до блокировки!)",
        )
    } else if state.count_low {
        context.lang.pick(
            " (a wrong PIN was entered before)",
            " (ранее был введён неверный PIN)",
        )
    } else {
        ""
    };
    ask_secret(
        &format!(
            "{} «{label}»{warning}: ",
            context.lang.pick("PIN of token", "PIN токена")
        ),
        Asked::Pin,
    )
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
fn container_at(context: &Context, place: &Place, thumbprint: &str) -> Result<Source> {
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
            let archive = super::archive::open_archive(context)?;
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
fn copy_container(context: &Context, thumbprint: &str, from: &Place, to: &Place) -> Result<()> {
    let Source {
        name,
        files,
        archived,
    } = container_at(context, from, thumbprint)?;
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
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} «{name}» → {}",
        context
            .lang
            .pick("Container copied:", "Контейнер скопирован:"),
        written.display()
    )
    .map_err(AppError::Output)?;
    Ok(())
}

/// Runs `certkeeper copy THUMBPRINT --from MEDIUM --to MEDIUM`.
pub fn copy(context: &Context, thumbprint: &str, options: &CopyOptions<'_>) -> Result<()> {
    if let (Some(from), Some(to)) = (place(options.from), place(options.to)) {
        return copy_container(context, thumbprint, &from, &to);
    }
    let from = token_label(options.from)?;
    let to = token_label(options.to)?;
    let modules: Vec<Module> = super::media::modules(options.modules)?
        .iter()
        .filter_map(|path| Module::load(path).ok())
        .collect();
    let source = &modules[module_with(&modules, from)?];
    let target = &modules[module_with(&modules, to)?];
    let id = pkcs11::certificate_id(source, from, thumbprint)?;
    let target_pin = pin(context, target, to, options.to_secret_file)?;
    let mut out = std::io::stdout().lock();
    if options.certificate_only {
        pkcs11::copy_certificate((source, from), (target, to, &target_pin), &id)?;
        writeln!(
            out,
            "{} «{from}» → «{to}»",
            context
                .lang
                .pick("Certificate copied:", "Сертификат скопирован:")
        )
        .map_err(AppError::Output)?;
        return Ok(());
    }
    let source_pin = pin(context, source, from, options.from_secret_file)?;
    let copied = pkcs11::copy_key((source, from, &source_pin), (target, to, &target_pin), &id)?;
    if context.json {
        super::write_json(&mut out, &copied)?;
    } else {
        writeln!(
            out,
            "{} {} {} «{from}» → «{to}»{}; {}",
            context.lang.pick("Copied", "Скопирован"),
            copied.key_type,
            context.lang.pick("key", "ключ"),
            if copied.certificate {
                context
                    .lang
                    .pick(" with its certificate", " вместе с сертификатом")
            } else {
                ""
            },
            context.lang.pick(
                "the copy signs and the original verifies it",
                "копия подписывает, оригинал проверяет подпись"
            )
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}
