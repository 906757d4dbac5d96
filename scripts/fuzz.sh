#!/usr/bin/env bash
# Bounded fuzz run of POST /interactions (tests/it/endpoint_fuzz.rs): proptest
# over real HTTP against the real app on SQLite. Unsigned or mis-signed
# requests must get 401 (413 over 64 KiB) and never write anything; correctly
# signed garbage must get 400 or a valid 200 reply; no request may kill its
# connection (a handler panic). Exits non-zero when any property breaks,
# printing the minimal failing input.
#
# Usage: scripts/fuzz.sh
# Environment:
#   PROPTEST_CASES   cases per property (default 20000)
#   FUZZ_SECONDS     wall-time bound per property (default 300); cases past
#                    it are skipped and reported as such
#   CARGO_TARGET_DIR as for cargo
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PROPTEST_CASES="${PROPTEST_CASES:-20000}"
export FUZZ_SECONDS="${FUZZ_SECONDS:-300}"

printf '==> endpoint fuzz: %s cases per property, at most %s s each\n' \
    "$PROPTEST_CASES" "$FUZZ_SECONDS" >&2
cd "$repo"
log=$(mktemp)
trap 'rm -f -- "$log"' EXIT
set +e
cargo test --quiet --test it endpoint_fuzz:: -- --nocapture --test-threads 1 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo
# (the test harness may print progress dots on the same line)
grep -o 'endpoint_fuzz [a-z0-9_]*: .*' "$log" >"$log.lines" || true
cat "$log.lines"
awk '{ n += $3 } END { printf "total: %d executions\n", n }' "$log.lines"
rm -f -- "$log.lines"
if [[ $status -ne 0 ]]; then
    printf 'fuzz: FAILED (exit %s): see the minimal failing input above\n' "$status" >&2
fi
exit "$status"
