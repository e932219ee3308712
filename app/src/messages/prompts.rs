//! The words of the prompts: the terminal's line before a secret is typed, and the window's PIN
//! and password dialog (title, the note above the field, whether the note warns).

use certkeeper_core::interact::Request;

use super::Lang;

/// The line the terminal shows before a secret is typed.
pub fn terminal_line(request: &Request<'_>, lang: Lang) -> String {
    match request {
        Request::ArchivePassphrase => lang
            .pick("Archive passphrase: ", "Пароль архива: ")
            .to_owned(),
        Request::NewArchivePassphrase => lang
            .pick("New archive passphrase: ", "Новый пароль архива: ")
            .to_owned(),
        Request::ContainerPassword { name } => match lang {
            Lang::En => format!("Password of «{name}»: "),
            Lang::Ru => format!("Пароль «{name}»: "),
        },
        Request::PasswordToArchive { name } => match lang {
            Lang::En => format!("Password of {name} (Enter to archive it locked): "),
            Lang::Ru => format!("Пароль для {name} (Enter — сохранить запертым): "),
        },
        Request::NewPassword { allow_empty: true } => lang
            .pick(
                "Password for the new container (Enter for none): ",
                "Пароль нового контейнера (Enter — без пароля): ",
            )
            .to_owned(),
        Request::NewPassword { .. } => lang
            .pick("Password for the file: ", "Пароль файла: ")
            .to_owned(),
        Request::Pin { token, state } => {
            // The state is shown before the PIN is asked.
            let warning = super::media::pin_warning(state, lang)
                .map(|(short, _)| format!(" ({short})"))
                .unwrap_or_default();
            format!(
                "{} «{token}»{warning}: ",
                lang.pick("PIN of token", "PIN токена")
            )
        }
        _ => lang.pick("Secret: ", "Секрет: ").to_owned(),
    }
}

/// The terminal's second line for a secret typed twice, when it is one.
pub fn terminal_again(request: &Request<'_>, lang: Lang) -> Option<&'static str> {
    match request {
        Request::NewPassword { .. } => {
            Some(lang.pick("The same password again: ", "Тот же пароль ещё раз: "))
        }
        Request::NewArchivePassphrase => Some(lang.pick("Repeat it: ", "Повторите его: ")),
        _ => None,
    }
}

/// The dialog's title, the note above the field, and whether the note is a warning.
pub fn dialog(request: &Request<'_>, lang: Lang, again: bool) -> (String, String, bool) {
    match request {
        Request::Pin { token, state } => {
            let title = match lang {
                Lang::En => format!("PIN of token «{token}»"),
                Lang::Ru => format!("PIN токена «{token}»"),
            };
            let (note, warning) = match super::media::pin_warning(state, lang) {
                Some((_, sentence)) => (sentence, true),
                None => (
                    lang.pick(
                        "The PIN is tried once; a wrong one is reported, never retried.",
                        "PIN проверяется один раз; о неверном будет сказано, повтора не будет.",
                    ),
                    false,
                ),
            };
            (title, note.to_owned(), warning)
        }
        Request::ContainerPassword { name } => (
            match lang {
                Lang::En => format!("Password of «{name}»"),
                Lang::Ru => format!("Пароль «{name}»"),
            },
            String::new(),
            false,
        ),
        // Named with whose certificate it holds and where it is; nothing typed keeps it locked.
        Request::PasswordToArchive { name } => (
            match lang {
                Lang::En => format!("Password of {name}"),
                Lang::Ru => format!("Пароль {name}"),
            },
            lang.pick(
                "Cancel or an empty password archives this container locked; the others are asked one by one.",
                "«Отмена» или пустой пароль — контейнер сохранится запертым; остальные спросят по одному.",
            )
            .to_owned(),
            false,
        ),
        Request::NewArchivePassphrase => (
            if again {
                lang.pick("Repeat the new passphrase", "Повторите новый пароль архива")
            } else {
                lang.pick("New archive passphrase", "Новый пароль архива")
            }
            .to_owned(),
            String::new(),
            false,
        ),
        Request::NewPassword { .. } if again => (
            lang.pick("The same password again", "Тот же пароль ещё раз")
                .to_owned(),
            String::new(),
            false,
        ),
        Request::NewPassword { allow_empty: true } => (
            lang.pick(
                "Password for the new key container",
                "Пароль нового контейнера ключа",
            )
            .to_owned(),
            lang.pick(
                "It may be empty. A forgotten password can never be recovered (certkeeper keeps the key in the archive as well).",
                "Его можно оставить пустым. Забытый пароль восстановить нельзя (certkeeper хранит ключ и в архиве).",
            )
            .to_owned(),
            false,
        ),
        Request::NewPassword { allow_empty: false } => (
            lang.pick("Password for the new file", "Пароль нового файла")
                .to_owned(),
            String::new(),
            false,
        ),
        _ => (
            lang.pick("Archive passphrase", "Пароль архива").to_owned(),
            String::new(),
            false,
        ),
    }
}
