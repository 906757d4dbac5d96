//! `/ActiveSlotChallenges.json` and `/challengeHistory.json` in the seed's
//! shapes (keys as the seed wrote them), so a community website that read
//! the old export files only changes the host. Unlike the seed, names are
//! masked and ids are opaque.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::{dollars, instant, snapshot};
use crate::app::AppState;
use crate::domain::masking::mask_username;
use crate::domain::money::Cents;
use crate::web::public::game_url;
use crate::web::time_text::iso;
use crate::web::Error;

/// One entry of `ActiveSlotChallenges.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedActive {
    /// Challenge number.
    pub challenge_id: i64,
    /// `provider:game`.
    pub game_identifier: String,
    /// Display name.
    pub game_name: String,
    /// Required multiplier.
    pub required_multiplier: f64,
    /// Prize, dollars.
    pub prize: f64,
    /// Start (ISO-8601 UTC).
    pub start_time: String,
    /// Start, Unix seconds.
    pub start_timestamp: i64,
    /// Opaque id of the admin who posted it (the seed had the Discord id).
    pub posted_by: Option<String>,
    /// Masked Discord name of that admin.
    pub posted_by_username: Option<String>,
    /// Emoji, if any.
    pub emoji: Option<String>,
    /// Minimum bet, dollars; `null` when none.
    pub min_bet: Option<f64>,
}

/// `ActiveSlotChallenges.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedActiveDoc {
    /// Always `"active_slot_challenges"`.
    pub data_type: &'static str,
    /// Last change or poll.
    pub last_updated: Option<String>,
    /// `last_updated`, Unix seconds.
    pub last_updated_timestamp: Option<i64>,
    /// Number of entries.
    pub total_challenges: usize,
    /// Active challenges, oldest first.
    pub challenges: Vec<SeedActive>,
}

/// The `winner` of a `challengeHistory.json` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedWinner {
    /// Masked username.
    pub username: String,
    /// Opaque public id, never the Roobet uid.
    pub user_id: String,
    /// The winning hit's bet, dollars.
    pub bet_amount: f64,
    /// The winning hit's payout, dollars.
    pub payout: f64,
    /// The winning multiplier.
    pub multiplier_achieved: f64,
}

/// One entry of `challengeHistory.json`: a won challenge, or a cancelled
/// one flagged `cancelled: true` (the original logged those too, with the
/// cancelling admin as "winner"; here the winner is an `"N/A"` placeholder
/// with zeros, so readers of `winner.username` keep working).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedCompleted {
    /// Challenge number.
    pub challenge_id: i64,
    /// Display name.
    pub game_name: String,
    /// `provider:game`.
    pub game_identifier: String,
    /// Required multiplier.
    pub required_multiplier: f64,
    /// Winning multiplier.
    pub achieved_multiplier: f64,
    /// Minimum bet, dollars; `null` when none.
    pub min_bet_requirement: Option<f64>,
    /// The winner.
    pub winner: SeedWinner,
    /// Prize, dollars.
    pub prize_amount: f64,
    /// Start (ISO-8601 UTC).
    pub challenge_start: String,
    /// Start, Unix seconds.
    pub challenge_start_timestamp: i64,
    /// The game's page on Roobet.
    pub game_url: String,
    /// Cancelled by the staff: no winner, no prize paid.
    pub cancelled: bool,
}

/// `challengeHistory.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedHistoryDoc {
    /// Always `"challenge_history"`.
    pub data_type: &'static str,
    /// Last change or poll.
    pub last_updated: Option<String>,
    /// `last_updated`, Unix seconds.
    pub last_updated_timestamp: Option<i64>,
    /// Number of won challenges (cancelled entries are listed but not counted).
    pub total_completed_challenges: usize,
    /// Sum of their prizes, dollars.
    pub total_prizes_paid: f64,
    /// Won challenges, most recently won first.
    pub challenges: Vec<SeedCompleted>,
}

/// `GET /ActiveSlotChallenges.json`.
pub async fn active_slot_challenges(
    State(state): State<Arc<AppState>>,
) -> Result<Json<SeedActiveDoc>, Error> {
    let snap = snapshot(&state).await?;
    let challenges: Vec<SeedActive> = snap
        .active
        .iter()
        .map(|c| SeedActive {
            challenge_id: c.id,
            game_identifier: c.game_id.clone(),
            game_name: c.game_name.clone(),
            required_multiplier: c.required.as_f64(),
            prize: dollars(c.prize),
            start_time: iso(instant(c.start_ms)),
            start_timestamp: c.start_ms.div_euclid(1000),
            posted_by: c
                .created_by
                .as_deref()
                .map(|id| state.public_ids.public_id(&format!("discord:{id}"))),
            posted_by_username: c.created_by_name.as_deref().map(mask_username),
            emoji: c.emoji.clone(),
            min_bet: c.min_bet.map(dollars),
        })
        .collect();
    Ok(Json(SeedActiveDoc {
        data_type: "active_slot_challenges",
        last_updated: snap.updated.map(iso),
        last_updated_timestamp: snap.updated.map(|t| t.timestamp()),
        total_challenges: challenges.len(),
        challenges,
    }))
}

/// `GET /challengeHistory.json`.
pub async fn challenge_history(
    State(state): State<Arc<AppState>>,
) -> Result<Json<SeedHistoryDoc>, Error> {
    let snap = snapshot(&state).await?;
    let mut paid = Cents::ZERO;
    let challenges: Vec<SeedCompleted> = snap
        .archived
        .iter()
        .filter(|c| c.status == "won" || c.status == "cancelled")
        .filter_map(|c| {
            if c.status == "cancelled" {
                return Some(SeedCompleted {
                    challenge_id: c.id,
                    game_name: c.game_name.clone(),
                    game_identifier: c.game_id.clone(),
                    required_multiplier: c.required.as_f64(),
                    achieved_multiplier: 0.0,
                    min_bet_requirement: c.min_bet.map(dollars),
                    winner: SeedWinner {
                        username: "N/A".into(),
                        user_id: String::new(),
                        bet_amount: 0.0,
                        payout: 0.0,
                        multiplier_achieved: 0.0,
                    },
                    prize_amount: dollars(c.prize),
                    challenge_start: iso(instant(c.start_ms)),
                    challenge_start_timestamp: c.start_ms.div_euclid(1000),
                    game_url: game_url(&c.game_id),
                    cancelled: true,
                });
            }
            let uid = c.winner_uid.as_deref()?;
            let achieved = c.winner_multiplier.unwrap_or_default().as_f64();
            paid += c.prize;
            Some(SeedCompleted {
                challenge_id: c.id,
                game_name: c.game_name.clone(),
                game_identifier: c.game_id.clone(),
                required_multiplier: c.required.as_f64(),
                achieved_multiplier: achieved,
                min_bet_requirement: c.min_bet.map(dollars),
                winner: SeedWinner {
                    username: mask_username(c.winner_username.as_deref().unwrap_or("")),
                    user_id: state.public_ids.public_id(uid),
                    bet_amount: dollars(c.winner_bet.unwrap_or_default()),
                    payout: dollars(c.winner_payout.unwrap_or_default()),
                    multiplier_achieved: achieved,
                },
                prize_amount: dollars(c.prize),
                challenge_start: iso(instant(c.start_ms)),
                challenge_start_timestamp: c.start_ms.div_euclid(1000),
                game_url: game_url(&c.game_id),
                cancelled: false,
            })
        })
        .collect();
    Ok(Json(SeedHistoryDoc {
        data_type: "challenge_history",
        last_updated: snap.updated.map(iso),
        last_updated_timestamp: snap.updated.map(|t| t.timestamp()),
        total_completed_challenges: challenges.iter().filter(|c| !c.cancelled).count(),
        total_prizes_paid: dollars(paid),
        challenges,
    }))
}
