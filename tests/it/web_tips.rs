//! The tips transparency surface over real HTTP, on SQLite and PostgreSQL:
//! `/api/tips`, `/allTimeTips.json` and the `/tips` page list only payouts
//! the casino confirmed (no failed, pending, unknown or dry-run rows), with
//! totals that match the ledger to the cent, masked names, opaque ids,
//! escaping and caching; and, where Chromium is installed, a phone render.

use crate::common;

mod demo;
mod support;

use std::collections::BTreeSet;
use std::path::Path;

use fts_assistant::domain::masking::mask_username;
use fts_assistant::domain::money::Cents;
use fts_assistant::domain::payout_keys::PayoutKind;
use fts_assistant::web::tips::PAGE_ROWS;
use serde_json::{json, Value};

use crate::common::{chromium, named_ids, Db, TestApp};
use support::{
    assert_private, at, cells, insert_sent_bulk, json, ledger, public_id, record_all, seed,
    spawn_with, End, Who, AERO, BOB, BOLD, LUCKY,
};

/// The recipients' uids, whose public ids snapshots name.
const UIDS: [&str; 4] = [LUCKY.0, BOLD.0, AERO.0, BOB.0];

async fn api_tips_lists_only_confirmed_real_payouts(db: Db) {
    let Some(app) = spawn_with(db, &ledger()).await else {
        return;
    };
    let (text, doc) = json(&app, "/api/tips").await;
    assert_private(&text);
    insta::assert_json_snapshot!("api_tips", named_ids(&app, doc.clone(), &UIDS));
    assert_eq!(doc["updated_at"], "2026-11-24T11:00:00Z");
    assert_eq!(doc["updated_at_timestamp"], at(11, 24, 11, 0).timestamp());
    assert_eq!(doc["totals"], json!({"count": 6, "amount": 572.84}));
    assert_eq!(
        doc["by_kind"],
        json!({
            "milestone": {"count": 2, "amount": 15.0},
            "challenge": {"count": 1, "amount": 12.34},
            "leaderboard": {"count": 1, "amount": 500.0},
            "multiplier": {"count": 1, "amount": 20.0},
            "manual": {"count": 1, "amount": 25.5}
        })
    );
    assert_eq!(
        doc["dry_run_excluded"],
        json!({"count": 2, "amount": 82.77})
    );
    let shown: Vec<(String, String, f64)> = doc["payouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (name, kind) = (&p["username"], &p["kind"]);
            (
                name.as_str().unwrap().into(),
                kind.as_str().unwrap().into(),
                p["amount"].as_f64().unwrap(),
            )
        })
        .collect();
    let expected = [
        (BOB, "manual", 25.5),
        (AERO, "multiplier", 20.0),
        (AERO, "challenge", 12.34),
        (LUCKY, "milestone", 10.0),
        (BOLD, "leaderboard", 500.0),
        (LUCKY, "milestone", 5.0),
    ]
    .map(|(who, kind, amount)| (mask_username(who.1), kind.to_string(), amount));
    assert_eq!(shown, expected);
    assert_eq!(
        doc["payouts"][3],
        json!({
            "public_id": public_id(&app, LUCKY),
            "username": "LuckyD***",
            "kind": "milestone",
            "amount": 10.0,
            "sent_at": "2026-11-03T09:00:00Z",
            "sent_at_timestamp": at(11, 3, 9, 0).timestamp(),
            "period": "2026-11",
            "tier": 2
        })
    );
}

async fn all_time_tips_keeps_the_seed_shape_with_exact_sums(db: Db) {
    let Some(app) = spawn_with(db, &ledger()).await else {
        return;
    };
    let (text, doc) = json(&app, "/allTimeTips.json").await;
    assert_private(&text);
    insta::assert_json_snapshot!("allTimeTips", named_ids(&app, doc.clone(), &UIDS));
    assert_eq!(doc["data_type"], "all_time_tips");
    assert_eq!(doc["last_updated"], "2026-11-24T11:00:00Z");
    assert_eq!(
        doc["summary"],
        json!({
            "total_tips_sent": 6,
            "total_amount_sent": 572.84,
            "by_type": {
                "milestone": {"total_amount": 15.0, "tip_count": 2},
                "manual": {"total_amount": 25.5, "tip_count": 1},
                "slot_challenge": {"total_amount": 12.34, "tip_count": 1},
                "weekly_multiplier": {"total_amount": 20.0, "tip_count": 1},
                "monthly_leaderboard": {"total_amount": 500.0, "tip_count": 1}
            }
        })
    );
    let id = |who: Who| public_id(&app, who);
    let top = |who: Who, total: f64, tips: i64| json!({"user_id": id(who), "username": mask_username(who.1), "total_received": total, "total_tips": tips});
    assert_eq!(
        doc["top_recipients"],
        json!([
            top(BOLD, 500.0, 1),
            top(AERO, 32.34, 2),
            top(BOB, 25.5, 1),
            top(LUCKY, 15.0, 2)
        ])
    );
    let detail = &doc["detailed_data"];
    assert_eq!(detail.as_array().unwrap().len(), 4);
    assert_eq!(detail[1]["user_id"], id(AERO));
    assert_eq!(detail[1]["total_received"], 32.34);
    assert_eq!(
        detail[3]["tips_by_type"],
        json!({"milestone": {"amount": 15.0, "count": 2,
            "first_tip": "2026-10-12T10:00:00Z", "latest_tip": "2026-11-03T09:00:00Z"}})
    );
    let months: Vec<Value> = doc["monthly_breakdown"].as_array().unwrap().clone();
    let keys: BTreeSet<&str> = months[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected_keys = [
        "amount",
        "count",
        "month",
        "period_key",
        "tip_type",
        "user_id",
        "username",
        "year",
    ];
    assert_eq!(keys, expected_keys.into_iter().collect());
    let lines: Vec<(String, &str, &str, i64, i64, f64)> = months
        .iter()
        .map(|m| {
            let month = (m["year"].as_i64().unwrap(), m["month"].as_i64().unwrap());
            let user = m["user_id"].as_str().unwrap().to_string();
            (
                user,
                m["tip_type"].as_str().unwrap(),
                m["period_key"].as_str().unwrap(),
                month.0,
                month.1,
                m["amount"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (id(BOLD), "monthly_leaderboard", "2026-11", 2026, 11, 500.0),
            (id(BOB), "manual", "2026-11", 2026, 11, 25.5),
            (id(AERO), "weekly_multiplier", "2026-11", 2026, 11, 20.0),
            (id(AERO), "slot_challenge", "2026-11", 2026, 11, 12.34),
            (id(LUCKY), "milestone", "2026-11", 2026, 11, 10.0),
            (id(LUCKY), "milestone", "2026-10", 2026, 10, 5.0),
        ]
    );
}

async fn tags(app: &TestApp) -> [String; 2] {
    let mut tags = [String::new(), String::new()];
    for (tag, path) in tags.iter_mut().zip(["/api/tips", "/allTimeTips.json"]) {
        let response = app.get(path).await;
        assert_eq!(response.headers()["cache-control"], "public, max-age=60");
        *tag = response.headers()["etag"].to_str().unwrap().to_string();
    }
    tags
}

async fn tip_documents_answer_304_and_change_tag_only_when_a_tip_is_paid(db: Db) {
    let ledger = ledger();
    let Some(app) = spawn_with(db, &ledger[..3]).await else {
        return;
    };
    let first = tags(&app).await;
    for (path, tag) in ["/api/tips", "/allTimeTips.json"].iter().zip(&first) {
        let again = app
            .http
            .get(format!("{}{path}", app.base_url))
            .header("if-none-match", tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], tag.as_str());
    }
    // Failed, pending, unknown and awaiting payouts change nothing public.
    let private = [&ledger[6], &ledger[7], &ledger[8], &ledger[11]].map(Clone::clone);
    record_all(&app, &private).await;
    assert_eq!(tags(&app).await, first);
    // A dry run only moves our document's count of what was left out.
    record_all(&app, &ledger[9..10]).await;
    let dry = tags(&app).await;
    assert_ne!(dry[0], first[0]);
    assert_eq!(dry[1], first[1]);
    record_all(&app, &ledger[3..4]).await;
    let paid = tags(&app).await;
    assert_ne!(paid[0], dry[0]);
    assert_ne!(paid[1], dry[1]);
}

async fn empty_ledger_gives_zeroed_documents_and_an_empty_log(db: Db) {
    let Some(app) = spawn_with(db, &[]).await else {
        return;
    };
    let (_, ours) = json(&app, "/api/tips").await;
    assert_eq!(ours["updated_at"], Value::Null);
    assert_eq!(ours["totals"], json!({"count": 0, "amount": 0.0}));
    assert_eq!(ours["payouts"], json!([]));
    let (_, seed) = json(&app, "/allTimeTips.json").await;
    assert_eq!(seed["summary"]["total_tips_sent"], 0);
    assert_eq!(
        seed["summary"]["by_type"]["manual"],
        json!({"total_amount": 0.0, "tip_count": 0})
    );
    assert_eq!(seed["top_recipients"], json!([]));
    let page = app.get("/tips").await.text().await.unwrap();
    assert!(page.contains("No tip has been paid yet"), "{page}");
    assert!(page.contains("$0.00"));
}

async fn tips_page_shows_the_log_and_totals_masked_and_escaped(db: Db) {
    let Some(app) = spawn_with(db, &ledger()).await else {
        return;
    };
    let response = app.get("/tips").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert_private(&html);
    assert!(html.contains("aria-current=\"page\">Tips"));
    let players = cells(&html, "player");
    let bold = "&#60;b&#62;Bold&#38;Co&#60;***";
    let expected = [
        "***",
        "Ærøskøb***",
        "Ærøskøb***",
        "LuckyD***",
        bold,
        "LuckyD***",
    ];
    assert_eq!(players, expected.map(String::from));
    assert_eq!(
        cells(&html, "num prize"),
        ["$25.50", "$20.00", "$12.34", "$10.00", "$500.00", "$5.00"].map(String::from)
    );
    let kinds = cells(&html, "kind");
    assert!(kinds[0].starts_with("Manual tip"), "{kinds:?}");
    assert!(kinds[1].contains("Weekly multiplier") && kinds[1].contains("Week of 16 Nov 2026"));
    assert!(kinds[3].contains("Wager milestone") && kinds[3].contains("Rank 2"));
    assert!(kinds[4].contains("Monthly leaderboard") && kinds[4].contains("October 2026"));
    for total in [
        "$572.84", "6 tips", "$500.00", "$15.00", "$12.34", "$20.00", "$25.50",
    ] {
        assert!(html.contains(total), "{total}");
    }
    assert!(
        html.contains("2 tips ($82.77) recorded in test mode, where no money moved"),
        "dry runs are said to be left out"
    );
    // Failed, pending, awaiting and dry-run amounts never appear (the unknown
    // $15.00 shares its figure with the milestone total; the rows cover it).
    for private in ["$9.99", "$300.00", "$200.00", "$77.77"] {
        assert!(
            !html.contains(&format!(">{}<", private.trim())),
            "{private}"
        );
    }
    assert!(!html.contains("Showing the latest"));
}

async fn the_log_is_capped_but_totals_count_every_tip(db: Db) {
    let extra = PAGE_ROWS as usize + 3;
    let seeds: Vec<_> = (0..extra)
        .map(|i| {
            let when = at(11, 1, 0, 0) + chrono::Duration::minutes(i as i64);
            let key = format!("manual:{i}");
            seed(
                &key,
                PayoutKind::Manual,
                LUCKY,
                100,
                None,
                None,
                End::Sent,
                when,
            )
        })
        .collect();
    let Some(app) = spawn_with(db, &seeds).await else {
        return;
    };
    let html = app.get("/tips").await.text().await.unwrap();
    assert_eq!(cells(&html, "player").len(), PAGE_ROWS as usize);
    assert!(html.contains(&format!("Showing the latest {PAGE_ROWS} of {extra} tips")));
    assert!(html.contains(&format!("{}", Cents::new(100 * extra as i64))));
    let (_, doc) = json(&app, "/api/tips").await;
    assert_eq!(doc["payouts"].as_array().unwrap().len(), 100);
    assert_eq!(doc["totals"]["count"], extra);
    assert_eq!(doc["pages"], 3);
    assert_eq!(doc["next_page"], 2);
    let (_, last) = json(&app, "/api/tips?page=3").await;
    assert_eq!(last["payouts"].as_array().unwrap().len(), extra - 200);
    assert_eq!(last["next_page"], Value::Null);
    assert_eq!(last["totals"], doc["totals"]);
    assert_eq!(app.get("/api/tips?page=4").await.status(), 404);
    assert_eq!(app.get("/api/tips?page=0").await.status(), 400);
    assert_eq!(app.get("/api/tips?page=x").await.status(), 400);
}

async fn a_hundred_thousand_payouts_are_paged_and_never_a_500(db: Db) {
    let Some(app) = spawn_with(db, &[]).await else {
        return;
    };
    insert_sent_bulk(&app, 100_000).await;
    app.state.refresh_tips().await;
    let (_, first) = json(&app, "/api/tips").await;
    assert_eq!(first["totals"]["count"], 100_000);
    assert_eq!(first["pages"], 1_000);
    assert_eq!(first["payouts"].as_array().unwrap().len(), 100);
    assert_eq!(first["payouts"][0]["username"], mask_username("player0"));
    let (_, last) = json(&app, "/api/tips?page=1000").await;
    assert_eq!(last["payouts"].as_array().unwrap().len(), 100);
    assert_eq!(last["next_page"], Value::Null);
    let seed = app.get("/allTimeTips.json").await;
    assert_eq!(seed.status(), 200);
    assert!(seed.headers().contains_key("etag"));
    let seed: Value = seed.json().await.unwrap();
    assert_eq!(seed["summary"]["total_tips_sent"], 100_000);
    assert_eq!(seed["detailed_data"].as_array().unwrap().len(), 5_000);
    // Served from the rendered bytes: a request costs no rebuild.
    let started = std::time::Instant::now();
    for _ in 0..20 {
        assert_eq!(app.get("/api/tips?page=500").await.status(), 200);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

async fn a_payout_sent_elsewhere_reaches_the_documents_within_the_watch_interval(db: Db) {
    let refresh = std::time::Duration::from_secs(1);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), true, |c| {
        c.tips_refresh = refresh;
    })
    .await
    else {
        return;
    };
    let (_, before) = json(&app, "/api/tips").await;
    assert_eq!(before["totals"]["count"], 0);
    // Another replica (or an admin's reconcile) confirms a payout: nothing
    // in this process is told.
    insert_sent_bulk(&app, 3).await;
    let deadline = std::time::Instant::now() + refresh + std::time::Duration::from_secs(3);
    loop {
        let (_, doc) = json(&app, "/api/tips").await;
        if doc["totals"]["count"] == 3 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "documents still stale: {doc}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// `import-legacy` run against a serving database: the original's tips are
/// public money, so they must move the documents like a sent tip does.
async fn tips_imported_while_serving_reach_the_documents(db: Db) {
    use fts_assistant::store::cutover::record_settled;
    use fts_assistant::store::payouts::{NewPayout, PayoutStatus};
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, |_| {}).await else {
        return;
    };
    assert!(!fts_assistant::web::tips::refresh(&app.state).await.unwrap());
    let (_, before) = json(&app, "/api/tips").await;
    assert_eq!(before["totals"]["count"], 0);
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let imported = NewPayout {
        key: "legacy:manual:1".into(),
        kind: PayoutKind::Manual,
        uid: "uid-old".into(),
        username: "OldTimer".into(),
        amount: Cents::new(2_500),
        status: PayoutStatus::Imported,
        period_key: None,
        tier: None,
        requested_by: None,
        reason: Some("giveaway".into()),
        priority: 0,
    };
    let sent_ms = common::test_start().timestamp_millis() - 86_400_000;
    record_settled(&mut conn, &imported, Some(sent_ms), false, sent_ms)
        .await
        .unwrap();
    drop(conn);
    assert!(
        fts_assistant::web::tips::refresh(&app.state).await.unwrap(),
        "an imported tip changes what the documents show"
    );
    let (_, after) = json(&app, "/api/tips").await;
    assert_eq!(after["totals"]["count"], 1, "{after}");
    assert_eq!(after["totals"]["amount"], 25.0, "{after}");
}

on_both_databases!(
    tips_imported_while_serving_reach_the_documents,
    a_hundred_thousand_payouts_are_paged_and_never_a_500,
    a_payout_sent_elsewhere_reaches_the_documents_within_the_watch_interval,
    api_tips_lists_only_confirmed_real_payouts,
    all_time_tips_keeps_the_seed_shape_with_exact_sums,
    tip_documents_answer_304_and_change_tag_only_when_a_tip_is_paid,
    empty_ledger_gives_zeroed_documents_and_an_empty_log,
    tips_page_shows_the_log_and_totals_masked_and_escaped,
    the_log_is_capped_but_totals_count_every_tip,
);

/// Real renders of `/tips` on a phone and a desktop viewport, kept in
/// `screenshots/` to look at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tips_page_renders_in_chromium_on_phone_and_desktop() {
    if !chromium::available() {
        return;
    }
    let app = spawn_with(Db::Sqlite, &ledger())
        .await
        .expect("SQLite always runs");
    let dir = tempfile::tempdir().unwrap();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (size, device) in [("390,1400", "phone"), ("1280,1100", "desktop")] {
        let file = dir.path().join(format!("tips-{device}.png"));
        let args = vec![
            format!("--user-data-dir={}", dir.path().join(device).display()),
            format!("--window-size={size}"),
            format!("--screenshot={}", file.display()),
            format!("{}/tips", app.base_url),
        ];
        tokio::task::spawn_blocking(move || chromium::run(&args))
            .await
            .unwrap();
        let bytes = std::fs::metadata(&file).expect("screenshot written").len();
        assert!(bytes > 10 * 1024, "tips-{device}.png is only {bytes} bytes");
        std::fs::copy(&file, shots.join(format!("tips-{device}.png"))).unwrap();
    }
}
