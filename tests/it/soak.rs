//! The soak: the real binary (`serve`) for `SOAK_SECS` (default 600) against
//! a fake casino that fails ~10% of stats calls (HTTP errors and malformed
//! bodies), stalls ~1% of tip calls for a few seconds, refuses or errors on
//! some others, while players' wagers keep growing (a payout stream), a poll
//! runs every 3 s, and mixed read load hits `/api/leaderboard`, `/` and
//! signed interactions. The server's RSS is sampled throughout.
//!
//! Afterwards: the ledger invariant holds (each earned milestone once, no
//! payout requested twice, only final statuses), memory is flat (last-quarter
//! average ≤ 1.2 × first-quarter average + 5 MB, and always < 100 MB), no
//! secret appears in the server's log, and no request got a 5xx.
//!
//! Ignored by default; run it with `scripts/soak.sh [DURATION]`, i.e.
//! `cargo test --release --test soak -- --ignored --nocapture`.
//!
//! Environment: `SOAK_SECS` (default 600), `SOAK_DB` (`sqlite`, default, or
//! `postgres`, which needs `TEST_POSTGRES_URL`), `SOAK_RPS` (read load,
//! default 200 requests per second), `SOAK_SEED` (fault randomness).

use crate::common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fts_assistant::discord::dev_keys::DevKeypair;
use fts_assistant::discord::synth::{OptionValue, SynthInteraction};
use fts_assistant::domain::money::Cents;
use fts_assistant::roobet::fake::{FakeCallKind, FakeCasino, FakeMode, FakeRow, TipBehaviour};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sqlx::{Connection, Row};

use crate::common::served::{earned_milestones, free_port, Served};
use crate::common::Db;

const POLL_INTERVAL_SECS: u64 = 3;
const PLAYERS: usize = 40;
/// Where every player's weighted wager ends: past the last tier ($1M).
const FINAL_WAGER_USD: f64 = 1_200_000.0;
const START_WAGER_USD: f64 = 30.0;
/// How long a stalled tip is held before the casino answers.
const STALL: Duration = Duration::from_secs(3);
const RSS_SAMPLE_EVERY: Duration = Duration::from_secs(2);
const RSS_LIMIT_KB: u64 = 100 * 1024;

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not {v:?}")),
        _ => default,
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).unwrap();
    hex::encode(buf)
}

/// The secrets handed to the server; none may appear in its log.
struct Secrets {
    affiliate: String,
    tipping: String,
    discord: String,
}

/// `serve` with the soak's own secrets (so the log can be searched for
/// them), Discord configured but down, and the pages' static files.
fn start_server(
    casino: &FakeCasino,
    database_url: &str,
    dir: &Path,
    secrets: &Secrets,
    public_key_hex: &str,
) -> Served {
    Served::start("server", casino, database_url, dir, |command| {
        // Discord is "down" (nothing listens there): board posts and
        // celebrations fail every time, exercising the error paths that
        // carry the bot token.
        let discord_base = format!("http://127.0.0.1:{}/api/v10", free_port());
        command
            .env("ROOBET_API_TOKEN", &secrets.affiliate)
            .env("TIPPING_API_TOKEN", &secrets.tipping)
            .env("POLL_INTERVAL_SECS", POLL_INTERVAL_SECS.to_string())
            .env("DISCORD_PUBLIC_KEY", public_key_hex)
            .env("DISCORD_TOKEN", &secrets.discord)
            .env("DISCORD_API_BASE", discord_base)
            .env("DISCORD_APPLICATION_ID", "1100000000000000001")
            .env("GUILD_ID", "1100000000000000002")
            .env("LEADERBOARD_CHANNEL_ID", "1100000000000000010")
            .env("MILESTONE_CHANNEL_ID", "1100000000000000011")
            .env(
                "STATIC_DIR",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("static"),
            );
    })
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Weighted wager (whole dollars) of player `i` at `elapsed` of a soak
/// lasting `total`: players start one after another over the first half and
/// grow exponentially to past the last tier by the end, so tiers are crossed
/// throughout the run.
fn wager_at(i: usize, elapsed: f64, total: f64) -> u64 {
    let start = total * 0.5 * i as f64 / PLAYERS as f64;
    let span = (total - start).max(1.0);
    let rate = (FINAL_WAGER_USD / START_WAGER_USD).ln() / span;
    let t = (elapsed - start).clamp(0.0, span);
    (START_WAGER_USD * (rate * t).exp()).floor() as u64
}

fn publish(casino: &FakeCasino, weighted: &[u64]) {
    let mut w = Vec::new();
    let mut t = Vec::new();
    for (i, usd) in weighted.iter().enumerate() {
        let (uid, name) = (format!("uid-{i}"), format!("player_{i}"));
        let multiplier = 2.0 + (*usd % 997) as f64;
        w.push(
            FakeRow::new(&uid, &name)
                .wagered(*usd as f64 * 2.0)
                .weighted(*usd as f64)
                .hit(
                    multiplier,
                    1.0,
                    multiplier,
                    &format!("soak:game{}", i % 5),
                    &format!("Soak Game {}", i % 5),
                ),
        );
        t.push(FakeRow::new(&uid, &name).wagered(*usd as f64 * 2.0));
    }
    casino.set_rows(FakeCallKind::Weighted, w);
    casino.set_rows(FakeCallKind::Total, t);
}

#[derive(Default)]
struct LoadStats {
    by_route: Mutex<BTreeMap<&'static str, BTreeMap<u16, u64>>>,
    transport_errors: AtomicU64,
}

impl LoadStats {
    fn record(&self, route: &'static str, status: u16) {
        *self
            .by_route
            .lock()
            .unwrap()
            .entry(route)
            .or_default()
            .entry(status)
            .or_default() += 1;
    }
}

#[derive(Default)]
struct Faults {
    stats_http: AtomicU64,
    stats_malformed: AtomicU64,
    tips_stalled: AtomicU64,
    tips_refused: AtomicU64,
    tips_5xx: AtomicU64,
}

async fn one_request(
    http: &reqwest::Client,
    base: &str,
    key: &DevKeypair,
    n: u64,
    stats: &LoadStats,
) {
    let (route, request) = match n % 6 {
        0 | 1 => (
            "GET /api/leaderboard",
            http.get(format!("{base}/api/leaderboard")),
        ),
        2 => ("GET /", http.get(format!("{base}/"))),
        kind => {
            let (route, interaction) = match kind {
                3 => ("POST /interactions PING", SynthInteraction::ping()),
                4 => (
                    "POST /interactions /lifetimestats",
                    SynthInteraction::command("lifetimestats", &[]),
                ),
                _ => (
                    "POST /interactions /mywager",
                    SynthInteraction::command(
                        "mywager",
                        &[(
                            "username",
                            OptionValue::String(format!("player_{}", n % PLAYERS as u64)),
                        )],
                    ),
                ),
            };
            let signed = interaction.signed(key, chrono::Utc::now().timestamp());
            (
                route,
                http.post(format!("{base}/interactions"))
                    .header("content-type", "application/json")
                    .header("x-signature-ed25519", signed.signature)
                    .header("x-signature-timestamp", signed.timestamp)
                    .body(signed.body),
            )
        }
    };
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let _ = response.bytes().await;
            stats.record(route, status);
        }
        Err(_) => {
            stats.transport_errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a soak of SOAK_SECS (default 600 s): run scripts/soak.sh"]
async fn soak() {
    let soak_secs = env_u64("SOAK_SECS", 600).max(20);
    let rps = env_u64("SOAK_RPS", 200).max(1);
    let seed = env_u64("SOAK_SEED", u64::from_le_bytes(rand::random()));
    let db = match std::env::var("SOAK_DB").as_deref() {
        Ok("postgres") => Db::Postgres,
        Ok("sqlite") | Err(_) => Db::Sqlite,
        Ok(other) => panic!("SOAK_DB must be sqlite or postgres, not {other:?}"),
    };
    if db == Db::Postgres && std::env::var("TEST_POSTGRES_URL").is_err() {
        panic!(
            "SOAK_DB=postgres needs TEST_POSTGRES_URL (scripts/soak.sh starts a throwaway server)"
        );
    }
    let test_db = common::fresh_database(db).await.expect("a database");
    let url = test_db.url.clone();
    eprintln!(
        "soak: {soak_secs} s on {db:?}, read load {rps} req/s, poll every {POLL_INTERVAL_SECS} s, seed {seed}"
    );

    let dir = tempfile::tempdir().unwrap();
    let secrets = Secrets {
        affiliate: format!("soak-affiliate-{}", random_hex(16)),
        tipping: format!("soak-tipping-{}", random_hex(16)),
        discord: format!("soak-discord-{}", random_hex(16)),
    };
    let key = DevKeypair::from_seed([7; 32]);
    let casino = Arc::new(
        FakeCasino::spawn(
            Arc::new(fts_assistant::clock::SystemClock),
            FakeMode::Scripted,
        )
        .await
        .unwrap(),
    );
    casino.set_expected_tokens(&secrets.affiliate, &secrets.tipping);
    casino.set_tip_behaviour(TipBehaviour::Succeed);
    let total = soak_secs as f64;
    let initial: Vec<u64> = (0..PLAYERS).map(|i| wager_at(i, 0.0, total)).collect();
    publish(&casino, &initial);

    let mut server = start_server(&casino, &url, dir.path(), &secrets, &key.public_key_hex());
    let pid = server.pid();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let ready = Instant::now();
    loop {
        if let Ok(r) = http
            .get(format!("{}/healthz", server.base_url))
            .send()
            .await
        {
            if r.status().is_success() {
                break;
            }
        }
        assert!(
            server.is_running() && ready.elapsed() < Duration::from_secs(60),
            "the server did not come up:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let started = Instant::now();
    let running = Arc::new(AtomicBool::new(true));
    let mut tasks = Vec::new();

    // Wagers grow every second (several times per poll interval).
    let final_wagers = Arc::new(Mutex::new(initial));
    tasks.push({
        let (casino, running, final_wagers) =
            (casino.clone(), running.clone(), final_wagers.clone());
        tokio::spawn(async move {
            while running.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let elapsed = started.elapsed().as_secs_f64();
                let w: Vec<u64> = (0..PLAYERS).map(|i| wager_at(i, elapsed, total)).collect();
                publish(&casino, &w);
                *final_wagers.lock().unwrap() = w;
            }
        })
    });

    // Faults: each stats request seen makes the next one fail with p = 0.1;
    // each tip seen sets how the next answers (1% stall, 6% refusal, 3% 5xx).
    let faults = Arc::new(Faults::default());
    tasks.push({
        let (casino, running, faults) = (casino.clone(), running.clone(), faults.clone());
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed);
            let (mut stats_seen, mut tips_seen) = (0, 0);
            // A stall is armed (Hang set, waiting for a tip), then holds the
            // tip that arrived for STALL before the casino answers it.
            let mut armed = false;
            let mut holding: Option<Instant> = None;
            while running.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(10)).await;
                let n = casino.stats_requests().len();
                for _ in stats_seen..n {
                    if rng.random_bool(0.10) {
                        if rng.random_bool(0.3) {
                            casino.respond_malformed_next(1);
                            faults.stats_malformed.fetch_add(1, Ordering::Relaxed);
                        } else {
                            let status = [500, 502, 503, 429][rng.random_range(0..4)];
                            casino.fail_next(1, status);
                            faults.stats_http.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                stats_seen = n;
                if holding.is_some_and(|since| since.elapsed() >= STALL) {
                    casino.release_hung_tips();
                    holding = None;
                }
                let tips = casino.tips().len();
                if tips > tips_seen {
                    tips_seen = tips;
                    if armed {
                        // The stalled tip just arrived; the next ones flow.
                        armed = false;
                        holding = Some(Instant::now());
                        casino.set_tip_behaviour(TipBehaviour::Succeed);
                        continue;
                    }
                    let roll: f64 = rng.random();
                    let next = if roll < 0.01 {
                        faults.tips_stalled.fetch_add(1, Ordering::Relaxed);
                        armed = true;
                        TipBehaviour::Hang
                    } else if roll < 0.07 {
                        faults.tips_refused.fetch_add(1, Ordering::Relaxed);
                        TipBehaviour::Refuse("Insufficient account balance".into())
                    } else if roll < 0.10 {
                        faults.tips_5xx.fetch_add(1, Ordering::Relaxed);
                        TipBehaviour::Status([500, 502, 503][rng.random_range(0..3)])
                    } else {
                        TipBehaviour::Succeed
                    };
                    casino.set_tip_behaviour(next);
                }
            }
            casino.clear_faults();
            casino.set_tip_behaviour(TipBehaviour::Succeed);
            casino.release_hung_tips();
        })
    });

    // Mixed read load, paced at `rps` over 4 workers.
    let load = Arc::new(LoadStats::default());
    let counter = Arc::new(AtomicU64::new(0));
    for worker in 0..4u64 {
        let (http, base, key, running, load, counter) = (
            http.clone(),
            server.base_url.clone(),
            DevKeypair::from_seed([7; 32]),
            running.clone(),
            load.clone(),
            counter.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let period = Duration::from_secs_f64(4.0 / rps as f64);
            let mut ticker = tokio::time::interval_at(
                tokio::time::Instant::now() + period.mul_f64(worker as f64 / 4.0),
                period,
            );
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while running.load(Ordering::SeqCst) {
                ticker.tick().await;
                let n = counter.fetch_add(1, Ordering::Relaxed);
                one_request(&http, &base, &key, n, &load).await;
            }
        }));
    }

    // RSS samples and progress.
    let mut rss: Vec<(f64, u64)> = Vec::new();
    let soak = Duration::from_secs(soak_secs);
    let mut next_report = Duration::from_secs(60);
    while started.elapsed() < soak {
        tokio::time::sleep(RSS_SAMPLE_EVERY).await;
        assert!(
            server.is_running(),
            "the server died during the soak:\n{}",
            server.log()
        );
        if let Some(kb) = rss_kb(pid) {
            rss.push((started.elapsed().as_secs_f64(), kb));
        }
        if started.elapsed() >= next_report {
            next_report += Duration::from_secs(60);
            eprintln!(
                "soak: {:>4.0} s, {} requests, {} tips, RSS {} kB",
                started.elapsed().as_secs_f64(),
                counter.load(Ordering::Relaxed),
                casino.tips().len(),
                rss.last().map_or(0, |s| s.1)
            );
        }
    }
    running.store(false, Ordering::SeqCst);
    for task in tasks {
        task.await.unwrap();
    }
    let load_secs = started.elapsed().as_secs_f64();

    // Catch up: faults are off, the final figures are published; wait for a
    // cycle that saw them and for the queue to drain.
    let final_wagers = final_wagers.lock().unwrap().clone();
    publish(&casino, &final_wagers);
    let final_set_ms = chrono::Utc::now().timestamp_millis();
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let drain = Instant::now();
    loop {
        let caught_up: i64 = sqlx::query(
            "SELECT COUNT(*) FROM poll_cycles WHERE outcome = 'ok' AND started_ms > $1",
        )
        .bind(final_set_ms)
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
        let open: i64 =
            sqlx::query("SELECT COUNT(*) FROM payouts WHERE status IN ('pending', 'sending')")
                .fetch_one(&mut conn)
                .await
                .unwrap()
                .get(0);
        if caught_up > 0 && open == 0 {
            break;
        }
        assert!(
            drain.elapsed() < Duration::from_secs(120),
            "the server did not catch up after the soak (caught up: {caught_up}, open payouts: {open})"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let drain_secs = drain.elapsed().as_secs_f64();
    let rss_end = rss_kb(pid);
    let graceful = server.stop_gracefully(Duration::from_secs(30)).await;
    let log = server.log();

    // ---- Results ----
    let ledger = sqlx::query(
        "SELECT idempotency_key, amount_cents, status, nonce, kind FROM payouts ORDER BY id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let cycles: Vec<(String, i64)> =
        sqlx::query("SELECT outcome, COUNT(*) FROM poll_cycles GROUP BY outcome ORDER BY outcome")
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    let db_bytes: i64 = if db == Db::Postgres {
        sqlx::query("SELECT CAST(pg_database_size(current_database()) AS BIGINT)")
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0)
    } else {
        let file = url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        ["", "-wal"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(format!("{file}{suffix}")).ok())
            .map(|m| m.len() as i64)
            .sum()
    };
    conn.close().await.ok();
    let tips = casino.tips();
    let stats_requests = casino.stats_requests().len();

    let mut problems: Vec<String> = Vec::new();

    // The ledger invariant.
    let mut by_key: BTreeMap<String, (i64, String, String)> = BTreeMap::new();
    for r in &ledger {
        let key: String = r.get(0);
        let kind: String = r.get(4);
        if kind != "milestone" {
            continue; // a period closing mid-soak may add prizes; checked by nonce below
        }
        if by_key
            .insert(key.clone(), (r.get(1), r.get(2), r.get(3)))
            .is_some()
        {
            problems.push(format!("{key} is in the ledger twice"));
        }
    }
    let earned = earned_milestones(&final_wagers[..]);
    let missing: Vec<_> = earned.keys().filter(|k| !by_key.contains_key(*k)).collect();
    let extra: Vec<_> = by_key.keys().filter(|k| !earned.contains_key(*k)).collect();
    if !missing.is_empty() || !extra.is_empty() {
        problems.push(format!(
            "earned milestones vs ledger: missing {missing:?}, not earned {extra:?}"
        ));
    }
    for (key, (amount, _, _)) in &by_key {
        if earned.get(key).is_some_and(|e| e != amount) {
            problems.push(format!("{key}: amount {amount} ≠ earned {:?}", earned[key]));
        }
    }
    let all_rows: HashMap<String, (String, i64, String)> = ledger
        .iter()
        .map(|r| (r.get::<String, _>(3), (r.get(0), r.get(1), r.get(2))))
        .collect();
    let mut requests: HashMap<String, u32> = HashMap::new();
    for tip in &tips {
        let nonce = tip.nonce.clone().unwrap_or_default();
        match all_rows.get(&nonce) {
            None => problems.push(format!("tip with nonce {nonce:?} belongs to no ledger row")),
            Some((key, amount, _)) => {
                let asked = tip.amount.and_then(|a| Cents::from_usd(a).ok());
                if asked != Some(Cents::new(*amount)) {
                    problems.push(format!("{key}: requested {asked:?}, ledger {amount}"));
                }
            }
        }
        *requests.entry(nonce).or_default() += 1;
    }
    let twice: Vec<_> = requests.iter().filter(|(_, n)| **n > 1).collect();
    if !twice.is_empty() {
        problems.push(format!(
            "payouts requested more than once (nonce → requests): {twice:?}"
        ));
    }
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    for (nonce, (key, _, status)) in &all_rows {
        *statuses.entry(status.clone()).or_default() += 1;
        let asked = requests.get(nonce).copied().unwrap_or(0);
        let legal = match status.as_str() {
            "sent" => asked == 1,
            "failed" | "unknown" => asked <= 1,
            "awaiting_approval" => asked == 0,
            _ => false, // pending or sending after the drain: lost
        };
        if !legal {
            problems.push(format!("{key}: status `{status}` after {asked} requests"));
        }
    }

    // Memory.
    let quarter = (rss.len() / 4).max(1);
    let avg = |s: &[(f64, u64)]| s.iter().map(|x| x.1).sum::<u64>() as f64 / s.len().max(1) as f64;
    let first_q = avg(&rss[..quarter.min(rss.len())]);
    let last_q = avg(&rss[rss.len().saturating_sub(quarter)..]);
    let rss_min = rss.iter().map(|s| s.1).min().unwrap_or(0);
    let rss_max = rss.iter().map(|s| s.1).max().unwrap_or(0);
    if rss.len() < 4 {
        problems.push(format!("only {} RSS samples", rss.len()));
    }
    if last_q > 1.2 * first_q + 5.0 * 1024.0 {
        problems.push(format!(
            "RSS grew: last-quarter average {last_q:.0} kB > 1.2 × first-quarter {first_q:.0} kB + 5 MB"
        ));
    }
    if rss_max >= RSS_LIMIT_KB {
        problems.push(format!(
            "RSS reached {rss_max} kB (limit {RSS_LIMIT_KB} kB)"
        ));
    }

    // Secrets, crashes, 5xx.
    for (name, secret) in [
        ("ROOBET_API_TOKEN", &secrets.affiliate),
        ("TIPPING_API_TOKEN", &secrets.tipping),
        ("DISCORD_TOKEN", &secrets.discord),
    ] {
        if log.contains(secret.as_str()) {
            problems.push(format!("{name} appears in the server's log"));
        }
    }
    if log.contains("panicked at") {
        problems.push("the server's log shows a panic".into());
    }
    if !graceful {
        problems.push("the server did not stop gracefully within 30 s of SIGTERM".into());
    }
    let by_route = load.by_route.lock().unwrap().clone();
    let mut requests_done = 0;
    for (route, codes) in &by_route {
        for (code, n) in codes {
            requests_done += n;
            if *code >= 500 {
                problems.push(format!("{route}: {n} × HTTP {code}"));
            }
        }
    }
    let transport_errors = load.transport_errors.load(Ordering::Relaxed);
    if transport_errors > 0 {
        problems.push(format!("{transport_errors} requests got no answer"));
    }

    // ---- Summary ----
    let (cycles_ok, cycles_failed): (i64, i64) = cycles.iter().fold((0, 0), |(ok, bad), (o, n)| {
        if o == "ok" {
            (ok + n, bad)
        } else {
            (ok, bad + n)
        }
    });
    eprintln!("\n==== soak summary ====");
    eprintln!(
        "duration        {load_secs:.0} s of load + {drain_secs:.1} s to drain ({db:?}, seed {seed})"
    );
    eprintln!(
        "requests        {requests_done} done ({:.0}/s), {transport_errors} without answer",
        requests_done as f64 / load_secs
    );
    for (route, codes) in &by_route {
        eprintln!("  {route:<34} {codes:?}");
    }
    eprintln!(
        "poll cycles     {cycles_ok} ok, {cycles_failed} failed {:?}",
        cycles
    );
    eprintln!(
        "stats calls     {stats_requests} ({} HTTP errors + {} malformed injected)",
        faults.stats_http.load(Ordering::Relaxed),
        faults.stats_malformed.load(Ordering::Relaxed)
    );
    eprintln!(
        "tip calls       {} ({} stalled {STALL:?}, {} refused, {} 5xx injected)",
        tips.len(),
        faults.tips_stalled.load(Ordering::Relaxed),
        faults.tips_refused.load(Ordering::Relaxed),
        faults.tips_5xx.load(Ordering::Relaxed)
    );
    eprintln!(
        "payouts         {} in the ledger, {} milestones earned: {statuses:?}",
        all_rows.len(),
        earned.len()
    );
    eprintln!(
        "RSS             min {:.1} MB, max {:.1} MB, first-quarter avg {:.1} MB, last-quarter avg {:.1} MB, after drain {:?} kB ({} samples)",
        rss_min as f64 / 1024.0,
        rss_max as f64 / 1024.0,
        first_q / 1024.0,
        last_q / 1024.0,
        rss_end,
        rss.len()
    );
    let step = (rss.len() / 12).max(1);
    let trajectory: Vec<String> = rss
        .iter()
        .step_by(step)
        .map(|(t, kb)| format!("{t:.0}s:{:.1}", *kb as f64 / 1024.0))
        .collect();
    eprintln!("RSS over time   {} (MB)", trajectory.join(" "));
    eprintln!(
        "database        {:.1} MB at the end",
        db_bytes as f64 / 1_048_576.0
    );
    eprintln!(
        "log             {} lines, {} WARN, {} ERROR, no secret: {}",
        log.lines().count(),
        log.matches(" WARN ").count(),
        log.matches(" ERROR ").count(),
        !problems.iter().any(|p| p.contains("appears in"))
    );
    let log_copy = std::env::temp_dir().join(format!("fts-soak-{}.log", std::process::id()));
    let _ = std::fs::write(&log_copy, &log);
    eprintln!("server log      {}", log_copy.display());
    if problems.is_empty() {
        eprintln!("result          PASS");
    } else {
        eprintln!("result          FAIL");
        for p in &problems {
            eprintln!("  - {p}");
        }
    }
    assert!(problems.is_empty(), "soak failed: {problems:#?}");
}
