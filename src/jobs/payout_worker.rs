//! The payout worker: sends pending payouts one at a time, `TIP_INTERVAL_SECS`
//! apart, on the leader only. Each payout is marked `sending` in its own
//! committed write before the tipping call, and its outcome recorded after:
//! a crash in between leaves `sending`, which the next leader turns into
//! `unknown` for an admin — never a second tip.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::app::AppState;
use crate::roobet::tipping::{TipOutcome, TipRequest};
use crate::store::payouts::{self, PayoutRow, PayoutStatus};
use crate::store::StoreError;
use crate::telemetry::ErrorChain;
use crate::web::metrics::PayoutLabels;

/// How long the worker idles when nothing is pending (it is also woken
/// whenever new payouts are recorded).
const IDLE: Duration = Duration::from_secs(5);

/// What one send did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport {
    /// The payout.
    pub payout: PayoutRow,
    /// Its status afterwards.
    pub status: PayoutStatus,
    /// The API's message for a refusal or the reason of an unknown outcome.
    pub message: Option<String>,
}

/// Whether payouts can leave at all with this configuration.
pub fn tipping_enabled(state: &AppState) -> bool {
    state.config.tips_dry_run || state.tipping.is_some()
}

/// Runs the worker until `stop` turns true.
pub async fn run(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    if !tipping_enabled(&state) {
        tracing::warn!(
            "payouts stay pending: TIPPING_API_TOKEN is not set and TIPS_DRY_RUN is off"
        );
        return;
    }
    if state.config.tips_dry_run {
        tracing::warn!(
            "TIPS_DRY_RUN is on: payouts are recorded as sent WITHOUT calling the tipping API"
        );
    }
    let spacing = Duration::from_secs(state.config.tip_interval_secs);
    let mut recovered = false;
    loop {
        if *stop.borrow() {
            break;
        }
        let wait = match state.leadership.check().await {
            Ok(true) => {
                if !recovered {
                    recovered = recover_interrupted(&state).await;
                }
                match send_next(&state).await {
                    Ok(Some(report)) => {
                        if report.status == PayoutStatus::Sent {
                            super::celebrations::announce_sent_payouts(&state).await;
                        }
                        spacing
                    }
                    Ok(None) => IDLE,
                    Err(e) => {
                        tracing::error!(error = %ErrorChain(&e), "payout worker: database error");
                        IDLE
                    }
                }
            }
            Ok(false) => {
                // Lost (or never had) the lock: whoever held it meanwhile may
                // have died mid-send, so recover again when it comes back.
                recovered = false;
                IDLE
            }
            Err(e) => {
                tracing::warn!(error = %ErrorChain(&e), "payout worker cannot check the job lock");
                recovered = false;
                IDLE
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = state.payouts_wakeup.notified(), if wait == IDLE => {}
            _ = stop.changed() => break,
        }
    }
    tracing::info!("payout worker stopped");
}

async fn recover_interrupted(state: &AppState) -> bool {
    let result = async {
        let mut conn = state.store.pool().acquire().await?;
        payouts::reset_interrupted(&mut conn, state.clock.now().timestamp_millis()).await
    };
    match result.await {
        Ok(0) => true,
        Ok(n) => {
            tracing::error!(payouts = n, "payouts interrupted mid-send are now `unknown`: an admin must reconcile them (/tipstats)");
            true
        }
        Err(e) => {
            tracing::error!(error = %ErrorChain(&e), "cannot recover interrupted payouts");
            false
        }
    }
}

/// Sends the next pending payout, if any: prizes and manual tips before
/// milestones, oldest first within a lane. Automatic payouts of excluded
/// players are cancelled first, never sent.
pub async fn send_next(state: &AppState) -> Result<Option<SendReport>, StoreError> {
    let next = {
        let mut conn = state.store.pool().acquire().await?;
        let now_ms = state.clock.now().timestamp_millis();
        let cancelled = payouts::cancel_unsent_of_excluded(&mut conn, now_ms).await?;
        if cancelled > 0 {
            tracing::warn!(
                payouts = cancelled,
                "payouts of excluded players cancelled before sending"
            );
        }
        payouts::next_pending(&mut conn).await?
    };
    match next {
        Some(payout) => send_payout(state, payout).await,
        None => Ok(None),
    }
}

/// Sends one pending payout now (the worker, and `/tipuser` which jumps the
/// queue). `None` when another sender claimed it first.
pub async fn send_payout(
    state: &AppState,
    payout: PayoutRow,
) -> Result<Option<SendReport>, StoreError> {
    let mut conn = state.store.pool().acquire().await?;
    if !payouts::mark_sending(&mut conn, payout.id, state.clock.now().timestamp_millis()).await? {
        return Ok(None);
    }
    let (status, message, dry_run) = if state.config.tips_dry_run {
        tracing::warn!(key = %payout.key, amount = %payout.amount, "DRY RUN: recording the payout as sent without calling the tipping API");
        (PayoutStatus::Sent, None, true)
    } else if let Some(tipping) = &state.tipping {
        let outcome = tipping
            .send(&TipRequest {
                to_uid: payout.uid.clone(),
                to_username: payout.username.clone(),
                amount: payout.amount,
                nonce: payout.nonce.clone(),
            })
            .await;
        state.metrics.external_call("tipping", outcome.label());
        match outcome {
            TipOutcome::Sent => (PayoutStatus::Sent, None, false),
            TipOutcome::Refused(m) => (PayoutStatus::Failed, Some(m), false),
            TipOutcome::Unknown(m) => (PayoutStatus::Unknown, Some(m), false),
        }
    } else {
        // Claimed but nothing can send it: give it back to the queue.
        payouts::unclaim(&mut conn, payout.id).await?;
        return Ok(None);
    };
    payouts::mark_outcome(
        &mut conn,
        payout.id,
        status,
        message.as_deref(),
        dry_run,
        state.clock.now().timestamp_millis(),
    )
    .await?;
    // The live events below read the database: give this connection back first.
    drop(conn);
    if status == PayoutStatus::Sent {
        // Money left: the public tips documents follow it at once (and the
        // live `tips` event below carries the new page).
        state.refresh_tips().await;
    }
    state
        .metrics
        .payouts
        .get_or_create(&PayoutLabels {
            kind: payout.kind.as_str().into(),
            status: status.as_str().into(),
        })
        .inc();
    match status {
        PayoutStatus::Sent => {
            tracing::info!(key = %payout.key, amount = %payout.amount, "payout sent");
            // Only now, after the tip left (or the dry run recorded it): the
            // live alert and tips document (overlays celebrate from these).
            let sent = PayoutRow {
                dry_run,
                ..payout.clone()
            };
            crate::web::live::publish_sent_payout(state, &sent).await;
        }
        PayoutStatus::Failed => {
            tracing::warn!(key = %payout.key, amount = %payout.amount, reason = ?message, "payout refused by the tipping API")
        }
        _ => {
            tracing::error!(key = %payout.key, amount = %payout.amount, reason = ?message, "payout outcome UNKNOWN: not resent; reconcile it")
        }
    }
    Ok(Some(SendReport {
        payout,
        status,
        message,
    }))
}
