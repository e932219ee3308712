//! A progress bar for long work at a terminal (`import` of a whole drive): drawn on standard error
//! in place, only when standard error is a terminal and the work has lasted a moment; never when
//! the output goes to a file or a pipe.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::messages::Lang;

/// How long work runs before the bar shows, unless it is large from the start (quick work shows
/// none), and how often it is redrawn.
const SHOW_AFTER: Duration = Duration::from_millis(300);
const LARGE: usize = 50;
const REDRAW_EVERY: Duration = Duration::from_millis(100);
const WIDTH: usize = 30;

/// The bar of one piece of work.
pub struct Bar {
    started: Instant,
    drawn: Option<Instant>,
    label: &'static str,
}

/// Clears the bar's line, if one is drawn, so that a question or message starts on a clean line.
pub fn clear_line() {
    let mut err = std::io::stderr();
    if err.is_terminal() {
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }
}

impl Bar {
    /// A bar for work named `label` ("Importing"), when standard error is a terminal.
    pub fn on_terminal(lang: Lang) -> Option<Self> {
        std::io::stderr().is_terminal().then(|| Self {
            started: Instant::now(),
            drawn: None,
            label: lang.pick("Importing", "Импорт"),
        })
    }

    /// `done` of `total` done: redrawn now and then.
    pub fn update(&mut self, done: usize, total: usize) {
        let now = Instant::now();
        if (total < LARGE && now.duration_since(self.started) < SHOW_AFTER)
            || self
                .drawn
                .is_some_and(|drawn| now.duration_since(drawn) < REDRAW_EVERY)
        {
            return;
        }
        self.drawn = Some(now);
        let _ = write!(
            std::io::stderr(),
            "\r\x1b[K{}",
            line(self.label, done, total)
        );
        let _ = std::io::stderr().flush();
    }

    /// The work is over: the bar's line is cleared.
    pub fn finish(self) {
        if self.drawn.is_some() {
            clear_line();
        }
    }
}

/// "Importing [#########.....................] 312/1040  30%".
fn line(label: &str, done: usize, total: usize) -> String {
    let total = total.max(1);
    let done = done.min(total);
    let filled = done * WIDTH / total;
    format!(
        "{label} [{}{}] {done}/{total} {:>3}%",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        done * 100 / total
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_work() {
        assert_eq!(
            line("Importing", 0, 10),
            "Importing [..............................] 0/10   0%"
        );
        assert_eq!(
            line("Импорт", 5, 10),
            "Импорт [###############...............] 5/10  50%"
        );
        assert_eq!(
            line("Importing", 10, 10),
            "Importing [##############################] 10/10 100%"
        );
        // Nothing to do is not a division by zero.
        assert!(line("Importing", 0, 0).ends_with("0/1   0%"));
    }
}
