//! Client-level checks that need the private rate-limit state, against a
//! fake Discord on loopback.

use serde_json::json;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::limits::MAX_TRACKED_BUCKETS;
use super::*;

#[test]
fn retry_after_comes_from_the_header_or_the_body() {
    let mut headers = HeaderMap::new();
    assert_eq!(
        retry_after(&headers, r#"{"retry_after": 0.25}"#),
        Duration::from_millis(250)
    );
    headers.insert("retry-after", "3".parse().unwrap());
    assert_eq!(retry_after(&headers, ""), Duration::from_secs(3));
}

#[tokio::test]
async fn many_interaction_tokens_keep_the_rate_limit_maps_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path_regex(r"^/webhooks/77/[^/]+/messages/@original$"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-bucket", "interaction-edits")
                .insert_header("x-ratelimit-limit", "5")
                .insert_header("x-ratelimit-remaining", "4")
                .insert_header("x-ratelimit-reset-after", "900")
                .set_body_json(json!({ "id": "1" })),
        )
        .mount(&server)
        .await;
    let rest = DiscordRest::new(&server.uri(), Secret::new("bot-token")).unwrap();
    let tokens = MAX_TRACKED_BUCKETS + 200;
    for n in 0..tokens {
        rest.edit_original_response(77, &format!("interaction-token-{n}"), &json!({}))
            .await
            .unwrap();
    }
    let (routes, buckets) = rest.limits().tracked();
    assert_eq!(routes, 1, "one template for every token");
    assert_eq!(buckets, MAX_TRACKED_BUCKETS, "after {tokens} tokens");
}
