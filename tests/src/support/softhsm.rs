//! SoftHSM2, a real PKCS#11 token, with a token directory private to one test.
//!
//! The global SoftHSM configuration is never read or written: every command the helper builds gets
//! `SOFTHSM2_CONF` pointing at a configuration file in the test's own directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{exclusive, require_program, run, temp_dir, workspace_root};

/// Where Debian installs the SoftHSM2 PKCS#11 module.
pub const DEBIAN_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// The PKCS#11 module under test: `TEST_PKCS11_MODULE`, or SoftHSM2 where Debian puts it.
pub fn module() -> PathBuf {
    let module = std::env::var_os("TEST_PKCS11_MODULE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEBIAN_MODULE));
    assert!(
        module.is_file(),
        "PKCS#11 module {} not found: apt-get install softhsm2, or set TEST_PKCS11_MODULE",
        module.display()
    );
    module
}

/// SoftHSM2 built with its GOST mechanisms by `.ci/softhsm-gost` (Debian's package has none): the
/// build `CERTKEEPER_SOFTHSM_GOST` names (its prefix; `.ci/install-and-test` makes it before the
/// suite), else `target/softhsm2-gost`, built there by the script when missing (about a minute).
/// Returns the folder holding `lib/softhsm/libsofthsm2.so` and `bin/softhsm2-util`.
pub fn gost_build() -> PathBuf {
    let prefix = std::env::var_os("CERTKEEPER_SOFTHSM_GOST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/softhsm2-gost"));
    // One build at a time: several tests may ask at once; the script does nothing once built.
    let _building = exclusive("softhsm-gost");
    run(Command::new(workspace_root().join(".ci/softhsm-gost")).arg(&prefix));
    prefix
}

/// A SoftHSM2 installation private to one test: its own configuration and token directory.
#[derive(Debug)]
pub struct SoftHsm {
    dir: tempfile::TempDir,
    /// The GOST build's prefix, for [`SoftHsm::with_gost`].
    gost: Option<PathBuf>,
}

/// A token initialised by [`SoftHsm::init_token`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// CKA_LABEL of the token.
    pub label: String,
    /// The user PIN.
    pub pin: String,
    /// The security officer PIN.
    pub so_pin: String,
}

impl SoftHsm {
    /// A fresh token directory with no token in it yet.
    pub fn new() -> Self {
        require_program("softhsm2-util", "softhsm2");
        let dir = temp_dir();
        std::fs::create_dir(dir.path().join("tokens")).expect("create the token directory");
        let conf = format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
            dir.path().join("tokens").display()
        );
        std::fs::write(dir.path().join("softhsm2.conf"), conf).expect("write softhsm2.conf");
        Self { dir, gost: None }
    }

    /// Like [`SoftHsm::new`], with SoftHSM2's GOST mechanisms ([`gost_build`]): GOST R 34.10 key
    /// pairs on the CryptoPro A parameters (CKM_GOSTR3410_KEY_PAIR_GEN) and signatures over a
    /// given digest (CKM_GOSTR3410), as Rutoken offers them; no 512-bit GOST keys.
    pub fn with_gost() -> Self {
        let gost = gost_build();
        Self {
            gost: Some(gost),
            ..Self::new()
        }
    }

    /// The configuration file; give it to a process as `SOFTHSM2_CONF`.
    pub fn conf_path(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    /// The directory that holds this installation's tokens.
    pub fn token_dir(&self) -> PathBuf {
        self.dir.path().join("tokens")
    }

    /// The PKCS#11 module to load (see [`module`]; the GOST build's for [`SoftHsm::with_gost`]).
    pub fn module(&self) -> PathBuf {
        match &self.gost {
            Some(prefix) => prefix.join("lib/softhsm/libsofthsm2.so"),
            None => module(),
        }
    }

    /// `program` with `SOFTHSM2_CONF` set to this installation.
    pub fn command(&self, program: impl AsRef<Path>) -> Command {
        let mut command = Command::new(program.as_ref());
        command.env("SOFTHSM2_CONF", self.conf_path());
        command
    }

    /// OpenSC's `pkcs11-tool` on this installation's module, the independent PKCS#11 peer.
    pub fn pkcs11_tool(&self) -> Command {
        require_program("pkcs11-tool", "opensc");
        let mut command = self.command("pkcs11-tool");
        command.arg("--module").arg(self.module());
        command
    }

    /// `pkcs11-tool` logged in to `token` with its user PIN.
    pub fn logged_in(&self, token: &Token) -> Command {
        let mut command = self.pkcs11_tool();
        command
            .args(["--token-label", &token.label, "--login", "--pin"])
            .arg(&token.pin);
        command
    }

    /// `pkcs11-tool` generating a key pair of `key_type` (as pkcs11-tool names it, e.g.
    /// `rsa:2048`, `EC:prime256v1`) on `token` with CKA_ID `id` (hex) and `label`; more arguments
    /// may be added before it is run.
    pub fn key_pair(&self, token: &Token, key_type: &str, id: &str, label: &str) -> Command {
        let mut command = self.logged_in(token);
        command.args([
            "--keypairgen",
            "--key-type",
            key_type,
            "--id",
            id,
            "--label",
            label,
        ]);
        command
    }

    /// Writes a DER certificate on `token` with CKA_ID `id` (hex), through OpenSC's pkcs11-tool.
    pub fn write_certificate(&self, token: &Token, der: &Path, id: &str) {
        run(self
            .logged_in(token)
            .arg("--write-object")
            .arg(der)
            .args(["--type", "cert", "--id", id]));
    }

    /// Initialises a new token in the next free slot.
    pub fn init_token(&self, label: &str, so_pin: &str, pin: &str) -> Token {
        let util = match &self.gost {
            Some(prefix) => prefix.join("bin/softhsm2-util"),
            None => PathBuf::from("softhsm2-util"),
        };
        run(self
            .command(util)
            .args(["--init-token", "--free", "--label", label])
            .args(["--so-pin", so_pin, "--pin", pin]));
        Token {
            label: label.to_owned(),
            pin: pin.to_owned(),
            so_pin: so_pin.to_owned(),
        }
    }
}

impl Default for SoftHsm {
    fn default() -> Self {
        Self::new()
    }
}
