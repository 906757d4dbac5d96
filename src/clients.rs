//! The outbound HTTP clients (Roobet affiliate and tipping APIs, Discord
//! REST), built once from the configuration: `serve` builds them at startup
//! and the CLI commands that need the affiliate API build theirs the same
//! way, so base URLs, the user agent and timeouts are set in one place.

use std::time::Duration;

use crate::config::Config;
use crate::discord::rest::{DiscordRest, RestError};
use crate::roobet::affiliate::{AffiliateClient, RetryPolicy};
use crate::roobet::tipping::TippingClient;

/// How long one tipping call may take before its outcome is `unknown`.
const TIPPING_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A base URL setting is not a URL.
    #[error("{setting} is not a valid URL")]
    BaseUrl {
        /// The setting's name.
        setting: &'static str,
        /// What the parser said.
        #[source]
        source: url::ParseError,
    },
    /// The TLS/HTTP stack could not be set up.
    #[error("cannot set up the HTTP client")]
    Http(#[from] reqwest::Error),
    /// The Discord client could not be set up.
    #[error("cannot set up the Discord client")]
    Discord(#[from] RestError),
}

/// Every outbound client of the configuration.
pub struct Clients {
    /// The affiliate API; `None` when polling is not configured.
    pub affiliate: Option<AffiliateClient>,
    /// The tipping API; `None` without a tipping token.
    pub tipping: Option<TippingClient>,
    /// Discord with the bot token; `None` without `DISCORD_TOKEN`.
    pub discord: Option<DiscordRest>,
    /// Discord for interaction webhooks only (they carry their own token):
    /// deferred replies finish even without `DISCORD_TOKEN`.
    pub replies: DiscordRest,
}

impl Clients {
    /// Builds every client the configuration asks for.
    pub fn from_config(config: &Config) -> Result<Self, ClientError> {
        let discord = match &config.discord_token {
            Some(token) => Some(DiscordRest::new(&config.discord_api_base, token.clone())?),
            None => None,
        };
        Ok(Self {
            affiliate: affiliate(config)?,
            tipping: tipping(config)?,
            discord,
            replies: DiscordRest::interactions_only(&config.discord_api_base)?,
        })
    }
}

/// The affiliate API client, or `None` when `ROOBET_API_TOKEN` or
/// `ROOBET_USER_ID` is missing.
pub fn affiliate(config: &Config) -> Result<Option<AffiliateClient>, ClientError> {
    let (Some(token), Some(user_id)) = (&config.roobet_api_token, &config.roobet_user_id) else {
        return Ok(None);
    };
    Ok(Some(AffiliateClient::new(
        roobet_http()?,
        base_url("ROOBET_API_BASE", &config.roobet_api_base)?,
        token.clone(),
        user_id.clone(),
        RetryPolicy::default(),
    )))
}

/// The tipping API client, or `None` without `TIPPING_API_TOKEN` (or
/// `ROOBET_USER_ID`, the sender).
pub fn tipping(config: &Config) -> Result<Option<TippingClient>, ClientError> {
    let (Some(token), Some(sender)) = (&config.tipping_api_token, &config.roobet_user_id) else {
        return Ok(None);
    };
    Ok(Some(TippingClient::new(
        roobet_http()?,
        base_url("TIPPING_API_BASE", &config.tipping_api_base)?,
        token.clone(),
        sender.clone(),
        TIPPING_TIMEOUT,
    )))
}

fn roobet_http() -> Result<reqwest::Client, ClientError> {
    Ok(reqwest::Client::builder()
        .user_agent(concat!("fts-assistant/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

fn base_url(setting: &'static str, value: &str) -> Result<url::Url, ClientError> {
    url::Url::parse(value).map_err(|source| ClientError::BaseUrl { setting, source })
}
