//! Exact shapes of the tips documents: each test compares a whole document
//! with a literal, so any change of shape is a reviewed diff.

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

use super::seed::all_time_tips_doc;
use super::*;

fn key() -> PublicIdKey {
    PublicIdKey::new(&[7u8; 32]).unwrap()
}

fn tip(uid: &str, name: &str, kind: PayoutKind, cents: i64, day: u32, month: u32) -> SentTip {
    let at = Utc.with_ymd_and_hms(2026, month, day, 12, 0, 0).unwrap();
    SentTip {
        id: i64::from(day * 100 + month),
        kind,
        uid: uid.into(),
        username: name.into(),
        amount: Cents::new(cents),
        sent_ms: at.timestamp_millis(),
        period_key: match kind {
            PayoutKind::Milestone | PayoutKind::Leaderboard => Some(format!("2026-{month:02}")),
            PayoutKind::Multiplier => Some("2026-11-23".into()),
            _ => None,
        },
        tier: (kind == PayoutKind::Milestone).then_some(3),
        dry_run: false,
    }
}

/// Newest first, as the store returns them.
fn rows() -> Vec<TipRow> {
    let sent = [
        tip("uid-2", "bob", PayoutKind::Manual, 2_500, 2, 12),
        tip("uid-1", "LuckyDuck", PayoutKind::Multiplier, 2_000, 30, 11),
        tip("uid-1", "LuckyDuck", PayoutKind::Milestone, 500, 10, 11),
        tip("uid-1", "LuckyDuck", PayoutKind::Milestone, 250, 9, 11),
    ];
    public_rows(&sent, &key())
}

#[test]
fn all_time_tips_has_the_seed_shape() {
    let ids = key();
    let (one, two) = (ids.public_id("uid-1"), ids.public_id("uid-2"));
    let doc = serde_json::to_value(all_time_tips_doc(&rows(), Utc::now())).unwrap();
    let expected = json!({
        "data_type": "all_time_tips",
        "last_updated": "2026-12-02T12:00:00Z",
        "last_updated_timestamp": 1_796_212_800,
        "summary": {
            "total_tips_sent": 4,
            "total_amount_sent": 52.5,
            "by_type": {
                "manual": {"total_amount": 25.0, "tip_count": 1},
                "milestone": {"total_amount": 7.5, "tip_count": 2},
                "monthly_leaderboard": {"total_amount": 0.0, "tip_count": 0},
                "slot_challenge": {"total_amount": 0.0, "tip_count": 0},
                "weekly_multiplier": {"total_amount": 20.0, "tip_count": 1}
            }
        },
        "top_recipients": [
            {"user_id": one, "username": "LuckyD***", "total_received": 27.5, "total_tips": 3},
            {"user_id": two, "username": "***", "total_received": 25.0, "total_tips": 1}
        ],
        "detailed_data": [
            {"user_id": one, "username": "LuckyD***", "total_received": 27.5, "tips_by_type": {
                "milestone": {"amount": 7.5, "count": 2,
                    "first_tip": "2026-11-09T12:00:00Z", "latest_tip": "2026-11-10T12:00:00Z"},
                "weekly_multiplier": {"amount": 20.0, "count": 1,
                    "first_tip": "2026-11-30T12:00:00Z", "latest_tip": "2026-11-30T12:00:00Z"}
            }},
            {"user_id": two, "username": "***", "total_received": 25.0, "tips_by_type": {
                "manual": {"amount": 25.0, "count": 1,
                    "first_tip": "2026-12-02T12:00:00Z", "latest_tip": "2026-12-02T12:00:00Z"}
            }}
        ],
        "monthly_breakdown": [
            {"user_id": two, "username": "***", "tip_type": "manual", "month": 12, "year": 2026,
             "amount": 25.0, "count": 1, "period_key": "2026-12"},
            {"user_id": one, "username": "LuckyD***", "tip_type": "weekly_multiplier", "month": 11,
             "year": 2026, "amount": 20.0, "count": 1, "period_key": "2026-11"},
            {"user_id": one, "username": "LuckyD***", "tip_type": "milestone", "month": 11,
             "year": 2026, "amount": 7.5, "count": 2, "period_key": "2026-11"}
        ]
    });
    assert_eq!(doc, expected);
}

#[test]
fn api_tips_lists_every_payout_with_totals_by_kind() {
    let ids = key();
    let dry = Tally {
        count: 2,
        amount: Cents::new(1_000),
    };
    let doc: Value = serde_json::to_value(tips_doc(&rows(), dry)).unwrap();
    assert_eq!(doc["updated_at"], "2026-12-02T12:00:00Z");
    assert_eq!(doc["totals"], json!({"count": 4, "amount": 52.5}));
    assert_eq!(doc["dry_run_excluded"], json!({"count": 2, "amount": 10.0}));
    assert_eq!(
        doc["by_kind"],
        json!({
            "challenge": {"count": 0, "amount": 0.0},
            "leaderboard": {"count": 0, "amount": 0.0},
            "manual": {"count": 1, "amount": 25.0},
            "milestone": {"count": 2, "amount": 7.5},
            "multiplier": {"count": 1, "amount": 20.0}
        })
    );
    assert_eq!(
        doc["payouts"][2],
        json!({
            "public_id": ids.public_id("uid-1"),
            "username": "LuckyD***",
            "kind": "milestone",
            "amount": 5.0,
            "sent_at": "2026-11-10T12:00:00Z",
            "sent_at_timestamp": 1_794_312_000,
            "period": "2026-11",
            "tier": 3
        })
    );
    assert_eq!(doc["payouts"][0]["period"], Value::Null);
}

#[test]
fn an_empty_ledger_gives_zeroed_documents() {
    let generated = Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap();
    let doc = serde_json::to_value(all_time_tips_doc(&[], generated)).unwrap();
    assert_eq!(doc["last_updated"], "2026-12-03T09:00:00Z", "always set");
    assert_eq!(doc["summary"]["total_tips_sent"], 0);
    assert_eq!(doc["summary"]["by_type"].as_object().unwrap().len(), 5);
    assert_eq!(doc["top_recipients"], json!([]));
    let ours = serde_json::to_value(tips_doc(&[], Tally::default())).unwrap();
    assert_eq!(ours["by_kind"].as_object().unwrap().len(), 5);
    assert_eq!(ours["payouts"], json!([]));
}

#[test]
fn details_name_the_tier_month_or_week() {
    let rows = rows();
    assert_eq!(detail(&rows[0]), None);
    assert_eq!(detail(&rows[1]).as_deref(), Some("Week of 23 Nov 2026"));
    assert_eq!(detail(&rows[2]).as_deref(), Some("Rank 3"));
    let month = public_rows(
        &[tip("u", "name", PayoutKind::Leaderboard, 100, 1, 12)],
        &key(),
    );
    assert_eq!(detail(&month[0]).as_deref(), Some("December 2026"));
}

#[test]
fn pages_split_the_payouts_and_repeat_the_totals() {
    let rows = rows();
    let pages = tips_pages(&rows, Tally::default(), 3, Listing::RealMoney);
    assert_eq!(pages.len(), 2);
    let first: Value = serde_json::to_value(&pages[0]).unwrap();
    let last: Value = serde_json::to_value(&pages[1]).unwrap();
    assert_eq!(first["payouts"].as_array().unwrap().len(), 3);
    assert_eq!(last["payouts"].as_array().unwrap().len(), 1);
    for (page, number, next) in [(&first, 1, json!(2)), (&last, 2, Value::Null)] {
        assert_eq!(page["page"], number);
        assert_eq!(page["pages"], 2);
        assert_eq!(page["per_page"], 3);
        assert_eq!(page["next_page"], next);
        assert_eq!(page["totals"], json!({"count": 4, "amount": 52.5}));
        assert_eq!(page["updated_at"], "2026-12-02T12:00:00Z");
    }
    assert_eq!(last["payouts"][0]["amount"], 2.5, "oldest last");
    let empty = tips_pages(&[], Tally::default(), TIPS_PER_PAGE, Listing::RealMoney);
    assert_eq!(empty.len(), 1, "an empty ledger still has page 1");
    assert_eq!(empty[0].next_page, None);
}

#[test]
fn rendered_documents_carry_the_hash_of_their_bytes() {
    let sent: Vec<SentTip> = (1..=250)
        .map(|i| {
            tip(
                "uid-1",
                "LuckyDuck",
                PayoutKind::Manual,
                100,
                1 + i % 28,
                11,
            )
        })
        .collect();
    let docs = render_tips(
        &sent,
        &key(),
        Tally::default(),
        Some([250, 0, 0, 0, 0, 0]),
        Utc::now(),
        Listing::RealMoney,
    );
    assert_eq!(docs.api_pages.len(), 3);
    for page in &docs.api_pages {
        assert_eq!(
            page.etag,
            crate::published::Rendered::new(page.body.to_vec()).etag
        );
        let doc: Value = serde_json::from_slice(&page.body).unwrap();
        assert!(doc["payouts"].as_array().unwrap().len() <= TIPS_PER_PAGE);
        assert_eq!(doc["totals"]["count"], 250);
    }
    let seed: Value = serde_json::from_slice(&docs.all_time.body).unwrap();
    assert_eq!(seed["summary"]["total_tips_sent"], 250);
}
