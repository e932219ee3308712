//! The `certkeeper` binary under test.
//!
//! Integration tests live in their own package, where Cargo does not build another package's binary,
//! so the helper builds it once per test process with the same profile as the tests (cheap when it is
//! up to date). `CERTKEEPER_BIN` names a prebuilt binary instead.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use super::{exclusive, run, workspace_root};

/// `certkeeper --archive ARCHIVE --passphrase-file FILE` with nothing on standard input: the
/// command line beside a window or a service in a test.
pub fn on_archive(archive: &std::path::Path, passphrase_file: &std::path::Path) -> Command {
    let mut command = Command::new(certkeeper());
    command
        .arg("--archive")
        .arg(archive)
        .arg("--passphrase-file")
        .arg(passphrase_file)
        .stdin(std::process::Stdio::null());
    command
}

/// A new archive in a temporary folder, driven through the command line in English (`init` done).
pub struct ScratchArchive {
    /// The temporary folder, for the test's own files too.
    pub work: tempfile::TempDir,
    /// The archive.
    pub archive: PathBuf,
    passphrase: PathBuf,
}

impl ScratchArchive {
    /// Creates the archive under `passphrase`.
    pub fn new(passphrase: &str) -> Self {
        let work = super::temp_dir();
        let passphrase = super::secret_file(work.path(), "passphrase", &format!("{passphrase}\n"));
        let archive = work.path().join("archive.db");
        let scratch = Self {
            work,
            archive,
            passphrase,
        };
        run(scratch.cli().args(["init", "--allow-weak-passphrase"]));
        scratch
    }

    /// `certkeeper --archive … --passphrase-file …` in English.
    pub fn cli(&self) -> Command {
        let mut command = on_archive(&self.archive, &self.passphrase);
        command.env("CERTKEEPER_LANG", "en");
        command
    }
}

/// The path of an up-to-date `certkeeper` binary.
pub fn certkeeper() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build).clone()
}

fn build() -> PathBuf {
    if let Some(path) = std::env::var_os("CERTKEEPER_BIN") {
        return PathBuf::from(path);
    }
    build_for(None)
}

/// Builds the `certkeeper` program with the tests' profile, for this machine or for the Rust
/// target `target` (cheap when it is up to date), and returns its path.
pub fn build_for(target: Option<&str>) -> PathBuf {
    // target/<profile>/deps/<test binary>: the program goes to target/[<target>/]<profile>/.
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binaries live in target/<profile>/deps")
        .to_path_buf();
    let profile = profile_dir
        .file_name()
        .and_then(|name| name.to_str())
        .expect("profile directory name")
        .to_owned();
    let target_dir = profile_dir
        .parent()
        .expect("target directory")
        .to_path_buf();
    let _lock = exclusive("cargo-build");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace_root())
        .args([
            "build",
            "--quiet",
            "--package",
            "certkeeper",
            "--bin",
            "certkeeper",
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    if let Some(target) = target {
        command.args(["--target", target]);
    }
    // Cargo's `dev` profile builds into `debug`; every other profile into its own name.
    if profile != "debug" {
        command.args(["--profile", &profile]);
    }
    run(&mut command);
    let (folder, suffix) = match target {
        Some(target) => (
            target_dir.join(target).join(&profile),
            if target.contains("windows") {
                ".exe"
            } else {
                ""
            },
        ),
        None => (profile_dir, std::env::consts::EXE_SUFFIX),
    };
    let binary = folder.join(format!("certkeeper{suffix}"));
    assert!(binary.is_file(), "cargo built no {}", binary.display());
    binary
}
