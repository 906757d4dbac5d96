//! Issue 16, the streamer kit, over real HTTP: live events (`/api/events`)
//! from a real poll cycle and from a sent payout, their bounds (a slow reader
//! is dropped, 1,000 idle streams stay small, one more is refused), "find me"
//! with its per-client budget, branding and Open Graph tags on every page,
//! framing rules, overlay options; and where Chromium is installed, an
//! overlay rendered with a transparent background that updates in place.

use crate::common;

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use fts_assistant::clock::Clock;
use fts_assistant::config::Secret;
use fts_assistant::domain::challenges::{GameIdentifier, NewChallenge};
use fts_assistant::domain::leaderboard::{default_monthly_prizes, rank_monthly};
use fts_assistant::domain::masking::mask_username;
use fts_assistant::domain::money::{Cents, Multiplier};
use fts_assistant::domain::multiplier::default_weekly_prizes;
use fts_assistant::domain::payout_keys::PayoutKind;
use fts_assistant::domain::players::PlayerFigures;
use fts_assistant::events::{EventKind, CHANNEL_CAPACITY};
use fts_assistant::jobs::payout_worker;
use fts_assistant::jobs::poll::run_and_record;
use fts_assistant::published::Published;
use fts_assistant::roobet::fake::{
    FakeCallKind, FakeCasino, FakeMode, FakeRow, DEMO_AFFILIATE_TOKEN, DEMO_USER_ID,
};
use fts_assistant::store::challenges::{self, Creator};
use fts_assistant::store::payouts::{self, NewPayout, PayoutStatus};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{chromium, Db, TestApp};

/// A raw SSE client over HTTP/1.0 (the body then runs until the server
/// closes, with no chunk framing to undo).
struct SseClient {
    stream: TcpStream,
    buffer: String,
}

impl SseClient {
    async fn connect(app: &TestApp) -> Self {
        let addr = app.base_url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(b"GET /api/events HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n")
            .await
            .unwrap();
        Self {
            stream,
            buffer: String::new(),
        }
    }

    /// Reads until `deadline`; `false` once the server closed the stream.
    async fn read_for(&mut self, deadline: Duration) -> bool {
        let mut chunk = vec![0u8; 64 * 1024];
        let until = Instant::now() + deadline;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            match tokio::time::timeout(left, self.stream.read(&mut chunk)).await {
                Err(_) => return true,
                Ok(Ok(0)) | Ok(Err(_)) => return false,
                Ok(Ok(n)) => self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n])),
            }
        }
    }

    /// Reads once (what is there, or the next bytes within `limit`);
    /// `false` once the server closed the stream.
    async fn read_some(&mut self, limit: Duration) -> bool {
        let mut chunk = vec![0u8; 64 * 1024];
        match tokio::time::timeout(limit, self.stream.read(&mut chunk)).await {
            Err(_) => true,
            Ok(Ok(0)) | Ok(Err(_)) => false,
            Ok(Ok(n)) => {
                self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
                true
            }
        }
    }

    /// Waits up to `limit` for an event of `name` whose data satisfies
    /// `wanted`; consumes everything read up to it.
    async fn wait_for(
        &mut self,
        name: &str,
        limit: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let until = Instant::now() + limit;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        event = Some(v.to_string());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if event.as_deref() == Some(name) {
                    if let Ok(value) = serde_json::from_str::<Value>(&data) {
                        if wanted(&value) {
                            return Some(value);
                        }
                    }
                }
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || !self.read_some(left).await {
                return None;
            }
        }
    }
}

fn figures(uid: &str, name: &str, weighted: i64) -> PlayerFigures {
    PlayerFigures {
        uid: uid.into(),
        username: name.into(),
        wagered: Cents::new(weighted * 2),
        weighted_wagered: Cents::new(weighted),
        weighted_since_ms: 0,
        best_hit: None,
        activity: Default::default(),
    }
}

/// Twelve ranked players, `Player01` leading with $12,000 weighted, each
/// next one $1,000 behind.
fn board(app: &TestApp) -> Published {
    let now = app.clock.now();
    let mut p = Published::empty(now, default_monthly_prizes(), default_weekly_prizes());
    let month: Vec<_> = (1..=12i64)
        .map(|i| {
            figures(
                &format!("uid-{i:02}"),
                &format!("Player{i:02}"),
                (13 - i) * 100_000,
            )
        })
        .collect();
    p.month.entries = rank_monthly(&month, &HashSet::new(), &p.month.prizes);
    p.updated_at = Some(now);
    p
}

fn casino_players(casino: &FakeCasino) {
    let rows = |total: bool| {
        (1..=12u32)
            .map(|i| {
                let w = f64::from(13 - i) * 1_000.0;
                let row = FakeRow::new(&format!("uid-{i:02}"), &format!("Gambler{i:02}"))
                    .wagered(w * 2.0);
                if total {
                    row
                } else {
                    row.weighted(w)
                }
            })
            .collect::<Vec<_>>()
    };
    casino.set_rows(FakeCallKind::Weighted, rows(false));
    casino.set_rows(FakeCallKind::Total, rows(true));
}

async fn sse_client_gets_the_leaderboard_within_a_second_of_a_cycle(db: Db) {
    let clock = std::sync::Arc::new(fts_assistant::clock::ManualClock::new(common::test_start()));
    let casino = FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap();
    casino_players(&casino);
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, |c| {
        c.roobet_api_base = casino.base_url().to_string();
        c.roobet_api_token = Some(Secret::new(DEMO_AFFILIATE_TOKEN));
        c.roobet_user_id = Some(DEMO_USER_ID.into());
    })
    .await
    else {
        return;
    };
    let mut client = SseClient::connect(&app).await;
    // On connect: the current (empty) board.
    let first = client
        .wait_for("leaderboard", Duration::from_secs(5), |_| true)
        .await
        .expect("the current board on connect");
    assert_eq!(first["entries"].as_array().unwrap().len(), 0);

    // A challenge added behind the app's back: the cycle republishes them.
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let challenge = NewChallenge {
        game_id: GameIdentifier::parse("pragmatic:vs20olympgate").unwrap(),
        name: "Gates of Olympus".into(),
        required: Multiplier(50_000),
        prize: Cents::new(2_500),
        min_bet: None,
        emoji: None,
    };
    let creator = Creator {
        id: None,
        name: None,
    };
    challenges::insert(
        &mut conn,
        &challenge,
        &creator,
        app.clock.now().timestamp_millis(),
    )
    .await
    .unwrap()
    .unwrap();
    drop(conn);

    let cycle = run_and_record(&app.jobs);
    let published_at = Instant::now();
    cycle.await.unwrap();
    let doc = client
        .wait_for("leaderboard", Duration::from_secs(1), |d| {
            d["entries"].as_array().is_some_and(|e| e.len() == 10)
        })
        .await
        .expect("a leaderboard event within one second of the cycle");
    let elapsed = published_at.elapsed();
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert_eq!(doc["entries"][0]["username"], mask_username("Gambler01"));
    let text = doc.to_string();
    assert!(
        !text.contains("uid-01") && !text.contains("Gambler01"),
        "{text}"
    );
    // The same document the JSON endpoint serves.
    let api: Value = app.get("/api/leaderboard").await.json().await.unwrap();
    assert_eq!(api, doc);
    // Multipliers come along from the same publish, then the challenges.
    assert!(client
        .wait_for("multipliers", Duration::from_secs(1), |_| true)
        .await
        .is_some());
    let active = client
        .wait_for("challenges", Duration::from_secs(2), |d| {
            d["challenges"].as_array().is_some_and(|c| c.len() == 1)
        })
        .await
        .expect("the cycle publishes the active challenges");
    assert_eq!(active["challenges"][0]["game_name"], "Gates of Olympus");
}

/// A quiet stream still carries a comment line every 15 s, so proxies and
/// our own idle timeout keep it open and a client can tell it is alive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_stream_gets_heartbeats() {
    let app = TestApp::spawn_full(Db::Sqlite, common::test_start(), false, |_| {})
        .await
        .expect("SQLite always runs");
    let mut client = SseClient::connect(&app).await;
    assert!(client.read_for(Duration::from_secs(17)).await, "still open");
    assert!(
        client.buffer.contains("\n: heartbeat\n"),
        "{}",
        client.buffer
    );
}

async fn a_sent_milestone_is_announced_after_payment_only(db: Db) {
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, |c| {
        c.tips_dry_run = true;
    })
    .await
    else {
        return;
    };
    let mut client = SseClient::connect(&app).await;
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let payout = NewPayout {
        key: "milestone:2026-11:uid-lucky:3".into(),
        kind: PayoutKind::Milestone,
        uid: "uid-lucky".into(),
        username: "LuckyDuck".into(),
        amount: Cents::new(2_500),
        status: PayoutStatus::Pending,
        period_key: Some("2026-11".into()),
        tier: Some(3),
        requested_by: None,
        reason: None,
        priority: 0,
    };
    assert!(
        payouts::insert_intent(&mut conn, &payout, app.clock.now().timestamp_millis())
            .await
            .unwrap()
    );
    drop(conn);
    assert!(
        client
            .wait_for("milestone", Duration::from_millis(500), |_| true)
            .await
            .is_none(),
        "nothing is announced while the tip is only pending"
    );
    let report = payout_worker::send_next(&app.state).await.unwrap().unwrap();
    assert_eq!(report.status, PayoutStatus::Sent);
    let alert = client
        .wait_for("milestone", Duration::from_secs(2), |_| true)
        .await
        .expect("a milestone event after the send");
    assert_eq!(alert["username"], mask_username("LuckyDuck"));
    assert_eq!(alert["amount"], 25.0);
    assert_eq!(alert["tier"], 3);
    assert_eq!(alert["test"], true, "a dry run is labelled a test");
    assert!(!alert.to_string().contains("uid-lucky"));
    let tips = client
        .wait_for("tips", Duration::from_secs(2), |_| true)
        .await
        .expect("the tips document follows");
    assert!(!tips.to_string().contains("LuckyDuck"));
}

/// One client that stops reading while events keep coming is closed once it
/// is more than the channel's capacity behind; nothing is buffered for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_is_dropped() {
    let app = TestApp::spawn_full(Db::Sqlite, common::test_start(), false, |_| {})
        .await
        .expect("SQLite always runs");
    let mut slow = SseClient::connect(&app).await;
    slow.read_for(Duration::from_millis(300)).await;
    assert_eq!(app.state.events.open_streams(), 1);
    // 2 × capacity events of 256 KiB: far more than socket buffers hold.
    let big = format!("\"{}\"", "x".repeat(256 * 1024));
    let sent = 2 * CHANNEL_CAPACITY;
    for _ in 0..sent {
        app.state.events.publish(EventKind::Milestone, big.clone());
        tokio::task::yield_now().await;
    }
    // Now read: what was in flight arrives, then the server closes.
    let still_open = slow.read_for(Duration::from_secs(20)).await;
    assert!(!still_open, "the lagging stream was closed");
    let received = slow.buffer.matches("event: milestone").count();
    assert!(
        received < sent,
        "received {received} of {sent}: the reader was dropped, not buffered for"
    );
    for _ in 0..50 {
        if app.state.events.open_streams() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.state.events.open_streams(), 0);
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// 1,000 idle streams (the default cap) cost little memory, all receive one
/// update, and one more is refused with 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_idle_streams_stay_bounded() {
    // The RSS measured below is this process's: alone, other tests' memory
    // does not count.
    if !common::alone_in_child("live::a_thousand_idle_streams_stay_bounded").await {
        return;
    }
    let app = TestApp::spawn_full(Db::Sqlite, common::test_start(), false, |c| {
        c.server.max_connections = 1_100;
        c.sse_max_streams = 1_000;
        // Every stream comes from 127.0.0.1: the per-client caps are off.
        c.server.max_connections_per_client = 0;
        c.sse_max_per_client = 0;
    })
    .await
    .expect("SQLite always runs");
    app.state.board.publish(board(&app));
    let before = rss_kib();
    let mut clients = Vec::with_capacity(1_000);
    for _ in 0..1_000 {
        clients.push(SseClient::connect(&app).await);
    }
    for _ in 0..200 {
        if app.state.events.open_streams() == 1_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.state.events.open_streams(), 1_000);
    let refused = app.get("/api/events").await;
    assert_eq!(refused.status(), 503);
    let after = rss_kib();
    let grown_kib = after.saturating_sub(before);
    eprintln!("RSS {before} KiB -> {after} KiB with 1,000 streams (client and server sides)");
    assert!(
        grown_kib < 200 * 1024,
        "1,000 idle streams (both ends in this process) grew RSS by {grown_kib} KiB"
    );
    let started = Instant::now();
    app.state.events.publish(
        EventKind::ChallengeWon,
        "{\"username\":\"Lucky***\"}".into(),
    );
    for client in &mut clients {
        assert!(
            client
                .wait_for("challenge_won", Duration::from_secs(10), |_| true)
                .await
                .is_some(),
            "every stream receives the update"
        );
    }
    let elapsed = started.elapsed();
    eprintln!("1,000 streams received one event {elapsed:?} after the publish");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    drop(clients);
    for _ in 0..200 {
        if app.state.events.open_streams() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.state.events.open_streams(),
        0,
        "closed streams free their slot"
    );
}

async fn find_answers_a_known_player_and_refuses_a_burst(db: Db) {
    // The clients' addresses come from the proxy header, trusted here only
    // because it is configured (issue 22).
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.trusted_proxy_header = Some("x-forwarded-for".into());
    })
    .await
    else {
        return;
    };
    app.state.board.publish(board(&app));
    let find = |name: &str, ip: &str| {
        app.http
            .get(format!("{}/api/find", app.base_url))
            .query(&[("username", name)])
            .header("x-forwarded-for", ip)
            .send()
    };
    let found = find("pLaYeR12", "198.51.100.1").await.unwrap();
    assert_eq!(found.status(), 200);
    assert_eq!(found.headers()["cache-control"], "no-store");
    let doc: Value = found.json().await.unwrap();
    assert_eq!(doc["username"], mask_username("Player12"));
    assert_eq!(doc["rank"], 12);
    assert_eq!(doc["weighted_wagered"], 1_000.0);
    assert_eq!(doc["prize"], 0.0);
    assert_eq!(doc["next_rank"]["rank"], 11);
    assert_eq!(doc["next_rank"]["gap"], 1_000.0);
    assert_eq!(doc["next_prize"]["rank"], 10);
    assert_eq!(doc["next_prize"]["gap"], 2_000.0);
    assert!(!doc.to_string().contains("uid-12") && !doc.to_string().contains("Player12"));

    let leader: Value = find("Player01", "198.51.100.1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(leader["rank"], 1);
    assert!(leader["next_rank"].is_null() && leader["next_prize"].is_null());
    // No prefix search, no enumeration.
    assert_eq!(find("Player", "198.51.100.1").await.unwrap().status(), 404);
    assert_eq!(find("", "198.51.100.1").await.unwrap().status(), 400);

    // A burst from one client: ten answer, then 429; another client is unaffected.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            find("Player03", "203.0.113.9")
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(&statuses[..10], &[200; 10], "{statuses:?}");
    assert_eq!(&statuses[10..], &[429, 429], "{statuses:?}");
    assert_eq!(
        find("Player03", "203.0.113.10").await.unwrap().status(),
        200
    );

    // The form on `/` answers the same, masked.
    let html = app
        .http
        .get(format!("{}/?find=player02", app.base_url))
        .header("x-forwarded-for", "198.51.100.2")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let shown = format!(
        "<strong>{}</strong> is <strong>#2</strong>",
        mask_username("Player02")
    );
    assert!(html.contains(&shown), "{html}");
    assert!(!html.contains("Player02"));
}

async fn every_page_is_branded_with_open_graph_tags(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.branding.community_name = "Spin & Win".into();
        c.branding.affiliate_code = Some("SPIN".into());
        c.branding.signup_url = Some("https://roobet.com/?ref=spin".into());
        c.public_base_url = "https://board.example".into();
    })
    .await
    else {
        return;
    };
    app.state.board.publish(board(&app));
    let leader_text = format!(
        "$1,500.00 prize pool, leader {} with $12,000.00 weighted",
        mask_username("Player01")
    );
    for path in [
        "/",
        "/multipliers",
        "/challenges",
        "/tips",
        "/history",
        "/embed",
        "/embed/leaderboard",
        "/overlay/leaderboard",
        "/overlay/multipliers",
        "/overlay/challenges",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        for needle in [
            "<meta property=\"og:title\" content=\"",
            "<meta property=\"og:image\" content=\"https://board.example/static/og-card.png\">",
            "<meta name=\"twitter:card\" content=\"summary_large_image\">",
            leader_text.as_str(),
            "Spin &amp; Win",
            "Sign up with code <strong class=\"code\">SPIN</strong>",
            "href=\"https://roobet.com/?ref=spin\"",
        ] {
            assert!(html.contains(needle), "{path} lacks {needle}");
        }
        assert!(
            !html.contains("<!--brand:"),
            "{path} has an unfilled marker"
        );
        assert!(!html.contains("· FTS<"), "{path} still says FTS");
        assert!(!html.contains("Player01"), "{path} shows a raw name");
    }
    let embed = app.get("/embed").await.text().await.unwrap();
    // The copy-paste snippet (escaped as text), pointing at PUBLIC_BASE_URL.
    assert!(embed.contains("iframe src="), "{embed}");
    assert!(
        embed.contains("https://board.example/embed/leaderboard"),
        "{embed}"
    );
}

async fn only_overlays_and_the_embed_may_be_framed(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    for path in [
        "/overlay/leaderboard",
        "/overlay/alerts",
        "/embed/leaderboard",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors *"), "{path}: {csp}");
        assert!(r.headers().get("x-frame-options").is_none(), "{path}");
    }
    for path in ["/", "/embed", "/api/leaderboard", "/challenges", "/nowhere"] {
        let r = app.get(path).await;
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(r.headers()["x-frame-options"], "DENY", "{path}");
    }
    for bad in ["theme=blue", "rows=2", "rows=11", "scale=9", "scale=abc"] {
        let r = app.get(&format!("/overlay/leaderboard?{bad}")).await;
        assert_eq!(r.status(), 400, "{bad}");
    }
    let ok = app
        .get("/overlay/leaderboard?theme=light&rows=3&scale=1.5")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ok.contains("class=\"overlay theme-light scale-150\""),
        "{ok}"
    );
}

on_both_databases!(
    sse_client_gets_the_leaderboard_within_a_second_of_a_cycle,
    a_sent_milestone_is_announced_after_payment_only,
    find_answers_a_known_player_and_refuses_a_burst,
    every_page_is_branded_with_open_graph_tags,
    only_overlays_and_the_embed_may_be_framed,
);

/// Whether a new `/api/events` stream opens (beyond `before`) within 8 s.
async fn opened_a_stream(app: &TestApp, before: usize) -> bool {
    for _ in 0..400 {
        if app.state.events.open_streams() > before {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// The overlay in real Chromium: the page background is transparent (a
/// corner pixel of the screenshot has alpha 0 while the card is opaque),
/// and after the board changes the DOM shows the new rows without a reload
/// (Chromium keeps the page open for a few seconds; the board is published
/// once its stream is connected).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlay_is_transparent_and_updates_live_in_chromium() {
    if !chromium::available() {
        return;
    }
    let app = TestApp::spawn_full(Db::Sqlite, common::test_start(), false, |c| {
        c.static_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    })
    .await
    .expect("SQLite always runs");
    app.state.board.publish(board(&app));
    let dir = tempfile::tempdir().unwrap();

    // 1. Transparent background.
    let shot = dir.path().join("overlay.png");
    let args = vec![
        format!("--user-data-dir={}", dir.path().join("shot").display()),
        "--default-background-color=00000000".to_string(),
        "--window-size=420,420".to_string(),
        format!("--screenshot={}", shot.display()),
        format!("{}/overlay/leaderboard?rows=5", app.base_url),
    ];
    tokio::task::spawn_blocking(move || chromium::run(&args))
        .await
        .unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(
        info.color_type,
        png::ColorType::Rgba,
        "screenshot has alpha"
    );
    let alpha = |x: usize, y: usize| pixels[(y * info.width as usize + x) * 4 + 3];
    let (w, h) = (info.width as usize, info.height as usize);
    assert_eq!(alpha(w - 2, h - 2), 0, "the page background is transparent");
    assert!(alpha(40, 60) > 150, "the card itself is painted");

    // 2. Live update without reload, on the overlay and on `/`.
    for (path, expected) in [
        (
            "/overlay/leaderboard?rows=5",
            "fts-live leaderboard render 2: 1",
        ),
        ("/", "fts-live page refresh 1: "),
    ] {
        let expected = format!("{expected}{}", mask_username("NewLeader"));
        app.state.board.publish(board(&app));
        let url = format!("{}{path}", app.base_url);
        let profile = dir.path().join(format!("live{}", path.len()));
        let before = app.state.events.open_streams();
        // The script logs each render to the console.
        let run = tokio::task::spawn_blocking(move || chromium::console_of(&url, &profile, 12));
        assert!(
            opened_a_stream(&app, before).await,
            "{path} opened /api/events"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut next = board(&app);
        next.month.entries[0].username = "NewLeader".into();
        next.updated_at = Some(app.clock.now() + chrono::Duration::minutes(1));
        app.state.board.publish(next);
        let log = run.await.unwrap();
        let lines: Vec<&str> = log.lines().filter(|l| l.contains("fts-live")).collect();
        assert!(
            lines.iter().any(|l| l.contains(&expected)),
            "{path}: expected {expected:?} in {lines:#?}"
        );
    }

    // 3. The alerts overlay shows a card for a paid milestone.
    let url = format!("{}/overlay/alerts", app.base_url);
    let profile = dir.path().join("alerts");
    let before = app.state.events.open_streams();
    let run = tokio::task::spawn_blocking(move || chromium::console_of(&url, &profile, 10));
    assert!(
        opened_a_stream(&app, before).await,
        "the alerts overlay opened /api/events"
    );
    let alert = serde_json::json!({
        "username": mask_username("LuckyDuck"),
        "amount": 25.0,
        "tier": 3,
        "tier_name": "Gold",
        "test": false,
    });
    app.state
        .events
        .publish(EventKind::Milestone, alert.to_string());
    let log = run.await.unwrap();
    let expected = format!(
        "Gold reached! {} was tipped $25.00",
        mask_username("LuckyDuck")
    );
    assert!(
        log.lines()
            .any(|l| l.contains("fts-live alert 1:") && l.contains(&expected)),
        "expected {expected:?} in {:#?}",
        log.lines()
            .filter(|l| l.contains("fts-live"))
            .collect::<Vec<_>>()
    );
}
