//! Reading typed options out of a command's data. Every failure names the
//! option and what is allowed, so the caller can fix their input.

use twilight_model::application::interaction::application_command::{
    CommandData, CommandOptionValue,
};

/// An option is missing or has the wrong type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    /// A required option was not sent.
    #[error("`{0}` is required")]
    Missing(&'static str),
    /// An option arrived with another type than registered.
    #[error("`{name}` must be {expected}")]
    WrongType {
        /// The option's name.
        name: &'static str,
        /// What it should have been.
        expected: &'static str,
    },
    /// The value is outside what is allowed.
    #[error("`{name}` {rule}")]
    Invalid {
        /// The option's name.
        name: &'static str,
        /// What is allowed, as a sentence fragment.
        rule: String,
    },
}

fn find<'a>(data: &'a CommandData, name: &str) -> Option<&'a CommandOptionValue> {
    data.options
        .iter()
        .find(|o| o.name == name)
        .map(|o| &o.value)
}

/// An optional string option, trimmed; empty counts as absent.
pub fn string(data: &CommandData, name: &'static str) -> Result<Option<String>, OptionError> {
    match find(data, name) {
        None => Ok(None),
        Some(CommandOptionValue::String(s)) | Some(CommandOptionValue::Focused(s, _)) => {
            let trimmed = s.trim();
            Ok((!trimmed.is_empty()).then(|| trimmed.to_string()))
        }
        Some(_) => Err(OptionError::WrongType {
            name,
            expected: "text",
        }),
    }
}

/// A required string option.
pub fn required_string(data: &CommandData, name: &'static str) -> Result<String, OptionError> {
    string(data, name)?.ok_or(OptionError::Missing(name))
}

/// An optional integer option.
pub fn integer(data: &CommandData, name: &'static str) -> Result<Option<i64>, OptionError> {
    match find(data, name) {
        None => Ok(None),
        Some(CommandOptionValue::Integer(i)) => Ok(Some(*i)),
        Some(CommandOptionValue::Focused(s, _)) => {
            s.trim()
                .parse()
                .map(Some)
                .map_err(|_| OptionError::WrongType {
                    name,
                    expected: "a whole number",
                })
        }
        Some(_) => Err(OptionError::WrongType {
            name,
            expected: "a whole number",
        }),
    }
}

/// An optional number option, as the text Discord's JSON number holds, so
/// amounts are parsed exactly (to cents) by the domain rather than via `f64`
/// arithmetic.
pub fn number_text(data: &CommandData, name: &'static str) -> Result<Option<String>, OptionError> {
    match find(data, name) {
        None => Ok(None),
        Some(CommandOptionValue::Number(n)) => Ok(Some(n.to_string())),
        Some(CommandOptionValue::Integer(i)) => Ok(Some(i.to_string())),
        Some(CommandOptionValue::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(OptionError::WrongType {
            name,
            expected: "a number",
        }),
    }
}

/// An optional choice among `allowed` (case-insensitive), returned lowercase.
pub fn choice(
    data: &CommandData,
    name: &'static str,
    allowed: &[&'static str],
) -> Result<Option<&'static str>, OptionError> {
    let Some(value) = string(data, name)? else {
        return Ok(None);
    };
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(&value))
        .copied()
        .map(Some)
        .ok_or_else(|| OptionError::Invalid {
            name,
            rule: format!("must be one of: {}", allowed.join(", ")),
        })
}

/// The option being typed in an autocomplete request and its text so far.
pub fn focused(data: &CommandData) -> Option<(String, String)> {
    data.options.iter().find_map(|o| match &o.value {
        CommandOptionValue::Focused(text, _) => Some((o.name.clone(), text.clone())),
        _ => None,
    })
}
