//! Fills the welcome view's adapter.

use certkeeper_storage::ArchiveLocation;
use slint::ComponentHandle;

use super::{AppWindow, WelcomeAdapter};
use crate::messages::Lang;

pub(super) fn fill(window: &AppWindow, archive: &ArchiveLocation, lang: Lang) {
    let adapter = window.global::<WelcomeAdapter>();
    adapter.set_heading(
        lang.pick("Your certificate archive", "Ваш архив сертификатов")
            .into(),
    );
    adapter.set_archive_label(lang.pick("Archive:", "Архив:").into());
    let path = archive.path().display().to_string();
    let shown = if archive.exists() {
        path
    } else {
        format!(
            "{path} {}",
            lang.pick("(not created yet)", "(ещё не создан)")
        )
    };
    adapter.set_archive_path(shown.into());
    adapter.set_hint(
        lang.pick(
            "The desktop interface is being built. Meanwhile everything works from the command line: certkeeper --help",
            "Окно программы в разработке. Пока всё доступно из командной строки: certkeeper --help",
        )
        .into(),
    );
}
