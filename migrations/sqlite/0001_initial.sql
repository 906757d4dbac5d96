-- The whole product's schema. Money is integer cents, times are Unix
-- milliseconds, ids are text: the same queries run on SQLite and PostgreSQL.

-- Every referred player ever seen, for username -> uid resolution.
CREATE TABLE players (
    uid            TEXT PRIMARY KEY,
    username       TEXT NOT NULL,
    username_lower TEXT NOT NULL,
    first_seen_ms  BIGINT NOT NULL,
    last_seen_ms   BIGINT NOT NULL
);
CREATE INDEX players_by_username ON players (username_lower, last_seen_ms);

-- One row per successful or failed poll cycle.
CREATE TABLE poll_cycles (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    started_ms    BIGINT NOT NULL,
    finished_ms   BIGINT,
    outcome       TEXT NOT NULL,
    players_seen  BIGINT,
    detail        TEXT
);

-- The latest figures of each player in each period ('month' / 'week').
CREATE TABLE player_snapshots (
    period_kind          TEXT NOT NULL,
    period_key           TEXT NOT NULL,
    uid                  TEXT NOT NULL,
    username             TEXT NOT NULL,
    wagered_cents        BIGINT NOT NULL,
    weighted_cents       BIGINT NOT NULL,
    best_multiplier_x100 BIGINT,
    best_bet_cents       BIGINT,
    best_payout_cents    BIGINT,
    best_game_id         TEXT,
    best_game_title      TEXT,
    favorite_game_id     TEXT,
    favorite_game_title  TEXT,
    figure_reached_ms    BIGINT NOT NULL,
    updated_ms           BIGINT NOT NULL,
    PRIMARY KEY (period_kind, period_key, uid)
);

-- Open or frozen state of each period.
CREATE TABLE periods (
    period_kind   TEXT NOT NULL,
    period_key    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'final')),
    finalized_ms  BIGINT,
    PRIMARY KEY (period_kind, period_key)
);

-- Final standings of closed periods (history).
CREATE TABLE final_standings (
    period_kind          TEXT NOT NULL,
    period_key           TEXT NOT NULL,
    rank                 BIGINT NOT NULL,
    uid                  TEXT NOT NULL,
    username             TEXT NOT NULL,
    wagered_cents        BIGINT NOT NULL,
    weighted_cents       BIGINT NOT NULL,
    best_multiplier_x100 BIGINT,
    best_bet_cents       BIGINT,
    best_payout_cents    BIGINT,
    best_game_id         TEXT,
    best_game_title      TEXT,
    prize_cents          BIGINT NOT NULL,
    PRIMARY KEY (period_kind, period_key, rank)
);

-- Community totals per month, kept after the month closes (month-to-month).
CREATE TABLE monthly_totals (
    month            TEXT PRIMARY KEY,
    wagered_cents    BIGINT NOT NULL,
    weighted_cents   BIGINT NOT NULL,
    players          BIGINT NOT NULL,
    is_final         BIGINT NOT NULL DEFAULT 0,
    updated_ms       BIGINT NOT NULL
);

-- The payouts ledger: one row per payout, written before any tip is sent.
CREATE TABLE payouts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key  TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('milestone', 'challenge', 'leaderboard', 'multiplier', 'manual')),
    uid              TEXT NOT NULL,
    username         TEXT NOT NULL,
    amount_cents     BIGINT NOT NULL CHECK (amount_cents > 0),
    nonce            TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'awaiting_approval', 'sending', 'sent', 'failed', 'unknown')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    priority         BIGINT NOT NULL DEFAULT 0,
    period_key       TEXT,
    tier             BIGINT,
    requested_by     TEXT,
    reason           TEXT,
    error            TEXT,
    dry_run          BIGINT NOT NULL DEFAULT 0,
    created_ms       BIGINT NOT NULL,
    updated_ms       BIGINT NOT NULL,
    sent_ms          BIGINT,
    announced_ms     BIGINT
);
CREATE INDEX payouts_queue ON payouts (status, priority, id);
CREATE INDEX payouts_by_kind ON payouts (kind, status, sent_ms);

-- Milestone tiers reached per month (what /clear_tips resets).
CREATE TABLE milestone_awards (
    month        TEXT NOT NULL,
    uid          TEXT NOT NULL,
    tier         BIGINT NOT NULL,
    awarded_ms   BIGINT NOT NULL,
    payout_key   TEXT NOT NULL,
    PRIMARY KEY (month, uid, tier)
);

-- Slot challenges, active and archived.
CREATE TABLE challenges (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    game_id              TEXT NOT NULL,
    game_name            TEXT NOT NULL,
    required_x100        BIGINT NOT NULL,
    prize_cents          BIGINT NOT NULL,
    min_bet_cents        BIGINT,
    emoji                TEXT,
    status               TEXT NOT NULL CHECK (status IN ('active', 'won', 'cancelled')),
    created_by           TEXT,
    created_by_name      TEXT,
    start_ms             BIGINT NOT NULL,
    ended_ms             BIGINT,
    winner_uid           TEXT,
    winner_username      TEXT,
    winner_x100          BIGINT,
    winner_bet_cents     BIGINT,
    winner_payout_cents  BIGINT
);
CREATE UNIQUE INDEX challenges_one_active_per_game ON challenges (game_id) WHERE status = 'active';

-- Players left out of boards, milestones, challenges and automatic tips.
CREATE TABLE exclusions (
    uid        TEXT PRIMARY KEY,
    username   TEXT NOT NULL,
    reason     TEXT,
    added_by   TEXT,
    added_ms   BIGINT NOT NULL
);

-- Community goals announced, once per month and goal.
CREATE TABLE goal_announcements (
    month         TEXT NOT NULL,
    goal_cents    BIGINT NOT NULL,
    announced_ms  BIGINT NOT NULL,
    PRIMARY KEY (month, goal_cents)
);

-- Games seen in the affiliate data (autocomplete).
CREATE TABLE games (
    game_id       TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    last_seen_ms  BIGINT NOT NULL
);

-- Small named values: channel message ids, last poll, ...
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_ms  BIGINT NOT NULL
);

-- State-changing interactions already applied, with the reply they got.
CREATE TABLE processed_interactions (
    interaction_id  TEXT PRIMARY KEY,
    command         TEXT NOT NULL,
    user_id         TEXT,
    response_json   TEXT,
    received_ms     BIGINT NOT NULL,
    completed_ms    BIGINT
);

-- Who changed what, for every admin action.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms           BIGINT NOT NULL,
    actor_id        TEXT,
    actor_name      TEXT,
    action          TEXT NOT NULL,
    detail          TEXT NOT NULL,
    interaction_id  TEXT
);
