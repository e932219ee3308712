//! The desktop window. Views live in `app/ui/views/*.slint`, each with one global adapter; the
//! `*_adapter.rs` modules here fill those adapters from controllers that know nothing of the window
//! (and are tested without one). Words are translated in the `.slint` files (`@tr`, with the Russian
//! catalogue in `app/ui/translations`); messages from the domain come from the shared catalogue.

mod browser;
mod certificates;
mod documents;
mod import;
mod media;
mod prompt;
mod reminders;
mod requests;
mod safekeeping;
mod session;

use std::cell::RefCell;
use std::rc::Rc;

use anyhow::Result;
use certkeeper_storage::{Archive, ArchiveLocation};
use slint::ComponentHandle;

use crate::messages::{AppError, Lang};

slint::include_modules!();

/// Text from a file (a name, a token's label) for one line of the window: control characters and
/// direction overrides shown as escapes ([`certkeeper_core::text::printable`]).
pub(crate) fn shown(text: &str) -> slint::SharedString {
    certkeeper_core::text::printable(text).as_ref().into()
}

/// A path for one line of the window, escaped as [`shown`] text is.
pub(crate) fn shown_path(path: &std::path::Path) -> slint::SharedString {
    shown(&path.display().to_string())
}

/// Whether a window can be shown at all. On Linux and the BSDs a window needs an X11 or Wayland
/// display; elsewhere there always is a desktop.
pub fn display_available(var: impl Fn(&str) -> Option<String>) -> bool {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| var(name).is_some_and(|value| !value.is_empty()))
}

/// What the window works on: the archive's place, and the archive once unlocked.
pub(crate) struct Shared {
    /// The archive's place (another one can be opened from the first-start page).
    location: RefCell<ArchiveLocation>,
    /// The window's language (switchable in the settings page).
    pub lang: std::cell::Cell<Lang>,
    pub archive: RefCell<Option<Archive>>,
    /// Where the window goes once the archive is unlocked (`ui --certificate`, `ui --renew`,
    /// `ui --requests`).
    pub open_at: Option<OpenAt>,
    /// The certificate list and what is typed in its search field.
    pub listing: RefCell<Option<certificates::Listing>>,
    /// A change waiting for its frame: what it was and when it began (logged at `info` when the
    /// frame is drawn, for `bench/ui-list.sh`).
    pub pending_frame: std::cell::Cell<Option<(&'static str, std::time::Instant)>>,
    /// The folder the chooser last showed, and what a chosen path is for.
    pub browsed: RefCell<Option<std::path::PathBuf>>,
    pub chosen: RefCell<Option<browser::Chosen>>,
    /// What each page does with files dropped on the window.
    pub on_drop: RefCell<std::collections::HashMap<&'static str, browser::Chosen>>,
    /// Files and folders waiting to be imported.
    pub import_paths: RefCell<Vec<std::path::PathBuf>>,
    /// Set by a Stop button: the running work stops where that is safe.
    pub stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The key media shown, and whether PC/SC is followed already.
    pub media: RefCell<media::Shown>,
    pub following: std::cell::Cell<bool>,
    /// The request being made on the requests page, and the jobs followed at the CA.
    pub wizard: RefCell<requests::Wizard>,
    /// Timers that run as long as the window does.
    pub timers: RefCell<Vec<slint::Timer>>,
}

/// Where the window goes once the archive is unlocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenAt {
    /// A certificate's details (id or thumbprint).
    Certificate(String),
    /// The first step of renewing a certificate (id or thumbprint): a reminder's "Renew".
    Renew(String),
    /// The requests page: a certificate issued is waiting to be installed.
    Requests,
}

impl Shared {
    /// Where the archive is.
    pub(crate) fn location(&self) -> ArchiveLocation {
        self.location.borrow().clone()
    }

    /// Works on the archive at `location` from now on.
    pub(crate) fn move_to(&self, location: ArchiveLocation) {
        self.location.replace(location);
    }

    /// Notes that `what` began now; the next drawn frame logs how long it took.
    pub(crate) fn measure_next_frame(&self, what: &'static str, began: std::time::Instant) {
        self.pending_frame.set(Some((what, began)));
        // Where the renderer gives no frame notifications (winit with the software renderer), the
        // time until the event loop is free again — the redraw included — stands in for it.
        slint::Timer::single_shot(std::time::Duration::ZERO, move || {
            tracing::info!(
                what,
                elapsed_ms = began.elapsed().as_secs_f64() * 1000.0,
                "event loop free again"
            );
        });
    }
}

/// Builds the window on `location` in `lang`: the first view is "create" when there is no archive
/// yet, "unlock" otherwise.
pub(crate) fn build(
    location: &ArchiveLocation,
    lang: Lang,
    open_at: Option<OpenAt>,
) -> Result<AppWindow> {
    let window = AppWindow::new().map_err(|error| AppError::WindowFailed {
        reason: error.to_string(),
    })?;
    // The bundled Russian catalogue, or the English the views are written in.
    let _ = slint::select_bundled_translation(match lang {
        Lang::Ru => "ru",
        Lang::En => "en",
    });
    let shared = Rc::new(Shared {
        location: RefCell::new(location.clone()),
        lang: std::cell::Cell::new(lang),
        archive: RefCell::new(None),
        open_at,
        listing: RefCell::new(None),
        pending_frame: std::cell::Cell::new(None),
        browsed: RefCell::new(None),
        chosen: RefCell::new(None),
        on_drop: RefCell::default(),
        import_paths: RefCell::default(),
        stop: std::sync::Arc::default(),
        media: RefCell::default(),
        following: std::cell::Cell::new(false),
        wizard: RefCell::default(),
        timers: RefCell::default(),
    });
    let notified = window.window().set_rendering_notifier({
        let shared = shared.clone();
        move |state, _| {
            if matches!(state, slint::RenderingState::AfterRendering)
                && let Some((what, began)) = shared.pending_frame.take()
            {
                tracing::info!(
                    what,
                    elapsed_ms = began.elapsed().as_secs_f64() * 1000.0,
                    "frame drawn"
                );
            }
        }
    });
    if let Err(error) = notified {
        tracing::debug!(%error, "no frame timing with this renderer");
    }
    session::wire(&window, &shared);
    certificates::wire(&window, &shared);
    browser::wire(&window, &shared);
    import::wire(&window, &shared);
    documents::wire(&window, &shared);
    media::wire(&window, &shared);
    prompt::wire(&window);
    reminders::wire(&window, &shared);
    requests::wire(&window, &shared);
    safekeeping::wire(&window, &shared);
    window
        .global::<AppState>()
        .set_page(if location.exists() { "unlock" } else { "setup" }.into());
    // Unlocked by `certkeeper unlock`: the window opens without asking.
    if location.exists()
        && let Ok(Some(archive)) = crate::agent::open_unlocked(location)
    {
        tracing::info!("unlocked by the agent");
        session::opened(&window, &shared, archive);
    }
    Ok(window)
}

/// Opens the window on `archive` (at certificate `open_at`, an id or thumbprint, once unlocked) and
/// returns when the person closes it.
pub fn run(archive: &ArchiveLocation, lang: Lang, open_at: Option<OpenAt>) -> Result<()> {
    if !display_available(|name| std::env::var(name).ok()) {
        return Err(AppError::NoDisplay.into());
    }
    let window = build(archive, lang, open_at)?;
    tracing::info!(archive = %archive.path().display(), "window opened");
    window.run().map_err(|error| AppError::WindowFailed {
        reason: error.to_string(),
    })?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    /// `<vectors>/<name>`: the real-world test vectors where `TEST_VECTORS` points, else beside the
    /// project in `../shared/vectors` (never committed).
    pub(crate) fn vectors(name: &str) -> std::path::PathBuf {
        let root = std::env::var_os("TEST_VECTORS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
            });
        let path = root.join(name);
        assert!(
            path.exists(),
            "test vectors missing: {} (set TEST_VECTORS to their folder)",
            path.display()
        );
        path
    }

    /// Argon2 at its cheapest, for the controller tests: the key derivation is not what they test.
    pub(crate) const FAST: certkeeper_storage::KdfParams = certkeeper_storage::KdfParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    /// Every `@tr` string of the views has a Russian translation (a new word without one would
    /// show in English in a Russian window).
    #[test]
    fn every_word_in_the_window_is_translated() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
        let catalogue =
            std::fs::read_to_string(root.join("translations/ru/LC_MESSAGES/certkeeper.po"))
                .expect("the Russian catalogue");
        let translated: std::collections::HashSet<&str> = catalogue
            .lines()
            .filter_map(|line| line.strip_prefix("msgid \"")?.strip_suffix('"'))
            .collect();
        let mut missing = Vec::new();
        let mut folders = vec![root];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("ui folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|ext| ext == "slint") {
                    let text = std::fs::read_to_string(&path).expect("a view");
                    for piece in text.split("@tr(\"").skip(1) {
                        let word = piece.split('"').next().unwrap_or_default();
                        if !translated.contains(word) {
                            missing.push(format!("{}: {word}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "not translated:\n{}",
            missing.join("\n")
        );
    }
}
