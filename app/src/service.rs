//! The reminder service's place in the desktop session (`watch --install`, and the window's
//! Settings page): on Linux a systemd user unit and an XDG autostart entry that start
//! `certkeeper watch` with the session; on Windows the user's `Run` key in the registry, which
//! starts it at logon.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::messages::AppError;

fn setup(path: &Path, error: std::io::Error) -> AppError {
    AppError::ServiceSetup {
        path: path.to_path_buf(),
        reason: error.to_string(),
    }
}

/// The systemd user unit and the XDG autostart entry of the reminder service.
#[cfg(not(windows))]
pub fn service_files() -> Result<(PathBuf, PathBuf), AppError> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))
        .ok_or(AppError::BadSettings {
            path: PathBuf::from("~/.config"),
            reason: "HOME is not set".to_owned(),
        })?;
    Ok((
        config.join("systemd/user/certkeeper-watch.service"),
        config.join("autostart/certkeeper-watch.desktop"),
    ))
}

/// What `watch --install` did (`--json`).
#[derive(Debug, Serialize)]
pub struct Installed {
    /// The systemd user unit.
    #[cfg(not(windows))]
    pub systemd_unit: PathBuf,
    /// The XDG autostart entry.
    #[cfg(not(windows))]
    pub autostart_entry: PathBuf,
    /// The registry value that starts it at logon (`HKEY_CURRENT_USER\…\Run`, its name).
    #[cfg(windows)]
    pub run_value: String,
    /// Whether it was started now (Linux: `systemctl --user enable --now` worked, not in a
    /// session without systemd; Windows: the program started in the background).
    pub enabled_now: bool,
}

/// The systemd user unit that runs `command` (`"PROGRAM" [--archive "ARCHIVE"] watch`) with the
/// session; the packages hold one for `/usr/bin/certkeeper watch --session`.
pub fn unit_text(command: &str) -> String {
    format!(
        "[Unit]\n\
         Description=certkeeper: reminders before certificates and keys expire\n\
         After=graphical-session.target\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart={command}\n\
         Restart=on-failure\n\
         RestartSec=60\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n"
    )
}

/// The XDG autostart entry that runs `command` when the desktop session starts.
pub fn autostart_text(command: &str) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=certkeeper reminders\n\
         Name[ru]=Напоминания certkeeper\n\
         Comment=Warns before certificates and keys expire\n\
         Comment[ru]=Предупреждает об окончании срока сертификатов и ключей\n\
         Exec={command}\n\
         Icon=certkeeper\n\
         Terminal=false\n\
         NoDisplay=true\n\
         X-GNOME-Autostart-enabled=true\n"
    )
}

/// The command that starts the service: `"PROGRAM" [--archive "ARCHIVE"] watch`.
fn watch_command(archive: Option<&Path>) -> Result<(PathBuf, Option<PathBuf>, String), AppError> {
    let program = std::env::current_exe().map_err(|error| setup(Path::new("certkeeper"), error))?;
    let mut command = format!("\"{}\"", program.display());
    let archive = match archive {
        Some(archive) => {
            let absolute = std::path::absolute(archive).map_err(|error| setup(archive, error))?;
            command.push_str(&format!(" --archive \"{}\"", absolute.display()));
            Some(absolute)
        }
        None => None,
    };
    command.push_str(" watch");
    Ok((program, archive, command))
}

/// The user's programs started at logon.
#[cfg(windows)]
const RUN_KEY: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
/// The name of certkeeper's value there.
#[cfg(windows)]
const RUN_VALUE: &str = "certkeeper reminders";

#[cfg(windows)]
fn run_key_shown() -> PathBuf {
    PathBuf::from(format!(r"HKEY_CURRENT_USER\{RUN_KEY}"))
}

/// Whether the service is set to start at logon.
#[cfg(windows)]
pub fn installed() -> bool {
    use certkeeper_core::media::registry::windows::{Key, Root};
    Key::open_in(Root::CurrentUser, RUN_KEY, false)
        .ok()
        .flatten()
        .and_then(|key| key.string(RUN_VALUE).ok().flatten())
        .is_some()
}

/// Removes the service's logon entry (the reminders kept in the archive stay; a service running
/// now ends with the session).
#[cfg(windows)]
pub fn uninstall() -> Result<(), AppError> {
    use certkeeper_core::media::registry::windows::{Key, Root};
    let shown = run_key_shown();
    if let Some(key) =
        Key::open_in(Root::CurrentUser, RUN_KEY, true).map_err(|error| setup(&shown, error))?
    {
        key.delete_value(RUN_VALUE)
            .map_err(|error| setup(&shown, error))?;
    }
    Ok(())
}

/// Sets `certkeeper [--archive ARCHIVE] watch` to start at the user's logon (the `Run` key) and
/// starts it now in the background, with no console window.
#[cfg(windows)]
pub fn install(archive: Option<&Path>) -> Result<Installed, AppError> {
    use certkeeper_core::media::registry::windows::{Key, Root};
    use std::os::windows::process::CommandExt;
    let shown = run_key_shown();
    let (program, archive, command) = watch_command(archive)?;
    Key::create_in(Root::CurrentUser, RUN_KEY)
        .and_then(|key| key.set_string(RUN_VALUE, &command))
        .map_err(|error| setup(&shown, error))?;
    // DETACHED_PROCESS: no console; CREATE_NEW_PROCESS_GROUP: not stopped with this one's.
    const DETACHED_PROCESS: u32 = 0x0000_0008;
    const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
    let mut watch = std::process::Command::new(program);
    if let Some(archive) = archive {
        watch.arg("--archive").arg(archive);
    }
    let enabled_now = watch
        .arg("watch")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP)
        .spawn()
        .is_ok();
    Ok(Installed {
        run_value: format!("{}\\{RUN_VALUE}", shown.display()),
        enabled_now,
    })
}

#[cfg(not(windows))]
fn systemctl(args: &[&str]) -> bool {
    std::process::Command::new("systemctl")
        .arg("--user")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Whether the service is set to start with the session.
#[cfg(not(windows))]
pub fn installed() -> bool {
    service_files().is_ok_and(|(unit, autostart)| unit.exists() || autostart.exists())
}

/// Stops the service and removes its unit and autostart entry (the reminders kept in the archive
/// stay).
#[cfg(not(windows))]
pub fn uninstall() -> Result<(), AppError> {
    let (unit, autostart) = service_files()?;
    let stopped = systemctl(&["disable", "--now", "certkeeper-watch.service"]);
    for path in [&unit, &autostart] {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(setup(path, error)),
        }
    }
    if stopped {
        systemctl(&["daemon-reload"]);
    }
    Ok(())
}

/// Writes the unit and the autostart entry for `certkeeper [--archive ARCHIVE] watch` and starts
/// the service where systemd runs the session.
#[cfg(not(windows))]
pub fn install(archive: Option<&Path>) -> Result<Installed, AppError> {
    let (unit, autostart) = service_files()?;
    let (_, _, command) = watch_command(archive)?;
    let unit_text = unit_text(&command);
    let desktop_text = autostart_text(&command);
    for (path, text) in [(&unit, &unit_text), (&autostart, &desktop_text)] {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| setup(parent, error))?;
        }
        certkeeper_core::files::write_bytes(
            path,
            text.as_bytes(),
            certkeeper_core::files::Mode::REPLACE,
        )
        .map_err(|error| AppError::ServiceSetup {
            path: path.clone(),
            reason: error.to_string(),
        })?;
    }
    let enabled_now = systemctl(&["daemon-reload"])
        && systemctl(&["enable", "--now", "certkeeper-watch.service"]);
    Ok(Installed {
        systemd_unit: unit,
        autostart_entry: autostart,
        enabled_now,
    })
}
