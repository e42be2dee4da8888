-- Foundation schema. Later migrations live beside this file as NNNN_name.sql and are applied
-- once each, in file-name order (0001-0099 foundation, 0100-0199 curation, 0200-0299 links,
-- 0300-0399 review, 0400-0499 watch).

CREATE TABLE scans (
    id            INTEGER PRIMARY KEY,
    started_at    REAL NOT NULL,
    finished_at   REAL,
    notes         INTEGER,
    invalid       INTEGER,
    files_read    INTEGER
);

-- What the last scan saw of each note, so a rescan of an unchanged file reads nothing.
CREATE TABLE scan_cache (
    path              TEXT PRIMARY KEY,   -- relative, POSIX, NFC
    mtime_ns          INTEGER NOT NULL,
    size              INTEGER NOT NULL,
    hash              TEXT NOT NULL,      -- sha256 of the bytes
    status            TEXT NOT NULL,      -- ok | invalid
    error             TEXT,
    frontmatter_json  TEXT NOT NULL,      -- JSON of the parsed frontmatter (non-JSON values as str)
    tags_json         TEXT NOT NULL,
    inline_tags_json  TEXT NOT NULL,
    description       TEXT,
    scan_id           INTEGER
);

-- One curation (or links) job; its path<->index map lives in requests and never changes.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL DEFAULT 'curate',   -- curate | links
    engine        TEXT NOT NULL,                    -- anthropic | local
    mode          TEXT NOT NULL,                    -- sync | realtime | batch | local
    model         TEXT,
    status        TEXT NOT NULL,                    -- planned | running | interrupted | done | failed | canceled
    options_json  TEXT NOT NULL DEFAULT '{}',
    created_at    REAL NOT NULL,
    updated_at    REAL NOT NULL,
    finished_at   REAL
);

-- One Message Batch (or the record of a chunk being submitted, before its id is known).
CREATE TABLE batches (
    id              INTEGER PRIMARY KEY,
    job_id          INTEGER NOT NULL REFERENCES jobs(id),
    chunk_no        INTEGER NOT NULL,
    attempt         INTEGER NOT NULL DEFAULT 0,      -- 0 first pass, 1.. retries
    batch_id        TEXT UNIQUE,                     -- the API's msgbatch_... id, set on create
    state           TEXT NOT NULL,                   -- submitting | in_progress | canceling | ended | fetched | lost
    request_count   INTEGER NOT NULL,
    fingerprint     TEXT NOT NULL,                   -- sha256 of the sorted custom_ids
    counts_json     TEXT NOT NULL DEFAULT '{}',
    submitted_at    REAL NOT NULL,
    created_at      REAL,
    ended_at        REAL
);

-- The job's global map: custom_id -> (note index, path, base hash). Written before any submit.
CREATE TABLE requests (
    job_id          INTEGER NOT NULL REFERENCES jobs(id),
    custom_id       TEXT NOT NULL,
    note_index      INTEGER NOT NULL,
    path            TEXT NOT NULL,
    base_hash       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'planned', -- planned | submitted | succeeded | failed | canceled
    attempts        INTEGER NOT NULL DEFAULT 0,
    batch_row       INTEGER REFERENCES batches(id),
    error_type      TEXT,
    error           TEXT,
    input_tokens            INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens   INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens       INTEGER NOT NULL DEFAULT 0,
    output_tokens           INTEGER NOT NULL DEFAULT 0,
    via_batch               INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, custom_id),
    UNIQUE (job_id, note_index)
);

-- A proposed frontmatter change for one note, awaiting review.
CREATE TABLE proposals (
    id                INTEGER PRIMARY KEY,
    job_id            INTEGER REFERENCES jobs(id),
    path              TEXT NOT NULL,
    note_index        INTEGER NOT NULL,
    base_hash         TEXT NOT NULL,      -- hash of the file the proposal was built from
    engine            TEXT NOT NULL,      -- anthropic | local | edit
    model             TEXT,
    old_tags_json     TEXT,
    new_tags_json     TEXT,               -- NULL: tags not part of this proposal
    old_description   TEXT,
    new_description   TEXT,               -- NULL: description not part of this proposal
    has_description   INTEGER NOT NULL DEFAULT 0,
    old_related_json  TEXT,
    new_related_json  TEXT,               -- NULL: related links not part of this proposal
    state             TEXT NOT NULL DEFAULT 'pending', -- pending | approved | rejected | conflict | applied | failed | superseded
    error             TEXT,
    apply_run_id      INTEGER,
    created_at        REAL NOT NULL,
    updated_at        REAL NOT NULL
);
CREATE INDEX proposals_state ON proposals(state);
CREATE INDEX proposals_path ON proposals(path);

-- Every write to a note, so it can be undone byte for byte.
CREATE TABLE apply_runs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL DEFAULT 'apply',    -- apply | undo
    started_at    REAL NOT NULL,
    finished_at   REAL,
    undone_by     INTEGER REFERENCES apply_runs(id),
    summary_json  TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE journal (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES apply_runs(id),
    path          TEXT NOT NULL,
    prev_bytes    BLOB,                             -- NULL when the file did not exist
    prev_hash     TEXT,
    new_hash      TEXT NOT NULL,
    proposal_id   INTEGER REFERENCES proposals(id),
    written_at    REAL NOT NULL,
    undone_at     REAL
);
CREATE INDEX journal_run ON journal(run_id);
