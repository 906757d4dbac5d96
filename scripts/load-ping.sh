#!/usr/bin/env bash
# Load test of a running fts-assistant with signed Discord PING interactions.
#
# Usage:
#   scripts/load-ping.sh [base_url] [duration]
#       base_url  default http://127.0.0.1:8080
#       duration  wrk duration, default 20s (a bare number means seconds)
#   scripts/load-ping.sh --sign-only
#       only print the signed request (JSON: body, timestamp, signature, public_key)
#
# The server must run with DISCORD_PUBLIC_KEY=dev, so that it trusts the local
# dev keypair, e.g.:
#   DISCORD_PUBLIC_KEY=dev fts-assistant serve
# The keypair file is $FTS_DEV_KEYPAIR, else ./.dev-keypair (the server creates
# it on first use; run this script from the server's working folder).
#
# Environment: THREADS (default 2), CONNECTIONS (default 32).
#
# The request is signed once; Discord-style timestamps are accepted for
# 5 minutes, which is plenty for the default 20 s run.
set -euo pipefail

sign_only=0
if [[ "${1:-}" == "--sign-only" ]]; then
    sign_only=1
    shift
fi
base_url="${1:-http://127.0.0.1:8080}"
base_url="${base_url%/}"
duration="${2:-20s}"
[[ "$duration" =~ ^[0-9]+$ ]] && duration="${duration}s"
case "$duration" in
    *[0-9]m) secs=$(( ${duration%m} * 60 )) ;;
    *[0-9]h) secs=$(( ${duration%h} * 3600 )) ;;
    *[0-9]s) secs=${duration%s} ;;
    *) secs=0 ;;
esac
if (( secs > 280 )); then
    printf 'load-ping: warning: the signed timestamp expires after 5 minutes; requests late in a %s run will be rejected\n' "$duration" >&2
fi
threads="${THREADS:-2}"
connections="${CONNECTIONS:-32}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'load-ping: error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# ---- keypair -------------------------------------------------------------------
keypair="${FTS_DEV_KEYPAIR:-.dev-keypair}"
if [[ ! -f "$keypair" && -z "${FTS_DEV_KEYPAIR:-}" ]]; then
    repo_keypair="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.dev-keypair"
    [[ -f "$repo_keypair" ]] && keypair="$repo_keypair"
fi
[[ -f "$keypair" ]] || die "dev keypair file '$keypair' not found.
  Start the server once with DISCORD_PUBLIC_KEY=dev (it creates ./.dev-keypair),
  or point FTS_DEV_KEYPAIR at the file."

# ---- python3 + cryptography ------------------------------------------------------
command -v python3 >/dev/null 2>&1 || die "python3 is required to sign the request"
if ! python3 -c 'import cryptography' >/dev/null 2>&1; then
    log "installing the Python 'cryptography' package"
    if is_root; then
        python3 -m pip install --quiet cryptography >&2 ||
            python3 -m pip install --quiet --break-system-packages cryptography >&2 || true
    else
        python3 -m pip install --quiet --user cryptography >&2 ||
            python3 -m pip install --quiet --user --break-system-packages cryptography >&2 || true
    fi
    python3 -c 'import cryptography' >/dev/null 2>&1 ||
        die "could not install the Python 'cryptography' package (pip install cryptography)"
fi

# ---- sign one PING -----------------------------------------------------------------
body='{"type":1,"id":"1","application_id":"1","token":"t","version":1}'

# Prints JSON {body, timestamp, signature, public_key}. Signature = hex of the
# Ed25519 signature of timestamp + body, as Discord does.
sign_ping() {
    python3 - "$keypair" "$body" <<'PY'
import json, sys, time
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

path, body = sys.argv[1], sys.argv[2]
text = open(path, encoding="ascii").read().strip()
try:
    seed = bytes.fromhex(text)
except ValueError:
    seed = b""
if len(seed) != 32:
    sys.exit(f"{path}: expected 64 hex characters (a 32-byte Ed25519 seed)")
key = Ed25519PrivateKey.from_private_bytes(seed)
timestamp = str(int(time.time()))
signature = key.sign((timestamp + body).encode())
public = key.public_key()
public.verify(signature, (timestamp + body).encode())  # self-check
print(json.dumps({
    "body": body,
    "timestamp": timestamp,
    "signature": signature.hex(),
    "public_key": public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex(),
}))
PY
}

signed=$(sign_ping) || die "signing failed"
if [[ $sign_only -eq 1 ]]; then
    printf '%s\n' "$signed"
    exit 0
fi
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$signed" "$1"; }
timestamp=$(field timestamp)
signature=$(field signature)
public_key=$(field public_key)
log "signed PING with $keypair (public key $public_key, timestamp $timestamp)"

# ---- wrk -----------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
        log "installing wrk"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; } ||
            die "could not install wrk"
    else
        die "wrk is not installed (Debian/Ubuntu: sudo apt-get install wrk)"
    fi
fi

workdir=$(mktemp -d)
trap 'rm -rf -- "$workdir"' EXIT

# ---- sanity check: one request -----------------------------------------------------------
if command -v curl >/dev/null 2>&1; then
    status=$(curl -sS -o "$workdir/check" -w '%{http_code}' -X POST "$base_url/interactions" \
        -H 'Content-Type: application/json' \
        -H "X-Signature-Ed25519: $signature" \
        -H "X-Signature-Timestamp: $timestamp" \
        --data-binary "$body") || die "cannot reach $base_url (is the server running?)"
    reply=$(head -c 300 "$workdir/check" 2>/dev/null || true)
    rm -f "$workdir/check"
    if [[ "$status" != 200 ]]; then
        die "POST $base_url/interactions answered $status: $reply
  (401: the server does not use this keypair: start it with DISCORD_PUBLIC_KEY=dev
   in the folder holding $keypair; 503: DISCORD_PUBLIC_KEY is not set)"
    fi
    log "sanity check: POST /interactions -> $status $reply"
fi

cat >"$workdir/ping.lua" <<LUA
wrk.method = "POST"
wrk.body = [==[$body]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Signature-Ed25519"] = "$signature"
wrk.headers["X-Signature-Timestamp"] = "$timestamp"
LUA

log "wrk -t$threads -c$connections -d$duration --latency POST $base_url/interactions (signed PING)"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$workdir/ping.lua" "$base_url/interactions"

echo
log "wrk -t$threads -c$connections -d$duration --latency GET $base_url/healthz"
wrk -t"$threads" -c"$connections" -d"$duration" --latency "$base_url/healthz"
