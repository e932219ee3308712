//! `certkeeper manpages --out DIR [--lang ru]` (hidden, for packaging): the manual pages of
//! `certkeeper` and of every command, made from the command-line definition itself (clap_mangen),
//! so they never say other than `--help` does; in Russian from the same catalogue as the Russian
//! `--help` (clap_mangen's own section titles stay English).

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Command;

use crate::messages::{AppError, Lang};

/// Writes `certkeeper.1` and `certkeeper-COMMAND[-SUBCOMMAND].1` for every visible command into
/// `out`, in `lang`: the files written.
pub fn write(out: &Path, lang: Lang) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).map_err(AppError::Output)?;
    let mut command = crate::cli::command(lang);
    command.build();
    let mut written = Vec::new();
    write_page(&command, "certkeeper", out, &mut written)?;
    Ok(written)
}

fn write_page(command: &Command, name: &str, out: &Path, written: &mut Vec<PathBuf>) -> Result<()> {
    // The page is named as git names its pages: certkeeper-media-list(1); its synopsis says
    // `certkeeper media list`.
    let mut roff = Vec::new();
    clap_mangen::Man::new(command.clone())
        .title(name.to_uppercase())
        .render(&mut roff)
        .map_err(AppError::Output)?;
    let path = out.join(format!("{name}.1"));
    std::fs::write(&path, roff).map_err(AppError::Output)?;
    written.push(path);
    for sub in command.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        write_page(sub, &format!("{name}-{}", sub.get_name()), out, written)?;
    }
    Ok(())
}
