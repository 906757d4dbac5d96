//! Background work: the scheduler and its leader lock, the poll cycle, the
//! publisher of channel messages, and rebuilding the published snapshot.

pub mod celebrations;
pub mod challenges;
pub mod first_run;
pub mod goals;
pub mod history;
pub mod leader;
pub mod milestones;
pub mod payout_worker;
pub mod poll;
pub mod publisher;
pub mod rollover;
pub mod runtime;
pub mod scheduler;
pub mod written;

use crate::app::AppState;

/// What follows a successful cycle on the leader: the channel messages.
pub async fn after_cycle(state: &AppState) {
    let report = publisher::publish_boards(state).await;
    if report.failed > 0 {
        tracing::warn!(?report, "some board messages could not be updated");
    }
    challenges::publish_challenges(state).await;
    celebrations::announce_sent_payouts(state).await;
    goals::announce_goals(state).await;
}
