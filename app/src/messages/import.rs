//! What the command line and the window say about an import.

use certkeeper_core::import::{KeyReport, KeyStatus};

use super::Lang;

/// What became of a key container, for a person.
pub fn key_status(key: &KeyReport, lang: Lang) -> &'static str {
    match key.status {
        KeyStatus::Archived => {
            lang.pick("archived with its key", "сохранён в архиве вместе с ключом")
        }
        KeyStatus::AlreadyThere if key.new_keys > 0 => lang.pick(
            "was in the archive; its key is archived now",
            "уже был в архиве; теперь сохранён и его ключ",
        ),
        KeyStatus::AlreadyThere => lang.pick("already in the archive", "уже был в архиве"),
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
