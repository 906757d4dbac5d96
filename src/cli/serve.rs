//! `serve` (production) and `demo` (the whole product with no credentials:
//! a simulated casino on loopback, the embedded database, tips dry-run).

use std::sync::Arc;

use anyhow::Context;

use super::demo_discord::{DemoDiscord, CAPTURE_FILE};
use crate::app::{shutdown_signal, AppState, Application};
use crate::clock::SystemClock;
use crate::config::{
    Config, PublicKeySetting, Secret, DEFAULT_DATABASE_URL, DEFAULT_POLL_INTERVAL_SECS,
    DEFAULT_TIP_INTERVAL_SECS,
};
use crate::discord::synth::SYNTH_GUILD_ID;
use crate::jobs::rollover::seed_past_months;
use crate::roobet::fake::{
    FakeCasino, FakeMode, DEMO_AFFILIATE_TOKEN, DEMO_TIPPING_TOKEN, DEMO_USER_ID,
};

/// The demo's own database, so trying the demo never mixes simulated
/// players into a real deployment's default database.
pub const DEMO_DATABASE_URL: &str = "sqlite://fts-demo.db?mode=rwc";

/// Seconds between two (dry-run) tips in the demo.
pub const DEMO_TIP_INTERVAL_SECS: u64 = 1;

/// How often the demo polls its simulated casino.
pub const DEMO_POLL_INTERVAL_SECS: u64 = 15;

/// Logs which parts of the service run and why (never a secret), and the
/// configuration's warnings (old names, unknown names), once.
pub fn log_parts(config: &Config) {
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    for part in config.parts() {
        if part.on {
            tracing::info!(part = part.name, "on: {}", part.why);
        } else {
            tracing::warn!(part = part.name, "off: {}", part.why);
        }
    }
}

/// Runs the service until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    run(config, false).await
}

/// [`serve`], after freezing the past months first when `seed_history`
/// (the demo).
async fn run(config: Config, seed_history: bool) -> anyhow::Result<()> {
    log_parts(&config);
    let app = Application::build(config, Arc::new(SystemClock))
        .await
        .context("starting the service")?;
    if seed_history {
        seed_demo_history(&app.state())
            .await
            .context("seeding the demo's month history")?;
    }
    tracing::info!(addr = %app.local_addr(), "listening");
    crate::jobs::first_run::startup_notice(&app.state())
        .await
        .context("reading the first-run state")?;
    if let Some(metrics) = app.metrics_addr() {
        tracing::info!(addr = %metrics, "serving /metrics on its own listener");
    }
    app.run_until_stopped(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Points a configuration at the simulated casino: its affiliate and
/// tipping endpoints, demo tokens, tips dry-run, a short poll interval, and
/// dev-signed interactions unless a key is configured.
pub fn demo_config(mut config: Config, casino: &FakeCasino) -> Config {
    let base = casino.base_url().to_string();
    config.roobet_api_base = base.clone();
    config.roobet_api_token = Some(Secret::new(DEMO_AFFILIATE_TOKEN));
    config.roobet_user_id = Some(DEMO_USER_ID.into());
    config.tipping_api_base = base;
    config.tipping_api_token = Some(Secret::new(DEMO_TIPPING_TOKEN));
    config.tips_dry_run = true;
    // The public tips pages show the dry-run tips, labelled as test data.
    config.demo = true;
    // A simulated casino has no original bot whose payouts could be repeated.
    config.first_run_pays_existing = true;
    if config.database_url == DEFAULT_DATABASE_URL {
        config.database_url = DEMO_DATABASE_URL.into();
    }
    if config.poll_interval_secs == DEFAULT_POLL_INTERVAL_SECS {
        config.poll_interval_secs = DEMO_POLL_INTERVAL_SECS;
    }
    if config.tip_interval_secs == DEFAULT_TIP_INTERVAL_SECS
        && std::env::var_os("TIP_INTERVAL_SECS").is_none()
    {
        // Dry-run tips: no casino to spare, so the demo's ledger fills fast.
        config.tip_interval_secs = DEMO_TIP_INTERVAL_SECS;
    }
    if config.discord_public_key.is_none() {
        config.discord_public_key = Some(PublicKeySetting::DevKeypair);
    }
    if config.guild_id.is_none() {
        // `interact` signs interactions from the synthetic guild: the demo's
        // admin commands work there and nowhere else.
        config.guild_id = SYNTH_GUILD_ID.parse().ok();
    }
    config
}

/// Months of frozen boards the demo seeds, as many as the automatic totals
/// backfill fetches, so `/history` and `/monthtomonth` cover the same year.
pub const DEMO_HISTORY_MONTHS: u32 = crate::jobs::history::AUTO_MONTHS;

/// Freezes the [`DEMO_HISTORY_MONTHS`] months before now from the simulated
/// casino through the roll-over's own code, so the demo's `/history` has
/// boards, `/monthtomonth` has totals and the prizes they earned are paid
/// (dry-run). Returns the months frozen by this call (none when a previous
/// demo run already did). Errors when the state has no affiliate client.
pub async fn seed_demo_history(state: &AppState) -> anyhow::Result<Vec<String>> {
    let client = state
        .affiliate
        .as_ref()
        .context("the demo polls its simulated casino, but polling is off")?;
    let frozen = seed_past_months(state, client, state.clock.now(), DEMO_HISTORY_MONTHS).await?;
    if !frozen.is_empty() {
        tracing::info!(
            months = frozen.len(),
            "demo: froze the past months' boards from the simulated casino"
        );
    }
    Ok(frozen)
}

/// Channel ids the demo posts to when none are configured: every kind of
/// post shows up in the demo's Discord.
const DEMO_CHANNELS: u64 = 1_100_000_000_000_000_100;

/// Points the Discord side at the demo's own fake Discord (unless a real
/// bot token is configured): a bot token, and a channel for every kind of
/// post that has none.
pub fn demo_discord_config(mut config: Config, discord: &DemoDiscord) -> Config {
    if config.discord_token.is_some() {
        return config;
    }
    config.discord_api_base = discord.api_base();
    config.discord_token = Some(Secret::new("demo-bot-token"));
    let channels = &mut config.channels;
    for (offset, slot) in [
        &mut channels.leaderboard,
        &mut channels.multiplier,
        &mut channels.milestone,
        &mut channels.challenge,
        &mut channels.challenge_logs,
        &mut channels.monthly_goal,
        &mut channels.weekly_multiplier_logs,
    ]
    .into_iter()
    .enumerate()
    {
        slot.get_or_insert(DEMO_CHANNELS + offset as u64);
    }
    config
}

/// Runs `serve` against an in-process simulated casino.
pub async fn demo(config: Config) -> anyhow::Result<()> {
    let casino = FakeCasino::spawn(Arc::new(SystemClock), FakeMode::Simulated { seed: 2026 })
        .await
        .context("starting the simulated casino")?;
    let discord = DemoDiscord::spawn()
        .await
        .context("starting the demo's Discord")?;
    let config = demo_discord_config(demo_config(config, &casino), &discord);
    if std::fs::write(CAPTURE_FILE, discord.base_url()).is_ok() {
        tracing::info!(
            capture = %discord.base_url(),
            "the demo's Discord records every post; `fts-assistant interact` prints them"
        );
    }
    tracing::warn!(
        "DEMO MODE: simulated casino at {}, tips are dry-run, database {}",
        casino.base_url(),
        config.database_url
    );
    tracing::info!(
        "open {}/ and try `fts-assistant interact /mywager username:<a name from the board>`",
        config.public_base_url
    );
    let served = run(config, true).await;
    casino.shutdown().await;
    discord.shutdown();
    let _ = std::fs::remove_file(CAPTURE_FILE);
    served
}
