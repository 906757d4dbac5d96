//! The channel messages the bot keeps current: the monthly weighted-wager
//! board and the weekly multiplier board, as Discord message bodies.
//!
//! Pure functions of the published snapshot (no I/O, no clock: every time
//! comes from the snapshot), so a board's text is tested by comparing
//! strings. Every username goes through [`mask_for_markdown`], every body
//! mentions no one, and every embed is cut to Discord's limits: a body over
//! one limit is refused whole, and the board would silently stop updating.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use twilight_model::channel::message::embed::Embed;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use crate::domain::masking::mask_for_markdown;
use crate::domain::money::Cents;
use crate::domain::multiplier::MultiplierEntry;
use crate::published::{MonthBoard, Published, WeekBoard};

/// Roobet requires the weighting rule next to every weighted-wager board.
pub const WEIGHTING_DISCLOSURE: &str = "Weighted wager counts slots and house games only \
(dice excluded) by RTP: RTP ≤ 97% counts 100%, RTP > 97% counts 50%, RTP ≥ 98% counts 10%.";

/// Colour of the monthly board (gold, as the milestone tiers use).
pub const GOLD: u32 = 0xFF_D7_00;
/// Colour of the weekly board, so the two messages are told apart at a glance.
pub const PURPLE: u32 = 0x8A_2B_E2;
/// Rows shown in a channel message; the public pages show the rest.
pub const SHOWN_ENTRIES: usize = 10;
/// Game titles come from the API unbounded; longer ones are cut in a row.
const GAME_TITLE_CHARS: usize = 64;

/// Discord's message and embed limits, counted in characters, under our
/// names; the numbers are twilight-validate's, so they follow Discord's.
pub mod limits {
    use twilight_validate::{embed, message};

    /// Embed title.
    pub const TITLE: usize = embed::TITLE_LENGTH;
    /// Embed description.
    pub const DESCRIPTION: usize = embed::DESCRIPTION_LENGTH;
    /// Fields per embed.
    pub const FIELDS: usize = embed::FIELD_COUNT;
    /// Field name.
    pub const FIELD_NAME: usize = embed::FIELD_NAME_LENGTH;
    /// Field value.
    pub const FIELD_VALUE: usize = embed::FIELD_VALUE_LENGTH;
    /// Footer text.
    pub const FOOTER: usize = embed::FOOTER_TEXT_LENGTH;
    /// Author name.
    pub const AUTHOR: usize = embed::AUTHOR_NAME_LENGTH;
    /// Title, description, field names and values, footer and author of
    /// every embed of one message together.
    pub const TOTAL: usize = embed::EMBED_TOTAL_LENGTH;
    /// Embeds per message.
    pub const EMBEDS: usize = message::EMBED_COUNT_LIMIT;
    /// Message content.
    pub const CONTENT: usize = message::MESSAGE_CONTENT_LENGTH_MAX;
}

/// The monthly board message for the snapshot, ready to POST or PATCH.
pub fn leaderboard_message(published: &Published, public_base_url: &str) -> Value {
    message_body(vec![leaderboard_embed(
        &published.month,
        published.updated_at,
        public_base_url,
    )])
}

/// The weekly multiplier board message for the snapshot, ready to POST or PATCH.
pub fn multiplier_message(published: &Published, public_base_url: &str) -> Value {
    message_body(vec![multiplier_embed(
        &published.week,
        published.updated_at,
        public_base_url,
    )])
}

/// The monthly board embed: top rows with masked names, prize pool,
/// countdown and last update, the weighting disclosure in the footer, and
/// the title linked to the public page.
pub fn leaderboard_embed(
    board: &MonthBoard,
    updated_at: Option<DateTime<Utc>>,
    public_base_url: &str,
) -> Embed {
    let page = format!("{}/", public_base_url.trim_end_matches('/'));
    let mut lines: Vec<String> = board
        .entries
        .iter()
        .take(SHOWN_ENTRIES)
        .map(|e| {
            let name = mask_for_markdown(&e.username);
            let badge = board
                .tier_of(e.weighted_wagered)
                .map_or_else(String::new, |t| {
                    format!(" {} {} ·", t.emoji.as_deref().unwrap_or("🏅"), t.name)
                });
            let tips = board.tips_of(&e.uid);
            let tips = if tips.is_positive() && board.tips_test_data {
                format!(" · 💸 {tips} test tips")
            } else if tips.is_positive() {
                format!(" · 💸 {tips} tips")
            } else {
                String::new()
            };
            let line = format!(
                "#{}{badge} {name} — {} weighted ({} total){tips}",
                e.rank, e.weighted_wagered, e.wagered
            );
            with_prize(line, e.prize)
        })
        .collect();
    if lines.is_empty() {
        lines.push("No ranked players yet this month.".to_string());
    }
    lines.push(String::new());
    lines.push(format!("[Full leaderboard and rules]({page})"));
    let embed = EmbedBuilder::new()
        .title(format!("🏆 Monthly Wager Leaderboard — {}", board.period))
        .url(page)
        .color(GOLD)
        .description(lines.join("\n"))
        .field(EmbedFieldBuilder::new("Prize pool", prize_text(board.prizes.iter().sum())).inline())
        .field(EmbedFieldBuilder::new("Ends", countdown(board.period.end_exclusive())).inline())
        .field(EmbedFieldBuilder::new("Last update", last_update(updated_at)).inline())
        .footer(EmbedFooterBuilder::new(WEIGHTING_DISCLOSURE))
        .build();
    fit_to_limits(embed)
}

/// The weekly board embed: the prize winners first, then the rest of the
/// top rows, each with multiplier, linked game and bet; countdown, minimum
/// bet when one is set, and last update.
pub fn multiplier_embed(
    board: &WeekBoard,
    updated_at: Option<DateTime<Utc>>,
    public_base_url: &str,
) -> Embed {
    let page = format!("{}/multipliers", public_base_url.trim_end_matches('/'));
    let shown = &board.entries[..board.entries.len().min(SHOWN_ENTRIES)];
    let (winners, rest) = shown.split_at(board.prizes.len().min(shown.len()));
    let mut lines: Vec<String> = winners.iter().map(multiplier_line).collect();
    if !winners.is_empty() && !rest.is_empty() {
        lines.push(String::new());
    }
    lines.extend(rest.iter().map(multiplier_line));
    if lines.is_empty() {
        lines.push("No multiplier hits yet this week.".to_string());
    }
    lines.push(String::new());
    lines.push(format!("[Full multiplier board]({page})"));
    let mut builder = EmbedBuilder::new()
        .title(format!(
            "🎰 Weekly Multiplier Leaderboard — week of {}",
            board.period.key()
        ))
        .url(page)
        .color(PURPLE)
        .description(lines.join("\n"));
    if !board.prizes.is_empty() {
        let table: Vec<String> = (1..)
            .zip(&board.prizes)
            .map(|(rank, prize)| format!("#{rank} {}", prize_text(*prize)))
            .collect();
        builder = builder.field(EmbedFieldBuilder::new("Prizes", table.join(" · ")).inline());
    }
    builder = builder
        .field(EmbedFieldBuilder::new("Ends", countdown(board.period.end_exclusive())).inline());
    if let Some(min_bet) = board.min_bet {
        builder =
            builder.field(EmbedFieldBuilder::new("Minimum bet", min_bet.to_string()).inline());
    }
    let embed = builder
        .field(EmbedFieldBuilder::new("Last update", last_update(updated_at)).inline())
        .footer(EmbedFooterBuilder::new(
            "Each player's single highest multiplier of the week (Monday to Sunday, UTC) \
             counts; ties go to the larger payout.",
        ))
        .build();
    fit_to_limits(embed)
}

fn multiplier_line(entry: &MultiplierEntry) -> String {
    let hit = &entry.hit;
    let line = format!(
        "#{} {} — {} on [{}]({}) · {} bet",
        entry.rank,
        mask_for_markdown(&entry.username),
        hit.multiplier,
        escape_markdown(&cut_chars(&hit.game_title, GAME_TITLE_CHARS)),
        game_url(&hit.game_id),
        hit.bet,
    );
    with_prize(line, entry.prize)
}

fn with_prize(mut line: String, prize: Option<Cents>) -> String {
    if let Some(prize) = prize {
        line.push_str(" · ");
        line.push_str(&prize_text(prize));
    }
    line
}

/// A game's page on Roobet. The identifier is percent-encoded beyond
/// `[A-Za-z0-9-._~:]`, so an odd identifier can't end a Markdown link early.
pub fn game_url(game_id: &str) -> String {
    let mut url = String::from("https://roobet.com/casino/game/");
    for byte in game_id.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

/// Prizes read as round figures when they are: `$500`, else `$12.50`.
fn prize_text(prize: Cents) -> String {
    let text = prize.to_string();
    match text.strip_suffix(".00") {
        Some(whole) => whole.to_string(),
        None => text,
    }
}

/// Discord renders `<t:…:R>` in each reader's language ("in 6 days"),
/// with the absolute time in their time zone beside it.
fn countdown(end: DateTime<Utc>) -> String {
    let t = end.timestamp();
    format!("<t:{t}:R> (<t:{t}:f>)")
}

fn last_update(updated_at: Option<DateTime<Utc>>) -> String {
    updated_at.map_or_else(
        || "Waiting for the first update".to_string(),
        |at| format!("<t:{}:f>", at.timestamp()),
    )
}

/// Backslash-escapes Discord Markdown in text from outside (game titles).
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if "\\*_~`|>#[]()-:<@".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Marks the announcement of a dry-run payout as a test: the money did not
/// move, and members must never read it as a real tip. Prefixes the title
/// and sets a footer saying so.
pub fn label_dry_run(mut embed: Embed, dry_run: bool) -> Embed {
    if dry_run {
        embed.title = Some(format!("[TEST] {}", embed.title.unwrap_or_default()));
        embed.footer = Some(twilight_model::channel::message::embed::EmbedFooter {
            icon_url: None,
            proxy_icon_url: None,
            text: "🧪 Test payout (TIPS_DRY_RUN): no real tip was sent.".into(),
        });
    }
    embed
}

/// Wraps embeds into a message body that mentions no one (names come from
/// outside), at most [`limits::EMBEDS`] embeds, each cut to the limits, and
/// trailing embeds dropped while the message is over [`limits::TOTAL`].
pub fn message_body(embeds: Vec<Embed>) -> Value {
    let mut embeds: Vec<Embed> = embeds
        .into_iter()
        .take(limits::EMBEDS)
        .map(fit_to_limits)
        .collect();
    while embeds.len() > 1 && embeds.iter().map(embed_chars).sum::<usize>() > limits::TOTAL {
        embeds.pop();
    }
    json!({ "embeds": embeds, "allowed_mentions": { "parse": [] } })
}

/// Cuts an embed to Discord's limits. Lists are cut at whole lines (marked
/// with `…`) so no row or escape sequence is left half-written. The total is
/// met by dropping fields from the end first, then shortening the
/// description (the board rows), then the footer (the disclosure) and title.
pub fn fit_to_limits(mut embed: Embed) -> Embed {
    if let Some(title) = embed.title.as_mut() {
        truncate_chars(title, limits::TITLE);
    }
    if let Some(description) = embed.description.as_mut() {
        truncate_lines(description, limits::DESCRIPTION);
    }
    embed.fields.truncate(limits::FIELDS);
    for field in &mut embed.fields {
        truncate_chars(&mut field.name, limits::FIELD_NAME);
        truncate_lines(&mut field.value, limits::FIELD_VALUE);
    }
    if let Some(footer) = embed.footer.as_mut() {
        truncate_chars(&mut footer.text, limits::FOOTER);
    }
    if let Some(author) = embed.author.as_mut() {
        truncate_chars(&mut author.name, limits::AUTHOR);
    }
    let over = |e: &Embed| embed_chars(e).saturating_sub(limits::TOTAL);
    while over(&embed) > 0 && embed.fields.pop().is_some() {}
    let excess = over(&embed);
    if let Some(description) = embed.description.as_mut() {
        let keep = description.chars().count().saturating_sub(excess);
        truncate_lines(description, keep);
    }
    let excess = over(&embed);
    if let Some(footer) = embed.footer.as_mut() {
        let keep = footer.text.chars().count().saturating_sub(excess);
        truncate_chars(&mut footer.text, keep);
    }
    let excess = over(&embed);
    if let Some(title) = embed.title.as_mut() {
        let keep = title.chars().count().saturating_sub(excess);
        truncate_chars(title, keep);
    }
    embed
}

/// Characters an embed counts toward [`limits::TOTAL`].
pub fn embed_chars(embed: &Embed) -> usize {
    let count = |s: &str| s.chars().count();
    embed.title.as_deref().map_or(0, count)
        + embed.description.as_deref().map_or(0, count)
        + embed
            .fields
            .iter()
            .map(|f| count(&f.name) + count(&f.value))
            .sum::<usize>()
        + embed.footer.as_ref().map_or(0, |f| count(&f.text))
        + embed.author.as_ref().map_or(0, |a| count(&a.name))
}

fn cut_chars(text: &str, max: usize) -> String {
    let mut text = text.to_string();
    truncate_chars(&mut text, max);
    text
}

/// At most `max` characters, the last one `…` when something was cut.
fn truncate_chars(text: &mut String, max: usize) {
    if text.chars().count() <= max {
        return;
    }
    let keep: String = text.chars().take(max.saturating_sub(1)).collect();
    *text = keep;
    if max > 0 {
        text.push('…');
    }
}

/// At most `max` characters, keeping whole lines and ending with a `…`
/// line when lines were dropped; a single first line too long is cut.
fn truncate_lines(text: &mut String, max: usize) {
    if text.chars().count() <= max {
        return;
    }
    let mut kept = String::new();
    let mut kept_chars = 0;
    for line in text.lines() {
        let line_chars = line.chars().count();
        // The line, its newline, and room for the closing "…".
        if kept_chars + line_chars + 2 > max {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
        kept_chars += line_chars + 1;
    }
    if kept.is_empty() {
        truncate_chars(text, max);
    } else {
        kept.push('…');
        *text = kept;
    }
}

pub mod challenges;

#[cfg(test)]
mod tests;
