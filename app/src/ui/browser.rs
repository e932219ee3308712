//! The in-window chooser of files and folders (`widgets/browser.slint`), and files dropped on the
//! window. Whoever opens the chooser says what a chosen path is for.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use slint::{ComponentHandle, Model, ModelRc, VecModel};

use super::{AppState, AppWindow, BrowserAdapter, BrowserEntry, Shared};

/// What to do with a chosen or dropped path.
pub(crate) type Chosen = Rc<dyn Fn(&AppWindow, Vec<PathBuf>)>;

/// The folders to start from: home, the removable drives, the file system's root.
fn places(lang: crate::messages::Lang) -> Vec<BrowserEntry> {
    let mut places = Vec::new();
    if let Some(home) = directories::UserDirs::new().map(|dirs| dirs.home_dir().to_path_buf()) {
        places.push(entry(crate::messages::import::home(lang), &home, true));
    }
    for drive in certkeeper_core::media::survey::mounted_drives() {
        let name = drive
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        places.push(entry(&name, &drive, true));
    }
    places.push(entry("/", Path::new("/"), true));
    places
}

fn entry(name: &str, path: &Path, folder: bool) -> BrowserEntry {
    BrowserEntry {
        name: name.into(),
        path: path.display().to_string().into(),
        folder,
    }
}

/// What `folder` holds: sub-folders first, then files, each sorted by name; hidden ones left out.
/// CryptoPro containers are folders too, and are chosen by opening their parent and choosing it,
/// or by choosing them like a file: a container folder is offered as a file.
pub(crate) fn listing(folder: &Path) -> std::io::Result<Vec<BrowserEntry>> {
    let mut folders = Vec::new();
    let mut files = Vec::new();
    for item in std::fs::read_dir(folder)? {
        let Ok(item) = item else { continue };
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = item.path();
        let is_container = certkeeper_core::formats::cryptopro::is_container(&path);
        if path.is_dir() && !is_container {
            folders.push(entry(&name, &path, true));
        } else {
            files.push(entry(&name, &path, false));
        }
    }
    folders.sort_by(|a, b| a.name.cmp(&b.name));
    files.sort_by(|a, b| a.name.cmp(&b.name));
    folders.extend(files);
    Ok(folders)
}

fn show_folder(window: &AppWindow, shared: &Shared, folder: &Path) {
    let adapter = window.global::<BrowserAdapter>();
    match listing(folder) {
        Ok(entries) => {
            let mut shown = Vec::with_capacity(entries.len() + 1);
            if let Some(parent) = folder.parent() {
                shown.push(entry("..", parent, true));
            }
            shown.extend(entries);
            adapter.set_folder(folder.display().to_string().into());
            adapter.set_entries(ModelRc::new(VecModel::from(shown)));
            adapter.set_error("".into());
            shared.browsed.replace(Some(folder.to_path_buf()));
        }
        Err(error) => adapter.set_error(
            format!(
                "{}: {error}. {}",
                folder.display(),
                crate::messages::import::choose_another_folder(shared.lang.get())
            )
            .into(),
        ),
    }
}

/// Opens the chooser for files (`"file"`), folders (`"folder"`) or either (`"any"`); `chosen`
/// gets the path picked.
pub(crate) fn open(window: &AppWindow, shared: &Shared, wants: &str, chosen: Chosen) {
    let adapter = window.global::<BrowserAdapter>();
    adapter.set_wants(wants.into());
    adapter.set_places(ModelRc::new(VecModel::from(places(shared.lang.get()))));
    shared.chosen.replace(Some(chosen));
    let start = shared
        .browsed
        .borrow()
        .clone()
        .or_else(|| directories::UserDirs::new().map(|dirs| dirs.home_dir().to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("/"));
    show_folder(window, shared, &start);
    adapter.set_shown(true);
}

pub(super) fn wire(window: &AppWindow, shared: &Rc<Shared>) {
    let adapter = window.global::<BrowserAdapter>();
    adapter.on_open({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |folder| {
            if let Some(window) = weak.upgrade() {
                show_folder(&window, &shared, Path::new(folder.as_str()));
            }
        }
    });
    adapter.on_choose({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |path| {
            let Some(window) = weak.upgrade() else { return };
            window.global::<BrowserAdapter>().set_shown(false);
            let chosen = shared.chosen.borrow().clone();
            if let Some(chosen) = chosen {
                chosen(&window, vec![PathBuf::from(path.as_str())]);
            }
        }
    });
    // Dropped files go to the page shown (the import list, or the document to open).
    window.global::<AppState>().on_dropped({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |paths| {
            let Some(window) = weak.upgrade() else { return };
            let paths: Vec<PathBuf> = paths
                .iter()
                .map(|path| PathBuf::from(path.as_str()))
                .collect();
            let page = window.global::<AppState>().get_page();
            let target = shared.on_drop.borrow().get(page.as_str()).cloned();
            match target {
                Some(target) => target(&window, paths),
                // Dropped anywhere else: they are imported.
                None => {
                    if let Some(import) = shared.on_drop.borrow().get("import").cloned() {
                        window.global::<AppState>().set_page("import".into());
                        import(&window, paths);
                    }
                }
            }
        }
    });
    watch_drops(window);
}

/// Files dropped on the window arrive one event each; those arriving together are handed on
/// together.
fn watch_drops(window: &AppWindow) {
    use slint::winit_030::{EventResult, WinitWindowAccessor, winit};
    let pending: Rc<std::cell::RefCell<Vec<slint::SharedString>>> = Rc::default();
    let weak = window.as_weak();
    window.window().on_winit_window_event(move |_, event| {
        if let winit::event::WindowEvent::DroppedFile(path) = event {
            let first = pending.borrow().is_empty();
            pending.borrow_mut().push(path.display().to_string().into());
            if first {
                let pending = pending.clone();
                let weak = weak.clone();
                slint::Timer::single_shot(std::time::Duration::from_millis(100), move || {
                    let paths: Vec<slint::SharedString> = pending.borrow_mut().drain(..).collect();
                    if let Some(window) = weak.upgrade() {
                        tracing::info!(count = paths.len(), "files dropped on the window");
                        window
                            .global::<AppState>()
                            .invoke_dropped(ModelRc::new(VecModel::from(paths)));
                    }
                });
            }
        }
        EventResult::Propagate
    });
}
