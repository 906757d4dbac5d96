//! The demo's Discord: a small fake of Discord's REST API on loopback that
//! answers like Discord and keeps every call, so `demo` shows what the bot
//! would post (board messages, celebrations, deferred replies with the
//! `/monthtomonth` chart) and `interact` can print it. Never used by
//! `serve`: production talks to `DISCORD_API_BASE`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Path prefix of the fake API (as in `https://discord.com/api/v10`).
pub const API_PREFIX: &str = "/api/v10";
/// Calls kept; older ones are dropped so a long demo stays small.
const KEEP: usize = 500;
/// File the demo writes the capture's URL to, for `interact` (same folder).
pub const CAPTURE_FILE: &str = ".demo-discord";

/// One call the bot made.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Call {
    /// Position in the log, from 1.
    pub index: u64,
    /// `POST`, `PATCH`, `PUT`.
    pub method: String,
    /// Path after the API prefix, e.g. `/channels/1/messages`.
    pub path: String,
    /// The JSON body (for a multipart body: its `payload_json`).
    pub body: Value,
    /// Files attached (multipart), saved under the system's temp folder.
    pub files: Vec<String>,
}

#[derive(Default)]
struct Log {
    calls: Vec<Call>,
    next: u64,
}

/// A running fake Discord.
pub struct DemoDiscord {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
    task: tokio::task::JoinHandle<()>,
}

impl DemoDiscord {
    /// Starts it on a random loopback port.
    pub async fn spawn() -> std::io::Result<Self> {
        let log = Arc::new(Mutex::new(Log::default()));
        let router = Router::new()
            .route("/calls", get(calls))
            .fallback(record)
            .with_state(log.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self { addr, log, task })
    }

    /// `http://127.0.0.1:PORT`: `GET /calls?after=N` lists the calls.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What `DISCORD_API_BASE` must be for the bot to talk to it.
    pub fn api_base(&self) -> String {
        format!("{}{API_PREFIX}", self.base_url())
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .calls
            .clone()
    }

    /// Stops it.
    pub fn shutdown(self) {
        self.task.abort();
    }
}

#[derive(Deserialize)]
struct After {
    after: Option<u64>,
}

async fn calls(State(log): State<Arc<Mutex<Log>>>, Query(q): Query<After>) -> Json<Vec<Call>> {
    let after = q.after.unwrap_or(0);
    let log = log.lock().unwrap_or_else(|e| e.into_inner());
    Json(
        log.calls
            .iter()
            .filter(|c| c.index > after)
            .cloned()
            .collect(),
    )
}

async fn record(
    State(log): State<Arc<Mutex<Log>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(path) = uri.path().strip_prefix(API_PREFIX).map(str::to_owned) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let is_multipart = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let index = {
        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
        log.next += 1;
        log.next
    };
    let (body, files) = if is_multipart {
        read_multipart(headers, body, index).await
    } else {
        (
            serde_json::from_slice(&body).unwrap_or(Value::Null),
            Vec::new(),
        )
    };
    let answer = if method == Method::PUT {
        json!([])
    } else {
        let id = path
            .rsplit('/')
            .next()
            .and_then(|last| last.parse::<u64>().ok())
            .unwrap_or(1_200_000_000_000_000_000 + index);
        json!({ "id": id.to_string() })
    };
    let call = Call {
        index,
        method: method.to_string(),
        path,
        body,
        files,
    };
    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
    log.calls.push(call);
    let excess = log.calls.len().saturating_sub(KEEP);
    log.calls.drain(..excess);
    Json(answer).into_response()
}

/// The `payload_json` part and the files of a multipart body; files are
/// written to the temp folder so the demo's user can open the chart.
async fn read_multipart(headers: HeaderMap, body: Bytes, index: u64) -> (Value, Vec<String>) {
    let request = axum::http::Request::builder()
        .header(
            axum::http::header::CONTENT_TYPE,
            headers
                .get(axum::http::header::CONTENT_TYPE)
                .cloned()
                .unwrap_or(axum::http::HeaderValue::from_static("")),
        )
        .body(axum::body::Body::from(body))
        .expect("a request with one header builds");
    let Ok(mut multipart) =
        <Multipart as axum::extract::FromRequest<()>>::from_request(request, &()).await
    else {
        return (Value::Null, Vec::new());
    };
    let (mut payload, mut files) = (Value::Null, Vec::new());
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_owned);
        let Ok(bytes) = field.bytes().await else {
            break;
        };
        match file_name {
            Some(file_name) => {
                let safe: String = file_name
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                    .collect();
                let path = std::env::temp_dir().join(format!("fts-demo-{index}-{safe}"));
                if std::fs::write(&path, &bytes).is_ok() {
                    files.push(path.display().to_string());
                }
            }
            None if name == "payload_json" => {
                payload = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            }
            None => {}
        }
    }
    (payload, files)
}

/// The calls after `after` from a capture at `base_url` (what `interact`
/// prints after a command).
pub async fn fetch_calls(
    http: &reqwest::Client,
    base_url: &str,
    after: u64,
) -> reqwest::Result<Vec<Call>> {
    http.get(format!(
        "{}/calls?after={after}",
        base_url.trim_end_matches('/')
    ))
    .send()
    .await?
    .error_for_status()?
    .json()
    .await
}
