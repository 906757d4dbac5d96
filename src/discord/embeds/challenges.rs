//! Discord bodies of the slot challenges: the live board in
//! `CHALLENGE_CHANNEL_ID` (also the `/challenge_results` reply), the
//! new-challenge announcement and the winner's announcement.
//!
//! Pure functions of stored rows and an injected "now": every username is
//! masked for Markdown, admin-typed names are escaped, every body mentions
//! no one and is cut to Discord's limits by the shared embed helpers.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use twilight_model::channel::message::Embed;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use crate::discord::embeds::{fit_to_limits, game_url, label_dry_run, message_body};
use crate::domain::challenges::BestAttempt;
use crate::domain::masking::mask_for_markdown;
use crate::domain::money::{Cents, Multiplier};
use crate::domain::wording::duration_text;
use crate::store::challenges::ChallengeRow;

/// Colour of every challenge message (green), told apart from the boards.
pub const CHALLENGE_COLOUR: u32 = 0x00_C8_53;
/// Winners listed under the active challenges.
pub const RECENT_WINNERS: usize = 5;

/// `$25` for round prizes, else `$12.50`.
pub fn prize_text(prize: Cents) -> String {
    let text = prize.to_string();
    text.strip_suffix(".00")
        .map_or(text.clone(), str::to_string)
}

/// Backslash-escapes Discord Markdown in admin-typed text (game names).
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if "\\*_~`|>#[]()-:<@".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn heading(row: &ChallengeRow) -> String {
    let emoji = row
        .emoji
        .as_deref()
        .map(|e| format!("{e} "))
        .unwrap_or_default();
    format!("#{} {emoji}{}", row.id, row.game_name)
}

fn linked_game(row: &ChallengeRow) -> String {
    format!(
        "[{}]({})",
        escape_markdown(&row.game_name),
        game_url(&row.game_id)
    )
}

fn min_bet_text(min_bet: Option<Cents>) -> String {
    min_bet.map_or_else(|| "none".to_string(), |b| b.to_string())
}

fn active_field(row: &ChallengeRow, attempts: &[BestAttempt], shown: usize) -> EmbedFieldBuilder {
    let best_line = match attempts {
        [] => "Best so far: no attempt yet".to_string(),
        [b, ..] if shown <= 1 => format!(
            "Best so far: {} — {} ({} bet)",
            mask_for_markdown(&b.username),
            Multiplier(b.multiplier_x100),
            Cents(b.bet_cents)
        ),
        _ => {
            let lines: Vec<String> = attempts
                .iter()
                .take(shown)
                .enumerate()
                .map(|(i, b)| {
                    format!(
                        "{}. {} — **{}** · {} bet · {} payout",
                        i + 1,
                        mask_for_markdown(&b.username),
                        Multiplier(b.multiplier_x100),
                        Cents(b.bet_cents),
                        Cents(b.payout_cents)
                    )
                })
                .collect();
            format!("Best attempts so far:\n{}", lines.join("\n"))
        }
    };
    let value = format!(
        "{} · `{}`\nNeed **≥ {}** · min bet {}\nPrize **{}** · started <t:{}:R>\n{best_line}",
        linked_game(row),
        row.game_id,
        row.required,
        min_bet_text(row.min_bet),
        prize_text(row.prize),
        row.start_ms.div_euclid(1000),
    );
    EmbedFieldBuilder::new(heading(row), value)
}

fn winner_line(row: &ChallengeRow) -> String {
    format!(
        "{} — {} on {} · {} bet · won {}",
        mask_for_markdown(row.winner_username.as_deref().unwrap_or("")),
        row.winner_multiplier.unwrap_or_default(),
        linked_game(row),
        row.winner_bet.unwrap_or_default(),
        prize_text(row.prize),
    )
}

/// The live challenge board: each active challenge with its linked game,
/// requirement, prize, start and its best `shown` attempts so far (the
/// channel board shows 1, `/challenge_results` [`TOP_ATTEMPTS`]), then the
/// last [`RECENT_WINNERS`] winners.
pub fn board_embed(
    active: &[ChallengeRow],
    attempts: &HashMap<i64, Vec<BestAttempt>>,
    shown: usize,
    winners: &[ChallengeRow],
    public_base_url: &str,
    now: DateTime<Utc>,
) -> Embed {
    let page = format!("{}/challenges", public_base_url.trim_end_matches('/'));
    let description = if active.is_empty() {
        format!("No active challenges right now.\n[Winners' archive]({page})")
    } else {
        format!(
            "First poll to find a qualifying hit closes a challenge; the highest \
             multiplier wins (ties: larger bet).\n[All challenges and winners]({page})"
        )
    };
    let mut builder = EmbedBuilder::new()
        .title(format!("🎰 Active Slot Challenges ({})", active.len()))
        .url(page)
        .color(CHALLENGE_COLOUR)
        .description(description);
    for row in active {
        let listed = attempts.get(&row.id).map_or(&[][..], Vec::as_slice);
        builder = builder.field(active_field(row, listed, shown));
    }
    let recent: Vec<String> = winners
        .iter()
        .take(RECENT_WINNERS)
        .map(winner_line)
        .collect();
    if !recent.is_empty() {
        builder = builder.field(EmbedFieldBuilder::new("Recent winners", recent.join("\n")));
    }
    let embed = builder
        .footer(EmbedFooterBuilder::new(format!(
            "Updated {} UTC",
            now.format("%-d %b %Y, %H:%M")
        )))
        .build();
    fit_to_limits(embed)
}

/// The board as a message body, ready to POST or PATCH.
pub fn board_message(
    active: &[ChallengeRow],
    attempts: &HashMap<i64, Vec<BestAttempt>>,
    winners: &[ChallengeRow],
    public_base_url: &str,
    now: DateTime<Utc>,
) -> Value {
    message_body(vec![board_embed(
        active,
        attempts,
        1,
        winners,
        public_base_url,
        now,
    )])
}

/// The announcement of a new challenge, linking the game.
pub fn new_challenge_message(row: &ChallengeRow) -> Value {
    let bet = row
        .min_bet
        .map(|b| format!(" with a bet of at least **{b}**"))
        .unwrap_or_default();
    let embed = EmbedBuilder::new()
        .title(format!("🆕 New Slot Challenge: {}", heading(row)))
        .url(game_url(&row.game_id))
        .color(CHALLENGE_COLOUR)
        .description(format!(
            "First to hit **{}** or more on {}{bet} wins **{}**!",
            row.required,
            linked_game(row),
            prize_text(row.prize)
        ))
        .field(EmbedFieldBuilder::new("Required", row.required.to_string()).inline())
        .field(EmbedFieldBuilder::new("Minimum bet", min_bet_text(row.min_bet)).inline())
        .field(EmbedFieldBuilder::new("Prize", prize_text(row.prize)).inline())
        .field(
            EmbedFieldBuilder::new(
                "Started",
                format!("<t:{}:f>", row.start_ms.div_euclid(1000)),
            )
            .inline(),
        )
        .build();
    message_body(vec![embed])
}

/// The public notice of a cancelled challenge (the original bot posted one
/// in the log channel): which challenge, that no prize is paid, how long it
/// ran. Never names the admin who cancelled it.
pub fn cancel_message(row: &ChallengeRow) -> Value {
    let ran = duration_text(row.ended_ms.unwrap_or(row.start_ms) - row.start_ms);
    let embed = EmbedBuilder::new()
        .title(format!("🛑 Slot Challenge Cancelled: {}", heading(row)))
        .url(game_url(&row.game_id))
        .color(CANCELLED_COLOUR)
        .description(format!(
            "The challenge to hit **{}** on {} for **{}** was cancelled by the staff. \
             No prize is paid for it.",
            row.required,
            linked_game(row),
            prize_text(row.prize)
        ))
        .field(EmbedFieldBuilder::new("Ran for", ran).inline())
        .build();
    message_body(vec![embed])
}

/// Grey: a cancelled challenge is news, not a celebration.
const CANCELLED_COLOUR: u32 = 0x95_A5_A6;

/// The winner's announcement, posted once the prize's tip was sent: masked
/// name, multiplier, bet, prize and how long the challenge ran; labelled as
/// a test when the tip was a dry run.
pub fn win_message(row: &ChallengeRow, dry_run: bool) -> Value {
    let name = mask_for_markdown(row.winner_username.as_deref().unwrap_or(""));
    let multiplier = row.winner_multiplier.unwrap_or_default();
    let bet = row.winner_bet.unwrap_or_default();
    let ran = duration_text(row.ended_ms.unwrap_or(row.start_ms) - row.start_ms);
    let embed = EmbedBuilder::new()
        .title(format!("🏆 Slot Challenge Won: {}", heading(row)))
        .url(game_url(&row.game_id))
        .color(CHALLENGE_COLOUR)
        .description(format!(
            "**{name}** hit **{multiplier}** on {} with a **{bet}** bet and wins **{}**!",
            linked_game(row),
            prize_text(row.prize)
        ))
        .field(EmbedFieldBuilder::new("Required", row.required.to_string()).inline())
        .field(EmbedFieldBuilder::new("Multiplier", multiplier.to_string()).inline())
        .field(EmbedFieldBuilder::new("Bet", bet.to_string()).inline())
        .field(EmbedFieldBuilder::new("Prize", prize_text(row.prize)).inline())
        .field(EmbedFieldBuilder::new("Duration", ran).inline())
        .build();
    message_body(vec![label_dry_run(embed, dry_run)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(30_000), "under a minute");
        assert_eq!(duration_text(12 * 60_000), "12 min");
        assert_eq!(duration_text(125 * 60_000), "2 h 5 min");
        assert_eq!(duration_text((26 * 60 + 3) * 60_000), "1 day 2 h");
        assert_eq!(duration_text(3 * 86_400_000), "3 days 0 h");
        assert_eq!(duration_text(-5), "under a minute");
    }

    #[test]
    fn prizes_drop_zero_cents_and_markdown_is_escaped() {
        assert_eq!(prize_text(Cents(2_500)), "$25");
        assert_eq!(prize_text(Cents(1_250)), "$12.50");
        assert_eq!(escape_markdown("a*b_[c]"), "a\\*b\\_\\[c\\]");
    }
}
