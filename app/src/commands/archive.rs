//! `certkeeper list`, `show`, `verify` and `audit`: what the archive holds.

use std::io::Write;

use anyhow::Result;
use certkeeper_core::cert::{Certificate, format_time};
use certkeeper_core::secret::SecretString;
use certkeeper_storage::{Archive, ArchiveLocation};
use serde::Serialize;

use super::Context;
use crate::messages::{AppError, Asked, Lang};

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
        None => ask_secret(
            context.lang.pick("Archive passphrase: ", "Пароль архива: "),
            Asked::Passphrase,
        )?,
    };
    Ok(Archive::open(&location, &passphrase)?)
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
    /// The id of the newest certificate of the same owner, when this one has been renewed.
    superseded_by: Option<i64>,
    /// Whether the archive holds the private key (unlocked).
    has_private_key: bool,
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
    // A key mark (the archive holds the private key) and a superseded mark, explained once below.
    for view in &views {
        writeln!(
            out,
            "{:>5} {}{} {}  {} – {}  {}  {}",
            view.id,
            if view.has_private_key { '*' } else { ' ' },
            if view.superseded_by.is_some() {
                '~'
            } else {
                ' '
            },
            view.sha1_thumbprint,
            &view.not_before[..10],
            &view.not_after[..10],
            view.key_algorithm,
            view.subject_name
        )
        .map_err(AppError::Output)?;
    }
    if !views.is_empty() {
        writeln!(
            out,
            "{}",
            lang.pick(
                "* private key archived   ~ superseded by a newer certificate of the same owner",
                "* закрытый ключ в архиве   ~ заменён более новым сертификатом того же владельца"
            )
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
        sealed_checked: report.sealed_checked,
        damaged_secrets: report.damaged_secrets.clone(),
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
        let secrets = if report.damaged_secrets.is_empty() {
            format!(
                "{} {}",
                report.sealed_checked,
                lang.pick("sealed, every one opens", "запечатанных, все открываются")
            )
        } else {
            format!(
                "{} {}",
                lang.pick("DO NOT OPEN:", "НЕ ОТКРЫВАЮТСЯ:"),
                report.damaged_secrets.join(", ")
            )
        };
        writeln!(out, "{:<14}{secrets}", lang.pick("secrets:", "секреты:"))
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
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0);
    let mut out = std::io::stdout().lock();
    shown_into(
        &archive,
        id_or_thumbprint,
        now,
        context.json,
        context.lang,
        &mut out,
    )
}

/// What `show` prints about a certificate, as text in `lang` (the window's details panel).
pub(crate) fn shown_text(
    archive: &Archive,
    id_or_thumbprint: &str,
    now: i64,
    lang: Lang,
) -> Result<String> {
    let mut text = Vec::new();
    shown_into(archive, id_or_thumbprint, now, false, lang, &mut text)?;
    Ok(String::from_utf8_lossy(&text).into_owned())
}

fn shown_into(
    archive: &Archive,
    id_or_thumbprint: &str,
    now: i64,
    json: bool,
    lang: Lang,
    out: &mut impl Write,
) -> Result<()> {
    let Some((id, der)) = archive.certificate_der(id_or_thumbprint)? else {
        return Err(AppError::NoSuchCertificate {
            query: id_or_thumbprint.to_owned(),
        }
        .into());
    };
    let certificate = Certificate::from_der(&der)?;
    let view = super::views::CertificateView::new(&certificate, now);
    let record = archive
        .certificate_record(id)?
        .ok_or_else(|| AppError::NoSuchCertificate {
            query: id_or_thumbprint.to_owned(),
        })?;
    let containers: Vec<ContainerView> = archive
        .containers_for(id)?
        .into_iter()
        .map(|container| ContainerView {
            id: container.id,
            kind: container.kind.as_str(),
            name: container.name,
            password_kept: container.password_kept,
            seen: container
                .seen
                .into_iter()
                .map(|(location, first, last)| SeenView::new(location, first, last))
                .collect(),
        })
        .collect();
    let shown = Shown {
        id,
        certificate: &view,
        superseded_by: record.superseded_by,
        has_private_key: record.has_private_key,
        first_archived: format_time(record.first_seen),
        seen: record
            .seen
            .into_iter()
            .map(|(location, first, last)| SeenView::new(location, first, last))
            .collect(),
        key_containers: containers,
    };
    if json {
        super::write_json(out, &shown)?;
    } else {
        write_shown(out, &shown, lang).map_err(AppError::Output)?;
    }
    Ok(())
}

/// `show --json` (documented in the README).
#[derive(Debug, Serialize)]
struct Shown<'a> {
    id: i64,
    certificate: &'a super::views::CertificateView,
    /// The id of the newest certificate of the same owner, when this one has been renewed.
    superseded_by: Option<i64>,
    /// Whether the archive holds the private key unlocked (old documents open without a password).
    has_private_key: bool,
    first_archived: String,
    /// Where the certificate was seen on import, most recent first.
    seen: Vec<SeenView>,
    /// The archived containers that hold its key.
    key_containers: Vec<ContainerView>,
}

#[derive(Debug, Serialize)]
struct SeenView {
    location: String,
    first_seen: String,
    last_seen: String,
}

impl SeenView {
    fn new(location: String, first: i64, last: i64) -> Self {
        Self {
            location,
            first_seen: format_time(first),
            last_seen: format_time(last),
        }
    }
}

#[derive(Debug, Serialize)]
struct ContainerView {
    id: i64,
    kind: &'static str,
    name: String,
    password_kept: bool,
    seen: Vec<SeenView>,
}

fn write_shown(out: &mut impl Write, shown: &Shown<'_>, lang: Lang) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {}",
        lang.pick("Certificate", "Сертификат"),
        shown.id
    )?;
    super::inspect::write_certificate(out, shown.certificate, lang)?;
    if let Some(newer) = shown.superseded_by {
        writeln!(
            out,
            "  {:<14}{} {newer}",
            lang.pick("superseded:", "заменён:"),
            lang.pick("by certificate", "сертификатом")
        )?;
    }
    writeln!(
        out,
        "  {:<14}{}",
        lang.pick("private key:", "закр. ключ:"),
        if shown.has_private_key {
            lang.pick("in the archive", "в архиве")
        } else if shown.key_containers.is_empty() {
            lang.pick("not in the archive", "в архиве нет")
        } else {
            lang.pick(
                "in the archive, locked in its container (export asks its password)",
                "в архиве, заперт в контейнере (экспорт спросит его пароль)",
            )
        }
    )?;
    for container in &shown.key_containers {
        writeln!(
            out,
            "  {:<14}{} «{}»",
            lang.pick("container:", "контейнер:"),
            container.kind,
            container.name
        )?;
        for seen in &container.seen {
            writeln!(
                out,
                "  {:<14}  {} ({} – {})",
                "",
                seen.location,
                &seen.first_seen[..10],
                &seen.last_seen[..10]
            )?;
        }
    }
    writeln!(
        out,
        "  {:<14}{}",
        lang.pick("archived:", "в архиве с:"),
        shown.first_archived
    )?;
    for seen in &shown.seen {
        writeln!(
            out,
            "  {:<14}{} ({} – {})",
            lang.pick("seen at:", "где видели:"),
            seen.location,
            &seen.first_seen[..10],
            &seen.last_seen[..10]
        )?;
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
