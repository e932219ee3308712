//! `certkeeper registry sync` and `registry export-reg`: the CryptoPro registry store.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::formats::cryptopro::ContainerFiles;
use certkeeper_core::media::registry::{self, RegistryStore, Stored};
use serde::Serialize;

use super::Context;
use super::archive::open_archive;
use crate::messages::AppError;

/// The registry store (see [`certkeeper_storage::location::registry_store`]).
pub(crate) fn store() -> Result<RegistryStore> {
    Ok(certkeeper_storage::location::registry_store()?)
}

/// `registry sync --json` (documented in the README).
#[derive(Debug, Default, Serialize)]
pub(crate) struct Synced {
    pub store: PathBuf,
    pub written: Vec<PathBuf>,
    pub already_there: usize,
}

/// Runs `certkeeper registry sync`: every archived CryptoPro container is mirrored into the registry
/// store (idempotent: what is there already is left alone); the archive records where each lives.
pub fn sync(context: &Context) -> Result<()> {
    let mut archive = open_archive(context)?;
    let synced = sync_archive(&mut archive)?;
    let mut out = std::io::stdout().lock();
    if context.json {
        super::write_json(&mut out, &synced)?;
    } else {
        let lang = context.lang;
        for folder in &synced.written {
            writeln!(
                out,
                "{} {}",
                lang.pick("written:", "записан:"),
                folder.display()
            )
            .map_err(AppError::Output)?;
        }
        writeln!(
            out,
            "{} {}: {} {}, {} {}",
            lang.pick("Registry store", "Хранилище «реестр»"),
            synced.store.display(),
            lang.pick("written", "записано"),
            synced.written.len(),
            lang.pick("already there", "уже были"),
            synced.already_there
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}

/// Mirrors every CryptoPro container of `archive` into the registry store; idempotent.
pub(crate) fn sync_archive(archive: &mut certkeeper_storage::Archive) -> Result<Synced> {
    let store = store()?;
    let mut synced = Synced {
        store: store.folder().to_path_buf(),
        ..Synced::default()
    };
    for container in archive.cryptopro_containers()? {
        let files = ContainerFiles::from_der(&container.original)?;
        let folder = match store.put(&container.name, &files)? {
            Stored::Written(folder) => {
                synced.written.push(folder.clone());
                folder
            }
            Stored::AlreadyThere(folder) => {
                synced.already_there += 1;
                folder
            }
        };
        archive.record_copy(container.id, &format!("registry:{}", folder.display()))?;
    }
    Ok(synced)
}

/// Runs `certkeeper registry export-reg --sid SID --out FILE`: every archived CryptoPro container as a
/// `.reg` file for the Windows registry of user SID.
pub fn export_reg(context: &Context, sid: &str, out: &Path) -> Result<()> {
    if out.exists() {
        return Err(AppError::OutputExists {
            path: out.to_path_buf(),
        }
        .into());
    }
    let archive = open_archive(context)?;
    let containers: Vec<(String, ContainerFiles)> = archive
        .cryptopro_containers()?
        .into_iter()
        .map(|container| {
            Ok((
                container.name,
                ContainerFiles::from_der(&container.original)?,
            ))
        })
        .collect::<Result<_>>()?;
    let refs: Vec<(&str, &ContainerFiles)> = containers
        .iter()
        .map(|(name, files)| (name.as_str(), files))
        .collect();
    let bytes = registry::encode_utf16(&registry::reg_file(sid, &refs));
    super::export::write_file(out, &bytes, true)?;
    let mut stdout = std::io::stdout().lock();
    if context.json {
        #[derive(Serialize)]
        struct Exported<'a> {
            out: &'a Path,
            containers: usize,
        }
        super::write_json(
            &mut stdout,
            &Exported {
                out,
                containers: containers.len(),
            },
        )?;
    } else {
        writeln!(
            stdout,
            "{} {} ({} {})",
            context.lang.pick("Written:", "Записано:"),
            out.display(),
            containers.len(),
            context.lang.pick("containers", "контейнеров")
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}
