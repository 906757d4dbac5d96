//! The affiliate stats body as it arrives, and its one-time conversion into
//! trusted domain values. Parsing is strict about what ranks players (ids and
//! money) and lenient about decoration (favourite game, rank badge), so a
//! cosmetic API change cannot take the leaderboards down while a broken
//! number can never reach them.

use std::collections::HashSet;

use serde::Deserialize;

use crate::domain::money::{Cents, Multiplier};
use crate::domain::names::display_title;
use crate::domain::players::{Activity, Hit, PlayerFigures};
use crate::roobet::error::AffiliateError;
use crate::roobet::loose::{DataMember, ListBody, Loose, ObjectOr};

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
    /// Sessions within the call's filter, when the answer has them
    /// (export only).
    pub sessions: Option<u64>,
    /// Payout within the call's filter, when the answer has it (export only).
    pub payout: Option<Cents>,
    /// `net` within the call's filter, when the answer has it (export only).
    pub net: Option<Cents>,
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
            activity: Activity {
                sessions: self.sessions,
                weighted_sessions: None,
                payout: self.payout,
                net: self.net,
            },
        }
    }
}

/// One row as it arrived: every field kept loosely, judged by [`parse_row`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRow {
    #[serde(default)]
    uid: Loose,
    #[serde(default)]
    username: Loose,
    #[serde(default)]
    wagered: Loose,
    #[serde(default)]
    weighted_wagered: Loose,
    #[serde(default)]
    favorite_game_id: Loose,
    #[serde(default)]
    favorite_game_title: Loose,
    #[serde(default)]
    rank_level: Loose,
    #[serde(default)]
    rank_level_image: Loose,
    #[serde(default)]
    highest_multiplier: ObjectOr<RawHit>,
    #[serde(default)]
    sessions: Loose,
    #[serde(default)]
    payout: Loose,
    #[serde(default)]
    net: Loose,
}

/// A `highestMultiplier` object as it arrived.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawHit {
    #[serde(default)]
    multiplier: Loose,
    #[serde(default)]
    wagered: Loose,
    #[serde(default)]
    payout: Loose,
    #[serde(default)]
    game_id: Loose,
    #[serde(default)]
    game_title: Loose,
}

/// Parses a 200 body: a JSON array of rows, or `{"data": [...]}`.
///
/// Any row that cannot be trusted fails the whole body: a leaderboard built
/// from a partial answer would silently demote the missing players. The body
/// is read straight into loosely typed rows (no `serde_json::Value` tree), so
/// a 100,000-row answer costs one pass and no per-key allocation.
pub fn parse_stats_body(body: &[u8]) -> Result<Vec<StatsRow>, AffiliateError> {
    let parsed: ListBody<ObjectOr<RawRow>> = serde_json::from_slice(body)
        .map_err(|e| AffiliateError::Malformed(format!("not JSON: {e}")))?;
    let rows = match parsed {
        ListBody::List(rows) | ListBody::Wrapped(DataMember::List(rows)) => rows,
        ListBody::Wrapped(DataMember::Missing) => {
            return Err(AffiliateError::Malformed(
                "object without a `data` array".into(),
            ))
        }
        ListBody::Other => {
            return Err(AffiliateError::Malformed(
                "expected an array or {data: [...]}".into(),
            ))
        }
    };
    let mut seen = HashSet::with_capacity(rows.len());
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
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

fn parse_row(row: ObjectOr<RawRow>) -> Result<StatsRow, String> {
    let ObjectOr::Object(mut row) = row else {
        return Err("not an object".into());
    };
    let uid = match std::mem::take(&mut row.uid) {
        Loose::Text(s) if !s.trim().is_empty() => s,
        Loose::Number(n) => n.to_string(),
        _ => return Err("missing or empty uid".into()),
    };
    let highest_multiplier = match row.highest_multiplier {
        ObjectOr::Absent | ObjectOr::Null => None,
        ObjectOr::Object(hit) => {
            Some(parse_hit(hit).map_err(|e| format!("highestMultiplier: {e}"))?)
        }
        ObjectOr::Other => return Err("highestMultiplier is not an object".into()),
    };
    Ok(StatsRow {
        uid,
        username: row.username.take_string().unwrap_or_default(),
        wagered: money(&row.wagered, "wagered")?.ok_or("missing wagered")?,
        weighted_wagered: money(&row.weighted_wagered, "weightedWagered")?.unwrap_or_default(),
        favorite_game_id: row.favorite_game_id.take_string(),
        favorite_game_title: row
            .favorite_game_title
            .take_string()
            .map(|t| display_title(&t)),
        rank_level: match &row.rank_level {
            Loose::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            _ => None,
        },
        rank_level_image: row.rank_level_image.take_string(),
        highest_multiplier,
        // Outside the contract and never ranked on: a value that is not a
        // number is left out of the export rather than failing the cycle.
        sessions: match &row.sessions {
            Loose::Number(n) => n.as_u64(),
            Loose::Text(s) => s.trim().parse().ok(),
            _ => None,
        },
        payout: money(&row.payout, "payout").ok().flatten(),
        net: number(&row.net, "net")
            .ok()
            .flatten()
            .and_then(|v| Cents::from_signed_usd(v).ok()),
    })
}

fn parse_hit(mut hit: RawHit) -> Result<Hit, String> {
    let multiplier = number(&hit.multiplier, "multiplier")?.ok_or("missing multiplier")?;
    let multiplier = Multiplier::from_f64(multiplier).map_err(|e| format!("multiplier: {e}"))?;
    let game_id = hit
        .game_id
        .take_string()
        .filter(|s| !s.is_empty())
        .ok_or("missing gameId")?;
    Ok(Hit {
        multiplier,
        bet: money(&hit.wagered, "wagered")?.ok_or("missing wagered")?,
        payout: money(&hit.payout, "payout")?.ok_or("missing payout")?,
        // Titles are only ever shown (the id is what we match), so they
        // are cleaned and capped once, here.
        game_title: hit
            .game_title
            .take_string()
            .map(|t| display_title(&t))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| display_title(&game_id)),
        game_id,
    })
}

/// A number, or a string holding one (some APIs quote their decimals).
fn number(value: &Loose, key: &str) -> Result<Option<f64>, String> {
    match value {
        Loose::Absent | Loose::Null => Ok(None),
        Loose::Number(n) => n.as_f64().map(Some).ok_or(format!("{key} is not a number")),
        Loose::Text(s) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("{key} is not a number")),
        Loose::Bool | Loose::Compound => Err(format!("{key} is not a number")),
    }
}

fn money(value: &Loose, key: &str) -> Result<Option<Cents>, String> {
    match number(value, key)? {
        None => Ok(None),
        Some(v) => Cents::from_usd(v)
            .map(Some)
            .map_err(|e| format!("{key}: {e}")),
    }
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
    fn hostile_titles_are_cleaned_but_names_stay_raw() {
        let name = format!("ali\u{200b}ce{}", "\u{202e}".repeat(3));
        let body = serde_json::json!([{
            "uid": "u1", "username": name, "wagered": 1.0, "weightedWagered": 1.0,
            "favoriteGameTitle": "X".repeat(10_000),
            "highestMultiplier": {"multiplier": 2.0, "wagered": 1.0, "payout": 2.0,
                "gameId": "g:1", "gameTitle": format!("\u{202e}Big Bass{}", "\u{200b}".repeat(50))}
        }]);
        let rows = parse_stats_body(body.to_string().as_bytes()).unwrap();
        // The raw name is what matching and tipping use.
        assert_eq!(rows[0].username, name);
        assert_eq!(
            rows[0].favorite_game_title.as_deref().map(str::len),
            Some(64)
        );
        let hit = rows[0].highest_multiplier.clone().unwrap();
        assert_eq!(hit.game_title, "Big Bass");
        let invisible = serde_json::json!([{"uid": "u1", "username": "a", "wagered": 1.0,
            "highestMultiplier": {"multiplier": 2.0, "wagered": 1.0, "payout": 2.0,
                "gameId": "g:1", "gameTitle": "\u{200b}"}}]);
        let rows = parse_stats_body(invisible.to_string().as_bytes()).unwrap();
        assert_eq!(
            rows[0].highest_multiplier.as_ref().unwrap().game_title,
            "g:1"
        );
    }

    #[test]
    fn parses_a_full_row_ignoring_unknown_fields() {
        let rows = parse_stats_body(FULL.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.uid, "u1");
        assert_eq!(r.username, "LuckyDuck");
        assert_eq!(r.wagered, Cents::new(1_523_450));
        assert_eq!(r.weighted_wagered, Cents::new(987_625));
        assert_eq!(r.rank_level, Some(7));
        let hit = r.highest_multiplier.clone().unwrap();
        assert_eq!(hit.multiplier, Multiplier(51_240));
        assert_eq!(hit.bet, Cents::new(40));
        assert_eq!(hit.payout, Cents::new(20_496));
        assert_eq!(hit.game_title, "Big Bass Bonanza");
        let fig = r.clone().into_figures();
        assert_eq!(fig.weighted_since_ms, 0);
        assert_eq!(fig.best_hit, Some(hit));
        assert_eq!(fig.activity, Activity::default());
    }

    #[test]
    fn sessions_payout_and_net_are_kept_when_present_and_never_fail_a_row() {
        let body = r#"[{"uid":"a","wagered":10,"sessions":12,"payout":9.5,"net":-0.5},
                       {"uid":"b","wagered":1,"sessions":"3","payout":"0.25","net":null},
                       {"uid":"c","wagered":1,"sessions":-4,"payout":"lots","net":[1]},
                       {"uid":"d","wagered":1}]"#;
        let rows = parse_stats_body(body.as_bytes()).unwrap();
        let seen: Vec<_> = rows.iter().map(|r| (r.sessions, r.payout, r.net)).collect();
        assert_eq!(
            seen,
            [
                (Some(12), Some(Cents::new(950)), Some(Cents::new(-50))),
                (Some(3), Some(Cents::new(25)), None),
                (None, None, None),
                (None, None, None),
            ]
        );
        let activity = rows[0].clone().into_figures().activity;
        assert_eq!(activity.sessions, Some(12));
        assert_eq!(activity.net, Some(Cents::new(-50)));
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
        assert_eq!(rows[0].weighted_wagered, Cents::new(0));
        assert_eq!(rows[0].highest_multiplier, None);
        assert_eq!(rows[1].wagered, Cents::new(250));
        assert_eq!(rows[1].rank_level, None);
        assert_eq!(rows[1].favorite_game_id, None);
    }

    #[test]
    fn numeric_uids_and_wrongly_typed_decoration_are_accepted() {
        let body = r#"{"data":[{"uid":12345,"username":["x"],"wagered":"7",
            "favoriteGameId":{"a":1},"favoriteGameTitle":3,"rankLevel":7.0,
            "rankLevelImage":false,"highestMultiplier":{"multiplier":"3.5",
            "wagered":1,"payout":"3.5","gameId":"g","gameTitle":null,"extra":{}}}],
            "meta":{"data":"not this one"}}"#;
        let rows = parse_stats_body(body.as_bytes()).unwrap();
        let r = &rows[0];
        assert_eq!(r.uid, "12345");
        assert_eq!(r.username, "");
        assert_eq!(r.wagered, Cents::new(700));
        assert_eq!(r.favorite_game_id, None);
        assert_eq!(r.favorite_game_title, None);
        assert_eq!(r.rank_level, None, "a float is not a rank");
        assert_eq!(r.rank_level_image, None);
        let hit = r.highest_multiplier.clone().unwrap();
        assert_eq!(hit.multiplier, Multiplier(350));
        assert_eq!(hit.game_title, "g");
    }

    #[test]
    fn a_large_answer_parses_every_row() {
        let rows: Vec<String> = (0..5_000)
            .map(|i| {
                format!(
                    r#"{{"uid":"u{i}","username":"p{i}","wagered":{i}.25,"weightedWagered":1,
                    "highestMultiplier":{{"multiplier":2,"wagered":1,"payout":2,"gameId":"g"}}}}"#
                )
            })
            .collect();
        let body = format!("[{}]", rows.join(","));
        let parsed = parse_stats_body(body.as_bytes()).unwrap();
        assert_eq!(parsed.len(), 5_000);
        assert_eq!(parsed[4_999].uid, "u4999");
        assert_eq!(parsed[4_999].wagered, Cents::new(499_925));
        let broken = body.replacen(r#""uid":"u4321""#, r#""uid":"""#, 1);
        assert!(malformed(&broken).starts_with("row 4321:"));
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
        assert!(malformed(r#"{"data":null}"#).contains("data"));
        assert!(malformed(r#"{"data":{"uid":"a"}}"#).contains("data"));
        assert!(malformed("null").contains("array"));
        assert!(malformed(r#"[{"uid":"a","wagered":1}"#).contains("not JSON"));
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
        assert_eq!(cents("0.005"), Cents::new(1));
        assert_eq!(cents("0.004"), Cents::new(0));
        assert_eq!(cents("2.675"), Cents::new(268));
        // `Cents::from_usd` rounds the shortest decimal text of the f64, i.e.
        // the number as the API wrote it, so 1.005 is a half cent, not
        // 1.00499999999999989…
        assert_eq!(cents("1.005"), Cents::new(101));
        assert_eq!(cents("15234.5"), Cents::new(1_523_450));
    }
}
