//! What `unlock` and `lock` say.

use std::path::Path;
use std::time::Duration;

use super::Lang;

/// The archive is unlocked by the agent.
pub fn unlocked(archive: &Path, idle: Duration, lang: Lang) -> String {
    let idle = if idle.as_secs().is_multiple_of(3600) {
        format!("{} {}", idle.as_secs() / 3600, lang.pick("h", "ч"))
    } else if idle.as_secs().is_multiple_of(60) {
        format!("{} {}", idle.as_secs() / 60, lang.pick("min", "мин"))
    } else {
        format!("{} {}", idle.as_secs(), lang.pick("s", "с"))
    };
    lang.pick(
        "Unlocked: {archive}. Commands and the window open it without asking until it goes unused for {idle}, the session locks or the computer sleeps; certkeeper lock locks it now.",
        "Разблокирован: {archive}. Команды и окно открывают его без пароля, пока он не пролежит без использования {idle}, сеанс не заблокируется или компьютер не уснёт; certkeeper lock заблокирует его сейчас.",
    )
    .replace("{archive}", &archive.display().to_string())
    .replace("{idle}", &idle)
}

/// `lock`'s answer.
pub fn locked(was_unlocked: bool, lang: Lang) -> &'static str {
    if was_unlocked {
        lang.pick(
            "Locked: the passphrase is asked again.",
            "Заблокирован: пароль архива снова будет спрашиваться.",
        )
    } else {
        lang.pick(
            "Nothing was unlocked: no agent runs.",
            "Ничего не было разблокировано: агент не запущен.",
        )
    }
}
