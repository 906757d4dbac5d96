#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster on 127.0.0.1, for tests.
#
# Usage:
#   scripts/pg-throwaway.sh CMD [ARGS...]
#       Starts a fresh cluster on a free port, exports
#       TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres,
#       runs CMD, stops the cluster, deletes it and exits with CMD's status.
#   scripts/pg-throwaway.sh
#       Starts a cluster, prints its URL and keeps it running until Ctrl-C.
#   source scripts/pg-throwaway.sh
#       Starts a cluster in the current shell and exports TEST_POSTGRES_URL;
#       it is stopped and deleted when that shell exits (EXIT trap) or when
#       you call `pg_throwaway_stop`.
#
# Authentication is `trust` and the server only listens on loopback and on a
# Unix socket inside its private temporary folder.
#
# When run as root the cluster runs as the `postgres` user (via runuser);
# otherwise it runs as the current user. If the PostgreSQL binaries are
# missing and we are root, `apt-get install -y postgresql-15` is attempted.

_pgtw_log() { printf 'pg-throwaway: %s\n' "$*" >&2; }

# Puts initdb/pg_ctl on PATH, installing PostgreSQL 15 if needed and allowed.
_pgtw_find_binaries() {
    local dir
    for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin /usr/pgsql-15/bin; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            case ":$PATH:" in *":$dir:"*) ;; *) PATH="$dir:$PATH" ;; esac
            export PATH
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        return 0
    fi
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        _pgtw_log "PostgreSQL binaries not found; installing postgresql-15 with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y postgresql-15 >&2; then
            apt-get update >&2 && apt-get install -y postgresql-15 >&2 || true
        fi
        if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
            PATH="/usr/lib/postgresql/15/bin:$PATH"
            export PATH
            return 0
        fi
    fi
    _pgtw_log "error: PostgreSQL server binaries (initdb, pg_ctl) not found."
    _pgtw_log "       Install PostgreSQL 15 (Debian/Ubuntu: apt-get install postgresql-15),"
    _pgtw_log "       or set TEST_POSTGRES_URL to an existing server you may create databases on."
    return 1
}

# Runs a command as the cluster owner, from inside the cluster's folder (the
# owner may not be allowed into the caller's working directory).
_pgtw_as_owner() {
    (
        cd "${_PGTW_DIR:-/}" 2>/dev/null || cd /
        if [[ -z "${_PGTW_OWNER:-}" ]]; then
            "$@"
        elif command -v runuser >/dev/null 2>&1; then
            runuser -u "$_PGTW_OWNER" -- "$@"
        else
            su -s /bin/sh "$_PGTW_OWNER" -c "$(printf '%q ' "$@")"
        fi
    )
}

# Prints a free TCP port on 127.0.0.1.
_pgtw_free_port() {
    local port
    if command -v python3 >/dev/null 2>&1 &&
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null) &&
        [[ -n "$port" ]]; then
        echo "$port"
        return 0
    fi
    local i
    for i in $(seq 1 200); do
        port=$((20000 + RANDOM % 40000))
        if command -v ss >/dev/null 2>&1; then
            ss -Htln "sport = :$port" 2>/dev/null | grep -q . || { echo "$port"; return 0; }
        elif ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    _pgtw_log "error: could not find a free port"
    return 1
}

# Stops the cluster and deletes its folder. Safe to call more than once.
pg_throwaway_stop() {
    local dir="${_PGTW_DIR:-}"
    [[ -n "$dir" ]] || return 0
    _PGTW_DIR=
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        _pgtw_as_owner "$_PGTW_PGCTL" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
            _pgtw_as_owner "$_PGTW_PGCTL" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf -- "$dir"
    _pgtw_log "stopped and removed $dir"
}

# Starts the cluster and exports TEST_POSTGRES_URL.
pg_throwaway_start() {
    if [[ -n "${_PGTW_DIR:-}" ]]; then
        _pgtw_log "a throwaway cluster is already running: $TEST_POSTGRES_URL"
        return 0
    fi
    _pgtw_find_binaries || return 1
    _PGTW_INITDB=$(command -v initdb) && _PGTW_PGCTL=$(command -v pg_ctl) || return 1

    _PGTW_OWNER=
    if [[ $(id -u) -eq 0 ]]; then
        # initdb refuses to run as root.
        if ! id postgres >/dev/null 2>&1; then
            _pgtw_log "creating system user postgres"
            useradd --system --user-group --no-create-home --shell /bin/sh postgres >&2 || return 1
        fi
        if command -v runuser >/dev/null 2>&1 || command -v su >/dev/null 2>&1; then
            _PGTW_OWNER=postgres
        fi
    fi

    # A short path under /tmp: the postgres user must be able to reach it and
    # Unix socket paths are limited to ~107 bytes.
    local tmp_base=/tmp
    [[ -z "$_PGTW_OWNER" && -n "${TMPDIR:-}" ]] && tmp_base="$TMPDIR"
    _PGTW_DIR=$(mktemp -d "$tmp_base/fts-pg.XXXXXX") || return 1
    if [[ -n "$_PGTW_OWNER" ]]; then
        chown "$_PGTW_OWNER" "$_PGTW_DIR" || { pg_throwaway_stop; return 1; }
    fi

    if ! _pgtw_as_owner "$_PGTW_INITDB" -D "$_PGTW_DIR/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$_PGTW_DIR/initdb.log" 2>&1; then
        _pgtw_log "error: initdb failed:"
        cat "$_PGTW_DIR/initdb.log" >&2
        pg_throwaway_stop
        return 1
    fi

    # The port is picked before the server binds it, so retry on a collision.
    local attempt port
    for attempt in 1 2 3 4 5; do
        port=$(_pgtw_free_port) || { pg_throwaway_stop; return 1; }
        if _pgtw_as_owner "$_PGTW_PGCTL" -D "$_PGTW_DIR/data" \
            -o "-p $port -k $_PGTW_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
            -l "$_PGTW_DIR/log" -w -t 60 start >/dev/null 2>&1; then
            export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
            _PGTW_PORT=$port
            _pgtw_log "PostgreSQL $("$(dirname "$_PGTW_PGCTL")/postgres" --version 2>/dev/null | awk '{print $3}') running at $TEST_POSTGRES_URL (data in $_PGTW_DIR)"
            return 0
        fi
        _pgtw_log "start on port $port failed (attempt $attempt)"
    done
    _pgtw_log "error: could not start PostgreSQL; server log:"
    tail -n 40 "$_PGTW_DIR/log" >&2 2>/dev/null || true
    pg_throwaway_stop
    return 1
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    # Sourced: start in the caller's shell and clean up when it exits.
    if pg_throwaway_start; then
        if [[ -n "$(trap -p EXIT)" ]]; then
            _pgtw_log "warning: replacing the shell's existing EXIT trap"
        fi
        trap 'pg_throwaway_stop' EXIT
    else
        return 1
    fi
    return 0
fi

# Executed.
set -uo pipefail
trap 'pg_throwaway_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

pg_throwaway_start || exit 1

if [[ $# -eq 0 ]]; then
    echo "TEST_POSTGRES_URL=$TEST_POSTGRES_URL"
    _pgtw_log "no command given; press Ctrl-C to stop"
    trap 'kill "${_pgtw_sleep:-}" 2>/dev/null; exit 130' INT
    trap 'kill "${_pgtw_sleep:-}" 2>/dev/null; exit 143' TERM
    while :; do
        sleep 3600 &
        _pgtw_sleep=$!
        wait "$_pgtw_sleep"
    done
fi

# Not exec: the EXIT trap has to run after the command finishes.
"$@"
status=$?
exit "$status"
