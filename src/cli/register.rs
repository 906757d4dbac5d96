//! `register-commands`: one bulk overwrite of every slash command.

use anyhow::{bail, Context};

use crate::config::Config;
use crate::discord::commands::definitions::all_commands;
use crate::discord::rest::DiscordRest;

/// Registers all commands to `GUILD_ID` (instant) or globally. With
/// `dry_run`, prints the JSON instead of calling Discord.
pub async fn register_commands(config: &Config, dry_run: bool) -> anyhow::Result<()> {
    let commands = all_commands();
    if dry_run {
        println!("{}", serde_json::to_string_pretty(&commands)?);
        return Ok(());
    }
    let Some(token) = config.discord_token.clone() else {
        bail!("DISCORD_TOKEN is not set: cannot register commands (use --dry-run to see them)");
    };
    let Some(application_id) = config.discord_application_id else {
        bail!("DISCORD_APPLICATION_ID is not set: cannot register commands");
    };
    let rest = DiscordRest::new(&config.discord_api_base, token)?;
    let registered = rest
        .bulk_overwrite_commands(application_id, config.guild_id, &commands)
        .await
        .context("bulk overwrite of the commands")?;
    let scope = config.guild_id.map_or_else(
        || "globally (may take up to an hour to appear)".to_string(),
        |g| format!("to guild {g}"),
    );
    println!("registered {} commands {scope}", registered.len());
    Ok(())
}
