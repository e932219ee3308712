//! `certkeeper registry sync` and `registry export-reg`: the CryptoPro registry store.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use certkeeper_core::copy;
use certkeeper_core::formats::cryptopro::ContainerFiles;
use certkeeper_core::media::registry::{self, RegistryStore};
use certkeeper_storage::copy_side::ArchiveSide;
use serde::Serialize;

use super::Context;
use super::archive::open_archive;
use crate::messages::AppError;

/// The registry store of the archive in use (see
/// [`certkeeper_storage::location::registry_store`]).
pub(crate) fn store(context: &Context) -> Result<RegistryStore> {
    Ok(certkeeper_storage::location::registry_store(
        context.archive.as_deref(),
    )?)
}

/// Runs `certkeeper registry sync`: every archived CryptoPro container is mirrored into the registry
/// store (idempotent: what is there already is left alone); the archive records where each lives.
pub fn sync(context: &Context) -> Result<()> {
    let mut archive = ArchiveSide::open(open_archive(context)?);
    let terminal = crate::prompt::Terminal::new(context.lang);
    let synced = copy::keep_in_registry(&mut archive, &store(context)?, &terminal)?;
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &synced)?;
    } else {
        crate::messages::media::write_synced(&mut out, &synced, context.lang)
            .map_err(AppError::Output)?;
    }
    Ok(())
}

/// Runs `certkeeper registry export-reg --sid SID --out FILE`: every archived CryptoPro container as a
/// `.reg` file for the Windows registry of user SID.
pub fn export_reg(context: &Context, sid: &str, out: &Path) -> Result<()> {
    if certkeeper_core::files::taken(out) {
        return Err(AppError::OutputExists {
            path: out.to_path_buf(),
        }
        .into());
    }
    let archive = open_archive(context)?;
    let containers: Vec<copy::ArchivedContainer> = archive
        .cryptopro_containers()?
        .into_iter()
        .map(|container| {
            Ok(copy::ArchivedContainer {
                id: container.id,
                name: container.name,
                files: ContainerFiles::from_der(&container.original)?,
            })
        })
        .collect::<Result<_>>()?;
    let containers = copy::current_versions(containers);
    let refs: Vec<(&str, &ContainerFiles)> = containers
        .iter()
        .map(|container| (container.name.as_str(), &container.files))
        .collect();
    let bytes = registry::encode_utf16(&registry::reg_file(sid, &refs));
    super::export::write_file(out, &bytes, true)?;
    let mut stdout = super::stdout();
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
            "{}",
            crate::messages::media::reg_written(out, containers.len(), context.lang)
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}
