//! What the last cycles wrote, kept in memory so a cycle writes only the
//! players whose figures changed and publishes without reading everything
//! back. It mirrors the stored snapshots exactly: it is seeded from the
//! database the first time a period is seen in this process, and updated
//! only after a cycle's transaction commits.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::domain::players::PlayerFigures;
use crate::store::snapshots::{self, PeriodKind};
use crate::store::StoreError;

/// Stored figures of the periods in use, by uid.
#[derive(Debug, Default)]
pub struct WrittenFigures {
    periods: HashMap<(PeriodKind, String), HashMap<String, PlayerFigures>>,
}

fn same_figures(a: &PlayerFigures, b: &PlayerFigures) -> bool {
    a.username == b.username
        && a.wagered == b.wagered
        && a.weighted_wagered == b.weighted_wagered
        && a.best_hit == b.best_hit
        && a.activity == b.activity
}

impl WrittenFigures {
    /// Loads a period from the database unless this process already holds it.
    pub async fn ensure_loaded(
        &mut self,
        conn: &mut AnyConnection,
        kind: PeriodKind,
        key: &str,
    ) -> Result<(), StoreError> {
        if let Entry::Vacant(slot) = self.periods.entry((kind, key.to_string())) {
            let stored = snapshots::load(conn, kind, key).await?;
            slot.insert(stored.into_iter().map(|p| (p.uid.clone(), p)).collect());
        }
        Ok(())
    }

    /// How many players a period has stored.
    pub fn len(&self, kind: PeriodKind, key: &str) -> usize {
        self.periods
            .get(&(kind, key.to_string()))
            .map_or(0, HashMap::len)
    }

    /// Whether a period has no stored players.
    pub fn is_empty(&self, kind: PeriodKind, key: &str) -> bool {
        self.len(kind, key) == 0
    }

    /// The figures that differ from what is stored (new players included).
    pub fn changed<'a>(
        &self,
        kind: PeriodKind,
        key: &str,
        figures: &'a [PlayerFigures],
    ) -> Vec<&'a PlayerFigures> {
        let stored = self.periods.get(&(kind, key.to_string()));
        figures
            .iter()
            .filter(|f| {
                stored
                    .and_then(|s| s.get(&f.uid))
                    .is_none_or(|old| !same_figures(old, f))
            })
            .collect()
    }

    /// Records committed figures, with the same "figure reached" rule as
    /// the database: the time moves only when the weighted figure changes.
    pub fn apply(&mut self, kind: PeriodKind, key: &str, written: &[PlayerFigures], now_ms: i64) {
        let stored = self.periods.entry((kind, key.to_string())).or_default();
        for figures in written {
            let since = match stored.get(&figures.uid) {
                Some(old) if old.weighted_wagered == figures.weighted_wagered => {
                    old.weighted_since_ms
                }
                _ => now_ms,
            };
            let mut copy = figures.clone();
            copy.weighted_since_ms = since;
            stored.insert(copy.uid.clone(), copy);
        }
    }

    /// Every stored player of a period, in uid order (as the database loads them).
    pub fn players(&self, kind: PeriodKind, key: &str) -> Vec<PlayerFigures> {
        let mut players: Vec<PlayerFigures> = self
            .periods
            .get(&(kind, key.to_string()))
            .map(|s| s.values().cloned().collect())
            .unwrap_or_default();
        players.sort_by(|a, b| a.uid.cmp(&b.uid));
        players
    }

    /// Forgets every period but these (the current month and week).
    pub fn retain_only(&mut self, keep: &[(PeriodKind, String)]) {
        self.periods.retain(|slot, _| keep.contains(slot));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::players::fixtures::player;
    use crate::domain::players::Activity;

    fn figures(uid: &str, activity: Activity) -> PlayerFigures {
        PlayerFigures {
            activity,
            ..player(uid, uid, 1_000, 500)
        }
    }

    #[test]
    fn a_change_the_export_shows_is_written_even_when_the_wager_is_not() {
        let mut written = WrittenFigures::default();
        let before = [
            figures("a", Activity::default()),
            figures("b", Activity::default()),
        ];
        written.apply(PeriodKind::Month, "2026-11", &before, 1);
        let now = [
            figures("a", Activity::default()),
            figures(
                "b",
                Activity {
                    sessions: Some(3),
                    ..Activity::default()
                },
            ),
        ];
        let changed: Vec<&str> = written
            .changed(PeriodKind::Month, "2026-11", &now)
            .iter()
            .map(|p| p.uid.as_str())
            .collect();
        assert_eq!(changed, ["b"]);
    }
}
