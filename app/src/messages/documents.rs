//! What the command line and the window say about opened documents.

use certkeeper_core::cms::signed::{Signer, Verdict};
use certkeeper_core::open::{Opened, Wanted};

use super::Lang;

/// "certificate 12", "key on token «Rutoken»" or both.
pub fn opened_with(opened: &Opened, lang: Lang) -> String {
    match (&opened.token, opened.certificate_id) {
        (Some(label), Some(id)) => format!(
            "{} «{label}», {} {id}",
            lang.pick("key on token", "ключ на токене"),
            lang.pick("certificate", "сертификат")
        ),
        (Some(label), None) => {
            format!("{} «{label}»,", lang.pick("key on token", "ключ на токене"))
        }
        (None, Some(id)) => format!("{} {id}", lang.pick("certificate", "сертификат")),
        // A content key the person gave: no key and no certificate at all.
        (None, None) if opened.subject.is_empty() => lang
            .pick("the content key given", "заданный ключ содержимого")
            .to_owned(),
        // An archived key without a certificate: its subject is the key's name.
        (None, None) if opened.serial.is_empty() => lang
            .pick(
                "archived key without a certificate",
                "ключ из архива без сертификата",
            )
            .to_owned(),
        (None, None) => String::new(),
    }
}

/// "signed by NAME (time): verdict".
pub fn signer_text(signer: &Signer, lang: Lang) -> String {
    let verdict = match &signer.verdict {
        Verdict::Valid => lang.pick("signature valid", "подпись верна").to_owned(),
        Verdict::Invalid(reason) => format!(
            "{}: {reason}",
            lang.pick("SIGNATURE INVALID", "ПОДПИСЬ НЕВЕРНА")
        ),
        Verdict::Unchecked(reason) => format!(
            "{}: {reason}",
            lang.pick("signature not checked", "подпись не проверена")
        ),
    };
    format!(
        "{} {}{}: {verdict}",
        lang.pick("signed by", "подписал"),
        signer.subject.as_deref().unwrap_or(&signer.signer),
        signer
            .signing_time
            .as_ref()
            .map(|time| format!(" ({time})"))
            .unwrap_or_default()
    )
}

/// Each recipient to look for, with what the archive knows of its certificate.
pub fn wanted_text(wanted: &[Wanted], lang: Lang) -> Vec<String> {
    wanted
        .iter()
        .map(|item| match (&item.subject, &item.valid) {
            (Some(subject), Some(valid)) => format!(
                "{} ({subject}, {valid}; {})",
                item.recipient,
                lang.pick(
                    "the certificate is archived without its key",
                    "сертификат есть в архиве, но без ключа"
                )
            ),
            _ => item.recipient.clone(),
        })
        .collect()
}

/// A document of a folder whose output an earlier run wrote.
pub fn opened_before(lang: Lang) -> &'static str {
    lang.pick(
        "opened before; the output is there and was left as it is",
        "открыт ранее; результат уже есть и не тронут",
    )
}

/// Where the documents of a folder go by default: a folder beside it.
pub fn opened_folder_name(name: &str, lang: Lang) -> String {
    format!("{name} ({})", lang.pick("opened", "расшифровано"))
}

/// What the Old documents page says of a folder before it is opened.
pub fn folder_verdict(lang: Lang) -> &'static str {
    lang.pick(
        "Every document in this folder is opened with whichever archived key fits; the contents go to the folder below.",
        "Каждый документ этой папки будет открыт подходящим ключом из архива; содержимое — в папку ниже.",
    )
}

/// What the archive knows of one recipient of a document, before it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientKnown<'a> {
    /// Its key is archived; the certificate's validity.
    KeyArchived(&'a str),
    /// Only its certificate is archived; its validity.
    CertificateOnly(&'a str),
    /// The archive does not know it.
    Unknown,
}

/// The line under a recipient's name.
pub fn recipient_line(known: RecipientKnown<'_>, lang: Lang) -> String {
    match known {
        RecipientKnown::KeyArchived(valid) => format!(
            "{} {valid}",
            lang.pick(
                "Its key is in the archive; certificate valid",
                "Его ключ есть в архиве; сертификат действовал"
            )
        ),
        RecipientKnown::CertificateOnly(valid) => format!(
            "{} {valid}",
            lang.pick(
                "The certificate is archived without its key; valid",
                "Сертификат есть в архиве, но без ключа; действовал"
            )
        ),
        RecipientKnown::Unknown => lang
            .pick(
                "Not in the archive: import this certificate's key, or insert its token.",
                "Нет в архиве: импортируйте ключ этого сертификата или вставьте его токен.",
            )
            .to_owned(),
    }
}

/// Which archived key opens a document, or that none does.
pub fn verdict(opener: Option<&str>, lang: Lang) -> String {
    match (opener, lang) {
        (Some(who), Lang::En) => format!("The archived key of «{who}» opens it."),
        (Some(who), Lang::Ru) => format!("Его откроет ключ «{who}» из архива."),
        (None, _) => lang
            .pick(
                "No archived key fits. A key on an inserted token is tried when you open it; otherwise import the key of one of the certificates above.",
                "В архиве нет подходящего ключа. При открытии будет проверен ключ на вставленном токене; иначе импортируйте ключ одного из сертификатов выше.",
            )
            .to_owned(),
    }
}

/// The window's verdict on a document encrypted with a shared key (EncryptedData).
pub fn shared_key_verdict(cipher: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Encrypted with a key the sender and you share ({cipher}), not to a certificate: type the key the sender gave you (hexadecimal) and open it."
        ),
        Lang::Ru => format!(
            "Зашифрован ключом, общим у отправителя и у вас ({cipher}), а не для сертификата: введите ключ, который дал отправитель (шестнадцатеричной записью), и откройте."
        ),
    }
}

/// The window's verdict on a document that is signed or digested, not encrypted.
pub fn not_encrypted_verdict(lang: Lang) -> &'static str {
    lang.pick(
        "Not encrypted: signed or digested. Its content is saved, and each signature or its digest is checked.",
        "Не зашифрован: подписан или снабжён хэшем. Содержимое будет сохранено, а каждая подпись или хэш — проверены.",
    )
}

/// When the content key typed in the window is not hexadecimal.
pub fn bad_content_key(lang: Lang) -> &'static str {
    lang.pick(
        "The content key must be hexadecimal digits only (32 or 64 of them for GOST and AES keys); type it as the sender gave it.",
        "Ключ содержимого — только шестнадцатеричные цифры (32 или 64 для ключей ГОСТ и AES); введите его так, как дал отправитель.",
    )
}

/// "(certificate 12 «subject», cipher AES-256-CBC)": what opened a document.
pub fn opened_by(opened: &Opened, lang: Lang) -> String {
    use certkeeper_core::open::Unencrypted;
    match &opened.not_encrypted {
        Some(Unencrypted::Signed) => {
            return lang
                .pick("(not encrypted: signed)", "(не зашифрован: подписан)")
                .to_owned();
        }
        Some(Unencrypted::Digested(digest)) => {
            return format!(
                "({} {digest} {})",
                lang.pick("not encrypted: its digest", "не зашифрован: хэш"),
                lang.pick("matches", "сходится")
            );
        }
        None => {}
    }
    format!(
        "({} «{}», {} {})",
        opened_with(opened, lang),
        opened.subject,
        lang.pick("cipher", "шифр"),
        opened.cipher
    )
}

/// "Opened IN → OUT (…)": one document opened, as the command line says it.
pub fn opened_line(opened: &Opened, lang: Lang) -> String {
    format!(
        "{} {} → {} {}",
        lang.pick("Opened", "Открыт"),
        opened.input.display(),
        opened.output.display(),
        opened_by(opened, lang)
    )
}

/// A note for a document opened with the CTR-ACPKM key stream of OpenSSL's GOST engine 3.0.x.
pub fn key_stream_note(opened: &Opened, lang: Lang) -> Option<String> {
    opened.openssl_engine_key_stream.then(|| {
        lang.pick(
            "  Decrypted with the key stream of OpenSSL's GOST engine 3.0.x (Debian 12 and its derivatives), which encrypts CTR-ACPKM content past its first section otherwise than the standard: documents that engine makes read this way. Other programs may not open it whole: have its content sent again, encrypted by certkeeper or a newer engine.",
            "  Расшифровано с гаммой движка ГОСТ для OpenSSL версии 3.0.x (Debian 12 и производные), который после первой секции шифрует CTR-ACPKM не так, как требует стандарт: созданные им документы читаются так. Другие программы могут не открыть его целиком: попросите прислать содержимое заново, зашифровав его certkeeper или более новым движком.",
        )
        .to_owned()
    })
}

/// "Opened IN → OUT (with the key in FILE, CIPHER, N bytes)".
pub fn opened_with_key_file(opened: &Opened, lang: Lang) -> String {
    format!(
        "{} {} → {} ({} {}, {}, {} {})",
        lang.pick("Opened", "Открыт"),
        opened.input.display(),
        opened.output.display(),
        lang.pick("with the key in", "ключом из"),
        opened.subject,
        opened.cipher,
        opened.bytes,
        lang.pick("bytes", "байт"),
    )
}

/// "Opened IN → OUT (with the content key given, CIPHER, N bytes)", saying so when the key was read
/// in the other byte order (as GOST standards print keys).
pub fn opened_with_content_key(opened: &Opened, lang: Lang) -> String {
    format!(
        "{} {} → {} ({}, {}, {} {})",
        lang.pick("Opened", "Открыт"),
        opened.input.display(),
        opened.output.display(),
        if opened.content_key_reversed {
            lang.pick(
                "with the content key given, read in reverse byte order as GOST standards print keys",
                "заданным ключом содержимого, прочитанным в обратном порядке байтов, как ключи печатают стандарты ГОСТ",
            )
        } else {
            lang.pick("with the content key given", "заданным ключом содержимого")
        },
        opened.cipher,
        opened.bytes,
        lang.pick("bytes", "байт"),
    )
}

/// One line of a folder's report: opened, left as an earlier run wrote it, or not opened and why.
pub enum BatchLine<'a> {
    /// Opened now.
    Opened(&'a Opened),
    /// Its output is there from an earlier run.
    Skipped(&'a std::path::Path, &'a str),
    /// Not opened: the document, why, and whom it was encrypted to.
    Failed(&'a std::path::Path, &'a str, &'a [Wanted]),
}

/// A line of `decrypt --batch`'s report.
pub fn batch_line(line: BatchLine<'_>, lang: Lang) -> String {
    match line {
        BatchLine::Skipped(input, reason) => format!(
            "{}  {}: {reason}",
            lang.pick("skipped", "пропущен"),
            input.display()
        ),
        BatchLine::Opened(opened) => format!(
            "{}  {} → {}  ({} «{}»){}",
            lang.pick("opened ", "открыт "),
            opened.input.display(),
            opened.output.display(),
            opened_with(opened, lang),
            opened.subject,
            key_stream_note(opened, lang)
                .map(|note| format!("\n  {}", note.trim_start()))
                .unwrap_or_default()
        ),
        BatchLine::Failed(input, reason, wanted) => format!(
            "{}  {}: {reason} {}",
            lang.pick("FAILED ", "НЕ ОТКРЫТ"),
            input.display(),
            wanted_text(wanted, lang).join("; ")
        ),
    }
}

/// Why a document of a folder did not open: no key fits.
pub fn no_key_fits(lang: Lang) -> &'static str {
    lang.pick(
        "no archived key or token key fits; encrypted to:",
        "не подходит ни ключ из архива, ни ключ на токене; зашифрован для:",
    )
}

/// The totals of a folder: the command line's last line, or the window's result line (`count`
/// documents; `stopped` when the person stopped it).
pub fn totals(count: usize, opened: usize, stopped: bool, window: bool, lang: Lang) -> String {
    let failed = count - opened;
    let mut line = match (window, count, failed) {
        (true, 1, 0) => lang.pick("Opened.", "Открыт.").to_owned(),
        (true, 1, _) => lang.pick("Not opened.", "Не открыт.").to_owned(),
        (true, _, _) => match lang {
            Lang::En => format!("Opened: {opened}, not opened: {failed}."),
            Lang::Ru => format!("Открыто: {opened}, не открыто: {failed}."),
        },
        (false, _, _) => format!(
            "{} {opened}, {} {failed}",
            lang.pick("Opened:", "Открыто:"),
            lang.pick("not opened:", "не открыто:")
        ),
    };
    if stopped {
        line.push_str(lang.pick(
            " Stopped: the document being opened was not written.",
            " Остановлено: открываемый документ не записан.",
        ));
    }
    line
}
