//! `certkeeper copy`: a key and its certificate between the archive, drives, the registry store and
//! tokens (core's [`certkeeper_core::copy`]); this module parses, asks and prints.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::cert::Thumbprint;
use certkeeper_core::copy::{self, Media, Medium};
use certkeeper_storage::ArchiveLocation;
use certkeeper_storage::copy_side::ArchiveSide;

use super::Context;
use crate::messages::AppError;
use crate::prompt::{Answering, Given, Terminal, read_given};

/// Options of `copy`.
#[derive(Debug)]
pub struct CopyOptions<'a> {
    /// Where from: `archive`, `dir:PATH`, `registry` or `token:LABEL`.
    pub from: &'a str,
    /// Where to.
    pub to: &'a str,
    /// The source's secret: a token's PIN, a PFX file's password, or an archived container's.
    pub from_secret_file: Option<&'a Path>,
    /// The target's secret: a token's PIN or the new PFX file's password.
    pub to_secret_file: Option<&'a Path>,
    /// Copy the certificate alone.
    pub certificate_only: bool,
    /// PKCS#11 modules.
    pub modules: &'a [PathBuf],
}

/// Runs `certkeeper copy THUMBPRINT --from MEDIUM --to MEDIUM`.
pub fn copy(context: &Context, thumbprint: &str, options: &CopyOptions<'_>) -> Result<()> {
    let from: Medium = options.from.parse()?;
    let to: Medium = options.to.parse()?;
    // A secret file answers for its side: a token's PIN there, else the source's password or the
    // new file's.
    let mut given = Given {
        passphrase: read_given(context.passphrase_file.as_deref())?,
        ..Given::default()
    };
    if let Some(secret) = read_given(options.from_secret_file)? {
        match &from {
            Medium::Token(label) => given.pins.push((label.clone(), secret)),
            _ => given.container_password = Some(secret),
        }
    }
    if let Some(secret) = read_given(options.to_secret_file)? {
        match &to {
            Medium::Token(label) => given.pins.push((label.clone(), secret)),
            _ => given.new_password = Some(secret),
        }
    }
    let terminal = Terminal::new(context.lang);
    let prompt = Answering::new(given, &terminal);
    let mut archive = ArchiveSide::at(ArchiveLocation::resolve(context.archive.clone()).ok());
    let modules = super::media::modules(options.modules)?;
    let registry = || {
        certkeeper_storage::location::registry_store(context.archive.as_deref())
            .map_err(|error| -> certkeeper_core::open::SourceError { Box::new(error) })
    };
    let done = copy::copy(
        &mut Media {
            archive: &mut archive,
            module_paths: &modules,
            registry: &registry,
            prompt: &prompt,
        },
        &Thumbprint::new(thumbprint),
        &from,
        &to,
        options.certificate_only,
    )?;
    let (line, json) = crate::messages::media::copied(&done, context.lang);
    let mut out = super::stdout();
    match (json, context.json) {
        (Some(value), true) => super::write_json(&mut out, &value)?,
        _ => writeln!(out, "{line}").map_err(AppError::Output)?,
    }
    Ok(())
}
