//! `interact`: try commands without Discord. Builds the interaction body
//! Discord would send, signs it with the local dev keypair and POSTs it to a
//! running server started with `DISCORD_PUBLIC_KEY=dev`, then prints the reply.

use anyhow::{anyhow, bail, Context};
use twilight_model::application::command::CommandOptionType;

use super::demo_discord::{fetch_calls, CAPTURE_FILE};
use crate::discord::commands::definitions::{command_names, option_kind, registered};
use crate::discord::dev_keys::{dev_keypair_path, DevKeypair};
use crate::discord::synth::{Caller, OptionValue, SynthInteraction};

/// Who `interact` pretends to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum As {
    /// A member without admin rights.
    Member,
    /// A member with Manage Server.
    Admin,
    /// A member holding this role.
    Role(u64),
}

impl std::str::FromStr for As {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "member" => Ok(Self::Member),
            "admin" => Ok(Self::Admin),
            other => other
                .strip_prefix("role:")
                .and_then(|r| r.parse().ok())
                .map(Self::Role)
                .ok_or_else(|| "expected member, admin or role:<id>".to_string()),
        }
    }
}

/// Parses `/name opt:value …` (or `ping`) into an interaction.
pub fn build(command: &str, options: &[String], caller: &As) -> anyhow::Result<SynthInteraction> {
    let name = command.trim_start_matches('/');
    if name == "ping" {
        return Ok(SynthInteraction::ping());
    }
    if registered(name).is_none() {
        bail!(
            "unknown command /{name}; known: {}",
            command_names().collect::<Vec<_>>().join(", ")
        );
    }
    let mut values = Vec::new();
    for option in options {
        let (key, raw) = option
            .split_once(':')
            .ok_or_else(|| anyhow!("option {option:?} must look like name:value"))?;
        let kind =
            option_kind(name, key).ok_or_else(|| anyhow!("/{name} has no option named {key:?}"))?;
        let value = match kind {
            CommandOptionType::Integer => OptionValue::Integer(
                raw.parse()
                    .with_context(|| format!("{key} must be a whole number"))?,
            ),
            CommandOptionType::Number => OptionValue::Number(
                raw.parse()
                    .with_context(|| format!("{key} must be a number"))?,
            ),
            CommandOptionType::Boolean => OptionValue::Boolean(
                raw.parse()
                    .with_context(|| format!("{key} must be true or false"))?,
            ),
            _ => OptionValue::String(raw.to_string()),
        };
        values.push((key.to_string(), value));
    }
    let borrowed: Vec<(&str, OptionValue)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let caller = match caller {
        As::Member => Caller::Member,
        As::Admin => Caller::ManageServer,
        As::Role(id) => Caller::WithRole(*id),
    };
    Ok(SynthInteraction::command(name, &borrowed).by(caller))
}

/// Signs and sends `interaction` to `url` `times` times (the same signed
/// request each time, as a replay would), printing every reply. Against
/// `demo` (its `.demo-discord` file in this folder), then waits for what the
/// bot sent to Discord because of it — the follow-up of a deferred reply,
/// channel posts — and prints that too.
pub async fn send(url: &str, interaction: &SynthInteraction, times: u32) -> anyhow::Result<()> {
    let key = DevKeypair::load_or_create(&dev_keypair_path())?;
    let signed = interaction.signed(&key, chrono::Utc::now().timestamp());
    let endpoint = format!("{}/interactions", url.trim_end_matches('/'));
    let http = reqwest::Client::new();
    let capture = std::fs::read_to_string(CAPTURE_FILE)
        .ok()
        .map(|u| u.trim().to_string());
    let seen_before = match &capture {
        Some(base) => fetch_calls(&http, base, 0)
            .await
            .ok()
            .and_then(|c| c.last().map(|c| c.index)),
        None => None,
    };
    let mut deferred = false;
    for attempt in 1..=times.max(1) {
        let response = http
            .post(&endpoint)
            .header("content-type", "application/json")
            .header("x-signature-ed25519", &signed.signature)
            .header("x-signature-timestamp", &signed.timestamp)
            .body(signed.body.clone())
            .send()
            .await
            .with_context(|| {
                format!("POST {endpoint} (is the server running with DISCORD_PUBLIC_KEY=dev?)")
            })?;
        let status = response.status();
        let text = response.text().await?;
        let pretty = serde_json::from_str::<serde_json::Value>(&text)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or(text);
        if times > 1 {
            println!("--- delivery {attempt} of interaction {}", interaction.id());
        }
        println!("HTTP {status}\n{pretty}");
        deferred |= pretty.contains("\"type\": 5");
    }
    if let Some(base) = capture {
        let token = format!("synthetic-token-{}", interaction.id());
        let after = seen_before.unwrap_or(0);
        print_what_discord_got(&http, &base, after, &token, deferred).await;
    }
    Ok(())
}

/// Waits (up to 10 s for a deferred reply's follow-up, 1.5 s otherwise)
/// and prints the calls the bot made to the demo's Discord since `after`.
async fn print_what_discord_got(
    http: &reqwest::Client,
    base: &str,
    after: u64,
    token: &str,
    deferred: bool,
) {
    let deadline = std::time::Instant::now()
        + std::time::Duration::from_millis(if deferred { 10_000 } else { 1_500 });
    let mut calls = Vec::new();
    while std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let Ok(now) = fetch_calls(http, base, after).await else {
            println!("(the demo's Discord at {base} did not answer)");
            return;
        };
        calls = now;
        let followed_up = calls.iter().any(|c| c.path.contains(token));
        if followed_up || !deferred {
            if !deferred {
                continue;
            }
            // Give channel posts made with the follow-up a moment too.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            calls = fetch_calls(http, base, after).await.unwrap_or(calls);
            break;
        }
    }
    if deferred && !calls.iter().any(|c| c.path.contains(token)) {
        println!("--- no follow-up within 10 s");
    }
    for call in calls {
        let what = if call.path.contains(token) {
            "follow-up (edit of the deferred reply)".to_string()
        } else if call.path.starts_with("/channels/") {
            format!("channel post {}", call.path)
        } else {
            continue;
        };
        let pretty = serde_json::to_string_pretty(&call.body).unwrap_or_default();
        println!("--- Discord got: {} {what}\n{pretty}", call.method);
        for file in &call.files {
            println!("    attached file saved at {file}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_take_the_registered_types() {
        let body = build("/monthtomonth", &["months:6".into()], &As::Member)
            .unwrap()
            .to_json();
        assert_eq!(body["data"]["options"][0]["type"], 4);
        assert_eq!(body["data"]["options"][0]["value"], 6);
        let body = build(
            "tipuser",
            &["username:bob".into(), "amount:2.5".into()],
            &As::Admin,
        )
        .unwrap()
        .to_json();
        assert_eq!(body["data"]["options"][1]["type"], 10);
    }

    #[test]
    fn unknown_commands_and_options_are_refused() {
        assert!(build("/nope", &[], &As::Member).is_err());
        assert!(build("/mywager", &["colour:red".into()], &As::Member).is_err());
        assert!(build("/monthtomonth", &["months:many".into()], &As::Member).is_err());
        assert!(build("/mywager", &["username".into()], &As::Member).is_err());
    }
}
