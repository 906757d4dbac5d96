//! Client of the tipping endpoint that pays rewards out of the affiliate's
//! balance.
//!
//! A tip moves real money, so the client never retries: every answer is
//! sorted into "certainly sent", "certainly not sent" or "cannot know", and
//! only the caller — which persists the nonce — may decide to try again.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::config::Secret;
use crate::domain::money::Cents;
use crate::roobet::affiliate::{describe, endpoint};
use crate::roobet::body::{read_capped, BodyError, MAX_TIPPING_BODY};

/// Longest casino message kept in an outcome, so a huge error page cannot
/// flood logs or Discord.
const MAX_MESSAGE_CHARS: usize = 300;

/// One payout to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipRequest {
    /// Receiving player's casino uid.
    pub to_uid: String,
    /// Receiving player's name, which the API also wants.
    pub to_username: String,
    /// Amount; must be positive.
    pub amount: Cents,
    /// Unique per payout so a resend can be recognised.
    pub nonce: String,
}

/// What is known about a tip after one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TipOutcome {
    /// The casino confirmed the transfer.
    Sent,
    /// The casino certainly did not transfer (it said so, or we never sent).
    Refused(String),
    /// It may or may not have gone through; needs reconciliation, not a resend.
    Unknown(String),
}

impl TipOutcome {
    /// A short, stable name for metrics and log fields.
    pub fn label(&self) -> &'static str {
        match self {
            TipOutcome::Sent => "sent",
            TipOutcome::Refused(_) => "refused",
            TipOutcome::Unknown(_) => "unknown",
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendBody<'a> {
    user_id: &'a str,
    to_user_id: &'a str,
    to_user_name: &'a str,
    amount: f64,
    show_in_chat: bool,
    balance_type: &'static str,
    nonce: &'a str,
}

/// Talks to `POST {base}/_api/tipping/send` on behalf of one sender account.
#[derive(Debug, Clone)]
pub struct TippingClient {
    http: reqwest::Client,
    endpoint: Url,
    token: Secret,
    sender_user_id: String,
    timeout: Duration,
}

impl TippingClient {
    /// Builds a client; `base` is `TIPPING_API_BASE`.
    pub fn new(
        http: reqwest::Client,
        base: Url,
        token: Secret,
        sender_user_id: String,
        timeout: Duration,
    ) -> Self {
        Self {
            http,
            endpoint: endpoint(&base, &["_api", "tipping", "send"]),
            token,
            sender_user_id,
            timeout,
        }
    }

    /// Sends one tip, exactly once.
    pub async fn send(&self, tip: &TipRequest) -> TipOutcome {
        if tip.amount.cents() <= 0 {
            return TipOutcome::Refused("amount must be positive (not sent)".into());
        }
        let body = SendBody {
            user_id: &self.sender_user_id,
            to_user_id: &tip.to_uid,
            to_user_name: &tip.to_username,
            // Integer cents / 100 is the nearest f64 to a 2-decimal value,
            // and serde_json prints it back with at most 2 decimals.
            amount: tip.amount.as_dollars_f64(),
            show_in_chat: true,
            balance_type: "crypto",
            nonce: &tip.nonce,
        };
        let request = self
            .http
            .post(self.endpoint.clone())
            .bearer_auth(self.token.expose())
            .json(&body);
        let attempt = async {
            let resp = request
                .send()
                .await
                .map_err(|e| (None, BodyError::Transport(e)))?;
            let status = resp.status().as_u16();
            // A larger `2xx` answer leaves the outcome unknown (the tip may
            // have gone through), a larger `4xx` is a refusal, `5xx` unknown.
            let text = read_capped(resp, MAX_TIPPING_BODY)
                .await
                .map_err(|e| (Some(status), e))?;
            Ok::<_, (Option<u16>, BodyError)>((status, text))
        };
        let outcome = match tokio::time::timeout(self.timeout, attempt).await {
            Err(_) => TipOutcome::Unknown("timed out waiting for the casino".into()),
            // The connector failed: no byte of the request left this machine.
            Ok(Err((None, BodyError::Transport(e)))) if e.is_connect() => {
                TipOutcome::Refused(format!("not sent, could not connect: {}", describe(&e)))
            }
            Ok(Err((_, BodyError::Transport(e)))) if e.is_timeout() => {
                TipOutcome::Unknown("timed out waiting for the casino".into())
            }
            Ok(Err((_, BodyError::Transport(e)))) => {
                TipOutcome::Unknown(format!("transport error after sending: {}", describe(&e)))
            }
            Ok(Err((status, too_large @ BodyError::TooLarge { .. }))) => {
                oversized(status.unwrap_or(0), &too_large)
            }
            Ok(Ok((status, body))) => classify(status, &body),
        };
        tracing::info!(
            nonce = %tip.nonce,
            to_uid = %tip.to_uid,
            amount_cents = tip.amount.cents(),
            outcome = outcome.label(),
            "tip send finished"
        );
        outcome
    }
}

/// An answer whose body was over the cap and not read: the status alone
/// decides. A `2xx` may have moved the money (its `success` is unread), so
/// it is unknown — never a refusal that could lead to a second tip.
fn oversized(status: u16, error: &BodyError) -> TipOutcome {
    let what = format!("HTTP {status}, {} (not read)", error.describe());
    match status {
        400..=499 => TipOutcome::Refused(what),
        _ => TipOutcome::Unknown(format!("{what}: the tip may have been sent")),
    }
}

/// Sorts a complete HTTP answer into an outcome.
fn classify(status: u16, body: &[u8]) -> TipOutcome {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    match status {
        200..=299 => {
            if json
                .as_ref()
                .and_then(|j| j.get("success"))
                .is_some_and(truthy)
            {
                TipOutcome::Sent
            } else {
                TipOutcome::Refused(message(json.as_ref(), body, status))
            }
        }
        400..=499 => TipOutcome::Refused(message(json.as_ref(), body, status)),
        _ => TipOutcome::Unknown(format!(
            "HTTP {status}: {}",
            message(json.as_ref(), body, status)
        )),
    }
}

/// Only unambiguous "yes" values count as success.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// The casino's own words: `message`, else `error`, else the raw body.
fn message(json: Option<&Value>, body: &[u8], status: u16) -> String {
    let from_json = json.and_then(|j| {
        ["message", "error"]
            .iter()
            .find_map(|k| j.get(*k).and_then(Value::as_str).map(str::to_owned))
    });
    let text = from_json.unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned());
    let text = if text.is_empty() {
        format!("HTTP {status} with an empty body")
    } else {
        text
    };
    if text.chars().count() > MAX_MESSAGE_CHARS {
        let cut: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests;
