//! What the command line and the window say about copies between key media, and why one was not
//! made.

use certkeeper_core::copy::{CopyError, Done, Recorded, Refusal, Written};
use certkeeper_core::interact::Declined;

use super::{AppError, Asked, Lang, Text};

fn written(written: &Written) -> String {
    match written {
        Written::Path(path) => path.display().to_string(),
        Written::Archive => "archive".to_owned(),
    }
}

fn recorded(line: &mut String, recorded: &Recorded, lang: Lang) {
    match recorded {
        Recorded::At(_) => line.push_str(lang.pick(
            "; the archive records where it now lives",
            "; в архиве записано, где копия теперь хранится",
        )),
        Recorded::Failed(error) => {
            let text = super::errors::describe_source(error.as_ref(), lang);
            line.push_str(&format!(
                "; {} {} {}",
                lang.pick("not recorded in the archive:", "в архив не записано:"),
                text.problem,
                text.next_step
            ));
        }
        _ => {}
    }
}

/// The line for a person, and the value `--json` prints where there is one.
pub fn copied(done: &Done, lang: Lang) -> (String, Option<serde_json::Value>) {
    let with_place = |copied, recorded: &Recorded| {
        let mut value = serde_json::to_value(copied).ok();
        if let (Some(serde_json::Value::Object(object)), Recorded::At(place)) =
            (value.as_mut(), recorded)
        {
            object.insert(
                "recorded_at".to_owned(),
                serde_json::Value::from(place.to_string()),
            );
        }
        value
    };
    match done {
        Done::Container {
            name,
            to,
            already_there: false,
        } => (
            format!(
                "{} «{name}» → {}",
                lang.pick("Container copied:", "Контейнер скопирован:"),
                to.display()
            ),
            None,
        ),
        Done::Container {
            name,
            to,
            already_there: true,
        } => (
            match lang {
                crate::messages::Lang::En => format!(
                    "Container «{name}» is there already, byte for byte: {}; nothing written.",
                    to.display()
                ),
                crate::messages::Lang::Ru => format!(
                    "Контейнер «{name}» там уже есть, байт в байт: {}; ничего не записано.",
                    to.display()
                ),
            },
            None,
        ),
        Done::KeyToToken {
            copied,
            subject,
            label,
            recorded: was_recorded,
        } => {
            let mut line = format!(
                "{} {} {} «{subject}» → {} «{label}»; {}",
                lang.pick("Copied", "Скопирован"),
                copied.key_type,
                lang.pick("key of", "ключ"),
                lang.pick("token", "токен"),
                lang.pick(
                    "the token signs with it and the original verifies",
                    "токен подписывает им, оригинал проверяет подпись"
                )
            );
            recorded(&mut line, was_recorded, lang);
            (line, with_place(copied, was_recorded))
        }
        Done::KeyFromToken {
            key_type,
            subject,
            label,
            written: to,
        } => (
            format!(
                "{} {key_type} {} «{subject}» {} «{label}» → {}; {}",
                lang.pick("Copied", "Скопирован"),
                lang.pick("key of", "ключ"),
                lang.pick("from token", "с токена"),
                written(to),
                lang.pick(
                    "the copy signs and the token verifies with the original",
                    "копия подписывает, токен проверяет подпись оригиналом"
                )
            ),
            None,
        ),
        Done::CertificateFromToken {
            subject,
            label,
            written: to,
        } => (
            format!(
                "{} «{subject}» {} «{label}» → {}",
                lang.pick("Certificate copied:", "Сертификат скопирован:"),
                lang.pick("from token", "с токена"),
                written(to)
            ),
            None,
        ),
        Done::TokenToToken {
            copied,
            from,
            to,
            recorded: was_recorded,
        } => {
            let mut line = format!(
                "{} {} {} «{from}» → «{to}»{}; {}",
                lang.pick("Copied", "Скопирован"),
                copied.key_type,
                lang.pick("key", "ключ"),
                if copied.certificate {
                    lang.pick(" with its certificate", " вместе с сертификатом")
                } else {
                    ""
                },
                lang.pick(
                    "the copy signs and the original verifies it",
                    "копия подписывает, оригинал проверяет подпись"
                )
            );
            recorded(&mut line, was_recorded, lang);
            (line, with_place(copied, was_recorded))
        }
        Done::CertificateTokenToToken { from, to } => (
            format!(
                "{} «{from}» → «{to}»",
                lang.pick("Certificate copied:", "Сертификат скопирован:")
            ),
            None,
        ),
        _ => (String::new(), None),
    }
}

fn refusal(why: Refusal, lang: Lang) -> (&'static str, &'static str) {
    match (why, lang) {
        (Refusal::GostKeyToToken, Lang::En) => (
            "this token does not sign with GOST keys of this size (it has no TC26 GOST mechanisms), so the key would be of no use there",
            "Use a token that makes GOST keys (Rutoken ECP; certkeeper media list shows what each token can do), keep the key in a container on a drive or in the registry (--to dir:PATH or --to registry), or copy the certificate alone with --certificate-only.",
        ),
        (Refusal::GostKeyToToken, Lang::Ru) => (
            "этот токен не подписывает ключами ГОСТ такого размера (у него нет механизмов ГОСТ ТК 26), ключ был бы на нём бесполезен",
            "Возьмите токен, который создаёт ключи ГОСТ (Рутокен ЭЦП; certkeeper media list покажет, что умеет каждый токен), храните ключ в контейнере на флешке или в реестре (--to dir:ПУТЬ или --to registry) либо скопируйте один сертификат с --certificate-only.",
        ),
        (Refusal::ContainerIntoArchive, Lang::En) => (
            "a container goes into the archive by import, not by copy",
            "Run certkeeper import PATH with the container's folder or file.",
        ),
        (Refusal::ContainerIntoArchive, Lang::Ru) => (
            "контейнер попадает в архив импортом, а не копированием",
            "Выполните certkeeper import ПУТЬ с папкой или файлом контейнера.",
        ),
        (Refusal::KeyIntoRegistry, Lang::En) => (
            "the registry store keeps CryptoPro containers of GOST keys, not RSA or EC keys",
            "Copy an RSA or EC key to dir:PATH as a PFX file, or to the archive.",
        ),
        (Refusal::KeyIntoRegistry, Lang::Ru) => (
            "реестр хранит контейнеры КриптоПро с ключами ГОСТ, а не ключи RSA или EC",
            "Скопируйте ключ RSA или EC в dir:ПУТЬ как файл PFX или в архив.",
        ),
        (Refusal::CertificateIntoRegistry, Lang::En) => (
            "the registry store keeps containers, not certificates alone",
            "Copy the certificate to dir:PATH or to the archive.",
        ),
        (Refusal::CertificateIntoRegistry, Lang::Ru) => (
            "реестр хранит контейнеры, а не отдельные сертификаты",
            "Скопируйте сертификат в dir:ПУТЬ или в архив.",
        ),
        (Refusal::CertificateOnlyFromToken, Lang::En) => (
            "--certificate-only is for a key that may not leave its token; other media copy the container whole",
            "Leave --certificate-only out, or copy from token:LABEL.",
        ),
        (Refusal::CertificateOnlyFromToken, Lang::Ru) => (
            "--certificate-only — для ключа, который не может покинуть токен; с других носителей контейнер копируется целиком",
            "Уберите --certificate-only или копируйте с token:МЕТКА.",
        ),
        (_, Lang::En) => (
            "no copy goes between these two media",
            "Copy between tokens (token:LABEL, see certkeeper media list), or CryptoPro containers between archive, dir:PATH and registry.",
        ),
        (_, Lang::Ru) => (
            "между этими носителями копирование не выполняется",
            "Копируйте между токенами (token:МЕТКА, см. certkeeper media list) или контейнеры КриптоПро между archive, dir:ПУТЬ и registry.",
        ),
    }
}

/// Why a copy was not made, or `None` when the error it wraps says it (a token's, a file's).
pub(super) fn describe_copy(error: &CopyError, lang: Lang) -> Option<Text> {
    let app = match error {
        CopyError::UnknownMedium { text } => {
            return Some(Text::new(
                lang,
                (
                    format!("{text} is not a medium certkeeper knows."),
                    "Name one of: archive, token:LABEL (see certkeeper media list), dir:PATH or registry.".into(),
                ),
                (
                    format!("{text} — не носитель, который знает certkeeper."),
                    "Укажите один из: archive, token:МЕТКА (см. certkeeper media list), dir:ПУТЬ или registry.".into(),
                ),
            ));
        }
        CopyError::Refused { from, to, why } => {
            let (problem_en, next_en) = refusal(*why, Lang::En);
            let (problem_ru, next_ru) = refusal(*why, Lang::Ru);
            return Some(Text::new(
                lang,
                (
                    format!("Nothing was copied from {from} to {to}: {problem_en}."),
                    next_en.into(),
                ),
                (
                    format!("Ничего не скопировано из {from} в {to}: {problem_ru}."),
                    next_ru.into(),
                ),
            ));
        }
        CopyError::NotFound { thumbprint, .. } => AppError::NoSuchContainer {
            query: thumbprint.to_string(),
        },
        CopyError::ReadsBackDifferently { folder } => {
            return Some(Text::new(
                lang,
                (
                    format!(
                        "The copy in {} reads back differently from the original; the drive may be failing.",
                        folder.display()
                    ),
                    "Copy to another drive, and check this one.".into(),
                ),
                (
                    format!(
                        "Копия в {} читается не так, как оригинал; возможно, флешка неисправна.",
                        folder.display()
                    ),
                    "Скопируйте на другой носитель и проверьте этот.".into(),
                ),
            ));
        }
        CopyError::PasswordNotGiven {
            why: Declined::Differ,
        } => AppError::PasswordsDiffer,
        CopyError::PasswordNotGiven {
            why: Declined::Cancelled,
        } => AppError::SecretNotGiven {
            what: Asked::NewPassword,
        },
        CopyError::PasswordNotGiven { .. } => AppError::NoTerminal {
            what: Asked::NewPassword,
        },
        CopyError::EmptyPassword => AppError::EmptyPassword,
        _ => return None,
    };
    Some(super::errors::describe_app(&app, lang))
}

/// A reader or card change, for a person (the terminal's line, the window's notice).
pub fn event_line(event: &certkeeper_core::media::watch::Event, lang: Lang) -> String {
    use certkeeper_core::media::watch::Event;
    match event {
        Event::ReaderAdded { reader } => format!(
            "{} {reader}",
            lang.pick("reader connected:", "подключён считыватель:")
        ),
        Event::ReaderRemoved { reader } => format!(
            "{} {reader}",
            lang.pick("reader disconnected:", "отключён считыватель:")
        ),
        Event::CardInserted { reader, atr } => format!(
            "{} {reader} (ATR {atr})",
            lang.pick("token inserted into", "токен вставлен в")
        ),
        Event::CardRemoved { reader } => format!(
            "{} {reader}",
            lang.pick("token removed from", "токен извлечён из")
        ),
    }
}

/// What archiving an inserted token's certificates did.
pub fn archived_from_token(done: &certkeeper_core::media::tokens::FromToken, lang: Lang) -> String {
    if done.added.is_empty() {
        format!(
            "{} «{}» {}",
            lang.pick("the certificates of token", "сертификаты токена"),
            done.token,
            lang.pick("are already archived", "уже в архиве")
        )
    } else {
        format!(
            "{} «{}»: {}",
            lang.pick(
                "archived from the inserted token",
                "из вставленного токена сохранены в архив"
            ),
            done.token,
            done.added.join(", ")
        )
    }
}

/// What a token's PIN state warns of, in two lengths: a few words for a list or a prompt line, and a
/// sentence for the PIN dialog. `None` when there is nothing to warn of. The one place that decides
/// which state gives which warning (locked, then the last try, then a wrong PIN entered before).
pub fn pin_warning(
    state: &certkeeper_core::media::pkcs11::PinState,
    lang: Lang,
) -> Option<(&'static str, &'static str)> {
    if state.locked {
        Some((
            lang.pick("PIN locked", "PIN заблокирован"),
            lang.pick(
                "The PIN is locked after too many wrong tries; unlock it with the token's administrator PIN (PUK).",
                "PIN заблокирован после слишком многих неверных попыток; разблокируйте его PIN-кодом администратора токена (PUK).",
            ),
        ))
    } else if state.final_try {
        Some((
            lang.pick(
                "last try before it locks!",
                "последняя попытка до блокировки!",
            ),
            lang.pick(
                "Last try: one more wrong PIN locks the token.",
                "Последняя попытка: ещё один неверный PIN заблокирует токен.",
            ),
        ))
    } else if state.count_low {
        Some((
            lang.pick(
                "a wrong PIN was entered before",
                "ранее был введён неверный PIN",
            ),
            lang.pick(
                "A wrong PIN was entered before; fewer tries are left.",
                "Ранее был введён неверный PIN; попыток осталось меньше.",
            ),
        ))
    } else if state.to_be_changed {
        Some((
            lang.pick(
                "still on its factory PIN: change it",
                "заводской PIN: смените его",
            ),
            lang.pick(
                "The token asks for its PIN to be changed: it is still the factory PIN (12345678 on a Rutoken) or was reset. Change it in the token's control panel.",
                "Токен просит сменить PIN: это всё ещё заводской PIN (12345678 у Рутокена) или PIN был сброшен. Смените его в панели управления токеном.",
            ),
        ))
    } else {
        None
    }
}

/// A token driver (PKCS#11 module) that did not load, and why: said when it may hide a key.
pub fn driver_not_loaded(
    unusable: &certkeeper_core::media::tokens::Unusable,
    lang: Lang,
) -> String {
    use certkeeper_core::media::pkcs11::TokenError;
    // The loader's own words, without certkeeper's English around them.
    let reason = match &unusable.error {
        TokenError::Module { reason, .. } => reason.clone(),
        other => other.to_string(),
    };
    match lang {
        Lang::En => format!(
            "Token driver {} was not loaded ({}); a token it serves was not searched.",
            unusable.path.display(),
            reason
        ),
        Lang::Ru => format!(
            "Драйвер токенов {} не загружен ({}); токены, которые он обслуживает, не проверены.",
            unusable.path.display(),
            reason
        ),
    }
}

/// "valid until 14.12.2026", or "expired on 14.12.2026" once that day has passed (the clock of
/// `crate::settings::clock`, which honours CERTKEEPER_NOW).
pub fn valid_until(not_after: i64, lang: Lang) -> String {
    let now = crate::settings::clock()
        .map(|clock| clock.now())
        .unwrap_or_else(|_| {
            certkeeper_core::expiry::Clock::now(&certkeeper_core::expiry::SystemClock)
        });
    valid_until_at(not_after, now, lang)
}

/// [`valid_until`] at `now`.
fn valid_until_at(not_after: i64, now: i64, lang: Lang) -> String {
    let words = if not_after < now {
        lang.pick("expired on", "истёк")
    } else {
        lang.pick("valid until", "действует до")
    };
    format!("{words} {}", lang.date(not_after))
}

/// The words of the Key media page's rows.
pub enum MediumWords<'a> {
    /// The archive, with this many certificates that have their keys.
    Archive(usize),
    /// The registry store, with this many containers, in this folder.
    Registry(usize, &'a std::path::Path),
    /// A token driver that did not load.
    DriverNotLoaded,
}

/// A row's name and detail (and warning, for a driver) on the Key media page.
pub fn medium_row(words: MediumWords<'_>, lang: Lang) -> (String, String, &'static str) {
    match words {
        MediumWords::Archive(count) => (
            lang.pick("Archive", "Архив").to_owned(),
            match lang {
                Lang::En => format!("{count} certificates with keys"),
                Lang::Ru => format!("сертификатов с ключами: {count}"),
            },
            "",
        ),
        MediumWords::Registry(count, folder) => (
            lang.pick("Registry store", "Реестр").to_owned(),
            match lang {
                Lang::En => format!("{count} containers: {}", folder.display()),
                Lang::Ru => format!("контейнеров: {count}: {}", folder.display()),
            },
            "",
        ),
        MediumWords::DriverNotLoaded => (
            lang.pick("Token driver not loaded", "Драйвер токенов не загружен")
                .to_owned(),
            String::new(),
            lang.pick("not loaded", "не загружен"),
        ),
    }
}

/// "Rutoken ECP, serial 1234": a token's detail.
pub fn token_detail(manufacturer: &str, model: &str, serial: &str, lang: Lang) -> String {
    format!(
        "{manufacturer} {model}, {} {serial}",
        lang.pick("serial", "№")
    )
}

/// The key pairs a token makes, in the language's words for the algorithms.
pub fn key_pairs(generates: &[&str], lang: Lang) -> String {
    generates
        .iter()
        .map(|name| lang.algorithm(name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a certificate's key is on a token: its kind, or that it shows after the PIN.
pub fn key_on_token(kind: Option<&str>, lang: Lang) -> String {
    match (kind, lang) {
        (Some(kind), Lang::En) => format!("{kind} key on the token"),
        (Some(kind), Lang::Ru) => format!("ключ {kind} на токене"),
        (None, _) => lang
            .pick("its key shows after the PIN", "ключ виден после ввода PIN")
            .to_owned(),
    }
}

/// "container PATH".
pub fn container_at(place: &std::path::Path, lang: Lang) -> String {
    format!(
        "{} {}",
        lang.pick("container", "контейнер"),
        place.display()
    )
}

/// Whether tokens are followed as they are plugged in (`None`), or why not and what to do.
pub fn following(
    not_followed: Option<&certkeeper_core::media::watch::WatchError>,
    lang: Lang,
) -> String {
    match not_followed {
        None => lang
            .pick(
                "Following readers and tokens as they are plugged in.",
                "Считыватели и токены отслеживаются при подключении.",
            )
            .to_owned(),
        Some(why) => {
            let text = super::errors::describe_watch(why, lang);
            format!("{} {}", text.problem, text.next_step)
        }
    }
}

/// What keeping the archive in the registry store did, in a line.
pub fn synced(synced: &certkeeper_core::copy::Synced, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Registry store {}: {} containers written, {} were there already.",
            synced.store.display(),
            synced.written.len(),
            synced.already_there
        ),
        Lang::Ru => format!(
            "Реестр {}: записано контейнеров: {}, уже были: {}.",
            synced.store.display(),
            synced.written.len(),
            synced.already_there
        ),
    }
}

/// While a copy runs.
pub fn copying(lang: Lang) -> &'static str {
    lang.pick("Copying…", "Копирование…")
}

/// `media list` as text: each token with its objects and the keys it generates, the registry
/// store, each drive with what it holds, and the drivers that could not be used.
pub fn write_survey(
    out: &mut impl std::io::Write,
    listed: &certkeeper_core::media::survey::Survey,
    lang: Lang,
) -> std::io::Result<()> {
    for view in &listed.tokens {
        let token = &view.token;
        let mut state = Vec::new();
        if let Some((short, _)) = pin_warning(&token.pin, lang) {
            state.push(short);
        }
        writeln!(
            out,
            "{} «{}» ({} {}, {} {}){}",
            lang.pick("token", "токен"),
            token.label,
            token.model,
            token.manufacturer,
            lang.pick("serial", "серийный №"),
            token.serial,
            if state.is_empty() {
                String::new()
            } else {
                format!(" — {}", state.join(", "))
            }
        )?;
        for object in &view.objects {
            writeln!(
                out,
                "  {:<12} id {}  «{}»{}{}",
                object.object.class,
                object.object.id,
                object.subject.as_deref().unwrap_or(&object.object.label),
                object
                    .object
                    .key_type
                    .as_ref()
                    .map(|kind| format!("  {kind}"))
                    .unwrap_or_default(),
                match object.object.extractable {
                    Some(false) => lang.pick("  non-extractable", "  неизвлекаемый"),
                    Some(true) => lang.pick("  extractable", "  извлекаемый"),
                    None => "",
                }
            )?;
        }
        if !view.generates.is_empty() {
            writeln!(
                out,
                "  {} {}",
                lang.pick("generates keys:", "создаёт ключи:"),
                key_pairs(&view.generates, lang)
            )?;
        }
    }
    writeln!(
        out,
        "{} {}: {} {}",
        lang.pick("registry store", "хранилище «реестр»"),
        listed.registry.store.display(),
        listed.registry.containers.len(),
        lang.pick("containers", "контейнеров")
    )?;
    for drive in &listed.drives {
        writeln!(
            out,
            "{} {}: {} {}, {} PFX, {} {}, {} {}",
            lang.pick("drive", "диск"),
            drive.path.display(),
            drive.containers.len(),
            lang.pick("containers", "контейнеров"),
            drive.pfx.len(),
            drive.private_keys.len(),
            lang.pick("key files", "файлов ключей"),
            drive.certificates.len(),
            lang.pick("certificates", "сертификатов"),
        )?;
        for container in &drive.containers {
            writeln!(
                out,
                "  {:<12} «{}»  {}",
                lang.pick("container", "контейнер"),
                container.name.as_deref().unwrap_or_default(),
                container.path.display()
            )?;
        }
        for pfx in &drive.pfx {
            writeln!(out, "  {:<12} {}", "PFX", pfx.display())?;
        }
        for certificate in &drive.certificates {
            writeln!(
                out,
                "  {:<12} «{}» {} {}  {}",
                lang.pick("certificate", "сертификат"),
                certificate.subject,
                lang.pick("until", "до"),
                certificate.not_after,
                certificate.path.display()
            )?;
        }
    }
    if listed.tokens.is_empty() {
        writeln!(out, "{}", no_token(&listed.modules, lang))?;
    }
    for problem in &listed.unusable_modules {
        writeln!(
            out,
            "{} {problem}",
            lang.pick("not used:", "не используется:")
        )?;
    }
    Ok(())
}

/// `registry sync` as text: each container written, then the store's totals.
pub fn write_synced(
    out: &mut impl std::io::Write,
    synced: &certkeeper_core::copy::Synced,
    lang: Lang,
) -> std::io::Result<()> {
    for folder in &synced.written {
        writeln!(
            out,
            "{} {}",
            lang.pick("written:", "записан:"),
            folder.display()
        )?;
    }
    writeln!(
        out,
        "{} {}: {} {}, {} {}",
        lang.pick("Registry store", "Хранилище «реестр»"),
        synced.store.display(),
        lang.pick("written", "записано"),
        synced.written.len(),
        lang.pick("already there", "уже были"),
        synced.already_there
    )
}

/// `registry export-reg`'s line.
pub fn reg_written(out: &std::path::Path, containers: usize, lang: Lang) -> String {
    format!(
        "{} {} ({containers} {})",
        lang.pick("Written:", "Записано:"),
        out.display(),
        lang.pick("containers", "контейнеров")
    )
}

/// `media keygen`'s line.
pub fn generated(
    generated: &certkeeper_core::media::pkcs11::Generated,
    token: &str,
    lang: Lang,
) -> String {
    format!(
        "{} {} {} «{token}»: CKA_ID {}{}",
        lang.pick("Generated", "Создан ключ"),
        generated.key_type,
        lang.pick("on token", "на токене"),
        generated.id,
        if generated.extractable {
            lang.pick(" (extractable)", " (извлекаемый)")
        } else {
            lang.pick(" (cannot leave the token)", " (не покидает токен)")
        }
    )
}

/// Where Rutoken's driver comes from, when it is not installed.
fn rutoken_driver_hint(lang: Lang) -> &'static str {
    if cfg!(windows) {
        lang.pick(
            "Rutoken's driver (rtPKCS11ECP.dll) is not installed: install \"Drivers for Rutoken\" from https://www.rutoken.ru/support/download/windows/ and start certkeeper again.",
            "Драйвер Рутокена (rtPKCS11ECP.dll) не установлен: установите «Драйверы Рутокен» с https://www.rutoken.ru/support/download/windows/ и запустите certkeeper снова.",
        )
    } else {
        lang.pick(
            "Rutoken's driver (librtpkcs11ecp.so) is not installed: get the \"Rutoken PKCS#11\" library for Linux from https://www.rutoken.ru/support/download/pkcs/ (the .deb or .rpm), install it, and start certkeeper again.",
            "Драйвер Рутокена (librtpkcs11ecp.so) не установлен: скачайте библиотеку «Рутокен PKCS#11» для Linux с https://www.rutoken.ru/support/download/pkcs/ (пакет .deb или .rpm), установите её и запустите certkeeper снова.",
        )
    }
}

/// The token drivers (PKCS#11 modules) in use, one per line, and where to get Rutoken's when it is
/// not among them (the Settings page).
pub fn drivers(modules: &[std::path::PathBuf], lang: Lang) -> String {
    let mut lines: Vec<String> = modules
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    if lines.is_empty() {
        lines.push(
            lang.pick(
                "None found on this computer.",
                "На этом компьютере не найдены.",
            )
            .to_owned(),
        );
    }
    if !modules
        .iter()
        .any(|path| certkeeper_core::media::pkcs11::is_rutoken_module(path))
    {
        lines.push(rutoken_driver_hint(lang).to_owned());
    }
    lines.join("\n")
}

/// `media list` when no token is seen: which drivers looked, and what to do.
pub fn no_token(modules: &[std::path::PathBuf], lang: Lang) -> String {
    if modules.is_empty() {
        return format!(
            "{} {}",
            lang.pick(
                "No token: no token driver (PKCS#11 module) is installed.",
                "Токенов нет: не установлен ни один драйвер токенов (модуль PKCS#11).",
            ),
            rutoken_driver_hint(lang)
        );
    }
    let names = modules
        .iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut line = format!(
        "{} {names}. {}",
        lang.pick(
            "No token found by the drivers",
            "Драйверы не нашли ни одного токена:",
        ),
        lang.pick(
            "Insert the token (its light comes on); if it is in, check that the smart card service runs: sudo systemctl start pcscd.",
            "Вставьте токен (на нём загорится индикатор); если он вставлен, проверьте, что работает служба смарт-карт: sudo systemctl start pcscd.",
        )
    );
    if !modules
        .iter()
        .any(|path| certkeeper_core::media::pkcs11::is_rutoken_module(path))
    {
        line.push(' ');
        line.push_str(rutoken_driver_hint(lang));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_certificate_is_not_said_to_be_valid() {
        // 2026-12-14T12:00:00Z.
        let not_after = 1_797_249_600;
        let before = not_after - 86_400;
        let after = not_after + 86_400;
        assert!(valid_until_at(not_after, before, Lang::Ru).starts_with("действует до "));
        assert!(valid_until_at(not_after, after, Lang::Ru).starts_with("истёк "));
        assert!(valid_until_at(not_after, after, Lang::En).starts_with("expired on "));
        assert!(valid_until_at(not_after, before, Lang::Ru).ends_with(".12.2026"));
    }
}
