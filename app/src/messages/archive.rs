//! What the archive's history says to a person.

use super::Lang;

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
        other => other,
    };
    lang.pick(action, ru).to_owned()
}
