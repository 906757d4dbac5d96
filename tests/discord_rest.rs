//! The Discord REST client and `register-commands` against a fake Discord on
//! loopback: rate limits, 429s, a refused token, a deleted message.

use std::time::{Duration, Instant};

use fts_assistant::cli::register::register_commands;
use fts_assistant::config::{Config, Secret};
use fts_assistant::discord::rest::{DiscordRest, RestError};
use serde_json::{json, Value};
use wiremock::matchers::{header, header_regex, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> DiscordRest {
    DiscordRest::new(&server.uri(), Secret::new("bot-token")).unwrap()
}

#[tokio::test]
async fn messages_are_posted_with_the_bot_token_and_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/channels/10/messages"))
        .and(header("authorization", "Bot bot-token"))
        .and(header_regex(
            "user-agent",
            r"^DiscordBot \(https?://\S+, \d+\.\d+\.\d+\)$",
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "555", "channel_id": "10" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let id = client(&server)
        .create_message(10, &json!({ "content": "hi" }))
        .await
        .unwrap();
    assert_eq!(id, 555);
}

#[tokio::test]
async fn a_429_waits_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/channels/10/messages/7"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0.3")
                .set_body_json(json!({ "message": "You are being rate limited.", "retry_after": 0.3, "global": false })),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/channels/10/messages/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "7" })))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server)
        .edit_message(10, 7, &json!({ "content": "x" }))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_exhausted_bucket_waits_for_its_reset_before_the_next_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/channels/10/messages"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-bucket", "b1")
                .insert_header("x-ratelimit-limit", "5")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset-after", "0.4")
                .set_body_json(json!({ "id": "1" })),
        )
        .expect(2)
        .mount(&server)
        .await;
    let rest = client(&server);
    rest.create_message(10, &json!({})).await.unwrap();
    let started = Instant::now();
    rest.create_message(10, &json!({})).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(350),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn persistent_429s_give_up_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0.01"))
        .expect(4)
        .mount(&server)
        .await;
    let error = client(&server)
        .create_message(1, &json!({}))
        .await
        .unwrap_err();
    assert!(matches!(error, RestError::RateLimited), "{error}");
}

#[tokio::test]
async fn a_refused_token_switches_the_client_off() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({ "message": "401: Unauthorized" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let rest = client(&server);
    for _ in 0..5 {
        let error = rest.create_message(1, &json!({})).await.unwrap_err();
        assert!(matches!(error, RestError::Unauthorized));
    }
}

#[tokio::test]
async fn a_deleted_message_is_reported_as_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({ "message": "Unknown Message", "code": 10008 })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .edit_message(1, 2, &json!({}))
        .await
        .unwrap_err();
    assert!(matches!(error, RestError::NotFound(_)), "{error}");
}

fn registration_config(server: &MockServer, guild: Option<u64>) -> Config {
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.discord_api_base = server.uri();
    config.discord_token = Some(Secret::new("bot-token"));
    config.discord_application_id = Some(1234);
    config.guild_id = guild;
    config
}

async fn registered_body(server: &MockServer) -> Vec<Value> {
    let requests: Vec<Request> = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    serde_json::from_slice(&requests[0].body).unwrap()
}

#[tokio::test]
async fn register_commands_overwrites_all_13_in_the_guild() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/applications/1234/guilds/99/commands"))
        .and(header("authorization", "Bot bot-token"))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            ResponseTemplate::new(200).set_body_json(body)
        })
        .expect(1)
        .mount(&server)
        .await;
    register_commands(&registration_config(&server, Some(99)), false)
        .await
        .unwrap();
    let commands = registered_body(&server).await;
    assert_eq!(commands.len(), 13);
    let by_name = |name: &str| commands.iter().find(|c| c["name"] == name).unwrap().clone();
    assert_eq!(by_name("tipuser")["default_member_permissions"], "32");
    assert!(by_name("mywager")["default_member_permissions"].is_null());
    let gamestats = by_name("gamestats");
    let game = gamestats["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "game_identifier")
        .unwrap();
    assert_eq!(game["autocomplete"], true);
    let exclude = by_name("exclude");
    let action = exclude["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "action")
        .unwrap();
    let choices: Vec<&str> = action["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(choices, ["add", "remove", "list"]);
}

#[tokio::test]
async fn register_commands_without_a_guild_is_global() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/applications/1234/commands"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    register_commands(&registration_config(&server, None), false)
        .await
        .unwrap();
}
