//! `certkeeper copy`: a key and its certificate from one token to another.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::media::pkcs11::{self, Module, TokenError};
use certkeeper_core::secret::SecretString;

use super::Context;
use super::archive::ask_secret;
use crate::messages::{AppError, Asked};

/// Options of `copy`.
#[derive(Debug)]
pub struct CopyOptions<'a> {
    /// `token:LABEL` to copy from.
    pub from: &'a str,
    /// `token:LABEL` to copy to.
    pub to: &'a str,
    /// The source token's PIN.
    pub from_secret_file: Option<&'a Path>,
    /// The target token's PIN.
    pub to_secret_file: Option<&'a Path>,
    /// Copy the certificate alone.
    pub certificate_only: bool,
    /// PKCS#11 modules.
    pub modules: &'a [PathBuf],
}

fn token_label(medium: &str) -> Result<&str> {
    medium.strip_prefix("token:").ok_or_else(|| {
        AppError::UnsupportedMedium {
            medium: medium.to_owned(),
        }
        .into()
    })
}

/// The module that has token `label`.
fn module_with(modules: &[Module], label: &str) -> Result<usize> {
    for (index, module) in modules.iter().enumerate() {
        if module.tokens()?.iter().any(|token| token.label == label) {
            return Ok(index);
        }
    }
    Err(TokenError::NotFound {
        label: label.to_owned(),
        what: "token (it is not inserted, or its driver is not given with --pkcs11-module)"
            .to_owned(),
    }
    .into())
}

fn pin(
    context: &Context,
    module: &Module,
    label: &str,
    file: Option<&Path>,
) -> Result<SecretString> {
    if let Some(file) = file {
        return Ok(certkeeper_core::secret::read_secret_file(file)?);
    }
    // The PIN state is shown before asking.
    let state = module.pin_state(label)?;
    let warning = if state.final_try {
        context.lang.pick(
            " (last try before it locks!)",
            " (последняя попытка до блокировки!)",
        )
    } else if state.count_low {
        context.lang.pick(
            " (a wrong PIN was entered before)",
            " (ранее был введён неверный PIN)",
        )
    } else {
        ""
    };
    ask_secret(
        &format!(
            "{} «{label}»{warning}: ",
            context.lang.pick("PIN of token", "PIN токена")
        ),
        Asked::Pin,
    )
}

/// Runs `certkeeper copy THUMBPRINT --from token:A --to token:B`.
pub fn copy(context: &Context, thumbprint: &str, options: &CopyOptions<'_>) -> Result<()> {
    let from = token_label(options.from)?;
    let to = token_label(options.to)?;
    let modules: Vec<Module> = super::media::modules(options.modules)
        .iter()
        .filter_map(|path| Module::load(path).ok())
        .collect();
    let source = &modules[module_with(&modules, from)?];
    let target = &modules[module_with(&modules, to)?];
    let id = pkcs11::certificate_id(source, from, thumbprint)?;
    let target_pin = pin(context, target, to, options.to_secret_file)?;
    let mut out = std::io::stdout().lock();
    if options.certificate_only {
        pkcs11::copy_certificate((source, from), (target, to, &target_pin), &id)?;
        writeln!(
            out,
            "{} «{from}» → «{to}»",
            context
                .lang
                .pick("Certificate copied:", "Сертификат скопирован:")
        )
        .map_err(AppError::Output)?;
        return Ok(());
    }
    let source_pin = pin(context, source, from, options.from_secret_file)?;
    let copied = pkcs11::copy_key((source, from, &source_pin), (target, to, &target_pin), &id)?;
    if context.json {
        super::write_json(&mut out, &copied)?;
    } else {
        writeln!(
            out,
            "{} {} {} «{from}» → «{to}»{}; {}",
            context.lang.pick("Copied", "Скопирован"),
            copied.key_type,
            context.lang.pick("key", "ключ"),
            if copied.certificate {
                context
                    .lang
                    .pick(" with its certificate", " вместе с сертификатом")
            } else {
                ""
            },
            context.lang.pick(
                "the copy signs and the original verifies it",
                "копия подписывает, оригинал проверяет подпись"
            )
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}
