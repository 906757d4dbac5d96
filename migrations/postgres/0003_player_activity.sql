-- What some affiliate answers carry beyond the documented contract, kept
-- only for the seed-shaped export (`allWagerData.json`). NULL when the
-- answer left a figure out, so the export omits it instead of printing 0.
ALTER TABLE player_snapshots ADD COLUMN sessions BIGINT;
ALTER TABLE player_snapshots ADD COLUMN weighted_sessions BIGINT;
ALTER TABLE player_snapshots ADD COLUMN payout_cents BIGINT;
ALTER TABLE player_snapshots ADD COLUMN net_cents BIGINT;
