//! The Discord REST client and `register-commands` against a fake Discord on
//! loopback: rate limits, 429s, a refused token, an expired interaction
//! token, a deleted message, oversized answers.

use std::time::{Duration, Instant};

use fts_assistant::cli::register::register_commands;
use fts_assistant::config::{Config, Secret};
use fts_assistant::discord::rest::{DiscordRest, RestError};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::{header, header_regex, method, path, path_regex};
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

#[tokio::test]
async fn an_expired_interaction_token_leaves_channel_messages_working() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/webhooks/1234/[^/]+/messages/@original$"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({ "message": "401: Unauthorized", "code": 0 })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/channels/10/messages"))
        .and(header("authorization", "Bot bot-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "555" })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/channels/10/messages/555"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "555" })))
        .expect(1)
        .mount(&server)
        .await;
    let rest = client(&server);
    let error = rest
        .edit_original_response(
            1234,
            "expired-interaction-token",
            &json!({ "content": "late" }),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, RestError::InteractionTokenRejected),
        "{error}"
    );
    assert!(!error.to_string().contains("expired-interaction-token"));
    let id = rest
        .create_message(10, &json!({ "content": "hi" }))
        .await
        .unwrap();
    rest.edit_message(10, id, &json!({ "content": "edited" }))
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let webhook = requests
        .iter()
        .find(|r| r.url.path().starts_with("/webhooks/"))
        .unwrap();
    assert!(
        !webhook.headers.contains_key("authorization"),
        "interaction webhooks are authenticated by their token, not the bot token"
    );
}

#[tokio::test]
async fn a_refused_bot_token_still_lets_interaction_replies_through() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/webhooks/1234/live-token/messages/@original"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "9" })))
        .expect(1)
        .mount(&server)
        .await;
    let rest = client(&server);
    let error = rest.create_message(1, &json!({})).await.unwrap_err();
    assert!(matches!(error, RestError::Unauthorized), "{error}");
    rest.edit_original_response(1234, "live-token", &json!({ "content": "done" }))
        .await
        .unwrap();
    let error = rest.edit_message(1, 2, &json!({})).await.unwrap_err();
    assert!(matches!(error, RestError::Unauthorized), "{error}");
}

#[tokio::test]
async fn channels_sharing_a_bucket_hash_have_a_counter_each() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/channels/\d+/messages$"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-bucket", "shared-hash")
                .insert_header("x-ratelimit-limit", "5")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset-after", "0.8")
                .set_body_json(json!({ "id": "1" })),
        )
        .expect(3)
        .mount(&server)
        .await;
    let rest = client(&server);
    rest.create_message(10, &json!({})).await.unwrap();
    let started = Instant::now();
    rest.create_message(11, &json!({})).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "channel 11 waited for channel 10's counter: {:?}",
        started.elapsed()
    );
    rest.create_message(10, &json!({})).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "channel 10 did not wait for its own reset: {:?}",
        started.elapsed()
    );
}

/// One more byte than the client reads of any answer.
const OVER_CAP: usize = 1024 * 1024 + 1;

#[tokio::test]
async fn an_answer_over_the_size_cap_is_an_error() {
    let server = MockServer::start().await;
    let big_but_allowed = json!({ "id": "1", "content": "x".repeat(900 * 1024) });
    Mock::given(method("POST"))
        .and(path("/channels/1/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(big_but_allowed))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/channels/2/messages"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(vec![b' '; OVER_CAP], "application/json"),
        )
        .mount(&server)
        .await;
    let rest = client(&server);
    assert_eq!(rest.create_message(1, &json!({})).await.unwrap(), 1);
    let error = rest.create_message(2, &json!({})).await.unwrap_err();
    assert!(matches!(error, RestError::BodyTooLarge { .. }), "{error}");
}

/// A fake Discord that answers one request with `head` and then whatever
/// `body` writes, on a raw socket, for answers wiremock cannot give (an
/// endless chunked body, a Content-Length larger than what follows). Returns
/// its base URL and the bytes written before the client went away.
async fn raw_discord(
    head: &'static str,
    body: fn(u64) -> Option<Vec<u8>>,
) -> (String, tokio::task::JoinHandle<u64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let mut buf = [0u8; 4096];
            stream.readable().await.unwrap();
            match stream.try_read(&mut buf) {
                Ok(0) => return 0,
                Ok(n) => request.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => return 0,
            }
        }
        if write_all(&stream, head.as_bytes()).await.is_err() {
            return 0;
        }
        let mut written = 0u64;
        while let Some(chunk) = body(written) {
            if write_all(&stream, &chunk).await.is_err() {
                break;
            }
            written += chunk.len() as u64;
        }
        // Hold the connection open until the client gives up on it.
        let _ = stream.readable().await;
        written
    });
    (base, task)
}

async fn write_all(stream: &TcpStream, mut data: &[u8]) -> std::io::Result<()> {
    while !data.is_empty() {
        stream.writable().await?;
        match stream.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Bytes the endless fake stops at if the client never does.
const ENDLESS_SAFETY_STOP: u64 = 64 * 1024 * 1024;

#[tokio::test]
async fn an_endless_chunked_answer_is_cut_off_at_the_cap() {
    let (base, server) = raw_discord(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        |written| {
            (written < ENDLESS_SAFETY_STOP).then(|| {
                let mut chunk = b"10000\r\n".to_vec();
                chunk.extend_from_slice(&[b' '; 0x10000]);
                chunk.extend_from_slice(b"\r\n");
                chunk
            })
        },
    )
    .await;
    let rest = DiscordRest::new(&base, Secret::new("bot-token")).unwrap();
    let error = rest.create_message(1, &json!({})).await.unwrap_err();
    assert!(matches!(error, RestError::BodyTooLarge { .. }), "{error}");
    drop(rest);
    let written = server.await.unwrap();
    assert!(
        written < ENDLESS_SAFETY_STOP,
        "the client read on to the fake's safety stop"
    );
}

#[tokio::test]
async fn a_declared_length_over_the_cap_is_refused_before_reading() {
    let (base, _server) = raw_discord(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10737418240\r\n\r\n",
        |written| (written == 0).then(|| b"{\"id\":".to_vec()),
    )
    .await;
    let rest = DiscordRest::new(&base, Secret::new("bot-token")).unwrap();
    let started = Instant::now();
    let error = rest.create_message(1, &json!({})).await.unwrap_err();
    assert!(matches!(error, RestError::BodyTooLarge { .. }), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited for a body that never comes: {:?}",
        started.elapsed()
    );
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
