//! Property-based fuzzing of `POST /interactions` over real HTTP, against the
//! real application on a random port (SQLite).
//!
//! 1. `unsigned_requests_never_reach_a_handler`: arbitrary bodies (random
//!    bytes, JSON-ish text, structural and byte mutations of a valid signed
//!    `/exclude add` of a seeded player) with arbitrary, missing or broken
//!    signature and timestamp headers (random hex of any length, non-ASCII,
//!    huge and negative numbers, stale and future times, signatures by the
//!    wrong key or over other bytes). An independent oracle decides whether
//!    a request is correctly signed; the ones that are not must get `401`
//!    (`413` only when over 64 KiB), the connection must survive (no panic),
//!    and nothing may be written: `processed_interactions`, `audit_log` and
//!    `exclusions` stay empty after every case. At the end the untouched
//!    valid request is sent and must take effect, proving the harness can
//!    see a handler run.
//! 2. `signed_garbage_gets_400_or_a_valid_reply`: correctly signed arbitrary
//!    JSON and mutations of valid command bodies get `400`, or `200` with a
//!    valid interaction response — never a 5xx, never a dropped connection.
//!
//! `PROPTEST_CASES` sets the number of cases (default 256 each);
//! `FUZZ_SECONDS` bounds the wall time of each property (cases past the
//! deadline are skipped). Each property prints its executions.
//! `scripts/fuzz.sh` runs both for longer.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use fts_assistant::clock::Clock;
use fts_assistant::discord::dev_keys::DevKeypair;
use fts_assistant::discord::synth::{Caller, OptionValue, SignedRequest, SynthInteraction};
use fts_assistant::store::players;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use reqwest::header::HeaderValue;
use serde_json::Value;

use crate::common::{Db, TestApp};

/// Discord's limit on the body, above which the server answers 413.
const MAX_BODY: usize = 64 * 1024;
/// The accepted distance between the signed timestamp and the server clock.
const MAX_SKEW: i64 = 300;

// ---------------------------------------------------------------- harness ---

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn deadline() -> Option<Instant> {
    std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|s| Instant::now() + Duration::from_secs(s))
}

fn runner() -> TestRunner {
    TestRunner::new(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 512,
        // Never write regression files into the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    })
}

/// Counts what a property did, for its closing line.
#[derive(Default)]
struct Tally {
    executed: AtomicU64,
    skipped: AtomicU64,
    statuses: std::sync::Mutex<BTreeMap<u16, u64>>,
}

impl Tally {
    fn status(&self, status: u16) {
        self.executed.fetch_add(1, Ordering::Relaxed);
        *self.statuses.lock().unwrap().entry(status).or_default() += 1;
    }

    fn print(&self, name: &str, started: Instant) {
        println!(
            "endpoint_fuzz {name}: {} executions ({} skipped past FUZZ_SECONDS) in {:.1} s; statuses {:?}",
            self.executed.load(Ordering::Relaxed),
            self.skipped.load(Ordering::Relaxed),
            started.elapsed().as_secs_f64(),
            self.statuses.lock().unwrap()
        );
    }
}

/// POSTs raw bytes with raw header values; `Err` when the connection fails
/// (which is what a panicking handler looks like from outside).
async fn post(
    app: &TestApp,
    body: Vec<u8>,
    signature: Option<&[u8]>,
    timestamp: Option<&[u8]>,
) -> Result<(u16, Vec<u8>), String> {
    let mut request = app
        .http
        .post(format!("{}/interactions", app.base_url))
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in [
        ("x-signature-ed25519", signature),
        ("x-signature-timestamp", timestamp),
    ] {
        if let Some(value) = value {
            let value = HeaderValue::from_bytes(value)
                .map_err(|e| format!("generator made an unsendable header {value:?}: {e}"))?;
            request = request.header(name, value);
        }
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("no HTTP answer (did the handler panic?): {e:?}"))?;
    let status = response.status().as_u16();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("body cut off: {e:?}"))?;
    Ok((status, bytes.to_vec()))
}

/// The oracle, independent of the server's verifier: both headers present,
/// the signature exactly 64 bytes of hex, the timestamp a decimal `i64`
/// within five minutes of `now`, and Ed25519 over `timestamp ‖ body`.
fn properly_signed(
    key: &VerifyingKey,
    now: i64,
    signature: Option<&[u8]>,
    timestamp: Option<&[u8]>,
    body: &[u8],
) -> bool {
    let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
        return false;
    };
    let Ok(bytes) = hex::decode(signature) else {
        return false;
    };
    let Ok(bytes) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    let Some(seconds) = std::str::from_utf8(timestamp)
        .ok()
        .and_then(|t| t.parse::<i64>().ok())
    else {
        return false;
    };
    if (i128::from(now) - i128::from(seconds)).abs() > i128::from(MAX_SKEW) {
        return false;
    }
    let mut message = timestamp.to_vec();
    message.extend_from_slice(body);
    key.verify(&message, &Signature::from_bytes(&bytes)).is_ok()
}

/// Interaction response types Discord knows.
fn valid_response(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["type"].as_u64())
        .is_some_and(|t| matches!(t, 1 | 4..=9))
}

async fn seed_player(app: &TestApp, uid: &str, name: &str) {
    let mut conn = app.state.store.pool().acquire().await.unwrap();
    players::upsert(&mut conn, uid, name, app.clock.now().timestamp_millis())
        .await
        .unwrap();
}

/// Everything a handler would leave behind.
const WRITES: &str = "SELECT (SELECT COUNT(*) FROM processed_interactions) \
    + (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM exclusions)";

fn exclude_add(username: &str) -> SynthInteraction {
    SynthInteraction::command(
        "exclude",
        &[
            ("username", OptionValue::String(username.into())),
            ("action", OptionValue::String("add".into())),
            ("reason", OptionValue::String("fuzz".into())),
        ],
    )
    .by(Caller::ManageServer)
}

// ------------------------------------------------------------- generators ---

/// One byte HTTP allows in a header value (visible ASCII, obs-text, tab).
fn header_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        8 => 0x20u8..=0x7e,
        2 => 0x80u8..=0xff,
        1 => Just(b'\t'),
    ]
}

/// Any header bytes.
fn header_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(header_byte(), 0..max)
}

/// A header value as the server sees it: HTTP drops the optional
/// whitespace around field values, so the oracle must judge the trimmed
/// value (a correct signature followed by a space *is* correct).
fn ows_trimmed(value: Option<Vec<u8>>) -> Option<Vec<u8>> {
    value.map(|mut v| {
        while v.last().is_some_and(|b| *b == b' ' || *b == b'\t') {
            v.pop();
        }
        let start = v
            .iter()
            .position(|b| *b != b' ' && *b != b'\t')
            .unwrap_or(v.len());
        v.drain(..start);
        v
    })
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "type", "id", "data", "name", "options", "value", "member", "user", "permissions",
            "roles", "application_id", "token", "guild_id", "channel_id", "custom_id",
            "component_type", "focused", "version", "resolved", "target_id", "locale",
        ])
        .prop_map(str::to_string),
        1 => "[a-z_]{0,10}",
        1 => ".{0,6}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..=12).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
        "[0-9]{1,25}".prop_map(Value::from),
        prop::sample::select(vec![
            "ping",
            "mywager",
            "exclude",
            "add",
            "list",
            "alice",
            "@everyone",
            "tipuser",
            "setchallenge",
            "clear_tips:confirm:2026-11",
            "\u{0}",
            "\u{202e}",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            btree_map(json_key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object that gets past the `{type}` parse more often than random.
fn interaction_like() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            4 => (0i64..=12).prop_map(Value::from),
            1 => any::<i64>().prop_map(Value::from),
            1 => json_value(),
        ],
        btree_map(json_key(), json_value(), 0..10),
    )
        .prop_map(|(kind, rest)| {
            let mut object: serde_json::Map<String, Value> = rest.into_iter().collect();
            object.insert("type".into(), kind);
            Value::Object(object)
        })
}

/// Text that looks like JSON (brackets, quotes, numbers, escapes) without
/// usually being valid.
fn json_ish() -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            prop::sample::select(vec![
                "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\ud800", "type", "\"type\"",
                "1", "2", "-", "1e999", "0.", "null", "true", "\"data\"", "\"name\"", " ", "\n",
                "\u{0}", "é", "\u{feff}",
            ])
            .prop_map(str::to_string),
            "[0-9]{1,22}",
            "\"[^\"]{0,12}\"",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

#[derive(Debug, Clone)]
enum JsonEdit {
    Replace(Value),
    Remove,
    Insert(String, Value),
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    prop_oneof![
        3 => json_value().prop_map(JsonEdit::Replace),
        2 => Just(JsonEdit::Remove),
        1 => (json_key(), json_value()).prop_map(|(k, v)| JsonEdit::Insert(k, v)),
    ]
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Applies `edit` at node `*index` of a preorder walk of `value`.
fn edit_nth(value: &mut Value, index: &mut usize, edit: &JsonEdit) -> bool {
    if *index == 0 {
        match edit {
            JsonEdit::Replace(v) | JsonEdit::Insert(_, v) if !value.is_object() => {
                *value = v.clone()
            }
            JsonEdit::Insert(k, v) => {
                value.as_object_mut().unwrap().insert(k.clone(), v.clone());
            }
            JsonEdit::Replace(v) => *value = v.clone(),
            JsonEdit::Remove => *value = Value::Null,
        }
        return true;
    }
    *index -= 1;
    match value {
        Value::Array(items) => {
            for i in 0..items.len() {
                if *index == 0 && matches!(edit, JsonEdit::Remove) {
                    items.remove(i);
                    return true;
                }
                if edit_nth(&mut items[i], index, edit) {
                    return true;
                }
            }
        }
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if *index == 0 && matches!(edit, JsonEdit::Remove) {
                    map.remove(&key);
                    return true;
                }
                if edit_nth(map.get_mut(&key).unwrap(), index, edit) {
                    return true;
                }
            }
        }
        _ => {}
    }
    false
}

fn apply_json_edits(base: &Value, edits: &[(usize, JsonEdit)]) -> Value {
    let mut value = base.clone();
    for (target, edit) in edits {
        let mut index = target % count_nodes(&value);
        edit_nth(&mut value, &mut index, edit);
    }
    value
}

#[derive(Debug, Clone)]
enum ByteEdit {
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Set(i, b)),
        (any::<usize>(), vec(any::<u8>(), 1..16)).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| ByteEdit::Delete(i, n)),
        any::<usize>().prop_map(ByteEdit::Truncate),
    ]
}

fn apply_byte_edits(base: &[u8], edits: &[ByteEdit]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for edit in edits {
        let len = bytes.len().max(1);
        match edit {
            ByteEdit::Set(i, b) if !bytes.is_empty() => bytes[i % len] = *b,
            ByteEdit::Set(..) => {}
            ByteEdit::Insert(i, new) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            ByteEdit::Delete(i, n) => {
                let at = i % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            ByteEdit::Truncate(i) => bytes.truncate(i % len),
        }
    }
    bytes
}

/// How a body is made.
#[derive(Debug, Clone)]
enum BodyGen {
    Bytes(Vec<u8>),
    JsonIsh(String),
    Json(Value),
    /// The valid body, unchanged.
    Valid,
    /// Structural edits of the valid body (re-serialised).
    EditedJson(Vec<(usize, JsonEdit)>),
    /// Byte edits of the valid body's exact bytes.
    EditedBytes(Vec<ByteEdit>),
    /// Over the 64 KiB limit.
    Oversized(usize),
}

fn body_gen() -> impl Strategy<Value = BodyGen> {
    prop_oneof![
        3 => vec(any::<u8>(), 0..512).prop_map(BodyGen::Bytes),
        3 => json_ish().prop_map(BodyGen::JsonIsh),
        3 => prop_oneof![json_value(), interaction_like()].prop_map(BodyGen::Json),
        3 => Just(BodyGen::Valid),
        4 => vec((any::<usize>(), json_edit()), 1..4).prop_map(BodyGen::EditedJson),
        4 => vec(byte_edit(), 1..4).prop_map(BodyGen::EditedBytes),
        1 => (1usize..2048).prop_map(BodyGen::Oversized),
    ]
}

fn make_body(gen: &BodyGen, valid: &SignedRequest) -> Vec<u8> {
    match gen {
        BodyGen::Bytes(b) => b.clone(),
        BodyGen::JsonIsh(s) => s.clone().into_bytes(),
        BodyGen::Json(v) => serde_json::to_vec(v).unwrap(),
        BodyGen::Valid => valid.body.clone(),
        BodyGen::EditedJson(edits) => {
            let base: Value = serde_json::from_slice(&valid.body).unwrap();
            serde_json::to_vec(&apply_json_edits(&base, edits)).unwrap()
        }
        BodyGen::EditedBytes(edits) => apply_byte_edits(&valid.body, edits),
        BodyGen::Oversized(extra) => {
            let mut body = valid.body.clone();
            body.pop();
            body.extend_from_slice(br#","padding":""#);
            body.resize(MAX_BODY + extra, b'x');
            body.extend_from_slice(br#""}"#);
            body
        }
    }
}

/// How the timestamp header is made (`now` = the server clock).
#[derive(Debug, Clone)]
enum TsGen {
    Missing,
    /// The valid request's timestamp string.
    Valid,
    /// `now + offset` in decimal.
    Offset(i64),
    /// Any decimal `i64` (huge, negative, `i64::MIN`…).
    Any(i64),
    /// Number-like text: signs, leading zeros, fractions, exponents, hex.
    NumberLike(String),
    /// Any header bytes, non-ASCII included.
    Raw(Vec<u8>),
}

fn ts_gen() -> impl Strategy<Value = TsGen> {
    prop_oneof![
        1 => Just(TsGen::Missing),
        4 => Just(TsGen::Valid),
        2 => (-MAX_SKEW..=MAX_SKEW).prop_map(TsGen::Offset),
        3 => prop_oneof![
            (-10_000_000i64..-MAX_SKEW),
            (MAX_SKEW + 1..10_000_000i64),
            Just(-MAX_SKEW - 1),
            Just(MAX_SKEW + 1),
        ]
        .prop_map(TsGen::Offset),
        2 => prop_oneof![
            any::<i64>(),
            Just(i64::MIN),
            Just(i64::MAX),
            Just(i64::MIN + 1),
            Just(0),
            Just(-1),
        ]
        .prop_map(TsGen::Any),
        2 => prop_oneof![
            "[+-]?0*[0-9]{1,40}",
            "[0-9]{1,12}\\.[0-9]{0,4}",
            "[0-9]e[0-9]{1,3}",
            "0x[0-9a-f]{1,16}",
            "[0-9]{3,10}[a-z ]{1,3}[0-9]{0,3}",
            "١٧٩٥٠٠٠٠٠٠",
        ]
        .prop_map(TsGen::NumberLike),
        2 => header_bytes(48).prop_map(TsGen::Raw),
    ]
}

fn make_ts(gen: &TsGen, now: i64, valid: &SignedRequest) -> Option<Vec<u8>> {
    Some(match gen {
        TsGen::Missing => return None,
        TsGen::Valid => valid.timestamp.clone().into_bytes(),
        TsGen::Offset(o) => (now + o).to_string().into_bytes(),
        TsGen::Any(n) => n.to_string().into_bytes(),
        TsGen::NumberLike(s) => s.clone().into_bytes(),
        TsGen::Raw(b) => b.clone(),
    })
}

/// How the signature header is made.
#[derive(Debug, Clone)]
enum SigGen {
    Missing,
    /// Random hex of any length and case.
    Hex(String),
    /// Any header bytes.
    Raw(Vec<u8>),
    /// The valid request's signature (right for the valid body and timestamp only).
    Valid,
    /// The right key over the timestamp and body actually sent.
    Proper,
    /// `Proper` with one hex digit changed.
    ProperFlipped(usize, u8),
    /// `Proper` cut short.
    ProperTruncated(usize),
    /// `Proper` with more characters after it.
    ProperExtended(String),
    /// The right key over the body but another timestamp.
    ProperOtherTs(i64),
    /// Another key over the timestamp and body sent.
    OtherKey,
}

fn sig_gen() -> impl Strategy<Value = SigGen> {
    prop_oneof![
        1 => Just(SigGen::Missing),
        2 => "[0-9a-fA-F]{0,260}".prop_map(SigGen::Hex),
        1 => "[0-9a-f]{128}".prop_map(SigGen::Hex),
        2 => header_bytes(200).prop_map(SigGen::Raw),
        4 => Just(SigGen::Valid),
        4 => Just(SigGen::Proper),
        3 => (0usize..128, 0u8..15).prop_map(|(i, d)| SigGen::ProperFlipped(i, d)),
        1 => (0usize..128).prop_map(SigGen::ProperTruncated),
        1 => "[0-9a-fA-F ]{1,8}".prop_map(SigGen::ProperExtended),
        1 => prop_oneof![(-600i64..600), any::<i64>()].prop_map(SigGen::ProperOtherTs),
        2 => Just(SigGen::OtherKey),
    ]
}

/// Changes the hex digit at `index` to another one (`delta` + 1 steps on).
fn flip_hex(signature: &str, index: usize, delta: u8) -> String {
    const DIGITS: &[u8] = b"0123456789abcdef";
    let mut bytes = signature.as_bytes().to_vec();
    if bytes.is_empty() {
        return "0".into();
    }
    let at = index % bytes.len();
    let current = DIGITS
        .iter()
        .position(|d| *d == bytes[at].to_ascii_lowercase())
        .unwrap_or(0);
    bytes[at] = DIGITS[(current + 1 + usize::from(delta % 15)) % 16];
    String::from_utf8(bytes).unwrap()
}

fn make_sig(
    gen: &SigGen,
    key: &DevKeypair,
    other: &DevKeypair,
    now: i64,
    ts: Option<&[u8]>,
    body: &[u8],
    valid: &SignedRequest,
) -> Option<Vec<u8>> {
    // Signing needs the timestamp as text; non-UTF-8 ones get a lossy copy,
    // which is simply another wrong signature.
    let ts_text = ts
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .unwrap_or_else(|| now.to_string());
    let proper = || key.sign(&ts_text, body);
    Some(
        match gen {
            SigGen::Missing => return None,
            SigGen::Hex(h) => h.clone(),
            SigGen::Raw(b) => return Some(b.clone()),
            SigGen::Valid => valid.signature.clone(),
            SigGen::Proper => proper(),
            SigGen::ProperFlipped(i, d) => flip_hex(&proper(), *i, *d),
            SigGen::ProperTruncated(n) => proper()[..*n].to_string(),
            SigGen::ProperExtended(s) => proper() + s,
            SigGen::ProperOtherTs(o) => key.sign(&now.saturating_add(*o).to_string(), body),
            SigGen::OtherKey => other.sign(&ts_text, body),
        }
        .into_bytes(),
    )
}

// ------------------------------------------------------------- properties ---

#[test]
fn unsigned_requests_never_reach_a_handler() {
    let rt = runtime();
    let app = rt
        .block_on(TestApp::spawn(Db::Sqlite))
        .expect("SQLite is always available");
    rt.block_on(seed_player(&app, "uid-fuzz-1", "alice"));
    let now = app.clock.now().timestamp();
    let verifying = app.key.verifying_key();
    let other = DevKeypair::from_seed([9; 32]);
    let valid = app.sign(&exclude_add("alice"));
    assert!(properly_signed(
        &verifying,
        now,
        Some(valid.signature.as_bytes()),
        Some(valid.timestamp.as_bytes()),
        &valid.body
    ));

    let tally = Tally::default();
    let started = Instant::now();
    let deadline = deadline();
    let result = runner().run(&(body_gen(), ts_gen(), sig_gen()), |(body, ts, sig)| {
        if deadline.is_some_and(|d| Instant::now() > d) {
            tally.skipped.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let body = make_body(&body, &valid);
        let ts = ows_trimmed(make_ts(&ts, now, &valid));
        let mut sig = ows_trimmed(make_sig(
            &sig,
            &app.key,
            &other,
            now,
            ts.as_deref(),
            &body,
            &valid,
        ));
        // The generators can produce a correctly signed request (say the
        // valid one untouched); break its signature so this property only
        // ever sends unsigned requests.
        if properly_signed(&verifying, now, sig.as_deref(), ts.as_deref(), &body) {
            let text = String::from_utf8(sig.take().unwrap()).unwrap();
            sig = Some(flip_hex(&text, body.len(), 0).into_bytes());
            prop_assert!(!properly_signed(
                &verifying,
                now,
                sig.as_deref(),
                ts.as_deref(),
                &body
            ));
        }
        let oversized = body.len() > MAX_BODY;
        let (status, reply) = rt
            .block_on(post(&app, body, sig.as_deref(), ts.as_deref()))
            .map_err(TestCaseError::fail)?;
        tally.status(status);
        let expected = if oversized { 413 } else { 401 };
        prop_assert_eq!(
            status,
            expected,
            "reply {}",
            String::from_utf8_lossy(&reply)
        );
        let writes = rt.block_on(app.count(WRITES));
        prop_assert_eq!(writes, 0, "an unsigned request wrote to the database");
        Ok(())
    });
    tally.print("unsigned_requests_never_reach_a_handler", started);
    if let Err(e) = result {
        panic!("{e}");
    }

    // The harness can see a handler run: the valid request takes effect.
    let (status, reply) = rt
        .block_on(post(
            &app,
            valid.body.clone(),
            Some(valid.signature.as_bytes()),
            Some(valid.timestamp.as_bytes()),
        ))
        .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
    assert_eq!(
        rt.block_on(app.count("SELECT COUNT(*) FROM exclusions")),
        1,
        "the correctly signed /exclude add must take effect"
    );
}

/// Valid bodies of several kinds, to mutate.
fn valid_bodies() -> Vec<Value> {
    let s = |v: &str| OptionValue::String(v.into());
    [
        SynthInteraction::ping(),
        SynthInteraction::command("mywager", &[("username", s("alice"))]),
        SynthInteraction::command("monthtomonth", &[("months", OptionValue::Integer(3))]),
        exclude_add("alice"),
        SynthInteraction::command(
            "tipuser",
            &[
                ("username", s("alice")),
                ("amount", OptionValue::Number(1.5)),
            ],
        )
        .by(Caller::ManageServer),
        SynthInteraction::autocomplete("gamestats", ("game_identifier", s("prag")), &[]),
        SynthInteraction::button("clear_tips:confirm:2026-11").by(Caller::ManageServer),
    ]
    .iter()
    .map(SynthInteraction::to_json)
    .collect()
}

#[derive(Debug, Clone)]
enum SignedBody {
    Bytes(Vec<u8>),
    JsonIsh(String),
    Json(Value),
    Edited(usize, Vec<(usize, JsonEdit)>),
}

fn signed_body() -> impl Strategy<Value = SignedBody> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..256).prop_map(SignedBody::Bytes),
        1 => json_ish().prop_map(SignedBody::JsonIsh),
        2 => prop_oneof![json_value(), interaction_like()].prop_map(SignedBody::Json),
        5 => (any::<usize>(), vec((any::<usize>(), json_edit()), 0..4))
            .prop_map(|(base, edits)| SignedBody::Edited(base, edits)),
    ]
}

#[test]
fn signed_garbage_gets_400_or_a_valid_reply() {
    let rt = runtime();
    let app = rt
        .block_on(TestApp::spawn(Db::Sqlite))
        .expect("SQLite is always available");
    rt.block_on(seed_player(&app, "uid-fuzz-1", "alice"));
    let bases = valid_bodies();
    let now = app.clock.now();

    let tally = Tally::default();
    let started = Instant::now();
    let deadline = deadline();
    let result = runner().run(&signed_body(), |gen| {
        if deadline.is_some_and(|d| Instant::now() > d) {
            tally.skipped.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let body = match &gen {
            SignedBody::Bytes(b) => b.clone(),
            SignedBody::JsonIsh(s) => s.clone().into_bytes(),
            SignedBody::Json(v) => serde_json::to_vec(v).unwrap(),
            SignedBody::Edited(base, edits) => {
                let mut value = apply_json_edits(&bases[base % bases.len()], edits);
                // A fresh id, so replay protection does not answer instead.
                if let Some(object) = value.as_object_mut() {
                    if object.get("id").is_some_and(Value::is_string) {
                        object.insert("id".into(), Value::from(fresh_snowflake()));
                    }
                }
                serde_json::to_vec(&value).unwrap()
            }
        };
        let timestamp = now.timestamp().to_string();
        let signature = app.key.sign(&timestamp, &body);
        let (status, reply) = rt
            .block_on(post(
                &app,
                body.clone(),
                Some(signature.as_bytes()),
                Some(timestamp.as_bytes()),
            ))
            .map_err(TestCaseError::fail)?;
        tally.status(status);
        let shown = String::from_utf8_lossy(&reply);
        match status {
            400 => {}
            200 => prop_assert!(
                valid_response(&reply),
                "200 without a valid interaction response: {}",
                shown
            ),
            other => prop_assert!(
                false,
                "a correctly signed body got {} ({}) for {}",
                other,
                shown,
                String::from_utf8_lossy(&body)
            ),
        }
        Ok(())
    });
    tally.print("signed_garbage_gets_400_or_a_valid_reply", started);
    if let Err(e) = result {
        panic!("{e}");
    }
}

fn fresh_snowflake() -> String {
    static N: AtomicU64 = AtomicU64::new(1);
    (1_300_000_000_000_000_000u64 + N.fetch_add(1, Ordering::Relaxed)).to_string()
}
