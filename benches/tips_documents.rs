//! `/api/tips` and `/allTimeTips.json` with a 100,000-payout ledger, through
//! the full router (no socket): what a request costs now that both are
//! rendered when the ledger changes, and (printed once) what that rebuild
//! costs. Acceptance: an `/api/tips` page in under 5 ms.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{to_bytes, Body};
use axum::http::Request;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tower::ServiceExt;

use fts_assistant::app::{router, Application};
use fts_assistant::clock::SystemClock;
use fts_assistant::config::Config;

const PAYOUTS: i64 = 100_000;

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
    runtime.block_on(async {
        sqlx::query(
            "INSERT INTO payouts (idempotency_key, kind, uid, username, amount_cents, nonce, \
             status, priority, dry_run, created_ms, updated_ms, sent_ms) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
             SELECT 'manual:bulk:' || i, 'manual', 'bulk-uid-' || (i % 5000), \
             'player' || (i % 5000), 100 + i % 900, 'bulk-nonce-' || i, 'sent', 0, 0, \
             1790000000000 + i * 1000, 1790000000000 + i * 1000, 1790000000000 + i * 1000 FROM n",
        )
        .bind(PAYOUTS)
        .execute(state.store.pool())
        .await
        .unwrap();
        let started = Instant::now();
        state.refresh_tips().await;
        eprintln!(
            "rebuilding both tips documents from {PAYOUTS} payouts: {:.0} ms (off the request path)",
            started.elapsed().as_secs_f64() * 1e3
        );
    });
    let routes = router(state.clone());

    let mut group = c.benchmark_group("tips_documents");
    for path in ["/api/tips", "/api/tips?page=500", "/allTimeTips.json"] {
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
        eprintln!("{path} with {PAYOUTS} payouts: {size} bytes");
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new(path, PAYOUTS), &path, |b, path| {
            b.to_async(&runtime).iter(|| {
                let routes = routes.clone();
                let request = Request::get(*path).body(Body::empty()).unwrap();
                async move {
                    let response = routes.oneshot(request).await.unwrap();
                    assert_eq!(response.status(), 200);
                    to_bytes(response.into_body(), usize::MAX).await.unwrap()
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
