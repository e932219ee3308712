//! What reminders say: a deadline's summary and body (the desktop notification, the calendar
//! entry, the window's list).

use certkeeper_core::expiry::{Due, Reason};

use super::Lang;

/// "5 дней", "1 день", "3 дня" / "5 days", "1 day".
pub fn days(count: i64, lang: Lang) -> String {
    let count = count.abs();
    match lang {
        Lang::En => format!("{count} {}", if count == 1 { "day" } else { "days" }),
        Lang::Ru => {
            let word = match (count % 10, count % 100) {
                (_, 11..=14) => "дней",
                (1, _) => "день",
                (2..=4, _) => "дня",
                _ => "дней",
            };
            format!("{count} {word}")
        }
    }
}

/// The one-line summary of a deadline, as a reminder or calendar entry says it.
pub fn summary(due: &Due, lang: Lang) -> String {
    let subject = &due.subject;
    let when = match (due.days_left, lang) {
        (left, Lang::En) if left > 0 => format!("in {}", days(left, lang)),
        (left, Lang::Ru) if left > 0 => format!("через {}", days(left, lang)),
        (0, Lang::En) => "today".to_owned(),
        (0, Lang::Ru) => "сегодня".to_owned(),
        (left, Lang::En) => format!("{} ago", days(left, lang)),
        (left, Lang::Ru) => format!("{} назад", days(left, lang)),
    };
    let past = due.days_left < 0;
    match (due.reason, lang) {
        (Reason::Certificate, Lang::En) if past => {
            format!("Certificate «{subject}» expired {when}")
        }
        (Reason::Certificate, Lang::En) => format!("Certificate «{subject}» expires {when}"),
        (Reason::Certificate, Lang::Ru) if past => format!("Сертификат «{subject}» истёк {when}"),
        (Reason::Certificate, Lang::Ru) => format!("Сертификат «{subject}» истекает {when}"),
        (Reason::PrivateKey, Lang::En) if past => {
            format!("The private key of «{subject}» stopped working {when}")
        }
        (Reason::PrivateKey, Lang::En) => {
            format!("The private key of «{subject}» stops working {when}")
        }
        (Reason::PrivateKey, Lang::Ru) if past => {
            format!("Срок действия закрытого ключа «{subject}» закончился {when}")
        }
        (Reason::PrivateKey, Lang::Ru) => {
            format!("Срок действия закрытого ключа «{subject}» заканчивается {when}")
        }
    }
}

/// The body of a reminder: the date, the thumbprint, and what to do.
pub fn body(due: &Due, lang: Lang) -> String {
    match (due.reason, lang) {
        (Reason::Certificate, Lang::En) => format!(
            "Valid until {} (thumbprint {}). Ask your certification authority for a new certificate before then; the old one stays in the archive for old documents.",
            lang.date(due.deadline),
            due.sha1_thumbprint
        ),
        (Reason::Certificate, Lang::Ru) => format!(
            "Действует до {} (отпечаток {}). Закажите новый сертификат в удостоверяющем центре заранее; старый останется в архиве для старых документов.",
            lang.date(due.deadline),
            due.sha1_thumbprint
        ),
        (Reason::PrivateKey, Lang::En) => format!(
            "The key may sign until {} (thumbprint {}), earlier than the certificate ends. Ask your certification authority for a new certificate before then.",
            lang.date(due.deadline),
            due.sha1_thumbprint
        ),
        (Reason::PrivateKey, Lang::Ru) => format!(
            "Ключом можно подписывать до {} (отпечаток {}) — раньше, чем кончается сертификат. Закажите новый сертификат в удостоверяющем центре заранее.",
            lang.date(due.deadline),
            due.sha1_thumbprint
        ),
    }
}

/// "Snoozed until YYYY-MM-DD".
pub fn snoozed_until(until: i64, lang: Lang) -> String {
    format!(
        "{} {}",
        lang.pick("Snoozed until", "Отложено до"),
        lang.date(until)
    )
}

/// A muted certificate's line in the reminders list.
pub fn muted(subject: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("«{subject}»: reminders muted"),
        Lang::Ru => format!("«{subject}»: напоминания отключены"),
    }
}

/// What muting or unmuting did.
pub fn mute_done(muted: bool, lang: Lang) -> &'static str {
    if muted {
        lang.pick(
            "Muted: no more reminders for it.",
            "Отключено: напоминаний о нём больше не будет.",
        )
    } else {
        lang.pick("Reminders on again.", "Напоминания снова включены.")
    }
}

/// Whether the reminder service starts with the session, for the Settings page.
pub fn service_state(installed: bool, lang: Lang) -> &'static str {
    if installed {
        lang.pick(
            "The reminder service starts with your session: reminders come as desktop notifications even when this window is closed.",
            "Служба напоминаний запускается вместе с сеансом: напоминания приходят уведомлениями, даже когда это окно закрыто.",
        )
    } else {
        lang.pick(
            "The reminder service is not set to start: reminders show only here. Start it with your session to get desktop notifications.",
            "Служба напоминаний не запускается: напоминания видны только здесь. Включите её запуск вместе с сеансом, чтобы получать уведомления.",
        )
    }
}

/// A setting saved.
pub fn saved(lang: Lang) -> &'static str {
    lang.pick("Saved.", "Сохранено.")
}

/// `expiry` as text: each deadline in turn, or that nothing is due within `within` days.
pub fn write_due(
    out: &mut impl std::io::Write,
    due: &[Due],
    within: u32,
    lang: Lang,
) -> std::io::Result<()> {
    if due.is_empty() {
        writeln!(
            out,
            "{} {}.",
            lang.pick(
                "Nothing stops working within",
                "В ближайшие дни ничего не истекает:"
            ),
            days(i64::from(within), lang)
        )?;
    }
    for due in due {
        let snoozed = due
            .snoozed_until
            .map(|until| {
                format!(
                    " ({} {})",
                    lang.pick("snoozed until", "отложено до"),
                    lang.date(until)
                )
            })
            .unwrap_or_default();
        writeln!(
            out,
            "{}  {:>5}  {}  [{}]{snoozed}",
            lang.date(due.deadline),
            due.days_left,
            summary(due, lang),
            due.certificate_id
        )?;
    }
    Ok(())
}

/// `expiry`'s last line when some certificates' reminders are muted (they are not listed).
pub fn muted_left_out(count: usize, lang: Lang) -> String {
    format!(
        "{} {count}: certkeeper remind list",
        lang.pick(
            "Not listed, reminders muted",
            "Не показаны, напоминания отключены"
        )
    )
}

/// `remind list`: each muted or snoozed certificate, with how to turn its reminders on again.
pub fn write_ruled(
    out: &mut impl std::io::Write,
    ruled: &[certkeeper_core::expiry::Item],
    lang: Lang,
) -> std::io::Result<()> {
    if ruled.is_empty() {
        return writeln!(
            out,
            "{}",
            lang.pick(
                "No certificate has its reminders muted or snoozed.",
                "Нет сертификатов с отключёнными или отложенными напоминаниями."
            )
        );
    }
    for item in ruled {
        let state = match (item.muted, item.snoozed_until) {
            (true, _) => lang.pick("muted", "отключены").to_owned(),
            (false, Some(until)) => format!(
                "{} {}",
                lang.pick("snoozed until", "отложены до"),
                lang.date(until)
            ),
            (false, None) => continue,
        };
        writeln!(
            out,
            "{:>5}  {}  «{}»  {}  ({})",
            item.id,
            item.sha1_thumbprint,
            item.subject,
            state,
            super::media::valid_until(item.not_after, lang)
        )?;
    }
    writeln!(
        out,
        "{}",
        lang.pick(
            "On again: certkeeper remind unmute ID, or certkeeper remind unsnooze ID.",
            "Включить снова: certkeeper remind unmute НОМЕР или certkeeper remind unsnooze НОМЕР."
        )
    )
}

/// What `remind` changed.
pub enum Changed<'a> {
    /// Muted (true) or unmuted, for a certificate.
    Muted(&'a str, bool),
    /// Snoozed until then.
    Snoozed(&'a str, i64),
    /// Snooze ended.
    Unsnoozed(&'a str),
    /// The days before a deadline reminders come.
    Thresholds(&'a [u32]),
}

/// `remind`'s line.
pub fn changed(changed: Changed<'_>, lang: Lang) -> String {
    match changed {
        Changed::Muted(query, true) => format!(
            "{} {query}",
            lang.pick("Reminders muted for", "Напоминания отключены для")
        ),
        Changed::Muted(query, false) => format!(
            "{} {query}",
            lang.pick("Reminders on again for", "Напоминания снова включены для")
        ),
        Changed::Snoozed(query, until) => format!(
            "{} {query} {} {}",
            lang.pick("Reminders for", "Напоминания для"),
            lang.pick("snoozed until", "отложены до"),
            lang.date(until)
        ),
        Changed::Unsnoozed(query) => format!(
            "{} {query}",
            lang.pick("Snooze ended for", "Отсрочка снята для")
        ),
        Changed::Thresholds(thresholds) => format!(
            "{} {}",
            lang.pick("Reminders at (days before):", "Напоминать за (дней):"),
            thresholds
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The notification's two buttons: renew, and snooze for a day.
pub fn notification_actions(lang: Lang) -> (&'static str, &'static str) {
    (
        lang.pick("Renew", "Продлить"),
        lang.pick("Snooze for a day", "Отложить на день"),
    )
}

/// What the reminder service says of itself.
pub enum Service<'a> {
    /// Another one runs already.
    AlreadyRunning,
    /// Started with the session, and there is no archive (yet) to watch.
    NoArchiveYet(&'a std::path::Path),
    /// Removed.
    Removed,
    /// Installed.
    Installed(&'a crate::service::Installed),
}

/// The reminder service's line.
pub fn service(said: Service<'_>, lang: Lang) -> String {
    match said {
        Service::AlreadyRunning => lang
            .pick(
                "The reminder service is already running.",
                "Служба напоминаний уже запущена.",
            )
            .to_owned(),
        Service::NoArchiveYet(path) => format!(
            "{} {}",
            lang.pick(
                "There is no archive yet to remind of:",
                "Архива, о котором напоминать, ещё нет:"
            ),
            lang.pick(
                "{path}. The service starts again at your next login.",
                "{path}. Служба снова запустится при следующем входе в систему."
            )
            .replace("{path}", &path.display().to_string())
        ),
        Service::Removed => lang
            .pick(
                "The reminder service is removed (the reminders kept in the archive stay).",
                "Служба напоминаний удалена (сведения о напоминаниях в архиве сохранены).",
            )
            .to_owned(),
        Service::Installed(installed) => format!(
            "{}\n{}",
            installed_where(installed, lang),
            if installed.enabled_now {
                lang.pick("The service runs now.", "Служба запущена.")
            } else {
                lang.pick(
                    "The service starts at your next login.",
                    "Служба запустится при следующем входе в систему.",
                )
            }
        ),
    }
}

/// Where the reminder service is set to start from.
#[cfg(not(windows))]
fn installed_where(installed: &crate::service::Installed, lang: Lang) -> String {
    format!(
        "{} {}\n{} {}",
        lang.pick("systemd user unit:", "пользовательский модуль systemd:"),
        installed.systemd_unit.display(),
        lang.pick("autostart entry:", "автозапуск:"),
        installed.autostart_entry.display(),
    )
}

/// Where the reminder service is set to start from.
#[cfg(windows)]
fn installed_where(installed: &crate::service::Installed, lang: Lang) -> String {
    format!(
        "{} {}",
        lang.pick(
            "started at logon by the registry value",
            "запускается при входе в систему значением реестра",
        ),
        installed.run_value,
    )
}

/// A snooze ended in the window.
pub fn unsnoozed(lang: Lang) -> &'static str {
    lang.pick(
        "Reminders come again.",
        "Напоминания снова будут приходить.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_counted_in_both_languages() {
        assert_eq!(days(1, Lang::Ru), "1 день");
        assert_eq!(days(3, Lang::Ru), "3 дня");
        assert_eq!(days(5, Lang::Ru), "5 дней");
        assert_eq!(days(11, Lang::Ru), "11 дней");
        assert_eq!(days(21, Lang::Ru), "21 день");
        assert_eq!(days(-2, Lang::Ru), "2 дня");
        assert_eq!(days(1, Lang::En), "1 day");
        assert_eq!(days(14, Lang::En), "14 days");
    }
}
