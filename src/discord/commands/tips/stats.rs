//! `/tipstats`: tips sent per window and kind, and the payouts that need an
//! admin, with reconcile buttons. Every figure is a query on the ledger
//! (`store::tip_stats`); nothing is added by hand.

use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};
use twilight_model::channel::message::{AllowedMentions, Component, Embed, MessageFlags};
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use crate::discord::commands::{CommandError, Invocation};
use crate::discord::embeds::{embed_chars, fit_to_limits, limits};
use crate::discord::respond::{self, truncate_chars};
use crate::store::payouts::PayoutStatus;
use crate::store::tip_stats::{self, OpenPayout, SentTotals, Tally, OPEN_STATUSES};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// Payouts listed per status (the counts above cover the rest).
const LISTED: i64 = 6;
/// Unknown payouts that get reconcile buttons (two each).
const RECONCILE_BUTTONS: usize = 5;
/// Discord's limits on a message's components.
const MAX_ROWS: usize = twilight_validate::component::COMPONENT_COUNT;
const MAX_BUTTONS_PER_ROW: usize = twilight_validate::component::ACTION_ROW_COMPONENT_COUNT;
const ERROR_CHARS: usize = 100;

/// Runs `/tipstats`.
pub async fn run(invocation: &Invocation<'_>) -> Result<InteractionResponse, CommandError> {
    let now_ms = invocation.now_ms();
    let mut conn = invocation.state.store.pool().acquire().await?;
    let windows = [
        ("Last 24 hours", Some(now_ms - DAY_MS)),
        ("Last 7 days", Some(now_ms - 7 * DAY_MS)),
        ("Last 30 days", Some(now_ms - 30 * DAY_MS)),
        ("All time", None),
    ];
    let mut sent = Vec::with_capacity(windows.len());
    for (label, since) in windows {
        sent.push((label, tip_stats::sent_since(&mut conn, since).await?));
    }
    let dry_run = tip_stats::dry_run_sent(&mut conn).await?;
    let open = tip_stats::open_by_status(&mut conn).await?;
    let (held, held_amount) = crate::store::cutover::tally(&mut conn, PayoutStatus::Held).await?;
    let held = crate::domain::wording::held_tiers_notice(held, held_amount);
    let mut listed = Vec::new();
    for status in OPEN_STATUSES {
        listed.push((
            status,
            tip_stats::open_payouts(&mut conn, status, LISTED).await?,
        ));
    }
    let rows_of = |wanted: PayoutStatus| {
        listed
            .iter()
            .find(|(s, _)| *s == wanted)
            .map_or(&[][..], |(_, rows)| rows.as_slice())
    };
    let components = buttons(
        rows_of(PayoutStatus::Unknown),
        rows_of(PayoutStatus::AwaitingApproval),
        rows_of(PayoutStatus::Failed),
    );
    let embeds = fit_together(
        sent_embed(&sent, dry_run),
        open_embed(&open, &listed, held.as_deref()),
    );
    Ok(InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            embeds: Some(embeds),
            components: Some(components),
            flags: Some(MessageFlags::EPHEMERAL),
            allowed_mentions: Some(AllowedMentions::default()),
            ..Default::default()
        }),
    })
}

/// Both embeds within Discord's limits, which also cap the two together
/// (a reply over them is refused whole): the open list loses its least
/// urgent fields first (pending and sending are listed last).
fn fit_together(sent: Embed, open: Embed) -> Vec<Embed> {
    let sent = fit_to_limits(sent);
    let mut open = fit_to_limits(open);
    while embed_chars(&sent) + embed_chars(&open) > limits::TOTAL && open.fields.pop().is_some() {}
    vec![sent, open]
}

/// `3 · $5.00`
fn tally_text(tally: Tally) -> String {
    format!("{} · {}", tally.count, tally.amount)
}

fn sent_embed(windows: &[(&str, SentTotals)], dry_run: Tally) -> Embed {
    let mut builder = EmbedBuilder::new()
        .title("💸 Tips sent")
        .color(0x2E_CC_71)
        .description("Count · amount of payouts the tipping API confirmed, by kind.");
    for (label, totals) in windows {
        let mut lines: Vec<String> = totals
            .by_kind
            .iter()
            .map(|(kind, tally)| format!("{kind}: {}", tally_text(*tally)))
            .collect();
        lines.push(format!("**total: {}**", tally_text(totals.total())));
        builder = builder.field(EmbedFieldBuilder::new(*label, lines.join("\n")).inline());
    }
    let mut footer = String::from("From the payouts ledger.");
    if dry_run.count > 0 {
        footer.push_str(&format!(
            " Not counted: {} recorded by a dry run (no API call).",
            tally_text(dry_run)
        ));
    }
    builder.footer(EmbedFooterBuilder::new(footer)).build()
}

fn status_label(status: PayoutStatus) -> &'static str {
    match status {
        PayoutStatus::Unknown => "Unknown outcome (reconcile)",
        PayoutStatus::Failed => "Failed (refused by the API)",
        PayoutStatus::AwaitingApproval => "Awaiting approval",
        PayoutStatus::Pending => "Pending",
        PayoutStatus::Sending => "Sending now",
        PayoutStatus::Sent => "Sent",
        PayoutStatus::Cancelled => "Cancelled (player excluded)",
        PayoutStatus::Imported => "Paid by the original bot",
        PayoutStatus::Baselined => "Counted as paid (baseline)",
        PayoutStatus::Held => "Held (first run: run import-legacy or baseline)",
    }
}

fn payout_line(payout: &OpenPayout) -> String {
    let mut line = format!(
        "#{} `{}` {} · `{}`",
        payout.id,
        respond::admin_name(&payout.username),
        payout.amount,
        payout.key.replace('`', "'")
    );
    if payout.attempts > 0 {
        line.push_str(&format!(" · {} attempt(s)", payout.attempts));
    }
    if let Some(error) = &payout.error {
        line.push_str(" · ");
        line.push_str(&truncate_chars(&error.replace('`', "'"), ERROR_CHARS));
    }
    line
}

fn open_embed(
    open: &[(PayoutStatus, Tally)],
    listed: &[(PayoutStatus, Vec<OpenPayout>)],
    held: Option<&str>,
) -> Embed {
    let needs_admin = held.is_some()
        || open.iter().any(|(s, t)| {
            matches!(
                s,
                PayoutStatus::Unknown | PayoutStatus::Failed | PayoutStatus::AwaitingApproval
            ) && t.count > 0
        });
    let mut summary: Vec<String> = open
        .iter()
        .map(|(status, tally)| format!("{}: {}", status.as_str(), tally_text(*tally)))
        .collect();
    summary.extend(held.map(str::to_owned));
    let mut builder = EmbedBuilder::new()
        .title("🧾 Payouts not yet sent")
        .color(if needs_admin { 0xE6_7E_22 } else { 0x95_A5_A6 })
        .description(summary.join("\n"));
    for (status, rows) in listed {
        if rows.is_empty() {
            continue;
        }
        let total = open
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, t)| t.count);
        let mut lines: Vec<String> = rows.iter().map(payout_line).collect();
        let shown = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        if total > shown {
            lines.push(format!("…and {} more", total - shown));
        }
        builder = builder.field(EmbedFieldBuilder::new(
            status_label(*status),
            lines.join("\n"),
        ));
    }
    builder
        .footer(EmbedFooterBuilder::new(
            "Unknown: check the casino first. Mark sent if it was paid; Retry re-sends with the same nonce.",
        ))
        .build()
}

fn button(custom_id: String, label: String, style: ButtonStyle) -> Component {
    Component::Button(Button {
        custom_id: Some(custom_id),
        disabled: false,
        emoji: None,
        id: None,
        label: Some(truncate_chars(
            &label,
            twilight_validate::component::COMPONENT_BUTTON_LABEL_LENGTH,
        )),
        sku_id: None,
        style,
        url: None,
    })
}

/// Reconcile buttons within Discord's limits: two per unknown payout (at
/// most [`RECONCILE_BUTTONS`] of them), then a row of approvals, then a row
/// of retries for failed ones — at most [`MAX_ROWS`] rows of
/// [`MAX_BUTTONS_PER_ROW`].
fn buttons(
    unknown: &[OpenPayout],
    awaiting: &[OpenPayout],
    failed: &[OpenPayout],
) -> Vec<Component> {
    let mut rows: Vec<Vec<Component>> = Vec::new();
    let pairs: Vec<[Component; 2]> = unknown
        .iter()
        .take(RECONCILE_BUTTONS)
        .map(|p| {
            [
                button(
                    format!("tips:mark_sent:{}", p.id),
                    format!("Mark #{} sent", p.id),
                    ButtonStyle::Success,
                ),
                button(
                    format!("tips:retry:{}", p.id),
                    format!("Retry #{} (same nonce)", p.id),
                    ButtonStyle::Secondary,
                ),
            ]
        })
        .collect();
    for chunk in pairs.chunks(MAX_BUTTONS_PER_ROW / 2) {
        rows.push(chunk.iter().flat_map(|pair| pair.iter().cloned()).collect());
    }
    let approvals: Vec<Component> = awaiting
        .iter()
        .take(MAX_BUTTONS_PER_ROW)
        .map(|p| {
            button(
                format!("tips:approve:{}", p.id),
                format!("Approve #{} ({})", p.id, p.amount),
                ButtonStyle::Primary,
            )
        })
        .collect();
    let retries: Vec<Component> = failed
        .iter()
        .take(MAX_BUTTONS_PER_ROW)
        .map(|p| {
            button(
                format!("tips:retry:{}", p.id),
                format!("Retry failed #{}", p.id),
                ButtonStyle::Secondary,
            )
        })
        .collect();
    rows.extend([approvals, retries].into_iter().filter(|r| !r.is_empty()));
    rows.into_iter()
        .take(MAX_ROWS)
        .map(|components| {
            Component::ActionRow(ActionRow {
                components,
                id: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Cents;

    fn payouts(ids: std::ops::Range<i64>) -> Vec<OpenPayout> {
        ids.map(|id| OpenPayout {
            id,
            key: format!("k{id}"),
            username: "someone".into(),
            amount: Cents::new(100),
            error: None,
            attempts: 1,
        })
        .collect()
    }

    #[test]
    fn long_lists_keep_the_reply_within_the_total_limit() {
        let mut rows = payouts(1..7);
        for row in &mut rows {
            row.error = Some("x".repeat(500));
            row.key = "k".repeat(300);
        }
        let listed: Vec<_> = OPEN_STATUSES.iter().map(|s| (*s, rows.clone())).collect();
        let open: Vec<_> = OPEN_STATUSES
            .iter()
            .map(|s| {
                (
                    *s,
                    Tally {
                        count: 50,
                        amount: Cents::new(100),
                    },
                )
            })
            .collect();
        let sent = SentTotals {
            by_kind: vec![(
                crate::domain::payout_keys::PayoutKind::Manual,
                Tally::default(),
            )],
        };
        let windows = [("All time", sent)];
        let embeds = fit_together(
            sent_embed(&windows, Tally::default()),
            open_embed(&open, &listed, Some("⚠️ 339 milestone tiers held")),
        );
        assert!(embeds.iter().map(embed_chars).sum::<usize>() <= limits::TOTAL);
        assert!(!embeds[1].fields.is_empty(), "the unknown ones stay listed");
    }

    #[test]
    fn buttons_stay_within_discords_limits() {
        let rows = buttons(&payouts(1..9), &payouts(20..29), &payouts(40..49));
        assert!(rows.len() <= MAX_ROWS);
        let mut ids = Vec::new();
        for row in &rows {
            let Component::ActionRow(row) = row else {
                panic!("top level must be action rows")
            };
            assert!(row.components.len() <= MAX_BUTTONS_PER_ROW);
            for c in &row.components {
                let Component::Button(b) = c else { panic!() };
                let id = b.custom_id.clone().unwrap();
                assert!(id.chars().count() <= 100);
                ids.push(id);
            }
        }
        assert_eq!(
            ids.iter()
                .filter(|i| i.starts_with("tips:mark_sent:"))
                .count(),
            5
        );
        assert!(ids.contains(&"tips:approve:20".to_string()));
        assert!(ids.contains(&"tips:retry:40".to_string()));
        assert!(buttons(&[], &[], &[]).is_empty());
    }
}
