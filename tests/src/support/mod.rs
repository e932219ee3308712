//! Set-up helpers for tests against real services. Each helper starts what it needs in a private
//! directory, finds programs and modules through environment variables with working defaults, and
//! stops what it started when dropped.
//!
//! | Helper | Real component | Override |
//! |---|---|---|
//! | [`softhsm`] | SoftHSM2 token directory private to the test, OpenSC `pkcs11-tool` as a peer | `TEST_PKCS11_MODULE` |
//! | [`openssl`] | OpenSSL 3 with Debian's GOST engine, through `fixtures/openssl-gost.cnf` | `TEST_OPENSSL` |
//! | [`cmp`] | OpenSSL's own CMP server with a GOST CA (`fixtures/openssl-gost-cmp.cnf`), `stunnel` for its `https:` address | `TEST_OPENSSL` |
//! | [`pcsc`] | `pcscd` with the vsmartcard virtual reader and a `vicc` virtual card | — |
//! | [`dbus`] | a private D-Bus session bus with the `dunst` notification daemon | — |
//! | [`xvfb`] | an X server on a free display, screenshots with ImageMagick | — |
//! | [`bin`] | the `certkeeper` binary of this workspace, built if needed | `CERTKEEPER_BIN` |
//! | [`wine`] | the Windows build under Wine (`wine64`), a private prefix per test | `CERTKEEPER_WINDOWS_BIN` |
//! | [`vectors`] | real-world vectors in `../shared/vectors` (never committed) | — |
//!
//! Services that exist once per machine (pcscd's socket, vicc's port) are serialized across test
//! processes with [`exclusive`], so the suite runs the same under `cargo test` and `cargo nextest`.
//! Helpers panic with the missing package's name when a tool is absent: a test that cannot reach its
//! real peer fails, it is never skipped silently.

pub mod bin;
pub mod cmp;
pub mod dbus;
pub mod openssl;
pub mod pcsc;
pub mod softhsm;
pub mod vectors;
pub mod wine;
pub mod xvfb;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package sits inside the workspace")
        .to_path_buf()
}

/// A file in `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// A private temporary directory, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("certkeeper-test-")
        .tempdir()
        .expect("create a temporary directory")
}

/// Runs a command to completion and returns its output; panics with its stderr when it fails.
pub fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot start {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed with {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Checks that `program` is installed, naming the Debian package that provides it otherwise.
pub fn require_program(program: &str, debian_package: &str) -> PathBuf {
    find_program(program).unwrap_or_else(|| {
        panic!(
            "`{program}` is not installed: apt-get install {debian_package} (or run .ci/install-and-test)"
        )
    })
}

/// `program`'s path when it is on `PATH` (or is itself a path to a file).
pub fn find_program(program: &str) -> Option<PathBuf> {
    let direct = Path::new(program);
    if direct.components().count() > 1 {
        return direct.is_file().then(|| direct.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

/// Polls `condition` until it holds; panics naming `what` after `timeout`.
pub fn wait_until(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// A process that is killed and reaped when dropped.
#[derive(Debug)]
pub struct Daemon {
    name: &'static str,
    child: Child,
}

impl Daemon {
    /// Starts `command` in the background.
    pub fn spawn(name: &'static str, command: &mut Command) -> Self {
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name} ({command:?}): {error}"));
        Self { name, child }
    }

    /// The running child, e.g. to read its piped output.
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Panics when the process has already exited.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{} exited early with {status}", self.name);
        }
    }

    /// Stops the process now (SIGKILL) and waits for it.
    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A lock held across test processes for a resource that exists once per machine.
#[derive(Debug)]
pub struct ExclusiveLock {
    _file: File,
}

/// Waits until no other test process uses `resource`, and holds it until the lock is dropped.
pub fn exclusive(resource: &str) -> ExclusiveLock {
    let path = std::env::temp_dir().join(format!("certkeeper-tests-{resource}.lock"));
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|error| panic!("cannot open lock file {}: {error}", path.display()));
    file.lock()
        .unwrap_or_else(|error| panic!("cannot lock {}: {error}", path.display()));
    ExclusiveLock { _file: file }
}

/// Makes `path` a folder only its owner may enter (0700), as a login session's runtime folder
/// (`XDG_RUNTIME_DIR`) is: the path.
pub fn private_folder(path: &Path) -> PathBuf {
    std::fs::create_dir_all(path)
        .unwrap_or_else(|error| panic!("cannot create {}: {error}", path.display()));
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .unwrap_or_else(|error| panic!("cannot chmod 700 {}: {error}", path.display()));
    path.to_path_buf()
}

/// Writes `text` to `dir/name`, readable by its owner only: a passphrase, password or PIN file as a
/// careful user keeps one.
pub fn secret_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the secret file");
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod 600 the secret file");
    path
}

/// Copies the files of folder `from` into `to` (created): a container folder put on a drive.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the folder");
    for entry in std::fs::read_dir(from).expect("read the folder") {
        let entry = entry.expect("folder entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a file");
    }
}

/// The places a `show --json` entry was seen at (its `seen` array's locations).
pub fn seen_at(entry: &serde_json::Value) -> Vec<&str> {
    entry["seen"]
        .as_array()
        .expect("seen")
        .iter()
        .filter_map(|place| place["location"].as_str())
        .collect()
}
