//! `/status`: the service's health for admins, in one ephemeral card: what
//! runs, what was last seen of Roobet and Discord, the database, and the
//! payouts that may need a hand. Reads memory, the metrics and two indexed
//! queries, so it answers even while a poll cycle is running.

use crate::domain::wording::held_tiers_notice;
use chrono::{DateTime, TimeDelta, Utc};
use twilight_model::http::interaction::InteractionResponse;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::definitions::Status;
use super::{CommandError, Invocation};
use crate::app::{AppState, PollStatus};
use crate::discord::embeds::{fit_to_limits, GOLD};
use crate::discord::respond;
use crate::domain::wording;
use crate::metrics::CallLabels;
use crate::store::cycles::{self, CycleRecord};
use crate::store::payouts::PayoutStatus;
use crate::store::tip_stats::{self, Tally};

/// Outcome labels a Discord call is counted under (see `metrics`).
const FAILURE_OUTCOMES: [&str; 5] = [
    "rate_limited",
    "client_error",
    "server_error",
    "timeout",
    "transport_error",
];

/// Runs `/status`.
pub async fn run(
    invocation: &Invocation<'_>,
    _command: Status,
) -> Result<InteractionResponse, CommandError> {
    let state = invocation.state;
    let now = invocation.now;
    let pool = state.store.pool();
    let (ping, last, open, held) = tokio::join!(
        state.store.ping(),
        async { cycles::last(&mut *pool.acquire().await?).await },
        async { tip_stats::open_by_status(&mut *pool.acquire().await?).await },
        async {
            crate::store::cutover::tally(&mut *pool.acquire().await?, PayoutStatus::Held).await
        },
    );
    let (last, open, (held, held_amount)) = (last?, open?, held?);
    let poll = state.poll_status.borrow().clone();
    let database = match ping {
        Ok(latency) => format!(
            "{} · ping {:.1} ms",
            state.store.kind().name(),
            latency.as_secs_f64() * 1000.0
        ),
        Err(error) => format!(
            "{} · ❌ {}",
            state.store.kind().name(),
            crate::telemetry::ErrorChain(&error)
        ),
    };
    let embed = EmbedBuilder::new()
        .title("🩺 FTS Assistant status")
        .color(GOLD)
        .field(EmbedFieldBuilder::new("Version", env!("CARGO_PKG_VERSION")).inline())
        .field(EmbedFieldBuilder::new("Uptime", duration_text(now - state.started_at)).inline())
        .field(EmbedFieldBuilder::new("Database", database).inline())
        .field(EmbedFieldBuilder::new(
            "Last poll",
            last_poll_text(last.as_ref()),
        ))
        .field(
            EmbedFieldBuilder::new(
                "Next poll",
                next_poll_text(state, &poll, last.as_ref(), now),
            )
            .inline(),
        )
        .field(EmbedFieldBuilder::new("Roobet", roobet_text(state, &poll)).inline())
        .field(EmbedFieldBuilder::new("Discord", discord_text(state)).inline())
        .field(EmbedFieldBuilder::new(
            "Payouts",
            payouts_text(&open, held_tiers_notice(held, held_amount)),
        ))
        .field(EmbedFieldBuilder::new("Parts", parts_text(state)))
        .build();
    Ok(respond::ephemeral_embeds(vec![fit_to_limits(embed)]))
}

/// `3d 04h 05m`, `4h 05m`, `5m 06s`.
fn duration_text(elapsed: TimeDelta) -> String {
    let secs = elapsed.num_seconds().max(0);
    let (days, hours, minutes) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    if days > 0 {
        format!("{days}d {hours:02}h {minutes:02}m")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m")
    } else {
        format!("{minutes}m {:02}s", secs % 60)
    }
}

fn relative(at_ms: i64) -> String {
    format!("<t:{}:R>", at_ms.div_euclid(1000))
}

fn last_poll_text(last: Option<&CycleRecord>) -> String {
    let Some(cycle) = last else {
        return "No poll has run yet.".to_string();
    };
    let players = cycle
        .players_seen
        .map_or_else(|| "— players".to_string(), |p| wording::count(p, "player"));
    let mark = if cycle.outcome == "ok" {
        "✅"
    } else {
        "⚠️"
    };
    let detail = cycle
        .detail
        .as_deref()
        .map(|d| format!("\n{}", respond::truncate_chars(d, 300)))
        .unwrap_or_default();
    format!(
        "{mark} {} · took {} ms · {players} · outcome `{}`{detail}",
        relative(cycle.finished_ms),
        (cycle.finished_ms - cycle.started_ms).max(0),
        cycle.outcome
    )
}

fn next_poll_text(
    state: &AppState,
    poll: &PollStatus,
    last: Option<&CycleRecord>,
    now: DateTime<Utc>,
) -> String {
    if !state.polling_enabled() {
        return "Polling is off.".to_string();
    }
    let interval = TimeDelta::seconds(i64::try_from(state.config.poll_interval_secs).unwrap_or(0));
    let previous = poll
        .last_attempt
        .or_else(|| last.and_then(|c| DateTime::from_timestamp_millis(c.finished_ms)));
    match previous.map(|at| at + interval) {
        Some(next) if next > now => format!(
            "{} (every {}s)",
            relative(next.timestamp_millis()),
            interval.num_seconds()
        ),
        _ => format!("due now (every {}s, on the leader)", interval.num_seconds()),
    }
}

fn roobet_text(state: &AppState, poll: &PollStatus) -> String {
    if !state.polling_enabled() {
        return "⛔ not configured".to_string();
    }
    let success = poll
        .last_success
        .map(|at| format!("last success {}", relative(at.timestamp_millis())));
    match (poll.consecutive_failures, success) {
        (0, Some(success)) => format!("✅ reachable · {success}"),
        (0, None) => "⏳ not polled yet".to_string(),
        (failures, success) => format!(
            "⚠️ {failures} failed cycle(s) in a row: {}\n{}",
            poll.last_outcome.as_deref().unwrap_or("unknown error"),
            success.unwrap_or_else(|| "no success since startup".to_string())
        ),
    }
}

fn discord_text(state: &AppState) -> String {
    if state.discord.is_none() {
        return "⛔ no DISCORD_TOKEN: nothing is posted".to_string();
    }
    let count = |outcome: &str| {
        state
            .metrics
            .external_calls
            .get(&CallLabels {
                service: "discord".into(),
                outcome: outcome.into(),
            })
            .map_or(0, |c| c.get())
    };
    let ok = count("ok");
    let failed: Vec<String> = FAILURE_OUTCOMES
        .iter()
        .filter_map(|o| Some((*o, count(o))).filter(|(_, n)| *n > 0))
        .map(|(o, n)| format!("{n} {o}"))
        .collect();
    match (ok, failed.is_empty()) {
        (0, true) => "✅ token set · no call made since startup".to_string(),
        (_, true) => format!("✅ {ok} calls ok since startup"),
        (_, false) => format!("⚠️ {ok} ok, failed: {} (since startup)", failed.join(", ")),
    }
}

fn payouts_text(open: &[(PayoutStatus, Tally)], held: Option<String>) -> String {
    let line = |status: PayoutStatus, tally: &Tally| {
        let mark = match status {
            PayoutStatus::Unknown | PayoutStatus::Failed if tally.count > 0 => "⚠️",
            _ => "•",
        };
        format!(
            "{mark} {}: {} ({})",
            status.as_str(),
            tally.count,
            tally.amount
        )
    };
    let mut lines: Vec<String> = open.iter().map(|(s, t)| line(*s, t)).collect();
    lines.extend(held);
    lines.push("Use `/tipstats` to reconcile unknown payouts.".to_string());
    lines.join("\n")
}

fn parts_text(state: &AppState) -> String {
    state
        .config
        .parts()
        .iter()
        .map(|p| {
            let mark = if p.on { "✅" } else { "⛔" };
            format!("{mark} **{}**: {}", p.name, p.why)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration_text(TimeDelta::seconds(65)), "1m 05s");
        assert_eq!(duration_text(TimeDelta::seconds(3 * 3600 + 300)), "3h 05m");
        assert_eq!(
            duration_text(TimeDelta::seconds(2 * 86_400 + 3_660)),
            "2d 01h 01m"
        );
    }
}
