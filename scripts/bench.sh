#!/usr/bin/env bash
# Load benchmark of the release binary on loopback, while poll cycles run.
#
# Builds `cargo build --release` (and the `loadgen` example), starts `fts-assistant demo` (the whole
# product against its in-process simulated casino, dev-signed interactions,
# tips dry-run) in a temp folder on a free loopback port with a poll every
# POLL_INTERVAL_SECS (default 5) seconds, waits until it is ready and has
# published a board, then measures with wrk (-t1 -c32 --latency):
#   - POST /interactions, signed PING
#   - the same signed PING again, from 127.0.0.1, while a slowloris flood
#     (the `loadgen` example's --slowloris mode: BENCH_SLOWLORIS, default
#     600, TCP connections bound to BENCH_SLOWLORIS_FROM, default 127.0.0.2,
#     each trickling a request head that never ends, one byte every 2 s, and
#     reconnecting when dropped) runs against the server with its default
#     per-client cap (MAX_CONNECTIONS_PER_CLIENT=32) and header timeout
#     (HTTP_HEADER_TIMEOUT_SECS=10); prints the p99 beside the quiet one
#   - POST /interactions, signed /lifetimestats (a read command; the same
#     signed request is replayed, which changes nothing)
#   - GET /api/leaderboard
#   - GET /
#   - GET /api/tips and GET /allTimeTips.json, with BENCH_TIPS (default
#     100,000) confirmed payouts to 5,000 players recorded in the ledger
#     before the server starts
# and then the `loadgen` example: 1,000 freshly signed interactions of the
# default command mix (p50/p90/p99 per command). The server's RSS is sampled
# all along. Prints the machine and a markdown table; exits non-zero when a
# measurement failed (non-2xx answers, socket errors, loadgen failures).
#
# Usage: scripts/bench.sh
# Environment:
#   BENCH_DURATION      wrk duration per route (default 15s; a bare number = seconds)
#   BENCH_THREADS       wrk threads (default 1: on a 2-core machine a second wrk
#                       thread fights the server's two workers for the same
#                       cores and the p99 then measures the scheduler's time
#                       slices; set 2 to see that)
#   BENCH_CONNECTIONS   wrk connections (default 32)
#   BENCH_REQUESTS      loadgen requests (default 1000)
#   BENCH_CONCURRENCY   loadgen concurrency (default 16)
#   BENCH_SSE_CLIENTS   concurrent /api/events clients for the live-events
#                       measurement (default 1000; scripts/bench_sse.py)
#   POLL_INTERVAL_SECS  poll interval of the demo server (default 5)
#   BENCH_TIPS          confirmed payouts in the ledger for the tips routes (default 100000)
#   BENCH_NO_BUILD=1    use the existing release binary and loadgen example
#   BENCH_KEEP=1        keep the temp folder (server log, wrk output)
#   BENCH_WAIT_SECS     how long to wait for each start-up step (default 300)
#   BENCH_ONLY=slowloris  only the quiet and the under-slowloris PING
#                       (no other route, loadgen or SSE measurement)
#   BENCH_SLOWLORIS     slowloris connections (default 600)
#   BENCH_SLOWLORIS_FROM  their source address (default 127.0.0.2)
#   CARGO_TARGET_DIR    where cargo puts the binary (default ./target)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${BENCH_DURATION:-15s}"
[[ "$duration" =~ ^[0-9]+$ ]] && duration="${duration}s"
threads="${BENCH_THREADS:-1}"
connections="${BENCH_CONNECTIONS:-32}"
requests="${BENCH_REQUESTS:-1000}"
concurrency="${BENCH_CONCURRENCY:-16}"
poll_interval="${POLL_INTERVAL_SECS:-5}"
tips_ledger="${BENCH_TIPS:-100000}"
only="${BENCH_ONLY:-}"
slowloris_conns="${BENCH_SLOWLORIS:-600}"
slowloris_from="${BENCH_SLOWLORIS_FROM:-127.0.0.2}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
bin="$target_dir/release/fts-assistant"
loadgen_bin="$target_dir/release/examples/loadgen"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
[[ -z "$only" || "$only" == slowloris ]] || die "BENCH_ONLY=$only: only 'slowloris' is known"

# ---- tools -------------------------------------------------------------------
install_pkg() {
    local pkg=$1
    command -v "$pkg" >/dev/null 2>&1 && return 0
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing $pkg"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y "$pkg" >&2 || { apt-get update >&2 && apt-get install -y "$pkg" >&2; } ||
            die "could not install $pkg"
    else
        die "$pkg is not installed (Debian/Ubuntu: sudo apt-get install $pkg)"
    fi
}
install_pkg wrk
install_pkg jq
install_pkg curl
install_pkg sqlite3

# ---- build -------------------------------------------------------------------
if [[ "${BENCH_NO_BUILD:-0}" != 1 ]]; then
    log "cargo build --release"
    (cd "$repo" && cargo build --release --quiet --bin fts-assistant --example loadgen)
fi
[[ -x "$bin" ]] || die "no release binary at $bin"
[[ -x "$loadgen_bin" ]] || die "no loadgen example at $loadgen_bin (cargo build --release --example loadgen)"

# ---- server ------------------------------------------------------------------
work=$(mktemp -d)
# Run a private copy: a rebuild in the shared target dir during the
# measurement must not swap the binary under us.
cp "$bin" "$work/fts-assistant"
bin="$work/fts-assistant"
cp "$loadgen_bin" "$work/loadgen"
loadgen_bin="$work/loadgen"
server_pid=""
sampler_pid=""
flood_pid=""
cleanup() {
    local code=$?
    [[ -n "$sampler_pid" ]] && kill "$sampler_pid" 2>/dev/null || true
    [[ -n "$flood_pid" ]] && kill "$flood_pid" 2>/dev/null || true
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    if [[ "${BENCH_KEEP:-0}" == 1 || $code -ne 0 ]]; then
        log "kept $work (server.log, wrk-*.txt)"
    else
        rm -rf -- "$work"
    fi
    exit "$code"
}
trap cleanup EXIT INT TERM

# A clean environment: nothing from the caller's shell (a real DISCORD_TOKEN,
# DATABASE_URL, …) leaks into the demo.
server_env=(
    env -i PATH="$PATH" HOME="${HOME:-/root}"
    BIND_ADDR=127.0.0.1:0
    DATABASE_URL="sqlite://$work/fts-demo.db?mode=rwc"
    DISCORD_PUBLIC_KEY=dev
    FTS_DEV_KEYPAIR="$work/.dev-keypair"
    POLL_INTERVAL_SECS="$poll_interval"
    # The community's spacing, not the demo's one tip a second: each sent tip
    # rebuilds the tips documents (≈1.3 s of CPU with a 100k-payout ledger).
    TIP_INTERVAL_SECS="${TIP_INTERVAL_SECS:-30}"
    STATIC_DIR="$repo/static"
    LOG_FORMAT=json
    METRICS_TOKEN=bench-metrics-token-0123456789abcdef
    HTTP_MAX_CONNECTIONS=$(( ${BENCH_SSE_CLIENTS:-1000} + 200 ))
    SSE_MAX_STREAMS="${BENCH_SSE_CLIENTS:-1000}"
    RUST_LOG="warn,fts_assistant::cli::serve=info,fts_assistant::jobs::history=info"
)
# A ledger of confirmed payouts (years of a busy community) for the tips
# documents: migrate the fresh database, then record them in one statement.
(cd "$work" && "${server_env[@]}" "$bin" migrate >"$work/migrate.log" 2>&1) ||
    die "migrate failed: $(tail -5 "$work/migrate.log")"
sqlite3 "$work/fts-demo.db" "INSERT INTO payouts (idempotency_key, kind, uid, username,
    amount_cents, nonce, status, priority, dry_run, created_ms, updated_ms, sent_ms)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $tips_ledger)
    SELECT 'manual:bench:' || i, 'manual', 'bench-uid-' || (i % 5000), 'player' || (i % 5000),
    100 + i % 900, 'bench-nonce-' || i, 'sent', 0, 0, 1760000000000 + i * 1000,
    1760000000000 + i * 1000, 1760000000000 + i * 1000 FROM n;" ||
    die "could not record the bench payouts"
log "ledger: $tips_ledger confirmed payouts recorded"
log "starting fts-assistant demo in $work (poll every ${poll_interval}s)"
(cd "$work" && exec "${server_env[@]}" "$bin" demo >"$work/server.log" 2>&1) &
server_pid=$!

addr=""
for _ in $(seq 300); do
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$work/server.log" >&2; die "the server exited"; }
    addr=$(grep -o '"addr":"127\.0\.0\.1:[0-9]*"' "$work/server.log" | head -1 | cut -d'"' -f4 || true)
    [[ -n "$addr" ]] && break
    sleep 0.1
done
[[ -n "$addr" ]] || die "the server did not report its address (see $work/server.log)"
base="http://$addr"
log "server pid $server_pid at $base"

wait_for() { # description, command…
    local what=$1; shift
    # The demo's first cycles pay a year of back tiers TIP_INTERVAL_SECS
    # apart before the history backfill starts: minutes, not seconds.
    for _ in $(seq $(( ${BENCH_WAIT_SECS:-300} * 10 ))); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        kill -0 "$server_pid" 2>/dev/null || die "the server exited while waiting for $what"
        sleep 0.1
    done
    die "timed out waiting for $what"
}
wait_for "/healthz" curl -fsS "$base/healthz"
wait_for "/readyz (a first successful poll)" curl -fsS "$base/readyz"
board_has_entries() { curl -fsS "$base/api/leaderboard" | jq -e '.entries | length > 0'; }
wait_for "a published leaderboard" board_has_entries
# A fresh database fetches 12 months of history once, in the background,
# after the first cycle: a one-off startup job, not the steady state measured.
history_done() { grep -q 'month history backfill done' "$work/server.log"; }
# BENCH_ONLY=slowloris compares two PING figures taken back to back, so it
# does not wait for the backfill (the demo pays a year of tiers first).
[[ "$only" == slowloris ]] || wait_for "the startup history backfill" history_done
log "ready: $(curl -fsS "$base/api/leaderboard" | jq '.entries | length') board entries"

# ---- RSS sampler -----------------------------------------------------------------
(
    while kill -0 "$server_pid" 2>/dev/null; do
        ps -o rss= -p "$server_pid" 2>/dev/null | tr -d ' ' >>"$work/rss.txt" || true
        sleep 0.25
    done
) &
sampler_pid=$!

poll_cycles() { # "all ok": poll cycles so far, from /metrics
    curl -fsS -H 'Authorization: Bearer bench-metrics-token-0123456789abcdef' "$base/metrics" |
        awk '/^fts_poll_cycles_total/ { a += $NF; if (/"ok"/) s += $NF } END { print a + 0, s + 0 }'
}
read -r cycles_before ok_before < <(poll_cycles)

loadgen() { (cd "$work" && FTS_DEV_KEYPAIR="$work/.dev-keypair" "$loadgen_bin" --url "$base" "$@"); }

# ---- wrk ---------------------------------------------------------------------
rows=()
failed=0
to_ms() { # wrk latency (123.45us, 1.23ms, 1.02s, 2.00m) -> milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}

# run_wrk NAME METHOD PATH [signed-item [row note]]; sets wrk_p99
wrk_p99=""
run_wrk() {
    local name=$1 method=$2 path=$3 item=${4:-} note=${5:-}
    local script="$work/wrk-$name.lua" out="$work/wrk-$name.txt"
    : >"$script"
    if [[ -n "$item" ]]; then
        local signed body ts sig status
        signed=$(loadgen --print-signed "$item") || die "loadgen --print-signed $item failed"
        body=$(jq -r .body <<<"$signed")
        ts=$(jq -r .timestamp <<<"$signed")
        sig=$(jq -r .signature <<<"$signed")
        status=$(curl -sS -o "$work/check.json" -w '%{http_code}' -X POST "$base$path" \
            -H 'Content-Type: application/json' -H "X-Signature-Ed25519: $sig" \
            -H "X-Signature-Timestamp: $ts" --data-binary "$body")
        [[ "$status" == 200 ]] || die "signed $item answered $status: $(head -c 300 "$work/check.json")"
        cat >"$script" <<LUA
wrk.method = "POST"
wrk.body = [==[$body]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Signature-Ed25519"] = "$sig"
wrk.headers["X-Signature-Timestamp"] = "$ts"
LUA
    else
        curl -fsS -o /dev/null "$base$path" || die "GET $path failed"
        printf 'wrk.method = "%s"\n' "$method" >"$script"
    fi
    log "wrk -t$threads -c$connections -d$duration --latency $method $path${item:+ (signed $item)}"
    wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$script" "$base$path" >"$out" 2>&1 ||
        die "wrk failed: $(cat "$out")"
    local rps p50 p90 p99 non2xx errors
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    p90=$(to_ms "$(awk '$1 == "90%" { print $2 }' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    errors=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
    non2xx=${non2xx:-0}
    errors=${errors:-0}
    [[ "$non2xx" == 0 && "$errors" == 0 ]] || failed=1
    rows+=("| $method $path${item:+ ($item)}${note:+, $note} | $rps | $p50 | $p90 | $p99 | $non2xx | $errors |")
    wrk_p99=$p99
    sed 's/^/    /' "$out" >&2
}

run_wrk ping POST /interactions ping
ping_quiet_p99=$wrk_p99

# ---- PING under a slowloris flood from another address (issue 22) ----------
# wrk connects from 127.0.0.1; the flood's sockets bind $slowloris_from. The
# flood starts a few seconds before wrk (its connects are spread over 2 s and
# the first header timeouts then recycle them) and stops by itself a few
# seconds after wrk's duration.
wrk_secs=$(awk -v d="$duration" 'BEGIN {
    n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
    if (u == "m") n *= 60; else if (u == "h") n *= 3600; else if (u == "ms") n /= 1000
    printf "%d", n + 0.999 }')
flood_warmup=4
flood_secs=$((wrk_secs + flood_warmup + 5))
flood_out="$work/slowloris.txt"
log "slowloris: $slowloris_conns connections from $slowloris_from for ${flood_secs}s"
loadgen --slowloris "$slowloris_conns" --slowloris-from "$slowloris_from" \
    --slowloris-secs "$flood_secs" >"$flood_out" 2>&1 &
flood_pid=$!
sleep "$flood_warmup"
kill -0 "$flood_pid" 2>/dev/null || { cat "$flood_out" >&2; die "the slowloris flood exited early"; }
run_wrk ping-slowloris POST /interactions ping "under $slowloris_conns-conn slowloris from $slowloris_from"
ping_flood_p99=$wrk_p99
if ! wait "$flood_pid"; then
    failed=1
fi
flood_pid=""
sed 's/^/    /' "$flood_out" >&2
slowloris_line="ping p99 quiet $ping_quiet_p99 ms · under $slowloris_conns-conn slowloris from $slowloris_from $ping_flood_p99 ms"
log "$slowloris_line"

if [[ -z "$only" ]]; then
    run_wrk lifetimestats POST /interactions lifetimestats
    run_wrk api-leaderboard GET /api/leaderboard
    run_wrk home GET /
    run_wrk api-tips GET /api/tips
    run_wrk all-time-tips GET /allTimeTips.json

    # ---- loadgen -------------------------------------------------------------
    log "loadgen: $requests mixed signed interactions, concurrency $concurrency"
    loadgen_out="$work/loadgen.txt"
    if ! loadgen --requests "$requests" --concurrency "$concurrency" >"$loadgen_out" 2>&1; then
        failed=1
    fi

    # ---- live events (issue 16) -----------------------------------------------
    sse_clients="${BENCH_SSE_CLIENTS:-1000}"
    sse_out="$work/sse.txt"
    log "SSE: $sse_clients concurrent /api/events clients, one update (the next poll cycle)"
    if ! python3 "$repo/scripts/bench_sse.py" --url "$base" --clients "$sse_clients" \
        --server-pid "$server_pid" >"$sse_out" 2>&1; then
        failed=1
    fi
fi
read -r cycles_after ok_after < <(poll_cycles)

kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
peak_kb=$(sort -n "$work/rss.txt" | tail -1)
last_kb=$(tail -1 "$work/rss.txt")

# ---- report ------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem_gb=$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
echo
echo "## fts-assistant load benchmark ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "Machine: $(nproc) CPUs ($cpu), ${mem_gb} GB RAM, $(uname -sr); load tool on the same machine."
echo "Server: release build, \`fts-assistant demo\` (SQLite, simulated casino), poll every ${poll_interval}s:" \
    "$((cycles_after - cycles_before)) poll cycles ($((ok_after - ok_before)) ok) ran during the measurements."
echo "wrk: -t$threads -c$connections -d$duration --latency, keep-alive; signed requests replay one signature."
echo
echo "| route | req/s | p50 ms | p90 ms | p99 ms | non-2xx | socket errors |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "$slowloris_line"
echo
echo "Slowloris flood (\`loadgen --slowloris $slowloris_conns --slowloris-from $slowloris_from\`;" \
    "server defaults MAX_CONNECTIONS_PER_CLIENT=32, HTTP_HEADER_TIMEOUT_SECS=10):"
echo
cat "$flood_out"
if [[ -z "$only" ]]; then
    echo
    echo "Mixed signed interactions (\`cargo run --release --example loadgen -- --requests $requests --concurrency $concurrency\`," \
        "each freshly signed with a new interaction id):"
    echo
    cat "$loadgen_out"
    echo
    echo "Live events (\`scripts/bench_sse.py\`, raw HTTP/1.0 SSE clients on the same machine):"
    echo
    cat "$sse_out"
fi
echo
echo "Server RSS: peak $((peak_kb / 1024)) MB, at the end $((last_kb / 1024)) MB" \
    "($(wc -l <"$work/rss.txt") samples every 0.25 s)."
if [[ $failed -ne 0 ]]; then
    die "some requests failed (see the table; wrk output and server.log in $work)"
fi
