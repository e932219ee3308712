//! A private D-Bus session bus with a real notification daemon (dunst on its own Xvfb), and a record of
//! every notification it was asked to show, captured by `dbus-monitor`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::xvfb::Xvfb;
use super::{Daemon, require_program, temp_dir, wait_until};

const START_TIMEOUT: Duration = Duration::from_secs(15);

/// A D-Bus session bus private to one test.
#[derive(Debug)]
pub struct DbusSession {
    address: String,
    _daemon: Daemon,
}

impl DbusSession {
    /// Starts `dbus-daemon --session` and waits for its address.
    pub fn start() -> Self {
        let program = require_program("dbus-daemon", "dbus");
        let mut daemon = Daemon::spawn(
            "dbus-daemon",
            Command::new(program)
                .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        );
        let stdout = daemon.child_mut().stdout.take().expect("piped stdout");
        let mut address = String::new();
        BufReader::new(stdout)
            .read_line(&mut address)
            .expect("read the bus address");
        let address = address.trim().to_owned();
        assert!(
            address.starts_with("unix:"),
            "dbus-daemon gave no address: {address:?}"
        );
        Self {
            address,
            _daemon: daemon,
        }
    }

    /// The bus address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// `program` connected to this bus (and to no other).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
        command
    }

    /// Whether some connection owns `name` on this bus.
    pub fn name_has_owner(&self, name: &str) -> bool {
        let output = self
            .command("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
            ])
            .arg(format!("string:{name}"))
            .output()
            .expect("run dbus-send");
        String::from_utf8_lossy(&output.stdout).contains("boolean true")
    }
}

/// One `Notify` call the daemon received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notification {
    /// The sending application's name.
    pub app_name: String,
    /// The one-line summary.
    pub summary: String,
    /// The body text.
    pub body: String,
    /// Actions as (key, label) pairs.
    pub actions: Vec<(String, String)>,
}

/// dunst serving `org.freedesktop.Notifications` on a private bus, with every call recorded.
#[derive(Debug)]
pub struct NotificationDaemon {
    bus: DbusSession,
    dir: tempfile::TempDir,
    // Order matters on drop: monitor and dunst stop before their X server and bus.
    _monitor: Daemon,
    _dunst: Daemon,
    _xvfb: Xvfb,
}

impl NotificationDaemon {
    /// Starts a bus, an X server and dunst, and waits until notifications can be sent.
    pub fn start() -> Self {
        require_program("dunst", "dunst");
        require_program("dbus-monitor", "dbus");
        let bus = DbusSession::start();
        let xvfb = Xvfb::start();
        let dir = temp_dir();
        let monitor_log = dir.path().join("monitor.log");
        let monitor = Daemon::spawn(
            "dbus-monitor",
            bus.command("dbus-monitor")
                .args(["--session", "interface=org.freedesktop.Notifications"])
                .stdout(std::fs::File::create(&monitor_log).expect("create monitor.log"))
                .stderr(Stdio::null()),
        );
        let mut dunst_command = xvfb.command("dunst");
        dunst_command
            .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
            // An empty configuration: dunst's defaults, not the machine's or the user's.
            .args(["-config", "/dev/null", "-verbosity", "crit"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut dunst = Daemon::spawn("dunst", &mut dunst_command);
        wait_until("dunst on the bus", START_TIMEOUT, || {
            dunst.assert_running();
            bus.name_has_owner("org.freedesktop.Notifications")
        });
        // dbus-monitor prints its NameAcquired signal once it listens.
        wait_until("dbus-monitor", START_TIMEOUT, || {
            std::fs::read_to_string(&monitor_log).is_ok_and(|log| !log.is_empty())
        });
        Self {
            bus,
            dir,
            _monitor: monitor,
            _dunst: dunst,
            _xvfb: xvfb,
        }
    }

    /// The bus the daemon is on; run the program under test with [`DbusSession::command`].
    pub fn bus(&self) -> &DbusSession {
        &self.bus
    }

    fn monitor_log(&self) -> PathBuf {
        self.dir.path().join("monitor.log")
    }

    /// Every notification received so far, oldest first.
    pub fn received(&self) -> Vec<Notification> {
        let log = std::fs::read_to_string(self.monitor_log()).unwrap_or_default();
        parse_notify_calls(&log)
    }

    /// Waits until at least `count` notifications were received and returns them all.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Notification> {
        wait_until(&format!("{count} notification(s)"), timeout, || {
            self.received().len() >= count
        });
        self.received()
    }

    /// How many notifications dunst shows right now (`dunstctl count displayed`).
    pub fn displayed(&self) -> u32 {
        let output = self
            .bus
            .command("dunstctl")
            .args(["count", "displayed"])
            .output()
            .expect("run dunstctl");
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| {
                panic!(
                    "dunstctl count: {}",
                    String::from_utf8_lossy(&output.stdout)
                )
            })
    }
}

/// Reads `Notify` calls (`susssasa{sv}i`) out of `dbus-monitor`'s text output.
fn parse_notify_calls(log: &str) -> Vec<Notification> {
    let mut calls = Vec::new();
    let mut lines = log.lines().peekable();
    while let Some(line) = lines.next() {
        if !(line.starts_with("method call") && line.contains("member=Notify")) {
            continue;
        }
        // The arguments are the indented lines up to the next message.
        let mut strings_outside_arrays = Vec::new();
        let mut first_array = Vec::new();
        let mut arrays_seen = 0;
        let mut depth = 0;
        while let Some(argument) = lines.next_if(|next| next.starts_with(' ')) {
            let argument = argument.trim();
            if argument.ends_with('[') {
                if depth == 0 {
                    arrays_seen += 1;
                }
                depth += 1;
            } else if argument == "]" {
                depth -= 1;
            } else if let Some(start) = argument.strip_prefix("string \"") {
                let mut value = start.to_owned();
                // A string with line breaks continues on the following lines until its closing quote.
                while !value.ends_with('"') {
                    match lines.next() {
                        Some(more) => {
                            value.push('\n');
                            value.push_str(more);
                        }
                        None => break,
                    }
                }
                let value = value.strip_suffix('"').unwrap_or(&value).to_owned();
                match (depth, arrays_seen) {
                    (0, _) => strings_outside_arrays.push(value),
                    (1, 1) => first_array.push(value),
                    _ => {}
                }
            }
        }
        let mut strings = strings_outside_arrays.into_iter();
        let app_name = strings.next().unwrap_or_default();
        let _icon = strings.next();
        let summary = strings.next().unwrap_or_default();
        let body = strings.next().unwrap_or_default();
        let actions = first_array
            .chunks(2)
            .map(|pair| (pair[0].clone(), pair.get(1).cloned().unwrap_or_default()))
            .collect();
        calls.push(Notification {
            app_name,
            summary,
            body,
            actions,
        });
    }
    calls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_call_is_read_from_dbus_monitor_output() {
        let log = r#"signal time=1.0 sender=org.freedesktop.DBus -> destination=:1.0 serial=2 path=/org/freedesktop/DBus; interface=org.freedesktop.DBus; member=NameAcquired
   string ":1.0"
method call time=2.0 sender=:1.2 -> destination=org.freedesktop.Notifications serial=7 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "certkeeper"
   uint32 0
   string ""
   string "Сертификат истекает"
   string "first line
second line"
   array [
      string "renew"
      string "Renew"
      string "snooze"
      string "Snooze"
   ]
   array [
      dict entry(
         string "urgency"
         variant             byte 1
      )
   ]
   int32 -1
method return time=2.1 sender=:1.1 -> destination=:1.2 serial=3 reply_serial=7
   uint32 1
"#;
        assert_eq!(
            parse_notify_calls(log),
            vec![Notification {
                app_name: "certkeeper".into(),
                summary: "Сертификат истекает".into(),
                body: "first line\nsecond line".into(),
                actions: vec![
                    ("renew".into(), "Renew".into()),
                    ("snooze".into(), "Snooze".into())
                ],
            }]
        );
    }
}
