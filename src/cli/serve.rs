//! `serve` (production) and `demo` (the whole product with no credentials).

use std::sync::Arc;

use anyhow::Context;

use crate::app::{shutdown_signal, Application};
use crate::clock::SystemClock;
use crate::config::{Config, PublicKeySetting};

/// Logs which parts of the service run and why (never a secret).
pub fn log_parts(config: &Config) {
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
    log_parts(&config);
    let app = Application::build(config, Arc::new(SystemClock))
        .await
        .context("starting the service")?;
    tracing::info!(addr = %app.local_addr(), "listening");
    app.run_until_stopped(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Adjusts a configuration for `demo`: interactions signed by the local dev
/// keypair (so `interact` works at once) unless a key is configured.
pub fn demo_config(mut config: Config) -> Config {
    if config.discord_public_key.is_none() {
        config.discord_public_key = Some(PublicKeySetting::DevKeypair);
    }
    config
}

/// Runs `serve` with demo settings.
pub async fn demo(config: Config) -> anyhow::Result<()> {
    let config = demo_config(config);
    tracing::info!(
        "demo mode: open {}/ and try `fts-assistant interact /mywager username:alice`",
        config.public_base_url
    );
    serve(config).await
}
