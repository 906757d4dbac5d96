//! The real clients against the fake casino, over loopback HTTP.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use url::Url;

use crate::clock::{Clock, ManualClock};
use crate::config::Secret;
use crate::domain::money::Cents;
use crate::roobet::fake::{FakeRow, DEMO_AFFILIATE_TOKEN, DEMO_TIPPING_TOKEN, DEMO_USER_ID};
use crate::roobet::{
    AffiliateClient, FakeCallKind, FakeCasino, FakeMode, RetryPolicy, TipBehaviour, TipOutcome,
    TipRequest, TippingClient,
};

fn clients(base: Url) -> (AffiliateClient, TippingClient) {
    let http = reqwest::Client::new();
    let retry = RetryPolicy {
        base_backoff: Duration::from_millis(5),
        max_retry_after: Duration::from_millis(20),
        request_timeout: Duration::from_secs(5),
        ..RetryPolicy::default()
    };
    let aff = AffiliateClient::new(
        http.clone(),
        base.clone(),
        Secret::new(DEMO_AFFILIATE_TOKEN),
        DEMO_USER_ID.into(),
        retry,
    );
    let tip = TippingClient::new(
        http,
        base,
        Secret::new(DEMO_TIPPING_TOKEN),
        DEMO_USER_ID.into(),
        Duration::from_millis(300),
    );
    (aff, tip)
}

#[tokio::test]
async fn simulated_month_leaderboard_then_tips() {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 18, 30, 0).unwrap(),
    ));
    let fake = FakeCasino::spawn(clock.clone(), FakeMode::Simulated { seed: 2026 })
        .await
        .unwrap();
    let (aff, tipper) = clients(fake.base_url());
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let end =
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() - chrono::Duration::milliseconds(1);
    let month = aff.period_figures(start, end, clock.now()).await.unwrap();
    assert!(month.len() >= 20);
    assert!(month
        .iter()
        .all(|f| f.weighted_wagered <= f.wagered && !f.username.is_empty()));
    let week_start = Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap();
    let week = aff
        .period_figures(week_start, end, clock.now())
        .await
        .unwrap();
    for w in &week {
        let m = month.iter().find(|m| m.uid == w.uid).unwrap();
        assert!(w.wagered <= m.wagered && w.weighted_wagered <= m.weighted_wagered);
    }
    let challenge = aff
        .game_figures("pragmatic:vs20olympgate", week_start, clock.now())
        .await
        .unwrap();
    assert!(challenge.iter().all(|f| f
        .best_hit
        .as_ref()
        .is_some_and(|h| h.game_title == "Gates of Olympus")));

    let mut top = month.clone();
    top.sort_by_key(|f| std::cmp::Reverse(f.weighted_wagered));
    for (i, winner) in top.iter().take(3).enumerate() {
        let tip = TipRequest {
            to_uid: winner.uid.clone(),
            to_username: winner.username.clone(),
            amount: Cents::new(5_000 / (i as i64 + 1)),
            nonce: format!("month-2026-11-rank-{}", i + 1),
        };
        assert_eq!(tipper.send(&tip).await, TipOutcome::Sent);
    }
    let tips = fake.tips();
    assert_eq!(tips.len(), 3);
    assert_eq!(tips[1].amount, Some(25.0));
    assert_eq!(tips[2].nonce.as_deref(), Some("month-2026-11-rank-3"));
    assert_eq!(tips[0].to_user_id.as_deref(), Some(top[0].uid.as_str()));

    fake.set_tip_behaviour(TipBehaviour::Hang);
    let hung = TipRequest {
        to_uid: "x".into(),
        to_username: "X".into(),
        amount: Cents::new(100),
        nonce: "h".into(),
    };
    assert_eq!(
        tipper.send(&hung).await.label(),
        "unknown",
        "a hung tip is unknown, never retried"
    );
    assert_eq!(fake.tips().len(), 4);
    fake.shutdown().await;
}

#[tokio::test]
async fn scripted_failures_reach_the_client_as_typed_errors() {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 5, 0, 0, 0).unwrap(),
    ));
    let fake = FakeCasino::spawn(clock.clone(), FakeMode::Scripted)
        .await
        .unwrap();
    fake.set_rows(
        FakeCallKind::Weighted,
        [FakeRow::new("a", "Alpha").wagered(3.0).weighted(2.0).hit(
            512.4,
            0.4,
            204.96,
            "pragmatic:vs10bbbbrnd",
            "Big Bass Bonanza",
        )],
    );
    fake.set_rows(
        FakeCallKind::Total,
        [
            FakeRow::new("a", "Alpha").wagered(9.0),
            FakeRow::new("b", "Bravo").wagered(1.0),
        ],
    );
    let (aff, tipper) = clients(fake.base_url());
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    fake.fail_next(2, 500);
    let figs = aff
        .period_figures(start, clock.now(), clock.now())
        .await
        .unwrap();
    assert_eq!(figs.len(), 2);
    assert_eq!(
        (figs[0].wagered, figs[0].weighted_wagered),
        (Cents::new(900), Cents::new(200))
    );
    assert_eq!(figs[1].weighted_wagered, Cents::new(0));
    fake.respond_malformed_next(1);
    let err = aff
        .game_figures("hacksaw:wanted", start, clock.now())
        .await
        .unwrap_err();
    assert_eq!(err.label(), "malformed");
    fake.fail_next(1, 401);
    assert_eq!(
        aff.game_figures("hacksaw:wanted", start, clock.now())
            .await
            .unwrap_err()
            .label(),
        "unauthorized"
    );
    assert_eq!(fake.stats_requests().len(), 6);
    fake.set_tip_behaviour(TipBehaviour::Refuse("Tipping disabled".into()));
    let tip = TipRequest {
        to_uid: "a".into(),
        to_username: "Alpha".into(),
        amount: Cents::new(1),
        nonce: "n".into(),
    };
    assert_eq!(
        tipper.send(&tip).await,
        TipOutcome::Refused("Tipping disabled".into())
    );
    fake.shutdown().await;
}
