//! The affiliate stats body as it arrives, and its one-time conversion into
//! trusted domain values. Parsing is strict about what ranks players (ids and
//! money) and lenient about decoration (favourite game, rank badge), so a
//! cosmetic API change cannot take the leaderboards down while a broken
//! number can never reach them.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::domain::money::{Cents, Multiplier};
use crate::domain::players::{Hit, PlayerFigures};
use crate::roobet::error::AffiliateError;

/// One validated row of an affiliate stats answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsRow {
    /// Casino user id, the join key between calls.
    pub uid: String,
    /// Display name; empty when the API left it out.
    pub username: String,
    /// Wager within the call's filter.
    pub wagered: Cents,
    /// Weighted wager within the call's filter (0 when absent).
    pub weighted_wagered: Cents,
    /// Decoration only.
    pub favorite_game_id: Option<String>,
    /// Decoration only.
    pub favorite_game_title: Option<String>,
    /// Decoration only.
    pub rank_level: Option<u32>,
    /// Decoration only.
    pub rank_level_image: Option<String>,
    /// Best multiplier within the call's filter.
    pub highest_multiplier: Option<Hit>,
}

impl StatsRow {
    /// The row as leaderboard figures; `weighted_since_ms` is the caller's to fill.
    pub fn into_figures(self) -> PlayerFigures {
        PlayerFigures {
            uid: self.uid,
            username: self.username,
            wagered: self.wagered,
            weighted_wagered: self.weighted_wagered,
            weighted_since_ms: 0,
            best_hit: self.highest_multiplier,
        }
    }
}

/// Parses a 200 body: a JSON array of rows, or `{"data": [...]}`.
///
/// Any row that cannot be trusted fails the whole body: a leaderboard built
/// from a partial answer would silently demote the missing players.
pub fn parse_stats_body(body: &[u8]) -> Result<Vec<StatsRow>, AffiliateError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AffiliateError::Malformed(format!("not JSON: {e}")))?;
    let rows = match &value {
        Value::Array(rows) => rows,
        Value::Object(obj) => match obj.get("data") {
            Some(Value::Array(rows)) => rows,
            _ => {
                return Err(AffiliateError::Malformed(
                    "object without a `data` array".into(),
                ))
            }
        },
        _ => {
            return Err(AffiliateError::Malformed(
                "expected an array or {data: [...]}".into(),
            ))
        }
    };
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let row = parse_row(row).map_err(|e| AffiliateError::Malformed(format!("row {i}: {e}")))?;
        if !seen.insert(row.uid.clone()) {
            return Err(AffiliateError::Malformed(format!(
                "row {i}: duplicate uid {}",
                row.uid
            )));
        }
        out.push(row);
    }
    Ok(out)
}

fn parse_row(v: &Value) -> Result<StatsRow, String> {
    let obj = v.as_object().ok_or("not an object")?;
    let uid = match obj.get("uid") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err("missing or empty uid".into()),
    };
    let highest_multiplier = match obj.get("highestMultiplier") {
        None | Some(Value::Null) => None,
        Some(Value::Object(hit)) => {
            Some(parse_hit(hit).map_err(|e| format!("highestMultiplier: {e}"))?)
        }
        Some(_) => return Err("highestMultiplier is not an object".into()),
    };
    Ok(StatsRow {
        uid,
        username: opt_string(obj, "username").unwrap_or_default(),
        wagered: money(obj, "wagered")?.ok_or("missing wagered")?,
        weighted_wagered: money(obj, "weightedWagered")?.unwrap_or_default(),
        favorite_game_id: opt_string(obj, "favoriteGameId"),
        favorite_game_title: opt_string(obj, "favoriteGameTitle"),
        rank_level: obj
            .get("rankLevel")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok()),
        rank_level_image: opt_string(obj, "rankLevelImage"),
        highest_multiplier,
    })
}

fn parse_hit(obj: &Map<String, Value>) -> Result<Hit, String> {
    let multiplier = number(obj, "multiplier")?.ok_or("missing multiplier")?;
    let multiplier = Multiplier::from_f64(multiplier).map_err(|e| format!("multiplier: {e}"))?;
    let game_id = opt_string(obj, "gameId")
        .filter(|s| !s.is_empty())
        .ok_or("missing gameId")?;
    Ok(Hit {
        multiplier,
        bet: money(obj, "wagered")?.ok_or("missing wagered")?,
        payout: money(obj, "payout")?.ok_or("missing payout")?,
        game_title: opt_string(obj, "gameTitle").unwrap_or_else(|| game_id.clone()),
        game_id,
    })
}

/// A number, or a string holding one (some APIs quote their decimals).
fn number(obj: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_f64().map(Some).ok_or(format!("{key} is not a number")),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("{key} is not a number")),
        Some(_) => Err(format!("{key} is not a number")),
    }
}

fn money(obj: &Map<String, Value>, key: &str) -> Result<Option<Cents>, String> {
    match number(obj, key)? {
        None => Ok(None),
        Some(v) => Cents::from_usd(v)
            .map(Some)
            .map_err(|e| format!("{key}: {e}")),
    }
}

fn opt_string(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"[{"uid":"u1","username":"LuckyDuck","wagered":15234.5,
        "weightedWagered":9876.25,"favoriteGameId":"g","favoriteGameTitle":"G",
        "rankLevel":7,"rankLevelImage":"https://x/7.png","somethingNew":[1,2],
        "highestMultiplier":{"multiplier":512.4,"wagered":0.4,"payout":204.96,
        "gameId":"pragmatic:vs10bbbbrnd","gameTitle":"Big Bass Bonanza"}}]"#;

    fn malformed(body: &str) -> String {
        match parse_stats_body(body.as_bytes()) {
            Err(AffiliateError::Malformed(reason)) => reason,
            other => panic!("expected malformed for {body}, got {other:?}"),
        }
    }

    #[test]
    fn parses_a_full_row_ignoring_unknown_fields() {
        let rows = parse_stats_body(FULL.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.uid, "u1");
        assert_eq!(r.username, "LuckyDuck");
        assert_eq!(r.wagered, Cents(1_523_450));
        assert_eq!(r.weighted_wagered, Cents(987_625));
        assert_eq!(r.rank_level, Some(7));
        let hit = r.highest_multiplier.clone().unwrap();
        assert_eq!(hit.multiplier, Multiplier(51_240));
        assert_eq!(hit.bet, Cents(40));
        assert_eq!(hit.payout, Cents(20_496));
        assert_eq!(hit.game_title, "Big Bass Bonanza");
        let fig = r.clone().into_figures();
        assert_eq!(fig.weighted_since_ms, 0);
        assert_eq!(fig.best_hit, Some(hit));
    }

    #[test]
    fn accepts_data_wrapper_and_empty_lists() {
        let wrapped = format!(r#"{{"data":{FULL},"total":1}}"#);
        assert_eq!(parse_stats_body(wrapped.as_bytes()).unwrap().len(), 1);
        assert!(parse_stats_body(b"[]").unwrap().is_empty());
        assert!(parse_stats_body(br#"{"data":[]}"#).unwrap().is_empty());
    }

    #[test]
    fn optional_fields_may_be_null_or_absent() {
        let body = r#"[{"uid":"a","wagered":1,"highestMultiplier":null},
                       {"uid":"b","username":null,"wagered":"2.50","rankLevel":"x"}]"#;
        let rows = parse_stats_body(body.as_bytes()).unwrap();
        assert_eq!(rows[0].username, "");
        assert_eq!(rows[0].weighted_wagered, Cents(0));
        assert_eq!(rows[0].highest_multiplier, None);
        assert_eq!(rows[1].wagered, Cents(250));
        assert_eq!(rows[1].rank_level, None);
        assert_eq!(rows[1].favorite_game_id, None);
    }

    #[test]
    fn hit_without_title_falls_back_to_game_id() {
        let body = r#"[{"uid":"a","wagered":1,"highestMultiplier":
            {"multiplier":2,"wagered":1,"payout":2,"gameId":"housegames:crash"}}]"#;
        let hit = parse_stats_body(body.as_bytes()).unwrap()[0]
            .highest_multiplier
            .clone()
            .unwrap();
        assert_eq!(hit.game_title, "housegames:crash");
    }

    #[test]
    fn rejects_untrustworthy_bodies() {
        assert!(malformed("<html>502</html>").contains("not JSON"));
        assert!(malformed(r#"{"error":"x"}"#).contains("data"));
        assert!(malformed(r#""rows""#).contains("array"));
        assert!(malformed(r#"[1]"#).contains("not an object"));
        assert!(malformed(r#"[{"username":"x","wagered":1}]"#).contains("uid"));
        assert!(malformed(r#"[{"uid":"  ","wagered":1}]"#).contains("uid"));
        assert!(malformed(r#"[{"uid":"a"}]"#).contains("missing wagered"));
        assert!(malformed(r#"[{"uid":"a","wagered":-1}]"#).contains("negative"));
        assert!(
            malformed(r#"[{"uid":"a","wagered":1,"weightedWagered":-0.5}]"#)
                .contains("weightedWagered")
        );
        assert!(malformed(r#"[{"uid":"a","wagered":"NaN"}]"#).contains("finite"));
        assert!(malformed(r#"[{"uid":"a","wagered":1e400}]"#).contains("not JSON"));
        assert!(malformed(r#"[{"uid":"a","wagered":true}]"#).contains("not a number"));
        assert!(
            malformed(r#"[{"uid":"a","wagered":1,"highestMultiplier":3}]"#)
                .contains("highestMultiplier")
        );
        assert!(malformed(
            r#"[{"uid":"a","wagered":1,"highestMultiplier":{"multiplier":-2,"wagered":1,"payout":0,"gameId":"g"}}]"#
        )
        .contains("multiplier"));
        assert!(
            malformed(r#"[{"uid":"a","wagered":1},{"uid":"a","wagered":2}]"#).contains("duplicate")
        );
    }

    #[test]
    fn rounds_the_written_decimal_half_away_from_zero() {
        let cents = |v: &str| {
            let body = format!(r#"[{{"uid":"a","wagered":{v}}}]"#);
            parse_stats_body(body.as_bytes()).unwrap()[0].wagered
        };
        assert_eq!(cents("0.005"), Cents(1));
        assert_eq!(cents("0.004"), Cents(0));
        assert_eq!(cents("2.675"), Cents(268));
        // `Cents::from_usd` rounds the shortest decimal text of the f64, i.e.
        // the number as the API wrote it, so 1.005 is a half cent, not
        // 1.00499999999999989…
        assert_eq!(cents("1.005"), Cents(101));
        assert_eq!(cents("15234.5"), Cents(1_523_450));
    }
}
