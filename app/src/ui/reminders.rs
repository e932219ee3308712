//! The reminders page (what stops working soon; snooze, mute) and the settings page (thresholds,
//! the reminder service, the language). Reminders live in the archive's public part, read and
//! changed without the passphrase, like the reminder service does.

use std::rc::Rc;

use anyhow::Result;
use certkeeper_core::expiry::{self, Clock};
use certkeeper_storage::ArchiveLocation;
use certkeeper_storage::reminders::ReminderStore;
use slint::{ComponentHandle, ModelRc, VecModel};

use super::{AppState, AppWindow, ReminderRow, RemindersAdapter, SettingsAdapter, Shared};
use crate::messages::reminders::{self as words, body, summary};

/// A day in seconds.
const DAY: i64 = 86_400;
use crate::messages::Lang;

/// Listed ahead, and behind (a certificate that just expired still matters).
const AHEAD_DAYS: u32 = 90;
const BEHIND_DAYS: u32 = 30;

/// What stops working within 90 days (and stopped within 30), nearest first, then the muted
/// certificates of that period.
pub(crate) fn rows(location: &ArchiveLocation, now: i64, lang: Lang) -> Result<Vec<ReminderRow>> {
    let store = ReminderStore::open(location)?;
    let items = store.items(
        now,
        now - i64::from(BEHIND_DAYS) * DAY,
        now + i64::from(AHEAD_DAYS) * DAY,
    )?;
    let mut rows: Vec<ReminderRow> = expiry::upcoming(&items, now, AHEAD_DAYS, BEHIND_DAYS)
        .iter()
        .map(|due| {
            let mut detail = body(due, lang);
            if let Some(until) = due.snoozed_until {
                detail = format!("{}. {detail}", words::snoozed_until(until, lang));
            }
            ReminderRow {
                id: i32::try_from(due.certificate_id).unwrap_or_default(),
                summary: summary(due, lang).into(),
                detail: detail.into(),
                days: i32::try_from(due.days_left).unwrap_or_default(),
                snoozed: due.snoozed_until.is_some(),
                muted: false,
            }
        })
        .collect();
    for item in items.iter().filter(|item| item.muted && !item.superseded) {
        rows.push(ReminderRow {
            id: i32::try_from(item.id).unwrap_or_default(),
            summary: words::muted(&item.subject, lang).into(),
            detail: crate::messages::media::valid_until(item.not_after, lang).into(),
            days: i32::try_from(expiry::days_left(item.not_after, now)).unwrap_or_default(),
            snoozed: false,
            muted: true,
        });
    }
    Ok(rows)
}

/// The time reminders are judged at (`CERTKEEPER_NOW`, else the clock).
pub(crate) fn now() -> i64 {
    crate::settings::clock()
        .map(|clock| clock.now())
        .unwrap_or_else(|_| expiry::SystemClock.now())
}

fn show(window: &AppWindow, shared: &Shared) {
    let adapter = window.global::<RemindersAdapter>();
    match rows(&shared.location(), now(), shared.lang.get()) {
        Ok(rows) => adapter.set_rows(ModelRc::new(VecModel::from(rows))),
        Err(error) => adapter.set_status(super::session::shown(&error, shared.lang.get()).into()),
    }
}

/// Changes one certificate's reminders and shows the list again.
fn change(
    window: &AppWindow,
    shared: &Shared,
    change: impl FnOnce(&mut ReminderStore, &str) -> Result<Option<i64>, certkeeper_storage::Error>,
    id: i32,
    done: &str,
) {
    let result = ReminderStore::open(&shared.location())
        .and_then(|mut store| change(&mut store, &id.to_string()));
    let adapter = window.global::<RemindersAdapter>();
    match result {
        Ok(_) => adapter.set_status(done.into()),
        Err(error) => {
            adapter.set_status(super::session::shown(&error.into(), shared.lang.get()).into())
        }
    }
    show(window, shared);
}

/// Fills the settings page.
fn show_settings(window: &AppWindow, shared: &Shared) {
    let lang = shared.lang.get();
    let adapter = window.global::<SettingsAdapter>();
    if let Ok(thresholds) =
        ReminderStore::open(&shared.location()).and_then(|store| store.thresholds())
    {
        adapter.set_thresholds(
            thresholds
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
                .into(),
        );
    }
    let installed = crate::service::installed();
    adapter.set_service(words::service_state(installed, lang).into());
    adapter.set_language(match lang {
        Lang::En => 0,
        Lang::Ru => 1,
    });
    adapter.set_archive(shared.location().path().display().to_string().into());
    adapter.set_modules(
        match crate::settings::module_paths(&[]) {
            Ok(modules) => crate::messages::media::drivers(&modules, lang),
            Err(error) => super::session::shown(&error.into(), lang),
        }
        .into(),
    );
}

/// Switches the window's language now and keeps the choice in the settings file.
pub(crate) fn choose_language(lang: Lang) -> Result<()> {
    let Some(path) = crate::settings::path() else {
        return Ok(());
    };
    let mut settings = crate::settings::Settings::load_from(&path)?;
    settings.language = Some(lang.code().to_owned());
    settings.save_to(&path)?;
    Ok(())
}

pub(super) fn wire(window: &AppWindow, shared: &Rc<Shared>) {
    let adapter = window.global::<RemindersAdapter>();
    adapter.on_snooze({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id, days| {
            let Some(window) = weak.upgrade() else { return };
            let until = now() + i64::from(days) * DAY;
            let lang = shared.lang.get();
            let done = words::snoozed_until(until, lang);
            change(
                &window,
                &shared,
                |store, id| store.snooze(id, Some(until)),
                id,
                &done,
            );
        }
    });
    adapter.on_unsnooze({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id| {
            let Some(window) = weak.upgrade() else { return };
            let done = words::unsnoozed(shared.lang.get());
            change(
                &window,
                &shared,
                |store, id| store.snooze(id, None),
                id,
                done,
            );
        }
    });
    adapter.on_mute({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |id, muted| {
            let Some(window) = weak.upgrade() else { return };
            let lang = shared.lang.get();
            let done = words::mute_done(muted, lang);
            change(
                &window,
                &shared,
                |store, id| store.mute(id, muted),
                id,
                done,
            );
        }
    });
    adapter.on_renew({
        let weak = window.as_weak();
        move |id| {
            let Some(window) = weak.upgrade() else { return };
            window.global::<AppState>().set_page("certificates".into());
            window
                .global::<super::CertificatesAdapter>()
                .invoke_select(id);
        }
    });
    let settings = window.global::<SettingsAdapter>();
    settings.on_save_thresholds({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |text| {
            let Some(window) = weak.upgrade() else { return };
            let lang = shared.lang.get();
            let adapter = window.global::<SettingsAdapter>();
            let saved = expiry::parse_thresholds(&text)
                .ok_or_else(|| {
                    anyhow::Error::from(crate::messages::AppError::BadThresholds {
                        given: text.to_string(),
                    })
                })
                .and_then(|thresholds| {
                    ReminderStore::open(&shared.location())?.set_thresholds(&thresholds)?;
                    Ok(thresholds)
                });
            match saved {
                Ok(_) => {
                    adapter.set_status(words::saved(lang).into());
                    adapter.set_status_good(true);
                    show_settings(&window, &shared);
                }
                Err(error) => {
                    adapter.set_status(super::session::shown(&error, lang).into());
                    adapter.set_status_good(false);
                }
            }
        }
    });
    settings.on_install_service({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |install| {
            let Some(window) = weak.upgrade() else { return };
            let lang = shared.lang.get();
            let adapter = window.global::<SettingsAdapter>();
            let archive = shared.location().path().to_path_buf();
            let done = if install {
                crate::service::install(Some(&archive)).map(|_| ())
            } else {
                crate::service::uninstall()
            };
            match done {
                Ok(()) => {
                    adapter.set_status("".into());
                    show_settings(&window, &shared);
                }
                Err(error) => {
                    adapter.set_status(super::session::shown(&error.into(), lang).into());
                    adapter.set_status_good(false);
                }
            }
        }
    });
    settings.on_choose_language({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |index| {
            let Some(window) = weak.upgrade() else { return };
            let lang = if index == 1 { Lang::Ru } else { Lang::En };
            shared.lang.set(lang);
            let _ = slint::select_bundled_translation(lang.code());
            let adapter = window.global::<SettingsAdapter>();
            if let Err(error) = choose_language(lang) {
                adapter.set_status(super::session::shown(&error, lang).into());
                adapter.set_status_good(false);
            }
            // Words made in Rust follow too.
            super::certificates::load(&window, &shared);
            show_settings(&window, &shared);
        }
    });
    window.global::<AppState>().on_page_shown({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |page| {
            let Some(window) = weak.upgrade() else { return };
            match page.as_str() {
                "media" => window.global::<super::MediaAdapter>().invoke_refresh(),
                "reminders" => {
                    window.global::<RemindersAdapter>().set_status("".into());
                    show(&window, &shared);
                }
                "settings" => {
                    window.global::<SettingsAdapter>().set_status("".into());
                    show_settings(&window, &shared);
                }
                "requests" => super::requests::refresh(&window, &shared),
                _ => {}
            }
        }
    });
}

#[cfg(test)]
mod flow {
    use super::*;
    use certkeeper_core::secret::SecretString;
    use certkeeper_storage::Archive;

    use super::super::tests::FAST;

    /// The reminders page on a real archive: the real vector certificates with the clock set just
    /// before the first expires; snooze, mute and unmute go through and show.
    #[test]
    fn reminders_list_nearest_first_and_snooze_and_mute_change_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        let mut archive =
            Archive::create(&location, &SecretString::from("x".to_owned()), FAST).expect("create");
        let vectors = super::super::tests::vectors("cryptopro");
        super::super::import::run(
            &mut archive,
            &[vectors],
            None,
            false,
            None,
            &crate::prompt::Nobody,
            &mut |_| true,
        )
        .expect("import");
        let all = archive.list_certificates(None, None).expect("list");
        let first = all.iter().map(|item| item.not_after).min().expect("some");
        drop(archive);
        // Ten days before the first one ends.
        let now = first - 10 * DAY;
        let listed = rows(&location, now, Lang::En).expect("rows");
        assert!(!listed.is_empty());
        assert!(
            listed.windows(2).all(|pair| pair[0].days <= pair[1].days),
            "nearest first"
        );
        assert_eq!(listed[0].days, 10);
        assert!(
            listed[0].summary.contains("in 10 days"),
            "{}",
            listed[0].summary
        );
        let id = listed[0].id.to_string();
        let mut store = ReminderStore::open(&location).expect("store");
        store.snooze(&id, Some(now + 7 * DAY)).expect("snooze");
        let snoozed = rows(&location, now, Lang::Ru).expect("rows");
        let row = snoozed
            .iter()
            .find(|row| row.id == listed[0].id)
            .expect("still listed");
        assert!(
            row.snoozed && row.detail.starts_with("Отложено до"),
            "{}",
            row.detail
        );
        store.mute(&id, true).expect("mute");
        let muted = rows(&location, now, Lang::En).expect("rows");
        let row = muted
            .iter()
            .find(|row| row.id == listed[0].id)
            .expect("listed as muted");
        assert!(
            row.muted && row.summary.ends_with("reminders muted"),
            "{}",
            row.summary
        );
        assert!(muted.last().is_some_and(|row| row.muted), "muted ones last");
        store.mute(&id, false).expect("unmute");
        assert!(
            !rows(&location, now, Lang::En)
                .expect("rows")
                .iter()
                .any(|row| row.muted)
        );
    }
}
