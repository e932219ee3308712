//! What the command line and the window say about an import.

use certkeeper_core::import::{ImportSummary, KeyReport, KeyStatus};

use super::Lang;

/// Where an import was asked from: the command line names its option, the window its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// `certkeeper import`.
    CommandLine,
    /// The Import page.
    Window,
}

/// What became of a key container, for a person.
pub fn key_status(key: &KeyReport, face: Face, lang: Lang) -> &'static str {
    match key.status {
        KeyStatus::Archived => {
            lang.pick("archived with its key", "сохранён в архиве вместе с ключом")
        }
        KeyStatus::AlreadyThere if key.new_keys > 0 => lang.pick(
            "was in the archive; its key is archived now",
            "уже был в архиве; теперь сохранён и его ключ",
        ),
        KeyStatus::AlreadyThere => lang.pick("already in the archive", "уже был в архиве"),
        KeyStatus::Locked if face == Face::Window => lang.pick(
            "archived locked: type its password above and import it again to archive the key itself",
            "сохранён запертым: чтобы сохранить сам ключ, введите его пароль выше и импортируйте ещё раз",
        ),
        KeyStatus::Locked => lang.pick(
            "archived locked: give its password (--password-file) to archive the key itself",
            "сохранён запертым: чтобы сохранить сам ключ, укажите его пароль (--password-file)",
        ),
        KeyStatus::WrongPassword => lang.pick(
            "archived locked: the password does not open it; import it again with the right one",
            "сохранён запертым: пароль не подошёл; импортируйте его ещё раз с верным паролем",
        ),
    }
}

/// The Import page's summary line.
pub fn summary_line(summary: &ImportSummary, lang: Lang) -> String {
    let mut line = match lang {
        Lang::En => format!(
            "Certificates added: {}, already in the archive: {}, key containers: {}, unreadable: {}, other files: {}.",
            summary.added,
            summary.already_there,
            summary.keys.len(),
            summary.unreadable.len(),
            summary.other_files
        ),
        Lang::Ru => format!(
            "Сертификатов добавлено: {}, уже были в архиве: {}, контейнеров ключей: {}, не прочитано: {}, других файлов: {}.",
            summary.added,
            summary.already_there,
            summary.keys.len(),
            summary.unreadable.len(),
            summary.other_files
        ),
    };
    if summary.stopped {
        line.push_str(lang.pick(
            " Stopped before the end; what was read is archived.",
            " Остановлено до конца; прочитанное сохранено в архиве.",
        ));
    }
    line
}

/// A file that could not be read, and why.
pub fn cannot_read(reason: &str, lang: Lang) -> String {
    format!("{} {reason}", lang.pick("Cannot read:", "Не читается:"))
}

/// Why a file of an import could not be read, in the person's language when a reader said it.
pub fn unreadable_reason(unreadable: &certkeeper_core::import::Unreadable, lang: Lang) -> String {
    match &unreadable.error {
        Some(error) => {
            let text = super::errors::describe_source(error, lang);
            format!("{} {}", text.problem, text.next_step)
        }
        None => unreadable.reason.clone(),
    }
}

/// While the files are being found.
pub fn looking_for_files(lang: Lang) -> &'static str {
    lang.pick("Looking for files…", "Поиск файлов…")
}

/// The chooser's first place, the person's home folder.
pub fn home(lang: Lang) -> &'static str {
    lang.pick("Home", "Домашняя папка")
}

/// "N of M files read".
pub fn files_read(done: usize, total: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{done} of {total} files read"),
        Lang::Ru => format!("Прочитано файлов: {done} из {total}"),
    }
}

/// `import` as text: the certificates' counts, what became of each container, what did not read.
pub fn write_summary(
    out: &mut impl std::io::Write,
    summary: &ImportSummary,
    lang: Lang,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {}, {} {}",
        lang.pick("Certificates added:", "Сертификатов добавлено:"),
        summary.added,
        lang.pick("already in the archive:", "уже были в архиве:"),
        summary.already_there
    )?;
    for key in &summary.keys {
        let status = key_status(key, Face::CommandLine, lang);
        writeln!(out, "{} «{}»: {status}", key.path.display(), key.name)?;
    }
    for unreadable in &summary.unreadable {
        writeln!(
            out,
            "{}: {} {}",
            unreadable.path.display(),
            lang.pick("cannot read:", "не читается:"),
            unreadable_reason(unreadable, lang)
        )?;
    }
    if summary.other_files > 0 {
        writeln!(
            out,
            "{} {}",
            lang.pick(
                "Other files (not certificates or keys), left as they are:",
                "Других файлов (не сертификатов и не ключей), оставлены как есть:"
            ),
            summary.other_files
        )?;
    }
    Ok(())
}

/// When a folder cannot be listed in the chooser.
pub fn choose_another_folder(lang: Lang) -> &'static str {
    lang.pick("Choose another folder.", "Выберите другую папку.")
}
