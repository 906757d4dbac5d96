-- Payouts gain terminal and holding statuses:
--   cancelled  the player was excluded while the payout waited (never sent)
--   imported   paid by the original bot, imported from its database (history)
--   baselined  a milestone tier reached before this service took over, counted
--              as paid so it is never tipped (no money moved here)
--   held       a milestone reached before the first run, waiting for the
--              operator's choice (import-legacy, baseline or FIRST_RUN_PAYS_EXISTING)
-- SQLite cannot alter a CHECK constraint: the table is rebuilt, same columns.
CREATE TABLE payouts_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key  TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('milestone', 'challenge', 'leaderboard', 'multiplier', 'manual')),
    uid              TEXT NOT NULL,
    username         TEXT NOT NULL,
    amount_cents     BIGINT NOT NULL CHECK (amount_cents > 0),
    nonce            TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN (
        'pending', 'awaiting_approval', 'sending', 'sent', 'failed', 'unknown',
        'cancelled', 'imported', 'baselined', 'held')),
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
INSERT INTO payouts_new SELECT id, idempotency_key, kind, uid, username, amount_cents, nonce,
    status, attempts, priority, period_key, tier, requested_by, reason, error, dry_run,
    created_ms, updated_ms, sent_ms, announced_ms FROM payouts;
DROP TABLE payouts;
ALTER TABLE payouts_new RENAME TO payouts;
CREATE INDEX payouts_queue ON payouts (status, priority, id);
CREATE INDEX payouts_by_kind ON payouts (kind, status, sent_ms);

-- Several active challenges may share one game (e.g. 100x and 500x on one slot).
DROP INDEX challenges_one_active_per_game;
CREATE INDEX challenges_by_status ON challenges (status, game_id);
