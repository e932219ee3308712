//! `certkeeper settings`: shows and changes the settings file.

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::cli::SettingsCommand;
use crate::messages::AppError;
use crate::settings::{self, Settings};

/// What `settings --json` prints (documented in the README).
#[derive(Debug, Serialize)]
struct Shown<'a> {
    /// The settings file.
    file: Option<std::path::PathBuf>,
    /// The PKCS#11 modules set (empty: the defaults).
    pkcs11_modules: &'a [std::path::PathBuf],
    /// The language chosen ("ru", "en"; null: from the locale).
    language: Option<&'a str>,
}

/// Runs `certkeeper settings [set NAME VALUE | unset NAME]`.
pub fn run(context: &Context, action: Option<SettingsCommand>) -> Result<()> {
    let file = settings::path();
    let mut current = Settings::load()?;
    if let Some(action) = action {
        let Some(path) = file.as_deref() else {
            return Err(AppError::BadSettings {
                path: "settings.json".into(),
                reason: "there is no configuration directory (HOME is not set)".into(),
            }
            .into());
        };
        let name = match &action {
            SettingsCommand::Set { name, .. } | SettingsCommand::Unset { name } => name.as_str(),
        };
        match (name, &action) {
            ("pkcs11-modules", SettingsCommand::Set { value, .. }) => {
                current.pkcs11_modules = std::env::split_paths(value)
                    .filter(|path| !path.as_os_str().is_empty())
                    .collect();
            }
            ("pkcs11-modules", SettingsCommand::Unset { .. }) => current.pkcs11_modules.clear(),
            ("language", SettingsCommand::Set { value, .. }) => {
                let lang = crate::messages::Lang::from_code(value).ok_or_else(|| {
                    AppError::UnknownSetting {
                        name: format!("language {value}"),
                    }
                })?;
                current.language = Some(lang.code().to_owned());
            }
            ("language", SettingsCommand::Unset { .. }) => current.language = None,
            (other, _) => {
                return Err(AppError::UnknownSetting {
                    name: other.to_owned(),
                }
                .into());
            }
        }
        current.save_to(path)?;
    }
    let mut out = super::stdout();
    if context.json {
        super::write_json(
            &mut out,
            &Shown {
                file,
                pkcs11_modules: &current.pkcs11_modules,
                language: current.language.as_deref(),
            },
        )?;
        return Ok(());
    }
    crate::messages::lang::write_settings(&mut out, file.as_deref(), &current, context.lang)
        .map_err(AppError::Output)?;
    Ok(())
}
