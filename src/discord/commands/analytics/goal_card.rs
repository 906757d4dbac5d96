//! `/monthlygoal`: the community's progress up the goal ladder this month,
//! from the published snapshot alone.

use chrono::{DateTime, Utc};
use twilight_model::channel::message::Embed;
use twilight_model::http::interaction::InteractionResponse;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use super::format::{as_of, money_short};
use crate::discord::commands::Invocation;
use crate::discord::embeds::{fit_to_limits, GOLD};
use crate::discord::respond;
use crate::domain::goals::next_goal;
use crate::domain::goals::{next_goal_text, projection_text};
use crate::domain::money::Cents;
use crate::published::Published;

pub(super) fn run(invocation: &Invocation<'_>) -> InteractionResponse {
    let published = invocation.state.board.current();
    let embed = card(&published, &invocation.state.rewards.goals, invocation.now);
    respond::public_embeds(vec![fit_to_limits(embed)])
}

fn card(published: &Published, ladder: &[Cents], now: DateTime<Utc>) -> Embed {
    let month = &published.month;
    let totals = &month.totals;
    EmbedBuilder::new()
        .title(format!("🎯 Community goals · {}", month.period))
        .description(
            "Goals count the community's **total** wager on every game; \
             each one reached is celebrated in the goals channel.",
        )
        .color(GOLD)
        .field(EmbedFieldBuilder::new("Total wager", totals.wagered.to_string()).inline())
        .field(EmbedFieldBuilder::new("Weighted wager", totals.weighted.to_string()).inline())
        .field(EmbedFieldBuilder::new("Active players", totals.players.to_string()).inline())
        .field(EmbedFieldBuilder::new(
            "Next goal",
            next_goal_text(ladder, totals.wagered),
        ))
        .field(EmbedFieldBuilder::new(
            "Projected month end",
            projection_text(&month.totals, month.period, now),
        ))
        .field(EmbedFieldBuilder::new(
            "Goal ladder",
            ladder_text(ladder, totals.wagered),
        ))
        .footer(EmbedFooterBuilder::new(as_of(published.updated_at)))
        .build()
}

/// One line per goal: ✅ reached, ▶️ next, ⬜ later.
fn ladder_text(ladder: &[Cents], total: Cents) -> String {
    if ladder.is_empty() {
        return "No community goals are set.".to_string();
    }
    let next = next_goal(ladder, total);
    let mut goals = ladder.to_vec();
    goals.sort_unstable();
    goals.dedup();
    goals
        .iter()
        .map(|&goal| {
            let mark = if goal <= total {
                "✅"
            } else if Some(goal) == next {
                "▶️"
            } else {
                "⬜"
            };
            format!("{mark} {}", money_short(goal))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::goals::default_ladder;

    #[test]
    fn the_ladder_marks_reached_next_and_later_goals() {
        let text = ladder_text(&default_ladder(), Cents::from_dollars(60_000));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 20);
        assert_eq!(lines[0], "✅ $25,000");
        assert_eq!(lines[1], "✅ $50,000");
        assert_eq!(lines[2], "▶️ $75,000");
        assert_eq!(lines[3], "⬜ $100,000");
    }
}
