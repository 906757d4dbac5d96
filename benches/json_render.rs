//! Cost of the public read side through the full router (no socket):
//! `/api/leaderboard`, the seed-shaped `/latestLBResults.json` and the `/`
//! page, rendered from a published snapshot of 10 and 1,000 players.
//! Includes everything a real request pays for except the TCP hop: routing,
//! metrics middleware, masking, serialisation, the ETag hash (JSON) and
//! askama rendering (page).

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::Request;
use chrono::Utc;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tower::ServiceExt;

use fts_assistant::app::{router, Application};
use fts_assistant::clock::SystemClock;
use fts_assistant::config::Config;
use fts_assistant::domain::leaderboard::MonthlyEntry;
use fts_assistant::domain::money::{Cents, Multiplier};
use fts_assistant::domain::multiplier::MultiplierEntry;
use fts_assistant::domain::players::MonthTotals;
use fts_assistant::domain::players::{Hit, PlayerFigures};
use fts_assistant::published::{MonthBoard, Published, WeekBoard};

const MONTHLY_PRIZES: [i64; 10] = [1_500, 1_000, 750, 500, 300, 200, 150, 100, 75, 50];
const WEEKLY_PRIZES: [i64; 3] = [150, 75, 25];

fn hit(i: usize) -> Hit {
    Hit {
        multiplier: Multiplier(150 + (i as i64 % 1_000) * 100),
        bet: Cents::new(20),
        payout: Cents::new(30 + i as i64),
        game_id: "pragmatic:vs10bbbbrnd".into(),
        game_title: "Big Bass Bonanza".into(),
    }
}

/// A snapshot with `players` ranked players on both boards.
fn published(players: usize) -> Published {
    let now = Utc::now();
    let mut empty = Published::empty(
        now,
        MONTHLY_PRIZES
            .iter()
            .map(|d| Cents::from_dollars(*d))
            .collect(),
        WEEKLY_PRIZES
            .iter()
            .map(|d| Cents::from_dollars(*d))
            .collect(),
    );
    let figures: Vec<PlayerFigures> = (0..players)
        .map(|i| {
            let weighted = Cents::new(((players - i) as i64) * 10_000 + 37);
            PlayerFigures {
                uid: format!("uid-{i:06}"),
                username: format!("player_{i}"),
                wagered: Cents::new(weighted.cents() * 2),
                weighted_wagered: weighted,
                weighted_since_ms: now.timestamp_millis(),
                best_hit: Some(hit(i)),
                activity: Default::default(),
            }
        })
        .collect();
    let prize = |rank: usize, table: &[Cents]| table.get(rank - 1).copied();
    let month_entries: Vec<MonthlyEntry> = figures
        .iter()
        .enumerate()
        .map(|(i, p)| MonthlyEntry {
            rank: i as u32 + 1,
            uid: p.uid.clone(),
            username: p.username.clone(),
            wagered: p.wagered,
            weighted_wagered: p.weighted_wagered,
            prize: prize(i + 1, &empty.month.prizes),
        })
        .collect();
    let week_entries: Vec<MultiplierEntry> = figures
        .iter()
        .enumerate()
        .map(|(i, p)| MultiplierEntry {
            rank: i as u32 + 1,
            uid: p.uid.clone(),
            username: p.username.clone(),
            hit: hit(players - i),
            prize: prize(i + 1, &empty.week.prizes),
        })
        .collect();
    let totals = MonthTotals {
        wagered: Cents::new(figures.iter().map(|p| p.wagered.cents()).sum()),
        weighted: Cents::new(figures.iter().map(|p| p.weighted_wagered.cents()).sum()),
        players: players as u32,
    };
    empty.month = MonthBoard {
        entries: month_entries,
        totals,
        ..empty.month
    };
    empty.week = WeekBoard {
        entries: week_entries,
        ..empty.week
    };
    empty.month_players = figures;
    empty.updated_at = Some(now);
    empty
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.database_url = format!("sqlite://{}?mode=rwc", dir.path().join("b.db").display());
    config.bind_addr = "127.0.0.1:0".parse().unwrap();
    let app = runtime
        .block_on(Application::build(config, Arc::new(SystemClock)))
        .unwrap()
        .without_background_jobs();
    let state = app.state();
    let routes = router(state.clone());

    let mut group = c.benchmark_group("json_render");
    for players in [10usize, 1_000] {
        state.board.publish(published(players));
        for path in ["/api/leaderboard", "/latestLBResults.json", "/"] {
            // One request outside the timing: checks the route and sizes it.
            let size = runtime.block_on(async {
                let response = routes
                    .clone()
                    .oneshot(Request::get(path).body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200, "{path}");
                to_bytes(response.into_body(), usize::MAX)
                    .await
                    .unwrap()
                    .len()
            });
            eprintln!("{path} with {players} players: {size} bytes");
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(BenchmarkId::new(path, players), &path, |b, path| {
                b.to_async(&runtime).iter(|| {
                    let routes = routes.clone();
                    let request = Request::get(*path).body(Body::empty()).unwrap();
                    async move {
                        let response = routes.oneshot(request).await.unwrap();
                        assert_eq!(response.status(), 200);
                        // The body is produced lazily for some routes: read it.
                        to_bytes(response.into_body(), usize::MAX).await.unwrap()
                    }
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
