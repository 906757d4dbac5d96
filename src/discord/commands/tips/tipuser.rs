//! `/tipuser`: a manual tip. The intent (key `manual:{interaction id}`) is
//! committed with the interaction's claim before anything is sent, so a
//! replayed interaction finds the claim and sends nothing more, and a crash
//! after the commit leaves a pending row the worker sends later.

use chrono::{Datelike, TimeZone, Utc};
use twilight_model::http::interaction::InteractionResponse;

use super::follow_up;
use crate::discord::commands::definitions::TipUser;
use crate::discord::commands::once::{self, Once};
use crate::discord::commands::{CommandError, Invocation};
use crate::discord::respond;
use crate::domain::masking::mask_username;
use crate::domain::money::Cents;
use crate::domain::names::Username;
use crate::domain::payout_keys::PayoutKind;
use crate::store::audit::{self, AuditEntry};
use crate::store::payouts::{self, NewPayout, PayoutStatus};

/// Manual tips jump the queue: the worker orders by priority first.
pub const MANUAL_PRIORITY: i64 = 10;
const REASON_MAX_CHARS: usize = 200;

/// The idempotency key of the manual tip asked for by one interaction.
pub fn manual_key(interaction_id: &str) -> String {
    format!("manual:{interaction_id}")
}

/// Runs `/tipuser`.
pub async fn run(
    invocation: &Invocation<'_>,
    command: TipUser,
) -> Result<InteractionResponse, CommandError> {
    let username = Username::parse(command.username.as_str())
        .map_err(|e| CommandError::Invalid(format!("`username` {e}")))?;
    let amount = parse_amount(
        command.amount.as_str(),
        invocation.state.config.max_manual_tip,
    )?;
    let reason = command.reason.map(|r| {
        respond::truncate_chars(
            &crate::domain::names::strip_hidden(r.as_str()),
            REASON_MAX_CHARS,
        )
    });

    let mut applying = match once::begin(invocation, "tipuser").await? {
        Once::Replay(response) => return Ok(*response),
        Once::Apply(applying) => applying,
    };
    let year_start = Utc
        .with_ymd_and_hms(invocation.now.year(), 1, 1, 0, 0, 0)
        .single()
        .map_or(0, |t| t.timestamp_millis());
    // Refusals are not recorded: the transaction (and the claim) roll back.
    let player = crate::discord::commands::player_names::resolve_one(
        applying.conn(),
        &username,
        year_start,
        || format!("no player named `{username}` has played under our code this year, so nobody was tipped. Check the spelling and the affiliate code."),
        "so nobody was tipped",
    )
    .await?;
    let interaction_id = invocation.interaction.id.to_string();
    let key = manual_key(&interaction_id);
    let masked = mask_username(&player.username);
    let recorded = payouts::insert_intent(
        applying.conn(),
        &NewPayout {
            key: key.clone(),
            kind: PayoutKind::Manual,
            uid: player.uid.clone(),
            username: player.username.clone(),
            amount,
            status: PayoutStatus::Pending,
            period_key: None,
            tier: None,
            requested_by: invocation.caller_id(),
            reason: reason.clone(),
            priority: MANUAL_PRIORITY,
        },
        invocation.now_ms(),
    )
    .await?;
    if recorded {
        audit::record(
            applying.conn(),
            &AuditEntry {
                at_ms: invocation.now_ms(),
                actor_id: invocation.caller_id(),
                actor_name: invocation.caller_name(),
                action: "tipuser".into(),
                detail: format!(
                    "{amount} to {masked} ({key}){}",
                    reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                ),
                interaction_id: Some(interaction_id),
            },
        )
        .await?;
    }
    let response = applying
        .finish(respond::deferred(true), invocation.now_ms())
        .await?;
    tracing::info!(%key, %amount, "manual tip recorded; sending it now");
    follow_up::spawn(invocation, key);
    Ok(response)
}

/// The `amount` option as exact cents: more than zero, at most two
/// decimals, at most `max` (`MAX_MANUAL_TIP`).
fn parse_amount(text: &str, max: Cents) -> Result<Cents, CommandError> {
    let allowed = format!("a tip is from $0.01 to {max} (MAX_MANUAL_TIP), with at most 2 decimals");
    let amount = Cents::parse_dollars(text)
        .map_err(|e| CommandError::Invalid(format!("`amount` {e}: {allowed}.")))?;
    if amount > max {
        return Err(CommandError::Invalid(format!(
            "`amount` must be at most {max} (MAX_MANUAL_TIP); {amount} was asked. Nothing was sent."
        )));
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> String {
        match parse_amount(text, Cents::from_dollars(100)) {
            Err(CommandError::Invalid(message)) => message,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn amounts_are_exact_cents_within_the_limit() {
        let max = Cents::from_dollars(100);
        assert_eq!(parse_amount("12.5", max).ok(), Some(Cents::new(1250)));
        assert_eq!(parse_amount("100", max).ok(), Some(max));
    }

    #[test]
    fn bad_amounts_are_refused_naming_the_option_and_the_rule() {
        for (text, needle) in [
            ("0", "greater than 0"),
            ("-5", "greater than 0"),
            ("NaN", "not a number"),
            ("inf", "not a number"),
            ("12.345", "at most 2 decimal places"),
            ("100.01", "at most $100.00"),
            ("100000000000000000000", "too large"),
        ] {
            let message = refusal(text);
            assert!(message.starts_with("`amount` "), "{text}: {message}");
            assert!(message.contains(needle), "{text}: {message}");
        }
    }
}
