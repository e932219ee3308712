//! The certificates view: every archived certificate, searched as the person types, grouped by
//! owner (a person's or organisation's certificates over the years together), each with its status.

use std::collections::HashMap;
use std::rc::Rc;

use certkeeper_core::cert::Standing;
use certkeeper_storage::certificates::Listed;
use slint::{ComponentHandle, FilterModel, Model, ModelRc, VecModel};

use super::{
    AppState, AppWindow, CertificateRow, CertificatesAdapter, DetailField, PathLine, Shared,
};
use crate::messages::Lang;

/// The badge of a certificate's standing: its code in the view (0 valid, 1 expiring soon, 2
/// expired, 3 key period ended, 4 superseded, 5 not yet valid) and the days left.
fn badge(listed: &Listed, now: i64) -> (i32, i32) {
    let periods = certkeeper_core::cert::Periods {
        not_before: listed.not_before,
        not_after: listed.not_after,
        private_key_not_after: listed.private_key_not_after,
    };
    match periods.standing_at(now, listed.superseded_by.is_some()) {
        Standing::Valid => (0, 0),
        Standing::ExpiresIn(days) => (1, days as i32),
        Standing::Expired => (2, 0),
        Standing::KeyPeriodEnded => (3, 0),
        Standing::Superseded => (4, 0),
        Standing::NotYetValid => (5, 0),
    }
}

/// A distinguished name as text, shortened to what people call it: its CN, else its O, else the
/// whole text.
pub(crate) fn short_name(name: &str) -> &str {
    for wanted in ["CN=", "O="] {
        if let Some(value) = name
            .split(", ")
            .find_map(|part| part.trim().strip_prefix(wanted))
        {
            return value;
        }
    }
    name
}

/// Whether a row matches what was typed: every word of it, anywhere (thumbprints may be typed
/// with spaces or colons).
pub(crate) fn matches(row: &CertificateRow, query: &str) -> bool {
    query
        .split_whitespace()
        .all(|word| row.search.contains(word) || row.search.contains(&word.replace(':', "")))
}

/// The rows of `listed` (newest deadline first, as the archive lists them), each owner's
/// certificates moved together after the first of them; an owner with more than one certificate
/// gets a heading with the name on the newest.
pub(crate) fn rows(listed: &[Listed], now: i64, lang: Lang) -> Vec<CertificateRow> {
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&Listed>> = HashMap::new();
    for item in listed {
        let owner = if item.owner.is_empty() {
            item.sha1.as_str()
        } else {
            item.owner.as_str()
        };
        groups
            .entry(owner)
            .or_insert_with(|| {
                order.push(owner);
                Vec::new()
            })
            .push(item);
    }
    let mut rows = Vec::with_capacity(listed.len());
    for owner in order {
        let members = &groups[owner];
        for (index, item) in members.iter().enumerate() {
            let (status, days) = badge(item, now);
            rows.push(CertificateRow {
                id: item.id as i32,
                subject: item.subject_name.clone().into(),
                details: format!("{} · {}", short_name(&item.issuer), item.key_algorithm).into(),
                valid_until: lang.date(item.not_after).into(),
                status,
                days,
                has_key: item.has_private_key,
                group: if index == 0 && members.len() > 1 {
                    members[0].subject_name.clone().into()
                } else {
                    "".into()
                },
                search: item.searched().into(),
            });
        }
    }
    rows
}

/// The rows shown: the whole list through a filter.
type Filtered = FilterModel<ModelRc<CertificateRow>, Box<dyn Fn(&CertificateRow) -> bool>>;

/// The list as shown: every certificate's row, filtered in memory by what is typed (so a keystroke
/// costs a pass over prepared lowercase text, not a query).
pub(crate) struct Listing {
    query: Rc<std::cell::RefCell<String>>,
    filtered: Rc<Filtered>,
}

/// Reads every certificate of the unlocked archive into the view (after unlocking, and after a
/// change), keeping what is typed in the search field.
pub(super) fn load(window: &AppWindow, shared: &Shared) {
    let archive = shared.archive.borrow();
    let Some(archive) = archive.as_ref() else {
        return;
    };
    let began = std::time::Instant::now();
    let now = certkeeper_core::expiry::Clock::now(&certkeeper_core::expiry::SystemClock);
    let listed = archive
        .list_certificates(None, None)
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "listing the certificates failed");
            Vec::new()
        });
    let queried = began.elapsed();
    let lang = shared.lang.get();
    let all: Rc<VecModel<CertificateRow>> = Rc::new(VecModel::from(rows(&listed, now, lang)));
    let query = shared
        .listing
        .borrow()
        .as_ref()
        .map(|listing| listing.query.clone())
        .unwrap_or_default();
    let filter_query = query.clone();
    let filter: Box<dyn Fn(&CertificateRow) -> bool> =
        Box::new(move |row| matches(row, &filter_query.borrow()));
    let filtered = Rc::new(FilterModel::new(ModelRc::from(all), filter));
    let adapter = window.global::<CertificatesAdapter>();
    adapter.set_total(listed.len() as i32);
    adapter.set_hidden(
        archive
            .hidden_certificates()
            .map_or(0, |hidden| i32::try_from(hidden.len()).unwrap_or(i32::MAX)),
    );
    adapter.set_rows(ModelRc::from(filtered.clone()));
    shared.listing.replace(Some(Listing { query, filtered }));
    tracing::info!(
        rows = listed.len(),
        query_ms = queried.as_secs_f64() * 1000.0,
        total_ms = began.elapsed().as_secs_f64() * 1000.0,
        "certificates loaded"
    );
}

/// Filters the list by what is typed.
pub(super) fn search(shared: &Shared, text: &str) {
    if let Some(listing) = shared.listing.borrow().as_ref() {
        listing.query.replace(text.trim().to_lowercase());
        listing.filtered.reset();
    }
}

/// What the details card shows of one certificate.
#[derive(Debug)]
pub(crate) struct Details {
    /// Whose it is.
    pub heading: String,
    /// Label and value, every field a person looks for.
    pub fields: Vec<(String, String)>,
    /// The certification path, from the certificate up to its root.
    pub path: Vec<crate::views::PathStep>,
    /// The audit log's entries about it, oldest first.
    pub history: Vec<String>,
    /// Whether its private key is in the archive (unlocked or in a container).
    pub has_key: bool,
}

/// Every field of certificate `id`, its certification path through the archive, where its key
/// lives and its history, for the details card.
pub(crate) fn details(
    archive: &certkeeper_storage::Archive,
    id: i64,
    lang: crate::messages::Lang,
    now: i64,
) -> anyhow::Result<Details> {
    let shown = crate::views::shown(archive, &id.to_string(), now)?;
    let printable = |text: &str| certkeeper_core::text::printable_lines(text).into_owned();
    let fields = crate::messages::certificates::card(&shown, lang)
        .into_iter()
        .map(|(label, value)| (label, printable(&value)))
        .collect();
    // The entries about this certificate: its thumbprint, its key (by public key id), its
    // containers (by kind and name), and reminders about it (by id).
    let mut subjects = Vec::new();
    let mut path = Vec::new();
    if let Some((_, der)) = archive.certificate_der(&id.to_string())?
        && let Ok(certificate) = certkeeper_core::cert::Certificate::from_der(&der)
    {
        path = crate::views::certification_path(archive, &certificate)
            .into_iter()
            .map(|step| crate::views::PathStep {
                name: printable(&step.name),
                id: step.id,
            })
            .collect();
        if let Some(public) = certificate.public_key_material() {
            subjects.push(public.id());
        }
        subjects.push(certificate.sha1_thumbprint);
    }
    for container in archive.containers_for(id)? {
        subjects.push(format!("{} {}", container.kind.as_str(), container.name));
    }
    let reminder_prefix = format!("{id} ");
    let history = archive
        .audit_log()?
        .into_iter()
        .filter(|entry| {
            subjects.contains(&entry.subject) || entry.subject.starts_with(&reminder_prefix)
        })
        .map(|entry| {
            format!(
                "{}  {}",
                lang.date_time(entry.at),
                crate::messages::archive::audit_action(&entry.action, lang)
            )
        })
        .collect();
    Ok(Details {
        heading: printable(&shown.certificate.subject_name),
        fields,
        path,
        history,
        has_key: shown.has_private_key || !shown.key_containers.is_empty(),
    })
}

/// Shows `details` in the card.
fn show_details(adapter: &CertificatesAdapter<'_>, details: Details) {
    let fields: Vec<DetailField> = details
        .fields
        .into_iter()
        .map(|(label, value)| DetailField {
            label: label.into(),
            value: value.into(),
        })
        .collect();
    // Root first, as certification paths are drawn.
    let path: Vec<PathLine> = details
        .path
        .into_iter()
        .rev()
        .map(|step| PathLine {
            name: step.name.into(),
            missing: step.id.is_none(),
        })
        .collect();
    let history: Vec<slint::SharedString> = details.history.into_iter().map(Into::into).collect();
    adapter.set_heading(details.heading.into());
    adapter.set_fields(ModelRc::from(Rc::new(VecModel::from(fields))));
    adapter.set_path(ModelRc::from(Rc::new(VecModel::from(path))));
    adapter.set_history(ModelRc::from(Rc::new(VecModel::from(history))));
    adapter.set_selected_has_key(details.has_key);
}

/// The card's line about what its last action did.
fn said(window: &AppWindow, text: &str, good: bool) {
    let adapter = window.global::<CertificatesAdapter>();
    adapter.set_action_status(text.into());
    adapter.set_action_good(good);
}

/// A file name for what is saved of `heading` in `folder`: its name, made safe, with `extension`,
/// and " (2)", " (3)"… when the name is taken.
fn file_for(folder: &std::path::Path, heading: &str, extension: &str) -> std::path::PathBuf {
    let safe: String = heading
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim().trim_matches('.');
    let base = if safe.is_empty() { "certificate" } else { safe };
    let mut path = folder.join(format!("{base}.{extension}"));
    let mut number = 2;
    while certkeeper_core::files::taken(&path) {
        path = folder.join(format!("{base} ({number}).{extension}"));
        number += 1;
    }
    path
}

/// The row `step` rows from the `current` one among those `shown` (the first or last when none
/// is selected, or the selected one is filtered out), with its place.
pub(crate) fn neighbour(shown: &[i32], current: i32, step: i32) -> Option<(usize, i32)> {
    if shown.is_empty() {
        return None;
    }
    let index = match shown.iter().position(|id| *id == current) {
        Some(index) if step > 0 => (index + 1).min(shown.len() - 1),
        Some(index) => index.saturating_sub(1),
        None if step > 0 => 0,
        None => shown.len() - 1,
    };
    Some((index, shown[index]))
}

pub(super) fn wire(window: &AppWindow, shared: &Rc<Shared>) {
    let adapter = window.global::<CertificatesAdapter>();
    adapter.on_select({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id| {
            let Some(window) = weak.upgrade() else {
                return;
            };
            let archive = shared.archive.borrow();
            let Some(archive) = archive.as_ref() else {
                return;
            };
            let now = certkeeper_core::expiry::Clock::now(&certkeeper_core::expiry::SystemClock);
            let adapter = window.global::<CertificatesAdapter>();
            if adapter.get_selected() != id {
                adapter.set_action_status("".into());
            }
            match details(archive, i64::from(id), shared.lang.get(), now) {
                Ok(details) => show_details(&adapter, details),
                Err(error) => {
                    adapter.set_heading(super::session::shown(&error, shared.lang.get()).into());
                    adapter.set_fields(ModelRc::default());
                    adapter.set_path(ModelRc::default());
                    adapter.set_history(ModelRc::default());
                }
            }
            let muted = certkeeper_storage::reminders::ReminderStore::open(&shared.location())
                .and_then(|store| store.ruled(now))
                .is_ok_and(|ruled| {
                    ruled
                        .iter()
                        .any(|item| item.id == i64::from(id) && item.muted)
                });
            adapter.set_selected_muted(muted);
            let hidden = archive
                .hidden_certificates()
                .is_ok_and(|hidden| hidden.iter().any(|item| item.id == i64::from(id)));
            adapter.set_selected_hidden(hidden);
            // Expiring soon or expired: "Renew" leads to the first step of a renewal.
            let due = adapter
                .get_rows()
                .iter()
                .any(|row| row.id == id && matches!(row.status, 1 | 2));
            adapter.set_selected_due(due);
            adapter.set_selected(id);
        }
    });
    adapter.on_renew({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id| {
            if let Some(window) = weak.upgrade() {
                super::requests::start(&window, &shared, i64::from(id));
            }
        }
    });
    adapter.on_save_certificate({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id| {
            let Some(window) = weak.upgrade() else { return };
            let save: super::browser::Chosen = Rc::new({
                let shared = shared.clone();
                move |window: &AppWindow, chosen: Vec<std::path::PathBuf>| {
                    let Some(folder) = chosen.into_iter().next() else {
                        return;
                    };
                    let lang = shared.lang.get();
                    let archive = shared.archive.borrow();
                    let Some(archive) = archive.as_ref() else {
                        return;
                    };
                    let heading = window.global::<CertificatesAdapter>().get_heading();
                    let out = file_for(&folder, &heading, "cer");
                    let written = archive
                        .certificate_der(&id.to_string())
                        .map_err(anyhow::Error::from)
                        .and_then(|found| {
                            let (_, der) = found.ok_or_else(|| {
                                anyhow::Error::from(crate::messages::AppError::NoSuchCertificate {
                                    query: id.to_string(),
                                })
                            })?;
                            crate::commands::export::write_file(&out, &der, false)
                        });
                    match written {
                        Ok(()) => said(
                            window,
                            &crate::messages::archive::done(
                                crate::messages::archive::Done::Written(&out),
                                lang,
                            ),
                            true,
                        ),
                        Err(error) => said(window, &super::session::shown(&error, lang), false),
                    }
                }
            });
            super::browser::open(&window, &shared, "folder", save);
        }
    });
    adapter.on_export_with_key({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id| {
            let Some(window) = weak.upgrade() else { return };
            let export: super::browser::Chosen = Rc::new({
                let shared = shared.clone();
                move |window: &AppWindow, chosen: Vec<std::path::PathBuf>| {
                    let Some(folder) = chosen.into_iter().next() else {
                        return;
                    };
                    let lang = shared.lang.get();
                    let Some(Ok(mut archive)) = shared
                        .archive
                        .borrow()
                        .as_ref()
                        .map(certkeeper_storage::Archive::another)
                    else {
                        return;
                    };
                    let heading = window.global::<CertificatesAdapter>().get_heading();
                    let out = file_for(&folder, &heading, "pfx");
                    let prompt = super::prompt::WindowPrompt {
                        window: window.as_weak(),
                        lang,
                    };
                    let weak = window.as_weak();
                    // The key may need its container's password and the file a new one: asked
                    // in the window's dialog from a worker thread.
                    super::session::off_the_window(
                        move || {
                            crate::commands::export::export_to(
                                &mut archive,
                                &id.to_string(),
                                crate::commands::export::ExportFormat::Pfx,
                                &out,
                                &prompt,
                            )
                            .map(|_| out)
                        },
                        move |written| {
                            let Some(window) = weak.upgrade() else { return };
                            match written {
                                Ok(out) => said(
                                    &window,
                                    &crate::messages::archive::done(
                                        crate::messages::archive::Done::Written(&out),
                                        lang,
                                    ),
                                    true,
                                ),
                                Err(error) => {
                                    said(&window, &super::session::shown(&error, lang), false)
                                }
                            }
                        },
                    );
                }
            });
            super::browser::open(&window, &shared, "folder", export);
        }
    });
    adapter.on_copy_to_medium({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id| {
            let Some(window) = weak.upgrade() else { return };
            let thumbprint = shared
                .archive
                .borrow()
                .as_ref()
                .and_then(|archive| archive.certificate_der(&id.to_string()).ok().flatten())
                .and_then(|(_, der)| certkeeper_core::cert::Certificate::from_der(&der).ok())
                .map(|certificate| certificate.sha1_thumbprint);
            let Some(thumbprint) = thumbprint else { return };
            // The Key media page, the archive chosen with this certificate in it: the person
            // picks where to.
            window.global::<AppState>().set_page("media".into());
            window
                .global::<AppState>()
                .invoke_page_shown("media".into());
            let media = window.global::<super::MediaAdapter>();
            media.invoke_select("archive".into());
            media.invoke_choose_item(thumbprint.into());
        }
    });
    adapter.on_snooze({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id| {
            let Some(window) = weak.upgrade() else { return };
            let lang = shared.lang.get();
            let now = certkeeper_core::expiry::Clock::now(&certkeeper_core::expiry::SystemClock);
            let until = now + 7 * 86_400;
            let done = certkeeper_storage::reminders::ReminderStore::open(&shared.location())
                .and_then(|mut store| store.snooze(&id.to_string(), Some(until)));
            match done {
                Ok(_) => said(
                    &window,
                    &crate::messages::reminders::snoozed_until(until, lang),
                    true,
                ),
                Err(error) => said(&window, &super::session::shown(&error.into(), lang), false),
            }
            window.global::<CertificatesAdapter>().invoke_select(id);
        }
    });
    adapter.on_mute({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id, muted| {
            let Some(window) = weak.upgrade() else { return };
            let lang = shared.lang.get();
            let done = certkeeper_storage::reminders::ReminderStore::open(&shared.location())
                .and_then(|mut store| store.mute(&id.to_string(), muted));
            match done {
                Ok(_) => said(
                    &window,
                    crate::messages::reminders::mute_done(muted, lang),
                    true,
                ),
                Err(error) => said(&window, &super::session::shown(&error.into(), lang), false),
            }
            window.global::<CertificatesAdapter>().invoke_select(id);
        }
    });
    adapter.on_hide({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id, hidden| {
            let Some(window) = weak.upgrade() else { return };
            let lang = shared.lang.get();
            let done = shared
                .archive
                .borrow_mut()
                .as_mut()
                .map(|archive| archive.hide_certificate(&id.to_string(), hidden));
            match done {
                Some(Ok(_)) => {
                    let name = window.global::<CertificatesAdapter>().get_heading();
                    said(
                        &window,
                        &crate::messages::archive::hidden_done(&name, hidden, lang),
                        true,
                    )
                }
                Some(Err(error)) => {
                    said(&window, &super::session::shown(&error.into(), lang), false)
                }
                None => return,
            }
            // The list without it (or with it again); the card stays open to undo.
            load(&window, &shared);
            window.global::<CertificatesAdapter>().invoke_select(id);
        }
    });
    adapter.on_step({
        let weak = window.as_weak();
        move |step| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<CertificatesAdapter>();
            let shown: Vec<i32> = adapter.get_rows().iter().map(|row| row.id).collect();
            if let Some((index, id)) = neighbour(&shown, adapter.get_selected(), step) {
                adapter.invoke_select(id);
                adapter.set_selected_index(i32::try_from(index).unwrap_or(-1));
            }
        }
    });
    adapter.on_close_details({
        let weak = window.as_weak();
        move || {
            if let Some(window) = weak.upgrade() {
                window.global::<CertificatesAdapter>().set_selected(0);
            }
        }
    });
    adapter.on_search({
        let shared = shared.clone();
        move |text| {
            let began = std::time::Instant::now();
            search(&shared, &text);
            tracing::info!(
                elapsed_ms = began.elapsed().as_secs_f64() * 1000.0,
                "search filtered"
            );
            shared.measure_next_frame("frame after a keystroke", began);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn listed(id: i64, owner: &str, not_after_days: i64) -> Listed {
        Listed {
            id,
            sha1: format!("{id:040}"),
            subject_name: format!("holder {id}"),
            issuer: "CN=CA".into(),
            serial: "01".into(),
            not_before: 0,
            not_after: 1_000 * DAY + not_after_days * DAY,
            private_key_not_after: None,
            key_algorithm: "GOST R 34.10-2012 256".into(),
            inn: None,
            innle: None,
            ogrn: None,
            ogrnip: None,
            snils: None,
            superseded_by: None,
            has_private_key: true,
            owner: owner.into(),
            name_text: String::new(),
        }
    }

    #[test]
    fn up_and_down_move_through_the_rows_shown() {
        assert_eq!(neighbour(&[], 0, 1), None);
        assert_eq!(neighbour(&[4, 7, 9], 0, 1), Some((0, 4)));
        assert_eq!(neighbour(&[4, 7, 9], 0, -1), Some((2, 9)));
        assert_eq!(neighbour(&[4, 7, 9], 7, 1), Some((2, 9)));
        assert_eq!(
            neighbour(&[4, 7, 9], 9, 1),
            Some((2, 9)),
            "stays at the end"
        );
        assert_eq!(
            neighbour(&[4, 7, 9], 4, -1),
            Some((0, 4)),
            "stays at the start"
        );
        assert_eq!(
            neighbour(&[4, 7, 9], 5, 1),
            Some((0, 4)),
            "filtered out: from the top"
        );
    }

    #[test]
    fn issuers_are_shown_by_their_common_name() {
        assert_eq!(
            short_name("E=a@b.ru, C=RU, O=CRYPTO-PRO LLC, CN=CRYPTO-PRO Test Center 2"),
            "CRYPTO-PRO Test Center 2"
        );
        assert_eq!(short_name("C=RU, O=ООО Ромашка"), "ООО Ромашка");
        assert_eq!(short_name("X=1"), "X=1");
    }

    #[test]
    fn a_search_matches_every_word_anywhere_in_the_archives_search_fields() {
        let mut item = listed(1, "a", 100);
        item.subject_name = "Бухгалтер Иванова".into();
        // As the archive keeps it for its name search: the subject's values, the issuer's name.
        item.name_text = "бухгалтер иванова\nудостоверяющий центр".into();
        item.inn = Some("007710474375".into());
        item.sha1 = "AB12CD".into();
        let row = rows(&[item], 1_000 * DAY, Lang::En).remove(0);
        assert!(matches(&row, ""));
        assert!(matches(&row, "бухг"));
        assert!(matches(&row, "иванова бух"));
        assert!(matches(&row, "7710474"));
        assert!(matches(&row, "ab:12:cd"));
        assert!(!matches(&row, "петров"));
        // Attribute labels are not searched, in the window as in the archive.
        assert!(!matches(&row, "cn="));
    }

    #[test]
    fn badges() {
        let now = 1_000 * DAY;
        assert_eq!(badge(&listed(1, "a", 100), now), (0, 0));
        assert_eq!(badge(&listed(1, "a", 10), now), (1, 10));
        assert_eq!(badge(&listed(1, "a", -1), now), (2, 0));
        let mut key_ended = listed(1, "a", 100);
        key_ended.private_key_not_after = Some(now - DAY);
        assert_eq!(badge(&key_ended, now), (3, 0));
        let mut key_soon = listed(1, "a", 100);
        key_soon.private_key_not_after = Some(now + 5 * DAY);
        assert_eq!(badge(&key_soon, now), (1, 5));
        let mut renewed = listed(1, "a", -300);
        renewed.superseded_by = Some(2);
        assert_eq!(badge(&renewed, now), (4, 0));
        let mut ahead = listed(1, "a", 400);
        ahead.not_before = now + DAY;
        assert_eq!(badge(&ahead, now), (5, 0));
    }

    #[test]
    fn an_owners_certificates_sit_together_under_one_heading() {
        let now = 1_000 * DAY;
        let rows = rows(
            &[
                listed(1, "snils:1", 300),
                listed(2, "snils:2", 200),
                listed(3, "snils:1", -100),
                listed(4, "snils:3", 50),
            ],
            now,
            Lang::En,
        );
        let order: Vec<i32> = rows.iter().map(|row| row.id).collect();
        assert_eq!(order, [1, 3, 2, 4]);
        assert_eq!(rows[0].group, "holder 1");
        assert_eq!(rows[1].group, "");
        assert_eq!(rows[2].group, "", "a single certificate needs no heading");
        assert_eq!(rows[1].status, 2);
    }
}

#[cfg(test)]
mod card {
    use certkeeper_core::secret::SecretString;
    use certkeeper_storage::{Archive, ArchiveLocation};

    use crate::messages::Lang;

    /// A person's qualified certificate in the card, in Russian: the identifiers by their Russian
    /// names, dates as 24.12.2020, the protection class КС1, what the key is for in words, the
    /// signing tool and SHA-256.
    #[test]
    fn a_qualified_certificate_reads_as_a_card_in_russian() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        let mut archive = Archive::create(
            &location,
            &SecretString::from("зелёный чайник".to_owned()),
            super::super::tests::FAST,
        )
        .expect("create");
        // A PEM file, read as an import reads it.
        let path = super::super::tests::vectors("realworld/certs/cryptoarm/qual_cert2012.cer");
        let bytes = std::fs::read(&path).expect("read");
        let certificate = certkeeper_core::formats::detect::read_bytes(&path, &bytes)
            .into_iter()
            .find_map(|found| match found {
                certkeeper_core::formats::detect::Found::Certificate { certificate, .. } => {
                    Some(*certificate)
                }
                _ => None,
            })
            .expect("a certificate");
        archive
            .import_certificates(std::slice::from_ref(&certificate), "test")
            .expect("import");
        let id = archive.list_certificates(None, None).expect("list")[0].id;
        let details = super::details(&archive, id, Lang::Ru, certificate.not_after + 86_400)
            .expect("details");
        let field = |label: &str| {
            details
                .fields
                .iter()
                .find(|(name, _)| name == label)
                .map(|(_, value)| value.clone())
                .unwrap_or_else(|| panic!("no {label} in {details:?}"))
        };
        assert_eq!(field("ИНН"), "121519331820");
        assert_eq!(field("СНИЛС"), "02504715314");
        assert!(
            field("Действует").contains(".12.2020 (истёк)"),
            "{details:?}"
        );
        assert_eq!(field("Класс защиты"), "КС1");
        assert!(
            field("Назначение").contains("проверка подлинности клиента"),
            "{details:?}"
        );
        assert!(
            field("Ключ").starts_with("ГОСТ Р 34.10-2012"),
            "{details:?}"
        );
        assert!(!field("Средство подписи").is_empty());
        assert_eq!(field("SHA-256").replace(' ', "").len(), 64);
        assert!(details.heading.contains("Шалагина"), "{details:?}");
    }
}

#[cfg(test)]
mod saving {
    /// What the card saves gets the owner's name, made safe for any file system, and never takes
    /// the place of a file that is there.
    #[test]
    fn a_saved_file_is_named_after_its_owner_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = super::file_for(dir.path(), "ООО \"Ромашка\" / отдел", "cer");
        assert_eq!(
            first.file_name().and_then(|name| name.to_str()),
            Some("ООО _Ромашка_ _ отдел.cer")
        );
        std::fs::write(&first, b"taken").expect("write");
        let second = super::file_for(dir.path(), "ООО \"Ромашка\" / отдел", "cer");
        assert_eq!(
            second.file_name().and_then(|name| name.to_str()),
            Some("ООО _Ромашка_ _ отдел (2).cer")
        );
        assert_eq!(
            super::file_for(dir.path(), "..", "pfx")
                .file_name()
                .and_then(|name| name.to_str()),
            Some("certificate.pfx")
        );
    }
}
