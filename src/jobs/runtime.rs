//! What the background jobs share among themselves: the poll status they
//! write, the one-cycle-at-a-time lock, the figures the cycles wrote and
//! this process's claim on the job lock. The scheduler and the payout worker
//! own it; handlers never see it (they read the poll status through
//! [`AppState::poll_status`] and wake the worker through
//! [`AppState::payout_queue`]), so `AppState` stays a bundle of dependencies.

use std::sync::Arc;

use tokio::sync::{watch, Mutex};

use super::leader::Leadership;
use super::written::WrittenFigures;
use crate::app::{AppState, PollStatus};

/// The jobs' own state beside the shared [`AppState`].
pub struct Jobs {
    /// The dependencies every job uses.
    pub state: Arc<AppState>,
    /// This process's claim on the job lock (always held on SQLite).
    pub leadership: Leadership,
    poll_status: watch::Sender<PollStatus>,
    cycle_lock: Mutex<()>,
    written: Mutex<WrittenFigures>,
}

impl Jobs {
    /// The runtime of `state`'s jobs; `poll_status` is the sending half of
    /// the channel whose receiver is `state.poll_status`.
    pub fn new(state: Arc<AppState>, poll_status: watch::Sender<PollStatus>) -> Self {
        Self {
            leadership: Leadership::new(state.store.clone()),
            state,
            poll_status,
            cycle_lock: Mutex::new(()),
            written: Mutex::new(WrittenFigures::default()),
        }
    }

    /// Changes the published poll status (readers see it at once).
    pub(crate) fn update_poll_status(&self, change: impl FnOnce(&mut PollStatus)) {
        self.poll_status.send_modify(change);
    }

    /// Held while a poll cycle runs: one cycle at a time per process.
    pub(crate) fn cycle_lock(&self) -> &Mutex<()> {
        &self.cycle_lock
    }

    /// What the cycles of this process stored, so a cycle writes only changes.
    pub(crate) fn written(&self) -> &Mutex<WrittenFigures> {
        &self.written
    }
}
