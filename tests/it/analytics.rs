//! Community analytics end to end: `/mywager` against the fake casino's
//! figures, the `/monthtomonth` chart through a deferred reply and a
//! multipart edit, goals announced exactly once, `/lifetimestats`,
//! `/status`, the wager documents and `backfill`.

use crate::common;

mod support;

use std::time::Duration;

use fts_assistant::chart::{HEIGHT, WIDTH};
use fts_assistant::clock::ManualClock;
use fts_assistant::discord::synth::{Caller, OptionValue, SynthInteraction, SYNTH_APPLICATION_ID};
use fts_assistant::domain::money::Cents;
use fts_assistant::domain::players::MonthTotals;
use fts_assistant::jobs::goals::{announce, GoalOutcome};
use fts_assistant::jobs::payout_worker::send_next;
use fts_assistant::jobs::poll::run_and_record;
use fts_assistant::store::totals;
use serde_json::Value;
use wiremock::MockServer;

use crate::common::{content, is_ephemeral, test_start, Db, TestApp};
use support::{
    casino, fake_discord, field, multipart_parts, one_big_spender, posts_to, three_players,
    wait_for, wire, GOAL_CHANNEL,
};

fn mywager(name: &str) -> SynthInteraction {
    SynthInteraction::command("mywager", &[("username", OptionValue::String(name.into()))])
}

/// Names on the board are whatever the casino returns: `/mywager` finds
/// `Zoë🎰` (any case), and typing suggests this month's players — to a
/// member only from three typed letters and only names starting with them,
/// to an admin any name containing them.
async fn any_casino_name_is_accepted_and_suggested(db: Db) {
    use fts_assistant::roobet::fake::{FakeCallKind, FakeRow};
    let casino = casino().await;
    let rows = || {
        [
            FakeRow::new("uid-zoe", "Zoë🎰")
                .wagered(300.0)
                .weighted(200.0),
            FakeRow::new("uid-zora", "Zorana_x")
                .wagered(100.0)
                .weighted(90.0),
            FakeRow::new("uid-bo", "bob smith")
                .wagered(50.0)
                .weighted(40.0),
        ]
    };
    casino.set_rows(FakeCallKind::Weighted, rows());
    casino.set_rows(FakeCallKind::Total, rows());
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    for typed in ["Zoë🎰", "zoë🎰", "ZOË🎰"] {
        let (_, reply) = app.interact(&mywager(typed)).await;
        assert_eq!(
            field(&reply, "Weighted wager"),
            "$200.00",
            "{typed}: {reply}"
        );
    }
    let (_, reply) = app.interact(&mywager("BOB SMITH")).await;
    assert_eq!(field(&reply, "Weighted wager"), "$40.00", "{reply}");

    let suggest = |command: &str, typed: &str, caller: Caller| {
        SynthInteraction::autocomplete(
            command,
            ("username", OptionValue::String(typed.into())),
            &[],
        )
        .by(caller)
    };
    let names = |reply: &serde_json::Value| -> Vec<String> {
        reply["data"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, short) = app
        .interact(&suggest("mywager", "zo", Caller::Member))
        .await;
    assert_eq!(short["type"], 8);
    assert!(
        names(&short).is_empty(),
        "two letters suggest nothing: {short}"
    );
    let (_, prefix) = app
        .interact(&suggest("mywager", "ZOR", Caller::Member))
        .await;
    assert!(
        names(&prefix).is_empty(),
        "a prefix reveals no masked name to a member: {prefix}"
    );
    let (_, exact) = app
        .interact(&suggest("mywager", "zorana_X", Caller::Member))
        .await;
    assert_eq!(names(&exact), ["Zorana_x"], "the name typed, completed");
    let (_, hidden) = app
        .interact(&suggest("mywager", "zor\u{200b}ana_x", Caller::Member))
        .await;
    assert_eq!(names(&hidden), ["Zorana_x"], "same identity: {hidden}");
    let (_, inner) = app
        .interact(&suggest("mywager", "smith", Caller::Member))
        .await;
    assert!(
        names(&inner).is_empty(),
        "no substring for members: {inner}"
    );
    // A member's suggestions are throttled: a dictionary at typing speed
    // gets nothing once the minute's allowance is spent (5 used above).
    let per_minute = fts_assistant::discord::commands::player_names::MEMBER_PER_MINUTE;
    for _ in 5..per_minute {
        app.interact(&suggest("mywager", "nobody", Caller::Member))
            .await;
    }
    let (_, throttled) = app
        .interact(&suggest("mywager", "zorana_x", Caller::Member))
        .await;
    assert_eq!(throttled["type"], 8);
    assert!(names(&throttled).is_empty(), "throttled: {throttled}");
    app.clock.advance(chrono::Duration::seconds(61));
    let (_, renewed) = app
        .interact(&suggest("mywager", "zorana_x", Caller::Member))
        .await;
    assert_eq!(
        names(&renewed),
        ["Zorana_x"],
        "a new minute, a new allowance"
    );
    let (_, admin) = app
        .interact(&suggest("exclude", "o", Caller::ManageServer))
        .await;
    assert_eq!(
        names(&admin),
        ["Zoë🎰", "Zorana_x", "bob smith"],
        "biggest first"
    );
    let (_, member_on_admin) = app
        .interact(&suggest("tipuser", "zoë", Caller::Member))
        .await;
    assert!(
        names(&member_on_admin).is_empty(),
        "admin suggestions are admins' only"
    );
}

async fn mywager_matches_the_casino_figures_to_the_cent(db: Db) {
    let casino = casino().await;
    three_players(&casino, 876.55);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();

    for typed in ["LuckyDuck", "luckyduck", "LUCKYDUCK"] {
        let (status, reply) = app.interact(&mywager(typed)).await;
        assert_eq!(status, 200);
        assert!(is_ephemeral(&reply), "{reply}");
        // However the name is typed, the same reply.
        insta::assert_json_snapshot!("mywager_reply", reply);
        assert_eq!(field(&reply, "Total wager"), "$2,000.10");
        assert_eq!(field(&reply, "Weighted wager"), "$876.55");
        let rank = field(&reply, "Leaderboard");
        assert!(rank.starts_with("**#2** of 3"), "{rank}");
        assert!(rank.contains("holds the **$300** prize now"), "{rank}");
        assert!(rank.contains("$4,123.45 weighted behind #1"), "{rank}");
        let tier = field(&reply, "Milestone");
        assert!(tier.contains("**Rank 7** reached"), "{tier}");
        assert!(
            tier.contains("**Rank 8** at $1,000 weighted, **$123.45** to go"),
            "{tier}"
        );
        assert!(tier.contains("▰▰▰▰▱▱▱▱▱▱▱▱ 38.2%"), "{tier}");
        let week = field(&reply, "Best multiplier this week");
        assert!(
            week.contains("**512.40×** on Big Bass Bonanza (bet $0.20) · #1"),
            "{week}"
        );
    }

    let (_, top) = app.interact(&mywager("TopDog")).await;
    assert!(field(&top, "Leaderboard").contains("holds the **$500** prize"));
    let (_, reply) = app.interact(&mywager("nobody_here")).await;
    assert!(is_ephemeral(&reply));
    let text = content(&reply);
    assert!(
        text.contains("`nobody_here`") && text.contains("affiliate code"),
        "{text}"
    );
    let (_, reply) = app.interact(&mywager("\u{200b}\u{202e}")).await;
    assert!(
        content(&reply)
            .contains("`username` must be a Roobet username of 1 to 50 visible characters"),
        "{reply}"
    );

    // An excluded player is told so, never shown a tier they cannot earn.
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let fts_assistant::store::players::NameLookup::One(lucky) =
        fts_assistant::store::players::find_by_username(&mut conn, "luckyduck", 0)
            .await
            .unwrap()
    else {
        panic!("luckyduck is one player");
    };
    fts_assistant::store::players::exclude(
        &mut conn,
        &fts_assistant::store::players::Exclusion {
            uid: lucky.uid,
            username: lucky.username,
            reason: None,
            added_by: None,
            added_ms: 0,
        },
    )
    .await
    .unwrap();
    drop(conn);
    let (_, reply) = app.interact(&mywager("LuckyDuck")).await;
    let text = reply.to_string();
    assert!(text.contains("exclusion list"), "{text}");
    assert!(
        !text.contains("to go") && !text.contains("Rank 8"),
        "{text}"
    );
    assert_eq!(field(&reply, "Weighted wager"), "$876.55");
}

/// A deferred reply is finished through the interaction's own webhook,
/// which needs no bot token: without `DISCORD_TOKEN` the chart still
/// arrives, and nothing is sent with a bot `Authorization` header.
async fn monthtomonth_finishes_without_a_bot_token(db: Db) {
    let casino = casino().await;
    three_players(&casino, 876.55);
    let discord = fake_discord().await;
    let Some(app) = TestApp::spawn_full(db, test_start(), false, |c| {
        wire(&casino, Some(&discord))(c);
        c.discord_token = None;
    })
    .await
    else {
        return;
    };
    assert!(app.state.discord.is_none());
    run_and_record(&app.jobs).await.unwrap();
    let (_, reply) = app
        .interact(&SynthInteraction::command("monthtomonth", &[]))
        .await;
    assert_eq!(reply["type"], 5, "{reply}");
    let patch = wait_for(&discord, "PATCH", Duration::from_secs(10)).await;
    assert!(patch.url.path().ends_with("/messages/@original"));
    assert!(patch.headers.get("authorization").is_none());
    let parts = multipart_parts(&patch);
    assert!(parts.contains_key("files[0]"), "the chart is attached");
}

/// The demo's Discord records what the bot sends, so `interact` can show a
/// deferred reply's follow-up (with the chart saved to a file) and the
/// channel posts, and every kind of post has a channel in the demo.
async fn the_demo_discord_records_follow_ups_and_channel_posts(db: Db) {
    use fts_assistant::cli::demo_discord::{fetch_calls, DemoDiscord};
    use fts_assistant::cli::serve::demo_discord_config;
    let casino = casino().await;
    three_players(&casino, 876.55);
    let discord = DemoDiscord::spawn().await.unwrap();
    let Some(app) = TestApp::spawn_full(db, test_start(), false, |c| {
        wire(&casino, None)(c);
        *c = demo_discord_config(c.clone(), &discord);
    })
    .await
    else {
        return;
    };
    assert!(app
        .state
        .config
        .channels
        .posts()
        .iter()
        .all(|(_, _, on)| *on));
    run_and_record(&app.jobs).await.unwrap();
    fts_assistant::jobs::publisher::publish_boards(&app.state).await;
    let interaction = SynthInteraction::command("monthtomonth", &[]);
    let (_, reply) = app.interact(&interaction).await;
    assert_eq!(reply["type"], 5);
    let token = format!("synthetic-token-{}", interaction.id());
    let http = reqwest::Client::new();
    let mut follow_up = None;
    for _ in 0..100 {
        let calls = fetch_calls(&http, &discord.base_url(), 0).await.unwrap();
        follow_up = calls.into_iter().find(|c| c.path.contains(&token));
        if follow_up.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let follow_up = follow_up.expect("the follow-up reached the demo's Discord");
    assert_eq!(follow_up.method, "PATCH");
    assert!(follow_up.body["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .contains("Total and weighted wager"));
    let png = std::fs::read(&follow_up.files[0]).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    let calls = discord.calls();
    assert!(
        calls
            .iter()
            .any(|c| c.method == "POST" && c.path.starts_with("/channels/")),
        "the board was posted: {calls:?}"
    );
    discord.shutdown();
}

async fn monthtomonth_defers_then_attaches_a_png(db: Db) {
    let casino = casino().await;
    three_players(&casino, 876.55);
    let discord = fake_discord().await;
    let Some(app) =
        TestApp::spawn_full(db, test_start(), false, wire(&casino, Some(&discord))).await
    else {
        return;
    };
    {
        let mut conn = app.state.store.pool().acquire().await.unwrap();
        for (month, dollars) in [("2026-09", 40_000), ("2026-10", 52_000)] {
            let figures = MonthTotals {
                wagered: Cents::from_dollars(dollars),
                weighted: Cents::from_dollars(dollars / 3),
                players: 7,
            };
            totals::upsert(&mut conn, month, &figures, true, 0)
                .await
                .unwrap();
        }
    }
    run_and_record(&app.jobs).await.unwrap();

    let (status, reply) = app
        .interact(&SynthInteraction::command(
            "monthtomonth",
            &[("months", OptionValue::Integer(6))],
        ))
        .await;
    assert_eq!((status, reply["type"].as_u64()), (200, Some(5)), "{reply}");

    let request = support::wait_for(&discord, "PATCH", Duration::from_secs(15)).await;
    let path = request.url.path().to_string();
    assert!(
        path.starts_with(&format!(
            "/webhooks/{SYNTH_APPLICATION_ID}/synthetic-token-"
        )),
        "{path}"
    );
    assert!(path.ends_with("/messages/@original"), "{path}");
    let parts = multipart_parts(&request);
    let payload: Value = serde_json::from_slice(&parts["payload_json"].1).unwrap();
    assert_eq!(payload["attachments"][0]["filename"], "monthtomonth.png");
    assert_eq!(
        payload["embeds"][0]["image"]["url"],
        "attachment://monthtomonth.png"
    );
    let text = payload["content"].as_str().unwrap();
    assert!(
        text.contains("November 2026") && text.contains("vs October 2026"),
        "{text}"
    );
    assert!(text.contains("Only 3 of the 6 months"), "{text}");
    assert!(
        !text.contains("fts-assistant"),
        "no operator command in a public answer: {text}"
    );
    let (headers, png) = &parts["files[0]"];
    assert!(
        headers.contains("filename=\"monthtomonth.png\""),
        "{headers}"
    );
    assert!(
        headers.to_lowercase().contains("content-type: image/png"),
        "{headers}"
    );
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let mut reader = png::Decoder::new(std::io::Cursor::new(png.as_slice()))
        .read_info()
        .unwrap();
    assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut pixels).unwrap();
    assert!(pixels.iter().any(|&b| b < 128), "the chart is not blank");

    let (_, reply) = app
        .interact(&SynthInteraction::command(
            "monthtomonth",
            &[("months", OptionValue::Integer(30))],
        ))
        .await;
    assert_eq!(reply["type"], 4);
    assert!(content(&reply).contains("`months` must be a whole number from 2 to 24"));
}

async fn goals_are_announced_once_highest_first(db: Db) {
    let casino = casino().await;
    one_big_spender(&casino, 80_000.0);
    let discord = fake_discord().await;
    let Some(app) =
        TestApp::spawn_full(db, test_start(), false, wire(&casino, Some(&discord))).await
    else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(
        announce(&app.state).await.unwrap(),
        GoalOutcome::Announced(Cents::from_dollars(75_000))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM goal_announcements").await,
        3
    );
    run_and_record(&app.jobs).await.unwrap();
    assert_eq!(announce(&app.state).await.unwrap(), GoalOutcome::Nothing);

    let db_again = app.stop_keeping_db().await;
    let Some(again) =
        TestApp::spawn_on(db_again, test_start(), false, wire(&casino, Some(&discord))).await
    else {
        return;
    };
    run_and_record(&again.jobs).await.unwrap();
    assert_eq!(announce(&again.state).await.unwrap(), GoalOutcome::Nothing);
    one_big_spender(&casino, 130_000.0);
    run_and_record(&again.jobs).await.unwrap();
    assert_eq!(
        announce(&again.state).await.unwrap(),
        GoalOutcome::Announced(Cents::from_dollars(125_000))
    );

    let posts = posts_to(&discord, &format!("/channels/{GOAL_CHANNEL}/messages")).await;
    assert_eq!(posts.len(), 2);
    let first = posts[0]["embeds"][0].to_string();
    assert!(
        first.contains("Community goal reached: $75,000.00"),
        "{first}"
    );
    assert!(
        first.contains("$80,000.00") && first.contains("Thank you"),
        "{first}"
    );
    assert!(posts[1]["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .contains("$125,000.00"));
    assert!(!posts
        .iter()
        .any(|p| p.to_string().contains("$50,000.00 goal")));
}

async fn lifetimestats_and_status_answer(db: Db) {
    let casino = casino().await;
    three_players(&casino, 876.55);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    while send_next(&app.state).await.unwrap().is_some() {}

    let (_, reply) = app
        .interact(&SynthInteraction::command("lifetimestats", &[]))
        .await;
    assert_eq!(field(&reply, "Total wager"), "$11,050.10");
    assert_eq!(field(&reply, "Active players"), "3");
    for name in ["Tips paid in November 2026", "Tips paid all time"] {
        let tips = field(&reply, name);
        assert!(
            tips.contains("Milestones: **$43.00** (20)"),
            "{name}: {tips}"
        );
        assert!(tips.contains("**Total: $43.00** (20 tips)"), "{tips}");
    }

    let admin = SynthInteraction::command("status", &[]).by(Caller::ManageServer);
    let (_, reply) = app.interact(&admin).await;
    assert!(is_ephemeral(&reply), "{reply}");
    assert_eq!(field(&reply, "Version"), env!("CARGO_PKG_VERSION"));
    assert!(field(&reply, "Database").contains(app.state.store.kind().name()));
    assert!(
        field(&reply, "Last poll").contains("3 players · outcome `ok`"),
        "{reply}"
    );
    assert!(
        field(&reply, "Roobet").starts_with("✅ reachable"),
        "{reply}"
    );
    assert!(
        field(&reply, "Discord").contains("no DISCORD_TOKEN"),
        "{reply}"
    );
    assert!(field(&reply, "Payouts").contains("pending: 0"), "{reply}");
    assert!(
        field(&reply, "Parts").contains("⛔ **discord-posting**"),
        "{reply}"
    );
    let (_, refused) = app
        .interact(&SynthInteraction::command("status", &[]))
        .await;
    assert!(content(&refused).contains("admins only"));
}

async fn wager_documents_are_masked_with_opaque_ids(db: Db) {
    let casino = casino().await;
    three_players(&casino, 876.55);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    for path in ["/api/wagers", "/allWagerData.json"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers().contains_key("etag"), "{path}");
        let text = response.text().await.unwrap();
        for secret in ["uid-", "LuckyDuck", "TopDog"] {
            assert!(!text.contains(secret), "{path} leaks {secret}: {text}");
        }
    }
    let doc: Value = app.get("/api/wagers").await.json().await.unwrap();
    let uids = ["uid-top", "uid-lucky", "uid-quiet"];
    insta::assert_json_snapshot!("api_wagers", common::named_ids(&app, doc.clone(), &uids));
    assert_eq!(doc["period"]["key"], "2026-11");
    assert_eq!(doc["totals"]["wagered"], 11_050.1);
    assert_eq!(doc["totals"]["players"], 3);
    assert!(doc["projection"]["wagered"].as_f64().unwrap() > 11_050.1);
    assert_eq!(
        doc["months"].as_array().unwrap().last().unwrap()["month"],
        "2026-11"
    );
    assert_eq!(doc["goals"]["next"], 25_000.0);
    let players = doc["players"].as_array().unwrap();
    assert_eq!(players[0]["username"], "Top***");
    assert_eq!(players[1]["username"], "LuckyD***");
    assert_eq!(players[1]["rank"], 2);
    assert_eq!(players[1]["public_id"].as_str().unwrap().len(), 16);

    let seed: Value = app.get("/allWagerData.json").await.json().await.unwrap();
    insta::assert_json_snapshot!("allWagerData", common::named_ids(&app, seed.clone(), &uids));
    assert_eq!(seed["data_type"], "comprehensive_wager_data");
    assert_eq!(
        seed["periods"]["current_month"]["start_date"],
        "2026-11-01T00:00:00Z"
    );
    let month = &seed["summary"]["current_month"];
    assert_eq!(month["total_users"], 3);
    assert_eq!(month["total_wagered"], 11_050.1);
    assert_eq!(month["highest_wagerer"]["username"], "Top***");
    let lucky = &seed["data"]["current_month"]["weighted_wager_data"][1];
    assert_eq!(lucky["username"], "LuckyD***");
    assert_eq!(lucky["user_id"], players[1]["public_id"]);
    assert_eq!(lucky["highest_multiplier"]["multiplier"], 512.4);
    assert_eq!(
        seed["data"]["lifetime"]["total_wager_data"][1]["wagered"],
        2_000.1
    );
    assert_eq!(seed["summary"]["lifetime"]["total_wagered"], 11_050.1);
    // As the original wrote it: every weighted row carries a hit object,
    // a placeholder when there is none (lifetime rows keep no hit).
    for row in seed["data"]["lifetime"]["weighted_wager_data"]
        .as_array()
        .unwrap()
    {
        assert_eq!(
            row["highest_multiplier"],
            serde_json::json!({"multiplier": 0.0, "game": "Unknown", "game_identifier": "",
                               "wagered": 0.0, "payout": 0.0}),
            "{row}"
        );
    }
}

/// `sessions`, `payout` and `net` are outside the contract: exported as the
/// casino sent them, summed over the months that had them, and left out
/// (never a made-up 0) where the answer did not carry them.
async fn wager_export_keeps_sessions_payout_and_net_where_the_casino_sent_them(db: Db) {
    use fts_assistant::roobet::fake::{FakeCallKind, FakeRow};
    let casino = casino().await;
    three_players(&casino, 876.55);
    let Some(app) = TestApp::spawn_full(db, test_start(), false, wire(&casino, None)).await else {
        return;
    };
    run_and_record(&app.jobs).await.unwrap();
    let seed: Value = app.get("/allWagerData.json").await.json().await.unwrap();
    let month = &seed["data"]["current_month"];
    let top = &month["total_wager_data"][0];
    assert_eq!(top["username"], "Top***");
    assert_eq!(
        (&top["sessions"], &top["payout"], &top["net"]),
        (&52.into(), &8_550.25.into(), &(-449.75).into()),
        "{top}"
    );
    assert_eq!(month["weighted_wager_data"][0]["sessions"], 40);
    for row in month["total_wager_data"].as_array().unwrap()[1..]
        .iter()
        .chain(&month["weighted_wager_data"].as_array().unwrap()[1..])
    {
        for key in ["sessions", "payout", "net"] {
            assert!(row.get(key).is_none(), "{key} made up in {row}");
        }
    }

    // December. The first cycle closes November (the scripted casino answers
    // every window alike, so November is polled before the answers change);
    // then TopDog's answer carries the figures again, LuckyDuck's still not.
    app.clock.advance(chrono::Duration::days(10));
    run_and_record(&app.jobs).await.unwrap();
    casino.set_rows(
        FakeCallKind::Weighted,
        [
            FakeRow::new("uid-top", "TopDog")
                .wagered(100.0)
                .weighted(60.0)
                .activity(3, 90.0, -10.0),
            FakeRow::new("uid-lucky", "LuckyDuck")
                .wagered(10.0)
                .weighted(5.0),
        ],
    );
    casino.set_rows(
        FakeCallKind::Total,
        [
            FakeRow::new("uid-top", "TopDog")
                .wagered(120.0)
                .activity(8, 100.5, -19.5),
            FakeRow::new("uid-lucky", "LuckyDuck").wagered(10.0),
        ],
    );
    run_and_record(&app.jobs).await.unwrap();
    let seed: Value = app.get("/allWagerData.json").await.json().await.unwrap();
    assert_eq!(
        seed["periods"]["current_month"]["start_date"],
        "2026-12-01T00:00:00Z"
    );
    let lifetime = &seed["data"]["lifetime"];
    let top = &lifetime["total_wager_data"][0];
    assert_eq!(top["username"], "Top***");
    assert_eq!(
        (&top["sessions"], &top["payout"], &top["net"]),
        (&60.into(), &8_650.75.into(), &(-469.25).into()),
        "{top}"
    );
    assert_eq!(lifetime["weighted_wager_data"][0]["sessions"], 43);
    let lucky = &lifetime["total_wager_data"][1];
    assert_eq!(lucky["username"], "LuckyD***");
    assert!(lucky.get("sessions").is_none(), "{lucky}");
    let top_now = &seed["data"]["current_month"]["total_wager_data"][0];
    assert_eq!(
        (&top_now["sessions"], &top_now["net"]),
        (&8.into(), &(-19.5).into())
    );
}

async fn backfill_stores_past_months_as_final(db: Db) {
    let casino = casino().await;
    three_players(&casino, 876.55);
    let Some(test_db) = common::fresh_database(db).await else {
        return;
    };
    let key = fts_assistant::discord::dev_keys::DevKeypair::from_seed([7; 32]);
    let mut config = common::base_config(&test_db.url, &key);
    wire(&casino, None)(&mut config);
    let clock = ManualClock::new(test_start());
    let report = fts_assistant::cli::backfill::backfill(&config, &clock, 3)
        .await
        .unwrap();
    assert_eq!(report.stored, ["2026-08", "2026-09", "2026-10"]);
    let again = fts_assistant::cli::backfill::backfill(&config, &clock, 4)
        .await
        .unwrap();
    assert_eq!((again.stored.len(), again.kept.len()), (1, 3));
    let Some(app) = TestApp::spawn_on(test_db, test_start(), false, |_| {}).await else {
        return;
    };
    assert_eq!(
        app.count("SELECT COUNT(*) FROM monthly_totals WHERE is_final = 1")
            .await,
        4
    );
    assert_eq!(
        app.count("SELECT wagered_cents FROM monthly_totals WHERE month = '2026-09'")
            .await,
        1_105_010
    );
}

on_both_databases!(
    any_casino_name_is_accepted_and_suggested,
    monthtomonth_finishes_without_a_bot_token,
    the_demo_discord_records_follow_ups_and_channel_posts,
    mywager_matches_the_casino_figures_to_the_cent,
    monthtomonth_defers_then_attaches_a_png,
    goals_are_announced_once_highest_first,
    lifetimestats_and_status_answer,
    wager_documents_are_masked_with_opaque_ids,
    wager_export_keeps_sessions_payout_and_net_where_the_casino_sent_them,
    backfill_stores_past_months_as_final,
);

/// Two replicas on one PostgreSQL, both checking at once: one message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_announce_a_goal_once() {
    let Some(test_db) = common::fresh_database(Db::Postgres).await else {
        return;
    };
    let casino = casino().await;
    one_big_spender(&casino, 60_000.0);
    let discord = MockServer::start().await;
    support::mount_discord(&discord).await;
    let alias = test_db.alias();
    let Some(first) =
        TestApp::spawn_on(test_db, test_start(), false, wire(&casino, Some(&discord))).await
    else {
        return;
    };
    let Some(second) =
        TestApp::spawn_on(alias, test_start(), false, wire(&casino, Some(&discord))).await
    else {
        return;
    };
    run_and_record(&first.jobs).await.unwrap();
    run_and_record(&second.jobs).await.unwrap();
    let (a, b) = tokio::join!(announce(&first.state), announce(&second.state));
    let announced = [a.unwrap(), b.unwrap()]
        .into_iter()
        .filter(|o| matches!(o, GoalOutcome::Announced(_)))
        .count();
    assert_eq!(announced, 1);
    assert_eq!(
        posts_to(&discord, &format!("/channels/{GOAL_CHANNEL}/messages"))
            .await
            .len(),
        1
    );
}
