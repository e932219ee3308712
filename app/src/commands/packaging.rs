//! `certkeeper package-files --out DIR [--program PATH]` (hidden; `.ci/build-packages` runs it):
//! what the .deb and the .rpm hold besides the program, made by the program itself so that none of
//! it says other than the program does —
//!
//! - `man/man1/*.1.gz` and `man/ru/man1/*.1.gz`: the manual pages of `certkeeper` and of every
//!   command from the command-line definition (clap_mangen), in Russian from the same catalogue as
//!   the Russian `--help` (clap_mangen's own section titles stay English); the build script
//!   compresses them as Debian policy asks (`gzip -9n`);
//! - `completions/certkeeper.bash`, `_certkeeper` (zsh), `certkeeper.fish`;
//! - `service/certkeeper-watch.service` and `service/certkeeper-watch.desktop`: the reminder
//!   service's systemd user unit and autostart entry, the ones `watch --install` writes, for
//!   `PROGRAM watch --session`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Command;

use crate::messages::{AppError, Lang};

/// Writes everything the packages hold besides the program into `out`, for `program` (where the
/// packages install it): the files written.
pub fn write(out: &Path, program: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (lang, folder) in [(Lang::En, "man/man1"), (Lang::Ru, "man/ru/man1")] {
        written.extend(manual_pages(&out.join(folder), lang)?);
    }
    let completions = out.join("completions");
    std::fs::create_dir_all(&completions).map_err(AppError::Output)?;
    for (shell, name) in [
        (clap_complete::Shell::Bash, "certkeeper.bash"),
        (clap_complete::Shell::Zsh, "_certkeeper"),
        (clap_complete::Shell::Fish, "certkeeper.fish"),
    ] {
        let mut script = Vec::new();
        clap_complete::generate(
            shell,
            &mut crate::cli::command(Lang::En),
            "certkeeper",
            &mut script,
        );
        let path = completions.join(name);
        std::fs::write(&path, script).map_err(AppError::Output)?;
        written.push(path);
    }
    let service = out.join("service");
    std::fs::create_dir_all(&service).map_err(AppError::Output)?;
    // A session with no archive yet (a user who never ran certkeeper) gets no error at each logon:
    // `--session` leaves quietly then.
    let command = format!("{} watch --session", program.display());
    for (name, text) in [
        (
            "certkeeper-watch.service",
            crate::service::unit_text(&command),
        ),
        (
            "certkeeper-watch.desktop",
            crate::service::autostart_text(&command),
        ),
    ] {
        let path = service.join(name);
        std::fs::write(&path, text).map_err(AppError::Output)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `certkeeper.1` and `certkeeper-COMMAND[-SUBCOMMAND].1` for every visible command
/// into `out`, in `lang`: the files written.
pub fn manual_pages(out: &Path, lang: Lang) -> Result<Vec<PathBuf>> {
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
