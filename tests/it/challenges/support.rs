//! Helpers of the slot challenge tests: the app wired to a scripted fake
//! casino and a fake Discord, and the interactions admins send.

use std::time::Duration;

use fts_assistant::config::{Config, Secret};
use fts_assistant::discord::synth::{Caller, OptionValue, SynthInteraction};
use fts_assistant::jobs::payout_worker::send_next;
use fts_assistant::roobet::fake::{FakeCallKind, FakeCasino, FakeMode, FakeRow};
use serde_json::{json, Value};
use sqlx::Row;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{self, TestApp};

/// The board and announcements channel.
pub const CHANNEL: u64 = 111;
/// The winners' channel.
pub const LOGS: u64 = 222;
/// The game of most tests.
pub const BASS: &str = "pragmatic:vs10bbbbrnd";
/// Another game.
pub const GATES: &str = "pragmatic:vs20olympgate";

/// A scripted fake casino with two ordinary players this month.
pub async fn casino() -> FakeCasino {
    let clock = std::sync::Arc::new(fts_assistant::clock::ManualClock::new(common::test_start()));
    let casino = FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap();
    let rows = || {
        [
            FakeRow::new("uid-a", "alice_smith")
                .wagered(10.0)
                .weighted(5.0),
            FakeRow::new("uid-b", "RollerBob")
                .wagered(8.0)
                .weighted(4.0),
        ]
    };
    casino.set_rows(FakeCallKind::Weighted, rows());
    casino.set_rows(FakeCallKind::Total, rows());
    casino
}

/// A fake Discord: a POST in channel N answers message id N*100+1, a PATCH 200.
pub async fn discord() -> MockServer {
    let server = MockServer::start().await;
    crate::common::mount_channel_posts(&server).await;
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/channels/\d+/messages/\d+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1" })))
        .mount(&server)
        .await;
    server
}

/// Points the app at the casino (stats and tips) and, when given, Discord.
pub fn wire<'a>(
    casino: &'a FakeCasino,
    discord: Option<&'a MockServer>,
) -> impl FnOnce(&mut Config) + 'a {
    move |config: &mut Config| {
        crate::common::use_fake_casino(config, casino.base_url().to_string());
        if let Some(discord) = discord {
            config.discord_api_base = discord.uri();
            config.discord_token = Some(Secret::new("t"));
            config.channels.challenge = Some(CHANNEL);
            config.channels.challenge_logs = Some(LOGS);
        }
    }
}

/// `/setchallenge` from an admin.
pub fn setchallenge(game: &str, name: &str, multiplier: f64, prize: f64) -> SynthInteraction {
    set_with(game, name, multiplier, prize, &[])
}

/// `/setchallenge` with extra options (`min_bet`, `emoji`).
pub fn set_with(
    game: &str,
    name: &str,
    multiplier: f64,
    prize: f64,
    extra: &[(&str, OptionValue)],
) -> SynthInteraction {
    let mut options = vec![
        ("game_identifier", OptionValue::String(game.into())),
        ("game_name", OptionValue::String(name.into())),
        ("multiplier", OptionValue::Number(multiplier)),
        ("prize", OptionValue::Number(prize)),
    ];
    options.extend(extra.iter().cloned());
    SynthInteraction::command("setchallenge", &options).by(Caller::ManageServer)
}

/// `/cancelchallenge` from an admin.
pub fn cancelchallenge(id: i64) -> SynthInteraction {
    SynthInteraction::command(
        "cancelchallenge",
        &[("challenge_id", OptionValue::Integer(id))],
    )
    .by(Caller::ManageServer)
}

/// Sends an interaction and returns the reply's text.
pub async fn say(app: &TestApp, interaction: &SynthInteraction) -> String {
    let (status, reply) = app.interact(interaction).await;
    assert_eq!(status, 200, "{reply}");
    assert!(common::is_ephemeral(&reply), "{reply}");
    common::content(&reply)
}

/// A player row whose best hit is on `game`.
pub fn hitter(uid: &str, name: &str, multiplier: f64, bet: f64, game: &str) -> FakeRow {
    FakeRow::new(uid, name)
        .wagered(bet * 10.0)
        .weighted(bet * 10.0)
        .hit(multiplier, bet, multiplier * bet, game, "Big Bass Bonanza")
}

/// GETs a JSON document.
pub async fn json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// `(key, uid, amount_cents, kind)` of every challenge payout.
pub async fn payouts(app: &TestApp) -> Vec<(String, String, i64, String)> {
    sqlx::query("SELECT idempotency_key, uid, amount_cents, kind FROM payouts WHERE kind = 'challenge' ORDER BY id")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

/// Sends every pending payout; how many were sent.
pub async fn drain(app: &TestApp) -> usize {
    let mut sent = 0;
    while send_next(&app.state).await.unwrap().is_some() {
        sent += 1;
    }
    sent
}

/// `(method path, body)` of every Discord request so far.
pub async fn discord_calls(server: &MockServer) -> Vec<(String, Value)> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let body = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            (format!("{} {}", r.method, r.url.path()), body)
        })
        .collect()
}

/// Waits (up to 5 s) until Discord received `count` calls matching `call`
/// (messages after a command are sent off the reply path).
pub async fn wait_for_calls(server: &MockServer, call: &str, count: usize) -> Vec<Value> {
    for _ in 0..100 {
        let bodies: Vec<Value> = discord_calls(server)
            .await
            .into_iter()
            .filter(|(c, _)| c == call)
            .map(|(_, body)| body)
            .collect();
        if bodies.len() >= count {
            return bodies;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("Discord never received {count} × {call}");
}

/// Game calls the casino received, as `(game, startDate)`.
pub fn game_calls(casino: &FakeCasino) -> Vec<(String, String)> {
    casino
        .stats_requests()
        .iter()
        .filter_map(|q| match &q.kind {
            Some(FakeCallKind::Game(game)) => {
                Some((game.clone(), q.get("startDate").unwrap_or("").to_string()))
            }
            _ => None,
        })
        .collect()
}

/// How many Discord calls matched `call` so far.
pub async fn count_calls(server: &MockServer, call: &str) -> usize {
    discord_calls(server)
        .await
        .iter()
        .filter(|(c, _)| c == call)
        .count()
}

/// Waits until Discord has received nothing new for 200 ms: the messages a
/// command posts off the reply path are done (they write to the database
/// too, which a test's next cycle must not race on SQLite).
pub async fn settle(server: &MockServer) {
    let mut seen = usize::MAX;
    for _ in 0..50 {
        let now = server.received_requests().await.unwrap_or_default().len();
        if now == seen {
            return;
        }
        seen = now;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
