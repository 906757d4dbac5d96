#!/usr/bin/env bash
# The soak: `bash scripts/soak.sh [DURATION]`
#
# Runs tests/it/soak.rs (ignored by default) in release mode: the real binary
# (`serve`) for DURATION against a fake casino failing ~10% of stats calls and
# stalling ~1% of tips, with a payout stream, a poll every 3 s and mixed read
# load; then checks the ledger invariant, flat memory, no secret in the log and
# no 5xx. Exits non-zero when any of them breaks. Prints a summary.
#
# DURATION: seconds (600), or with a unit: 90s, 2m, 1h. Default: $SOAK_SECS or 600.
#
# Environment:
#   SOAK_DB=sqlite|postgres  database engine (default sqlite). With postgres and
#                            no TEST_POSTGRES_URL, a throwaway PostgreSQL 15
#                            cluster is started (scripts/pg-throwaway.sh).
#   SOAK_RPS                 read load in requests per second (default 200)
#   SOAK_SEED                seed of the fault injection (default random)
#   CARGO_TARGET_DIR         default: $HOME/.cache/fts-assistant-target
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

duration=${1:-${SOAK_SECS:-600}}
[[ "$duration" == -h || "$duration" == --help ]] && usage
if ! [[ "$duration" =~ ^[0-9]+[smh]?$ ]]; then
    echo "soak.sh: bad duration: $duration" >&2
    usage
fi
case "$duration" in
    *h) secs=$(( ${duration%h} * 3600 )) ;;
    *m) secs=$(( ${duration%m} * 60 )) ;;
    *s) secs=${duration%s} ;;
    *) secs=$duration ;;
esac
if ! [[ "$secs" =~ ^[0-9]+$ ]] || (( secs < 20 )); then
    echo "soak.sh: the soak needs at least 20 seconds (got $duration)" >&2
    exit 2
fi
export SOAK_SECS=$secs
export SOAK_DB=${SOAK_DB:-sqlite}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fts-assistant-target}"

case "$SOAK_DB" in
    sqlite) ;;
    postgres)
        if [[ -z "${TEST_POSTGRES_URL:-}" ]]; then
            echo "==> soak.sh: SOAK_DB=postgres and TEST_POSTGRES_URL is not set; starting a throwaway PostgreSQL cluster"
            exec bash "$repo_root/scripts/pg-throwaway.sh" bash "$repo_root/scripts/soak.sh" "$secs"
        fi
        ;;
    *) echo "soak.sh: SOAK_DB must be sqlite or postgres (got $SOAK_DB)" >&2; exit 2 ;;
esac

echo "==> soak.sh: ${SOAK_SECS}s on $SOAK_DB, CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
echo "==> soak.sh: building (release)"
cargo test --release --locked --test it --no-run
echo "==> soak.sh: cargo test --release --test it soak:: -- --ignored --nocapture"
set +e
cargo test --release --locked --test it soak:: -- --ignored --nocapture
status=$?
set -e
if [[ $status -eq 0 ]]; then
    echo "==> soak.sh: PASS"
else
    echo "==> soak.sh: FAIL (exit $status)" >&2
fi
exit "$status"
