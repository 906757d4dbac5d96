//! Application state, router assembly, startup and graceful shutdown.
//!
//! `main.rs` and the black-box tests build the same [`Application`]: tests
//! bind port 0 and steer the clock, production binds `PORT`.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::budgets::Budgets;
use crate::cache::TtlCache;
use crate::clients::Clients;
use crate::clock::Clock;
use crate::config::{Config, PublicKeySetting};
use crate::discord::dev_keys::{dev_keypair_path, DevKeypair};
use crate::discord::endpoint::{self, MAX_INTERACTION_BODY};
use crate::discord::rest::DiscordRest;
use crate::discord::signature::InteractionVerifier;
use crate::domain::masking::PublicIdKey;
use crate::domain::players::PlayerFigures;
use crate::domain::rewards::Rewards;
use crate::domain::wording;
use crate::jobs::runtime::Jobs;
use crate::jobs::{payout_worker, scheduler};
use crate::metrics::{Metrics, RouteLabels, RouteOnlyLabels};
use crate::published::published_from_store;
use crate::published::{Board, TipsBoard};
use crate::roobet::affiliate::AffiliateClient;
use crate::roobet::tipping::TippingClient;
use crate::server::{read_body_within, BodyLimits};
use crate::store::players::{self, Exclusion};
use crate::store::public_tips::Listing;
use crate::store::{settings, Store, StoreError};
use crate::telemetry::ErrorChain;
use crate::web::health;

/// What the last poll cycles did, for `/readyz` and `/status`.
#[derive(Debug, Clone, Default)]
pub struct PollStatus {
    /// When the last cycle that succeeded finished.
    pub last_success: Option<DateTime<Utc>>,
    /// When the last cycle (any outcome) finished.
    pub last_attempt: Option<DateTime<Utc>>,
    /// Outcome of the last cycle, for humans.
    pub last_outcome: Option<String>,
    /// Failed cycles since the last success.
    pub consecutive_failures: u32,
    /// How long the last cycle took.
    pub last_duration_ms: Option<u64>,
}

/// Wakes the payout worker: the poll cycle after recording payouts, an
/// admin after re-queuing one. Without a wake-up the worker still looks
/// every few seconds.
#[derive(Debug, Default)]
pub struct PayoutQueue {
    wakeup: tokio::sync::Notify,
}

impl PayoutQueue {
    /// Tells the worker there may be something to send now.
    pub fn wake(&self) {
        self.wakeup.notify_one();
    }

    /// Resolves at the next [`PayoutQueue::wake`] (the worker's idle wait).
    pub async fn woken(&self) {
        self.wakeup.notified().await;
    }
}

/// `/gamestats` answers kept at most (one per game and month asked).
const GAMESTATS_CACHE_ENTRIES: usize = 64;

/// Per-process locks that would otherwise be globals (each test app gets
/// its own).
#[derive(Debug, Default)]
pub struct Locks {
    /// One challenge-board refresh at a time: the cycle and a command
    /// refreshing at once could otherwise both post a first message.
    pub challenge_board: tokio::sync::Mutex<()>,
}

/// Everything a handler or job needs; shared behind an `Arc`.
pub struct AppState {
    /// The configuration the process started with.
    pub config: Config,
    /// The database.
    pub store: Store,
    /// The source of "now".
    pub clock: Arc<dyn Clock>,
    /// Signature check of `/interactions`; `None` answers 503.
    pub verifier: Option<InteractionVerifier>,
    /// Discord REST client; `None` without a bot token.
    pub discord: Option<DiscordRest>,
    /// Discord client for interaction webhooks (deferred replies), which
    /// need no bot token.
    pub replies: DiscordRest,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// When the process started (uptime in `/status`).
    pub started_at: DateTime<Utc>,
    /// What the poller last did (written by the jobs' runtime).
    pub poll_status: tokio::sync::watch::Receiver<PollStatus>,
    /// Prize tables, tiers, goals and seeded exclusions.
    pub rewards: Rewards,
    /// The snapshot every read endpoint serves.
    pub board: Board,
    /// `/api/tips` and `/allTimeTips.json`, rendered when the ledger changes.
    pub tips: TipsBoard,
    /// Turns Roobet uids into the opaque ids public documents carry.
    pub public_ids: PublicIdKey,
    /// The affiliate API client; `None` when polling is off.
    pub affiliate: Option<AffiliateClient>,
    /// The tipping API client; `None` without a tipping token.
    pub tipping: Option<TippingClient>,
    /// Wakes the payout worker when payouts are queued or re-queued.
    pub payout_queue: PayoutQueue,
    /// Per-process locks.
    pub locks: Locks,
    /// `/gamestats` answers, reused for a while (the only affiliate call a
    /// member can cause).
    pub gamestats_cache: TtlCache<Vec<PlayerFigures>>,
    /// Members' username autocompletes per Discord user: a name oracle must
    /// not answer a dictionary at typing speed.
    pub autocomplete_quota: Budgets<String>,
    /// Live events behind `/api/events` (issue 16).
    pub events: Arc<crate::events::Events>,
    /// Per-client budget of "find me" lookups (issue 16).
    pub find_limiter: crate::web::find::RateLimiter,
}

impl AppState {
    /// Which payouts the public tip figures count: dry runs too, labelled
    /// as test data, only in a process started by `fts-assistant demo`.
    pub fn tips_listing(&self) -> Listing {
        Listing::for_process(self.config.demo)
    }

    /// Rebuilds `/api/tips` and `/allTimeTips.json` if the public ledger
    /// changed; call after changing a payout's status. Failures are logged
    /// (the previous documents keep being served) and the watcher retries.
    pub async fn refresh_tips(&self) {
        if let Err(e) = crate::web::tips::refresh(self).await {
            tracing::warn!(error = ?e, "tips documents not rebuilt; serving the previous ones");
        }
    }

    /// Whether the poll cycle runs with this configuration.
    pub fn polling_enabled(&self) -> bool {
        self.config.roobet_api_token.is_some() && self.config.roobet_user_id.is_some()
    }

    /// Why the service is not ready as far as polling goes, or `None` when
    /// polling is off or the last success is under three intervals old.
    pub fn poll_staleness(&self) -> Option<String> {
        if !self.polling_enabled() {
            return None;
        }
        let status = self.poll_status.borrow().clone();
        let limit = chrono::Duration::seconds(3 * self.config.poll_interval_secs as i64);
        let now = self.clock.now();
        match status.last_success {
            Some(at) if now - at < limit => None,
            Some(at) => Some(format!(
                "last successful poll was {} ago ({} since)",
                wording::count((now - at).num_minutes(), "minute"),
                wording::count(i64::from(status.consecutive_failures), "failure")
            )),
            None => {
                let since_start = now - self.started_at;
                (since_start >= limit).then(|| {
                    format!(
                        "no successful poll since startup ({} failures)",
                        status.consecutive_failures
                    )
                })
            }
        }
    }
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The public key or dev keypair is unusable.
    #[error("DISCORD_PUBLIC_KEY: {0}")]
    PublicKey(String),
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// An outbound client could not be built.
    #[error("outbound clients")]
    Clients(#[from] crate::clients::ClientError),
    /// `REWARDS_FILE` cannot be read or is invalid.
    #[error("REWARDS_FILE {path}: {reason}")]
    Rewards {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A built application: a bound listener and the state behind it.
pub struct Application {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    router: Router,
    state: Arc<AppState>,
    jobs: Arc<Jobs>,
    background_jobs: bool,
}

impl Application {
    /// Opens the database (migrating it), builds the clients and binds the
    /// listener. Nothing runs until [`Application::run_until_stopped`].
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let store = Store::open(&config.database_url).await?;
        let rewards = load_rewards(&config)?;
        let tips_listing = Listing::for_process(config.demo);
        let (published, public_ids) = {
            let mut conn = store.pool().acquire().await.map_err(StoreError::from)?;
            seed_exclusions(&mut conn, &rewards, clock.now().timestamp_millis()).await?;
            let published =
                published_from_store(&mut conn, &rewards, clock.now(), tips_listing).await?;
            let public_ids = public_id_key(&mut conn, clock.now().timestamp_millis()).await?;
            (published, public_ids)
        };
        let verifier = match &config.discord_public_key {
            None => None,
            Some(PublicKeySetting::Hex(hex)) => Some(
                InteractionVerifier::from_hex(hex)
                    .map_err(|e| StartupError::PublicKey(e.to_string()))?,
            ),
            Some(PublicKeySetting::DevKeypair) => {
                let keypair = DevKeypair::load_or_create(&dev_keypair_path())
                    .map_err(|e| StartupError::PublicKey(e.to_string()))?;
                Some(InteractionVerifier::new(keypair.verifying_key()))
            }
        };
        let metrics = Metrics::new();
        let clients = Clients::from_config(&config)?;
        let listener = TcpListener::bind(config.bind_addr)
            .await
            .map_err(|source| StartupError::Bind {
                addr: config.bind_addr,
                source,
            })?;
        let metrics_listener = match config.metrics_addr {
            None => None,
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .map_err(|source| StartupError::Bind { addr, source })?,
            ),
        };
        let started_at = clock.now();
        let (poll_status_tx, poll_status) = tokio::sync::watch::channel(PollStatus {
            last_success: published.updated_at,
            ..PollStatus::default()
        });
        let events = Arc::new(crate::events::Events::with_per_client(
            config.sse_max_streams,
            config.sse_max_per_client,
        ));
        let state = Arc::new(AppState {
            config,
            store: store.clone(),
            clock,
            verifier,
            discord: clients.discord,
            replies: clients.replies,
            metrics,
            started_at,
            poll_status,
            rewards,
            board: Board::new(published),
            tips: TipsBoard::new(crate::web::tips::render_tips(
                &[],
                &public_ids,
                Default::default(),
                None,
                started_at,
                tips_listing,
            )),
            public_ids,
            affiliate: clients.affiliate,
            tipping: clients.tipping,
            payout_queue: PayoutQueue::default(),
            locks: Locks::default(),
            gamestats_cache: TtlCache::new(GAMESTATS_CACHE_ENTRIES),
            autocomplete_quota: {
                let per_minute = crate::discord::commands::player_names::MEMBER_PER_MINUTE;
                // The whole minute's allowance comes back once a minute.
                Budgets::new(per_minute, per_minute, 60_000, 10_000)
            },
            events: events.clone(),
            find_limiter: crate::web::find::RateLimiter::default(),
        });
        state.refresh_tips().await;
        state.board.on_publish(crate::web::live::board_listener(
            events,
            state.public_ids.clone(),
        ));
        // Newcomers get documents at once, before the first change.
        crate::web::live::board_listener(state.events.clone(), state.public_ids.clone())(
            &state.board.current(),
        );
        crate::web::live::publish_challenges(&state).await;
        let router = router(state.clone());
        let jobs = Arc::new(Jobs::new(state.clone(), poll_status_tx));
        Ok(Self {
            listener,
            metrics_listener,
            router,
            state,
            jobs,
            background_jobs: true,
        })
    }

    /// The background jobs' runtime, for tests that drive cycles and the
    /// payout worker themselves.
    pub fn jobs(&self) -> Arc<Jobs> {
        self.jobs.clone()
    }

    /// Serves requests only: no scheduler. Tests that drive poll cycles
    /// themselves (with a steered clock) use this.
    pub fn without_background_jobs(mut self) -> Self {
        self.background_jobs = false;
        self
    }

    /// The address actually bound (tests bind port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The address of the internal `/metrics` listener (`METRICS_ADDR`), if any.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// The shared state, for tests and jobs started beside the server.
    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish
    /// within `SHUTDOWN_GRACE_SECS` (connections still open after it are
    /// dropped). The background jobs run beside the server and stop with it
    /// (a cycle in progress finishes first). The `METRICS_ADDR` listener, if
    /// any, serves and stops alongside.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
        let jobs = self.background_jobs.then(|| {
            let poller = tokio::spawn(scheduler::run(self.jobs.clone(), jobs_stopped.clone()));
            let payer = tokio::spawn(payout_worker::run(self.jobs.clone(), jobs_stopped.clone()));
            let tips = tokio::spawn(watch_tips(self.state.clone(), jobs_stopped));
            async move {
                let (a, b, c) = tokio::join!(poller, payer, tips);
                a.and(b).and(c)
            }
        });
        let limits = self.state.config.server;
        let (stop_serving, serving_stopped) = tokio::sync::watch::channel(false);
        let stopped = move |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let internal = self.metrics_listener.map(|listener| {
            let router = metrics_router(self.state.clone());
            tokio::spawn(crate::server::serve(
                listener,
                router,
                limits,
                stopped(serving_stopped.clone()),
            ))
        });
        let events = self.state.events.clone();
        let signal = tokio::spawn(async move {
            shutdown.await;
            // Live streams never end on their own: end them so the grace
            // period is spent on real requests.
            events.close();
            let _ = stop_serving.send(true);
        });
        let served =
            crate::server::serve(self.listener, self.router, limits, stopped(serving_stopped))
                .await;
        signal.abort();
        if let Some(internal) = internal {
            match internal.await {
                Ok(Err(e)) => tracing::error!(error = %ErrorChain(&e), "metrics listener failed"),
                Err(e) => {
                    tracing::error!(error = %ErrorChain(&e), "metrics listener ended abnormally")
                }
                Ok(Ok(())) => {}
            }
        }
        let _ = stop_jobs.send(true);
        if let Some(Err(e)) = match jobs {
            Some(jobs) => Some(jobs.await),
            None => None,
        } {
            tracing::error!(error = %ErrorChain(&e), "background jobs ended abnormally");
        }
        served
    }
}

/// Keeps the tips documents current on every replica (the leader's payout
/// worker is not the only writer: admins reconcile, other replicas pay).
/// Every `TIPS_REFRESH_SECS` it checks one aggregate over the `sent` rows and
/// rebuilds only when it moved; a status change that calls
/// [`AppState::refresh_tips`] shows at once. The default (30 s) is inside
/// the documents' one-minute `Cache-Control`, and bounds the rebuild cost
/// (≈ 1 s of one core at 100,000 payouts) to a few percent.
async fn watch_tips(state: Arc<AppState>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(state.config.tips_refresh);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => state.refresh_tips().await,
            _ = stop.changed() => return,
        }
    }
}

fn load_rewards(config: &Config) -> Result<Rewards, StartupError> {
    let Some(path) = &config.rewards_file else {
        return Ok(Rewards::default());
    };
    let error = |reason: String| StartupError::Rewards {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    Rewards::from_toml_str(&text).map_err(|e| error(e.to_string()))
}

/// Copies the rewards file's exclusions into the table `/exclude` edits, so
/// admins see and can lift them.
async fn seed_exclusions(
    conn: &mut sqlx::AnyConnection,
    rewards: &Rewards,
    now_ms: i64,
) -> Result<(), StoreError> {
    for uid in &rewards.excluded_uids {
        let known = players::find_by_uid(conn, uid).await?;
        players::exclude(
            conn,
            &Exclusion {
                uid: uid.clone(),
                username: known.map_or_else(|| "(from the rewards file)".into(), |p| p.username),
                reason: Some("listed in REWARDS_FILE".into()),
                added_by: None,
                added_ms: now_ms,
            },
        )
        .await?;
    }
    Ok(())
}

/// The key of the opaque public ids: random on first start, then stored, so
/// a player's public id is stable across restarts.
async fn public_id_key(
    conn: &mut sqlx::AnyConnection,
    now_ms: i64,
) -> Result<PublicIdKey, StoreError> {
    const KEY: &str = "public_id_key";
    let stored = settings::get(conn, KEY).await?;
    let hex_key = match stored {
        Some(k) => k,
        None => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes)
                .map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
            let fresh = hex::encode(bytes);
            settings::set_if_absent(conn, KEY, &fresh, now_ms).await?;
            settings::get(conn, KEY).await?.unwrap_or(fresh)
        }
    };
    let bytes = hex::decode(&hex_key).map_err(|e| StoreError::Corrupt(format!("{KEY}: {e}")))?;
    PublicIdKey::new(&bytes).map_err(|e| StoreError::Corrupt(format!("{KEY}: {e}")))
}

/// The full router; public so benches can drive it without a socket.
pub fn router(state: Arc<AppState>) -> Router {
    let router = Router::new()
        .route(
            "/interactions",
            post(endpoint::interactions)
                .layer(DefaultBodyLimit::max(MAX_INTERACTION_BODY))
                .layer(middleware::from_fn_with_state(
                    BodyLimits {
                        timeout: state.config.server.body_timeout,
                        max_bytes: MAX_INTERACTION_BODY,
                    },
                    read_body_within,
                )),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::public_metrics))
        .nest_service("/static", static_files(&state.config.static_dir))
        .merge(crate::web::routes(&state))
        // An explicit 404, so unknown paths get the strict headers below
        // even though the framable routes are merged after them.
        .fallback(crate::web::error::unknown_route);
    let router = crate::web::with_security_headers(router)
        .merge(crate::web::framable_routes(&state))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ));
    // Served over https (the public URL says so): browsers are told to stay
    // on https for a year. No `preload`: that is a commitment for the whole
    // domain, the operator's to make.
    let router = if state.config.public_base_url.starts_with("https://") {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    };
    router
        .layer(TraceLayer::new_for_http().on_failure(log_failure))
        .with_state(state)
}

/// What the trace layer logs for a failed request: a 503 is a cap doing its
/// job (live streams full, a client over its share), counted in the metrics
/// and logged at debug only, so a flood does not become an ERROR per
/// request; other server errors stay errors.
fn log_failure(
    class: ServerErrorsFailureClass,
    latency: std::time::Duration,
    _span: &tracing::Span,
) {
    let latency_ms = latency.as_millis() as u64;
    match class {
        ServerErrorsFailureClass::StatusCode(status)
            if status == axum::http::StatusCode::SERVICE_UNAVAILABLE =>
        {
            tracing::debug!(%status, latency_ms, "request refused (503)");
        }
        class => tracing::error!(classification = %class, latency_ms, "response failed"),
    }
}

/// The router of the internal `METRICS_ADDR` listener: `/metrics` without a
/// token (the port is meant to be reachable only by the scraper), nothing else.
pub fn metrics_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/metrics", get(health::metrics))
        .with_state(state)
}

/// Static assets: long-lived cache headers (file names change with content
/// only rarely; a day is a safe middle) and gzip where the client accepts it.
/// A folder is a 404, never a redirect: `ServeDir` would redirect
/// `/static/fonts` to `fonts/` resolved against the nested path, i.e. off
/// `/static` to `/fonts/`.
fn static_files(dir: &std::path::Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dir).append_index_html_on_directories(false))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ))
        .layer(CompressionLayer::new())
}

async fn count_requests(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    state
        .metrics
        .http_requests
        .get_or_create(&RouteLabels {
            route: route.clone(),
            status: response.status().as_u16(),
        })
        .inc();
    state
        .metrics
        .http_request_duration
        .get_or_create(&RouteOnlyLabels {
            route: route.clone(),
        })
        .observe(elapsed.as_secs_f64());
    tracing::trace!(route, elapsed_us = elapsed.as_micros() as u64, "request");
    response
}

/// Resolves when the process receives Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested: finishing requests in flight");
}
