//! Exact shapes of the JSON documents: each test compares a whole document
//! with a literal, so any change of shape is a reviewed diff.

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

use crate::domain::leaderboard::{default_monthly_prizes, MonthlyEntry};
use crate::domain::masking::PublicIdKey;
use crate::domain::money::{Cents, Multiplier};
use crate::domain::multiplier::{default_weekly_prizes, MultiplierEntry};
use crate::domain::players::Hit;
use crate::published::Published;

use super::{api, seed_docs};

fn key() -> PublicIdKey {
    PublicIdKey::new(&[7u8; 32]).unwrap()
}

fn month_entry(rank: u32, uid: &str, name: &str, wagered: i64, weighted: i64) -> MonthlyEntry {
    MonthlyEntry {
        rank,
        uid: uid.into(),
        username: name.into(),
        wagered: Cents::new(wagered),
        weighted_wagered: Cents::new(weighted),
        prize: default_monthly_prizes().get(rank as usize - 1).copied(),
    }
}

fn week_entry(rank: u32, name: &str, multiplier: i64, bet: i64, game: &str) -> MultiplierEntry {
    MultiplierEntry {
        rank,
        uid: format!("w-{rank}"),
        username: name.into(),
        hit: Hit {
            multiplier: Multiplier(multiplier),
            bet: Cents::new(bet),
            payout: Cents::new(bet * multiplier / 100),
            game_id: game.into(),
            game_title: "Big Bass Bonanza".into(),
        },
        prize: default_weekly_prizes().get(rank as usize - 1).copied(),
    }
}

/// November 2026 (week of Monday 23rd), polled at 11:50 on the 24th.
fn published() -> Published {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 11, 50, 0).unwrap();
    let mut p = Published::empty(now, default_monthly_prizes(), default_weekly_prizes());
    p.updated_at = Some(now);
    p.month.entries = vec![
        month_entry(1, "uid-1", "LuckyDuck", 1_234_567, 1_000_000),
        month_entry(2, "uid-2", "Ærøskøbing", 60_000, 13_550),
        month_entry(3, "uid-3", "bob", 500, 500),
    ];
    p.month.tiers = crate::domain::milestones::default_tiers();
    p.month.tips = [("uid-1".to_string(), Cents::new(542_200))]
        .into_iter()
        .collect();
    p.week.entries = vec![week_entry(1, "alice", 51_240, 20, "pragmatic:vs10bbbbrnd")];
    p
}

#[test]
fn latest_lb_results_keeps_the_seed_shape_with_opaque_ids() {
    let ids = key();
    let doc = serde_json::to_value(seed_docs::lb_results(&published(), &ids)).unwrap();
    assert_eq!(
        doc,
        json!([
            {"rank": 1, "uid": ids.public_id("uid-1"), "username": "LuckyD***",
             "wagered": 12345.67, "weightedWagered": 10000.0},
            {"rank": 2, "uid": ids.public_id("uid-2"), "username": "Ærøskøb***",
             "wagered": 600.0, "weightedWagered": 135.5},
            {"rank": 3, "uid": ids.public_id("uid-3"), "username": "***",
             "wagered": 5.0, "weightedWagered": 5.0},
        ])
    );
    assert!(!doc.to_string().contains("uid-1"));
}

#[test]
fn latest_multi_lb_results_pads_to_three_slots() {
    let doc = serde_json::to_value(seed_docs::multi_lb_results(&published())).unwrap();
    let empty = |rank: u32| {
        let prize = [20.0, 15.0, 5.0][rank as usize - 1];
        json!({"rank": rank, "username": "N/A", "multiplier": 0.0, "game": "Unknown",
               "game_identifier": null, "wagered": 0.0, "payout": 0.0,
               "prize": prize})
    };
    assert_eq!(
        doc,
        json!({
            "leaderboard_type": "weekly_multiplier",
            "period": {
                "start_date": "2026-11-23T00:00:00Z",
                "end_date": "2026-11-29T23:59:59Z",
                "start_timestamp": 1_795_392_000,
                "end_timestamp": 1_795_996_799,
            },
            "last_updated": "2026-11-24T11:50:00Z",
            "last_updated_timestamp": 1_795_521_000,
            "entries": [
                {"rank": 1, "username": "al***", "multiplier": 512.4,
                 "game": "Big Bass Bonanza", "game_identifier": "pragmatic:vs10bbbbrnd",
                 "wagered": 0.2, "payout": 102.48, "prize": 20.0},
                empty(2),
                empty(3),
            ],
        })
    );
}

#[test]
fn leaderboard_document_has_period_prizes_disclosure_and_masked_rows() {
    let doc = serde_json::to_value(api::leaderboard_doc(&published(), &key())).unwrap();
    let prizes: Vec<Value> = [500, 300, 225, 175, 125, 75, 40, 30, 25, 5]
        .iter()
        .zip(1..)
        .map(|(&p, rank)| json!({"rank": rank, "prize": f64::from(p)}))
        .collect();
    assert_eq!(
        doc,
        json!({
            "period": {
                "key": "2026-11",
                "start": "2026-11-01T00:00:00Z",
                "end": "2026-11-30T23:59:59Z",
                "start_timestamp": 1_793_491_200,
                "end_timestamp": 1_796_083_199,
            },
            "updated_at": "2026-11-24T11:50:00Z",
            "updated_at_timestamp": 1_795_521_000,
            "prize_pool": 1500.0,
            "prizes": prizes,
            "weighting": super::WEIGHTING_DISCLOSURE,
            "entries": [
                {"rank": 1, "username": "LuckyD***", "wagered": 12345.67,
                 "weighted_wagered": 10000.0, "prize": 500.0,
                 "tier": {"number": 15, "name": "Rank 15"}, "tips_this_month": 5422.0},
                {"rank": 2, "username": "Ærøskøb***", "wagered": 600.0,
                 "weighted_wagered": 135.5, "prize": 300.0,
                 "tier": {"number": 2, "name": "Rank 2"}, "tips_this_month": 0.0},
                {"rank": 3, "username": "***", "wagered": 5.0,
                 "weighted_wagered": 5.0, "prize": 225.0,
                 "tier": null, "tips_this_month": 0.0},
            ],
        })
    );
}

#[test]
fn multipliers_document_lists_hits_with_game_links() {
    let mut p = published();
    p.week.min_bet = Some(Cents::new(10));
    let doc = serde_json::to_value(api::multipliers_doc(&p)).unwrap();
    assert_eq!(
        doc,
        json!({
            "period": {
                "key": "2026-11-23",
                "start": "2026-11-23T00:00:00Z",
                "end": "2026-11-29T23:59:59Z",
                "start_timestamp": 1_795_392_000,
                "end_timestamp": 1_795_996_799,
            },
            "updated_at": "2026-11-24T11:50:00Z",
            "updated_at_timestamp": 1_795_521_000,
            "prize_pool": 40.0,
            "prizes": [{"rank": 1, "prize": 20.0}, {"rank": 2, "prize": 15.0},
                       {"rank": 3, "prize": 5.0}],
            "min_bet": 0.1,
            "entries": [
                {"rank": 1, "username": "al***", "multiplier": 512.4,
                 "game_id": "pragmatic:vs10bbbbrnd", "game_title": "Big Bass Bonanza",
                 "game_url": "https://roobet.com/casino/game/pragmatic:vs10bbbbrnd",
                 "bet": 0.2, "payout": 102.48, "prize": 20.0},
            ],
        })
    );
}

#[test]
fn documents_before_any_data_have_null_update_times_and_no_rows() {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
    let p = Published::empty(now, default_monthly_prizes(), default_weekly_prizes());
    let doc = serde_json::to_value(api::leaderboard_doc(&p, &key())).unwrap();
    assert_eq!(doc["updated_at"], Value::Null);
    assert_eq!(doc["updated_at_timestamp"], Value::Null);
    assert_eq!(doc["entries"], json!([]));
    let seed = serde_json::to_value(seed_docs::lb_results(&p, &key())).unwrap();
    assert_eq!(seed, json!([]));
    let multi = serde_json::to_value(seed_docs::multi_lb_results(&p)).unwrap();
    assert_eq!(multi["entries"].as_array().unwrap().len(), 3);
    assert_eq!(multi["last_updated"], Value::Null);
}
