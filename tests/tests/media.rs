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
        let to = drive.join(name);
        std::fs::create_dir_all(&to).expect("mkdir");
        for entry in std::fs::read_dir(real.join(name)).expect("read") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
    let archive = work.path().join("archive.db");
    let passphrase = work.path().join("passphrase");
    std::fs::write(&passphrase, "p").expect("write");
    std::fs::set_permissions(
        &passphrase,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .expect("chmod");
    let registry_root = work.path().join("registry");
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
    assert!(certkeeper().arg("init").status().expect("init").success());
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
    assert_eq!(copies, CONTAINERS.len(), "recorded once each");

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
