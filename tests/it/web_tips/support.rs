//! Fixtures of the tips tests: a ledger with every payout outcome, the
//! app with it recorded through the real ledger functions, and checks that
//! a public body carries nothing private.

use chrono::{DateTime, TimeZone, Utc};
use fts_assistant::domain::money::Cents;
use fts_assistant::domain::payout_keys::PayoutKind;
use fts_assistant::store::payouts::{self, NewPayout, PayoutStatus};
use serde_json::Value;
use sqlx::AnyConnection;

use crate::common::{test_start, Db, TestApp};

/// Recipients: Roobet uid and raw username, neither of which may be published.
pub type Who = (&'static str, &'static str);
pub const LUCKY: Who = ("roobet-uid-2001", "LuckyDuck");
pub const BOLD: Who = ("roobet-uid-2002", "<b>Bold&Co</b>");
pub const AERO: Who = ("roobet-uid-2003", "Ærøskøbing");
pub const BOB: Who = ("roobet-uid-2004", "bob");

/// What the ledger ends up saying about a payout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum End {
    Sent,
    DryRun,
    Failed,
    Unknown,
    Pending,
    AwaitingApproval,
}

/// One payout to record.
#[derive(Debug, Clone)]
pub struct Seed {
    pub key: String,
    pub kind: PayoutKind,
    pub who: Who,
    pub cents: i64,
    pub period: Option<&'static str>,
    pub tier: Option<u32>,
    pub end: End,
    /// When it was sent (or last touched).
    pub when: DateTime<Utc>,
}

/// A 2026 instant.
pub fn at(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .unwrap()
}

#[allow(clippy::too_many_arguments)]
pub fn seed(
    key: &str,
    kind: PayoutKind,
    who: Who,
    cents: i64,
    period: Option<&'static str>,
    tier: Option<u32>,
    end: End,
    when: DateTime<Utc>,
) -> Seed {
    Seed {
        key: key.into(),
        kind,
        who,
        cents,
        period,
        tier,
        end,
        when,
    }
}

/// Six confirmed payouts of every kind over two months (indices 0–5), then
/// one of each row that must stay private: failed (6), pending (7), unknown
/// (8), two dry runs newer than everything (9, 10), awaiting approval (11).
#[rustfmt::skip]
pub fn ledger() -> Vec<Seed> {
    use End::*;
    use PayoutKind::*;
    vec![
        seed("milestone:2026-10:roobet-uid-2001:1", Milestone, LUCKY, 500, Some("2026-10"), Some(1), Sent, at(10, 12, 10, 0)),
        seed("milestone:2026-11:roobet-uid-2001:2", Milestone, LUCKY, 1_000, Some("2026-11"), Some(2), Sent, at(11, 3, 9, 0)),
        seed("leaderboard:2026-10:1", Leaderboard, BOLD, 50_000, Some("2026-10"), None, Sent, at(11, 1, 0, 10)),
        seed("multiplier:2026-11-16:1", Multiplier, AERO, 2_000, Some("2026-11-16"), None, Sent, at(11, 23, 0, 5)),
        seed("challenge:7", Challenge, AERO, 1_234, None, None, Sent, at(11, 20, 18, 30)),
        seed("manual:1300000000000000001", Manual, BOB, 2_550, None, None, Sent, at(11, 24, 11, 0)),
        seed("milestone:2026-11:roobet-uid-2004:1", Milestone, BOB, 999, Some("2026-11"), Some(1), Failed, at(11, 22, 8, 0)),
        seed("leaderboard:2026-10:2", Leaderboard, LUCKY, 30_000, Some("2026-10"), None, Pending, at(11, 1, 0, 11)),
        seed("multiplier:2026-11-16:2", Multiplier, BOLD, 1_500, Some("2026-11-16"), None, Unknown, at(11, 23, 0, 6)),
        seed("milestone:2026-11:roobet-uid-2004:2", Milestone, BOB, 500, Some("2026-11"), Some(2), DryRun, at(11, 24, 11, 30)),
        seed("manual:1300000000000000002", Manual, BOLD, 7_777, None, None, DryRun, at(11, 24, 11, 40)),
        seed("leaderboard:2026-10:3", Leaderboard, AERO, 20_000, Some("2026-10"), None, AwaitingApproval, at(11, 1, 0, 12)),
    ]
}

/// Records `seed` as the worker would: intent, `sending`, then its outcome.
async fn record(conn: &mut AnyConnection, seed: &Seed) {
    let ms = seed.when.timestamp_millis();
    let payout = NewPayout {
        key: seed.key.clone(),
        kind: seed.kind,
        uid: seed.who.0.into(),
        username: seed.who.1.into(),
        amount: Cents::new(seed.cents),
        status: if seed.end == End::AwaitingApproval {
            PayoutStatus::AwaitingApproval
        } else {
            PayoutStatus::Pending
        },
        period_key: seed.period.map(Into::into),
        tier: seed.tier,
        requested_by: (seed.kind == PayoutKind::Manual).then(|| "admin-1".into()),
        reason: Some("<script>x</script> reason".into()),
        priority: 0,
    };
    assert!(payouts::insert_intent(conn, &payout, ms - 60_000)
        .await
        .unwrap());
    let (status, error, dry_run) = match seed.end {
        End::Pending | End::AwaitingApproval => return,
        End::Sent => (PayoutStatus::Sent, None, false),
        End::DryRun => (PayoutStatus::Sent, None, true),
        End::Failed => (
            PayoutStatus::Failed,
            Some("refused: <script>x</script>"),
            false,
        ),
        End::Unknown => (PayoutStatus::Unknown, Some("timeout"), false),
    };
    let id = payouts::by_key(conn, &seed.key).await.unwrap().unwrap().id;
    assert!(payouts::mark_sending(conn, id, ms - 1_000).await.unwrap());
    payouts::mark_outcome(conn, id, status, error, dry_run, ms)
        .await
        .unwrap();
}

/// Records every seed, in order.
pub async fn record_all(app: &TestApp, seeds: &[Seed]) {
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    for seed in seeds {
        record(&mut conn, seed).await;
    }
    drop(conn);
    // The tips documents are rebuilt when the ledger changes; here the
    // test is the one that changed it.
    app.state.refresh_tips().await;
}

/// The app (jobs off: nothing else touches the ledger, and the tips
/// documents are rebuilt by [`record_all`]) with `seeds` recorded.
pub async fn spawn_with(db: Db, seeds: &[Seed]) -> Option<TestApp> {
    let app = TestApp::spawn_full(db, test_start(), false, |_| {}).await?;
    record_all(&app, seeds).await;
    Some(app)
}

/// The opaque id the app publishes for `who`.
pub fn public_id(app: &TestApp, who: Who) -> String {
    app.state.public_ids.public_id(who.0)
}

/// No raw uid or name, in any spelling a body could carry it, and nothing
/// from the ledger's private columns (error text, reason, admin id).
pub fn assert_private(body: &str) {
    for (uid, name) in [LUCKY, BOLD, AERO, BOB] {
        assert!(!body.contains(uid), "raw uid {uid}");
        assert!(!body.contains(name), "raw name {name}");
        let escaped = name
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(!body.contains(&escaped), "escaped raw name {name}");
    }
    assert!(!body.contains("roobet-uid-"));
    assert!(
        !body.contains("<script>x"),
        "ledger error/reason text leaked"
    );
    assert!(!body.contains("admin-1"));
}

/// GETs a JSON document: 200, open CORS; its text and value.
pub async fn json(app: &TestApp, path: &str) -> (String, Value) {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap();
    (text, value)
}

/// The text of every `<td class="{class}">` cell, in order.
pub fn cells(html: &str, class: &str) -> Vec<String> {
    let open = format!("<td class=\"{class}\"");
    html.split(&open)
        .skip(1)
        .map(|rest| {
            let inner = &rest[rest.find('>').unwrap() + 1..];
            inner.split("</td>").next().unwrap().trim().to_string()
        })
        .collect()
}

/// Records `n` confirmed manual payouts to 5,000 players in one statement
/// (a ledger the size of years of a busy community), one second apart.
pub async fn insert_sent_bulk(app: &TestApp, n: i64) {
    sqlx::query(
        "INSERT INTO payouts (idempotency_key, kind, uid, username, amount_cents, nonce, \
         status, priority, dry_run, created_ms, updated_ms, sent_ms) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         SELECT 'manual:bulk:' || i, 'manual', 'bulk-uid-' || (i % 5000), \
         'player' || (i % 5000), 100 + i % 900, 'bulk-nonce-' || i, 'sent', 0, 0, \
         1790000000000 + i * 1000, 1790000000000 + i * 1000, 1790000000000 + i * 1000 FROM n",
    )
    .bind(n)
    .execute(app.state.store.pool())
    .await
    .expect("bulk payouts recorded");
}
