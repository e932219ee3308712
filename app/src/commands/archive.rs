//! `certkeeper import` and `certkeeper list`: the archive's certificates.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use certkeeper_core::cert::{Certificate, format_time};
use certkeeper_core::formats::detect::{self, Found};
use certkeeper_core::secret::SecretString;
use certkeeper_storage::certificates::Imported;
use certkeeper_storage::{Archive, ArchiveLocation};
use serde::Serialize;

use super::Context;
use crate::messages::{AppError, Lang};

/// A secret typed at the terminal without echo. Only someone at the terminal is asked: a script gets
/// the next step instead of a prompt that would hang.
pub fn ask_secret(prompt: &str) -> Result<SecretString> {
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(AppError::NoTerminal.into());
    }
    Ok(SecretString::from(
        rpassword::prompt_password(prompt).map_err(|_| AppError::NoTerminal)?,
    ))
}

/// Opens the archive with the passphrase from the file or typed once at the terminal.
pub fn open_archive(context: &Context) -> Result<Archive> {
    let location = ArchiveLocation::resolve(context.archive.clone())?;
    if !location.exists() {
        return Err(certkeeper_storage::Error::NotFound {
            path: location.path().to_path_buf(),
        }
        .into());
    }
    let passphrase = match &context.passphrase_file {
        Some(path) => certkeeper_core::secret::read_secret_file(path)?,
        None => ask_secret(context.lang.pick("Archive passphrase: ", "Пароль архива: "))?,
    };
    Ok(Archive::open(&location, &passphrase)?)
}

/// The JSON summary of `import` (documented in the README).
#[derive(Debug, Default, Serialize)]
struct ImportSummary {
    added: usize,
    already_there: usize,
    /// Key containers, PFX files and key files found; their keys are not archived by this version.
    keys_not_archived: Vec<PathBuf>,
    unreadable: Vec<Unreadable>,
}

#[derive(Debug, Serialize)]
struct Unreadable {
    path: PathBuf,
    reason: String,
}

/// Files per transaction on import: large enough that the commit's fsync does not dominate, small
/// enough that the write lock is held for well under a second (the window and the reminder service
/// wait for it).
const IMPORT_BATCH: usize = 500;

/// Archives `pending` in one transaction and counts the results.
fn import_batch(
    archive: &mut Archive,
    pending: &mut Vec<(String, Vec<Certificate>)>,
    summary: &mut ImportSummary,
) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let files: Vec<(&str, &[Certificate])> = pending
        .iter()
        .map(|(location, certificates)| (location.as_str(), certificates.as_slice()))
        .collect();
    for result in archive.import_files(&files)?.into_iter().flatten() {
        match result {
            Imported::Added => summary.added += 1,
            Imported::AlreadyThere => summary.already_there += 1,
        }
    }
    pending.clear();
    Ok(())
}

/// Runs `certkeeper import`: every certificate in the files and folders goes into the archive.
pub fn import(context: &Context, paths: &[PathBuf]) -> Result<bool> {
    let mut archive = open_archive(context)?;
    let mut summary = ImportSummary::default();
    // Files go in batches, each batch one transaction: a crash keeps every whole batch before it, and
    // the summary (the only success reported) comes after the last commit.
    let mut pending: Vec<(String, Vec<Certificate>)> = Vec::new();
    for path in paths {
        for found in detect::scan(path) {
            let (location, certificates) = match found {
                Found::Certificate {
                    path, certificate, ..
                } => (path, vec![*certificate]),
                Found::Container { path, header, .. } => {
                    summary.keys_not_archived.push(path.clone());
                    let certificate = header
                        .certificate
                        .as_deref()
                        .and_then(|der| Certificate::from_der(der).ok());
                    (path, certificate.into_iter().collect())
                }
                Found::Pkcs12 { path } | Found::PrivateKey { path, .. } => {
                    summary.keys_not_archived.push(path);
                    continue;
                }
                Found::Unreadable { path, reason } => {
                    summary.unreadable.push(Unreadable { path, reason });
                    continue;
                }
            };
            if certificates.is_empty() {
                continue;
            }
            pending.push((location.display().to_string(), certificates));
            if pending.len() == IMPORT_BATCH {
                import_batch(&mut archive, &mut pending, &mut summary)?;
            }
        }
    }
    import_batch(&mut archive, &mut pending, &mut summary)?;
    let mut out = std::io::stdout().lock();
    if context.json {
        super::write_json(&mut out, &summary)?;
    } else {
        let lang = context.lang;
        writeln!(
            out,
            "{} {}, {} {}",
            lang.pick("Added:", "Добавлено:"),
            summary.added,
            lang.pick("already in the archive:", "уже были в архиве:"),
            summary.already_there
        )
        .map_err(AppError::Output)?;
        for path in &summary.keys_not_archived {
            writeln!(
                out,
                "{}: {}",
                path.display(),
                lang.pick(
                    "its certificate is archived; the key itself is not archived by this version",
                    "сертификат сохранён в архиве; сам ключ эта версия в архив не сохраняет"
                )
            )
            .map_err(AppError::Output)?;
        }
        for unreadable in &summary.unreadable {
            writeln!(
                out,
                "{}: {} {}",
                unreadable.path.display(),
                lang.pick("cannot read:", "не читается:"),
                unreadable.reason
            )
            .map_err(AppError::Output)?;
        }
    }
    Ok(summary.unreadable.is_empty())
}

/// One certificate in `list --json` (documented in the README).
#[derive(Debug, Serialize)]
struct ListedView {
    id: i64,
    subject_name: String,
    issuer: String,
    serial: String,
    sha1_thumbprint: String,
    not_before: String,
    not_after: String,
    private_key_not_after: Option<String>,
    key_algorithm: String,
    inn: Option<String>,
    innle: Option<String>,
    ogrn: Option<String>,
    ogrnip: Option<String>,
    snils: Option<String>,
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
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if context.json {
        super::write_json(&mut out, &views)?;
        return Ok(());
    }
    let lang: Lang = context.lang;
    if views.is_empty() {
        writeln!(
            out,
            "{}",
            lang.pick("No certificates.", "Сертификатов нет.")
        )
        .map_err(AppError::Output)?;
    }
    for view in &views {
        writeln!(
            out,
            "{:>5}  {}  {} – {}  {}  {}",
            view.id,
            view.sha1_thumbprint,
            &view.not_before[..10],
            &view.not_after[..10],
            view.key_algorithm,
            view.subject_name
        )
        .map_err(AppError::Output)?;
    }
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
    };
    let mut out = std::io::stdout().lock();
    if context.json {
        super::write_json(&mut out, &view)?;
    } else {
        let lang = context.lang;
        let database = if report.sqlite == ["ok"] {
            lang.pick("sound", "в порядке").to_owned()
        } else {
            report.sqlite.join("; ")
        };
        writeln!(out, "{:<14}{database}", lang.pick("database:", "база:"))
            .map_err(AppError::Output)?;
        let audit = match report.audit_broken_at {
            None => format!(
                "{} {}",
                report.audit_entries,
                lang.pick("entries, chain intact", "записей, цепочка цела")
            ),
            Some(id) => format!("{} {id}", lang.pick("BROKEN at entry", "НАРУШЕН на записи")),
        };
        writeln!(out, "{:<14}{audit}", lang.pick("audit log:", "журнал:"))
            .map_err(AppError::Output)?;
        if !report.damaged_certificates.is_empty() {
            let ids: Vec<String> = report
                .damaged_certificates
                .iter()
                .map(i64::to_string)
                .collect();
            writeln!(
                out,
                "{:<14}{}",
                lang.pick("damaged:", "повреждены:"),
                ids.join(", ")
            )
            .map_err(AppError::Output)?;
        }
    }
    Ok(view.sound)
}

/// Runs `certkeeper show ID|THUMBPRINT`: every field of one archived certificate.
pub fn show(context: &Context, id_or_thumbprint: &str) -> Result<()> {
    let archive = open_archive(context)?;
    let Some((id, der)) = archive.certificate_der(id_or_thumbprint)? else {
        return Err(AppError::NoSuchCertificate {
            query: id_or_thumbprint.to_owned(),
        }
        .into());
    };
    let certificate = Certificate::from_der(&der)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0);
    let view = super::views::CertificateView::new(&certificate, now);
    let mut out = std::io::stdout().lock();
    if context.json {
        #[derive(Serialize)]
        struct Shown<'a> {
            id: i64,
            certificate: &'a super::views::CertificateView,
        }
        super::write_json(
            &mut out,
            &Shown {
                id,
                certificate: &view,
            },
        )?;
    } else {
        writeln!(
            out,
            "{} {id}",
            context.lang.pick("Certificate", "Сертификат")
        )
        .map_err(AppError::Output)?;
        super::inspect::write_certificate(&mut out, &view, context.lang)
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
    let mut out = std::io::stdout().lock();
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
