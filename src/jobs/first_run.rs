//! The first run against an empty database: milestone tiers the first
//! cycle finds were mostly reached (and paid) while the original bot ran,
//! so they are recorded as `held`, not paid, until the operator chooses:
//!
//! - `fts-assistant import-legacy --from <old DATABASE_URL>`: tiers the
//!   original paid become history (`baselined` guards, money in the imported
//!   tips); held tiers it never paid are released to be paid;
//! - `fts-assistant baseline`: every tier reached so far counts as paid;
//! - `FIRST_RUN_PAYS_EXISTING=true`: held tiers are paid.
//!
//! The state lives in the settings table (`store::cutover::FIRST_RUN_KEY`)
//! and is decided inside the first successful cycle's transaction, so two
//! replicas or a crashed cycle never disagree. Tiers reached after the first
//! cycle are new and paid as usual.

use sqlx::AnyConnection;

use crate::app::AppState;
use crate::store::cutover::{self, FirstRunState};
use crate::store::payouts::PayoutStatus;
use crate::store::StoreError;

/// The exact commands the startup log and the held-cycle warning name.
pub const WHAT_TO_RUN: &str = "moving from the Python bot: stop its worker, then run \
    `fts-assistant import-legacy --from <its DATABASE_URL> --dry-run` and without --dry-run; \
    without its database: `fts-assistant baseline` (counts every tier reached so far as paid); \
    to pay them instead: set FIRST_RUN_PAYS_EXISTING=true and restart";

/// The status this cycle's new milestone intents get, deciding and
/// advancing the first-run state. Run inside the cycle's transaction.
pub async fn milestone_status(
    conn: &mut AnyConnection,
    pays_existing: bool,
    now_ms: i64,
) -> Result<PayoutStatus, StoreError> {
    let state = match cutover::state(conn).await? {
        Some(state) => state,
        None if cutover::is_empty(conn).await? => {
            if pays_existing {
                cutover::set_state(conn, FirstRunState::Released, now_ms).await?;
                tracing::warn!(
                    "first run with FIRST_RUN_PAYS_EXISTING=true: tiers already reached this \
                     month are paid"
                );
                return Ok(PayoutStatus::Pending);
            }
            cutover::set_state(conn, FirstRunState::Holding, now_ms).await?;
            tracing::warn!(
                "first run on an empty database: milestone tiers already reached this month are \
                 HELD, not paid; {WHAT_TO_RUN}"
            );
            return Ok(PayoutStatus::Held);
        }
        None => {
            cutover::set_state(conn, FirstRunState::Established, now_ms).await?;
            return Ok(PayoutStatus::Pending);
        }
    };
    if state == FirstRunState::Holding && pays_existing {
        let released = cutover::resolve_held(conn, PayoutStatus::Pending, now_ms).await?;
        cutover::set_state(conn, FirstRunState::Released, now_ms).await?;
        tracing::warn!(
            released,
            "FIRST_RUN_PAYS_EXISTING=true: held milestone payouts released to be paid"
        );
    }
    Ok(PayoutStatus::Pending)
}

/// Logs at startup what the first-run rule will do or is doing, naming the
/// command to run. Quiet once the operator chose.
pub async fn startup_notice(state: &AppState) -> Result<(), StoreError> {
    if !state.polling_enabled() {
        return Ok(());
    }
    let mut conn = state.store.pool().acquire().await?;
    match cutover::state(&mut conn).await? {
        None if state.config.first_run_pays_existing => tracing::warn!(
            "first run: FIRST_RUN_PAYS_EXISTING=true, milestone tiers already reached this \
             month will be paid"
        ),
        None if cutover::is_empty(&mut conn).await? => tracing::warn!(
            "first run on an empty database: milestone tiers already reached this month will be \
             HELD, not paid; {WHAT_TO_RUN}"
        ),
        Some(FirstRunState::Holding) if !state.config.first_run_pays_existing => {
            let (count, amount) = cutover::tally(&mut conn, PayoutStatus::Held).await?;
            tracing::warn!(
                held = count,
                amount = %amount,
                "milestone payouts from before the first run are held; {WHAT_TO_RUN}"
            );
        }
        _ => {}
    }
    Ok(())
}
