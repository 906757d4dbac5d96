//! Every setting of spec/config.md, read once from the environment.
//!
//! Nothing is required: a missing setting switches the matching part off and
//! [`Config::parts`] says which parts are on and why, so the startup log can
//! explain itself without ever printing a secret.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::domain::money::Cents;

/// The embedded database used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://fts-assistant.db?mode=rwc";

/// The default of `POLL_INTERVAL_SECS`.
pub const DEFAULT_POLL_INTERVAL_SECS: u64 = 600;
/// `TIP_INTERVAL_SECS` when unset: the spacing the community has run with.
pub const DEFAULT_TIP_INTERVAL_SECS: u64 = 30;

/// A value that must never reach a log line, a reply or a page.
///
/// `Debug` prints `***`; the only way to the text is [`Secret::expose`], so
/// every use of a token is easy to find in review.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret text, for the one place that must send it (an HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Output format of the log, chosen by `LOG_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines for a terminal.
    Pretty,
    /// One JSON object per line for log shippers.
    Json,
}

/// Where `DISCORD_PUBLIC_KEY` points the signature check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKeySetting {
    /// A hex Ed25519 key from the Discord developer portal.
    Hex(String),
    /// `dev`: the public half of the local dev keypair used by `interact`.
    DevKeypair,
}

/// The Discord channels the service posts to; each one missing switches its
/// messages off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Channels {
    /// Monthly leaderboard message, edited in place.
    pub leaderboard: Option<u64>,
    /// Weekly multiplier leaderboard message, edited in place.
    pub multiplier: Option<u64>,
    /// Milestone celebrations.
    pub milestone: Option<u64>,
    /// Active-challenge board and new-challenge announcements.
    pub challenge: Option<u64>,
    /// Challenge winners.
    pub challenge_logs: Option<u64>,
    /// Community goal celebrations.
    pub monthly_goal: Option<u64>,
    /// Weekly multiplier payouts.
    pub weekly_multiplier_logs: Option<u64>,
}

impl Channels {
    /// Reads the channel ids; the weekly multiplier board's was read
    /// earlier, with its legacy name.
    fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
        multiplier: Option<u64>,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            leaderboard: snowflake(get, "LEADERBOARD_CHANNEL_ID")?,
            multiplier,
            milestone: snowflake(get, "MILESTONE_CHANNEL_ID")?,
            challenge: snowflake(get, "CHALLENGE_CHANNEL_ID")?,
            challenge_logs: snowflake(get, "CHALLENGE_LOGS_CHANNEL_ID")?,
            monthly_goal: snowflake(get, "MONTHLY_GOAL_CHANNEL_ID")?,
            weekly_multiplier_logs: snowflake(get, "WEEKLY_MULTIPLIER_LOGS_CHANNEL_ID")?,
        })
    }

    /// Each kind of channel post with the variable that switches it on, and
    /// whether it is set: the startup log and `/status` say which posts are
    /// off and why.
    pub fn posts(&self) -> [(&'static str, &'static str, bool); 7] {
        [
            (
                "monthly leaderboard",
                "LEADERBOARD_CHANNEL_ID",
                self.leaderboard.is_some(),
            ),
            (
                "weekly multiplier board",
                "MULTIPLIER_CHANNEL_ID",
                self.multiplier.is_some(),
            ),
            (
                "milestone celebrations",
                "MILESTONE_CHANNEL_ID",
                self.milestone.is_some(),
            ),
            (
                "challenge board and announcements",
                "CHALLENGE_CHANNEL_ID",
                self.challenge.is_some(),
            ),
            (
                "challenge winners and cancellations",
                "CHALLENGE_LOGS_CHANNEL_ID",
                self.challenge_logs.is_some(),
            ),
            (
                "community goals",
                "MONTHLY_GOAL_CHANNEL_ID",
                self.monthly_goal.is_some(),
            ),
            (
                "weekly multiplier payouts",
                "WEEKLY_MULTIPLIER_LOGS_CHANNEL_ID",
                self.weekly_multiplier_logs.is_some(),
            ),
        ]
    }
}

/// Every setting of the service. Built by [`Config::from_env`] in production
/// and by hand (or [`Config::from_lookup`]) in tests.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server binds (`BIND_ADDR`, else all interfaces on `PORT`).
    pub bind_addr: SocketAddr,
    /// Absolute URL of the public pages, used in links and embeds.
    pub public_base_url: String,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Key that verifies interaction signatures; `None` makes `/interactions` answer 503.
    pub discord_public_key: Option<PublicKeySetting>,
    /// Application id, for command registration and follow-ups.
    pub discord_application_id: Option<u64>,
    /// Bot token for REST calls; `None` means nothing is posted.
    pub discord_token: Option<Secret>,
    /// Discord REST base URL.
    pub discord_api_base: String,
    /// Register commands to this guild instead of globally.
    pub guild_id: Option<u64>,
    /// Members with this role may use admin commands.
    pub admin_role_id: Option<u64>,
    /// Channels the service posts to.
    pub channels: Channels,
    /// Affiliate API bearer token; `None` means no polling.
    pub roobet_api_token: Option<Secret>,
    /// The affiliate's Roobet user id.
    pub roobet_user_id: Option<String>,
    /// Affiliate API base URL.
    pub roobet_api_base: String,
    /// Tipping API bearer token; `None` means payouts stay pending.
    pub tipping_api_token: Option<Secret>,
    /// Tipping API base URL.
    pub tipping_api_base: String,
    /// Record payouts as sent without calling the tipping API.
    pub tips_dry_run: bool,
    /// Set by `fts-assistant demo` only (never read from the environment):
    /// the public tips pages then list the dry-run tips too, labelled as
    /// test data, so the demo shows a filled ledger. Production (`serve`,
    /// dry-run or not) never counts a dry run as public money.
    pub demo: bool,
    /// Seconds between two tips sent by the payout worker.
    pub tip_interval_secs: u64,
    /// Seconds between poll cycles.
    pub poll_interval_secs: u64,
    /// Largest `/tipuser` amount.
    pub max_manual_tip: Cents,
    /// TOML file overriding the built-in prize tables and tiers.
    pub rewards_file: Option<PathBuf>,
    /// Folder of the CSS, scripts and images under `/static/`.
    pub static_dir: PathBuf,
    /// Log output format.
    pub log_format: LogFormat,
    /// Tracing filter.
    pub rust_log: String,
    /// On a first run, pay milestone tiers reached before the service
    /// started instead of holding them (`FIRST_RUN_PAYS_EXISTING`); see
    /// `jobs::first_run`.
    pub first_run_pays_existing: bool,
    /// The original bot's `BOT_OWNER_ID`: one Discord user treated as an
    /// admin besides Manage Server and `ADMIN_ROLE_ID`, so a community moving
    /// over keeps the person who managed challenges.
    pub bot_owner_id: Option<u64>,
    /// Warnings about the environment (old names read as aliases, unknown
    /// names that look like ours), logged once at startup: the
    /// configuration is read before logging starts.
    pub warnings: Vec<String>,
    // ---- production safety (issue 12): server limits and /metrics access ----
    /// Timeouts and the connection cap of the HTTP server (`HTTP_*`, `SHUTDOWN_GRACE_SECS`).
    pub server: ServerLimits,
    /// Separate listener serving only `/metrics`, for internal scraping.
    pub metrics_addr: Option<SocketAddr>,
    /// Bearer token that opens `/metrics` on the public port; unset = 404 there.
    pub metrics_token: Option<Secret>,
    /// How often every replica checks whether the public tips changed and,
    /// if so, rebuilds `/api/tips` and `/allTimeTips.json` (`TIPS_REFRESH_SECS`).
    pub tips_refresh: Duration,
    // ---- streamer kit (issue 16): branding and live streams ----
    /// Community name, logo, affiliate code and sign-up link shown on every
    /// page, overlay and board embed.
    pub branding: Branding,
    /// Concurrent `/api/events` streams served at once (`SSE_MAX_STREAMS`,
    /// default 1000 or half of `HTTP_MAX_CONNECTIONS` if smaller, always
    /// below it); one more answers 503, so idle viewers cannot pile up
    /// without bound nor take every connection.
    pub sse_max_streams: usize,
    // ---- attacker review (issue 22): per-client limits ----
    /// Live streams one client may hold open at once (`MAX_SSE_PER_CLIENT`,
    /// default 4; `0` = no per-client cap). One more answers 503.
    pub sse_max_per_client: usize,
    /// The request header a trusted proxy in front of us puts the client's
    /// address in (`TRUSTED_PROXY_HEADER`, e.g. `Fly-Client-IP` on Fly),
    /// lowercased. Unset: the client is the TCP peer, and no header is read.
    pub trusted_proxy_header: Option<String>,
}

/// The shortest `METRICS_TOKEN` accepted: it opens `/metrics` on the public
/// port, so it must not be guessable.
pub const MIN_METRICS_TOKEN_CHARS: usize = 32;

/// `METRICS_TOKEN`, refused when shorter than [`MIN_METRICS_TOKEN_CHARS`]
/// (the error names its length, never its value).
fn metrics_token(get: &impl Fn(&str) -> Option<String>) -> Result<Option<Secret>, ConfigError> {
    match get("METRICS_TOKEN") {
        None => Ok(None),
        Some(v) if v.chars().count() < MIN_METRICS_TOKEN_CHARS => Err(ConfigError {
            name: "METRICS_TOKEN",
            value: format!("<{} characters, not shown>", v.chars().count()),
            expected: "at least 32 characters (e.g. `openssl rand -hex 32`)",
        }),
        Some(v) => Ok(Some(Secret::new(v))),
    }
}

/// `TRUSTED_PROXY_HEADER`: a valid header name, kept lowercased.
fn trusted_proxy_header(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<String>, ConfigError> {
    match get("TRUSTED_PROXY_HEADER") {
        None => Ok(None),
        Some(v) => match axum::http::HeaderName::from_bytes(v.as_bytes()) {
            Ok(name) => Ok(Some(name.as_str().to_string())),
            Err(_) => Err(ConfigError {
                name: "TRUSTED_PROXY_HEADER",
                value: v,
                expected: "an HTTP header name, e.g. Fly-Client-IP",
            }),
        },
    }
}

/// `SSE_MAX_STREAMS`: every stream holds a connection for as long as a
/// viewer watches, so the cap stays below `HTTP_MAX_CONNECTIONS` (else
/// viewers could take every connection and the pages would stop answering).
/// Default: 1000, or half of `HTTP_MAX_CONNECTIONS` when that is smaller.
fn sse_max_streams(
    get: &impl Fn(&str) -> Option<String>,
    server: &ServerLimits,
) -> Result<usize, ConfigError> {
    const EXPECTED: &str = "a stream count, at least 1 and below HTTP_MAX_CONNECTIONS";
    let default = (server.max_connections / 2).clamp(1, 1000);
    let n: usize = parse_or(get, "SSE_MAX_STREAMS", default, EXPECTED)?;
    if n == 0 || n >= server.max_connections {
        return Err(ConfigError {
            name: "SSE_MAX_STREAMS",
            value: n.to_string(),
            expected: EXPECTED,
        });
    }
    Ok(n)
}

/// How the community presents itself (`COMMUNITY_NAME`, `COMMUNITY_LOGO_URL`,
/// `AFFILIATE_CODE`, `SIGNUP_URL`): read once, shown everywhere, so a second
/// community runs the same binary under its own name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    /// Shown in titles, headers, overlays and embeds (default `FTS`).
    pub community_name: String,
    /// Absolute `http(s)` URL of a logo; Open Graph cards fall back to the
    /// bundled default image without it.
    pub logo_url: Option<String>,
    /// The code viewers sign up with.
    pub affiliate_code: Option<String>,
    /// Where "Sign up with code …" points; `http(s)` only.
    pub signup_url: Option<String>,
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            community_name: "FTS".into(),
            logo_url: None,
            affiliate_code: None,
            signup_url: None,
        }
    }
}

impl Branding {
    fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let text = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let link = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match text(name) {
                None => Ok(None),
                Some(v) => match url::Url::parse(&v) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(Some(u.to_string())),
                    _ => Err(ConfigError {
                        name,
                        value: v,
                        expected: "an absolute http(s) URL",
                    }),
                },
            }
        };
        Ok(Self {
            community_name: text("COMMUNITY_NAME").unwrap_or_else(|| "FTS".into()),
            logo_url: link("COMMUNITY_LOGO_URL")?,
            affiliate_code: text("AFFILIATE_CODE"),
            signup_url: link("SIGNUP_URL")?,
        })
    }
}

/// Every environment name this service reads (spec/config.md), for the
/// check that warns about misspelt or outdated names.
pub const KNOWN_NAMES: &[&str] = &[
    "PORT",
    "BIND_ADDR",
    "PUBLIC_BASE_URL",
    "DATABASE_URL",
    "DISCORD_PUBLIC_KEY",
    "DISCORD_APPLICATION_ID",
    "DISCORD_TOKEN",
    "DISCORD_API_BASE",
    "GUILD_ID",
    "ADMIN_ROLE_ID",
    "LEADERBOARD_CHANNEL_ID",
    "MULTIPLIER_CHANNEL_ID",
    "MILESTONE_CHANNEL_ID",
    "CHALLENGE_CHANNEL_ID",
    "CHALLENGE_LOGS_CHANNEL_ID",
    "MONTHLY_GOAL_CHANNEL_ID",
    "WEEKLY_MULTIPLIER_LOGS_CHANNEL_ID",
    "ROOBET_API_TOKEN",
    "ROOBET_USER_ID",
    "ROOBET_API_BASE",
    "TIPPING_API_TOKEN",
    "TIPPING_API_BASE",
    "TIPS_DRY_RUN",
    "TIP_INTERVAL_SECS",
    "POLL_INTERVAL_SECS",
    "MAX_MANUAL_TIP",
    "REWARDS_FILE",
    "STATIC_DIR",
    "LOG_FORMAT",
    "RUST_LOG",
    "METRICS_ADDR",
    "METRICS_TOKEN",
    "FIRST_RUN_PAYS_EXISTING",
    "COMMUNITY_NAME",
    "COMMUNITY_LOGO_URL",
    "AFFILIATE_CODE",
    "SIGNUP_URL",
    "SSE_MAX_STREAMS",
    "MAX_SSE_PER_CLIENT",
    "MAX_CONNECTIONS_PER_CLIENT",
    "TRUSTED_PROXY_HEADER",
];

/// The original bot's names read as aliases: (old name, new name).
pub const ALIASES: &[(&str, &str)] = &[("MULTI_LEADERBOARD_CHANNEL_ID", "MULTIPLIER_CHANNEL_ID")];

/// The original bot's names with no counterpart here (read or ignored on
/// purpose, never warned about as unknown).
pub const LEGACY_NAMES: &[&str] = &[
    "BOT_OWNER_ID",
    "TIP_CONFIRMATION_CHANNEL_ID",
    "GITHUB_TOKEN",
];

/// First words too generic to say a variable is ours (`DATABASE_PASSWORD`,
/// `LOG_LEVEL`, `PUBLIC_…` belong to other programs as often as to us).
const GENERIC_PREFIXES: &[&str] = &[
    "PORT", "BIND", "PUBLIC", "DATABASE", "GUILD", "ADMIN", "MAX", "STATIC", "LOG", "RUST",
    "SIGNUP",
];

/// Environment names that look like ours (they start with the first word
/// of one of our names, e.g. `DISCORD_`, `ROOBET_`, `CHALLENGE_`) but are
/// not one we read: usually a typo or a name from another version. Sorted,
/// each once.
pub fn unknown_like_ours(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let prefixes: std::collections::BTreeSet<String> = KNOWN_NAMES
        .iter()
        .filter_map(|name| name.split_once('_').map(|(first, _)| first))
        .filter(|first| !GENERIC_PREFIXES.contains(first))
        .map(|first| format!("{first}_"))
        .collect();
    let mut unknown: Vec<String> = names
        .into_iter()
        .filter(|name| {
            !KNOWN_NAMES.contains(&name.as_str())
                && !LEGACY_NAMES.contains(&name.as_str())
                && !ALIASES.iter().any(|(old, _)| old == name)
                && prefixes.iter().any(|p| name.starts_with(p.as_str()))
        })
        .collect();
    unknown.sort();
    unknown.dedup();
    unknown
}

/// What the HTTP server allows a client, so slow or silent clients cannot
/// hold connections (and file descriptors) forever, nor keep a stopping
/// process alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// A request's headers must arrive within this after the connection is
    /// ready to read one (`HTTP_HEADER_TIMEOUT_SECS`, default 10).
    pub header_read_timeout: Duration,
    /// A connection with no byte read or written for this long is closed
    /// (`HTTP_IDLE_TIMEOUT_SECS`, default 60).
    pub idle_timeout: Duration,
    /// The body of `POST /interactions` must arrive within this
    /// (`HTTP_BODY_TIMEOUT_SECS`, default 10); else `408`.
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait in the listen backlog
    /// (`HTTP_MAX_CONNECTIONS`, default 512).
    pub max_connections: usize,
    /// Connections one client address (an IPv6 /64) may hold open at once
    /// (`MAX_CONNECTIONS_PER_CLIENT`, default 32; `0` = no cap, for a proxy
    /// in front whose address every connection has). One more is accepted
    /// and closed at once.
    pub max_connections_per_client: usize,
    /// On shutdown, requests in flight get this long; then open connections
    /// are dropped (`SHUTDOWN_GRACE_SECS`, default 10).
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(10),
            max_connections: 512,
            max_connections_per_client: 32,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl ServerLimits {
    fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let d = Self::default();
        let secs = |name: &'static str, default: Duration| -> Result<Duration, ConfigError> {
            let v: u64 = parse_or(get, name, default.as_secs(), "whole seconds, at least 1")?;
            positive(v).map(Duration::from_secs).ok_or(ConfigError {
                name,
                value: "0".into(),
                expected: "whole seconds, at least 1",
            })
        };
        let max_connections: usize = parse_or(
            get,
            "HTTP_MAX_CONNECTIONS",
            d.max_connections,
            "a connection count, at least 1",
        )?;
        if max_connections == 0 {
            return Err(ConfigError {
                name: "HTTP_MAX_CONNECTIONS",
                value: "0".into(),
                expected: "a connection count, at least 1",
            });
        }
        Ok(Self {
            header_read_timeout: secs("HTTP_HEADER_TIMEOUT_SECS", d.header_read_timeout)?,
            idle_timeout: secs("HTTP_IDLE_TIMEOUT_SECS", d.idle_timeout)?,
            body_timeout: secs("HTTP_BODY_TIMEOUT_SECS", d.body_timeout)?,
            max_connections,
            max_connections_per_client: parse_or(
                get,
                "MAX_CONNECTIONS_PER_CLIENT",
                d.max_connections_per_client,
                "a connection count (0 = no per-client cap)",
            )?,
            shutdown_grace: secs("SHUTDOWN_GRACE_SECS", d.shutdown_grace)?,
        })
    }
}

/// A setting that is present but cannot be used; names the variable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{name}={value:?} is not valid: {expected}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub name: &'static str,
    /// What was found (never a secret: secrets are not parsed).
    pub value: String,
    /// What is allowed.
    pub expected: &'static str,
}

/// One part of the service and whether the configuration switches it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Short name of the part, e.g. "interactions".
    pub name: &'static str,
    /// Whether it runs.
    pub on: bool,
    /// Why it is on or off, naming the variables involved (never their secret values).
    pub why: String,
}

impl Config {
    /// Reads the process environment (after `.env`, loaded by the binary).
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut config = Self::from_lookup(|name| std::env::var(name).ok())?;
        for name in unknown_like_ours(std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()))
        {
            config.warnings.push(format!(
                "{name} is set but is not a setting of this service (a typo or an outdated name?): ignored"
            ));
        }
        Ok(config)
    }

    /// Builds the configuration from any name → value lookup; empty values
    /// count as unset, so `FOO=` in a `.env` file switches a part off.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        // Settings are read in a fixed order: with several bad values, the
        // first one in this order is the one reported.
        let bind_addr = bind_addr(&get)?;
        let public_base_url = get("PUBLIC_BASE_URL")
            .unwrap_or_else(|| format!("http://localhost:{}", bind_addr.port()))
            .trim_end_matches('/')
            .to_string();
        let discord_public_key = discord_public_key(&get)?;
        let max_manual_tip = max_manual_tip(&get)?;
        let mut warnings = Vec::new();
        let multiplier_channel = multiplier_channel(&get, &mut warnings)?;
        let bot_owner_id = bot_owner_id(&get, &mut warnings)?;
        let server = ServerLimits::from_lookup(&get)?;
        let sse_streams = sse_max_streams(&get, &server)?;
        let sse_max_per_client: usize = parse_or(
            &get,
            "MAX_SSE_PER_CLIENT",
            4,
            "a stream count (0 = no per-client cap)",
        )?;
        let log_format = log_format(&get)?;
        Ok(Self {
            bind_addr,
            public_base_url,
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            discord_public_key,
            discord_application_id: snowflake(&get, "DISCORD_APPLICATION_ID")?,
            discord_token: get("DISCORD_TOKEN").map(Secret::new),
            discord_api_base: base_url(get("DISCORD_API_BASE"), "https://discord.com/api/v10"),
            guild_id: snowflake(&get, "GUILD_ID")?,
            admin_role_id: snowflake(&get, "ADMIN_ROLE_ID")?,
            channels: Channels::from_lookup(&get, multiplier_channel)?,
            roobet_api_token: get("ROOBET_API_TOKEN").map(Secret::new),
            roobet_user_id: get("ROOBET_USER_ID"),
            roobet_api_base: base_url(get("ROOBET_API_BASE"), "https://roobetconnect.com"),
            tipping_api_token: get("TIPPING_API_TOKEN").map(Secret::new),
            tipping_api_base: base_url(get("TIPPING_API_BASE"), "https://roobet.com"),
            tips_dry_run: parse_bool(&get, "TIPS_DRY_RUN")?,
            demo: false,
            tip_interval_secs: parse_or(
                &get,
                "TIP_INTERVAL_SECS",
                DEFAULT_TIP_INTERVAL_SECS,
                "whole seconds",
            )?,
            poll_interval_secs: positive_secs(
                &get,
                "POLL_INTERVAL_SECS",
                DEFAULT_POLL_INTERVAL_SECS,
            )?,
            max_manual_tip,
            rewards_file: get("REWARDS_FILE").map(PathBuf::from),
            static_dir: get("STATIC_DIR").map_or_else(|| PathBuf::from("static"), PathBuf::from),
            log_format,
            rust_log: get("RUST_LOG").unwrap_or_else(|| "info".into()),
            first_run_pays_existing: parse_bool(&get, "FIRST_RUN_PAYS_EXISTING")?,
            bot_owner_id,
            warnings,
            server,
            metrics_addr: metrics_addr(&get)?,
            metrics_token: metrics_token(&get)?,
            tips_refresh: Duration::from_secs(positive_secs(&get, "TIPS_REFRESH_SECS", 30)?),
            branding: Branding::from_lookup(&get)?,
            sse_max_streams: sse_streams,
            sse_max_per_client,
            trusted_proxy_header: trusted_proxy_header(&get)?,
        })
    }

    /// Who counts as an admin: bound to `GUILD_ID`, see
    /// [`crate::discord::permissions`].
    pub fn admin_policy(&self) -> crate::discord::permissions::AdminPolicy {
        crate::discord::permissions::AdminPolicy {
            guild_id: self.guild_id,
            admin_role_id: self.admin_role_id,
            owner_user_id: self.bot_owner_id,
        }
    }

    /// Which parts of the service run with this configuration, and why;
    /// logged at startup and shown by `/status`.
    pub fn parts(&self) -> Vec<Part> {
        let mut parts = Vec::new();
        let mut part = |name, on, why: String| parts.push(Part { name, on, why });
        part(
            "interactions",
            self.discord_public_key.is_some(),
            match &self.discord_public_key {
                Some(PublicKeySetting::DevKeypair) => {
                    "DISCORD_PUBLIC_KEY=dev: accepting requests signed by the local dev keypair"
                        .into()
                }
                Some(PublicKeySetting::Hex(_)) => "DISCORD_PUBLIC_KEY is set".into(),
                None => "DISCORD_PUBLIC_KEY is not set: /interactions answers 503".into(),
            },
        );
        let posts = self.channels.posts();
        let off: Vec<String> = posts
            .iter()
            .filter(|(_, _, on)| !on)
            .map(|(what, variable, _)| format!("{what} ({variable} not set)"))
            .collect();
        let on: Vec<&str> = posts.iter().filter(|p| p.2).map(|p| p.0).collect();
        part(
            "discord-posting",
            self.discord_token.is_some() && !on.is_empty(),
            match (self.discord_token.is_some(), on.is_empty(), off.is_empty()) {
                (false, _, _) => "DISCORD_TOKEN is not set: no channel messages are posted".into(),
                (true, true, _) => "DISCORD_TOKEN is set but no channel id is: no channel messages are posted (set LEADERBOARD_CHANNEL_ID and the others)".into(),
                (true, false, true) => format!("posting {}", on.join(", ")),
                (true, false, false) => format!("posting {}; off: {}", on.join(", "), off.join(", ")),
            },
        );
        part(
            "admin-commands",
            self.guild_id.is_some(),
            match self.guild_id {
                Some(guild) => format!(
                    "admin commands and buttons answer only in guild {guild} (GUILD_ID); turn \"Public Bot\" off in the developer portal"
                ),
                None => "GUILD_ID is not set: every admin command and button is refused (member commands still answer)".into(),
            },
        );
        let polling = self.roobet_api_token.is_some() && self.roobet_user_id.is_some();
        part(
            "polling",
            polling,
            if polling {
                format!(
                    "every {}s from {}",
                    self.poll_interval_secs, self.roobet_api_base
                )
            } else {
                "ROOBET_API_TOKEN and ROOBET_USER_ID are both needed: no polling".into()
            },
        );
        let tipping = self.tips_dry_run
            || (self.tipping_api_token.is_some() && self.roobet_user_id.is_some());
        part(
            "tipping",
            tipping,
            if self.tips_dry_run {
                "TIPS_DRY_RUN=true: payouts are recorded as sent WITHOUT calling the tipping API"
                    .into()
            } else if tipping {
                format!("sending through {}", self.tipping_api_base)
            } else {
                "TIPPING_API_TOKEN and ROOBET_USER_ID (the sender) are both needed: payouts stay pending"
                    .into()
            },
        );
        parts
    }
}

/// `BIND_ADDR`, or every interface on `PORT` (8080 when unset).
fn bind_addr(get: &impl Fn(&str) -> Option<String>) -> Result<SocketAddr, ConfigError> {
    let port: u16 = parse_or(get, "PORT", 8080, "a TCP port number (1-65535)")?;
    match get("BIND_ADDR") {
        Some(v) => v.parse().map_err(|_| ConfigError {
            name: "BIND_ADDR",
            value: v,
            expected: "host:port, e.g. 127.0.0.1:8080",
        }),
        None => Ok(SocketAddr::from(([0, 0, 0, 0], port))),
    }
}

/// `DISCORD_PUBLIC_KEY`: 64 hex characters, or `dev` for the local keypair.
fn discord_public_key(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<PublicKeySetting>, ConfigError> {
    match get("DISCORD_PUBLIC_KEY") {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("dev") => Ok(Some(PublicKeySetting::DevKeypair)),
        Some(v) if v.len() != 64 || hex::decode(&v).is_err() => Err(ConfigError {
            name: "DISCORD_PUBLIC_KEY",
            value: v,
            expected: "64 hex characters (the application's public key), or `dev`",
        }),
        Some(v) => Ok(Some(PublicKeySetting::Hex(v))),
    }
}

/// A Discord id setting (digits only); `None` when unset.
fn snowflake(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<u64>, ConfigError> {
    get(name)
        .map(|v| {
            v.parse::<u64>().map_err(|_| ConfigError {
                name,
                value: v,
                expected: "a Discord id (digits only)",
            })
        })
        .transpose()
}

/// `MAX_MANUAL_TIP` in dollars; $100.00 when unset.
fn max_manual_tip(get: &impl Fn(&str) -> Option<String>) -> Result<Cents, ConfigError> {
    match get("MAX_MANUAL_TIP") {
        None => Ok(Cents::new(10_000)),
        Some(v) => Cents::parse_dollars(&v).map_err(|_| ConfigError {
            name: "MAX_MANUAL_TIP",
            value: v,
            expected: "a positive USD amount with at most 2 decimals",
        }),
    }
}

/// `MULTIPLIER_CHANNEL_ID`, or the original bot's name for it
/// (`MULTI_LEADERBOARD_CHANNEL_ID`) with a warning to rename it.
fn multiplier_channel(
    get: &impl Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Result<Option<u64>, ConfigError> {
    let (old, new) = ("MULTI_LEADERBOARD_CHANNEL_ID", "MULTIPLIER_CHANNEL_ID");
    let channel = snowflake(get, new)?;
    let Some(value) = get(old) else {
        return Ok(channel);
    };
    if channel.is_some() {
        warnings.push(format!(
            "{old} is the original bot's name of {new}; both are set, {new} wins: remove {old}"
        ));
        return Ok(channel);
    }
    let parsed = value.parse::<u64>().map_err(|_| ConfigError {
        name: "MULTI_LEADERBOARD_CHANNEL_ID",
        value,
        expected: "a Discord id (digits only)",
    })?;
    warnings.push(format!(
        "{old} is the original bot's name: read as {new}; rename it to {new}"
    ));
    Ok(Some(parsed))
}

/// `BOT_OWNER_ID`, the original bot's admin setting, with a warning saying
/// what it grants; also warns about the original bot's settings that have
/// no counterpart here.
fn bot_owner_id(
    get: &impl Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Result<Option<u64>, ConfigError> {
    let bot_owner_id = snowflake(get, "BOT_OWNER_ID")?;
    if let Some(owner) = bot_owner_id {
        warnings.push(format!(
            "BOT_OWNER_ID is the original bot's setting: Discord user {owner} may use the admin \
             commands (ADMIN_ROLE_ID is this service's way to name admins)"
        ));
    }
    for name in ["TIP_CONFIRMATION_CHANNEL_ID", "GITHUB_TOKEN"] {
        if get(name).is_some() {
            warnings.push(format!(
                "{name} is a setting of the original bot with no counterpart here: ignored"
            ));
        }
    }
    Ok(bot_owner_id)
}

/// `LOG_FORMAT`: `pretty` (the default) or `json`.
fn log_format(get: &impl Fn(&str) -> Option<String>) -> Result<LogFormat, ConfigError> {
    match get("LOG_FORMAT").as_deref() {
        None | Some("pretty") => Ok(LogFormat::Pretty),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => Err(ConfigError {
            name: "LOG_FORMAT",
            value: other.to_string(),
            expected: "`pretty` or `json`",
        }),
    }
}

/// A whole number of seconds, at least 1; `default` when unset.
fn positive_secs(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
) -> Result<u64, ConfigError> {
    const EXPECTED: &str = "whole seconds, at least 1";
    positive(parse_or(get, name, default, EXPECTED)?).ok_or_else(|| ConfigError {
        name,
        value: "0".into(),
        expected: EXPECTED,
    })
}

/// `METRICS_ADDR`: where the separate metrics listener binds, if anywhere.
fn metrics_addr(get: &impl Fn(&str) -> Option<String>) -> Result<Option<SocketAddr>, ConfigError> {
    // A host name is resolved once here (`fly-local-6pn:9091` on Fly names
    // the machine's private address in /etc/hosts).
    get("METRICS_ADDR")
        .map(|v| {
            let resolved = v.parse::<SocketAddr>().ok().or_else(|| {
                std::net::ToSocketAddrs::to_socket_addrs(v.as_str())
                    .ok()
                    .and_then(|mut addrs| addrs.next())
            });
            resolved.ok_or(ConfigError {
                name: "METRICS_ADDR",
                value: v,
                expected: "host:port, e.g. 127.0.0.1:9091 or fly-local-6pn:9091",
            })
        })
        .transpose()
}

fn base_url(value: Option<String>, default: &str) -> String {
    value
        .unwrap_or_else(|| default.to_string())
        .trim_end_matches('/')
        .to_string()
}

fn positive(v: u64) -> Option<u64> {
    (v > 0).then_some(v)
}

fn parse_or<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    expected: &'static str,
) -> Result<T, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| ConfigError {
            name,
            value: v,
            expected,
        }),
    }
}

fn parse_bool(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<bool, ConfigError> {
    match get(name).map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("false" | "0" | "no" | "off") => Ok(false),
        Some("true" | "1" | "yes" | "on") => Ok(true),
        Some(other) => Err(ConfigError {
            name,
            value: other.to_string(),
            expected: "true or false",
        }),
    }
}

#[cfg(test)]
mod streamer_kit_tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn branding_defaults_to_fts_and_validates_links() {
        let c = config(&[]).unwrap();
        assert_eq!(c.branding, Branding::default());
        assert_eq!(c.branding.community_name, "FTS");
        let c = config(&[
            ("COMMUNITY_NAME", " Spin Club "),
            ("AFFILIATE_CODE", "SPIN"),
            ("SIGNUP_URL", "https://roobet.com/?ref=spin"),
        ])
        .unwrap();
        assert_eq!(c.branding.community_name, "Spin Club");
        assert_eq!(c.branding.affiliate_code.as_deref(), Some("SPIN"));
        let bad = config(&[("SIGNUP_URL", "javascript:alert(1)")]).unwrap_err();
        assert_eq!(bad.name, "SIGNUP_URL");
        assert_eq!(
            config(&[("COMMUNITY_LOGO_URL", "logo.png")])
                .unwrap_err()
                .name,
            "COMMUNITY_LOGO_URL"
        );
    }

    #[test]
    fn the_stream_cap_stays_below_the_connection_cap() {
        assert_eq!(config(&[]).unwrap().sse_max_streams, 256);
        let c = config(&[("HTTP_MAX_CONNECTIONS", "4000")]).unwrap();
        assert_eq!(c.sse_max_streams, 1000);
        let c = config(&[
            ("HTTP_MAX_CONNECTIONS", "1100"),
            ("SSE_MAX_STREAMS", "1000"),
        ])
        .unwrap();
        assert_eq!(c.sse_max_streams, 1000);
        for bad in [
            vec![("SSE_MAX_STREAMS", "0")],
            vec![("SSE_MAX_STREAMS", "512")],
        ] {
            assert_eq!(config(&bad).unwrap_err().name, "SSE_MAX_STREAMS");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn empty_environment_gives_the_documented_defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind_addr.to_string(), "0.0.0.0:8080");
        assert_eq!(c.public_base_url, "http://localhost:8080");
        assert_eq!(c.database_url, "sqlite://fts-assistant.db?mode=rwc");
        assert_eq!(c.discord_api_base, "https://discord.com/api/v10");
        assert_eq!(c.roobet_api_base, "https://roobetconnect.com");
        assert_eq!(c.tipping_api_base, "https://roobet.com");
        assert!(!c.tips_dry_run);
        assert_eq!(c.tip_interval_secs, 30);
        assert_eq!(c.poll_interval_secs, 600);
        assert_eq!(c.max_manual_tip, Cents::new(10_000));
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert!(c.parts().iter().all(|p| !p.on));
    }

    #[test]
    fn bind_addr_overrides_port() {
        let c = config(&[("PORT", "9000"), ("BIND_ADDR", "127.0.0.1:7000")]).unwrap();
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:7000");
        let c = config(&[("PORT", "9000")]).unwrap();
        assert_eq!(c.bind_addr.port(), 9000);
        assert_eq!(c.public_base_url, "http://localhost:9000");
    }

    #[test]
    fn invalid_values_name_the_variable() {
        let err = config(&[("PORT", "eighty")]).unwrap_err();
        assert_eq!(err.name, "PORT");
        let err = config(&[("DISCORD_PUBLIC_KEY", "zz")]).unwrap_err();
        assert_eq!(err.name, "DISCORD_PUBLIC_KEY");
        let err = config(&[("TIPS_DRY_RUN", "maybe")]).unwrap_err();
        assert_eq!(err.name, "TIPS_DRY_RUN");
        let err = config(&[("POLL_INTERVAL_SECS", "0")]).unwrap_err();
        assert_eq!(err.name, "POLL_INTERVAL_SECS");
        let err = config(&[("MAX_MANUAL_TIP", "1.234")]).unwrap_err();
        assert_eq!(err.name, "MAX_MANUAL_TIP");
    }

    #[test]
    fn secrets_never_appear_in_debug_or_parts() {
        let c = config(&[
            ("DISCORD_TOKEN", "super-secret-bot-token"),
            ("ROOBET_API_TOKEN", "super-secret-jwt"),
            ("ROOBET_USER_ID", "aff"),
            ("TIPPING_API_TOKEN", "super-secret-tip"),
            ("LEADERBOARD_CHANNEL_ID", "1"),
        ])
        .unwrap();
        let shown = format!("{c:?} {:?}", c.parts());
        assert!(!shown.contains("super-secret"), "{shown}");
        assert!(c.parts().iter().filter(|p| p.on).count() == 3);
    }

    #[test]
    fn the_startup_log_says_which_posts_are_off_and_why() {
        let why = |pairs: &[(&str, &str)]| {
            let c = config(pairs).unwrap();
            let part = c
                .parts()
                .into_iter()
                .find(|p| p.name == "discord-posting")
                .unwrap();
            (part.on, part.why)
        };
        let (on, text) = why(&[("DISCORD_TOKEN", "t")]);
        assert!(!on && text.contains("no channel id is"), "{text}");
        let (on, text) = why(&[("DISCORD_TOKEN", "t"), ("LEADERBOARD_CHANNEL_ID", "5")]);
        assert!(on, "{text}");
        assert!(
            text.starts_with("posting monthly leaderboard; off: "),
            "{text}"
        );
        assert!(
            text.contains("milestone celebrations (MILESTONE_CHANNEL_ID not set)"),
            "{text}"
        );
        let (on, text) = why(&[("LEADERBOARD_CHANNEL_ID", "5")]);
        assert!(!on && text.contains("DISCORD_TOKEN is not set"), "{text}");
    }

    #[test]
    fn old_names_are_read_as_aliases_with_a_warning() {
        let c = config(&[
            ("MULTI_LEADERBOARD_CHANNEL_ID", "123"),
            ("BOT_OWNER_ID", "77"),
        ])
        .unwrap();
        assert_eq!(c.channels.multiplier, Some(123));
        assert_eq!(c.bot_owner_id, Some(77));
        assert!(
            c.warnings
                .iter()
                .any(|w| w.contains("MULTI_LEADERBOARD_CHANNEL_ID")
                    && w.contains("MULTIPLIER_CHANNEL_ID")),
            "{:?}",
            c.warnings
        );
        assert!(c.warnings.iter().any(|w| w.contains("BOT_OWNER_ID")));

        let c = config(&[
            ("MULTI_LEADERBOARD_CHANNEL_ID", "123"),
            ("MULTIPLIER_CHANNEL_ID", "9"),
        ])
        .unwrap();
        assert_eq!(c.channels.multiplier, Some(9), "the new name wins");
        assert_eq!(c.warnings.len(), 1);

        let err = config(&[("MULTI_LEADERBOARD_CHANNEL_ID", "abc")]).unwrap_err();
        assert_eq!(err.name, "MULTI_LEADERBOARD_CHANNEL_ID");
        assert!(config(&[]).unwrap().warnings.is_empty());
    }

    #[test]
    fn first_run_pays_existing_is_off_unless_set() {
        assert!(!config(&[]).unwrap().first_run_pays_existing);
        assert!(
            config(&[("FIRST_RUN_PAYS_EXISTING", "true")])
                .unwrap()
                .first_run_pays_existing
        );
        let err = config(&[("FIRST_RUN_PAYS_EXISTING", "sometimes")]).unwrap_err();
        assert_eq!(err.name, "FIRST_RUN_PAYS_EXISTING");
    }

    #[test]
    fn names_that_look_like_ours_are_flagged_once() {
        let names = [
            "DISCORD_TOKN",
            "ROOBET_API_TOKEN",
            "CHALLENGE_LOG_CHANNEL_ID",
            "CHALLENGE_LOG_CHANNEL_ID",
            "DATABASE_PASSWORD",
            "HOME",
            "MULTI_LEADERBOARD_CHANNEL_ID",
            "BOT_OWNER_ID",
            "TIPPING_TOKEN",
        ]
        .map(String::from);
        assert_eq!(
            unknown_like_ours(names),
            ["CHALLENGE_LOG_CHANNEL_ID", "DISCORD_TOKN", "TIPPING_TOKEN"]
        );
    }

    #[test]
    fn server_limits_and_metrics_settings_are_read() {
        let c = config(&[]).unwrap();
        assert_eq!(c.server, ServerLimits::default());
        assert_eq!(c.server.header_read_timeout, Duration::from_secs(10));
        assert!(c.metrics_addr.is_none() && c.metrics_token.is_none());
        assert_eq!(c.tips_refresh, Duration::from_secs(30));
        let c = config(&[
            ("HTTP_HEADER_TIMEOUT_SECS", "3"),
            ("HTTP_IDLE_TIMEOUT_SECS", "30"),
            ("HTTP_BODY_TIMEOUT_SECS", "4"),
            ("HTTP_MAX_CONNECTIONS", "100"),
            ("SHUTDOWN_GRACE_SECS", "5"),
            ("METRICS_ADDR", "127.0.0.1:9091"),
            ("METRICS_TOKEN", "scrape-secret-scrape-secret-scrape-secret"),
            ("TIPS_REFRESH_SECS", "7"),
        ])
        .unwrap();
        assert_eq!(c.server.header_read_timeout, Duration::from_secs(3));
        assert_eq!(c.server.idle_timeout, Duration::from_secs(30));
        assert_eq!(c.server.body_timeout, Duration::from_secs(4));
        assert_eq!(c.server.max_connections, 100);
        assert_eq!(c.server.shutdown_grace, Duration::from_secs(5));
        assert_eq!(c.metrics_addr.unwrap().to_string(), "127.0.0.1:9091");
        assert_eq!(c.tips_refresh, Duration::from_secs(7));
        assert!(!format!("{c:?}").contains("scrape-secret"));
        assert_eq!(c.server.max_connections_per_client, 32);
        assert_eq!(c.sse_max_per_client, 4);
        assert_eq!(c.trusted_proxy_header, None);
        for name in [
            "HTTP_HEADER_TIMEOUT_SECS",
            "HTTP_MAX_CONNECTIONS",
            "SHUTDOWN_GRACE_SECS",
        ] {
            assert_eq!(config(&[(name, "0")]).unwrap_err().name, name);
        }
        assert_eq!(
            config(&[("METRICS_ADDR", "nine")]).unwrap_err().name,
            "METRICS_ADDR"
        );
    }

    #[test]
    fn per_client_limits_and_the_proxy_header_are_read() {
        let c = config(&[
            ("MAX_CONNECTIONS_PER_CLIENT", "0"),
            ("MAX_SSE_PER_CLIENT", "2"),
            ("TRUSTED_PROXY_HEADER", "Fly-Client-IP"),
        ])
        .unwrap();
        assert_eq!(c.server.max_connections_per_client, 0);
        assert_eq!(c.sse_max_per_client, 2);
        assert_eq!(c.trusted_proxy_header.as_deref(), Some("fly-client-ip"));
        assert_eq!(
            config(&[("TRUSTED_PROXY_HEADER", "bad header")])
                .unwrap_err()
                .name,
            "TRUSTED_PROXY_HEADER"
        );
    }

    #[test]
    fn a_short_metrics_token_is_refused_without_showing_it() {
        let e = config(&[("METRICS_TOKEN", "short-secret")]).unwrap_err();
        assert_eq!(e.name, "METRICS_TOKEN");
        assert!(!e.to_string().contains("short-secret"), "{e}");
        assert!(e.to_string().contains("at least 32"), "{e}");
        let long = "x".repeat(MIN_METRICS_TOKEN_CHARS);
        assert!(config(&[("METRICS_TOKEN", &long)])
            .unwrap()
            .metrics_token
            .is_some());
    }

    #[test]
    fn dev_public_key_selects_the_dev_keypair() {
        let c = config(&[("DISCORD_PUBLIC_KEY", "dev")]).unwrap();
        assert_eq!(c.discord_public_key, Some(PublicKeySetting::DevKeypair));
    }
}
