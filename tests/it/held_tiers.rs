//! Issue 23: tiers held on a first run without `import-legacy`/`baseline`
//! are visible where an operator looks — `/status`, `/tipstats` and the
//! `/readyz` reason say how many and what to run — on SQLite and PostgreSQL.

use std::sync::Arc;

use fts_assistant::clock::ManualClock;
use fts_assistant::config::Config;
use fts_assistant::discord::synth::{Caller, SynthInteraction};
use fts_assistant::jobs::poll::run_and_record;
use fts_assistant::roobet::fake::{FakeCallKind, FakeCasino, FakeMode, FakeRow};
use serde_json::Value;

use crate::common::{test_start, use_fake_casino, Db, TestApp};

/// Every text of a reply: content, embed descriptions and field values.
fn all_text(reply: &Value) -> String {
    let mut text = reply["data"]["content"].as_str().unwrap_or("").to_string();
    for embed in reply["data"]["embeds"].as_array().into_iter().flatten() {
        text.push_str(embed["description"].as_str().unwrap_or(""));
        for field in embed["fields"].as_array().into_iter().flatten() {
            text.push('\n');
            text.push_str(field["value"].as_str().unwrap_or(""));
        }
    }
    text
}

async fn held_tiers_are_reported_with_what_to_run(db: Db) {
    let clock = Arc::new(ManualClock::new(test_start()));
    let casino = FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap();
    // $850 weighted = $2,550 wagered: tiers reached before the first run.
    casino.set_rows(
        FakeCallKind::Weighted,
        vec![FakeRow::new("uid-a", "AliceWins")
            .wagered(2_550.0)
            .weighted(850.0)],
    );
    casino.set_rows(
        FakeCallKind::Total,
        vec![FakeRow::new("uid-a", "AliceWins").wagered(2_550.0)],
    );
    let base = casino.base_url().to_string();
    let Some(app) = TestApp::spawn_full(db, test_start(), false, move |c: &mut Config| {
        use_fake_casino(c, base);
        c.first_run_pays_existing = false;
    })
    .await
    else {
        return;
    };
    // Before any cycle nothing is held and the reason is the plain one.
    let ready = app.get("/readyz").await.text().await.unwrap();
    assert_eq!(ready, "ready");

    run_and_record(&app.jobs).await.unwrap();
    let held = app
        .count("SELECT COUNT(*) FROM payouts WHERE status = 'held'")
        .await;
    assert!(held > 0, "the first run held the tiers already reached");
    let expected = format!("{held} milestone tier");

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200, "held tiers do not stop serving");
    let ready = ready.text().await.unwrap();
    assert!(ready.starts_with("ready; ⚠️"), "{ready}");
    assert!(ready.contains(&expected), "{ready}");
    assert!(ready.contains("baseline --dry-run"), "{ready}");

    for command in ["status", "tipstats"] {
        let (_, reply) = app
            .interact(&SynthInteraction::command(command, &[]).by(Caller::ManageServer))
            .await;
        let text = all_text(&reply);
        assert!(text.contains(&expected), "/{command}: {text}");
        assert!(text.contains("import-legacy"), "/{command}: {text}");
    }
}

on_both_databases!(held_tiers_are_reported_with_what_to_run);
