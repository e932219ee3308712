//! certkeeper for Windows (`x86_64-pc-windows-gnu`) under Wine, each test in a private prefix: the
//! command-line flows give what the Linux program gives on the same inputs; the registry store is
//! Wine's registry itself.

use certkeeper_tests::support::bin::ScratchArchive;
use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};
use certkeeper_tests::support::wine::{Wine, windows_path};
use certkeeper_tests::support::{copy_dir, run, secret_file, vectors};

const PASSPHRASE: &str = "Wine-and-Linux archive 2026";

/// The real CryptoPro containers (GOST 2001, 2012-256, 2012-512 with a password; one without).
const CONTAINERS: [&str; 4] = ["g2001", "g2012256", "g2012512", "srv-emptypass"];

/// The Windows program on an archive of its own beside the Linux one.
struct Windows<'a> {
    wine: &'a Wine,
    archive: String,
    passphrase: String,
}

impl Windows<'_> {
    fn cli(&self) -> std::process::Command {
        let mut command = self.wine.certkeeper();
        command
            .args(["--archive", &self.archive])
            .args(["--passphrase-file", &self.passphrase]);
        command
    }
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// The JSON an import prints, with every `path` made the Linux path it names.
fn import_json(output: &std::process::Output) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    for key in value["keys"].as_array_mut().expect("keys") {
        let path = key["path"].as_str().expect("path").to_owned();
        let linux = match path.strip_prefix("Z:") {
            Some(rest) => rest.replace('\\', "/"),
            None => path,
        };
        key["path"] = linux.into();
    }
    value
}

/// The Linux and the Windows program on the same files: `init`, `import` of the real CryptoPro
/// containers and a GOST PFX made by OpenSSL, `list`, `show`, `decrypt` of OpenSSL GOST documents,
/// `export` (opened by OpenSSL), the reminders of `watch --once` and `verify` print the same and
/// write the same.
#[test]
fn the_windows_program_gives_what_the_linux_one_gives() {
    let wine = Wine::new();
    let openssl = OpenSsl::new();
    let linux = ScratchArchive::new(PASSPHRASE);
    let work = linux.work.path();
    let windows = Windows {
        wine: &wine,
        archive: windows_path(&work.join("windows.db")),
        passphrase: windows_path(&secret_file(
            work,
            "windows-passphrase",
            &format!("{PASSPHRASE}\n"),
        )),
    };
    let created = run(windows.cli().args(["init", "--allow-weak-passphrase"]));
    assert!(
        stdout(&created).contains(r"Archive created: Z:\"),
        "{}",
        stdout(&created)
    );

    // What an office brings: the real containers, and a GOST key and certificate in a PFX.
    let input = work.join("in");
    let cryptopro = vectors::folder("cryptopro");
    for name in CONTAINERS {
        copy_dir(&cryptopro.join(name), &input.join(name));
    }
    let ca = openssl.make_ca("Wine CA", KeyAlgorithm::Gost2012_256("A"));
    let user = openssl.issue(
        &ca,
        "/CN=Анна Windows/O=certkeeper tests",
        KeyAlgorithm::Gost2012_256("A"),
        365,
    );
    let pfx = openssl.pfx(&user, "PFX-пароль", PfxProtection::Gost);
    std::fs::copy(&pfx, input.join("anna.pfx")).expect("copy the PFX");
    let password = secret_file(work, "pfx-password", "PFX-пароль\n");

    // The PFX's password opens the PFX, not the three containers that have passwords of their
    // own: both programs archive those locked and exit 1 to say so.
    let on_linux = linux
        .cli()
        .args(["--json", "import"])
        .arg(&input)
        .arg("--password-file")
        .arg(&password)
        .output()
        .expect("import on Linux");
    let on_windows = windows
        .cli()
        .args(["--json", "import", &windows_path(&input)])
        .args(["--password-file", &windows_path(&password)])
        .output()
        .expect("import on Windows");
    assert_eq!(on_linux.status.code(), Some(1));
    assert_eq!(on_windows.status.code(), Some(1));
    let imported = import_json(&on_linux);
    assert_eq!(imported["added"], 5, "{imported}");
    assert_eq!(import_json(&on_windows), imported);

    let listed = stdout(&run(linux.cli().args(["--json", "list"])));
    assert_eq!(stdout(&run(windows.cli().args(["--json", "list"]))), listed);
    let listed: serde_json::Value = serde_json::from_str(&listed).expect("JSON");
    let anna = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|entry| entry["subject_name"] == "Анна Windows")
        .expect("Anna's certificate listed");
    assert_eq!(anna["has_private_key"], true, "{anna}");
    let thumbprint = anna["sha1_thumbprint"].as_str().expect("thumbprint");
    // The same card, but for the paths (Wine's Z: drive is the Linux root) and the second at
    // which each archive took the file.
    let card = |text: String| -> String {
        text.replace("Z:\\", "/")
            .replace('\\', "/")
            .lines()
            .filter(|line| !line.trim_start().starts_with("archived:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        card(stdout(&run(windows.cli().args(["show", thumbprint])))),
        card(stdout(&run(linux.cli().args(["show", thumbprint]))))
    );

    // A document OpenSSL encrypted to Anna with GOST 28147-89 and with Kuznyechik (CTR-ACPKM with
    // OMAC, the engine's own key stream told by the MAC) opens in both.
    for cipher in ["-gost89", "-kuznyechik-ctr-acpkm-omac"] {
        let plaintext: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
        let document = openssl.cms_encrypt(&plaintext, &[&user], cipher, &[]);
        let from_linux = work.join(format!("linux{cipher}.bin"));
        let from_windows = work.join(format!("windows{cipher}.bin"));
        run(linux
            .cli()
            .arg("decrypt")
            .arg(&document)
            .arg("--output")
            .arg(&from_linux));
        run(windows.cli().args([
            "decrypt",
            &windows_path(&document),
            "--output",
            &windows_path(&from_windows),
        ]));
        assert!(
            std::fs::read(&from_linux).expect("Linux's") == plaintext,
            "{cipher}: Linux's content differs"
        );
        assert!(
            std::fs::read(&from_windows).expect("Windows'") == plaintext,
            "{cipher}: Windows' content differs"
        );
    }

    // The key exported by the Windows program opens in OpenSSL as PKCS#8 and as PFX.
    let exported = work.join("exported");
    std::fs::create_dir(&exported).expect("a folder");
    let certificate = openssl.check_exports(&|| windows.cli(), &exported, thumbprint, "anna");
    assert_eq!(
        std::fs::read(&certificate).expect("exported certificate"),
        std::fs::read(&user.cert).expect("OpenSSL's certificate"),
        "the PEM export is OpenSSL's certificate byte for byte"
    );

    // The reminders due on 2019-06-25 (the real certificates end on 2019-07-02): where no
    // notification can be shown (Linux without a D-Bus session; Wine, which has no Windows toasts:
    // 0x80040154, class not registered) both print the same reminders.
    let reminders = |mut command: std::process::Command| {
        stdout(&run(command
            .env("CERTKEEPER_NOW", "2019-06-25")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .args(["watch", "--once"])))
    };
    let on_linux = reminders(linux.cli());
    assert_eq!(
        on_linux.matches("expires in 8 days").count(),
        3,
        "{on_linux}"
    );
    assert_eq!(reminders(windows.cli()), on_linux);

    let verified = stdout(&run(linux.cli().arg("verify")));
    assert!(verified.contains("every one opens"), "{verified}");
    let on_windows = stdout(&run(windows.cli().arg("verify")));
    // The audit log of the Windows archive has the export entries too.
    let without_audit = |text: &str| {
        text.lines()
            .filter(|line| !line.starts_with("audit log:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_audit(&on_windows), without_audit(&verified));
    assert!(on_windows.contains("chain intact"), "{on_windows}");
}

/// A container key's name with its (value name, bytes).
type RegContainer = (String, Vec<(String, Vec<u8>)>);

/// The values `reg query` shows under the user's CryptoPro keys, by container key name.
fn containers_in_registry(wine: &Wine) -> Vec<RegContainer> {
    let mut containers: Vec<RegContainer> = Vec::new();
    for (key, value, bytes) in
        wine.reg_query_binary(r"HKLM\SOFTWARE\WOW6432Node\Crypto Pro\Settings\Users")
    {
        let (users, name) = key.rsplit_once('\\').expect("a container key");
        assert!(
            users.starts_with(
                r"HKEY_LOCAL_MACHINE\SOFTWARE\WOW6432Node\Crypto Pro\Settings\Users\S-1-5-"
            ) && users.ends_with(r"\Keys"),
            "{key}"
        );
        match containers.iter_mut().find(|(known, _)| known == name) {
            Some((_, values)) => values.push((value, bytes)),
            None => containers.push((name.to_owned(), vec![(value, bytes)])),
        }
    }
    containers
}

/// `registry sync` by the Windows program writes each real container as six REG_BINARY values,
/// byte for byte its files; a second sync writes nothing; `import --registry` reads them back into
/// a fresh archive, keys and certificates, and `media list` lists them.
#[test]
fn registry_sync_writes_wine_s_registry_and_import_reads_it_back() {
    let wine = Wine::new();
    let work = certkeeper_tests::support::temp_dir();
    let passphrase = windows_path(&secret_file(
        work.path(),
        "passphrase",
        &format!("{PASSPHRASE}\n"),
    ));
    let archive = |name: &str| Windows {
        wine: &wine,
        archive: windows_path(&work.path().join(name)),
        passphrase: passphrase.clone(),
    };
    let first = archive("first.db");
    run(first.cli().args(["init", "--allow-weak-passphrase"]));
    let cryptopro = vectors::folder("cryptopro");
    let input = work.path().join("in");
    for name in CONTAINERS {
        copy_dir(&cryptopro.join(name), &input.join(name));
    }
    run(first.cli().args(["import", &windows_path(&input)]));

    let synced = stdout(&run(first.cli().args(["registry", "sync"])));
    assert!(
        synced
            .contains(r"HKEY_LOCAL_MACHINE\SOFTWARE\WOW6432Node\Crypto Pro\Settings\Users\S-1-5-")
            && synced.contains("written 4, already there 0"),
        "{synced}"
    );
    wine.wait();
    let stored = containers_in_registry(&wine);
    assert_eq!(
        stored.len(),
        4,
        "{:?}",
        stored.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for folder in CONTAINERS {
        let folder = cryptopro.join(folder);
        let name_key = std::fs::read(folder.join("name.key")).expect("name.key");
        let (name, values) = stored
            .iter()
            .find(|(_, values)| {
                values
                    .iter()
                    .any(|(value, bytes)| value == "name.key" && *bytes == name_key)
            })
            .unwrap_or_else(|| panic!("{} not in the registry", folder.display()));
        assert_eq!(values.len(), 6, "{name}: six values");
        for (value, bytes) in values {
            assert_eq!(
                *bytes,
                std::fs::read(folder.join(value)).expect("the container file"),
                "{name}\\{value}"
            );
        }
    }
    let again = stdout(&run(first.cli().args(["registry", "sync"])));
    assert!(again.contains("written 0, already there 4"), "{again}");

    // Back from the registry into a new archive: the same certificates, the passwordless key too.
    let second = archive("second.db");
    run(second.cli().args(["init", "--allow-weak-passphrase"]));
    let imported = stdout(&run(second.cli().args(["--json", "import", "--registry"])));
    let imported: serde_json::Value = serde_json::from_str(&imported).expect("JSON");
    assert_eq!(imported["added"], 4, "{imported}");
    let statuses: Vec<&str> = imported["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| key["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|status| **status == "archived")
            .count(),
        1,
        "{imported}"
    );
    let thumbprints = |windows: &Windows<'_>| -> Vec<String> {
        let listed = stdout(&run(windows.cli().args(["--json", "list"])));
        let listed: serde_json::Value = serde_json::from_str(&listed).expect("JSON");
        listed
            .as_array()
            .expect("a list")
            .iter()
            .map(|entry| {
                format!(
                    "{} {}",
                    entry["sha1_thumbprint"].as_str().expect("thumbprint"),
                    entry["has_private_key"]
                )
            })
            .collect()
    };
    assert_eq!(thumbprints(&second), thumbprints(&first));
    let media = stdout(&run(second.cli().args(["media", "list"])));
    assert!(media.contains(r"\Keys: 4 containers"), "{media}");
}

/// The Windows window under Wine and Xvfb, with no fonts in the prefix (its own DejaVu fonts are
/// in the program): the unlock view drawn, the passphrase typed, the certificate list drawn with
/// the real containers' certificates — in English and in Russian. Screenshots in
/// `target/screenshots/windows-*`; `SCREENSHOTS=overwrite` puts them in `docs/screenshots`.
#[test]
fn the_window_under_wine_unlocks_and_lists_the_certificates_in_both_languages() {
    use certkeeper_tests::support::xvfb::{self, Xvfb};
    use certkeeper_tests::support::{Daemon, wait_until, workspace_root};
    use std::time::Duration;

    let wine = Wine::new();
    let fonts = wine.drive_c().join("windows/Fonts");
    let installed = std::fs::read_dir(&fonts)
        .map(|entries| entries.count())
        .unwrap_or(0);
    assert_eq!(installed, 0, "fonts in {}", fonts.display());
    let work = certkeeper_tests::support::temp_dir();
    let passphrase = "Wine-window-2026";
    let windows = Windows {
        wine: &wine,
        archive: windows_path(&work.path().join("archive.db")),
        passphrase: windows_path(&secret_file(
            work.path(),
            "passphrase",
            &format!("{passphrase}\n"),
        )),
    };
    run(windows.cli().args(["init", "--allow-weak-passphrase"]));
    let cryptopro = vectors::folder("cryptopro");
    let input = work.path().join("in");
    for name in CONTAINERS {
        copy_dir(&cryptopro.join(name), &input.join(name));
    }
    run(windows.cli().args(["import", &windows_path(&input)]));

    let xvfb = Xvfb::start();
    xvfb.use_a_60_hz_mode();
    let shots = workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).expect("create target/screenshots");
    let heading = "srgb(29,53,87)";
    let sidebar = "srgb(230,240,236)";
    let expired = "srgb(230,57,70)";
    for lang in ["en", "ru"] {
        let mut command = wine.command(certkeeper_tests::support::wine::certkeeper_exe());
        command
            .env("DISPLAY", xvfb.display())
            .env("CERTKEEPER_LANG", lang)
            .args(["--archive", &windows.archive]);
        let mut app = Daemon::spawn("certkeeper.exe", &mut command);
        let window = xvfb.wait_for_window("certkeeper", Duration::from_secs(120));
        let unlock = shots.join(format!("windows-unlock-{lang}.png"));
        wait_until("the unlock view", Duration::from_secs(60), || {
            xvfb.window_screenshot(window, &unlock);
            xvfb::pixels_of(&unlock, heading) > 200
        });
        let geometry = xvfb.geometry(window);
        let band = xvfb::Geometry {
            x: 0,
            y: 0,
            width: geometry.width,
            height: 140.min(geometry.height),
        };
        let colours = xvfb::distinct_colours(&unlock, band);
        assert!(
            colours > 20,
            "{lang}: {colours} colours: is the heading drawn?"
        );
        xvfb.click(window, 300, 117);
        xvfb.type_through_xtest(passphrase);
        xvfb.key_through_xtest("Return");
        let list = shots.join(format!("windows-certificates-{lang}.png"));
        wait_until("the certificate list", Duration::from_secs(60), || {
            xvfb.window_screenshot(window, &list);
            xvfb::pixels_of(&list, sidebar) > 50_000 && xvfb::pixels_of(&list, expired) > 500
        });
        app.assert_running();
        app.stop();
        wine.wait();
    }
    if std::env::var("SCREENSHOTS").as_deref() == Ok("overwrite") {
        let docs = workspace_root().join("docs").join("screenshots");
        for lang in ["en", "ru"] {
            for screen in ["unlock", "certificates"] {
                let name = format!("windows-{screen}-{lang}.png");
                std::fs::copy(shots.join(&name), docs.join(&name)).expect("copy a screenshot");
            }
        }
    }
}

/// The MSI made by `.ci/build-msi` (wixl) installs under Wine: the program runs from Program
/// Files, the Start menu has certkeeper and its uninstaller, Windows lists it among installed
/// programs, and its `watch --install` sets the reminder service to start at logon (the user's
/// `Run` key); `msiexec /x` removes all of that and leaves the user's archive alone.
#[test]
fn the_installer_installs_and_uninstalls_under_wine() {
    let work = certkeeper_tests::support::temp_dir();
    let msi = match std::env::var_os("CERTKEEPER_WINDOWS_MSI") {
        Some(msi) => std::path::PathBuf::from(msi),
        None => {
            let msi = work.path().join("certkeeper.msi");
            run(std::process::Command::new(
                certkeeper_tests::support::workspace_root().join(".ci/build-msi"),
            )
            .arg(certkeeper_tests::support::wine::certkeeper_exe())
            .arg(&msi));
            msi
        }
    };
    let wine = Wine::new();
    run(wine
        .command("msiexec")
        .args(["/i", &windows_path(&msi), "/qn"]));
    wine.wait();
    let installed = wine
        .drive_c()
        .join("Program Files/certkeeper/certkeeper.exe");
    assert!(installed.is_file(), "{} not installed", installed.display());
    let version = stdout(&run(wine
        .command(r"C:\Program Files\certkeeper\certkeeper.exe")
        .arg("--version")));
    assert!(
        version.starts_with(&format!("certkeeper {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    // The installed program keeps its archive where Windows programs keep data: %APPDATA%.
    let passphrase = secret_file(work.path(), "passphrase", &format!("{PASSPHRASE}\n"));
    let created = stdout(&run(wine
        .command(r"C:\Program Files\certkeeper\certkeeper.exe")
        .args(["--passphrase-file", &windows_path(&passphrase), "init"])));
    assert!(
        created.contains(r"\AppData\Roaming\certkeeper\"),
        "{created}"
    );
    // Windows' places and conventions: settings under %APPDATA% too, and with no locale variable
    // (as on Windows) the language is the user's Windows display language.
    let script = work.path().join("info.bat");
    std::fs::write(
        &script,
        "@set LANG=\r\n@set LC_ALL=\r\n@set LC_MESSAGES=\r\n@set CERTKEEPER_LANG=\r\n\
         @\"C:\\Program Files\\certkeeper\\certkeeper.exe\" info\r\n",
    )
    .expect("a batch file");
    let info = stdout(&run(wine
        .command("cmd")
        .args(["/c", &windows_path(&script)])));
    assert!(
        info.contains("language:   English (Windows display language)"),
        "{info}"
    );
    let settings = stdout(&run(wine
        .command(r"C:\Program Files\certkeeper\certkeeper.exe")
        .arg("settings")));
    assert!(
        settings.contains(r"\AppData\Roaming\certkeeper\config\settings.json"),
        "{settings}"
    );
    // The reminder service is set to start at logon from where the program is installed, and
    // started now; --uninstall takes the logon entry away.
    let run_key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run";
    // Into a file, not a pipe: the service started in the background holds the pipe Wine gave
    // the program that started it, and reading it to its end would wait for the service's end.
    let answer = work.path().join("watch-install.json");
    let status = wine
        .command(r"C:\Program Files\certkeeper\certkeeper.exe")
        .args(["--json", "watch", "--install"])
        .stdout(std::fs::File::create(&answer).expect("a file"))
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run watch --install");
    assert!(status.success(), "{status}");
    let service = std::fs::read_to_string(&answer).expect("its answer");
    let service: serde_json::Value = serde_json::from_str(&service).expect("JSON");
    assert_eq!(
        service["run_value"],
        r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run\certkeeper reminders",
        "{service}"
    );
    assert_eq!(service["enabled_now"], true, "{service}");
    // It runs in the background: stopped here (Wine's taskkill names what it stopped), as the
    // session's end would stop it.
    let stopped = stdout(&run(wine.command("taskkill").args([
        "/IM",
        "certkeeper.exe",
        "/F",
    ])));
    assert!(
        stopped.contains(r#"Process "certkeeper.exe" with PID"#),
        "{stopped}"
    );
    let at_logon = stdout(&run(wine.command("reg").args([
        "query",
        run_key,
        "/v",
        "certkeeper reminders",
    ])));
    assert!(
        at_logon.contains(r#"REG_SZ    "C:\Program Files\certkeeper\certkeeper.exe" watch"#),
        "{at_logon}"
    );
    run(wine
        .command(r"C:\Program Files\certkeeper\certkeeper.exe")
        .args(["watch", "--uninstall"]));
    let left = stdout(&run(wine.command("reg").args(["query", run_key])));
    assert!(!left.contains("certkeeper"), "{left}");

    let menu_entries = |name: &str| -> Vec<std::path::PathBuf> {
        ["users", "ProgramData"]
            .iter()
            .flat_map(|top| walk(&wine.drive_c().join(top)))
            .filter(|path| path.file_name().is_some_and(|file| file == name))
            .collect()
    };
    assert_eq!(
        menu_entries("certkeeper.lnk").len(),
        1,
        "the Start menu entry"
    );
    assert_eq!(
        menu_entries("Uninstall certkeeper.lnk").len(),
        1,
        "the uninstaller's entry"
    );
    let uninstall = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall";
    let listed = stdout(&run(wine.command("reg").args(["query", uninstall, "/s"])));
    assert!(
        listed.contains("DisplayName    REG_SZ    certkeeper"),
        "{listed}"
    );

    run(wine
        .command("msiexec")
        .args(["/x", &windows_path(&msi), "/qn"]));
    wine.wait();
    assert!(!installed.exists(), "the program is removed");
    assert!(
        menu_entries("certkeeper.lnk").is_empty(),
        "the menu entry is removed"
    );
    assert!(menu_entries("Uninstall certkeeper.lnk").is_empty());
    let listed = stdout(&run(wine.command("reg").args(["query", uninstall, "/s"])));
    assert!(!listed.contains("certkeeper"), "{listed}");
    let archive = walk(&wine.drive_c().join("users"))
        .into_iter()
        .find(|path| path.ends_with("certkeeper/data/archive.db"));
    assert!(archive.is_some(), "the user's archive stays");
}

/// Every file under `folder`.
fn walk(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && !path.is_symlink() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The CA guide's flow by the Windows program: `request new --medium registry` makes a GOST key in
/// a new container in Wine's registry (and the request), OpenSSL's CMP server on 127.0.0.1 with a
/// GOST CA issues it (the CA's signature from `openssl x509 -req`), `request submit` installs the
/// certificate into that container's `header.key` in the registry. `copy --to registry` of the
/// container then finds it there already.
#[test]
fn a_key_made_in_wine_s_registry_is_issued_over_cmp_and_installed_there() {
    use certkeeper_tests::support::cmp::{self, CmpServer, ServerOptions};
    let wine = Wine::new();
    let work = certkeeper_tests::support::temp_dir();
    let dir = work.path();
    let windows = Windows {
        wine: &wine,
        archive: windows_path(&dir.join("archive.db")),
        passphrase: windows_path(&secret_file(dir, "passphrase", &format!("{PASSPHRASE}\n"))),
    };
    run(windows.cli().args(["init", "--allow-weak-passphrase"]));
    let password = secret_file(dir, "container-password", "Пароль-контейнера-1\n");
    let csr = dir.join("request.pem");
    let created = stdout(&run(windows.cli().args([
        "--json",
        "request",
        "new",
        "--subject",
        "CN=Сидоров Пётр,SNILS=11223344595,C=RU",
        "--medium",
        "registry",
        "--password-file",
        &windows_path(&password),
        "--csr-out",
        &windows_path(&csr),
    ])));
    let created: serde_json::Value = serde_json::from_str(&created).expect("JSON");
    assert_eq!(created["state"], "request_made", "{created}");
    let job = created["job"].as_i64().expect("job").to_string();
    wine.wait();
    let before = containers_in_registry(&wine);
    assert_eq!(before.len(), 1, "one new container in the registry");
    let header_before = before[0]
        .1
        .iter()
        .find(|(value, _)| value == "header.key")
        .map(|(_, bytes)| bytes.clone())
        .expect("header.key");

    let ca = cmp::gost_ca(dir);
    let issued = cmp::sign(
        dir,
        &ca,
        &csr,
        "issued.crt",
        "0x2101",
        365,
        "-md_gost12_256",
    );
    let server = CmpServer::start(
        dir,
        &ServerOptions {
            certificate: &issued,
            ca: &ca.1,
            reference: "4711",
            secret: "482-915",
            polls: 1,
            check_after: 1,
            trusted: None,
        },
    );
    let code = secret_file(dir, "code", "482-915\n");
    let done = stdout(&run(windows.cli().args([
        "--json",
        "request",
        "submit",
        &job,
        "--cmp",
        &server.url(),
        "--reference",
        "4711",
        "--secret-file",
        &windows_path(&code),
    ])));
    let done: serde_json::Value = serde_json::from_str(&done).expect("JSON");
    assert_eq!(done["state"], "installed", "{done}\n{}", server.log());
    assert_eq!(server.received("IR"), 1, "{}", server.log());
    wine.wait();

    // The certificate is in the container's header in the registry, the container otherwise the
    // same; the archive has the certificate with its key.
    let after = containers_in_registry(&wine);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].0, before[0].0);
    let der = {
        let output = run(cmp::openssl(dir)
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&issued));
        output.stdout
    };
    for (value, bytes) in &after[0].1 {
        if value == "header.key" {
            assert_ne!(*bytes, header_before);
            assert!(
                bytes
                    .windows(der.len())
                    .any(|window| window == der.as_slice()),
                "the issued certificate is in header.key"
            );
        } else {
            let old = before[0].1.iter().find(|(name, _)| name == value);
            assert_eq!(old.map(|(_, bytes)| bytes), Some(bytes), "{value}");
        }
    }
    let thumbprint = done["sha1_thumbprint"].as_str().expect("thumbprint");
    let listed = stdout(&run(windows.cli().args(["--json", "list"])));
    let listed: serde_json::Value = serde_json::from_str(&listed).expect("JSON");
    let entry = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|entry| entry["sha1_thumbprint"] == thumbprint)
        .expect("the new certificate archived (beside its CA's)");
    assert_eq!(entry["has_private_key"], true, "{entry}");
    let copied = stdout(&run(windows
        .cli()
        .args(["copy", thumbprint, "--to", "registry"])));
    assert!(copied.contains("already"), "{copied}");
    wine.wait();
    assert_eq!(
        containers_in_registry(&wine).len(),
        1,
        "nothing written twice"
    );
}
