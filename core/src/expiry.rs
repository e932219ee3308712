//! Renewal reminders: when a certificate (its notAfter) or its private key (the key usage period,
//! often shorter) stops working, which thresholds have been crossed, and which reminders are due.
//! Pure rules over what the archive says: time comes from a [`Clock`], so tests can move it, and
//! what has been sent is given by the caller, so no reminder is sent twice.

use std::collections::HashSet;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The thresholds used when the person has not chosen: 30, 14, 7, 3 and 1 days before, and on the
/// day.
pub const DEFAULT_THRESHOLDS: [u32; 6] = [30, 14, 7, 3, 1, 0];

/// Where the time comes from.
pub trait Clock {
    /// Now, in Unix seconds.
    fn now(&self) -> i64;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// A clock that always says the same time (tests, `CERTKEEPER_NOW`).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}

/// What stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The certificate's notAfter.
    Certificate,
    /// The end of the private key usage period.
    PrivateKey,
}

impl Reason {
    /// The name stored in the archive and shown in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Certificate => "certificate",
            Self::PrivateKey => "private_key",
        }
    }
}

/// A certificate as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The archive's id.
    pub id: i64,
    /// Who it is for.
    pub subject: String,
    /// SHA-1 thumbprint.
    pub sha1_thumbprint: String,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// End of the private key usage period, when the certificate says.
    pub private_key_not_after: Option<i64>,
    /// A newer certificate of the same owner is valid now: this one does not warn.
    pub superseded: bool,
    /// The person muted its reminders.
    pub muted: bool,
    /// The person snoozed its reminders until then.
    pub snoozed_until: Option<i64>,
}

/// One deadline of one certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Due {
    /// The certificate's id.
    pub certificate_id: i64,
    /// Who it is for.
    pub subject: String,
    /// SHA-1 thumbprint.
    pub sha1_thumbprint: String,
    /// What stops working.
    pub reason: Reason,
    /// When, Unix seconds.
    pub deadline: i64,
    /// Whole days left, rounded up (0: today or already; negative: days since).
    pub days_left: i64,
    /// Snoozed until then (still listed, not reminded).
    pub snoozed_until: Option<i64>,
}

/// Days left until `deadline`, rounded up: 0 means the deadline is within the coming day or has just
/// passed.
pub fn days_left(deadline: i64, now: i64) -> i64 {
    let left = deadline - now;
    if left > 0 {
        (left + DAY - 1) / DAY
    } else {
        -((-left) / DAY)
    }
}

/// The deadlines of `items` from `since` seconds before `now` up to `within` days after, soonest
/// first; superseded and muted certificates left out. When the key usage period ends on the same
/// day as the certificate or later, only the certificate's deadline is given.
pub fn upcoming(items: &[Item], now: i64, within_days: u32, since_days: u32) -> Vec<Due> {
    let from = now - i64::from(since_days) * DAY;
    let until = now + i64::from(within_days) * DAY;
    let mut due = Vec::new();
    for item in items.iter().filter(|item| !item.superseded && !item.muted) {
        let mut push = |reason, deadline: i64| {
            if (from..=until).contains(&deadline) {
                due.push(Due {
                    certificate_id: item.id,
                    subject: item.subject.clone(),
                    sha1_thumbprint: item.sha1_thumbprint.clone(),
                    reason,
                    deadline,
                    days_left: days_left(deadline, now),
                    snoozed_until: item.snoozed_until.filter(|until| *until > now),
                });
            }
        };
        push(Reason::Certificate, item.not_after);
        if let Some(key) = item.private_key_not_after
            && key < item.not_after - DAY
        {
            push(Reason::PrivateKey, key);
        }
    }
    due.sort_by(|a, b| {
        (a.deadline, a.certificate_id, a.reason).cmp(&(b.deadline, b.certificate_id, b.reason))
    });
    due
}

/// A reminder to send: a deadline and the threshold it crossed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reminder {
    /// The deadline.
    #[serde(flatten)]
    pub due: Due,
    /// The threshold crossed, in days before the deadline.
    pub threshold_days: u32,
}

impl Reminder {
    /// What identifies it among those sent.
    pub fn key(&self) -> SentKey {
        SentKey {
            certificate_id: self.due.certificate_id,
            reason: self.due.reason,
            deadline: self.due.deadline,
            threshold_days: self.threshold_days,
        }
    }
}

/// A reminder already sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SentKey {
    /// The certificate's id.
    pub certificate_id: i64,
    /// What stops working.
    pub reason: Reason,
    /// The deadline it was about.
    pub deadline: i64,
    /// The threshold.
    pub threshold_days: u32,
}

/// The reminders due now: for each deadline, the nearest threshold crossed (the smallest number of
/// days not below the days left), unless that one was sent; a deadline more than a day past is not
/// reminded of (the reminder on the day said it), nor a snoozed, muted or superseded certificate.
pub fn reminders(
    items: &[Item],
    now: i64,
    thresholds: &[u32],
    sent: &HashSet<SentKey>,
) -> Vec<Reminder> {
    let Some(&largest) = thresholds.iter().max() else {
        return Vec::new();
    };
    let mut sorted = thresholds.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    upcoming(items, now, largest, 1)
        .into_iter()
        .filter(|due| due.snoozed_until.is_none())
        .filter_map(|due| {
            let left = due.deadline - now;
            let threshold = sorted
                .iter()
                .copied()
                .find(|threshold| left <= i64::from(*threshold) * DAY)?;
            let reminder = Reminder {
                due,
                threshold_days: threshold,
            };
            (!sent.contains(&reminder.key())).then_some(reminder)
        })
        .collect()
}

/// Reads thresholds written as "30,14,7,3,1,0": each a whole number of days up to 366.
pub fn parse_thresholds(text: &str) -> Option<Vec<u32>> {
    let mut thresholds: Vec<u32> = text
        .split(',')
        .map(|part| part.trim().parse().ok().filter(|days| *days <= 366))
        .collect::<Option<_>>()?;
    if thresholds.is_empty() {
        return None;
    }
    thresholds.sort_unstable_by(|a, b| b.cmp(a));
    thresholds.dedup();
    Some(thresholds)
}

/// Unix seconds of midnight UTC of a date written YYYY-MM-DD, or DD.MM.YYYY as Russian dates are.
pub fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let (year, month, day): (i64, i64, i64) = if text.contains('.') {
        let mut parts = text.splitn(3, '.');
        let day = parts.next()?;
        let month = parts.next()?;
        let year = parts.next()?;
        if year.len() != 4 {
            return None;
        }
        (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
    } else {
        let mut parts = text.splitn(3, '-');
        (
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
        )
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(1970..=9999).contains(&year) {
        return None;
    }
    // Days from the civil date (H. Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    // 31 February and the like are refused: the date must read back the same.
    let midnight = days * DAY;
    crate::cert::format_time(midnight)
        .starts_with(&format!("{year:04}-{month:02}-{day:02}"))
        .then_some(midnight)
}

/// Unix seconds of a time written as RFC 3339 `YYYY-MM-DDTHH:MM:SSZ`, or a date (midnight UTC).
pub fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once('T').unwrap_or((text, ""));
    let midnight = parse_date(date)?;
    if time.is_empty() {
        return Some(midnight);
    }
    let time = time.strip_suffix('Z')?;
    let mut parts = time.splitn(3, ':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let seconds: i64 = parts.next().unwrap_or("0").parse().ok()?;
    if hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    Some(midnight + hours * 3600 + minutes * 60 + seconds)
}

/// An iCalendar (RFC 5545) file of all-day events, written with CRLF line ends and lines folded at
/// 75 octets.
#[derive(Debug, Default)]
pub struct Calendar {
    events: Vec<String>,
}

/// One all-day event.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// A unique, stable identifier (the same reminder gives the same UID on every export).
    pub uid: &'a str,
    /// The day, Unix seconds (its UTC date is used).
    pub day: i64,
    /// The one-line summary.
    pub summary: &'a str,
    /// The longer description.
    pub description: &'a str,
}

fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            other => out.push(other),
        }
    }
    out
}

/// A content line folded at 75 octets, never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for character in line.chars() {
        let len = character.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(character);
        width += len;
    }
    out.push_str("\r\n");
    out
}

fn ics_date(time: i64) -> String {
    crate::cert::format_date(time).replace('-', "")
}

fn ics_time(time: i64) -> String {
    let text = crate::cert::format_time(time);
    format!(
        "{}T{}Z",
        text[..10].replace('-', ""),
        text[11..19].replace(':', "")
    )
}

impl Calendar {
    /// An empty calendar.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an event, stamped `now`.
    pub fn add(&mut self, event: &Event<'_>, now: i64) {
        let mut text = String::new();
        text.push_str("BEGIN:VEVENT\r\n");
        text.push_str(&fold(&format!("UID:{}", event.uid)));
        text.push_str(&format!("DTSTAMP:{}\r\n", ics_time(now)));
        text.push_str(&format!("DTSTART;VALUE=DATE:{}\r\n", ics_date(event.day)));
        text.push_str(&format!(
            "DTEND;VALUE=DATE:{}\r\n",
            ics_date(event.day + DAY)
        ));
        text.push_str(&fold(&format!("SUMMARY:{}", escape_text(event.summary))));
        text.push_str(&fold(&format!(
            "DESCRIPTION:{}",
            escape_text(event.description)
        )));
        text.push_str("TRANSP:TRANSPARENT\r\n");
        text.push_str("END:VEVENT\r\n");
        self.events.push(text);
    }

    /// The file's text.
    pub fn finish(&self) -> String {
        let mut text = String::from(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//certkeeper//certkeeper//EN\r\nCALSCALE:GREGORIAN\r\n",
        );
        for event in &self.events {
            text.push_str(event);
        }
        text.push_str("END:VCALENDAR\r\n");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn item(id: i64, not_after_days: i64) -> Item {
        Item {
            id,
            subject: format!("holder {id}"),
            sha1_thumbprint: format!("{id:040}"),
            not_after: NOW + not_after_days * DAY,
            private_key_not_after: None,
            superseded: false,
            muted: false,
            snoozed_until: None,
        }
    }

    #[test]
    fn the_nearest_threshold_crossed_is_reminded_once() {
        let items = [item(1, 5), item(2, 40), item(3, 0)];
        let mut sent = HashSet::new();
        let due = reminders(&items, NOW, &DEFAULT_THRESHOLDS, &sent);
        let thresholds: Vec<(i64, u32)> = due
            .iter()
            .map(|reminder| (reminder.due.certificate_id, reminder.threshold_days))
            .collect();
        assert_eq!(thresholds, [(3, 0), (1, 7)]);
        sent.extend(due.iter().map(Reminder::key));
        assert!(reminders(&items, NOW, &DEFAULT_THRESHOLDS, &sent).is_empty());
        // Two days later the 3-day threshold is crossed: a new reminder.
        let later = reminders(&items, NOW + 2 * DAY, &DEFAULT_THRESHOLDS, &sent);
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].threshold_days, 3);
    }

    #[test]
    fn superseded_muted_and_snoozed_certificates_do_not_remind() {
        let mut superseded = item(1, 3);
        superseded.superseded = true;
        let mut muted = item(2, 3);
        muted.muted = true;
        let mut snoozed = item(3, 3);
        snoozed.snoozed_until = Some(NOW + DAY);
        let items = [superseded, muted, snoozed.clone()];
        assert!(reminders(&items, NOW, &DEFAULT_THRESHOLDS, &HashSet::new()).is_empty());
        // The snooze ends: the reminder comes.
        let after = reminders(
            &[snoozed],
            NOW + 2 * DAY,
            &DEFAULT_THRESHOLDS,
            &HashSet::new(),
        );
        assert_eq!(after.len(), 1);
    }

    #[test]
    fn the_key_period_warns_on_its_own_when_it_ends_first() {
        let mut both = item(1, 300);
        both.private_key_not_after = Some(NOW + 10 * DAY);
        let due = upcoming(&[both], NOW, 400, 0);
        assert_eq!(
            due.iter().map(|due| due.reason).collect::<Vec<_>>(),
            [Reason::PrivateKey, Reason::Certificate]
        );
        assert_eq!(due[0].days_left, 10);
    }

    #[test]
    fn dates_parse_and_bad_ones_do_not() {
        assert_eq!(parse_date("1970-01-02"), Some(DAY));
        assert_eq!(parse_date("2026-11-26"), Some(1_795_651_200));
        assert_eq!(parse_date("2026-02-31"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("soon"), None);
        assert_eq!(
            parse_time("2026-11-26T10:00:00Z"),
            Some(1_795_651_200 + 36_000)
        );
        assert_eq!(parse_thresholds("7, 30,0"), Some(vec![30, 7, 0]));
        assert_eq!(parse_thresholds("7,x"), None);
        assert_eq!(parse_thresholds("999"), None);
    }

    #[test]
    fn calendar_lines_are_folded_and_escaped() {
        let mut calendar = Calendar::new();
        let summary = "Сертификат «ООО Ромашка, филиал; Москва» истекает через 30 дней";
        calendar.add(
            &Event {
                uid: "a@certkeeper",
                day: NOW,
                summary,
                description: "line one\nline two",
            },
            NOW,
        );
        let text = calendar.finish();
        assert!(text.lines().all(|line| line.len() <= 76), "{text}");
        let unfolded = text.replace("\r\n ", "");
        assert!(
            unfolded.contains("Ромашка\\, филиал\\; Москва"),
            "{unfolded}"
        );
        assert!(text.contains("line one\\nline two"));
        assert!(text.contains("DTSTART;VALUE=DATE:2027"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }
}
