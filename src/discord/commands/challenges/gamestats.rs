//! `/gamestats`: one game's wager, best multiplier and players for a month,
//! from one "one game" affiliate call (spec/roobet-api.md).
//!
//! The call is the only one a member can cause, so answers are cached per
//! request (current month for a few minutes, past months for hours) and
//! bounded by a deadline inside Discord's 3 seconds.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use twilight_model::channel::message::Embed;
use twilight_model::http::interaction::InteractionResponse;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use crate::cache::TtlCache;
use crate::discord::commands::definitions::GameStats;
use crate::discord::commands::options::Whole;
use crate::discord::commands::{CommandError, Invocation};
use crate::discord::embeds::challenges::CHALLENGE_COLOUR;
use crate::discord::embeds::{fit_to_limits, game_url};
use crate::discord::respond;
use crate::domain::challenges::GameIdentifier;
use crate::domain::masking::mask_for_markdown;
use crate::domain::money::Cents;
use crate::domain::names::Username;
use crate::domain::period::MonthPeriod;
use crate::domain::players::{Hit, PlayerFigures};
use crate::roobet::affiliate::{AffiliateClient, StatsFilter, StatsQuery};
use crate::roobet::wire::StatsRow;
use crate::store::games;
use crate::telemetry::ErrorChain;

/// Longest we wait for the API before answering that it is slow.
const API_DEADLINE: Duration = Duration::from_millis(2_500);
/// How long an answer for the running month is reused.
const CURRENT_TTL: TimeDelta = TimeDelta::minutes(5);
/// How long an answer for a closed month is reused.
const PAST_TTL: TimeDelta = TimeDelta::hours(6);

fn invalid(option: &str, rule: impl std::fmt::Display) -> CommandError {
    CommandError::Invalid(format!("`{option}` {rule}"))
}

/// What `/gamestats` was asked, read and checked.
struct Request {
    game: GameIdentifier,
    /// One player's figures instead of the game's totals.
    username: Option<Username>,
    period: MonthPeriod,
}

impl Request {
    fn read(invocation: &Invocation<'_>, command: GameStats) -> Result<Self, CommandError> {
        let game = GameIdentifier::parse(command.game_identifier.as_str()).map_err(|e| {
            invalid(
                "game_identifier",
                // The error names its own limit (length, characters, shape).
                format!("is not valid: {e}"),
            )
        })?;
        let username = command
            .username
            .map(|u| Username::parse(u.as_str()).map_err(|e| invalid("username", e)))
            .transpose()?;
        let period = month_of(invocation, command.month, command.year)?;
        Ok(Self {
            game,
            username,
            period,
        })
    }
}

/// The month asked for: this month by default, no future month.
fn month_of(
    invocation: &Invocation<'_>,
    month: Option<Whole>,
    year: Option<Whole>,
) -> Result<MonthPeriod, CommandError> {
    let this = MonthPeriod::containing(invocation.now);
    let (year, month) = match (year.map(|y| y.0), month.map(|m| m.0)) {
        (None, None) => return Ok(this),
        (Some(_), None) => return Err(invalid("month", "is needed when `year` is given (1-12)")),
        (year, Some(month)) => (year.unwrap_or(i64::from(this.year())), month),
    };
    if !(1..=12).contains(&month) {
        return Err(invalid("month", "must be between 1 and 12"));
    }
    if !(2020..=2100).contains(&year) {
        return Err(invalid("year", "must be between 2020 and 2100"));
    }
    let period = i32::try_from(year)
        .ok()
        .zip(u32::try_from(month).ok())
        .and_then(|(y, m)| MonthPeriod::new(y, m).ok())
        .ok_or_else(|| invalid("month", "is not a valid month"))?;
    if period.start() > invocation.now {
        return Err(invalid("month", format!("{period} is in the future")));
    }
    Ok(period)
}

fn best_hit<'a>(
    rows: impl Iterator<Item = &'a PlayerFigures>,
    game: &str,
) -> Option<(&'a PlayerFigures, &'a Hit)> {
    rows.filter_map(|p| p.best_hit.as_ref().map(|h| (p, h)))
        .filter(|(_, h)| h.game_id == game)
        .max_by(|(_, a), (_, b)| a.multiplier.cmp(&b.multiplier).then(a.bet.cmp(&b.bet)))
}

fn hit_text(player: &PlayerFigures, hit: &Hit) -> String {
    format!(
        "{} — {} ({} bet, {} payout)",
        mask_for_markdown(&player.username),
        hit.multiplier,
        hit.bet,
        hit.payout
    )
}

/// Players listed on a game's card (masked), biggest wager first.
const TOP_PLAYERS: usize = 10;

/// The top [`TOP_PLAYERS`] players on the game by wager: masked name,
/// wager and their best multiplier on it.
fn top_players_text(rows: &[PlayerFigures], game: &str) -> String {
    let mut ranked: Vec<&PlayerFigures> = rows.iter().filter(|p| p.wagered.is_positive()).collect();
    ranked.sort_by(|a, b| b.wagered.cmp(&a.wagered).then_with(|| a.uid.cmp(&b.uid)));
    let lines: Vec<String> = ranked
        .iter()
        .take(TOP_PLAYERS)
        .enumerate()
        .map(|(i, p)| {
            let best = p
                .best_hit
                .as_ref()
                .filter(|h| h.game_id == game)
                .map(|h| format!(" · best {}", h.multiplier))
                .unwrap_or_default();
            format!(
                "{}. {} — {}{best}",
                i + 1,
                mask_for_markdown(&p.username),
                p.wagered
            )
        })
        .collect();
    if lines.is_empty() {
        "nobody yet".into()
    } else {
        lines.join("\n")
    }
}

/// Runs `/gamestats`.
pub async fn run(
    invocation: &Invocation<'_>,
    command: GameStats,
) -> Result<InteractionResponse, CommandError> {
    let request = Request::read(invocation, command)?;
    let Some(client) = invocation.state.affiliate.as_ref() else {
        return Ok(respond::ephemeral_text(
            "Game stats come from the Roobet affiliate API, which is not configured on this server.",
        ));
    };
    let rows = match figures(
        &invocation.state.gamestats_cache,
        client,
        &request,
        invocation.now,
    )
    .await
    {
        Ok(rows) => rows,
        Err(apology) => return Ok(respond::ephemeral_text(apology)),
    };
    let known_title = {
        let mut conn = invocation.state.store.pool().acquire().await?;
        games::title_of(&mut conn, request.game.as_str()).await?
    };
    if rows.is_empty() && known_title.is_none() {
        // Never a $0 card linking to a game page that may not exist.
        return Ok(respond::ephemeral_text(format!(
            "I don't know the game `{}`: nobody under our code has played it, and it is not \
             in the games seen so far. Check the identifier (`provider:game`, as in the \
             game's Roobet address) or pick one from the suggestions.",
            request.game.as_str()
        )));
    }
    let is_current = request.period.contains(invocation.now);
    let embed = card(&request, &rows, known_title, is_current);
    Ok(respond::ephemeral_embeds(vec![fit_to_limits(embed)]))
}

/// Every player's figures on the game for the month, from the cache or one
/// affiliate call within [`API_DEADLINE`]; on failure, the apology to show.
async fn figures(
    cache: &TtlCache<Vec<PlayerFigures>>,
    client: &AffiliateClient,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Vec<PlayerFigures>, &'static str> {
    let period = request.period;
    let query = StatsQuery {
        start: period.start(),
        end: period.end_inclusive(),
        filter: StatsFilter::Game(request.game.as_str().to_owned()),
    };
    // The URL names the API host, the affiliate, the window and the game.
    let key = client.url_for(&query, period.start()).to_string();
    let ttl = if period.contains(now) {
        CURRENT_TTL
    } else {
        PAST_TTL
    };
    if let Some(rows) = cache.get(&key, now, ttl) {
        return Ok(rows);
    }
    let query = StatsQuery {
        end: period.end_inclusive().min(now),
        ..query
    };
    match tokio::time::timeout(API_DEADLINE, client.stats(&query, now)).await {
        Ok(Ok(rows)) => {
            let rows: Vec<PlayerFigures> = rows.into_iter().map(StatsRow::into_figures).collect();
            cache.put(key, rows.clone(), now, PAST_TTL);
            Ok(rows)
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %ErrorChain(&e), "gamestats: affiliate call failed");
            Err("Roobet's stats could not be fetched right now. Please try again in a few minutes.")
        }
        Err(_) => Err("Roobet is slow to answer right now. Please try again in a minute."),
    }
}

/// The game's card: its totals, or one player's figures when asked.
fn card(
    request: &Request,
    rows: &[PlayerFigures],
    known_title: Option<String>,
    is_current: bool,
) -> Embed {
    let game = request.game.as_str();
    let period = request.period;
    let title = best_hit(rows.iter(), game)
        .map(|(_, h)| h.game_title.clone())
        .filter(|t| !t.trim().is_empty())
        .or(known_title)
        .unwrap_or_else(|| request.game.to_string());
    let builder = EmbedBuilder::new()
        .title(format!("📊 {title} — {period}"))
        .url(game_url(game))
        .color(CHALLENGE_COLOUR);
    let builder = match &request.username {
        None => totals_fields(builder, rows, game),
        Some(name) => player_fields(builder, rows, game, name, period),
    };
    let updated = if is_current {
        "so far this month"
    } else {
        "final for the month"
    };
    builder
        .footer(EmbedFooterBuilder::new(format!(
            "Slots and provably fair bets on {game}, {updated}."
        )))
        .build()
}

/// The whole game: total and weighted wager, players, best hit, top players.
fn totals_fields(builder: EmbedBuilder, rows: &[PlayerFigures], game: &str) -> EmbedBuilder {
    let total: Cents = rows.iter().map(|p| p.wagered).sum();
    let weighted: Cents = rows.iter().map(|p| p.weighted_wagered).sum();
    let best = best_hit(rows.iter(), game)
        .map_or_else(|| "no hit yet".to_string(), |(p, h)| hit_text(p, h));
    builder
        .field(EmbedFieldBuilder::new("Total wager", total.to_string()).inline())
        .field(EmbedFieldBuilder::new("Weighted wager", weighted_text(game, weighted)).inline())
        .field(EmbedFieldBuilder::new("Players", rows.len().to_string()).inline())
        .field(EmbedFieldBuilder::new("Best multiplier", best))
        .field(EmbedFieldBuilder::new(
            "Top players",
            top_players_text(rows, game),
        ))
}

/// One player on the game (masked), or that they did not play it.
fn player_fields(
    builder: EmbedBuilder,
    rows: &[PlayerFigures],
    game: &str,
    name: &Username,
    period: MonthPeriod,
) -> EmbedBuilder {
    let wanted = name.key();
    let mut named = rows
        .iter()
        .filter(|p| crate::domain::names::identity_key(&p.username) == wanted);
    let player = match (named.next(), named.next()) {
        (Some(one), None) => Some(one),
        (None, _) => None,
        (Some(_), Some(_)) => {
            return builder.description(format!(
                "More than one player on `{game}` is named {} to a reader; I won't guess which.",
                mask_for_markdown(name.as_str())
            ))
        }
    };
    let Some(p) = player else {
        return builder.description(format!(
            "No bets on `{game}` by {} in {period} under our code.",
            mask_for_markdown(name.as_str())
        ));
    };
    let best = best_hit(std::iter::once(p), game)
        .map_or_else(|| "no hit yet".to_string(), |(p, h)| hit_text(p, h));
    builder
        .description(format!("Figures of {}", mask_for_markdown(&p.username)))
        .field(EmbedFieldBuilder::new("Total wager", p.wagered.to_string()).inline())
        .field(
            EmbedFieldBuilder::new("Weighted wager", weighted_text(game, p.weighted_wagered))
                .inline(),
        )
        .field(EmbedFieldBuilder::new("Best multiplier", best))
}

/// The weighted figure, or why the game does not count toward the boards
/// (the casino still reports a figure for dice; it is never ranked).
fn weighted_text(game: &str, weighted: Cents) -> String {
    if crate::roobet::affiliate::counts_toward_weighted(game) {
        weighted.to_string()
    } else {
        "not counted: dice is left out of the weighted leaderboards (it is near-free to farm)"
            .to_string()
    }
}
