//! The milestone step of a cycle: every non-excluded player whose month
//! weighted wager reached tiers not yet awarded this month earns one payout
//! intent per tier, in tier order, written in the cycle's transaction.

use std::collections::{BTreeSet, HashSet};

use sqlx::AnyConnection;

use crate::domain::milestones::newly_reached;
use crate::domain::money::Cents;
use crate::domain::payout_keys::{milestone_key, PayoutKind};
use crate::domain::period::MonthPeriod;
use crate::domain::players::PlayerFigures;
use crate::domain::rewards::Rewards;
use crate::store::milestones;
use crate::store::payouts::{self, NewPayout, PayoutStatus};
use crate::store::StoreError;

/// Awards newly reached tiers of `month` (the period of the data, never the
/// wall clock); returns how many intents were recorded. `status` is
/// `Pending`, or `Held` on a first run (see `jobs::first_run`).
pub async fn award_milestones<'a>(
    conn: &mut AnyConnection,
    rewards: &Rewards,
    month: MonthPeriod,
    figures: impl IntoIterator<Item = &'a PlayerFigures>,
    excluded: &HashSet<String>,
    status: PayoutStatus,
    now_ms: i64,
) -> Result<u32, StoreError> {
    let month_key = month.key();
    let lowest = rewards
        .tiers
        .first()
        .map_or(Cents::new(i64::MAX), |t| t.threshold);
    let candidates: Vec<&PlayerFigures> = figures
        .into_iter()
        .filter(|p| !excluded.contains(&p.uid) && p.weighted_wagered >= lowest)
        .collect();
    if candidates.is_empty() {
        return Ok(0);
    }
    let uids: Vec<&str> = candidates.iter().map(|p| p.uid.as_str()).collect();
    let highest = milestones::highest_awarded(conn, &month_key, &uids).await?;
    let mut recorded = 0;
    for player in candidates {
        let already: BTreeSet<u32> = (1..=highest.get(&player.uid).copied().unwrap_or(0)).collect();
        for tier in newly_reached(&rewards.tiers, &already, player.weighted_wagered) {
            let key = milestone_key(month, &player.uid, tier.number);
            milestones::award(conn, &month_key, &player.uid, tier.number, &key, now_ms).await?;
            let inserted = payouts::insert_intent(
                conn,
                &NewPayout {
                    key,
                    kind: PayoutKind::Milestone,
                    uid: player.uid.clone(),
                    username: player.username.clone(),
                    amount: tier.tip,
                    status,
                    period_key: Some(month_key.clone()),
                    tier: Some(tier.number),
                    requested_by: None,
                    reason: Some(format!(
                        "{} ({} weighted) in {month}",
                        tier.name, tier.threshold
                    )),
                    priority: 0,
                },
                now_ms,
            )
            .await?;
            if inserted {
                recorded += 1;
            }
        }
    }
    Ok(recorded)
}
