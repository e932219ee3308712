//! The command line's help in Russian: every `about`, `long_about` and argument help of
//! [`crate::cli::Cli`], and clap's own words (headings, "Print help", defaults), put into the
//! built command when the language is Russian. A test checks that every text has its translation,
//! so a new option cannot come to Russian users in English.

use clap::builder::StyledStr;
use clap::{Arg, Command};

/// Each English text of the command line (as clap holds it) and its Russian.
const RUSSIAN: &[(&str, &str)] = &[
    (
        "Write what the packages hold besides the program (manual pages, completions, the reminder service's unit and autostart entry) into a folder",
        "Записать в папку то, что пакеты содержат помимо программы (справочные страницы, дополнение команд, юнит и запись автозапуска службы напоминаний)",
    ),
    (
        "The folder to write them into (created if need be)",
        "Папка, куда их записать (создаётся при необходимости)",
    ),
    (
        "Where the packages install the program",
        "Куда пакеты устанавливают программу",
    ),
    (
        "Started with the desktop session: without an archive yet, leave quietly",
        "Запущено вместе с сеансом рабочего стола: если архива ещё нет, тихо завершиться",
    ),
    (
        "List the hidden certificates instead (certkeeper hide)",
        "Вместо этого показать скрытые сертификаты (certkeeper hide)",
    ),
    (
        "Hide a certificate imported by mistake from lists and reminders (nothing is deleted; its key still opens old documents; unhide shows it again)",
        "Скрыть ошибочно импортированный сертификат из списков и напоминаний (ничего не удаляется; его ключ по-прежнему открывает старые документы; unhide показывает его снова)",
    ),
    (
        "Show a hidden certificate again",
        "Снова показывать скрытый сертификат",
    ),
    (
        "Merge the key containers that hold one certificate's key (a CryptoPro container and the same key's PEM or PFX files) into one entry; --undo separates them again",
        "Объединить в одну запись ключевые контейнеры с ключом одного сертификата (контейнер КриптоПро и файлы PEM или PFX того же ключа); --undo разделяет их снова",
    ),
    ("Separate them again", "Разделить их снова"),
    (
        "List the certificates whose reminders are muted or snoozed (they are left out of expiry)",
        "Показать сертификаты с отключёнными или отложенными напоминаниями (expiry их не показывает)",
    ),
    (
        "Accept a passphrase below the strength floor (for scripts that accept the risk)",
        "Принять пароль слабее допустимого (для сценариев, принимающих этот риск)",
    ),
    (
        "Keeps every qualified electronic signature certificate and key container you ever had, issues new ones and opens old encrypted documents",
        "Хранит все сертификаты квалифицированной электронной подписи и ключевые контейнеры, что у вас когда-либо были, выпускает новые и открывает старые зашифрованные документы",
    ),
    (
        "Keeps every qualified electronic signature certificate and key container you ever had, issues new ones and opens old encrypted documents.\n\nWithout a command, certkeeper opens its desktop window on your archive.",
        "Хранит все сертификаты квалифицированной электронной подписи и ключевые контейнеры, что у вас когда-либо были, выпускает новые и открывает старые зашифрованные документы.\n\nБез команды certkeeper открывает окно программы на вашем архиве.",
    ),
    (
        "Exit status: 0 success, 1 error, 2 wrong usage, 3 no display for the window.\nLanguage: the locale (LC_ALL, LC_MESSAGES, LANG), or CERTKEEPER_LANG=ru|en.\nLogging: CERTKEEPER_LOG=warn|info|debug (never shows a secret).",
        "Код завершения: 0 успех, 1 ошибка, 2 неверный вызов, 3 нет экрана для окна.\nЯзык: по локали (LC_ALL, LC_MESSAGES, LANG) или CERTKEEPER_LANG=ru|en.\nЖурнал: CERTKEEPER_LOG=warn|info|debug (секреты в него не попадают).",
    ),
    (
        "The archive file [default: ~/.local/share/certkeeper/archive.db]",
        "Файл архива [по умолчанию: ~/.local/share/certkeeper/archive.db]",
    ),
    (
        "Read the archive passphrase from this file instead of asking (never give it as an argument)",
        "Читать пароль архива из этого файла, а не спрашивать (никогда не передавайте его аргументом)",
    ),
    (
        "Print machine-readable JSON instead of text",
        "Выводить JSON для программ вместо текста",
    ),
    (
        "Open the desktop window (the same as running certkeeper without a command)",
        "Открыть окно программы (то же, что запуск certkeeper без команды)",
    ),
    (
        "Open it at this certificate's details (id or thumbprint)",
        "Открыть его на сведениях об этом сертификате (номер или отпечаток)",
    ),
    (
        "Open it at the first step of renewing this certificate (what a reminder's \"Renew\" does)",
        "Открыть его на первом шаге продления этого сертификата (это делает кнопка «Продлить» в напоминании)",
    ),
    (
        "Open it at the certificate requests (what \"Install\" on an issued certificate does)",
        "Открыть его на запросах сертификатов (это делает кнопка «Установить» у выпущенного сертификата)",
    ),
    (
        "What stops working when: certificates (notAfter) and private keys (key usage period)",
        "Что и когда перестаёт действовать: сертификаты (notAfter) и закрытые ключи (срок действия ключа)",
    ),
    (
        "What stops working when: certificates (notAfter) and private keys (key usage period).\n\nLists the deadlines of current certificates (not superseded by a valid newer one, not muted) from 30 days ago to --within days ahead, soonest first. Exit status 4 when something listed is not snoozed, 0 when nothing is due. CERTKEEPER_NOW (YYYY-MM-DD or RFC 3339) sets the time.",
        "Что и когда перестаёт действовать: сертификаты (notAfter) и закрытые ключи (срок действия ключа).\n\nПоказывает сроки действующих сертификатов (не заменённых действующим более новым, без отключённых напоминаний) от 30 дней назад до --within дней вперёд, ближайшие первыми. Код завершения 4, если что-то из списка не отложено, 0, если ничего не подходит. CERTKEEPER_NOW (ГГГГ-ММ-ДД или RFC 3339) задаёт время.",
    ),
    (
        "How many days ahead to look",
        "На сколько дней вперёд смотреть",
    ),
    (
        "Also write every future reminder day as an iCalendar file (one event per threshold)",
        "Ещё записать все будущие дни напоминаний в файл iCalendar (по событию на порог)",
    ),
    (
        "Mute, snooze or set the thresholds of renewal reminders",
        "Отключить, отложить напоминания о продлении или задать их пороги",
    ),
    (
        "No more reminders for this certificate",
        "Больше не напоминать об этом сертификате",
    ),
    (
        "Its id or SHA-1 thumbprint",
        "Его номер или отпечаток SHA-1",
    ),
    (
        "Reminders for this certificate again",
        "Снова напоминать об этом сертификате",
    ),
    (
        "No reminders for this certificate until a date",
        "Не напоминать об этом сертификате до даты",
    ),
    (
        "Until this date, ahead (YYYY-MM-DD or DD.MM.YYYY) [default: for a day]",
        "До этой даты, в будущем (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД) [по умолчанию: на сутки]",
    ),
    ("End a snooze", "Снова напоминать об отложенном"),
    (
        "Show the thresholds, or set them (days before, comma-separated; default 30,14,7,3,1,0)",
        "Показать пороги или задать их (за сколько дней, через запятую; по умолчанию 30,14,7,3,1,0)",
    ),
    ("The new thresholds", "Новые пороги"),
    (
        "The reminder service: desktop notifications before certificates and keys expire",
        "Служба напоминаний: уведомления на рабочем столе до окончания сертификатов и ключей",
    ),
    (
        "The reminder service: desktop notifications before certificates and keys expire.\n\nChecks at start, then daily and after the computer wakes from sleep; never sends the same reminder twice. Without a notification service the reminders are printed. --install sets it up as a systemd user service and an autostart entry; --once checks once (cron, tests).",
        "Служба напоминаний: уведомления на рабочем столе до окончания сертификатов и ключей.\n\nПроверяет при запуске, затем ежедневно и после выхода компьютера из сна; одно и то же напоминание не присылает дважды. Без службы уведомлений напоминания печатаются. --install настраивает её как пользовательскую службу systemd и запись автозапуска; --once проверяет один раз (cron, тесты).",
    ),
    ("Check once and exit", "Проверить один раз и выйти"),
    (
        "Unlock the archive once for the commands and the window that follow",
        "Разблокировать архив один раз для следующих команд и окна",
    ),
    (
        "Unlock the archive once for the commands and the window that follow.\n\nThe passphrase is asked (or read from --passphrase-file) and the key made of it is left with an agent of yours until it goes unused for the idle time, certkeeper lock, the session's lock or the computer's sleep; meanwhile no command asks again.",
        "Разблокировать архив один раз для следующих команд и окна.\n\nПароль архива спрашивается (или читается из --passphrase-file), и полученный из него ключ остаётся у вашего агента, пока не пройдёт время простоя, не будет выполнена certkeeper lock, не заблокируется сеанс или компьютер не уснёт; до тех пор ни одна команда не спрашивает пароль снова.",
    ),
    (
        "The idle time: 15m, 2h, 90s, or minutes [default: 10m]",
        "Время простоя: 15m, 2h, 90s или число минут [по умолчанию: 10m]",
    ),
    (
        "Make the agent forget the unlocked archive: the passphrase is asked again",
        "Заставить агента забыть разблокированный архив: пароль снова будет спрашиваться",
    ),
    (
        "The unlock agent itself (started by unlock)",
        "Сам агент разблокировки (запускается командой unlock)",
    ),
    (
        "Install the systemd user unit and the autostart entry, and start the service",
        "Установить пользовательскую службу systemd и запись автозапуска и запустить службу",
    ),
    (
        "Stop the service and remove what --install wrote",
        "Остановить службу и удалить то, что записал --install",
    ),
    (
        "Stop after this many seconds [default: run until stopped]",
        "Остановиться через столько секунд [по умолчанию: работать до остановки]",
    ),
    (
        "Show and check the archive, passphrase source and language in use",
        "Показать и проверить архив, откуда берётся пароль и какой язык выбран",
    ),
    (
        "Create the archive (the passphrase is asked twice, or read from --passphrase-file)",
        "Создать архив (пароль спрашивается дважды или читается из --passphrase-file)",
    ),
    (
        "Archive every certificate, key container, PFX and key file found in files and folders",
        "Сохранить в архив все сертификаты, ключевые контейнеры, файлы PFX и ключей из файлов и папок",
    ),
    (
        "Archive every certificate, key container, PFX and key file found in files and folders.\n\nContainers are kept whole, sealed; their keys are taken out as well when the password is known (none, --password-file, or asked once per container at the terminal), so that old documents open later without it. A container whose password is not known is archived locked.",
        "Сохранить в архив все сертификаты, ключевые контейнеры, файлы PFX и ключей из файлов и папок.\n\nКонтейнеры хранятся целиком, запечатанными; их ключи тоже извлекаются, когда пароль известен (нет пароля, --password-file или вопрос в терминале для каждого контейнера), чтобы старые документы потом открывались без него. Контейнер с неизвестным паролем сохраняется закрытым.",
    ),
    (
        "Files or folders (scanned recursively)",
        "Файлы или папки (с вложенными)",
    ),
    (
        "Import the containers of the registry store instead (on Windows the registry itself: CryptoPro's keys of the current user)",
        "Вместо этого сохранить контейнеры хранилища «реестр» (в Windows сам реестр: ключи КриптоПро текущего пользователя)",
    ),
    (
        "Read the container password from this file (one line), for every container that has one",
        "Читать пароль контейнеров из этого файла (одна строка), для каждого контейнера с паролем",
    ),
    (
        "Keep the passwords that opened containers in the archive (sealed like the keys)",
        "Хранить в архиве пароли, открывшие контейнеры (запечатанными, как ключи)",
    ),
    (
        "List the archived certificates, newest expiry first",
        "Список сертификатов архива, с самым поздним сроком первыми",
    ),
    (
        "Only those whose name, subject or issuer contains TEXT, or whose INN, INNLE, SNILS, OGRN, OGRNIP, thumbprint or serial is TEXT",
        "Только те, где имя, субъект или издатель содержат ТЕКСТ, либо ИНН, ИНН ЮЛ, СНИЛС, ОГРН, ОГРНИП, отпечаток или серийный номер равны ТЕКСТУ",
    ),
    (
        "Only those that expire within DAYS days (or have expired)",
        "Только те, что истекают в ближайшие ДНИ (или уже истекли)",
    ),
    (
        "Show every field of one archived certificate",
        "Показать все поля одного сертификата архива",
    ),
    (
        "The archive's id (from `list`) or the SHA-1 thumbprint",
        "Номер в архиве (из `list`) или отпечаток SHA-1",
    ),
    (
        "Write an archived certificate, or its private key with it, to a file or container",
        "Записать сертификат из архива, или с ним и закрытый ключ, в файл или контейнер",
    ),
    (
        "Write an archived certificate, or its private key with it, to a file or container.\n\npem and der write the certificate; pfx, pkcs8 and cryptopro its key too, under a new password (from --password-file, or typed twice). A key archived only inside a locked container is taken out with that container's password (--key-password-file, or typed once) and kept unlocked. Nothing is overwritten, and nothing half-written is left behind.",
        "Записать сертификат из архива, или с ним и закрытый ключ, в файл или контейнер.\n\npem и der записывают сертификат; pfx, pkcs8 и cryptopro ещё и ключ, под новым паролем (из --password-file или введённым дважды). Ключ, хранящийся только внутри закрытого контейнера, извлекается паролем этого контейнера (--key-password-file или вопрос) и дальше хранится открытым. Ничего не перезаписывается, и недописанное не остаётся.",
    ),
    ("What to write", "Что записать"),
    (
        "The file (or, for cryptopro, the container folder) to create",
        "Создаваемый файл (для cryptopro — папка контейнера)",
    ),
    (
        "Read the password of the file written from this file (one line)",
        "Читать пароль записываемого файла из этого файла (одна строка)",
    ),
    (
        "Read the password of the archived container that holds the key from this file",
        "Читать пароль контейнера архива, в котором лежит ключ, из этого файла",
    ),
    (
        "Open encrypted documents (CMS/PKCS#7: .p7m, .p7e, .enc) with whichever archived key fits",
        "Открыть зашифрованные документы (CMS/PKCS#7: .p7m, .p7e, .enc) подходящим ключом из архива",
    ),
    (
        "Open encrypted documents (CMS/PKCS#7: .p7m, .p7e, .enc) with whichever archived key fits.\n\nThe recipients the document names are looked up in the archive (expired and superseded certificates included); a key kept locked in its container asks for that container's password once. The output appears whole or not at all. With --batch, every file of a folder is opened into --out, and a report says what opened with which certificate and what did not and why.",
        "Открыть зашифрованные документы (CMS/PKCS#7: .p7m, .p7e, .enc) подходящим ключом из архива.\n\nПолучатели, названные в документе, ищутся в архиве (включая истёкшие и заменённые сертификаты); ключ, хранящийся закрытым в контейнере, один раз спрашивает пароль контейнера. Результат появляется целиком или не появляется вовсе. С --batch все файлы папки открываются в --out, а отчёт говорит, что открылось каким сертификатом, а что нет и почему.",
    ),
    ("The document (without --batch)", "Документ (без --batch)"),
    (
        "Where to write: the content of one document [default: beside it, without .p7m/.p7e/.cms/.enc]; with --batch, the folder the documents are written to (required)",
        "Куда писать: содержимое одного документа [по умолчанию: рядом с ним, без .p7m/.p7e/.cms/.enc]; с --batch — папка для документов (обязательно)",
    ),
    (
        "Open every document in this folder (recursively), into --out",
        "Открыть все документы этой папки (с вложенными) в --out",
    ),
    (
        "Read the password of an archived container whose key is locked from this file",
        "Читать пароль контейнера архива с закрытым ключом из этого файла",
    ),
    (
        "Open the document with this content key (hexadecimal, in a file) instead of an archived key: for EncryptedData, encrypted with a key the sender and you share",
        "Открыть документ этим ключом содержимого (шестнадцатеричным, в файле) вместо ключа архива: для EncryptedData, зашифрованного общим с отправителем ключом",
    ),
    (
        "Open the document with this private key file (PKCS#8, PEM or DER; encrypted ones with --key-password-file) instead of the archive's keys, whatever certificate it names",
        "Открыть документ этим файлом закрытого ключа (PKCS#8, PEM или DER; зашифрованный — с --key-password-file) вместо ключей архива, какой бы сертификат он ни называл",
    ),
    (
        "The sender's certificate (repeatable), for a document encrypted by key agreement with the sender's own key rather than a one-time one: with --key, where no archive is read",
        "Сертификат отправителя (можно несколько) для документа, зашифрованного согласованием ключа с постоянным ключом отправителя, а не одноразовым: с --key, когда архив не читается",
    ),
    (
        "Read the content key in reverse byte order (as GOST standards print keys, most significant byte first). Without it, a key that fails the document's MAC is tried this way by itself; a document without a MAC cannot tell, so it has to be asked for",
        "Читать ключ содержимого в обратном порядке байтов (как ключи печатаются в стандартах ГОСТ, старший байт первым). Без этого ключ, не прошедший проверку имитовставки документа, сам пробуется так; документ без имитовставки этого не покажет, поэтому так нужно попросить",
    ),
    (
        "Decrypt Kuznyechik and Magma CTR-ACPKM content with the key stream of OpenSSL's GOST engine 3.0.x (Debian 12), which departs from the standard after the first 4 KiB / 1 KiB of its CMS documents. A document with a MAC is tried this way by itself when the standard's fails; one without cannot tell, so it has to be asked for",
        "Расшифровывать содержимое Кузнечик и Магма CTR-ACPKM гаммой GOST engine OpenSSL 3.0.x (Debian 12), которая отходит от стандарта после первых 4 КиБ / 1 КиБ его документов CMS. Документ с имитовставкой сам пробуется так, если по стандарту не вышло; без неё этого не узнать, поэтому так нужно попросить",
    ),
    (
        "Read the PIN of the token that holds the key (when the archive keeps none) from this file",
        "Читать PIN-код токена с ключом (когда архив его не хранит) из этого файла",
    ),
    (
        "A PKCS#11 module to look for tokens with (repeatable) [default: CERTKEEPER_PKCS11_MODULES, else Rutoken's, OpenSC's and SoftHSM2's usual places]",
        "Модуль PKCS#11 для поиска токенов (можно несколько) [по умолчанию: CERTKEEPER_PKCS11_MODULES, иначе обычные места модулей Рутокена, OpenSC и SoftHSM2]",
    ),
    (
        "Key media: tokens (PKCS#11) with their certificates and keys, and the registry store",
        "Ключевые носители: токены (PKCS#11) с сертификатами и ключами и хранилище «реестр»",
    ),
    (
        "List the tokens and what is on them, and the registry store",
        "Показать токены и что на них, и хранилище «реестр»",
    ),
    (
        "List the tokens and what is on them, and the registry store.\n\nWithout a PIN a token shows its certificates and public keys; with --token and --pin-file it shows its private keys too (one login attempt: a wrong PIN is reported with the token's PIN state and never tried again).",
        "Показать токены и что на них, и хранилище «реестр».\n\nБез PIN-кода токен показывает сертификаты и открытые ключи; с --token и --pin-file ещё и закрытые ключи (одна попытка входа: неверный PIN сообщается с состоянием PIN-кода токена и больше не пробуется).",
    ),
    (
        "A PKCS#11 module to use (repeatable) [default: CERTKEEPER_PKCS11_MODULES, or Rutoken's, OpenSC's and SoftHSM2's where installed]",
        "Модуль PKCS#11 (можно несколько) [по умолчанию: CERTKEEPER_PKCS11_MODULES или модули Рутокена, OpenSC и SoftHSM2, где установлены]",
    ),
    (
        "The token (its label) to log in to",
        "Токен (его метка) для входа",
    ),
    (
        "Read the token's user PIN from this file",
        "Читать PIN-код пользователя токена из этого файла",
    ),
    (
        "A folder or drive to scan for containers, PFX, key and certificate files (repeatable; removable drives mounted under /media/USER and /run/media/USER are scanned anyway)",
        "Папка или диск для поиска контейнеров, файлов PFX, ключей и сертификатов (можно несколько; съёмные диски в /media/USER и /run/media/USER просматриваются всегда)",
    ),
    (
        "Generate a key pair on a token: the private key never leaves it (unless --extractable)",
        "Создать ключевую пару на токене: закрытый ключ его не покидает (если не --extractable)",
    ),
    (
        "Generate a key pair on a token: the private key never leaves it (unless --extractable).\n\nRSA and EC through the standard mechanisms, GOST R 34.10-2012 through the TC26 ones (Rutoken and other Russian tokens). Prints the new keys' CKA_ID; --public-key-out writes the public key (PEM) for a certificate request.",
        "Создать ключевую пару на токене: закрытый ключ его не покидает (если не --extractable).\n\nRSA и EC стандартными механизмами, ГОСТ Р 34.10-2012 — механизмами ТК 26 (Рутокен и другие российские токены). Печатает CKA_ID новых ключей; --public-key-out записывает открытый ключ (PEM) для запроса на сертификат.",
    ),
    ("The token (its label)", "Токен (его метка)"),
    (
        "rsa2048, rsa3072, rsa4096, ec-p256, ec-p384, gost2012-256[:A|B|C|XA|XB|TC26-A..D] (CryptoPro A by default) or gost2012-512[:A|B|C]",
        "rsa2048, rsa3072, rsa4096, ec-p256, ec-p384, gost2012-256[:A|B|C|XA|XB|TC26-A..D] (по умолчанию КриптоПро A) или gost2012-512[:A|B|C]",
    ),
    ("CKA_LABEL of the new keys", "CKA_LABEL новых ключей"),
    (
        "CKA_ID of the new keys, hex [default: random]",
        "CKA_ID новых ключей, шестнадцатеричный [по умолчанию: случайный]",
    ),
    (
        "Let the private key leave the token later (copies to another token)",
        "Разрешить закрытому ключу потом покинуть токен (копии на другой токен)",
    ),
    (
        "Read the token's user PIN from this file [default: asked]",
        "Читать PIN-код пользователя токена из этого файла [по умолчанию: спросить]",
    ),
    (
        "Write the public key here (PEM)",
        "Записать сюда открытый ключ (PEM)",
    ),
    (
        "A PKCS#11 module to use (repeatable)",
        "Модуль PKCS#11 (можно несколько)",
    ),
    (
        "Print smart card readers and tokens as they are connected, inserted and removed (PC/SC)",
        "Печатать считыватели смарт-карт и токены по мере подключения, вставки и извлечения (PC/SC)",
    ),
    (
        "Print smart card readers and tokens as they are connected, inserted and removed (PC/SC).\n\nWith --json, one JSON object per line: {\"event\": \"reader_added\"|\"reader_removed\"| \"card_inserted\"|\"card_removed\", \"reader\", \"atr\"}.",
        "Печатать считыватели смарт-карт и токены по мере подключения, вставки и извлечения (PC/SC).\n\nС --json — по объекту JSON в строке: {\"event\": \"reader_added\"|\"reader_removed\"| \"card_inserted\"|\"card_removed\", \"reader\", \"atr\"}.",
    ),
    (
        "Stop after this many seconds [default: run until interrupted]",
        "Остановиться через столько секунд [по умолчанию: до прерывания]",
    ),
    (
        "Archive the certificates found on each token inserted, and say so (the passphrase is asked once at start, or read from --passphrase-file)",
        "Сохранять в архив сертификаты каждого вставленного токена и сообщать об этом (пароль архива спрашивается один раз при запуске или читается из --passphrase-file)",
    ),
    (
        "A PKCS#11 module to read inserted tokens with (repeatable)",
        "Модуль PKCS#11 для чтения вставленных токенов (можно несколько)",
    ),
    (
        "Copy a key with its certificate between the archive, drives, the registry store and tokens",
        "Скопировать ключ с сертификатом между архивом, дисками, хранилищем «реестр» и токенами",
    ),
    (
        "Copy a key with its certificate between the archive, drives, the registry store and tokens.\n\nA medium is archive, dir:PATH (a folder or USB drive), registry or token:LABEL. CryptoPro containers go byte for byte between archive, dir: and registry; RSA and EC keys go between tokens, to and from PFX files on drives, and to and from the archive; GOST keys from containers go onto tokens that sign with GOST keys (Rutoken ECP). A key leaves a token only when it is marked extractable; every copy is proven by signing with one side and verifying with the other. --certificate-only copies the certificate alone.",
        "Скопировать ключ с сертификатом между архивом, дисками, хранилищем «реестр» и токенами.\n\nНоситель — archive, dir:ПУТЬ (папка или флешка), registry или token:МЕТКА. Контейнеры КриптоПро копируются байт в байт между архивом, dir: и registry; ключи RSA и EC — между токенами, в файлы PFX на дисках и из них, в архив и из него; ключи ГОСТ из контейнеров — на токены, которые подписывают ключами ГОСТ (Рутокен ЭЦП). Ключ покидает токен, только если он помечен извлекаемым; каждая копия проверяется подписью одной стороной и проверкой другой. --certificate-only копирует один сертификат.",
    ),
    (
        "The SHA-1 thumbprint of the certificate",
        "Отпечаток SHA-1 сертификата",
    ),
    (
        "Where from: archive, dir:PATH, registry or token:LABEL",
        "Откуда: archive, dir:ПУТЬ, registry или token:МЕТКА",
    ),
    (
        "Where to: archive, dir:PATH, registry or token:LABEL",
        "Куда: archive, dir:ПУТЬ, registry или token:МЕТКА",
    ),
    (
        "Read the source's secret from this file: a token's PIN, a PFX file's password, or the password of an archived container whose key is locked",
        "Читать секрет источника из этого файла: PIN-код токена, пароль файла PFX или пароль контейнера архива с закрытым ключом",
    ),
    (
        "Read the target's secret from this file: a token's PIN or the new PFX file's password",
        "Читать секрет назначения из этого файла: PIN-код токена или пароль нового файла PFX",
    ),
    (
        "Copy the certificate alone (for a key that may not leave its token)",
        "Скопировать один сертификат (для ключа, которому нельзя покидать токен)",
    ),
    (
        "Get a new certificate: a key on the medium you choose, a request, the CA, installing",
        "Получить новый сертификат: ключ на выбранном носителе, запрос, УЦ, установка",
    ),
    (
        "Get a new certificate: a key on the medium you choose, a request, the CA, installing.\n\nAs the CA's guide goes: `request new` makes the key (on a token, a drive or in the registry store) and the request; `request submit` sends it to the CA over CMP with the CA's one-time code, waits while the CA issues it and installs the certificate next to its key; for a CA that takes request files, `request new --csr-out` writes the request and `request install` takes the certificate back. Every request is kept in the archive and goes on after an interruption (`request resume`, or the reminder service).",
        "Получить новый сертификат: ключ на выбранном носителе, запрос, УЦ, установка.\n\nКак в инструкции УЦ: `request new` создаёт ключ (на токене, диске или в хранилище «реестр») и запрос; `request submit` отправляет его в УЦ по CMP с одноразовым кодом УЦ, ждёт выпуска и устанавливает сертификат рядом с ключом; для УЦ, принимающего файлы запросов, `request new --csr-out` записывает запрос, а `request install` принимает сертификат. Каждый запрос хранится в архиве и продолжается после перерыва (`request resume` или служба напоминаний).",
    ),
    (
        "Make a key and a certificate request, kept in the archive as a job",
        "Создать ключ и запрос на сертификат, хранимый в архиве как задание",
    ),
    (
        "Make a key and a certificate request, kept in the archive as a job.\n\nA drive (dir:PATH) or the registry store gets a new CryptoPro container (GOST R 34.10-2012) with a password asked twice, which may be empty; the key is kept in the archive at once. A token (token:LABEL) makes a key that never leaves it — GOST where it has the TC26 mechanisms (Rutoken ECP), else RSA or EC — and signs the request itself (its PIN is asked once). Prints the job's number; --json gives {\"job\", \"state\", \"csr\", \"notices\"}.",
        "Создать ключ и запрос на сертификат, хранимый в архиве как задание.\n\nДиск (dir:ПУТЬ) или хранилище «реестр» получают новый контейнер КриптоПро (ГОСТ Р 34.10-2012) с паролем, спрошенным дважды (можно пустой); ключ сразу сохраняется в архив. Токен (token:МЕТКА) создаёт ключ, не покидающий его, — ГОСТ, если у токена есть механизмы ТК 26 (Рутокен ЭЦП), иначе RSA или EC — и сам подписывает запрос (PIN-код спрашивается один раз). Печатает номер задания; --json даёт {\"job\", \"state\", \"csr\", \"notices\"}.",
    ),
    (
        "The subject, RFC 4514 text: \"CN=Иванов Иван Иванович,SNILS=11223344595,INN=500100732259,C=RU\" (INN, INNLE, SNILS, OGRN and OGRNIP checked and written as CAs expect)",
        "Субъект, текст RFC 4514: \"CN=Иванов Иван Иванович,SNILS=11223344595,INN=500100732259,C=RU\" (ИНН, ИНН ЮЛ, СНИЛС, ОГРН и ОГРНИП проверяются и записываются так, как ждут УЦ)",
    ),
    (
        "The subject as a form: the full name (ФИО); the surname and given names are taken from it. With --snils (required), --inn, and for an organisation --organisation, --innle and --ogrn",
        "Субъект формой: ФИО полностью; фамилия и имя с отчеством берутся из него. С --snils (обязательно), --inn, а для организации --organisation, --innle и --ogrn",
    ),
    ("СНИЛС (with --name)", "СНИЛС (с --name)"),
    (
        "ИНН of the person (with --name)",
        "ИНН физического лица (с --name)",
    ),
    ("The organisation (with --name)", "Организация (с --name)"),
    (
        "ИНН ЮЛ, the organisation's INN (with --organisation)",
        "ИНН ЮЛ, ИНН организации (с --organisation)",
    ),
    ("ОГРН (with --organisation)", "ОГРН (с --organisation)"),
    (
        "ОГРНИП, for an individual entrepreneur (with --name)",
        "ОГРНИП, для индивидуального предпринимателя (с --name)",
    ),
    (
        "The title (должность) (with --name)",
        "Должность (с --name)",
    ),
    (
        "The e-mail address (with --name)",
        "Адрес электронной почты (с --name)",
    ),
    (
        "The town or city (with --name)",
        "Населённый пункт (с --name)",
    ),
    ("The region (with --name)", "Регион (с --name)"),
    (
        "Renew this archived certificate (SHA-1 thumbprint or id): its subject is copied",
        "Продлить этот сертификат архива (отпечаток SHA-1 или номер): его субъект копируется",
    ),
    (
        "Where the key goes: dir:PATH (a folder or USB drive), registry or token:LABEL",
        "Куда записать ключ: dir:ПУТЬ (папка или флешка), registry или token:МЕТКА",
    ),
    (
        "gost2012-256[:A|B|C|XA|XB|TC26-A..D] (CryptoPro A by default), gost2012-512[:A|B|C], rsa2048 or ec-p256 (tokens only)",
        "gost2012-256[:A|B|C|XA|XB|TC26-A..D] (по умолчанию КриптоПро A), gost2012-512[:A|B|C], rsa2048 или ec-p256 (только токены)",
    ),
    (
        "Read the token's PIN from this file [default: asked]",
        "Читать PIN-код токена из этого файла [по умолчанию: спросить]",
    ),
    (
        "Read the new container's password from this file [default: asked twice]",
        "Читать пароль нового контейнера из этого файла [по умолчанию: спросить дважды]",
    ),
    (
        "The new container gets no password (anyone with the drive can use the key)",
        "Новый контейнер без пароля (ключом сможет воспользоваться любой, у кого диск)",
    ),
    (
        "Also write the request to this file (PEM) and beside it as .der, for a CA that takes request files",
        "Ещё записать запрос в этот файл (PEM) и рядом как .der, для УЦ, принимающего файлы запросов",
    ),
    (
        "Send a request to the CA over CMP, wait while it is issued, and install the certificate",
        "Отправить запрос в УЦ по CMP, дождаться выпуска и установить сертификат",
    ),
    (
        "Send a request to the CA over CMP, wait while it is issued, and install the certificate.\n\nThe CA's one-time code and its reference protect the request (CMP's password-based MAC); kur (a renewal made with --like) is signed with the current certificate's key instead. Waiting is saved in the archive: interrupted, it goes on with `request resume`. --json gives {\"job\", \"state\", \"certificate_id\", \"sha1_thumbprint\"}.",
        "Отправить запрос в УЦ по CMP, дождаться выпуска и установить сертификат.\n\nОдноразовый код УЦ и его идентификатор защищают запрос (MAC на основе пароля в CMP); kur (продление, созданное с --like) вместо этого подписывается ключом текущего сертификата. Ожидание сохраняется в архиве: если его прервать, оно продолжится командой `request resume`. --json даёт {\"job\", \"state\", \"certificate_id\", \"sha1_thumbprint\"}.",
    ),
    (
        "The request's number (certkeeper request list)",
        "Номер запроса (certkeeper request list)",
    ),
    (
        "The CA's CMP address, e.g. http://ca.example.ru/pkix/",
        "Адрес CMP УЦ, например http://ca.example.ru/pkix/",
    ),
    (
        "The reference of the CA's one-time code (not for kur)",
        "Идентификатор одноразового кода УЦ (не для kur)",
    ),
    (
        "Read the CA's one-time code from this file (not for kur)",
        "Читать одноразовый код УЦ из этого файла (не для kur)",
    ),
    (
        "The CMP message: ir (first certificate), cr, p10cr, or kur (renewal signed with the current key)",
        "Сообщение CMP: ir (первый сертификат), cr, p10cr или kur (продление, подписанное текущим ключом)",
    ),
    (
        "Return once the CA has the request, without waiting for the certificate",
        "Вернуться, как только УЦ принял запрос, не дожидаясь сертификата",
    ),
    (
        "Read the token's PIN from this file, to install onto a token [default: asked]",
        "Читать PIN-код токена из этого файла, для установки на токен [по умолчанию: спросить]",
    ),
    (
        "Install the certificate a CA sent as a file (DER, PEM, or a PKCS#7 bundle with its chain)",
        "Установить сертификат, присланный УЦ файлом (DER, PEM или пакет PKCS#7 с цепочкой)",
    ),
    (
        "Install the certificate a CA sent as a file (DER, PEM, or a PKCS#7 bundle with its chain).\n\nIt must be for the request's key; otherwise nothing changes.",
        "Установить сертификат, присланный УЦ файлом (DER, PEM или пакет PKCS#7 с цепочкой).\n\nОн должен быть выпущен на ключ запроса; иначе ничего не меняется.",
    ),
    ("The request's number", "Номер запроса"),
    ("The certificate file", "Файл сертификата"),
    (
        "List the requests: state, subject, medium, CA, next check, last error",
        "Список запросов: состояние, субъект, носитель, УЦ, следующая проверка, последняя ошибка",
    ),
    (
        "Go on with every request the CA has, or was sent and not answered: ask, install",
        "Продолжить все запросы, которые есть в УЦ или были отправлены без ответа: спросить, установить",
    ),
    (
        "Ask once and return, without waiting for certificates still being issued",
        "Спросить один раз и вернуться, не дожидаясь сертификатов, которые ещё выпускаются",
    ),
    (
        "Cancel a request (it stays in the list as cancelled)",
        "Отменить запрос (он остаётся в списке как отменённый)",
    ),
    (
        "The CryptoPro \"registry\" key store (HDIMAGE folders on Linux; .reg files for Windows)",
        "Хранилище ключей КриптоПро «реестр» (папки HDIMAGE в Linux; файлы .reg для Windows)",
    ),
    (
        "Mirror every archived CryptoPro container into the registry store (idempotent)",
        "Скопировать все контейнеры КриптоПро архива в хранилище «реестр» (повторный запуск ничего не меняет)",
    ),
    (
        "Mirror every archived CryptoPro container into the registry store (idempotent).\n\nThe store is CryptoPro's own (/var/opt/cprocsp/keys/USER) when CryptoPro is installed, otherwise registry/USER beside the archive in use; CERTKEEPER_REGISTRY names another root. This is the CA's advice to keep old certificates in the registry, as one command.",
        "Скопировать все контейнеры КриптоПро архива в хранилище «реестр» (повторный запуск ничего не меняет).\n\nХранилище — собственное КриптоПро (/var/opt/cprocsp/keys/USER), когда КриптоПро установлен, иначе registry/USER рядом с используемым архивом; CERTKEEPER_REGISTRY указывает другой корень. Это совет УЦ хранить старые сертификаты в реестре, одной командой.",
    ),
    (
        "Write every archived CryptoPro container as a .reg file for the Windows registry of a user",
        "Записать все контейнеры КриптоПро архива файлом .reg для реестра Windows пользователя",
    ),
    (
        "The Windows user's security identifier (whoami /user shows it), e.g. S-1-5-21-...-1001",
        "Идентификатор безопасности пользователя Windows (его показывает whoami /user), например S-1-5-21-...-1001",
    ),
    (
        "The .reg file to create (Windows Registry Editor 5.00, UTF-16)",
        "Создаваемый файл .reg (Windows Registry Editor 5.00, UTF-16)",
    ),
    (
        "Show or change this computer's settings (a JSON file in the configuration directory)",
        "Показать или изменить настройки этого компьютера (файл JSON в папке настроек)",
    ),
    (
        "Show or change this computer's settings (a JSON file in the configuration directory).\n\npkcs11-modules: the PKCS#11 modules to load (paths separated by colons), used when neither --pkcs11-module nor CERTKEEPER_PKCS11_MODULES is given.",
        "Показать или изменить настройки этого компьютера (файл JSON в папке настроек).\n\npkcs11-modules: загружаемые модули PKCS#11 (пути через двоеточие), если не заданы ни --pkcs11-module, ни CERTKEEPER_PKCS11_MODULES.",
    ),
    ("Set a setting", "Задать настройку"),
    ("Its name (pkcs11-modules)", "Её имя (pkcs11-modules)"),
    ("Its value", "Её значение"),
    (
        "Go back to a setting's default",
        "Вернуть настройке значение по умолчанию",
    ),
    ("Its name", "Её имя"),
    (
        "Change the archive passphrase (the keys inside are not touched; old backups keep the old one)",
        "Сменить пароль архива (ключи внутри не затрагиваются; старые резервные копии сохраняют старый пароль)",
    ),
    (
        "Read the new passphrase from this file instead of asking twice",
        "Читать новый пароль из этого файла, а не спрашивать дважды",
    ),
    (
        "Write a consistent copy of the archive, also while the window or reminder service use it",
        "Записать целостную копию архива, даже пока им пользуются окно или служба напоминаний",
    ),
    (
        "The copy to create (it must not exist)",
        "Создаваемая копия (её ещё не должно быть)",
    ),
    (
        "Replace the archive with a backup (the passphrase is the backup's)",
        "Заменить архив резервной копией (пароль — от копии)",
    ),
    (
        "Replace the archive with a backup (the passphrase is the backup's).\n\nThe backup is checked first (passphrase, verify); the archive it replaces is kept beside it as ARCHIVE.before-restore, never deleted. Close the window and stop the reminder service first.",
        "Заменить архив резервной копией (пароль — от копии).\n\nКопия сначала проверяется (пароль, проверка); заменяемый архив остаётся рядом как АРХИВ.before-restore и никогда не удаляется. Сначала закройте окно и остановите службу напоминаний.",
    ),
    ("The backup file", "Файл резервной копии"),
    (
        "Check the archive: the database, every certificate, every sealed secret and the audit log",
        "Проверить архив: базу данных, каждый сертификат, каждый запечатанный секрет и журнал аудита",
    ),
    (
        "Show the audit log: every change to the archive, oldest first",
        "Показать журнал аудита: все изменения архива, по порядку",
    ),
    (
        "Show what files and folders hold, without archiving anything",
        "Показать, что лежит в файлах и папках, ничего не сохраняя в архив",
    ),
    (
        "Show what files and folders hold, without archiving anything.\n\nFolders are scanned recursively; a CryptoPro container folder (header.key, masks.key, ...) is shown as one item. Exit status 1 when something could not be read (the list says what and why).",
        "Показать, что лежит в файлах и папках, ничего не сохраняя в архив.\n\nПапки просматриваются с вложенными; папка контейнера КриптоПро (header.key, masks.key, ...) показывается одним элементом. Код завершения 1, если что-то не прочиталось (в списке сказано что и почему).",
    ),
    (
        "Files or folders to look into",
        "Файлы или папки для просмотра",
    ),
    (
        "Read the container password from this file (one line) to open the keys",
        "Читать пароль контейнера из этого файла (одна строка), чтобы открыть ключи",
    ),
    (
        "Print a shell completion script",
        "Напечатать сценарий дополнения для командной оболочки",
    ),
    (
        "Print a shell completion script.\n\nFor bash: certkeeper completions bash > ~/.local/share/bash-completion/completions/certkeeper",
        "Напечатать сценарий дополнения для командной оболочки.\n\nДля bash: certkeeper completions bash > ~/.local/share/bash-completion/completions/certkeeper",
    ),
    (
        "The shell to complete for",
        "Оболочка, для которой дополнять",
    ),
    ("Print help", "Показать справку"),
    (
        "Print help (see more with '--help')",
        "Показать справку (подробнее: --help)",
    ),
    (
        "Print help (see a summary with '-h')",
        "Показать справку (кратко: -h)",
    ),
    ("Print version", "Показать версию"),
    (
        "Print this message or the help of the given subcommand(s)",
        "Показать эту справку или справку по командам",
    ),
    (
        "The subcommand whose help message to display",
        "Команда, справку по которой показать",
    ),
];

/// The Russian for an English help text, if the catalogue has it.
fn russian(text: &StyledStr) -> Option<&'static str> {
    let text = text.to_string();
    RUSSIAN
        .iter()
        .find(|(english, _)| *english == text)
        .map(|(_, russian)| *russian)
}

/// The help's layout, with the Russian "Usage:".
const TEMPLATE: &str = "{about-with-newline}\nИспользование: {usage}\n\n{all-args}{after-help}";

/// What clap adds after an argument's help (defaults, variables, values), said in Russian; clap's own
/// English is hidden.
fn with_details(mut argument: Arg, help: String) -> (Arg, String) {
    let mut help = help;
    // A flag's default (false) is never shown, as clap does.
    if !argument.is_hide_default_value_set()
        && argument.get_action().takes_values()
        && !argument.get_default_values().is_empty()
    {
        let values: Vec<String> = argument
            .get_default_values()
            .iter()
            .map(|value| value.to_string_lossy().into_owned())
            .collect();
        help.push_str(&format!(" [по умолчанию: {}]", values.join(", ")));
        argument = argument.hide_default_value(true);
    }
    if !argument.is_hide_env_set()
        && let Some(variable) = argument.get_env()
    {
        help.push_str(&format!(
            " [переменная окружения: {}]",
            variable.to_string_lossy()
        ));
        argument = argument.hide_env(true);
    }
    if !argument.is_hide_possible_values_set() && argument.get_action().takes_values() {
        let values: Vec<String> = argument
            .get_possible_values()
            .iter()
            .filter(|value| !value.is_hide_set())
            .map(|value| value.get_name().to_owned())
            .collect();
        if !values.is_empty() {
            help.push_str(&format!(" [значения: {}]", values.join(", ")));
            argument = argument.hide_possible_values(true);
        }
    }
    (argument, help)
}

fn translate_argument(argument: Arg) -> Arg {
    let heading = if argument.is_positional() {
        "Аргументы"
    } else {
        "Параметры"
    };
    let short = argument.get_help().and_then(russian);
    let long = argument.get_long_help().and_then(russian);
    let mut argument = argument.help_heading(heading);
    if let Some(short) = short {
        let (changed, text) = with_details(argument, short.to_owned());
        argument = changed.help(text);
    }
    if let Some(long) = long {
        let (changed, text) = with_details(argument, long.to_owned());
        argument = changed.long_help(text);
    }
    argument
}

fn translate_command(command: Command) -> Command {
    let about = command.get_about().and_then(russian);
    let long_about = command.get_long_about().and_then(russian);
    let after_help = command.get_after_help().and_then(russian);
    let mut command = command
        .help_template(TEMPLATE)
        .subcommand_help_heading("Команды")
        .subcommand_value_name("КОМАНДА")
        .mut_args(translate_argument)
        .mut_subcommands(translate_command);
    if let Some(about) = about {
        command = command.about(about);
    }
    if let Some(long_about) = long_about {
        command = command.long_about(long_about);
    }
    if let Some(after_help) = after_help {
        command = command.after_help(after_help);
    }
    command
}

/// The command line in Russian: `command` built (so that clap's own help and version flags and
/// the `help` command are there to translate), with every text the catalogue has put in.
pub fn in_russian(mut command: Command) -> Command {
    command.build();
    translate_command(command)
}

/// Every help text of `command` and its commands that the catalogue lacks.
#[cfg(test)]
pub fn untranslated(command: &Command) -> Vec<String> {
    let mut missing = Vec::new();
    let mut check = |text: Option<&StyledStr>| {
        if let Some(text) = text
            && russian(text).is_none()
        {
            missing.push(text.to_string());
        }
    };
    check(command.get_about());
    check(command.get_long_about());
    check(command.get_after_help());
    for argument in command.get_arguments() {
        check(argument.get_help());
        check(argument.get_long_help());
    }
    for sub in command.get_subcommands() {
        missing.extend(untranslated(sub));
    }
    missing
}
