//! `certkeeper list`, `show`, `verify` and `audit`: what the archive holds.

use std::io::Write;

use anyhow::Result;
use certkeeper_core::cert::format_time;
use certkeeper_core::secret::SecretString;
use certkeeper_storage::{Archive, ArchiveLocation};
use serde::Serialize;

use super::Context;
use crate::messages::archive as words;
use crate::messages::{AppError, Asked};
use crate::views::ListedView;

/// A secret typed at the terminal without echo. Only someone at the terminal is asked: a script gets
/// the next step instead of a prompt that would hang.
pub fn ask_secret(prompt: &str, what: Asked) -> Result<SecretString> {
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(AppError::NoTerminal { what }.into());
    }
    Ok(SecretString::from(
        rpassword::prompt_password(prompt).map_err(|_| AppError::NoTerminal { what })?,
    ))
}

/// The archive in use, which must exist.
pub fn existing_location(context: &Context) -> Result<ArchiveLocation> {
    let location = ArchiveLocation::resolve(context.archive.clone())?;
    if !location.exists() {
        return Err(certkeeper_storage::Error::NotFound {
            path: location.path().to_path_buf(),
        }
        .into());
    }
    Ok(location)
}

/// Opens the archive with the key the unlock agent keeps for it, or else with the passphrase from
/// the file or typed once at the terminal.
pub fn open_archive(context: &Context) -> Result<Archive> {
    let location = existing_location(context)?;
    if let Some(archive) = crate::agent::open_unlocked(&location)? {
        return Ok(archive);
    }
    let passphrase = passphrase(context)?;
    Ok(Archive::open(&location, &passphrase)?)
}

/// Opens the archive with the passphrase only, whatever the agent keeps: for what must prove the
/// passphrase is known (changing it).
pub fn open_archive_asking(context: &Context) -> Result<Archive> {
    let location = existing_location(context)?;
    let passphrase = passphrase(context)?;
    Ok(Archive::open(&location, &passphrase)?)
}

/// The archive passphrase from `--passphrase-file`, or typed once at the terminal.
pub fn passphrase(context: &Context) -> Result<SecretString> {
    Ok(match &context.passphrase_file {
        Some(path) => certkeeper_core::secret::read_secret_file(path)?,
        None => {
            let terminal = crate::prompt::Terminal::new(context.lang);
            certkeeper_core::interact::Prompt::secret(
                &terminal,
                &certkeeper_core::interact::Request::ArchivePassphrase,
            )
            .map_err(|why| match why {
                certkeeper_core::interact::Declined::Cancelled => AppError::SecretNotGiven {
                    what: Asked::Passphrase,
                },
                _ => AppError::NoTerminal {
                    what: Asked::Passphrase,
                },
            })?
        }
    })
}

/// Runs `certkeeper list`.
pub fn list(
    context: &Context,
    search: Option<&str>,
    expiring_within_days: Option<u32>,
) -> Result<()> {
    let archive = open_archive(context)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0);
    let before = expiring_within_days.map(|days| now + i64::from(days) * 86_400);
    let listed = archive.list_certificates(search, before)?;
    let views: Vec<ListedView> = listed
        .into_iter()
        .map(|item| ListedView {
            id: item.id,
            subject_name: item.subject_name,
            issuer: item.issuer,
            serial: item.serial,
            sha1_thumbprint: item.sha1,
            not_before: format_time(item.not_before),
            not_after: format_time(item.not_after),
            private_key_not_after: item.private_key_not_after.map(format_time),
            key_algorithm: item.key_algorithm,
            inn: item.inn,
            innle: item.innle,
            ogrn: item.ogrn,
            ogrnip: item.ogrnip,
            snils: item.snils,
            superseded_by: item.superseded_by,
            has_private_key: item.has_private_key,
            times: crate::views::Times {
                not_before: item.not_before,
                not_after: item.not_after,
                private_key_not_before: None,
                private_key_not_after: item.private_key_not_after,
            },
        })
        .collect();
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &views)?;
        return Ok(());
    }
    words::write_list(&mut out, &views, context.lang).map_err(AppError::Output)?;
    Ok(())
}

/// `verify --json` (documented in the README).
#[derive(Debug, Serialize)]
struct VerifyView {
    sound: bool,
    sqlite: Vec<String>,
    audit_entries: u64,
    audit_broken_at: Option<i64>,
    damaged_certificates: Vec<i64>,
    changed_certificates: Vec<i64>,
    bound_to_key: bool,
    audit_unsealed: u64,
    sealed_checked: u64,
    damaged_secrets: Vec<String>,
}

/// Runs `certkeeper verify`; false when something is wrong.
pub fn verify(context: &Context) -> Result<bool> {
    let archive = open_archive(context)?;
    let report = archive.verify()?;
    let view = VerifyView {
        sound: report.is_sound(),
        sqlite: report.sqlite.clone(),
        audit_entries: report.audit_entries,
        audit_broken_at: report.audit_broken_at,
        damaged_certificates: report.damaged_certificates.clone(),
        changed_certificates: report.changed_certificates.clone(),
        bound_to_key: report.bound,
        audit_unsealed: report.audit_unsealed,
        sealed_checked: report.sealed_checked,
        damaged_secrets: report.damaged_secrets.clone(),
    };
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &view)?;
    } else {
        words::write_verify(&mut out, &report, context.lang).map_err(AppError::Output)?;
    }
    Ok(view.sound)
}

/// Runs `certkeeper show ID|THUMBPRINT`: every field of one archived certificate.
pub fn show(context: &Context, id_or_thumbprint: &str) -> Result<()> {
    let archive = open_archive(context)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0);
    let shown = crate::views::shown(&archive, id_or_thumbprint, now)?;
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &shown)?;
    } else {
        crate::messages::certificates::write_shown(&mut out, &shown, context.lang)
            .map_err(AppError::Output)?;
    }
    Ok(())
}

/// One audit entry in `audit --json` (documented in the README).
#[derive(Debug, Serialize)]
struct AuditView {
    id: i64,
    at: String,
    action: String,
    subject: String,
}

/// Runs `certkeeper audit`: the audit log, oldest first.
pub fn audit(context: &Context) -> Result<()> {
    let archive = open_archive(context)?;
    let entries: Vec<AuditView> = archive
        .audit_log()?
        .into_iter()
        .map(|entry| AuditView {
            id: entry.id,
            at: format_time(entry.at),
            action: entry.action,
            subject: entry.subject,
        })
        .collect();
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &entries)?;
    } else {
        for entry in &entries {
            writeln!(
                out,
                "{:>6}  {}  {}  {}",
                entry.id, entry.at, entry.action, entry.subject
            )
            .map_err(AppError::Output)?;
        }
    }
    Ok(())
}

/// Runs `certkeeper list --hidden`.
pub fn list_hidden(context: &Context) -> Result<()> {
    let archive = open_archive(context)?;
    let hidden = archive.hidden_certificates()?;
    let mut out = super::stdout();
    if context.json {
        #[derive(Serialize)]
        struct HiddenView {
            id: i64,
            sha1_thumbprint: String,
            subject_name: String,
            not_after: String,
            hidden_at: String,
        }
        let views: Vec<HiddenView> = hidden
            .into_iter()
            .map(|item| HiddenView {
                id: item.id,
                sha1_thumbprint: item.sha1,
                subject_name: item.subject_name,
                not_after: format_time(item.not_after),
                hidden_at: format_time(item.hidden_at),
            })
            .collect();
        super::write_json(&mut out, &views)?;
        return Ok(());
    }
    words::write_hidden(&mut out, &hidden, context.lang).map_err(AppError::Output)?;
    Ok(())
}

/// Runs `certkeeper hide` (`hidden`) and `certkeeper unhide`.
pub fn hide(context: &Context, query: &str, hidden: bool) -> Result<()> {
    let mut archive = open_archive(context)?;
    archive
        .hide_certificate(query, hidden)?
        .ok_or_else(|| AppError::NoSuchCertificate {
            query: query.to_owned(),
        })?;
    writeln!(
        super::stdout(),
        "{}",
        words::hidden_done(query, hidden, context.lang)
    )
    .map_err(AppError::Output)?;
    Ok(())
}

/// Runs `certkeeper merge` (or `merge --undo`).
pub fn merge(context: &Context, query: &str, undo: bool) -> Result<()> {
    let mut archive = open_archive(context)?;
    let Some((id, _)) = archive.certificate_der(query)? else {
        return Err(AppError::NoSuchCertificate {
            query: query.to_owned(),
        }
        .into());
    };
    let count = if undo {
        archive.unmerge_key_containers(id)?
    } else {
        archive.merge_key_containers(id)?
    };
    writeln!(
        super::stdout(),
        "{}",
        words::merged_done(count, undo, context.lang)
    )
    .map_err(AppError::Output)?;
    Ok(())
}
