//! The 13 slash commands of spec/commands.md, each one struct: its fields are
//! the command's options, `CreateCommand` derives what `register-commands`
//! sends to Discord and `CommandModel` derives how an interaction's options
//! are read back into it. `slash_commands!` lists them once, with the
//! handler each one runs; registration, the name lookups and dispatch all
//! come from that list.
//!
//! The limits in `#[command(...)]` are what Discord's client enforces for
//! members. The option types ([`Text`], [`Whole`], [`Decimal`]) do not check
//! them again: the handler's domain types do, with the message that tells the
//! caller what is allowed (see [`super::options`]).

use std::sync::LazyLock;

use twilight_interactions::command::{CommandModel, CommandOption, CreateCommand, CreateOption};
use twilight_model::application::command::{Command, CommandOptionType};
use twilight_model::application::interaction::application_command::CommandData;
use twilight_model::guild::Permissions;
use twilight_model::http::interaction::InteractionResponse;

use super::options::{self, Decimal, Text, Whole};
use super::{analytics, challenges, exclude, status, tips, CommandError, Invocation};

/// Admin commands are registered with Manage Server as their default member
/// permission, so Discord hides them from members; the router checks again.
fn manage_guild() -> Permissions {
    Permissions::MANAGE_GUILD
}

/// `/mywager`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "mywager",
    desc = "Your wager this month, rank, milestone progress and best multiplier",
    contexts = "guild"
)]
pub struct MyWager {
    /// Whose month to show (any player: the figures are not secret).
    #[command(
        desc = "Roobet username",
        min_length = 1,
        max_length = 50,
        autocomplete = true
    )]
    pub username: Text,
}

/// `/monthlygoal`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "monthlygoal",
    desc = "The community's progress towards this month's goals",
    contexts = "guild"
)]
pub struct MonthlyGoal;

/// `/monthtomonth`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "monthtomonth",
    desc = "Chart of total and weighted wager per month",
    contexts = "guild"
)]
pub struct MonthToMonth {
    /// How many months the chart covers; the handler checks the range.
    #[command(
        desc = "How many months to show (2-24, default 12)",
        min_value = 2,
        max_value = 24
    )]
    pub months: Option<Whole>,
}

/// `/lifetimestats`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "lifetimestats",
    desc = "This month's totals and the tips paid so far",
    contexts = "guild"
)]
pub struct LifetimeStats;

/// `/challenge_results`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "challenge_results",
    desc = "Active slot challenges and recent winners",
    contexts = "guild"
)]
pub struct ChallengeResults;

/// `/gamestats`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "gamestats",
    desc = "One game's wager and best multiplier for a month",
    contexts = "guild"
)]
pub struct GameStats {
    /// The game, as `provider:game`; suggested from the games seen so far.
    #[command(
        desc = "Game identifier, e.g. pragmatic:vs10bbbbrnd",
        min_length = 3,
        max_length = 120,
        autocomplete = true
    )]
    pub game_identifier: Text,
    /// One player's figures on the game instead of the game's totals.
    #[command(
        desc = "Roobet username",
        min_length = 1,
        max_length = 50,
        autocomplete = true
    )]
    pub username: Option<Text>,
    /// With `year`: a closed month instead of the running one.
    #[command(desc = "Month (1-12)", min_value = 1, max_value = 12)]
    pub month: Option<Whole>,
    /// Defaults to this year when only `month` is given.
    #[command(desc = "Year (2020-2100)", min_value = 2020, max_value = 2100)]
    pub year: Option<Whole>,
}

/// `/tipuser`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "tipuser",
    desc = "Send a manual tip to a player",
    default_permissions = "manage_guild",
    contexts = "guild"
)]
pub struct TipUser {
    /// Who is tipped; must have played under our code this year.
    #[command(
        desc = "Roobet username",
        min_length = 1,
        max_length = 50,
        autocomplete = true
    )]
    pub username: Text,
    /// Dollars as typed, parsed to exact cents by the handler.
    #[command(desc = "Amount in USD (at most 2 decimals)", min_value = 0.01)]
    pub amount: Decimal,
    /// Kept in the audit log and on the payout (cut to 200 characters).
    #[command(desc = "Why (kept in the audit log)", max_length = 200)]
    pub reason: Option<Text>,
}

/// `/tipstats`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "tipstats",
    desc = "Tips sent by period and kind, and payouts that need an admin",
    default_permissions = "manage_guild",
    contexts = "guild"
)]
pub struct TipStats;

/// `/setchallenge`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "setchallenge",
    desc = "Create a slot challenge starting now",
    default_permissions = "manage_guild",
    contexts = "guild"
)]
pub struct SetChallenge {
    /// The game, as `provider:game` (no suggestions: any game may be set).
    #[command(
        desc = "Game identifier, e.g. pragmatic:vs10bbbbrnd",
        min_length = 3,
        max_length = 120
    )]
    pub game_identifier: Text,
    /// The title shown on the boards and announcements.
    #[command(desc = "Display name of the game", min_length = 1, max_length = 100)]
    pub game_name: Text,
    /// The multiplier a hit must reach, as typed.
    #[command(desc = "Required multiplier (at least 1.01)", min_value = 1.01)]
    pub multiplier: Decimal,
    /// The prize in dollars, as typed.
    #[command(desc = "Prize in USD", min_value = 0.01)]
    pub prize: Decimal,
    /// The smallest bet that counts, in dollars, as typed.
    #[command(desc = "Minimum bet in USD (optional)", min_value = 0.0)]
    pub min_bet: Option<Decimal>,
    /// Shown before the game's name.
    #[command(desc = "Emoji shown with the challenge", max_length = 64)]
    pub emoji: Option<Text>,
}

/// `/cancelchallenge`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "cancelchallenge",
    desc = "Cancel an active challenge (no payout)",
    default_permissions = "manage_guild",
    contexts = "guild"
)]
pub struct CancelChallenge {
    /// The challenge's number; suggested from the active ones.
    #[command(desc = "The challenge to cancel", autocomplete = true, min_value = 1)]
    pub challenge_id: Whole,
}

/// `/clear_tips`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "clear_tips",
    desc = "Reset milestone records (asks for confirmation)",
    default_permissions = "manage_guild",
    contexts = "guild"
)]
pub struct ClearTips {
    /// What to clear: one scope today, a choice so more can follow.
    #[command(desc = "What to clear")]
    pub scope: ClearScope,
}

/// What `/clear_tips` clears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, CommandOption, CreateOption)]
pub enum ClearScope {
    /// The running month's milestone award records.
    #[option(name = "This month's milestone records", value = "month_milestones")]
    MonthMilestones,
}

/// `/exclude`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "exclude",
    desc = "Add, remove or list players left out of boards and tips",
    default_permissions = "manage_guild",
    contexts = "guild"
)]
pub struct Exclude {
    /// The player to add or remove; not needed to list.
    #[command(
        desc = "Roobet username",
        min_length = 1,
        max_length = 50,
        autocomplete = true
    )]
    pub username: Option<Text>,
    /// `add` when not given.
    #[command(desc = "add (default), remove or list")]
    pub action: Option<ExcludeAction>,
    /// Kept in the audit log and shown in the list (cut to 200 characters).
    #[command(desc = "Why (kept in the audit log)", max_length = 200)]
    pub reason: Option<Text>,
}

/// What `/exclude` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, CommandOption, CreateOption)]
pub enum ExcludeAction {
    /// Put the player on the list.
    #[option(name = "add", value = "add")]
    Add,
    /// Take the player off the list.
    #[option(name = "remove", value = "remove")]
    Remove,
    /// Show the list.
    #[option(name = "list", value = "list")]
    List,
}

/// `/status`.
#[derive(Debug, Clone, CommandModel, CreateCommand)]
#[command(
    name = "status",
    desc = "Service health: polling, payouts, connections",
    default_permissions = "manage_guild",
    contexts = "guild"
)]
pub struct Status;

/// Generates, from one list of `Model => handler` pairs, [`all_commands`]
/// (the registration, in list order) and [`dispatch`] (parse the options
/// into the model, then run its handler).
macro_rules! slash_commands {
    ($($model:ty => $handler:path),* $(,)?) => {
        /// All commands, members' first, ready for a bulk overwrite.
        pub fn all_commands() -> Vec<Command> {
            vec![$(<$model as CreateCommand>::create_command().into()),*]
        }

        /// Reads the options of `data` into its command's model and runs its
        /// handler; `None` for a name that is not one of ours.
        pub(super) async fn dispatch(
            invocation: &Invocation<'_>,
            data: &CommandData,
        ) -> Option<Result<InteractionResponse, CommandError>> {
            $(
                if data.name == <$model as CreateCommand>::NAME {
                    return Some(match options::parse::<$model>(data) {
                        Ok(command) => $handler(invocation, command).await,
                        Err(refusal) => Err(refusal),
                    });
                }
            )*
            None
        }
    };
}

slash_commands! {
    MyWager => analytics::mywager,
    MonthlyGoal => analytics::monthlygoal,
    MonthToMonth => analytics::monthtomonth,
    LifetimeStats => analytics::lifetimestats,
    ChallengeResults => challenges::results,
    GameStats => challenges::gamestats,
    TipUser => tips::tipuser,
    TipStats => tips::tipstats,
    SetChallenge => challenges::create,
    CancelChallenge => challenges::cancel,
    ClearTips => tips::clear_tips,
    Exclude => exclude::run,
    Status => status::run,
}

/// The registration of every command, built once: the lookups below read it
/// on every interaction.
static REGISTERED: LazyLock<Vec<Command>> = LazyLock::new(all_commands);

/// The registration of the command called `name`, if it is one of ours.
pub fn registered(name: &str) -> Option<&'static Command> {
    REGISTERED.iter().find(|c| c.name == name)
}

/// Every command name, in registration order.
pub fn command_names() -> impl Iterator<Item = &'static str> {
    REGISTERED.iter().map(|c| c.name.as_str())
}

/// Whether `name` is an admin command: one registered with a default member
/// permission (Manage Server). Admin rights are checked again on every call
/// (see `permissions`), since a server can change who may see a command.
pub fn is_admin_command(name: &str) -> bool {
    registered(name).is_some_and(|c| c.default_member_permissions.is_some())
}

/// The declared type of an option of a command, for `interact`.
pub fn option_kind(command: &str, option: &str) -> Option<CommandOptionType> {
    registered(command)?
        .options
        .iter()
        .find(|o| o.name == option)
        .map(|o| o.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_command_is_defined_once_and_valid() {
        let names: Vec<&str> = command_names().collect();
        assert_eq!(
            names,
            [
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
            ]
        );
        for command in all_commands() {
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
            "../../../tests/it/fixtures/registered_commands.json"
        ))
        .unwrap();
        let now = serde_json::to_value(all_commands()).unwrap();
        assert_eq!(
            canonical(now),
            canonical(fixture),
            "the registered commands changed"
        );
    }

    /// Spec: these and only these are admin commands; members do not even
    /// see them in Discord's command list.
    #[test]
    fn admin_commands_need_manage_server_by_default() {
        let admin = [
            "tipuser",
            "tipstats",
            "setchallenge",
            "cancelchallenge",
            "clear_tips",
            "exclude",
            "status",
        ];
        for command in all_commands() {
            let expected = admin
                .contains(&command.name.as_str())
                .then_some(Permissions::MANAGE_GUILD);
            assert_eq!(
                command.default_member_permissions, expected,
                "/{}",
                command.name
            );
            assert_eq!(
                is_admin_command(&command.name),
                expected.is_some(),
                "/{}",
                command.name
            );
        }
        assert!(!is_admin_command("nope"));
    }
}
