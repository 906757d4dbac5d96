//! Issue 3's acceptance, end to end: the real app polls the fake casino,
//! serves the same ten ranked, masked rows as `/api/leaderboard`,
//! `/latestLBResults.json` and `/`, and posts one Discord message per board,
//! then edits those same messages after the next cycle.

mod common;

use chrono::Duration;
use fts_assistant::config::Secret;
use fts_assistant::jobs::{after_cycle, poll::run_and_record};
use fts_assistant::roobet::fake::{
    FakeCallKind, FakeCasino, FakeMode, FakeRow, DEMO_AFFILIATE_TOKEN, DEMO_USER_ID,
};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{Db, TestApp};

fn players(casino: &FakeCasino, bump: f64) {
    let rows = |total: bool| {
        (1..=12u32)
            .map(|i| {
                let w = f64::from(13 - i) * 1_000.0 + bump;
                let row = FakeRow::new(&format!("uid-{i:02}"), &format!("Gambler{i:02}"))
                    .wagered(w * 2.0);
                if total {
                    row
                } else {
                    row.weighted(w).hit(
                        10.0 * f64::from(i),
                        0.5,
                        5.0 * f64::from(i),
                        "pragmatic:vs20olympgate",
                        "Gates of Olympus",
                    )
                }
            })
            .collect::<Vec<_>>()
    };
    casino.set_rows(FakeCallKind::Weighted, rows(false));
    casino.set_rows(FakeCallKind::Total, rows(true));
}

async fn discord() -> MockServer {
    let server = MockServer::start().await;
    for (channel, id) in [(10, "1001"), (20, "2001")] {
        Mock::given(method("POST"))
            .and(path(format!("/channels/{channel}/messages")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": id })))
            .mount(&server)
            .await;
    }
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/channels/\d+/messages/\d+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "0" })))
        .mount(&server)
        .await;
    server
}

async fn one_poll_serves_the_same_board_everywhere_and_edits_discord_in_place(db: Db) {
    let clock = std::sync::Arc::new(fts_assistant::clock::ManualClock::new(common::test_start()));
    let casino = FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap();
    players(&casino, 0.0);
    let discord = discord().await;
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, |c| {
        c.roobet_api_base = casino.base_url().to_string();
        c.roobet_api_token = Some(Secret::new(DEMO_AFFILIATE_TOKEN));
        c.roobet_user_id = Some(DEMO_USER_ID.into());
        c.discord_api_base = discord.uri();
        c.discord_token = Some(Secret::new("bot-token"));
        c.channels.leaderboard = Some(10);
        c.channels.multiplier = Some(20);
    })
    .await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    after_cycle(&app.state).await;

    let api: Value = app.get("/api/leaderboard").await.json().await.unwrap();
    let entries = api["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 10);
    let prizes = [
        500.0, 300.0, 225.0, 175.0, 125.0, 75.0, 40.0, 30.0, 25.0, 5.0,
    ];
    for (i, entry) in entries.iter().enumerate() {
        let n = i + 1;
        assert_eq!(entry["rank"], n);
        assert_eq!(entry["username"], "Gamble***", "masked: {entry}");
        assert_eq!(entry["weighted_wagered"], (13 - n) as f64 * 1_000.0);
        assert_eq!(entry["wagered"], (13 - n) as f64 * 2_000.0);
        assert_eq!(entry["prize"], prizes[i]);
    }
    let seed: Value = app.get("/latestLBResults.json").await.json().await.unwrap();
    let seed = seed.as_array().unwrap();
    assert_eq!(seed.len(), 10);
    for (ours, theirs) in entries.iter().zip(seed) {
        assert_eq!(ours["rank"], theirs["rank"]);
        assert_eq!(ours["username"], theirs["username"]);
        assert_eq!(ours["weighted_wagered"], theirs["weightedWagered"]);
        assert_eq!(ours["wagered"], theirs["wagered"]);
        assert!(
            !theirs["uid"].as_str().unwrap().starts_with("uid-"),
            "opaque ids only"
        );
    }
    let page = app.get("/").await.text().await.unwrap();
    // The body's rows (the head's link-preview tags name the leader too).
    let body = page.split("</head>").nth(1).unwrap_or_default();
    assert_eq!(
        body.matches("Gamble***").count(),
        10,
        "ten rows on the page"
    );
    assert!(!page.contains("Gambler01"));
    assert!(page.contains("$12,000.00"));

    let requests = discord.received_requests().await.unwrap();
    let posts: Vec<String> = requests
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(posts, ["/channels/10/messages", "/channels/20/messages"]);

    // Next cycle: new figures, the same two messages edited, nothing posted.
    players(&casino, 500.0);
    app.clock.advance(Duration::minutes(10));
    run_and_record(&app.jobs).await.unwrap();
    after_cycle(&app.state).await;
    let requests = discord.received_requests().await.unwrap();
    let patches: Vec<String> = requests
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        patches,
        ["/channels/10/messages/1001", "/channels/20/messages/2001"]
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.method.as_str() == "POST")
            .count(),
        2
    );
    let edited = String::from_utf8_lossy(&requests.last().unwrap().body).to_string();
    assert!(
        !edited.contains("Gambler"),
        "masked in Discord too: {edited}"
    );
    let api: Value = app.get("/api/leaderboard").await.json().await.unwrap();
    assert_eq!(api["entries"][0]["weighted_wagered"], 12_500.0);
}

on_both_databases!(one_poll_serves_the_same_board_everywhere_and_edits_discord_in_place);
