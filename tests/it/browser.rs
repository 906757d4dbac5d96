//! Every public HTML page in real Chromium at a phone width (390 px) and a
//! desktop width (1280 px), with data shaped like a busy month: long and
//! unicode names, ten board rows with custom-emoji tier badges and tips,
//! big multipliers on long game titles, ten active challenges with best
//! attempts, a winners' archive, a year of frozen months.
//!
//! A page fails when it scrolls sideways (`scrollWidth` of the document
//! above the viewport width) or when two visible pieces of content overlap:
//! see [`MEASURE`] for the exact rule. The pages send a strict CSP (no
//! inline script), so the measuring script runs from outside the page over
//! the DevTools protocol (`Runtime.evaluate`), never through the page.
//!
//! Skips (with a printed reason) when `/usr/bin/chromium` is missing,
//! unless `FTS_REQUIRE_CHROMIUM=1`. `FTS_BROWSER_SHOTS=<dir>` also writes a
//! full-page screenshot of every page at both widths there, to look at.

use crate::common;
use crate::common::chromium::{self, CHROMIUM};

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use chrono::Duration as Span;
use fts_assistant::clock::Clock;
use fts_assistant::config::Secret;
use fts_assistant::domain::challenges::{GameIdentifier, NewChallenge};
use fts_assistant::domain::masking::mask_username;
use fts_assistant::domain::money::{Cents, Multiplier};
use fts_assistant::events::EventKind;
use fts_assistant::jobs::challenges::publish_challenges;
use fts_assistant::jobs::payout_worker::send_next;
use fts_assistant::jobs::poll::run_and_record;
use fts_assistant::roobet::fake::{
    FakeCallKind, FakeCasino, FakeMode, FakeRow, DEMO_AFFILIATE_TOKEN, DEMO_TIPPING_TOKEN,
    DEMO_USER_ID,
};
use fts_assistant::store::challenges::{self, Creator};
use fts_assistant::store::periods;
use fts_assistant::store::snapshots::PeriodKind;
use fts_assistant::store::standings::{self, FinalStanding};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use tokio_tungstenite::tungstenite::Message;

use common::{Db, TestApp};

/// The widths every page must fit: a common phone and a laptop.
const WIDTHS: [u32; 2] = [390, 1280];

/// Runs in the page (from outside, over CDP) and answers
/// `{scrollWidth, innerWidth, boxes, overlaps: [..]}`.
///
/// The boxes compared are the rendered content a reader sees:
/// - each line box of every non-blank text node (`Range.getClientRects`),
/// - every image, SVG, form control and button (`getBoundingClientRect`),
///
/// that is visible (no `visibility: hidden`, opacity above 0), each clipped
/// by its ancestors that hide overflow (so text cut off with an ellipsis is
/// measured as shown), and at least 2 × 2 px after clipping (visually hidden
/// labels are 1 px). Two boxes overlap when their intersection is wider and
/// taller than 1 px (anti-aliasing and sub-pixel rounding are not overlap).
/// Text boxes never contain one another in normal flow, so no pair needs
/// excusing for ancestry; the line boxes of one text node are not compared
/// with each other (Chromium reports an ellipsis as a second box over the
/// clipped text), nor a form control with its own text.
const MEASURE: &str = r#"(async () => {
  await document.fonts.ready;
  const tolerance = 1;
  const clipOf = (el, rect) => {
    let r = { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom };
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
        const c = a.getBoundingClientRect();
        if (s.overflowX !== 'visible') { r.left = Math.max(r.left, c.left); r.right = Math.min(r.right, c.right); }
        if (s.overflowY !== 'visible') { r.top = Math.max(r.top, c.top); r.bottom = Math.min(r.bottom, c.bottom); }
      }
    }
    return r;
  };
  const shown = (el) => {
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.display === 'none' || parseFloat(s.opacity) === 0) return false;
    }
    return getComputedStyle(el).visibility === 'visible';
  };
  const describe = (el) => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += '#' + el.id;
    if (el.classList.length) d += '.' + [...el.classList].join('.');
    const p = el.parentElement;
    if (p && p !== document.body) {
      let pd = p.tagName.toLowerCase();
      if (p.classList.length) pd += '.' + [...p.classList].join('.');
      d = pd + ' > ' + d;
    }
    return d;
  };
  const boxes = [];
  const add = (node, el, rect, what) => {
    const r = clipOf(el, rect);
    if (r.right - r.left >= 2 && r.bottom - r.top >= 2) boxes.push({ node, el, r, what });
  };
  const controls = 'img, svg, input, select, textarea, button';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest(controls) || !shown(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const rect of range.getClientRects()) add(n, el, rect, JSON.stringify(text.slice(0, 40)));
  }
  for (const el of document.body.querySelectorAll(controls)) {
    if (el.parentElement && el.parentElement.closest('svg')) continue;
    if (!shown(el)) continue;
    add(el, el, el.getBoundingClientRect(), el.getAttribute('alt') || el.getAttribute('value') || el.textContent.trim().slice(0, 40) || '');
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.node === b.node) continue;
      if (a.el !== b.el && (a.el.contains(b.el) || b.el.contains(a.el)) && (a.el.matches(controls) || b.el.matches(controls))) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > tolerance && h > tolerance) {
        overlaps.push(`${describe(a.el)} ${a.what} and ${describe(b.el)} ${b.what} overlap by ${w.toFixed(1)}×${h.toFixed(1)} px at (${Math.round(Math.max(a.r.left, b.r.left))}, ${Math.round(Math.max(a.r.top, b.r.top))})`);
      }
    }
  }
  const wide = [];
  const vw = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > innerWidth) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > vw + tolerance && shown(el)) wide.push(`${describe(el)} ends at ${Math.round(r.right)} px`);
      if (wide.length >= 8) break;
    }
  }
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth, boxes: boxes.length, overlaps, wide };
})()"#;

/// A headless Chromium driven over the DevTools protocol (one page).
struct Browser {
    child: std::process::Child,
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn launch() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--remote-debugging-port=0",
                // A page left for the next one must close its event stream
                // at once: Chromium opens at most 6 connections per host.
                "--disable-features=BackForwardCache",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        // A thread reads stderr for the endpoint, then keeps draining it so
        // Chromium never blocks on a full pipe.
        let stderr = child.stderr.take().unwrap();
        let (found, endpoint) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    if let Some(found) = found.take() {
                        let _ = found.send(url.trim().to_string());
                    }
                }
            }
        });
        let endpoint = tokio::time::timeout(Duration::from_secs(30), endpoint)
            .await
            .expect("chromium announces its DevTools endpoint in time")
            .expect("chromium exited before listening");
        let host = endpoint
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let targets: Value = reqwest::get(format!("http://{host}/json/list"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let page = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .expect("a page target")["webSocketDebuggerUrl"]
            .as_str()
            .unwrap()
            .to_string();
        let (socket, _) = tokio_tungstenite::connect_async(page).await.unwrap();
        let mut browser = Browser {
            child,
            socket,
            next_id: 0,
            _profile: profile,
        };
        browser.call("Page.enable", json!({})).await;
        browser
    }

    /// Sends one command and waits for its answer; events in between are
    /// handed to `on_event`.
    async fn call_seeing(
        &mut self,
        method: &str,
        params: Value,
        mut on_event: impl FnMut(&Value),
    ) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({"id": id, "method": method, "params": params}).to_string();
        self.socket
            .send(Message::Text(message.into()))
            .await
            .unwrap();
        let mut seen = Vec::new();
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(30), self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("{method}: no answer within 30 s; events: {seen:#?}"))
                .expect("the DevTools socket stays open")
                .unwrap();
            let Message::Text(text) = frame else {
                continue;
            };
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["id"] == id {
                assert!(value.get("error").is_none(), "{method}: {value}");
                return value["result"].clone();
            }
            seen.push(value.to_string().chars().take(300).collect::<String>());
            on_event(&value);
        }
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.call_seeing(method, params, |_| {}).await
    }

    /// Opens `url` in a viewport `width` px wide and waits for its `load`.
    async fn open(&mut self, url: &str, width: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await;
        let mut loaded = false;
        let navigated = self
            .call_seeing("Page.navigate", json!({"url": url}), |event| {
                loaded |= event["method"] == "Page.loadEventFired";
            })
            .await;
        assert!(navigated.get("errorText").is_none(), "{url}: {navigated}");
        let wait = async {
            while !loaded {
                let frame = self.socket.next().await.unwrap().unwrap();
                if let Message::Text(text) = frame {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    loaded = value["method"] == "Page.loadEventFired";
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .unwrap_or_else(|_| panic!("{url} did not load within 30 s"));
    }

    /// Evaluates `expression` (awaiting a promise) and returns its value.
    async fn eval(&mut self, expression: &str) -> Value {
        let answer = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
            )
            .await;
        assert!(
            answer.get("exceptionDetails").is_none(),
            "the measuring script failed: {answer}"
        );
        answer["result"]["value"].clone()
    }

    async fn close(mut self) {
        // The socket may close before the answer: do not wait for one.
        let close = json!({"id": 0, "method": "Browser.close"}).to_string();
        let _ = self.socket.send(Message::Text(close.into())).await;
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Browser {
    /// Never leaves a Chromium behind (a failed assertion included).
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Names as long and as varied as the casino returns: the masked forms
/// keep their length, so the columns must cope with them.
const NAMES: [&str; 12] = [
    "Maximilian_Wolfeschlegel",
    "Zoë🎰",
    "ÆrøskøbingHighRoller1987",
    "<script>x</script>",
    "xXx_BonusBuyBandit_xXx",
    "SlotQueenOfTheNightShift",
    "李小龍🐉lucky",
    "wwwwwwwwwwwwwwwwwwwwwwww",
    "NightOwl77",
    "MMMMMMMMMMMMMMMMMMMMMMMM",
    "eleventh_place_player",
    "twelfth",
];

/// Long game titles with big multipliers.
const GAMES: [(&str, &str); 10] = [
    (
        "pragmatic:vs10bbbbrnd",
        "Big Bass Bonanza – Keeping it Reel Megaways",
    ),
    ("hacksaw:wanted", "Wanted Dead or a Wild"),
    (
        "pragmatic:vs20olympgate",
        "Gates of Olympus 1000 Super Scatter",
    ),
    ("nolimit:sanquentin", "San Quentin xWays"),
    ("pushgaming:razorreturns", "Razor Returns"),
    ("relax:moneytrain4", "Money Train 4"),
    ("hacksaw:chaoscrew2", "Chaos Crew II"),
    ("pragmatic:vs20sugarrush1000", "Sugar Rush 1000"),
    (
        "nolimit:mentalgamble2",
        "Mental II: The Asylum Strikes Back",
    ),
    ("btg:extrachilli", "Extra Chilli Megaways Epic Spins"),
];

fn rewards_file() -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut text = String::from("[milestones.emojis]\n");
    for rank in 1..=30u64 {
        if rank % 2 == 0 {
            text.push_str(&format!(
                "{rank} = \"<:rank{rank}:{}>\"\n",
                1_389_367_229_417_656_500 + rank
            ));
        } else {
            text.push_str(&format!(
                "{rank} = \"<a:spinningrank{rank}:{}>\"\n",
                1_389_367_229_417_656_600 + rank
            ));
        }
    }
    std::fs::write(file.path(), text).unwrap();
    file
}

/// Twelve players between $1.2M and $20k weighted (every one past many
/// tiers), each with a big hit on one of [`GAMES`].
fn script_players(casino: &FakeCasino) {
    let row = |i: usize, name: &str| {
        let weighted = 1_200_000.0 / (i as f64 + 1.0);
        let (game, title) = GAMES[i % GAMES.len()];
        FakeRow::new(&format!("uid-{i:02}"), name)
            .wagered(weighted * 3.0)
            .weighted(weighted)
            .hit(
                32_954.26 / (i as f64 + 1.0),
                12.5,
                32_954.26 / (i as f64 + 1.0) * 12.5,
                game,
                title,
            )
    };
    casino.set_rows(
        FakeCallKind::Weighted,
        NAMES.iter().enumerate().map(|(i, n)| row(i, n)),
    );
    casino.set_rows(
        FakeCallKind::Total,
        NAMES.iter().enumerate().map(|(i, n)| row(i, n)),
    );
}

async fn add_challenge(app: &TestApp, game: &str, name: &str, required: i64, prize: i64) {
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let challenge = NewChallenge {
        game_id: GameIdentifier::parse(game).unwrap(),
        name: name.into(),
        required: Multiplier(required),
        prize: Cents::new(prize),
        min_bet: Some(Cents::new(20)),
        emoji: Some("<:bonus:1389367229417656999>".into()),
    };
    let creator = Creator {
        id: Some("1000000000000000001".into()),
        name: Some("AdminWithAVeryLongDiscordName".into()),
    };
    challenges::insert(
        &mut conn,
        &challenge,
        &creator,
        app.clock.now().timestamp_millis(),
    )
    .await
    .unwrap()
    .expect("challenge stored");
}

/// A year of frozen months, ten rows each, newest last.
async fn freeze_a_year(app: &TestApp) {
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let now_ms = app.clock.now().timestamp_millis();
    for month in 1..=12u32 {
        let key = if month <= 10 {
            format!("2026-{month:02}")
        } else {
            format!("2025-{month:02}")
        };
        let rows: Vec<FinalStanding> = (0..10u32)
            .map(|i| FinalStanding {
                rank: i + 1,
                uid: format!("uid-{i:02}"),
                username: NAMES[(i as usize + month as usize) % NAMES.len()].into(),
                wagered: Cents::new(987_654_321 / i64::from(i + 1)),
                weighted: Cents::new(329_218_107 / i64::from(i + 1)),
                hit: None,
                prize: Cents::new(if i < 5 { 150_000 / i64::from(i + 1) } else { 0 }),
            })
            .collect();
        periods::open(&mut conn, PeriodKind::Month, &key)
            .await
            .unwrap();
        standings::insert(&mut conn, PeriodKind::Month, &key, &rows)
            .await
            .unwrap();
        periods::finalize(&mut conn, PeriodKind::Month, &key, now_ms)
            .await
            .unwrap();
    }
}

/// Sends every queued payout.
async fn drain(app: &TestApp) -> usize {
    let mut sent = 0;
    while send_next(&app.state).await.unwrap().is_some() {
        sent += 1;
    }
    sent
}

/// The app with a busy month behind it (see the module doc).
async fn busy_app(db: Db, casino: &FakeCasino, rewards: PathBuf) -> Option<TestApp> {
    let base = casino.base_url().to_string();
    let app = TestApp::spawn_full(db, common::test_start(), false, |c| {
        c.static_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
        c.roobet_api_base = base.clone();
        c.roobet_api_token = Some(Secret::new(DEMO_AFFILIATE_TOKEN));
        c.roobet_user_id = Some(DEMO_USER_ID.into());
        c.tipping_api_base = base;
        c.tipping_api_token = Some(Secret::new(DEMO_TIPPING_TOKEN));
        c.tip_interval_secs = 0;
        c.rewards_file = Some(rewards);
    })
    .await?;
    freeze_a_year(&app).await;

    // Five challenges won (the archive), then ten running (the most
    // allowed) with attempts below their bar.
    for (game, title) in &GAMES[..5] {
        add_challenge(&app, game, title, 100_000, 250_000).await;
    }
    script_players(casino);
    app.clock.advance(Span::minutes(5));
    for (i, (game, title)) in GAMES[..5].iter().enumerate() {
        casino.set_rows(
            FakeCallKind::Game((*game).into()),
            [FakeRow::new(&format!("uid-{i:02}"), NAMES[i])
                .wagered(5_000.0)
                .weighted(5_000.0)
                .hit(12_345.67, 0.2, 2_469.13, game, title)],
        );
    }
    run_and_record(&app.jobs).await.unwrap();
    for (game, title) in GAMES {
        add_challenge(&app, game, title, 2_500_099, 1_000_000).await;
    }
    app.clock.advance(Span::minutes(5));
    for (i, (game, title)) in GAMES.iter().enumerate() {
        casino.set_rows(
            FakeCallKind::Game((*game).into()),
            [FakeRow::new(&format!("uid-{i:02}"), NAMES[i])
                .wagered(5_000.0)
                .weighted(5_000.0)
                .hit(24_999.98, 0.2, 4_999.99, game, title)],
        );
    }
    run_and_record(&app.jobs).await.unwrap();
    let sent = drain(&app).await;
    assert!(sent > 100, "milestone and challenge tips were paid: {sent}");
    app.clock.advance(Span::minutes(5));
    run_and_record(&app.jobs).await.unwrap();
    publish_challenges(&app.state).await;
    Some(app)
}

/// Every HTML page of the HTTP surface, with the options that change its
/// layout.
fn pages() -> Vec<String> {
    let mut pages: Vec<String> = [
        "/",
        "/multipliers",
        "/challenges",
        "/tips",
        "/history",
        "/history/2026-10",
        "/embed",
        "/embed/leaderboard",
        "/overlay/leaderboard",
        "/overlay/leaderboard?theme=light&rows=10&scale=1.5",
        "/overlay/multipliers",
        "/overlay/challenges",
        "/overlay/alerts",
    ]
    .map(String::from)
    .to_vec();
    // "Find me", for a player on the board and for an unknown name.
    pages.push(format!("/?find={}", url_encode(NAMES[4])));
    pages.push(format!("/?find={}", url_encode(NAMES[10])));
    pages.push("/?find=nobody_by_that_name".into());
    pages
}

fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Writes a full-page screenshot of `url` at `width` into `dir`.
async fn screenshot(dir: &Path, url: &str, path: &str, width: u32) {
    let height = if width < 500 { 3200 } else { 2000 };
    let name: String = path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let file = dir.join(format!("{name}-{width}.png"));
    let profile = tempfile::tempdir().unwrap();
    let args = vec![
        format!("--user-data-dir={}", profile.path().display()),
        format!("--window-size={width},{height}"),
        format!("--screenshot={}", file.display()),
        url.to_string(),
    ];
    tokio::task::spawn_blocking(move || chromium::run_within(60, &args))
        .await
        .unwrap();
}

/// The alerts overlay is empty until an alert arrives: sends milestone
/// alerts (a dry-run one, which has the most lines) until a card shows,
/// then lets its entrance animation finish.
async fn show_an_alert(app: &TestApp, browser: &mut Browser) {
    let alert = json!({
        "username": mask_username(NAMES[0]),
        "amount": 1_080.0,
        "tier": 30,
        "tier_name": "Rank 30",
        "test": true,
    });
    for _ in 0..50 {
        app.state
            .events
            .publish(EventKind::Milestone, alert.to_string());
        let cards = browser
            .eval("document.querySelectorAll('.ov-alert').length")
            .await;
        if cards.as_u64().unwrap_or(0) > 0 {
            tokio::time::sleep(Duration::from_millis(1_000)).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no alert card showed on /overlay/alerts");
}

async fn every_page_fits_phone_and_desktop_without_overlaps(db: Db) {
    if !chromium::available() {
        return;
    }
    let clock = std::sync::Arc::new(fts_assistant::clock::ManualClock::new(common::test_start()));
    let casino = FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap();
    let rewards = rewards_file();
    let Some(app) = busy_app(db, &casino, rewards.path().to_path_buf()).await else {
        return;
    };
    // The data the pages must show is there.
    let board: Value = app.get("/api/leaderboard").await.json().await.unwrap();
    assert_eq!(board["entries"].as_array().unwrap().len(), 10, "{board}");
    let active: Value = app.get("/api/challenges").await.json().await.unwrap();
    assert_eq!(active["challenges"].as_array().unwrap().len(), 10);
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains(&mask_username(NAMES[0])));
    assert!(
        home.contains("https://cdn.discordapp.com/emojis/"),
        "custom-emoji tiers"
    );

    let shots = std::env::var_os("FTS_BROWSER_SHOTS").map(PathBuf::from);
    let mut browser = Browser::launch().await;
    let mut failures = Vec::new();
    for path in pages() {
        let url = format!("{}{path}", app.base_url);
        // (Not "find me": its lookups are rate-limited per client.)
        if !path.contains("find=") {
            assert_eq!(app.get(&path).await.status(), 200, "{path}");
        }
        for width in WIDTHS {
            browser.open(&url, width).await;
            if path.starts_with("/overlay/alerts") {
                show_an_alert(&app, &mut browser).await;
            }
            let found = browser.eval(MEASURE).await;
            let scroll = found["scrollWidth"].as_u64().unwrap();
            let inner = found["innerWidth"].as_u64().unwrap();
            assert!(
                found["boxes"].as_u64().unwrap() > 0,
                "{path} at {width} px shows nothing: {found}"
            );
            if scroll > inner {
                failures.push(format!(
                    "{path} at {width} px scrolls sideways: scrollWidth {scroll} > innerWidth {inner}; widest: {}",
                    found["wide"]
                ));
            }
            for overlap in found["overlaps"].as_array().unwrap() {
                failures.push(format!(
                    "{path} at {width} px: {}",
                    overlap.as_str().unwrap()
                ));
            }
            if let Some(dir) = &shots {
                std::fs::create_dir_all(dir).unwrap();
                screenshot(dir, &url, &path, width).await;
            }
        }
    }
    browser.close().await;
    casino.shutdown().await;
    assert!(
        failures.is_empty(),
        "{} layout failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

on_both_databases!(every_page_fits_phone_and_desktop_without_overlaps);
