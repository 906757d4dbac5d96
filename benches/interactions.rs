//! Cost of the hot path of `/interactions`: Ed25519 verification of a signed
//! body, and a full signed PING through the router (no socket).

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use criterion::{criterion_group, criterion_main, Criterion};
use tower::ServiceExt;

use fts_assistant::app::{router, Application};
use fts_assistant::clock::SystemClock;
use fts_assistant::config::{Config, PublicKeySetting};
use fts_assistant::discord::dev_keys::DevKeypair;
use fts_assistant::discord::signature::InteractionVerifier;
use fts_assistant::discord::synth::SynthInteraction;

fn bench(c: &mut Criterion) {
    let key = DevKeypair::from_seed([7; 32]);
    let verifier = InteractionVerifier::new(key.verifying_key());
    let now = chrono::Utc::now();
    let command = SynthInteraction::command("mywager", &[]).signed(&key, now.timestamp());
    c.bench_function("verify_signature_command_body", |b| {
        b.iter(|| {
            verifier
                .verify(
                    Some(command.signature.as_bytes()),
                    Some(command.timestamp.as_bytes()),
                    &command.body,
                    now,
                )
                .unwrap()
        })
    });

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.database_url = format!("sqlite://{}?mode=rwc", db.display());
    config.bind_addr = "127.0.0.1:0".parse().unwrap();
    config.discord_public_key = Some(PublicKeySetting::Hex(key.public_key_hex()));
    let app = runtime
        .block_on(Application::build(config, Arc::new(SystemClock)))
        .unwrap();
    let routes = router(app.state());
    let ping = SynthInteraction::ping().signed(&key, now.timestamp());
    c.bench_function("signed_ping_through_router", |b| {
        b.to_async(&runtime).iter(|| {
            let request = Request::post("/interactions")
                .header("content-type", "application/json")
                .header("x-signature-ed25519", &ping.signature)
                .header("x-signature-timestamp", &ping.timestamp)
                .body(Body::from(ping.body.clone()))
                .unwrap();
            let routes = routes.clone();
            async move {
                let response = routes.oneshot(request).await.unwrap();
                assert_eq!(response.status(), 200);
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
