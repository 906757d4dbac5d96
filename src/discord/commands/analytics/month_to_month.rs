//! `/monthtomonth`: answered "thinking…" (type 5) at once; a task then
//! draws the PNG and puts it on the original reply over REST (multipart,
//! the only way Discord takes files), with a line of month-over-month
//! change. Past months come from `monthly_totals` (recorded at each month
//! end, or loaded by `fts-assistant backfill`); the current month from the
//! published snapshot, with its projection.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tracing::Instrument;
use twilight_model::http::interaction::InteractionResponse;

use super::format::percent_change;
use crate::app::AppState;
use crate::chart::{render_month_to_month, MonthBar, Projected};
use crate::discord::commands::definitions::MonthToMonth;
use crate::discord::commands::{reply_client, CommandError, Invocation};
use crate::discord::embeds::GOLD;
use crate::discord::respond;
use crate::discord::rest::RestError;
use crate::domain::goals::projection;
use crate::domain::period::MonthPeriod;
use crate::domain::players::MonthTotals;
use crate::domain::wording::count;
use crate::published::Published;
use crate::store::{totals, StoreError};
use crate::telemetry::ErrorChain;

/// The attachment's file name, as the embed refers to it.
pub const CHART_FILE_NAME: &str = "monthtomonth.png";
const DEFAULT_MONTHS: i64 = 12;
const MONTHS_RANGE: std::ops::RangeInclusive<i64> = 2..=24;
/// An edit that reaches Discord before it has seen our type-5 answer gets a
/// 404; it is tried again this many times, a second apart.
const NOT_YET_RETRIES: u32 = 2;

struct Job {
    application_id: u64,
    token: String,
    interaction_id: String,
    months: usize,
    now: DateTime<Utc>,
}

pub(super) fn run(
    invocation: &Invocation<'_>,
    command: MonthToMonth,
) -> Result<InteractionResponse, CommandError> {
    let months = command.months.map_or(DEFAULT_MONTHS, |m| m.0);
    if !MONTHS_RANGE.contains(&months) {
        return Err(CommandError::Invalid(format!(
            "`months` must be a whole number from {} to {}",
            MONTHS_RANGE.start(),
            MONTHS_RANGE.end()
        )));
    }
    let interaction = invocation.interaction;
    let job = Job {
        application_id: interaction.application_id.get(),
        token: interaction.token.clone(),
        interaction_id: interaction.id.to_string(),
        months: usize::try_from(months).unwrap_or(12),
        now: invocation.now,
    };
    tokio::spawn(follow_up(Arc::clone(invocation.state), job).in_current_span());
    Ok(respond::deferred(false))
}

async fn follow_up(state: Arc<AppState>, job: Job) {
    let discord = reply_client(&state);
    let bars = match load_series(&state, job.months, job.now).await {
        Ok(bars) => bars,
        Err(error) => {
            tracing::error!(interaction_id = %job.interaction_id, error = %ErrorChain(&error), "cannot read monthly totals");
            let _ = edit_text(
                &state,
                &job,
                "Sorry, the monthly figures could not be read. Please try again in a minute.",
            )
            .await;
            return;
        }
    };
    let text = change_text(&bars, job.months);
    let drawn = {
        let bars = bars.clone();
        tokio::task::spawn_blocking(move || render_month_to_month(&bars)).await
    };
    let png = match drawn {
        Ok(Ok(png)) => png,
        Ok(Err(error)) => {
            tracing::error!(interaction_id = %job.interaction_id, error = %ErrorChain(&error), "cannot draw the chart");
            let _ = edit_text(
                &state,
                &job,
                &format!("{text}\n(The chart could not be drawn.)"),
            )
            .await;
            return;
        }
        Err(error) => {
            tracing::error!(interaction_id = %job.interaction_id, error = %ErrorChain(&error), "chart task failed");
            return;
        }
    };
    let payload = chart_payload(&text, bars.len());
    let mut tries = 0;
    loop {
        let sent = discord
            .edit_original_response_with_file(
                job.application_id,
                &job.token,
                &payload,
                CHART_FILE_NAME,
                png.clone(),
            )
            .await;
        state.metrics.external_call(
            "discord",
            crate::discord::rest::call_outcome(sent.as_ref().err()),
        );
        match sent {
            Ok(()) => return,
            Err(RestError::NotFound(_)) if tries < NOT_YET_RETRIES => {
                tries += 1;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(error) => {
                tracing::warn!(interaction_id = %job.interaction_id, error = %ErrorChain(&error), "cannot attach the chart");
                return;
            }
        }
    }
}

async fn edit_text(state: &AppState, job: &Job, text: &str) -> Result<(), RestError> {
    let discord = reply_client(state);
    let body = json!({ "content": text, "allowed_mentions": { "parse": [] } });
    discord
        .edit_original_response(job.application_id, &job.token, &body)
        .await
}

async fn load_series(
    state: &AppState,
    months: usize,
    now: DateTime<Utc>,
) -> Result<Vec<MonthBar>, StoreError> {
    let mut conn = state.store.pool().acquire().await?;
    let rows = totals::all(&mut conn).await?;
    Ok(series(&state.board.current(), &rows, months, now))
}

/// The last `months` months ending with the one containing `now`. Months
/// before the first one with recorded totals are left out (unknown is not
/// zero); the current month is always there, taken from the snapshot when
/// it is of this month, with its projection.
pub fn series(
    published: &Published,
    rows: &[(String, MonthTotals, bool)],
    months: usize,
    now: DateTime<Utc>,
) -> Vec<MonthBar> {
    let current = MonthPeriod::containing(now);
    let mut periods = vec![current];
    while periods.len() < months.max(1) {
        let earliest = periods[periods.len() - 1];
        periods.push(earliest.previous());
    }
    periods.reverse();
    let stored = |month: MonthPeriod| {
        let key = month.key();
        rows.iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, totals, _)| totals.clone())
    };
    let first_known = periods
        .iter()
        .position(|m| *m == current || stored(*m).is_some())
        .unwrap_or(0);
    periods[first_known..]
        .iter()
        .map(|&month| {
            let totals = if month == current && published.month.period == current {
                published.month.totals.clone()
            } else {
                stored(month).unwrap_or_default()
            };
            let projected = (month == current)
                .then(|| {
                    Some(Projected {
                        total: projection(totals.wagered, month, now)?,
                        weighted: projection(totals.weighted, month, now)?,
                    })
                })
                .flatten();
            MonthBar {
                month,
                total: totals.wagered,
                weighted: totals.weighted,
                projected,
            }
        })
        .collect()
}

/// The short text beside the chart: the current month against the last
/// one (projected when a projection exists), the last one against the one
/// before, and a note when fewer months than asked are recorded.
pub fn change_text(bars: &[MonthBar], requested: usize) -> String {
    let Some(current) = bars.last() else {
        return "No monthly figures are recorded yet.".to_string();
    };
    let mut lines = Vec::new();
    let previous = bars.len().checked_sub(2).and_then(|i| bars.get(i));
    match (current.projected, previous) {
        (Some(p), Some(prev)) => lines.push(format!(
            "📈 **{}** is on pace for **{}** total ({} vs {}) and {} weighted ({}).",
            current.month,
            p.total,
            change(prev.total, p.total),
            prev.month,
            p.weighted,
            change(prev.weighted, p.weighted),
        )),
        (Some(p), None) => lines.push(format!(
            "📈 **{}** is on pace for **{}** total and {} weighted.",
            current.month, p.total, p.weighted
        )),
        (None, _) => lines.push(format!(
            "📈 **{}** so far: **{}** total, {} weighted (the projection appears after the first 24 hours).",
            current.month, current.total, current.weighted
        )),
    }
    let before = bars.len().checked_sub(3).and_then(|i| bars.get(i));
    if let (Some(prev), Some(before)) = (previous, before) {
        lines.push(format!(
            "{} closed at {} total ({} vs {}) and {} weighted ({}).",
            prev.month,
            prev.total,
            change(before.total, prev.total),
            before.month,
            prev.weighted,
            change(before.weighted, prev.weighted),
        ));
    }
    if bars.len() < requested {
        // The operator's remedy (`fts-assistant backfill`) goes to the log,
        // not to members.
        tracing::info!(
            recorded = bars.len(),
            requested,
            "month history is shorter than asked: `fts-assistant backfill --months {requested}` loads older months"
        );
        lines.push(format!(
            "Only {} of the {} asked for are recorded so far.",
            bars.len(),
            count(requested as i64, "month")
        ));
    }
    lines.join("\n")
}

fn change(old: crate::domain::money::Cents, new: crate::domain::money::Cents) -> String {
    percent_change(old, new).unwrap_or_else(|| "new".to_string())
}

fn chart_payload(text: &str, months: usize) -> Value {
    json!({
        "content": respond::truncate_chars(text, crate::discord::embeds::limits::CONTENT),
        "embeds": [{
            "title": format!("Total and weighted wager, last {}", count(months as i64, "month")),
            "color": GOLD,
            "image": { "url": format!("attachment://{CHART_FILE_NAME}") },
            "footer": { "text": "Lighter dashed bars: this month's projected end" },
        }],
        "attachments": [{
            "id": 0,
            "filename": CHART_FILE_NAME,
            "description": "Bar chart of total and weighted wager per month",
        }],
        "allowed_mentions": { "parse": [] },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Cents;
    use chrono::TimeZone;

    fn row(key: &str, dollars: i64) -> (String, MonthTotals, bool) {
        let totals = MonthTotals {
            wagered: Cents::from_dollars(dollars),
            weighted: Cents::from_dollars(dollars / 2),
            players: 3,
        };
        (key.to_string(), totals, true)
    }

    #[test]
    fn the_series_starts_at_the_first_recorded_month_and_projects_the_current_one() {
        let now = Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap();
        let mut published = Published::empty(now, Vec::new(), Vec::new());
        published.month.totals.wagered = Cents::from_dollars(1_000);
        published.month.totals.weighted = Cents::from_dollars(400);
        let rows = [row("2026-08", 900), row("2026-10", 1_500)];
        let bars = series(&published, &rows, 12, now);
        let months: Vec<String> = bars.iter().map(|b| b.month.key()).collect();
        assert_eq!(months, ["2026-08", "2026-09", "2026-10", "2026-11"]);
        assert_eq!(bars[1].total, Cents::ZERO);
        let projected = bars[3].projected.unwrap();
        assert_eq!(projected.total, Cents::from_dollars(2_000));
        assert_eq!(projected.weighted, Cents::from_dollars(800));
        let text = change_text(&bars, 12);
        assert!(
            text.contains("on pace for **$2,000.00** total (+33.3% vs October 2026)"),
            "{text}"
        );
        assert!(text.contains("Only 4 of the 12 months"), "{text}");
    }

    #[test]
    fn no_projection_in_the_first_day() {
        let now = Utc.with_ymd_and_hms(2026, 11, 1, 6, 0, 0).unwrap();
        let published = Published::empty(now, Vec::new(), Vec::new());
        let bars = series(&published, &[], 2, now);
        assert_eq!(bars.len(), 1);
        assert!(bars[0].projected.is_none());
        assert!(change_text(&bars, 2).contains("after the first 24 hours"));
    }
}
