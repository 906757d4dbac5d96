//! Sending one recorded payout, exactly once: claim it (`sending`, its own
//! committed write), call the tipping API, record the outcome, then let the
//! public documents and live alerts follow. The payout worker sends the queue
//! through here; `/tipuser` sends its payout at once through the same code,
//! so there is one way money leaves.

use crate::app::AppState;
use crate::metrics::PayoutLabels;
use crate::roobet::tipping::{TipOutcome, TipRequest};
use crate::store::payouts::{self, PayoutRow, PayoutStatus};
use crate::store::StoreError;

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
        sqlx::query("UPDATE payouts SET status = 'pending' WHERE id = $1 AND status = 'sending'")
            .bind(payout.id)
            .execute(&mut *conn)
            .await?;
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
            kind: payout.kind.clone(),
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
