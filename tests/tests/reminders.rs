//! Renewal reminders with a real notification daemon (dunst on a private D-Bus session), a faked
//! date (`CERTKEEPER_NOW`), and a real iCalendar parser (Python's `icalendar`).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use certkeeper_tests::support::dbus::NotificationDaemon;
use certkeeper_tests::support::openssl::{Issued, KeyAlgorithm, OpenSsl};
use certkeeper_tests::support::{bin, run, secret_file, temp_dir};

const DAY: i64 = 86_400;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64
}

/// `YYYYMMDDHHMMSSZ` of a Unix time.
fn generalized(time: i64) -> String {
    certkeeper_core::cert::format_time(time).replace(['-', ':', 'T'], "")
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time, for `CERTKEEPER_NOW`.
fn rfc3339(time: i64) -> String {
    certkeeper_core::cert::format_time(time)
}

/// An archive holding the certificates of the scenario, and the time it was made.
struct Scenario {
    work: tempfile::TempDir,
    t0: i64,
}

impl Scenario {
    fn archive(&self) -> std::path::PathBuf {
        self.work.path().join("archive.db")
    }

    fn certkeeper(&self) -> Command {
        let mut command = Command::new(bin::certkeeper());
        command
            .arg("--archive")
            .arg(self.archive())
            .arg("--passphrase-file")
            .arg(self.work.path().join("passphrase"))
            .env("CERTKEEPER_LANG", "en")
            .env("XDG_RUNTIME_DIR", self.work.path())
            .stdin(Stdio::null());
        command
    }

    /// `expiry --ics NAME` at `days` after the scenario was made (exit status 0, or 4 when
    /// something is due): the calendar's path.
    fn export_calendar(&self, days: f64, name: &str) -> std::path::PathBuf {
        let ics = self.work.path().join(name);
        let output = self
            .at(days)
            .args(["expiry", "--ics"])
            .arg(&ics)
            .output()
            .expect("expiry --ics");
        assert!(
            output
                .status
                .code()
                .is_some_and(|code| code == 0 || code == 4)
        );
        ics
    }

    /// certkeeper at `days` after the scenario was made.
    fn at(&self, days: f64) -> Command {
        let mut command = self.certkeeper();
        command.env(
            "CERTKEEPER_NOW",
            rfc3339(self.t0 + (days * DAY as f64) as i64),
        );
        command
    }
}

/// Certificates, with `t0` the real time now:
/// - «Анна Срочная»: expires at t0 + 105 days;
/// - «Борис Продлённый»: an old one expiring at t0 + 103 days, superseded by a renewal valid until
///   t0 + 400 days;
/// - «Дмитрий Заглушённый»: expires at t0 + 102 days, muted;
/// - «Елена Отложенная»: expires at t0 + 104 days, snoozed until t0 + 110 days;
/// - «Фёдор Ключевой»: the certificate runs 500 days, the key usage period ends at t0 + 112 days;
/// - «Галина Действующая»: expires at t0 + 130 days.
fn scenario() -> Scenario {
    let work = temp_dir();
    secret_file(work.path(), "passphrase", "архив");
    let t0 = now();
    let openssl = OpenSsl::new();
    let ca = openssl.make_ca("Reminder CA", KeyAlgorithm::Rsa2048);
    let issue = |subject: &str, from: i64, until: i64| -> Issued {
        openssl.issue_between(
            &ca,
            subject,
            KeyAlgorithm::Rsa2048,
            &generalized(from),
            &generalized(until),
        )
    };
    let key_period = {
        let not_before = generalized(t0 - DAY);
        let not_after = generalized(t0 + 112 * DAY);
        let hex = |text: &str| -> String { text.bytes().map(|b| format!("{b:02X}")).collect() };
        format!(
            "2.5.29.16 = DER:3022800F{}810F{}\n",
            hex(&not_before),
            hex(&not_after)
        )
    };
    let certificates = [
        issue("/CN=Анна Срочная", t0 - DAY, t0 + 105 * DAY),
        issue("/CN=Борис Продлённый", t0 - 300 * DAY, t0 + 103 * DAY),
        issue("/CN=Борис Продлённый", t0 - 2 * DAY, t0 + 400 * DAY),
        issue("/CN=Дмитрий Заглушённый", t0 - DAY, t0 + 102 * DAY),
        issue("/CN=Елена Отложенная", t0 - DAY, t0 + 104 * DAY),
        openssl.issue_with_extensions(
            &ca,
            "/CN=Фёдор Ключевой",
            KeyAlgorithm::Rsa2048,
            500,
            &key_period,
        ),
        issue("/CN=Галина Действующая", t0 - DAY, t0 + 130 * DAY),
    ];
    let scenario = Scenario { work, t0 };
    run(scenario
        .certkeeper()
        .args(["init", "--allow-weak-passphrase"]));
    let mut import = scenario.certkeeper();
    import.arg("import").arg(&ca.cert);
    for issued in &certificates {
        import.arg(&issued.cert);
    }
    run(&mut import);
    let id_of = |name: &str| -> String {
        let listed = run(scenario
            .certkeeper()
            .args(["--json", "list", "--search", name]));
        let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
        listed[0]["id"].to_string()
    };
    run(scenario
        .certkeeper()
        .args(["remind", "mute", &id_of("Заглушённый")]));
    let until = certkeeper_core::cert::format_time(t0 + 110 * DAY)[..10].to_owned();
    run(scenario
        .certkeeper()
        .args(["remind", "snooze", &id_of("Отложенная"), "--until", &until]));
    scenario
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn reminders_reach_the_notification_daemon_once_and_never_for_muted_snoozed_or_superseded() {
    let scenario = scenario();
    let daemon = NotificationDaemon::start();
    let watch_once = |days: f64| -> Output {
        let mut command = scenario.at(days);
        command
            .env("DBUS_SESSION_BUS_ADDRESS", daemon.bus().address())
            .args(["watch", "--once"]);
        command.output().expect("watch --once")
    };

    // 100 days on: Anna's certificate has 5 days left (the 7-day threshold), Fyodor's key period
    // 12 (the 14-day one), Galina's certificate 30 (the 30-day one). Boris's old certificate
    // (3 days) has a valid renewal; Dmitry is muted, Elena snoozed.
    let output = watch_once(100.0);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let received = daemon.wait_for(3, Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(500));
    let received = if daemon.received().len() > received.len() {
        daemon.received()
    } else {
        received
    };
    assert_eq!(received.len(), 3, "{received:#?}");
    let anna = received
        .iter()
        .find(|notification| notification.summary.contains("Анна Срочная"))
        .expect("Anna's reminder");
    assert_eq!(anna.app_name, "certkeeper");
    assert_eq!(anna.summary, "Certificate «Анна Срочная» expires in 5 days");
    assert!(
        anna.body.contains("Ask your certification authority"),
        "{}",
        anna.body
    );
    assert_eq!(
        anna.actions,
        [
            ("renew".to_owned(), "Renew".to_owned()),
            ("snooze".to_owned(), "Snooze for a day".to_owned())
        ]
    );
    let fyodor = received
        .iter()
        .find(|notification| notification.summary.contains("Фёдор Ключевой"))
        .expect("Fyodor's key period reminder");
    assert_eq!(
        fyodor.summary,
        "The private key of «Фёдор Ключевой» stops working in 12 days"
    );
    assert!(received.iter().any(|notification| notification.summary
        == "Certificate «Галина Действующая» expires in 30 days"));
    for quiet in ["Борис", "Дмитрий", "Елена"] {
        assert!(
            received
                .iter()
                .all(|notification| !notification.summary.contains(quiet)),
            "{quiet}: {received:#?}"
        );
    }

    // The same day again: nothing new.
    let output = watch_once(100.2);
    assert!(output.status.success());
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(daemon.received().len(), 3, "{:#?}", daemon.received());

    // Three days later Anna crosses the 3-day threshold; Fyodor's and Galina's were sent.
    let output = watch_once(103.0);
    assert!(output.status.success());
    let received = daemon.wait_for(4, Duration::from_secs(10));
    assert_eq!(
        received[3].summary,
        "Certificate «Анна Срочная» expires in 2 days"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(daemon.received().len(), 4);

    // The service (not --once) at 125 days: Galina's 7-day reminder; "Snooze" on it snoozes her
    // certificate for a day. A second service started beside it says so and leaves.
    let mut service = scenario
        .at(125.0)
        .env("DBUS_SESSION_BUS_ADDRESS", daemon.bus().address())
        .args(["watch", "--for", "30"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("watch");
    let received = daemon.wait_for(5, Duration::from_secs(15));
    assert_eq!(
        received[4].summary,
        "Certificate «Галина Действующая» expires in 5 days"
    );
    let second = scenario
        .at(125.0)
        .env("DBUS_SESSION_BUS_ADDRESS", daemon.bus().address())
        .arg("watch")
        .output()
        .expect("a second watch");
    assert!(second.status.success());
    assert!(
        stdout(&second).contains("already running"),
        "{}",
        stdout(&second)
    );
    // The person presses "Snooze": the ActionInvoked signal the daemon sends for that notification.
    // Its id is the daemon's to choose, so the signal goes out for the first twenty ids: only the
    // service's one open notification (Galina's) is waiting for an answer. Sent again while
    // waiting, since the service may still be subscribing when the first one goes out.
    let press_snooze = || {
        for id in 1..=20 {
            let sent = Command::new("dbus-send")
                .env("DBUS_SESSION_BUS_ADDRESS", daemon.bus().address())
                .args([
                    "--session",
                    "--type=signal",
                    "/org/freedesktop/Notifications",
                    "org.freedesktop.Notifications.ActionInvoked",
                    &format!("uint32:{id}"),
                    "string:snooze",
                ])
                .status()
                .expect("dbus-send");
            assert!(sent.success());
        }
    };
    let expiry_at_125 = || -> serde_json::Value {
        let output = scenario
            .at(125.0)
            .args(["--json", "expiry"])
            .output()
            .expect("expiry");
        serde_json::from_slice(&output.stdout).expect("JSON")
    };
    certkeeper_tests::support::wait_until("the snooze", Duration::from_secs(10), || {
        press_snooze();
        expiry_at_125()
            .as_array()
            .into_iter()
            .flatten()
            .any(|due| due["subject"] == "Галина Действующая" && due["snoozed_until"].is_string())
    });
    let _ = service.kill();
    let _ = service.wait();
}

#[test]
fn without_a_notification_service_the_reminder_is_printed() {
    let scenario = scenario();
    let output = scenario
        .at(100.0)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .args(["watch", "--once"])
        .output()
        .expect("watch --once");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = stdout(&output);
    assert!(
        printed.contains("Certificate «Анна Срочная» expires in 5 days."),
        "{printed}"
    );
    assert!(printed.contains("The private key of «Фёдор Ключевой» stops working in 12 days."));
    // Printed is sent: not again.
    let again = scenario
        .at(100.1)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .args(["watch", "--once"])
        .output()
        .expect("watch --once");
    assert_eq!(stdout(&again), "");
    // In Russian too.
    let russian = scenario
        .at(103.0)
        .env("CERTKEEPER_LANG", "ru")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .args(["watch", "--once"])
        .output()
        .expect("watch --once");
    assert!(
        stdout(&russian).contains("Сертификат «Анна Срочная» истекает через 2 дня."),
        "{}",
        stdout(&russian)
    );
}

#[test]
fn expiry_lists_what_is_due_sorted_with_the_reason_and_says_so_in_its_status() {
    let scenario = scenario();
    let output = scenario
        .at(100.0)
        .args(["--json", "expiry"])
        .output()
        .expect("expiry");
    assert_eq!(output.status.code(), Some(4), "something is due");
    let listed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let rows: Vec<(String, String, i64, bool)> = listed
        .as_array()
        .expect("array")
        .iter()
        .map(|due| {
            (
                due["subject"].as_str().unwrap_or_default().to_owned(),
                due["reason"].as_str().unwrap_or_default().to_owned(),
                due["days_left"].as_i64().unwrap_or_default(),
                due["snoozed_until"].is_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "Елена Отложенная".to_owned(),
                "certificate".to_owned(),
                4,
                true
            ),
            (
                "Анна Срочная".to_owned(),
                "certificate".to_owned(),
                5,
                false
            ),
            (
                "Фёдор Ключевой".to_owned(),
                "private_key".to_owned(),
                12,
                false
            ),
            (
                "Галина Действующая".to_owned(),
                "certificate".to_owned(),
                30,
                false
            ),
        ]
    );
    // Nothing within a day: status 0.
    let output = scenario
        .at(100.0)
        .args(["expiry", "--within", "1"])
        .output()
        .expect("expiry");
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("Nothing stops working within 1 day"));
    // Only the snoozed one within 4 days: listed, status 0.
    let output = scenario
        .at(100.0)
        .args(["expiry", "--within", "4"])
        .output()
        .expect("expiry");
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("snoozed until"));
}

#[test]
fn the_calendar_export_parses_with_icalendar_and_holds_every_threshold_day() {
    let scenario = scenario();
    let ics = scenario.export_calendar(0.0, "reminders.ics");
    let python = Path::new("/usr/bin/python3");
    let script = "import icalendar, sys\n\
                  calendar = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n\
                  for event in calendar.walk('VEVENT'):\n\
                  \x20   print(event['UID'], event['DTSTART'].dt.isoformat(), event['SUMMARY'], sep='|')\n";
    let parsed = Command::new(python)
        .args(["-c", script])
        .arg(&ics)
        .output()
        .expect("apt-get install python3-icalendar");
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let events: Vec<Vec<String>> = stdout(&parsed)
        .lines()
        .map(|line| line.split('|').map(str::to_owned).collect())
        .collect();
    // Anna: one event per threshold, on the day the threshold is reached.
    let anna_deadline = scenario.t0 + 105 * DAY;
    let mut anna: Vec<(String, String)> = events
        .iter()
        .filter(|event| event[2].contains("Анна Срочная"))
        .map(|event| (event[1].clone(), event[2].clone()))
        .collect();
    anna.sort();
    let expected: Vec<(String, String)> = [30i64, 14, 7, 3, 1, 0]
        .iter()
        .rev()
        .map(|threshold| {
            let day = certkeeper_core::cert::format_time(anna_deadline - threshold * DAY)[..10]
                .to_owned();
            let when = match threshold {
                0 => "today".to_owned(),
                1 => "in 1 day".to_owned(),
                days => format!("in {days} days"),
            };
            (day, format!("Certificate «Анна Срочная» expires {when}"))
        })
        .collect::<Vec<_>>();
    let mut expected = expected;
    expected.sort();
    assert_eq!(anna, expected);
    // Fyodor's key period, muted Dmitry nowhere, the superseded Boris nowhere.
    assert!(events.iter().any(|event| event[2]
        == "The private key of «Фёдор Ключевой» stops working in 14 days"));
    assert!(events.iter().all(|event| !event[2].contains("Дмитрий")));
    assert_eq!(
        events
            .iter()
            .filter(|event| event[2].contains("Борис"))
            .count(),
        6,
        "only the renewal's six days"
    );
    // UIDs are unique and stable.
    let mut uids: Vec<&String> = events.iter().map(|event| &event[0]).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), events.len());
}

#[test]
fn watch_install_writes_a_valid_systemd_unit_and_autostart_entry_and_uninstall_removes_them() {
    use certkeeper_tests::support::require_program;
    let home = temp_dir();
    let archive = home.path().join("my archive.db");
    let certkeeper = || {
        let mut command = Command::new(bin::certkeeper());
        command
            .arg("--archive")
            .arg(&archive)
            .env("HOME", home.path())
            .env_remove("XDG_CONFIG_HOME")
            .env("CERTKEEPER_LANG", "en")
            // No user session bus or systemd here: the service is set up for the next login.
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env("XDG_RUNTIME_DIR", home.path())
            .stdin(Stdio::null());
        command
    };
    let output = run(certkeeper().args(["--json", "watch", "--install"]));
    let installed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let unit = home
        .path()
        .join(".config/systemd/user/certkeeper-watch.service");
    let entry = home
        .path()
        .join(".config/autostart/certkeeper-watch.desktop");
    assert_eq!(installed["systemd_unit"], unit.to_str().expect("UTF-8"));
    assert_eq!(installed["autostart_entry"], entry.to_str().expect("UTF-8"));
    let unit_text = std::fs::read_to_string(&unit).expect("the unit");
    let program = bin::certkeeper();
    let exec = format!(
        "ExecStart=\"{}\" --archive \"{}\" watch",
        program.display(),
        archive.display()
    );
    assert!(unit_text.contains(&exec), "{unit_text}");
    assert!(unit_text.contains("WantedBy=default.target"));
    // Checked by the real tools: systemd's own parser and the freedesktop validator.
    let verified = Command::new(require_program("systemd-analyze", "systemd"))
        .arg("verify")
        .arg(&unit)
        .output()
        .expect("systemd-analyze");
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let validated = Command::new(require_program(
        "desktop-file-validate",
        "desktop-file-utils",
    ))
    .arg(&entry)
    .output()
    .expect("desktop-file-validate");
    assert!(
        validated.status.success() && validated.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&validated.stdout)
    );
    let entry_text = std::fs::read_to_string(&entry).expect("the entry");
    assert!(entry_text.contains("Name[ru]=Напоминания certkeeper"));
    // Installing again rewrites the same files; uninstalling removes both.
    run(certkeeper().args(["watch", "--install"]));
    assert_eq!(std::fs::read_to_string(&unit).expect("the unit"), unit_text);
    let output = run(certkeeper().args(["watch", "--uninstall"]));
    assert!(stdout(&output).contains("removed"));
    assert!(!unit.exists() && !entry.exists());
}

/// A snooze must end ahead (a past or today's date is refused, saying why), `--until` takes the
/// Russian DD.MM.YYYY form too, the audit log tells an unsnooze from a snooze, and the calendar
/// export leaves out reminder days already past.
#[test]
fn snoozes_end_ahead_unsnoozes_are_audited_as_such_and_the_calendar_has_no_past_days() {
    let scenario = scenario();
    let listed = run(scenario
        .certkeeper()
        .args(["--json", "list", "--search", "Анна Срочная"]));
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let anna = listed[0]["id"].to_string();
    let day = |offset: i64| {
        certkeeper_core::cert::format_time(scenario.t0 + offset * DAY)[..10].to_owned()
    };
    for past in [day(-1), day(0)] {
        let refused = scenario
            .at(0.5)
            .args(["remind", "snooze", &anna, "--until", &past])
            .output()
            .expect("snooze");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(
            !refused.status.success() && said.contains("is not ahead"),
            "{past}: {said}"
        );
    }
    let ahead = day(20);
    let russian = format!("{}.{}.{}", &ahead[8..10], &ahead[5..7], &ahead[..4]);
    let snoozed = stdout(&run(scenario
        .at(0.5)
        .args(["remind", "snooze", &anna, "--until", &russian])));
    assert!(snoozed.contains(&ahead), "{snoozed}");
    run(scenario.at(0.5).args(["remind", "unsnooze", &anna]));
    let audit = stdout(&run(scenario.certkeeper().arg("audit")));
    let last: Vec<&str> = audit.lines().rev().take(2).collect();
    assert!(
        last[0].contains("reminders unsnoozed") && last[1].contains("reminders snoozed"),
        "{audit}"
    );

    // On day 100 Anna's certificate (deadline day 105) has its 30, 14 and 7 days behind it: the
    // calendar holds the 3-, 1- and 0-day reminders only, none before today.
    let ics = scenario.export_calendar(100.0, "later.ics");
    let text = std::fs::read_to_string(&ics).expect("the calendar");
    let today = day(100).replace('-', "");
    let starts: Vec<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("DTSTART;VALUE=DATE:"))
        .collect();
    assert!(!starts.is_empty(), "{text}");
    assert!(
        starts.iter().all(|start| *start >= today.as_str()),
        "{starts:?}"
    );
    let unfolded = text.replace("\r\n ", "");
    let anna_days = unfolded
        .matches("SUMMARY:Certificate «Анна Срочная» expires")
        .count();
    assert_eq!(anna_days, 3, "three days:\n{unfolded}");
}

/// Muted and snoozed certificates do not vanish: `remind list` shows them (text in each language,
/// and JSON), `expiry` says how many muted ones it leaves out, and a snooze that has ended is no
/// longer listed.
#[test]
fn muted_and_snoozed_certificates_are_listed() {
    let scenario = scenario();
    let listed = run(scenario.at(0.5).args(["--json", "remind", "list"]));
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let listed = listed.as_array().expect("a list");
    assert_eq!(listed.len(), 2, "{listed:?}");
    let muted = listed
        .iter()
        .find(|item| item["subject"] == "Дмитрий Заглушённый")
        .expect("the muted one");
    assert_eq!(muted["muted"], true);
    assert!(muted["snoozed_until"].is_null());
    let snoozed = listed
        .iter()
        .find(|item| item["subject"] == "Елена Отложенная")
        .expect("the snoozed one");
    assert_eq!(snoozed["muted"], false);
    let until = certkeeper_core::cert::format_time(scenario.t0 + 110 * DAY)[..10].to_owned();
    assert!(
        snoozed["snoozed_until"]
            .as_str()
            .is_some_and(|text| text.starts_with(&until)),
        "{snoozed}"
    );
    let russian = stdout(&run(scenario
        .at(0.5)
        .env("CERTKEEPER_LANG", "ru")
        .args(["remind", "list"])));
    let ru_until = format!("{}.{}.{}", &until[8..10], &until[5..7], &until[..4]);
    assert!(
        russian.contains("«Дмитрий Заглушённый»  отключены")
            && russian.contains(&format!("«Елена Отложенная»  отложены до {ru_until}"))
            && russian.contains("certkeeper remind unmute НОМЕР"),
        "{russian}"
    );
    // expiry leaves the muted one out and says so.
    let expiry = scenario
        .at(100.0)
        .args(["expiry", "--within", "30"])
        .output()
        .expect("expiry");
    let text = String::from_utf8_lossy(&expiry.stdout);
    assert!(
        !text.contains("Заглушённый")
            && text.contains("Not listed, reminders muted 1: certkeeper remind list"),
        "{text}"
    );
    // After the snooze's day only the muted one is left.
    let later = run(scenario.at(111.0).args(["--json", "remind", "list"]));
    let later: serde_json::Value = serde_json::from_slice(&later.stdout).expect("JSON");
    assert_eq!(later.as_array().map(Vec::len), Some(1), "{later}");
}
