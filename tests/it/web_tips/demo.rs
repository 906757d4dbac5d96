//! The demo's tips: a process started by `fts-assistant demo` (the
//! explicit `Config::demo` flag) lists its dry-run tips on `/tips`,
//! `/api/tips` and `/allTimeTips.json`, labelled as test data; any other
//! process, dry-run or not, keeps leaving them out with the production
//! shapes unchanged.

use serde_json::{json, Value};

use super::support::{json, ledger, record_all};
use crate::common::{test_start, Db, TestApp};

/// The banner the demo's `/tips` carries above everything.
const BANNER: &str = "TEST DATA — dry-run tips, no money was sent.";

async fn spawn(db: Db, demo: bool, dry_run: bool) -> Option<TestApp> {
    let app = TestApp::spawn_full(db, test_start(), false, |c| {
        c.demo = demo;
        c.tips_dry_run = dry_run;
    })
    .await?;
    record_all(&app, &ledger()).await;
    Some(app)
}

fn flagged(doc: &Value) -> Vec<(String, Option<bool>)> {
    doc["payouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p.get("test_data").map(|f| f.as_bool().unwrap()),
            )
        })
        .collect()
}

async fn demo_lists_dry_run_tips_labelled_as_test_data(db: Db) {
    let Some(app) = spawn(db, true, true).await else {
        return;
    };
    let (_, doc) = json(&app, "/api/tips").await;
    assert_eq!(doc["test_data"], true);
    // The six real payouts and the two dry runs (82.77).
    assert_eq!(doc["totals"], json!({"count": 8, "amount": 655.61}));
    assert_eq!(
        doc["dry_run_excluded"],
        json!({"count": 0, "amount": 0.0}),
        "listed, so none is left out"
    );
    assert_eq!(
        flagged(&doc),
        vec![
            ("manual".into(), Some(true)),
            ("milestone".into(), Some(true)),
            ("manual".into(), None),
            ("multiplier".into(), None),
            ("challenge".into(), None),
            ("milestone".into(), None),
            ("leaderboard".into(), None),
            ("milestone".into(), None),
        ],
        "the two dry runs (newest) marked, real payouts not"
    );
    let (_, all_time) = json(&app, "/allTimeTips.json").await;
    assert_eq!(all_time["test_data"], true);
    assert_eq!(all_time["summary"]["total_tips_sent"], 8);

    let html = app.get("/tips").await.text().await.unwrap();
    assert!(html.contains(BANNER), "{html}");
    assert_eq!(
        html.matches(r#"title="Dry run: no money was sent">TEST</span>"#)
            .count(),
        2,
        "each dry-run row marked"
    );
    assert!(
        html.contains("$655.61"),
        "totals count the dry runs: {html}"
    );
    app.stop().await;
}

async fn outside_the_demo_dry_runs_stay_out_and_shapes_stay(db: Db) {
    for dry_run in [false, true] {
        let Some(app) = spawn(db, false, dry_run).await else {
            return;
        };
        let (_, doc) = json(&app, "/api/tips").await;
        assert!(doc.get("test_data").is_none(), "{doc}");
        assert_eq!(doc["totals"], json!({"count": 6, "amount": 572.84}));
        assert_eq!(
            doc["dry_run_excluded"],
            json!({"count": 2, "amount": 82.77})
        );
        assert!(flagged(&doc).iter().all(|(_, flag)| flag.is_none()));
        let (_, all_time) = json(&app, "/allTimeTips.json").await;
        assert!(all_time.get("test_data").is_none());
        assert_eq!(all_time["summary"]["total_tips_sent"], 6);
        let html = app.get("/tips").await.text().await.unwrap();
        assert!(!html.contains(BANNER));
        assert!(!html.contains("test-tag"));
        assert!(!html.contains("$655.61"));
        app.stop().await;
    }
}

on_both_databases!(
    demo_lists_dry_run_tips_labelled_as_test_data,
    outside_the_demo_dry_runs_stay_out_and_shapes_stay,
);
