//! The desktop window. Views live in `app/ui/views/*.slint`, each with one global adapter; the
//! `*_adapter.rs` modules here fill those adapters from controllers that know nothing of the window
//! (and are tested without one). Words are translated in the `.slint` files (`@tr`, with the Russian
//! catalogue in `app/ui/translations`); messages from the domain come from the shared catalogue.

mod certificates;
mod session;

use std::cell::RefCell;
use std::rc::Rc;

use anyhow::Result;
use certkeeper_storage::{Archive, ArchiveLocation};
use slint::ComponentHandle;

use crate::messages::{AppError, Lang};

slint::include_modules!();

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
    pub location: ArchiveLocation,
    pub lang: Lang,
    pub archive: RefCell<Option<Archive>>,
}

/// Builds the window on `location` in `lang`: the first view is "create" when there is no archive
/// yet, "unlock" otherwise.
pub(crate) fn build(location: &ArchiveLocation, lang: Lang) -> Result<AppWindow> {
    let window = AppWindow::new().map_err(|error| AppError::WindowFailed {
        reason: error.to_string(),
    })?;
    // The bundled Russian catalogue, or the English the views are written in.
    let _ = slint::select_bundled_translation(match lang {
        Lang::Ru => "ru",
        Lang::En => "en",
    });
    let shared = Rc::new(Shared {
        location: location.clone(),
        lang,
        archive: RefCell::new(None),
    });
    session::wire(&window, &shared);
    certificates::wire(&window, &shared);
    window
        .global::<AppState>()
        .set_page(if location.exists() { "unlock" } else { "setup" }.into());
    Ok(window)
}

/// Opens the window on `archive` and returns when the person closes it.
pub fn run(archive: &ArchiveLocation, lang: Lang) -> Result<()> {
    if !display_available(|name| std::env::var(name).ok()) {
        return Err(AppError::NoDisplay.into());
    }
    let window = build(archive, lang)?;
    tracing::info!(archive = %archive.path().display(), "window opened");
    window.run().map_err(|error| AppError::WindowFailed {
        reason: error.to_string(),
    })?;
    Ok(())
}
