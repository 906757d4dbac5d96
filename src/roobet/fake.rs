//! A loopback fake of the two Roobet endpoints the service calls, for
//! black-box tests and the `demo` mode: the real clients talk HTTP to it
//! exactly as they would to the casino.
//!
//! Simulated mode answers stats from a deterministic [`Simulation`] steered
//! by the injected clock; scripted mode answers exactly what a test set.
//! Both record every request and share the failure knobs.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use url::Url;

use crate::clock::Clock;
use crate::roobet::simulation::Simulation;

mod handlers;
mod oversized;

pub use oversized::oversized_body;

/// Affiliate token the fake accepts unless told otherwise; the demo uses it.
pub const DEMO_AFFILIATE_TOKEN: &str = "demo-affiliate-token";
/// Tipping token the fake accepts unless told otherwise; the demo uses it.
pub const DEMO_TIPPING_TOKEN: &str = "demo-tipping-token";
/// Affiliate (and tip sender) user id the fake expects; the demo uses it.
pub const DEMO_USER_ID: &str = "demo-affiliate";

/// Where stats rows come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FakeMode {
    /// A deterministic population derived from `seed`, wagering as time passes.
    Simulated {
        /// Seed of the population and its bet streams.
        seed: u64,
    },
    /// Exactly the rows set with [`FakeCasino::set_rows`].
    Scripted,
}

/// The three query shapes the client sends, as the fake recognises them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FakeCallKind {
    /// `categories=slots,provably fair&gameIdentifiers=-housegames:dice`.
    Weighted,
    /// No filter.
    Total,
    /// `gameIdentifiers=<one game>`.
    Game(String),
}

/// How the tipping endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TipBehaviour {
    /// `200 {"success": true}`.
    Succeed,
    /// `200 {"success": false, "message": ...}`.
    Refuse(String),
    /// That status with a `message` body.
    Status(u16),
    /// Holds the request open until [`FakeCasino::release_hung_tips`], then succeeds.
    Hang,
    /// `200` whose body starts `{"success": true, ...` and runs to `bytes`
    /// bytes, with or without a `Content-Length`: more than the client reads.
    Oversized {
        /// Length of the body.
        bytes: u64,
        /// Whether `Content-Length` announces it.
        announce_length: bool,
    },
}

/// One tip request as the fake received it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedTip {
    /// Whether the bearer token matched.
    pub authorized: bool,
    /// `userId` (the sender).
    pub user_id: Option<String>,
    /// `toUserId`.
    pub to_user_id: Option<String>,
    /// `toUserName`.
    pub to_user_name: Option<String>,
    /// `amount` in USD.
    pub amount: Option<f64>,
    /// `showInChat`.
    pub show_in_chat: Option<bool>,
    /// `balanceType`.
    pub balance_type: Option<String>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// The whole body (`Null` if it was not JSON).
    pub body: Value,
}

/// One stats request as the fake received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedQuery {
    /// Decoded query parameters in order.
    pub params: Vec<(String, String)>,
    /// Whether the bearer token matched.
    pub authorized: bool,
    /// The recognised call shape, if any.
    pub kind: Option<FakeCallKind>,
}

impl RecordedQuery {
    /// First value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Builder of a scripted stats row, so tests read like the API docs.
#[derive(Debug, Clone)]
pub struct FakeRow(Value);

impl FakeRow {
    /// A row with zero wager.
    pub fn new(uid: &str, username: &str) -> Self {
        Self(
            json!({"uid": uid, "username": username, "wagered": 0.0, "weightedWagered": 0.0,
                    "highestMultiplier": null}),
        )
    }
    /// Sets `wagered` (USD).
    pub fn wagered(mut self, usd: f64) -> Self {
        self.0["wagered"] = json!(usd);
        self
    }
    /// Sets `weightedWagered` (USD).
    pub fn weighted(mut self, usd: f64) -> Self {
        self.0["weightedWagered"] = json!(usd);
        self
    }
    /// Sets `highestMultiplier`.
    pub fn hit(
        mut self,
        multiplier: f64,
        bet: f64,
        payout: f64,
        game_id: &str,
        title: &str,
    ) -> Self {
        self.0["highestMultiplier"] = json!({"multiplier": multiplier, "wagered": bet,
            "payout": payout, "gameId": game_id, "gameTitle": title});
        self
    }
    /// Sets `sessions`, `payout` and `net` (USD), which the contract does not
    /// document but some answers carry.
    pub fn activity(mut self, sessions: u64, payout: f64, net: f64) -> Self {
        self.0["sessions"] = json!(sessions);
        self.0["payout"] = json!(payout);
        self.0["net"] = json!(net);
        self
    }
}

impl From<FakeRow> for Value {
    fn from(row: FakeRow) -> Value {
        row.0
    }
}

struct Inner {
    affiliate_token: String,
    tipping_token: String,
    user_id: String,
    /// Scripted answers, serialised once when set (a 100k-row answer is
    /// served without re-encoding it per request).
    scripted: HashMap<FakeCallKind, Arc<Vec<u8>>>,
    fail_next: VecDeque<u16>,
    malformed_next: usize,
    oversized_next: VecDeque<(u64, bool)>,
    wrap_in_data: bool,
    tip_behaviour: TipBehaviour,
    tips: Vec<RecordedTip>,
    queries: Vec<RecordedQuery>,
}

struct Shared {
    clock: Arc<dyn Clock>,
    sim: Option<Simulation>,
    inner: Mutex<Inner>,
    release: watch::Sender<u64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running fake casino on `127.0.0.1:<random port>`.
pub struct FakeCasino {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FakeCasino {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeCasino")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FakeCasino {
    /// Binds a loopback port and serves until [`FakeCasino::shutdown`] or drop.
    ///
    /// Returns `io::Result` rather than panicking so the demo can report a
    /// failed bind like any other startup error.
    pub async fn spawn(clock: Arc<dyn Clock>, mode: FakeMode) -> std::io::Result<FakeCasino> {
        let sim = match mode {
            FakeMode::Simulated { seed } => Some(Simulation::new(seed)),
            FakeMode::Scripted => None,
        };
        let shared = Arc::new(Shared {
            clock,
            sim,
            inner: Mutex::new(Inner {
                affiliate_token: DEMO_AFFILIATE_TOKEN.into(),
                tipping_token: DEMO_TIPPING_TOKEN.into(),
                user_id: DEMO_USER_ID.into(),
                scripted: HashMap::new(),
                fail_next: VecDeque::new(),
                malformed_next: 0,
                oversized_next: VecDeque::new(),
                wrap_in_data: false,
                tip_behaviour: TipBehaviour::Succeed,
                tips: Vec::new(),
                queries: Vec::new(),
            }),
            release: watch::channel(0).0,
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let app = handlers::router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "fake casino stopped with an error");
            }
        });
        tracing::info!(%addr, "fake casino listening");
        Ok(FakeCasino {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Base URL for both `ROOBET_API_BASE` and `TIPPING_API_BASE`.
    pub fn base_url(&self) -> Url {
        let text = format!("http://{}/", self.addr);
        Url::parse(&text).unwrap_or_else(|_| unreachable!("a socket address always forms a URL"))
    }

    /// Stops serving; hung tips are released first so shutdown cannot hang.
    pub async fn shutdown(mut self) {
        self.release_hung_tips();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    /// Changes the bearer tokens the fake accepts.
    pub fn set_expected_tokens(&self, affiliate: &str, tipping: &str) {
        let mut inner = self.shared.lock();
        inner.affiliate_token = affiliate.into();
        inner.tipping_token = tipping.into();
    }

    /// Changes the affiliate / sender user id the fake expects.
    pub fn set_user_id(&self, user_id: &str) {
        self.shared.lock().user_id = user_id.into();
    }

    /// Scripted mode: what calls of `kind` answer from now on.
    pub fn set_rows<R: Into<Value>>(&self, kind: FakeCallKind, rows: impl IntoIterator<Item = R>) {
        let rows: Vec<Value> = rows.into_iter().map(Into::into).collect();
        let encoded = serde_json::to_vec(&rows).unwrap_or_else(|_| b"[]".to_vec());
        self.shared.lock().scripted.insert(kind, Arc::new(encoded));
    }

    /// The next `n` stats requests answer `status` (429 with `Retry-After: 1`).
    pub fn fail_next(&self, n: usize, status: u16) {
        self.shared
            .lock()
            .fail_next
            .extend(std::iter::repeat_n(status, n));
    }

    /// Drops any failures queued by [`FakeCasino::fail_next`] and
    /// [`FakeCasino::respond_malformed_next`]: the API is healthy again.
    pub fn clear_faults(&self) {
        let mut inner = self.shared.lock();
        inner.fail_next.clear();
        inner.malformed_next = 0;
        inner.oversized_next.clear();
    }

    /// The next `n` stats requests answer 200 with a body of `bytes` bytes
    /// (rows repeated without end), announced by `Content-Length` or chunked.
    pub fn respond_oversized_next(&self, n: usize, bytes: u64, announce_length: bool) {
        self.shared
            .lock()
            .oversized_next
            .extend(std::iter::repeat_n((bytes, announce_length), n));
    }

    /// The next `n` stats requests answer 200 with a body that is not valid.
    pub fn respond_malformed_next(&self, n: usize) {
        self.shared.lock().malformed_next += n;
    }

    /// Wraps stats answers as `{"data": [...]}` instead of a bare array.
    pub fn set_wrap_in_data(&self, wrap: bool) {
        self.shared.lock().wrap_in_data = wrap;
    }

    /// How the tipping endpoint answers from now on.
    pub fn set_tip_behaviour(&self, behaviour: TipBehaviour) {
        self.shared.lock().tip_behaviour = behaviour;
    }

    /// Lets every tip request held by [`TipBehaviour::Hang`] finish (as a success).
    pub fn release_hung_tips(&self) {
        self.shared
            .release
            .send_modify(|generation| *generation += 1);
    }

    /// Every tip request received so far.
    pub fn tips(&self) -> Vec<RecordedTip> {
        self.shared.lock().tips.clone()
    }

    /// Every stats request received so far.
    pub fn stats_requests(&self) -> Vec<RecordedQuery> {
        self.shared.lock().queries.clone()
    }
}

impl Drop for FakeCasino {
    fn drop(&mut self) {
        self.shared
            .release
            .send_modify(|generation| *generation += 1);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[cfg(test)]
mod tests;
