//! Background work: the scheduler and its leader lock, the poll cycle, the
//! publisher of channel messages, and rebuilding the published snapshot.

pub mod leader;
pub mod poll;
pub mod rebuild;
pub mod rollover;
pub mod scheduler;

use crate::app::AppState;

/// What follows a successful cycle on the leader: channel messages.
pub async fn after_cycle(state: &AppState) {
    let _ = state;
}
