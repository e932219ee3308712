//! The reminder service's place in the desktop session: a systemd user unit and an XDG autostart
//! entry that start `certkeeper watch` with the session (`watch --install`, and the window's
//! Settings page).

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
    pub systemd_unit: PathBuf,
    /// The XDG autostart entry.
    pub autostart_entry: PathBuf,
    /// Whether `systemctl --user enable --now` worked (not in a session without systemd).
    pub enabled_now: bool,
}

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
pub fn installed() -> bool {
    service_files().is_ok_and(|(unit, autostart)| unit.exists() || autostart.exists())
}

/// Stops the service and removes its unit and autostart entry (the reminders kept in the archive
/// stay).
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
pub fn install(archive: Option<&Path>) -> Result<Installed, AppError> {
    let (unit, autostart) = service_files()?;
    let program = std::env::current_exe().map_err(|error| setup(&unit, error))?;
    let mut command = format!("\"{}\"", program.display());
    if let Some(archive) = archive {
        let absolute = std::path::absolute(archive).map_err(|error| setup(archive, error))?;
        command.push_str(&format!(" --archive \"{}\"", absolute.display()));
    }
    command.push_str(" watch");
    let unit_text = format!(
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
    );
    let desktop_text = format!(
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
    );
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
