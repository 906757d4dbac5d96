//! The 13 slash commands of spec/commands.md as Discord application commands,
//! for `register-commands` (one bulk overwrite) and for `interact`, which
//! reads option types from here so what developers send matches what Discord
//! would.

use twilight_model::application::command::{Command, CommandOptionType, CommandType};
use twilight_model::application::interaction::InteractionContextType;
use twilight_model::guild::Permissions;
use twilight_util::builder::command::{
    CommandBuilder, IntegerBuilder, NumberBuilder, StringBuilder,
};

/// Every command name, members' first; the router and the tests iterate this.
pub const COMMAND_NAMES: [&str; 13] = [
    "mywager",
    "monthlygoal",
    "monthtomonth",
    "lifetimestats",
    "challenge_results",
    "gamestats",
    "tipuser",
    "tipstats",
    "setchallenge",
    "cancelchallenge",
    "clear_tips",
    "exclude",
    "status",
];

/// Commands only admins may run (Manage Server, or `ADMIN_ROLE_ID`).
pub const ADMIN_COMMANDS: [&str; 7] = [
    "tipuser",
    "tipstats",
    "setchallenge",
    "cancelchallenge",
    "clear_tips",
    "exclude",
    "status",
];

/// Commands that change state and so are applied once per interaction id.
pub const STATE_CHANGING_COMMANDS: [&str; 5] = [
    "tipuser",
    "setchallenge",
    "cancelchallenge",
    "clear_tips",
    "exclude",
];

/// Whether `name` is an admin command.
pub fn is_admin_command(name: &str) -> bool {
    ADMIN_COMMANDS.contains(&name)
}

/// Whether `name` changes state.
pub fn is_state_changing(name: &str) -> bool {
    STATE_CHANGING_COMMANDS.contains(&name)
}

fn member(name: &str, description: &str) -> CommandBuilder {
    CommandBuilder::new(name, description, CommandType::ChatInput)
        .contexts([InteractionContextType::Guild])
}

fn admin(name: &str, description: &str) -> CommandBuilder {
    member(name, description).default_member_permissions(Permissions::MANAGE_GUILD)
}

fn username(required: bool) -> StringBuilder {
    StringBuilder::new("username", "Roobet username")
        .min_length(1)
        .max_length(50)
        .autocomplete(true)
        .required(required)
}

fn game_identifier(autocomplete: bool) -> StringBuilder {
    StringBuilder::new(
        "game_identifier",
        "Game identifier, e.g. pragmatic:vs10bbbbrnd",
    )
    .min_length(3)
    .max_length(120)
    .autocomplete(autocomplete)
    .required(true)
}

/// All commands, ready for a bulk overwrite.
pub fn all_commands() -> Vec<Command> {
    vec![
        member(
            "mywager",
            "Your wager this month, rank, milestone progress and best multiplier",
        )
        .option(username(true))
        .build(),
        member(
            "monthlygoal",
            "The community's progress towards this month's goals",
        )
        .build(),
        member(
            "monthtomonth",
            "Chart of total and weighted wager per month",
        )
        .option(
            IntegerBuilder::new("months", "How many months to show (2-24, default 12)")
                .min_value(2)
                .max_value(24),
        )
        .build(),
        member(
            "lifetimestats",
            "This month's totals and the tips paid so far",
        )
        .build(),
        member(
            "challenge_results",
            "Active slot challenges and recent winners",
        )
        .build(),
        member(
            "gamestats",
            "One game's wager and best multiplier for a month",
        )
        .option(game_identifier(true))
        .option(username(false))
        .option(
            IntegerBuilder::new("month", "Month (1-12)")
                .min_value(1)
                .max_value(12),
        )
        .option(
            IntegerBuilder::new("year", "Year (2020-2100)")
                .min_value(2020)
                .max_value(2100),
        )
        .build(),
        admin("tipuser", "Send a manual tip to a player")
            .option(username(true))
            .option(
                NumberBuilder::new("amount", "Amount in USD (at most 2 decimals)")
                    .min_value(0.01)
                    .required(true),
            )
            .option(StringBuilder::new("reason", "Why (kept in the audit log)").max_length(200))
            .build(),
        admin(
            "tipstats",
            "Tips sent by period and kind, and payouts that need an admin",
        )
        .build(),
        admin("setchallenge", "Create a slot challenge starting now")
            .option(game_identifier(false))
            .option(
                StringBuilder::new("game_name", "Display name of the game")
                    .min_length(1)
                    .max_length(100)
                    .required(true),
            )
            .option(
                NumberBuilder::new("multiplier", "Required multiplier (at least 1.01)")
                    .min_value(1.01)
                    .required(true),
            )
            .option(
                NumberBuilder::new("prize", "Prize in USD")
                    .min_value(0.01)
                    .required(true),
            )
            .option(NumberBuilder::new("min_bet", "Minimum bet in USD (optional)").min_value(0.0))
            .option(StringBuilder::new("emoji", "Emoji shown with the challenge").max_length(64))
            .build(),
        admin("cancelchallenge", "Cancel an active challenge (no payout)")
            .option(
                IntegerBuilder::new("challenge_id", "The challenge to cancel")
                    .autocomplete(true)
                    .min_value(1)
                    .required(true),
            )
            .build(),
        admin(
            "clear_tips",
            "Reset milestone records (asks for confirmation)",
        )
        .option(
            StringBuilder::new("scope", "What to clear")
                .choices([("This month's milestone records", "month_milestones")])
                .required(true),
        )
        .build(),
        admin(
            "exclude",
            "Add, remove or list players left out of boards and tips",
        )
        .option(username(false))
        .option(
            StringBuilder::new("action", "add (default), remove or list").choices([
                ("add", "add"),
                ("remove", "remove"),
                ("list", "list"),
            ]),
        )
        .option(StringBuilder::new("reason", "Why (kept in the audit log)").max_length(200))
        .build(),
        admin("status", "Service health: polling, payouts, connections").build(),
    ]
}

/// The declared type of an option of a command, for `interact`.
pub fn option_kind(command: &str, option: &str) -> Option<CommandOptionType> {
    all_commands()
        .into_iter()
        .find(|c| c.name == command)?
        .options
        .into_iter()
        .find(|o| o.name == option)
        .map(|o| o.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_command_is_defined_once_and_valid() {
        let commands = all_commands();
        let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, COMMAND_NAMES);
        for command in commands {
            twilight_validate::command::command(&command)
                .unwrap_or_else(|e| panic!("/{} is invalid: {e}", command.name));
        }
    }

    /// Drops the keys whose value is Discord's default (`"choices": []`,
    /// `"required": false`), so two payloads that Discord reads the same
    /// compare equal.
    fn canonical(mut value: serde_json::Value) -> serde_json::Value {
        for command in value.as_array_mut().into_iter().flatten() {
            let options = command["options"].as_array_mut().into_iter().flatten();
            for option in options.filter_map(|o| o.as_object_mut()) {
                if option.get("choices") == Some(&serde_json::json!([])) {
                    option.remove("choices");
                }
                if option.get("required") == Some(&serde_json::json!(false)) {
                    option.remove("required");
                }
            }
        }
        value
    }

    /// The registration payload is a contract with Discord and with every
    /// member's client: names, types, descriptions, limits, choices,
    /// autocomplete and permissions must stay what the fixture (the payload
    /// of the hand-built definitions this module replaced) says.
    #[test]
    fn registration_payload_matches_the_fixture() {
        let fixture: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/registered_commands.json"
        ))
        .unwrap();
        let now = serde_json::to_value(all_commands()).unwrap();
        assert_eq!(
            canonical(now),
            canonical(fixture),
            "the registered commands changed"
        );
    }

    #[test]
    fn admin_commands_need_manage_server_by_default() {
        for command in all_commands() {
            let expected = is_admin_command(&command.name).then_some(Permissions::MANAGE_GUILD);
            assert_eq!(
                command.default_member_permissions, expected,
                "/{}",
                command.name
            );
        }
    }
}
