//! `/lifetimestats`: this month's community totals and the tips paid, this
//! month and all time, by kind. Tip figures are sums over the payouts
//! ledger (sent, not dry-run), never a constant added on top. The demo,
//! whose tips are all dry runs, adds them in a field of their own labelled
//! as test data.

use twilight_model::channel::message::embed::EmbedField;
use twilight_model::channel::message::Embed;
use twilight_model::http::interaction::InteractionResponse;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use super::format::as_of;
use crate::discord::commands::{CommandError, Invocation};
use crate::discord::embeds::{fit_to_limits, GOLD};
use crate::discord::respond;
use crate::domain::money::Cents;
use crate::domain::payout_keys::PayoutKind;
use crate::domain::period::MonthPeriod;
use crate::domain::players::MonthTotals;
use crate::domain::wording::count;
use crate::published::Published;
use crate::store::public_tips::Listing;
use crate::store::tip_stats::{self, SentTotals, Tally};
use crate::store::totals;

pub(super) async fn run(invocation: &Invocation<'_>) -> Result<InteractionResponse, CommandError> {
    let published = invocation.state.board.current();
    let month_start = MonthPeriod::containing(invocation.now)
        .start()
        .timestamp_millis();
    // Three small queries on three connections at once: the reply waits
    // for the slowest, not the sum.
    let pool = invocation.state.store.pool();
    let (this_month, all_time, months) = tokio::try_join!(
        async { tip_stats::sent_since(&mut *pool.acquire().await?, Some(month_start)).await },
        async { tip_stats::sent_since(&mut *pool.acquire().await?, None).await },
        async { totals::all(&mut *pool.acquire().await?).await },
    )?;
    let recorded = recorded_totals(&published, &months);
    let mut embed = card(&published, recorded, &this_month, &all_time);
    if invocation.state.tips_listing() == Listing::WithDryRuns {
        let test_tips = tip_stats::dry_run_sent(&mut *pool.acquire().await?).await?;
        embed.fields.push(test_tips_field(test_tips));
    }
    Ok(respond::public_embeds(vec![fit_to_limits(embed)]))
}

/// Every recorded month's totals added up, the current month taken from
/// the snapshot (fresher than its stored row); with the number of months.
fn recorded_totals(
    published: &Published,
    months: &[(String, MonthTotals, bool)],
) -> (Cents, Cents, usize) {
    let current = published.month.period.key();
    let past = months.iter().filter(|(key, _, _)| *key != current);
    let (mut wagered, mut weighted, mut count) = (Cents::ZERO, Cents::ZERO, 0);
    for (_, totals, _) in past {
        wagered = wagered.saturating_add(totals.wagered);
        weighted = weighted.saturating_add(totals.weighted);
        count += 1;
    }
    let now = &published.month.totals;
    (
        wagered.saturating_add(now.wagered),
        weighted.saturating_add(now.weighted),
        count + 1,
    )
}

fn card(
    published: &Published,
    (wagered, weighted, months): (Cents, Cents, usize),
    this_month: &SentTotals,
    all_time: &SentTotals,
) -> Embed {
    let totals = &published.month.totals;
    let month = published.month.period;
    EmbedBuilder::new()
        .title(format!("📈 Community stats · {month}"))
        .color(GOLD)
        .field(EmbedFieldBuilder::new("Total wager", totals.wagered.to_string()).inline())
        .field(EmbedFieldBuilder::new("Weighted wager", totals.weighted.to_string()).inline())
        .field(EmbedFieldBuilder::new("Active players", totals.players.to_string()).inline())
        .field(EmbedFieldBuilder::new(
            format!("All recorded months ({})", count(months as i64, "month")),
            format!("{wagered} total · {weighted} weighted"),
        ))
        .field(
            EmbedFieldBuilder::new(format!("Tips paid in {month}"), tips_text(this_month)).inline(),
        )
        .field(EmbedFieldBuilder::new("Tips paid all time", tips_text(all_time)).inline())
        .footer(EmbedFooterBuilder::new(as_of(published.updated_at)))
        .build()
}

/// The demo's dry-run tips, never mixed into the real figures above.
fn test_tips_field(test_tips: Tally) -> EmbedField {
    EmbedFieldBuilder::new(
        "🧪 Test tips (demo dry runs, no money sent)",
        format!(
            "**{}** ({})",
            test_tips.amount,
            count(test_tips.count, "tip")
        ),
    )
    .build()
}

fn kind_label(kind: PayoutKind) -> &'static str {
    match kind {
        PayoutKind::Milestone => "Milestones",
        PayoutKind::Challenge => "Slot challenges",
        PayoutKind::Leaderboard => "Monthly leaderboard",
        PayoutKind::Multiplier => "Weekly multiplier",
        PayoutKind::Manual => "Manual tips",
    }
}

fn tips_text(sent: &SentTotals) -> String {
    let mut lines: Vec<String> = sent
        .by_kind
        .iter()
        .map(|(kind, tally)| {
            format!(
                "{}: **{}** ({})",
                kind_label(*kind),
                tally.amount,
                tally.count
            )
        })
        .collect();
    let total = sent.total();
    lines.push(format!(
        "**Total: {}** ({})",
        total.amount,
        count(total.count, "tip")
    ));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tip_is_one_tip() {
        let sent = SentTotals {
            by_kind: vec![(
                PayoutKind::Milestone,
                Tally {
                    count: 1,
                    amount: Cents::new(100),
                },
            )],
        };
        let text = tips_text(&sent);
        assert!(text.ends_with("**Total: $1.00** (1 tip)"), "{text}");
    }
}
