//! Discord REST client for what a gateway-less bot does: register commands,
//! post and edit channel messages, finish deferred replies.
//!
//! It follows Discord's rate-limit contract (see `limits.rs`): a bucket with
//! no requests left waits for its reset, a 429 waits `Retry-After` and
//! retries. A 401 on a bot-token route switches the client off (a bad token
//! must not keep hitting the API: 10,000 invalid requests in 10 minutes gets
//! the IP banned); a 401 on an interaction webhook only means that
//! interaction's token expired. Every answer is read with a size cap.

mod body;
mod error;
mod limits;
#[cfg(test)]
mod tests;

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
use body::{read_capped, MAX_BODY_BYTES};
pub use error::{call_outcome, RestError};
use limits::{parse_seconds, RateLimits, Route, MAX_WAIT};

/// How many times one call is retried after a 429 before giving up.
const MAX_RATE_LIMIT_RETRIES: u32 = 3;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The Discord REST client. Cheap to share behind the app state.
#[derive(Debug)]
pub struct DiscordRest {
    http: reqwest::Client,
    base: String,
    /// `None`: interaction replies only (they carry their own token).
    token: Option<Secret>,
    limits: Mutex<RateLimits>,
    disabled: AtomicBool,
}

impl DiscordRest {
    /// A client for `base` (e.g. `https://discord.com/api/v10`) with a bot token.
    pub fn new(base: &str, token: Secret) -> Result<Self, RestError> {
        Self::build(base, Some(token))
    }

    /// A client that can only finish interactions (edit `@original`, send
    /// follow-ups): those are authenticated by the interaction's own token,
    /// so a deferred command still completes without `DISCORD_TOKEN`. Bot
    /// calls answer [`RestError::NoBotToken`].
    pub fn interactions_only(base: &str) -> Result<Self, RestError> {
        Self::build(base, None)
    }

    fn build(base: &str, token: Option<Secret>) -> Result<Self, RestError> {
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

    /// Edits the original reply of a deferred interaction. Works for 15
    /// minutes; after that Discord answers 401, reported as
    /// [`RestError::InteractionTokenRejected`] (the client stays on).
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
        let route = Route::parse(&method, path);
        if !route.token_in_path && self.disabled.load(Ordering::Relaxed) {
            return Err(RestError::Unauthorized);
        }
        let mut rate_limited = 0;
        loop {
            self.wait_for_bucket(&route).await;
            let request = self.request(&method, path, &route)?;
            let response = attach(request)?.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            self.limits().learn(&route, &headers, Instant::now());
            let text = read_capped(response, MAX_BODY_BYTES).await?;
            if status.is_success() {
                let json = if text.trim().is_empty() {
                    "null"
                } else {
                    &text
                };
                return serde_json::from_str(json).map_err(|e| RestError::Decode(e.to_string()));
            }
            if status != StatusCode::TOO_MANY_REQUESTS {
                return Err(self.refusal(&route, status, &text));
            }
            rate_limited += 1;
            if rate_limited > MAX_RATE_LIMIT_RETRIES {
                return Err(RestError::RateLimited);
            }
            tokio::time::sleep(self.rate_limit_wait(&route, &headers, &text)).await;
        }
    }

    /// The request to `path`, with our user agent and, unless the route
    /// authenticates by the interaction token in its path, the bot token.
    fn request(
        &self,
        method: &Method,
        path: &str,
        route: &Route,
    ) -> Result<reqwest::RequestBuilder, RestError> {
        let request = self
            .http
            .request(method.clone(), format!("{}{}", self.base, path))
            .header(USER_AGENT, user_agent());
        if route.token_in_path {
            return Ok(request);
        }
        let Some(token) = &self.token else {
            return Err(RestError::NoBotToken);
        };
        Ok(request.header(AUTHORIZATION, format!("Bot {}", token.expose())))
    }

    /// How long to wait after a 429; a global limit also holds back every
    /// other route for that long.
    fn rate_limit_wait(&self, route: &Route, headers: &HeaderMap, text: &str) -> Duration {
        let wait = retry_after(headers, text).min(MAX_WAIT);
        let global = headers.contains_key("x-ratelimit-global")
            || serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("global").and_then(Value::as_bool))
                .unwrap_or(false);
        if global {
            self.limits().block_all_until(Instant::now() + wait);
        }
        tracing::warn!(
            route = %route.template,
            wait_ms = wait.as_millis() as u64,
            global,
            "Discord 429: waiting"
        );
        wait
    }

    /// The error for a refusal other than a 429. A 401 on the bot token
    /// switches REST calls off until restart; on an interaction token it
    /// only means that token expired.
    fn refusal(&self, route: &Route, status: StatusCode, text: &str) -> RestError {
        match status {
            StatusCode::UNAUTHORIZED if route.token_in_path => {
                // The caller logs the error; the client stays on.
                tracing::debug!(
                    route = %route.template,
                    "Discord refused an interaction token (expired?)"
                );
                RestError::InteractionTokenRejected
            }
            StatusCode::UNAUTHORIZED => {
                self.disabled.store(true, Ordering::Relaxed);
                tracing::error!("Discord refused the bot token: REST calls are off until restart");
                RestError::Unauthorized
            }
            StatusCode::FORBIDDEN => RestError::Forbidden(snippet(text)),
            StatusCode::NOT_FOUND => RestError::NotFound(snippet(text)),
            other => RestError::Status {
                status: other.as_u16(),
                body: snippet(text),
            },
        }
    }

    /// Waits until `route`'s bucket has a request left (and no global limit
    /// is on), and takes it; at most [`MAX_WAIT`] in all, after which the
    /// request goes anyway and a 429 is handled as usual.
    async fn wait_for_bucket(&self, route: &Route) {
        let mut waited = Duration::ZERO;
        while waited < MAX_WAIT {
            let Some(wait) = self.limits().acquire(route, Instant::now()) else {
                return;
            };
            let wait = wait.min(MAX_WAIT - waited);
            tracing::debug!(
                route = %route.template,
                wait_ms = wait.as_millis() as u64,
                "waiting for Discord rate limit"
            );
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }

    fn limits(&self) -> std::sync::MutexGuard<'_, RateLimits> {
        self.limits.lock().unwrap_or_else(|e| e.into_inner())
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
