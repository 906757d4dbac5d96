//! Community goal announcements: each goal on the month's total wager is
//! announced once per month in `MONTHLY_GOAL_CHANNEL_ID`, never a lower goal
//! after a higher one, exactly once across restarts and replicas.
//!
//! The goal is claimed in `goal_announcements` before the message is posted
//! (the insert that loses a race posts nothing); lower goals reached at the
//! same time are marked announced with it, so they are skipped for good. A
//! post that fails in a way proving nothing was posted gives the claim back
//! for the next cycle; an ambiguous failure (timeout, 5xx) keeps it, since
//! a second copy is worse than a missing one.

use chrono::{DateTime, Utc};
use serde_json::Value;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use crate::app::AppState;
use crate::discord::embeds::{message_body, GOLD};
use crate::discord::rest::{call_outcome, RestError};
use crate::domain::goals::{
    goal_to_announce, newly_reached_goals, next_goal_text, projection_text,
};
use crate::domain::money::Cents;
use crate::domain::wording;
use crate::published::MonthBoard;
use crate::store::{goals, StoreError};
use crate::telemetry::ErrorChain;

/// What one pass did, for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalOutcome {
    /// No channel or no bot token: nothing is announced (or claimed).
    Off,
    /// No goal above the last announced one was reached.
    Nothing,
    /// Another cycle or replica claimed this goal (or a higher one) first.
    ClaimedElsewhere(Cents),
    /// This pass posted the announcement of this goal.
    Announced(Cents),
    /// Posting failed; the claim was given back when nothing was posted.
    Failed(Cents),
}

/// After a cycle: announce the highest newly reached goal, if any.
pub async fn announce_goals(state: &AppState) {
    match announce(state).await {
        Ok(GoalOutcome::Announced(goal)) => {
            tracing::info!(goal = %goal, "community goal announced")
        }
        Ok(outcome) => tracing::debug!(?outcome, "community goals checked"),
        Err(error) => {
            tracing::warn!(error = %ErrorChain(&error), "cannot check community goals; next cycle retries")
        }
    }
}

/// One pass of [`announce_goals`], reporting what it did.
pub async fn announce(state: &AppState) -> Result<GoalOutcome, StoreError> {
    let (Some(discord), Some(channel_id)) =
        (state.discord.as_ref(), state.config.channels.monthly_goal)
    else {
        return Ok(GoalOutcome::Off);
    };
    let published = state.board.current();
    let month = &published.month;
    let key = month.period.key();
    let ladder = &state.rewards.goals;
    let total = month.totals.wagered;
    let mut conn = state.store.pool().acquire().await?;
    let highest = goals::highest_announced(&mut conn, &key).await?;
    let Some(goal) = goal_to_announce(ladder, total, highest) else {
        return Ok(GoalOutcome::Nothing);
    };
    let lower = newly_reached_goals(ladder, total, highest);
    let now = state.clock.now();
    if !goals::claim(&mut conn, &key, goal, &lower, now.timestamp_millis()).await? {
        return Ok(GoalOutcome::ClaimedElsewhere(goal));
    }
    let body = announcement(month, goal, ladder, now);
    let posted = discord.create_message(channel_id, &body).await;
    state
        .metrics
        .external_call("discord", call_outcome(posted.as_ref().err()));
    match posted {
        Ok(_) => Ok(GoalOutcome::Announced(goal)),
        Err(error) => {
            let nothing_posted = matches!(
                error,
                RestError::Unauthorized
                    | RestError::Forbidden(_)
                    | RestError::NotFound(_)
                    | RestError::RateLimited
            ) || matches!(error, RestError::Status { status, .. } if status < 500);
            tracing::warn!(error = %ErrorChain(&error), goal = %goal, nothing_posted, "cannot post the goal announcement");
            if nothing_posted {
                goals::release(&mut conn, &key, goal).await?;
            }
            Ok(GoalOutcome::Failed(goal))
        }
    }
}

fn announcement(month: &MonthBoard, goal: Cents, ladder: &[Cents], now: DateTime<Utc>) -> Value {
    let totals = &month.totals;
    let embed = EmbedBuilder::new()
        .title(format!("🎉 Community goal reached: {goal}!"))
        .description(format!(
            "Together we have wagered **{}** in {} — past the **{goal}** goal. \
             Thank you to every one of our {} for playing under our code! 💛",
            totals.wagered,
            month.period,
            wording::count(i64::from(totals.players), "player")
        ))
        .color(GOLD)
        .field(EmbedFieldBuilder::new("Total wager", totals.wagered.to_string()).inline())
        .field(EmbedFieldBuilder::new("Weighted wager", totals.weighted.to_string()).inline())
        .field(EmbedFieldBuilder::new("Players", totals.players.to_string()).inline())
        .field(EmbedFieldBuilder::new(
            "Next goal",
            next_goal_text(ladder, totals.wagered),
        ))
        .field(EmbedFieldBuilder::new(
            "Projected month end",
            projection_text(&month.totals, month.period, now),
        ))
        .footer(EmbedFooterBuilder::new(
            "Goals count the community's total wager (all games)",
        ))
        .build();
    message_body(vec![embed])
}
