//! Watching smart card readers through PC/SC (`pcsc`, pcsc-lite's pcscd on Linux): readers that
//! appear and disappear, cards inserted and removed. Events come as soon as pcscd reports them.

use std::ffi::CString;
use std::time::Duration;

use pcsc::{Context, ReaderState, Scope, State};

/// A change of the readers or cards.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    /// A reader appeared (or was there when watching started).
    ReaderAdded {
        /// Its name.
        reader: String,
    },
    /// A reader disappeared.
    ReaderRemoved {
        /// Its name.
        reader: String,
    },
    /// A card (token) was inserted, or was in the reader when watching started.
    CardInserted {
        /// The reader.
        reader: String,
        /// The card's answer to reset, uppercase hex.
        atr: String,
    },
    /// The card was removed.
    CardRemoved {
        /// The reader.
        reader: String,
    },
}

/// Why watching failed.
#[derive(Debug, thiserror::Error)]
#[error("PC/SC: {0}")]
pub struct WatchError(#[from] pcsc::Error);

impl WatchError {
    /// Whether the smart card service (pcscd; on Windows the "Smart Card" service) is not running:
    /// the one cause a person can fix at once, by starting it.
    pub fn service_not_running(&self) -> bool {
        matches!(self.0, pcsc::Error::NoService | pcsc::Error::ServiceStopped)
    }

    /// The PC/SC return code (`0x8010001D`) and its name (`NoService`), for a message in any
    /// language.
    pub fn code(&self) -> String {
        format!("0x{:08X} ({:?})", self.0 as u32, self.0)
    }
}

/// A PC/SC watcher.
pub struct Watcher {
    context: Context,
    states: Vec<ReaderState>,
    started: bool,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher")
            .field("readers", &self.states.len())
            .finish()
    }
}

fn name(state: &ReaderState) -> String {
    state.name().to_string_lossy().into_owned()
}

impl Watcher {
    /// Connects to the PC/SC service.
    pub fn new() -> Result<Self, WatchError> {
        let context = Context::establish(Scope::User)?;
        Ok(Self {
            context,
            states: vec![ReaderState::new(pcsc::PNP_NOTIFICATION(), State::UNAWARE)],
            started: false,
        })
    }

    /// Brings the watched readers in line with the readers present; the events for the difference.
    fn refresh_readers(&mut self) -> Result<Vec<Event>, WatchError> {
        let present: Vec<CString> = match self.context.list_readers_owned() {
            Ok(readers) => readers,
            Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
            Err(error) => return Err(error.into()),
        };
        let mut events = Vec::new();
        self.states.retain(|state| {
            let keep = state.name() == pcsc::PNP_NOTIFICATION()
                || present
                    .iter()
                    .any(|reader| reader.as_c_str() == state.name());
            if !keep {
                events.push(Event::ReaderRemoved {
                    reader: name(state),
                });
            }
            keep
        });
        for reader in present {
            if !self
                .states
                .iter()
                .any(|state| state.name() == reader.as_c_str())
            {
                events.push(Event::ReaderAdded {
                    reader: reader.to_string_lossy().into_owned(),
                });
                self.states.push(ReaderState::new(reader, State::UNAWARE));
            }
        }
        Ok(events)
    }

    /// Waits up to `timeout` for changes; the events that happened (none after a quiet wait). The
    /// first call reports the readers and cards present as added and inserted.
    pub fn next(&mut self, timeout: Duration) -> Result<Vec<Event>, WatchError> {
        let mut events = Vec::new();
        if !self.started {
            self.started = true;
            events.extend(self.refresh_readers()?);
        }
        match self.context.get_status_change(timeout, &mut self.states) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) => return Ok(events),
            Err(error) => return Err(error.into()),
        }
        let mut readers_changed = false;
        for state in &mut self.states {
            let now = state.event_state();
            if !now.contains(State::CHANGED) {
                continue;
            }
            if state.name() == pcsc::PNP_NOTIFICATION() {
                readers_changed = true;
            } else {
                let before = state.current_state();
                let was = before.contains(State::PRESENT);
                let is = now.contains(State::PRESENT);
                if is && !was {
                    events.push(Event::CardInserted {
                        reader: name(state),
                        atr: state
                            .atr()
                            .iter()
                            .map(|byte| format!("{byte:02X}"))
                            .collect(),
                    });
                } else if was && !is {
                    events.push(Event::CardRemoved {
                        reader: name(state),
                    });
                }
            }
            state.sync_current_state();
        }
        if readers_changed {
            events.extend(self.refresh_readers()?);
        }
        Ok(events)
    }
}
