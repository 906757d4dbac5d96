-- Payouts gain terminal and holding statuses:
--   cancelled  the player was excluded while the payout waited (never sent)
--   imported   paid by the original bot, imported from its database (history)
--   baselined  a milestone tier reached before this service took over, counted
--              as paid so it is never tipped (no money moved here)
--   held       a milestone reached before the first run, waiting for the
--              operator's choice (import-legacy, baseline or FIRST_RUN_PAYS_EXISTING)
ALTER TABLE payouts DROP CONSTRAINT payouts_status_check;
ALTER TABLE payouts ADD CONSTRAINT payouts_status_check CHECK (status IN (
    'pending', 'awaiting_approval', 'sending', 'sent', 'failed', 'unknown',
    'cancelled', 'imported', 'baselined', 'held'));

-- Several active challenges may share one game (e.g. 100x and 500x on one slot).
DROP INDEX challenges_one_active_per_game;
CREATE INDEX challenges_by_status ON challenges (status, game_id);
