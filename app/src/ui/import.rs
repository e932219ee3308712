//! The import view: files and folders into the archive on a worker thread (its own connection to
//! the archive), with progress, a Stop that keeps what was read, and what became of each file.

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use certkeeper_core::secret::SecretString;
use certkeeper_storage::Archive;
use slint::{ComponentHandle, ModelRc, VecModel};

use super::{AppWindow, ImportAdapter, ImportResult, Shared};
use certkeeper_core::import::{ImportSummary, KeyStatus, Passwords, Progress, import_paths};

use crate::messages::Lang;
use crate::messages::import::{self as words, Face};

/// Imports `paths` into `archive`; `progress` hears after every file and stops the import by
/// answering false (everything read so far stays archived). With a `password` typed above the
/// list, it is the one tried on every container and nobody is asked; without, `prompt` (the
/// window's dialog) asks for each container's own, naming it and whose certificate it holds.
pub(crate) fn run(
    archive: &mut Archive,
    paths: &[PathBuf],
    password: Option<SecretString>,
    keep_passwords: bool,
    stop: Option<Arc<AtomicBool>>,
    prompt: &dyn certkeeper_core::interact::Prompt,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<ImportSummary> {
    let passwords = Passwords {
        given: password,
        keep: keep_passwords,
        prompt,
        stop,
    };
    Ok(import_paths(archive, paths, &passwords, progress).map_err(crate::messages::Failed)?)
}

/// The summary line and one row per container and unreadable file (certificates alone are
/// counted, not listed: a folder may hold thousands).
pub(crate) fn results(summary: &ImportSummary, lang: Lang) -> (String, Vec<ImportResult>) {
    let line = words::summary_line(summary, lang);
    let mut rows = Vec::new();
    for key in &summary.keys {
        let kind = match key.status {
            KeyStatus::Archived => 0,
            KeyStatus::AlreadyThere if key.new_keys > 0 => 0,
            KeyStatus::AlreadyThere => 1,
            KeyStatus::Locked | KeyStatus::WrongPassword => 2,
        };
        let status = words::key_status(key, Face::Window, lang);
        rows.push(ImportResult {
            kind,
            title: format!("«{}» ({})", key.name, key.kind).into(),
            detail: super::shown(&format!("{}: {status}", key.path.display())),
        });
    }
    for unreadable in &summary.unreadable {
        rows.push(ImportResult {
            kind: 3,
            title: super::shown_path(&unreadable.path),
            detail: words::cannot_read(&words::unreadable_reason(unreadable, lang), lang).into(),
        });
    }
    (line, rows)
}

fn progress_text(progress: Progress, lang: Lang) -> String {
    words::files_read(progress.done, progress.total, lang)
}

fn add_paths(window: &AppWindow, shared: &Shared, paths: Vec<PathBuf>) {
    let mut chosen = shared.import_paths.borrow_mut();
    for path in paths {
        if !chosen.contains(&path) {
            chosen.push(path);
        }
    }
    show_paths(window, &chosen);
}

fn show_paths(window: &AppWindow, paths: &[PathBuf]) {
    let shown: Vec<slint::SharedString> = paths
        .iter()
        .map(|path| path.display().to_string().into())
        .collect();
    window
        .global::<ImportAdapter>()
        .set_paths(ModelRc::new(VecModel::from(shown)));
}

pub(super) fn wire(window: &AppWindow, shared: &Rc<Shared>) {
    let adapter = window.global::<ImportAdapter>();
    let add: super::browser::Chosen = Rc::new({
        let shared = shared.clone();
        move |window: &AppWindow, paths: Vec<PathBuf>| add_paths(window, &shared, paths)
    });
    shared.on_drop.borrow_mut().insert("import", add.clone());
    adapter.on_add_path({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |typed| {
            let typed = typed.trim();
            if let (Some(window), false) = (weak.upgrade(), typed.is_empty()) {
                add_paths(&window, &shared, vec![PathBuf::from(typed)]);
            }
        }
    });
    adapter.on_remove_path({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |index| {
            let Some(window) = weak.upgrade() else { return };
            let mut chosen = shared.import_paths.borrow_mut();
            if let Ok(index) = usize::try_from(index)
                && index < chosen.len()
            {
                chosen.remove(index);
            }
            show_paths(&window, &chosen);
        }
    });
    adapter.on_browse({
        let weak = window.as_weak();
        let shared = shared.clone();
        move || {
            if let Some(window) = weak.upgrade() {
                super::browser::open(&window, &shared, "any", add.clone());
            }
        }
    });
    adapter.on_stop({
        let shared = shared.clone();
        move || shared.stop.store(true, Ordering::SeqCst)
    });
    adapter.on_start({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |password, keep| {
            let Some(window) = weak.upgrade() else { return };
            start(&window, &shared, password.as_str(), keep);
        }
    });
}

fn start(window: &AppWindow, shared: &Rc<Shared>, password: &str, keep: bool) {
    let adapter = window.global::<ImportAdapter>();
    let paths = shared.import_paths.borrow().clone();
    let lang = shared.lang.get();
    // The worker's own connection (WAL: the list keeps reading while it writes).
    let worker_archive = match shared.archive.borrow().as_ref().map(Archive::another) {
        Some(Ok(archive)) => archive,
        Some(Err(error)) => {
            adapter.set_summary(super::session::shown(&error.into(), lang).into());
            return;
        }
        None => return,
    };
    let password = (!password.is_empty()).then(|| SecretString::from(password.to_owned()));
    shared.stop.store(false, Ordering::SeqCst);
    let stop_flag: Arc<AtomicBool> = shared.stop.clone();
    adapter.set_busy(true);
    adapter.set_summary("".into());
    adapter.set_progress(0.0);
    adapter.set_progress_text(words::looking_for_files(lang).into());
    adapter.set_results(ModelRc::new(VecModel::from(Vec::<ImportResult>::new())));
    let weak = window.as_weak();
    let progress_weak = window.as_weak();
    let shared_done = shared.clone();
    let prompt = super::prompt::WindowPrompt {
        window: window.as_weak(),
        lang,
    };
    super::session::off_the_window(
        move || {
            let mut archive = worker_archive;
            let mut last = std::time::Instant::now() - std::time::Duration::from_secs(1);
            let mut progress = |step: Progress| {
                // A few updates a second are enough for a bar; the last one always shows.
                if last.elapsed() >= std::time::Duration::from_millis(50) || step.done == step.total
                {
                    last = std::time::Instant::now();
                    let weak = progress_weak.clone();
                    let _ = slint::invoke_from_event_loop(move || {
                        if let Some(window) = weak.upgrade() {
                            let adapter = window.global::<ImportAdapter>();
                            adapter.set_progress(if step.total == 0 {
                                1.0
                            } else {
                                step.done as f32 / step.total as f32
                            });
                            adapter.set_progress_text(progress_text(step, lang).into());
                        }
                    });
                }
                !stop_flag.load(Ordering::SeqCst)
            };
            run(
                &mut archive,
                &paths,
                password,
                keep,
                Some(stop_flag.clone()),
                &prompt,
                &mut progress,
            )
        },
        move |result| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<ImportAdapter>();
            adapter.set_busy(false);
            match result {
                Ok(summary) => {
                    let (line, rows) = results(&summary, lang);
                    tracing::info!(
                        added = summary.added,
                        already_there = summary.already_there,
                        keys = summary.keys.len(),
                        unreadable = summary.unreadable.len(),
                        "import finished in the window"
                    );
                    adapter.set_summary(line.into());
                    adapter.set_results(ModelRc::new(VecModel::from(rows)));
                    shared_done.import_paths.borrow_mut().clear();
                    show_paths(&window, &[]);
                    // The list shows what came in.
                    super::certificates::load(&window, &shared_done);
                }
                Err(error) => adapter.set_summary(super::session::shown(&error, lang).into()),
            }
        },
    );
}

#[cfg(test)]
mod flow {
    use super::*;
    use certkeeper_storage::ArchiveLocation;

    use super::super::tests::FAST;

    /// Import a folder as the window does: the real vectors, a second import finds everything
    /// there already, and Stop keeps what was read.
    #[test]
    fn a_folder_imports_with_progress_and_stops_when_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        let archive = Archive::create(
            &location,
            &SecretString::from("пароль архива".to_owned()),
            FAST,
        )
        .expect("create");
        let folder = super::super::tests::vectors("cryptopro");
        // A broken file beside them.
        let broken = dir.path().join("broken.cer");
        std::fs::write(&broken, b"-----BEGIN CERTIFICATE-----\nAAAA\n").expect("write");
        let mut worker = archive.another().expect("second connection");
        let mut seen = Vec::new();
        let summary = run(
            &mut worker,
            &[folder.clone(), broken.clone()],
            None,
            false,
            None,
            &crate::prompt::Nobody,
            &mut |step| {
                seen.push((step.done, step.total));
                true
            },
        )
        .expect("import");
        let total = seen.last().expect("progress").1;
        assert!(total > 2, "{seen:?}");
        assert_eq!(seen.last(), Some(&(total, total)));
        assert!(summary.added > 0 && !summary.keys.is_empty(), "{summary:?}");
        let (line, rows) = results(&summary, Lang::En);
        assert!(line.starts_with(&format!("Certificates added: {}", summary.added)));
        assert!(
            rows.iter()
                .any(|row| row.kind == 3 && row.title.as_str() == broken.display().to_string()),
            "{rows:?}"
        );
        // The window's own connection sees them at once.
        assert_eq!(
            archive.list_certificates(None, None).expect("list").len(),
            summary.added
        );
        // Again: everything is there already.
        let again = run(
            &mut worker,
            std::slice::from_ref(&folder),
            None,
            false,
            None,
            &crate::prompt::Nobody,
            &mut |_| true,
        )
        .expect("again");
        // (A certificate in a container and beside it as a file counts once as added, then as
        // already there.)
        assert_eq!(
            (again.added, again.already_there),
            (0, summary.added + summary.already_there)
        );
        let (line, _) = results(&again, Lang::Ru);
        assert!(line.starts_with("Сертификатов добавлено: 0"), "{line}");
        // Stop after the first file: one file's worth archived, the stop said.
        let other = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(other.path().join("archive.db"));
        let mut fresh =
            Archive::create(&location, &SecretString::from("x".to_owned()), FAST).expect("create");
        let stopped = run(
            &mut fresh,
            &[folder],
            None,
            false,
            None,
            &crate::prompt::Nobody,
            &mut |step| step.done < 1,
        )
        .expect("stopped");
        assert!(stopped.stopped);
        assert!(
            stopped.added + stopped.keys.len() + stopped.unreadable.len() + stopped.other_files
                >= 1
        );
        assert!(stopped.added < summary.added, "{stopped:?}");
        assert!(
            results(&stopped, Lang::En)
                .0
                .contains("Stopped before the end")
        );
    }
}
