//! The command line as a person sees it: exact output and exit status.

use std::path::Path;

use certkeeper_tests::support::{bin, temp_dir};
use snapbox::cmd::Command;
use snapbox::str;

/// certkeeper with a clean environment: a private home, no display, English unless asked.
fn certkeeper(home: &Path) -> Command {
    Command::new(bin::certkeeper())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("LANG", "C.UTF-8")
}

#[test]
fn help_lists_the_commands() {
    let home = temp_dir();
    certkeeper(home.path())
        .arg("-h")
        .assert()
        .success()
        .stdout_eq(str![[r#"
Keeps every qualified electronic signature certificate and key container you ever had, issues new
ones and opens old encrypted documents

Usage: certkeeper [OPTIONS] [COMMAND]

Commands:
  ui           Open the desktop window (the same as running certkeeper without a command)
  expiry       What stops working when: certificates (notAfter) and private keys (key usage period)
  remind       Mute, snooze or set the thresholds of renewal reminders
  watch        The reminder service: desktop notifications before certificates and keys expire
  unlock       Unlock the archive once for the commands and the window that follow
  lock         Make the agent forget the unlocked archive: the passphrase is asked again
  info         Show and check the archive, passphrase source and language in use
  init         Create the archive (the passphrase is asked twice, or read from --passphrase-file)
  import       Archive every certificate, key container, PFX and key file found in files and folders
  list         List the archived certificates, newest expiry first
  hide         Hide a certificate imported by mistake from lists and reminders (nothing is deleted;
               its key still opens old documents; unhide shows it again)
  unhide       Show a hidden certificate again
  merge        Merge the key containers that hold one certificate's key (a CryptoPro container and
               the same key's PEM or PFX files) into one entry; --undo separates them again
  show         Show every field of one archived certificate
  export       Write an archived certificate, or its private key with it, to a file or container
  decrypt      Open encrypted documents (CMS/PKCS#7: .p7m, .p7e, .enc) with whichever archived key
               fits
  media        Key media: tokens (PKCS#11) with their certificates and keys, and the registry store
  copy         Copy a key with its certificate between the archive, drives, the registry store and
               tokens
  request      Get a new certificate: a key on the medium you choose, a request, the CA, installing
  registry     The CryptoPro "registry" key store (HDIMAGE folders on Linux; .reg files for Windows)
  settings     Show or change this computer's settings (a JSON file in the configuration directory)
  passwd       Change the archive passphrase (the keys inside are not touched; old backups keep the
               old one)
  backup       Write a consistent copy of the archive, also while the window or reminder service use
               it
  restore      Replace the archive with a backup (the passphrase is the backup's)
  verify       Check the archive: the database, every certificate, every sealed secret and the audit
               log
  audit        Show the audit log: every change to the archive, oldest first
  inspect      Show what files and folders hold, without archiving anything
  completions  Print a shell completion script
  help         Print this message or the help of the given subcommand(s)

Options:
      --archive <PATH>          The archive file [default: ~/.local/share/certkeeper/archive.db]
                                [env: CERTKEEPER_ARCHIVE=]
      --passphrase-file <FILE>  Read the archive passphrase from this file instead of asking (never
                                give it as an argument) [env: CERTKEEPER_PASSPHRASE_FILE=]
      --json                    Print machine-readable JSON instead of text
  -h, --help                    Print help (see more with '--help')
  -V, --version                 Print version

Exit status: 0 success, 1 error, 2 wrong usage, 3 no display for the window.
Language: the locale (LC_ALL, LC_MESSAGES, LANG), or CERTKEEPER_LANG=ru|en.
Logging: CERTKEEPER_LOG=warn|info|debug (never shows a secret).

"#]]);
}

/// The git commit the tests are built from, as `--version` names it.
fn built_from() -> String {
    let output = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// `--version` names the version and the git commit the program was built from.
#[test]
fn version_is_printed_with_its_commit() {
    let home = temp_dir();
    certkeeper(home.path())
        .arg("--version")
        .assert()
        .success()
        .stdout_eq(format!(
            "certkeeper {} (commit {})\n",
            env!("CARGO_PKG_VERSION"),
            built_from()
        ));
}

#[test]
fn completions_are_generated_for_bash_and_zsh() {
    let home = temp_dir();
    let bash = certkeeper(home.path())
        .args(["completions", "bash"])
        .output()
        .expect("run certkeeper");
    let bash = String::from_utf8(bash.stdout).expect("UTF-8");
    assert!(
        bash.contains("_certkeeper()")
            && bash.contains("completions")
            && bash.contains("--passphrase-file")
    );
    // The script must be valid bash.
    let check = std::process::Command::new("bash")
        .args(["-n", "-c", &bash])
        .status()
        .expect("run bash -n");
    assert!(check.success());

    certkeeper(home.path())
        .args(["completions", "zsh"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
#compdef certkeeper
...
"#]]);
}

#[test]
fn without_a_display_the_window_is_refused_in_one_line() {
    let home = temp_dir();
    certkeeper(home.path())
        .assert()
        .code(3)
        .stdout_eq(str![""])
        .stderr_eq(str![[r#"
certkeeper: No display found (DISPLAY and WAYLAND_DISPLAY are unset), so the window cannot open. Use certkeeper from the command line: certkeeper --help

"#]]);
    certkeeper(home.path())
        .arg("ui")
        .env("LANG", "ru_RU.UTF-8")
        .assert()
        .code(3)
        .stderr_eq(str![[r#"
certkeeper: Дисплей не найден (DISPLAY и WAYLAND_DISPLAY не заданы), окно открыть нельзя. Работайте из командной строки: certkeeper --help

"#]]);
}

#[test]
fn info_shows_the_default_archive_in_the_xdg_data_directory() {
    let home = temp_dir();
    certkeeper(home.path())
        .arg("info")
        .assert()
        .success()
        .stdout_eq(format!(
            "certkeeper {} (commit {})\n\
             archive:    {}/.local/share/certkeeper/archive.db (default, not created yet)\n\
             passphrase: asked when needed\n\
             unlocked:   no (certkeeper unlock keeps it unlocked for a while)\n\
             language:   English (LANG)\n",
            env!("CARGO_PKG_VERSION"),
            built_from(),
            home.path().display()
        ));
    // XDG_DATA_HOME moves it.
    certkeeper(home.path())
        .args(["info", "--json"])
        .env("XDG_DATA_HOME", home.path().join("data"))
        .assert()
        .success()
        .stdout_eq(str![[r#"
{
  "version": "[..]",
  "commit": "[..]",
  "archive": {
    "path": "[..]/data/certkeeper/archive.db",
    "origin": "default",
    "exists": false
  },
  "passphrase": {
    "source": "prompt"
  },
  "unlocked": null,
  "language": {
    "code": "en",
    "chosen_by": "LANG"
  }
}

"#]]);
}

/// The language chosen in the settings (the window's Settings page, or `settings set language`)
/// comes before the locale; `CERTKEEPER_LANG` still comes first; unset, the locale again.
#[test]
fn the_language_chosen_in_the_settings_comes_before_the_locale() {
    let home = temp_dir();
    let language = |extra: &[(&str, &str)]| {
        let mut command = certkeeper(home.path()).args(["--json", "info"]);
        for (name, value) in extra {
            command = command.env(name, value);
        }
        let output = command.output().expect("run certkeeper");
        let info: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        (
            info["language"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            info["language"]["chosen_by"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    certkeeper(home.path())
        .args(["settings", "set", "language", "ru"])
        .assert()
        .success();
    assert_eq!(language(&[]), ("ru".to_owned(), "settings".to_owned()));
    assert_eq!(
        language(&[("CERTKEEPER_LANG", "en")]),
        ("en".to_owned(), "CERTKEEPER_LANG".to_owned())
    );
    certkeeper(home.path())
        .args(["settings", "set", "language", "fr"])
        .assert()
        .failure();
    certkeeper(home.path())
        .args(["settings", "unset", "language"])
        .assert()
        .success();
    assert_eq!(language(&[]), ("en".to_owned(), "LANG".to_owned()));
}

#[test]
fn archive_and_passphrase_file_come_from_the_environment_and_the_secret_never_shows() {
    let home = temp_dir();
    let passphrase = home.path().join("passphrase");
    std::fs::write(&passphrase, "корова-пароль-42\n").expect("write the passphrase file");
    let archive = home.path().join("office.db");
    std::fs::write(&archive, b"").expect("create the archive file");
    let output = certkeeper(home.path())
        .args(["--json", "info"])
        .env("CERTKEEPER_ARCHIVE", &archive)
        .env("CERTKEEPER_PASSPHRASE_FILE", &passphrase)
        .env("CERTKEEPER_LANG", "ru")
        .env("CERTKEEPER_LOG", "trace")
        .output()
        .expect("run certkeeper");
    assert!(output.status.success());
    let everything = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
    assert!(
        !String::from_utf8_lossy(&everything).contains("корова"),
        "the passphrase leaked"
    );
    let info: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        info["archive"]["path"],
        archive.to_str().expect("UTF-8 path")
    );
    assert_eq!(info["archive"]["origin"], "explicit");
    assert_eq!(info["archive"]["exists"], true);
    assert_eq!(info["passphrase"]["source"], "file");
    assert_eq!(
        info["passphrase"]["path"],
        passphrase.to_str().expect("UTF-8 path")
    );
    assert_eq!(info["language"]["code"], "ru");
    assert_eq!(info["language"]["chosen_by"], "CERTKEEPER_LANG");
}

#[test]
fn a_bad_passphrase_file_says_what_to_do_in_the_users_language() {
    let home = temp_dir();
    let missing = home.path().join("missing.txt");
    certkeeper(home.path())
        .args(["info", "--passphrase-file"])
        .arg(&missing)
        .assert()
        .code(1)
        .stderr_eq(format!(
            "error: Cannot read the password file {}: No such file or directory (os error 2).\n\
             what to do: Check the path given with --passphrase-file or CERTKEEPER_PASSPHRASE_FILE, \
             or leave it out to type the passphrase when asked.\n",
            missing.display()
        ));
    let empty = home.path().join("empty.txt");
    std::fs::write(&empty, "\n").expect("write the empty file");
    std::fs::set_permissions(&empty, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod 600");
    certkeeper(home.path())
        .args(["info", "--passphrase-file"])
        .arg(&empty)
        .env("LC_ALL", "ru_RU.UTF-8")
        .assert()
        .code(1)
        .stderr_eq(format!(
            "ошибка: Файл с паролем {} пуст.\n\
             что делать: Запишите пароль в файл одной строкой или уберите --passphrase-file, \
             чтобы ввести его по запросу.\n",
            empty.display()
        ));
}

#[test]
fn a_damaged_or_crafted_archive_is_called_damaged_never_a_wrong_passphrase() {
    let home = temp_dir();
    let passphrase = certkeeper_tests::support::secret_file(home.path(), "passphrase.txt", "p\n");
    // Not a database at all (a file overwritten, or something else given as the archive).
    let junk = home.path().join("junk.db");
    std::fs::write(&junk, [0x5Au8; 8192]).expect("write");
    certkeeper(home.path())
        .arg("--archive")
        .arg(&junk)
        .arg("--passphrase-file")
        .arg(&passphrase)
        .arg("list")
        .assert()
        .code(1)
        .stderr_eq(
            "error: The archive file is damaged (SQLite, while configuring the database: file is not a database).\n\
             what to do: Restore it from a backup (certkeeper restore PATH); keep the damaged file for support.\n",
        );
    // An archive from elsewhere asking for 2^32-1 passes: refused at once as damaged, not derived
    // with for days.
    let archive = home.path().join("archive.db");
    certkeeper(home.path())
        .arg("--archive")
        .arg(&archive)
        .arg("--passphrase-file")
        .arg(&passphrase)
        .args(["init", "--allow-weak-passphrase"])
        .assert()
        .success();
    let raw = rusqlite::Connection::open(&archive).expect("raw");
    raw.execute(
        "UPDATE keyring SET kdf_iterations = 4294967295, header_check = NULL",
        [],
    )
    .expect("craft");
    drop(raw);
    let started = std::time::Instant::now();
    certkeeper(home.path())
        .arg("--archive")
        .arg(&archive)
        .arg("--passphrase-file")
        .arg(&passphrase)
        .arg("list")
        .env("LC_ALL", "ru_RU.UTF-8")
        .assert()
        .code(1)
        .stderr_eq(
            "ошибка: Заголовок архива повреждён: он требует вычислений, которые не нужны ни одному архиву \
             (Argon2id: память 262144 КиБ, проходов: 4294967295, потоков: 1). Пароль не проверялся.\n\
             что делать: Восстановите архив из резервной копии (certkeeper restore ПУТЬ); повреждённый файл \
             сохраните для поддержки.\n",
        );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn a_passphrase_is_never_accepted_as_an_argument() {
    let home = temp_dir();
    let output = certkeeper(home.path())
        .args(["--passphrase", "hunter2", "info"])
        .output()
        .expect("run certkeeper");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unexpected argument '--passphrase'"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

mod inspect {
    use super::certkeeper;
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};
    use certkeeper_tests::support::{copy_dir, run, temp_dir, vectors};

    /// A PFX of `content` (the AuthenticatedSafe's bytes) with a Streebog-512 MAC at `iterations`.
    fn crafted_pfx(content: &[u8], iterations: u64) -> Vec<u8> {
        use certkeeper_core::formats::der::write;
        write::sequence(&[
            &write::integer(3),
            &write::sequence(&[
                &write::oid("1.2.840.113549.1.7.1"),
                &write::explicit(0, &write::octets(content)),
            ]),
            &write::sequence(&[
                &write::sequence(&[
                    &write::sequence(&[&write::oid("1.2.643.7.1.1.2.3"), &write::null()]),
                    &write::octets(&[0u8; 64]),
                ]),
                &write::octets(&[7u8; 8]),
                &write::integer(iterations),
            ]),
        ])
    }

    #[test]
    fn a_pfx_built_to_stall_is_refused_at_once_and_junk_is_never_a_locked_container() {
        use certkeeper_core::formats::der::write;
        let home = temp_dir();
        let drive = temp_dir();
        // 144 bytes asking for 10^7 Streebog iterations (two minutes) before any password fits.
        let empty_safe = write::sequence(&[&write::sequence(&[
            &write::oid("1.2.840.113549.1.7.1"),
            &write::explicit(0, &write::octets(&write::sequence(&[]))),
        ])]);
        std::fs::write(
            drive.path().join("stall.pfx"),
            crafted_pfx(&empty_safe, 10_000_000),
        )
        .expect("write");
        // A file a sniff takes for a PFX, with junk inside.
        std::fs::write(
            drive.path().join("junk.pfx"),
            crafted_pfx(b"\x04\x02no", 2048),
        )
        .expect("write");
        let password =
            certkeeper_tests::support::secret_file(home.path(), "password.txt", "anything\n");
        let inspect = |password_file: Option<&std::path::Path>| {
            let mut command = certkeeper(home.path()).args(["--json", "inspect"]);
            if let Some(file) = password_file {
                command = command.arg("--password-file").arg(file);
            }
            let output = command.arg(drive.path()).output().expect("run certkeeper");
            let items: Vec<serde_json::Value> =
                serde_json::from_slice(&output.stdout).expect("JSON");
            let by_name = |name: &str| {
                items
                    .iter()
                    .find(|item| {
                        item["path"]
                            .as_str()
                            .is_some_and(|path| path.ends_with(name))
                    })
                    .cloned()
                    .unwrap_or_else(|| panic!("{name} in {items:#?}"))
            };
            (by_name("stall.pfx"), by_name("junk.pfx"))
        };
        // Only guessed, the empty password stops at a guess's budget: shown as locked.
        let (stall, junk) = inspect(None);
        assert_eq!(
            (stall["protected"].as_bool(), stall["opened"].as_bool()),
            (Some(true), Some(false)),
            "{stall:#}"
        );
        assert_eq!(stall["error"], serde_json::Value::Null);
        // Junk is named damaged, not protected.
        assert_eq!(
            (junk["protected"].as_bool(), junk["opened"].as_bool()),
            (Some(false), Some(false)),
            "{junk:#}"
        );
        assert!(
            junk["error"]
                .as_str()
                .is_some_and(|error| error.contains("damaged")),
            "{junk:#}"
        );
        // Given a password, the file is refused as built to stall, not worked through.
        let (stall, _) = inspect(Some(&password));
        assert!(
            stall["error"]
                .as_str()
                .is_some_and(|error| error.contains("more password checking work")),
            "{stall:#}"
        );
        // Imported, the junk file is unreadable, not a locked container.
        let archive = home.path().join("archive.db");
        let passphrase =
            certkeeper_tests::support::secret_file(home.path(), "passphrase.txt", "p\n");
        let archived = |args: &[&str]| {
            certkeeper(home.path())
                .arg("--archive")
                .arg(&archive)
                .arg("--passphrase-file")
                .arg(&passphrase)
                .args(args)
                .output()
                .expect("run certkeeper")
        };
        assert!(
            archived(&["init", "--allow-weak-passphrase"])
                .status
                .success()
        );
        std::fs::remove_file(drive.path().join("stall.pfx")).expect("remove");
        let output = archived(&["--json", "import", &drive.path().display().to_string()]);
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(
            summary["keys"].as_array().map(Vec::len),
            Some(0),
            "{summary:#}"
        );
        assert_eq!(
            summary["unreadable"].as_array().map(Vec::len),
            Some(1),
            "{summary:#}"
        );
    }

    #[test]
    fn control_characters_from_a_drive_never_reach_the_terminal_raw() {
        let home = temp_dir();
        let drive = temp_dir();
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("CA", KeyAlgorithm::EcP256);
        // A name that would set the terminal's title, clear the screen, return the cursor, and
        // reverse what follows.
        let user = openssl.issue(
            &ca,
            "/CN=Bob\x1b]0;owned\x07\x1b[2J\r\u{202E}fdp.exe",
            KeyAlgorithm::EcP256,
            30,
        );
        std::fs::copy(&user.cert, drive.path().join("evil\x1b[31m.cer")).expect("copy");
        // A real container whose name.key says the same: SEQUENCE { IA5String }.
        let container = drive.path().join("box.000");
        copy_dir(
            &vectors::folder("cryptopro").join("srv-emptypass"),
            &container,
        );
        let name = b"box\x1b]0;owned\x07\r";
        let mut name_key = vec![0x30, name.len() as u8 + 2, 0x16, name.len() as u8];
        name_key.extend_from_slice(name);
        std::fs::write(container.join("name.key"), name_key).expect("write");
        let passphrase =
            certkeeper_tests::support::secret_file(home.path(), "passphrase.txt", "p\n");
        let archive = home.path().join("archive.db");
        let run_it = |args: &[&str]| {
            let output = certkeeper(home.path())
                .arg("--archive")
                .arg(&archive)
                .arg("--passphrase-file")
                .arg(&passphrase)
                .args(args)
                .output()
                .expect("run certkeeper");
            for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
                let text = String::from_utf8_lossy(bytes);
                assert!(
                    !text.contains(['\x1b', '\x07', '\r', '\u{202E}']),
                    "{args:?} {stream}: {text:?}"
                );
            }
            String::from_utf8_lossy(&output.stdout).into_owned()
        };
        let inspected = run_it(&["inspect", &drive.path().display().to_string()]);
        assert!(
            inspected.contains("Bob\\x1B]0;owned\\x07\\x1B[2J\\x0D\\u{202E}fdp.exe"),
            "{inspected}"
        );
        assert!(inspected.contains("evil\\x1B[31m.cer"), "{inspected}");
        assert!(
            inspected.contains("box\\x1B]0;owned\\x07\\x0D"),
            "{inspected}"
        );
        run_it(&["init", "--allow-weak-passphrase"]);
        let imported = run_it(&["import", &drive.path().display().to_string()]);
        assert!(imported.contains("\\x1B"), "{imported}");
        let listed = run_it(&["list"]);
        assert!(listed.contains("Bob\\x1B]0;owned"), "{listed}");
        run_it(&["show", "1"]);
        run_it(&["show", "2"]);
        run_it(&[
            "media",
            "list",
            "--dir",
            &drive.path().display().to_string(),
        ]);
    }

    #[test]
    fn a_usb_drive_is_scanned_and_every_unreadable_file_is_reported() {
        let home = temp_dir();
        let drive = temp_dir();
        let vectors = vectors::folder("cryptopro");
        // A drive as users have it: container folders, loose certificates, a bundle, and junk.
        copy_dir(
            &vectors.join("g2012256"),
            &drive.path().join("keys").join("g2012256.000"),
        );
        copy_dir(
            &vectors.join("srv-emptypass"),
            &drive.path().join("srv.000"),
        );
        std::fs::copy(
            vectors.join("svkreml-00000000.cert.crt"),
            drive.path().join("asfdgh.cer"),
        )
        .expect("copy");
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("Bundle CA", KeyAlgorithm::EcP256);
        let user = openssl.issue(&ca, "/CN=Bundle user", KeyAlgorithm::EcP256, 30);
        let bundle = drive.path().join("chain.p7b");
        run(openssl
            .command()
            .args(["crl2pkcs7", "-nocrl", "-outform", "DER", "-certfile"])
            .arg(&ca.cert)
            .arg("-certfile")
            .arg(&user.cert)
            .arg("-out")
            .arg(&bundle));
        std::fs::write(drive.path().join("notes.txt"), "пароль от токена в сейфе").expect("write");
        let gost_ca = openssl.make_ca("GOST CA", KeyAlgorithm::Gost2012_256("TCA"));
        let gost_user = openssl.issue(
            &gost_ca,
            "/CN=Петров Пётр",
            KeyAlgorithm::Gost2012_256("TCA"),
            30,
        );
        let protected_pfx = openssl.pfx(&gost_user, "secret", PfxProtection::Gost);
        std::fs::copy(&protected_pfx, drive.path().join("petrov.pfx")).expect("copy");
        let open_pfx = openssl.pfx(&gost_user, "", PfxProtection::Aes256);
        std::fs::copy(&open_pfx, drive.path().join("petrov-open.p12")).expect("copy");
        let truncated = std::fs::read(vectors.join("svkreml-00000000.cert.crt")).expect("read");
        std::fs::write(drive.path().join("broken.cer"), &truncated[..300]).expect("write");

        let output = certkeeper(home.path())
            .args(["--json", "inspect"])
            .arg(drive.path())
            .output()
            .expect("run certkeeper");
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("JSON");
        let by_file = |name: &str| -> Vec<&serde_json::Value> {
            items
                .iter()
                .filter(|item| {
                    item["path"]
                        .as_str()
                        .is_some_and(|path| path.ends_with(name))
                })
                .collect()
        };
        assert_eq!(items.len(), 9, "{items:#?}");
        let protected = by_file("petrov.pfx")[0];
        assert_eq!(
            (
                protected["kind"].as_str(),
                protected["protected"].as_bool(),
                protected["opened"].as_bool()
            ),
            (Some("pkcs12"), Some(true), Some(false))
        );
        let open = by_file("petrov-open.p12")[0];
        assert_eq!(
            (open["protected"].as_bool(), open["opened"].as_bool()),
            (Some(false), Some(true)),
            "{open:#?}"
        );
        assert_eq!(open["keys"][0]["key_matches_certificate"], true);
        assert_eq!(open["certificates"][0]["subject_name"], "Петров Пётр");

        let container = by_file("g2012256.000")[0];
        assert_eq!(container["kind"], "container");
        assert_eq!(container["protected"], true);
        assert_eq!(container["opened"], false);
        assert_eq!(
            container["key_matches_certificate"],
            serde_json::Value::Null
        );
        assert_eq!(container["certificate"]["subject_name"], "user");
        let open = by_file("srv.000")[0];
        assert_eq!(open["protected"], false);
        assert_eq!(open["key_matches_certificate"], true);
        assert_eq!(
            by_file("asfdgh.cer")[0]["certificate"]["subject_name"],
            "asfdgh"
        );
        let chain = by_file("chain.p7b");
        assert_eq!(chain.len(), 2);
        assert!(chain.iter().all(|item| item["encoding"] == "pkcs7"));
        // A text is plainly not a key: another file, not an error.
        assert_eq!(by_file("notes.txt")[0]["kind"], "other");
        assert_eq!(by_file("notes.txt")[0]["what"], "text");
        let broken = by_file("broken.cer")[0];
        assert_eq!(broken["kind"], "unreadable");
        assert!(
            broken["reason"]
                .as_str()
                .is_some_and(|reason| !reason.is_empty())
        );
        // The listing goes to stdout; the summary with the next step to stderr.
        assert!(String::from_utf8_lossy(&output.stderr).contains("what to do:"));
    }

    #[test]
    fn keys_containers_and_files_open_with_the_password_file_and_a_wrong_one_says_so() {
        let home = temp_dir();
        let vectors = vectors::folder("cryptopro");
        let password = certkeeper_tests::support::secret_file(home.path(), "password", "1\n");
        let output = certkeeper(home.path())
            .args(["--json", "inspect", "--password-file"])
            .arg(&password)
            .arg(vectors.join("g2001"))
            .arg(vectors.join("g2012512"))
            .output()
            .expect("run certkeeper");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(items.len(), 2);
        for item in &items {
            assert_eq!(item["opened"], true);
            assert_eq!(item["key_matches_certificate"], true);
        }
        assert_eq!(items[0]["key_algorithm"], "GOST R 34.10-2001");
        assert_eq!(items[1]["key_algorithm"], "GOST R 34.10-2012 512");

        // Loose key files beside their certificates: a plain RSA key and a GOST key encrypted with "1".
        let openssl = OpenSsl::new();
        let folder = home.path().join("keys");
        std::fs::create_dir(&folder).expect("mkdir");
        let rsa_ca = openssl.make_ca("RSA CA", KeyAlgorithm::Rsa2048);
        let rsa = openssl.issue(&rsa_ca, "/CN=rsa", KeyAlgorithm::Rsa2048, 30);
        std::fs::copy(&rsa.key, folder.join("rsa.key")).expect("copy");
        std::fs::copy(&rsa.cert, folder.join("rsa.crt")).expect("copy");
        let gost_ca = openssl.make_ca("GOST CA", KeyAlgorithm::Gost2012_256("TCB"));
        let gost = openssl.issue(&gost_ca, "/CN=gost", KeyAlgorithm::Gost2012_256("TCB"), 30);
        run(openssl
            .command()
            .args([
                "pkcs8", "-topk8", "-v2", "gost89", "-passout", "pass:1", "-in",
            ])
            .arg(&gost.key)
            .arg("-out")
            .arg(folder.join("gost.key.pem")));
        std::fs::copy(&gost.cert, folder.join("gost.cer")).expect("copy");
        let output = certkeeper(home.path())
            .args(["--json", "inspect", "--password-file"])
            .arg(&password)
            .arg(&folder)
            .output()
            .expect("run certkeeper");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("JSON");
        let keys: Vec<&serde_json::Value> = items
            .iter()
            .filter(|item| item["kind"] == "private_key")
            .collect();
        assert_eq!(keys.len(), 2, "{items:#?}");
        for key in keys {
            assert_eq!(key["opened"], true, "{key:#?}");
            assert_eq!(key["key_matches_certificate"], true, "{key:#?}");
        }

        std::fs::write(&password, "2\n").expect("write");
        let output = certkeeper(home.path())
            .args(["inspect", "--password-file"])
            .arg(&password)
            .arg(vectors.join("g2012256"))
            .env("LANG", "ru_RU.UTF-8")
            .output()
            .expect("run certkeeper");
        assert_eq!(output.status.code(), Some(1));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("ошибка:       Неверный пароль контейнера."),
            "{stdout}"
        );
    }
}

mod archive {
    use super::certkeeper;
    use certkeeper_tests::support::temp_dir;

    #[test]
    fn init_creates_a_private_archive_once() {
        let home = temp_dir();
        let passphrase = certkeeper_tests::support::secret_file(
            home.path(),
            "passphrase",
            "долгий пароль архива\n",
        );
        let output = certkeeper(home.path())
            .args(["--json", "init", "--passphrase-file"])
            .arg(&passphrase)
            .output()
            .expect("run certkeeper");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let created: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let path = std::path::PathBuf::from(created["archive"].as_str().expect("path"));
        assert!(
            path.ends_with(".local/share/certkeeper/archive.db"),
            "{created}"
        );
        assert_eq!(created["kdf"]["algorithm"], "argon2id");
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&path).expect("archive").permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);
        // The passphrase is nowhere in the file.
        let bytes = std::fs::read(&path).expect("read");
        let needle = "долгий пароль архива".as_bytes();
        assert!(!bytes.windows(needle.len()).any(|window| window == needle));

        certkeeper(home.path())
            .args(["init", "--passphrase-file"])
            .arg(&passphrase)
            .assert()
            .code(1)
            .stderr_eq(format!(
                "error: There is already an archive (or another file) at {}.\n\
                 what to do: Use it as it is, or choose another file with --archive PATH.\n",
                path.display()
            ));
    }

    #[test]
    fn without_a_terminal_or_passphrase_file_init_says_what_to_do() {
        let home = temp_dir();
        certkeeper(home.path())
            .args(["init", "--allow-weak-passphrase"])
            .env("LANG", "ru_RU.UTF-8")
            .stdin(snapbox::Data::new())
            .assert()
            .code(1)
            .stderr_eq(
                "ошибка: Нет терминала, чтобы ввести пароль архива.\n\
                 что делать: Запишите его в файл, доступный только вам (chmod 600), и укажите в --passphrase-file \
                 или CERTKEEPER_PASSPHRASE_FILE.\n",
            );
        assert!(
            !home
                .path()
                .join(".local/share/certkeeper/archive.db")
                .exists()
        );
    }
}

mod import_and_list {
    use super::certkeeper;
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl};
    use certkeeper_tests::support::{temp_dir, vectors};

    #[test]
    fn a_drive_is_imported_once_and_listed_and_searched() {
        let home = temp_dir();
        let passphrase =
            certkeeper_tests::support::secret_file(home.path(), "passphrase", "архив\n");
        let archive = home.path().join("archive.db");
        let with_archive = || {
            certkeeper(home.path())
                .arg("--archive")
                .arg(&archive)
                .arg("--passphrase-file")
                .arg(&passphrase)
        };
        with_archive()
            .args(["init", "--allow-weak-passphrase"])
            .assert()
            .success();

        let drive = temp_dir();
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("Test CA", KeyAlgorithm::Gost2012_256("TCA"));
        let user = openssl.issue(
            &ca,
            "/CN=Смирнова Ольга/SNILS=11223344595",
            KeyAlgorithm::Gost2012_256("TCA"),
            20,
        );
        std::fs::copy(&user.cert, drive.path().join("smirnova.pem")).expect("copy");
        std::fs::copy(
            vectors::folder("cryptopro").join("svkreml-00000000.cert.crt"),
            drive.path().join("old.cer"),
        )
        .expect("copy");
        std::fs::write(drive.path().join("junk.bin"), b"\x00\x01garbage").expect("write");

        let output = with_archive()
            .args(["--json", "import"])
            .arg(drive.path())
            .output()
            .expect("run");
        assert_eq!(
            output.status.code(),
            Some(1),
            "junk.bin is reported: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(summary["added"], 2, "{summary}");
        assert_eq!(summary["already_there"], 0);
        assert_eq!(summary["unreadable"].as_array().map(Vec::len), Some(1));

        std::fs::remove_file(drive.path().join("junk.bin")).expect("remove");
        let output = with_archive()
            .args(["--json", "import"])
            .arg(drive.path())
            .output()
            .expect("run");
        assert!(output.status.success());
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(
            (summary["added"].as_u64(), summary["already_there"].as_u64()),
            (Some(0), Some(2))
        );

        let output = with_archive()
            .args(["--json", "list"])
            .output()
            .expect("run");
        let listed: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(listed.len(), 2);
        let output = with_archive()
            .args(["--json", "list", "--search", "11223344595"])
            .output()
            .expect("run");
        let found: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["subject_name"], "Смирнова Ольга");
        // The old certificate expired in 2021, the new one expires within 30 days.
        let output = with_archive()
            .args(["--json", "list", "--expiring-within", "30"])
            .output()
            .expect("run");
        let soon: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(soon.len(), 2);

        // `show` finds one certificate by its id or by its thumbprint as Windows prints it.
        let id = found[0]["id"].as_i64().expect("id");
        let thumbprint = found[0]["sha1_thumbprint"].as_str().expect("thumbprint");
        let output = with_archive()
            .args(["--json", "show", &id.to_string()])
            .output()
            .expect("run");
        assert!(output.status.success());
        let shown: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(shown["id"], id);
        assert_eq!(shown["certificate"]["snils"], "11223344595");
        assert_eq!(shown["certificate"]["sha1_thumbprint"], thumbprint);
        assert!(shown["certificate"]["key_parameters"].is_string());
        let spaced: String = thumbprint
            .to_lowercase()
            .as_bytes()
            .chunks(2)
            .map(|pair| String::from_utf8_lossy(pair).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let output = with_archive()
            .args(["show", &spaced])
            .env("LANG", "en_US.UTF-8")
            .output()
            .expect("run");
        assert!(output.status.success());
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.starts_with(&format!("Certificate {id}\n")), "{text}");
        assert!(text.contains("Смирнова Ольга"), "{text}");
        let output = with_archive()
            .args(["show", "0000000000000000000000000000000000000000"])
            .env("LANG", "en_US.UTF-8")
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&output.stderr).starts_with(
                "error: The archive holds no certificate 0000000000000000000000000000000000000000."
            ),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );

        let output = with_archive()
            .args(["--json", "verify"])
            .output()
            .expect("run");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(
            (report["sound"].as_bool(), report["audit_entries"].as_u64()),
            (Some(true), Some(2))
        );

        // The audit log names both additions, oldest first; the second import added nothing.
        let output = with_archive()
            .args(["--json", "audit"])
            .output()
            .expect("run");
        assert!(output.status.success());
        let entries: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(entries.len(), 2);
        assert!(entries[0]["id"].as_i64() < entries[1]["id"].as_i64());
        assert!(
            entries
                .iter()
                .all(|entry| entry["action"] == "certificate added")
        );
        assert!(
            entries
                .iter()
                .any(|entry| entry["subject"].as_str() == Some(thumbprint))
        );

        // A wrong passphrase: clear error, nothing changed.
        std::fs::write(&passphrase, "не тот\n").expect("write");
        let output = with_archive().arg("list").output().expect("run");
        assert_eq!(output.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&output.stderr)
                .starts_with("error: The archive passphrase is wrong; nothing was changed.")
        );
    }
}

mod keys {
    use std::path::Path;

    use super::certkeeper;
    use certkeeper_core::formats::cryptopro;
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};
    use certkeeper_tests::support::{copy_dir, run, secret_file, temp_dir, vectors};
    use secrecy::SecretString;

    fn json(output: &std::process::Output) -> serde_json::Value {
        assert!(
            output.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("JSON")
    }

    /// The key's public half as OpenSSL sees it in a certificate and in a key file: equal when the
    /// key belongs to the certificate.
    fn public_of_certificate(openssl: &OpenSsl, certificate: &Path, inform: &str) -> Vec<u8> {
        run(openssl
            .command()
            .args(["x509", "-noout", "-pubkey", "-inform", inform, "-in"])
            .arg(certificate))
        .stdout
    }

    #[test]
    fn containers_pfx_and_key_files_are_archived_locked_or_unlocked_and_exported_for_openssl() {
        let home = temp_dir();
        let work = temp_dir();
        let passphrase = secret_file(work.path(), "passphrase", "архив");
        let archive = work.path().join("archive.db");
        let with_archive = || {
            let mut command = certkeeper(home.path())
                .arg("--archive")
                .arg(&archive)
                .arg("--passphrase-file")
                .arg(&passphrase)
                .stdin(snapbox::Data::new());
            command = command.env("CERTKEEPER_LANG", "en");
            command
        };
        with_archive()
            .args(["init", "--allow-weak-passphrase"])
            .assert()
            .success();

        // A drive: real CryptoPro containers (password "1", none, "123456"), a GOST PFX made by
        // OpenSSL (password "pfx-пароль") and an encrypted RSA key file with its certificate.
        let drive = temp_dir();
        let real = vectors::folder("cryptopro");
        for name in ["g2012256", "srv-emptypass", "svkreml-00000000"] {
            copy_dir(&real.join(name), &drive.path().join(name));
        }
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("Test CA", KeyAlgorithm::Gost2012_256("TCA"));
        let gost = openssl.issue(
            &ca,
            "/CN=Кузнецов/SNILS=11223344595",
            KeyAlgorithm::Gost2012_512("A"),
            90,
        );
        let pfx = openssl.pfx(&gost, "pfx-пароль", PfxProtection::Gost);
        std::fs::copy(&pfx, drive.path().join("kuznetsov.pfx")).expect("copy");
        let rsa = openssl.issue(&ca, "/CN=Kuznetsov RSA", KeyAlgorithm::Rsa2048, 90);
        std::fs::copy(&rsa.cert, drive.path().join("rsa.pem")).expect("copy");
        run(openssl
            .command()
            .args([
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-passout",
                "pass:1",
                "-in",
            ])
            .arg(&rsa.key)
            .arg("-out")
            .arg(drive.path().join("rsa.key")));

        // No password given and no terminal: the unprotected container gives its key, the others
        // are archived locked.
        let summary = json(
            &with_archive()
                .args(["--json", "import"])
                .arg(drive.path())
                .output()
                .expect("run"),
        );
        let status = |summary: &serde_json::Value, name: &str| -> (String, u64) {
            let key = summary["keys"]
                .as_array()
                .expect("keys")
                .iter()
                .find(|key| {
                    key["path"]
                        .as_str()
                        .is_some_and(|path| path.ends_with(name))
                })
                .unwrap_or_else(|| panic!("{name} in {summary}"));
            (
                key["status"].as_str().expect("status").to_owned(),
                key["new_keys"].as_u64().expect("new_keys"),
            )
        };
        assert_eq!(status(&summary, "srv-emptypass"), ("archived".into(), 1));
        for name in ["g2012256", "svkreml-00000000", "kuznetsov.pfx", "rsa.key"] {
            assert_eq!(status(&summary, name), ("locked".into(), 0), "{name}");
        }
        assert_eq!(
            summary["added"], 4,
            "3 in containers, rsa.pem; the PFX is locked"
        );

        // With the password "1": the container and the key file open now; the others do not, and
        // the import says so in its exit status.
        let one = secret_file(work.path(), "one", "1");
        let output = with_archive()
            .args(["--json", "import", "--password-file"])
            .arg(&one)
            .arg(drive.path())
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(1), "two containers stay locked");
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(status(&summary, "g2012256"), ("already_there".into(), 1));
        assert_eq!(status(&summary, "rsa.key"), ("already_there".into(), 1));
        assert_eq!(
            status(&summary, "srv-emptypass"),
            ("already_there".into(), 0)
        );
        assert_eq!(
            status(&summary, "svkreml-00000000"),
            ("wrong_password".into(), 0)
        );
        assert_eq!(
            status(&summary, "kuznetsov.pfx"),
            ("wrong_password".into(), 0)
        );
        // The PFX's password, kept in the archive on request.
        let pfx_password = secret_file(work.path(), "pfx", "pfx-пароль");
        let summary = json(
            &with_archive()
                .args(["--json", "import", "--keep-passwords", "--password-file"])
                .arg(&pfx_password)
                .arg(drive.path().join("kuznetsov.pfx"))
                .output()
                .expect("run"),
        );
        assert_eq!(
            status(&summary, "kuznetsov.pfx"),
            ("already_there".into(), 1)
        );
        assert_eq!(summary["added"], 1, "the PFX's certificate");

        let listed = json(
            &with_archive()
                .args(["--json", "list"])
                .output()
                .expect("run"),
        );
        let listed = listed.as_array().expect("array");
        let find = |name: &str| {
            listed
                .iter()
                .find(|item| item["subject_name"] == name)
                .unwrap_or_else(|| panic!("{name} listed"))
        };
        assert_eq!(
            find("asfdgh")["has_private_key"],
            false,
            "svkreml is locked"
        );
        for name in ["user", "test.91.gost.dev", "Кузнецов", "Kuznetsov RSA"] {
            assert_eq!(find(name)["has_private_key"], true, "{name}");
        }

        // Export the locked key: without its container password and no terminal, a clear refusal.
        let out = work.path().join("asfdgh.pfx");
        let new_password = secret_file(work.path(), "new", "новый пароль");
        let id = find("asfdgh")["id"].to_string();
        let output = with_archive()
            .args(["export", &id, "--format", "pfx", "--out"])
            .arg(&out)
            .arg("--password-file")
            .arg(&new_password)
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--key-password-file"), "{stderr}");
        assert!(!out.exists());
        let svkreml_password = secret_file(work.path(), "svkreml", "123456");
        with_archive()
            .args(["export", &id, "--format", "pfx", "--out"])
            .arg(&out)
            .arg("--password-file")
            .arg(&new_password)
            .arg("--key-password-file")
            .arg(&svkreml_password)
            .assert()
            .success();
        // OpenSSL opens the PFX with the new password, and the key in it belongs to the certificate.
        let opened = run(openssl
            .command()
            .args(["pkcs12", "-nodes", "-passin", "pass:новый пароль", "-in"])
            .arg(&out))
        .stdout;
        let pem = work.path().join("asfdgh-opened.pem");
        std::fs::write(&pem, &opened).expect("write");
        let key_public = run(openssl.command().args(["pkey", "-pubout", "-in"]).arg(&pem)).stdout;
        assert_eq!(key_public, public_of_certificate(&openssl, &pem, "PEM"));
        // The key was taken out once and kept: it is unlocked in the archive now.
        let listed = json(
            &with_archive()
                .args(["--json", "list"])
                .output()
                .expect("run"),
        );
        assert!(
            listed
                .as_array()
                .expect("array")
                .iter()
                .any(|item| item["subject_name"] == "asfdgh" && item["has_private_key"] == true)
        );

        // Every format for the real 2012-256 container's certificate.
        let id = find("user")["id"].to_string();
        let exported = |format: &str, name: &str| {
            let out = work.path().join(name);
            with_archive()
                .args(["export", &id, "--format", format, "--out"])
                .arg(&out)
                .arg("--password-file")
                .arg(&new_password)
                .assert()
                .success();
            out
        };
        let der = exported("der", "user.cer");
        let pem = exported("pem", "user.pem");
        assert_eq!(
            public_of_certificate(&openssl, &der, "DER"),
            public_of_certificate(&openssl, &pem, "PEM")
        );
        let pkcs8 = exported("pkcs8", "user.key");
        let key_public = run(openssl
            .command()
            .args(["pkey", "-pubout", "-passin", "pass:новый пароль", "-in"])
            .arg(&pkcs8))
        .stdout;
        assert_eq!(key_public, public_of_certificate(&openssl, &der, "DER"));
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(
                &std::fs::metadata(&pkcs8).expect("metadata").permissions()
            ) & 0o777,
            0o600
        );
        let container = exported("cryptopro", "user.000");
        let reopened = cryptopro::open(&container, &SecretString::from("новый пароль".to_owned()))
            .expect("the exported container opens");
        let expected = std::fs::read_to_string(real.join("g2012256.expected-d.le.hex"))
            .expect("expected scalar");
        let scalar: String = reopened
            .key
            .to_le_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(scalar, expected.trim().to_lowercase());
        assert_eq!(
            reopened.header.certificate.as_deref(),
            Some(&std::fs::read(&der).expect("der")[..])
        );

        // Nothing is overwritten.
        let before = std::fs::read(&pkcs8).expect("read");
        let output = with_archive()
            .args(["export", &id, "--format", "pkcs8", "--out"])
            .arg(&pkcs8)
            .arg("--password-file")
            .arg(&new_password)
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
        assert_eq!(std::fs::read(&pkcs8).expect("read"), before);
        let report = json(
            &with_archive()
                .args(["--json", "verify"])
                .output()
                .expect("run"),
        );
        assert_eq!(report["sound"], true, "{report}");
        assert_eq!(report["damaged_secrets"].as_array().map(Vec::len), Some(0));
        let audit = json(
            &with_archive()
                .args(["--json", "audit"])
                .output()
                .expect("run"),
        );
        let actions: Vec<&str> = audit
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|entry| entry["action"].as_str())
            .collect();
        assert_eq!(
            actions
                .iter()
                .filter(|action| **action == "private key added")
                .count(),
            5,
            "srv, g2012256, rsa, the PFX's key, svkreml at export: {actions:?}"
        );
        assert_eq!(
            actions
                .iter()
                .filter(|action| **action == "container password kept")
                .count(),
            1
        );
    }

    #[test]
    fn a_certificate_without_its_key_exports_as_a_certificate_only() {
        let home = temp_dir();
        let work = temp_dir();
        let passphrase = secret_file(work.path(), "passphrase", "p");
        let archive = work.path().join("archive.db");
        let with_archive = || {
            certkeeper(home.path())
                .arg("--archive")
                .arg(&archive)
                .arg("--passphrase-file")
                .arg(&passphrase)
                .stdin(snapbox::Data::new())
                .env("CERTKEEPER_LANG", "ru")
        };
        with_archive()
            .args(["init", "--allow-weak-passphrase"])
            .assert()
            .success();
        with_archive()
            .arg("import")
            .arg(vectors::folder("cryptopro").join("svkreml-00000000.cert.crt"))
            .assert()
            .success();
        let out = work.path().join("key.pfx");
        let output = with_archive()
            .args(["export", "1", "--format", "pfx", "--out"])
            .arg(&out)
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with("ошибка: В архиве есть сертификат 1, но нет его закрытого ключа."),
            "{stderr}"
        );
        assert!(!out.exists());
        with_archive()
            .args(["export", "1", "--format", "der", "--out"])
            .arg(&out)
            .assert()
            .success();
        assert_eq!(
            std::fs::read(&out).expect("read"),
            std::fs::read(vectors::folder("cryptopro").join("svkreml-00000000.cert.crt"))
                .expect("read")
        );
    }
}

mod terminal {
    use certkeeper_tests::support::{bin, require_program, temp_dir, vectors};

    /// Runs `command` at a real terminal (`script`, from util-linux), `typed` being what the person
    /// types; English messages.
    fn at_terminal(command: &str, typed: &str) -> std::process::Output {
        let script = require_program("script", "bsdutils");
        let mut child = std::process::Command::new(&script)
            .args(["-qec", command, "/dev/null"])
            .env("CERTKEEPER_LANG", "en")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("script");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), typed.as_bytes())
            .expect("type");
        child.wait_with_output().expect("wait")
    }

    /// At a terminal, each container whose password is not known is asked for once, in the order
    /// found; the answers unlock them. `script` (util-linux) gives certkeeper a real terminal, and
    /// what is written to its input is what the person types.
    #[test]
    fn at_a_terminal_each_locked_container_is_asked_for_once() {
        let work = temp_dir();
        let drive = work.path().join("drive");
        for name in ["g2012256", "svkreml-00000000"] {
            certkeeper_tests::support::copy_dir(
                &vectors::folder("cryptopro").join(name),
                &drive.join(name),
            );
        }
        let passphrase = certkeeper_tests::support::secret_file(work.path(), "passphrase", "p");
        let archive = work.path().join("archive.db");
        let certkeeper = |args: &str| {
            format!(
                "{} --archive {} --passphrase-file {} {args}",
                bin::certkeeper().display(),
                archive.display(),
                passphrase.display()
            )
        };
        let run_at_terminal = |command: String, typed: &str| {
            let output = at_terminal(&command, typed);
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stdout)
            );
            String::from_utf8_lossy(&output.stdout).into_owned()
        };
        run_at_terminal(certkeeper("init --allow-weak-passphrase"), "");
        let screen = run_at_terminal(
            certkeeper(&format!("import {}", drive.display())),
            "1\n123456\n",
        );
        assert_eq!(
            screen.matches("Password of «g2012256»").count(),
            1,
            "{screen}"
        );
        assert_eq!(
            screen
                .matches("Password of «00000000-14bf-4902-b265-c9c6d9bb63a7»")
                .count(),
            1,
            "{screen}"
        );
        assert_eq!(
            screen.matches("archived with its key").count(),
            2,
            "{screen}"
        );
        // Enter alone archives the container locked; it is not asked again within the run.
        let again = run_at_terminal(certkeeper(&format!("import {}", drive.display())), "\n\n");
        assert_eq!(
            again.matches("Password of").count(),
            0,
            "known keys: {again}"
        );
    }

    /// A new passphrase or password is typed twice at the terminal, by the terminal's prompt
    /// itself: two different entries create nothing and say so; the same twice creates the archive.
    #[test]
    fn at_a_terminal_a_new_archive_passphrase_is_typed_twice() {
        let work = temp_dir();
        let archive = work.path().join("archive.db");
        let init = format!(
            "{} --archive {} init",
            bin::certkeeper().display(),
            archive.display()
        );
        let differ = at_terminal(&init, "первая\nвторая\n");
        let screen = String::from_utf8_lossy(&differ.stdout);
        assert!(!differ.status.success(), "{screen}");
        assert!(screen.contains("New archive passphrase: "), "{screen}");
        assert!(screen.contains("Repeat it: "), "{screen}");
        assert!(
            screen.contains("The two passphrases you typed differ"),
            "{screen}"
        );
        assert!(!archive.exists());
        let same = at_terminal(&init, "одна и та же\nодна и та же\n");
        let screen = String::from_utf8_lossy(&same.stdout);
        assert!(same.status.success(), "{screen}");
        assert!(archive.exists());
    }
}

mod maintenance {
    use super::certkeeper;
    use certkeeper_tests::support::{secret_file, temp_dir, vectors};

    #[test]
    fn wrong_passphrase_passwd_backup_and_restore_from_the_command_line() {
        let home = temp_dir();
        let work = temp_dir();
        let archive = work.path().join("archive.db");
        let first = secret_file(work.path(), "first", "первая фраза");
        let second = secret_file(work.path(), "second", "вторая фраза");
        let wrong = secret_file(work.path(), "wrong", "не та фраза");
        let with = |passphrase: &std::path::Path| {
            certkeeper(home.path())
                .arg("--archive")
                .arg(&archive)
                .arg("--passphrase-file")
                .arg(passphrase)
                .stdin(snapbox::Data::new())
        };
        with(&first)
            .args(["init", "--allow-weak-passphrase"])
            .assert()
            .success();
        with(&first)
            .arg("import")
            .arg(vectors::folder("cryptopro").join("srv-emptypass"))
            .assert()
            .success();
        let before = std::fs::read(&archive).expect("read");

        // A wrong passphrase: a clear message, and the file is as it was.
        with(&wrong)
            .args(["passwd", "--new-passphrase-file"])
            .arg(&second)
            .assert()
            .code(1)
            .stderr_eq(
                "error: The archive passphrase is wrong; nothing was changed.\n\
                 what to do: Check the keyboard layout and Caps Lock and try again; a forgotten passphrase cannot be recovered.\n",
            );
        assert_eq!(std::fs::read(&archive).expect("read"), before);

        let backup = work.path().join("backup.db");
        with(&first).arg("backup").arg(&backup).assert().success();
        with(&first)
            .args(["passwd", "--new-passphrase-file"])
            .arg(&second)
            .assert()
            .success();
        with(&first).arg("list").assert().code(1);
        with(&second).arg("list").assert().success();
        // The backup keeps the passphrase of its day; restoring it brings that passphrase back.
        with(&second).arg("restore").arg(&backup).assert().code(1);
        let output = with(&first)
            .args(["--json", "restore"])
            .arg(&backup)
            .output()
            .expect("run");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let restored: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(restored["certificates"], 1);
        let kept = restored["previous_kept_at"]
            .as_str()
            .expect("kept")
            .to_owned();
        assert!(kept.ends_with("archive.db.before-restore"), "{kept}");
        with(&first).arg("verify").assert().success();
        // The replaced archive is kept, and opens with the passphrase it had.
        certkeeper(home.path())
            .arg("--archive")
            .arg(&kept)
            .arg("--passphrase-file")
            .arg(&second)
            .arg("verify")
            .assert()
            .success();
        // The private key came back with the backup.
        let output = with(&first).args(["--json", "list"]).output().expect("run");
        let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(listed[0]["has_private_key"], true);
    }
}

/// Where a file was seen is kept as an absolute, canonical path: an import from a relative path,
/// and again through `..`, records one place, which means something later and elsewhere.
#[test]
fn where_a_file_was_seen_is_one_absolute_path_however_it_was_named() {
    use certkeeper_tests::support::bin::ScratchArchive;
    use certkeeper_tests::support::{run, vectors};
    let scratch = ScratchArchive::new("seen-at passphrase 7");
    let work = scratch.work.path();
    let certs = work.join("certs");
    std::fs::create_dir(&certs).expect("a folder");
    std::fs::copy(
        vectors::folder("cryptopro").join("g2012256.expected.pem"),
        certs.join("anna.pem"),
    )
    .expect("copy a certificate");
    run(scratch.cli().current_dir(work).args(["import", "certs"]));
    run(scratch
        .cli()
        .current_dir(&certs)
        .args(["import", "../certs/./anna.pem"]));
    let listed = run(scratch.cli().args(["--json", "list"]));
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let thumbprint = listed[0]["sha1_thumbprint"].as_str().expect("thumbprint");
    let shown = run(scratch.cli().args(["--json", "show", thumbprint]));
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("JSON");
    let seen = certkeeper_tests::support::seen_at(&shown);
    let expected = std::fs::canonicalize(certs.join("anna.pem")).expect("canonical");
    assert_eq!(seen, [expected.to_str().expect("UTF-8")], "{shown}");
}

/// An import counts certificates, not files: the real container and the PEM of its certificate
/// are one certificate added, and once more one certificate already there.
#[test]
fn an_import_counts_certificates_not_the_files_that_hold_them() {
    use certkeeper_tests::support::bin::ScratchArchive;
    use certkeeper_tests::support::{copy_dir, run, vectors};
    let scratch = ScratchArchive::new("counting passphrase 3");
    let drive = scratch.work.path().join("drive");
    let cryptopro = vectors::folder("cryptopro");
    copy_dir(&cryptopro.join("g2012256"), &drive.join("g2012256"));
    std::fs::copy(
        cryptopro.join("g2012256.expected.pem"),
        drive.join("user.pem"),
    )
    .expect("copy the certificate");
    for (added, already_there) in [(1, 0), (0, 1)] {
        let output = run(scratch.cli().args(["--json", "import"]).arg(&drive));
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(summary["added"], added, "{summary}");
        assert_eq!(summary["already_there"], already_there, "{summary}");
    }
}

/// A container left locked because the password given does not open it is not a success: the
/// import says so and exits 1 (it is archived locked all the same, and opens later with the right
/// password).
#[test]
fn an_import_whose_password_opens_no_container_does_not_exit_0() {
    use certkeeper_tests::support::bin::ScratchArchive;
    use certkeeper_tests::support::{copy_dir, secret_file, vectors};
    let scratch = ScratchArchive::new("wrong-password passphrase 5");
    let drive = scratch.work.path().join("drive");
    copy_dir(
        &vectors::folder("cryptopro").join("g2012256"),
        &drive.join("g2012256"),
    );
    let wrong = secret_file(scratch.work.path(), "wrong", "not-this-one\n");
    let output = scratch
        .cli()
        .arg("import")
        .arg(&drive)
        .arg("--password-file")
        .arg(&wrong)
        .output()
        .expect("import");
    let said = String::from_utf8_lossy(&output.stdout);
    let error = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{said}\n{error}");
    assert!(said.contains("the password does not open it"), "{said}");
    assert!(
        error.contains("does not open 1 of the key containers"),
        "{error}"
    );
}

/// `--help` in Russian (CERTKEEPER_LANG=ru, or a Russian locale): every description, clap's own
/// headings and words, defaults and variables are in Russian; English stays English.
#[test]
fn help_is_in_the_users_language() {
    use certkeeper_tests::support::bin;
    let help = |lang: &str, args: &[&str]| {
        let output = std::process::Command::new(bin::certkeeper())
            .args(args)
            .env("CERTKEEPER_LANG", lang)
            .output()
            .expect("certkeeper --help");
        assert!(output.status.success(), "{output:?}");
        // As one line: clap wraps the text to the terminal.
        String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let russian = help("ru", &["--help"]);
    for said in [
        "Хранит все сертификаты квалифицированной электронной подписи",
        "Использование: certkeeper",
        "Команды:",
        "Параметры:",
        "Показать справку",
        "Показать версию",
        "[переменная окружения: CERTKEEPER_ARCHIVE]",
        "Код завершения: 0 успех",
    ] {
        assert!(russian.contains(said), "{said:?} missing in:\n{russian}");
    }
    for english in [
        "Usage:",
        "Commands:",
        "Options:",
        "Print help",
        "[env:",
        "Keeps every",
    ] {
        assert!(!russian.contains(english), "{english:?} in:\n{russian}");
    }
    // A command's own help, with an argument, a default and a value list.
    let expiry = help("ru", &["expiry", "--help"]);
    assert!(
        expiry.contains("На сколько дней вперёд смотреть [по умолчанию: 30]"),
        "{expiry}"
    );
    let completions = help("ru", &["completions", "--help"]);
    assert!(
        completions.contains("Аргументы:") && completions.contains("[значения: bash"),
        "{completions}"
    );
    // The same from a Russian locale with no CERTKEEPER_LANG.
    let output = std::process::Command::new(bin::certkeeper())
        .args(["request", "new", "--help"])
        .env_remove("CERTKEEPER_LANG")
        .env("LANG", "ru_RU.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .expect("certkeeper --help");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("Создать ключ и запрос на сертификат"),
        "{text}"
    );
    let english = help("en", &["--help"]);
    assert!(
        english.contains("Usage: certkeeper") && english.contains("Keeps every"),
        "{english}"
    );
}

/// Russian output speaks Russian: a qualified certificate's fields (ИНН, СНИЛС), its algorithm
/// (ГОСТ Р) and dates as Russians write them (14.12.2026) in `show`, `list` and `expiry`; the JSON
/// stays as it was (RFC 3339, UTC).
#[test]
fn russian_output_has_russian_words_and_dates() {
    use certkeeper_tests::support::{bin, run, secret_file, vectors};
    let work = temp_dir();
    let passphrase = secret_file(work.path(), "passphrase", "quiet-river-5");
    let archive = work.path().join("archive.db");
    let cli = |lang: &str| {
        let mut command = bin::on_archive(&archive, &passphrase);
        command.env("CERTKEEPER_LANG", lang);
        command
    };
    run(cli("en").args(["init", "--allow-weak-passphrase"]));
    // A person's qualified certificate (INN 121519331820, SNILS 02504715314; GOST 2012-256;
    // until 2020-12-24).
    let person = vectors::folder("realworld")
        .join("certs")
        .join("cryptoarm")
        .join("qual_cert2012.cer");
    run(cli("en").arg("import").arg(&person));
    let text = |command: &mut std::process::Command| {
        String::from_utf8_lossy(&run(command).stdout).into_owned()
    };
    let listed: serde_json::Value =
        serde_json::from_str(&text(cli("en").args(["--json", "list"]))).expect("JSON");
    let not_after = listed[0]["not_after"]
        .as_str()
        .expect("not_after")
        .to_owned();
    assert!(
        not_after.starts_with("2020-12-2") && not_after.ends_with('Z'),
        "{listed}"
    );
    let id = listed[0]["id"].to_string();
    let shown = text(cli("ru").args(["show", &id]));
    for said in [
        "ИНН:",
        "СНИЛС:",
        "ГОСТ Р 34.10-2012",
        ".12.2020 ",
        "серийный №:",
    ] {
        assert!(shown.contains(said), "{said:?} missing in:\n{shown}");
    }
    for english in ["INN:", "SNILS:", "GOST R", "2020-12-"] {
        assert!(!shown.contains(english), "{english:?} in:\n{shown}");
    }
    let english = text(cli("en").args(["show", &id]));
    assert!(
        english.contains("INN:")
            && english.contains("GOST R 34.10-2012")
            && english.contains("2020-12-"),
        "{english}"
    );
    let list = text(cli("ru").arg("list"));
    assert!(
        list.contains(".12.2020") && list.contains("ГОСТ Р") && !list.contains("2020-12-"),
        "{list}"
    );
    // Within the 30 days after the end, expiry lists it, dated the Russian way.
    let expiry = cli("ru")
        .arg("expiry")
        .env("CERTKEEPER_NOW", "2020-12-30")
        .output()
        .expect("expiry");
    let expiry = String::from_utf8_lossy(&expiry.stdout);
    assert!(
        expiry.contains(".12.2020") && !expiry.contains("2020-12-"),
        "{expiry}"
    );
}

/// `init` and `passwd` refuse a passphrase below the strength floor, saying why and how to make a
/// strong one, and create or change nothing; `--allow-weak-passphrase` (or
/// CERTKEEPER_ALLOW_WEAK_PASSPHRASE=1) is the explicit override for scripts.
#[test]
fn a_weak_archive_passphrase_is_refused_unless_the_risk_is_accepted() {
    use certkeeper_tests::support::{bin, secret_file};
    let work = temp_dir();
    let archive = work.path().join("archive.db");
    let weak = secret_file(work.path(), "weak", "qwerty123\n");
    let short = secret_file(work.path(), "short", "Kx7-mn2p\n");
    let strong = secret_file(work.path(), "strong", "зелёный чайник летит над морем\n");
    let certkeeper = |passphrase: &std::path::Path, lang: &str| {
        let mut command = std::process::Command::new(bin::certkeeper());
        command
            .arg("--archive")
            .arg(&archive)
            .arg("--passphrase-file")
            .arg(passphrase)
            .env("CERTKEEPER_LANG", lang)
            .env_remove("CERTKEEPER_ALLOW_WEAK_PASSPHRASE")
            .stdin(std::process::Stdio::null());
        command
    };
    let refused = |command: &mut std::process::Command| {
        let output = command.output().expect("certkeeper");
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let said = refused(certkeeper(&weak, "en").arg("init"));
    assert!(
        said.contains("This passphrase is too weak for the archive: it is one of the passwords every guesser tries first.")
            && said.contains("four or more unrelated words")
            && said.contains("--allow-weak-passphrase")
            && !said.contains("qwerty"),
        "{said}"
    );
    let said = refused(certkeeper(&short, "ru").arg("init"));
    assert!(
        said.contains("Этот пароль слишком слаб для архива: в нём всего 8 символов."),
        "{said}"
    );
    assert!(!archive.exists(), "nothing created");
    // The override, as a flag and as a variable.
    let output = certkeeper(&short, "en")
        .args(["init", "--allow-weak-passphrase"])
        .output()
        .expect("init");
    assert!(output.status.success(), "{output:?}");
    std::fs::remove_file(&archive).expect("remove");
    let output = certkeeper(&strong, "en")
        .arg("init")
        .output()
        .expect("init");
    assert!(output.status.success(), "{output:?}");
    // passwd: the same floor; the archive keeps its passphrase.
    let said = refused(
        certkeeper(&strong, "en")
            .args(["passwd", "--new-passphrase-file"])
            .arg(&weak),
    );
    assert!(said.contains("too weak"), "{said}");
    let output = certkeeper(&strong, "en")
        .args(["passwd", "--new-passphrase-file"])
        .arg(&short)
        .env("CERTKEEPER_ALLOW_WEAK_PASSPHRASE", "1")
        .output()
        .expect("passwd");
    assert!(output.status.success(), "{output:?}");
    let output = certkeeper(&short, "en").arg("list").output().expect("list");
    assert!(output.status.success(), "{output:?}");
}

/// A real drive holds photos, office documents, texts and films beside the keys: they are counted
/// as other files, not errors, and the import exits 0; a file named as a certificate that is
/// damaged is still an error (exit 1). At a terminal a long import shows a progress bar on
/// standard error; piped, it shows none.
#[test]
fn photos_and_documents_on_a_drive_are_other_files_and_a_terminal_gets_a_progress_bar() {
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};
    use certkeeper_tests::support::{bin, require_program, run, secret_file};
    let work = temp_dir();
    let drive = work.path().join("drive");
    let photos = drive.join("Фото");
    std::fs::create_dir_all(&photos).expect("mkdir");
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("Drive CA", KeyAlgorithm::Rsa2048);
    let issued = openssl.issue(&ca, "/CN=Владелец", KeyAlgorithm::Rsa2048, 30);
    std::fs::copy(&issued.cert, drive.join("owner.cer")).expect("copy");
    // The owner's key and certificate as `openssl pkcs12` writes them out: PEM after lines of
    // text ("Bag Attributes"), a key file for all that.
    let pfx = openssl.pfx(&issued, "1", PfxProtection::Aes256);
    run(openssl
        .command()
        .args(["pkcs12", "-noenc", "-passin", "pass:1", "-in"])
        .arg(&pfx)
        .arg("-out")
        .arg(drive.join("owner-bag.pem")));
    assert!(
        std::fs::read_to_string(drive.join("owner-bag.pem"))
            .expect("read")
            .starts_with("Bag Attributes")
    );
    // What an office drive holds, each with its real signature.
    std::fs::write(
        photos.join("IMG_0001.JPG"),
        b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00",
    )
    .expect("jpeg");
    std::fs::write(
        photos.join("scan.png"),
        b"\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR",
    )
    .expect("png");
    std::fs::write(drive.join("Договор.docx"), b"PK\x03\x04\x14\x00\x06\x00").expect("docx");
    std::fs::write(
        drive.join("Отчёт.xls"),
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00",
    )
    .expect("xls");
    std::fs::write(drive.join("Счёт.pdf"), b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n").expect("pdf");
    std::fs::write(
        drive.join("readme.txt"),
        "Пароль от контейнера у бухгалтера\n",
    )
    .expect("txt");
    // A film larger than any key file.
    let film = std::fs::File::create(photos.join("Новый год.mp4")).expect("film");
    film.set_len(20 << 20).expect("20 MiB");
    let passphrase = secret_file(work.path(), "passphrase", "p");
    let archive = work.path().join("archive.db");
    let cli = || {
        let mut command = bin::on_archive(&archive, &passphrase);
        command.env("CERTKEEPER_LANG", "en");
        command
    };
    run(cli().args(["init", "--allow-weak-passphrase"]));
    let output = cli().arg("import").arg(&drive).output().expect("import");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("Certificates added: 1")
            && text.contains("Other files (not certificates or keys), left as they are: 7")
            && text.contains("owner-bag.pem «owner-bag.pem»: archived with its key")
            && !text.contains("cannot read"),
        "{text}"
    );
    // Piped: no bar, no terminal control characters.
    assert!(
        !output.stderr.contains(&b'\r') && !output.stderr.contains(&0x1B),
        "{output:?}"
    );
    let json = cli()
        .args(["--json", "import"])
        .arg(&drive)
        .output()
        .expect("import");
    let summary: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(summary["other_files"], 7, "{summary}");
    assert_eq!(summary["unreadable"].as_array().map(Vec::len), Some(0));
    // A damaged certificate file is an error still.
    std::fs::write(drive.join("broken.cer"), b"\x30\x82\x01\x00 not DER").expect("broken");
    let output = cli().arg("import").arg(&drive).output().expect("import");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    std::fs::remove_file(drive.join("broken.cer")).expect("remove");

    // At a terminal, a drive of many files shows the bar (then clears it).
    let many = work.path().join("many");
    std::fs::create_dir_all(&many).expect("mkdir");
    for index in 0..120 {
        std::fs::write(many.join(format!("note-{index}.txt")), "заметка").expect("note");
    }
    let script = require_program("script", "bsdutils");
    let command = format!(
        "{} --archive {} --passphrase-file {} import {}",
        bin::certkeeper().display(),
        archive.display(),
        passphrase.display(),
        many.display()
    );
    let output = std::process::Command::new(&script)
        .args(["-qec", &command, "/dev/null"])
        .env("CERTKEEPER_LANG", "en")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script");
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert!(
        screen.contains("Importing [") && screen.contains("/120") && screen.contains("\x1b[K"),
        "{screen:?}"
    );
    assert!(screen.contains("left as they are: 120"), "{screen}");
}

/// The manual pages (`package-files`, for the packages) come from the command-line definition: one
/// for certkeeper and one per visible command, in English and in Russian, and `man -l` renders each
/// with no complaint.
#[test]
fn manual_pages_are_made_for_every_command_in_both_languages() {
    use certkeeper_tests::support::{bin, require_program, run};
    let man = require_program("man", "man-db");
    let work = temp_dir();
    run(std::process::Command::new(bin::certkeeper())
        .args(["package-files", "--out"])
        .arg(work.path()));
    for lang in ["en", "ru"] {
        let out = work.path().join(if lang == "ru" {
            "man/ru/man1"
        } else {
            "man/man1"
        });
        let mut pages: Vec<String> = std::fs::read_dir(&out)
            .expect("pages")
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        pages.sort();
        for expected in [
            "certkeeper.1",
            "certkeeper-import.1",
            "certkeeper-remind-list.1",
            "certkeeper-request-new.1",
            "certkeeper-hide.1",
        ] {
            assert!(
                pages.iter().any(|page| page == expected),
                "{expected}: {pages:?}"
            );
        }
        assert!(
            !pages
                .iter()
                .any(|page| page.contains("package-files") || page.contains("help"))
        );
        for page in &pages {
            let rendered = std::process::Command::new(&man)
                .arg("-l")
                .arg(out.join(page))
                .env("MANWIDTH", "80")
                .env("LANG", "C.UTF-8")
                .output()
                .expect("man");
            let text = String::from_utf8_lossy(&rendered.stdout);
            assert!(
                rendered.status.success() && rendered.stderr.is_empty() && text.contains("NAME"),
                "{page}: {}",
                String::from_utf8_lossy(&rendered.stderr)
            );
        }
        let import = std::process::Command::new(&man)
            .arg("-l")
            .arg(out.join("certkeeper-import.1"))
            .env("MANWIDTH", "200")
            .env("LANG", "C.UTF-8")
            .output()
            .expect("man");
        let text = String::from_utf8_lossy(&import.stdout);
        let said = if lang == "ru" {
            "Сохранить в архив все сертификаты"
        } else {
            "Archive every certificate"
        };
        assert!(text.contains(said), "{text}");
    }
}

/// The AppStream metainfo that software centres read (installed by the packages) is valid, names
/// the desktop entry that exists and speaks both languages.
#[test]
fn the_appstream_metainfo_is_valid() {
    use certkeeper_tests::support::require_program;
    let appstreamcli = require_program("appstreamcli", "appstream");
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/assets");
    let metainfo = assets.join("org.certkeeper.Certkeeper.metainfo.xml");
    let output = std::process::Command::new(appstreamcli)
        .args(["validate", "--no-net"])
        .arg(&metainfo)
        .output()
        .expect("appstreamcli");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && !said.lines().any(|line| line.starts_with("E:")),
        "{said}"
    );
    let text = std::fs::read_to_string(&metainfo).expect("read");
    assert!(text.contains("<launchable type=\"desktop-id\">certkeeper.desktop</launchable>"));
    assert!(assets.join("certkeeper.desktop").is_file());
    assert!(text.contains("xml:lang=\"ru\""));
}
