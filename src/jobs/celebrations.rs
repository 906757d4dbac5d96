//! Celebrations of money that went out — never before: one embed per milestone tier in
//! `MILESTONE_CHANNEL_ID` after its tip is sent, and one summary per week in
//! `WEEKLY_MULTIPLIER_LOGS_CHANNEL_ID` once that week's prizes are all sent.
//! Each is claimed in the ledger before posting, so a restart or a second
//! announcer never posts twice; a failed post is released and retried.

use twilight_model::channel::message::Embed;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use crate::app::AppState;
use crate::discord::embeds::{fit_to_limits, game_url, label_dry_run, message_body, PURPLE};
use crate::domain::masking::mask_for_markdown;
use crate::domain::money::Cents;
use crate::domain::payout_keys::PayoutKind;
use crate::store::payouts::{self, PayoutRow};
use crate::store::snapshots::PeriodKind;
use crate::store::standings;
use crate::store::StoreError;

/// Only payouts sent this recently are celebrated, so switching a channel
/// on later does not flood it with old news.
const FRESH_MS: i64 = 24 * 60 * 60 * 1000;

/// Payouts looked at per pass: a pass runs after every sent tip and every
/// cycle, so a backlog drains quickly without loading it all at once.
const SCAN_LIMIT: i64 = 50;

/// Posts every due celebration. Discord failures are logged, never fatal.
pub async fn announce_sent_payouts(state: &AppState) {
    if let Err(e) = announce_milestones(state).await {
        tracing::warn!(error = %e, "milestone celebrations failed");
    }
    if let Err(e) = announce_weeks(state).await {
        tracing::warn!(error = %e, "weekly payout summaries failed");
    }
    if let Err(e) = crate::discord::posts::challenges::announce_wins(state).await {
        tracing::warn!(error = %e, "challenge winners not announced; will retry");
    }
}

/// The celebration of one milestone tip.
pub fn milestone_embed(state: &AppState, payout: &PayoutRow) -> Embed {
    let tier = payout.tier.and_then(|n| {
        state
            .rewards
            .tiers
            .iter()
            .find(|t| i64::from(t.number) == n)
    });
    let (name, threshold, colour, emoji) = match tier {
        Some(t) => (
            t.name.clone(),
            t.threshold,
            t.colour,
            t.emoji.clone().unwrap_or_else(|| "🏅".into()),
        ),
        None => ("Milestone".into(), Cents::ZERO, PURPLE, "🏅".into()),
    };
    let embed = EmbedBuilder::new()
        .title(format!("{emoji} {name} Wager Milestone Achieved!"))
        .color(colour)
        .description(format!(
            "**{}** reached **{}** weighted wager this month!",
            mask_for_markdown(&payout.username),
            threshold
        ))
        .field(EmbedFieldBuilder::new("Tip", payout.amount.to_string()).inline())
        .field(EmbedFieldBuilder::new("Milestone", name).inline())
        .footer(EmbedFooterBuilder::new(
            "Keep playing under our code to unlock the next tier",
        ))
        .build();
    fit_to_limits(label_dry_run(embed, payout.dry_run))
}

/// The next sent, not yet celebrated payouts of `kind` that are still news.
async fn fresh_unannounced(
    conn: &mut sqlx::AnyConnection,
    kind: PayoutKind,
    now_ms: i64,
) -> Result<Vec<PayoutRow>, StoreError> {
    payouts::unannounced_sent(conn, kind, now_ms - FRESH_MS + 1, SCAN_LIMIT).await
}

async fn announce_milestones(state: &AppState) -> Result<(), StoreError> {
    let (Some(discord), Some(channel)) = (&state.discord, state.config.channels.milestone) else {
        return Ok(());
    };
    let now_ms = state.clock.now().timestamp_millis();
    let mut conn = state.store.pool().acquire().await?;
    let due = fresh_unannounced(&mut conn, PayoutKind::Milestone, now_ms).await?;
    for payout in due {
        if !payouts::claim_announcement(&mut conn, payout.id, now_ms).await? {
            continue;
        }
        let body = message_body(vec![milestone_embed(state, &payout)]);
        if let Err(e) = discord.create_message(channel, &body).await {
            tracing::warn!(key = %payout.key, error = %e, "milestone celebration not posted; will retry");
            payouts::release_announcement(&mut conn, payout.id).await?;
            break;
        }
    }
    Ok(())
}

async fn announce_weeks(state: &AppState) -> Result<(), StoreError> {
    let (Some(discord), Some(channel)) =
        (&state.discord, state.config.channels.weekly_multiplier_logs)
    else {
        return Ok(());
    };
    let now_ms = state.clock.now().timestamp_millis();
    let mut conn = state.store.pool().acquire().await?;
    let due = fresh_unannounced(&mut conn, PayoutKind::Multiplier, now_ms).await?;
    let mut weeks: Vec<String> = due.iter().filter_map(|p| p.period_key.clone()).collect();
    weeks.sort();
    weeks.dedup();
    for week in weeks {
        let prizes = payouts::of_period(&mut conn, PayoutKind::Multiplier, &week).await?;
        if prizes.iter().any(|p| p.status != "sent")
            || prizes.iter().all(|p| p.announced_ms.is_some())
        {
            continue; // not all paid yet, or already announced
        }
        // The first prize's claim stands for the week's summary.
        let Some(first) = prizes.first() else {
            continue;
        };
        if !payouts::claim_announcement(&mut conn, first.id, now_ms).await? {
            continue;
        }
        let board = standings::load(&mut conn, PeriodKind::Week, &week).await?;
        let body = message_body(vec![week_summary(&week, &prizes, &board)]);
        match discord.create_message(channel, &body).await {
            Ok(_) => {
                for payout in prizes.iter().skip(1) {
                    payouts::claim_announcement(&mut conn, payout.id, now_ms).await?;
                }
            }
            Err(e) => {
                tracing::warn!(week, error = %e, "weekly summary not posted; will retry");
                payouts::release_announcement(&mut conn, first.id).await?;
            }
        }
    }
    Ok(())
}

fn week_summary(week: &str, prizes: &[PayoutRow], board: &[standings::FinalStanding]) -> Embed {
    let mut lines = Vec::new();
    for payout in prizes {
        let rank = payout
            .key
            .rsplit(':')
            .next()
            .and_then(|r| r.parse::<u32>().ok());
        let hit = rank
            .and_then(|r| board.iter().find(|s| s.rank == r))
            .and_then(|s| s.hit.clone());
        let detail = hit.map_or_else(String::new, |h| {
            format!(
                " — {} on [{}]({})",
                h.multiplier,
                h.game_title,
                game_url(&h.game_id)
            )
        });
        lines.push(format!(
            "**#{}** {}{} · {}",
            rank.unwrap_or_default(),
            mask_for_markdown(&payout.username),
            detail,
            payout.amount
        ));
    }
    let total: Cents = prizes.iter().map(|p| p.amount).sum();
    let embed = EmbedBuilder::new()
        .title(format!("🎰 Weekly Multiplier Payouts — Week of {week}"))
        .color(PURPLE)
        .description(lines.join("\n"))
        .field(EmbedFieldBuilder::new(
            "Total distributed",
            total.to_string(),
        ))
        .build();
    fit_to_limits(label_dry_run(embed, prizes.iter().any(|p| p.dry_run)))
}
