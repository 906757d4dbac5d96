//! Community goal announcements: each goal on the month's total wager is
//! announced once per month in `MONTHLY_GOAL_CHANNEL_ID`, never a lower goal
//! after a higher one, exactly once across restarts and replicas.

use crate::app::AppState;

/// After a cycle: announce the highest newly reached goal, if any.
pub async fn announce_goals(_state: &AppState) {}
