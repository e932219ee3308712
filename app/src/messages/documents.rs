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
