//! Discord REST client for what a gateway-less bot does: register commands,
//! post and edit channel messages, finish deferred replies.
//!
//! It follows Discord's rate-limit contract: routes are mapped to the bucket
//! the `X-RateLimit-Bucket` header names, a bucket with no requests left
//! waits for its reset, a 429 waits `Retry-After` and retries, and a 401
//! switches the client off (a bad token must not keep hitting the API:
//! 10,000 invalid requests in 10 minutes gets the IP banned).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{HeaderMap, AUTHORIZATION, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;
use twilight_model::application::command::Command;

use crate::config::Secret;

/// How many times one call is retried after a 429 before giving up.
const MAX_RATE_LIMIT_RETRIES: u32 = 3;
/// The longest we wait for a rate limit within one call.
const MAX_WAIT: Duration = Duration::from_secs(60);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A REST call failed.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// The token was refused; the client is now off until restart.
    #[error("Discord refused the bot token (401); REST calls are off until restart")]
    Unauthorized,
    /// The bot lacks access to the resource (403).
    #[error("Discord denied access (403): {0}")]
    Forbidden(String),
    /// The channel or message does not exist (404), e.g. a deleted message.
    #[error("not found on Discord (404): {0}")]
    NotFound(String),
    /// Still rate-limited after retrying.
    #[error("rate-limited by Discord for too long")]
    RateLimited,
    /// Any other non-success status.
    #[error("Discord answered {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the body, for logs.
        body: String,
    },
    /// The request did not complete.
    #[error("Discord unreachable: {0}")]
    Transport(#[from] reqwest::Error),
    /// A success answer we could not read.
    #[error("unexpected Discord answer: {0}")]
    Decode(String),
}

/// The `external_calls` outcome label of a Discord call, in the vocabulary
/// every service uses (`ok`, `rate_limited`, `client_error`, …), so `/status`
/// and the dashboards can add them up.
pub fn call_outcome(error: Option<&RestError>) -> &'static str {
    match error {
        None => "ok",
        Some(RestError::RateLimited) => "rate_limited",
        Some(RestError::Transport(e)) if e.is_timeout() => "timeout",
        Some(RestError::Transport(_)) => "transport_error",
        Some(RestError::Status { status, .. }) if *status >= 500 => "server_error",
        Some(RestError::Decode(_)) => "server_error",
        Some(
            RestError::Unauthorized
            | RestError::Forbidden(_)
            | RestError::NotFound(_)
            | RestError::Status { .. },
        ) => "client_error",
    }
}

impl RestError {
    /// A short label for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::RateLimited => "rate_limited",
            Self::Status { .. } => "status",
            Self::Transport(_) => "transport",
            Self::Decode(_) => "decode",
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct BucketState {
    remaining: u64,
    reset_at: Instant,
}

#[derive(Debug, Default)]
struct RateLimits {
    /// Route key → bucket id, learned from `X-RateLimit-Bucket`.
    buckets_by_route: HashMap<String, String>,
    /// Bucket id → what the last answer said about it.
    buckets: HashMap<String, BucketState>,
    /// A global 429 blocks every route until then.
    global_until: Option<Instant>,
}

impl RateLimits {
    fn wait_for(&self, route: &str, now: Instant) -> Option<Duration> {
        let mut until = self.global_until.filter(|t| *t > now);
        if let Some(state) = self
            .buckets_by_route
            .get(route)
            .and_then(|bucket| self.buckets.get(bucket))
        {
            if state.remaining == 0 && state.reset_at > now {
                until = Some(until.map_or(state.reset_at, |g| g.max(state.reset_at)));
            }
        }
        until.map(|t| (t - now).min(MAX_WAIT))
    }

    fn learn(&mut self, route: &str, headers: &HeaderMap, now: Instant) {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let Some(bucket) = header("x-ratelimit-bucket") else {
            return;
        };
        self.buckets_by_route
            .insert(route.to_string(), bucket.to_string());
        let remaining = header("x-ratelimit-remaining").and_then(|v| v.parse::<u64>().ok());
        let reset_after = header("x-ratelimit-reset-after").and_then(parse_seconds);
        if let (Some(remaining), Some(reset_after)) = (remaining, reset_after) {
            self.buckets.insert(
                bucket.to_string(),
                BucketState {
                    remaining,
                    reset_at: now + reset_after,
                },
            );
        }
    }
}

fn parse_seconds(text: &str) -> Option<Duration> {
    let seconds: f64 = text.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// The rate-limit key of a path: Discord limits per route with its major
/// parameters (channel, guild, webhook) kept and other ids folded together.
fn route_key(method: &Method, path: &str) -> String {
    let mut key = String::from(method.as_str());
    let mut previous = "";
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let major = matches!(previous, "channels" | "guilds" | "webhooks");
        let is_id = segment.chars().all(|c| c.is_ascii_digit());
        key.push('/');
        if is_id && !major {
            key.push_str(":id");
        } else if previous == "webhooks" || !is_id || major {
            key.push_str(segment);
        }
        previous = segment;
    }
    key
}

/// The Discord REST client. Cheap to share behind the app state.
#[derive(Debug)]
pub struct DiscordRest {
    http: reqwest::Client,
    base: String,
    token: Secret,
    limits: Mutex<RateLimits>,
    disabled: AtomicBool,
}

impl DiscordRest {
    /// A client for `base` (e.g. `https://discord.com/api/v10`) with a bot token.
    pub fn new(base: &str, token: Secret) -> Result<Self, RestError> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
            limits: Mutex::new(RateLimits::default()),
            disabled: AtomicBool::new(false),
        })
    }

    /// Replaces every command of the application (in a guild when given).
    pub async fn bulk_overwrite_commands(
        &self,
        application_id: u64,
        guild_id: Option<u64>,
        commands: &[Command],
    ) -> Result<Vec<Value>, RestError> {
        let path = match guild_id {
            Some(guild) => format!("/applications/{application_id}/guilds/{guild}/commands"),
            None => format!("/applications/{application_id}/commands"),
        };
        self.call(Method::PUT, &path, Some(&commands)).await
    }

    /// Posts a message; returns its id.
    pub async fn create_message(&self, channel_id: u64, message: &Value) -> Result<u64, RestError> {
        let created: Value = self
            .call(
                Method::POST,
                &format!("/channels/{channel_id}/messages"),
                Some(message),
            )
            .await?;
        message_id(&created)
    }

    /// Edits a message in place. [`RestError::NotFound`] means it was deleted.
    pub async fn edit_message(
        &self,
        channel_id: u64,
        message_id: u64,
        message: &Value,
    ) -> Result<(), RestError> {
        let _: Value = self
            .call(
                Method::PATCH,
                &format!("/channels/{channel_id}/messages/{message_id}"),
                Some(message),
            )
            .await?;
        Ok(())
    }

    /// Edits the original reply of a deferred interaction (within 15 minutes).
    pub async fn edit_original_response(
        &self,
        application_id: u64,
        interaction_token: &str,
        message: &Value,
    ) -> Result<(), RestError> {
        let _: Value = self
            .call(
                Method::PATCH,
                &format!("/webhooks/{application_id}/{interaction_token}/messages/@original"),
                Some(message),
            )
            .await?;
        Ok(())
    }

    async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, RestError> {
        self.call_with(method, path, |request| {
            Ok(match body {
                Some(body) => request.json(body),
                None => request,
            })
        })
        .await
    }

    /// [`Self::call`] with the body attached by `attach`, called afresh for
    /// every try (a multipart form cannot be cloned for a 429 retry).
    async fn call_with<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        attach: impl Fn(reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder, RestError>,
    ) -> Result<T, RestError> {
        if self.disabled.load(Ordering::Relaxed) {
            return Err(RestError::Unauthorized);
        }
        let route = route_key(&method, path);
        let mut rate_limited = 0;
        loop {
            let wait = self
                .limits
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .wait_for(&route, Instant::now());
            if let Some(wait) = wait {
                tracing::debug!(
                    route,
                    wait_ms = wait.as_millis() as u64,
                    "waiting for Discord rate limit"
                );
                tokio::time::sleep(wait).await;
            }
            let request = self
                .http
                .request(method.clone(), format!("{}{}", self.base, path))
                .header(AUTHORIZATION, format!("Bot {}", self.token.expose()))
                .header(USER_AGENT, user_agent());
            let response = attach(request)?.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            self.limits.lock().unwrap_or_else(|e| e.into_inner()).learn(
                &route,
                &headers,
                Instant::now(),
            );
            let text = response.text().await?;
            match status {
                s if s.is_success() => {
                    let json = if text.trim().is_empty() {
                        "null"
                    } else {
                        &text
                    };
                    return serde_json::from_str(json)
                        .map_err(|e| RestError::Decode(e.to_string()));
                }
                StatusCode::TOO_MANY_REQUESTS => {
                    rate_limited += 1;
                    if rate_limited > MAX_RATE_LIMIT_RETRIES {
                        return Err(RestError::RateLimited);
                    }
                    let wait = retry_after(&headers, &text).min(MAX_WAIT);
                    let global = headers.contains_key("x-ratelimit-global")
                        || serde_json::from_str::<Value>(&text)
                            .ok()
                            .and_then(|v| v.get("global").and_then(Value::as_bool))
                            .unwrap_or(false);
                    if global {
                        self.limits
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .global_until = Some(Instant::now() + wait);
                    }
                    tracing::warn!(
                        route,
                        wait_ms = wait.as_millis() as u64,
                        global,
                        "Discord 429: waiting"
                    );
                    tokio::time::sleep(wait).await;
                }
                StatusCode::UNAUTHORIZED => {
                    self.disabled.store(true, Ordering::Relaxed);
                    tracing::error!(
                        "Discord refused the bot token: REST calls are off until restart"
                    );
                    return Err(RestError::Unauthorized);
                }
                StatusCode::FORBIDDEN => return Err(RestError::Forbidden(snippet(&text))),
                StatusCode::NOT_FOUND => return Err(RestError::NotFound(snippet(&text))),
                other => {
                    return Err(RestError::Status {
                        status: other.as_u16(),
                        body: snippet(&text),
                    })
                }
            }
        }
    }
}

fn retry_after(headers: &HeaderMap, body: &str) -> Duration {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_seconds)
        .or_else(|| {
            serde_json::from_str::<Value>(body)
                .ok()
                .and_then(|v| v.get("retry_after").and_then(Value::as_f64))
                .and_then(|s| parse_seconds(&s.to_string()))
        })
        .unwrap_or(Duration::from_secs(1))
}

fn message_id(message: &Value) -> Result<u64, RestError> {
    message
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| RestError::Decode("message without an id".into()))
}

fn snippet(text: &str) -> String {
    text.chars().take(300).collect()
}

/// The User-Agent Discord asks bots to send.
pub fn user_agent() -> String {
    format!(
        "DiscordBot (https://github.com/fts-assistant/fts-assistant, {})",
        env!("CARGO_PKG_VERSION")
    )
}

impl DiscordRest {
    /// Edits the original reply of a deferred interaction with a file
    /// attached: Discord takes files only as multipart (`payload_json` plus
    /// `files[0]`), and only over REST after a type-5 defer, never inline.
    /// `payload` may refer to the file as `attachment://{file_name}`.
    pub async fn edit_original_response_with_file(
        &self,
        application_id: u64,
        interaction_token: &str,
        payload: &Value,
        file_name: &str,
        png: Vec<u8>,
    ) -> Result<(), RestError> {
        let payload_json = payload.to_string();
        let _: Value = self
            .call_with(
                Method::PATCH,
                &format!("/webhooks/{application_id}/{interaction_token}/messages/@original"),
                |request| {
                    let file = reqwest::multipart::Part::bytes(png.clone())
                        .file_name(file_name.to_string())
                        .mime_str("image/png")?;
                    let payload = reqwest::multipart::Part::text(payload_json.clone())
                        .mime_str("application/json")?;
                    let form = reqwest::multipart::Form::new()
                        .part("payload_json", payload)
                        .part("files[0]", file);
                    Ok(request.multipart(form))
                },
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_use_the_shared_labels() {
        assert_eq!(call_outcome(None), "ok");
        assert_eq!(call_outcome(Some(&RestError::RateLimited)), "rate_limited");
        assert_eq!(
            call_outcome(Some(&RestError::NotFound("gone".into()))),
            "client_error"
        );
        let server = RestError::Status {
            status: 502,
            body: String::new(),
        };
        assert_eq!(call_outcome(Some(&server)), "server_error");
    }

    #[test]
    fn route_keys_keep_major_parameters_and_fold_other_ids() {
        assert_eq!(
            route_key(&Method::PATCH, "/channels/123/messages/456"),
            "PATCH/channels/123/messages/:id"
        );
        assert_eq!(
            route_key(&Method::PATCH, "/channels/999/messages/457"),
            "PATCH/channels/999/messages/:id"
        );
        assert_eq!(
            route_key(&Method::PUT, "/applications/1/guilds/2/commands"),
            "PUT/applications/:id/guilds/2/commands"
        );
    }

    #[test]
    fn an_exhausted_bucket_waits_until_its_reset() {
        let mut limits = RateLimits::default();
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-bucket", "abc".parse().unwrap());
        headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
        headers.insert("x-ratelimit-reset-after", "2.5".parse().unwrap());
        let now = Instant::now();
        limits.learn("POST/channels/1/messages", &headers, now);
        let wait = limits.wait_for("POST/channels/1/messages", now).unwrap();
        assert_eq!(wait, Duration::from_millis(2500));
        assert!(limits.wait_for("POST/channels/2/messages", now).is_none());
        assert!(limits
            .wait_for("POST/channels/1/messages", now + Duration::from_secs(3))
            .is_none());
    }

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
}
