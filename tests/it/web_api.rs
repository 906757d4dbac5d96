//! The JSON documents over real HTTP, on SQLite and PostgreSQL: contents
//! and shapes, masking, prizes, caching (ETag/304, Cache-Control), CORS and
//! the frozen-month history.

use std::collections::HashSet;

use chrono::Duration;
use fts_assistant::clock::Clock;
use fts_assistant::domain::leaderboard::{default_monthly_prizes, rank_monthly};
use fts_assistant::domain::money::Cents;
use fts_assistant::domain::multiplier::{default_weekly_prizes, rank_weekly};
use fts_assistant::published::Published;
use fts_assistant::store::periods;
use fts_assistant::store::snapshots::PeriodKind;
use fts_assistant::store::standings::{self, FinalStanding};
use fts_assistant::web::WEIGHTING_DISCLOSURE;
use serde_json::{json, Value};

use crate::common::{figures, hit, named_ids, Db, TestApp};

/// Raw names and uids of the fixture: none may appear in a public body.
const PLAYERS: [(&str, &str, i64, i64); 7] = [
    ("roobet-uid-1001", "LuckyDuck", 1_234_567, 1_000_000),
    ("roobet-uid-1002", "Ærøskøbing", 900_000, 500_000),
    ("roobet-uid-1003", "tie_alpha", 300_000, 250_000),
    ("roobet-uid-1004", "tie_bravo", 300_000, 250_000),
    ("roobet-uid-1005", "bob", 80_000, 40_000),
    ("roobet-uid-1006", "<b>Bold&Co</b>", 10_050, 1_350),
    ("roobet-uid-1007", "zero_weight", 99_999, 0),
];

/// The uids of [`PLAYERS`], whose public ids snapshots name.
const UIDS: [&str; 7] = [
    "roobet-uid-1001",
    "roobet-uid-1002",
    "roobet-uid-1003",
    "roobet-uid-1004",
    "roobet-uid-1005",
    "roobet-uid-1006",
    "roobet-uid-1007",
];

/// Weekly hits: uid, name, multiplier ×100, bet in cents, game id, title.
type S = &'static str;
type HitRow = (S, S, i64, i64, S, S);
#[rustfmt::skip]
const HITS: [HitRow; 2] = [
    ("roobet-uid-1002", "Ærøskøbing", 51_240, 20, "pragmatic:vs10bbbbrnd", "Big Bass Bonanza"),
    ("roobet-uid-1001", "LuckyDuck", 10_000, 100, "hacksaw:wanted", "Wanted Dead or a Wild"),
];

/// Six ranked players (a tie broken by uid, a unicode name, a three-letter
/// name, markup in a name; one with zero weighted wager is not ranked) and
/// two weekly hits, fetched five minutes before the test clock.
fn published(app: &TestApp) -> Published {
    let now = app.clock.now();
    let mut p = Published::empty(now, default_monthly_prizes(), default_weekly_prizes());
    let month: Vec<_> = PLAYERS
        .iter()
        .map(|&(uid, name, w, ww)| figures(uid, name, w, ww, None))
        .collect();
    p.month.entries = rank_monthly(&month, &HashSet::new(), &p.month.prizes);
    let week =
        HITS.map(|(uid, name, m, bet, id, title)| figures(uid, name, 0, 0, hit(m, bet, id, title)));
    p.week.entries = rank_weekly(&week, &HashSet::new(), &p.week.prizes, None);
    p.updated_at = Some(now - Duration::minutes(5));
    p
}

async fn spawn_with_board(db: Db) -> Option<TestApp> {
    let app = TestApp::spawn(db).await?;
    app.state.board.publish(published(&app));
    Some(app)
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("a JSON body")
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.http.get(format!("{}{path}", app.base_url));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request reaches the app")
}

fn assert_nothing_private(body: &str) {
    for (uid, name, _, _) in PLAYERS {
        assert!(!body.contains(uid), "raw uid {uid} in {body}");
        if name.chars().count() > 3 {
            assert!(!body.contains(name), "raw name {name} in {body}");
        }
    }
}

async fn leaderboard_lists_masked_ranked_players_with_prizes(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    let doc = get_json(&app, "/api/leaderboard").await;
    insta::assert_json_snapshot!("api_leaderboard", named_ids(&app, doc.clone(), &UIDS));
    let row = |rank: u32, name: &str, wagered: f64, weighted: f64, prize: f64| {
        // The fixture has no tier table and no tips: both are empty.
        json!({"rank": rank, "username": name, "wagered": wagered,
               "weighted_wagered": weighted, "prize": prize,
               "tier": null, "tips_this_month": 0.0})
    };
    #[rustfmt::skip]
    let expected = json!([
        row(1, "LuckyD***", 12_345.67, 10_000.0, 500.0),
        row(2, "Ærøskøb***", 9_000.0, 5_000.0, 300.0),
        row(3, "tie_al***", 3_000.0, 2_500.0, 225.0),
        row(4, "tie_br***", 3_000.0, 2_500.0, 175.0),
        row(5, "***", 800.0, 400.0, 125.0),
        row(6, "<b>Bold&Co<***", 100.5, 13.5, 75.0),
    ]);
    assert_eq!(doc["entries"], expected);
    assert_eq!(doc["period"]["key"], "2026-11");
    assert_eq!(doc["period"]["start"], "2026-11-01T00:00:00Z");
    assert_eq!(doc["period"]["end"], "2026-11-30T23:59:59Z");
    assert_eq!(doc["updated_at"], "2026-11-24T11:55:00Z");
    assert_eq!(doc["updated_at_timestamp"], 1_795_521_300);
    assert_eq!(doc["prize_pool"], 1500.0);
    assert_eq!(doc["prizes"].as_array().unwrap().len(), 10);
    assert_eq!(doc["prizes"][9], json!({"rank": 10, "prize": 5.0}));
    assert_eq!(doc["weighting"], WEIGHTING_DISCLOSURE);
}

async fn seed_leaderboard_file_has_the_same_rows_with_opaque_ids(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    let ours = get_json(&app, "/api/leaderboard").await;
    let seed = get_json(&app, "/latestLBResults.json").await;
    insta::assert_json_snapshot!("latestLBResults", named_ids(&app, seed.clone(), &UIDS));
    let seed = seed.as_array().expect("a bare list");
    let ours = ours["entries"].as_array().unwrap();
    assert_eq!(seed.len(), ours.len());
    for (s, o) in seed.iter().zip(ours) {
        let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 5, "{s}");
        assert_eq!(s["rank"], o["rank"]);
        assert_eq!(s["username"], o["username"]);
        assert_eq!(s["wagered"], o["wagered"]);
        assert_eq!(s["weightedWagered"], o["weighted_wagered"]);
    }
    let expected_uid = app.state.public_ids.public_id("roobet-uid-1001");
    assert_eq!(seed[0]["uid"], expected_uid.as_str());
}

async fn multiplier_documents_show_hits_and_pad_the_seed_podium(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    let ours = get_json(&app, "/api/multipliers").await;
    insta::assert_json_snapshot!("api_multipliers", named_ids(&app, ours.clone(), &UIDS));
    assert_eq!(ours["period"]["key"], "2026-11-23");
    assert_eq!(ours["min_bet"], Value::Null);
    assert_eq!(ours["prize_pool"], 40.0);
    assert_eq!(
        ours["entries"][0],
        json!({"rank": 1, "username": "Ærøskøb***", "multiplier": 512.4,
               "game_id": "pragmatic:vs10bbbbrnd", "game_title": "Big Bass Bonanza",
               "game_url": "https://roobet.com/casino/game/pragmatic:vs10bbbbrnd",
               "bet": 0.2, "payout": 102.48, "prize": 20.0})
    );
    assert_eq!(ours["entries"].as_array().unwrap().len(), 2);

    let seed = get_json(&app, "/LatestMultiLBResults.json").await;
    insta::assert_json_snapshot!("LatestMultiLBResults", named_ids(&app, seed.clone(), &UIDS));
    assert_eq!(seed["leaderboard_type"], "weekly_multiplier");
    assert_eq!(seed["period"]["start_date"], "2026-11-23T00:00:00Z");
    assert_eq!(seed["period"]["end_date"], "2026-11-29T23:59:59Z");
    assert_eq!(seed["last_updated"], "2026-11-24T11:55:00Z");
    let slots = seed["entries"].as_array().unwrap();
    assert_eq!(slots.len(), 3);
    assert_eq!(
        slots[1],
        json!({"rank": 2, "username": "LuckyD***", "multiplier": 100.0,
               "game": "Wanted Dead or a Wild", "game_identifier": "hacksaw:wanted",
               "wagered": 1.0, "payout": 100.0, "prize": 15.0})
    );
    assert_eq!(slots[2]["username"], "N/A");
    // As the original: an empty slot is on game "Unknown" and shows its prize.
    assert_eq!(slots[2]["game"], "Unknown");
    assert_eq!(slots[2]["prize"], 5.0);
    assert_eq!(slots[2]["multiplier"], 0.0);
}

async fn no_document_reveals_a_raw_name_or_uid(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    freeze_october(&app).await;
    for path in [
        "/api/leaderboard",
        "/latestLBResults.json",
        "/api/multipliers",
        "/LatestMultiLBResults.json",
        "/api/leaderboard/2026-10",
    ] {
        let body = app.get(path).await.text().await.unwrap();
        assert_nothing_private(&body);
    }
}

async fn the_board_shows_ten_rows_at_most(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let mut p = published(&app);
    let many: Vec<_> = (1..=14)
        .map(|i| {
            figures(
                &format!("uid-{i}"),
                &format!("player{i:02}"),
                i * 100,
                i * 100,
                None,
            )
        })
        .collect();
    p.month.entries = rank_monthly(&many, &HashSet::new(), &p.month.prizes);
    app.state.board.publish(p);
    let doc = get_json(&app, "/api/leaderboard").await;
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 10);
    assert_eq!(entries[0]["username"], "playe***");
    assert_eq!(entries[9]["prize"], 5.0);
    let seed = get_json(&app, "/latestLBResults.json").await;
    assert_eq!(seed.as_array().unwrap().len(), 10);
}

async fn before_any_data_documents_are_empty_with_null_times(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let doc = get_json(&app, "/api/leaderboard").await;
    assert_eq!(doc["updated_at"], Value::Null);
    assert_eq!(doc["entries"], json!([]));
    assert_eq!(get_json(&app, "/latestLBResults.json").await, json!([]));
    let multi = get_json(&app, "/LatestMultiLBResults.json").await;
    assert_eq!(multi["entries"].as_array().unwrap().len(), 3);
}

async fn matching_if_none_match_gets_304_and_a_new_board_a_new_tag(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    for path in [
        "/api/leaderboard",
        "/latestLBResults.json",
        "/api/multipliers",
    ] {
        let first = app.get(path).await;
        let tag = first.headers()["etag"].to_str().unwrap().to_string();
        assert!(tag.starts_with('"') && tag.len() == 66, "{tag}");
        let again = get_with(&app, path, &[("if-none-match", &tag)]).await;
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], tag.as_str());
        assert_eq!(again.headers()["cache-control"], "public, max-age=60");
        assert!(again.bytes().await.unwrap().is_empty());
        let other = get_with(&app, path, &[("if-none-match", "\"other\"")]).await;
        assert_eq!(other.status(), 200);
    }
    let before = app.get("/api/leaderboard").await.headers()["etag"].clone();
    let mut next = published(&app);
    next.updated_at = Some(app.clock.now());
    app.state.board.publish(next);
    let after = app.get("/api/leaderboard").await.headers()["etag"].clone();
    assert_ne!(before, after);
}

async fn json_is_cors_open_and_cacheable(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    let origin = ("origin", "https://community.example");
    let response = get_with(&app, "/api/leaderboard", &[origin]).await;
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert_eq!(response.headers()["cache-control"], "public, max-age=60");
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let preflight = app
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/LatestMultiLBResults.json", app.base_url),
        )
        .header(origin.0, origin.1)
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    let methods = preflight.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        methods.contains("GET") && !methods.contains("POST"),
        "{methods}"
    );
}

/// October 2026 frozen with two rows, the way roll-over stores it.
async fn freeze_october(app: &TestApp) {
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let row = |rank: u32, uid: &str, name: &str, weighted: i64, prize: i64| FinalStanding {
        rank,
        uid: uid.into(),
        username: name.into(),
        wagered: Cents::new(weighted * 2),
        weighted: Cents::new(weighted),
        hit: None,
        prize: Cents::new(prize),
    };
    let rows = [
        row(1, "roobet-uid-1002", "Ærøskøbing", 700_000, 50_000),
        row(2, "roobet-uid-1001", "LuckyDuck", 300_000, 30_000),
    ];
    periods::open(&mut conn, PeriodKind::Month, "2026-10")
        .await
        .unwrap();
    standings::insert(&mut conn, PeriodKind::Month, "2026-10", &rows)
        .await
        .unwrap();
    let now_ms = app.clock.now().timestamp_millis();
    assert!(
        periods::finalize(&mut conn, PeriodKind::Month, "2026-10", now_ms)
            .await
            .unwrap()
    );
}

async fn past_month_serves_frozen_standings_404s_unknown_and_400s_bad_keys(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    freeze_october(&app).await;
    let doc = get_json(&app, "/api/leaderboard/2026-10").await;
    insta::assert_json_snapshot!(
        "api_leaderboard_2026_10",
        named_ids(&app, doc.clone(), &UIDS)
    );
    assert_eq!(doc["period"]["key"], "2026-10");
    assert_eq!(doc["period"]["end"], "2026-10-31T23:59:59Z");
    assert_eq!(doc["final"], true);
    assert_eq!(doc["prize_pool"], 800.0);
    assert_eq!(
        doc["entries"],
        json!([
            {"rank": 1, "username": "Ærøskøb***", "wagered": 14000.0,
             "weighted_wagered": 7000.0, "prize": 500.0, "tier": null, "tips_this_month": null},
            {"rank": 2, "username": "LuckyD***", "wagered": 6000.0,
             "weighted_wagered": 3000.0, "prize": 300.0, "tier": null, "tips_this_month": null},
        ])
    );
    let path = "/api/leaderboard/2026-10";
    let tag = app.get(path).await.headers()["etag"].clone();
    let again = get_with(&app, path, &[("if-none-match", tag.to_str().unwrap())]).await;
    assert_eq!(again.status(), 304);

    let unknown = app.get("/api/leaderboard/2026-09").await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.headers().get("etag").is_none());
    let body: Value = unknown.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("2026-09"));
    for bad in ["2026-13", "2026-1", "november", "2026-10-01"] {
        let response = app.get(&format!("/api/leaderboard/{bad}")).await;
        assert_eq!(response.status(), 400, "{bad}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{bad}: {body}");
    }
}

on_both_databases!(
    leaderboard_lists_masked_ranked_players_with_prizes,
    seed_leaderboard_file_has_the_same_rows_with_opaque_ids,
    multiplier_documents_show_hits_and_pad_the_seed_podium,
    no_document_reveals_a_raw_name_or_uid,
    the_board_shows_ten_rows_at_most,
    before_any_data_documents_are_empty_with_null_times,
    matching_if_none_match_gets_304_and_a_new_board_a_new_tag,
    json_is_cors_open_and_cacheable,
    past_month_serves_frozen_standings_404s_unknown_and_400s_bad_keys,
);
