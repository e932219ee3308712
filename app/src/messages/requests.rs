//! What getting a new certificate says: a new request, the CA's progress, the list of requests, and
//! why something did not work (core's [`certkeeper_core::enroll`]).

use std::io::Write;

use certkeeper_core::enroll::cmp::CmpError;
use certkeeper_core::enroll::name::{Field, SubjectError};
use certkeeper_core::enroll::{EnrollError, Job, MediumRefusal, Notice, Progress, State};
use certkeeper_core::interact::Declined;

use super::{AppError, Asked, Lang, Text};

/// A state as a person reads it.
pub fn state_name(state: State, lang: Lang) -> &'static str {
    match state {
        State::KeyGenerated => lang.pick("key generated", "ключ создан"),
        State::RequestMade => lang.pick("request made, not sent", "запрос создан, не отправлен"),
        State::Submitted => lang.pick("sent to the CA", "отправлен в УЦ"),
        State::Waiting => lang.pick("the CA is issuing", "УЦ выпускает"),
        State::Issued => lang.pick("issued, to be installed", "выпущен, ждёт установки"),
        State::Installed => lang.pick("installed", "установлен"),
        State::Rejected => lang.pick("rejected by the CA", "отклонён УЦ"),
        State::Cancelled => lang.pick("cancelled", "отменён"),
    }
}

/// What to know about a new request.
pub fn notice(notice: &Notice, lang: Lang) -> String {
    match notice {
        Notice::NoContainerPassword => lang
            .pick(
                "The container has no password: anyone who has the drive can sign with the key. \
                 (A container password can never be recovered if forgotten; certkeeper keeps the key in \
                 the archive as well.)",
                "У контейнера нет пароля: любой, у кого окажется носитель, сможет подписывать этим \
                 ключом. (Забытый пароль контейнера восстановить нельзя; certkeeper хранит ключ и в \
                 архиве.)",
            )
            .to_owned(),
        Notice::DefaultPin { label } => match lang {
            Lang::En => format!(
                "Token «{label}» still has its factory PIN (12345678): change it in the token's \
                 control panel before you use the certificate."
            ),
            Lang::Ru => format!(
                "У токена «{label}» заводской PIN (12345678): смените его в панели управления \
                 токеном до того, как пользоваться сертификатом."
            ),
        },
        Notice::KeyStaysOnToken { label } => match lang {
            Lang::En => format!(
                "The key was made on token «{label}» and never leaves it: the archive keeps its \
                 certificate, not the key."
            ),
            Lang::Ru => format!(
                "Ключ создан на токене «{label}» и не покидает его: в архиве будет его \
                 сертификат, но не ключ."
            ),
        },
    }
}

/// The lines `request new` prints.
pub fn write_created(
    out: &mut impl Write,
    job: &Job,
    notices: &[Notice],
    csr_files: Option<(&str, &str)>,
    lang: Lang,
) -> std::io::Result<()> {
    let id = job.id;
    match lang {
        Lang::En => writeln!(
            out,
            "Request {id} made for «{}»: a {} key in {} ({}).",
            job.subject, job.algorithm, job.medium, job.key_place
        )?,
        Lang::Ru => writeln!(
            out,
            "Запрос {id} создан для «{}»: ключ {} в {} ({}).",
            job.subject, job.algorithm, job.medium, job.key_place
        )?,
    }
    writeln!(
        out,
        "{}",
        lang.pick(
            "What goes into the certificate:",
            "Что войдёт в сертификат:"
        )
    )?;
    write_review(out, &job.subject_der, lang)?;
    for notice in notices {
        writeln!(out, "{}", self::notice(notice, lang))?;
    }
    if let Some((pem, der)) = csr_files {
        match lang {
            Lang::En => writeln!(
                out,
                "The request is written to {pem} (PEM) and {der} (DER): give it to the CA, then: certkeeper request install {id} CERTIFICATE-FILE"
            )?,
            Lang::Ru => writeln!(
                out,
                "Запрос записан в {pem} (PEM) и {der} (DER): передайте его в УЦ, затем: certkeeper request install {id} ФАЙЛ-СЕРТИФИКАТА"
            )?,
        }
    }
    match lang {
        Lang::En => writeln!(
            out,
            "Send it with the CA's one-time code: certkeeper request submit {id} --cmp URL --reference REFERENCE --secret-file FILE"
        ),
        Lang::Ru => writeln!(
            out,
            "Отправьте его с одноразовым кодом УЦ: certkeeper request submit {id} --cmp АДРЕС --reference НОМЕР --secret-file ФАЙЛ"
        ),
    }
}

/// Where a job got to, one line.
pub fn progress_line(id: i64, progress: &Progress, lang: Lang) -> String {
    match progress {
        Progress::Installed {
            certificate_id,
            thumbprint,
            subject,
        } => match lang {
            Lang::En => format!(
                "Request {id}: the certificate for «{subject}» is issued, installed next to its key and archived (id {certificate_id}, thumbprint {thumbprint})."
            ),
            Lang::Ru => format!(
                "Запрос {id}: сертификат для «{subject}» выпущен, установлен рядом с ключом и сохранён в архиве (id {certificate_id}, отпечаток {thumbprint})."
            ),
        },
        Progress::Waiting { next_poll } => match lang {
            Lang::En => format!(
                "Request {id}: the CA is issuing the certificate; asked again at {} (certkeeper request resume, or the reminder service, goes on).",
                lang.date_time(*next_poll)
            ),
            Lang::Ru => format!(
                "Запрос {id}: УЦ выпускает сертификат; следующая проверка в {} (продолжит certkeeper request resume или служба напоминаний).",
                lang.date_time(*next_poll)
            ),
        },
        Progress::Rejected { reason } => match lang {
            Lang::En => format!("Request {id}: the CA rejected it: {reason}."),
            Lang::Ru => format!("Запрос {id}: УЦ отклонил его: {reason}."),
        },
        Progress::Issued { subject } => match lang {
            Lang::En => format!(
                "Request {id}: the certificate for «{subject}» is issued. Install it next to its key: certkeeper request resume"
            ),
            Lang::Ru => format!(
                "Запрос {id}: сертификат для «{subject}» выпущен. Установите его рядом с ключом: certkeeper request resume"
            ),
        },
    }
}

/// `request resume` with no request at a CA.
pub fn nothing_to_resume(lang: Lang) -> &'static str {
    lang.pick(
        "No request is with the CA: nothing to go on with (certkeeper request list).",
        "Ни один запрос не ждёт УЦ: продолжать нечего (certkeeper request list).",
    )
}

/// `request cancel`.
pub fn cancelled(id: i64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Request {id} is cancelled (it stays in the list)."),
        Lang::Ru => format!("Запрос {id} отменён (он остаётся в списке)."),
    }
}

/// The reminder service's notification when a certificate is issued: title and text.
pub fn issued_notification(id: i64, subject: &str, lang: Lang) -> (String, String) {
    match lang {
        Lang::En => (
            format!("Certificate issued: {subject}"),
            format!(
                "The CA has issued the certificate of request {id}. Install it next to its key: press Install (or open certkeeper, or run certkeeper request resume)."
            ),
        ),
        Lang::Ru => (
            format!("Сертификат выпущен: {subject}"),
            format!(
                "УЦ выпустил сертификат по запросу {id}. Установите его рядом с ключом: нажмите «Установить» (или откройте certkeeper, или выполните certkeeper request resume)."
            ),
        ),
    }
}

/// The issued notification's button.
pub fn install_action(lang: Lang) -> &'static str {
    lang.pick("Install", "Установить")
}

/// The list of requests.
pub fn write_list(out: &mut impl Write, jobs: &[Job], lang: Lang) -> std::io::Result<()> {
    if jobs.is_empty() {
        return writeln!(
            out,
            "{}",
            lang.pick(
                "No certificate requests yet. Make one: certkeeper request new --subject \"CN=…,SNILS=…,INN=…\" --medium dir:PATH",
                "Запросов на сертификат пока нет. Создайте: certkeeper request new --subject \"CN=…,SNILS=…,INN=…\" --medium dir:ПУТЬ",
            )
        );
    }
    for job in jobs {
        write!(
            out,
            "{:>4}  {}  «{}»  {}  {}",
            job.id,
            lang.date_time(job.updated),
            job.subject,
            job.medium,
            state_name(job.state, lang)
        )?;
        if job.state == State::Waiting
            && let Some(next) = job.next_poll
        {
            write!(
                out,
                " ({} {})",
                lang.pick("next check", "проверка"),
                lang.date_time(next)
            )?;
        }
        if let Some(error) = &job.error {
            write!(out, " — {error}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// A field of the subject as a person knows it.
pub fn field_label(field: Field, lang: Lang) -> &'static str {
    match field {
        Field::FullName => lang.pick("Full name", "ФИО"),
        Field::Surname => lang.pick("Surname", "Фамилия"),
        Field::GivenNames => lang.pick("Given names", "Имя и отчество"),
        Field::Snils => lang.pick("SNILS", "СНИЛС"),
        Field::Inn => lang.pick("INN", "ИНН"),
        Field::Organisation => lang.pick("Organisation", "Организация"),
        Field::Unit => lang.pick("Department", "Подразделение"),
        Field::Innle => lang.pick("INN of the organisation", "ИНН ЮЛ"),
        Field::Ogrn => lang.pick("OGRN", "ОГРН"),
        Field::Ogrnip => lang.pick("OGRNIP", "ОГРНИП"),
        Field::Title => lang.pick("Title", "Должность"),
        Field::Email => lang.pick("E-mail", "Электронная почта"),
        Field::Locality => lang.pick("Town", "Населённый пункт"),
        Field::Region => lang.pick("Region", "Регион"),
        Field::Street => lang.pick("Address", "Адрес"),
        Field::Country => lang.pick("Country", "Страна"),
        _ => lang.pick("Field", "Поле"),
    }
}

/// A subject's fields in words a person reads: label and value, in the order a form shows them.
pub fn review_lines(
    lines: Vec<(Option<Field>, String, String)>,
    lang: Lang,
) -> Vec<(String, String)> {
    lines
        .into_iter()
        .map(|(field, name, value)| {
            let label = field
                .map(|field| field_label(field, lang).to_owned())
                .unwrap_or(name);
            (label, value)
        })
        .collect()
}

/// The subject as it goes into the request, one line per field, in words a person reads.
pub fn write_review(out: &mut impl Write, der: &[u8], lang: Lang) -> std::io::Result<()> {
    for (label, value) in review_lines(certkeeper_core::enroll::name::review_der(der), lang) {
        writeln!(out, "  {label}: {value}")?;
    }
    Ok(())
}

/// What a field of the window's form says is wrong with it.
pub fn field_problem(error: &SubjectError, lang: Lang) -> String {
    subject_problem(error, lang).0
}

/// The hint beside a place for the key (the CA guide's): a token asks its PIN, a container a new
/// password. A token also says which key pairs it makes (`generates`, from its mechanism list),
/// and that a qualified certificate needs a GOST key when it makes none.
pub fn place_hint(kind: &str, generates: &[&str], lang: Lang) -> String {
    if kind != "token" {
        return lang
            .pick(
                "A new container password is asked. It may be empty; a forgotten one can never be recovered.",
                "Будет запрошен новый пароль контейнера. Его можно оставить пустым; забытый пароль восстановить нельзя.",
            )
            .to_owned();
    }
    let mut hint = lang
        .pick(
            "The token asks its PIN; the key is made on it and never leaves it.",
            "Токен спросит свой PIN; ключ создаётся на нём и никогда его не покидает.",
        )
        .to_owned();
    // What it can make, from its mechanism list; nothing is said when that could not be read.
    let makes = super::media::key_pairs(generates, lang);
    if generates
        .iter()
        .any(|name| certkeeper_core::media::pkcs11::is_gost_key_pair(name))
    {
        hint.push_str(&match lang {
            Lang::En => format!(" It makes {makes} keys."),
            Lang::Ru => format!(" Создаёт ключи: {makes}."),
        });
    } else if !generates.is_empty() {
        hint.push_str(&match lang {
            Lang::En => format!(
                " It makes {makes} keys, not GOST ones: a qualified certificate needs a GOST key, so choose a token that makes them, a drive or the registry store."
            ),
            Lang::Ru => format!(
                " Создаёт ключи {makes}, но не ГОСТ: для квалифицированного сертификата нужен ключ ГОСТ — выберите токен, который их создаёт, флешку или реестр."
            ),
        });
    }
    hint
}

/// What the window says about a job under its subject.
pub fn job_detail(job: &Job, lang: Lang) -> String {
    let mut detail = match job.state {
        State::Waiting | State::Submitted => match (job.next_poll, lang) {
            (Some(next), Lang::En) => format!(
                "Asked again at {}; the reminder service goes on while the window is closed.",
                lang.date_time(next)
            ),
            (Some(next), Lang::Ru) => format!(
                "Следующая проверка в {}; пока окно закрыто, проверяет служба напоминаний.",
                lang.date_time(next)
            ),
            (None, _) => lang
                .pick("Waiting for the CA's answer.", "Ждём ответа УЦ.")
                .to_owned(),
        },
        State::Issued => lang
            .pick(
                "Issued: press Install to put it next to its key and into the archive.",
                "Выпущен: нажмите «Установить», чтобы поместить его рядом с ключом и в архив.",
            )
            .to_owned(),
        State::Installed => match lang {
            Lang::En => format!("Installed on {}.", lang.date_time(job.updated)),
            Lang::Ru => format!("Установлен {}.", lang.date_time(job.updated)),
        },
        State::Rejected => match lang {
            Lang::En => format!(
                "The CA's reason: {}",
                job.error.as_deref().unwrap_or_default()
            ),
            Lang::Ru => format!(
                "Причина от УЦ: {}",
                job.error.as_deref().unwrap_or_default()
            ),
        },
        _ => match lang {
            Lang::En => format!("The key is in {}; the request is not sent yet.", job.medium),
            Lang::Ru => format!("Ключ в {}; запрос ещё не отправлен.", job.medium),
        },
    };
    if job.state == State::RequestMade
        && let Some(error) = &job.error
    {
        detail.push(' ');
        detail.push_str(error);
    }
    detail
}

/// A job in one paragraph: which, for whom, where it is.
pub fn job_line(job: &Job, lang: Lang) -> String {
    let head = match lang {
        Lang::En => format!("Request {} for «{}»", job.id, job.subject),
        Lang::Ru => format!("Запрос {} для «{}»", job.id, job.subject),
    };
    format!(
        "{head}: {}. {}",
        state_name(job.state, lang),
        job_detail(job, lang)
    )
}

/// A request written to files for a CA that takes them.
pub fn saved_request(pem: &std::path::Path, der: &std::path::Path, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "The request is saved as {} and {}. Send one to the CA; install its answer from the request list (Install certificate from a file).",
            pem.display(),
            der.display()
        ),
        Lang::Ru => format!(
            "Запрос сохранён в {} и {}. Отправьте один из них в УЦ; ответ установите из списка запросов («Установить сертификат из файла»).",
            pem.display(),
            der.display()
        ),
    }
}

/// A certificate offered for renewal in the window: whose, and until when.
pub fn renewable_name(name: &str, not_after: i64, lang: Lang) -> String {
    format!("{name} — {}", super::media::valid_until(not_after, lang))
}

/// What the window asks for before the key is made or the request sent.
pub fn missing(what: &str, lang: Lang) -> &'static str {
    match what {
        "place" => lang.pick(
            "Choose where the key goes, or type a folder.",
            "Выберите, где будет ключ, или укажите папку.",
        ),
        "ca" => lang.pick(
            "Type the CA's address (as the CA gave it, https://…).",
            "Укажите адрес УЦ (как его дал УЦ, https://…).",
        ),
        "code" => lang.pick(
            "Type the reference and the one-time code the CA sent.",
            "Введите номер (reference) и одноразовый код, присланные УЦ.",
        ),
        "expired" => lang.pick(
            "The one-time code has expired: ask the CA for a new one, then press I have a new code.",
            "Срок одноразового кода истёк: запросите в УЦ новый и нажмите «У меня новый код».",
        ),
        _ => lang.pick(
            "Fill in what the form marks.",
            "Заполните отмеченные поля.",
        ),
    }
}

fn subject_problem(error: &SubjectError, lang: Lang) -> (String, String) {
    let ru = lang == Lang::Ru;
    let field_ru = |field: &str| {
        match field {
            "INN" => "ИНН",
            "INNLE" => "ИНН ЮЛ",
            "SNILS" => "СНИЛС",
            "OGRN" => "ОГРН",
            "OGRNIP" => "ОГРНИП",
            other => other,
        }
        .to_owned()
    };
    let check = if ru {
        "Проверьте по документу и введите заново.".to_owned()
    } else {
        "Check it against the document and type it again.".to_owned()
    };
    match error {
        SubjectError::Empty => (
            lang.pick("The subject is empty.", "Субъект не указан.").into(),
            lang.pick(
                "Give it as --subject \"CN=Full Name,SNILS=…,INN=…,C=RU\", or renew with --like THUMBPRINT.",
                "Укажите его: --subject \"CN=ФИО,SNILS=…,INN=…,C=RU\", или продлите: --like ОТПЕЧАТОК.",
            )
            .into(),
        ),
        SubjectError::Syntax { at } => (
            match lang {
                Lang::En => format!("The subject cannot be read at character {at}."),
                Lang::Ru => format!("Субъект не читается с символа {at}."),
            },
            lang.pick(
                "Write it as TYPE=value pairs separated by commas; put \\ before a comma, + or quote inside a value.",
                "Запишите пары ТИП=значение через запятую; перед запятой, + или кавычкой внутри значения ставьте \\.",
            )
            .into(),
        ),
        SubjectError::UnknownAttribute { name } => (
            match lang {
                Lang::En => format!("{name} is not a subject field certkeeper knows."),
                Lang::Ru => format!("{name} — неизвестное certkeeper поле субъекта."),
            },
            lang.pick(
                "Use CN, SN, GN, T, O, OU, L, ST, STREET, C, E, INN, INNLE, SNILS, OGRN, OGRNIP, or a dotted OID.",
                "Используйте CN, SN, GN, T, O, OU, L, ST, STREET, C, E, INN, INNLE, SNILS, OGRN, OGRNIP или OID через точки.",
            )
            .into(),
        ),
        SubjectError::NotDigits { field, value } => (
            match lang {
                Lang::En => format!("{field} must be digits, but it is {value}."),
                Lang::Ru => format!("{} должен состоять из цифр, а указано {value}.", field_ru(field)),
            },
            check,
        ),
        SubjectError::Length {
            field,
            expected,
            got,
        } => (
            match lang {
                Lang::En => format!("{field} has {got} digits; it must have {expected}."),
                Lang::Ru => format!(
                    "В {} {got} цифр, а должно быть {}.",
                    field_ru(field),
                    expected.replace("for an organisation", "для организации")
                ),
            },
            check,
        ),
        SubjectError::CheckDigit { field, value } => (
            match lang {
                Lang::En => format!("{field} {value} has a wrong check digit: there is a typing mistake in it."),
                Lang::Ru => format!("В {} {value} неверна контрольная цифра: в номере опечатка.", field_ru(field)),
            },
            check,
        ),
        SubjectError::Country { value } => (
            match lang {
                Lang::En => format!("The country must be two letters, not {value}."),
                Lang::Ru => format!("Страна задаётся двумя буквами, а не {value}."),
            },
            lang.pick("Write C=RU.", "Укажите C=RU.").into(),
        ),
        SubjectError::Email { value } => (
            match lang {
                Lang::En => format!("{value} is not an e-mail address certificates can hold."),
                Lang::Ru => format!("{value} — не адрес почты, который может быть в сертификате."),
            },
            lang.pick(
                "Give an address in Latin letters (name@example.ru), or leave E= out.",
                "Укажите адрес латиницей (name@example.ru) или уберите E=.",
            )
            .into(),
        ),
        SubjectError::Missing { field } => {
            let label = Field::ALL
                .into_iter()
                .find(|known| known.key() == *field)
                .map(|known| field_label(known, lang))
                .unwrap_or(field);
            (
                match lang {
                    Lang::En => format!("{label} is required for a qualified certificate."),
                    Lang::Ru => format!("{label}: обязательно для квалифицированного сертификата."),
                },
                lang.pick(
                    "Fill it in as the document shows it.",
                    "Заполните, как указано в документе.",
                )
                .into(),
            )
        }
        SubjectError::EmptyValue { field } => (
            match lang {
                Lang::En => format!("{field}= has no value."),
                Lang::Ru => format!("У {field}= нет значения."),
            },
            lang.pick("Give the value, or leave the field out.", "Укажите значение или уберите поле.")
                .into(),
        ),
        _ => (error.to_string(), check),
    }
}

/// Why a request did not go on, or `None` when the error it wraps says it (a token's, a file's, the
/// archive's).
pub(super) fn describe_enroll(error: &EnrollError, lang: Lang) -> Option<Text> {
    let text = |(en_problem, en_next): (String, String),
                (ru_problem, ru_next): (String, String)| {
        Some(Text::new(
            lang,
            (en_problem, en_next),
            (ru_problem, ru_next),
        ))
    };
    match error {
        EnrollError::Subject(subject) => {
            let en = subject_problem(subject, Lang::En);
            let ru = subject_problem(subject, Lang::Ru);
            text(en, ru)
        }
        EnrollError::Fields(errors) => {
            let list = |lang: Lang| {
                errors
                    .iter()
                    .map(|error| {
                        let (problem, _) = subject_problem(&error.problem, lang);
                        format!("{}: {}", field_label(error.field, lang), problem)
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            text(
                (
                    format!("The subject's fields are not right. {}", list(Lang::En)),
                    "Correct them as the documents show them and run the command again; nothing was made yet.".into(),
                ),
                (
                    format!("Поля субъекта заполнены неверно. {}", list(Lang::Ru)),
                    "Исправьте их по документам и повторите команду; ничего ещё не создано.".into(),
                ),
            )
        }
        EnrollError::Medium { medium, why } => {
            let (en, ru) = match why {
                MediumRefusal::Archive => (
                    "the archive keeps a copy of every new key by itself; choose where the key is to live",
                    "архив и так сохраняет копию каждого нового ключа; выберите, где ключ будет жить",
                ),
                MediumRefusal::NotGostInContainer => (
                    "a CryptoPro container (drive or registry) holds GOST keys only",
                    "контейнер КриптоПро (флешка или реестр) хранит только ключи ГОСТ",
                ),
                MediumRefusal::TokenCannot => (
                    "the token cannot make this kind of key",
                    "токен не умеет создавать такие ключи",
                ),
                _ => ("it is not a key medium", "это не носитель ключа"),
            };
            text(
                (
                    format!("No key is made in {medium}: {en}."),
                    "Choose --medium dir:PATH (a drive) or registry with --algorithm gost2012-256|gost2012-512, or a token:LABEL and an --algorithm it can make (certkeeper media list shows what each token can make: Rutoken ECP 2.0 and newer make GOST keys, others RSA or EC only).".into(),
                ),
                (
                    format!("Ключ в {medium} не создаётся: {ru}."),
                    "Выберите --medium dir:ПУТЬ (флешка) или registry с --algorithm gost2012-256|gost2012-512, либо token:МЕТКА и --algorithm, который токен умеет (certkeeper media list покажет, что умеет каждый токен: Рутокен ЭЦП 2.0 и новее создают ключи ГОСТ, другие — только RSA или EC).".into(),
                ),
            )
        }
        EnrollError::NotArchived { thumbprint } => text(
            (
                format!("Certificate {thumbprint} is not in the archive."),
                "Find the one to renew with certkeeper list, or import it first (certkeeper import FILE).".into(),
            ),
            (
                format!("Сертификата {thumbprint} нет в архиве."),
                "Найдите продлеваемый сертификат командой certkeeper list или сначала импортируйте его (certkeeper import ФАЙЛ).".into(),
            ),
        ),
        EnrollError::NoSuchJob { id } => text(
            (
                format!("There is no request {id}."),
                "certkeeper request list shows every request with its number.".into(),
            ),
            (
                format!("Запроса {id} нет."),
                "certkeeper request list покажет все запросы с их номерами.".into(),
            ),
        ),
        EnrollError::WrongState { id, state } => {
            let (en, ru) = match state {
                State::Waiting | State::Submitted | State::Issued => (
                    "it is with the CA already; certkeeper request resume goes on with it",
                    "он уже в УЦ; продолжит его certkeeper request resume",
                ),
                State::Installed => (
                    "its certificate is installed already (certkeeper request list shows it)",
                    "его сертификат уже установлен (см. certkeeper request list)",
                ),
                _ => (
                    "it is over; make a new request with certkeeper request new",
                    "он завершён; создайте новый запрос командой certkeeper request new",
                ),
            };
            text(
                (
                    format!("Request {id} is {}: nothing was done.", state_name(*state, Lang::En)),
                    format!("This cannot be done now: {en}."),
                ),
                (
                    format!("Запрос {id}: {} — ничего не сделано.", state_name(*state, Lang::Ru)),
                    format!("Сейчас это сделать нельзя: {ru}."),
                ),
            )
        }
        EnrollError::NotOurKey { id, thumbprint } => text(
            (
                format!("Certificate {thumbprint} is not for the key of request {id}: nothing was changed."),
                "Install the certificate the CA issued for this request's key (certkeeper request list shows its subject), or give it to the request it belongs to.".into(),
            ),
            (
                format!("Сертификат {thumbprint} выпущен не для ключа запроса {id}: ничего не изменено."),
                "Установите сертификат, выпущенный УЦ для ключа этого запроса (см. certkeeper request list), или укажите запрос, к которому он относится.".into(),
            ),
        ),
        EnrollError::NotACertificate { path, reason } => text(
            (
                format!("{} is not a certificate: {reason}.", path.display()),
                "Give the file the CA sent: a certificate (.cer, .crt, DER or PEM) or a PKCS#7 bundle (.p7b).".into(),
            ),
            (
                format!("{} — не сертификат: {reason}.", path.display()),
                "Укажите файл, присланный УЦ: сертификат (.cer, .crt, DER или PEM) или пакет PKCS#7 (.p7b).".into(),
            ),
        ),
        EnrollError::NoOldKey { thumbprint } => text(
            (
                format!("A key update is signed with the key of certificate {thumbprint}, and the archive does not hold it unlocked."),
                "Import its container with its password (certkeeper import PATH), or submit with --cmd ir and a one-time code from the CA.".into(),
            ),
            (
                format!("Запрос на обновление ключа подписывается ключом сертификата {thumbprint}, а в архиве его нет в открытом виде."),
                "Импортируйте его контейнер с паролем (certkeeper import ПУТЬ) или отправьте запрос с --cmd ir и одноразовым кодом УЦ.".into(),
            ),
        ),
        EnrollError::KurWithoutRenewal => text(
            (
                "A key update (kur) renews a certificate, and this request was not made as a renewal.".into(),
                "Submit it with --cmd ir and the CA's one-time code, or make the request with --like THUMBPRINT.".into(),
            ),
            (
                "Запрос на обновление ключа (kur) продлевает сертификат, а этот запрос создан не как продление.".into(),
                "Отправьте его с --cmd ir и одноразовым кодом УЦ или создайте запрос с --like ОТПЕЧАТОК.".into(),
            ),
        ),
        EnrollError::PasswordNotGiven(why) => {
            let app = match why {
                Declined::Differ => AppError::PasswordsDiffer,
                Declined::Cancelled => AppError::SecretNotGiven {
                    what: Asked::NewPassword,
                },
                _ => AppError::NoTerminal {
                    what: Asked::NewPassword,
                },
            };
            Some(super::errors::describe_app(&app, lang))
        }
        EnrollError::ContainerMissing { folder } => text(
            (
                format!("The key's container {} is not there.", folder.display()),
                "Insert the drive that holds it and run certkeeper request resume; the certificate waits in the archive.".into(),
            ),
            (
                format!("Контейнера ключа {} нет на месте.", folder.display()),
                "Вставьте носитель с ним и выполните certkeeper request resume; сертификат ждёт в архиве.".into(),
            ),
        ),
        _ => None,
    }
}

/// What the window says about a failure of the request steps, where the command line's advice
/// (a command to run) does not fit: a wrong one-time code, a CA not reached. `None`: the common
/// description fits.
pub fn in_window(error: &anyhow::Error, lang: Lang) -> Option<String> {
    let cmp = match error.downcast_ref::<EnrollError>() {
        Some(EnrollError::Cmp(cmp)) => cmp,
        _ => error.downcast_ref::<CmpError>()?,
    };
    Some(match (cmp, lang) {
        (CmpError::WrongCode { text }, Lang::En) => format!(
            "The CA did not accept the one-time code: {text}. The request and everything typed are kept: ask the CA for a new code, press I have a new code, type it and press Send."
        ),
        (CmpError::WrongCode { text }, Lang::Ru) => format!(
            "УЦ не принял одноразовый код: {text}. Запрос и всё введённое сохранены: запросите в УЦ новый код, нажмите «У меня новый код», введите его и нажмите «Отправить»."
        ),
        (CmpError::Unreachable { url, reason }, Lang::En) => format!(
            "The CA at {url} cannot be reached: {reason}. Check the address and the network connection and press Send again; the request is kept."
        ),
        (CmpError::Unreachable { url, reason }, Lang::Ru) => format!(
            "УЦ по адресу {url} недоступен: {reason}. Проверьте адрес и подключение к сети и нажмите «Отправить» ещё раз; запрос сохранён."
        ),
        _ => return None,
    })
}

/// What a CMP failure means, and what to do.
pub(super) fn describe_cmp(error: &CmpError, lang: Lang) -> Option<Text> {
    let (en, ru) = match error {
        CmpError::WrongCode { text } => (
            (
                format!("The CA did not accept the one-time code: {text}."),
                "The request is kept. Ask the CA for a new code and send it again: certkeeper request submit JOB --cmp URL --reference REFERENCE --secret-file NEW-CODE-FILE".into(),
            ),
            (
                format!("УЦ не принял одноразовый код: {text}."),
                "Запрос сохранён. Запросите в УЦ новый код и отправьте снова: certkeeper request submit НОМЕР --cmp АДРЕС --reference НОМЕР-КОДА --secret-file ФАЙЛ-С-НОВЫМ-КОДОМ".into(),
            ),
        ),
        CmpError::Refused { text } => (
            (
                format!("The CA refused the request: {text}."),
                "The request is kept (certkeeper request list). If the CA's words name a mistake in the data, contact the CA; otherwise send it again later.".into(),
            ),
            (
                format!("УЦ отказал: {text}."),
                "Запрос сохранён (certkeeper request list). Если УЦ указывает на ошибку в данных, обратитесь в УЦ; иначе отправьте запрос позже ещё раз.".into(),
            ),
        ),
        CmpError::BadResponse { reason } => (
            (
                format!("The CA's answer is not understood: {reason}."),
                "Check the CA's CMP address; the request is kept, and certkeeper request resume tries again.".into(),
            ),
            (
                format!("Ответ УЦ не понят: {reason}."),
                "Проверьте CMP-адрес УЦ; запрос сохранён, certkeeper request resume попробует снова.".into(),
            ),
        ),
        CmpError::BadProtection => (
            (
                "The CA's answer is not protected by the one-time code: it may have been changed on the way, and it was not used.".into(),
                "Check that the address is the CA's own, then run certkeeper request resume.".into(),
            ),
            (
                "Ответ УЦ не защищён одноразовым кодом: его могли подменить в пути, он не использован.".into(),
                "Убедитесь, что адрес принадлежит УЦ, и выполните certkeeper request resume.".into(),
            ),
        ),
        CmpError::Unreachable { url, reason } => (
            (
                format!("The CA at {url} cannot be reached: {reason}."),
                "Check the address and the network connection; the request is kept, and certkeeper request resume goes on.".into(),
            ),
            (
                format!("УЦ по адресу {url} недоступен: {reason}."),
                "Проверьте адрес и подключение к сети; запрос сохранён, certkeeper request resume продолжит.".into(),
            ),
        ),
        CmpError::Http { url, status } => (
            (
                format!("The CA at {url} answered HTTP {status}."),
                "Check the CA's CMP address (it ends in the path the CA gave, e.g. /pkix/); the request is kept.".into(),
            ),
            (
                format!("УЦ по адресу {url} ответил HTTP {status}."),
                "Проверьте CMP-адрес УЦ (он заканчивается путём, который дал УЦ, например /pkix/); запрос сохранён.".into(),
            ),
        ),
        _ => return None,
    };
    Some(Text::new(lang, en, ru))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_s_place_says_which_keys_it_makes_and_whether_a_qualified_certificate_can_use_them() {
        let gost = ["RSA", "EC", "GOST R 34.10-2012 256"];
        let en = place_hint("token", &gost, Lang::En);
        assert!(en.starts_with("The token asks its PIN"), "{en}");
        assert!(
            en.ends_with("It makes RSA, EC, GOST R 34.10-2012 256 keys."),
            "{en}"
        );
        let ru = place_hint("token", &gost, Lang::Ru);
        assert!(
            ru.ends_with("Создаёт ключи: RSA, EC, ГОСТ Р 34.10-2012 256."),
            "{ru}"
        );

        let en = place_hint("token", &["RSA", "EC"], Lang::En);
        assert!(en.contains("It makes RSA, EC keys, not GOST ones"), "{en}");
        assert!(
            en.contains("a qualified certificate needs a GOST key"),
            "{en}"
        );
        let ru = place_hint("token", &["RSA", "EC"], Lang::Ru);
        assert!(ru.contains("Создаёт ключи RSA, EC, но не ГОСТ"), "{ru}");

        // Unknown (its mechanisms could not be read): nothing claimed.
        assert_eq!(
            place_hint("token", &[], Lang::En),
            "The token asks its PIN; the key is made on it and never leaves it."
        );
        // A container is not a token, whatever the list says.
        assert!(place_hint("registry", &gost, Lang::En).starts_with("A new container password"));
    }
}
