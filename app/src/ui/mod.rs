//! The desktop window. Views live in `app/ui/views/*.slint`, each with one global adapter; the
//! `*_adapter.rs` modules here fill those adapters from the domain.

mod welcome_adapter;

use anyhow::Result;
use certkeeper_storage::ArchiveLocation;

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

/// Opens the window on `archive` and returns when the person closes it.
pub fn run(archive: &ArchiveLocation, lang: Lang) -> Result<()> {
    if !display_available(|name| std::env::var(name).ok()) {
        return Err(AppError::NoDisplay.into());
    }
    let window = AppWindow::new().map_err(|error| AppError::WindowFailed {
        reason: error.to_string(),
    })?;
    welcome_adapter::fill(&window, archive, lang);
    tracing::info!(archive = %archive.path().display(), "window opened");
    window.run().map_err(|error| AppError::WindowFailed {
        reason: error.to_string(),
    })?;
    Ok(())
}
