//! Reading a command's options into its model (see [`super::definitions`]).
//!
//! Before the derived parser runs, text is trimmed and blank text counts as
//! absent, a choice typed in another case is that choice, and options the
//! command does not declare are ignored (a client with a stale registration
//! may still send them). A refusal names the option and what is allowed, so
//! the caller can fix their input.
//!
//! The option types here check the type Discord sent, not the registered
//! limits: the handler turns each value into a domain type (`Username`,
//! `GameIdentifier`, `Cents`, …) whose refusal says what is allowed.

use std::borrow::Cow;

use twilight_interactions::command::internal::{CommandOptionData, CreateOptionData};
use twilight_interactions::command::{
    CommandInputData, CommandModel, CommandOption, CreateCommand, CreateOption,
};
use twilight_interactions::error::{ParseError, ParseOptionError, ParseOptionErrorType};
use twilight_model::application::command::{
    Command, CommandOption as RegisteredOption, CommandOptionChoiceValue, CommandOptionType,
};
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};
use twilight_model::application::interaction::InteractionDataResolved;

use super::definitions;
use super::CommandError;

/// A text option, trimmed and never blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(String);

impl Text {
    /// The text as typed, without surrounding whitespace.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl CommandOption for Text {
    fn from_option(
        value: CommandOptionValue,
        _limits: CommandOptionData,
        _resolved: Option<&InteractionDataResolved>,
    ) -> Result<Self, ParseOptionErrorType> {
        match value {
            CommandOptionValue::String(text) | CommandOptionValue::Focused(text, _) => {
                Ok(Self(text))
            }
            other => Err(ParseOptionErrorType::InvalidType(other.kind())),
        }
    }
}

impl CreateOption for Text {
    fn create_option(data: CreateOptionData) -> RegisteredOption {
        data.into_option(CommandOptionType::String)
    }
}

/// A whole-number option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whole(pub i64);

impl CommandOption for Whole {
    fn from_option(
        value: CommandOptionValue,
        _limits: CommandOptionData,
        _resolved: Option<&InteractionDataResolved>,
    ) -> Result<Self, ParseOptionErrorType> {
        match value {
            CommandOptionValue::Integer(number) => Ok(Self(number)),
            CommandOptionValue::Focused(text, kind) => text
                .parse()
                .map(Self)
                .map_err(|_| ParseOptionErrorType::InvalidType(kind)),
            other => Err(ParseOptionErrorType::InvalidType(other.kind())),
        }
    }
}

impl CreateOption for Whole {
    fn create_option(data: CreateOptionData) -> RegisteredOption {
        data.into_option(CommandOptionType::Integer)
    }
}

/// A number option, as the text Discord's JSON number holds, so amounts are
/// parsed exactly (to cents) by the domain rather than through `f64`
/// arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal(String);

impl Decimal {
    /// The number as text, e.g. `12.5`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl CommandOption for Decimal {
    fn from_option(
        value: CommandOptionValue,
        _limits: CommandOptionData,
        _resolved: Option<&InteractionDataResolved>,
    ) -> Result<Self, ParseOptionErrorType> {
        match value {
            CommandOptionValue::Number(number) => Ok(Self(number.to_string())),
            CommandOptionValue::Integer(number) => Ok(Self(number.to_string())),
            CommandOptionValue::String(text) => Ok(Self(text)),
            other => Err(ParseOptionErrorType::InvalidType(other.kind())),
        }
    }
}

impl CreateOption for Decimal {
    fn create_option(data: CreateOptionData) -> RegisteredOption {
        data.into_option(CommandOptionType::Number)
    }
}

/// Reads the options of `data` into the model `T`, or says which option is
/// wrong and what it should be.
pub fn parse<T: CommandModel + CreateCommand>(data: &CommandData) -> Result<T, CommandError> {
    let registered = definitions::registered(T::NAME)
        .ok_or_else(|| CommandError::Invalid(format!("`/{}` is not registered", T::NAME)))?;
    let options = data
        .options
        .iter()
        .filter_map(|option| normalized(option, registered))
        .collect();
    let input = CommandInputData {
        options,
        resolved: data.resolved.as_ref().map(Cow::Borrowed),
    };
    T::from_interaction(input).map_err(|error| refusal(error, registered))
}

/// One option as the model reads it: `None` for an undeclared option or
/// blank text.
fn normalized(option: &CommandDataOption, command: &Command) -> Option<CommandDataOption> {
    let declared = command.options.iter().find(|o| o.name == option.name)?;
    let value = match &option.value {
        CommandOptionValue::String(text) => {
            CommandOptionValue::String(canonical_choice(declared, nonblank(text)?))
        }
        CommandOptionValue::Focused(text, kind) => {
            CommandOptionValue::Focused(nonblank(text)?, *kind)
        }
        other => other.clone(),
    };
    Some(CommandDataOption {
        name: option.name.clone(),
        value,
    })
}

fn nonblank(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// The registered choice `text` names in any case, or `text` unchanged.
fn canonical_choice(declared: &RegisteredOption, text: String) -> String {
    declared
        .choices
        .iter()
        .flatten()
        .find_map(|choice| match &choice.value {
            CommandOptionChoiceValue::String(value) if value.eq_ignore_ascii_case(&text) => {
                Some(value.clone())
            }
            _ => None,
        })
        .unwrap_or(text)
}

/// What the caller is told when an option cannot be read.
fn refusal(error: ParseError, command: &Command) -> CommandError {
    let ParseError::Option(ParseOptionError { field, kind }) = error else {
        return CommandError::Invalid(format!("`/{}`: {error}", command.name));
    };
    let declared = command.options.iter().find(|o| o.name == field);
    let message = match kind {
        ParseOptionErrorType::RequiredField => format!("`{field}` is required"),
        ParseOptionErrorType::InvalidChoice(_) => {
            let allowed: Vec<String> = declared
                .and_then(|o| o.choices.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|choice| match &choice.value {
                    CommandOptionChoiceValue::String(value) => Some(value.clone()),
                    _ => None,
                })
                .collect();
            format!("`{field}` must be one of: {}", allowed.join(", "))
        }
        _ => {
            let expected = match declared.map(|o| o.kind) {
                Some(CommandOptionType::Integer) => "a whole number",
                Some(CommandOptionType::Number) => "a number",
                _ => "text",
            };
            format!("`{field}` must be {expected}")
        }
    };
    CommandError::Invalid(message)
}

/// An option the registration leaves optional but this use of the command
/// needs (`/exclude` needs `username` to add or remove).
pub fn needed<T>(value: Option<T>, name: &str) -> Result<T, CommandError> {
    value.ok_or_else(|| CommandError::Invalid(format!("`{name}` is required")))
}

/// The option being typed in an autocomplete request and its text so far.
pub fn focused(data: &CommandData) -> Option<(String, String)> {
    data.options.iter().find_map(|o| match &o.value {
        CommandOptionValue::Focused(text, _) => Some((o.name.clone(), text.clone())),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discord::commands::definitions::{
        ClearTips, Exclude, ExcludeAction, MonthToMonth, SetChallenge, TipUser,
    };

    fn data(name: &str, options: Vec<(&str, CommandOptionValue)>) -> CommandData {
        CommandData {
            guild_id: None,
            id: twilight_model::id::Id::new(1),
            name: name.into(),
            kind: twilight_model::application::command::CommandType::ChatInput,
            options: options
                .into_iter()
                .map(|(name, value)| CommandDataOption {
                    name: name.into(),
                    value,
                })
                .collect(),
            resolved: None,
            target_id: None,
        }
    }

    fn text(s: &str) -> CommandOptionValue {
        CommandOptionValue::String(s.into())
    }

    fn refusal_of<T: CommandModel + CreateCommand + std::fmt::Debug>(data: &CommandData) -> String {
        match parse::<T>(data) {
            Err(CommandError::Invalid(message)) => message,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn text_is_trimmed_and_blank_text_is_absent() {
        let command: Exclude = parse(&data(
            "exclude",
            vec![("username", text("  alice ")), ("reason", text("   "))],
        ))
        .unwrap();
        assert_eq!(command.username.unwrap().as_str(), "alice");
        assert!(command.reason.is_none());
        let missing = refusal_of::<SetChallenge>(&data(
            "setchallenge",
            vec![
                ("game_identifier", text("p:g")),
                ("game_name", text(" ")),
                ("multiplier", CommandOptionValue::Number(2.0)),
                ("prize", CommandOptionValue::Number(5.0)),
            ],
        ));
        assert_eq!(missing, "`game_name` is required");
    }

    #[test]
    fn missing_required_options_are_named() {
        let message = refusal_of::<TipUser>(&data("tipuser", vec![("username", text("alice"))]));
        assert_eq!(message, "`amount` is required");
    }

    #[test]
    fn limits_are_left_to_the_handler() {
        // Registered as 2-24; the handler says so in its own words.
        let command: MonthToMonth = parse(&data(
            "monthtomonth",
            vec![("months", CommandOptionValue::Integer(30))],
        ))
        .unwrap();
        assert_eq!(command.months, Some(Whole(30)));
        let command: TipUser = parse(&data(
            "tipuser",
            vec![
                ("username", text("alice")),
                ("amount", CommandOptionValue::Number(0.001)),
                ("reason", text(&"r".repeat(300))),
            ],
        ))
        .unwrap();
        assert_eq!(command.amount.as_str(), "0.001");
        assert_eq!(command.reason.unwrap().as_str().len(), 300);
    }

    #[test]
    fn numbers_keep_their_exact_text() {
        for (value, expected) in [
            (CommandOptionValue::Number(12.5), "12.5"),
            (CommandOptionValue::Number(25.0), "25"),
            (CommandOptionValue::Integer(7), "7"),
            (text(" 1.10 "), "1.10"),
        ] {
            let command: TipUser = parse(&data(
                "tipuser",
                vec![("username", text("alice")), ("amount", value)],
            ))
            .unwrap();
            assert_eq!(command.amount.as_str(), expected);
        }
    }

    #[test]
    fn wrong_types_name_the_expected_type() {
        for (options, expected) in [
            (
                vec![("months", text("six"))],
                "`months` must be a whole number",
            ),
            (
                vec![("months", CommandOptionValue::Boolean(true))],
                "`months` must be a whole number",
            ),
        ] {
            assert_eq!(
                refusal_of::<MonthToMonth>(&data("monthtomonth", options)),
                expected
            );
        }
        let message = refusal_of::<TipUser>(&data(
            "tipuser",
            vec![
                ("username", CommandOptionValue::Integer(3)),
                ("amount", CommandOptionValue::Number(1.0)),
            ],
        ));
        assert_eq!(message, "`username` must be text");
        let message = refusal_of::<TipUser>(&data(
            "tipuser",
            vec![
                ("username", text("alice")),
                ("amount", CommandOptionValue::Boolean(false)),
            ],
        ));
        assert_eq!(message, "`amount` must be a number");
    }

    #[test]
    fn choices_are_read_in_any_case_and_refusals_list_them() {
        let command: Exclude = parse(&data("exclude", vec![("action", text("LIST"))])).unwrap();
        assert_eq!(command.action, Some(ExcludeAction::List));
        assert_eq!(
            refusal_of::<Exclude>(&data("exclude", vec![("action", text("explode"))])),
            "`action` must be one of: add, remove, list"
        );
        assert_eq!(
            refusal_of::<ClearTips>(&data("clear_tips", vec![("scope", text("all"))])),
            "`scope` must be one of: month_milestones"
        );
        assert_eq!(
            refusal_of::<ClearTips>(&data("clear_tips", vec![])),
            "`scope` is required"
        );
    }

    #[test]
    fn undeclared_options_are_ignored() {
        let command: MonthToMonth = parse(&data(
            "monthtomonth",
            vec![
                ("colour", text("red")),
                ("months", CommandOptionValue::Integer(6)),
            ],
        ))
        .unwrap();
        assert_eq!(command.months, Some(Whole(6)));
    }
}
