//! How a certificate reads as text: `inspect`, `show` and the window's details panel.

use std::io::Write;

use certkeeper_core::cert::Status;

use super::Lang;
use crate::views::{CertificateView, Shown};

pub fn write_certificate(
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

pub fn write_shown(out: &mut impl Write, shown: &Shown, lang: Lang) -> std::io::Result<()> {
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
