//! `pcscd` with the vsmartcard virtual reader (`vpcd`) and a virtual card (`vicc`).
//!
//! pcscd listens on one socket per machine and vicc connects to vpcd's one port, so tests that use
//! them take the machine-wide `pcscd` lock (see [`super::exclusive`]). An already running pcscd (for
//! example the system's socket-activated one) is used as it is and left running; otherwise the
//! helper starts its own and stops it when dropped.

use std::ffi::CString;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Daemon, ExclusiveLock, exclusive, require_program, temp_dir, wait_until};

/// The reader vpcd offers for the first virtual card (vicc's default port 35963).
pub const VIRTUAL_READER: &str = "Virtual PCD 00 00";

/// pcscd's socket as Debian's pcsc-lite builds it.
const SOCKET: &str = "/run/pcscd/pcscd.comm";

/// How long services get to come up; generous for a loaded 2-core CI machine.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// A pcscd the test may use, with the virtual reader present.
#[derive(Debug)]
pub struct Pcscd {
    dir: tempfile::TempDir,
    // Dropped before the lock, so the next test finds the daemon gone.
    daemon: Option<Daemon>,
    _lock: ExclusiveLock,
}

impl Pcscd {
    /// Starts pcscd (or joins a running one) and waits until the virtual reader is listed.
    pub fn start() -> Self {
        let lock = exclusive("pcscd");
        let dir = temp_dir();
        let daemon = if UnixStream::connect(SOCKET).is_ok() {
            None
        } else {
            let program = require_program("pcscd", "pcscd");
            assert!(
                Path::new("/usr/lib/pcsc/drivers/serial/libifdvpcd.so").is_file(),
                "the vsmartcard reader driver is missing: apt-get install vsmartcard-vpcd"
            );
            std::fs::create_dir_all("/run/pcscd").expect("create /run/pcscd (needs root)");
            let log =
                std::fs::File::create(dir.path().join("pcscd.log")).expect("create pcscd.log");
            let daemon = Daemon::spawn(
                "pcscd",
                Command::new(program)
                    .args(["--foreground", "--apdu"])
                    .stdout(log.try_clone().expect("share the log file"))
                    .stderr(log),
            );
            wait_until("pcscd's socket", START_TIMEOUT, || {
                UnixStream::connect(SOCKET).is_ok()
            });
            Some(daemon)
        };
        let this = Self {
            dir,
            daemon,
            _lock: lock,
        };
        wait_until("the virtual reader", START_TIMEOUT, || {
            this.readers().iter().any(|reader| reader == VIRTUAL_READER)
        });
        this
    }

    /// The readers pcscd lists now (empty when it lists none).
    pub fn readers(&self) -> Vec<String> {
        let Ok(context) = pcsc::Context::establish(pcsc::Scope::User) else {
            return Vec::new();
        };
        context
            .list_readers_owned()
            .unwrap_or_default()
            .into_iter()
            .map(|name| name.to_string_lossy().into_owned())
            .collect()
    }

    /// The state of `reader` as pcscd reports it right now.
    pub fn reader_state(&self, reader: &str) -> pcsc::State {
        let context = pcsc::Context::establish(pcsc::Scope::User).expect("connect to pcscd");
        let name = CString::new(reader).expect("reader names have no NUL");
        let mut states = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
        context
            .get_status_change(Duration::from_millis(500), &mut states)
            .expect("SCardGetStatusChange");
        states[0].event_state()
    }

    /// Whether a card is in `reader`.
    pub fn card_present(&self, reader: &str) -> bool {
        self.reader_state(reader).contains(pcsc::State::PRESENT)
    }

    /// Puts a virtual ISO 7816 card into [`VIRTUAL_READER`] and waits until pcscd sees it.
    pub fn insert_card(&self) -> VirtualCard {
        let program = require_program("/usr/bin/vicc", "vsmartcard-vpicc");
        // Debian's vicc imports `Crypto` (PyCryptodome's old name) and installs its modules outside
        // Python's path; a shim directory fixes both without touching the system.
        let shim = self.dir.path().join("python-shim");
        if !shim.exists() {
            std::fs::create_dir(&shim).expect("create the python shim");
            std::os::unix::fs::symlink(
                "/usr/lib/python3/dist-packages/Cryptodome",
                shim.join("Crypto"),
            )
            .expect("link Cryptodome as Crypto (apt-get install python3-pycryptodome)");
        }
        let python_path = std::env::join_paths([
            shim,
            PathBuf::from("/usr/lib/python3/site-packages/virtualsmartcard"),
        ])
        .expect("python path");
        let log = std::fs::File::create(self.dir.path().join("vicc.log")).expect("create vicc.log");
        let daemon = Daemon::spawn(
            "vicc",
            Command::new("/usr/bin/python3")
                .arg(program)
                .args(["--type", "iso7816"])
                .env("PYTHONPATH", python_path)
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("share the log file"))
                .stderr(log),
        );
        let mut card = VirtualCard { daemon };
        wait_until("the virtual card in the reader", START_TIMEOUT, || {
            card.daemon.assert_running();
            self.card_present(VIRTUAL_READER)
        });
        card
    }

    /// Whether this helper started pcscd itself (false when it joined a running one).
    pub fn started_here(&self) -> bool {
        self.daemon.is_some()
    }
}

/// A virtual card in the virtual reader; dropping it (or [`VirtualCard::remove`]) pulls it out.
#[derive(Debug)]
pub struct VirtualCard {
    daemon: Daemon,
}

impl VirtualCard {
    /// Pulls the card out of the reader.
    pub fn remove(self) {
        self.daemon.stop();
    }
}
