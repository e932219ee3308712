//! Renewal reminders: `certkeeper expiry` (what stops working when, and an iCalendar export),
//! `certkeeper remind` (mute, snooze, thresholds) and `certkeeper watch` (the reminder service:
//! desktop notifications, or printed lines without a notification service).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::cert::format_time;
use certkeeper_core::expiry::{self, Clock, Due, Reason, Reminder};
use certkeeper_storage::ArchiveLocation;
use certkeeper_storage::reminders::ReminderStore;
use serde::Serialize;

use super::Context;
use crate::messages::AppError;
use crate::messages::reminders::{self as words, Changed, Service, body, summary};

pub(crate) const DAY: i64 = 86_400;

/// Recently passed deadlines `expiry` still lists (a certificate that just expired still matters).
const LISTED_SINCE_DAYS: u32 = 30;

/// The clock (see [`crate::settings::clock`]).
pub fn clock() -> Result<Box<dyn Clock>> {
    Ok(crate::settings::clock()?)
}

fn store(context: &Context) -> Result<ReminderStore> {
    let location = ArchiveLocation::resolve(context.archive.clone())?;
    Ok(ReminderStore::open(&location)?)
}

/// One line of `expiry --json` (documented in the README).
#[derive(Debug, Serialize)]
struct Listed<'a> {
    certificate_id: i64,
    subject: &'a str,
    sha1_thumbprint: &'a str,
    reason: Reason,
    deadline: String,
    days_left: i64,
    snoozed_until: Option<String>,
}

/// Runs `certkeeper expiry [--within DAYS] [--ics FILE]`. Returns whether something is due (listed
/// and not snoozed), which the caller turns into exit status 4.
pub fn expiry(context: &Context, within: u32, ics: Option<&Path>) -> Result<bool> {
    let now = clock()?.now();
    let store = store(context)?;
    if let Some(path) = ics {
        write_calendar(context, &store, now, path)?;
    }
    let from = now - i64::from(LISTED_SINCE_DAYS) * DAY;
    let until = now + i64::from(within) * DAY;
    let items = store.items(now, from, until)?;
    let due = expiry::upcoming(&items, now, within, LISTED_SINCE_DAYS);
    let something_due = due.iter().any(|due| due.snoozed_until.is_none());
    let mut out = super::stdout();
    if context.json {
        let listed: Vec<Listed<'_>> = due
            .iter()
            .map(|due| Listed {
                certificate_id: due.certificate_id,
                subject: &due.subject,
                sha1_thumbprint: &due.sha1_thumbprint,
                reason: due.reason,
                deadline: format_time(due.deadline),
                days_left: due.days_left,
                snoozed_until: due.snoozed_until.map(format_time),
            })
            .collect();
        super::write_json(&mut out, &listed)?;
        return Ok(something_due);
    }
    words::write_due(&mut out, &due, within, context.lang).map_err(AppError::Output)?;
    let muted = store.ruled(now)?.iter().filter(|item| item.muted).count();
    if muted > 0 {
        writeln!(out, "{}", words::muted_left_out(muted, context.lang))
            .map_err(AppError::Output)?;
    }
    Ok(something_due)
}

/// Writes every future deadline's thresholds as all-day events.
fn write_calendar(context: &Context, store: &ReminderStore, now: i64, path: &Path) -> Result<()> {
    let thresholds = store.thresholds()?;
    let items = store.items(now, now, i64::MAX)?;
    let mut calendar = expiry::Calendar::new();
    let today = now - now.rem_euclid(DAY);
    for due in expiry::upcoming(&items, now, u32::MAX / 2, 0) {
        for threshold in &thresholds {
            let day = due.deadline - i64::from(*threshold) * DAY;
            // A reminder day already past is no reminder any more.
            if day < today {
                continue;
            }
            let at_day = Due {
                days_left: i64::from(*threshold),
                ..due.clone()
            };
            let uid = format!(
                "{}-{}-{}-{threshold}@certkeeper",
                due.sha1_thumbprint,
                due.reason.as_str(),
                due.deadline
            );
            calendar.add(
                &expiry::Event {
                    uid: &uid,
                    day,
                    summary: &summary(&at_day, context.lang),
                    description: &body(&due, context.lang),
                },
                now,
            );
        }
    }
    // A calendar export is written again each time: the new file replaces the old one whole.
    certkeeper_core::files::write_bytes(
        path,
        calendar.finish().as_bytes(),
        certkeeper_core::files::Mode::REPLACE,
    )?;
    Ok(())
}

/// What `remind` changes.
#[derive(Debug)]
pub enum RemindAction<'a> {
    /// Mute a certificate.
    Mute(&'a str),
    /// Unmute it.
    Unmute(&'a str),
    /// Snooze it until a date (YYYY-MM-DD), by default for a day.
    Snooze(&'a str, Option<&'a str>),
    /// End a snooze.
    Unsnooze(&'a str),
    /// Show or set the thresholds.
    Thresholds(Option<&'a str>),
    /// List the muted and snoozed certificates.
    List,
}

/// One muted or snoozed certificate in `remind list --json`: `{"id", "subject", "sha1_thumbprint",
/// "not_after", "muted", "snoozed_until"}` (times RFC 3339, UTC).
#[derive(Debug, Serialize)]
struct RuledView {
    id: i64,
    subject: String,
    sha1_thumbprint: String,
    not_after: String,
    muted: bool,
    snoozed_until: Option<String>,
}

/// Runs `certkeeper remind ...`.
pub fn remind(context: &Context, action: RemindAction<'_>) -> Result<()> {
    let mut store = store(context)?;
    let lang = context.lang;
    let not_found = |query: &str| AppError::NoSuchCertificate {
        query: query.to_owned(),
    };
    let line = match action {
        RemindAction::Mute(query) => {
            store.mute(query, true)?.ok_or_else(|| not_found(query))?;
            words::changed(Changed::Muted(query, true), lang)
        }
        RemindAction::Unmute(query) => {
            store.mute(query, false)?.ok_or_else(|| not_found(query))?;
            words::changed(Changed::Muted(query, false), lang)
        }
        RemindAction::Snooze(query, until) => {
            let now = clock()?.now();
            let until = match until {
                Some(text) => {
                    let until = expiry::parse_date(text).ok_or_else(|| AppError::BadDate {
                        given: text.to_owned(),
                    })?;
                    // A snooze ends at the start of its day: one that ends today or before
                    // would snooze nothing.
                    if until <= now {
                        return Err(AppError::DateNotAhead {
                            given: text.to_owned(),
                        }
                        .into());
                    }
                    until
                }
                None => now + DAY,
            };
            store
                .snooze(query, Some(until))?
                .ok_or_else(|| not_found(query))?;
            words::changed(Changed::Snoozed(query, until), lang)
        }
        RemindAction::Unsnooze(query) => {
            store.snooze(query, None)?.ok_or_else(|| not_found(query))?;
            words::changed(Changed::Unsnoozed(query), lang)
        }
        RemindAction::Thresholds(Some(text)) => {
            let thresholds =
                expiry::parse_thresholds(text).ok_or_else(|| AppError::BadThresholds {
                    given: text.to_owned(),
                })?;
            store.set_thresholds(&thresholds)?;
            words::changed(Changed::Thresholds(&thresholds), lang)
        }
        RemindAction::Thresholds(None) => {
            words::changed(Changed::Thresholds(&store.thresholds()?), lang)
        }
        RemindAction::List => {
            let ruled = store.ruled(clock()?.now())?;
            let mut out = super::stdout();
            if context.json {
                let views: Vec<RuledView> = ruled
                    .iter()
                    .map(|item| RuledView {
                        id: item.id,
                        subject: item.subject.clone(),
                        sha1_thumbprint: item.sha1_thumbprint.clone(),
                        not_after: format_time(item.not_after),
                        muted: item.muted,
                        snoozed_until: item.snoozed_until.map(format_time),
                    })
                    .collect();
                super::write_json(&mut out, &views)?;
            } else {
                words::write_ruled(&mut out, &ruled, lang).map_err(AppError::Output)?;
            }
            return Ok(());
        }
    };
    writeln!(super::stdout(), "{line}").map_err(AppError::Output)?;
    Ok(())
}

/// One check: the reminders due now go out as desktop notifications (or printed lines without a
/// notification service), and are recorded so that none is sent twice. Returns the notifications
/// shown, for the service to wait on their actions.
fn check_once(
    context: &Context,
    store: &mut ReminderStore,
    now: i64,
) -> Result<Vec<(super::notify::Shown, Reminder)>> {
    let thresholds = store.thresholds()?;
    let largest = thresholds.iter().copied().max().unwrap_or(0);
    let items = store.items(now, now - 2 * DAY, now + i64::from(largest) * DAY)?;
    let sent = store.sent(now - 2 * DAY)?;
    let due = expiry::reminders(&items, now, &thresholds, &sent);
    let mut shown = Vec::new();
    let lang = context.lang;
    for reminder in &due {
        let title = summary(&reminder.due, lang);
        let text = body(&reminder.due, lang);
        let (renew, snooze) = words::notification_actions(lang);
        let notification = super::notify::show(
            &title,
            &text,
            &[("renew", renew), ("snooze", snooze)],
            reminder.due.days_left <= 3,
        );
        match notification {
            Ok(handle) => shown.push((handle, reminder.clone())),
            Err(error) => {
                // No notification service (no D-Bus session): the reminder is printed instead.
                tracing::warn!(%error, "no desktop notifications; printing the reminder");
                writeln!(super::stdout(), "{title}. {text}").map_err(AppError::Output)?;
            }
        }
    }
    let keys: Vec<_> = due.iter().map(Reminder::key).collect();
    store.record_sent(&keys, now)?;
    Ok(shown)
}

/// Asks the CA about the certificate requests whose time came (waiting ones, issued ones not
/// confirmed), without the passphrase: the one-time code comes sealed for the service. A certificate
/// issued is announced; installing it waits for the person. Runs on its own thread, as HTTP blocks.
fn poll_requests(context: &Context, store: &mut ReminderStore, archive: &Path) {
    use certkeeper_core::enroll::{self, Environment, Progress, Requests};
    let lang = context.lang;
    // The CA's times are real ones, whatever CERTKEEPER_NOW says for the reminders.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let jobs = match store.jobs() {
                Ok(jobs) => jobs,
                Err(error) => {
                    tracing::warn!(%error, "the requests could not be read");
                    return;
                }
            };
            // A key update is signed with the archived key: it waits for `request resume`.
            let due: Vec<i64> = enroll::due(&jobs, now)
                .iter()
                .filter(|job| job.command.as_deref() != Some("kur"))
                .map(|job| job.id)
                .collect();
            let registry = || {
                certkeeper_storage::location::registry_store(Some(archive))
                    .map_err(|error| -> certkeeper_core::open::SourceError { Box::new(error) })
            };
            let nobody = crate::prompt::Nobody;
            let environment = Environment {
                module_paths: &[],
                registry: &registry,
                prompt: &nobody,
            };
            for id in due {
                let Some(job) = jobs.iter().find(|job| job.id == id) else {
                    continue;
                };
                let step = enroll::transport_of(job)
                    .and_then(|transport| enroll::advance(store, id, &transport, &environment));
                match step {
                    Ok(Progress::Issued { subject }) => {
                        let (title, text) =
                            crate::messages::requests::issued_notification(id, &subject, lang);
                        let shown = super::notify::show(
                            &title,
                            &text,
                            &[("install", crate::messages::requests::install_action(lang))],
                            false,
                        );
                        match shown {
                            // "Install" opens the window at the requests, where Install is one
                            // button.
                            Ok(handle) => {
                                let archive = archive.to_path_buf();
                                std::thread::spawn(move || {
                                    handle.wait_for_action(|action| {
                                        if action == "install"
                                            && let Ok(program) = std::env::current_exe()
                                        {
                                            let _ = std::process::Command::new(program)
                                                .arg("--archive")
                                                .arg(&archive)
                                                .args(["ui", "--requests"])
                                                .spawn();
                                        }
                                    });
                                });
                            }
                            Err(_) => {
                                let _ = writeln!(super::stdout(), "{title}. {text}");
                            }
                        }
                    }
                    Ok(progress) => {
                        let line = crate::messages::requests::progress_line(id, &progress, lang);
                        tracing::info!(request = id, "{line}");
                        if matches!(progress, Progress::Rejected { .. }) {
                            let _ = writeln!(super::stdout(), "{line}");
                        }
                    }
                    Err(error) => {
                        tracing::warn!(request = id, %error, "the CA could not be asked");
                    }
                }
            }
        });
    });
}

/// Waits for the person's answer to a notification on its own thread: "Renew" opens the window at
/// the certificate, "Snooze" snoozes its reminders for a day.
fn answer_later(
    archive: PathBuf,
    handle: super::notify::Shown,
    reminder: Reminder,
    checked_at: i64,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        handle.wait_for_action(|action| {
            tracing::info!(
                action,
                certificate = reminder.due.certificate_id,
                "notification answered"
            );
            match action {
                "renew" => {
                    if let Ok(program) = std::env::current_exe() {
                        let _ = std::process::Command::new(program)
                            .arg("--archive")
                            .arg(&archive)
                            .args(["ui", "--renew", &reminder.due.sha1_thumbprint])
                            .spawn();
                    }
                }
                "snooze" => {
                    let snoozed = ReminderStore::open(&ArchiveLocation::explicit(&archive))
                        .and_then(|mut store| {
                            // A day from the answer (or from the check, when the clock was set).
                            let until = expiry::SystemClock.now().max(checked_at) + DAY;
                            store.snooze(&reminder.due.certificate_id.to_string(), Some(until))
                        });
                    if let Err(error) = snoozed {
                        tracing::warn!(%error, "the snooze could not be recorded");
                    }
                }
                _ => {}
            }
        });
    })
}

/// Whether the computer slept between two ticks: while it sleeps the monotonic clock (`slept`)
/// stands still and the wall clock (`passed`) runs on.
fn woke_up(slept: std::time::Duration, passed: std::time::Duration) -> bool {
    passed > slept + std::time::Duration::from_secs(120)
}

/// Options of `watch`.
#[derive(Debug)]
pub struct WatchOptions {
    /// Check once and exit (for cron and tests).
    pub once: bool,
    /// Stop after this many seconds (tests) [default: run until stopped].
    pub seconds: Option<u64>,
    /// Started with the desktop session (the packages' unit and autostart entry, for every user):
    /// where there is no archive yet, say so and leave with success.
    pub session: bool,
}

/// Runs `certkeeper watch`: checks at start, then daily and after the computer wakes from sleep.
pub fn watch(context: &Context, options: &WatchOptions) -> Result<()> {
    let location = ArchiveLocation::resolve(context.archive.clone())?;
    if options.session && !location.path().exists() {
        writeln!(
            super::stdout(),
            "{}",
            words::service(Service::NoArchiveYet(location.path()), context.lang)
        )
        .map_err(AppError::Output)?;
        return Ok(());
    }
    let clock = clock()?;
    let mut store = ReminderStore::open(&location)?;
    if options.once {
        let shown = check_once(context, &mut store, clock.now())?;
        drop(shown);
        poll_requests(context, &mut store, location.path());
        return Ok(());
    }
    // One service per user: a second one started by the autostart entry beside the systemd unit
    // says so and leaves.
    let Some(_lock) = single_instance()? else {
        writeln!(
            super::stdout(),
            "{}",
            words::service(Service::AlreadyRunning, context.lang)
        )
        .map_err(AppError::Output)?;
        return Ok(());
    };
    #[cfg(windows)]
    leave_own_console();
    // Time for the daily check, I/O for the signal that stops the service.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| setup(location.path(), error))?;
    let archive = location.path().to_path_buf();
    runtime.block_on(async {
        let started = tokio::time::Instant::now();
        let mut last_check = clock.now();
        let mut last_tick = (tokio::time::Instant::now(), std::time::SystemTime::now());
        let mut waiting = Vec::new();
        let now = last_check;
        for (handle, reminder) in check_once(context, &mut store, now)? {
            waiting.push(answer_later(archive.clone(), handle, reminder, now));
        }
        poll_requests(context, &mut store, location.path());
        loop {
            let step = std::time::Duration::from_secs(30);
            if let Some(seconds) = options.seconds {
                let left =
                    std::time::Duration::from_secs(seconds).saturating_sub(started.elapsed());
                if left.is_zero() {
                    return Ok(());
                }
                tokio::select! {
                    _ = tokio::time::sleep(step.min(left)) => {}
                    _ = tokio::signal::ctrl_c() => return Ok(()),
                }
            } else {
                tokio::select! {
                    _ = tokio::time::sleep(step) => {}
                    _ = tokio::signal::ctrl_c() => return Ok(()),
                }
            }
            // Asleep, the monotonic clock stands still while the wall clock runs on: a wall-clock
            // jump much larger than the time slept means the computer woke up.
            let (tick, wall) = (tokio::time::Instant::now(), std::time::SystemTime::now());
            let resumed = woke_up(
                tick.duration_since(last_tick.0),
                wall.duration_since(last_tick.1).unwrap_or_default(),
            );
            last_tick = (tick, wall);
            let now = clock.now();
            // Requests waiting at a CA are asked about when the CA said (checked every step).
            poll_requests(context, &mut store, location.path());
            if resumed || now - last_check >= DAY {
                tracing::info!(resumed, "checking the deadlines");
                last_check = now;
                for (handle, reminder) in check_once(context, &mut store, now)? {
                    waiting.push(answer_later(archive.clone(), handle, reminder, now));
                }
            }
        }
    })
}

fn setup(path: &Path, error: std::io::Error) -> AppError {
    AppError::ServiceSetup {
        path: path.to_path_buf(),
        reason: error.to_string(),
    }
}

/// Started at logon by the `Run` key, a console program gets a console window of its own: the
/// service lets it go (a service started from a terminal, sharing its console, keeps it).
#[cfg(windows)]
#[allow(unsafe_code)]
fn leave_own_console() {
    use windows_sys::Win32::System::Console::{FreeConsole, GetConsoleProcessList};
    let mut processes = [0u32; 4];
    // SAFETY: the buffer holds 4 process ids; the call writes at most that many.
    let sharing = unsafe { GetConsoleProcessList(processes.as_mut_ptr(), 4) };
    if sharing == 1 {
        // SAFETY: detaching from the console has no preconditions.
        unsafe { FreeConsole() };
    }
}

/// The per-user lock of the reminder service, or `None` when another one holds it.
fn single_instance() -> Result<Option<std::fs::File>> {
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let user = std::env::var("USER").unwrap_or_default();
    let path = dir.join(format!("certkeeper-watch-{user}.lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|error| setup(&path, error))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(error)) => Err(setup(&path, error).into()),
    }
}

/// Runs `certkeeper watch --install` or `--uninstall`.
pub fn install(context: &Context, uninstall: bool) -> Result<()> {
    let lang = context.lang;
    let mut out = super::stdout();
    if uninstall {
        crate::service::uninstall()?;
        writeln!(out, "{}", words::service(Service::Removed, lang)).map_err(AppError::Output)?;
        return Ok(());
    }
    let installed = crate::service::install(context.archive.as_deref())?;
    if context.json {
        super::write_json(&mut out, &installed)?;
    } else {
        writeln!(
            out,
            "{}",
            words::service(Service::Installed(&installed), lang)
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_night_asleep_is_told_from_a_late_tick() {
        assert!(woke_up(
            Duration::from_secs(30),
            Duration::from_secs(8 * 3600)
        ));
        assert!(!woke_up(Duration::from_secs(30), Duration::from_secs(31)));
        // A busy machine ticking late is not a wake-up.
        assert!(!woke_up(Duration::from_secs(90), Duration::from_secs(95)));
    }
}
