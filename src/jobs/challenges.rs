//! The challenge step of a poll cycle: detect winners of active slot
//! challenges, close each won challenge and record its prize as a payout
//! intent in one transaction, then announce.
//!
//! The seed removed a won challenge and paid from an in-memory queue, so a
//! crash in between lost the prize. Here the conditional close (`WHERE
//! status = 'active'`) and the intent (`challenge:{id}`, unique) commit
//! together: a restart, a repeated cycle or a second replica finds the
//! challenge closed and the key taken, and pays nothing more.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use super::poll::CycleError;
use crate::app::AppState;
use crate::discord::posts::challenges as discord;
use crate::domain::challenges::{pick_winner, ranked_attempts, ChallengeRule, Winner};
use crate::domain::challenges::{BestAttempt, TOP_ATTEMPTS};
use crate::domain::money::Multiplier;
use crate::domain::payout_keys::{challenge_key, PayoutKind};
use crate::domain::players::PlayerFigures;
use crate::published::excluded_uids;
use crate::roobet::affiliate::AffiliateClient;
use crate::store::challenges::{self, ChallengeRow, WinRecord};
use crate::store::payouts::{self, NewPayout, PayoutStatus};
use crate::store::{settings, StoreError};
use crate::telemetry::ErrorChain;

pub use crate::discord::posts::challenges::refresh_board;

/// A challenge this cycle closed with a winner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeWin {
    /// The challenge's id.
    pub challenge_id: i64,
}

/// Asks the affiliate API once per active challenge and closes those with a
/// qualifying hit. Every answer is fetched before anything is written, so a
/// failed call aborts the cycle and closes nothing.
pub async fn detect_winners(
    state: &AppState,
    client: &AffiliateClient,
    now: DateTime<Utc>,
) -> Result<Vec<ChallengeWin>, CycleError> {
    let active = {
        let mut conn = state
            .store
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        challenges::active(&mut conn).await?
    };
    if active.is_empty() {
        return Ok(Vec::new());
    }
    let mut answers = Vec::with_capacity(active.len());
    for challenge in &active {
        let start = DateTime::from_timestamp_millis(challenge.start_ms).unwrap_or(now);
        let figures = client.game_figures(&challenge.game_id, start, now).await?;
        answers.push(figures);
    }
    let now_ms = now.timestamp_millis();
    let mut tx = state.store.begin_write().await?;
    let excluded = excluded_uids(&mut tx, &state.rewards).await?;
    let mut wins = Vec::new();
    for (challenge, figures) in active.iter().zip(&answers) {
        let rule = match challenge.rule() {
            Ok(rule) => rule,
            Err(e) => {
                tracing::error!(challenge_id = challenge.id, error = %ErrorChain(&e), "challenge skipped");
                continue;
            }
        };
        match pick_winner(&rule, figures, &excluded) {
            Some(winner) => {
                if close_and_pay(&mut tx, challenge, &winner, now_ms).await? {
                    tracing::info!(
                        challenge_id = challenge.id,
                        multiplier = %winner.hit.multiplier,
                        "slot challenge won"
                    );
                    wins.push(ChallengeWin {
                        challenge_id: challenge.id,
                    });
                }
            }
            None => {
                record_best_attempt(&mut tx, challenge.id, &rule, figures, &excluded, now_ms)
                    .await?
            }
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(wins)
}

/// Closes the challenge and writes its prize intent in the caller's
/// transaction; `false` when it was no longer active (nothing written).
async fn close_and_pay(
    conn: &mut AnyConnection,
    challenge: &ChallengeRow,
    winner: &Winner,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let record = WinRecord {
        uid: winner.uid.clone(),
        username: winner.username.clone(),
        multiplier: winner.hit.multiplier,
        bet: winner.hit.bet,
        payout: winner.hit.payout,
    };
    if !challenges::close_won(conn, challenge.id, &record, now_ms).await? {
        return Ok(false);
    }
    let payout = NewPayout {
        key: challenge_key(challenge.id),
        kind: PayoutKind::Challenge,
        uid: winner.uid.clone(),
        username: winner.username.clone(),
        amount: challenge.prize,
        status: PayoutStatus::Pending,
        period_key: None,
        tier: None,
        requested_by: None,
        reason: Some(format!(
            "slot challenge #{}: {} ≥ {}",
            challenge.id, challenge.game_name, challenge.required
        )),
        priority: 0,
    };
    if !payouts::insert_intent(conn, &payout, now_ms).await? {
        tracing::warn!(
            key = %payout.key,
            "challenge prize intent existed already; nothing more is owed"
        );
    }
    Ok(true)
}

/// Keeps the best non-winning attempts (right game, minimum bet met), the
/// top [`TOP_ATTEMPTS`], for the board, the page and
/// `/challenge_results`.
async fn record_best_attempt(
    conn: &mut AnyConnection,
    id: i64,
    rule: &ChallengeRule,
    figures: &[PlayerFigures],
    excluded: &std::collections::HashSet<String>,
    now_ms: i64,
) -> Result<(), StoreError> {
    let any_multiplier = ChallengeRule {
        required: Multiplier(0),
        ..rule.clone()
    };
    let top: Vec<BestAttempt> = ranked_attempts(&any_multiplier, figures, excluded, TOP_ATTEMPTS)
        .into_iter()
        .map(|w| BestAttempt {
            username: w.username,
            multiplier_x100: w.hit.multiplier.0,
            bet_cents: w.hit.bet.cents(),
            payout_cents: w.hit.payout.cents(),
        })
        .collect();
    let Some(best) = top.first() else {
        return Ok(());
    };
    let best_json = serde_json::to_string(best)
        .map_err(|e| StoreError::Corrupt(format!("best attempt: {e}")))?;
    let top_json = serde_json::to_string(&top)
        .map_err(|e| StoreError::Corrupt(format!("top attempts: {e}")))?;
    settings::set(conn, &challenges::best_attempt_key(id), &best_json, now_ms).await?;
    settings::set(conn, &challenges::top_attempts_key(id), &top_json, now_ms).await
}

/// After a cycle: announce winners and refresh the active-challenge board
/// in the challenge channels. Discord failures are logged, never fatal.
pub async fn publish_challenges(state: &AppState) {
    if let Err(e) = discord::announce_wins(state).await {
        tracing::warn!(error = %ErrorChain(&e), "challenge winners not announced; will retry");
    }
    refresh_board(state).await;
}
