//! `/tipstats` against a seeded ledger, the reconcile buttons and the
//! `/clear_tips` confirmation, each applied once per interaction id.

use fts_assistant::discord::synth::{Caller, OptionValue, SynthInteraction};
use fts_assistant::domain::money::Cents;
use fts_assistant::domain::payout_keys::PayoutKind;
use fts_assistant::jobs::payout_worker::send_next;
use fts_assistant::store::milestones;
use fts_assistant::store::payouts::{self, NewPayout, PayoutStatus};
use serde_json::Value;

use super::{click, count, payout_text, rig, ADMIN_ID};
use crate::common::{content, is_ephemeral, test_start, Db, TestApp};

/// Records a payout and drives it to `status` at `at_ms`; returns its id.
async fn seed(
    app: &TestApp,
    key: &str,
    kind: PayoutKind,
    cents: i64,
    status: PayoutStatus,
    at_ms: i64,
) -> i64 {
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    let first = match status {
        PayoutStatus::AwaitingApproval => PayoutStatus::AwaitingApproval,
        _ => PayoutStatus::Pending,
    };
    let payout = NewPayout {
        key: key.into(),
        kind,
        uid: format!("uid-{key}"),
        username: "PlayerOne".into(),
        amount: Cents::new(cents),
        status: first,
        period_key: None,
        tier: None,
        requested_by: None,
        reason: None,
        priority: 0,
    };
    assert!(payouts::insert_intent(&mut conn, &payout, at_ms)
        .await
        .unwrap());
    let id = payouts::by_key(&mut conn, key).await.unwrap().unwrap().id;
    if matches!(
        status,
        PayoutStatus::Sent | PayoutStatus::Failed | PayoutStatus::Unknown
    ) {
        assert!(payouts::mark_sending(&mut conn, id, at_ms).await.unwrap());
        let error = (status != PayoutStatus::Sent).then_some("Insufficient account balance");
        let dry = key.starts_with("dry");
        payouts::mark_outcome(&mut conn, id, status, error, dry, at_ms)
            .await
            .unwrap();
    }
    id
}

async fn tipstats_figures_come_from_the_ledger(db: Db) {
    let Some(rig) = rig(db).await else { return };
    let now = test_start().timestamp_millis();
    let hour = 3_600_000;
    use PayoutKind::*;
    let sent = [
        ("m1", Milestone, 100, 1),
        ("m2", Milestone, 200, 48),
        ("c1", Challenge, 2_500, 240),
        ("l1", Leaderboard, 50_000, 960),
        ("w1", Multiplier, 2_000, 3),
        ("t1", Manual, 1_234, 144),
    ];
    for (key, kind, cents, hours_ago) in sent {
        seed(
            &rig.app,
            key,
            kind,
            cents,
            PayoutStatus::Sent,
            now - hours_ago * hour,
        )
        .await;
    }
    seed(
        &rig.app,
        "dry1",
        Manual,
        5_000,
        PayoutStatus::Sent,
        now - hour,
    )
    .await;
    seed(&rig.app, "f1", Milestone, 300, PayoutStatus::Failed, now).await;
    let unknown = seed(&rig.app, "u1", Challenge, 1_000, PayoutStatus::Unknown, now).await;
    let awaiting = seed(
        &rig.app,
        "a1",
        Leaderboard,
        30_000,
        PayoutStatus::AwaitingApproval,
        now,
    )
    .await;
    seed(
        &rig.app,
        "p1",
        Multiplier,
        1_500,
        PayoutStatus::Pending,
        now,
    )
    .await;

    let (_, reply) = rig
        .app
        .interact(&SynthInteraction::command("tipstats", &[]).by(Caller::ManageServer))
        .await;
    assert!(is_ephemeral(&reply), "{reply}");
    let fields = reply["data"]["embeds"][0]["fields"].as_array().unwrap();
    for (label, hours) in [
        ("Last 24 hours", 24),
        ("Last 7 days", 168),
        ("Last 30 days", 720),
        ("All time", i64::MAX),
    ] {
        let field = fields.iter().find(|f| f["name"] == label).unwrap();
        let value = field["value"].as_str().unwrap();
        let in_window: Vec<_> = sent.iter().filter(|s| s.3 <= hours).collect();
        for kind in PayoutKind::ALL {
            let of_kind: Vec<_> = in_window.iter().filter(|s| s.1 == kind).collect();
            let total = Cents::new(of_kind.iter().map(|s| s.2).sum());
            let line = format!("{kind}: {} · {total}", of_kind.len());
            assert!(value.contains(&line), "{label}: {line} in {value}");
        }
        let total = Cents::new(in_window.iter().map(|s| s.2).sum());
        let line = format!("total: {} · {total}", in_window.len());
        assert!(value.contains(&line), "{label}: {line} in {value}");
    }
    let open = reply["data"]["embeds"][1].to_string();
    for line in [
        "unknown: 1 · $10.00",
        "failed: 1 · $3.00",
        "awaiting_approval: 1 · $300.00",
        "pending: 1 · $15.00",
        "Insufficient account balance",
        // Admin-only and ephemeral: the real name, so the admin knows who.
        "PlayerOne",
    ] {
        assert!(open.contains(line), "{line} in {open}");
    }
    let ids: Vec<String> = reply["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row["components"].as_array().unwrap().clone())
        .map(|b| b["custom_id"].as_str().unwrap().to_string())
        .collect();
    for id in [
        format!("tips:mark_sent:{unknown}"),
        format!("tips:retry:{unknown}"),
        format!("tips:approve:{awaiting}"),
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
}

async fn reconcile_buttons_apply_once_and_are_audited(db: Db) {
    let Some(rig) = rig(db).await else { return };
    let (app, now) = (&rig.app, test_start().timestamp_millis());
    let unknown = seed(
        app,
        "u1",
        PayoutKind::Challenge,
        1_000,
        PayoutStatus::Unknown,
        now,
    )
    .await;
    let failed = seed(
        app,
        "f1",
        PayoutKind::Milestone,
        300,
        PayoutStatus::Failed,
        now,
    )
    .await;
    let awaiting = seed(
        app,
        "a1",
        PayoutKind::Leaderboard,
        900,
        PayoutStatus::AwaitingApproval,
        now,
    )
    .await;
    let nonce = payout_text(app, failed, "nonce").await;

    let signed = app.sign(&click(&format!("tips:mark_sent:{unknown}")));
    let first: Value = app.post_signed(&signed).await.json().await.unwrap();
    assert_eq!(first["type"], 7, "{first}");
    assert!(content(&first).contains("as sent"), "{first}");
    let replay: Value = app.post_signed(&signed).await.json().await.unwrap();
    assert_eq!(replay, first);
    assert_eq!(
        payout_text(app, unknown, "status").await.as_deref(),
        Some("sent")
    );
    let note = payout_text(app, unknown, "error").await.unwrap_or_default();
    assert!(note.contains("reconciled as sent by admin"), "{note}");
    let (_, again) = app
        .interact(&click(&format!("tips:mark_sent:{unknown}")))
        .await;
    assert!(content(&again).contains("Nothing changed"), "{again}");

    app.interact(&click(&format!("tips:retry:{failed}"))).await;
    app.interact(&click(&format!("tips:approve:{awaiting}")))
        .await;
    assert_eq!(
        payout_text(app, failed, "status").await.as_deref(),
        Some("pending")
    );
    assert_eq!(
        payout_text(app, awaiting, "status").await.as_deref(),
        Some("pending")
    );
    assert_eq!(payout_text(app, failed, "nonce").await, nonce, "same nonce");
    let (_, missing) = app.interact(&click("tips:retry:999999")).await;
    assert!(content(&missing).contains("no payout #999999"), "{missing}");

    // The worker sends the retried payout with its original nonce.
    while send_next(&app.state).await.unwrap().is_some() {}
    let tips = rig.casino.tips();
    assert_eq!(tips.len(), 2);
    assert!(tips.iter().any(|t| t.nonce == nonce));
    let audit = "SELECT COUNT(*) FROM audit_log WHERE action IN \
                 ('tips.mark_sent', 'tips.retry', 'tips.approve') AND actor_id = '";
    assert_eq!(app.count(&format!("{audit}{ADMIN_ID}'")).await, 3);
    assert_eq!(count(app, "audit_log").await, 3);
}

async fn clear_tips_confirm_deletes_the_month_once(db: Db) {
    let Some(rig) = rig(db).await else { return };
    let app = &rig.app;
    let now = test_start().timestamp_millis();
    let award = |month: &'static str, uid: &'static str, tier: u32| async move {
        let mut conn = app.state.store.pool().acquire().await.unwrap();
        let key = format!("milestone:{month}:{uid}:{tier}");
        milestones::award(&mut conn, month, uid, tier, &key, now)
            .await
            .unwrap();
    };
    award("2026-11", "uid-a", 1).await;
    award("2026-11", "uid-a", 2).await;
    award("2026-10", "uid-a", 1).await;
    seed(
        app,
        "milestone:2026-11:uid-a:1",
        PayoutKind::Milestone,
        100,
        PayoutStatus::Sent,
        now,
    )
    .await;
    let month_rows = "SELECT COUNT(*) FROM milestone_awards WHERE month = '2026-11'";

    let bad = SynthInteraction::command(
        "clear_tips",
        &[("scope", OptionValue::String("all".into()))],
    );
    let (_, reply) = app.interact(&bad.by(Caller::ManageServer)).await;
    assert!(
        content(&reply).contains("`scope` must be one of"),
        "{reply}"
    );
    let ask = SynthInteraction::command(
        "clear_tips",
        &[("scope", OptionValue::String("month_milestones".into()))],
    );
    let (_, reply) = app.interact(&ask.by(Caller::ManageServer)).await;
    assert!(
        is_ephemeral(&reply)
            && content(&reply).contains("**2 milestone award records**")
            && content(&reply).contains("(1 player)"),
        "{reply}"
    );
    assert!(
        reply.to_string().contains("clear_tips:confirm:2026-11"),
        "{reply}"
    );
    assert_eq!(app.count(month_rows).await, 2, "asking deletes nothing");

    let (_, cancelled) = app.interact(&click("clear_tips:cancel")).await;
    assert!(content(&cancelled).contains("nothing was deleted"));
    let confirm = app.sign(&click("clear_tips:confirm:2026-11"));
    let done: Value = app.post_signed(&confirm).await.json().await.unwrap();
    assert!(content(&done).contains("Deleted 2"), "{done}");
    assert!(content(&done).contains("never paid twice"), "{done}");
    assert_eq!(app.count(month_rows).await, 0);
    assert_eq!(count(app, "milestone_awards").await, 1, "October stays");
    assert_eq!(count(app, "payouts").await, 1, "sent tips stay");

    award("2026-11", "uid-b", 1).await;
    let replay: Value = app.post_signed(&confirm).await.json().await.unwrap();
    assert_eq!(replay, done);
    assert_eq!(
        app.count(month_rows).await,
        1,
        "a replay deletes nothing more"
    );
    let audit = "SELECT COUNT(*) FROM audit_log WHERE action = 'clear_tips.month_milestones' \
                 AND actor_id = '";
    assert_eq!(app.count(&format!("{audit}{ADMIN_ID}'")).await, 1);
}

on_both_databases!(
    tipstats_figures_come_from_the_ledger,
    reconcile_buttons_apply_once_and_are_audited,
    clear_tips_confirm_deletes_the_month_once,
);
