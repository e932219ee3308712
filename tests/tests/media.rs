//! Key media with real containers: the CryptoPro registry store (HDIMAGE folders, `.reg` files).

use certkeeper_core::formats::cryptopro::{self, ContainerFiles};
use certkeeper_core::media::registry::{self, RegistryStore, Stored};
use certkeeper_tests::support::{temp_dir, vectors};
use secrecy::SecretString;

/// (folder, password) of the real containers in ../shared/vectors/cryptopro.
const CONTAINERS: &[(&str, &str)] = &[
    ("g2001", "1"),
    ("g2012256", "1"),
    ("g2012512", "1"),
    ("svkreml-00000000", "123456"),
    ("srv-emptypass", ""),
];

/// pkcs11-tool, the independent peer, signs a Streebog-256 digest OpenSSL made with the GOST key
/// `id` (hex CKA_ID) on `token` (CKM_GOSTR3410), and OpenSSL's GOST engine verifies the signature
/// with `public` (a public key, PEM).
fn assert_token_signs_gost(
    hsm: &certkeeper_tests::support::softhsm::SoftHsm,
    token: &certkeeper_tests::support::softhsm::Token,
    id: &str,
    public: &std::path::Path,
    work: &std::path::Path,
) {
    use certkeeper_tests::support::openssl::OpenSsl;
    use certkeeper_tests::support::run;
    let openssl = OpenSsl::new();
    let message = work.join(format!("message-{id}"));
    std::fs::write(&message, b"signed on the token").expect("write");
    let digest = work.join(format!("message-{id}.streebog"));
    run(openssl
        .command()
        .args(["dgst", "-md_gost12_256", "-binary", "-out"])
        .arg(&digest)
        .arg(&message));
    let signature = work.join(format!("message-{id}.sig"));
    run(hsm
        .logged_in(token)
        .args(["--sign", "-m", "GOSTR3410", "--id", id, "-i"])
        .arg(&digest)
        .arg("-o")
        .arg(&signature));
    let verified = run(openssl
        .command()
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(public)
        .arg("-sigfile")
        .arg(&signature)
        .arg("-in")
        .arg(&digest));
    assert!(
        String::from_utf8_lossy(&verified.stdout).contains("Signature Verified Successfully"),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}

/// `path` and everything under it is its owner's only: folders 700, files 600.
fn assert_private(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::symlink_metadata(path).expect("metadata");
    let mode = metadata.permissions().mode() & 0o777;
    let expected = if metadata.is_dir() { 0o700 } else { 0o600 };
    assert_eq!(mode, expected, "{} is {mode:o}", path.display());
    if metadata.is_dir() {
        for entry in std::fs::read_dir(path).expect("read_dir") {
            assert_private(&entry.expect("entry").path());
        }
    }
}

fn files_of(folder: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(folder)
        .expect("read_dir")
        .map(|entry| {
            let entry = entry.expect("entry");
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn drive_to_registry_to_drive_keeps_real_containers_byte_identical_and_openable() {
    let real = vectors::folder("cryptopro");
    let work = temp_dir();
    let store = RegistryStore::new(&work.path().join("keys"), "anna");
    let back = work.path().join("drive");
    std::fs::create_dir_all(&back).expect("mkdir");
    for (name, password) in CONTAINERS {
        let original = real.join(name);
        let files = ContainerFiles::read(&original).expect("read");
        let Stored::Written(folder) = store.put(name, &files).expect("put") else {
            panic!("{name}: should be new in the store");
        };
        assert!(folder.starts_with(store.folder()));
        assert_eq!(
            files_of(&folder),
            files_of(&original),
            "{name} in the store"
        );
        // Idempotent: the same container again writes nothing.
        assert_eq!(
            store.put(name, &files).expect("put again"),
            Stored::AlreadyThere(folder.clone())
        );
        // And back to a drive.
        let entry = store
            .list()
            .expect("list")
            .into_iter()
            .find(|entry| entry.folder == folder)
            .expect("listed");
        let copy = back.join(format!("{name}.000"));
        entry.files.write(&copy).expect("write back");
        assert_eq!(
            files_of(&copy),
            files_of(&original),
            "{name} back on the drive"
        );
        cryptopro::open(&copy, &SecretString::from(password.to_string()))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
    }
    assert_eq!(store.list().expect("list").len(), CONTAINERS.len());
}

#[test]
fn reg_files_hold_the_six_values_as_binary_and_read_back_to_the_same_containers() {
    let real = vectors::folder("cryptopro");
    let containers: Vec<(String, ContainerFiles)> = CONTAINERS
        .iter()
        .map(|(name, _)| {
            (
                (*name).to_owned(),
                ContainerFiles::read(&real.join(name)).expect("read"),
            )
        })
        .collect();
    let refs: Vec<(&str, &ContainerFiles)> = containers
        .iter()
        .map(|(name, files)| (name.as_str(), files))
        .collect();
    let sid = "S-1-5-21-3623811015-3361044348-30300820-1013";
    let text = registry::reg_file(sid, &refs);
    let bytes = registry::encode_utf16(&text);
    assert_eq!(
        &bytes[..2],
        &[0xff, 0xfe],
        "UTF-16LE with BOM, as regedit writes"
    );
    assert!(text.starts_with("Windows Registry Editor Version 5.00\r\n\r\n["));
    assert!(
        text.lines()
            .filter(|line| !line.starts_with('['))
            .all(|line| line.len() <= 80),
        "value lines wrapped at 80 columns"
    );
    let keys = registry::parse_reg_file(&bytes).expect("parse");
    assert_eq!(keys.len(), containers.len());
    for ((name, files), key) in containers.iter().zip(&keys) {
        assert_eq!(
            key.path,
            format!(
                r"HKEY_LOCAL_MACHINE\SOFTWARE\WOW6432Node\Crypto Pro\Settings\Users\{sid}\Keys\{name}"
            )
        );
        let expected_values = if files.reserve.is_some() { 6 } else { 4 };
        assert_eq!(key.values.len(), expected_values, "{name}");
        let back = registry::container_from_reg(key).expect("container");
        assert!(back == *files, "{name}: the same bytes");
    }
    // Anything but a registry file is refused, with the line.
    let error = registry::parse_reg_file(b"REGEDIT4\r\n").expect_err("not 5.00");
    assert!(error.starts_with("line 1"), "{error}");
    let error = registry::parse_reg_file(
        b"Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\x]\r\n\"a\"=dword:00000001\r\n",
    )
    .expect_err("not binary");
    assert!(error.starts_with("line 4"), "{error}");
}

#[test]
fn registry_sync_mirrors_every_archived_container_once_and_export_reg_carries_them() {
    use certkeeper_tests::support::bin;
    let real = vectors::folder("cryptopro");
    let work = temp_dir();
    let drive = work.path().join("drive");
    for (name, _) in CONTAINERS {
        certkeeper_tests::support::copy_dir(&real.join(name), &drive.join(name));
    }
    let archive = work.path().join("archive.db");
    let passphrase = certkeeper_tests::support::secret_file(work.path(), "passphrase", "p");
    let registry_root = work.path().join("cprocsp-keys");
    let certkeeper = || {
        let mut command = std::process::Command::new(bin::certkeeper());
        command
            .arg("--archive")
            .arg(&archive)
            .arg("--passphrase-file")
            .arg(&passphrase)
            .env("CERTKEEPER_REGISTRY", &registry_root)
            .env("USER", "anna")
            .stdin(std::process::Stdio::null());
        command
    };
    assert!(
        certkeeper()
            .args(["init", "--allow-weak-passphrase"])
            .status()
            .expect("init")
            .success()
    );
    // Imported without passwords: the containers are archived whole (locked), which is all the
    // registry needs.
    assert!(
        certkeeper()
            .arg("import")
            .arg(&drive)
            .status()
            .expect("import")
            .success()
    );
    // Without CERTKEEPER_REGISTRY (and without CryptoPro) the store is beside the archive in use,
    // not beside the default one in the data folder, and the sync says where it is.
    let data_home = work.path().join("xdg").join("data");
    let default_sync = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" \"$@\"")
        .arg(bin::certkeeper())
        .arg("--archive")
        .arg(&archive)
        .arg("--passphrase-file")
        .arg(&passphrase)
        .args(["registry", "sync"])
        .env_remove("CERTKEEPER_REGISTRY")
        .env("XDG_DATA_HOME", &data_home)
        .env("USER", "anna")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("sync");
    assert!(
        default_sync.status.success(),
        "{}",
        String::from_utf8_lossy(&default_sync.stderr)
    );
    let beside = archive
        .parent()
        .expect("the archive's folder")
        .join("registry");
    assert_eq!(
        RegistryStore::new(&beside, "anna")
            .list()
            .expect("list")
            .len(),
        CONTAINERS.len(),
        "{}",
        beside.display()
    );
    let said = String::from_utf8_lossy(&default_sync.stdout);
    assert!(
        said.contains(&beside.join("anna").display().to_string()),
        "{said}"
    );
    assert!(!data_home.exists(), "nothing in the default data folder");
    assert_private(&beside);
    let sync = |expect_written: usize, expect_there: usize| {
        let output = certkeeper()
            .args(["--json", "registry", "sync"])
            .output()
            .expect("sync");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let synced: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(
            synced["written"].as_array().map(Vec::len),
            Some(expect_written),
            "{synced}"
        );
        assert_eq!(synced["already_there"], expect_there, "{synced}");
    };
    sync(CONTAINERS.len(), 0);
    sync(0, CONTAINERS.len());
    let store = RegistryStore::new(&registry_root, "anna");
    let entries = store.list().expect("list");
    assert_eq!(entries.len(), CONTAINERS.len());
    for (name, password) in CONTAINERS {
        let original = ContainerFiles::read(&real.join(name)).expect("read");
        let entry = entries
            .iter()
            .find(|entry| entry.files == original)
            .unwrap_or_else(|| panic!("{name} in the store"));
        assert_eq!(
            files_of(&entry.folder),
            files_of(&real.join(name)),
            "{name}"
        );
        cryptopro::open(&entry.folder, &SecretString::from(password.to_string()))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
    }
    // The archive knows where each container lives now.
    let output = certkeeper()
        .args(["--json", "audit"])
        .output()
        .expect("audit");
    let audit: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let copies = audit
        .as_array()
        .expect("array")
        .iter()
        .filter(|entry| entry["action"] == "container copied")
        .count();
    assert_eq!(copies, 2 * CONTAINERS.len(), "recorded once in each store");

    let reg = work.path().join("keys.reg");
    let output = certkeeper()
        .args([
            "registry",
            "export-reg",
            "--sid",
            "S-1-5-21-1-2-3-1001",
            "--out",
        ])
        .arg(&reg)
        .output()
        .expect("export-reg");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let keys = registry::parse_reg_file(&std::fs::read(&reg).expect("read")).expect("parse");
    assert_eq!(keys.len(), CONTAINERS.len());
    for key in &keys {
        let files = registry::container_from_reg(key).expect("container");
        assert!(
            entries.iter().any(|entry| entry.files == files),
            "{}",
            key.path
        );
    }
}

mod tokens {
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl};
    use certkeeper_tests::support::softhsm::SoftHsm;
    use certkeeper_tests::support::{bin, run, temp_dir};

    /// OpenSC's PKCS#11 spy: logs every call a program makes to the real module beneath it.
    const SPY: &str = "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so";

    #[test]
    fn tokens_objects_made_by_pkcs11_tool_and_a_wrong_pin_tried_once() {
        let hsm = SoftHsm::new();
        let token = hsm.init_token("Рутокен Анны", "87654321", "12345678");
        for (key_type, id, label) in [
            ("rsa:2048", "01", "rsa-key"),
            ("EC:prime256v1", "02", "ec-key"),
        ] {
            run(&mut hsm.key_pair(&token, key_type, id, label));
        }
        // A certificate beside the RSA key, as a CA's software writes it.
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("CA", KeyAlgorithm::Rsa2048);
        let issued = openssl.issue(&ca, "/CN=Анна Токенова", KeyAlgorithm::Rsa2048, 30);
        let der = openssl.path("cert.der");
        openssl.der_file(&issued.cert, &der);
        run(hsm
            .logged_in(&token)
            .args(["--write-object"])
            .arg(&der)
            .args(["--type", "cert", "--id", "01", "--label", "anna-cert"]));

        let work = temp_dir();
        let pin = certkeeper_tests::support::secret_file(work.path(), "pin", &token.pin);
        let wrong = certkeeper_tests::support::secret_file(work.path(), "wrong", "00000000");
        let certkeeper = |module: &std::path::Path| {
            let mut command = hsm.command(bin::certkeeper());
            command
                .args(["--json", "media", "list", "--pkcs11-module"])
                .arg(module)
                .env("CERTKEEPER_REGISTRY", work.path().join("registry"))
                .env("CERTKEEPER_LANG", "en")
                .stdin(std::process::Stdio::null());
            command
        };
        // Without the PIN: the certificate and public keys.
        let output = certkeeper(&hsm.module()).output().expect("media list");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let tokens = listed["tokens"].as_array().expect("tokens");
        assert_eq!(tokens.len(), 1, "the blank slot is not a token: {listed}");
        assert_eq!(tokens[0]["label"], "Рутокен Анны");
        assert_eq!(tokens[0]["model"], "SoftHSM v2");
        let objects = tokens[0]["objects"].as_array().expect("objects");
        let certificate = objects
            .iter()
            .find(|object| object["class"] == "certificate")
            .expect("certificate");
        assert_eq!(certificate["id"], "01");
        assert_eq!(certificate["subject"], "Анна Токенова");
        assert!(
            objects
                .iter()
                .all(|object| object["class"] != "private_key")
        );
        // With the PIN: the private keys too, and whether each may leave the token.
        let output = certkeeper(&hsm.module())
            .args(["--token", &token.label, "--pin-file"])
            .arg(&pin)
            .output()
            .expect("media list");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let private: Vec<&serde_json::Value> = listed["tokens"][0]["objects"]
            .as_array()
            .expect("objects")
            .iter()
            .filter(|object| object["class"] == "private_key")
            .collect();
        assert_eq!(private.len(), 2);
        for key in &private {
            assert!(key["extractable"].is_boolean(), "{key}");
        }
        assert!(
            private
                .iter()
                .any(|key| key["key_type"] == "EC" && key["id"] == "02")
        );

        // A wrong PIN, through OpenSC's spy: one C_Login, and the token's state in the message.
        assert!(
            std::path::Path::new(SPY).is_file(),
            "apt-get install opensc-pkcs11"
        );
        let log = work.path().join("spy.log");
        let output = certkeeper(std::path::Path::new(SPY))
            .args(["--token", &token.label, "--pin-file"])
            .arg(&wrong)
            .env("PKCS11SPY", hsm.module())
            .env("PKCS11SPY_OUTPUT", &log)
            .output()
            .expect("media list");
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("Wrong PIN for token «Рутокен Анны»"),
            "{stderr}"
        );
        assert!(stderr.contains("did not try again"), "{stderr}");
        let calls = std::fs::read_to_string(&log).expect("spy log");
        assert_eq!(calls.matches("C_Login").count(), 1, "one login attempt");
        // The token counts it, and the next listing shows it before any PIN is asked.
        let output = certkeeper(&hsm.module()).output().expect("media list");
        let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(listed["tokens"][0]["pin"]["count_low"], true, "{listed}");
    }
}

mod settings {
    use certkeeper_tests::support::softhsm::SoftHsm;
    use certkeeper_tests::support::{bin, run, temp_dir};

    #[test]
    fn module_paths_come_from_the_settings_file_when_not_given() {
        let hsm = SoftHsm::new();
        hsm.init_token("Из настроек", "11111111", "12121212");
        let work = temp_dir();
        let file = work.path().join("config").join("settings.json");
        let log = work.path().join("spy.log");
        let certkeeper = || {
            let mut command = hsm.command(bin::certkeeper());
            command
                .env("CERTKEEPER_SETTINGS", &file)
                .env("CERTKEEPER_LANG", "en")
                .env("CERTKEEPER_REGISTRY", work.path().join("registry"))
                .env_remove("CERTKEEPER_PKCS11_MODULES")
                .env("PKCS11SPY", hsm.module())
                .env("PKCS11SPY_OUTPUT", &log)
                .stdin(std::process::Stdio::null());
            command
        };
        // The spy in front of SoftHSM2: only a module taken from the settings is the spy.
        let spy = "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so";
        run(certkeeper().args(["settings", "set", "pkcs11-modules", spy]));
        let shown = run(certkeeper().args(["--json", "settings"]));
        let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("JSON");
        assert_eq!(shown["pkcs11_modules"], serde_json::json!([spy]));
        assert_eq!(shown["file"], file.to_str().expect("UTF-8"));
        let listed = run(certkeeper().args(["--json", "media", "list"]));
        let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
        assert_eq!(listed["tokens"][0]["label"], "Из настроек", "{listed}");
        assert_eq!(listed["tokens"][0]["module"], spy);
        assert!(
            std::fs::read_to_string(&log)
                .expect("the spy was loaded")
                .contains("C_GetSlotList")
        );
        // Unset: the defaults again (SoftHSM2's own module among them).
        run(certkeeper().args(["settings", "unset", "pkcs11-modules"]));
        let listed = run(certkeeper().args(["--json", "media", "list"]));
        let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
        assert!(
            listed["tokens"]
                .as_array()
                .expect("tokens")
                .iter()
                .all(|token| token["module"] != spy),
            "{listed}"
        );
        // A setting nobody knows, and a broken file: said so, with what to do.
        let output = certkeeper()
            .args(["settings", "set", "colour", "blue"])
            .output()
            .expect("settings");
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stderr).contains("There is no setting «colour»"));
        std::fs::write(&file, "{broken").expect("write");
        let output = certkeeper()
            .args(["media", "list"])
            .output()
            .expect("media list");
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("settings file"), "{stderr}");
        assert!(stderr.contains("remove it"), "{stderr}");
    }
}

mod copy_between_tokens {
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl};
    use certkeeper_tests::support::softhsm::SoftHsm;
    use certkeeper_tests::support::{bin, run, temp_dir};

    #[test]
    fn extractable_rsa_and_ec_keys_move_with_their_certificates_and_sign_on_the_target() {
        let hsm = SoftHsm::new();
        let source = hsm.init_token("old-token", "11111111", "12345678");
        let target = hsm.init_token("new-token", "22222222", "87654321");
        let openssl = OpenSsl::new();
        let work = temp_dir();
        // Keys made by pkcs11-tool on the source: RSA and EC extractable, one EC key not.
        let mut thumbprints = Vec::new();
        for (key_type, id, extra, algorithm) in [
            (
                "rsa:2048",
                "01",
                Some("--extractable"),
                KeyAlgorithm::Rsa2048,
            ),
            (
                "EC:prime256v1",
                "02",
                Some("--extractable"),
                KeyAlgorithm::EcP256,
            ),
            ("EC:prime256v1", "03", None, KeyAlgorithm::EcP256),
        ] {
            let mut command = hsm.key_pair(&source, key_type, id, &format!("key-{id}"));
            if let Some(extra) = extra {
                command.arg(extra);
            }
            run(&mut command);
            // A certificate with the same CKA_ID (its key does not matter to the copy rules).
            let ca = openssl.make_ca(&format!("CA {id}"), algorithm);
            let issued = openssl.issue(&ca, &format!("/CN=Holder {id}"), algorithm, 30);
            let der = openssl.path(&format!("cert-{id}.der"));
            openssl.der_file(&issued.cert, &der);
            run(hsm
                .logged_in(&source)
                .arg("--write-object")
                .arg(&der)
                .args([
                    "--type",
                    "cert",
                    "--id",
                    id,
                    "--label",
                    &format!("cert-{id}"),
                ]));
            let fingerprint = String::from_utf8(
                run(openssl
                    .command()
                    .args([
                        "x509",
                        "-noout",
                        "-fingerprint",
                        "-sha1",
                        "-inform",
                        "DER",
                        "-in",
                    ])
                    .arg(&der))
                .stdout,
            )
            .expect("UTF-8");
            thumbprints.push(
                fingerprint
                    .trim()
                    .rsplit('=')
                    .next()
                    .expect("value")
                    .replace(':', ""),
            );
        }
        let from_pin = certkeeper_tests::support::secret_file(work.path(), "from", &source.pin);
        let to_pin = certkeeper_tests::support::secret_file(work.path(), "to", &target.pin);
        // The archive holds the RSA certificate (not its key): a copy between tokens is recorded
        // there without its passphrase; the other two are not archived and are left alone.
        let archive = work.path().join("archive.db");
        let passphrase = certkeeper_tests::support::secret_file(work.path(), "passphrase", "p");
        run(bin::on_archive(&archive, &passphrase).args(["init", "--allow-weak-passphrase"]));
        run(bin::on_archive(&archive, &passphrase)
            .arg("import")
            .arg(openssl.path("cert-01.der")));
        let copy = |thumbprint: &str, extra: &[&str]| {
            hsm.command(bin::certkeeper())
                .arg("--archive")
                .arg(&archive)
                .args([
                    "copy",
                    thumbprint,
                    "--from",
                    "token:old-token",
                    "--to",
                    "token:new-token",
                ])
                .arg("--from-secret-file")
                .arg(&from_pin)
                .arg("--to-secret-file")
                .arg(&to_pin)
                .arg("--pkcs11-module")
                .arg(hsm.module())
                .args(extra)
                .env("CERTKEEPER_LANG", "en")
                .stdin(std::process::Stdio::null())
                .output()
                .expect("copy")
        };
        for (number, thumbprint) in thumbprints[..2].iter().enumerate() {
            let output = copy(thumbprint, &[]);
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(text.contains("with its certificate"), "{text}");
            assert!(
                text.contains("the copy signs and the original verifies it"),
                "{text}"
            );
            assert_eq!(
                text.contains("the archive records where it now lives"),
                number == 0,
                "{text}"
            );
        }
        let shown: serde_json::Value = serde_json::from_slice(
            &run(bin::on_archive(&archive, &passphrase).args(["--json", "show", &thumbprints[0]]))
                .stdout,
        )
        .expect("JSON");
        let seen = certkeeper_tests::support::seen_at(&shown);
        assert!(seen.contains(&"token:new-token"), "{seen:?}");
        let audit: serde_json::Value = serde_json::from_slice(
            &run(bin::on_archive(&archive, &passphrase).args(["--json", "audit"])).stdout,
        )
        .expect("JSON");
        let copied: Vec<&serde_json::Value> = audit
            .as_array()
            .expect("entries")
            .iter()
            .filter(|entry| entry["action"] == "certificate copied")
            .collect();
        assert_eq!(copied.len(), 1, "{audit}");
        assert!(
            run(bin::on_archive(&archive, &passphrase).arg("verify"))
                .status
                .success()
        );
        // The non-extractable key is refused, saying so and offering the certificate alone.
        let output = copy(&thumbprints[2], &[]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("non-extractable"), "{stderr}");
        assert!(stderr.contains("--certificate-only"), "{stderr}");
        let output = copy(&thumbprints[2], &["--certificate-only"]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );

        // pkcs11-tool sees what certkeeper wrote, and signs with the copied keys.
        let listed = String::from_utf8(run(hsm.logged_in(&target).args(["--list-objects"])).stdout)
            .expect("UTF-8");
        for label in ["key-01", "key-02", "cert-01", "cert-02", "cert-03"] {
            assert!(listed.contains(label), "{label} on the target:\n{listed}");
        }
        assert!(
            !listed.contains("key-03"),
            "the non-extractable key stayed home:\n{listed}"
        );
        let data = work.path().join("data");
        std::fs::write(&data, b"signed on the new token").expect("write");
        // SoftHSM2 signs ECDSA over a digest the caller made.
        let digest = work.path().join("digest");
        std::fs::write(&digest, [0x5au8; 32]).expect("write");
        for (id, mechanism, input) in [("01", "SHA256-RSA-PKCS", &data), ("02", "ECDSA", &digest)] {
            let signature = work.path().join(format!("sig-{id}"));
            run(hsm
                .logged_in(&target)
                .args([
                    "--sign",
                    "--id",
                    id,
                    "--mechanism",
                    mechanism,
                    "--input-file",
                ])
                .arg(input)
                .arg("--output-file")
                .arg(&signature));
            assert!(std::fs::metadata(&signature).expect("signature").len() > 0);
        }
    }
}

mod watching {
    use std::io::BufRead;
    use std::time::{Duration, Instant};

    use certkeeper_tests::support::bin;
    use certkeeper_tests::support::pcsc::{Pcscd, VIRTUAL_READER};

    #[test]
    fn a_card_inserted_and_removed_is_seen_within_a_second() {
        let pcscd = Pcscd::start();
        let mut child = std::process::Command::new(bin::certkeeper())
            .args(["--json", "media", "watch", "--for", "60"])
            .env("CERTKEEPER_LANG", "en")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("media watch");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, events) = std::sync::mpsc::channel::<(Instant, serde_json::Value)>();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(event) = serde_json::from_str(&line) else {
                    continue;
                };
                if sender.send((Instant::now(), event)).is_err() {
                    break;
                }
            }
        });
        let next = |kind: &str| -> Instant {
            loop {
                let (at, event) = events
                    .recv_timeout(Duration::from_secs(20))
                    .unwrap_or_else(|_| panic!("no {kind} event"));
                if event["event"] == kind && event["reader"] == VIRTUAL_READER {
                    return at;
                }
            }
        };
        // The virtual reader is there from the start.
        next("reader_added");
        let card = pcscd.insert_card();
        let seen_by_pcscd = Instant::now();
        let inserted = next("card_inserted");
        let delay = inserted.saturating_duration_since(seen_by_pcscd);
        assert!(
            delay < Duration::from_secs(1),
            "insertion seen after {delay:?}"
        );
        let removing = Instant::now();
        card.remove();
        let removed = next("card_removed");
        let delay = removed.saturating_duration_since(removing);
        assert!(
            delay < Duration::from_secs(1),
            "removal seen after {delay:?}"
        );
        println!("insertion and removal seen; removal after {delay:?}");
        let _ = child.kill();
        let _ = child.wait();
        let _ = reader.join();
    }

    /// A token inserted while `media watch --archive-new` runs has its certificates archived, with
    /// a notice. The card event comes from pcscd and the virtual card; the certificates are read
    /// through PKCS#11 (SoftHSM2 here, since the virtual card carries no PKCS#11 application).
    #[test]
    fn certificates_of_an_inserted_token_are_archived_with_a_notice() {
        use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl};
        use certkeeper_tests::support::softhsm::SoftHsm;
        use certkeeper_tests::support::{run, secret_file, temp_dir};
        let pcscd = Pcscd::start();
        let hsm = SoftHsm::new();
        let token = hsm.init_token("Вставленный", "11111111", "55556666");
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("Watch CA", KeyAlgorithm::Rsa2048);
        let issued = openssl.issue(&ca, "/CN=Ольга Вставкина", KeyAlgorithm::Rsa2048, 30);
        let der = openssl.path("watched.der");
        openssl.der_file(&issued.cert, &der);
        hsm.write_certificate(&token, &der, "01");
        let work = temp_dir();
        let passphrase = secret_file(work.path(), "passphrase", "архив");
        let archive = work.path().join("archive.db");
        let certkeeper = || {
            let mut command = hsm.command(bin::certkeeper());
            command
                .arg("--archive")
                .arg(&archive)
                .arg("--passphrase-file")
                .arg(&passphrase)
                .env("CERTKEEPER_LANG", "en")
                .stdin(std::process::Stdio::null());
            command
        };
        run(certkeeper().args(["init", "--allow-weak-passphrase"]));
        let mut child = certkeeper()
            .args(["--json", "media", "watch", "--for", "60", "--archive-new"])
            .arg("--pkcs11-module")
            .arg(hsm.module())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("media watch");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, events) = std::sync::mpsc::channel::<serde_json::Value>();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(event) = serde_json::from_str(&line)
                    && sender.send(event).is_err()
                {
                    break;
                }
            }
        });
        let next = |kind: &str| -> serde_json::Value {
            loop {
                let event = events
                    .recv_timeout(Duration::from_secs(20))
                    .unwrap_or_else(|_| panic!("no {kind} event"));
                if event["event"] == kind {
                    return event;
                }
            }
        };
        next("reader_added");
        let card = pcscd.insert_card();
        next("card_inserted");
        let archived = next("certificates_archived");
        assert_eq!(archived["token"], "Вставленный", "{archived}");
        assert_eq!(archived["added"], serde_json::json!(["Ольга Вставкина"]));
        // Out and in again: already there, nothing added twice.
        card.remove();
        next("card_removed");
        let card = pcscd.insert_card();
        let again = next("certificates_archived");
        assert_eq!(again["added"], serde_json::json!([]), "{again}");
        assert_eq!(again["already_there"], 1);
        card.remove();
        let _ = child.kill();
        let _ = child.wait();
        let _ = reader.join();
        let listed = run(certkeeper().args(["--json", "list"]));
        let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
        assert!(listed.contains("Ольга Вставкина"), "{listed}");
    }
}

#[test]
fn a_container_goes_archive_to_drive_to_registry_to_drive_unchanged() {
    use certkeeper_tests::support::bin;
    let real = vectors::folder("cryptopro");
    let work = temp_dir();
    let drive = work.path().join("usb");
    certkeeper_tests::support::copy_dir(&real.join("g2012256"), &drive.join("g2012256"));
    let archive = work.path().join("archive.db");
    let passphrase = certkeeper_tests::support::secret_file(work.path(), "passphrase", "p");
    // Under the usual umask 022, where a plain write makes folders 755 and files 644.
    let certkeeper = || {
        let mut command = std::process::Command::new("sh");
        command
            .arg("-c")
            .arg("umask 022; exec \"$0\" \"$@\"")
            .arg(bin::certkeeper())
            .arg("--archive")
            .arg(&archive)
            .arg("--passphrase-file")
            .arg(&passphrase)
            .env("CERTKEEPER_REGISTRY", work.path().join("registry"))
            .env("USER", "anna")
            .env("CERTKEEPER_LANG", "en")
            .stdin(std::process::Stdio::null());
        command
    };
    assert!(
        certkeeper()
            .args(["init", "--allow-weak-passphrase"])
            .status()
            .expect("init")
            .success()
    );
    assert!(
        certkeeper()
            .arg("import")
            .arg(&drive)
            .status()
            .expect("import")
            .success()
    );
    // The certificate kept in the real container: its thumbprint as `list` shows it.
    let output = certkeeper()
        .args(["--json", "list"])
        .output()
        .expect("list");
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let thumbprint = listed[0]["sha1_thumbprint"]
        .as_str()
        .expect("thumbprint")
        .to_owned();
    let copy = |from: String, to: String| {
        let output = certkeeper()
            .args(["copy", &thumbprint, "--from", &from, "--to", &to])
            .output()
            .expect("copy");
        assert!(
            output.status.success(),
            "{from} → {to}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let second = work.path().join("second-usb");
    let third = work.path().join("third-usb");
    copy("archive".into(), format!("dir:{}", second.display()));
    copy(format!("dir:{}", second.display()), "registry".into());
    copy("registry".into(), format!("dir:{}", third.display()));
    // Again: the drives and the store have the very same container, and keep one copy each.
    for (from, to) in [
        ("archive".to_owned(), format!("dir:{}", second.display())),
        ("archive".to_owned(), format!("dir:{}", second.display())),
        ("archive".to_owned(), "registry".to_owned()),
    ] {
        let output = certkeeper()
            .args(["copy", &thumbprint, "--from", &from, "--to", &to])
            .output()
            .expect("copy");
        let said = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && said.contains("is there already"),
            "{said}"
        );
    }
    for folder in [&second, &third] {
        let copies: Vec<_> = std::fs::read_dir(folder)
            .expect("read")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(copies.len(), 1, "{}", folder.display());
        assert_eq!(
            files_of(&copies[0]),
            files_of(&real.join("g2012256")),
            "{}",
            copies[0].display()
        );
        cryptopro::open(&copies[0], &SecretString::from("1".to_owned())).expect("opens");
    }
    let store = RegistryStore::new(&work.path().join("registry"), "anna");
    assert_eq!(store.list().expect("list").len(), 1);
    // Every folder and file the copies made is its owner's only: the drives' copies, the registry
    // store and the store's parents that did not exist before.
    for made in [&second, &third, &work.path().join("registry")] {
        assert_private(made);
    }
    // The copy out of the archive is recorded there (where the container now lives).
    let output = certkeeper()
        .args(["--json", "show", &thumbprint])
        .output()
        .expect("show");
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let seen = certkeeper_tests::support::seen_at(&shown["key_containers"][0]);
    assert!(
        seen.iter()
            .any(|location| location.starts_with(&format!("dir:{}", second.display()))),
        "{seen:?}"
    );
}

mod decrypt_with_a_token_key {
    use certkeeper_tests::support::openssl::{Issued, KeyAlgorithm, OpenSsl};
    use certkeeper_tests::support::softhsm::SoftHsm;
    use certkeeper_tests::support::{bin, run, secret_file, temp_dir};

    /// Writes `issued`'s key and certificate onto the token under CKA_ID `id`, as a CA's
    /// enrolment software leaves them (the key not extractable).
    fn put_on_token(
        hsm: &SoftHsm,
        openssl: &OpenSsl,
        token: &certkeeper_tests::support::softhsm::Token,
        issued: &Issued,
        id: &str,
        usage: &str,
    ) {
        let key_der = openssl.path(&format!("key-{id}.der"));
        let cert_der = openssl.path(&format!("cert-{id}.der"));
        run(openssl
            .command()
            .args(["pkey", "-outform", "DER", "-in"])
            .arg(&issued.key)
            .arg("-out")
            .arg(&key_der));
        openssl.der_file(&issued.cert, &cert_der);
        for (file, kind) in [(&key_der, "privkey"), (&cert_der, "cert")] {
            let usage: &[&str] = if kind == "privkey" { &[usage] } else { &[] };
            run(hsm
                .logged_in(token)
                .arg("--write-object")
                .arg(file)
                .args([
                    "--type",
                    kind,
                    "--id",
                    id,
                    "--label",
                    &format!("{kind}-{id}"),
                ])
                .args(usage));
        }
    }

    #[test]
    fn documents_to_rsa_and_ec_keys_kept_only_on_a_token_open_there() {
        let hsm = SoftHsm::new();
        let token = hsm.init_token("Токен Бориса", "11111111", "24682468");
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("Token CA", KeyAlgorithm::Rsa2048);
        let rsa = openssl.issue(&ca, "/CN=Борис RSA", KeyAlgorithm::Rsa2048, 30);
        let ec = openssl.issue(&ca, "/CN=Борис EC", KeyAlgorithm::EcP256, 30);
        put_on_token(&hsm, &openssl, &token, &rsa, "01", "--usage-decrypt");
        put_on_token(&hsm, &openssl, &token, &ec, "02", "--usage-derive");

        let work = temp_dir();
        let passphrase = secret_file(work.path(), "passphrase", "архив");
        let pin = secret_file(work.path(), "pin", &token.pin);
        let wrong = secret_file(work.path(), "wrong", "00000000");
        let archive = work.path().join("archive.db");
        let certkeeper = || {
            let mut command = hsm.command(bin::certkeeper());
            command
                .arg("--archive")
                .arg(&archive)
                .arg("--passphrase-file")
                .arg(&passphrase)
                .env("CERTKEEPER_LANG", "en")
                .stdin(std::process::Stdio::null());
            command
        };
        run(certkeeper().args(["init", "--allow-weak-passphrase"]));

        let plaintext: Vec<u8> = (0..300_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
        let documents = [
            (
                "rsa-v15",
                openssl.cms_encrypt(&plaintext, &[&rsa], "-aes-256-cbc", &[]),
            ),
            (
                "rsa-oaep",
                openssl.cms_encrypt(
                    &plaintext,
                    &[&rsa],
                    "-aes-128-gcm",
                    &["-keyopt", "rsa_padding_mode:oaep"],
                ),
            ),
            (
                "ecdh",
                openssl.cms_encrypt(&plaintext, &[&ec], "-aes-256-cbc", &[]),
            ),
        ];
        for (name, document) in &documents {
            let output = work.path().join(format!("{name}.out"));
            let result = certkeeper()
                .args(["--json", "decrypt", "--pkcs11-module"])
                .arg(hsm.module())
                .arg("--pin-file")
                .arg(&pin)
                .arg(document)
                .arg("-o")
                .arg(&output)
                .output()
                .expect("decrypt");
            assert!(
                result.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&result.stderr)
            );
            let opened: serde_json::Value = serde_json::from_slice(&result.stdout).expect("JSON");
            assert_eq!(opened["token"], "Токен Бориса", "{name}: {opened}");
            assert!(opened["certificate_id"].is_null(), "{opened}");
            assert!(
                opened["subject"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Борис"),
                "{opened}"
            );
            assert_eq!(
                std::fs::read(&output).expect("output"),
                plaintext,
                "{name}: byte-identical"
            );
        }

        // With the certificate archived (without its key), the archive's record is named too.
        run(certkeeper().arg("import").arg(&rsa.cert));
        let output = work.path().join("again.out");
        let result = certkeeper()
            .args(["--json", "decrypt", "--pkcs11-module"])
            .arg(hsm.module())
            .arg("--pin-file")
            .arg(&pin)
            .arg(&documents[0].1)
            .arg("-o")
            .arg(&output)
            .output()
            .expect("decrypt");
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        let opened: serde_json::Value = serde_json::from_slice(&result.stdout).expect("JSON");
        assert_eq!(opened["certificate_id"], 1, "{opened}");

        // A wrong PIN: said so with the token's state, nothing written, not tried again.
        let output = work.path().join("wrong.out");
        let result = certkeeper()
            .args(["decrypt", "--pkcs11-module"])
            .arg(hsm.module())
            .arg("--pin-file")
            .arg(&wrong)
            .arg(&documents[2].1)
            .arg("-o")
            .arg(&output)
            .output()
            .expect("decrypt");
        assert_eq!(result.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(
            stderr.contains("Wrong PIN for token «Токен Бориса»"),
            "{stderr}"
        );
        assert!(!output.exists());

        // No token holds the key: the recipient is named, as before.
        let stranger = openssl.issue(&ca, "/CN=Stranger", KeyAlgorithm::Rsa2048, 30);
        let document = openssl.cms_encrypt(&plaintext, &[&stranger], "-aes-256-cbc", &[]);
        let result = certkeeper()
            .args(["decrypt", "--pkcs11-module"])
            .arg(hsm.module())
            .arg("--pin-file")
            .arg(&pin)
            .arg(&document)
            .arg("-o")
            .arg(work.path().join("stranger.out"))
            .output()
            .expect("decrypt");
        assert_eq!(result.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains("No archived key opens"), "{stderr}");
    }

    /// A prompt that answers from a script and remembers what it was asked.
    struct Scripted {
        answers: std::cell::RefCell<Vec<Option<&'static str>>>,
        asked: std::cell::RefCell<Vec<certkeeper_core::media::pkcs11::PinState>>,
    }

    impl certkeeper_core::interact::Prompt for Scripted {
        fn secret(
            &self,
            request: &certkeeper_core::interact::Request<'_>,
        ) -> Result<certkeeper_core::secret::SecretString, certkeeper_core::interact::Declined>
        {
            if let certkeeper_core::interact::Request::Pin { state, .. } = request {
                self.asked.borrow_mut().push(*state);
            }
            match self.answers.borrow_mut().remove(0) {
                Some(answer) => Ok(certkeeper_core::secret::SecretString::from(
                    answer.to_owned(),
                )),
                None => Err(certkeeper_core::interact::Declined::NoOneToAsk),
            }
        }
    }

    /// The PIN half of [`the_pin_is_asked_through_the_prompt_with_the_token_state`], run in a
    /// child process of it so that SoftHSM2 reads that test's configuration.
    fn pin_prompt(done: std::ffi::OsString) {
        use certkeeper_core::media::pkcs11::{Module, TokenError};
        let module = Module::load(std::path::Path::new(
            &std::env::var_os("CERTKEEPER_TEST_MODULE").expect("module"),
        ))
        .expect("module");
        let label = std::env::var("CERTKEEPER_TEST_TOKEN").expect("token");
        let prompt = Scripted {
            answers: std::cell::RefCell::new(vec![Some("00000000"), Some("97531975"), None]),
            asked: std::cell::RefCell::new(Vec::new()),
        };
        // A wrong PIN: one attempt, reported with the state after it.
        let pin = module.ask_pin(&label, &prompt).expect("asked");
        match module.private_key(&label, &pin, &[1]) {
            Err(TokenError::WrongPin { state, .. }) => assert!(state.count_low),
            other => panic!("a wrong PIN: {other:?}"),
        }
        // Asked again, the person is shown that a wrong PIN was entered; the right one works.
        let pin = module.ask_pin(&label, &prompt).expect("asked");
        module
            .private_key(&label, &pin, &[1])
            .expect("the right PIN");
        // No one to ask: said so, nothing tried.
        assert!(matches!(
            module.ask_pin(&label, &prompt),
            Err(TokenError::PinNotGiven { .. })
        ));
        let asked = prompt.asked.borrow();
        assert_eq!(asked.len(), 3);
        assert!(!asked[0].count_low, "{asked:?}");
        assert!(
            asked[1].count_low,
            "the state is shown before asking again: {asked:?}"
        );
        std::fs::write(done, "ok").expect("write");
    }

    #[test]
    fn the_pin_is_asked_through_the_prompt_with_the_token_state() {
        // Run again as its own child (below), this test asks the PIN and nothing else.
        if let Some(done) = std::env::var_os("CERTKEEPER_TEST_PIN_DONE") {
            return pin_prompt(done);
        }
        let hsm = SoftHsm::new();
        let token = hsm.init_token("Токен с PIN", "11111111", "97531975");
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("PIN CA", KeyAlgorithm::Rsa2048);
        let holder = openssl.issue(&ca, "/CN=PIN holder", KeyAlgorithm::Rsa2048, 30);
        put_on_token(&hsm, &openssl, &token, &holder, "01", "--usage-sign");
        let work = temp_dir();
        let done = work.path().join("done");
        let child = hsm
            .command(std::env::current_exe().expect("this test binary"))
            .args([
                "decrypt_with_a_token_key::the_pin_is_asked_through_the_prompt_with_the_token_state",
                "--exact",
                "--nocapture",
            ])
            .env("CERTKEEPER_TEST_PIN_DONE", &done)
            .env("CERTKEEPER_TEST_MODULE", hsm.module())
            .env("CERTKEEPER_TEST_TOKEN", &token.label)
            .output()
            .expect("the PIN child");
        assert!(
            child.status.success(),
            "{}{}",
            String::from_utf8_lossy(&child.stdout),
            String::from_utf8_lossy(&child.stderr)
        );
        assert_eq!(std::fs::read_to_string(&done).expect("the child ran"), "ok");
    }

    /// The signing half of [`signing_on_the_token_verifies_with_openssl`], run in a child process
    /// of it so that SoftHSM2 reads that test's private configuration (the environment of a test
    /// process is not changed while it runs): signs with both keys on the token into `out`.
    fn sign_on_the_token(out: std::path::PathBuf) {
        let module = certkeeper_core::media::pkcs11::Module::load(std::path::Path::new(
            &std::env::var_os("CERTKEEPER_TEST_MODULE").expect("module"),
        ))
        .expect("module");
        let label = std::env::var("CERTKEEPER_TEST_TOKEN").expect("token");
        let pin = certkeeper_core::secret::SecretString::from(
            std::env::var("CERTKEEPER_TEST_PIN").expect("pin"),
        );
        for id in [1u8, 2] {
            let key = module
                .private_key(&label, &pin, &[id])
                .expect("the key on the token");
            let signature = key.sign(b"signed on the token").expect("sign");
            std::fs::write(out.join(format!("signature-{id}")), signature).expect("write");
        }
    }

    #[test]
    fn signing_on_the_token_verifies_with_openssl() {
        // Run again as its own child (below), this test signs and nothing else.
        if let Some(out) = std::env::var_os("CERTKEEPER_TEST_SIGN_OUT") {
            return sign_on_the_token(out.into());
        }
        let hsm = SoftHsm::new();
        let token = hsm.init_token("Токен для подписи", "11111111", "13571357");
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("Sign CA", KeyAlgorithm::Rsa2048);
        let rsa = openssl.issue(&ca, "/CN=RSA signer", KeyAlgorithm::Rsa2048, 30);
        let ec = openssl.issue(&ca, "/CN=EC signer", KeyAlgorithm::EcP256, 30);
        put_on_token(&hsm, &openssl, &token, &rsa, "01", "--usage-sign");
        put_on_token(&hsm, &openssl, &token, &ec, "02", "--usage-sign");
        let work = temp_dir();
        let child = hsm
            .command(std::env::current_exe().expect("this test binary"))
            .args([
                "decrypt_with_a_token_key::signing_on_the_token_verifies_with_openssl",
                "--exact",
                "--nocapture",
            ])
            .env("CERTKEEPER_TEST_SIGN_OUT", work.path())
            .env("CERTKEEPER_TEST_MODULE", hsm.module())
            .env("CERTKEEPER_TEST_TOKEN", &token.label)
            .env("CERTKEEPER_TEST_PIN", &token.pin)
            .output()
            .expect("the signing child");
        assert!(
            child.status.success(),
            "{}{}",
            String::from_utf8_lossy(&child.stdout),
            String::from_utf8_lossy(&child.stderr)
        );
        let message = work.path().join("message");
        std::fs::write(&message, b"signed on the token").expect("write");
        for (issued, id) in [(&rsa, 1), (&ec, 2)] {
            let raw = std::fs::read(work.path().join(format!("signature-{id}")))
                .expect("the child signed");
            let signature = if id == 2 {
                // PKCS#11 gives r ‖ s; OpenSSL wants the DER ECDSA-Sig-Value.
                assert_eq!(raw.len(), 64);
                let integer = |half: &[u8]| {
                    let mut bytes = half.to_vec();
                    while bytes.len() > 1 && bytes[0] == 0 && bytes[1] & 0x80 == 0 {
                        bytes.remove(0);
                    }
                    if bytes[0] & 0x80 != 0 {
                        bytes.insert(0, 0);
                    }
                    [vec![0x02, bytes.len() as u8], bytes].concat()
                };
                let body = [integer(&raw[..32]), integer(&raw[32..])].concat();
                [vec![0x30, body.len() as u8], body].concat()
            } else {
                raw
            };
            let signature_file = work.path().join(format!("signature-{id}.der"));
            std::fs::write(&signature_file, &signature).expect("write");
            let public = work.path().join(format!("public-{id}.pem"));
            run(openssl
                .command()
                .args(["x509", "-pubkey", "-noout", "-in"])
                .arg(&issued.cert)
                .arg("-out")
                .arg(&public));
            let verified = run(openssl
                .command()
                .args(["dgst", "-sha256", "-verify"])
                .arg(&public)
                .arg("-signature")
                .arg(&signature_file)
                .arg(&message));
            assert!(
                String::from_utf8_lossy(&verified.stdout).contains("Verified OK"),
                "signature {id}"
            );
        }
    }
}

mod keygen_on_a_token {
    use certkeeper_tests::support::openssl::OpenSsl;
    use certkeeper_tests::support::softhsm::SoftHsm;
    use certkeeper_tests::support::{bin, run, secret_file, temp_dir};

    /// certkeeper in English on `hsm`'s tokens, with a registry store in `work` and nobody to ask.
    fn certkeeper_on(hsm: &SoftHsm, work: &std::path::Path) -> std::process::Command {
        let mut command = hsm.command(bin::certkeeper());
        command
            .env("CERTKEEPER_LANG", "en")
            .env("CERTKEEPER_REGISTRY", work.join("registry"))
            .stdin(std::process::Stdio::null());
        command
    }

    #[test]
    fn rsa_and_ec_keys_made_on_the_token_sign_for_pkcs11_tool_and_gost_is_refused_where_missing() {
        let hsm = SoftHsm::new();
        let token = hsm.init_token("Новый токен", "11111111", "31415926");
        let work = temp_dir();
        let pin = secret_file(work.path(), "pin", &token.pin);
        let certkeeper = || certkeeper_on(&hsm, work.path());
        let openssl = OpenSsl::new();
        let message = work.path().join("message");
        std::fs::write(&message, b"made on the token").expect("write");
        for (algorithm, id, mechanism, key_type) in [
            ("rsa2048", "0A", "SHA256-RSA-PKCS", "RSA 2048"),
            // SoftHSM2 signs a SHA-256 digest with plain ECDSA.
            ("ec-p256", "0B", "ECDSA", "EC P-256"),
        ] {
            let public = work.path().join(format!("{id}.pem"));
            let output = certkeeper()
                .args(["--json", "media", "keygen", "--pkcs11-module"])
                .arg(hsm.module())
                .args(["--token", &token.label, "--algorithm", algorithm])
                .args(["--label", &format!("made-{id}"), "--id", id])
                .arg("--pin-file")
                .arg(&pin)
                .arg("--public-key-out")
                .arg(&public)
                .output()
                .expect("keygen");
            assert!(
                output.status.success(),
                "{algorithm}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let made: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
            assert_eq!(made["id"], id);
            assert_eq!(made["key_type"], key_type);
            assert_eq!(made["extractable"], false);
            // pkcs11-tool, an independent peer, signs with the new key; OpenSSL verifies the
            // signature with the public key certkeeper wrote.
            let signature = work.path().join(format!("{id}.sig"));
            let digest = work.path().join("message.sha256");
            run(openssl
                .command()
                .args(["dgst", "-sha256", "-binary", "-out"])
                .arg(&digest)
                .arg(&message));
            let signed = if mechanism == "ECDSA" {
                &digest
            } else {
                &message
            };
            run(hsm
                .logged_in(&token)
                .args(["--sign", "-m", mechanism, "--id", id])
                .args(["--signature-format", "openssl", "-i"])
                .arg(signed)
                .arg("-o")
                .arg(&signature));
            let verified = run(openssl
                .command()
                .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
                .arg(&public)
                .args(["-pkeyopt", "digest:sha256", "-sigfile"])
                .arg(&signature)
                .arg("-in")
                .arg(&digest));
            assert!(
                String::from_utf8_lossy(&verified.stdout)
                    .contains("Signature Verified Successfully"),
                "{algorithm}"
            );
        }
        // pkcs11-tool sees both pairs, the private keys not extractable.
        let objects = run(hsm.logged_in(&token).args(["--list-objects"]));
        let listing = String::from_utf8_lossy(&objects.stdout);
        for label in ["made-0A", "made-0B"] {
            assert_eq!(listing.matches(label).count(), 2, "{listing}");
        }
        assert!(listing.contains("never extractable"), "{listing}");

        // What the token can make, from its full mechanism list (read by raw calls): SoftHSM2 as
        // Debian builds it has RSA and EC, no GOST.
        let output = certkeeper()
            .args(["--json", "media", "list", "--pkcs11-module"])
            .arg(hsm.module())
            .output()
            .expect("media list");
        let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(
            listed["tokens"][0]["generates"],
            serde_json::json!(["RSA", "EC"]),
            "{listed}"
        );
        // So a GOST key is refused with the reason, before any key is made.
        let output = certkeeper()
            .args(["media", "keygen", "--pkcs11-module"])
            .arg(hsm.module())
            .args(["--token", &token.label, "--algorithm", "gost2012-256"])
            .arg("--pin-file")
            .arg(&pin)
            .output()
            .expect("keygen");
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("cannot generate GOST R 34.10-2012 256"),
            "{stderr}"
        );
        // And an algorithm nobody knows is named.
        let output = certkeeper()
            .args(["media", "keygen", "--token", &token.label])
            .args(["--algorithm", "dsa1024"])
            .output()
            .expect("keygen");
        assert_eq!(output.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&output.stderr)
                .contains("does not know the key algorithm «dsa1024»")
        );
    }

    #[test]
    fn a_gost_key_made_through_the_tc26_mechanisms_signs_for_pkcs11_tool_and_openssl_verifies() {
        // SoftHSM2 with its GOST mechanisms (.ci/softhsm-gost): 256-bit keys on CryptoPro A only.
        let hsm = SoftHsm::with_gost();
        let token = hsm.init_token("Рутокен ЭЦП 3.0", "11111111", "27182818");
        let work = temp_dir();
        let pin = secret_file(work.path(), "pin", &token.pin);
        let certkeeper = || {
            let mut command = certkeeper_on(&hsm, work.path());
            command.arg("--json").arg("media");
            command
        };
        let listed = certkeeper()
            .arg("list")
            .arg("--pkcs11-module")
            .arg(hsm.module())
            .output()
            .expect("media list");
        let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
        assert_eq!(
            listed["tokens"][0]["generates"],
            serde_json::json!(["RSA", "EC", "GOST R 34.10-2012 256"]),
            "{listed}"
        );
        let keygen = |algorithm: &str, id: &str| {
            certkeeper()
                .args(["keygen", "--pkcs11-module"])
                .arg(hsm.module())
                .args(["--token", &token.label, "--algorithm", algorithm])
                .args(["--label", &format!("made-{id}"), "--id", id])
                .arg("--pin-file")
                .arg(&pin)
                .arg("--public-key-out")
                .arg(work.path().join(format!("{id}.pem")))
                .output()
                .expect("keygen")
        };
        let output = keygen("gost2012-256", "0C");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let made: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(made["id"], "0C");
        assert_eq!(
            made["key_type"],
            "GOST R 34.10-2012 256 (id-GostR3410-2001-CryptoPro-A-ParamSet)"
        );
        // pkcs11-tool signs with the new key; OpenSSL verifies with the public key certkeeper
        // wrote.
        super::assert_token_signs_gost(
            &hsm,
            &token,
            "0C",
            &work.path().join("0C.pem"),
            work.path(),
        );
        let objects = run(hsm.logged_in(&token).args(["--list-objects"]));
        let listing = String::from_utf8_lossy(&objects.stdout).into_owned();
        assert!(
            listing.contains("Private Key Object; GOSTR3410-2012-256"),
            "{listing}"
        );
        assert!(listing.contains("never extractable"), "{listing}");

        // What this token refuses is said as such, and leaves nothing behind: another parameter
        // set (SoftHSM2 knows CryptoPro A only) and 512 bits (no TC26 mechanism).
        for (algorithm, id, said) in [
            (
                "gost2012-256:b",
                "0D",
                "cannot generate GOST R 34.10-2012 256 (id-GostR3410-2001-CryptoPro-B-ParamSet)",
            ),
            (
                "gost2012-512",
                "0E",
                "cannot generate GOST R 34.10-2012 512",
            ),
        ] {
            let output = keygen(algorithm, id);
            assert_eq!(output.status.code(), Some(1), "{algorithm}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains(said), "{stderr}");
            assert!(stderr.contains("nothing was made"), "{stderr}");
        }
        let objects = run(hsm.logged_in(&token).args(["--list-objects"]));
        let after = String::from_utf8_lossy(&objects.stdout);
        assert_eq!(after.matches("Object;").count(), 2, "{after}");
    }
}

mod copy_between_tokens_drives_and_the_archive {
    use certkeeper_tests::support::openssl::{Issued, KeyAlgorithm, OpenSsl};
    use certkeeper_tests::support::softhsm::{SoftHsm, Token};
    use certkeeper_tests::support::{bin, run, secret_file, temp_dir};

    fn thumbprint(openssl: &OpenSsl, issued: &Issued) -> String {
        openssl.sha1_thumbprint(&issued.cert)
    }

    fn write_pair(
        hsm: &SoftHsm,
        openssl: &OpenSsl,
        token: &Token,
        issued: &Issued,
        id: &str,
        extractable: bool,
    ) {
        let key_der = openssl.path(&format!("pair-key-{id}.der"));
        let cert_der = openssl.path(&format!("pair-cert-{id}.der"));
        run(openssl
            .command()
            .args(["pkey", "-outform", "DER", "-in"])
            .arg(&issued.key)
            .arg("-out")
            .arg(&key_der));
        openssl.der_file(&issued.cert, &cert_der);
        let mut key = hsm.logged_in(token);
        key.args(["--write-object"]).arg(&key_der).args([
            "--type",
            "privkey",
            "--id",
            id,
            "--usage-sign",
        ]);
        if extractable {
            key.arg("--extractable");
        }
        run(&mut key);
        run(hsm
            .logged_in(token)
            .args(["--write-object"])
            .arg(&cert_der)
            .args(["--type", "cert", "--id", id]));
    }

    /// The public key of a PEM certificate or key, as OpenSSL prints it.
    fn public_of(openssl: &OpenSsl, args: &[&str], path: &std::path::Path) -> String {
        let output = run(openssl.command().args(args).arg(path));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    #[test]
    fn keys_go_token_to_drive_to_token_and_token_to_archive_to_token_proven_each_time() {
        let hsm = SoftHsm::new();
        let old = hsm.init_token("Старый токен", "11111111", "11112222");
        let new = hsm.init_token("Новый токен", "22222222", "33334444");
        let openssl = OpenSsl::new();
        let ca = openssl.make_ca("Copy CA", KeyAlgorithm::Rsa2048);
        let rsa = openssl.issue(&ca, "/CN=Ирина RSA", KeyAlgorithm::Rsa2048, 30);
        let ec = openssl.issue(&ca, "/CN=Ирина EC", KeyAlgorithm::EcP256, 30);
        let locked = openssl.issue(&ca, "/CN=Ирина locked", KeyAlgorithm::EcP256, 30);
        write_pair(&hsm, &openssl, &old, &rsa, "01", true);
        write_pair(&hsm, &openssl, &old, &ec, "02", true);
        write_pair(&hsm, &openssl, &old, &locked, "03", false);

        let work = temp_dir();
        let drive = work.path().join("drive");
        let old_pin = secret_file(work.path(), "old-pin", &old.pin);
        let new_pin = secret_file(work.path(), "new-pin", &new.pin);
        let pfx_password = secret_file(work.path(), "pfx", "пароль файла");
        let passphrase = secret_file(work.path(), "passphrase", "архив");
        let archive = work.path().join("archive.db");
        let certkeeper = || {
            let mut command = hsm.command(bin::certkeeper());
            command
                .arg("--archive")
                .arg(&archive)
                .arg("--passphrase-file")
                .arg(&passphrase)
                .env("CERTKEEPER_LANG", "en")
                .env("CERTKEEPER_REGISTRY", work.path().join("registry"))
                .stdin(std::process::Stdio::null());
            command
        };
        run(certkeeper().args(["init", "--allow-weak-passphrase"]));
        let copy = |thumbprint: &str,
                    from: &str,
                    to: &str,
                    from_secret: &std::path::Path,
                    to_secret: &std::path::Path| {
            let mut command = certkeeper();
            command
                .args([
                    "copy",
                    thumbprint,
                    "--from",
                    from,
                    "--to",
                    to,
                    "--pkcs11-module",
                ])
                .arg(hsm.module())
                .arg("--from-secret-file")
                .arg(from_secret)
                .arg("--to-secret-file")
                .arg(to_secret);
            command.output().expect("copy")
        };

        // Token → drive: a PFX file OpenSSL opens, whose key is the certificate's.
        let rsa_thumbprint = thumbprint(&openssl, &rsa);
        let output = copy(
            &rsa_thumbprint,
            "token:Старый токен",
            &format!("dir:{}", drive.display()),
            &old_pin,
            &pfx_password,
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let pfx = std::fs::read_dir(&drive)
            .expect("drive")
            .map(|entry| entry.expect("entry").path())
            .find(|path| path.extension().is_some_and(|ext| ext == "pfx"))
            .expect("a PFX on the drive");
        let key_pem = work.path().join("from-pfx.pem");
        run(openssl
            .command()
            .args([
                "pkcs12",
                "-nocerts",
                "-nodes",
                "-passin",
                "pass:пароль файла",
                "-in",
            ])
            .arg(&pfx)
            .arg("-out")
            .arg(&key_pem));
        assert_eq!(
            public_of(&openssl, &["pkey", "-pubout", "-in"], &key_pem),
            public_of(&openssl, &["x509", "-noout", "-pubkey", "-in"], &rsa.cert)
        );

        // Drive → another token: pkcs11-tool signs with it there, OpenSSL verifies with the certificate.
        let output = copy(
            &rsa_thumbprint,
            &format!("dir:{}", drive.display()),
            "token:Новый токен",
            &pfx_password,
            &new_pin,
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let listing = run(hsm.logged_in(&new).args(["--list-objects"]));
        let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
        assert!(listing.contains("Private Key Object; RSA"), "{listing}");
        assert!(listing.contains("Certificate Object"), "{listing}");
        let id_line = listing
            .lines()
            .skip_while(|line| !line.starts_with("Private Key Object; RSA"))
            .find(|line| line.trim_start().starts_with("ID:"))
            .expect("the key's ID")
            .trim()
            .trim_start_matches("ID:")
            .trim()
            .to_owned();
        let message = work.path().join("message");
        std::fs::write(&message, b"signed by the copy").expect("write");
        let signature = work.path().join("message.sig");
        run(hsm
            .logged_in(&new)
            .args(["--sign", "-m", "SHA256-RSA-PKCS", "--id", &id_line, "-i"])
            .arg(&message)
            .arg("-o")
            .arg(&signature));
        let public = work.path().join("rsa-public.pem");
        std::fs::write(
            &public,
            public_of(&openssl, &["x509", "-noout", "-pubkey", "-in"], &rsa.cert),
        )
        .expect("write");
        let verified = run(openssl
            .command()
            .args(["dgst", "-sha256", "-verify"])
            .arg(&public)
            .arg("-signature")
            .arg(&signature)
            .arg(&message));
        assert!(String::from_utf8_lossy(&verified.stdout).contains("Verified OK"));

        // Token → archive → the other token (the EC pair); the archive records the token copy.
        let ec_thumbprint = thumbprint(&openssl, &ec);
        let output = copy(
            &ec_thumbprint,
            "token:Старый токен",
            "archive",
            &old_pin,
            &new_pin,
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let shown = run(certkeeper().args(["--json", "show", &ec_thumbprint]));
        let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("JSON");
        assert!(shown.to_string().contains("token:Старый токен"), "{shown}");
        let output = copy(
            &ec_thumbprint,
            "archive",
            "token:Новый токен",
            &old_pin,
            &new_pin,
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let listing = run(hsm.logged_in(&new).args(["--list-objects"]));
        assert!(String::from_utf8_lossy(&listing.stdout).contains("Private Key Object; EC"));
        let audit = run(certkeeper().args(["--json", "audit"]));
        assert!(String::from_utf8_lossy(&audit.stdout).contains("token:Новый токен"));

        // A key that may not leave its token: refused, with what can be done instead.
        let output = copy(
            &thumbprint(&openssl, &locked),
            "token:Старый токен",
            &format!("dir:{}", drive.display()),
            &old_pin,
            &pfx_password,
        );
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("can never leave that token"), "{stderr}");
        assert!(stderr.contains("--certificate-only"), "{stderr}");
        // As it says: the certificate alone goes to the drive.
        let locked_thumbprint = thumbprint(&openssl, &locked);
        let output = certkeeper()
            .args(["copy", &locked_thumbprint, "--from", "token:Старый токен"])
            .arg("--to")
            .arg(format!("dir:{}", drive.display()))
            .arg("--certificate-only")
            .arg("--pkcs11-module")
            .arg(hsm.module())
            .output()
            .expect("copy");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let cer = std::fs::read_dir(&drive)
            .expect("drive")
            .map(|entry| entry.expect("entry").path())
            .find(|path| path.extension().is_some_and(|ext| ext == "cer"))
            .expect("the certificate on the drive");
        assert_eq!(
            std::fs::read(&cer).expect("read"),
            openssl.der(&locked.cert)
        );
        // RSA keys do not go into the CryptoPro registry store.
        let output = copy(
            &rsa_thumbprint,
            "token:Старый токен",
            "registry",
            &old_pin,
            &pfx_password,
        );
        assert_eq!(output.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&output.stderr).contains("GOST"));
    }
}

#[test]
fn a_drive_scanned_by_media_list_shows_its_containers_pfx_and_certificates() {
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};
    use certkeeper_tests::support::{bin, copy_dir};
    let work = temp_dir();
    let drive = work.path().join("ФЛЕШКА");
    std::fs::create_dir_all(drive.join("Документы")).expect("mkdir");
    let real = vectors::folder("cryptopro");
    for (name, _) in CONTAINERS {
        copy_dir(&real.join(name), &drive.join("keys").join(name));
    }
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("Drive CA", KeyAlgorithm::Rsa2048);
    let issued = openssl.issue(&ca, "/CN=Владелец флешки", KeyAlgorithm::Rsa2048, 30);
    let pfx = openssl.pfx(&issued, "1", PfxProtection::Aes256);
    std::fs::copy(&pfx, drive.join("owner.pfx")).expect("copy");
    std::fs::copy(&issued.cert, drive.join("owner.cer")).expect("copy");
    std::fs::write(drive.join("Документы").join("отчёт.txt"), "не ключ").expect("write");
    let output = std::process::Command::new(bin::certkeeper())
        .args([
            "--json",
            "media",
            "list",
            "--pkcs11-module",
            "/nonexistent.so",
            "--dir",
        ])
        .arg(&drive)
        .env("CERTKEEPER_REGISTRY", work.path().join("registry"))
        .env("CERTKEEPER_LANG", "en")
        .output()
        .expect("media list");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let scanned = &listed["drives"][0];
    assert_eq!(scanned["path"], drive.to_str().expect("UTF-8"));
    let containers = scanned["containers"].as_array().expect("containers");
    assert_eq!(containers.len(), CONTAINERS.len(), "{scanned}");
    assert!(
        containers
            .iter()
            .any(|container| container["name"] == "00000000-14bf-4902-b265-c9c6d9bb63a7"),
        "{scanned}"
    );
    assert_eq!(
        scanned["pfx"].as_array().map(Vec::len),
        Some(1),
        "{scanned}"
    );
    assert_eq!(scanned["certificates"][0]["subject"], "Владелец флешки");
    assert_eq!(scanned["other_files"], 1, "{scanned}");
    assert!(
        listed["unusable_modules"][0]
            .as_str()
            .is_some_and(|text| text.contains("/nonexistent.so"))
    );
}

/// `media list` with no token says so, which drivers looked, and what to do: insert the token or
/// start pcscd, and where Rutoken's driver comes from when it is not installed; with no driver at
/// all it says that. In both languages.
#[test]
fn media_list_with_no_token_says_why_and_what_to_do() {
    use certkeeper_tests::support::bin;
    use certkeeper_tests::support::softhsm::SoftHsm;
    let work = temp_dir();
    // SoftHSM2 with no token made: a driver that sees none.
    let hsm = SoftHsm::new();
    let list = |lang: &str, module: &str| {
        let output = std::process::Command::new(bin::certkeeper())
            .args(["media", "list", "--pkcs11-module", module])
            .env("CERTKEEPER_REGISTRY", work.path().join("registry"))
            .env("SOFTHSM2_CONF", hsm.conf_path())
            .env("CERTKEEPER_LANG", lang)
            .output()
            .expect("media list");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let module = hsm.module().display().to_string();
    let text = list("en", &module);
    assert!(
        text.contains(&format!("No token found by the drivers {module}."))
            && text.contains("sudo systemctl start pcscd")
            && text.contains("https://www.rutoken.ru/support/download/pkcs/"),
        "{text}"
    );
    let text = list("ru", &module);
    assert!(
        text.contains("Драйверы не нашли ни одного токена:")
            && text.contains("Драйвер Рутокена (librtpkcs11ecp.so) не установлен"),
        "{text}"
    );
    let text = list("en", "/nonexistent/librtpkcs11ecp.so");
    assert!(
        text.contains("No token: no token driver (PKCS#11 module) is installed.")
            && text.contains("Rutoken's driver (librtpkcs11ecp.so) is not installed"),
        "{text}"
    );
}

/// With the smart card service not running, `media watch` says that pcscd is not running and how
/// to start it, in each language, with no PC/SC text in English and no doubled prefix.
#[test]
fn media_watch_without_pcscd_says_to_start_it() {
    use certkeeper_tests::support::bin;
    let work = temp_dir();
    for (lang, said) in [
        ("en", "The smart card service (pcscd) is not running"),
        ("ru", "Служба смарт-карт (pcscd) не запущена"),
    ] {
        let output = std::process::Command::new(bin::certkeeper())
            .args(["media", "watch", "--for", "1"])
            // pcsc-lite's client reaches the service through this socket: here, none.
            .env("PCSCLITE_CSOCK_NAME", work.path().join("no-pcscd.comm"))
            .env("CERTKEEPER_LANG", lang)
            .output()
            .expect("media watch");
        let text = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{text}");
        assert!(
            text.contains(said)
                && text.contains("systemctl enable --now pcscd.socket")
                && !text.contains("PC/SC:")
                && !text.contains("resource manager"),
            "{text}"
        );
    }
}

/// A GOST key onto a token that signs with GOST keys (SoftHSM2 with its GOST mechanisms): from
/// real CryptoPro containers on a drive, in the registry store and in the archive, and from a GOST
/// PFX file, each written beside its
/// certificate under one CKA_ID and proven by certkeeper; pkcs11-tool then signs with it and
/// OpenSSL's GOST engine verifies with the certificate. A 512-bit key (no such mechanism there)
/// and a token with no GOST at all (Debian's SoftHSM2) are refused before the PIN is asked.
#[test]
fn gost_keys_from_containers_go_onto_a_token_that_signs_with_them() {
    use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};
    use certkeeper_tests::support::softhsm::SoftHsm;
    use certkeeper_tests::support::{bin, copy_dir, run, secret_file};
    let real = vectors::folder("cryptopro");
    let work = temp_dir();
    let drive = work.path().join("drive");
    for name in ["g2012256", "g2012512", "srv-emptypass"] {
        copy_dir(&real.join(name), &drive.join(name));
    }
    let password = secret_file(work.path(), "password", "1");
    let hsm = SoftHsm::with_gost();
    let token = hsm.init_token("Рутокен ЭЦП 2.0", "87654321", "13572468");
    let pin = secret_file(work.path(), "pin", &token.pin);
    let openssl = OpenSsl::new();
    let thumbprint_of = |certificate: &std::path::Path| openssl.sha1_thumbprint(certificate);
    let copy =
        |hsm: &SoftHsm, thumbprint: &str, from: &str, from_secret: Option<&std::path::Path>| {
            let mut command = hsm.command(bin::certkeeper());
            command
                .env("CERTKEEPER_LANG", "en")
                .env("CERTKEEPER_REGISTRY", work.path().join("registry"))
                .stdin(std::process::Stdio::null())
                .args(["copy", thumbprint, "--from", from, "--to"])
                .arg(format!("token:{}", token.label))
                .arg("--pkcs11-module")
                .arg(hsm.module())
                .arg("--to-secret-file")
                .arg(&pin);
            if let Some(secret) = from_secret {
                command.arg("--from-secret-file").arg(secret);
            }
            command.output().expect("copy")
        };
    let from_drive = format!("dir:{}", drive.display());

    // A 256-bit key from a container with a password, on a drive.
    let certificate = real.join("g2012256.expected.pem");
    let thumbprint = thumbprint_of(&certificate);
    let output = copy(&hsm, &thumbprint, &from_drive, Some(&password));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("the token signs with it and the original verifies"),
        "{said}"
    );
    // The registry store's copy of another container (no password) goes onto the token too.
    let srv = thumbprint_of(&real.join("srv-emptypass.cert.der"));
    let mut to_registry = hsm.command(bin::certkeeper());
    let output = to_registry
        .env("CERTKEEPER_LANG", "en")
        .env("CERTKEEPER_REGISTRY", work.path().join("registry"))
        .stdin(std::process::Stdio::null())
        .args(["copy", &srv, "--from", &from_drive, "--to", "registry"])
        .output()
        .expect("copy");
    assert!(output.status.success(), "{output:?}");
    let output = copy(&hsm, &srv, "registry", None);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // And a container kept in the archive (imported with its password, which is not asked again).
    let archive = work.path().join("archive.db");
    let passphrase = secret_file(work.path(), "passphrase", "архив на столе");
    let on_archive = |command: &mut std::process::Command| {
        command
            .env("CERTKEEPER_LANG", "en")
            .env("CERTKEEPER_REGISTRY", work.path().join("registry"))
            .arg("--archive")
            .arg(&archive)
            .arg("--passphrase-file")
            .arg(&passphrase);
    };
    let mut init = hsm.command(bin::certkeeper());
    on_archive(&mut init);
    run(init.args(["init", "--allow-weak-passphrase"]));
    let svkreml_password = secret_file(work.path(), "svkreml", "123456");
    let mut import = hsm.command(bin::certkeeper());
    on_archive(&mut import);
    run(import
        .arg("import")
        .arg(real.join("svkreml-00000000"))
        .arg("--password-file")
        .arg(&svkreml_password));
    let svkreml = thumbprint_of(&real.join("svkreml-00000000.cert.crt"));
    let mut from_archive = hsm.command(bin::certkeeper());
    on_archive(&mut from_archive);
    let output = from_archive
        .stdin(std::process::Stdio::null())
        .args(["copy", &svkreml, "--from", "archive", "--to"])
        .arg(format!("token:{}", token.label))
        .arg("--pkcs11-module")
        .arg(hsm.module())
        .arg("--to-secret-file")
        .arg(&pin)
        .output()
        .expect("copy");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("the archive records where it now lives"),
        "{output:?}"
    );

    // And a GOST key in a PFX file OpenSSL's GOST engine wrote (its own protection).
    let ca = openssl.make_ca("GOST PFX CA", KeyAlgorithm::Gost2012_256("A"));
    let issued = openssl.issue(&ca, "/CN=Ключ в PFX", KeyAlgorithm::Gost2012_256("A"), 30);
    let pfx_drive = work.path().join("pfx-drive");
    std::fs::create_dir_all(&pfx_drive).expect("mkdir");
    std::fs::copy(
        openssl.pfx(&issued, "пароль", PfxProtection::Gost),
        pfx_drive.join("key.pfx"),
    )
    .expect("copy");
    let pfx_password = secret_file(work.path(), "pfx-password", "пароль");
    let output = copy(
        &hsm,
        &thumbprint_of(&issued.cert),
        &format!("dir:{}", pfx_drive.display()),
        Some(&pfx_password),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // OpenSC sees each key beside its certificate, not extractable; pkcs11-tool signs a Streebog
    // digest with the first and OpenSSL verifies it with the certificate's public key.
    let listing = String::from_utf8_lossy(&run(hsm.logged_in(&token).arg("--list-objects")).stdout)
        .into_owned();
    assert_eq!(
        listing.matches("Certificate Object").count(),
        4,
        "{listing}"
    );
    assert_eq!(
        listing.matches("Private Key Object").count(),
        4,
        "{listing}"
    );
    // Sensitive and not extractable (CKA_EXTRACTABLE false: pkcs11-tool would say "extractable").
    for block in listing.split("Private Key Object").skip(1) {
        let access = block
            .lines()
            .find_map(|line| line.trim().strip_prefix("Access:"))
            .map(str::trim);
        assert_eq!(access, Some("sensitive"), "{listing}");
    }
    let block = listing
        .split("Certificate Object")
        .find(|block| block.contains("CN=user"))
        .expect("the certificate of g2012256");
    let id = block
        .lines()
        .find_map(|line| line.trim().strip_prefix("ID:"))
        .map(|id| id.trim().to_owned())
        .expect("its CKA_ID");
    let public = work.path().join("public.pem");
    run(openssl
        .command()
        .args(["x509", "-noout", "-pubkey", "-in"])
        .arg(&certificate)
        .arg("-out")
        .arg(&public));
    assert_token_signs_gost(&hsm, &token, &id, &public, work.path());

    // Refused, with the reason and before the PIN: a 512-bit key on this token, and any GOST key
    // on a token without GOST.
    let wide = thumbprint_of(&real.join("g2012512.expected.pem"));
    let plain = SoftHsm::new();
    plain.init_token(&token.label, "87654321", &token.pin);
    for (hsm, thumbprint) in [(&hsm, &wide), (&plain, &thumbprint)] {
        let output = copy(hsm, thumbprint, &from_drive, Some(&password));
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("this token does not sign with GOST keys of this size"),
            "{stderr}"
        );
    }
    let after = String::from_utf8_lossy(&run(hsm.logged_in(&token).arg("--list-objects")).stdout)
        .into_owned();
    assert_eq!(after.matches("Private Key Object").count(), 4, "{after}");
}
