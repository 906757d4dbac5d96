use chrono::{TimeZone, Utc};

use super::*;
use crate::clock::ManualClock;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 10, 12, 0, 0).unwrap(),
    ))
}

async fn scripted() -> FakeCasino {
    FakeCasino::spawn(clock(), FakeMode::Scripted)
        .await
        .unwrap()
}

fn stats_url(fake: &FakeCasino, extra: &[(&str, &str)]) -> Url {
    let mut url = fake.base_url().join("affiliate/v2/stats").unwrap();
    url.query_pairs_mut()
        .append_pair("userId", DEMO_USER_ID)
        .append_pair("startDate", "2026-11-01T00:00:00.000Z")
        .append_pair("endDate", "2026-11-30T23:59:59.999Z")
        .extend_pairs(extra);
    url
}

async fn get(url: Url, token: &str) -> (u16, String) {
    let resp = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

const WEIGHTED: [(&str, &str); 2] = [
    ("categories", "slots,provably fair"),
    ("gameIdentifiers", "-housegames:dice"),
];

#[tokio::test]
async fn scripted_rows_are_answered_per_call_kind() {
    let fake = scripted().await;
    fake.set_rows(
        FakeCallKind::Weighted,
        [FakeRow::new("a", "Alpha").wagered(10.0).weighted(5.0)],
    );
    fake.set_rows(FakeCallKind::Total, vec![json!({"uid": "b", "wagered": 1})]);
    let (status, body) = get(stats_url(&fake, &WEIGHTED), DEMO_AFFILIATE_TOKEN).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()[0]["weightedWagered"],
        5.0
    );
    let (_, body) = get(stats_url(&fake, &[]), DEMO_AFFILIATE_TOKEN).await;
    assert!(body.contains("\"b\""));
    let game = [
        ("categories", "slots"),
        ("gameIdentifiers", "hacksaw:wanted"),
    ];
    assert_eq!(
        get(stats_url(&fake, &game), DEMO_AFFILIATE_TOKEN).await.1,
        "[]"
    );
    fake.set_wrap_in_data(true);
    assert_eq!(
        get(stats_url(&fake, &game), DEMO_AFFILIATE_TOKEN).await.1,
        "{\"data\":[]}"
    );
    let recorded = fake.stats_requests();
    assert_eq!(recorded.len(), 4);
    assert_eq!(recorded[0].kind, Some(FakeCallKind::Weighted));
    assert_eq!(recorded[0].get("categories"), Some("slots,provably fair"));
    assert_eq!(
        recorded[2].kind,
        Some(FakeCallKind::Game("hacksaw:wanted".into()))
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn checks_token_user_and_dates() {
    let fake = scripted().await;
    assert_eq!(get(stats_url(&fake, &[]), "wrong").await.0, 401);
    assert!(!fake.stats_requests()[0].authorized);
    let mut url = fake.base_url().join("affiliate/v2/stats").unwrap();
    url.query_pairs_mut()
        .append_pair("userId", DEMO_USER_ID)
        .append_pair("startDate", "2026-11-01T00:00:00+00:00")
        .append_pair("endDate", "2026-11-30T23:59:59.999Z");
    assert_eq!(get(url, DEMO_AFFILIATE_TOKEN).await.0, 400);
    fake.set_user_id("someone-else");
    assert_eq!(
        get(stats_url(&fake, &[]), DEMO_AFFILIATE_TOKEN).await.0,
        403
    );
    fake.set_expected_tokens("new-aff", "new-tip");
    fake.set_user_id(DEMO_USER_ID);
    assert_eq!(get(stats_url(&fake, &[]), "new-aff").await.0, 200);
}

#[tokio::test]
async fn failure_knobs_apply_in_order() {
    let fake = scripted().await;
    fake.fail_next(1, 429);
    fake.fail_next(1, 503);
    fake.respond_malformed_next(1);
    let resp = reqwest::Client::new()
        .get(stats_url(&fake, &[]))
        .bearer_auth(DEMO_AFFILIATE_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["retry-after"], "1");
    assert_eq!(
        get(stats_url(&fake, &[]), DEMO_AFFILIATE_TOKEN).await.0,
        503
    );
    let (status, body) = get(stats_url(&fake, &[]), DEMO_AFFILIATE_TOKEN).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<Value>(&body).is_err());
    assert_eq!(
        get(stats_url(&fake, &[]), DEMO_AFFILIATE_TOKEN).await,
        (200, "[]".into())
    );
}

#[tokio::test]
async fn simulated_answers_follow_the_clock() {
    let clock = clock();
    let fake = FakeCasino::spawn(clock.clone(), FakeMode::Simulated { seed: 9 })
        .await
        .unwrap();
    let total = |body: String| -> i64 {
        let rows: Vec<Value> = serde_json::from_str(&body).unwrap();
        rows.iter()
            .map(|r| (r["wagered"].as_f64().unwrap() * 100.0).round() as i64)
            .sum()
    };
    let first = total(
        get(stats_url(&fake, &WEIGHTED), DEMO_AFFILIATE_TOKEN)
            .await
            .1,
    );
    let again = total(
        get(stats_url(&fake, &WEIGHTED), DEMO_AFFILIATE_TOKEN)
            .await
            .1,
    );
    assert!(first > 0);
    assert_eq!(first, again, "a stopped clock gives the same answer");
    clock.advance(chrono::Duration::hours(6));
    let later = total(
        get(stats_url(&fake, &WEIGHTED), DEMO_AFFILIATE_TOKEN)
            .await
            .1,
    );
    assert!(later > first, "wagering goes on as time passes");
    clock.set(Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap());
    assert_eq!(
        get(stats_url(&fake, &WEIGHTED), DEMO_AFFILIATE_TOKEN)
            .await
            .1,
        "[]"
    );
    fake.shutdown().await;
}

async fn post_tip(fake: &FakeCasino, body: Value) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(fake.base_url().join("_api/tipping/send").unwrap())
        .bearer_auth(DEMO_TIPPING_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

fn tip_body(amount: f64, nonce: &str) -> Value {
    json!({"userId": DEMO_USER_ID, "toUserId": "u1", "toUserName": "Ace", "amount": amount,
           "showInChat": true, "balanceType": "crypto", "nonce": nonce})
}

#[tokio::test]
async fn tips_are_recorded_and_answered_per_behaviour() {
    let fake = scripted().await;
    assert_eq!(
        post_tip(&fake, tip_body(13.5, "n1")).await,
        (200, json!({"success": true}))
    );
    fake.set_tip_behaviour(TipBehaviour::Refuse("Insufficient balance".into()));
    let (status, body) = post_tip(&fake, tip_body(1.0, "n2")).await;
    assert_eq!((status, body["success"].clone()), (200, json!(false)));
    fake.set_tip_behaviour(TipBehaviour::Status(502));
    assert_eq!(post_tip(&fake, tip_body(1.0, "n3")).await.0, 502);
    assert_eq!(
        post_tip(&fake, tip_body(1.005, "n4")).await.0,
        400,
        "3 decimals"
    );
    let tips = fake.tips();
    assert_eq!(tips.len(), 4);
    assert_eq!(tips[0].nonce.as_deref(), Some("n1"));
    assert_eq!(tips[0].amount, Some(13.5));
    assert_eq!(tips[0].to_user_name.as_deref(), Some("Ace"));
    assert_eq!(tips[0].balance_type.as_deref(), Some("crypto"));
    assert!(tips
        .iter()
        .all(|t| t.authorized && t.show_in_chat == Some(true)));
}

#[tokio::test]
async fn hang_holds_tips_until_released() {
    let fake = scripted().await;
    fake.set_tip_behaviour(TipBehaviour::Hang);
    let url = fake.base_url().join("_api/tipping/send").unwrap();
    let pending = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .bearer_auth(DEMO_TIPPING_TOKEN)
            .json(&tip_body(2.0, "h1"))
            .send()
            .await
    });
    for _ in 0..100 {
        if !fake.tips().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(fake.tips().len(), 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!pending.is_finished(), "the request is held open");
    fake.release_hung_tips();
    let resp = tokio::time::timeout(Duration::from_secs(5), pending)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    fake.shutdown().await;
}
