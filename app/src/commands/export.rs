//! `certkeeper export`: a certificate, or its key with it, from the archive into a file or container.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use certkeeper_core::cert::{Certificate, format_time};
use certkeeper_core::files::{self, Mode};
use certkeeper_core::formats::cryptopro::{self, ContainerFiles, NewContainer};
use certkeeper_core::formats::pbe::Protection;
use certkeeper_core::formats::pkcs8::{self, GostAlgorithm, KeyInfo};
use certkeeper_core::formats::{pem, pkcs12};
use certkeeper_core::interact::Prompt;
use certkeeper_core::secret::ExposeSecret;

use super::Context;
use super::archive::open_archive;
use crate::messages::AppError;

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
    if files::taken(options.out) {
        return Err(AppError::OutputExists {
            path: options.out.to_path_buf(),
        }
        .into());
    }
    let mut archive = open_archive(context)?;
    let terminal = crate::prompt::Terminal::new(context.lang);
    let prompt = crate::prompt::Answering::new(
        crate::prompt::Given {
            container_password: crate::prompt::read_given(options.key_password_file)?,
            new_password: crate::prompt::read_given(options.password_file)?,
            ..crate::prompt::Given::default()
        },
        &terminal,
    );
    let written = export_to(&mut archive, id_or_thumbprint, format, options.out, &prompt);
    let id = written?;
    finish(context, id, format, options, Ok(()))
}

/// Writes certificate `id_or_thumbprint` of `archive` as `format` to `out` (which must not exist),
/// asking `prompt` for the file's new password and, for a key still locked in its container, that
/// container's password: `certkeeper export` and the window's details card. The certificate's id.
pub(crate) fn export_to(
    archive: &mut certkeeper_storage::Archive,
    id_or_thumbprint: &str,
    format: ExportFormat,
    out: &Path,
    prompt: &dyn Prompt,
) -> Result<i64> {
    if files::taken(out) {
        return Err(AppError::OutputExists {
            path: out.to_path_buf(),
        }
        .into());
    }
    let Some((id, der)) = archive.certificate_der(id_or_thumbprint)? else {
        return Err(AppError::NoSuchCertificate {
            query: id_or_thumbprint.to_owned(),
        }
        .into());
    };
    let certificate = Certificate::from_der(&der)?;
    let key_format = match format {
        ExportFormat::Der => {
            write_file(out, &der, false)?;
            return Ok(id);
        }
        ExportFormat::Pem => {
            let pem = pem::encode("CERTIFICATE", &der);
            write_file(out, pem.as_bytes(), false)?;
            return Ok(id);
        }
        ExportFormat::Pfx => KeyFormat::Pfx,
        ExportFormat::Pkcs8 => KeyFormat::Pkcs8,
        ExportFormat::Cryptopro => KeyFormat::Cryptopro,
    };
    let info = archive
        .private_key(id, prompt)
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| AppError::NoPrivateKey {
            query: id_or_thumbprint.to_owned(),
        })?;
    write_key(key_format, &certificate, &info, out, prompt)?;
    Ok(id)
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
        let mut out = super::stdout();
        writeln!(
            out,
            "{}",
            crate::messages::archive::done(
                crate::messages::archive::Done::Written(options.out),
                context.lang
            )
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
            &mut super::stdout(),
            &Written {
                id,
                format,
                out: options.out,
            },
        )?;
    }
    Ok(())
}

/// The formats that carry the private key.
#[derive(Debug, Clone, Copy)]
enum KeyFormat {
    Pfx,
    Pkcs8,
    Cryptopro,
}

fn write_key(
    format: KeyFormat,
    certificate: &Certificate,
    info: &KeyInfo,
    out: &Path,
    prompt: &dyn Prompt,
) -> Result<()> {
    let protection = if info.gost.is_some() {
        Protection::Gost
    } else {
        Protection::Aes256
    };
    match format {
        KeyFormat::Pfx => {
            let password = crate::prompt::new_password(prompt, false)?;
            let pfx = pkcs12::build(
                &certificate.der,
                &info.der,
                password.expose_secret().as_bytes(),
                protection,
                Some(certificate.subject.display_name()),
            )?;
            write_file(out, &pfx, true)
        }
        KeyFormat::Pkcs8 => {
            let password = crate::prompt::new_password(prompt, false)?;
            let encrypted =
                pkcs8::encrypt(&info.der, password.expose_secret().as_bytes(), protection)?;
            write_file(
                out,
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
            let password = crate::prompt::new_password(prompt, true)?;
            // CryptoPro keeps the end of the private key usage period as GeneralizedTime.
            let not_after = certificate
                .private_key_not_after
                .map(|time| format_time(time).replace(['-', ':', 'T'], ""));
            let container = cryptopro::build(
                &NewContainer {
                    name: certificate.subject.display_name(),
                    key,
                    algorithm,
                    certificate: Some(&certificate.der),
                    private_key_not_after: not_after.as_deref(),
                },
                &password,
            )?;
            write_folder(out, &container)
        }
    }
}

/// Writes `bytes` to `path` whole or not at all (owner-only when it holds a key); `path` must not
/// exist.
pub(crate) fn write_file(path: &Path, bytes: &[u8], secret: bool) -> Result<()> {
    let mode = if secret { Mode::PRIVATE_NEW } else { Mode::NEW };
    Ok(files::write_bytes(path, bytes, mode)?)
}

/// Writes a container folder whole or not at all, for its owner only ([`ContainerFiles::write`]).
fn write_folder(path: &Path, container: &ContainerFiles) -> Result<()> {
    if files::taken(path) {
        return Err(AppError::OutputExists {
            path: path.to_path_buf(),
        }
        .into());
    }
    Ok(container.write(path)?)
}
