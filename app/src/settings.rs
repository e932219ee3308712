//! The user's settings: a small JSON file in the platform's configuration directory
//! (`$XDG_CONFIG_HOME/certkeeper/settings.json`, `~/.config/certkeeper/settings.json` on Linux), or
//! the file `CERTKEEPER_SETTINGS` names. Machine-specific choices live here (which PKCS#11 modules
//! to load), not in the archive, which travels between machines in backups.
//!
//! Keys this version does not know are kept as they are when the file is written again.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::messages::AppError;

/// The settings file's contents.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    /// PKCS#11 modules to load, in order (used when neither `--pkcs11-module` nor
    /// `CERTKEEPER_PKCS11_MODULES` is given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pkcs11_modules: Vec<PathBuf>,
    /// The language of the window and messages ("ru" or "en"), chosen in the window's settings;
    /// `CERTKEEPER_LANG` still comes first, the locale after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The archive opened from the window's first-start page ("open an existing archive"), used
    /// when neither `--archive` nor `CERTKEEPER_ARCHIVE` names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<PathBuf>,
    /// The CA's CMP address, typed once in the window's request steps and offered from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_url: Option<String>,
    /// Anything else in the file, kept.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// Where the settings file is.
pub fn path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CERTKEEPER_SETTINGS") {
        return Some(PathBuf::from(path));
    }
    directories::ProjectDirs::from("", "", "certkeeper")
        .map(|dirs| dirs.config_dir().join("settings.json"))
}

impl Settings {
    /// The settings at `path`; none (defaults) when the file does not exist.
    pub fn load_from(path: &Path) -> Result<Self, AppError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| AppError::BadSettings {
                path: path.to_path_buf(),
                reason: error.to_string(),
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(error) => Err(AppError::BadSettings {
                path: path.to_path_buf(),
                reason: error.to_string(),
            }),
        }
    }

    /// The user's settings; defaults when there is no file or no configuration directory.
    pub fn load() -> Result<Self, AppError> {
        match path() {
            Some(path) => Self::load_from(&path),
            None => Ok(Self::default()),
        }
    }

    /// Writes the settings to `path` whole (a temporary file renamed over it).
    pub fn save_to(&self, path: &Path) -> Result<(), AppError> {
        let failed = |error: std::io::Error| AppError::BadSettings {
            path: path.to_path_buf(),
            reason: error.to_string(),
        };
        if let Some(parent) = path.parent() {
            certkeeper_core::files::create_private_folders(parent)
                .map_err(|error| failed(std::io::Error::other(error.to_string())))?;
        }
        let mut text =
            serde_json::to_string_pretty(self).map_err(|error| AppError::BadSettings {
                path: path.to_path_buf(),
                reason: error.to_string(),
            })?;
        text.push('\n');
        certkeeper_core::files::write_bytes(
            path,
            text.as_bytes(),
            certkeeper_core::files::Mode::REPLACE,
        )
        .map_err(|error| match error {
            certkeeper_core::files::FileError::Write { source, .. } => failed(source),
            other => failed(std::io::Error::other(other.to_string())),
        })
    }
}

/// The PKCS#11 modules to use: `given` (`--pkcs11-module`, repeatable), else
/// `CERTKEEPER_PKCS11_MODULES` (a path list), else the settings file's `pkcs11_modules`, else the
/// usual places of Rutoken's, OpenSC's and SoftHSM2's modules.
pub fn module_paths(given: &[PathBuf]) -> Result<Vec<PathBuf>, AppError> {
    let configured = if given.is_empty() && std::env::var_os("CERTKEEPER_PKCS11_MODULES").is_none()
    {
        Settings::load()?.pkcs11_modules
    } else {
        Vec::new()
    };
    Ok(certkeeper_core::media::tokens::module_paths(
        given,
        &configured,
    ))
}

/// The clock: `CERTKEEPER_NOW` (RFC 3339 or a date; for scripts and tests) or the system's.
pub fn clock() -> Result<Box<dyn certkeeper_core::expiry::Clock>, AppError> {
    match std::env::var("CERTKEEPER_NOW") {
        Ok(text) => {
            let now = certkeeper_core::expiry::parse_time(&text)
                .ok_or(AppError::BadDate { given: text })?;
            Ok(Box::new(certkeeper_core::expiry::FixedClock(now)))
        }
        Err(_) => Ok(Box::new(certkeeper_core::expiry::SystemClock)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_survive_a_rewrite_and_a_missing_file_is_the_defaults() {
        let dir = std::env::temp_dir().join(format!("certkeeper-settings-{}", std::process::id()));
        let path = dir.join("settings.json");
        assert_eq!(
            Settings::load_from(&path).expect("defaults"),
            Settings::default()
        );
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(
            &path,
            r#"{"future": {"x": 1}, "pkcs11_modules": ["/a.so"]}"#,
        )
        .expect("write");
        let mut settings = Settings::load_from(&path).expect("load");
        assert_eq!(settings.pkcs11_modules, [PathBuf::from("/a.so")]);
        settings.pkcs11_modules.push("/b.so".into());
        settings.save_to(&path).expect("save");
        let again = Settings::load_from(&path).expect("load");
        assert_eq!(again.pkcs11_modules.len(), 2);
        assert_eq!(again.other["future"]["x"], 1);
        std::fs::write(&path, "{not json").expect("write");
        assert!(matches!(
            Settings::load_from(&path),
            Err(AppError::BadSettings { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
