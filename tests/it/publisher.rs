//! The board messages against a fake Discord on loopback: posted once,
//! edited in place afterwards (also after a restart), posted anew when
//! deleted or when the channel changes, and never carrying a raw username.

use std::sync::Arc;

use fts_assistant::app::Application;
use fts_assistant::clock::{Clock, ManualClock};
use fts_assistant::config::{Config, Secret};
use fts_assistant::domain::leaderboard::{default_monthly_prizes, MonthlyEntry};
use fts_assistant::domain::money::{Cents, Multiplier};
use fts_assistant::domain::multiplier::{default_weekly_prizes, MultiplierEntry};
use fts_assistant::domain::players::Hit;
use fts_assistant::jobs::publisher::{
    publish_boards, PublishReport, LEADERBOARD_MESSAGE_KEY, MULTIPLIER_MESSAGE_KEY,
};
use fts_assistant::published::Published;
use fts_assistant::store::settings;
use serde_json::{json, Value};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{test_start, Db, TestApp};

/// A fake Discord: a POST in channel N answers message id N*100+1; a PATCH
/// answers `patch_status` (404 is Discord's "Unknown Message").
async fn fake_discord(patch_status: u16) -> MockServer {
    let server = MockServer::start().await;
    crate::common::mount_channel_posts(&server).await;
    let patch_body = match patch_status {
        404 => json!({ "message": "Unknown Message", "code": 10008 }),
        200 => json!({ "id": "1" }),
        _ => json!({ "message": "oops" }),
    };
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/channels/\d+/messages/\d+$"))
        .respond_with(ResponseTemplate::new(patch_status).set_body_json(patch_body))
        .mount(&server)
        .await;
    server
}

fn point_at(
    server: &MockServer,
    leaderboard: Option<u64>,
    multiplier: Option<u64>,
) -> impl FnOnce(&mut Config) {
    let uri = server.uri();
    move |c| {
        c.discord_api_base = uri;
        c.discord_token = Some(Secret::new("t"));
        c.channels.leaderboard = leaderboard;
        c.channels.multiplier = multiplier;
    }
}

async fn spawn(
    db: Db,
    server: &MockServer,
    lb: Option<u64>,
    multi: Option<u64>,
) -> Option<TestApp> {
    let app = TestApp::spawn_with(db, point_at(server, lb, multi)).await?;
    app.state
        .board
        .publish(boards_with_players(app.clock.now()));
    Some(app)
}

fn boards_with_players(now: chrono::DateTime<chrono::Utc>) -> Published {
    let mut published = Published::empty(
        test_start(),
        default_monthly_prizes(),
        default_weekly_prizes(),
    );
    published.month.entries = vec![MonthlyEntry {
        rank: 1,
        uid: "uid-1".into(),
        username: "alice_smith".into(),
        wagered: Cents::new(200_000),
        weighted_wagered: Cents::new(123_456),
        prize: Some(Cents::new(50_000)),
    }];
    published.week.entries = vec![MultiplierEntry {
        rank: 1,
        uid: "uid-2".into(),
        username: "RollerBob".into(),
        hit: Hit {
            multiplier: Multiplier(51_240),
            bet: Cents::new(100),
            payout: Cents::new(51_240),
            game_id: "pragmatic:vs20olympgate".into(),
            game_title: "Gates of Olympus".into(),
        },
        prize: Some(Cents::new(2_000)),
    }];
    published.updated_at = Some(now);
    published
}

/// `"METHOD /path"` of every request Discord received, in order.
async fn calls(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

/// The calls after the first `skip`.
async fn calls_since(server: &MockServer, skip: usize) -> Vec<String> {
    calls(server).await.split_off(skip)
}

async fn stored(app: &TestApp, key: &str) -> Option<String> {
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    settings::get(&mut conn, key).await.unwrap()
}

async fn store(app: &TestApp, key: &str, value: &str) {
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    settings::set(&mut conn, key, value, 0).await.unwrap();
}

fn report(posted: u32, edited: u32, failed: u32) -> PublishReport {
    PublishReport {
        posted,
        edited,
        failed,
    }
}

async fn first_cycle_posts_then_later_cycles_edit_in_place(db: Db) {
    let server = fake_discord(200).await;
    let Some(app) = spawn(db, &server, Some(10), Some(20)).await else {
        return;
    };

    assert_eq!(publish_boards(&app.state).await, report(2, 0, 0));
    assert_eq!(
        calls(&server).await,
        ["POST /channels/10/messages", "POST /channels/20/messages"]
    );
    assert_eq!(
        stored(&app, LEADERBOARD_MESSAGE_KEY).await.as_deref(),
        Some("10:1001")
    );
    assert_eq!(
        stored(&app, MULTIPLIER_MESSAGE_KEY).await.as_deref(),
        Some("20:2001")
    );

    for cycle in 0..2 {
        assert_eq!(publish_boards(&app.state).await, report(0, 2, 0));
        assert_eq!(
            calls_since(&server, 2 + 2 * cycle).await,
            [
                "PATCH /channels/10/messages/1001",
                "PATCH /channels/20/messages/2001"
            ]
        );
    }
    let metrics = app.state.metrics.render();
    assert!(
        metrics.contains(r#"fts_external_calls_total{service="discord",outcome="ok"} 6"#),
        "{metrics}"
    );
}

async fn a_restarted_process_edits_the_messages_it_stored(db: Db) {
    let server = fake_discord(200).await;
    let Some(app) = spawn(db, &server, Some(10), Some(20)).await else {
        return;
    };
    assert_eq!(publish_boards(&app.state).await, report(2, 0, 0));

    // A second process over the same database knows nothing in memory.
    let clock = Arc::new(ManualClock::new(app.clock.now()));
    let restarted = Application::build(app.state.config.clone(), clock)
        .await
        .expect("a second process builds on the same database");
    let state = restarted.state();
    assert_eq!(publish_boards(&state).await, report(0, 2, 0));
    assert_eq!(
        calls_since(&server, 2).await,
        [
            "PATCH /channels/10/messages/1001",
            "PATCH /channels/20/messages/2001"
        ]
    );
    state.store.close().await;
}

async fn a_deleted_message_is_posted_anew_and_its_new_id_stored(db: Db) {
    let server = fake_discord(404).await;
    let Some(app) = spawn(db, &server, Some(10), None).await else {
        return;
    };
    store(&app, LEADERBOARD_MESSAGE_KEY, "10:777").await;

    assert_eq!(publish_boards(&app.state).await, report(1, 0, 0));
    assert_eq!(
        calls(&server).await,
        [
            "PATCH /channels/10/messages/777",
            "POST /channels/10/messages"
        ]
    );
    assert_eq!(
        stored(&app, LEADERBOARD_MESSAGE_KEY).await.as_deref(),
        Some("10:1001")
    );
    let metrics = app.state.metrics.render();
    assert!(
        metrics.contains(r#"fts_external_calls_total{service="discord",outcome="client_error"} 1"#),
        "{metrics}"
    );
}

async fn a_failed_edit_posts_no_duplicate_and_keeps_the_id(db: Db) {
    let server = fake_discord(500).await;
    let Some(app) = spawn(db, &server, Some(10), None).await else {
        return;
    };
    store(&app, LEADERBOARD_MESSAGE_KEY, "10:777").await;

    assert_eq!(publish_boards(&app.state).await, report(0, 0, 1));
    assert_eq!(calls(&server).await, ["PATCH /channels/10/messages/777"]);
    assert_eq!(
        stored(&app, LEADERBOARD_MESSAGE_KEY).await.as_deref(),
        Some("10:777")
    );
    let metrics = app.state.metrics.render();
    assert!(
        metrics.contains(r#"fts_external_calls_total{service="discord",outcome="server_error"} 1"#),
        "{metrics}"
    );
}

async fn a_changed_channel_gets_a_new_message_there(db: Db) {
    let server = fake_discord(200).await;
    let Some(app) = spawn(db, &server, Some(10), None).await else {
        return;
    };
    store(&app, LEADERBOARD_MESSAGE_KEY, "99:777").await;

    assert_eq!(publish_boards(&app.state).await, report(1, 0, 0));
    assert_eq!(calls(&server).await, ["POST /channels/10/messages"]);
    assert_eq!(
        stored(&app, LEADERBOARD_MESSAGE_KEY).await.as_deref(),
        Some("10:1001")
    );
}

async fn without_channels_or_token_nothing_is_called(db: Db) {
    let server = fake_discord(200).await;
    let Some(app) = spawn(db, &server, None, None).await else {
        return;
    };
    assert_eq!(publish_boards(&app.state).await, PublishReport::default());
    drop(app);

    let Some(app) = TestApp::spawn_with(db, |c| {
        point_at(&server, Some(10), Some(20))(c);
        c.discord_token = None;
    })
    .await
    else {
        return;
    };
    assert_eq!(publish_boards(&app.state).await, PublishReport::default());
    assert!(calls(&server).await.is_empty());
    assert_eq!(stored(&app, LEADERBOARD_MESSAGE_KEY).await, None);
}

async fn bodies_carry_masked_names_and_mention_no_one(db: Db) {
    let server = fake_discord(200).await;
    let Some(app) = spawn(db, &server, Some(10), Some(20)).await else {
        return;
    };
    publish_boards(&app.state).await;
    publish_boards(&app.state).await;

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        let text = String::from_utf8(request.body.clone()).unwrap();
        for raw in ["alice_smith", "RollerBob", "uid-1", "uid-2"] {
            assert!(!text.contains(raw), "{raw} in {text}");
        }
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["allowed_mentions"], json!({ "parse": [] }));
        let description = body["embeds"][0]["description"].as_str().unwrap();
        let masked = if request.url.path().starts_with("/channels/10/") {
            r"#1 alice\_sm\*\*\* — $1,234.56 weighted ($2,000.00 total) · $500"
        } else {
            r"#1 Roller\*\*\* — 512.40× on [Gates of Olympus]"
        };
        assert!(description.starts_with(masked), "{description}");
    }
}

on_both_databases!(
    first_cycle_posts_then_later_cycles_edit_in_place,
    a_restarted_process_edits_the_messages_it_stored,
    a_deleted_message_is_posted_anew_and_its_new_id_stored,
    a_failed_edit_posts_no_duplicate_and_keeps_the_id,
    a_changed_channel_gets_a_new_message_there,
    without_channels_or_token_nothing_is_called,
    bodies_carry_masked_names_and_mention_no_one,
);
