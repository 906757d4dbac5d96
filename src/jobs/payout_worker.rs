//! The payout worker: sends pending payouts one at a time, `TIP_INTERVAL_SECS`
//! apart, on the leader only. Each payout is marked `sending` in its own
//! committed write before the tipping call, and its outcome recorded after:
//! a crash in between leaves `sending`, which the next leader turns into
//! `unknown` for an admin — never a second tip.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::runtime::Jobs;
use crate::app::AppState;
use crate::payments::{send_payout, tipping_enabled, SendReport};
use crate::store::payouts::{self, PayoutStatus};
use crate::store::StoreError;

/// How long the worker idles when nothing is pending (it is also woken
/// whenever new payouts are recorded).
const IDLE: Duration = Duration::from_secs(5);

/// Runs the worker until `stop` turns true.
pub async fn run(jobs: Arc<Jobs>, mut stop: watch::Receiver<bool>) {
    let state = &jobs.state;
    if !tipping_enabled(state) {
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
        let wait = match jobs.leadership.check().await {
            Ok(true) => {
                if !recovered {
                    recovered = recover_interrupted(state).await;
                }
                match send_next(state).await {
                    Ok(Some(report)) => {
                        if report.status == PayoutStatus::Sent {
                            super::celebrations::announce_sent_payouts(state).await;
                        }
                        spacing
                    }
                    Ok(None) => IDLE,
                    Err(e) => {
                        tracing::error!(error = %e, "payout worker: database error");
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
                tracing::warn!(error = %e, "payout worker cannot check the job lock");
                recovered = false;
                IDLE
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = state.payout_queue.woken(), if wait == IDLE => {}
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
            tracing::error!(error = %e, "cannot recover interrupted payouts");
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
