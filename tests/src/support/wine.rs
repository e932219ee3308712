//! The Windows build of certkeeper (`x86_64-pc-windows-gnu`, linked by mingw-w64) run under Wine
//! (Debian's `wine64`), in a Wine prefix private to one test.
//!
//! Wine 8 lacks `bcryptprimitives.dll`, where Rust's standard library on Windows takes its random
//! numbers from (`ProcessPrng`); the harness builds a small one with mingw-w64 from
//! `fixtures/wine/bcryptprimitives.c` (over `RtlGenRandom`) and puts it into the prefix's
//! `system32`. The prefix gets no fonts, no Mono, no Gecko and no desktop menu entries.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{fixture, require_program, run};

/// The Rust target of the Windows build.
pub const TARGET: &str = "x86_64-pc-windows-gnu";

/// A Wine prefix private to one test; its wine server is stopped when dropped.
pub struct Wine {
    prefix: tempfile::TempDir,
    wine: PathBuf,
    server: PathBuf,
}

impl Wine {
    /// Makes a new prefix (`wineboot --init`, about ten seconds) with the `ProcessPrng` DLL.
    pub fn new() -> Self {
        let wine = ["/usr/lib/wine/wine64", "/usr/bin/wine64"]
            .iter()
            .map(PathBuf::from)
            .find(|path| path.is_file())
            .unwrap_or_else(|| require_program("wine64", "wine64"));
        let server = ["/usr/lib/wine/wineserver64", "/usr/lib/wine/wineserver"]
            .iter()
            .map(PathBuf::from)
            .find(|path| path.is_file())
            .unwrap_or_else(|| require_program("wineserver", "wine64"));
        let prefix = tempfile::Builder::new()
            .prefix("certkeeper-wine-")
            .tempdir()
            .expect("create the Wine prefix folder");
        let wine = Self {
            prefix,
            wine,
            server,
        };
        run(wine.command("wineboot").arg("--init"));
        wine.wait();
        let system32 = wine.drive_c().join("windows/system32");
        assert!(system32.is_dir(), "wineboot made no {}", system32.display());
        std::fs::copy(process_prng_dll(), system32.join("bcryptprimitives.dll"))
            .expect("put bcryptprimitives.dll into the prefix");
        wine
    }

    /// The prefix's `C:` drive.
    pub fn drive_c(&self) -> PathBuf {
        self.prefix.path().join("drive_c")
    }

    /// The prefix folder.
    pub fn prefix(&self) -> &Path {
        self.prefix.path()
    }

    /// `wine64 PROGRAM` in this prefix, with no display (set `DISPLAY` for a window).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(&self.wine);
        command
            .arg(program)
            .env("WINEPREFIX", self.prefix.path())
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko installers, no menu entries written into the tester's home.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(std::process::Stdio::null());
        command
    }

    /// The Windows certkeeper in this prefix, in English.
    pub fn certkeeper(&self) -> Command {
        let mut command = self.command(certkeeper_exe());
        command.env("CERTKEEPER_LANG", "en");
        command
    }

    /// Waits until every Windows process of the prefix has ended (the registry is on disk then).
    pub fn wait(&self) {
        let _ = Command::new(&self.server)
            .arg("-w")
            .env("WINEPREFIX", self.prefix.path())
            .status();
    }

    /// The values of `key` and the keys under it, as `reg query KEY /s` prints them: (key path,
    /// value name, bytes) for every REG_BINARY value.
    pub fn reg_query_binary(&self, key: &str) -> Vec<(String, String, Vec<u8>)> {
        let output = run(self.command("reg").args(["query", key, "/s"]));
        let text = String::from_utf8_lossy(&output.stdout);
        let mut current = String::new();
        let mut values = Vec::new();
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.starts_with("HKEY_") {
                current = line.to_owned();
            } else if let Some((name, hex)) = line.trim_start().split_once("    REG_BINARY    ") {
                let bytes = (0..hex.len())
                    .step_by(2)
                    .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("hex from reg"))
                    .collect();
                values.push((current.clone(), name.to_owned(), bytes));
            }
        }
        values
    }
}

impl Default for Wine {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        let _ = Command::new(&self.server)
            .arg("-k")
            .env("WINEPREFIX", self.prefix.path())
            .status();
        self.wait();
    }
}

/// `path` as the Windows program sees it: on Wine's `Z:` drive, which is the Linux root.
pub fn windows_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).expect("an absolute path");
    format!("Z:{}", absolute.display().to_string().replace('/', "\\"))
}

/// `bcryptprimitives.dll` with `ProcessPrng`, built once per test process by mingw-w64.
fn process_prng_dll() -> PathBuf {
    static DLL: OnceLock<PathBuf> = OnceLock::new();
    DLL.get_or_init(|| {
        let gcc = require_program("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64");
        let folder =
            std::env::temp_dir().join(format!("certkeeper-wine-dll-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("create the DLL's folder");
        let dll = folder.join("bcryptprimitives.dll");
        run(Command::new(gcc)
            .args(["-shared", "-O2", "-o"])
            .arg(&dll)
            .arg(fixture("wine/bcryptprimitives.c"))
            .arg("-ladvapi32"));
        dll
    })
    .clone()
}

/// The Windows `certkeeper.exe` of this workspace, built (cheap when up to date) with the tests'
/// profile; `CERTKEEPER_WINDOWS_BIN` names a prebuilt one.
pub fn certkeeper_exe() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_exe).clone()
}

fn build_exe() -> PathBuf {
    if let Some(path) = std::env::var_os("CERTKEEPER_WINDOWS_BIN") {
        return PathBuf::from(path);
    }
    require_program("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64");
    super::bin::build_for(Some(TARGET))
}
