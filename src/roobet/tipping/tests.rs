use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

fn client(server: &MockServer, timeout: Duration) -> TippingClient {
    TippingClient::new(
        reqwest::Client::new(),
        Url::parse(&server.uri()).unwrap(),
        Secret::new("tip-token"),
        "aff-42".into(),
        timeout,
    )
}

fn tip() -> TipRequest {
    TipRequest {
        to_uid: "u1".into(),
        to_username: "LuckyDuck".into(),
        amount: Cents::new(1350),
        nonce: "payout-7".into(),
    }
}

async fn outcome_for(template: ResponseTemplate) -> TipOutcome {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(template)
        .expect(1)
        .mount(&server)
        .await;
    client(&server, Duration::from_secs(5)).send(&tip()).await
}

#[tokio::test]
async fn success_sends_the_exact_body_and_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/_api/tipping/send"))
        .and(header("authorization", "Bearer tip-token"))
        .and(body_json(
            json!({"userId": "aff-42", "toUserId": "u1", "toUserName": "LuckyDuck",
            "amount": 13.5, "showInChat": true, "balanceType": "crypto", "nonce": "payout-7"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let outcome = client(&server, Duration::from_secs(5)).send(&tip()).await;
    assert_eq!(outcome, TipOutcome::Sent);
    assert_eq!(outcome.label(), "sent");
}

#[tokio::test]
async fn amount_is_printed_with_at_most_two_decimals() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .mount(&server)
        .await;
    let c = client(&server, Duration::from_secs(5));
    for cents in [7, 10, 1999, 123_456_789] {
        c.send(&TipRequest {
            amount: Cents::new(cents),
            ..tip()
        })
        .await;
    }
    let amounts: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["amount"].to_string())
        .collect();
    assert_eq!(amounts, ["0.07", "0.1", "19.99", "1234567.89"]);
}

#[tokio::test]
async fn success_false_is_refused_with_the_message() {
    let o = outcome_for(
        ResponseTemplate::new(200)
            .set_body_json(json!({"success": false, "message": "Insufficient balance"})),
    )
    .await;
    assert_eq!(o, TipOutcome::Refused("Insufficient balance".into()));
    let o = outcome_for(ResponseTemplate::new(200).set_body_string("nope")).await;
    assert_eq!(o, TipOutcome::Refused("nope".into()));
    let o =
        outcome_for(ResponseTemplate::new(200).set_body_json(json!({"success": "false"}))).await;
    assert_eq!(o.label(), "refused");
}

#[tokio::test]
async fn client_errors_are_refused_with_the_message() {
    let o =
        outcome_for(ResponseTemplate::new(400).set_body_json(json!({"message": "User not found"})))
            .await;
    assert_eq!(o, TipOutcome::Refused("User not found".into()));
    let o = outcome_for(ResponseTemplate::new(401)).await;
    assert_eq!(o, TipOutcome::Refused("HTTP 401 with an empty body".into()));
}

#[tokio::test]
async fn server_errors_are_unknown_and_not_retried() {
    let o = outcome_for(ResponseTemplate::new(500).set_body_string("boom")).await;
    assert_eq!(o, TipOutcome::Unknown("HTTP 500: boom".into()));
    assert_eq!(o.label(), "unknown");
}

#[tokio::test]
async fn timeout_is_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true}))
                .set_delay(Duration::from_secs(3)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let o = client(&server, Duration::from_millis(100))
        .send(&tip())
        .await;
    assert!(
        matches!(o, TipOutcome::Unknown(ref m) if m.contains("timed out")),
        "{o:?}"
    );
}

#[tokio::test]
async fn connect_failure_is_refused_and_bad_amounts_never_leave() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    drop(listener);
    let c = TippingClient::new(
        reqwest::Client::new(),
        base,
        Secret::new("t"),
        "a".into(),
        Duration::from_secs(2),
    );
    assert_eq!(c.send(&tip()).await.label(), "refused");
    let zero = TipRequest {
        amount: Cents::new(0),
        ..tip()
    };
    assert_eq!(c.send(&zero).await.label(), "refused");
}

#[test]
fn long_messages_are_truncated() {
    let body = "x".repeat(1000);
    match classify(418, body.as_bytes()) {
        TipOutcome::Refused(m) => assert_eq!(m.chars().count(), MAX_MESSAGE_CHARS + 1),
        other => panic!("{other:?}"),
    }
    assert_eq!(classify(200, br#"{"success":1}"#), TipOutcome::Sent);
}

async fn fake_casino() -> crate::roobet::fake::FakeCasino {
    let clock = std::sync::Arc::new(crate::clock::ManualClock::new(
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
    ));
    crate::roobet::fake::FakeCasino::spawn(clock, crate::roobet::fake::FakeMode::Scripted)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_oversized_success_is_unknown_never_refused() {
    for announce_length in [true, false] {
        let casino = fake_casino().await;
        casino.set_tip_behaviour(crate::roobet::fake::TipBehaviour::Oversized {
            bytes: 3 * MAX_TIPPING_BODY as u64,
            announce_length,
        });
        let client = TippingClient::new(
            reqwest::Client::new(),
            casino.base_url(),
            Secret::new(crate::roobet::fake::DEMO_TIPPING_TOKEN),
            crate::roobet::fake::DEMO_USER_ID.into(),
            Duration::from_secs(10),
        );
        let outcome = client.send(&tip()).await;
        let TipOutcome::Unknown(why) = &outcome else {
            panic!("an unread 200 may have paid: {outcome:?}");
        };
        assert!(why.contains("HTTP 200") && why.contains("1 MiB"), "{why}");
        assert_eq!(casino.tips().len(), 1, "sent once, never again");
    }
}

#[tokio::test]
async fn an_oversized_refusal_stays_a_refusal() {
    let big = vec![b'x'; 2 * MAX_TIPPING_BODY];
    let outcome = outcome_for(ResponseTemplate::new(400).set_body_raw(big, "text/plain")).await;
    assert!(
        matches!(&outcome, TipOutcome::Refused(m) if m.contains("HTTP 400")),
        "{outcome:?}"
    );
    let big = vec![b'x'; 2 * MAX_TIPPING_BODY];
    let outcome = outcome_for(ResponseTemplate::new(503).set_body_raw(big, "text/plain")).await;
    assert_eq!(outcome.label(), "unknown");
}
