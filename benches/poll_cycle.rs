//! A full poll cycle (fetch from the fake casino over HTTP, rank, persist in
//! one transaction, rebuild the published snapshot) at 1k, 10k and 100k
//! players, on SQLite and — when `TEST_POSTGRES_URL` is set — PostgreSQL.
//!
//! Two shapes per size: `changed-all` — every player's figures differ from
//! the last cycle (the worst case: the first cycle after a restart, or a
//! month where everyone plays every ten minutes) — and `changed-10pct`, a
//! busy evening where one player in ten played since the last poll. The
//! casino's answers for the next cycle are prepared outside the timing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fts_assistant::app::Application;
use fts_assistant::clock::ManualClock;
use fts_assistant::config::{Config, Secret};
use fts_assistant::jobs::poll::run_and_record;
use fts_assistant::roobet::fake::{
    FakeCallKind, FakeCasino, FakeMode, FakeRow, DEMO_AFFILIATE_TOKEN, DEMO_USER_ID,
};
use sqlx::Connection;

/// The casino's rows at cycle `round`: the players `changed` selects have
/// wagered a little more than at the previous round.
fn rows(players: usize, round: u64, changed: Changed) -> (Vec<FakeRow>, Vec<FakeRow>) {
    let mut weighted = Vec::with_capacity(players);
    let mut total = Vec::with_capacity(players);
    for i in 0..players {
        let uid = format!("uid-{i:06}");
        let name = format!("player_{i}");
        let plays = match changed {
            Changed::All => round,
            // Each round a different tenth of the players has played.
            Changed::TenPercent => (round + 9 - (i as u64 % 10)) / 10,
        };
        let w = 10.0 + (i % 9_973) as f64 * 3.17 + plays as f64 * 1.25;
        // Answers that carry `sessions`/`payout`/`net` (outside the
        // contract, stored for the export): the heavier case.
        let sessions = 1 + plays;
        weighted.push(
            FakeRow::new(&uid, &name)
                .wagered(w * 2.0)
                .weighted(w)
                .hit(
                    1.5 + (i % 1_000) as f64,
                    0.2,
                    0.3,
                    "pragmatic:vs10bbbbrnd",
                    "Big Bass Bonanza",
                )
                .activity(sessions, w * 1.9, -w * 0.1),
        );
        total.push(FakeRow::new(&uid, &name).wagered(w * 2.0).activity(
            sessions * 2,
            w * 1.9,
            -w * 0.1,
        ));
    }
    (weighted, total)
}

/// Which players' figures change between two cycles.
#[derive(Debug, Clone, Copy)]
enum Changed {
    All,
    TenPercent,
}

impl Changed {
    fn label(self) -> &'static str {
        match self {
            Changed::All => "changed-all",
            Changed::TenPercent => "changed-10pct",
        }
    }
}

fn script(casino: &FakeCasino, players: usize, round: u64, changed: Changed) {
    let (weighted, total) = rows(players, round, changed);
    casino.set_rows(FakeCallKind::Weighted, weighted);
    casino.set_rows(FakeCallKind::Total, total);
}

async fn postgres_database() -> Option<String> {
    let admin = std::env::var("TEST_POSTGRES_URL").ok()?;
    sqlx::any::install_default_drivers();
    let name = format!("fts_bench_{}", std::process::id());
    let mut conn = sqlx::AnyConnection::connect(&admin).await.ok()?;
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut conn)
    .await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .ok()?;
    let mut url = url::Url::parse(&admin).ok()?;
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut databases = vec![(
        "sqlite",
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        ),
    )];
    if let Some(url) = runtime.block_on(postgres_database()) {
        databases.push(("postgres", url));
    }
    let mut group = c.benchmark_group("poll_cycle");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (engine, url) in databases {
        // `cargo test --all-targets` runs benches once as a smoke test (no
        // `--bench` argument): keep that to the small size, CI stays fast.
        let full = std::env::args().any(|a| a == "--bench");
        let sizes: &[usize] = if full {
            &[1_000, 10_000, 100_000]
        } else {
            &[1_000]
        };
        for &players in sizes {
            for changed in [Changed::All, Changed::TenPercent] {
                let clock = Arc::new(ManualClock::new(
                    chrono::DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
                        .unwrap()
                        .into(),
                ));
                let (casino, app) = runtime.block_on(async {
                    let casino = FakeCasino::spawn(clock.clone(), FakeMode::Scripted)
                        .await
                        .unwrap();
                    let mut config = Config::from_lookup(|_| None).unwrap();
                    config.bind_addr = "127.0.0.1:0".parse().unwrap();
                    config.database_url = url.clone();
                    config.roobet_api_base = casino.base_url().to_string();
                    config.roobet_api_token = Some(Secret::new(DEMO_AFFILIATE_TOKEN));
                    config.roobet_user_id = Some(DEMO_USER_ID.into());
                    let app = Application::build(config, clock.clone()).await.unwrap();
                    (casino, app)
                });
                let jobs = app.jobs();
                // Round 0 fills the database; the timed cycles start from it.
                let mut round = 0;
                script(&casino, players, round, changed);
                runtime
                    .block_on(run_and_record(&jobs))
                    .expect("first cycle succeeds");
                let id = BenchmarkId::new(format!("{engine}/{}", changed.label()), players);
                group.bench_with_input(id, &players, |b, &players| {
                    b.to_async(&runtime).iter_custom(|iterations| {
                        let jobs = jobs.clone();
                        let clock = clock.clone();
                        let casino = &casino;
                        round += 1;
                        let first_round = round;
                        round += iterations;
                        async move {
                            let mut spent = Duration::ZERO;
                            for r in first_round..first_round + iterations {
                                script(casino, players, r, changed);
                                clock.advance(chrono::Duration::minutes(10));
                                let started = Instant::now();
                                run_and_record(&jobs).await.expect("cycle succeeds");
                                spent += started.elapsed();
                            }
                            spent
                        }
                    })
                });
                drop(app);
                runtime.block_on(casino.shutdown());
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
