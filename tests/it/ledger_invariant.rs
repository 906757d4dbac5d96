//! The ledger invariant as a property: for any sequence of poll cycles
//! (wagers going up), restarts, tipping faults, exclusions and prizes,
//! every tier a player has earned and every prize has exactly one ledger
//! row, ending `sent`, `failed`, `unknown`, `cancelled` or `pending`; no
//! payout is ever requested twice; a cancelled payout is never requested;
//! an excluded player gets no automatic tip; a waiting prize always leaves
//! before any milestone; what was sent per key is never more than earned.

use crate::common;

use std::collections::{BTreeMap, HashMap};

use chrono::Duration;
use fts_assistant::clock::Clock;
use fts_assistant::config::Config;
use fts_assistant::domain::milestones::default_tiers;
use fts_assistant::domain::money::Cents;
use fts_assistant::jobs::payout_worker::send_next;
use fts_assistant::jobs::poll::run_and_record;
use fts_assistant::roobet::fake::{FakeCallKind, FakeCasino, FakeMode, FakeRow, TipBehaviour};
use proptest::prelude::*;
use sqlx::Row;

use crate::common::{Db, TestApp};

#[derive(Debug, Clone)]
enum Step {
    /// A player's weighted wager grows by this many dollars, then a cycle.
    Wager { player: usize, dollars: u32 },
    /// The affiliate API answers garbage for the next cycle.
    ApiDown,
    /// The tipping API starts answering this way.
    Tipping(u8),
    /// The worker sends up to this many payouts.
    Pay(u8),
    /// The process restarts on the same database.
    Restart,
    /// An admin excludes the player (as `/exclude` does: same transaction).
    Exclude(usize),
    /// An admin lifts the player's exclusion.
    Include(usize),
    /// The player wins a prize (a challenge), recorded as an intent.
    Prize(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, 1..4_000u32).prop_map(|(player, dollars)| Step::Wager { player, dollars }),
        1 => Just(Step::ApiDown),
        3 => (0..3u8).prop_map(Step::Tipping),
        3 => (1..6u8).prop_map(Step::Pay),
        1 => Just(Step::Restart),
        1 => (0..3usize).prop_map(Step::Exclude),
        1 => (0..3usize).prop_map(Step::Include),
        2 => (0..3usize).prop_map(Step::Prize),
    ]
}

fn wire(casino: &FakeCasino) -> impl FnOnce(&mut Config) + '_ {
    move |config: &mut Config| {
        crate::common::use_fake_casino(config, casino.base_url().to_string());
    }
}

fn set_rows(casino: &FakeCasino, weighted: &[u32; 3]) {
    let rows = |total: bool| {
        weighted
            .iter()
            .enumerate()
            .map(move |(i, w)| {
                let row = FakeRow::new(&format!("uid-{i}"), &format!("player_{i}"))
                    .wagered(f64::from(*w) * 2.0);
                if total {
                    row
                } else {
                    row.weighted(f64::from(*w))
                }
            })
            .collect::<Vec<_>>()
    };
    casino.set_rows(FakeCallKind::Weighted, rows(false));
    casino.set_rows(FakeCallKind::Total, rows(true));
}

async fn run_steps(steps: Vec<Step>) {
    let Some(test_db) = common::fresh_database(Db::Sqlite).await else {
        return;
    };
    let clock = std::sync::Arc::new(fts_assistant::clock::ManualClock::new(common::test_start()));
    let casino = FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap();
    let mut weighted = [0u32; 3];
    // The figure of each player at the last successful cycle that saw them
    // included: what their milestones were earned on.
    let mut peak = [0u32; 3];
    let mut excluded = [false; 3];
    let mut prizes: BTreeMap<String, i64> = BTreeMap::new();
    // Tips each player had received when they were excluded.
    let mut tips_at_exclusion = [0usize; 3];
    set_rows(&casino, &weighted);
    let start = common::test_start();
    let mut app = TestApp::spawn_on(test_db, start, false, wire(&casino))
        .await
        .unwrap();
    for step in steps {
        match step {
            Step::Wager { player, dollars } => {
                weighted[player] += dollars;
                set_rows(&casino, &weighted);
                app.clock.advance(Duration::minutes(10));
                if run_and_record(&app.jobs).await.is_ok() {
                    for i in 0..3 {
                        if !excluded[i] {
                            peak[i] = weighted[i];
                        }
                    }
                }
            }
            Step::ApiDown => {
                // Malformed answers are not retried, so the step is fast.
                casino.respond_malformed_next(1_000);
                assert!(run_and_record(&app.jobs).await.is_err());
                casino.clear_faults();
            }
            Step::Tipping(kind) => casino.set_tip_behaviour(match kind {
                0 => TipBehaviour::Succeed,
                1 => TipBehaviour::Refuse("Insufficient account balance".into()),
                _ => TipBehaviour::Status(502),
            }),
            Step::Pay(n) => {
                for _ in 0..n {
                    let prize_waiting = app
                        .count("SELECT COUNT(*) FROM payouts WHERE status = 'pending' AND kind <> 'milestone' AND uid NOT IN (SELECT uid FROM exclusions)")
                        .await
                        > 0;
                    let Some(report) = send_next(&app.state).await.unwrap() else {
                        break;
                    };
                    if prize_waiting {
                        assert_ne!(
                            report.payout.kind,
                            fts_assistant::domain::payout_keys::PayoutKind::Milestone,
                            "a prize waited behind a milestone"
                        );
                    }
                }
            }
            Step::Exclude(player) => {
                let uid = format!("uid-{player}");
                let mut tx = app.state.store.pool().begin().await.unwrap();
                fts_assistant::store::players::exclude(
                    &mut tx,
                    &fts_assistant::store::players::Exclusion {
                        uid: uid.clone(),
                        username: format!("player_{player}"),
                        reason: None,
                        added_by: Some("admin".into()),
                        added_ms: 0,
                    },
                )
                .await
                .unwrap();
                fts_assistant::store::payouts::cancel_unsent_of(&mut tx, &uid, "excluded", 0)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                if !excluded[player] {
                    tips_at_exclusion[player] = tips_to(&casino, player);
                }
                excluded[player] = true;
            }
            Step::Include(player) => {
                let mut conn = app.state.store.pool().acquire().await.unwrap();
                fts_assistant::store::players::unexclude(&mut conn, &format!("uid-{player}"))
                    .await
                    .unwrap();
                excluded[player] = false;
            }
            Step::Prize(player) => {
                let key = format!("challenge:{}", prizes.len() + 1);
                let amount = 2_500 + prizes.len() as i64;
                let mut conn = app.state.store.pool().acquire().await.unwrap();
                let recorded = fts_assistant::store::payouts::insert_intent(
                    &mut conn,
                    &fts_assistant::store::payouts::NewPayout {
                        key: key.clone(),
                        kind: fts_assistant::domain::payout_keys::PayoutKind::Challenge,
                        uid: format!("uid-{player}"),
                        username: format!("player_{player}"),
                        amount: Cents::new(amount),
                        status: fts_assistant::store::payouts::PayoutStatus::Pending,
                        period_key: None,
                        tier: None,
                        requested_by: None,
                        reason: None,
                        priority: 0,
                    },
                    0,
                )
                .await
                .unwrap();
                assert!(recorded);
                prizes.insert(key, amount);
            }
            Step::Restart => {
                let now = app.clock.now();
                let test_db = app.stop_keeping_db().await;
                app = TestApp::spawn_on(test_db, now, false, wire(&casino))
                    .await
                    .unwrap();
            }
        }
        check(&app, &casino, &peak, &prizes).await;
        for player in 0..3 {
            if excluded[player] {
                assert_eq!(
                    tips_to(&casino, player),
                    tips_at_exclusion[player],
                    "an excluded player was tipped automatically"
                );
            }
        }
    }
}

fn tips_to(casino: &FakeCasino, player: usize) -> usize {
    let uid = format!("uid-{player}");
    casino
        .tips()
        .iter()
        .filter(|t| t.to_user_id.as_deref() == Some(uid.as_str()))
        .count()
}

async fn check(
    app: &TestApp,
    casino: &FakeCasino,
    peak: &[u32; 3],
    prizes: &BTreeMap<String, i64>,
) {
    let rows = sqlx::query("SELECT idempotency_key, amount_cents, status, nonce FROM payouts")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap();
    let ledger: BTreeMap<String, (i64, String, String)> = rows
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3))))
        .collect();
    // Every earned key is in the ledger with a legal status, and nothing else is.
    let tiers = default_tiers();
    let mut earned = prizes.clone();
    for (i, w) in peak.iter().enumerate() {
        for tier in tiers
            .iter()
            .filter(|t| t.threshold <= Cents::new(i64::from(*w) * 100))
        {
            earned.insert(
                format!("milestone:2026-11:uid-{i}:{}", tier.number),
                tier.tip.cents(),
            );
        }
    }
    assert_eq!(
        ledger.keys().collect::<Vec<_>>(),
        earned.keys().collect::<Vec<_>>()
    );
    for (key, (amount, status, _)) in &ledger {
        assert_eq!(Some(amount), earned.get(key), "{key}");
        assert!(
            ["pending", "sent", "failed", "unknown", "cancelled"].contains(&status.as_str()),
            "{key}: {status}"
        );
    }
    // No payout was requested twice; what went out per key ≤ what was earned.
    let by_nonce: HashMap<&str, (&String, i64)> = ledger
        .iter()
        .map(|(k, (a, _, n))| (n.as_str(), (k, *a)))
        .collect();
    let mut requests: HashMap<String, u32> = HashMap::new();
    for tip in casino.tips() {
        let nonce = tip.nonce.clone().unwrap_or_default();
        let (key, amount) = by_nonce
            .get(nonce.as_str())
            .expect("every tip belongs to a ledger row");
        assert_eq!(
            Cents::from_usd(tip.amount.unwrap()).unwrap().cents(),
            *amount,
            "{key}"
        );
        *requests.entry(nonce).or_default() += 1;
    }
    assert!(
        requests.values().all(|n| *n == 1),
        "a payout was requested twice: {requests:?}"
    );
    for (key, (_, status, nonce)) in &ledger {
        if status == "cancelled" {
            assert!(
                !requests.contains_key(nonce),
                "{key} was cancelled but requested"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_never_pays_twice_and_never_loses_a_payout(steps in prop::collection::vec(step(), 1..20)) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(run_steps(steps));
    }
}
