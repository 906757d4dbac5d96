//! Members' commands over the published snapshot: `/mywager`,
//! `/monthlygoal`, `/monthtomonth`, `/lifetimestats`.
//!
//! Each answers from `state.board.current()` plus at most a couple of small
//! indexed queries, so a reply takes milliseconds; only the chart, which
//! needs drawing, goes through the deferred path.

mod format;
mod goal_card;
mod lifetime;
mod month_to_month;
mod my_wager;

use twilight_model::http::interaction::InteractionResponse;

use super::definitions::{LifetimeStats, MonthToMonth, MonthlyGoal, MyWager};
use super::{CommandError, Invocation};

/// Runs `/mywager`.
pub async fn mywager(
    invocation: &Invocation<'_>,
    command: MyWager,
) -> Result<InteractionResponse, CommandError> {
    my_wager::run(invocation, command).await
}

/// Runs `/monthlygoal`.
pub async fn monthlygoal(
    invocation: &Invocation<'_>,
    _command: MonthlyGoal,
) -> Result<InteractionResponse, CommandError> {
    Ok(goal_card::run(invocation))
}

/// Runs `/monthtomonth`.
pub async fn monthtomonth(
    invocation: &Invocation<'_>,
    command: MonthToMonth,
) -> Result<InteractionResponse, CommandError> {
    month_to_month::run(invocation, command)
}

/// Runs `/lifetimestats`.
pub async fn lifetimestats(
    invocation: &Invocation<'_>,
    _command: LifetimeStats,
) -> Result<InteractionResponse, CommandError> {
    lifetime::run(invocation).await
}
