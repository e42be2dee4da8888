-- The journal survives the store: each run's write-ahead records also go to a per-run file
-- beside state.db (fsynced before any note changes); journal_size is how much of it the
-- store holds, so a store that lost its WAL re-imports the rest.
ALTER TABLE apply_runs ADD COLUMN journal_file TEXT;
ALTER TABLE apply_runs ADD COLUMN journal_size INTEGER NOT NULL DEFAULT 0;
-- Undo runs: 0 until every entry of the undone run was tried (an interrupted undo is resumed).
ALTER TABLE apply_runs ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;
ALTER TABLE journal ADD COLUMN seq INTEGER;
-- 0 from the write-ahead record until the note was replaced: such a row is a write that may
-- not have happened (Ctrl-C, crash), and is not counted as written.
ALTER TABLE journal ADD COLUMN landed INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX journal_run_seq ON journal(run_id, seq);
