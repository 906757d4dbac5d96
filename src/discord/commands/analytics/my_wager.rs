//! `/mywager`: a player's own month, ephemeral. Answered from the published
//! snapshot alone (no database), so it stays fast however many ask at once.

use twilight_model::channel::message::Embed;
use twilight_model::http::interaction::InteractionResponse;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use super::format::{as_of, escape_markdown, money_short};
use crate::discord::commands::definitions::MyWager;
use crate::discord::commands::{CommandError, Invocation};
use crate::discord::embeds::{fit_to_limits, GOLD};
use crate::discord::respond;
use crate::domain::milestones::{current_tier, next_tier, Tier};
use crate::domain::money::Cents;
use crate::domain::names::Username;
use crate::domain::players::PlayerFigures;
use crate::domain::wording::count;
use crate::domain::wording::progress_bar;
use crate::published::Published;
use crate::store::players;

pub(super) async fn run(
    invocation: &Invocation<'_>,
    command: MyWager,
) -> Result<InteractionResponse, CommandError> {
    let username = Username::parse(command.username.as_str())
        .map_err(|e| CommandError::Invalid(format!("`username` {e}")))?;
    let published = invocation.state.board.current();
    let named = published.month_players_named(username.as_str());
    let player = match named.as_slice() {
        [] => {
            return Ok(respond::ephemeral_text(unknown_player(
                &published,
                &username,
                invocation.state.config.poll_interval_secs,
            )))
        }
        [one] => *one,
        several => {
            return Ok(respond::ephemeral_text(
                crate::discord::commands::player_names::ambiguous(
                    several.iter().map(|p| p.username.as_str()),
                    "so I can't tell whose wagers you mean",
                ),
            ))
        }
    };
    let excluded = invocation.state.rewards.excluded_uids.contains(&player.uid) || {
        let mut conn = invocation.state.store.pool().acquire().await?;
        players::is_excluded(&mut conn, &player.uid).await?
    };
    let embed = if excluded {
        excluded_card(&published, player)
    } else {
        card(&published, player, &invocation.state.rewards.tiers)
    };
    Ok(respond::ephemeral_embeds(vec![fit_to_limits(embed)]))
}

fn unknown_player(published: &Published, username: &Username, poll_secs: u64) -> String {
    if published.updated_at.is_none() {
        return "No wager data has been fetched yet; please try again in a few minutes."
            .to_string();
    }
    let minutes = poll_secs.div_ceil(60).max(1);
    format!(
        "🔎 I can't find `{username}` among the players who wagered under our affiliate code in {}.\n\
         • Check the spelling: it must be your **Roobet** username.\n\
         • Check that your Roobet account uses our **affiliate code**: only wagers under it count.\n\
         • New wagers show up within about {}.",
        published.month.period,
        count(minutes as i64, "minute")
    )
}

/// The card of a player on the exclusion list: their figures, and plainly
/// that they are not ranked and earn nothing automatically (never a "next
/// tier" they cannot reach).
fn excluded_card(published: &Published, player: &PlayerFigures) -> Embed {
    EmbedBuilder::new()
        .title(format!(
            "📊 {} · {}",
            escape_markdown(&player.username),
            published.month.period
        ))
        .color(GOLD)
        .description(
            "🚫 This account is on the community's exclusion list: it is not ranked on the \
             boards and earns no milestones, challenge prizes or automatic tips. Ask an admin \
             if you think this is a mistake.",
        )
        .field(EmbedFieldBuilder::new("Total wager", player.wagered.to_string()).inline())
        .field(
            EmbedFieldBuilder::new("Weighted wager", player.weighted_wagered.to_string()).inline(),
        )
        .footer(EmbedFooterBuilder::new(as_of(published.updated_at)))
        .build()
}

fn card(published: &Published, player: &PlayerFigures, tiers: &[Tier]) -> Embed {
    let month = &published.month;
    let weighted = player.weighted_wagered;
    let mut builder = EmbedBuilder::new()
        .title(format!(
            "📊 {} · {}",
            escape_markdown(&crate::domain::names::display_name(&player.username)),
            month.period
        ))
        .color(current_tier(tiers, weighted).map_or(GOLD, |t| t.colour))
        .field(EmbedFieldBuilder::new("Total wager", player.wagered.to_string()).inline())
        .field(EmbedFieldBuilder::new("Weighted wager", weighted.to_string()).inline())
        .field(EmbedFieldBuilder::new(
            "Leaderboard",
            rank_text(published, player),
        ))
        .field(EmbedFieldBuilder::new(
            "Milestone",
            tier_text(tiers, weighted),
        ))
        .field(EmbedFieldBuilder::new(
            "Best multiplier this week",
            week_text(published, player),
        ));
    builder = builder.footer(EmbedFooterBuilder::new(format!(
        "Only weighted wager ranks and earns milestones · {}",
        as_of(published.updated_at)
    )));
    builder.build()
}

fn rank_text(published: &Published, player: &PlayerFigures) -> String {
    let entries = &published.month.entries;
    let Some(entry) = entries.iter().find(|e| e.uid == player.uid) else {
        return if player.weighted_wagered.is_positive() {
            "Not on the leaderboard this month.".to_string()
        } else {
            "Not ranked yet: only weighted wager (slots and house games, dice excluded) ranks."
                .to_string()
        };
    };
    let mut text = format!("**#{}** of {}", entry.rank, entries.len());
    match entry.prize {
        Some(prize) => text.push_str(&format!(
            " · holds the **{}** prize now",
            money_short(prize)
        )),
        None => text.push_str(&format!(
            " · prizes go to the top {}",
            published.month.prizes.len()
        )),
    }
    let above = usize::try_from(entry.rank)
        .ok()
        .and_then(|rank| rank.checked_sub(2))
        .and_then(|i| entries.get(i));
    if let Some(above) = above {
        let gap = above
            .weighted_wagered
            .saturating_sub(entry.weighted_wagered);
        text.push_str(&format!("\n{gap} weighted behind #{}", above.rank));
    }
    text
}

fn tier_text(tiers: &[Tier], weighted: Cents) -> String {
    let reached = current_tier(tiers, weighted);
    let mut text = match reached {
        Some(tier) => format!(
            "{} **{}** reached (≥ {})",
            tier.emoji.as_deref().unwrap_or("🏅"),
            tier.name,
            money_short(tier.threshold)
        ),
        None => "No tier reached yet this month.".to_string(),
    };
    match next_tier(tiers, weighted) {
        Some((next, missing)) => {
            let from = reached.map_or(Cents::ZERO, |t| t.threshold);
            text.push_str(&format!(
                "\nNext: **{}** at {} weighted, **{missing}** to go\n{}",
                next.name,
                money_short(next.threshold),
                progress_bar(weighted, from, next.threshold)
            ));
        }
        None if !tiers.is_empty() => text.push_str("\n🏆 Every tier reached this month!"),
        None => {}
    }
    text
}

fn week_text(published: &Published, player: &PlayerFigures) -> String {
    match published.week.entries.iter().find(|e| e.uid == player.uid) {
        Some(entry) => format!(
            "**{}** on {} (bet {}) · #{} this week",
            entry.hit.multiplier,
            escape_markdown(if entry.hit.game_title.is_empty() {
                &entry.hit.game_id
            } else {
                &entry.hit.game_title
            }),
            entry.hit.bet,
            entry.rank
        ),
        None => "No multiplier hit this week yet.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::milestones::default_tiers;

    #[test]
    fn tier_text_gives_the_amount_missing_to_the_cent() {
        let text = tier_text(&default_tiers(), Cents::new(87_655));
        assert!(text.contains("**Rank 7** reached"), "{text}");
        assert!(
            text.contains("**Rank 8** at $1,000 weighted, **$123.45** to go"),
            "{text}"
        );
        let none = tier_text(&default_tiers(), Cents::new(0));
        assert!(none.starts_with("No tier reached yet"), "{none}");
        assert!(none.contains("**$50.00** to go"), "{none}");
    }
}
