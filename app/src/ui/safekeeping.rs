//! The Settings page's archive section: a backup into a folder chosen in the window, a restore
//! from a backup (the window lets go of the archive first, then asks for the passphrase again),
//! a passphrase change (the current one asked again, the new one twice and above the strength
//! floor) and locking the window. The same storage calls as `backup`, `restore` and `passwd`.

use std::path::PathBuf;
use std::rc::Rc;

use certkeeper_core::interact::{Prompt, Request};
use certkeeper_storage::Archive;
use slint::ComponentHandle;

use super::session::{off_the_window, shown};
use super::{AppState, AppWindow, SettingsAdapter, Shared};
use crate::messages::archive::{Done, done};
use crate::messages::{AppError, Lang};

/// Says `text` on the Settings page, in green when `good`.
fn said(window: &AppWindow, text: &str, good: bool) {
    let adapter = window.global::<SettingsAdapter>();
    adapter.set_busy(false);
    adapter.set_status(text.into());
    adapter.set_status_good(good);
}

/// The window lets go of the archive and asks for its passphrase again; the unlock agent forgets
/// it too (the commands ask again as well).
pub(crate) fn lock(window: &AppWindow, shared: &Shared) {
    if let Err(error) = crate::agent::lock() {
        tracing::warn!(%error, "the unlock agent did not answer");
    }
    shared.archive.replace(None);
    shared.listing.replace(None);
    let certificates = window.global::<super::CertificatesAdapter>();
    certificates.set_selected(0);
    certificates.set_rows(slint::ModelRc::default());
    certificates.set_total(0);
    window.global::<super::UnlockAdapter>().set_error("".into());
    window.global::<AppState>().set_page("unlock".into());
}

/// A backup's file name in `folder`: certkeeper-backup-YYYY-MM-DD.db, numbered when taken.
fn backup_name(folder: &std::path::Path, today: &str) -> PathBuf {
    let mut path = folder.join(format!("certkeeper-backup-{today}.db"));
    let mut number = 2;
    while certkeeper_core::files::taken(&path) {
        path = folder.join(format!("certkeeper-backup-{today} ({number}).db"));
        number += 1;
    }
    path
}

/// Changes the archive's passphrase: the current one asked again and checked, the new one asked
/// twice and refused below the strength floor; the key derivation's cost never goes down.
pub(crate) fn change_passphrase(
    location: &certkeeper_storage::ArchiveLocation,
    prompt: &dyn Prompt,
) -> anyhow::Result<()> {
    use certkeeper_core::secret::ExposeSecret;
    let current =
        prompt
            .secret(&Request::ArchivePassphrase)
            .map_err(|_| AppError::SecretNotGiven {
                what: crate::messages::Asked::Passphrase,
            })?;
    let mut archive = Archive::open(location, &current)?;
    let new = crate::prompt::new_passphrase(prompt)?;
    certkeeper_core::passphrase::check(new.expose_secret()).map_err(|why| {
        AppError::WeakPassphrase {
            why,
            can_override: false,
        }
    })?;
    // The cost never goes down: an archive made with a higher cost keeps it.
    let params = archive.kdf_params()?.raised_to_default();
    archive.change_passphrase(&new, params)?;
    Ok(())
}

pub(super) fn wire(window: &AppWindow, shared: &Rc<Shared>) {
    let adapter = window.global::<SettingsAdapter>();
    adapter.on_lock({
        let weak = window.as_weak();
        let shared = shared.clone();
        move || {
            if let Some(window) = weak.upgrade() {
                lock(&window, &shared);
            }
        }
    });
    adapter.on_backup({
        let weak = window.as_weak();
        let shared = shared.clone();
        move || {
            let Some(window) = weak.upgrade() else { return };
            let write: super::browser::Chosen = Rc::new({
                let shared = shared.clone();
                move |window: &AppWindow, chosen: Vec<PathBuf>| {
                    let Some(folder) = chosen.into_iter().next() else {
                        return;
                    };
                    let lang = shared.lang.get();
                    let Some(Ok(archive)) = shared.archive.borrow().as_ref().map(Archive::another)
                    else {
                        return;
                    };
                    let now =
                        certkeeper_core::expiry::Clock::now(&certkeeper_core::expiry::SystemClock);
                    let to = backup_name(&folder, &certkeeper_core::cert::format_date(now));
                    window.global::<SettingsAdapter>().set_busy(true);
                    let weak = window.as_weak();
                    off_the_window(
                        move || archive.backup(&to).map(|()| to),
                        move |written| {
                            let Some(window) = weak.upgrade() else { return };
                            match written {
                                Ok(to) => said(&window, &done(Done::BackedUp(&to), lang), true),
                                Err(error) => said(&window, &shown(&error.into(), lang), false),
                            }
                        },
                    );
                }
            });
            super::browser::open(&window, &shared, "folder", write);
        }
    });
    adapter.on_change_passphrase({
        let weak = window.as_weak();
        let shared = shared.clone();
        move || {
            let Some(window) = weak.upgrade() else { return };
            let lang = shared.lang.get();
            let location = shared.location();
            let prompt = super::prompt::WindowPrompt {
                window: window.as_weak(),
                lang,
            };
            window.global::<SettingsAdapter>().set_busy(true);
            window.global::<SettingsAdapter>().set_status("".into());
            let weak = window.as_weak();
            let path = location.path().display().to_string();
            off_the_window(
                move || change_passphrase(&location, &prompt),
                move |changed| {
                    let Some(window) = weak.upgrade() else { return };
                    match changed {
                        Ok(()) => said(&window, &done(Done::PassphraseChanged(&path), lang), true),
                        Err(error) => said(&window, &shown(&error, lang), false),
                    }
                },
            );
        }
    });
    adapter.on_restore({
        let weak = window.as_weak();
        let shared = shared.clone();
        move || {
            let Some(window) = weak.upgrade() else { return };
            let restore: super::browser::Chosen = Rc::new({
                let shared = shared.clone();
                move |window: &AppWindow, chosen: Vec<PathBuf>| {
                    let Some(from) = chosen.into_iter().next() else {
                        return;
                    };
                    let lang = shared.lang.get();
                    let location = shared.location();
                    // Nobody may hold the archive while it is replaced: the window lets go of
                    // it, and opens the restored one with its passphrase afterwards.
                    lock(window, &shared);
                    let prompt = super::prompt::WindowPrompt {
                        window: window.as_weak(),
                        lang,
                    };
                    let weak = window.as_weak();
                    off_the_window(
                        move || restored(&location, &from, &prompt, lang),
                        move |result| {
                            let Some(window) = weak.upgrade() else { return };
                            let text = match result {
                                Ok(text) => text,
                                Err(error) => shown(&error, lang),
                            };
                            window
                                .global::<super::UnlockAdapter>()
                                .set_error(text.into());
                        },
                    );
                }
            });
            super::browser::open(&window, &shared, "file", restore);
        }
    });
}

/// Restores the backup `from` over the archive at `location`, with the backup's passphrase asked
/// in the window: what was done, in words.
fn restored(
    location: &certkeeper_storage::ArchiveLocation,
    from: &std::path::Path,
    prompt: &dyn Prompt,
    lang: Lang,
) -> anyhow::Result<String> {
    let passphrase =
        prompt
            .secret(&Request::ArchivePassphrase)
            .map_err(|_| AppError::SecretNotGiven {
                what: crate::messages::Asked::Passphrase,
            })?;
    let restored = certkeeper_storage::maintenance::restore(location, from, &passphrase)?;
    let mut text = done(Done::Restored(restored.certificates), lang);
    if let Some(kept) = &restored.previous_kept_at {
        text.push(' ');
        text.push_str(&done(Done::ReplacedKeptAt(kept), lang));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use certkeeper_core::interact::Declined;
    use certkeeper_core::secret::SecretString;
    use certkeeper_storage::ArchiveLocation;

    /// Answers in turn, as a person typing in the dialog would.
    struct Typed(std::cell::RefCell<Vec<&'static str>>);

    impl Prompt for Typed {
        fn secret(&self, _request: &Request<'_>) -> Result<SecretString, Declined> {
            let mut answers = self.0.borrow_mut();
            if answers.is_empty() {
                return Err(Declined::Cancelled);
            }
            Ok(SecretString::from(answers.remove(0).to_owned()))
        }
    }

    /// The passphrase changes only with the current one right and a strong new one; the window's
    /// own connection goes on working; backups get a dated name that never overwrites.
    #[test]
    fn the_passphrase_changes_from_the_window_with_the_current_one_and_a_strong_new_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        let first = "зелёный чайник летит";
        let window_archive = Archive::create(
            &location,
            &SecretString::from(first.to_owned()),
            super::super::tests::FAST,
        )
        .expect("create");
        let typed = |answers: Vec<&'static str>| Typed(std::cell::RefCell::new(answers));
        // A wrong current passphrase: nothing changes.
        let error = change_passphrase(&location, &typed(vec!["не тот пароль"])).expect_err("wrong");
        assert!(
            crate::messages::describe(&error, Lang::En)
                .problem
                .contains("passphrase is wrong"),
            "{error:#}"
        );
        // A weak new one: refused, saying why.
        let error =
            change_passphrase(&location, &typed(vec![first, "abc", "abc"])).expect_err("weak");
        assert!(
            crate::messages::describe(&error, Lang::Ru)
                .problem
                .contains("слишком слаб"),
            "{error:#}"
        );
        assert!(Archive::open(&location, &SecretString::from(first.to_owned())).is_ok());
        // A strong one: the archive opens with it, not with the old one.
        let new = "синий кит плывёт на север";
        change_passphrase(&location, &typed(vec![first, new, new])).expect("changed");
        assert!(Archive::open(&location, &SecretString::from(new.to_owned())).is_ok());
        assert!(Archive::open(&location, &SecretString::from(first.to_owned())).is_err());
        assert!(window_archive.list_certificates(None, None).is_ok());
        // Backups: dated, and numbered when the name is taken.
        let folder = dir.path();
        let name = backup_name(folder, "2026-12-04");
        assert!(name.ends_with("certkeeper-backup-2026-12-04.db"));
        window_archive.backup(&name).expect("backup");
        assert!(backup_name(folder, "2026-12-04").ends_with("certkeeper-backup-2026-12-04 (2).db"));
        // A restore while the window holds the archive is refused; once it lets go, the backup
        // (with the passphrase of its day) comes back and the replaced archive is kept.
        assert!(restored(&location, &name, &typed(vec![new]), Lang::En).is_err());
        drop(window_archive);
        let text = restored(&location, &name, &typed(vec![new]), Lang::En).expect("restored");
        assert!(text.starts_with("Restored"), "{text}");
        assert!(Archive::open(&location, &SecretString::from(new.to_owned())).is_ok());
    }
}
