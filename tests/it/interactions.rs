//! `/interactions` over real HTTP: signature checks, routing of every
//! command, admin checks and replay safety, on SQLite and PostgreSQL.

use chrono::Duration;
use fts_assistant::clock::Clock;
use fts_assistant::discord::commands::definitions::command_names;
use fts_assistant::discord::dev_keys::DevKeypair;
use fts_assistant::discord::synth::{Caller, OptionValue, SynthInteraction};
use fts_assistant::store::players;
use serde_json::Value;

use crate::common::{content, is_ephemeral, Db, TestApp};

fn exclude(username: &str, action: &str) -> SynthInteraction {
    SynthInteraction::command(
        "exclude",
        &[
            ("username", OptionValue::String(username.into())),
            ("action", OptionValue::String(action.into())),
            ("reason", OptionValue::String("streamer alt".into())),
        ],
    )
    .by(Caller::ManageServer)
}

async fn seed_player(app: &TestApp, uid: &str, name: &str) {
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    players::upsert(&mut conn, uid, name, app.clock.now().timestamp_millis())
        .await
        .unwrap();
}

/// Nothing a handler would write: no interaction claimed, no exclusion, no audit entry.
async fn assert_no_handler_ran(app: &TestApp) {
    assert_eq!(
        app.count("SELECT COUNT(*) FROM processed_interactions")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM exclusions").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, 0);
}

async fn signed_ping_gets_pong(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let response = app.post_signed(&app.sign(&SynthInteraction::ping())).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "type": 1 }));
}

/// A case name, a body, and the signature and timestamp headers (if sent).
type BadRequest = (&'static str, Vec<u8>, Option<String>, Option<String>);

async fn bad_signatures_get_401_and_run_nothing(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    seed_player(&app, "uid-1", "alice").await;
    let interaction = exclude("alice", "add");
    let good = app.sign(&interaction);

    let mut tampered_body = good.body.clone();
    let at = tampered_body.iter().position(|b| *b == b'a').unwrap();
    tampered_body[at] = b'b';
    let mut flipped_signature = good.signature.clone().into_bytes();
    flipped_signature[0] = if flipped_signature[0] == b'0' {
        b'1'
    } else {
        b'0'
    };
    let flipped_signature = String::from_utf8(flipped_signature).unwrap();
    let other_key = DevKeypair::from_seed([9; 32]);
    let wrong_key = interaction.signed(&other_key, app.clock.now().timestamp());
    let stale = app.clock.now() - Duration::seconds(301);
    let future = app.clock.now() + Duration::seconds(301);
    let stale_request = interaction.signed(&app.key, stale.timestamp());
    let future_request = interaction.signed(&app.key, future.timestamp());

    let cases: Vec<BadRequest> = vec![
        (
            "tampered body",
            tampered_body,
            Some(good.signature.clone()),
            Some(good.timestamp.clone()),
        ),
        (
            "tampered signature",
            good.body.clone(),
            Some(flipped_signature),
            Some(good.timestamp.clone()),
        ),
        (
            "wrong key",
            wrong_key.body,
            Some(wrong_key.signature),
            Some(wrong_key.timestamp),
        ),
        (
            "missing signature",
            good.body.clone(),
            None,
            Some(good.timestamp.clone()),
        ),
        (
            "missing timestamp",
            good.body.clone(),
            Some(good.signature.clone()),
            None,
        ),
        (
            "non-hex signature",
            good.body.clone(),
            Some("zz".repeat(64)),
            Some(good.timestamp.clone()),
        ),
        (
            "short signature",
            good.body.clone(),
            Some("ab".repeat(10)),
            Some(good.timestamp.clone()),
        ),
        (
            "non-numeric timestamp",
            good.body.clone(),
            Some(good.signature.clone()),
            Some("soon".into()),
        ),
        (
            "stale timestamp",
            stale_request.body,
            Some(stale_request.signature),
            Some(stale_request.timestamp),
        ),
        (
            "future timestamp",
            future_request.body,
            Some(future_request.signature),
            Some(future_request.timestamp),
        ),
    ];
    for (case, body, signature, timestamp) in cases {
        let response = app
            .post_raw(body, signature.as_deref(), timestamp.as_deref())
            .await;
        assert_eq!(response.status(), 401, "{case}");
    }
    assert_no_handler_ran(&app).await;
    let metrics = app.metrics_text().await;
    assert!(
        metrics.contains("fts_interactions_rejected_total"),
        "{metrics}"
    );

    // The untouched request still works: the 401s were about the changes.
    let response = app.post_signed(&good).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM exclusions").await, 1);
}

async fn oversized_body_gets_413(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let mut body = br#"{"type":1,"padding":""#.to_vec();
    body.resize(64 * 1024 + 10, b'x');
    body.extend_from_slice(br#""}"#);
    let timestamp = app.clock.now().timestamp().to_string();
    let signature = app.key.sign(&timestamp, &body);
    let response = app.post_raw(body, Some(&signature), Some(&timestamp)).await;
    assert_eq!(response.status(), 413);
}

async fn every_command_gets_a_valid_response(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    seed_player(&app, "uid-1", "alice").await;
    for name in command_names() {
        let options: Vec<(&str, OptionValue)> = match name {
            "mywager" => vec![("username", OptionValue::String("alice".into()))],
            "monthtomonth" => vec![("months", OptionValue::Integer(6))],
            "gamestats" => vec![(
                "game_identifier",
                OptionValue::String("pragmatic:vs10bbbbrnd".into()),
            )],
            "tipuser" => vec![
                ("username", OptionValue::String("alice".into())),
                ("amount", OptionValue::Number(1.5)),
            ],
            "setchallenge" => vec![
                (
                    "game_identifier",
                    OptionValue::String("pragmatic:vs10bbbbrnd".into()),
                ),
                ("game_name", OptionValue::String("Big Bass Bonanza".into())),
                ("multiplier", OptionValue::Number(100.0)),
                ("prize", OptionValue::Number(25.0)),
            ],
            "cancelchallenge" => vec![("challenge_id", OptionValue::Integer(1))],
            "clear_tips" => vec![("scope", OptionValue::String("milestones_this_month".into()))],
            "exclude" => vec![
                ("username", OptionValue::String("alice".into())),
                ("action", OptionValue::String("list".into())),
            ],
            _ => vec![],
        };
        let interaction = SynthInteraction::command(name, &options).by(Caller::ManageServer);
        let (status, reply) = app.interact(&interaction).await;
        assert_eq!(status, 200, "/{name}");
        let parsed: Result<twilight_model::http::interaction::InteractionResponse, _> =
            serde_json::from_value(reply.clone());
        assert!(parsed.is_ok(), "/{name}: {reply}");
        let kind = reply["type"].as_u64().unwrap();
        assert!(matches!(kind, 4 | 5), "/{name}: {reply}");
        if kind == 4 {
            let has_text = !content(&reply).is_empty()
                || reply["data"]["embeds"]
                    .as_array()
                    .is_some_and(|e| !e.is_empty());
            assert!(has_text, "/{name} answered an empty message: {reply}");
        }
    }
}

async fn unknown_command_gets_an_ephemeral_message(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let (status, reply) = app.interact(&SynthInteraction::command("dance", &[])).await;
    assert_eq!(status, 200);
    assert_eq!(reply["type"], 4);
    assert!(is_ephemeral(&reply));
    assert!(content(&reply).contains("/dance"), "{reply}");
}

async fn admin_commands_refuse_members(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    seed_player(&app, "uid-1", "alice").await;
    let interaction = exclude("alice", "add").by(Caller::Member);
    let (status, reply) = app.interact(&interaction).await;
    assert_eq!(status, 200);
    assert!(is_ephemeral(&reply));
    assert!(content(&reply).contains("admins only"), "{reply}");
    assert_no_handler_ran(&app).await;
}

async fn admin_role_grants_admin_commands(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| c.admin_role_id = Some(777)).await else {
        return;
    };
    seed_player(&app, "uid-1", "alice").await;
    let (_, reply) = app
        .interact(&exclude("alice", "add").by(Caller::WithRole(777)))
        .await;
    assert!(content(&reply).contains("now excluded"), "{reply}");
    let (_, reply) = app
        .interact(&exclude("alice", "remove").by(Caller::WithRole(778)))
        .await;
    assert!(content(&reply).contains("admins only"), "{reply}");
    assert_eq!(app.count("SELECT COUNT(*) FROM exclusions").await, 1);
}

async fn replayed_exclude_changes_nothing_the_second_time(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    seed_player(&app, "uid-1", "alice").await;
    let add = app.sign(&exclude("ALICE", "add"));
    let first = app.post_signed(&add).await.json::<Value>().await.unwrap();
    assert!(
        content(&first).contains("`alice`"),
        "admin reply: real name: {first}"
    );
    assert!(content(&first).contains("now excluded"), "{first}");

    // Remove with a new interaction, then replay the original add: the
    // replay must not add the player back.
    let (_, removed) = app.interact(&exclude("alice", "remove")).await;
    assert!(
        content(&removed).contains("no longer excluded"),
        "{removed}"
    );
    let replay = app.post_signed(&add).await;
    assert_eq!(replay.status(), 200);
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay, first, "a replay gets the same answer");
    assert_eq!(app.count("SELECT COUNT(*) FROM exclusions").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM processed_interactions")
            .await,
        2
    );
}

fn tipuser(username: &str) -> SynthInteraction {
    SynthInteraction::command(
        "tipuser",
        &[
            ("username", OptionValue::String(username.into())),
            ("amount", OptionValue::String("2".into())),
        ],
    )
    .by(Caller::ManageServer)
}

/// Issue 22: `ali\u{200b}ce` and `alice` are one name to a reader, so a
/// command that names a player for money refuses rather than pick one; a
/// name holding hidden or blank characters can still be named when it is
/// the only one of its identity.
async fn look_alike_names_are_one_identity_and_never_guessed(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    seed_player(&app, "uid-1", "alice").await;
    seed_player(&app, "uid-2", "ali\u{200b}ce").await;
    for typed in ["alice", "ali\u{200b}ce", "ＡＬＩＣＥ"] {
        let (_, reply) = app.interact(&exclude(typed, "add")).await;
        let text = content(&reply);
        assert!(is_ephemeral(&reply), "{reply}");
        assert!(text.contains("matches 2 players"), "{typed:?}: {text}");
        assert!(text.contains("`al***`"), "candidates masked: {text}");
        assert!(text.contains("nobody was excluded"), "{text}");
        let (_, reply) = app.interact(&tipuser(typed)).await;
        assert!(
            content(&reply).contains("nobody was tipped"),
            "{typed:?}: {reply}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM exclusions").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM payouts").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, 0);

    // The only player of their identity, blanks and all, is named by the
    // plain spelling.
    seed_player(&app, "uid-3", "Bob\u{2800}\u{2800}Fish").await;
    let (_, reply) = app.interact(&exclude("bob fish", "add")).await;
    assert!(content(&reply).contains("now excluded"), "{reply}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM exclusions WHERE uid = 'uid-3'")
            .await,
        1
    );
}

/// Keys written by an older release (plain lowercase) are brought to the
/// identity rule at start-up, so look-alikes stored before the upgrade are
/// found and refused like new ones.
async fn old_name_keys_are_refreshed_at_startup(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    seed_player(&app, "uid-1", "ＡＬＩＣＥ").await;
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    sqlx::query("UPDATE players SET username_lower = 'ａｌｉｃｅ' WHERE uid = 'uid-1'")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    app.state.store.migrate().await.unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM players WHERE username_lower = 'alice'")
            .await,
        1
    );
}

async fn concurrent_deliveries_apply_once(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    seed_player(&app, "uid-1", "alice").await;
    let add = app.sign(&exclude("alice", "add"));
    let replies = futures_join(&app, &add, 6).await;
    for reply in &replies {
        assert_eq!(reply, &replies[0]);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM exclusions").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, 1);
}

async fn futures_join(
    app: &TestApp,
    request: &fts_assistant::discord::synth::SignedRequest,
    n: usize,
) -> Vec<Value> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let http = app.http.clone();
        let url = format!("{}/interactions", app.base_url);
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .header("x-signature-ed25519", request.signature)
                .header("x-signature-timestamp", request.timestamp)
                .body(request.body)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }));
    }
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

async fn bad_options_get_a_message_and_change_nothing(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    seed_player(&app, "uid-1", "alice").await;
    for (interaction, needle) in [
        (exclude("\u{200b}\u{202e}", "add"), "`username`"),
        (
            exclude("alice", "explode"),
            "`action` must be one of: add, remove, list",
        ),
        (
            exclude("nobody_here", "add"),
            "no player named `nobody_here`",
        ),
    ] {
        let (status, reply) = app.interact(&interaction).await;
        assert_eq!(status, 200);
        assert!(is_ephemeral(&reply));
        assert!(content(&reply).contains(needle), "{needle}: {reply}");
    }
    assert_no_handler_ran(&app).await;
}

async fn the_exclusion_list_shows_admins_the_real_name_and_never_the_uid(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    seed_player(&app, "uid-1", "LuckyDuck").await;
    app.interact(&exclude("luckyduck", "add")).await;
    let (_, reply) = app.interact(&exclude("x", "list")).await;
    assert!(is_ephemeral(&reply), "{reply}");
    let text = content(&reply);
    // Admin-only and ephemeral: admins must be able to tell who is excluded.
    assert!(text.contains("`LuckyDuck`"), "{text}");
    assert!(!text.contains("uid-1"), "{text}");
}

async fn without_a_key_interactions_answer_503(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| c.discord_public_key = None).await else {
        return;
    };
    let response = app.post_signed(&app.sign(&SynthInteraction::ping())).await;
    assert_eq!(response.status(), 503);
}

async fn health_ready_and_metrics_answer(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.post_signed(&app.sign(&SynthInteraction::ping())).await;
    let metrics = app.metrics_text().await;
    assert!(metrics.contains("fts_http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("fts_http_request_duration_seconds_bucket{"),
        "{metrics}"
    );
    assert!(metrics.contains("route=\"/interactions\""), "{metrics}");
    assert!(
        metrics.contains("fts_interaction_duration_seconds"),
        "{metrics}"
    );
}

on_both_databases!(
    signed_ping_gets_pong,
    bad_signatures_get_401_and_run_nothing,
    oversized_body_gets_413,
    every_command_gets_a_valid_response,
    unknown_command_gets_an_ephemeral_message,
    admin_commands_refuse_members,
    admin_role_grants_admin_commands,
    replayed_exclude_changes_nothing_the_second_time,
    concurrent_deliveries_apply_once,
    look_alike_names_are_one_identity_and_never_guessed,
    old_name_keys_are_refreshed_at_startup,
    bad_options_get_a_message_and_change_nothing,
    the_exclusion_list_shows_admins_the_real_name_and_never_the_uid,
    without_a_key_interactions_answer_503,
    health_ready_and_metrics_answer,
);
