//! How a certificate reads as text: `inspect`, `show` and the window's details panel.

use std::io::Write;

use certkeeper_core::cert::Status;
use certkeeper_core::formats::detect;

use super::Lang;
use crate::views::{CertificateView, Item, Shown};

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
        lang.date_time(view.times.not_before),
        lang.date_time(view.times.not_after)
    )?;
    let times = view.times;
    if times.private_key_not_before.is_some() || times.private_key_not_after.is_some() {
        let date = |time: Option<i64>| time.map(|time| lang.date(time));
        writeln!(
            out,
            "  {:<14}{} – {}",
            label("key period:", "срок ключа:"),
            date(times.private_key_not_before).as_deref().unwrap_or("…"),
            date(times.private_key_not_after).as_deref().unwrap_or("…")
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
        lang.algorithm(&view.key_algorithm)
    )?;
    for (name, value) in [
        (label("INN:", "ИНН:"), &view.inn),
        (label("INNLE:", "ИНН ЮЛ:"), &view.innle),
        (label("OGRN:", "ОГРН:"), &view.ogrn),
        (label("OGRNIP:", "ОГРНИП:"), &view.ogrnip),
        (label("SNILS:", "СНИЛС:"), &view.snils),
    ] {
        if let Some(value) = value {
            writeln!(out, "  {name:<14}{value}")?;
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

/// The "protection:" line of a container or PFX file.
fn write_protection(
    out: &mut impl Write,
    protected: bool,
    opened: bool,
    lang: Lang,
) -> std::io::Result<()> {
    let text = match (protected, opened) {
        (false, _) => lang.pick("no password", "без пароля"),
        (true, true) => lang.pick("password protected, opened", "защищён паролем, открыт"),
        (true, false) => lang.pick(
            "password protected (give --password-file to open)",
            "защищён паролем (укажите --password-file, чтобы открыть)",
        ),
    };
    writeln!(out, "  {:<14}{text}", lang.pick("protection:", "защита:"))
}

/// One item of `inspect` as text.
pub fn write_item(out: &mut impl Write, item: &Item, lang: Lang) -> std::io::Result<()> {
    let label = |en, ru| lang.pick(en, ru);
    match item {
        Item::Certificate {
            path,
            encoding,
            certificate,
        } => {
            let how = match encoding {
                detect::CertificateEncoding::Der => "DER",
                detect::CertificateEncoding::Pem => "PEM",
                detect::CertificateEncoding::Pkcs7 => "PKCS#7",
            };
            writeln!(
                out,
                "{}: {} ({how})",
                path.display(),
                label("certificate", "сертификат")
            )?;
            write_certificate(out, certificate, lang)
        }
        Item::Container {
            path,
            name,
            key_algorithm,
            key_parameters,
            protected,
            opened,
            key_matches_certificate,
            private_key_not_after,
            certificate,
            error,
            ..
        } => {
            writeln!(
                out,
                "{}: {} {}",
                path.display(),
                label("CryptoPro container", "контейнер КриптоПро"),
                name.as_deref().unwrap_or("")
            )?;
            writeln!(
                out,
                "  {:<14}{key_algorithm} ({key_parameters})",
                label("key:", "ключ:")
            )?;
            write_protection(out, *protected, *opened, lang)?;
            if let Some(matches) = key_matches_certificate {
                let text = if *matches {
                    label("yes", "да")
                } else {
                    label("NO", "НЕТ")
                };
                writeln!(
                    out,
                    "  {:<14}{text}",
                    label("matches cert:", "ключ от серт.:")
                )?;
            }
            if let Some(end) = private_key_not_after {
                writeln!(out, "  {:<14}{end}", label("key until:", "ключ до:"))?;
            }
            if let Some(error) = error {
                writeln!(out, "  {:<14}{error}", label("error:", "ошибка:"))?;
            }
            if let Some(certificate) = certificate {
                write_certificate(out, certificate, lang)?;
            }
            Ok(())
        }
        Item::PrivateKey {
            path,
            key_algorithm,
            encrypted,
            opened,
            key_matches_certificate,
            error,
            ..
        } => {
            let kind = if *encrypted {
                label(
                    "encrypted PKCS#8 private key",
                    "зашифрованный закрытый ключ PKCS#8",
                )
            } else {
                label("PKCS#8 private key", "закрытый ключ PKCS#8")
            };
            writeln!(out, "{}: {kind}", path.display())?;
            writeln!(out, "  {:<14}{key_algorithm}", label("key:", "ключ:"))?;
            if *encrypted && !opened && error.is_none() {
                writeln!(
                    out,
                    "  {:<14}{}",
                    label("protection:", "защита:"),
                    label(
                        "password protected (give --password-file to open)",
                        "защищён паролем (укажите --password-file, чтобы открыть)"
                    )
                )?;
            }
            if let Some(matches) = key_matches_certificate {
                let text = if *matches {
                    label("yes", "да")
                } else {
                    label("no certificate found for it", "сертификат к нему не найден")
                };
                writeln!(
                    out,
                    "  {:<14}{text}",
                    label("matches cert:", "ключ от серт.:")
                )?;
            }
            if let Some(error) = error {
                writeln!(out, "  {:<14}{error}", label("error:", "ошибка:"))?;
            }
            Ok(())
        }
        Item::Pkcs12 {
            path,
            protected,
            opened,
            certificates,
            keys,
            error,
        } => {
            writeln!(
                out,
                "{}: {}",
                path.display(),
                label("PKCS#12 (PFX) file", "файл PKCS#12 (PFX)")
            )?;
            write_protection(out, *protected, *opened, lang)?;
            for key in keys {
                let matches = match key.key_matches_certificate {
                    Some(true) => label(", matches its certificate", ", соответствует сертификату"),
                    Some(false) => label(
                        ", does NOT match the certificates",
                        ", НЕ соответствует сертификатам",
                    ),
                    None => "",
                };
                writeln!(
                    out,
                    "  {:<14}{}{matches}",
                    label("key:", "ключ:"),
                    certkeeper_core::formats::pkcs8::algorithm_name(&key.algorithm_oid)
                )?;
            }
            if let Some(error) = error {
                writeln!(out, "  {:<14}{error}", label("error:", "ошибка:"))?;
            }
            for certificate in certificates {
                write_certificate(out, certificate, lang)?;
            }
            Ok(())
        }
        Item::Unreadable { path, reason } => writeln!(
            out,
            "{}: {} {reason}",
            path.display(),
            label("cannot read:", "не читается:")
        ),
        Item::Other { path, what } => writeln!(
            out,
            "{}: {} ({})",
            path.display(),
            label("not a certificate or key", "не сертификат и не ключ"),
            other_kind(what, lang)
        ),
    }
}

/// What a file that is not a certificate or key is, in the reader's language.
pub fn other_kind(kind: &str, lang: Lang) -> &str {
    match (kind, lang) {
        (_, Lang::En) => kind,
        ("image", _) => "изображение",
        ("JPEG image", _) => "изображение JPEG",
        ("PNG image", _) => "изображение PNG",
        ("GIF image", _) => "изображение GIF",
        ("PDF document", _) => "документ PDF",
        ("office document", _) => "офисный документ",
        ("ZIP archive or office document", _) => "архив ZIP или офисный документ",
        ("RTF document", _) => "документ RTF",
        ("RAR archive", _) => "архив RAR",
        ("7-Zip archive", _) => "архив 7-Zip",
        ("archive", _) => "архив",
        ("audio or video", _) => "аудио или видео",
        ("audio", _) => "аудио",
        ("photo or video", _) => "фото или видео",
        ("program", _) => "программа",
        ("text", _) => "текст",
        _ => "файл",
    }
}
