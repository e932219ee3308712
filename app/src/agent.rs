//! The unlock agent: `certkeeper unlock [--for DURATION]` opens the archive once and leaves what
//! Argon2id made of the passphrase ([`UnlockKey`]) with a small process of the user's, as
//! gpg-agent and ssh-agent keep theirs; every later command and the window take it from there
//! instead of asking and deriving again, until `certkeeper lock`, until it goes unused for the
//! idle time (10 minutes unless `--for` says otherwise, as gpg-agent's default cache), or until
//! logind says the session locks or the computer goes to sleep.
//!
//! - Reachable only through `$XDG_RUNTIME_DIR/certkeeper/agent.sock` (the folder the owner's only,
//!   the socket too), and every connection's peer is checked with `SO_PEERCRED`: another user id
//!   is turned away, root included.
//! - The keys live in one allocation locked into memory (`mlock`: never swapped), zeroized when
//!   dropped; the process cannot be traced or dumped (`PR_SET_DUMPABLE` 0).
//! - It keeps nothing on disk but its socket and a log of what happened (never a key): killing it
//!   loses nothing but the unlocked state.
//! - With no key left it leaves, removing its socket.
//!
//! Protocol, one request per connection: a line of ASCII, then for `PUT` the 32 key bytes.
//! `PUT <archive> <idle seconds>` → `OK`; `GET <archive>` → `KEY` and 32 bytes, or `NONE`;
//! `STATUS <archive>` → `HELD <seconds left> <idle seconds>` or `NONE`; `LOCK` → `OK`. `<archive>`
//! is the hex SHA-256 of the archive file's canonical path: the agent is never told where archives
//! are. A key that no longer fits (the passphrase changed, a backup restored over the file) is
//! refused by the archive when it is used, and the command falls back to the passphrase.

use std::path::PathBuf;
use std::time::Duration;

use certkeeper_storage::{ArchiveLocation, UnlockKey};

use crate::messages::AppError;

/// How long a key stays unused before the agent forgets it, unless `--for` says otherwise.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(600);

/// What the agent says of the archive in use (`info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Held {
    /// Seconds before it forgets the key, unless used again.
    pub seconds_left: u64,
    /// The idle time each use starts again.
    pub idle_seconds: u64,
}

/// Reads `--for`: `90s`, `15m`, `2h`, or a bare number of minutes; up to a day.
pub fn parse_idle(given: &str) -> Result<Duration, AppError> {
    let bad = || AppError::BadDuration {
        given: given.to_owned(),
    };
    let text = given.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "m"),
    };
    let number: u64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit.trim() {
        "s" | "sec" | "с" => number,
        "m" | "min" | "м" | "мин" => number.checked_mul(60).ok_or_else(bad)?,
        "h" | "ч" => number.checked_mul(3600).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    if !(1..=86_400).contains(&seconds) {
        return Err(bad());
    }
    Ok(Duration::from_secs(seconds))
}

/// The archive's name for the agent: the hex SHA-256 of its canonical path.
fn archive_id(location: &ArchiveLocation) -> Option<String> {
    use sha2::Digest;
    let path = std::fs::canonicalize(location.path()).ok()?;
    let digest = sha2::Sha256::digest(path.as_os_str().as_encoded_bytes());
    Some(digest.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// The agent's folder: `$XDG_RUNTIME_DIR/certkeeper` (a login session's own, removed at logout).
pub fn folder() -> Result<PathBuf, AppError> {
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
        .map(|path| path.join("certkeeper"))
        .ok_or(AppError::AgentUnavailable)
}

/// The agent's socket.
pub fn socket() -> Result<PathBuf, AppError> {
    Ok(folder()?.join("agent.sock"))
}

/// The key the agent keeps for the archive at `location`, if it runs and keeps one (each use
/// starts its idle time again). Anything amiss is "no key": the command asks for the passphrase.
pub fn fetch(location: &ArchiveLocation) -> Option<UnlockKey> {
    let id = archive_id(location)?;
    let socket = socket().ok()?;
    imp::fetch(&socket, &id)
}

/// The archive at `location` opened with the key the agent keeps for it: `None` when no agent
/// runs, it keeps no key for it, or the key no longer fits (made of a passphrase changed since, or
/// for a file restored over it) — then the passphrase is asked. The command line and the window
/// both open through this.
pub fn open_unlocked(
    location: &ArchiveLocation,
) -> Result<Option<certkeeper_storage::Archive>, certkeeper_storage::Error> {
    let Some(key) = fetch(location) else {
        return Ok(None);
    };
    match certkeeper_storage::Archive::open_with_key(location, &key) {
        Ok(archive) => Ok(Some(archive)),
        Err(certkeeper_storage::Error::WrongPassphrase) => Ok(None),
        Err(error) => Err(error),
    }
}

/// What the agent says of the archive at `location` (`None`: it does not run or keeps no key).
pub fn status(location: &ArchiveLocation) -> Option<Held> {
    let id = archive_id(location)?;
    imp::status(&socket().ok()?, &id)
}

/// Leaves `key` for the archive at `location` with the agent, starting the agent if it does not
/// run yet.
pub fn store(location: &ArchiveLocation, key: &UnlockKey, idle: Duration) -> Result<(), AppError> {
    let id = archive_id(location).ok_or_else(|| AppError::Agent {
        path: location.path().to_path_buf(),
        reason: "the archive's path cannot be resolved".to_owned(),
    })?;
    imp::store(&folder()?, &id, key, idle)
}

/// Makes the agent forget every key: whether one was running.
pub fn lock() -> Result<bool, AppError> {
    match socket() {
        Ok(socket) => imp::lock(&socket),
        Err(_) => Ok(false),
    }
}

/// Runs the agent itself (the hidden `certkeeper agent`, which `store` starts).
pub fn serve() -> Result<(), AppError> {
    imp::serve(&folder()?)
}

#[cfg(unix)]
fn agent_error(path: &std::path::Path, error: impl std::fmt::Display) -> AppError {
    AppError::Agent {
        path: path.to_path_buf(),
        reason: error.to_string(),
    }
}

#[cfg(unix)]
mod imp {
    use std::io::{Read, Write};
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::Path;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use certkeeper_storage::UnlockKey;
    use zeroize::{Zeroize, Zeroizing};

    use super::{Held, agent_error};
    use crate::messages::AppError;

    /// How long a client waits for the agent's answer.
    const ANSWER: Duration = Duration::from_secs(3);
    /// How long a new agent waits for its first key before it leaves.
    const FIRST_KEY: Duration = Duration::from_secs(15);
    /// How many archives one agent keeps keys for.
    const SLOTS: usize = 8;

    /// A connection to the agent at `socket`, whose other end is checked to be this user's.
    fn connect(socket: &Path) -> Option<UnixStream> {
        let stream = UnixStream::connect(socket).ok()?;
        let peer = rustix::net::sockopt::socket_peercred(&stream).ok()?;
        if peer.uid != rustix::process::getuid() {
            return None;
        }
        stream.set_read_timeout(Some(ANSWER)).ok()?;
        stream.set_write_timeout(Some(ANSWER)).ok()?;
        Some(stream)
    }

    /// Sends `request` (and `payload`) and reads the answer's first line.
    fn ask(stream: &mut UnixStream, request: &str, payload: &[u8]) -> Option<String> {
        let mut message = Zeroizing::new(Vec::with_capacity(request.len() + 1 + payload.len()));
        message.extend_from_slice(request.as_bytes());
        message.push(b'\n');
        message.extend_from_slice(payload);
        stream.write_all(&message).ok()?;
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while line.len() < 128 {
            stream.read_exact(&mut byte).ok()?;
            if byte[0] == b'\n' {
                return String::from_utf8(line).ok();
            }
            line.push(byte[0]);
        }
        None
    }

    pub(super) fn fetch(socket: &Path, id: &str) -> Option<UnlockKey> {
        let mut stream = connect(socket)?;
        if ask(&mut stream, &format!("GET {id}"), &[])? != "KEY" {
            return None;
        }
        let mut key = Zeroizing::new([0u8; 32]);
        stream.read_exact(&mut key[..]).ok()?;
        Some(UnlockKey::from_bytes(key))
    }

    pub(super) fn status(socket: &Path, id: &str) -> Option<Held> {
        let mut stream = connect(socket)?;
        let answer = ask(&mut stream, &format!("STATUS {id}"), &[])?;
        let mut words = answer.strip_prefix("HELD ")?.split(' ');
        Some(Held {
            seconds_left: words.next()?.parse().ok()?,
            idle_seconds: words.next()?.parse().ok()?,
        })
    }

    pub(super) fn lock(socket: &Path) -> Result<bool, AppError> {
        let Some(mut stream) = connect(socket) else {
            return Ok(false);
        };
        match ask(&mut stream, "LOCK", &[]).as_deref() {
            Some("OK") => Ok(true),
            _ => Err(agent_error(socket, "it did not answer")),
        }
    }

    pub(super) fn store(
        folder: &Path,
        id: &str,
        key: &UnlockKey,
        idle: Duration,
    ) -> Result<(), AppError> {
        let socket = folder.join("agent.sock");
        let request = format!("PUT {id} {}", idle.as_secs());
        if let Some(mut stream) = connect(&socket) {
            return match ask(&mut stream, &request, key.expose()).as_deref() {
                Some("OK") => Ok(()),
                _ => Err(agent_error(&socket, "it did not take the key")),
            };
        }
        start(folder)?;
        // The new agent makes its socket in a moment.
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Some(mut stream) = connect(&socket) {
                return match ask(&mut stream, &request, key.expose()).as_deref() {
                    Some("OK") => Ok(()),
                    _ => Err(agent_error(&socket, "it did not take the key")),
                };
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(agent_error(
            &socket,
            "it did not start (see agent.log beside it)",
        ))
    }

    /// The owner's private folder for the agent, checked: made 0700 if missing, refused when it
    /// is someone else's or open to others.
    fn private_folder(folder: &Path) -> Result<(), AppError> {
        use std::os::unix::fs::MetadataExt;
        if !folder.exists() {
            std::fs::create_dir_all(folder).map_err(|error| agent_error(folder, error))?;
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
                .map_err(|error| agent_error(folder, error))?;
        }
        let metadata = std::fs::metadata(folder).map_err(|error| agent_error(folder, error))?;
        if metadata.uid() != rustix::process::getuid().as_raw() || metadata.mode() & 0o077 != 0 {
            return Err(agent_error(
                folder,
                "the folder belongs to someone else or is open to others",
            ));
        }
        Ok(())
    }

    /// Starts `certkeeper agent` in the background, in a process group of its own (it outlives
    /// this command and the terminal), its messages into `agent.log`.
    fn start(folder: &Path) -> Result<(), AppError> {
        use std::os::unix::process::CommandExt;
        private_folder(folder)?;
        let log_path = folder.join("agent.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&log_path)
            .map_err(|error| agent_error(&log_path, error))?;
        let program = std::env::current_exe().map_err(|error| agent_error(folder, error))?;
        std::process::Command::new(program)
            .arg("agent")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(|error| agent_error(folder, error))?;
        Ok(())
    }

    use std::os::unix::fs::OpenOptionsExt;

    /// One archive's key.
    struct Slot {
        id: [u8; 64],
        key: [u8; 32],
        idle: Duration,
        last_use: Instant,
    }

    /// The keys, in one allocation locked into memory.
    struct Vault {
        slots: Box<[Option<Slot>; SLOTS]>,
        locked: bool,
    }

    impl Vault {
        fn new() -> Self {
            let slots: Box<[Option<Slot>; SLOTS]> = Box::new(std::array::from_fn(|_| None));
            let size = std::mem::size_of::<[Option<Slot>; SLOTS]>();
            let at = slots.as_ptr() as *mut std::ffi::c_void;
            // SAFETY: `at` and `size` are the boxed array's own memory, which lives (at the same
            // address) until `Drop` unlocks it.
            let locked = unsafe { rustix::mm::mlock(at, size) }.is_ok();
            Self { slots, locked }
        }

        fn find(&mut self, id: &[u8]) -> Option<&mut Slot> {
            self.slots
                .iter_mut()
                .flatten()
                .find(|slot| slot.id[..] == *id)
        }

        fn put(&mut self, id: &[u8], key: &[u8; 32], idle: Duration) -> bool {
            if let Some(slot) = self.find(id) {
                slot.key.copy_from_slice(key);
                slot.idle = idle;
                slot.last_use = Instant::now();
                return true;
            }
            let Some(free) = self.slots.iter_mut().find(|slot| slot.is_none()) else {
                return false;
            };
            let mut slot = Slot {
                id: [0; 64],
                key: [0; 32],
                idle,
                last_use: Instant::now(),
            };
            slot.id.copy_from_slice(id);
            slot.key.copy_from_slice(key);
            *free = Some(slot);
            true
        }

        /// Forgets the keys unused for their idle time: how many.
        fn expire(&mut self) -> usize {
            let mut dropped = 0;
            for place in self.slots.iter_mut() {
                if place
                    .as_ref()
                    .is_some_and(|slot| slot.last_use.elapsed() >= slot.idle)
                {
                    if let Some(slot) = place.as_mut() {
                        slot.key.zeroize();
                    }
                    *place = None;
                    dropped += 1;
                }
            }
            dropped
        }

        fn clear(&mut self) -> usize {
            let mut dropped = 0;
            for place in self.slots.iter_mut() {
                if let Some(slot) = place.as_mut() {
                    slot.key.zeroize();
                    dropped += 1;
                }
                *place = None;
            }
            dropped
        }

        fn is_empty(&self) -> bool {
            self.slots.iter().all(Option::is_none)
        }
    }

    impl Drop for Vault {
        fn drop(&mut self) {
            self.clear();
            if self.locked {
                let size = std::mem::size_of::<[Option<Slot>; SLOTS]>();
                let at = self.slots.as_ptr() as *mut std::ffi::c_void;
                // SAFETY: the same memory `new` locked, still allocated.
                let _ = unsafe { rustix::mm::munlock(at, size) };
            }
        }
    }

    /// A line of the agent's log: what happened, never a key.
    fn log(what: &str) {
        let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
        eprintln!("{now} certkeeper agent[{}]: {what}", std::process::id());
    }

    /// The agent's state, shared by its threads.
    struct Agent {
        vault: Mutex<Vault>,
        /// Whether a key came (then an empty vault means forgotten, and the agent leaves).
        had_key: std::sync::atomic::AtomicBool,
        started: Instant,
        socket: std::path::PathBuf,
    }

    impl Agent {
        fn vault(&self) -> std::sync::MutexGuard<'_, Vault> {
            self.vault
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        }

        /// Forgets every key, saying why.
        fn forget(&self, why: &str) {
            let dropped = self.vault().clear();
            log(&format!("{why}: {dropped} key(s) forgotten"));
        }

        /// Leaves when nothing is kept: at once after `lock`, else once its first key had time
        /// to come.
        fn leave_if_empty(&self, at_once: bool) {
            let empty = self.vault().is_empty();
            let had_key = self.had_key.load(std::sync::atomic::Ordering::Relaxed);
            if empty && (at_once || had_key || self.started.elapsed() >= FIRST_KEY) {
                let _ = std::fs::remove_file(&self.socket);
                log("no key kept: leaving");
                std::process::exit(0);
            }
        }
    }

    pub(super) fn serve(folder: &Path) -> Result<(), AppError> {
        // Not traceable by other processes of the user, no core dump.
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
        private_folder(folder)?;
        let socket = folder.join("agent.sock");
        if connect(&socket).is_some() {
            log("another agent answers already: leaving");
            return Ok(());
        }
        // A socket left by a killed agent.
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket).map_err(|error| agent_error(&socket, error))?;
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))
            .map_err(|error| agent_error(&socket, error))?;
        let agent = Arc::new(Agent {
            vault: Mutex::new(Vault::new()),
            had_key: std::sync::atomic::AtomicBool::new(false),
            started: Instant::now(),
            socket: socket.clone(),
        });
        log(&format!(
            "started on {} (keys in locked memory: {})",
            socket.display(),
            if agent.vault().locked {
                "yes"
            } else {
                "no, mlock refused"
            }
        ));
        {
            let agent = Arc::clone(&agent);
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_millis(500));
                    let dropped = agent.vault().expire();
                    if dropped > 0 {
                        log(&format!(
                            "{dropped} key(s) unused for their idle time: forgotten"
                        ));
                    }
                    agent.leave_if_empty(false);
                }
            });
        }
        follow_logind(&agent);
        let me = rustix::process::getuid();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            match rustix::net::sockopt::socket_peercred(&stream) {
                Ok(peer) if peer.uid == me => {}
                Ok(peer) => {
                    log(&format!(
                        "refused a connection from user id {} (process {})",
                        peer.uid.as_raw(),
                        peer.pid.as_raw_nonzero()
                    ));
                    continue;
                }
                Err(_) => continue,
            }
            let _ = stream.set_read_timeout(Some(ANSWER));
            let _ = stream.set_write_timeout(Some(ANSWER));
            let locked = answer(&agent, &mut stream);
            drop(stream);
            agent.leave_if_empty(locked);
        }
        Ok(())
    }

    /// Answers one request: whether it was `LOCK`.
    fn answer(agent: &Agent, stream: &mut UnixStream) -> bool {
        // Byte by byte, unbuffered: no copy of a key is left in a reader's buffer.
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            if line.len() > 200 || stream.read_exact(&mut byte).is_err() {
                return false;
            }
            if byte[0] == b'\n' {
                break;
            }
            line.push(byte[0]);
        }
        let Ok(line) = String::from_utf8(line) else {
            return false;
        };
        let mut locked = false;
        let mut words = line.trim_end().split(' ');
        let reply: Zeroizing<Vec<u8>> = match (words.next(), words.next(), words.next()) {
            (Some("PUT"), Some(id), Some(idle)) if id.len() == 64 => {
                let mut key = Zeroizing::new([0u8; 32]);
                let idle = idle.parse().ok().map(Duration::from_secs);
                match (stream.read_exact(&mut key[..]), idle) {
                    (Ok(()), Some(idle)) => {
                        if agent.vault().put(id.as_bytes(), &key, idle) {
                            agent
                                .had_key
                                .store(true, std::sync::atomic::Ordering::Relaxed);
                            log(&format!(
                                "key kept for archive {}… until {} s unused",
                                &id[..12],
                                idle.as_secs()
                            ));
                            Zeroizing::new(b"OK\n".to_vec())
                        } else {
                            Zeroizing::new(b"FULL\n".to_vec())
                        }
                    }
                    _ => Zeroizing::new(b"BAD\n".to_vec()),
                }
            }
            (Some("GET"), Some(id), None) => {
                let mut vault = agent.vault();
                match vault.find(id.as_bytes()) {
                    Some(slot) if slot.last_use.elapsed() < slot.idle => {
                        slot.last_use = Instant::now();
                        let mut reply = Zeroizing::new(b"KEY\n".to_vec());
                        reply.extend_from_slice(&slot.key);
                        reply
                    }
                    _ => Zeroizing::new(b"NONE\n".to_vec()),
                }
            }
            (Some("STATUS"), Some(id), None) => {
                let mut vault = agent.vault();
                match vault.find(id.as_bytes()) {
                    Some(slot) => Zeroizing::new(
                        format!(
                            "HELD {} {}\n",
                            slot.idle.saturating_sub(slot.last_use.elapsed()).as_secs(),
                            slot.idle.as_secs()
                        )
                        .into_bytes(),
                    ),
                    None => Zeroizing::new(b"NONE\n".to_vec()),
                }
            }
            (Some("LOCK"), None, None) => {
                agent.forget("locked by certkeeper lock");
                locked = true;
                Zeroizing::new(b"OK\n".to_vec())
            }
            _ => Zeroizing::new(b"BAD\n".to_vec()),
        };
        let _ = stream.write_all(&reply);
        locked
    }

    /// Forgets the keys when logind says the session locks or the computer goes to sleep, where
    /// a system bus answers (`DBUS_SYSTEM_BUS_ADDRESS`, or the standard one): a thread per signal.
    /// Anyone may send such a signal; the worst a forged one does is lock.
    fn follow_logind(agent: &Arc<Agent>) {
        let Ok(bus) = zbus::blocking::Connection::system() else {
            log("no system bus: the keys are not forgotten on session lock or sleep");
            return;
        };
        // Each rule with what its message must say for the keys to go.
        type Says = fn(&zbus::Message) -> bool;
        let rules: [(&str, &str, Says); 3] = [
            (
                "type='signal',interface='org.freedesktop.login1.Session',member='Lock'",
                "the session locked",
                |_| true,
            ),
            // What desktops set when the person locks the screen from their menu, with or
            // without the Lock signal.
            (
                "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',arg0='org.freedesktop.login1.Session'",
                "the session locked",
                locked_hint_set,
            ),
            // PrepareForSleep(true) comes before sleeping, (false) after waking.
            (
                "type='signal',interface='org.freedesktop.login1.Manager',member='PrepareForSleep'",
                "the computer goes to sleep",
                |message| message.body().deserialize::<bool>().unwrap_or(true),
            ),
        ];
        for (rule, why, says) in rules {
            let messages = zbus::MatchRule::try_from(rule)
                .map_err(|error| error.to_string())
                .and_then(|rule| {
                    zbus::blocking::MessageIterator::for_match_rule(rule, &bus, Some(16))
                        .map_err(|error| error.to_string())
                });
            let messages = match messages {
                Ok(messages) => messages,
                Err(error) => {
                    log(&format!("cannot follow logind ({why}): {error}"));
                    continue;
                }
            };
            let agent = Arc::clone(agent);
            let bus = bus.clone();
            std::thread::spawn(move || {
                // The connection lives as long as the thread that reads from it.
                let _bus = bus;
                for message in messages.flatten() {
                    if says(&message) {
                        agent.forget(why);
                    }
                }
            });
        }
        log("following logind's session lock and sleep signals");
    }

    /// Whether a session's PropertiesChanged sets `LockedHint` to true.
    fn locked_hint_set(message: &zbus::Message) -> bool {
        type Changed = (
            String,
            std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
            Vec<String>,
        );
        message
            .body()
            .deserialize::<Changed>()
            .ok()
            .and_then(|(_, changed, _)| {
                changed
                    .get("LockedHint")
                    .and_then(|value| bool::try_from(value).ok())
            })
            .unwrap_or(false)
    }
}

#[cfg(not(unix))]
mod imp {
    //! Windows has no `XDG_RUNTIME_DIR`: [`super::folder`] refuses first, and nothing here runs.
    use std::path::Path;
    use std::time::Duration;

    use certkeeper_storage::UnlockKey;

    use super::Held;
    use crate::messages::AppError;

    pub(super) fn fetch(_: &Path, _: &str) -> Option<UnlockKey> {
        None
    }

    pub(super) fn status(_: &Path, _: &str) -> Option<Held> {
        None
    }

    pub(super) fn lock(_: &Path) -> Result<bool, AppError> {
        Ok(false)
    }

    pub(super) fn store(_: &Path, _: &str, _: &UnlockKey, _: Duration) -> Result<(), AppError> {
        Err(AppError::AgentUnavailable)
    }

    pub(super) fn serve(_: &Path) -> Result<(), AppError> {
        Err(AppError::AgentUnavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_times_read_as_people_write_them() {
        assert_eq!(parse_idle("15m").ok(), Some(Duration::from_secs(900)));
        assert_eq!(parse_idle("2h").ok(), Some(Duration::from_secs(7200)));
        assert_eq!(parse_idle("90s").ok(), Some(Duration::from_secs(90)));
        assert_eq!(parse_idle("30").ok(), Some(Duration::from_secs(1800)));
        assert_eq!(parse_idle("10мин").ok(), Some(Duration::from_secs(600)));
        assert_eq!(parse_idle("5s").ok(), Some(Duration::from_secs(5)));
        for bad in ["", "m", "0s", "25h", "1d", "-3m", "1.5h"] {
            assert!(parse_idle(bad).is_err(), "{bad}");
        }
    }
}
