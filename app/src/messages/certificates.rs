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
    let status = status(view.status, lang);
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
    for (name, value) in identifiers(view, lang) {
        writeln!(out, "  {:<14}{value}", format!("{name}:"))?;
    }
    if !view.policies.is_empty() {
        let classes: Vec<String> = view
            .policies
            .iter()
            .map(|name| policy(name, lang))
            .collect();
        writeln!(
            out,
            "  {:<14}{}",
            label("classes:", "классы:"),
            classes.join(", ")
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

/// A protection class as the reader's documents name it: КС1…КА1 in Russian (the FSB's classes),
/// KC1…KA1 in English; other policies by OID.
pub fn policy(name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => name.to_owned(),
        Lang::Ru => name
            .replacen("KC", "КС", 1)
            .replacen("KB", "КВ", 1)
            .replacen("KA", "КА", 1),
    }
}

/// A key usage bit or extended key usage (as the certificate parser names it), in words.
fn usage(name: &str, lang: Lang) -> String {
    let (en, ru) = match name {
        "digitalSignature" => ("signing", "подпись"),
        "nonRepudiation" | "contentCommitment" => ("non-repudiation", "неотрекаемость"),
        "keyEncipherment" => ("key encipherment", "шифрование ключей"),
        "dataEncipherment" => ("data encipherment", "шифрование данных"),
        "keyAgreement" => ("key agreement", "согласование ключей"),
        "keyCertSign" => ("signing certificates", "подпись сертификатов"),
        "cRLSign" => ("signing CRLs", "подпись списков отзыва"),
        "encipherOnly" => ("encipher only", "только шифрование"),
        "decipherOnly" => ("decipher only", "только расшифрование"),
        "clientAuth" => ("client authentication", "проверка подлинности клиента"),
        "serverAuth" => ("server authentication", "проверка подлинности сервера"),
        "emailProtection" => ("e-mail protection", "защищённая электронная почта"),
        "codeSigning" => ("code signing", "подпись кода"),
        "timeStamping" => ("time stamping", "штамп времени"),
        "ocspSigning" => ("OCSP signing", "подпись ответов OCSP"),
        other => (other, other),
    };
    lang.pick(en, ru).to_owned()
}

/// The details card of the window: every field a person looks for, as label and value, dates
/// in the reader's form and time zone.
pub fn card(shown: &Shown, lang: Lang) -> Vec<(String, String)> {
    let view = &shown.certificate;
    let label = |en: &str, ru: &str| lang.pick(en, ru).to_owned();
    let mut fields = vec![
        (label("Owner", "Владелец"), view.subject.clone()),
        (label("Issued by", "Издатель"), view.issuer.clone()),
        (
            label("Valid", "Действует"),
            format!(
                "{} – {} ({})",
                lang.date(view.times.not_before),
                lang.date(view.times.not_after),
                status(view.status, lang)
            ),
        ),
    ];
    let times = view.times;
    if times.private_key_not_before.is_some() || times.private_key_not_after.is_some() {
        let date = |time: Option<i64>| time.map_or_else(|| "…".to_owned(), |time| lang.date(time));
        fields.push((
            label("Key may sign", "Ключом можно подписывать"),
            format!(
                "{} – {}",
                date(times.private_key_not_before),
                date(times.private_key_not_after)
            ),
        ));
    }
    for (name, value) in identifiers(view, lang) {
        fields.push((name.to_owned(), value.to_owned()));
    }
    let parameters = view
        .key_parameters
        .as_deref()
        .map(|parameters| format!(" ({parameters})"))
        .unwrap_or_default();
    fields.push((
        label("Key", "Ключ"),
        format!("{}{parameters}", lang.algorithm(&view.key_algorithm)),
    ));
    if !view.key_usage.is_empty() || !view.extended_key_usage.is_empty() {
        let uses: Vec<String> = view
            .key_usage
            .iter()
            .chain(&view.extended_key_usage)
            .map(|name| usage(name, lang))
            .collect();
        fields.push((label("Used for", "Назначение"), uses.join(", ")));
    }
    if !view.policies.is_empty() {
        let classes: Vec<String> = view
            .policies
            .iter()
            .map(|name| policy(name, lang))
            .collect();
        fields.push((
            label("Protection class", "Класс защиты"),
            classes.join(", "),
        ));
    }
    if let Some(tool) = &view.subject_sign_tool {
        fields.push((label("Signing tool", "Средство подписи"), tool.clone()));
    }
    if !view.issuer_sign_tool.is_empty() {
        fields.push((
            label("CA's tools", "Средства УЦ"),
            view.issuer_sign_tool.join("; "),
        ));
    }
    fields.push((
        label("Private key", "Закрытый ключ"),
        if shown.has_private_key {
            label("in the archive", "в архиве")
        } else if shown.key_containers.is_empty() {
            label("not in the archive", "в архиве нет")
        } else {
            label(
                "in the archive, locked in its container (its password is asked when needed)",
                "в архиве, заперт в контейнере (пароль спросят, когда понадобится)",
            )
        },
    ));
    for container in &shown.key_containers {
        fields.push((
            label("Container", "Контейнер"),
            format!("{} «{}»", container.kind, container.name),
        ));
    }
    if let Some(newer) = shown.superseded_by {
        fields.push((
            label("Superseded", "Заменён"),
            format!("{} {newer}", label("by certificate", "сертификатом")),
        ));
    }
    fields.push((
        label("Serial number", "Серийный номер"),
        grouped(&view.serial),
    ));
    fields.push((
        label("SHA-1 thumbprint", "Отпечаток SHA-1"),
        grouped(&view.sha1_thumbprint),
    ));
    fields.push(("SHA-256".to_owned(), grouped(&view.sha256_fingerprint)));
    fields
}

/// Hexadecimal in groups of four, as it is read aloud and compared by eye (and as it wraps in a
/// narrow card); search takes it with the spaces.
fn grouped(hex: &str) -> String {
    hex.as_bytes()
        .chunks(4)
        .map(String::from_utf8_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A certificate's status in words.
fn status(status: Status, lang: Lang) -> &'static str {
    match status {
        Status::Valid => lang.pick("valid", "действует"),
        Status::NotYetValid => lang.pick("not yet valid", "ещё не действует"),
        Status::Expired => lang.pick("expired", "истёк"),
        Status::PrivateKeyPeriodEnded => {
            lang.pick("private key period ended", "срок ключа подписи истёк")
        }
    }
}

/// The qualified certificate's identifiers it holds, named as the reader's documents name them:
/// INN/ИНН, INNLE/ИНН ЮЛ, OGRN/ОГРН, OGRNIP/ОГРНИП, SNILS/СНИЛС.
fn identifiers(view: &CertificateView, lang: Lang) -> Vec<(&'static str, &str)> {
    [
        (lang.pick("INN", "ИНН"), &view.inn),
        (lang.pick("INNLE", "ИНН ЮЛ"), &view.innle),
        (lang.pick("OGRN", "ОГРН"), &view.ogrn),
        (lang.pick("OGRNIP", "ОГРНИП"), &view.ogrnip),
        (lang.pick("SNILS", "СНИЛС"), &view.snils),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value.as_deref()?)))
    .collect()
}
