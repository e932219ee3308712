//! First start and every start after: creating the archive (passphrase twice, its strength shown)
//! and unlocking it. The key derivation takes about half a second, so it runs on a worker thread
//! and the window stays responsive.

use std::rc::Rc;

use anyhow::Result;
use certkeeper_core::enroll::State;
use certkeeper_core::secret::SecretString;
use certkeeper_storage::{Archive, ArchiveLocation, KdfParams};
use slint::ComponentHandle;
use zeroize::Zeroizing;

use super::{AppState, AppWindow, SetupAdapter, Shared, UnlockAdapter};
use crate::messages::{self, AppError, Lang};

/// Creates the archive at `location` with the passphrase typed twice.
pub(crate) fn create(location: &ArchiveLocation, first: &str, second: &str) -> Result<Archive> {
    if first.is_empty() {
        return Err(AppError::WindowPassphraseEmpty.into());
    }
    if first != second {
        return Err(AppError::WindowPassphrasesDiffer.into());
    }
    // The window has no override: a script that accepts a weak passphrase uses `init`.
    certkeeper_core::passphrase::check(first).map_err(|why| AppError::WeakPassphrase {
        why,
        can_override: false,
    })?;
    if location.exists() {
        return Err(certkeeper_storage::Error::AlreadyExists {
            path: location.path().to_path_buf(),
        }
        .into());
    }
    Ok(Archive::create(
        location,
        &SecretString::from(first.to_owned()),
        KdfParams::default(),
    )?)
}

/// Opens the archive at `location` with `passphrase`.
pub(crate) fn unlock(location: &ArchiveLocation, passphrase: &str) -> Result<Archive> {
    if passphrase.is_empty() {
        return Err(AppError::WindowPassphraseEmpty.into());
    }
    Ok(Archive::open(
        location,
        &SecretString::from(passphrase.to_owned()),
    )?)
}

/// Checks that `path` is a certkeeper archive (its public part opens; no passphrase yet) and
/// remembers it in the settings file (`settings`) as the archive to open from now on.
pub(crate) fn open_existing(
    path: &std::path::Path,
    settings: Option<&std::path::Path>,
) -> Result<ArchiveLocation> {
    let location = ArchiveLocation::explicit(path);
    if !location.exists() {
        return Err(certkeeper_storage::Error::NotFound {
            path: path.to_path_buf(),
        }
        .into());
    }
    certkeeper_storage::catalog::Catalog::open(&location)?.check()?;
    if let Some(settings_path) = settings {
        let mut chosen = crate::settings::Settings::load_from(settings_path)?;
        chosen.archive = Some(path.to_path_buf());
        chosen.save_to(settings_path)?;
    }
    Ok(location)
}

/// An error as the window shows it: what went wrong, then what to do.
pub(crate) fn shown(error: &anyhow::Error, lang: Lang) -> String {
    let text = messages::describe(error, lang);
    // Errors name files and what they hold: escaped as everything from a file is.
    certkeeper_core::text::printable_lines(&format!("{} {}", text.problem, text.next_step))
        .into_owned()
}

/// Runs `work` on a worker thread and `done` with its result back on the window's thread.
pub(crate) fn off_the_window<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    done: impl FnOnce(T) + 'static,
) {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = sender.send(work());
    });
    let spawned = slint::spawn_local(async move {
        if let Ok(result) = receiver.await {
            done(result);
        }
    });
    if let Err(error) = spawned {
        tracing::error!(%error, "the window's event loop is not running");
    }
}

/// The archive is open: keep it and show the certificates.
pub(super) fn opened(window: &AppWindow, shared: &Rc<Shared>, archive: Archive) {
    shared.measure_next_frame("first frame after unlock", std::time::Instant::now());
    shared.archive.replace(Some(archive));
    super::certificates::load(window, shared);
    window.global::<AppState>().set_page("certificates".into());
    // Asked for a certificate: its details open at once; a reminder's "Renew": the first step of
    // its renewal; a certificate issued: the requests page.
    let find = |wanted: &str| {
        shared
            .archive
            .borrow()
            .as_ref()
            .and_then(|archive| archive.certificate_der(wanted).ok().flatten())
            .map(|(id, _)| id)
    };
    match &shared.open_at {
        Some(super::OpenAt::Certificate(wanted)) => {
            if let Some(id) = find(wanted).and_then(|id| i32::try_from(id).ok()) {
                window
                    .global::<super::CertificatesAdapter>()
                    .invoke_select(id);
            }
        }
        Some(super::OpenAt::Renew(wanted)) => {
            if let Some(id) = find(wanted) {
                super::requests::start(window, shared, id);
            }
        }
        Some(super::OpenAt::Requests) => {
            window.global::<AppState>().set_page("requests".into());
            super::requests::refresh(window, shared);
        }
        None => {
            // A certificate issued while the window was closed is shown first.
            let issued = shared
                .archive
                .borrow()
                .as_ref()
                .and_then(|archive| archive.requests().ok())
                .is_some_and(|jobs| jobs.iter().any(|job| job.state == State::Issued));
            if issued {
                window.global::<AppState>().set_page("requests".into());
                super::requests::refresh(window, shared);
            }
        }
    }
    // Jobs at the CA are followed while the window is open.
    super::requests::follow_open_jobs(window, shared);
}

pub(super) fn wire(window: &AppWindow, shared: &Rc<Shared>) {
    let path: slint::SharedString = shared.location().path().display().to_string().into();
    let setup = window.global::<SetupAdapter>();
    setup.set_archive_path(path.clone());
    setup.on_passphrase_edited({
        let weak = window.as_weak();
        move |text| {
            if let Some(window) = weak.upgrade() {
                window
                    .global::<SetupAdapter>()
                    .set_strength(i32::from(certkeeper_core::passphrase::strength(&text)));
            }
        }
    });
    setup.on_create({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |first, second| {
            let Some(window) = weak.upgrade() else {
                return;
            };
            let adapter = window.global::<SetupAdapter>();
            adapter.set_busy(true);
            adapter.set_error("".into());
            let (first, second) = (
                Zeroizing::new(first.to_string()),
                Zeroizing::new(second.to_string()),
            );
            let location = shared.location();
            let weak = weak.clone();
            let shared = shared.clone();
            off_the_window(
                move || create(&location, &first, &second),
                move |result| {
                    let Some(window) = weak.upgrade() else {
                        return;
                    };
                    let adapter = window.global::<SetupAdapter>();
                    adapter.set_busy(false);
                    match result {
                        Ok(archive) => opened(&window, &shared, archive),
                        Err(error) => adapter.set_error(shown(&error, shared.lang.get()).into()),
                    }
                },
            );
        }
    });
    setup.on_open_existing({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |typed| {
            let Some(window) = weak.upgrade() else {
                return;
            };
            let adapter = window.global::<SetupAdapter>();
            let settings = crate::settings::path();
            match open_existing(std::path::Path::new(typed.trim()), settings.as_deref()) {
                Ok(location) => {
                    adapter.set_open_error("".into());
                    window
                        .global::<UnlockAdapter>()
                        .set_archive_path(location.path().display().to_string().into());
                    shared.move_to(location);
                    window.global::<AppState>().set_page("unlock".into());
                }
                Err(error) => adapter.set_open_error(shown(&error, shared.lang.get()).into()),
            }
        }
    });
    let unlock_adapter = window.global::<UnlockAdapter>();
    unlock_adapter.set_archive_path(path);
    unlock_adapter.on_unlock({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |passphrase| {
            let Some(window) = weak.upgrade() else {
                return;
            };
            let adapter = window.global::<UnlockAdapter>();
            adapter.set_busy(true);
            adapter.set_error("".into());
            let passphrase = Zeroizing::new(passphrase.to_string());
            let location = shared.location();
            let weak = weak.clone();
            let shared = shared.clone();
            off_the_window(
                move || unlock(&location, &passphrase),
                move |result| {
                    let Some(window) = weak.upgrade() else {
                        return;
                    };
                    let adapter = window.global::<UnlockAdapter>();
                    adapter.set_busy(false);
                    match result {
                        Ok(archive) => opened(&window, &shared, archive),
                        Err(error) => adapter.set_error(shown(&error, shared.lang.get()).into()),
                    }
                },
            );
        }
    });
}

#[cfg(test)]
mod flow {
    use super::*;

    /// The window's flow without the window: create the archive, a wrong and a right unlock, and
    /// the certificate list with a search — the real archive underneath.
    #[test]
    fn create_unlock_and_search_through_the_controllers() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("new").join("archive.db"));
        let error = create(&location, "один", "два")
            .map(|_| ())
            .expect_err("differ");
        assert_eq!(
            shown(&error, Lang::Ru),
            "Введённые пароли не совпадают; архив не создан. Введите один и тот же пароль в оба поля."
        );
        assert!(create(&location, "", "").is_err());
        // A weak passphrase is refused, saying why and how to make a strong one.
        let error = create(&location, "abc12", "abc12")
            .map(|_| ())
            .expect_err("weak");
        let text = shown(&error, Lang::Ru);
        assert!(
            text.starts_with("Этот пароль слишком слаб для архива: в нём всего 5 символов.")
                && text.contains("четыре или больше не связанных слов")
                && !text.contains("--allow-weak-passphrase"),
            "{text}"
        );
        assert!(!location.exists());
        let mut archive = create(&location, "зелёный чайник", "зелёный чайник").expect("create");
        // A real certificate from the test vectors beside the project (never committed).
        let vectors = super::super::tests::vectors("cryptopro/svkreml-00000000.cert.crt");
        let bytes = std::fs::read(&vectors).expect("the test vectors");
        let certificate = certkeeper_core::cert::Certificate::from_der(&bytes).expect("DER");
        archive
            .import_certificates(std::slice::from_ref(&certificate), "test")
            .expect("import");
        drop(archive);
        assert!(
            create(&location, "x", "x").is_err(),
            "never over an archive"
        );
        // "Open an existing archive": a file that is not one is refused; the archive is
        // remembered in the settings.
        let settings = dir.path().join("settings.json");
        let not_one = dir.path().join("notes.txt");
        std::fs::write(&not_one, "not an archive").expect("write");
        assert!(open_existing(&not_one, Some(&settings)).is_err());
        assert!(!settings.exists(), "nothing remembered");
        assert!(open_existing(&dir.path().join("missing.db"), Some(&settings)).is_err());
        let opened = open_existing(location.path(), Some(&settings)).expect("an archive");
        assert_eq!(opened.path(), location.path());
        assert_eq!(
            crate::settings::Settings::load_from(&settings)
                .expect("settings")
                .archive
                .as_deref(),
            Some(location.path())
        );
        let wrong = unlock(&location, "не тот").map(|_| ()).expect_err("wrong");
        assert!(
            shown(&wrong, Lang::En).contains("passphrase"),
            "{}",
            shown(&wrong, Lang::En)
        );
        let archive = unlock(&location, "зелёный чайник").expect("unlock");
        let now = certkeeper_core::expiry::Clock::now(&certkeeper_core::expiry::SystemClock);
        let all = archive.list_certificates(None, None).expect("list");
        let rows = super::super::certificates::rows(&all, now, Lang::En);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].subject, certificate.subject.display_name());
        let found = archive
            .list_certificates(Some(&certificate.sha1_thumbprint), None)
            .expect("search");
        assert_eq!(found.len(), 1);
        // The details panel: every field, and the history of this certificate.
        let details = super::super::certificates::details(&archive, all[0].id, Lang::Ru, now)
            .expect("details");
        let field = |label: &str| {
            details
                .fields
                .iter()
                .find(|(name, _)| name == label)
                .map(|(_, value)| value.clone())
        };
        assert_eq!(
            field("Отпечаток SHA-1").map(|text| text.replace(' ', "")),
            Some(certificate.sha1_thumbprint.clone())
        );
        assert!(
            field("Действует").is_some_and(|valid| valid.contains('.') && !valid.contains('T')),
            "{details:?}"
        );
        assert!(field("SHA-256").is_some(), "{details:?}");
        // Its issuer is not in the archive: the path names it and stops.
        assert_eq!(details.path.len(), 2, "{details:?}");
        assert!(details.path[1].id.is_none());
        let history = &details.history;
        assert_eq!(history.len(), 1, "{history:?}");
        assert!(
            history[0].ends_with("сертификат добавлен в архив"),
            "{history:?}"
        );
        assert!(
            archive
                .list_certificates(Some("нет такого"), None)
                .expect("search")
                .is_empty()
        );
    }
}
