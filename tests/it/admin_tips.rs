//! Admin tip commands over real HTTP, on SQLite and PostgreSQL: `/tipuser`
//! against the fake tipping API with its follow-up on a fake Discord (this
//! file), and the ledger-side commands and buttons (`ledger.rs`).

mod ledger;

use std::time::Duration;

use fts_assistant::config::{Config, Secret};
use fts_assistant::discord::synth::{Caller, OptionValue, SynthInteraction, SYNTH_CHANNEL_ID};
use fts_assistant::domain::money::Cents;
use fts_assistant::jobs::payout_worker::send_next;
use fts_assistant::roobet::fake::{
    FakeCasino, FakeMode, RecordedTip, TipBehaviour, DEMO_TIPPING_TOKEN, DEMO_USER_ID,
};
use fts_assistant::store::payouts;
use fts_assistant::store::players;
use serde_json::{json, Value};
use sqlx::Row;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::{content, is_ephemeral, test_start, Db, TestApp};

const ADMIN_ID: &str = "1100000000000000042";

struct Rig {
    app: TestApp,
    casino: FakeCasino,
    discord: MockServer,
}

/// The app wired to the fake casino (tipping) and a fake Discord, with
/// `MAX_MANUAL_TIP` = $100 and LuckyDuck seen this year.
async fn rig(db: Db) -> Option<Rig> {
    rig_with(db, |_| {}).await
}

/// [`rig`] with a last configuration change.
async fn rig_with(db: Db, adjust: impl FnOnce(&mut Config) + Send + 'static) -> Option<Rig> {
    let clock = std::sync::Arc::new(fts_assistant::clock::ManualClock::new(test_start()));
    let casino = FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap();
    let discord = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/webhooks/\d+/[^/]+/messages/@original$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1" })))
        .mount(&discord)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/channels/\d+/messages$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "2" })))
        .mount(&discord)
        .await;
    let (tipping, uri) = (casino.base_url().to_string(), discord.uri());
    let app = TestApp::spawn_full(db, test_start(), false, move |c: &mut Config| {
        c.tipping_api_base = tipping;
        c.tipping_api_token = Some(Secret::new(DEMO_TIPPING_TOKEN));
        c.roobet_user_id = Some(DEMO_USER_ID.into());
        c.discord_api_base = uri;
        c.discord_token = Some(Secret::new("bot-token"));
        c.max_manual_tip = Cents::from_dollars(100);
        c.tip_interval_secs = 0;
        adjust(c);
    })
    .await?;
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let now = test_start().timestamp_millis();
    players::upsert(&mut conn, "uid-lucky", "LuckyDuck", now)
        .await
        .unwrap();
    drop(conn);
    Some(Rig {
        app,
        casino,
        discord,
    })
}

fn tipuser(username: &str, amount: OptionValue) -> SynthInteraction {
    SynthInteraction::command(
        "tipuser",
        &[
            ("username", OptionValue::String(username.into())),
            ("amount", amount),
            ("reason", OptionValue::String("stream giveaway".into())),
        ],
    )
    .by(Caller::ManageServer)
}

fn click(custom_id: &str) -> SynthInteraction {
    SynthInteraction::button(custom_id).by(Caller::ManageServer)
}

/// The Discord requests of `verb` received so far.
async fn requests(discord: &MockServer, verb: &str) -> Vec<Request> {
    let all = discord.received_requests().await.unwrap_or_default();
    all.into_iter()
        .filter(|r| r.method.as_str() == verb)
        .collect()
}

/// Waits up to 5 s for the spawned follow-up (the PATCH of `@original`).
async fn follow_up(discord: &MockServer) -> Value {
    for _ in 0..100 {
        if let Some(patch) = requests(discord, "PATCH").await.first() {
            return serde_json::from_slice(&patch.body).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no follow-up within 5 s");
}

async fn count(app: &TestApp, table: &str) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM {table}")).await
}

async fn payout_text(app: &TestApp, id: i64, column: &str) -> Option<String> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {column} FROM payouts WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(app.state.store.pool())
    .await
    .unwrap()
    .get(0)
}

async fn tipuser_sends_one_tip_and_reports_it(db: Db) {
    let Some(rig) = rig(db).await else { return };
    let interaction = tipuser("luckyduck", OptionValue::Number(12.5));
    let (status, reply) = rig.app.interact(&interaction).await;
    assert_eq!(status, 200);
    assert_eq!(reply["type"], 5, "deferred: {reply}");
    assert!(is_ephemeral(&reply));
    let edit = follow_up(&rig.discord).await;
    let text = edit["content"].as_str().unwrap_or_default();
    assert!(text.contains("Sent") && text.contains("$12.50"), "{text}");
    // The follow-up is the admin's own ephemeral reply: the real name.
    assert!(text.contains("`LuckyDuck`"), "{text}");

    let tips: Vec<RecordedTip> = rig.casino.tips();
    assert_eq!(tips.len(), 1);
    assert_eq!(tips[0].amount, Some(12.5));
    assert_eq!(tips[0].to_user_id.as_deref(), Some("uid-lucky"));
    let mut conn = rig.app.state.store.pool().acquire().await.unwrap();
    let key = format!("manual:{}", interaction.id());
    let row = payouts::by_key(&mut conn, &key).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.kind.as_str()), ("sent", "manual"));
    assert_eq!(row.amount, Cents::new(1250));
    assert_eq!(tips[0].nonce.as_deref(), Some(row.nonce.as_str()));
    assert_eq!(row.requested_by.as_deref(), Some(ADMIN_ID));
    assert_eq!(row.reason.as_deref(), Some("stream giveaway"));
    assert_eq!(
        rig.app
            .count("SELECT priority FROM payouts WHERE idempotency_key LIKE 'manual:%'")
            .await,
        10
    );
    let actions = "SELECT COUNT(*) FROM audit_log WHERE action = 'tipuser' AND actor_id = '";
    assert_eq!(rig.app.count(&format!("{actions}{ADMIN_ID}'")).await, 1);

    // The public announcement in the interaction's channel, masked.
    for _ in 0..100 {
        if !requests(&rig.discord, "POST").await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let posts = requests(&rig.discord, "POST").await;
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].url.path(),
        format!("/channels/{SYNTH_CHANNEL_ID}/messages")
    );
    let body: Value = serde_json::from_slice(&posts[0].body).unwrap();
    assert_eq!(body["embeds"][0]["title"], "Manual Tip Sent!");
    let description = body["embeds"][0]["description"].as_str().unwrap();
    assert!(description.contains(r"LuckyD\*\*\*") && description.contains("$12.50"));
    assert!(!body.to_string().contains("LuckyDuck"));
    let announced = "SELECT COUNT(*) FROM payouts WHERE announced_ms IS NOT NULL";
    assert_eq!(rig.app.count(announced).await, 1);
}

async fn a_replayed_tipuser_sends_one_tip(db: Db) {
    let Some(rig) = rig(db).await else { return };
    let signed = rig
        .app
        .sign(&tipuser("LuckyDuck", OptionValue::Number(5.0)));
    let first: Value = rig.app.post_signed(&signed).await.json().await.unwrap();
    follow_up(&rig.discord).await;
    let again: Value = rig.app.post_signed(&signed).await.json().await.unwrap();
    assert_eq!(again, first, "a replay gets the stored answer");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rig.casino.tips().len(), 1);
    assert_eq!(count(&rig.app, "payouts").await, 1);
    assert_eq!(count(&rig.app, "audit_log").await, 1);
    assert_eq!(requests(&rig.discord, "PATCH").await.len(), 1);
}

async fn members_cannot_tip(db: Db) {
    let Some(rig) = rig(db).await else { return };
    let interaction = tipuser("luckyduck", OptionValue::Number(5.0)).by(Caller::Member);
    let (_, reply) = rig.app.interact(&interaction).await;
    assert!(content(&reply).contains("admins only"), "{reply}");
    let (_, reply) = rig
        .app
        .interact(&click("tips:retry:1").by(Caller::Member))
        .await;
    assert!(content(&reply).contains("admins only"), "{reply}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rig.casino.tips().is_empty());
    for table in ["payouts", "processed_interactions", "audit_log"] {
        assert_eq!(count(&rig.app, table).await, 0, "{table}");
    }
    assert!(rig.discord.received_requests().await.unwrap().is_empty());
}

/// Admin rights exist only in the community's guild: the owner of another
/// server the bot was added to (or a DM) holds Manage Server there, and
/// must still change nothing.
async fn admin_actions_from_another_guild_or_a_dm_change_nothing(db: Db) {
    let Some(rig) = rig(db).await else { return };
    let places = [Some("999999999999999999"), None];
    for place in places {
        let (status, reply) = rig
            .app
            .interact(&tipuser("luckyduck", OptionValue::Number(100.0)).in_guild(place))
            .await;
        assert_eq!(status, 200);
        assert!(is_ephemeral(&reply), "{reply}");
        assert!(
            content(&reply).contains("only work in the community's own Discord server"),
            "{reply}"
        );
        for admin in ["exclude", "tipstats", "status", "clear_tips"] {
            let (_, reply) = rig
                .app
                .interact(
                    &SynthInteraction::command(
                        admin,
                        &[("username", OptionValue::String("luckyduck".into()))],
                    )
                    .by(Caller::ManageServer)
                    .in_guild(place),
                )
                .await;
            assert!(content(&reply).starts_with("⛔"), "/{admin}: {reply}");
        }
        let (_, reply) = rig
            .app
            .interact(&click("tips:retry:1").in_guild(place))
            .await;
        assert!(content(&reply).starts_with("⛔"), "{reply}");
        // Member commands still answer anywhere.
        let (_, reply) = rig
            .app
            .interact(&SynthInteraction::command("lifetimestats", &[]).in_guild(place))
            .await;
        assert!(!reply.to_string().contains("⛔"), "{reply}");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rig.casino.tips().is_empty(), "no tip left");
    for table in ["payouts", "exclusions", "audit_log"] {
        assert_eq!(count(&rig.app, table).await, 0, "{table}");
    }
    assert!(rig.discord.received_requests().await.unwrap().is_empty());
}

/// Without `GUILD_ID` no guild's admins can be told apart from strangers:
/// every admin command is refused, even from a Manage Server holder.
async fn without_guild_id_admin_commands_are_refused(db: Db) {
    let Some(rig) = rig_with(db, |c| c.guild_id = None).await else {
        return;
    };
    let (_, reply) = rig
        .app
        .interact(&tipuser("luckyduck", OptionValue::Number(5.0)))
        .await;
    assert!(content(&reply).contains("GUILD_ID"), "{reply}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rig.casino.tips().is_empty());
    assert_eq!(count(&rig.app, "payouts").await, 0);
    let parts = rig.app.state.config.parts();
    let admin = parts.iter().find(|p| p.name == "admin-commands").unwrap();
    assert!(!admin.on && admin.why.contains("GUILD_ID is not set"));
}

/// The original bot's `BOT_OWNER_ID` stays an admin without Manage
/// Server, but only inside the community's guild.
async fn the_bot_owner_is_an_admin_in_the_guild_only(db: Db) {
    let owner: u64 = ADMIN_ID.parse().unwrap();
    let Some(rig) = rig_with(db, move |c| c.bot_owner_id = Some(owner)).await else {
        return;
    };
    let elsewhere = tipuser("luckyduck", OptionValue::Number(1.0))
        .by(Caller::Member)
        .in_guild(Some("999999999999999999"));
    let (_, reply) = rig.app.interact(&elsewhere).await;
    assert!(content(&reply).starts_with("⛔"), "{reply}");
    let (_, reply) = rig
        .app
        .interact(&tipuser("luckyduck", OptionValue::Number(2.0)).by(Caller::Member))
        .await;
    assert_eq!(reply["type"], 5, "the owner may tip: {reply}");
    follow_up(&rig.discord).await;
    assert_eq!(rig.casino.tips().len(), 1);
    // Anyone else without Manage Server is still refused.
    let stranger = tipuser("luckyduck", OptionValue::Number(3.0))
        .by(Caller::Member)
        .user("1100000000000000777", "stranger");
    let (_, reply) = rig.app.interact(&stranger).await;
    assert!(content(&reply).contains("admins only"), "{reply}");
}

async fn bad_amounts_and_unknown_players_are_refused(db: Db) {
    let Some(rig) = rig(db).await else { return };
    let cases = [
        ("luckyduck", OptionValue::Number(100.01), "at most $100.00"),
        ("luckyduck", OptionValue::Number(-5.0), "greater than 0"),
        ("luckyduck", OptionValue::Number(0.0), "greater than 0"),
        (
            "luckyduck",
            OptionValue::String("NaN".into()),
            "not a number",
        ),
        ("luckyduck", OptionValue::Number(1e20), "too large"),
        (
            "luckyduck",
            OptionValue::Number(12.345),
            "at most 2 decimal",
        ),
        ("nobody_here", OptionValue::Number(5.0), "no player named"),
        ("lucky duck!", OptionValue::Number(5.0), "no player named"),
        ("\u{200b}\u{202e}", OptionValue::Number(5.0), "`username`"),
    ];
    for (name, amount, needle) in cases {
        let (_, reply) = rig.app.interact(&tipuser(name, amount)).await;
        assert_eq!(reply["type"], 4, "{needle}: {reply}");
        assert!(is_ephemeral(&reply));
        let text = content(&reply);
        assert!(text.contains(needle), "{needle}: {text}");
        if needle != "no player named" && needle != "`username`" {
            assert!(text.contains("`amount`"), "{text}");
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rig.casino.tips().is_empty());
    for table in ["payouts", "processed_interactions", "audit_log"] {
        assert_eq!(count(&rig.app, table).await, 0, "{table}");
    }
}

async fn a_refusal_is_reported_and_left_failed(db: Db) {
    let Some(rig) = rig(db).await else { return };
    rig.casino
        .set_tip_behaviour(TipBehaviour::Refuse("Insufficient account balance".into()));
    rig.app
        .interact(&tipuser("luckyduck", OptionValue::Number(7.0)))
        .await;
    let text = follow_up(&rig.discord).await["content"].to_string();
    assert!(text.contains("Refused"), "{text}");
    assert!(text.contains("Insufficient account balance"), "{text}");
    assert_eq!(
        rig.app
            .count("SELECT COUNT(*) FROM payouts WHERE status = 'failed'")
            .await,
        1
    );
    assert_eq!(rig.casino.tips().len(), 1);
    assert!(requests(&rig.discord, "POST").await.is_empty());
}

async fn a_server_error_is_reported_unknown_and_not_resent(db: Db) {
    let Some(rig) = rig(db).await else { return };
    rig.casino.set_tip_behaviour(TipBehaviour::Status(502));
    rig.app
        .interact(&tipuser("luckyduck", OptionValue::Number(7.0)))
        .await;
    let text = follow_up(&rig.discord).await["content"].to_string();
    assert!(
        text.contains("Outcome unknown") && text.contains("/tipstats"),
        "{text}"
    );
    rig.casino.set_tip_behaviour(TipBehaviour::Succeed);
    while send_next(&rig.app.state).await.unwrap().is_some() {}
    assert_eq!(rig.casino.tips().len(), 1, "never resent automatically");
    let unknown = "SELECT COUNT(*) FROM payouts WHERE status = 'unknown'";
    assert_eq!(rig.app.count(unknown).await, 1);
    assert!(requests(&rig.discord, "POST").await.is_empty());
}

on_both_databases!(
    tipuser_sends_one_tip_and_reports_it,
    a_replayed_tipuser_sends_one_tip,
    members_cannot_tip,
    admin_actions_from_another_guild_or_a_dm_change_nothing,
    without_guild_id_admin_commands_are_refused,
    the_bot_owner_is_an_admin_in_the_guild_only,
    bad_amounts_and_unknown_players_are_refused,
    a_refusal_is_reported_and_left_failed,
    a_server_error_is_reported_unknown_and_not_resent,
);
