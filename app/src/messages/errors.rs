//! The application's own errors, and the words for every error that reaches a person.

use std::fmt;
use std::path::Path;

use certkeeper_core::cms::CmsError;
use certkeeper_core::error::{FormatError, SecretFileError};
use certkeeper_core::media::pkcs11::TokenError;

use super::{Lang, Text, documents, media};

/// Which secret certkeeper wanted to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// The archive's passphrase.
    Passphrase,
    /// The password of a container kept in the archive.
    ContainerPassword,
    /// The password of a file or container being written.
    NewPassword,
}

/// Situations the application itself reports (the libraries' errors are described by [`describe`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// `certkeeper` without a command wants a window, but there is no display to open it on.
    #[error("no display: DISPLAY and WAYLAND_DISPLAY are unset")]
    NoDisplay,
    /// The windowing system refused to open the window.
    #[error("the window could not be opened: {reason}")]
    WindowFailed {
        /// What the windowing backend said.
        reason: String,
    },
    /// `show` was asked for a certificate the archive does not hold.
    #[error("no certificate {query} in the archive")]
    NoSuchCertificate {
        /// What was asked for.
        query: String,
    },
    /// `verify` found damage (the report says where).
    #[error("the archive is damaged")]
    ArchiveDamaged,
    /// A passphrase or password had to be typed but there is no terminal to type it at.
    #[error("no terminal to ask the {what:?} at")]
    NoTerminal {
        /// Which secret, and the option that gives it from a file instead.
        what: Asked,
    },
    /// A password was asked in the window and the person cancelled.
    #[error("the {what:?} was not given")]
    SecretNotGiven {
        /// Which secret.
        what: Asked,
    },
    /// The two passphrases typed for a new archive differ.
    #[error("the two passphrases differ")]
    PassphrasesDiffer,
    /// `inspect` listed something it could not read (the listing says what and why).
    #[error("some files could not be read")]
    SomethingUnreadable,
    /// `export` of a key for a certificate whose private key the archive does not hold.
    #[error("no private key for certificate {query} in the archive")]
    NoPrivateKey {
        /// What was asked for.
        query: String,
    },
    /// The key is archived only inside a locked container, and no password opened it.
    #[error("the archived container {name} is locked")]
    KeyLocked {
        /// The container's name.
        name: String,
    },
    /// `export --out` names something that exists already.
    #[error("{path} already exists")]
    OutputExists {
        /// The path.
        path: std::path::PathBuf,
    },
    /// A CryptoPro container can only hold a GOST key.
    #[error("a {algorithm} key cannot go into a CryptoPro container")]
    NotGostKey {
        /// The key's algorithm.
        algorithm: String,
    },
    /// No CryptoPro container of that certificate where it was looked for.
    #[error("no container of certificate {query}")]
    NoSuchContainer {
        /// The thumbprint.
        query: String,
    },
    /// In the window: the two passphrase fields differ.
    #[error("the two passphrases differ")]
    WindowPassphrasesDiffer,
    /// In the window: no passphrase was typed.
    #[error("no passphrase was typed")]
    WindowPassphraseEmpty,
    /// A new archive passphrase is below the strength floor.
    #[error("the passphrase is too weak: {why}")]
    WeakPassphrase {
        /// Why.
        why: certkeeper_core::passphrase::Weak,
        /// Whether `--allow-weak-passphrase` is there to accept it (the command line, not the
        /// window).
        can_override: bool,
    },
    /// A date or time given (`--until`, `CERTKEEPER_NOW`) cannot be read.
    #[error("cannot read the date {given}")]
    BadDate {
        /// As given.
        given: String,
    },
    /// Containers were archived locked because the password given did not open them.
    #[error("{count} containers were archived locked: the password given does not open them")]
    WrongContainerPasswords {
        /// How many.
        count: usize,
    },
    /// A date that must lie ahead (a snooze's end) does not.
    #[error("the date {given} is not in the future")]
    DateNotAhead {
        /// As given.
        given: String,
    },
    /// Reminder thresholds given cannot be read.
    #[error("cannot read the thresholds {given}")]
    BadThresholds {
        /// As given.
        given: String,
    },
    /// The reminder service's files (unit, autostart entry, lock) cannot be written.
    #[error("cannot set up the reminder service at {path}: {reason}")]
    ServiceSetup {
        /// The file.
        path: std::path::PathBuf,
        /// What the system said.
        reason: String,
    },
    /// The unlock agent cannot be started or reached.
    #[error("the unlock agent at {path} does not work: {reason}")]
    Agent {
        /// Its folder or socket.
        path: std::path::PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// There is no place for the unlock agent: no login session's runtime folder (or Windows).
    #[error("the unlock agent needs XDG_RUNTIME_DIR")]
    AgentUnavailable,
    /// `unlock --for` cannot be read.
    #[error("cannot read the duration {given}")]
    BadDuration {
        /// As given.
        given: String,
    },
    /// `request resume`: some requests did not go on (each error was printed).
    #[error("some requests did not go on")]
    RequestsFailed,
    /// The CA rejected a certificate request (its words are in the job, and here).
    #[error("the CA rejected request {id}: {reason}")]
    RequestRejected {
        /// The job.
        id: i64,
        /// The CA's words.
        reason: String,
    },
    /// `expiry` found something due: exit status 4, after the list was printed.
    #[error("something expires soon")]
    SomethingDue,
    /// The settings file cannot be read or written.
    #[error("the settings file {path} cannot be used: {reason}")]
    BadSettings {
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// `settings set` names no setting certkeeper knows.
    #[error("unknown setting {name}")]
    UnknownSetting {
        /// As given.
        name: String,
    },
    /// `media keygen --algorithm` names no algorithm certkeeper knows.
    #[error("unknown key algorithm {given}")]
    UnknownKeyAlgorithm {
        /// As given.
        given: String,
    },
    /// `media keygen --id` is not hex.
    #[error("the key id {given} is not hexadecimal")]
    BadKeyId {
        /// As given.
        given: String,
    },
    /// `decrypt --batch` could not open every document (the report says which and why).
    #[error("some documents did not open")]
    NotAllOpened,
    /// The document is EncryptedData (a key the parties share) and no content key was given.
    #[error("the document is encrypted with a shared key")]
    SharedKeyNeeded {
        /// The content cipher.
        cipher: String,
    },
    /// The private key given with `decrypt --key` opens none of the recipients.
    #[error("the key given does not open the document")]
    KeyDoesNotFit {
        /// To whom the document was encrypted.
        recipients: Vec<String>,
    },
    /// A content key given in a file is not hexadecimal.
    #[error("the content key is not hexadecimal")]
    BadContentKey {
        /// The file.
        path: std::path::PathBuf,
    },
    /// A file given as a certificate holds none.
    #[error("the file holds no certificate")]
    NoCertificateIn {
        /// The file.
        path: std::path::PathBuf,
    },
    /// No archived key fits any recipient of a document.
    #[error("no archived key fits the document")]
    NoKeyFits {
        /// The recipients, described for a person.
        recipients: Vec<String>,
    },
    /// The two passwords typed for a new file differ.
    #[error("the two passwords differ")]
    PasswordsDiffer,
    /// A PFX or key file would be written without a password.
    #[error("an exported key file needs a password")]
    EmptyPassword,
    /// Writing to standard output failed (a closed pipe, a full disk).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    /// A file or folder could not be written or created.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: std::path::PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A file or folder could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file or folder.
        path: std::path::PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

/// An error from a use case's port (a key source, the archive's side of a copy) carried into the
/// application's errors, so that [`describe`] reads the error it holds.
#[derive(Debug)]
pub struct Failed(pub certkeeper_core::open::SourceError);

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Failed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0.as_ref())
    }
}

/// The headings of an error's two lines at the terminal: what went wrong, what to do.
pub fn headings(lang: Lang) -> (&'static str, &'static str) {
    (
        lang.pick("error", "ошибка"),
        lang.pick("what to do", "что делать"),
    )
}

/// The message for any error that reaches the top of the program.
pub fn describe(error: &anyhow::Error, lang: Lang) -> Text {
    error
        .chain()
        .find_map(|cause| describe_one(cause, lang))
        .unwrap_or_else(|| unexpected(&format!("{error:#}"), lang))
}

/// The message for an error from a library's source (a key source's, the archive's side of a
/// copy), read along its chain of causes.
pub fn describe_source(error: &(dyn std::error::Error + 'static), lang: Lang) -> Text {
    std::iter::successors(Some(error), |cause| cause.source())
        .find_map(|cause| describe_one(cause, lang))
        .unwrap_or_else(|| unexpected(&error.to_string(), lang))
}

fn unexpected(what: &str, lang: Lang) -> Text {
    Text::new(
        lang,
        (
            format!("Unexpected error: {what}."),
            "Run the same command again with CERTKEEPER_LOG=debug and send the output to support."
                .into(),
        ),
        (
            format!("Непредвиденная ошибка: {what}."),
            "Повторите команду с CERTKEEPER_LOG=debug и отправьте вывод в поддержку.".into(),
        ),
    )
}

/// The message for one error of a chain, when it has one of its own.
fn describe_one(cause: &(dyn std::error::Error + 'static), lang: Lang) -> Option<Text> {
    if let Some(text) = describe_use_case(cause, lang) {
        return Some(text);
    }
    if let Some(error) = cause.downcast_ref::<AppError>() {
        return Some(describe_app(error, lang));
    }
    if let Some(error) = cause.downcast_ref::<SecretFileError>() {
        return Some(describe_secret_file(error, lang));
    }
    if let Some(certkeeper_core::Error::SecretFile(error)) =
        cause.downcast_ref::<certkeeper_core::Error>()
    {
        return Some(describe_secret_file(error, lang));
    }
    if let Some(error) = cause.downcast_ref::<certkeeper_storage::Error>() {
        return Some(describe_storage(error, lang));
    }
    if let Some(error) = cause.downcast_ref::<certkeeper_core::error::CertificateError>() {
        return Some(Text::new(
            lang,
            (
                format!("The certificate cannot be read: {error}."),
                "Copy the certificate file again from its source; the archive keeps what it had.".into(),
            ),
            (
                format!("Сертификат не читается: {error}."),
                "Скопируйте файл сертификата заново из источника; архив сохранит то, что в нём было.".into(),
            ),
       ));
    }
    if let Some(error) = cause.downcast_ref::<FormatError>() {
        return Some(describe_format(error, lang));
    }
    if let Some(error) = cause.downcast_ref::<CmsError>() {
        return Some(describe_cms(error, lang));
    }
    if let Some(error) = cause.downcast_ref::<TokenError>() {
        return Some(describe_token(error, lang));
    }
    if let Some(error) = cause.downcast_ref::<certkeeper_core::media::watch::WatchError>() {
        return Some(describe_watch(error, lang));
    }
    None
}

/// The smart card service (PC/SC) could not be used: not running (start it, and how), or an error
/// it answered (its code).
pub fn describe_watch(error: &certkeeper_core::media::watch::WatchError, lang: Lang) -> Text {
    let start = if cfg!(windows) {
        (
            "Start the \"Smart Card\" service (services.msc, Startup type: Automatic) and try again.",
            "Запустите службу «Смарт-карта» (services.msc, тип запуска: автоматически) и повторите.",
        )
    } else {
        (
            "Start it: sudo systemctl enable --now pcscd.socket",
            "Запустите её: sudo systemctl enable --now pcscd.socket",
        )
    };
    if error.service_not_running() {
        return Text::new(
            lang,
            (
                "The smart card service (pcscd) is not running.".into(),
                start.0.into(),
            ),
            (
                "Служба смарт-карт (pcscd) не запущена.".into(),
                start.1.into(),
            ),
        );
    }
    let code = error.code();
    Text::new(
        lang,
        (
            format!("The smart card service answered with error {code}."),
            format!(
                "Take the token out and insert it again; if that does not help, restart the service. {}",
                start.0
            ),
        ),
        (
            format!("Служба смарт-карт ответила ошибкой {code}."),
            format!(
                "Выньте токен и вставьте снова; если не поможет, перезапустите службу. {}",
                start.1
            ),
        ),
    )
}

/// Core's use-case errors that carry a message of their own; the others (a document's, a source's)
/// are described by the error they wrap, which comes next in the chain.
fn describe_use_case(cause: &(dyn std::error::Error + 'static), lang: Lang) -> Option<Text> {
    use certkeeper_core::files::FileError;
    use certkeeper_core::interact::Declined;
    use certkeeper_core::keys::KeyError;
    use certkeeper_core::open::OpenError;
    if let Some(error) = cause.downcast_ref::<certkeeper_core::copy::CopyError>() {
        return media::describe_copy(error, lang);
    }
    if let Some(error) = cause.downcast_ref::<certkeeper_core::enroll::EnrollError>() {
        return super::requests::describe_enroll(error, lang);
    }
    if let Some(error) = cause.downcast_ref::<certkeeper_core::enroll::cmp::CmpError>() {
        return super::requests::describe_cmp(error, lang);
    }
    let app = if let Some(error) = cause.downcast_ref::<OpenError>() {
        match error {
            OpenError::NoKeyFits { wanted } => AppError::NoKeyFits {
                recipients: documents::wanted_text(wanted, lang),
            },
            OpenError::OutputExists { path } => AppError::OutputExists { path: path.clone() },
            OpenError::KeyDoesNotFit { recipients } => AppError::KeyDoesNotFit {
                recipients: recipients.clone(),
            },
            OpenError::SharedKeyNeeded { cipher } => AppError::SharedKeyNeeded {
                cipher: cipher.clone(),
            },
            _ => return None,
        }
    } else if let Some(error) = cause.downcast_ref::<KeyError>() {
        match error {
            KeyError::WrongPassword { name } => AppError::KeyLocked { name: name.clone() },
            KeyError::PasswordNotGiven {
                why: Declined::Cancelled,
                ..
            } => AppError::SecretNotGiven {
                what: Asked::ContainerPassword,
            },
            KeyError::PasswordNotGiven { .. } => AppError::NoTerminal {
                what: Asked::ContainerPassword,
            },
            KeyError::NotThisKey { name } => AppError::NoPrivateKey {
                query: name.clone(),
            },
            KeyError::Format(error) => return Some(describe_format(error, lang)),
            _ => return None,
        }
    } else if let Some(error) = cause.downcast_ref::<FileError>() {
        match error {
            FileError::Exists { path } => AppError::OutputExists { path: path.clone() },
            FileError::Write { path, source } => AppError::Write {
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            FileError::Read { path, source } => AppError::Read {
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            FileError::NotRegular { path, kind } => AppError::Read {
                path: path.clone(),
                source: std::io::Error::other(match lang {
                    Lang::En => format!("it is {kind}, not a file; such things are never read"),
                    Lang::Ru => format!(
                        "это не файл ({}); такое никогда не читается",
                        match *kind {
                            "a FIFO" => "именованный канал",
                            "a device" => "устройство",
                            "a socket" => "сокет",
                            "a folder" => "папка",
                            _ => "не файл и не папка",
                        }
                    ),
                }),
            },
            FileError::TooLarge { path, max } => AppError::Read {
                path: path.clone(),
                source: std::io::Error::other(match lang {
                    Lang::En => format!("larger than {max} bytes, more than such a file can be"),
                    Lang::Ru => format!("больше {max} байт — такой файл столько занимать не может"),
                }),
            },
            _ => return None,
        }
    } else {
        return None;
    };
    Some(describe_app(&app, lang))
}

pub(super) fn describe_app(error: &AppError, lang: Lang) -> Text {
    match error {
        AppError::NoDisplay => Text::new(
            lang,
            (
                "No display found (DISPLAY and WAYLAND_DISPLAY are unset), so the window cannot open.".into(),
                "Use certkeeper from the command line: certkeeper --help".into(),
            ),
            (
                "Дисплей не найден (DISPLAY и WAYLAND_DISPLAY не заданы), окно открыть нельзя.".into(),
                "Работайте из командной строки: certkeeper --help".into(),
            ),
        ),
        AppError::WindowFailed { reason } => Text::new(
            lang,
            (
                format!("The certkeeper window could not be opened: {reason}."),
                "Check that you are logged in to a graphical session, or use the command line: certkeeper --help".into(),
            ),
            (
                format!("Не удалось открыть окно certkeeper: {reason}."),
                "Проверьте, что вы вошли в графический сеанс, или работайте из командной строки: certkeeper --help".into(),
            ),
        ),
        AppError::NoSuchCertificate { query } => Text::new(
            lang,
            (
                format!("The archive holds no certificate {query}."),
                "Find its id or thumbprint with certkeeper list --search TEXT.".into(),
            ),
            (
                format!("В архиве нет сертификата {query}."),
                "Найдите его номер или отпечаток командой certkeeper list --search ТЕКСТ.".into(),
            ),
        ),
        AppError::ArchiveDamaged => Text::new(
            lang,
            (
                "The archive check found damage; the report above says where.".into(),
                "Restore the archive from a backup (certkeeper restore PATH) and keep the damaged file for support.".into(),
            ),
            (
                "Проверка архива нашла повреждения; где именно — в отчёте выше.".into(),
                "Восстановите архив из резервной копии (certkeeper restore ПУТЬ), повреждённый файл сохраните для поддержки.".into(),
            ),
        ),
        AppError::NoTerminal { what } => {
            let (en, ru, option) = match what {
                Asked::Passphrase => (
                    "the archive passphrase",
                    "пароль архива",
                    "--passphrase-file или CERTKEEPER_PASSPHRASE_FILE",
                ),
                Asked::ContainerPassword => (
                    "the password of the archived container",
                    "пароль контейнера из архива",
                    "--key-password-file",
                ),
                Asked::NewPassword => (
                    "the password of the file to write",
                    "пароль записываемого файла",
                    "--password-file",
                ),
            };
            let option_en = option.replace(" или ", " or ");
            Text::new(
                lang,
                (
                    format!("There is no terminal to type {en} at."),
                    format!("Put it in a file readable only by you (chmod 600) and give it with {option_en}."),
                ),
                (
                    format!("Нет терминала, чтобы ввести {ru}."),
                    format!("Запишите его в файл, доступный только вам (chmod 600), и укажите в {option}."),
                ),
            )
        }
        AppError::SecretNotGiven { what } => {
            let (en, ru) = match what {
                Asked::Passphrase => ("the archive passphrase", "пароль архива"),
                Asked::ContainerPassword => ("the container's password", "пароль контейнера"),
                Asked::NewPassword => ("a password for the file to write", "пароль записываемого файла"),
            };
            Text::new(
                lang,
                (
                    format!("Cancelled: {en} was not given; nothing was changed."),
                    "Start again when you have it at hand.".into(),
                ),
                (
                    format!("Отменено: {ru} не введён; ничего не изменено."),
                    "Начните снова, когда он будет под рукой.".into(),
                ),
            )
        }
        AppError::PassphrasesDiffer => Text::new(
            lang,
            (
                "The two passphrases you typed differ; nothing was created.".into(),
                "Run certkeeper init again and type the same passphrase twice.".into(),
            ),
            (
                "Два введённых пароля не совпадают; ничего не создано.".into(),
                "Запустите certkeeper init ещё раз и введите один и тот же пароль дважды.".into(),
            ),
        ),
        AppError::SomethingUnreadable => Text::new(
            lang,
            (
                "Some of the files or folders could not be read; the list above says which and why.".into(),
                "Check those files (a container password goes in --password-file); the others were read normally.".into(),
            ),
            (
                "Некоторые файлы или папки не удалось прочитать; в списке выше сказано, какие и почему.".into(),
                "Проверьте эти файлы (пароль контейнера укажите в --password-file); остальные прочитаны.".into(),
            ),
        ),
        AppError::NoPrivateKey { query } => Text::new(
            lang,
            (
                format!("The archive holds certificate {query} but not its private key."),
                "Import the container, PFX or key file that holds the key (certkeeper import PATH), then export again; the certificate alone exports with --format pem or der.".into(),
            ),
            (
                format!("В архиве есть сертификат {query}, но нет его закрытого ключа."),
                "Импортируйте контейнер, PFX или файл ключа (certkeeper import ПУТЬ) и повторите экспорт; один сертификат выгружается с --format pem или der.".into(),
            ),
        ),
        AppError::KeyLocked { name } => Text::new(
            lang,
            (
                format!("The key is archived only inside the container «{name}», and no password given opens it; nothing was written."),
                "Give the container's password with --key-password-file FILE (or type it when asked) and export again.".into(),
            ),
            (
                format!("Ключ сохранён в архиве только внутри контейнера «{name}», и ни один данный пароль его не открыл; ничего не записано."),
                "Укажите пароль контейнера в --key-password-file ФАЙЛ (или введите его по запросу) и повторите экспорт.".into(),
            ),
        ),
        AppError::OutputExists { path } => Text::new(
            lang,
            (
                format!("{} already exists; certkeeper does not overwrite it.", path.display()),
                "Choose another --out path, or move the existing one away first.".into(),
            ),
            (
                format!("{} уже существует; certkeeper его не перезаписывает.", path.display()),
                "Укажите другой путь в --out или сначала переместите существующий.".into(),
            ),
        ),
        AppError::NotGostKey { algorithm } => Text::new(
            lang,
            (
                format!("A CryptoPro container holds GOST keys only; this key is {algorithm}."),
                "Export it with --format pfx or --format pkcs8 instead.".into(),
            ),
            (
                format!("Контейнер КриптоПро хранит только ключи ГОСТ, а этот ключ — {algorithm}."),
                "Выгрузите его с --format pfx или --format pkcs8.".into(),
            ),
        ),
        AppError::NoSuchContainer { query } => Text::new(
            lang,
            (
                format!("No CryptoPro container of certificate {query} is there."),
                "Check the thumbprint (certkeeper list) and the medium: --from archive, dir:PATH or registry.".into(),
            ),
            (
                format!("Контейнера КриптоПро сертификата {query} там нет."),
                "Проверьте отпечаток (certkeeper list) и носитель: --from archive, dir:ПУТЬ или registry.".into(),
            ),
        ),
        AppError::WindowPassphrasesDiffer => Text::new(
            lang,
            (
                "The two passphrases differ; nothing was created.".into(),
                "Type the same passphrase in both fields.".into(),
            ),
            (
                "Введённые пароли не совпадают; архив не создан.".into(),
                "Введите один и тот же пароль в оба поля.".into(),
            ),
        ),
        AppError::WeakPassphrase { why, can_override } => {
            use certkeeper_core::passphrase::Weak;
            let (en, ru) = match why {
                Weak::Common => (
                    "it is one of the passwords every guesser tries first".to_owned(),
                    "это один из паролей, которые подбирают первыми".to_owned(),
                ),
                Weak::Short { length } => (
                    format!("it has only {length} characters"),
                    format!("в нём всего {length} символов"),
                ),
                Weak::OneKind => (
                    "it has one kind of character only".to_owned(),
                    "в нём символы только одного вида".to_owned(),
                ),
                _ => ("it is too easy to guess".to_owned(), "его легко подобрать".to_owned()),
            };
            let (en_override, ru_override) = if *can_override {
                (
                    " A script that accepts the risk can add --allow-weak-passphrase.",
                    " Сценарий, принимающий этот риск, может добавить --allow-weak-passphrase.",
                )
            } else {
                ("", "")
            };
            Text::new(
                lang,
                (
                    format!("This passphrase is too weak for the archive: {en}. The archive holds every key it keeps, and a copy of its file can be guessed at without limit; nothing was changed."),
                    format!("Choose four or more unrelated words (like \"green teapot flies over the sea\") or 12 or more characters mixing letters, digits and signs.{en_override}"),
                ),
                (
                    format!("Этот пароль слишком слаб для архива: {ru}. В архиве все его ключи, а пароль к копии файла архива можно подбирать без ограничений; ничего не изменено."),
                    format!("Возьмите четыре или больше не связанных слов (например, «зелёный чайник летит над морем») или 12 и больше символов из букв, цифр и знаков.{ru_override}"),
                ),
            )
        }
        AppError::WindowPassphraseEmpty => Text::new(
            lang,
            (
                "No passphrase was typed.".into(),
                "Type a passphrase: the keys in the archive are encrypted with it.".into(),
            ),
            (
                "Пароль не введён.".into(),
                "Введите пароль: им зашифрованы ключи в архиве.".into(),
            ),
        ),
        AppError::BadDate { given } => Text::new(
            lang,
            (
                format!("«{given}» is not a date certkeeper can read."),
                "Write dates as YYYY-MM-DD or DD.MM.YYYY (e.g. 2027-03-01 or 01.03.2027), times as YYYY-MM-DDTHH:MM:SSZ.".into(),
            ),
            (
                format!("«{given}» — не дата, которую понимает certkeeper."),
                "Пишите даты как ГГГГ-ММ-ДД или ДД.ММ.ГГГГ (например, 2027-03-01 или 01.03.2027), время — как ГГГГ-ММ-ДДTЧЧ:ММ:ССZ.".into(),
            ),
        ),
        AppError::WrongContainerPasswords { count } => Text::new(
            lang,
            (
                format!("The password given does not open {count} of the key containers: they are archived locked, their keys not taken out."),
                "Import them again with the right password (--password-file FILE, or type it when asked); the list above names them.".into(),
            ),
            (
                format!("Данный пароль не открыл контейнеров ключей: {count}. Они сохранены запертыми, ключи из них не извлечены."),
                "Импортируйте их ещё раз с верным паролем (--password-file ФАЙЛ или ввод по запросу); они названы в списке выше.".into(),
            ),
        ),
        AppError::DateNotAhead { given } => Text::new(
            lang,
            (
                format!("{given} is not ahead: a snooze until then would snooze nothing."),
                "Give a date from tomorrow on (YYYY-MM-DD or DD.MM.YYYY), or leave --until out to snooze for a day.".into(),
            ),
            (
                format!("{given} — не будущая дата: отложить до неё нельзя."),
                "Укажите дату не раньше завтрашней (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ) или не указывайте --until, чтобы отложить на день.".into(),
            ),
        ),
        AppError::BadThresholds { given } => Text::new(
            lang,
            (
                format!("«{given}» are not thresholds certkeeper can read."),
                "Give whole days before the deadline, separated by commas, each at most 366: e.g. 30,14,7,3,1,0.".into(),
            ),
            (
                format!("«{given}» — не пороги, которые понимает certkeeper."),
                "Укажите целые числа дней до срока через запятую, каждое не больше 366: например, 30,14,7,3,1,0.".into(),
            ),
        ),
        AppError::ServiceSetup { path, reason } => Text::new(
            lang,
            (
                format!("The reminder service cannot be set up at {}: {reason}.", shown(path)),
                "Check that your home folder is writable (and XDG_RUNTIME_DIR, if set), then run the command again.".into(),
            ),
            (
                format!("Службу напоминаний не удаётся настроить в {}: {reason}.", shown(path)),
                "Проверьте, что в домашнюю папку (и в XDG_RUNTIME_DIR, если задан) можно писать, и повторите команду.".into(),
            ),
        ),
        AppError::Agent { path, reason } => Text::new(
            lang,
            (
                format!("The unlock agent at {} does not work: {reason}.", shown(path)),
                "Nothing is lost: commands ask for the passphrase as before. Run certkeeper lock, then certkeeper unlock again.".into(),
            ),
            (
                format!("Агент разблокировки в {} не работает: {reason}.", shown(path)),
                "Ничего не потеряно: команды, как и прежде, спросят пароль архива. Выполните certkeeper lock, затем снова certkeeper unlock.".into(),
            ),
        ),
        AppError::AgentUnavailable => Text::new(
            lang,
            (
                if cfg!(windows) {
                    "The unlock agent is not available on Windows yet.".into()
                } else {
                    "The unlock agent needs a login session's runtime folder (XDG_RUNTIME_DIR), and there is none.".into()
                },
                "Commands ask for the passphrase each time (or read it with --passphrase-file).".into(),
            ),
            (
                if cfg!(windows) {
                    "Агент разблокировки в Windows пока недоступен.".into()
                } else {
                    "Агенту разблокировки нужна папка сеанса входа (XDG_RUNTIME_DIR), а её нет.".into()
                },
                "Команды будут спрашивать пароль архива каждый раз (или прочтут его из --passphrase-file).".into(),
            ),
        ),
        AppError::BadDuration { given } => Text::new(
            lang,
            (
                format!("«{given}» is not a duration certkeeper understands."),
                "Give seconds, minutes or hours, up to a day: e.g. --for 15m, --for 2h, --for 90s.".into(),
            ),
            (
                format!("«{given}» — не длительность, которую понимает certkeeper."),
                "Укажите секунды, минуты или часы, не больше суток: например, --for 15m, --for 2h, --for 90s.".into(),
            ),
        ),
        AppError::SomethingDue => Text::new(
            lang,
            (
                "Something on the list expires soon.".into(),
                "Renew it with your certification authority.".into(),
            ),
            (
                "В списке есть то, что скоро истекает.".into(),
                "Продлите это в удостоверяющем центре.".into(),
            ),
        ),
        AppError::BadSettings { path, reason } => Text::new(
            lang,
            (
                format!("The settings file {} cannot be used: {reason}.", shown(path)),
                "Fix the file (it is JSON; certkeeper settings shows what it should hold) or remove it to go back to the defaults.".into(),
            ),
            (
                format!("Файл настроек {} не удаётся использовать: {reason}.", shown(path)),
                "Исправьте файл (это JSON; certkeeper settings показывает, что в нём должно быть) или удалите его, чтобы вернуть настройки по умолчанию.".into(),
            ),
        ),
        AppError::UnknownSetting { name } => Text::new(
            lang,
            (
                format!("There is no setting «{name}»."),
                "Settings: pkcs11-modules (PKCS#11 module paths, separated by colons), language (ru or en).".into(),
            ),
            (
                format!("Настройки «{name}» нет."),
                "Настройки: pkcs11-modules (пути к модулям PKCS#11 через двоеточие), language (ru или en).".into(),
            ),
        ),
        AppError::UnknownKeyAlgorithm { given } => Text::new(
            lang,
            (
                format!("certkeeper does not know the key algorithm «{given}»."),
                "Use rsa2048, rsa3072, rsa4096, ec-p256, ec-p384, gost2012-256 (optionally :A, :B, :C, :XA, :XB, :TC26-A … :TC26-D) or gost2012-512 (optionally :A, :B, :C).".into(),
            ),
            (
                format!("certkeeper не знает алгоритма ключа «{given}»."),
                "Укажите rsa2048, rsa3072, rsa4096, ec-p256, ec-p384, gost2012-256 (можно с :A, :B, :C, :XA, :XB, :TC26-A … :TC26-D) или gost2012-512 (можно с :A, :B, :C).".into(),
            ),
        ),
        AppError::BadKeyId { given } => Text::new(
            lang,
            (
                format!("The key id «{given}» is not hexadecimal."),
                "Give --id as hex digits (e.g. 01 or A1B2C3), or leave it out for a random one.".into(),
            ),
            (
                format!("Идентификатор ключа «{given}» — не шестнадцатеричное число."),
                "Укажите --id шестнадцатеричными цифрами (например, 01 или A1B2C3) или не указывайте его — будет выбран случайный.".into(),
            ),
        ),
        AppError::NotAllOpened => Text::new(
            lang,
            (
                "Some documents did not open; the report above says which, and to which certificate each was encrypted.".into(),
                "Import the keys the report names (certkeeper import PATH) and run the same command again: documents already opened are not overwritten.".into(),
            ),
            (
                "Некоторые документы не открылись; в отчёте выше сказано, какие и для какого сертификата каждый зашифрован.".into(),
                "Импортируйте названные в отчёте ключи (certkeeper import ПУТЬ) и повторите команду: уже открытые документы не перезаписываются.".into(),
            ),
        ),
        AppError::SharedKeyNeeded { cipher } => Text::new(
            lang,
            (
                format!(
                    "This document is encrypted with a key the sender and you share ({cipher}; CMS EncryptedData), not to a certificate, so no archived key opens it."
                ),
                "Ask the sender for that key and give it as hexadecimal in a file: certkeeper decrypt DOCUMENT --content-key-file KEY-FILE.".into(),
            ),
            (
                format!(
                    "Этот документ зашифрован ключом, общим у отправителя и у вас ({cipher}; CMS EncryptedData), а не для сертификата, поэтому ни один ключ из архива его не открывает."
                ),
                "Попросите этот ключ у отправителя и укажите его шестнадцатеричной записью в файле: certkeeper decrypt ДОКУМЕНТ --content-key-file ФАЙЛ-КЛЮЧА.".into(),
            ),
        ),
        AppError::KeyDoesNotFit { recipients } => Text::new(
            lang,
            (
                format!(
                    "The key given opens none of this document's recipients: {}.",
                    recipients.join("; ")
                ),
                "Give the key of one of them with --key, or leave --key out to look in the archive and on tokens.".into(),
            ),
            (
                format!(
                    "Указанный ключ не подходит ни одному получателю документа: {}.",
                    recipients.join("; ")
                ),
                "Укажите в --key ключ одного из них или уберите --key, чтобы искать в архиве и на токенах.".into(),
            ),
        ),
        AppError::BadContentKey { path } => Text::new(
            lang,
            (
                format!(
                    "{} does not hold a content key: it must be hexadecimal digits only (32 or 64 of them for GOST and AES keys).",
                    path.display()
                ),
                "Put the key in the file as the sender gave it, in hexadecimal, and run decrypt again.".into(),
            ),
            (
                format!(
                    "В {} нет ключа содержимого: там должны быть только шестнадцатеричные цифры (32 или 64 для ключей ГОСТ и AES).",
                    path.display()
                ),
                "Запишите ключ в файл в шестнадцатеричном виде, как его дал отправитель, и повторите decrypt.".into(),
            ),
        ),
        AppError::NoCertificateIn { path } => Text::new(
            lang,
            (
                format!("{} holds no certificate.", path.display()),
                "Give the sender's certificate file (.cer, .crt or .pem), as the sender or their CA published it.".into(),
            ),
            (
                format!("В {} нет сертификата.", path.display()),
                "Укажите файл сертификата отправителя (.cer, .crt или .pem), как его опубликовал отправитель или его УЦ.".into(),
            ),
        ),
        AppError::NoKeyFits { recipients } => Text::new(
            lang,
            (
                format!(
                    "No archived key opens this document, and no inserted token holds its key. It was encrypted to: {}.",
                    recipients.join("; ")
                ),
                "Find the key container or PFX of that certificate (an old USB drive, another computer), import it with certkeeper import PATH, or insert the token that holds it, and run decrypt again.".into(),
            ),
            (
                format!(
                    "Ни один ключ из архива не открывает этот документ, и ни на одном вставленном токене его ключа нет. Он зашифрован для: {}.",
                    recipients.join("; ")
                ),
                "Найдите контейнер или PFX этого сертификата (старая флешка, другой компьютер) и импортируйте его командой certkeeper import ПУТЬ или вставьте токен с этим ключом, затем повторите decrypt.".into(),
            ),
        ),
        AppError::Write { path, source } => Text::new(
            lang,
            (
                format!("Cannot write {}: {source}.", shown(path)),
                "Check the folder's permissions and the free space, or choose another place.".into(),
            ),
            (
                format!("Не удаётся записать {}: {source}.", shown(path)),
                "Проверьте права на папку и свободное место или выберите другое место.".into(),
            ),
        ),
        AppError::Read { path, source } => Text::new(
            lang,
            (
                format!("Cannot read {}: {source}.", shown(path)),
                "Check that it is there and that you may read it (a drive still mounted, the file's permissions).".into(),
            ),
            (
                format!("Не удаётся прочитать {}: {source}.", shown(path)),
                "Проверьте, что он на месте и доступен для чтения (флешка подключена, права на файл).".into(),
            ),
        ),
        AppError::PasswordsDiffer => Text::new(
            lang,
            (
                "The two passwords you typed differ; nothing was written.".into(),
                "Run the command again and type the same password twice.".into(),
            ),
            (
                "Два введённых пароля не совпадают; ничего не записано.".into(),
                "Повторите команду и введите один и тот же пароль дважды.".into(),
            ),
        ),
        AppError::RequestsFailed => Text::new(
            lang,
            (
                "Some requests did not go on (each is said above).".into(),
                "Put right what is said and run certkeeper request resume again; every request is kept.".into(),
            ),
            (
                "Некоторые запросы не продвинулись (причины указаны выше).".into(),
                "Исправьте указанное и снова выполните certkeeper request resume; все запросы сохранены.".into(),
            ),
        ),
        AppError::RequestRejected { id, reason } => Text::new(
            lang,
            (
                format!("The CA rejected request {id}: {reason}."),
                "Contact the CA about its reason; when the data is put right there, make a new request (certkeeper request new). The rejected one stays in certkeeper request list.".into(),
            ),
            (
                format!("УЦ отклонил запрос {id}: {reason}."),
                "Уточните причину в УЦ; когда данные там исправят, создайте новый запрос (certkeeper request new). Отклонённый останется в certkeeper request list.".into(),
            ),
        ),
        AppError::EmptyPassword => Text::new(
            lang,
            (
                "A PFX or key file is not written without a password: anyone who copies it would hold the key.".into(),
                "Type a password when asked, or give one with --password-file FILE.".into(),
            ),
            (
                "PFX и файл ключа без пароля не записываются: любой, кто их скопирует, получит ключ.".into(),
                "Введите пароль по запросу или укажите его в --password-file ФАЙЛ.".into(),
            ),
        ),
        AppError::Output(source) => Text::new(
            lang,
            (
                format!("Could not write the output: {source}."),
                "Check that the disk is not full and the receiving program is still running, then run the command again.".into(),
            ),
            (
                format!("Не удалось записать вывод: {source}."),
                "Проверьте, что диск не заполнен и принимающая программа работает, и повторите команду.".into(),
            ),
        ),
    }
}

fn describe_token(error: &TokenError, lang: Lang) -> Text {
    let (en, ru): ((String, String), (String, String)) = match error {
        TokenError::WrongPin { label, state } => {
            let (state_en, state_ru) = if state.locked {
                ("the PIN is now locked", "PIN теперь заблокирован")
            } else if state.final_try {
                ("one more wrong PIN will lock it", "ещё один неверный PIN заблокирует его")
            } else if state.count_low {
                ("it counts wrong attempts", "он считает неверные попытки")
            } else {
                ("it reports no lock yet", "блокировки пока нет")
            };
            (
                (
                    format!("Wrong PIN for token «{label}»; the token says {state_en}. certkeeper did not try again."),
                    "Check the PIN (the keyboard layout, Caps Lock) before the next attempt; a locked PIN is unblocked with the administrator (SO) PIN.".into(),
                ),
                (
                    format!("Неверный PIN для токена «{label}»; токен сообщает: {state_ru}. Повторной попытки certkeeper не делал."),
                    "Проверьте PIN (раскладку, Caps Lock) перед следующей попыткой; заблокированный PIN разблокируется PIN-кодом администратора (SO).".into(),
                ),
            )
        }
        TokenError::PinNotGiven { label, why } => match why {
            certkeeper_core::interact::Declined::NoOneToAsk => (
                (format!("No PIN was given for token «{label}»: there is no terminal to type it at."), "Put the PIN in a file readable only by you (chmod 600) and give it with --pin-file, --from-secret-file or --to-secret-file.".into()),
                (format!("PIN токена «{label}» не введён: нет терминала для ввода."), "Запишите PIN в файл, доступный только вам (chmod 600), и укажите его в --pin-file, --from-secret-file или --to-secret-file.".into()),
            ),
            _ => (
                (format!("No PIN was given for token «{label}»; nothing was tried."), "Run the command again when you are ready to enter the PIN.".into()),
                (format!("PIN токена «{label}» не введён; попыток не было."), "Повторите команду, когда будете готовы ввести PIN.".into()),
            ),
        },
        TokenError::PinLocked { label } => (
            (format!("The PIN of token «{label}» is locked; nothing was tried."), "Unblock it with the administrator (SO) PIN (for Rutoken: Rutoken Control Panel), then run the command again.".into()),
            (format!("PIN токена «{label}» заблокирован; попыток не было."), "Разблокируйте его PIN-кодом администратора (SO) (для Рутокена — в Панели управления Рутокен) и повторите команду.".into()),
        ),
        TokenError::Module { module, reason } => (
            (format!("The PKCS#11 module {} cannot be used: {reason}.", module.display()), "Install the token's driver (Rutoken: librtpkcs11ecp; other cards: opensc) or name the module with --pkcs11-module PATH.".into()),
            (format!("Модуль PKCS#11 {} не работает: {reason}.", module.display()), "Установите драйвер токена (Рутокен: librtpkcs11ecp; другие карты: opensc) или укажите модуль в --pkcs11-module ПУТЬ.".into()),
        ),
        TokenError::NotExtractable { label, id } => (
            (format!("The key {id} on token «{label}» is non-extractable: it can never leave that token, so it cannot be copied."), "Copy the certificate alone with --certificate-only; to have the key elsewhere, get a new certificate with a key made on the other medium.".into()),
            (format!("Ключ {id} на токене «{label}» неизвлекаемый: он не может покинуть токен, поэтому скопировать его нельзя."), "Скопируйте один сертификат с --certificate-only; чтобы ключ был на другом носителе, выпустите новый сертификат с ключом, созданным на нём.".into()),
        ),
        TokenError::NotFound { label, what } => (
            (format!("Token «{label}» holds no {what}."), "Check with certkeeper media list what is on the token.".into()),
            (format!("На токене «{label}» нет: {what}."), "Проверьте командой certkeeper media list, что есть на токене.".into()),
        ),
        TokenError::CopyMismatch { label } => (
            (format!("The copy on token «{label}» does not sign like the original; do not use it."), "Delete the copy on that token with its own tools and try again; the original is untouched.".into()),
            (format!("Копия на токене «{label}» подписывает не так, как оригинал; не пользуйтесь ею."), "Удалите копию штатными средствами токена и повторите; оригинал не изменён.".into()),
        ),
        TokenError::CannotGenerate { label, what } => (
            (format!("The token «{label}» cannot generate {what} keys; nothing was made."), "See what it can make with certkeeper media list and choose one of those (GOST keys on the CryptoPro A parameters are what most tokens and CAs take).".into()),
            (format!("Токен «{label}» не умеет создавать ключи {what}; ничего не создано."), "Посмотрите командой certkeeper media list, что он умеет, и выберите одно из этого (ключи ГОСТ на параметрах КриптоПро A принимают большинство токенов и УЦ).".into()),
        ),
        TokenError::Failed { label, reason } => (
            (format!("The token «{label}» reported an error: {reason}."), "Take the token out, insert it again and repeat the command.".into()),
            (format!("Токен «{label}» сообщил об ошибке: {reason}."), "Извлеките токен, вставьте его снова и повторите команду.".into()),
        ),
        other => (
            (format!("The token cannot be used: {other}."), "Take the token out, insert it again and repeat the command.".into()),
            (format!("Токен не работает: {other}."), "Извлеките токен, вставьте его снова и повторите команду.".into()),
        ),
    };
    Text::new(lang, en, ru)
}

fn describe_cms(error: &CmsError, lang: Lang) -> Text {
    let (en, ru): ((String, String), (String, String)) = match error {
        CmsError::Read(source) => (
            (format!("The document cannot be read: {source}."), "Check the path and that the file is readable.".into()),
            (format!("Документ не читается: {source}."), "Проверьте путь и права на чтение файла.".into()),
        ),
        CmsError::Write(source) => (
            (format!("The opened document cannot be written: {source}; nothing half-written was left."), "Check the free space and the folder's permissions, or choose another place with -o.".into()),
            (format!("Открытый документ не удаётся записать: {source}; недописанного файла не осталось."), "Проверьте свободное место и права на папку или укажите другое место в -o.".into()),
        ),
        CmsError::Malformed { offset, reason } => (
            (format!("The document is damaged or incomplete (byte {offset}: {reason}); nothing was written."), "Get the document again from its sender or from where it was stored; a partial copy cannot be opened.".into()),
            (format!("Документ повреждён или неполон (байт {offset}: {reason}); ничего не записано."), "Получите документ заново у отправителя или из места хранения; неполную копию открыть нельзя.".into()),
        ),
        CmsError::NotCms => (
            ("This file is not an encrypted document (not CMS/PKCS#7).".into(), "Check that you chose the right file: encrypted documents usually end in .p7m, .p7e or .enc.".into()),
            ("Этот файл не является зашифрованным документом (не CMS/PKCS#7).".into(), "Проверьте, тот ли файл выбран: зашифрованные документы обычно имеют расширение .p7m, .p7e или .enc.".into()),
        ),
        CmsError::NotEncrypted { content_type } => (
            (format!("This is not an encrypted document (its content type is {content_type})."), "A signed document is read with a signature tool; certkeeper decrypt opens encrypted ones (.p7m, .p7e, .enc).".into()),
            (format!("Это не зашифрованный документ (тип содержимого {content_type})."), "Подписанный документ открывается программой проверки подписи; certkeeper decrypt открывает зашифрованные (.p7m, .p7e, .enc).".into()),
        ),
        CmsError::Unsupported { what } => (
            (format!("certkeeper cannot open this document yet: {what}."), "Open it with the program that made it, and tell us which one so certkeeper can learn it.".into()),
            (format!("certkeeper пока не умеет открывать такой документ: {what}."), "Откройте его программой, которой он создан, и сообщите нам её название.".into()),
        ),
        CmsError::WrongKey => (
            ("The archived key does not open the document, or the document was damaged; nothing was written.".into(), "Check that the document was encrypted to this certificate (certkeeper show ID), or get the document again.".into()),
            ("Ключ из архива не открывает документ, или документ повреждён; ничего не записано.".into(), "Проверьте, что документ зашифрован для этого сертификата (certkeeper show НОМЕР), или получите документ заново.".into()),
        ),
        CmsError::Corrupted { reason } => (
            (format!("The document was changed or damaged ({reason}); nothing was written."), "Get the document again from its sender; a changed document must not be trusted.".into()),
            (format!("Документ изменён или повреждён ({reason}); ничего не записано."), "Получите документ заново у отправителя; изменённому документу доверять нельзя.".into()),
        ),
        CmsError::Crypto(error) => (
            (format!("A cryptographic step failed: {error}; nothing was written."), "Get the document again; if it keeps failing, send it to support.".into()),
            (format!("Ошибка криптографической операции: {error}; ничего не записано."), "Получите документ заново; если ошибка повторяется, отправьте его в поддержку.".into()),
        ),
        CmsError::OriginatorUnknown { originator } => (
            (format!("The document was encrypted with its sender's own key, whose certificate ({originator}) is neither in the document nor in the archive; nothing was written."), "Import the sender's certificate (certkeeper import FILE) and run decrypt again; with --key, give it with --originator FILE.".into()),
            (format!("Документ зашифрован на собственном ключе отправителя, а его сертификата ({originator}) нет ни в документе, ни в архиве; ничего не записано."), "Импортируйте сертификат отправителя (certkeeper import ФАЙЛ) и повторите decrypt; с --key укажите его в --originator ФАЙЛ.".into()),
        ),
        CmsError::Token { label, reason } => (
            (format!("The token «{label}» that holds the key failed to open the document: {reason}; nothing was written."), "Keep the token inserted, check that its PIN is not locked (certkeeper media list), and try again.".into()),
            (format!("Токен «{label}» с ключом не смог открыть документ: {reason}; ничего не записано."), "Не извлекайте токен, проверьте, что его PIN не заблокирован (certkeeper media list), и повторите.".into()),
        ),
        other => (
            (format!("The document cannot be opened: {other}."), "Get the document again; if it keeps failing, send it to support.".into()),
            (format!("Документ не открывается: {other}."), "Получите документ заново; если ошибка повторяется, отправьте его в поддержку.".into()),
        ),
    };
    Text::new(lang, en, ru)
}

fn describe_secret_file(error: &SecretFileError, lang: Lang) -> Text {
    match error {
        SecretFileError::Unreadable { path, source } => Text::new(
            lang,
            (
                format!("Cannot read the password file {}: {source}.", shown(path)),
                "Check the path given with --passphrase-file or CERTKEEPER_PASSPHRASE_FILE, or leave it out to type the passphrase when asked.".into(),
            ),
            (
                format!("Не удаётся прочитать файл с паролем {}: {source}.", shown(path)),
                "Проверьте путь в --passphrase-file или CERTKEEPER_PASSPHRASE_FILE либо уберите его, чтобы ввести пароль по запросу.".into(),
            ),
        ),
        SecretFileError::Empty { path } => Text::new(
            lang,
            (
                format!("The password file {} is empty.", shown(path)),
                "Write the passphrase into the file as one line, or leave --passphrase-file out to type it when asked.".into(),
            ),
            (
                format!("Файл с паролем {} пуст.", shown(path)),
                "Запишите пароль в файл одной строкой или уберите --passphrase-file, чтобы ввести его по запросу.".into(),
            ),
        ),
        SecretFileError::NotText { path } => Text::new(
            lang,
            (
                format!("The password file {} is not text (UTF-8).", shown(path)),
                "Check that you named the right file; save the passphrase as UTF-8 text.".into(),
            ),
            (
                format!("Файл с паролем {} не является текстом (UTF-8).", shown(path)),
                "Проверьте, тот ли это файл; сохраните пароль как текст в кодировке UTF-8.".into(),
            ),
        ),
        SecretFileError::TooLarge { path, size, limit } => Text::new(
            lang,
            (
                format!("The password file {} is {size} bytes; a passphrase may have at most {limit}.", shown(path)),
                "Check that you named the right file: it should hold only the passphrase.".into(),
            ),
            (
                format!("Файл с паролем {} занимает {size} байт, а пароль может быть не длиннее {limit}.", shown(path)),
                "Проверьте, тот ли это файл: в нём должен быть только пароль.".into(),
            ),
        ),
        other => unknown(other, lang),
    }
}

fn describe_format(error: &FormatError, lang: Lang) -> Text {
    match error {
        FormatError::WrongContainerPassword => Text::new(
            lang,
            (
                "The container password is wrong.".into(),
                "Check the keyboard layout and Caps Lock and give the password again with --password-file; a forgotten container password cannot be recovered.".into(),
            ),
            (
                "Неверный пароль контейнера.".into(),
                "Проверьте раскладку и Caps Lock и укажите пароль ещё раз в --password-file; забытый пароль контейнера восстановить нельзя.".into(),
            ),
        ),
        FormatError::WrongFilePassword => Text::new(
            lang,
            (
                "The password of the file is wrong.".into(),
                "Check the keyboard layout and Caps Lock and give the password again with --password-file.".into(),
            ),
            (
                "Неверный пароль файла.".into(),
                "Проверьте раскладку и Caps Lock и укажите пароль ещё раз в --password-file.".into(),
            ),
        ),
        FormatError::EncryptedToCertificate => Text::new(
            lang,
            (
                "Parts of this PFX are encrypted to a certificate's key (PKCS#12's public-key privacy mode), and the archive keeps no unlocked key of that certificate.".into(),
                "Import the recipient's key first (its container, PFX or key file, with its password), then import this file again.".into(),
            ),
            (
                "Части этого PFX зашифрованы на ключ сертификата (режим конфиденциальности с открытым ключом PKCS#12), а ключа этого сертификата, доступного без пароля, в архиве нет.".into(),
                "Сначала импортируйте ключ получателя (его контейнер, PFX или файл ключа, с паролем), затем снова импортируйте этот файл.".into(),
            ),
        ),
        FormatError::SignatureNotValid { signer, reason } => Text::new(
            lang,
            (
                format!("This PFX is signed by {signer}, and the signature does not verify ({reason}); nothing was taken from it."),
                "Get the file again from its sender; a changed file must not be trusted.".into(),
            ),
            (
                format!("Этот PFX подписан ({signer}), и подпись не сходится ({reason}); из него ничего не взято."),
                "Получите файл заново у отправителя; изменённому файлу доверять нельзя.".into(),
            ),
        ),
        FormatError::TooMuchWork => Text::new(
            lang,
            (
                "The file asks for more password checking work than any real file needs (a thousand times the usual); it was not opened.".into(),
                "If it is yours, export it again from the program that made it; a file from someone else may be built to stall certkeeper.".into(),
            ),
            (
                "Файл требует проверки пароля в тысячу раз дольше обычного — столько не нужно ни одному настоящему файлу; он не открыт.".into(),
                "Если файл ваш, экспортируйте его заново из программы, которая его создала; чужой файл может быть сделан, чтобы остановить certkeeper.".into(),
            ),
        ),
        FormatError::Stopped => Text::new(
            lang,
            (
                "Stopped while the file's password was being checked.".into(),
                "Start again when you want the file read.".into(),
            ),
            (
                "Остановлено во время проверки пароля файла.".into(),
                "Запустите снова, когда файл нужно прочитать.".into(),
            ),
        ),
        FormatError::UnsupportedEncryption { oid } => {
            let named = encryption_name(oid);
            Text::new(
                lang,
                (
                    format!("The file is protected with {} ({oid}); certkeeper does not read it yet.", named.0),
                    "Export it again from the program that made it with AES-256 or GOST 28147-89 (PBES2) protection, and import that file.".into(),
                ),
                (
                    format!("Защита файла — {} ({oid}); certkeeper пока её не читает.", named.1),
                    "Экспортируйте его заново в программе, которая его сделала, с защитой AES-256 или ГОСТ 28147-89 (PBES2) и импортируйте этот файл.".into(),
                ),
            )
        }
        FormatError::ContainerFile { path, source }
            if path.to_string_lossy().starts_with("HKEY_") =>
        {
            Text::new(
                lang,
                (
                    format!("The registry store cannot be used: {}: {source}.", shown(path)),
                    "Windows keeps CryptoPro's keys under HKEY_LOCAL_MACHINE, which CryptoPro CSP's installer opens to each user: install CryptoPro CSP (or run certkeeper once as an administrator), or move the containers by hand with certkeeper registry export-reg.".into(),
                ),
                (
                    format!("Хранилище «Реестр» недоступно: {}: {source}.", shown(path)),
                    "Windows хранит ключи КриптоПро в HKEY_LOCAL_MACHINE, доступ к которому каждому пользователю открывает установщик КриптоПро CSP: установите КриптоПро CSP (или один раз запустите certkeeper от имени администратора) либо перенесите контейнеры вручную: certkeeper registry export-reg.".into(),
                ),
            )
        }
        FormatError::ContainerFile { path, source } => Text::new(
            lang,
            (
                format!("A file of the key container cannot be read: {}: {source}.", shown(path)),
                "Copy the whole container folder again (header.key, masks.key, primary.key, name.key and the *2.key files).".into(),
            ),
            (
                format!("Не читается файл ключевого контейнера: {}: {source}.", shown(path)),
                "Скопируйте папку контейнера целиком ещё раз (header.key, masks.key, primary.key, name.key и файлы *2.key).".into(),
            ),
        ),
        FormatError::UnsupportedContainer { reason } => Text::new(
            lang,
            (
                format!("This key container is of a kind certkeeper cannot open ({reason})."),
                "Export the key from CryptoPro CSP to a PFX file and inspect that file instead.".into(),
            ),
            (
                format!("Контейнер такого вида certkeeper открыть не может ({reason})."),
                "Экспортируйте ключ из КриптоПро CSP в файл PFX и откройте этот файл.".into(),
            ),
        ),
        FormatError::Der { what, offset, reason } => Text::new(
            lang,
            (
                format!("The file is damaged: {what}: {reason} (byte {offset})."),
                "Copy the file again from its source; if it came by e-mail, save the attachment anew.".into(),
            ),
            (
                format!("Файл повреждён: {what}: {reason} (байт {offset})."),
                "Скопируйте файл заново из источника; если он пришёл по почте, сохраните вложение ещё раз.".into(),
            ),
        ),
        other => unknown(other, lang),
    }
}

fn describe_storage(error: &certkeeper_storage::Error, lang: Lang) -> Text {
    use certkeeper_core::interact::Declined;
    match error {
        certkeeper_storage::Error::PassphraseNotGiven {
            why: Declined::Cancelled,
        } => describe_app(
            &AppError::SecretNotGiven {
                what: Asked::Passphrase,
            },
            lang,
        ),
        certkeeper_storage::Error::PassphraseNotGiven { .. } => describe_app(
            &AppError::NoTerminal {
                what: Asked::Passphrase,
            },
            lang,
        ),
        certkeeper_storage::Error::NoDataDirectory => Text::new(
            lang,
            (
                "There is no home directory to keep the archive in.".into(),
                "Name the archive file: certkeeper --archive /path/to/archive.db, or set CERTKEEPER_ARCHIVE.".into(),
            ),
            (
                "Нет домашнего каталога, в котором можно хранить архив.".into(),
                "Укажите файл архива: certkeeper --archive /путь/к/archive.db или переменную CERTKEEPER_ARCHIVE.".into(),
            ),
        ),
        certkeeper_storage::Error::UserUnknown(source) => Text::new(
            lang,
            (
                format!("Windows did not say which user this program runs as ({source}), so the registry store cannot be found."),
                "Run certkeeper as yourself (not as a service), or name a folder for the store with CERTKEEPER_REGISTRY.".into(),
            ),
            (
                format!("Windows не сообщила, от имени какого пользователя работает программа ({source}), поэтому хранилище «Реестр» не найти."),
                "Запустите certkeeper от своего имени (не как службу) или укажите папку хранилища в CERTKEEPER_REGISTRY.".into(),
            ),
        ),
        certkeeper_storage::Error::AlreadyExists { path } => Text::new(
            lang,
            (
                format!("There is already an archive (or another file) at {}.", shown(path)),
                "Use it as it is, or choose another file with --archive PATH.".into(),
            ),
            (
                format!("По пути {} уже есть архив (или другой файл).", shown(path)),
                "Работайте с ним или укажите другой файл: --archive ПУТЬ.".into(),
            ),
        ),
        certkeeper_storage::Error::NotFound { path } => Text::new(
            lang,
            (
                format!("There is no archive at {}.", shown(path)),
                "Create one with certkeeper init, or name the right file with --archive PATH.".into(),
            ),
            (
                format!("Архива по пути {} нет.", shown(path)),
                "Создайте его командой certkeeper init или укажите нужный файл: --archive ПУТЬ.".into(),
            ),
        ),
        certkeeper_storage::Error::WrongPassphrase => Text::new(
            lang,
            (
                "The archive passphrase is wrong; nothing was changed.".into(),
                "Check the keyboard layout and Caps Lock and try again; a forgotten passphrase cannot be recovered.".into(),
            ),
            (
                "Неверный пароль архива; ничего не изменено.".into(),
                "Проверьте раскладку и Caps Lock и попробуйте ещё раз; забытый пароль восстановить нельзя.".into(),
            ),
        ),
        certkeeper_storage::Error::EmptyPassphrase => Text::new(
            lang,
            (
                "The archive passphrase is empty.".into(),
                "Choose a passphrase: it protects every key in the archive.".into(),
            ),
            (
                "Пароль архива пуст.".into(),
                "Придумайте пароль: он защищает все ключи в архиве.".into(),
            ),
        ),
        certkeeper_storage::Error::NewerArchive { version } => Text::new(
            lang,
            (
                format!("The archive was written by a newer certkeeper (it has migration {version})."),
                "Update certkeeper to open it; this version leaves the archive untouched.".into(),
            ),
            (
                format!("Архив записан более новой версией certkeeper (миграция {version})."),
                "Обновите certkeeper, чтобы открыть его; эта версия архив не трогает.".into(),
            ),
        ),
        certkeeper_storage::Error::MigrationChanged { version } => Text::new(
            lang,
            (
                format!("The archive's schema step {version} differs from this certkeeper's."),
                "Open the archive with the certkeeper that created it, or restore it from a backup.".into(),
            ),
            (
                format!("Шаг схемы архива {version} отличается от шага этой версии certkeeper."),
                "Откройте архив той версией certkeeper, которой он создан, или восстановите его из копии.".into(),
            ),
        ),
        certkeeper_storage::Error::Corrupted { what } => Text::new(
            lang,
            (
                format!("The archive is damaged: {what}."),
                "Restore it from a backup (certkeeper restore PATH); keep the damaged file for support.".into(),
            ),
            (
                format!("Архив повреждён: {what}."),
                "Восстановите его из резервной копии (certkeeper restore ПУТЬ); повреждённый файл сохраните для поддержки.".into(),
            ),
        ),
        certkeeper_storage::Error::DamagedHeader { params } => {
            let (en, ru) = match params {
                None => (
                    "its key derivation parameters or wrapped key do not match their check".to_owned(),
                    "параметры получения ключа или упакованный ключ не совпадают с контрольной суммой".to_owned(),
                ),
                Some(params) => (
                    format!(
                        "it asks for key derivation work no archive needs (Argon2id: memory {} KiB, passes: {}, lanes: {})",
                        params.memory_kib, params.iterations, params.parallelism
                    ),
                    format!(
                        "он требует вычислений, которые не нужны ни одному архиву (Argon2id: память {} КиБ, проходов: {}, потоков: {})",
                        params.memory_kib, params.iterations, params.parallelism
                    ),
                ),
            };
            Text::new(
                lang,
                (
                    format!("The archive's header is damaged: {en}. The passphrase was not tried."),
                    "Restore the archive from a backup (certkeeper restore PATH); keep the damaged file for support.".into(),
                ),
                (
                    format!("Заголовок архива повреждён: {ru}. Пароль не проверялся."),
                    "Восстановите архив из резервной копии (certkeeper restore ПУТЬ); повреждённый файл сохраните для поддержки.".into(),
                ),
            )
        }
        damaged @ certkeeper_storage::Error::Sqlite { context, source }
            if damaged.is_damaged_file() =>
        {
            Text::new(
                lang,
                (
                    format!("The archive file is damaged (SQLite, while {context}: {source})."),
                    "Restore it from a backup (certkeeper restore PATH); keep the damaged file for support.".into(),
                ),
                (
                    format!("Файл архива повреждён (SQLite, {context}: {source})."),
                    "Восстановите его из резервной копии (certkeeper restore ПУТЬ); повреждённый файл сохраните для поддержки.".into(),
                ),
            )
        }
        certkeeper_storage::Error::Sqlite { context, source } => Text::new(
            lang,
            (
                format!("The archive database failed while {context}: {source}."),
                "Check that the disk is not full and the archive file is writable, then try again.".into(),
            ),
            (
                format!("Ошибка базы архива ({context}): {source}."),
                "Проверьте, что диск не заполнен и файл архива доступен для записи, и повторите.".into(),
            ),
        ),
        certkeeper_storage::Error::Io { path, source } => Text::new(
            lang,
            (
                format!("Cannot write {}: {source}.", shown(path)),
                "Check the folder's permissions and the free space, or choose another place.".into(),
            ),
            (
                format!("Не удаётся записать {}: {source}.", shown(path)),
                "Проверьте права на папку и свободное место или выберите другое место.".into(),
            ),
        ),
        certkeeper_storage::Error::InUse { path } => Text::new(
            lang,
            (
                format!("The archive {} is open in another certkeeper (the window or the reminder service); nothing was changed.", shown(path)),
                "Close the certkeeper window and stop the reminder service (systemctl --user stop certkeeper-watch), then run the command again.".into(),
            ),
            (
                format!("Архив {} открыт другим certkeeper (окном или службой напоминаний); ничего не изменено.", shown(path)),
                "Закройте окно certkeeper и остановите службу напоминаний (systemctl --user stop certkeeper-watch), затем повторите команду.".into(),
            ),
        ),
        other => unknown(other, lang),
    }
}

/// A library error this catalogue has no words for yet (library enums are non-exhaustive).
fn unknown(error: &dyn std::error::Error, lang: Lang) -> Text {
    describe(&anyhow::anyhow!("{error}"), lang)
}

fn shown(path: &Path) -> impl fmt::Display + '_ {
    path.display()
}

/// A file protection named in words (English, Russian), or "an algorithm" where certkeeper knows no
/// name for it.
fn encryption_name(oid: &str) -> (&'static str, &'static str) {
    match oid {
        "1.2.643.7.1.1.5.2.2" => (
            "Kuznyechik CTR-ACPKM-OMAC (RFC 9548)",
            "«Кузнечик» CTR-ACPKM-OMAC (RFC 9548)",
        ),
        "1.2.643.7.1.1.5.1.2" => (
            "Magma CTR-ACPKM-OMAC (RFC 9548)",
            "«Магма» CTR-ACPKM-OMAC (RFC 9548)",
        ),
        "1.2.840.113549.1.12.1.1" | "1.2.840.113549.1.12.1.2" => ("RC4", "RC4"),
        "1.2.840.113549.1.12.1.4" => ("2-key triple DES", "двухключевой тройной DES"),
        "1.2.840.113549.1.5.3" | "1.2.840.113549.1.5.10" => ("single DES", "DES"),
        "public-key integrity mode" => (
            "a signature instead of a password (PKCS#12 public-key integrity mode)",
            "подпись вместо пароля (режим целостности PKCS#12 с открытым ключом)",
        ),
        _ => (
            "an algorithm certkeeper does not know",
            "алгоритм, который certkeeper не знает",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// One example of every message the catalogue knows, so that none is forgotten in one language.
    fn every_error() -> Vec<anyhow::Error> {
        let path = PathBuf::from("/media/usb/pass.txt");
        let mut all: Vec<anyhow::Error> = vec![
            AppError::NoDisplay.into(),
            AppError::SomethingUnreadable.into(),
            AppError::NoTerminal {
                what: Asked::Passphrase,
            }
            .into(),
            AppError::NoTerminal {
                what: Asked::ContainerPassword,
            }
            .into(),
            AppError::NoTerminal {
                what: Asked::NewPassword,
            }
            .into(),
            AppError::ArchiveDamaged.into(),
            AppError::NoSuchCertificate { query: "42".into() }.into(),
            AppError::PassphrasesDiffer.into(),
            AppError::NoPrivateKey { query: "42".into() }.into(),
            AppError::KeyLocked {
                name: "le-1234".into(),
            }
            .into(),
            AppError::OutputExists {
                path: "/tmp/key.pfx".into(),
            }
            .into(),
            AppError::NotGostKey {
                algorithm: "RSA".into(),
            }
            .into(),
            AppError::PasswordsDiffer.into(),
            AppError::EmptyPassword.into(),
            AppError::NoKeyFits {
                recipients: vec!["CN=Test CA, serial 01AB".into()],
            }
            .into(),
            AppError::SharedKeyNeeded {
                cipher: "Magma CTR-ACPKM-OMAC".into(),
            }
            .into(),
            AppError::BadContentKey {
                path: "/tmp/key.hex".into(),
            }
            .into(),
            AppError::NoCertificateIn {
                path: "/tmp/sender.cer".into(),
            }
            .into(),
            CmsError::OriginatorUnknown {
                originator: "CN=Test CA, serial 01AB".into(),
            }
            .into(),
            AppError::KeyDoesNotFit {
                recipients: vec!["CN=Test CA, serial 01AB".into()],
            }
            .into(),
            CmsError::WrongKey.into(),
            CmsError::NotCms.into(),
            TokenError::WrongPin {
                label: "Rutoken".into(),
                state: certkeeper_core::media::pkcs11::PinState {
                    count_low: true,
                    final_try: false,
                    locked: false,
                    to_be_changed: false,
                },
            }
            .into(),
            TokenError::PinLocked {
                label: "Rutoken".into(),
            }
            .into(),
            TokenError::PinNotGiven {
                label: "Rutoken".into(),
                why: certkeeper_core::interact::Declined::NoOneToAsk,
            }
            .into(),
            TokenError::NotExtractable {
                label: "Rutoken".into(),
                id: "01".into(),
            }
            .into(),
            TokenError::NotFound {
                label: "Rutoken".into(),
                what: "certificate 00".into(),
            }
            .into(),
            TokenError::CopyMismatch {
                label: "Rutoken".into(),
            }
            .into(),
            AppError::UnknownKeyAlgorithm {
                given: "dsa".into(),
            }
            .into(),
            AppError::BadDate {
                given: "soon".into(),
            }
            .into(),
            AppError::DateNotAhead {
                given: "2020-01-01".into(),
            }
            .into(),
            AppError::WrongContainerPasswords { count: 2 }.into(),
            AppError::BadThresholds {
                given: "7,x".into(),
            }
            .into(),
            AppError::SomethingDue.into(),
            AppError::Agent {
                path: path.clone(),
                reason: "it did not answer".into(),
            }
            .into(),
            AppError::AgentUnavailable.into(),
            AppError::BadDuration {
                given: "soon".into(),
            }
            .into(),
            AppError::WindowPassphrasesDiffer.into(),
            AppError::WindowPassphraseEmpty.into(),
            AppError::WeakPassphrase {
                why: certkeeper_core::passphrase::Weak::Short { length: 5 },
                can_override: true,
            }
            .into(),
            AppError::ServiceSetup {
                path: path.clone(),
                reason: "read-only file system".into(),
            }
            .into(),
            AppError::BadSettings {
                path: path.clone(),
                reason: "expected value at line 1".into(),
            }
            .into(),
            AppError::UnknownSetting {
                name: "colour".into(),
            }
            .into(),
            AppError::BadKeyId {
                given: "xyz".into(),
            }
            .into(),
            certkeeper_core::copy::CopyError::Refused {
                from: certkeeper_core::copy::Medium::Registry,
                to: certkeeper_core::copy::Medium::Token("Rutoken".into()),
                why: certkeeper_core::copy::Refusal::GostKeyToToken,
            }
            .into(),
            certkeeper_core::copy::CopyError::UnknownMedium { text: "usb".into() }.into(),
            certkeeper_core::copy::CopyError::Refused {
                from: certkeeper_core::copy::Medium::Archive,
                to: certkeeper_core::copy::Medium::Dir("/media/usb".into()),
                why: certkeeper_core::copy::Refusal::CertificateOnlyFromToken,
            }
            .into(),
            certkeeper_core::copy::CopyError::ReadsBackDifferently {
                folder: "/media/usb/le-1234.000".into(),
            }
            .into(),
            certkeeper_core::copy::CopyError::PasswordNotGiven {
                why: certkeeper_core::interact::Declined::Differ,
            }
            .into(),
            certkeeper_core::copy::CopyError::EmptyPassword.into(),
            AppError::RequestsFailed.into(),
            AppError::RequestRejected {
                id: 3,
                reason: "the subject does not match the application".into(),
            }
            .into(),
        ];
        use certkeeper_core::enroll::cmp::CmpError;
        use certkeeper_core::enroll::name::SubjectError;
        use certkeeper_core::enroll::{EnrollError, MediumRefusal, State};
        for subject in [
            SubjectError::Empty,
            SubjectError::Syntax { at: 4 },
            SubjectError::UnknownAttribute { name: "XX".into() },
            SubjectError::NotDigits {
                field: "SNILS",
                value: "1x".into(),
            },
            SubjectError::Length {
                field: "INN",
                expected: "12 (10 for an organisation)",
                got: 11,
            },
            SubjectError::CheckDigit {
                field: "OGRN",
                value: "1027700132194".into(),
            },
            SubjectError::Country {
                value: "RUS".into(),
            },
            SubjectError::Email {
                value: "a b".into(),
            },
            SubjectError::EmptyValue { field: "CN".into() },
            SubjectError::Missing { field: "snils" },
        ] {
            all.push(EnrollError::Subject(subject).into());
        }
        all.push(
            EnrollError::Fields(vec![
                certkeeper_core::enroll::name::FieldError {
                    field: certkeeper_core::enroll::name::Field::Snils,
                    problem: SubjectError::Missing { field: "snils" },
                },
                certkeeper_core::enroll::name::FieldError {
                    field: certkeeper_core::enroll::name::Field::Inn,
                    problem: SubjectError::CheckDigit {
                        field: "INN",
                        value: "500100732258".into(),
                    },
                },
            ])
            .into(),
        );
        for why in [
            MediumRefusal::Archive,
            MediumRefusal::NotGostInContainer,
            MediumRefusal::TokenCannot,
        ] {
            all.push(
                EnrollError::Medium {
                    medium: "token:T".into(),
                    why,
                }
                .into(),
            );
        }
        all.extend::<Vec<anyhow::Error>>(vec![
            EnrollError::NotArchived {
                thumbprint: "AB".into(),
            }
            .into(),
            EnrollError::NoSuchJob { id: 9 }.into(),
            EnrollError::WrongState {
                id: 1,
                state: State::Installed,
            }
            .into(),
            EnrollError::WrongState {
                id: 1,
                state: State::Waiting,
            }
            .into(),
            EnrollError::WrongState {
                id: 1,
                state: State::Cancelled,
            }
            .into(),
            EnrollError::NotOurKey {
                id: 1,
                thumbprint: "AB".into(),
            }
            .into(),
            EnrollError::NotACertificate {
                path: "/tmp/x.cer".into(),
                reason: "no certificate in it".into(),
            }
            .into(),
            EnrollError::NoOldKey {
                thumbprint: "AB".into(),
            }
            .into(),
            EnrollError::KurWithoutRenewal.into(),
            EnrollError::PasswordNotGiven(certkeeper_core::interact::Declined::Differ).into(),
            EnrollError::ContainerMissing {
                folder: "/media/usb/x.000".into(),
            }
            .into(),
            EnrollError::Cmp(CmpError::WrongCode {
                text: "wrong pbm value (badMessageCheck)".into(),
            })
            .into(),
            CmpError::Refused {
                text: "unexpected pkibody".into(),
            }
            .into(),
            CmpError::BadResponse {
                reason: "not a PKIMessage".into(),
            }
            .into(),
            CmpError::BadProtection.into(),
            CmpError::Unreachable {
                url: "http://ca.example/pkix/".into(),
                reason: "connection refused".into(),
            }
            .into(),
            CmpError::Http {
                url: "http://ca.example/pkix/".into(),
                status: 404,
            }
            .into(),
            certkeeper_core::open::OpenError::NoKeyFits {
                wanted: vec![certkeeper_core::open::Wanted {
                    recipient: "CN=Test CA, serial 01AB".into(),
                    subject: Some("CN=Old".into()),
                    valid: Some("2019-01-01T00:00:00Z – 2020-01-01T00:00:00Z".into()),
                }],
            }
            .into(),
            certkeeper_core::keys::KeyError::WrongPassword {
                name: "le-1234".into(),
            }
            .into(),
            certkeeper_core::keys::KeyError::PasswordNotGiven {
                name: "le-1234".into(),
                why: certkeeper_core::interact::Declined::NoOneToAsk,
            }
            .into(),
            certkeeper_core::files::FileError::Write {
                path: "/media/usb/report.pdf".into(),
                source: std::io::Error::from(std::io::ErrorKind::StorageFull),
            }
            .into(),
            certkeeper_storage::Error::PassphraseNotGiven {
                why: certkeeper_core::interact::Declined::Cancelled,
            }
            .into(),
            AppError::Read {
                path: "/media/usb".into(),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            }
            .into(),
            certkeeper_core::open::OpenError::Input(
                certkeeper_core::files::FileError::NotRegular {
                    path: "/media/usb/pipe.p7m".into(),
                    kind: "a FIFO",
                },
            )
            .into(),
            AppError::NoSuchContainer {
                query: "A851F2A8".into(),
            }
            .into(),
            TokenError::Module {
                module: "/usr/lib/x.so".into(),
                reason: "not found".into(),
            }
            .into(),
            TokenError::Failed {
                label: "Rutoken".into(),
                reason: "CKR_DEVICE_REMOVED".into(),
            }
            .into(),
            TokenError::CannotGenerate {
                label: "Rutoken".into(),
                what: "GOST R 34.10-2012 512 (TC26 A)".into(),
            }
            .into(),
            AppError::NotAllOpened.into(),
            CmsError::Corrupted { reason: "tag" }.into(),
            CmsError::Token {
                label: "Rutoken".into(),
                reason: "CKR_DEVICE_REMOVED".into(),
            }
            .into(),
            CmsError::Malformed {
                offset: 10,
                reason: "truncated",
            }
            .into(),
            CmsError::NotEncrypted {
                content_type: "1.2.840.113549.1.7.2".into(),
            }
            .into(),
            CmsError::Unsupported {
                what: "key agreement".into(),
            }
            .into(),
            CmsError::Read(std::io::Error::from(std::io::ErrorKind::NotFound)).into(),
            CmsError::Write(std::io::Error::from(std::io::ErrorKind::StorageFull)).into(),
            AppError::WindowFailed {
                reason: "X server refused".into(),
            }
            .into(),
            AppError::Output(std::io::Error::from(std::io::ErrorKind::BrokenPipe)).into(),
            SecretFileError::Unreadable {
                path: path.clone(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            }
            .into(),
            certkeeper_core::Error::from(SecretFileError::Empty { path: path.clone() }).into(),
            SecretFileError::NotText { path: path.clone() }.into(),
            SecretFileError::TooLarge {
                path,
                size: 5000,
                limit: 4096,
            }
            .into(),
            certkeeper_storage::Error::NoDataDirectory.into(),
            certkeeper_storage::Error::UserUnknown(std::io::ErrorKind::PermissionDenied.into())
                .into(),
            certkeeper_storage::Error::AlreadyExists {
                path: "/a.db".into(),
            }
            .into(),
            certkeeper_storage::Error::NotFound {
                path: "/a.db".into(),
            }
            .into(),
            certkeeper_storage::Error::WrongPassphrase.into(),
            certkeeper_storage::Error::InUse {
                path: "/a.db".into(),
            }
            .into(),
            certkeeper_storage::Error::EmptyPassphrase.into(),
            certkeeper_storage::Error::NewerArchive {
                version: "29991231000000_x".into(),
            }
            .into(),
            certkeeper_storage::Error::MigrationChanged {
                version: "20261125190000_keyring".into(),
            }
            .into(),
            certkeeper_storage::Error::Corrupted { what: "x".into() }.into(),
            certkeeper_storage::Error::DamagedHeader { params: None }.into(),
            FormatError::WrongContainerPassword.into(),
            FormatError::WrongFilePassword.into(),
            FormatError::TooMuchWork.into(),
            FormatError::Stopped.into(),
            FormatError::EncryptedToCertificate.into(),
            FormatError::SignatureNotValid {
                signer: "CN=Sender, serial 01".into(),
                reason: "the digest does not match".into(),
            }
            .into(),
            FormatError::UnsupportedEncryption {
                oid: "1.2.840.113549.1.12.1.6".into(),
            }
            .into(),
            FormatError::ContainerFile {
                path: "/media/usb/a.000/masks.key".into(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            }
            .into(),
            FormatError::ContainerFile {
                path: r"HKEY_LOCAL_MACHINE\SOFTWARE\WOW6432Node\Crypto Pro\Settings\Users\S-1-5-21-1\Keys"
                    .into(),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            }
            .into(),
            FormatError::UnsupportedContainer {
                reason: "RSA".into(),
            }
            .into(),
            FormatError::Der {
                what: "header.key",
                offset: 12,
                reason: "unexpected tag",
            }
            .into(),
            anyhow::anyhow!("something nobody foresaw"),
        ]);
        all
    }

    #[test]
    fn every_message_has_both_languages_and_a_next_step() {
        for error in every_error() {
            let en = describe(&error, Lang::En);
            let ru = describe(&error, Lang::Ru);
            for text in [&en, &ru] {
                assert!(!text.problem.trim().is_empty(), "{error:?}");
                assert!(!text.next_step.trim().is_empty(), "{error:?}");
            }
            let cyrillic =
                |text: &str| text.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
            assert!(cyrillic(&ru.problem) && cyrillic(&ru.next_step), "{ru:?}");
            assert!(!cyrillic(&en.problem) && !cyrillic(&en.next_step), "{en:?}");
            assert_ne!(en, ru);
        }
    }

    #[test]
    fn library_errors_are_found_behind_context() {
        let error = anyhow::Error::from(SecretFileError::Empty {
            path: "/tmp/p".into(),
        })
        .context("reading the archive passphrase");
        let text = describe(&error, Lang::En);
        assert!(text.problem.contains("/tmp/p is empty"), "{text:?}");
    }
}
