//! Shared test harness: the real application on a random loopback port
//! against a fresh database (a new SQLite file, or a new PostgreSQL database
//! created on `TEST_POSTGRES_URL`), with a steerable clock and the dev key.

pub mod chromium;
pub mod served;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::Connection;
use tempfile::TempDir;
use tokio::sync::oneshot;

use fts_assistant::app::{AppState, Application};
use fts_assistant::clock::{Clock, ManualClock};
use fts_assistant::config::{Config, PublicKeySetting, Secret};
use fts_assistant::discord::dev_keys::DevKeypair;
use fts_assistant::discord::synth::{SignedRequest, SynthInteraction};
use fts_assistant::domain::money::{Cents, Multiplier};
use fts_assistant::domain::players::{Hit, PlayerFigures};
use fts_assistant::jobs::runtime::Jobs;

/// The database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A new SQLite file in a temp dir.
    Sqlite,
    /// A new database on the PostgreSQL server of `TEST_POSTGRES_URL`.
    Postgres,
}

/// Generates one `#[tokio::test]` per engine for each listed test function
/// (each takes a [`Db`]).
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Db::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Db::Postgres).await
                }
            )*
        }
    };
}

/// A database made for one test; dropped with it (SQLite) or left on the
/// throwaway server (PostgreSQL, removed with the cluster).
#[derive(Debug)]
pub struct TestDb {
    /// Its `DATABASE_URL`.
    pub url: String,
    _dir: Option<TempDir>,
}

impl TestDb {
    /// Another handle on the same database (a second replica); the first
    /// handle keeps owning the files.
    pub fn alias(&self) -> TestDb {
        TestDb {
            url: self.url.clone(),
            _dir: None,
        }
    }
}

/// A fresh database on `db`, or `None` when PostgreSQL is not available and
/// not required (`FTS_REQUIRE_POSTGRES=1` turns the skip into a failure).
pub async fn fresh_database(db: Db) -> Option<TestDb> {
    match db {
        Db::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            Some(TestDb {
                url,
                _dir: Some(dir),
            })
        }
        Db::Postgres => {
            let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
                if std::env::var("FTS_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    panic!("FTS_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set");
                }
                eprintln!("skipping: TEST_POSTGRES_URL is not set (run scripts/test.sh)");
                return None;
            };
            sqlx::any::install_default_drivers();
            let name = format!("fts_test_{}", unique_suffix());
            let mut admin = sqlx::AnyConnection::connect(&admin_url)
                .await
                .expect("connect to TEST_POSTGRES_URL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("create test database");
            admin.close().await.ok();
            let mut url = url::Url::parse(&admin_url).expect("TEST_POSTGRES_URL is a URL");
            url.set_path(&format!("/{name}"));
            Some(TestDb {
                url: url.to_string(),
                _dir: None,
            })
        }
    }
}

fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).expect("randomness");
    format!(
        "{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        hex::encode(bytes)
    )
}

/// The instant test clocks start at: a Tuesday in the middle of a month.
pub fn test_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

/// The `METRICS_TOKEN` of test apps: `/metrics` on the public port answers
/// only with it (see [`TestApp::metrics_text`]).
pub const TEST_METRICS_TOKEN: &str = "test-metrics-token";

/// A configuration with everything external off, on `database_url`, port 0
/// and the given dev key.
pub fn base_config(database_url: &str, key: &DevKeypair) -> Config {
    let mut config = Config::from_lookup(|_| None).expect("empty config is valid");
    config.bind_addr = "127.0.0.1:0".parse().unwrap();
    config.database_url = database_url.to_string();
    config.discord_public_key = Some(PublicKeySetting::Hex(key.public_key_hex()));
    config.guild_id = fts_assistant::discord::synth::SYNTH_GUILD_ID.parse().ok();
    // Tests start on empty databases and expect the first cycle to pay;
    // the first-run hold has its own tests (tests/it/cutover.rs).
    config.first_run_pays_existing = true;
    config.metrics_token = Some(Secret::new(TEST_METRICS_TOKEN));
    config
}

/// The application running on a random port.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// `http://127.0.0.1:PORT` of the `METRICS_ADDR` listener, when configured.
    pub metrics_url: Option<String>,
    /// The state behind it (store, clock, metrics).
    pub state: Arc<AppState>,
    /// The background jobs' runtime (tests drive cycles through it).
    pub jobs: Arc<Jobs>,
    /// The steerable clock the app reads.
    pub clock: Arc<ManualClock>,
    /// The key Discord would sign with.
    pub key: DevKeypair,
    /// A plain HTTP client.
    pub http: reqwest::Client,
    /// The database it runs on.
    pub db_url: String,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _db: TestDb,
}

impl TestApp {
    /// Starts the app on `db` with the default test configuration.
    pub async fn spawn(db: Db) -> Option<Self> {
        Self::spawn_with(db, |_| {}).await
    }

    /// Starts the app on `db` after `adjust` edits the configuration.
    pub async fn spawn_with(db: Db, adjust: impl FnOnce(&mut Config)) -> Option<Self> {
        Self::spawn_full(db, test_start(), true, adjust).await
    }

    /// Starts the app with the clock at `start`; `jobs: false` leaves poll
    /// cycles to the test (`jobs::poll::run_and_record`).
    pub async fn spawn_full(
        db: Db,
        start: DateTime<Utc>,
        jobs: bool,
        adjust: impl FnOnce(&mut Config),
    ) -> Option<Self> {
        let test_db = fresh_database(db).await?;
        Self::spawn_on(test_db, start, jobs, adjust).await
    }

    /// Starts the app on an existing database (restarts, second replicas).
    pub async fn spawn_on(
        test_db: TestDb,
        start: DateTime<Utc>,
        jobs: bool,
        adjust: impl FnOnce(&mut Config),
    ) -> Option<Self> {
        let key = DevKeypair::from_seed([42; 32]);
        let mut config = base_config(&test_db.url, &key);
        adjust(&mut config);
        let clock = Arc::new(ManualClock::new(start));
        let mut app = Application::build(config, clock.clone())
            .await
            .expect("application builds");
        if !jobs {
            app = app.without_background_jobs();
        }
        let base_url = format!("http://{}", app.local_addr());
        let metrics_url = app.metrics_addr().map(|a| format!("http://{a}"));
        let state = app.state();
        let jobs = app.jobs();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            app.run_until_stopped(async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        Some(Self {
            base_url,
            metrics_url,
            state,
            jobs,
            clock,
            key,
            http: reqwest::Client::new(),
            db_url: test_db.url.clone(),
            stop: Some(stop),
            server: Some(server),
            _db: test_db,
        })
    }

    /// Signs `interaction` with the app's key at the app's "now".
    pub fn sign(&self, interaction: &SynthInteraction) -> SignedRequest {
        interaction.signed(&self.key, self.clock.now().timestamp())
    }

    /// POSTs a signed request to `/interactions`.
    pub async fn post_signed(&self, request: &SignedRequest) -> reqwest::Response {
        self.post_raw(
            request.body.clone(),
            Some(&request.signature),
            Some(&request.timestamp),
        )
        .await
    }

    /// Signs and POSTs `interaction`; returns the status and the JSON reply.
    pub async fn interact(&self, interaction: &SynthInteraction) -> (u16, serde_json::Value) {
        let response = self.post_signed(&self.sign(interaction)).await;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    /// POSTs arbitrary bytes and headers to `/interactions`.
    pub async fn post_raw(
        &self,
        body: Vec<u8>,
        signature: Option<&str>,
        timestamp: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(format!("{}/interactions", self.base_url))
            .header("content-type", "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("x-signature-ed25519", signature);
        }
        if let Some(timestamp) = timestamp {
            request = request.header("x-signature-timestamp", timestamp);
        }
        request.send().await.expect("request reaches the app")
    }

    /// GETs a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{}", self.base_url, path))
            .send()
            .await
            .expect("request reaches the app")
    }

    /// `/metrics` on the public port, with the test bearer token.
    pub async fn metrics_text(&self) -> String {
        let response = self
            .http
            .get(format!("{}/metrics", self.base_url))
            .bearer_auth(TEST_METRICS_TOKEN)
            .send()
            .await
            .expect("request reaches the app");
        assert_eq!(response.status(), 200, "/metrics with the token");
        response.text().await.expect("metrics text")
    }

    /// Runs one query returning a single integer (counts in assertions).
    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Row;
        // Test SQL, written by the test itself.
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(self.state.store.pool())
            .await
            .expect("count query")
            .try_get::<i64, _>(0)
            .expect("an integer")
    }

    /// Stops the server gracefully and hands back its database (to restart
    /// on it).
    pub async fn stop_keeping_db(mut self) -> TestDb {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.state.store.close().await;
        let placeholder = TestDb {
            url: String::new(),
            _dir: None,
        };
        std::mem::replace(&mut self._db, placeholder)
    }

    /// Stops the server gracefully.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The text of an interaction reply (`data.content`), or "".
pub fn content(reply: &serde_json::Value) -> String {
    reply["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Whether a reply is ephemeral (flag 64).
pub fn is_ephemeral(reply: &serde_json::Value) -> bool {
    reply["data"]["flags"].as_u64().is_some_and(|f| f & 64 != 0)
}

/// Set in the child process [`alone_in_child`] starts.
const ALONE_ENV: &str = "FTS_TEST_ALONE";

/// Gives a test a process of its own, for measurements of the whole process
/// (resident memory) that other tests of this binary would disturb.
///
/// In the test runner's process this runs the test named `name` (its full
/// path, e.g. `roobet_caps::sqlite::x`) again in a child process of this
/// binary, alone, fails with the child's output when it fails, and returns
/// `false`: the caller returns. In that child it returns `true`: the caller
/// runs its body.
pub async fn alone_in_child(name: &str) -> bool {
    if std::env::var_os(ALONE_ENV).is_some() {
        return true;
    }
    let name = name.to_string();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(std::env::current_exe().expect("the test binary"))
            .args([
                name.as_str(),
                "--exact",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(ALONE_ENV, "1")
            .output()
            .expect("run the test binary again")
    })
    .await
    .expect("the child test finishes");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprint!("{stderr}");
    assert!(
        output.status.success(),
        "the test in its own process failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test named like this:\n{stdout}"
    );
    false
}

/// `doc` with the opaque public id of each of `uids` replaced by
/// `[public id of UID]`. The ids are keyed by a secret drawn at random for
/// each database, and a snapshot must read the same on every run and on
/// both engines.
pub fn named_ids(app: &TestApp, doc: serde_json::Value, uids: &[&str]) -> serde_json::Value {
    let names: Vec<(String, String)> = uids
        .iter()
        .map(|uid| {
            (
                app.state.public_ids.public_id(uid),
                format!("[public id of {uid}]"),
            )
        })
        .collect();
    replace_strings(doc, &names)
}

fn replace_strings(value: serde_json::Value, names: &[(String, String)]) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(
            names
                .iter()
                .find(|(id, _)| *id == s)
                .map_or(s, |(_, name)| name.clone()),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| replace_strings(v, names))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, replace_strings(v, names)))
                .collect(),
        ),
        other => other,
    }
}

/// Points `config` at a fake casino serving both the affiliate and the
/// tipping API at `base_url`, with the demo credentials and no spacing
/// between tips (tests drive the payout worker themselves).
pub fn use_fake_casino(config: &mut Config, base_url: String) {
    use fts_assistant::roobet::fake::{DEMO_AFFILIATE_TOKEN, DEMO_TIPPING_TOKEN, DEMO_USER_ID};
    config.roobet_api_base = base_url.clone();
    config.roobet_api_token = Some(Secret::new(DEMO_AFFILIATE_TOKEN));
    config.roobet_user_id = Some(DEMO_USER_ID.into());
    config.tipping_api_base = base_url;
    config.tipping_api_token = Some(Secret::new(DEMO_TIPPING_TOKEN));
    config.tip_interval_secs = 0;
}

/// Mounts Discord's "create message" on `server`: a POST in channel N
/// answers message id N*100+1, so tests can tell channels' posts apart.
pub async fn mount_channel_posts(server: &wiremock::MockServer) {
    use wiremock::matchers::{method, path_regex};
    wiremock::Mock::given(method("POST"))
        .and(path_regex(r"^/channels/\d+/messages$"))
        .respond_with(|request: &wiremock::Request| {
            let channel: u64 = request
                .url
                .path()
                .split('/')
                .nth(2)
                .unwrap()
                .parse()
                .unwrap();
            wiremock::ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "id": (channel * 100 + 1).to_string() }))
        })
        .mount(server)
        .await;
}

/// A player's figures for a board built by hand (cents), as the rankers
/// take them.
pub fn figures(
    uid: &str,
    name: &str,
    wagered: i64,
    weighted: i64,
    hit: Option<Hit>,
) -> PlayerFigures {
    PlayerFigures {
        uid: uid.into(),
        username: name.into(),
        wagered: Cents::new(wagered),
        weighted_wagered: Cents::new(weighted),
        weighted_since_ms: 0,
        best_hit: hit,
        activity: Default::default(),
    }
}

/// A hit of `multiplier` hundredths on a `bet` in cents (payout derived).
pub fn hit(multiplier: i64, bet: i64, game_id: &str, title: &str) -> Option<Hit> {
    Some(Hit {
        multiplier: Multiplier(multiplier),
        bet: Cents::new(bet),
        payout: Cents::new(bet * multiplier / 100),
        game_id: game_id.into(),
        game_title: title.into(),
    })
}
