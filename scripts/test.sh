#!/usr/bin/env bash
# The test command: `bash scripts/test.sh [extra cargo test args...]`
#
# Runs the whole suite (unit, integration, bench and example targets) against
# both SQLite and PostgreSQL. Unless TEST_POSTGRES_URL is already set, a
# throwaway PostgreSQL 15 cluster is started for the run (scripts/pg-throwaway.sh)
# and removed afterwards; each test creates its own database on that server.
#
# Environment:
#   TEST_POSTGRES_URL   use this server instead of a throwaway one (the role
#                       must be allowed to CREATE DATABASE)
#   CARGO_TARGET_DIR    default: $HOME/.cache/fts-assistant-target
#   FTS_REQUIRE_CHROMIUM=1  make the browser tests fail instead of skipping
#                       when /usr/bin/chromium is missing
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fts-assistant-target}"

if [[ -z "${TEST_POSTGRES_URL:-}" ]]; then
    echo "==> test.sh: TEST_POSTGRES_URL is not set; starting a throwaway PostgreSQL cluster"
    exec bash "$repo_root/scripts/pg-throwaway.sh" bash "$repo_root/scripts/test.sh" "$@"
fi

# With a server available, tests must not silently skip their PostgreSQL half.
export FTS_REQUIRE_POSTGRES=1

# Hide any password when echoing the URL.
shown_url=$(printf '%s' "$TEST_POSTGRES_URL" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#')
echo "==> test.sh: PostgreSQL: $shown_url (FTS_REQUIRE_POSTGRES=1)"
echo "==> test.sh: CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
echo "==> test.sh: cargo test --all-targets --locked $*"
set +e
cargo test --all-targets --locked "$@"
status=$?
set -e
if [[ $status -eq 0 ]]; then
    echo "==> test.sh: all tests passed"
else
    echo "==> test.sh: cargo test failed (exit $status)" >&2
fi
exit "$status"
