//! Desktop notifications: on Linux and the BSDs through the D-Bus notification service, with the
//! actions a person can answer and an urgency; on Windows as toasts with the same actions as
//! buttons (tauri-winrt-notification, which notify-rust's Windows backend is built on but whose
//! buttons it does not offer); elsewhere through notify-rust without actions.

/// A notification shown.
pub(crate) struct Shown {
    #[cfg(all(unix, not(target_os = "macos")))]
    handle: notify_rust::NotificationHandle,
    /// The button pressed (`Some(action)`), or `None` when the toast went away unanswered.
    #[cfg(windows)]
    answers: std::sync::mpsc::Receiver<Option<String>>,
}

/// Shows a notification from certkeeper with `actions` (identifier, label) and, when `critical`,
/// the highest urgency; an error when no notification service answers (the caller prints it).
pub(crate) fn show(
    title: &str,
    text: &str,
    actions: &[(&str, &str)],
    critical: bool,
) -> Result<Shown, String> {
    #[cfg(windows)]
    {
        toast(title, text, actions, critical)
    }
    #[cfg(not(windows))]
    {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname("certkeeper")
            .summary(title)
            .body(text)
            .icon("certkeeper");
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            for (id, label) in actions {
                notification.action(id, label);
            }
            notification.urgency(if critical {
                notify_rust::Urgency::Critical
            } else {
                notify_rust::Urgency::Normal
            });
            notification
                .show()
                .map(|handle| Shown { handle })
                .map_err(|error| error.to_string())
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            let _ = (actions, critical);
            notification
                .show()
                .map(|_| Shown {})
                .map_err(|error| error.to_string())
        }
    }
}

/// A Windows toast with a button per action; a critical one stays longer on screen.
#[cfg(windows)]
fn toast(
    title: &str,
    text: &str,
    actions: &[(&str, &str)],
    critical: bool,
) -> Result<Shown, String> {
    use tauri_winrt_notification::{Duration, Toast};
    let (pressed, answers) = std::sync::mpsc::channel();
    let dismissed = pressed.clone();
    // An application without its own AppUserModelID shows toasts under PowerShell's, as
    // notify-rust does.
    let mut toast = Toast::new(Toast::POWERSHELL_APP_ID)
        .title(title)
        .text1(text)
        .duration(if critical {
            Duration::Long
        } else {
            Duration::Short
        });
    for (id, label) in actions {
        toast = toast.add_button(label, id);
    }
    toast
        .on_activated(move |action| {
            let _ = pressed.send(action);
            Ok(())
        })
        .on_dismissed(move |_| {
            let _ = dismissed.send(None);
            Ok(())
        })
        .show()
        .map(|()| Shown { answers })
        .map_err(|error| error.to_string())
}

impl Shown {
    /// Waits for the person's answer and calls `answer` with the action's identifier; where
    /// notifications have no actions, returns at once without calling it.
    pub(crate) fn wait_for_action(self, answer: impl FnOnce(&str)) {
        #[cfg(all(unix, not(target_os = "macos")))]
        self.handle.wait_for_action(answer);
        // A toast answers once: a button, a click on the toast itself (no action), or dismissal.
        #[cfg(windows)]
        if let Ok(Some(action)) = self.answers.recv() {
            answer(&action);
        }
        #[cfg(not(any(windows, all(unix, not(target_os = "macos")))))]
        let _ = answer;
    }
}
