//! What the archive's history says to a person.

use std::io::Write;

use super::Lang;
use crate::views::ListedView;

/// An audit log action (as the archive records it, in English) as the person reads it.
pub fn audit_action(action: &str, lang: Lang) -> String {
    let ru = match action {
        "certificate added" => "сертификат добавлен в архив",
        "key container added" => "контейнер ключа добавлен в архив",
        "container copied" => "контейнер скопирован",
        "certificate copied" => "сертификат скопирован",
        "private key added" => "закрытый ключ добавлен в архив",
        "container password kept" => "пароль контейнера сохранён",
        "reminder sent" => "отправлено напоминание",
        "reminders muted" => "напоминания отключены",
        "reminders unmuted" => "напоминания включены",
        "reminders snoozed" => "напоминания отложены",
        "reminders unsnoozed" => "напоминания снова включены после отсрочки",
        "certificate hidden" => "сертификат скрыт",
        "certificate shown again" => "сертификат снова показан",
        "key containers merged" => "контейнеры ключа объединены",
        "key containers separated" => "контейнеры ключа разделены",
        "passphrase changed" => "пароль архива изменён",
        other => other,
    };
    lang.pick(action, ru).to_owned()
}

/// `list` as text: one line per certificate (a key mark and a superseded mark, explained once
/// below), or that there are none.
pub fn write_list(out: &mut impl Write, views: &[ListedView], lang: Lang) -> std::io::Result<()> {
    if views.is_empty() {
        writeln!(
            out,
            "{}",
            lang.pick("No certificates.", "Сертификатов нет.")
        )?;
    }
    // A key mark (the archive holds the private key) and a superseded mark, explained once below.
    for view in views {
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
            lang.date(view.times.not_before),
            lang.date(view.times.not_after),
            lang.algorithm(&view.key_algorithm),
            view.subject_name
        )?;
    }
    if !views.is_empty() {
        writeln!(
            out,
            "{}",
            lang.pick(
                "* private key archived   ~ superseded by a newer certificate of the same owner",
                "* закрытый ключ в архиве   ~ заменён более новым сертификатом того же владельца"
            )
        )?;
    }
    Ok(())
}

/// `verify` as text: the database, the audit log's chain, the sealed secrets, damaged rows.
pub fn write_verify(
    out: &mut impl Write,
    report: &certkeeper_storage::certificates::Verification,
    lang: Lang,
) -> std::io::Result<()> {
    let database = if report.sqlite == ["ok"] {
        lang.pick("sound", "в порядке").to_owned()
    } else {
        report.sqlite.join("; ")
    };
    writeln!(out, "{:<14}{database}", lang.pick("database:", "база:"))?;
    let audit = match report.audit_broken_at {
        None if report.audit_unsealed > 0 => format!(
            "{} {}; {} {}",
            report.audit_entries,
            lang.pick("entries, chain intact", "записей, цепочка цела"),
            report.audit_unsealed,
            lang.pick(
                "last written by the reminder service, without the key",
                "последних записано службой напоминаний, без ключа"
            )
        ),
        None => format!(
            "{} {}",
            report.audit_entries,
            lang.pick("entries, chain intact", "записей, цепочка цела")
        ),
        Some(id) => format!(
            "{} {id} {}",
            lang.pick("BROKEN at entry", "НАРУШЕН на записи"),
            lang.pick(
                "(rewritten, cut short or its seal removed)",
                "(переписан, укорочен или снята печать)"
            )
        ),
    };
    writeln!(out, "{:<14}{audit}", lang.pick("audit log:", "журнал:"))?;
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
    writeln!(out, "{:<14}{secrets}", lang.pick("secrets:", "секреты:"))?;
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
        )?;
    }
    if !report.changed_certificates.is_empty() {
        let ids: Vec<String> = report
            .changed_certificates
            .iter()
            .map(i64::to_string)
            .collect();
        writeln!(
            out,
            "{:<14}{} {}",
            lang.pick("CHANGED:", "ИЗМЕНЕНЫ:"),
            ids.join(", "),
            lang.pick(
                "(their records differ from what certkeeper wrote; restore from a backup)",
                "(записи не совпадают с записанным certkeeper; восстановите из резервной копии)"
            )
        )?;
    }
    if !report.bound {
        writeln!(
            out,
            "{:<14}{}",
            lang.pick("note:", "заметка:"),
            lang.pick(
                "made by an older certkeeper: records are bound to the key when it is next opened",
                "создан старой версией certkeeper: записи будут привязаны к ключу при следующем открытии"
            )
        )?;
    }
    Ok(())
}

/// What `init`, `passwd`, `backup`, `restore` and `export` did, each in a line.
pub enum Done<'a> {
    /// The archive was created here.
    Created(&'a std::path::Path),
    /// The passphrase was changed, for the archive here.
    PassphraseChanged(&'a str),
    /// A backup was written here.
    BackedUp(&'a std::path::Path),
    /// Restored, with this many certificates.
    Restored(i64),
    /// The archive the restore replaced is kept here.
    ReplacedKeptAt(&'a std::path::Path),
    /// A file was written (export).
    Written(&'a std::path::Path),
}

/// The line for what was done.
pub fn done(done: Done<'_>, lang: Lang) -> String {
    let (en, ru, value) = match done {
        Done::Created(path) => (
            "Archive created:",
            "Архив создан:",
            path.display().to_string(),
        ),
        Done::PassphraseChanged(path) => (
            "Passphrase changed for",
            "Пароль изменён для",
            path.to_owned(),
        ),
        Done::BackedUp(path) => (
            "Backup written (it opens with the archive passphrase of today):",
            "Резервная копия записана (открывается сегодняшним паролем архива):",
            path.display().to_string(),
        ),
        Done::Restored(certificates) => (
            "Restored; certificates in the archive:",
            "Восстановлено; сертификатов в архиве:",
            certificates.to_string(),
        ),
        Done::ReplacedKeptAt(path) => (
            "The archive it replaced is kept at",
            "Заменённый архив сохранён в",
            path.display().to_string(),
        ),
        Done::Written(path) => ("Written:", "Записано:", path.display().to_string()),
    };
    format!("{} {value}", lang.pick(en, ru))
}

/// Said once an archive is created.
pub fn keep_the_passphrase_safe(lang: Lang) -> &'static str {
    lang.pick(
        "Keep the passphrase safe: a forgotten passphrase cannot be recovered, and without it the archived keys cannot be opened.",
        "Сохраните пароль: забытый пароль восстановить нельзя, а без него ключи в архиве не открыть.",
    )
}

/// The prompt for a backup's passphrase.
pub fn backup_passphrase_prompt(lang: Lang) -> &'static str {
    lang.pick(
        "Passphrase of the backup: ",
        "Пароль архива в резервной копии: ",
    )
}

/// `list --hidden` as text.
pub fn write_hidden(
    out: &mut impl Write,
    hidden: &[certkeeper_storage::tidy::Hidden],
    lang: Lang,
) -> std::io::Result<()> {
    if hidden.is_empty() {
        return writeln!(
            out,
            "{}",
            lang.pick("No hidden certificates.", "Скрытых сертификатов нет.")
        );
    }
    for item in hidden {
        writeln!(
            out,
            "{:>5}  {}  {}  {} {}  ({} {})",
            item.id,
            item.sha1,
            item.subject_name,
            lang.pick("until", "до"),
            lang.date(item.not_after),
            lang.pick("hidden", "скрыт"),
            lang.date(item.hidden_at)
        )?;
    }
    writeln!(
        out,
        "{}",
        lang.pick(
            "Show one again: certkeeper unhide ID",
            "Показать снова: certkeeper unhide НОМЕР"
        )
    )
}

/// `hide` / `unhide`'s line.
pub fn hidden_done(query: &str, hidden: bool, lang: Lang) -> String {
    if hidden {
        format!(
            "{} {query} {}",
            lang.pick("Hidden:", "Скрыт:"),
            lang.pick(
                "(it stays in the archive and its key still opens old documents; certkeeper unhide shows it again)",
                "(он остаётся в архиве, и его ключ по-прежнему открывает старые документы; certkeeper unhide покажет его снова)"
            )
        )
    } else {
        format!("{} {query}", lang.pick("Shown again:", "Снова показан:"))
    }
}

/// `merge`'s line.
pub fn merged_done(count: usize, undo: bool, lang: Lang) -> String {
    match (undo, count) {
        (false, 0) => lang
            .pick(
                "Nothing to merge: the key is in one container.",
                "Объединять нечего: ключ в одном контейнере.",
            )
            .to_owned(),
        (false, count) => format!(
            "{} {count}",
            lang.pick(
                "Containers of the same key merged into one entry:",
                "Контейнеров того же ключа объединено в одну запись:"
            )
        ),
        (true, count) => format!(
            "{} {count}",
            lang.pick(
                "Containers separated again:",
                "Контейнеров снова разделено:"
            )
        ),
    }
}
