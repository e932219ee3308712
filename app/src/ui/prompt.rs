//! The window's side of `certkeeper_core::interact`: work on a worker thread asks for a PIN or
//! password, the window shows the dialog (the token's PIN state first), and the worker waits for
//! the answer — the window's thread never does. One attempt per request; nothing is retried.

use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};

use certkeeper_core::interact::{Declined, Prompt, Request};
use certkeeper_core::secret::{ExposeSecret, SecretString};
use slint::ComponentHandle;

use super::{AppWindow, SecretDialog};
use crate::messages::Lang;

/// Where the dialog's answer goes: the worker waiting for it.
static ANSWER: Mutex<Option<Sender<Option<SecretString>>>> = Mutex::new(None);

/// Asks in the window, from any thread but the window's own.
pub(crate) struct WindowPrompt {
    pub window: slint::Weak<AppWindow>,
    pub lang: Lang,
}

impl WindowPrompt {
    fn ask(&self, title: String, note: String, warning: bool) -> Result<SecretString, Declined> {
        let (sender, receiver) = channel();
        if let Ok(mut slot) = ANSWER.lock() {
            *slot = Some(sender);
        }
        let window = self.window.clone();
        slint::invoke_from_event_loop(move || {
            if let Some(window) = window.upgrade() {
                let dialog = window.global::<SecretDialog>();
                dialog.set_title(title.into());
                dialog.set_note(note.into());
                dialog.set_warning(warning);
                dialog.set_shown(true);
            }
        })
        .map_err(|_| Declined::NoOneToAsk)?;
        match receiver.recv() {
            Ok(Some(secret)) => Ok(secret),
            _ => Err(Declined::Cancelled),
        }
    }
}

impl Prompt for WindowPrompt {
    fn secret(&self, request: &Request<'_>) -> Result<SecretString, Declined> {
        let (title, note, warning) = crate::messages::prompts::dialog(request, self.lang, false);
        let first = self.ask(title, note, warning)?;
        if !matches!(
            request,
            Request::NewPassword { .. } | Request::NewArchivePassphrase
        ) {
            return Ok(first);
        }
        // A new password is typed twice; a mismatch is asked again from the start.
        let (title, note, warning) = crate::messages::prompts::dialog(request, self.lang, true);
        let second = self.ask(title, note, warning)?;
        if first.expose_secret() == second.expose_secret() {
            Ok(first)
        } else {
            self.secret(request)
        }
    }
}

/// The dialog's buttons hand the answer to the waiting worker.
pub(super) fn wire(window: &AppWindow) {
    let dialog = window.global::<SecretDialog>();
    let answer = |given: Option<SecretString>| {
        if let Some(sender) = ANSWER.lock().ok().and_then(|mut slot| slot.take()) {
            let _ = sender.send(given);
        }
    };
    dialog.on_answer({
        let weak = window.as_weak();
        move |text| {
            if let Some(window) = weak.upgrade() {
                window.global::<SecretDialog>().set_shown(false);
            }
            answer(Some(SecretString::from(text.to_string())));
        }
    });
    dialog.on_cancel({
        let weak = window.as_weak();
        move || {
            if let Some(window) = weak.upgrade() {
                window.global::<SecretDialog>().set_shown(false);
            }
            answer(None);
        }
    });
}
