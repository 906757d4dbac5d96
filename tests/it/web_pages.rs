//! The public pages over real HTTP, on SQLite and PostgreSQL: the same rows
//! as the JSON, masking and escaping, the stale-data notice, empty states,
//! history; and, where Chromium is installed, real renders on a phone and a
//! desktop viewport.

use std::collections::HashSet;
use std::path::Path;

use chrono::Duration;
use fts_assistant::clock::Clock;
use fts_assistant::domain::leaderboard::{default_monthly_prizes, rank_monthly};
use fts_assistant::domain::money::Cents;
use fts_assistant::domain::multiplier::{default_weekly_prizes, rank_weekly};
use fts_assistant::published::Published;
use fts_assistant::store::periods;
use fts_assistant::store::snapshots::PeriodKind;
use fts_assistant::store::standings::{self, FinalStanding};
use serde_json::Value;

use crate::common::{self, chromium, figures, hit, Db, TestApp};

/// Weekly hits: uid, name, multiplier ×100, bet in cents, game id, title.
type S = &'static str;
type HitRow = (S, S, i64, i64, S, S);
#[rustfmt::skip]
const HITS: [HitRow; 3] = [
    ("roobet-uid-1", "Ærøskøbing", 51_240, 20, "pragmatic:vs10bbbbrnd", "Big Bass Bonanza"),
    ("roobet-uid-0", "LuckyDuck", 10_000, 100, "hacksaw:wanted", "Wanted Dead or a Wild"),
    ("roobet-uid-4", "<script>x</script>", 2_550, 400, "pragmatic:vs20olympgate", "Gates of Olympus"),
];

/// Raw names of the fixture: none may appear on a page.
#[rustfmt::skip]
const NAMES: [&str; 10] = [
    "LuckyDuck", "Ærøskøbing", "tie_alpha", "tie_bravo", "<script>x</script>",
    "SlotQueen", "spinmaster", "highroller", "NightOwl77", "bonusbuyer",
];

/// Ten ranked players (plus two below the prize ranks), a tie, a unicode
/// name and one with markup; three weekly hits; fetched five minutes ago.
fn published(app: &TestApp) -> Published {
    let now = app.clock.now();
    let mut p = Published::empty(now, default_monthly_prizes(), default_weekly_prizes());
    let mut month: Vec<_> = NAMES
        .iter()
        .zip(0i64..)
        .map(|(name, i)| {
            // Ranks 3 and 4 tie on both figures: the uid decides.
            let weighted = 2_000_000 - 91_000 * if i == 3 { 2 } else { i };
            figures(
                &format!("roobet-uid-{i}"),
                name,
                weighted * 2,
                weighted,
                None,
            )
        })
        .collect();
    month.push(figures("roobet-uid-98", "eleventh", 500, 400, None));
    month.push(figures("roobet-uid-99", "twelfth", 300, 300, None));
    p.month.entries = rank_monthly(&month, &HashSet::new(), &p.month.prizes);
    let week =
        HITS.map(|(uid, name, m, bet, id, title)| figures(uid, name, 0, 0, hit(m, bet, id, title)));
    p.week.entries = rank_weekly(&week, &HashSet::new(), &p.week.prizes, None);
    p.updated_at = Some(now - Duration::minutes(5));
    p
}

async fn spawn_with_board(db: Db) -> Option<TestApp> {
    let app = TestApp::spawn(db).await?;
    app.state.board.publish(published(&app));
    Some(app)
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    if status == 200 {
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
    }
    (status, response.text().await.unwrap())
}

/// What askama makes of text in HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The text of every `<td class="{class}">` cell, in page order.
fn cells(html: &str, class: &str) -> Vec<String> {
    let open = format!("<td class=\"{class}\"");
    html.split(&open)
        .skip(1)
        .map(|rest| {
            let inner = &rest[rest.find('>').unwrap() + 1..];
            inner.split("</td>").next().unwrap().trim().to_string()
        })
        .collect()
}

/// The masked names of a monthly board, in page order (each player cell
/// holds the name and, this month, the tier badge).
fn month_names(html: &str) -> Vec<String> {
    html.split("<span class=\"name\">")
        .skip(1)
        .map(|rest| rest.split("</span>").next().unwrap().trim().to_string())
        .collect()
}

fn assert_no_raw_names(html: &str) {
    for name in NAMES {
        assert!(!html.contains(name), "raw name {name}");
        assert!(!html.contains(&escaped(name)), "escaped raw name {name}");
    }
    assert!(!html.contains("roobet-uid-"));
    assert!(!html.contains("<script>x"));
}

async fn home_page_shows_the_same_ten_rows_as_the_json(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    let doc: Value = app.get("/api/leaderboard").await.json().await.unwrap();
    let (status, html) = page(&app, "/").await;
    assert_eq!(status, 200);
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 10);
    let expected: Vec<String> = entries
        .iter()
        .map(|e| escaped(e["username"].as_str().unwrap()))
        .collect();
    assert_eq!(month_names(&html), expected);
    assert_eq!(cells(&html, "num weighted")[0], "$20,000.00");
    assert_eq!(cells(&html, "num total")[0], "$40,000.00");
    assert_eq!(cells(&html, "num prize")[0], "$500.00");
    assert_eq!(cells(&html, "num prize")[9], "$5.00");
    assert!(!html.contains("eleve***"));
    assert_no_raw_names(&html);
}

async fn home_page_shows_prizes_disclosure_countdown_and_update_time(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    let (_, html) = page(&app, "/").await;
    assert!(html.contains("November 2026"));
    assert!(html.contains("$1,500.00"), "prize pool");
    assert!(html.contains("$225.00"), "prize table");
    assert!(html.contains(&escaped(fts_assistant::web::WEIGHTING_DISCLOSURE)));
    assert!(html.contains("6 days 12:00:00 left"));
    assert!(html.contains("data-countdown-end=\"1796083200\""));
    assert!(html.contains("data-countdown-left=\"561600\""));
    assert!(html.contains("24 Nov 2026, 11:55 UTC"));
    assert!(!html.contains("minutes old"));
    for link in ["/multipliers", "/challenges", "/tips", "/history"] {
        assert!(html.contains(&format!("href=\"{link}\"")), "nav {link}");
    }
}

async fn stale_data_gets_a_visible_notice(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    // Default interval 600 s: stale past 20 minutes; the data is 5 old.
    app.clock.advance(Duration::minutes(14));
    let (_, html) = page(&app, "/").await;
    assert!(!html.contains("minutes old"));
    app.clock.advance(Duration::minutes(2));
    for path in ["/", "/multipliers"] {
        let (_, html) = page(&app, path).await;
        assert!(html.contains("The data is 21 minutes old"), "{path}");
    }
}

async fn empty_board_says_so(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let (status, html) = page(&app, "/").await;
    assert_eq!(status, 200);
    assert!(html.contains("No ranked players yet this month"));
    assert!(html.contains("Not updated yet"));
    assert!(cells(&html, "player").is_empty());
    let (_, html) = page(&app, "/multipliers").await;
    assert!(html.contains("No hits yet this week"));
    let (_, html) = page(&app, "/history").await;
    assert!(html.contains("No month has closed yet"));
}

async fn no_data_while_polling_is_on_is_flagged(db: Db) {
    let polling = |c: &mut fts_assistant::config::Config| {
        c.roobet_api_token = Some(fts_assistant::config::Secret::new("token"));
        c.roobet_user_id = Some("affiliate".into());
    };
    let Some(app) = TestApp::spawn_full(db, common::test_start(), false, polling).await else {
        return;
    };
    let (_, html) = page(&app, "/").await;
    assert!(html.contains("No data yet: the first update has not arrived."));
}

async fn multipliers_page_links_games_and_masks_names(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    let doc: Value = app.get("/api/multipliers").await.json().await.unwrap();
    let (status, html) = page(&app, "/multipliers").await;
    assert_eq!(status, 200);
    let expected: Vec<String> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| escaped(e["username"].as_str().unwrap()))
        .collect();
    assert_eq!(cells(&html, "player"), expected);
    assert_eq!(cells(&html, "num mult")[0], "512.40×");
    assert!(html.contains("href=\"https://roobet.com/casino/game/pragmatic:vs10bbbbrnd\""));
    assert!(html.contains(">Big Bass Bonanza</a>"));
    assert!(html.contains("$20.00") && html.contains("$15.00"));
    assert!(html.contains("Week of 23 Nov – 29 Nov 2026"));
    assert_no_raw_names(&html);
}

async fn history_lists_frozen_months_and_shows_final_standings(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    for (key, name) in [("2026-09", "SlotQueen"), ("2026-10", "LuckyDuck")] {
        let row = FinalStanding {
            rank: 1,
            uid: "roobet-uid-0".into(),
            username: name.into(),
            wagered: Cents::new(200_000),
            weighted: Cents::new(100_000),
            hit: None,
            prize: Cents::new(50_000),
        };
        periods::open(&mut conn, PeriodKind::Month, key)
            .await
            .unwrap();
        standings::insert(&mut conn, PeriodKind::Month, key, &[row])
            .await
            .unwrap();
        let now_ms = app.clock.now().timestamp_millis();
        periods::finalize(&mut conn, PeriodKind::Month, key, now_ms)
            .await
            .unwrap();
    }
    drop(conn);
    let (_, list) = page(&app, "/history").await;
    let october = list
        .find("href=\"/history/2026-10\"")
        .expect("October linked");
    let september = list
        .find("href=\"/history/2026-09\"")
        .expect("September linked");
    assert!(october < september, "newest first");
    let (status, html) = page(&app, "/history/2026-10").await;
    assert_eq!(status, 200);
    assert!(html.contains("October 2026"));
    assert_eq!(month_names(&html), ["LuckyD***"]);
    assert_eq!(cells(&html, "num prize"), ["$500.00"]);
    assert_no_raw_names(&html);

    let (status, html) = page(&app, "/history/2026-08").await;
    assert_eq!(status, 404);
    assert!(html.contains("no final standings for August 2026"));
    let (status, html) = page(&app, "/history/2026-13").await;
    assert_eq!(status, 400);
    assert!(html.contains("out of range"));
    let (status, html) = page(&app, "/history/%3Cscript%3E").await;
    assert_eq!(status, 400);
    assert!(!html.contains("<script>"));
}

/// Issue 23: an unknown path gets the site's styled 404 (an empty body
/// before), and an unknown API path a JSON error.
async fn unknown_routes_get_a_styled_404(db: Db) {
    let Some(app) = spawn_with_board(db).await else {
        return;
    };
    let (status, html) = page(&app, "/leaderbord").await;
    assert_eq!(status, 404);
    assert!(html.contains("<html"), "a page: {html}");
    assert!(html.contains("nothing at this address"), "{html}");
    let api = app.get("/api/nosuch").await;
    assert_eq!(api.status(), 404);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"], "There is nothing at this address.");
}

on_both_databases!(
    unknown_routes_get_a_styled_404,
    home_page_shows_the_same_ten_rows_as_the_json,
    home_page_shows_prizes_disclosure_countdown_and_update_time,
    stale_data_gets_a_visible_notice,
    empty_board_says_so,
    no_data_while_polling_is_on_is_flagged,
    multipliers_page_links_games_and_masks_names,
    history_lists_frozen_months_and_shows_final_standings,
);

/// Real renders of the home page on a phone and a desktop viewport. The
/// pages read only the in-memory board, so one database suffices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_page_renders_in_chromium_on_phone_and_desktop() {
    if !chromium::available() {
        return;
    }
    let app = spawn_with_board(Db::Sqlite)
        .await
        .expect("SQLite always runs");
    let doc: Value = app.get("/api/leaderboard").await.json().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (path, name) in [("/", "home"), ("/multipliers", "multipliers")] {
        for (size, device) in [("390,900", "phone"), ("1280,900", "desktop")] {
            let file = dir.path().join(format!("{name}-{device}.png"));
            let args = vec![
                format!("--user-data-dir={}", dir.path().join(device).display()),
                format!("--window-size={size}"),
                format!("--screenshot={}", file.display()),
                format!("{}{path}", app.base_url),
            ];
            tokio::task::spawn_blocking(move || chromium::run(&args))
                .await
                .unwrap();
            let bytes = std::fs::metadata(&file).expect("screenshot written").len();
            assert!(
                bytes > 10 * 1024,
                "{name}-{device}.png is only {bytes} bytes"
            );
            std::fs::copy(&file, shots.join(format!("{name}-{device}.png"))).unwrap();
        }
    }
    let args = vec![
        format!("--user-data-dir={}", dir.path().join("dom").display()),
        "--dump-dom".to_string(),
        format!("{}/", app.base_url),
    ];
    let dom = tokio::task::spawn_blocking(move || chromium::run(&args))
        .await
        .unwrap();
    let shown = month_names(&dom);
    let expected: Vec<String> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["username"]
                .as_str()
                .unwrap()
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        })
        .collect();
    assert_eq!(shown, expected);
    assert!(dom.contains(" left"), "countdown rendered");
}
