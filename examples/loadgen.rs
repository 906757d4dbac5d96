//! `loadgen`: a load generator for signed interactions, kept out of the
//! product binary (`cargo run --release --example loadgen -- --help`). Every request is a fresh interaction (new id, current
//! timestamp) signed with the local dev keypair, sent over keep-alive
//! connections by `--concurrency` workers; every answer must be a `200` with
//! a valid interaction response. Prints per-command latency percentiles and
//! the overall throughput, and fails if any request failed.
//!
//! `--print-signed CMD` prints one signed request as JSON
//! (`{body, timestamp, signature}`) so shell tools such as wrk can replay it.
//!
//! `--slowloris N` is a slow-client flood instead (scripts/bench.sh, issue
//! 22): `N` TCP connections bound to `--slowloris-from` (default
//! `127.0.0.2`; Linux routes all of 127.0.0.0/8 to loopback) each send an
//! endless request head one byte every `--slowloris-interval-ms`, and
//! reconnect after `--slowloris-reconnect-ms` when the server drops them,
//! until `--slowloris-secs` have passed; then it prints what the server did
//! with them (closed at once = over the per-client cap, closed later = the
//! header timeout) and exits.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use clap::Parser;

use fts_assistant::cli::interact::{self, As};
use fts_assistant::discord::commands::definitions::is_admin_command;
use fts_assistant::discord::dev_keys::{dev_keypair_path, DevKeypair};
use fts_assistant::discord::synth::SynthInteraction;

/// The default mix: the commands members and admins use most.
pub const DEFAULT_MIX: &str =
    "ping,mywager,monthlygoal,lifetimestats,challenge_results,exclude-list,status";

/// Options of the `loadgen` example.
#[derive(Debug, Clone, Parser)]
#[command(
    about = "Load a running server with fresh signed interactions (a mix of \
             commands) and print latency percentiles per command"
)]
pub struct LoadgenArgs {
    /// Base URL of the running server (started with `DISCORD_PUBLIC_KEY=dev`).
    #[arg(long, default_value = "http://localhost:8080")]
    pub url: String,
    /// How many interactions to send in all.
    #[arg(long, default_value_t = 1000)]
    pub requests: usize,
    /// How many requests are in flight at once (one connection each).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Comma-separated commands, sent round-robin. An item is `ping`,
    /// `exclude-list` (`/exclude action:list`), or a command with options
    /// separated by spaces (`monthtomonth months:3`).
    #[arg(long, default_value = DEFAULT_MIX)]
    pub mix: String,
    /// Who is calling: member, admin or role:<id>. Default: admin for admin
    /// commands, member for the rest.
    #[arg(long = "as")]
    pub caller: Option<As>,
    /// The name `/mywager` looks up (an unknown name runs the same path).
    #[arg(long, default_value = "alice")]
    pub username: String,
    /// Print one signed request for this item (e.g. `ping`,
    /// `lifetimestats`) as JSON `{body, timestamp, signature}` and exit.
    #[arg(long, value_name = "ITEM")]
    pub print_signed: Option<String>,
    /// Slowloris flood instead of interactions: hold this many connections
    /// from `--slowloris-from`, each sending a request head that never ends.
    #[arg(long, value_name = "CONNECTIONS")]
    pub slowloris: Option<usize>,
    /// Source address the flood's sockets bind to.
    #[arg(long, default_value = "127.0.0.2")]
    pub slowloris_from: IpAddr,
    /// How long the flood lasts, in seconds (1 to 300); it stops by itself.
    #[arg(long, default_value_t = 30)]
    pub slowloris_secs: u64,
    /// Milliseconds between two bytes of a connection's request head.
    #[arg(long, default_value_t = 2000)]
    pub slowloris_interval_ms: u64,
    /// Milliseconds a dropped (or refused) connection waits before it
    /// connects again.
    #[arg(long, default_value_t = 250)]
    pub slowloris_reconnect_ms: u64,
}

/// One item of the mix: a label for the table and how to build a fresh
/// interaction for it.
#[derive(Debug, Clone)]
struct MixItem {
    label: String,
    command: String,
    options: Vec<String>,
    caller: As,
}

impl MixItem {
    fn parse(item: &str, args: &LoadgenArgs) -> anyhow::Result<Self> {
        let item = item.trim();
        let mut words = item.split_whitespace();
        let head = words
            .next()
            .ok_or_else(|| anyhow!("empty item in --mix"))?
            .trim_start_matches('/');
        let mut options: Vec<String> = words.map(str::to_string).collect();
        let command = match head {
            "exclude-list" => {
                options.push("action:list".into());
                "exclude".to_string()
            }
            "mywager" if !options.iter().any(|o| o.starts_with("username:")) => {
                options.push(format!("username:{}", args.username));
                "mywager".to_string()
            }
            other => other.to_string(),
        };
        let caller = args
            .caller
            .clone()
            .unwrap_or(if is_admin_command(&command) {
                As::Admin
            } else {
                As::Member
            });
        let parsed = Self {
            label: item.trim_start_matches('/').to_string(),
            command,
            options,
            caller,
        };
        parsed
            .build()
            .with_context(|| format!("--mix item {item:?}"))?;
        Ok(parsed)
    }

    fn build(&self) -> anyhow::Result<SynthInteraction> {
        interact::build(&self.command, &self.options, &self.caller)
    }

    fn is_ping(&self) -> bool {
        self.command == "ping"
    }
}

/// The mix as given on the command line.
fn parse_mix(args: &LoadgenArgs) -> anyhow::Result<Vec<MixItem>> {
    let items = args
        .mix
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|item| MixItem::parse(item, args))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if items.is_empty() {
        bail!("--mix names no command");
    }
    Ok(items)
}

/// The outcome of one request.
struct Sample {
    item: usize,
    latency: Duration,
    error: Option<String>,
}

/// Runs `loadgen`; an error when a request failed or nothing could be sent.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = dotenvy::dotenv();
    let args = LoadgenArgs::parse();
    if let Some(connections) = args.slowloris {
        return slowloris(&args, connections).await;
    }
    let key = load_key()?;
    if let Some(item) = &args.print_signed {
        let item = MixItem::parse(item, &args)?;
        let signed = item.build()?.signed(&key, chrono::Utc::now().timestamp());
        let json = serde_json::json!({
            "body": String::from_utf8(signed.body).context("body is UTF-8")?,
            "timestamp": signed.timestamp,
            "signature": signed.signature,
        });
        println!("{json}");
        return Ok(());
    }
    let mix = Arc::new(parse_mix(&args)?);
    let concurrency = args.concurrency.clamp(1, 4096);
    let endpoint = format!("{}/interactions", args.url.trim_end_matches('/'));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()?;

    let next = Arc::new(AtomicUsize::new(0));
    let total = args.requests;
    let started = Instant::now();
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.min(total.max(1)) {
        let (mix, next, http, key, endpoint) = (
            mix.clone(),
            next.clone(),
            http.clone(),
            key.clone(),
            endpoint.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                let index = n % mix.len();
                samples.push(one_request(&http, &endpoint, &key, &mix[index], index).await);
            }
            samples
        }));
    }
    let mut samples = Vec::with_capacity(total);
    for worker in workers {
        samples.extend(worker.await.context("a loadgen worker panicked")?);
    }
    let elapsed = started.elapsed();
    report(&mix, &samples, elapsed, concurrency, &endpoint)
}

/// What the slowloris connections saw, shared by their tasks.
#[derive(Default)]
struct FloodStats {
    connects: AtomicUsize,
    connect_errors: AtomicUsize,
    open: AtomicUsize,
    peak_open: AtomicUsize,
    /// Dropped by the server within a second of the connect: the
    /// per-client cap's "accepted and closed at once".
    closed_at_once: AtomicUsize,
    /// Dropped later: the header timeout.
    closed_later: AtomicUsize,
    longest_held_ms: AtomicU64,
    /// Connections on which the server wrote something (e.g. a 408).
    answered: AtomicUsize,
    bytes_sent: AtomicUsize,
}

/// The endless request head a slowloris connection trickles out.
fn slowloris_byte(target: SocketAddr, n: usize) -> u8 {
    let head = format!(
        "POST /interactions HTTP/1.1\r\nHost: {target}\r\nContent-Type: application/json\r\nX-Slowloris: "
    );
    head.as_bytes().get(n).copied().unwrap_or(b'a')
}

/// `--slowloris N`: runs the flood for `--slowloris-secs`, prints a summary.
async fn slowloris(args: &LoadgenArgs, connections: usize) -> anyhow::Result<()> {
    let url = url::Url::parse(&args.url).with_context(|| format!("--url {:?}", args.url))?;
    let host = url.host_str().context("--url has no host")?;
    let port = url.port_or_known_default().context("--url has no port")?;
    let target = tokio::net::lookup_host((host, port))
        .await?
        .find(|a| a.is_ipv4() == args.slowloris_from.is_ipv4())
        .with_context(|| format!("{host} has no address of the family of --slowloris-from"))?;
    let connections = connections.clamp(1, 10_000);
    let secs = args.slowloris_secs.clamp(1, 300);
    let interval = Duration::from_millis(args.slowloris_interval_ms.max(10));
    let reconnect = Duration::from_millis(args.slowloris_reconnect_ms.max(1));
    let from = args.slowloris_from;
    let started = tokio::time::Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let stats = Arc::new(FloodStats::default());
    let mut tasks = Vec::with_capacity(connections);
    for id in 0..connections {
        let stats = stats.clone();
        // Spread the first connects (and the byte ticks) over one interval.
        let stagger = interval.mul_f64(id as f64 / connections as f64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(stagger).await;
            while tokio::time::Instant::now() < deadline {
                if !slowloris_connection(target, from, interval, deadline, &stats).await {
                    stats.connect_errors.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep_until(deadline.min(tokio::time::Instant::now() + reconnect))
                    .await;
            }
        }));
    }
    for task in tasks {
        task.await.context("a slowloris task panicked")?;
    }
    let get = |a: &AtomicUsize| a.load(Ordering::Relaxed);
    println!(
        "slowloris: {connections} connections from {from} to {target} for {secs} s \
         (a byte every {} ms, reconnect after {} ms): {} connects, {} connect errors, \
         peak {} open at once, {} closed by the server within 1 s (per-client cap), \
         {} closed later (longest held {:.1} s), {} answered, {} bytes sent",
        interval.as_millis(),
        reconnect.as_millis(),
        get(&stats.connects),
        get(&stats.connect_errors),
        get(&stats.peak_open),
        get(&stats.closed_at_once),
        get(&stats.closed_later),
        stats.longest_held_ms.load(Ordering::Relaxed) as f64 / 1000.0,
        get(&stats.answered),
        get(&stats.bytes_sent),
    );
    if get(&stats.connects) == 0 {
        bail!("no slowloris connection could be made to {target} from {from}");
    }
    Ok(())
}

/// One slowloris connection, until the server drops it or the deadline;
/// `false` when it could not connect.
async fn slowloris_connection(
    target: SocketAddr,
    from: IpAddr,
    interval: Duration,
    deadline: tokio::time::Instant,
    stats: &FloodStats,
) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let socket = match from {
        IpAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
        IpAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
    };
    let Ok(socket) = socket else { return false };
    if socket.bind(SocketAddr::new(from, 0)).is_err() {
        return false;
    }
    let mut stream = match tokio::time::timeout_at(deadline, socket.connect(target)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(_)) => return false,
        Err(_) => return true, // the flood is over
    };
    let _ = stream.set_nodelay(true);
    stats.connects.fetch_add(1, Ordering::Relaxed);
    let open = stats.open.fetch_add(1, Ordering::Relaxed) + 1;
    stats.peak_open.fetch_max(open, Ordering::Relaxed);
    let opened = Instant::now();
    let (mut rd, mut wr) = stream.split();
    let mut buf = [0u8; 1024];
    let mut sent = 0usize;
    let mut answered = false;
    let mut tick = tokio::time::interval(interval);
    let dropped = loop {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => break false,
            read = rd.read(&mut buf) => match read {
                Ok(0) | Err(_) => break true,
                Ok(_) => answered = true,
            },
            _ = tick.tick() => {
                if wr.write_all(&[slowloris_byte(target, sent)]).await.is_err() {
                    break true;
                }
                sent += 1;
                stats.bytes_sent.fetch_add(1, Ordering::Relaxed);
            }
        }
    };
    stats.open.fetch_sub(1, Ordering::Relaxed);
    if answered {
        stats.answered.fetch_add(1, Ordering::Relaxed);
    }
    if dropped {
        let held = opened.elapsed();
        if held < Duration::from_secs(1) {
            stats.closed_at_once.fetch_add(1, Ordering::Relaxed);
        } else {
            stats.closed_later.fetch_add(1, Ordering::Relaxed);
        }
        stats
            .longest_held_ms
            .fetch_max(held.as_millis() as u64, Ordering::Relaxed);
    }
    true
}

fn load_key() -> anyhow::Result<DevKeypair> {
    let path = dev_keypair_path();
    if !path.exists() {
        bail!(
            "dev keypair {} not found: run loadgen in the server's working folder \
             (the server creates it with DISCORD_PUBLIC_KEY=dev) or set FTS_DEV_KEYPAIR",
            path.display()
        );
    }
    Ok(DevKeypair::load_or_create(&path)?)
}

async fn one_request(
    http: &reqwest::Client,
    endpoint: &str,
    key: &DevKeypair,
    item: &MixItem,
    index: usize,
) -> Sample {
    // Building and signing is the client's work: keep it out of the latency.
    let signed = match item.build() {
        Ok(interaction) => interaction.signed(key, chrono::Utc::now().timestamp()),
        Err(e) => {
            return Sample {
                item: index,
                latency: Duration::ZERO,
                error: Some(e.to_string()),
            }
        }
    };
    let sent = Instant::now();
    let result = async {
        let response = http
            .post(endpoint)
            .header("content-type", "application/json")
            .header("x-signature-ed25519", &signed.signature)
            .header("x-signature-timestamp", &signed.timestamp)
            .body(signed.body)
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("reading the reply: {e}"))?;
        Ok::<_, String>((status, bytes))
    }
    .await;
    let latency = sent.elapsed();
    let error = match result {
        Err(e) => Some(e),
        Ok((status, bytes)) => check_reply(item, status, &bytes).err(),
    };
    Sample {
        item: index,
        latency,
        error,
    }
}

/// A reply passes when it is a 200 whose JSON `type` is an interaction
/// response type that fits the request (PONG for a PING, a message or a
/// defer for a command).
fn check_reply(item: &MixItem, status: reqwest::StatusCode, body: &[u8]) -> Result<(), String> {
    let snippet = || String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
    if status != reqwest::StatusCode::OK {
        return Err(format!("HTTP {status}: {}", snippet()));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("reply is not JSON ({e}): {}", snippet()))?;
    let kind = value["type"]
        .as_u64()
        .ok_or_else(|| format!("reply has no type: {}", snippet()))?;
    let valid = if item.is_ping() {
        kind == 1
    } else {
        // CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_CHANNEL_MESSAGE, MODAL.
        matches!(kind, 4 | 5 | 9)
    };
    if valid {
        Ok(())
    } else {
        Err(format!("unexpected response type {kind}: {}", snippet()))
    }
}

/// The value at `q` (0..=1) of sorted `values` (nearest rank).
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn report(
    mix: &[MixItem],
    samples: &[Sample],
    elapsed: Duration,
    concurrency: usize,
    endpoint: &str,
) -> anyhow::Result<()> {
    let mut by_item: BTreeMap<usize, Vec<&Sample>> = BTreeMap::new();
    for sample in samples {
        by_item.entry(sample.item).or_default().push(sample);
    }
    let rate = samples.len() as f64 / elapsed.as_secs_f64().max(1e-9);
    println!(
        "loadgen: {} signed interactions to {endpoint}, concurrency {concurrency}, {:.2} s, {:.0} req/s",
        samples.len(),
        elapsed.as_secs_f64(),
        rate
    );
    println!();
    println!("| command | count | failed | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let row = |label: &str, group: &[&Sample]| {
        let mut latencies: Vec<Duration> = group.iter().map(|s| s.latency).collect();
        latencies.sort_unstable();
        let failed = group.iter().filter(|s| s.error.is_some()).count();
        println!(
            "| {label} | {} | {failed} | {} | {} | {} | {} |",
            group.len(),
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.90)),
            ms(percentile(&latencies, 0.99)),
            ms(latencies.last().copied().unwrap_or_default()),
        );
    };
    for (index, group) in &by_item {
        row(&mix[*index].label, group);
    }
    let all: Vec<&Sample> = samples.iter().collect();
    row("**all**", &all);
    println!();
    println!("overall: {rate:.0} req/s");

    let failures: Vec<&Sample> = samples.iter().filter(|s| s.error.is_some()).collect();
    if failures.is_empty() {
        if samples.is_empty() {
            bail!("no request was sent (--requests 0)");
        }
        return Ok(());
    }
    let mut reasons: BTreeMap<(String, String), usize> = BTreeMap::new();
    for failure in &failures {
        let reason = failure.error.clone().unwrap_or_default();
        *reasons
            .entry((mix[failure.item].label.clone(), reason))
            .or_default() += 1;
    }
    eprintln!("failures:");
    for ((label, reason), count) in reasons.iter().take(20) {
        eprintln!("  {count} × {label}: {reason}");
    }
    if failures.iter().any(|f| {
        f.error
            .as_deref()
            .is_some_and(|e| e.starts_with("HTTP 401"))
    }) {
        eprintln!(
            "  (401: the server does not trust this dev keypair: start it with \
             DISCORD_PUBLIC_KEY=dev in the folder holding {})",
            dev_keypair_path().display()
        );
    }
    bail!("{} of {} requests failed", failures.len(), samples.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(mix: &str) -> LoadgenArgs {
        LoadgenArgs {
            url: "http://localhost:1".into(),
            requests: 1,
            concurrency: 1,
            mix: mix.into(),
            caller: None,
            username: "bob".into(),
            print_signed: None,
            slowloris: None,
            slowloris_from: "127.0.0.2".parse().unwrap(),
            slowloris_secs: 30,
            slowloris_interval_ms: 2000,
            slowloris_reconnect_ms: 250,
        }
    }

    #[test]
    fn the_default_mix_builds_and_admin_commands_run_as_admin() {
        let mix = parse_mix(&args(DEFAULT_MIX)).unwrap();
        assert_eq!(mix.len(), 7);
        let exclude = mix.iter().find(|m| m.label == "exclude-list").unwrap();
        assert_eq!(exclude.caller, As::Admin);
        let body = exclude.build().unwrap().to_json();
        assert_eq!(body["data"]["name"], "exclude");
        assert_eq!(body["data"]["options"][0]["value"], "list");
        let mywager = mix.iter().find(|m| m.label == "mywager").unwrap();
        assert_eq!(mywager.caller, As::Member);
        let body = mywager.build().unwrap().to_json();
        assert_eq!(body["data"]["options"][0]["value"], "bob");
        // Fresh ids each time.
        assert_ne!(mywager.build().unwrap().id(), mywager.build().unwrap().id());
    }

    #[test]
    fn bad_mixes_are_refused() {
        assert!(parse_mix(&args("nope")).is_err());
        assert!(parse_mix(&args(",,")).is_err());
        assert!(parse_mix(&args("monthtomonth months:many")).is_err());
        assert!(parse_mix(&args("monthtomonth months:3")).is_ok());
    }

    #[test]
    fn the_slowloris_head_never_ends() {
        let target: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let head: Vec<u8> = (0..200).map(|n| slowloris_byte(target, n)).collect();
        let head = String::from_utf8(head).unwrap();
        assert!(head.starts_with("POST /interactions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"));
        assert!(!head.contains("\r\n\r\n"));
        assert!(head.ends_with("aaaa"));
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&values, 0.5), Duration::from_millis(50));
        assert_eq!(percentile(&values, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&values, 1.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn replies_are_checked_for_status_and_type() {
        let mix = parse_mix(&args("ping,status")).unwrap();
        let ok = reqwest::StatusCode::OK;
        assert!(check_reply(&mix[0], ok, br#"{"type":1}"#).is_ok());
        assert!(check_reply(&mix[0], ok, br#"{"type":4}"#).is_err());
        assert!(check_reply(&mix[1], ok, br#"{"type":4,"data":{}}"#).is_ok());
        assert!(check_reply(&mix[1], ok, br#"{"type":1}"#).is_err());
        assert!(check_reply(&mix[1], ok, b"oops").is_err());
        assert!(check_reply(&mix[1], reqwest::StatusCode::UNAUTHORIZED, b"").is_err());
    }
}
