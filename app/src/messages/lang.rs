//! Which language certkeeper speaks, and why; a message as a pair of what went wrong and what to
//! do next.

/// The language certkeeper speaks to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Russian.
    Ru,
}

/// Why a language was chosen, for `certkeeper info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LangOrigin {
    /// `CERTKEEPER_LANG` asked for it.
    Override,
    /// The POSIX locale variable named here (`LC_ALL`, `LC_MESSAGES` or `LANG`).
    Locale(&'static str),
    /// The settings file (`language`, chosen in the window).
    Settings,
    /// Windows' display language of the user (no locale variable set, as on Windows).
    #[cfg_attr(not(windows), allow(dead_code))]
    WindowsDisplayLanguage,
    /// Nothing said otherwise.
    Fallback,
}

/// `timestamp` (Unix seconds) in this computer's time zone, if it is a time chrono can hold.
fn local(timestamp: i64) -> Option<chrono::DateTime<chrono::Local>> {
    chrono::DateTime::from_timestamp(timestamp, 0).map(|utc| utc.with_timezone(&chrono::Local))
}

impl Lang {
    /// A day as people of the language write it, in this computer's time zone: 03.12.2026 in
    /// Russian, 2026-12-03 in English (ISO 8601, unambiguous for every English reader). Machine
    /// output (`--json`) keeps RFC 3339 in UTC.
    pub fn date(self, timestamp: i64) -> String {
        let pattern = self.pick("%Y-%m-%d", "%d.%m.%Y");
        local(timestamp)
            .map(|time| time.format(pattern).to_string())
            .unwrap_or_else(|| certkeeper_core::cert::format_date(timestamp))
    }

    /// An algorithm's name as the reader's standards name it: "GOST R 34.10-2012 256" is
    /// «ГОСТ Р 34.10-2012 256» in Russian.
    pub fn algorithm(self, name: &str) -> String {
        match self {
            Self::En => name.to_owned(),
            Self::Ru => name.replace("GOST R", "ГОСТ Р").replace("GOST ", "ГОСТ "),
        }
    }

    /// A moment as [`Lang::date`] with the local hour and minute: 03.12.2026 14:05.
    pub fn date_time(self, timestamp: i64) -> String {
        let pattern = self.pick("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M");
        local(timestamp)
            .map(|time| time.format(pattern).to_string())
            .unwrap_or_else(|| certkeeper_core::cert::format_time(timestamp))
    }

    /// Chooses the language from the environment: `CERTKEEPER_LANG=ru|en` first, then the locale in
    /// POSIX order (`LC_ALL`, `LC_MESSAGES`, `LANG`); Russian for any `ru*` locale, English otherwise.
    ///
    /// An unknown `CERTKEEPER_LANG` is ignored with a warning rather than refused, so that a typo never
    /// keeps a person from their documents.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> (Self, LangOrigin) {
        if let Some(value) = var("CERTKEEPER_LANG").filter(|value| !value.is_empty()) {
            match Self::from_code(&value) {
                Some(lang) => return (lang, LangOrigin::Override),
                None => tracing::warn!(
                    value = %value,
                    "CERTKEEPER_LANG must be `ru` or `en`; using the locale instead"
                ),
            }
        }
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(locale) = var(name).filter(|value| !value.is_empty()) {
                let lang = if locale.to_ascii_lowercase().starts_with("ru") {
                    Self::Ru
                } else {
                    Self::En
                };
                return (lang, LangOrigin::Locale(name));
            }
        }
        (Self::En, LangOrigin::Fallback)
    }

    /// The language from the process environment.
    pub fn detect() -> (Self, LangOrigin) {
        let (lang, origin) = Self::from_env(|name| std::env::var(name).ok());
        if origin == LangOrigin::Override {
            return (lang, origin);
        }
        // The language chosen in the window's settings comes before the locale.
        match crate::settings::Settings::load()
            .ok()
            .and_then(|settings| settings.language)
            .and_then(|code| Self::from_code(&code))
        {
            Some(chosen) => (chosen, LangOrigin::Settings),
            #[cfg(windows)]
            None if origin == LangOrigin::Fallback => (
                Self::from_windows_language(windows_display_language()),
                LangOrigin::WindowsDisplayLanguage,
            ),
            None => (lang, origin),
        }
    }

    /// The language for a Windows language identifier (LANGID): Russian for any Russian one
    /// (primary language 0x19, whatever the region), English otherwise.
    #[cfg_attr(not(windows), allow(dead_code))]
    pub fn from_windows_language(langid: u16) -> Self {
        const LANG_RUSSIAN: u16 = 0x19;
        if langid & 0x3ff == LANG_RUSSIAN {
            Self::Ru
        } else {
            Self::En
        }
    }

    /// "ru" or "en".
    pub fn code(self) -> &'static str {
        self.pick("en", "ru")
    }

    /// `ru` or `en` (any case, with an optional region such as `ru_RU.UTF-8`).
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.to_ascii_lowercase();
        if code == "ru"
            || code.starts_with("ru_")
            || code.starts_with("ru-")
            || code.starts_with("ru.")
        {
            Some(Self::Ru)
        } else if code == "en"
            || code.starts_with("en_")
            || code.starts_with("en-")
            || code.starts_with("en.")
        {
            Some(Self::En)
        } else {
            None
        }
    }

    /// Picks the English or the Russian text.
    pub fn pick<'a>(self, en: &'a str, ru: &'a str) -> &'a str {
        match self {
            Self::En => en,
            Self::Ru => ru,
        }
    }
}

/// The user's Windows display language (LANGID).
#[cfg(windows)]
#[allow(unsafe_code)]
fn windows_display_language() -> u16 {
    // SAFETY: no arguments; it returns a language identifier.
    unsafe { windows_sys::Win32::Globalization::GetUserDefaultUILanguage() }
}

/// A message for a person: what went wrong and what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// What went wrong, in one sentence.
    pub problem: String,
    /// What to do next, with the exact command when there is one.
    pub next_step: String,
}

impl Text {
    pub(crate) fn new(lang: Lang, en: (String, String), ru: (String, String)) -> Self {
        let (problem, next_step) = match lang {
            Lang::En => en,
            Lang::Ru => ru,
        };
        Self { problem, next_step }
    }
}

/// `info` as text: the version, the archive, where the passphrase comes from, the language.
pub fn write_info(
    out: &mut impl std::io::Write,
    info: &crate::views::Info,
    lang: Lang,
) -> std::io::Result<()> {
    use crate::views::PassphraseInfo;
    let label = |en, ru| lang.pick(en, ru);
    writeln!(
        out,
        "certkeeper {} ({} {})",
        info.version,
        lang.pick("commit", "коммит"),
        info.commit
    )?;
    let archive_state = match (info.archive.origin, info.archive.exists) {
        ("default", true) => label("default", "по умолчанию"),
        ("default", false) => label("default, not created yet", "по умолчанию, ещё не создан"),
        (_, true) => label("given", "задан"),
        (_, false) => label("given, not created yet", "задан, ещё не создан"),
    };
    writeln!(
        out,
        "{:<12}{} ({archive_state})",
        label("archive:", "архив:"),
        info.archive.path.display()
    )?;
    let passphrase = match &info.passphrase {
        PassphraseInfo::Prompt => {
            label("asked when needed", "запрашивается при необходимости").to_owned()
        }
        PassphraseInfo::File { path } => {
            format!("{} {}", label("read from", "читается из"), path.display())
        }
    };
    writeln!(out, "{:<12}{passphrase}", label("passphrase:", "пароль:"))?;
    let unlocked = match info.unlocked {
        Some(held) => {
            let minutes = held.seconds_left.div_ceil(60);
            lang.pick(
                "yes, by the agent: {left} min more unless used (each use gives {idle} min again; certkeeper lock locks it)",
                "да, агентом: ещё {left} мин без использования (каждое использование снова даёт {idle} мин; certkeeper lock заблокирует)",
            )
            .replace("{left}", &minutes.to_string())
            .replace("{idle}", &held.idle_seconds.div_ceil(60).to_string())
        }
        None => label(
            "no (certkeeper unlock keeps it unlocked for a while)",
            "нет (certkeeper unlock оставит его разблокированным на время)",
        )
        .to_owned(),
    };
    writeln!(out, "{:<12}{unlocked}", label("unlocked:", "открыт:"))?;
    let language = match info.language.code {
        Lang::En => "English",
        Lang::Ru => "русский",
    };
    writeln!(
        out,
        "{:<12}{language} ({})",
        label("language:", "язык:"),
        chosen_by(info.language.chosen_by, lang)
    )
}

/// What chose the language, in words (the JSON keeps the name: a variable, "settings",
/// "Windows display language", "default").
fn chosen_by(name: &str, lang: Lang) -> &str {
    match name {
        "settings" => lang.pick("the settings", "настройки"),
        "Windows display language" => {
            lang.pick("Windows display language", "язык интерфейса Windows")
        }
        "default" => lang.pick("default", "по умолчанию"),
        // CERTKEEPER_LANG, LC_ALL, LC_MESSAGES, LANG: names, the same in every language.
        variable => variable,
    }
}

/// `settings` as text: the file, the token drivers, the language.
pub fn write_settings(
    out: &mut impl std::io::Write,
    file: Option<&std::path::Path>,
    current: &crate::settings::Settings,
    lang: Lang,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {}",
        lang.pick("settings file:", "файл настроек:"),
        file.map(|path| path.display().to_string())
            .unwrap_or_else(|| "-".to_owned())
    )?;
    let modules = if current.pkcs11_modules.is_empty() {
        lang.pick(
            "(not set: Rutoken's, OpenSC's and SoftHSM2's where installed)",
            "(не задано: модули Рутокена, OpenSC и SoftHSM2, где установлены)",
        )
        .to_owned()
    } else {
        current
            .pkcs11_modules
            .iter()
            .map(|path| path.display().to_string())
            .collect::<Vec<_>>()
            .join(":")
    };
    writeln!(out, "pkcs11-modules = {modules}")?;
    writeln!(
        out,
        "language = {}",
        current
            .language
            .as_deref()
            .unwrap_or(lang.pick("(not set: from the locale)", "(не задан: по локали)"))
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_chose_the_language_is_said_in_russian() {
        assert_eq!(
            chosen_by("Windows display language", Lang::Ru),
            "язык интерфейса Windows"
        );
        assert_eq!(chosen_by("settings", Lang::Ru), "настройки");
        assert_eq!(chosen_by("default", Lang::Ru), "по умолчанию");
        assert_eq!(chosen_by("LANG", Lang::Ru), "LANG");
    }

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn windows_display_languages_are_told_by_their_primary_language() {
        // ru-RU, ru-MD, ru-UA (MS-LCID); en-US, uk-UA, kk-KZ.
        for russian in [0x0419, 0x0819, 0x2019] {
            assert_eq!(
                Lang::from_windows_language(russian),
                Lang::Ru,
                "{russian:#06x}"
            );
        }
        for other in [0x0409, 0x0422, 0x043f] {
            assert_eq!(Lang::from_windows_language(other), Lang::En, "{other:#06x}");
        }
    }

    #[test]
    fn language_follows_the_posix_locale_order() {
        assert_eq!(Lang::from_env(env(&[])), (Lang::En, LangOrigin::Fallback));
        assert_eq!(
            Lang::from_env(env(&[("LANG", "ru_RU.UTF-8")])),
            (Lang::Ru, LangOrigin::Locale("LANG"))
        );
        assert_eq!(
            Lang::from_env(env(&[("LANG", "ru_RU.UTF-8"), ("LC_MESSAGES", "C")])),
            (Lang::En, LangOrigin::Locale("LC_MESSAGES"))
        );
        assert_eq!(
            Lang::from_env(env(&[
                ("LC_MESSAGES", "en_US.UTF-8"),
                ("LC_ALL", "ru_RU.UTF-8")
            ])),
            (Lang::Ru, LangOrigin::Locale("LC_ALL"))
        );
        assert_eq!(
            Lang::from_env(env(&[("LANG", ""), ("LC_ALL", "")])),
            (Lang::En, LangOrigin::Fallback)
        );
    }

    #[test]
    fn certkeeper_lang_overrides_the_locale_and_a_typo_falls_back() {
        assert_eq!(
            Lang::from_env(env(&[("CERTKEEPER_LANG", "ru"), ("LC_ALL", "en_US.UTF-8")])),
            (Lang::Ru, LangOrigin::Override)
        );
        assert_eq!(
            Lang::from_env(env(&[("CERTKEEPER_LANG", "EN"), ("LANG", "ru_RU.UTF-8")])),
            (Lang::En, LangOrigin::Override)
        );
        assert_eq!(
            Lang::from_env(env(&[
                ("CERTKEEPER_LANG", "russian"),
                ("LANG", "ru_RU.UTF-8")
            ])),
            (Lang::Ru, LangOrigin::Locale("LANG"))
        );
    }
}
