//! The media view: the archive, tokens, drives and the registry store; what each holds; copies
//! between them with the window's PIN and password dialogs. Tokens are read on a worker thread
//! (one at a time: PKCS#11 modules are loaded per piece of work), and the list follows PC/SC as
//! tokens are plugged in and out; certificates on a token just inserted are archived.

use std::rc::Rc;
use std::sync::Mutex;

use anyhow::Result;
use certkeeper_core::cert::Certificate;
use certkeeper_core::formats::cryptopro::parse_header;
use certkeeper_storage::Archive;
use slint::{ComponentHandle, ModelRc, VecModel};

use super::{AppWindow, MediaAdapter, MediumItem, MediumRow, Shared};
use crate::messages::Lang;
use crate::messages::media::{self as words, MediumWords};
use certkeeper_core::media::survey::Survey;

/// Token work one piece at a time (a module is initialised per piece of work).
pub(crate) static TOKENS: Mutex<()> = Mutex::new(());

/// One medium and what it holds, read off the window's thread.
#[derive(Debug, Clone)]
pub(crate) struct Medium {
    pub row: MediumRow,
    pub items: Vec<MediumItem>,
    /// The key pairs a token can make, from its mechanism list (empty for other media).
    pub generates: Vec<&'static str>,
}

fn item(certificate: &Certificate, detail: String) -> MediumItem {
    MediumItem {
        thumbprint: certificate.sha1_thumbprint.clone().into(),
        subject: certificate.subject.display_name().into(),
        detail: detail.into(),
    }
}

fn until(certificate: &Certificate, lang: Lang) -> String {
    words::valid_until(certificate.not_after, lang)
}

/// Every medium now: the archive's certificates with keys, each token's certificates, the
/// registry store's and each drive's containers and certificates.
pub(crate) fn survey(archive: &Archive, lang: Lang) -> Result<Vec<Medium>> {
    let _one_at_a_time = TOKENS.lock();
    let listed: Survey = certkeeper_core::media::survey::survey(
        &crate::settings::module_paths(&[])?,
        None,
        &[],
        &certkeeper_storage::location::registry_store(archive.path())?,
    )?;
    let mut media = Vec::new();
    let mut archived = Vec::new();
    for listed in archive.list_certificates(None, None)? {
        if !listed.has_private_key {
            continue;
        }
        archived.push(MediumItem {
            thumbprint: listed.sha1.clone().into(),
            subject: super::certificates::short_name(&listed.subject_name).into(),
            detail: format!(
                "{}, {}",
                lang.algorithm(&listed.key_algorithm),
                words::valid_until(listed.not_after, lang)
            )
            .into(),
        });
    }
    let (name, detail, _) = words::medium_row(MediumWords::Archive(archived.len()), lang);
    media.push(Medium {
        row: MediumRow {
            kind: "archive".into(),
            name: name.into(),
            detail: detail.into(),
            medium: "archive".into(),
            warning: "".into(),
        },
        items: archived,
        generates: Vec::new(),
    });
    // A token driver that did not load is shown with why, never dropped without a word.
    for problem in &listed.unusable_modules {
        let (name, _, warning) = words::medium_row(MediumWords::DriverNotLoaded, lang);
        media.push(Medium {
            row: MediumRow {
                kind: "driver".into(),
                name: name.into(),
                detail: problem.clone().into(),
                medium: format!("driver:{problem}").into(),
                warning: warning.into(),
            },
            items: Vec::new(),
            generates: Vec::new(),
        });
    }
    let mut tokens: Vec<_> = listed.tokens.iter().collect();
    tokens.sort_by(|a, b| a.token.label.cmp(&b.token.label));
    for token in tokens {
        let info = &token.token;
        let warning = crate::messages::media::pin_warning(&info.pin, lang)
            .map(|(short, _)| short)
            .unwrap_or_default();
        let keys: Vec<_> = token
            .objects
            .iter()
            .filter(|object| object.object.class != "certificate")
            .collect();
        let items = token
            .objects
            .iter()
            .filter_map(|object| {
                let certificate = Certificate::from_der(object.object.value.as_deref()?).ok()?;
                let key = keys
                    .iter()
                    .find(|key| key.object.id == object.object.id)
                    .and_then(|key| key.object.key_type.clone());
                let detail = format!(
                    "{}; {}",
                    until(&certificate, lang),
                    words::key_on_token(key.as_deref(), lang)
                );
                Some(item(&certificate, detail))
            })
            .collect();
        media.push(Medium {
            row: MediumRow {
                kind: "token".into(),
                name: super::shown(&info.label),
                detail: words::token_detail(&info.manufacturer, &info.model, &info.serial, lang)
                    .into(),
                medium: format!("token:{}", info.label).into(),
                warning: warning.into(),
            },
            items,
            generates: token.generates.clone(),
        });
    }
    let container_item = |files: &certkeeper_core::formats::cryptopro::ContainerFiles,
                          place: &std::path::Path| {
        let certificate = parse_header(&files.header)
            .ok()
            .and_then(|header| header.certificate)
            .and_then(|der| Certificate::from_der(&der).ok())?;
        Some(item(
            &certificate,
            format!(
                "{}; {}",
                until(&certificate, lang),
                words::container_at(place, lang)
            ),
        ))
    };
    let store = certkeeper_storage::location::registry_store(archive.path())?;
    let stored = store.list().unwrap_or_default();
    let (name, detail, _) =
        words::medium_row(MediumWords::Registry(stored.len(), store.folder()), lang);
    media.push(Medium {
        row: MediumRow {
            kind: "registry".into(),
            name: name.into(),
            detail: detail.into(),
            medium: "registry".into(),
            warning: "".into(),
        },
        items: stored
            .iter()
            .filter_map(|entry| container_item(&entry.files, &entry.folder))
            .collect(),
        generates: Vec::new(),
    });
    for drive in &listed.drives {
        let mut items = Vec::new();
        for container in &drive.containers {
            if let Ok(files) =
                certkeeper_core::formats::cryptopro::ContainerFiles::read(&container.path)
                && let Some(found) = container_item(&files, &container.path)
            {
                items.push(found);
            }
        }
        for certificate in &drive.certificates {
            items.push(MediumItem {
                thumbprint: certificate.sha1_thumbprint.clone().into(),
                subject: certificate.subject.clone().into(),
                detail: super::shown_path(&certificate.path),
            });
        }
        media.push(Medium {
            row: MediumRow {
                kind: "drive".into(),
                name: super::shown(
                    &drive
                        .path
                        .file_name()
                        .map(|name| name.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                ),
                detail: super::shown_path(&drive.path),
                medium: format!("dir:{}", drive.path.display()).into(),
                warning: "".into(),
            },
            items,
            generates: Vec::new(),
        });
    }
    Ok(media)
}

/// Copies the certificate `thumbprint` (with its key unless `certificate_only`) from one medium to
/// another, asking PINs and passwords through `prompt`: what was done, in a line.
pub(crate) fn copy_between(
    archive: Archive,
    prompt: &dyn certkeeper_core::interact::Prompt,
    lang: Lang,
    thumbprint: &str,
    from: &str,
    to: &str,
    certificate_only: bool,
) -> Result<String> {
    use certkeeper_core::copy::{self, Media, Medium};
    let _one_at_a_time = TOKENS.lock();
    let from: Medium = from.parse()?;
    let to: Medium = to.parse()?;
    let modules = crate::settings::module_paths(&[])?;
    let place = archive.path().map(std::path::Path::to_path_buf);
    let registry = || {
        certkeeper_storage::location::registry_store(place.as_deref())
            .map_err(|error| -> certkeeper_core::open::SourceError { Box::new(error) })
    };
    let done = copy::copy(
        &mut Media {
            archive: &mut certkeeper_storage::copy_side::ArchiveSide::open(archive),
            module_paths: &modules,
            registry: &registry,
            prompt,
        },
        &certkeeper_core::cert::Thumbprint::new(thumbprint),
        &from,
        &to,
        certificate_only,
    )?;
    Ok(crate::messages::media::copied(&done, lang).0)
}

/// What is shown now: the media, and the targets offered for a copy from the selected one.
#[derive(Default)]
pub(crate) struct Shown {
    media: Vec<Medium>,
    targets: Vec<String>,
}

fn show(window: &AppWindow, shared: &Shared) {
    let adapter = window.global::<MediaAdapter>();
    let shown = shared.media.borrow();
    let selected = adapter.get_selected();
    let rows: Vec<MediumRow> = shown
        .media
        .iter()
        .map(|medium| medium.row.clone())
        .collect();
    adapter.set_media(ModelRc::new(VecModel::from(rows)));
    let items = shown
        .media
        .iter()
        .find(|medium| medium.row.medium == selected)
        .map(|medium| medium.items.clone())
        .unwrap_or_default();
    adapter.set_items(ModelRc::new(VecModel::from(items)));
    // Another token first (the usual copy), then the registry, drives, the archive.
    let rank = |medium: &&Medium| match medium.row.kind.as_str() {
        "token" => 0,
        "registry" => 1,
        "drive" => 2,
        _ => 3,
    };
    let mut offered: Vec<&Medium> = shown
        .media
        .iter()
        .filter(|medium| medium.row.medium != selected && medium.row.kind != "driver")
        .collect();
    offered.sort_by_key(rank);
    let (targets, names): (Vec<String>, Vec<slint::SharedString>) = offered
        .into_iter()
        .map(|medium| {
            (
                medium.row.medium.to_string(),
                format!("{} ({})", medium.row.name, medium.row.detail).into(),
            )
        })
        .unzip();
    drop(shown);
    adapter.set_target_names(ModelRc::new(VecModel::from(names)));
    shared.media.borrow_mut().targets = targets;
}

/// Reads every medium again, off the window's thread.
pub(crate) fn refresh(window: &AppWindow, shared: &Rc<Shared>) {
    let Some(Ok(archive)) = shared.archive.borrow().as_ref().map(Archive::another) else {
        return;
    };
    let lang = shared.lang.get();
    let weak = window.as_weak();
    let shared = shared.clone();
    super::session::off_the_window(
        move || survey(&archive, lang),
        move |surveyed| {
            let Some(window) = weak.upgrade() else { return };
            match surveyed {
                Ok(media) => {
                    shared.media.borrow_mut().media = media;
                    show(&window, &shared);
                    // A copy into the archive, or a token's certificates archived on insertion,
                    // show in the certificate list too.
                    super::certificates::load(&window, &shared);
                }
                Err(error) => {
                    let adapter = window.global::<MediaAdapter>();
                    adapter.set_status(super::session::shown(&error, lang).into());
                    adapter.set_status_good(false);
                }
            }
        },
    );
}

/// Follows PC/SC from now on, once per window (the media page and the requests' step 3 show
/// tokens live).
pub(crate) fn ensure_following(window: &AppWindow, shared: &Shared) {
    if !shared.following.replace(true) {
        follow_tokens(window, shared);
    }
}

/// Follows PC/SC: a reader or token coming or going refreshes the list, and the certificates of
/// an inserted token are archived (and the person told).
fn follow_tokens(window: &AppWindow, shared: &Shared) {
    use certkeeper_core::media::watch::{Event, Watcher};
    let lang = shared.lang.get();
    let weak = window.as_weak();
    let archive = shared
        .archive
        .borrow()
        .as_ref()
        .and_then(|archive| archive.another().ok());
    std::thread::spawn(move || {
        let mut watcher = match Watcher::new() {
            Ok(watcher) => watcher,
            Err(error) => {
                let text = words::following(Some(&error), lang);
                let _ = weak.upgrade_in_event_loop(move |window| {
                    window.global::<MediaAdapter>().set_live(text.into());
                });
                return;
            }
        };
        let _ = weak.upgrade_in_event_loop(move |window| {
            window
                .global::<MediaAdapter>()
                .set_live(words::following(None, lang).into());
        });
        let mut archive = archive;
        loop {
            let events = match watcher.next(std::time::Duration::from_secs(3600)) {
                Ok(events) => events,
                Err(error) => {
                    tracing::warn!(%error, "PC/SC watch ended");
                    return;
                }
            };
            if events.is_empty() {
                continue;
            }
            let mut notice = Vec::new();
            for event in &events {
                notice.push(crate::messages::media::event_line(event, lang));
            }
            let inserted = events
                .iter()
                .any(|event| matches!(event, Event::CardInserted { .. }));
            if let (true, Some(archive)) = (inserted, archive.as_mut()) {
                let _one_at_a_time = TOKENS.lock();
                let tokens = certkeeper_core::media::tokens::Tokens::load(
                    &crate::settings::module_paths(&[]).unwrap_or_default(),
                );
                let mut keep = |certificates: &[Certificate], place: &str| {
                    archive.keep_certificates(certificates, place)
                };
                match certkeeper_core::media::tokens::archive_certificates(&tokens, &mut keep) {
                    Ok(archived) => {
                        for done in archived.iter().filter(|done| !done.added.is_empty()) {
                            notice.push(crate::messages::media::archived_from_token(done, lang));
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "archiving an inserted token's certificates")
                    }
                }
            }
            let text = notice.join("; ");
            tracing::info!(%text, "media changed");
            let _ = weak.upgrade_in_event_loop(move |window| {
                window.global::<MediaAdapter>().set_live(text.into());
                window.global::<MediaAdapter>().invoke_refresh();
                // The places for a new key, when they are shown.
                let requests = window.global::<super::RequestsAdapter>();
                if requests.get_step() == 3 {
                    requests.invoke_refresh_places();
                }
            });
        }
    });
}

pub(super) fn wire(window: &AppWindow, shared: &Rc<Shared>) {
    let adapter = window.global::<MediaAdapter>();
    adapter.on_refresh({
        let weak = window.as_weak();
        let shared = shared.clone();
        move || {
            if let Some(window) = weak.upgrade() {
                refresh(&window, &shared);
                ensure_following(&window, &shared);
            }
        }
    });
    adapter.on_select({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |medium| {
            if let Some(window) = weak.upgrade() {
                let adapter = window.global::<MediaAdapter>();
                adapter.set_selected(medium);
                adapter.set_chosen_item("".into());
                show(&window, &shared);
            }
        }
    });
    adapter.on_choose_item({
        let weak = window.as_weak();
        move |thumbprint| {
            if let Some(window) = weak.upgrade() {
                window.global::<MediaAdapter>().set_chosen_item(thumbprint);
            }
        }
    });
    adapter.on_copy({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |thumbprint, from, target, certificate_only| {
            let Some(window) = weak.upgrade() else { return };
            let to = usize::try_from(target)
                .ok()
                .and_then(|index| shared.media.borrow().targets.get(index).cloned());
            let Some(to) = to else { return };
            start_copy(
                &window,
                &shared,
                thumbprint.to_string(),
                from.to_string(),
                to,
                certificate_only,
            );
        }
    });
    adapter.on_keep_in_registry({
        let weak = window.as_weak();
        let shared = shared.clone();
        move || {
            let Some(window) = weak.upgrade() else { return };
            let Some(Ok(archive)) = shared.archive.borrow().as_ref().map(Archive::another) else {
                return;
            };
            let lang = shared.lang.get();
            let adapter = window.global::<MediaAdapter>();
            adapter.set_busy(true);
            let weak = window.as_weak();
            let shared = shared.clone();
            super::session::off_the_window(
                move || keep_in_registry(archive),
                move |synced| {
                    let Some(window) = weak.upgrade() else { return };
                    let adapter = window.global::<MediaAdapter>();
                    adapter.set_busy(false);
                    match synced {
                        Ok(synced) => {
                            adapter.set_status(words::synced(&synced, lang).into());
                            adapter.set_status_good(true);
                            refresh(&window, &shared);
                        }
                        Err(error) => {
                            adapter.set_status(super::session::shown(&error, lang).into());
                            adapter.set_status_good(false);
                        }
                    }
                },
            );
        }
    });
}

/// Every archived CryptoPro container into the registry store (the archive is open: nothing is
/// asked).
pub(crate) fn keep_in_registry(archive: Archive) -> Result<certkeeper_core::copy::Synced> {
    let store = certkeeper_storage::location::registry_store(archive.path())?;
    let mut archive = certkeeper_storage::copy_side::ArchiveSide::open(archive);
    let nobody = crate::prompt::Nobody;
    Ok(certkeeper_core::copy::keep_in_registry(
        &mut archive,
        &store,
        &nobody,
    )?)
}

fn start_copy(
    window: &AppWindow,
    shared: &Rc<Shared>,
    thumbprint: String,
    from: String,
    to: String,
    certificate_only: bool,
) {
    let Some(Ok(archive)) = shared.archive.borrow().as_ref().map(Archive::another) else {
        return;
    };
    let lang = shared.lang.get();
    let adapter = window.global::<MediaAdapter>();
    adapter.set_busy(true);
    adapter.set_status(words::copying(lang).into());
    adapter.set_status_good(true);
    let prompt = super::prompt::WindowPrompt {
        window: window.as_weak(),
        lang,
    };
    let weak = window.as_weak();
    let shared = shared.clone();
    super::session::off_the_window(
        move || {
            copy_between(
                archive,
                &prompt,
                lang,
                &thumbprint,
                &from,
                &to,
                certificate_only,
            )
        },
        move |copied| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<MediaAdapter>();
            adapter.set_busy(false);
            match copied {
                Ok(line) => {
                    tracing::info!(%line, "copied in the window");
                    adapter.set_status(line.into());
                    adapter.set_status_good(true);
                    refresh(&window, &shared);
                }
                Err(error) => {
                    adapter.set_status(super::session::shown(&error, lang).into());
                    adapter.set_status_good(false);
                }
            }
        },
    );
}
