//! Fixtures of the analytics tests: the fake casino's players, the fake
//! Discord, and readers for embeds and multipart bodies.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use fts_assistant::clock::ManualClock;
use fts_assistant::config::{Config, Secret};
use fts_assistant::roobet::fake::{FakeCallKind, FakeCasino, FakeMode, FakeRow};
use serde_json::{json, Value};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The goals channel the tests configure.
pub const GOAL_CHANNEL: u64 = 77;

/// A scripted fake casino.
pub async fn casino() -> FakeCasino {
    let clock = Arc::new(ManualClock::new(crate::common::test_start()));
    FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap()
}

/// `TopDog` leads (weighted $5,000, total $9,000), `LuckyDuck` is second
/// with `lucky_weighted` (total $2,000.10, a 512.40× hit), `quiet` third.
pub fn three_players(casino: &FakeCasino, lucky_weighted: f64) {
    casino.set_rows(
        FakeCallKind::Weighted,
        [
            FakeRow::new("uid-top", "TopDog")
                .wagered(8_000.0)
                .weighted(5_000.0)
                .activity(40, 7_600.0, -400.0),
            FakeRow::new("uid-lucky", "LuckyDuck")
                .wagered(1_500.0)
                .weighted(lucky_weighted)
                .hit(
                    512.4,
                    0.2,
                    102.48,
                    "pragmatic:vs10bbbbrnd",
                    "Big Bass Bonanza",
                ),
            FakeRow::new("uid-quiet", "quiet")
                .wagered(20.0)
                .weighted(10.0),
        ],
    );
    casino.set_rows(
        FakeCallKind::Total,
        [
            FakeRow::new("uid-top", "TopDog")
                .wagered(9_000.0)
                .activity(52, 8_550.25, -449.75),
            FakeRow::new("uid-lucky", "LuckyDuck").wagered(2_000.1),
            FakeRow::new("uid-quiet", "quiet").wagered(50.0),
        ],
    );
}

/// A single player whose total wager is `dollars` (goals count total wager).
pub fn one_big_spender(casino: &FakeCasino, dollars: f64) {
    let row = || FakeRow::new("uid-big", "BigSpender").wagered(dollars);
    casino.set_rows(FakeCallKind::Weighted, [row().weighted(dollars / 4.0)]);
    casino.set_rows(FakeCallKind::Total, [row()]);
}

/// Points the app at the fake casino (polling and tipping) and, when
/// given, at the fake Discord with the goals channel set.
pub fn wire<'a>(
    casino: &'a FakeCasino,
    discord: Option<&'a MockServer>,
) -> impl FnOnce(&mut Config) + 'a {
    move |config: &mut Config| {
        crate::common::use_fake_casino(config, casino.base_url().to_string());
        if let Some(discord) = discord {
            config.discord_api_base = discord.uri();
            config.discord_token = Some(Secret::new("bot-token"));
            config.channels.monthly_goal = Some(GOAL_CHANNEL);
        }
    }
}

/// Answers channel posts and edits of `@original` like Discord.
pub async fn mount_discord(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path_regex(r"^/channels/\d+/messages$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "900" })))
        .mount(server)
        .await;
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/webhooks/\d+/[^/]+/messages/@original$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "901" })))
        .mount(server)
        .await;
}

/// A fresh fake Discord.
pub async fn fake_discord() -> MockServer {
    let server = MockServer::start().await;
    mount_discord(&server).await;
    server
}

/// The value of the embed field `name` of a reply.
pub fn field(reply: &Value, name: &str) -> String {
    reply["data"]["embeds"][0]["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["name"] == name))
        .and_then(|f| f["value"].as_str())
        .unwrap_or_else(|| panic!("no field {name:?} in {reply}"))
        .to_string()
}

/// Waits for the first request with `verb` (the chart is sent by a task).
pub async fn wait_for(server: &MockServer, verb: &str, within: Duration) -> Request {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let requests = server.received_requests().await.unwrap_or_default();
        if let Some(found) = requests.into_iter().find(|r| r.method.as_str() == verb) {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {verb} request arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// JSON bodies of the POSTs to `path`.
pub async fn posts_to(server: &MockServer, path: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == path)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// The parts of a `multipart/form-data` body by name: (headers, bytes).
pub fn multipart_parts(request: &Request) -> HashMap<String, (String, Vec<u8>)> {
    let content_type = request
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap_or_else(|| panic!("not multipart: {content_type}"))
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let body = &request.body;
    let mut starts = Vec::new();
    let mut i = 0;
    while i + delimiter.len() <= body.len() {
        if body[i..].starts_with(&delimiter) {
            starts.push(i);
            i += delimiter.len();
        } else {
            i += 1;
        }
    }
    let mut parts = HashMap::new();
    for pair in starts.windows(2) {
        let chunk = &body[pair[0] + delimiter.len()..pair[1]];
        let chunk = chunk.strip_prefix(b"\r\n").unwrap_or(chunk);
        let chunk = chunk.strip_suffix(b"\r\n").unwrap_or(chunk);
        let split = chunk
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("part headers end");
        let headers = String::from_utf8_lossy(&chunk[..split]).to_string();
        let name = headers
            .split("name=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("part name")
            .to_string();
        parts.insert(name, (headers, chunk[split + 4..].to_vec()));
    }
    parts
}
