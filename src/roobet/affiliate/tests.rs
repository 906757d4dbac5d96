use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::domain::money::{Cents, Multiplier};

const TOKEN: &str = "s3cret-token";

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_tries: 3,
        base_backoff: Duration::from_millis(5),
        max_retry_after: Duration::from_millis(100),
        request_timeout: Duration::from_millis(500),
    }
}

fn client(server: &MockServer, retry: RetryPolicy) -> AffiliateClient {
    let base = Url::parse(&server.uri()).unwrap();
    AffiliateClient::new(
        reqwest::Client::new(),
        base,
        Secret::new(TOKEN),
        "aff-42".into(),
        retry,
    )
}

fn nov() -> (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>) {
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2026, 11, 30, 23, 59, 59).unwrap()
        + chrono::Duration::milliseconds(999);
    let now = Utc.with_ymd_and_hms(2026, 11, 15, 12, 0, 0).unwrap();
    (start, end, now)
}

fn weighted_q() -> StatsQuery {
    let (start, end, _) = nov();
    StatsQuery {
        start,
        end,
        filter: StatsFilter::Weighted,
    }
}

fn row(uid: &str, name: &str, wagered: f64, weighted: f64) -> serde_json::Value {
    json!({"uid": uid, "username": name, "wagered": wagered, "weightedWagered": weighted})
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn weighted_call_sends_exact_params_encoding_and_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/affiliate/v2/stats"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(query_param("userId", "aff-42"))
        .and(query_param("startDate", "2026-11-01T00:00:00.000Z"))
        .and(query_param("endDate", "2026-11-30T23:59:59.999Z"))
        .and(query_param("categories", "slots,provably fair"))
        .and(query_param("gameIdentifiers", "-housegames:dice"))
        .and(query_param("timestamp", "2026-11-15T12:00:00.000Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([row("u1", "A", 10.0, 5.0)])))
        .expect(1)
        .mount(&server)
        .await;
    let (_, _, now) = nov();
    let rows = client(&server, fast_retry())
        .stats(&weighted_q(), now)
        .await
        .unwrap();
    assert_eq!(rows[0].weighted_wagered, Cents::new(500));
    let reqs = requests(&server).await;
    let raw = reqs[0].url.query().unwrap().to_owned();
    assert!(
        raw.contains("startDate=2026-11-01T00%3A00%3A00.000Z"),
        "{raw}"
    );
    assert!(raw.contains("categories=slots%2Cprovably+fair"), "{raw}");
    assert!(raw.contains("gameIdentifiers=-housegames%3Adice"), "{raw}");
    assert!(!raw.contains(' '));
    assert!(!raw.contains(TOKEN), "token must never be in the URL");
}

#[tokio::test]
async fn total_and_game_calls_have_their_own_shapes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&server)
        .await;
    let c = client(&server, fast_retry());
    let (start, end, now) = nov();
    let total = StatsQuery {
        start,
        end,
        filter: StatsFilter::Total,
    };
    assert!(c.stats(&total, now).await.unwrap().is_empty());
    assert!(c
        .game_figures("pragmatic:vs10bbbbrnd", start, now)
        .await
        .unwrap()
        .is_empty());
    let reqs = requests(&server).await;
    let params =
        |i: usize| -> HashMap<String, String> { reqs[i].url.query_pairs().into_owned().collect() };
    let t = params(0);
    assert!(!t.contains_key("categories") && !t.contains_key("gameIdentifiers"));
    let g = params(1);
    assert_eq!(g["gameIdentifiers"], "pragmatic:vs10bbbbrnd");
    assert_eq!(g["categories"], "slots,provably fair");
    assert_eq!(g["startDate"], "2026-11-01T00:00:00.000Z");
    assert_eq!(g["endDate"], "2026-11-15T12:00:00.000Z");
}

#[tokio::test]
async fn rate_limit_waits_capped_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "30"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([row("u1", "A", 1.0, 1.0)])))
        .mount(&server)
        .await;
    let began = Instant::now();
    let rows = client(&server, fast_retry())
        .stats(&weighted_q(), nov().2)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let waited = began.elapsed();
    assert!(
        waited >= Duration::from_millis(100),
        "honours the capped Retry-After"
    );
    assert!(waited < Duration::from_secs(5), "caps the 30 s Retry-After");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn rate_limited_on_every_try_reports_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .mount(&server)
        .await;
    let err = client(&server, fast_retry())
        .stats(&weighted_q(), nov().2)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AffiliateError::RateLimited {
            retry_after: Some(Duration::ZERO)
        }
    );
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn server_errors_give_up_after_three_tries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .expect(3)
        .mount(&server)
        .await;
    let err = client(&server, fast_retry())
        .stats(&weighted_q(), nov().2)
        .await
        .unwrap_err();
    assert_eq!(err, AffiliateError::Server(500));
    assert_eq!(err.label(), "server");
}

#[tokio::test]
async fn server_error_then_success_recovers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    assert!(client(&server, fast_retry())
        .stats(&weighted_q(), nov().2)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn unauthorized_and_malformed_are_not_retried() {
    for (status, body, expected) in [
        (401, "", AffiliateError::Unauthorized(401)),
        (403, "", AffiliateError::Unauthorized(403)),
        (404, "", AffiliateError::UnexpectedStatus(404)),
        (
            200,
            "{\"oops\":1}",
            AffiliateError::Malformed("object without a `data` array".into()),
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server, fast_retry())
            .stats(&weighted_q(), nov().2)
            .await
            .unwrap_err();
        assert_eq!(err, expected);
    }
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let retry = RetryPolicy {
        request_timeout: Duration::from_millis(100),
        ..fast_retry()
    };
    let err = client(&server, retry)
        .stats(&weighted_q(), nov().2)
        .await
        .unwrap_err();
    assert_eq!(err, AffiliateError::Timeout);
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn connection_refused_is_transport() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    drop(listener);
    let c = AffiliateClient::new(
        reqwest::Client::new(),
        base,
        Secret::new(TOKEN),
        "a".into(),
        fast_retry(),
    );
    let err = c.stats(&weighted_q(), nov().2).await.unwrap_err();
    assert_eq!(err.label(), "transport");
    assert!(!err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn period_figures_joins_weighted_and_total() {
    let server = MockServer::start().await;
    let hit = json!({"multiplier": 512.4, "wagered": 0.4, "payout": 204.96,
                     "gameId": "pragmatic:vs10bbbbrnd", "gameTitle": "Big Bass Bonanza"});
    let mut a = row("a", "Alpha", 90.0, 50.0);
    a["highestMultiplier"] = hit;
    Mock::given(method("GET"))
        .and(query_param("gameIdentifiers", "-housegames:dice"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([a, row("b", "", 5.0, 5.0)])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("categories"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            row("c", "Charlie", 7.0, 0.0), row("b", "Bravo", 20.0, 9.0), row("a", "Alpha", 100.0, 60.0)]})))
        .mount(&server)
        .await;
    let (start, end, now) = nov();
    let figs = client(&server, fast_retry())
        .period_figures(start, end, now)
        .await
        .unwrap();
    let uids: Vec<_> = figs.iter().map(|f| f.uid.as_str()).collect();
    assert_eq!(uids, ["a", "b", "c"]);
    assert_eq!(
        (figs[0].wagered, figs[0].weighted_wagered),
        (Cents::new(10_000), Cents::new(5_000))
    );
    assert_eq!(
        figs[0].best_hit.as_ref().unwrap().multiplier,
        Multiplier(51_240)
    );
    assert_eq!(
        figs[1].username, "Bravo",
        "falls back to the total call's name"
    );
    assert_eq!(
        (figs[2].wagered, figs[2].weighted_wagered),
        (Cents::new(700), Cents::new(0))
    );
    assert!(figs.iter().all(|f| f.weighted_since_ms == 0));
}

#[test]
fn join_keeps_weighted_only_players_with_their_own_wager() {
    let w = parse_stats_body(br#"[{"uid":"x","username":"X","wagered":3,"weightedWagered":2}]"#)
        .unwrap();
    let figs = join_by_uid(w, vec![]);
    assert_eq!(
        (figs[0].wagered, figs[0].weighted_wagered),
        (Cents::new(300), Cents::new(200))
    );
}

#[test]
fn join_takes_activity_from_the_total_call_and_weighted_sessions_from_the_weighted_one() {
    let w = parse_stats_body(
        br#"[{"uid":"x","wagered":3,"weightedWagered":2,"sessions":4,"payout":1,"net":-2},
             {"uid":"y","wagered":3,"weightedWagered":2,"sessions":5,"payout":1.5,"net":-1.5}]"#,
    )
    .unwrap();
    let t = parse_stats_body(
        br#"[{"uid":"x","wagered":9,"sessions":7,"payout":8,"net":-1},
             {"uid":"z","wagered":1,"sessions":1}]"#,
    )
    .unwrap();
    let figs = join_by_uid(w, t);
    let seen: Vec<_> = figs.iter().map(|f| (f.uid.as_str(), f.activity)).collect();
    let activity = |sessions, weighted_sessions, payout: Option<i64>, net: Option<i64>| Activity {
        sessions,
        weighted_sessions,
        payout: payout.map(Cents::new),
        net: net.map(Cents::new),
    };
    assert_eq!(
        seen,
        [
            ("x", activity(Some(7), Some(4), Some(800), Some(-100))),
            // Missing from the total call: its own call's figures, as for `wagered`.
            ("y", activity(Some(5), Some(5), Some(150), Some(-150))),
            ("z", activity(Some(1), None, None, None)),
        ]
    );
}

#[test]
fn endpoint_respects_base_paths_and_debug_hides_token() {
    let with_path = Url::parse("https://api.example.test/v1/").unwrap();
    assert_eq!(
        endpoint(&with_path, &["a", "b"]).as_str(),
        "https://api.example.test/v1/a/b"
    );
    let bare = Url::parse("https://api.example.test").unwrap();
    assert_eq!(
        endpoint(&bare, &["a"]).as_str(),
        "https://api.example.test/a"
    );
    let c = AffiliateClient::new(
        reqwest::Client::new(),
        bare,
        Secret::new(TOKEN),
        "u".into(),
        RetryPolicy::default(),
    );
    assert!(!format!("{c:?}").contains(TOKEN));
}

#[test]
fn backoff_doubles() {
    let p = fast_retry();
    assert_eq!(p.backoff(2), Duration::from_millis(5));
    assert_eq!(p.backoff(3), Duration::from_millis(10));
    assert_eq!(p.backoff(4), Duration::from_millis(20));
}

async fn scripted_casino() -> crate::roobet::fake::FakeCasino {
    let (_, _, now) = nov();
    let clock = std::sync::Arc::new(crate::clock::ManualClock::new(now));
    crate::roobet::fake::FakeCasino::spawn(clock, crate::roobet::fake::FakeMode::Scripted)
        .await
        .unwrap()
}

fn casino_client(casino: &crate::roobet::fake::FakeCasino, cap: usize) -> AffiliateClient {
    AffiliateClient::new(
        reqwest::Client::new(),
        casino.base_url(),
        Secret::new(crate::roobet::fake::DEMO_AFFILIATE_TOKEN),
        crate::roobet::fake::DEMO_USER_ID.into(),
        RetryPolicy {
            request_timeout: Duration::from_secs(10),
            ..fast_retry()
        },
    )
    .with_max_body(cap)
}

#[tokio::test]
async fn answers_over_the_cap_are_malformed_and_not_retried() {
    const CAP: usize = 256 * 1024;
    let (_, _, now) = nov();
    for announce_length in [true, false] {
        let casino = scripted_casino().await;
        casino.set_rows(
            crate::roobet::fake::FakeCallKind::Weighted,
            [json!({"uid": "u1", "username": "A", "wagered": 1.0, "weightedWagered": 1.0})],
        );
        casino.respond_oversized_next(1, 4 * CAP as u64, announce_length);
        let client = casino_client(&casino, CAP);
        let err = client.stats(&weighted_q(), now).await.unwrap_err();
        assert_eq!(err.label(), "malformed", "{err}");
        assert!(err.to_string().contains("cap"), "{err}");
        assert_eq!(
            casino.stats_requests().len(),
            1,
            "a malformed answer is not retried"
        );
        // The next (normal) answer is read as usual: the cap is per answer.
        let rows = client.stats(&weighted_q(), now).await.unwrap();
        assert_eq!(rows.len(), 1);
    }
}

#[tokio::test]
async fn an_answer_just_under_the_cap_is_read() {
    let server = MockServer::start().await;
    let body = serde_json::to_vec(&json!([row("u1", "A", 10.0, 5.0)])).unwrap();
    let cap = body.len();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let (_, _, now) = nov();
    let client = client(&server, fast_retry()).with_max_body(cap);
    assert_eq!(client.stats(&weighted_q(), now).await.unwrap().len(), 1);
    let client = client.with_max_body(cap - 1);
    let err = client.stats(&weighted_q(), now).await.unwrap_err();
    assert_eq!(err.label(), "malformed");
}

#[test]
fn only_dice_is_left_out_of_the_weighted_boards() {
    assert!(!counts_toward_weighted("housegames:dice"));
    assert!(!counts_toward_weighted(" HouseGames:Dice "));
    assert!(counts_toward_weighted("housegames:crash"));
    assert!(counts_toward_weighted("pragmatic:vs20olympgate"));
}
