//! How certificates are shown, shared by the command line (`inspect`, `show`, their JSON) and the
//! window's details panel.

use std::io::Write;

use certkeeper_core::cert::{Certificate, Status, format_time};
use certkeeper_storage::Archive;
use serde::Serialize;

use crate::messages::{AppError, Lang};

/// A certificate as `inspect --json` and `show --json` show it (documented in the README).
#[derive(Debug, Serialize)]
pub struct CertificateView {
    pub(crate) subject: String,
    pub(crate) issuer: String,
    pub(crate) subject_name: String,
    pub(crate) serial: String,
    pub(crate) not_before: String,
    pub(crate) not_after: String,
    pub(crate) private_key_not_before: Option<String>,
    pub(crate) private_key_not_after: Option<String>,
    pub(crate) status: Status,
    pub(crate) key_algorithm: String,
    pub(crate) key_parameters: Option<String>,
    pub(crate) key_usage: Vec<String>,
    pub(crate) extended_key_usage: Vec<String>,
    pub(crate) subject_key_id: Option<String>,
    pub(crate) authority_key_id: Option<String>,
    pub(crate) is_ca: bool,
    pub(crate) sha1_thumbprint: String,
    pub(crate) sha256_fingerprint: String,
    pub(crate) inn: Option<String>,
    pub(crate) innle: Option<String>,
    pub(crate) ogrn: Option<String>,
    pub(crate) ogrnip: Option<String>,
    pub(crate) snils: Option<String>,
    pub(crate) subject_sign_tool: Option<String>,
    pub(crate) issuer_sign_tool: Vec<String>,
    pub(crate) policies: Vec<String>,
}

impl CertificateView {
    /// The view of `certificate` at time `now` (Unix seconds).
    pub fn new(certificate: &Certificate, now: i64) -> Self {
        Self {
            subject: certificate.subject.to_string(),
            issuer: certificate.issuer.to_string(),
            subject_name: certificate.subject.display_name().to_owned(),
            serial: certificate.serial.clone(),
            not_before: format_time(certificate.not_before),
            not_after: format_time(certificate.not_after),
            private_key_not_before: certificate.private_key_not_before.map(format_time),
            private_key_not_after: certificate.private_key_not_after.map(format_time),
            status: certificate.status_at(now),
            key_algorithm: certificate.key_algorithm.name.clone(),
            key_parameters: certificate.key_algorithm.parameters.clone(),
            key_usage: certificate.key_usage.clone(),
            extended_key_usage: certificate.extended_key_usage.clone(),
            subject_key_id: certificate.subject_key_id.clone(),
            authority_key_id: certificate.authority_key_id.clone(),
            is_ca: certificate.is_ca,
            sha1_thumbprint: certificate.sha1_thumbprint.clone(),
            sha256_fingerprint: certificate.sha256_fingerprint.clone(),
            inn: certificate.inn.clone(),
            innle: certificate.innle.clone(),
            ogrn: certificate.ogrn.clone(),
            ogrnip: certificate.ogrnip.clone(),
            snils: certificate.snils.clone(),
            subject_sign_tool: certificate.subject_sign_tool.clone(),
            issuer_sign_tool: certificate.issuer_sign_tool.clone(),
            policies: certificate.policies.clone(),
        }
    }
}

pub(crate) fn write_certificate(
    out: &mut impl Write,
    view: &CertificateView,
    lang: Lang,
) -> std::io::Result<()> {
    let label = |en, ru| lang.pick(en, ru);
    let status = match view.status {
        Status::Valid => label("valid", "действует"),
        Status::NotYetValid => label("not yet valid", "ещё не действует"),
        Status::Expired => label("expired", "истёк"),
        Status::PrivateKeyPeriodEnded => {
            label("private key period ended", "срок ключа подписи истёк")
        }
    };
    writeln!(
        out,
        "  {:<14}{}",
        label("subject:", "владелец:"),
        view.subject
    )?;
    writeln!(
        out,
        "  {:<14}{}",
        label("issuer:", "издатель:"),
        view.issuer
    )?;
    writeln!(
        out,
        "  {:<14}{}",
        label("serial:", "серийный №:"),
        view.serial
    )?;
    writeln!(
        out,
        "  {:<14}{} – {} ({status})",
        label("valid:", "действует:"),
        view.not_before,
        view.not_after
    )?;
    if view.private_key_not_before.is_some() || view.private_key_not_after.is_some() {
        writeln!(
            out,
            "  {:<14}{} – {}",
            label("key period:", "срок ключа:"),
            view.private_key_not_before.as_deref().unwrap_or("…"),
            view.private_key_not_after.as_deref().unwrap_or("…")
        )?;
    }
    let parameters = view
        .key_parameters
        .as_deref()
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    writeln!(
        out,
        "  {:<14}{}{parameters}",
        label("key:", "ключ:"),
        view.key_algorithm
    )?;
    for (name, value) in [
        ("INN", &view.inn),
        ("INNLE", &view.innle),
        ("OGRN", &view.ogrn),
        ("OGRNIP", &view.ogrnip),
        ("SNILS", &view.snils),
    ] {
        if let Some(value) = value {
            writeln!(out, "  {:<14}{value}", format!("{name}:"))?;
        }
    }
    if !view.policies.is_empty() {
        writeln!(
            out,
            "  {:<14}{}",
            label("classes:", "классы:"),
            view.policies.join(", ")
        )?;
    }
    writeln!(
        out,
        "  {:<14}{}",
        label("thumbprint:", "отпечаток:"),
        view.sha1_thumbprint
    )
}

/// What `show` prints about a certificate, as text in `lang` (the window's details panel).
pub(crate) fn shown_text(
    archive: &Archive,
    id_or_thumbprint: &str,
    now: i64,
    lang: Lang,
) -> anyhow::Result<String> {
    let mut text = Vec::new();
    write_shown(&mut text, &shown(archive, id_or_thumbprint, now)?, lang)
        .map_err(AppError::Output)?;
    Ok(String::from_utf8_lossy(&text).into_owned())
}

/// Everything the archive knows of one certificate (`show`).
pub(crate) fn shown(archive: &Archive, id_or_thumbprint: &str, now: i64) -> anyhow::Result<Shown> {
    let Some((id, der)) = archive.certificate_der(id_or_thumbprint)? else {
        return Err(AppError::NoSuchCertificate {
            query: id_or_thumbprint.to_owned(),
        }
        .into());
    };
    let certificate = Certificate::from_der(&der)?;
    let view = CertificateView::new(&certificate, now);
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
    Ok(Shown {
        id,
        certificate: view,
        superseded_by: record.superseded_by,
        has_private_key: record.has_private_key,
        first_archived: format_time(record.first_seen),
        seen: record
            .seen
            .into_iter()
            .map(|(location, first, last)| SeenView::new(location, first, last))
            .collect(),
        key_containers: containers,
    })
}

/// `show --json` (documented in the README).
#[derive(Debug, Serialize)]
pub(crate) struct Shown {
    id: i64,
    certificate: CertificateView,
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

pub(crate) fn write_shown(out: &mut impl Write, shown: &Shown, lang: Lang) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {}",
        lang.pick("Certificate", "Сертификат"),
        shown.id
    )?;
    write_certificate(out, &shown.certificate, lang)?;
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
