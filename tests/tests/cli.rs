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
  info         Show and check the archive, passphrase source and language in use
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

#[test]
fn version_is_printed() {
    let home = temp_dir();
    certkeeper(home.path())
        .arg("--version")
        .assert()
        .success()
        .stdout_eq(format!("certkeeper {}\n", env!("CARGO_PKG_VERSION")));
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
            "certkeeper {}\n\
             archive:    {}/.local/share/certkeeper/archive.db (default, not created yet)\n\
             passphrase: asked when needed\n\
             language:   English (LANG)\n",
            env!("CARGO_PKG_VERSION"),
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
  "archive": {
    "path": "[..]/data/certkeeper/archive.db",
    "origin": "default",
    "exists": false
  },
  "passphrase": {
    "source": "prompt"
  },
  "language": {
    "code": "en",
    "chosen_by": "LANG"
  }
}

"#]]);
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
