//! `certkeeper export`: a certificate, or its key with it, from the archive into a file or container.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use certkeeper_core::cert::{Certificate, format_time};
use certkeeper_core::error::FormatError;
use certkeeper_core::formats::cryptopro::{self, ContainerFiles, NewContainer};
use certkeeper_core::formats::pbe::Protection;
use certkeeper_core::formats::pkcs8::{self, GostAlgorithm, KeyInfo};
use certkeeper_core::formats::{pem, pkcs12};
use certkeeper_core::interact::{Declined, Prompt, Request};
use certkeeper_core::secret::{ExposeSecret, SecretString};
use certkeeper_storage::Archive;
use certkeeper_storage::keys::{KeyKind, UnlockedKey};

use super::Context;
use super::archive::{ask_secret, open_archive};
use crate::messages::{AppError, Asked};

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The certificate, PEM.
    Pem,
    /// The certificate, DER (.cer as Windows writes it).
    Der,
    /// Certificate and private key in a PKCS#12 file, protected by a password.
    Pfx,
    /// The private key alone, an encrypted PKCS#8 PEM file.
    Pkcs8,
    /// Certificate and private key in a CryptoPro CSP container folder (GOST keys).
    Cryptopro,
}

/// Options of `export` beyond the certificate and the format.
#[derive(Debug)]
pub struct ExportOptions<'a> {
    /// Where to write (a file, or a folder for a container).
    pub out: &'a Path,
    /// The password of the file written.
    pub password_file: Option<&'a Path>,
    /// The password of an archived container whose key is still locked.
    pub key_password_file: Option<&'a Path>,
}

/// Runs `certkeeper export`.
pub fn export(
    context: &Context,
    id_or_thumbprint: &str,
    format: ExportFormat,
    options: &ExportOptions<'_>,
) -> Result<()> {
    if options.out.exists() {
        return Err(AppError::OutputExists {
            path: options.out.to_path_buf(),
        }
        .into());
    }
    let mut archive = open_archive(context)?;
    let Some((id, der)) = archive.certificate_der(id_or_thumbprint)? else {
        return Err(AppError::NoSuchCertificate {
            query: id_or_thumbprint.to_owned(),
        }
        .into());
    };
    let certificate = Certificate::from_der(&der)?;
    let key_format = match format {
        ExportFormat::Der => {
            let written = write_file(options.out, &der, false);
            return finish(context, id, format, options, written);
        }
        ExportFormat::Pem => {
            let pem = pem::encode("CERTIFICATE", &der);
            let written = write_file(options.out, pem.as_bytes(), false);
            return finish(context, id, format, options, written);
        }
        ExportFormat::Pfx => KeyFormat::Pfx,
        ExportFormat::Pkcs8 => KeyFormat::Pkcs8,
        ExportFormat::Cryptopro => KeyFormat::Cryptopro,
    };
    let info = private_key(
        context.lang,
        &mut archive,
        id,
        id_or_thumbprint,
        options.key_password_file,
        None,
    )?;
    let written = write_key(context, key_format, &certificate, &info, options);
    finish(context, id, format, options, written)
}

/// Says what was written (text or JSON) once `written` succeeded.
fn finish(
    context: &Context,
    id: i64,
    format: ExportFormat,
    options: &ExportOptions<'_>,
    written: Result<()>,
) -> Result<()> {
    written?;
    if !context.json {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{} {}",
            context.lang.pick("Written:", "Записано:"),
            options.out.display()
        )
        .map_err(AppError::Output)?;
    } else {
        #[derive(serde::Serialize)]
        struct Written<'a> {
            id: i64,
            format: &'a str,
            out: &'a Path,
        }
        let format = match format {
            ExportFormat::Pem => "pem",
            ExportFormat::Der => "der",
            ExportFormat::Pfx => "pfx",
            ExportFormat::Pkcs8 => "pkcs8",
            ExportFormat::Cryptopro => "cryptopro",
        };
        super::write_json(
            &mut std::io::stdout().lock(),
            &Written {
                id,
                format,
                out: options.out,
            },
        )?;
    }
    Ok(())
}

/// The certificate's private key: archived unlocked, or taken out of an archived container now (with
/// its kept password, the key password file, or one typed answer — never tried again on its own).
pub(crate) fn private_key(
    lang: crate::messages::Lang,
    archive: &mut Archive,
    id: i64,
    query: &str,
    key_password_file: Option<&Path>,
    prompt: Option<&dyn Prompt>,
) -> Result<KeyInfo> {
    if let Some(key) = archive.private_key_for(id)? {
        return Ok(pkcs8::parse_private_key_info(&key.private_key_info)?);
    }
    let containers = archive.containers_for(id)?;
    let Some(container) = containers.first() else {
        return Err(AppError::NoPrivateKey {
            query: query.to_owned(),
        }
        .into());
    };
    let (original, kept) = archive.container_original(container.id)?;
    let password = match (kept, key_password_file) {
        (Some(kept), _) => kept,
        (None, Some(file)) => certkeeper_core::secret::read_secret_file(file)?,
        (None, None) if prompt.is_some() => asked(
            prompt,
            &Request::ContainerPassword {
                name: &container.name,
            },
            Asked::ContainerPassword,
        )?,
        (None, None) => ask_secret(
            &match lang {
                crate::messages::Lang::En => {
                    format!("Password of the archived container «{}»: ", container.name)
                }
                crate::messages::Lang::Ru => {
                    format!(
                        "Пароль сохранённого в архиве контейнера «{}»: ",
                        container.name
                    )
                }
            },
            Asked::ContainerPassword,
        )?,
    };
    let locked = || AppError::KeyLocked {
        name: container.name.clone(),
    };
    let info = match container.kind {
        KeyKind::CryptoPro => {
            let opened = match ContainerFiles::from_der(&original)?.open(&password) {
                Err(FormatError::WrongContainerPassword) => return Err(locked().into()),
                other => other?,
            };
            pkcs8::parse_private_key_info(&opened.private_key_info())?
        }
        KeyKind::Pkcs12 | KeyKind::Pkcs8 => {
            let secret = password.expose_secret().as_bytes();
            let keys = match container.kind {
                KeyKind::Pkcs12 => pkcs12::parse(&original, secret).map(|pfx| pfx.keys),
                _ => pkcs8::from_file(&original, true, secret).map(|key| vec![key]),
            };
            let keys = match keys {
                Err(FormatError::WrongFilePassword) => return Err(locked().into()),
                other => other?,
            };
            let certificate = Certificate::from_der(
                &archive
                    .certificate_der(&id.to_string())?
                    .map(|(_, der)| der)
                    .unwrap_or_default(),
            )?;
            let wanted = certificate.public_key_material();
            keys.into_iter()
                .find(|key| key.public_key_material() == wanted)
                .ok_or_else(|| AppError::NoPrivateKey {
                    query: query.to_owned(),
                })?
        }
    };
    // Taken out once, kept: the next export or decryption needs no password.
    if let Some(public) = info.public_key_material() {
        archive.add_unlocked_key(
            container.id,
            &UnlockedKey {
                algorithm: pkcs8::algorithm_name(&info.algorithm_oid),
                public_key: public.id(),
                private_key_info: info.der.clone(),
            },
        )?;
    }
    Ok(info)
}

/// The password of the file written: from the file, or typed twice.
pub(crate) fn new_password(
    lang: crate::messages::Lang,
    options: &ExportOptions<'_>,
    allow_empty: bool,
    prompt: Option<&dyn Prompt>,
) -> Result<SecretString> {
    let password = match options.password_file {
        Some(file) => certkeeper_core::secret::read_secret_file(file)?,
        // The window's dialog asks twice itself.
        None if prompt.is_some() => asked(
            prompt,
            &Request::NewPassword { allow_empty },
            Asked::NewPassword,
        )?,
        None => {
            let (first, second) = match lang {
                crate::messages::Lang::En => (
                    if allow_empty {
                        "Password for the new container (Enter for none): "
                    } else {
                        "Password for the exported file: "
                    },
                    "The same password again: ",
                ),
                crate::messages::Lang::Ru => (
                    if allow_empty {
                        "Пароль нового контейнера (Enter — без пароля): "
                    } else {
                        "Пароль выгружаемого файла: "
                    },
                    "Тот же пароль ещё раз: ",
                ),
            };
            let password = ask_secret(first, Asked::NewPassword)?;
            if ask_secret(second, Asked::NewPassword)?.expose_secret() != password.expose_secret() {
                return Err(AppError::PasswordsDiffer.into());
            }
            password
        }
    };
    if password.expose_secret().is_empty() && !allow_empty {
        return Err(AppError::EmptyPassword.into());
    }
    Ok(password)
}

/// A secret asked through `prompt` (the window's dialogs); a cancel says so.
fn asked(prompt: Option<&dyn Prompt>, request: &Request<'_>, what: Asked) -> Result<SecretString> {
    let prompt = prompt.ok_or(AppError::NoTerminal { what })?;
    prompt.secret(request).map_err(|why| match why {
        Declined::Cancelled => AppError::SecretNotGiven { what }.into(),
        _ => AppError::NoTerminal { what }.into(),
    })
}

/// The formats that carry the private key.
#[derive(Debug, Clone, Copy)]
enum KeyFormat {
    Pfx,
    Pkcs8,
    Cryptopro,
}

fn write_key(
    context: &Context,
    format: KeyFormat,
    certificate: &Certificate,
    info: &KeyInfo,
    options: &ExportOptions<'_>,
) -> Result<()> {
    let protection = if info.gost.is_some() {
        Protection::Gost
    } else {
        Protection::Aes256
    };
    match format {
        KeyFormat::Pfx => {
            let password = new_password(context.lang, options, false, None)?;
            let pfx = pkcs12::build(
                &certificate.der,
                &info.der,
                password.expose_secret().as_bytes(),
                protection,
                Some(certificate.subject.display_name()),
            )?;
            write_file(options.out, &pfx, true)
        }
        KeyFormat::Pkcs8 => {
            let password = new_password(context.lang, options, false, None)?;
            let encrypted =
                pkcs8::encrypt(&info.der, password.expose_secret().as_bytes(), protection)?;
            write_file(
                options.out,
                pem::encode("ENCRYPTED PRIVATE KEY", &encrypted).as_bytes(),
                true,
            )
        }
        KeyFormat::Cryptopro => {
            let (Some(key), Some(algorithm)) =
                (&info.gost, GostAlgorithm::from_oid(&info.algorithm_oid))
            else {
                return Err(AppError::NotGostKey {
                    algorithm: pkcs8::algorithm_name(&info.algorithm_oid),
                }
                .into());
            };
            let password = new_password(context.lang, options, true, None)?;
            // CryptoPro keeps the end of the private key usage period as GeneralizedTime.
            let not_after = certificate
                .private_key_not_after
                .map(|time| format_time(time).replace(['-', ':', 'T'], ""));
            let files = cryptopro::build(
                &NewContainer {
                    name: certificate.subject.display_name(),
                    key,
                    algorithm,
                    certificate: Some(&certificate.der),
                    private_key_not_after: not_after.as_deref(),
                },
                &password,
            )?;
            write_folder(options.out, &files)
        }
    }
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside it (owner-only when it holds
/// a key), synced, then renamed; `path` must not exist.
pub(crate) fn write_file(path: &Path, bytes: &[u8], secret: bool) -> Result<()> {
    let temporary = super::temporary_beside(path, "tmp");
    let result = (|| -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if secret {
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        }
        let mut file = options.open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        if path.exists() {
            return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
        }
        std::fs::rename(&temporary, path)
    })();
    if let Err(error) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(write_error(path, error));
    }
    Ok(())
}

/// Writes a container folder whole or not at all: into a temporary folder beside it, then renamed.
fn write_folder(path: &Path, files: &ContainerFiles) -> Result<()> {
    let temporary = super::temporary_beside(path, "tmp");
    if let Err(error) = files.write(&temporary) {
        let _ = std::fs::remove_dir_all(&temporary);
        return Err(error.into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o700));
    }
    if path.exists() {
        let _ = std::fs::remove_dir_all(&temporary);
        return Err(AppError::OutputExists {
            path: path.to_path_buf(),
        }
        .into());
    }
    if let Err(error) = std::fs::rename(&temporary, path) {
        let _ = std::fs::remove_dir_all(&temporary);
        return Err(write_error(path, error));
    }
    Ok(())
}

fn write_error(path: &Path, error: std::io::Error) -> anyhow::Error {
    if error.kind() == std::io::ErrorKind::AlreadyExists {
        AppError::OutputExists {
            path: path.to_path_buf(),
        }
        .into()
    } else {
        certkeeper_storage::Error::Io {
            path: path.to_path_buf(),
            source: error,
        }
        .into()
    }
}
