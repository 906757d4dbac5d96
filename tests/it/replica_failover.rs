//! Multi-replica failover on PostgreSQL with the real binary: two `serve`
//! processes share one fresh database and one fake casino whose players keep
//! crossing milestone tiers. Exactly one of them (the holder of the job lock)
//! polls and pays. The leader is SIGKILLed mid-cycle while a tip request is
//! held open by the casino; the other replica must take over within one poll
//! interval (plus a margin), keep polling and paying, and at the end every
//! earned milestone is in the ledger exactly once, no payout was requested
//! twice and none was lost (all `sent`, except at most the one in flight at
//! the kill, which must be `unknown`).
//!
//! PostgreSQL only: skipped unless `TEST_POSTGRES_URL` is set (fails instead
//! when `FTS_REQUIRE_POSTGRES=1`). `scripts/test.sh` provides both.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fts_assistant::domain::money::Cents;
use fts_assistant::roobet::fake::{FakeCallKind, FakeCasino, FakeMode, FakeRow, TipBehaviour};
use sqlx::{Connection, Row};

use crate::common::served::{earned_milestones, Served};
use crate::common::Db;

/// Seconds between poll cycles of each replica.
const POLL_INTERVAL_SECS: u64 = 2;
/// Slack on top of one interval for the survivor to take over: process
/// scheduling, PostgreSQL noticing the dead session, the first requests.
const TAKEOVER_MARGIN: Duration = Duration::from_secs(3);
/// Players in the scripted casino.
const PLAYERS: usize = 6;

/// One replica: `serve` polling every [`POLL_INTERVAL_SECS`].
fn start_replica(
    name: &'static str,
    casino: &FakeCasino,
    database_url: &str,
    dir: &Path,
) -> Served {
    Served::start(name, casino, database_url, dir, |command| {
        command.env("POLL_INTERVAL_SECS", POLL_INTERVAL_SECS.to_string());
    })
}

const LOCK_TAKEN: &str = "took the job lock";
const CYCLE_DONE: &str = "poll cycle done";
const PAYOUT_SENT: &str = "payout sent";

/// Weighted wagers of the players, grown by a background task.
struct Wagers {
    weighted: Mutex<[u64; PLAYERS]>,
    growing: AtomicBool,
}

fn rows(weighted: &[u64; PLAYERS]) -> (Vec<FakeRow>, Vec<FakeRow>) {
    let mut w = Vec::new();
    let mut t = Vec::new();
    for (i, usd) in weighted.iter().enumerate() {
        let uid = format!("uid-{i}");
        let name = format!("player_{i}");
        w.push(
            FakeRow::new(&uid, &name)
                .wagered(*usd as f64 * 2.0)
                .weighted(*usd as f64),
        );
        t.push(FakeRow::new(&uid, &name).wagered(*usd as f64 * 2.0));
    }
    (w, t)
}

fn publish(casino: &FakeCasino, weighted: &[u64; PLAYERS]) {
    let (w, t) = rows(weighted);
    casino.set_rows(FakeCallKind::Weighted, w);
    casino.set_rows(FakeCallKind::Total, t);
}

/// The follower never ran a job: no lock, no cycle, no payout in its log.
fn assert_one_leader(follower: &Served) {
    assert_one_leader_in(follower.name, &follower.log());
}

fn assert_one_leader_in(name: &str, log: &str) {
    for line in [LOCK_TAKEN, CYCLE_DONE, PAYOUT_SENT] {
        if let Some(at) = log.find(line) {
            let start = log[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = log[at..].find('\n').map_or(log.len(), |i| at + i);
            panic!(
                "two replicas ran jobs at once: the follower ({name}) logged {line:?} while the leader was alive:\n{}",
                &log[start..end]
            );
        }
    }
}

async fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

async fn connect(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url).await.unwrap()
}

async fn count(url: &str, sql: &'static str, param: Option<i64>) -> i64 {
    let mut conn = connect(url).await;
    let mut query = sqlx::query(sql);
    if let Some(p) = param {
        query = query.bind(p);
    }
    let n: i64 = query.fetch_one(&mut conn).await.unwrap().get(0);
    conn.close().await.ok();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_survivor_takes_over_and_nothing_is_paid_twice_or_lost() {
    let Some(test_db) = common::fresh_database(Db::Postgres).await else {
        return;
    };
    let url = test_db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(fts_assistant::clock::SystemClock);
    let casino = Arc::new(FakeCasino::spawn(clock, FakeMode::Scripted).await.unwrap());
    casino.set_tip_behaviour(TipBehaviour::Succeed);

    // Players keep crossing tiers: each grows by (i + 1) × $40 every 500 ms,
    // so every cycle earns new milestones for somebody.
    let wagers = Arc::new(Wagers {
        weighted: Mutex::new([40; PLAYERS]),
        growing: AtomicBool::new(true),
    });
    publish(&casino, &wagers.weighted.lock().unwrap());
    let grower = {
        let (casino, wagers) = (casino.clone(), wagers.clone());
        tokio::spawn(async move {
            while wagers.growing.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let mut w = wagers.weighted.lock().unwrap();
                for (i, usd) in w.iter_mut().enumerate() {
                    *usd += (i as u64 + 1) * 40;
                }
                publish(&casino, &w);
            }
        })
    };

    let started = Instant::now();
    let mut a = start_replica("replica-a", &casino, &url, dir.path());
    let mut b = start_replica("replica-b", &casino, &url, dir.path());

    // One of them becomes the leader: it polls and pays; the other only serves.
    wait_until(
        "a replica to complete a poll cycle and pay 5 tips",
        Duration::from_secs(60),
        || {
            (a.log().contains(CYCLE_DONE) || b.log().contains(CYCLE_DONE))
                && casino.tips().len() >= 5
        },
    )
    .await;
    assert!(
        a.is_running() && b.is_running(),
        "both replicas run:\n{}\n{}",
        a.tail(),
        b.tail()
    );
    let (leader, follower) = if a.log().contains(CYCLE_DONE) {
        (&mut a, &mut b)
    } else {
        (&mut b, &mut a)
    };
    eprintln!(
        "leader: {} (first cycle after {:?})",
        leader.name,
        started.elapsed()
    );
    // Let the leader work through another cycle, then check it is alone.
    tokio::time::sleep(Duration::from_secs(POLL_INTERVAL_SECS)).await;
    assert_one_leader(follower);
    assert!(
        leader.log().contains(LOCK_TAKEN),
        "the leader says it took the job lock:\n{}",
        leader.tail()
    );

    // Mid-cycle and mid-tip: the casino holds the next tip open, and the kill
    // comes right after the leader's next stats request reaches the casino.
    casino.set_tip_behaviour(TipBehaviour::Hang);
    let tips_before_hang = casino.tips().len();
    wait_until(
        "a tip held open by the casino",
        Duration::from_secs(20),
        || casino.tips().len() > tips_before_hang,
    )
    .await;
    let hung_nonce = casino.tips()[tips_before_hang].nonce.clone().unwrap();
    let stats_before = casino.stats_requests().len();
    wait_until(
        "the leader's next poll cycle",
        Duration::from_secs(POLL_INTERVAL_SECS * 3 + 10),
        || casino.stats_requests().len() > stats_before,
    )
    .await;
    let follower_log = follower.log();
    leader.kill();
    let killed_at = Instant::now();
    let stats_at_kill = casino.stats_requests().len();
    eprintln!(
        "killed {} after {:?}: {} stats requests, {} tips (one held open: {hung_nonce})",
        leader.name,
        started.elapsed(),
        stats_at_kill,
        casino.tips().len()
    );
    // Exactly one leader until the kill.
    assert_one_leader_in(follower.name, &follower_log);

    // Requests of the dead process may still land for a moment; after that,
    // every stats request and tip comes from the survivor.
    tokio::time::sleep(Duration::from_millis(200)).await;
    casino.set_tip_behaviour(TipBehaviour::Succeed);
    casino.release_hung_tips();
    let stats_settled = casino.stats_requests().len();
    let nonces_settled: BTreeSet<String> =
        casino.tips().into_iter().filter_map(|t| t.nonce).collect();

    // Watch the three signs of a takeover together, timing each from the kill.
    let limit = Duration::from_secs(POLL_INTERVAL_SECS) + TAKEOVER_MARGIN;
    let (mut lock_after, mut polled_after, mut paid_after) = (None, None, None);
    while lock_after.is_none() || polled_after.is_none() || paid_after.is_none() {
        let now = killed_at.elapsed();
        assert!(
            now < Duration::from_secs(60),
            "no takeover within 60 s (lock {lock_after:?}, poll {polled_after:?}, tip {paid_after:?}):\n{}",
            follower.tail()
        );
        if lock_after.is_none() && follower.log().contains(LOCK_TAKEN) {
            lock_after = Some(now);
        }
        if polled_after.is_none() && casino.stats_requests().len() > stats_settled {
            polled_after = Some(now);
        }
        if paid_after.is_none()
            && casino.tips().iter().any(|t| {
                t.nonce
                    .as_ref()
                    .is_some_and(|n| !nonces_settled.contains(n))
            })
        {
            paid_after = Some(now);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (lock_after, polled_after, paid_after) = (
        lock_after.unwrap(),
        polled_after.unwrap(),
        paid_after.unwrap(),
    );
    eprintln!(
        "takeover by {}: job lock after ≤{lock_after:?}, first stats request after ≤{polled_after:?}, first new tip after ≤{paid_after:?} (limit {limit:?})",
        follower.name
    );
    assert!(
        lock_after <= limit && polled_after <= limit,
        "the survivor took over too slowly: lock {lock_after:?}, poll {polled_after:?}, limit {limit:?}"
    );
    assert!(
        paid_after <= limit + Duration::from_secs(POLL_INTERVAL_SECS),
        "the survivor resumed paying too slowly: {paid_after:?}"
    );

    // A few more cycles under the new leader, then the wagers stop and the
    // survivor catches up with the final figures.
    tokio::time::sleep(Duration::from_secs(POLL_INTERVAL_SECS * 3)).await;
    wagers.growing.store(false, Ordering::SeqCst);
    grower.await.unwrap();
    let final_wagers = *wagers.weighted.lock().unwrap();
    publish(&casino, &final_wagers);
    let final_set_ms = chrono::Utc::now().timestamp_millis();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let caught_up = count(
            &url,
            "SELECT COUNT(*) FROM poll_cycles WHERE outcome = 'ok' AND started_ms > $1",
            Some(final_set_ms),
        )
        .await
            > 0;
        let open = count(
            &url,
            "SELECT COUNT(*) FROM payouts WHERE status IN ('pending', 'sending')",
            None,
        )
        .await;
        if caught_up && open == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the survivor did not finish paying (caught up: {caught_up}, open: {open}):\n{}",
            follower.tail()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(follower.is_running(), "the survivor is still up");
    let survivor_log = follower.log();
    follower.kill();

    // The ledger invariant.
    let mut conn = connect(&url).await;
    let ledger = sqlx::query(
        "SELECT idempotency_key, amount_cents, status, nonce, kind FROM payouts ORDER BY id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut by_key: BTreeMap<String, (i64, String, String)> = BTreeMap::new();
    for r in &ledger {
        let key: String = r.get(0);
        let kind: String = r.get(4);
        assert_eq!(kind, "milestone", "{key}: only milestones are earned here");
        let previous = by_key.insert(key.clone(), (r.get(1), r.get(2), r.get(3)));
        assert!(previous.is_none(), "{key} is in the ledger twice");
    }
    let earned = earned_milestones(&final_wagers[..]);
    let missing: Vec<_> = earned.keys().filter(|k| !by_key.contains_key(*k)).collect();
    let extra: Vec<_> = by_key.keys().filter(|k| !earned.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "earned milestones vs ledger: missing {missing:?}, not earned {extra:?}"
    );
    for (key, (amount, _, _)) in &by_key {
        assert_eq!(Some(amount), earned.get(key), "{key}: amount");
    }

    // No payout requested twice; every request belongs to a ledger row.
    let by_nonce: HashMap<&str, (&String, i64)> = by_key
        .iter()
        .map(|(k, (a, _, n))| (n.as_str(), (k, *a)))
        .collect();
    let mut requests: HashMap<String, u32> = HashMap::new();
    let tips = casino.tips();
    for tip in &tips {
        assert!(tip.authorized, "tips carry the tipping token");
        let nonce = tip.nonce.clone().expect("every tip has a nonce");
        let (key, amount) = by_nonce
            .get(nonce.as_str())
            .unwrap_or_else(|| panic!("tip {nonce} belongs to no ledger row"));
        assert_eq!(
            Cents::from_usd(tip.amount.unwrap()).unwrap().cents(),
            *amount,
            "{key}: amount requested"
        );
        *requests.entry(nonce).or_default() += 1;
    }
    let twice: Vec<_> = requests.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "payouts requested more than once (nonce → requests): {twice:?}"
    );

    // None lost: all sent, except the one in flight at the kill (unknown).
    let mut tally: BTreeMap<&str, u32> = BTreeMap::new();
    for (key, (_, status, nonce)) in &by_key {
        *tally.entry(status.as_str()).or_default() += 1;
        match status.as_str() {
            "sent" => assert_eq!(
                requests.get(nonce),
                Some(&1),
                "{key} is sent but was not requested exactly once"
            ),
            "unknown" => assert_eq!(
                nonce, &hung_nonce,
                "{key} is unknown but was not the payout in flight at the kill"
            ),
            other => panic!(
                "{key} ended `{other}`: lost (expected sent, or unknown for the one in flight)"
            ),
        }
    }
    assert!(
        tally.get("unknown").copied().unwrap_or(0) <= 1,
        "at most one payout can be unknown: {tally:?}"
    );
    assert!(
        survivor_log.contains("now `unknown`"),
        "the survivor reports the interrupted payout (\"now `unknown`\" in its log)"
    );
    eprintln!(
        "ledger: {} milestones earned, statuses {tally:?}, {} tip requests, {} stats requests, {:?} in all",
        earned.len(),
        tips.len(),
        casino.stats_requests().len(),
        started.elapsed()
    );
    drop(a);
    drop(b);
}
