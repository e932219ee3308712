//! Desktop notifications: on Linux and the BSDs through the D-Bus notification service, with the
//! actions a person can answer and an urgency; on Windows as toasts, which notify-rust's Windows
//! backend shows without actions or urgency (the reminder then says what to do in its text, and
//! the window's pages do the rest).

/// A notification shown.
pub(crate) struct Shown {
    #[cfg(all(unix, not(target_os = "macos")))]
    handle: notify_rust::NotificationHandle,
}

/// Shows a notification from certkeeper with `actions` (identifier, label) and, when `critical`,
/// the highest urgency; an error when no notification service answers (the caller prints it).
pub(crate) fn show(
    title: &str,
    text: &str,
    actions: &[(&str, &str)],
    critical: bool,
) -> Result<Shown, String> {
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

impl Shown {
    /// Waits for the person's answer and calls `answer` with the action's identifier; where
    /// notifications have no actions, returns at once without calling it.
    pub(crate) fn wait_for_action(self, answer: impl FnOnce(&str)) {
        #[cfg(all(unix, not(target_os = "macos")))]
        self.handle.wait_for_action(answer);
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = answer;
    }
}
