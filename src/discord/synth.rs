//! Synthetic interactions shaped like the ones Discord sends today, with
//! every field twilight-model requires. `interact`, the benches and the
//! black-box tests build their requests here, so they agree with each other
//! and with Discord.

use serde_json::{json, Map, Value};

use super::dev_keys::DevKeypair;

/// Application id used by synthetic interactions unless told otherwise.
pub const SYNTH_APPLICATION_ID: &str = "1100000000000000001";
/// Guild id used by synthetic interactions.
pub const SYNTH_GUILD_ID: &str = "1100000000000000002";
/// Channel id used by synthetic interactions.
pub const SYNTH_CHANNEL_ID: &str = "1100000000000000003";

/// Discord's permission bit for Manage Server.
const MANAGE_GUILD: u64 = 1 << 5;
/// A plain member's permissions: view channel, send messages, use commands.
const MEMBER_PERMISSIONS: u64 = (1 << 10) | (1 << 11) | (1 << 31);

/// Who is calling: a plain member, or an admin by permission or by role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No admin rights.
    Member,
    /// Has Manage Server.
    ManageServer,
    /// No Manage Server, but holds this role.
    WithRole(u64),
}

/// A typed option value.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    /// type 3
    String(String),
    /// type 4
    Integer(i64),
    /// type 10
    Number(f64),
    /// type 5
    Boolean(bool),
}

impl OptionValue {
    fn to_json(&self, name: &str, focused: bool) -> Value {
        let (kind, value) = match self {
            Self::String(s) => (3, json!(s)),
            Self::Integer(i) => (4, json!(i)),
            Self::Number(n) => (10, json!(n)),
            Self::Boolean(b) => (5, json!(b)),
        };
        let mut option = json!({ "name": name, "type": kind, "value": value });
        if focused {
            option["focused"] = json!(true);
        }
        option
    }
}

/// Builds one interaction body.
#[derive(Debug, Clone)]
pub struct SynthInteraction {
    id: String,
    kind: u8,
    data: Option<Value>,
    caller: Caller,
    user_id: String,
    username: String,
    /// The guild it comes from; `None` is a direct message to the bot.
    guild_id: Option<String>,
}

impl SynthInteraction {
    fn new(kind: u8, data: Option<Value>) -> Self {
        Self {
            id: next_id(),
            kind,
            data,
            caller: Caller::Member,
            user_id: "1100000000000000042".into(),
            username: "tester".into(),
            guild_id: Some(SYNTH_GUILD_ID.into()),
        }
    }

    /// A PING (type 1).
    pub fn ping() -> Self {
        Self::new(1, None)
    }

    /// A slash command (type 2) with options in order.
    pub fn command(name: &str, options: &[(&str, OptionValue)]) -> Self {
        let options: Vec<Value> = options.iter().map(|(n, v)| v.to_json(n, false)).collect();
        Self::new(2, Some(command_data(name, options)))
    }

    /// An autocomplete request (type 4) with `focused` being typed.
    pub fn autocomplete(
        name: &str,
        focused: (&str, OptionValue),
        others: &[(&str, OptionValue)],
    ) -> Self {
        let mut options: Vec<Value> = others.iter().map(|(n, v)| v.to_json(n, false)).collect();
        options.push(focused.1.to_json(focused.0, true));
        Self::new(4, Some(command_data(name, options)))
    }

    /// A button click (type 3) on a message.
    pub fn button(custom_id: &str) -> Self {
        Self::new(
            3,
            Some(json!({ "custom_id": custom_id, "component_type": 2 })),
        )
    }

    /// Sets who calls.
    pub fn by(mut self, caller: Caller) -> Self {
        self.caller = caller;
        self
    }

    /// Sends it from another guild (`Some`) or as a direct message (`None`)
    /// instead of the synthetic community guild.
    pub fn in_guild(mut self, guild_id: Option<&str>) -> Self {
        self.guild_id = guild_id.map(str::to_owned);
        self
    }

    /// Sets the caller's Discord user id and name.
    pub fn user(mut self, id: impl Into<String>, name: impl Into<String>) -> Self {
        self.user_id = id.into();
        self.username = name.into();
        self
    }

    /// The interaction id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The JSON body, as Discord would send it.
    pub fn to_json(&self) -> Value {
        let (permissions, roles) = match &self.caller {
            Caller::Member => (MEMBER_PERMISSIONS, vec![]),
            Caller::ManageServer => (MEMBER_PERMISSIONS | MANAGE_GUILD, vec![]),
            Caller::WithRole(role) => (MEMBER_PERMISSIONS, vec![role.to_string()]),
        };
        let user = json!({
            "id": self.user_id, "username": self.username, "global_name": self.username,
            "discriminator": "0", "avatar": null, "public_flags": 0,
            "avatar_decoration_data": null, "collectibles": null, "primary_guild": null
        });
        let mut body = Map::new();
        body.insert("app_permissions".into(), json!("2248473465835073"));
        body.insert("application_id".into(), json!(SYNTH_APPLICATION_ID));
        body.insert("attachment_size_limit".into(), json!(10_485_760));
        body.insert(
            "authorizing_integration_owners".into(),
            match &self.guild_id {
                Some(guild) => json!({ "0": guild }),
                None => json!({ "1": self.user_id }),
            },
        );
        body.insert("entitlements".into(), json!([]));
        body.insert("id".into(), json!(self.id));
        body.insert(
            "token".into(),
            json!(format!("synthetic-token-{}", self.id)),
        );
        body.insert("type".into(), json!(self.kind));
        body.insert("version".into(), json!(1));
        if self.kind != 1 && self.guild_id.is_none() {
            body.insert("channel_id".into(), json!(SYNTH_CHANNEL_ID));
            body.insert(
                "channel".into(),
                json!({ "id": SYNTH_CHANNEL_ID, "type": 1, "flags": 0, "last_message_id": null,
                        "recipients": [user.clone()] }),
            );
            body.insert("context".into(), json!(1));
            body.insert("locale".into(), json!("en-US"));
            body.insert("user".into(), user);
        } else if let (true, Some(guild)) = (self.kind != 1, &self.guild_id) {
            body.insert("channel_id".into(), json!(SYNTH_CHANNEL_ID));
            body.insert(
                "channel".into(),
                json!({ "id": SYNTH_CHANNEL_ID, "type": 0, "guild_id": guild, "name": "general",
                        "flags": 0, "last_message_id": null, "nsfw": false, "parent_id": null,
                        "permissions": permissions.to_string(), "position": 0, "rate_limit_per_user": 0, "topic": null }),
            );
            body.insert("context".into(), json!(0));
            body.insert("guild_id".into(), json!(guild));
            body.insert(
                "guild".into(),
                json!({ "id": guild, "locale": "en-US", "features": [] }),
            );
            body.insert("guild_locale".into(), json!("en-US"));
            body.insert("locale".into(), json!("en-US"));
            body.insert(
                "member".into(),
                json!({ "user": user, "roles": roles, "permissions": permissions.to_string(),
                        "joined_at": "2024-01-01T00:00:00.000000+00:00", "premium_since": null,
                        "nick": null, "avatar": null, "banner": null, "deaf": false, "mute": false,
                        "pending": false, "flags": 0, "communication_disabled_until": null,
                        "unusual_dm_activity_until": null }),
            );
        } else {
            body.insert("user".into(), user);
        }
        if let Some(data) = &self.data {
            body.insert("data".into(), data.clone());
        }
        if self.kind == 3 {
            body.insert(
                "message".into(),
                json!({ "id": "1100000000000000099", "channel_id": SYNTH_CHANNEL_ID, "type": 0, "content": "",
                        "author": { "id": SYNTH_APPLICATION_ID, "username": "FTS Assistant", "discriminator": "0",
                                    "avatar": null, "bot": true, "public_flags": 0 },
                        "attachments": [], "embeds": [], "mentions": [], "mention_roles": [], "pinned": false,
                        "mention_everyone": false, "tts": false, "timestamp": "2026-11-24T00:00:00.000000+00:00",
                        "edited_timestamp": null, "flags": 64, "components": [] }),
            );
        }
        Value::Object(body)
    }

    /// The body bytes and the headers Discord would send, signed with `key`
    /// at `unix_seconds`.
    pub fn signed(&self, key: &DevKeypair, unix_seconds: i64) -> SignedRequest {
        let body = serde_json::to_vec(&self.to_json()).expect("json serialises");
        let timestamp = unix_seconds.to_string();
        let signature = key.sign(&timestamp, &body);
        SignedRequest {
            body,
            timestamp,
            signature,
        }
    }
}

/// A signed request ready to POST to `/interactions`.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    /// Raw body.
    pub body: Vec<u8>,
    /// `X-Signature-Timestamp`.
    pub timestamp: String,
    /// `X-Signature-Ed25519`.
    pub signature: String,
}

fn command_data(name: &str, options: Vec<Value>) -> Value {
    json!({ "id": format!("12000000000000{:05}", name.len()), "name": name, "type": 1, "options": options,
            "guild_id": SYNTH_GUILD_ID })
}

fn next_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut random = [0u8; 4];
    getrandom::fill(&mut random).unwrap_or_default();
    // Snowflake-shaped: millisecond-ish high bits, then randomness and a counter.
    let ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
    ((ms - 1_420_070_400_000) << 22
        | (u64::from(u32::from_le_bytes(random)) & 0x3FF) << 12
        | (n & 0xFFF))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use twilight_model::application::interaction::{Interaction, InteractionType};

    #[test]
    fn synthetic_interactions_parse_as_twilight_interactions() {
        for synth in [
            SynthInteraction::command(
                "mywager",
                &[("username", OptionValue::String("alice".into()))],
            ),
            SynthInteraction::autocomplete(
                "gamestats",
                ("game_identifier", OptionValue::String("prag".into())),
                &[],
            ),
            SynthInteraction::button("clear_tips:confirm:2026-11").by(Caller::ManageServer),
        ] {
            let parsed: Interaction = serde_json::from_value(synth.to_json())
                .unwrap_or_else(|e| panic!("{e}: {}", synth.to_json()));
            assert_ne!(parsed.kind, InteractionType::Ping);
            assert!(parsed.member.is_some());
        }
    }

    #[test]
    fn ids_are_unique_snowflakes() {
        let a = SynthInteraction::ping();
        let b = SynthInteraction::ping();
        assert_ne!(a.id(), b.id());
        assert!(a.id().parse::<u64>().is_ok());
    }
}
