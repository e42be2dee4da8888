-- Issue 10: why a proposal removes an author's tag, and the vault's versioned taxonomy plans.

-- {"removed tag": "reason"} for the tags a proposal takes off a note (NULL: none).
ALTER TABLE proposals ADD COLUMN tag_reasons_json TEXT;

-- One row per plan built; ``version`` counts up per vault. A plan is a draft until approved;
-- applying it turns the approved renames into per-note tag proposals (one apply run).
CREATE TABLE taxonomy_plans (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    version       INTEGER NOT NULL UNIQUE,
    engine        TEXT NOT NULL,
    model         TEXT,
    state         TEXT NOT NULL DEFAULT 'draft',   -- draft | approved | superseded
    created_at    REAL NOT NULL,
    approved_at   REAL,
    applied_at    REAL,
    apply_run_id  INTEGER,
    cost_usd      REAL,
    input_tokens  INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0
);

-- The plan's renames: ``target`` is what will be written (a reviewer may edit it),
-- ``proposed`` what the planner said.
CREATE TABLE taxonomy_renames (
    plan_id      INTEGER NOT NULL REFERENCES taxonomy_plans(id) ON DELETE CASCADE,
    old          TEXT NOT NULL,
    target       TEXT NOT NULL,
    proposed     TEXT NOT NULL,
    reason       TEXT NOT NULL,
    notes        INTEGER NOT NULL,     -- notes carrying ``old`` in their tags property
    inline_uses  INTEGER NOT NULL,     -- notes using ``#old`` inline (left as they are)
    decision     TEXT NOT NULL DEFAULT 'pending',  -- pending | approved | rejected
    PRIMARY KEY (plan_id, old)
);

-- The canonical tags of a plan with how many notes will carry each.
CREATE TABLE taxonomy_tags (
    plan_id  INTEGER NOT NULL REFERENCES taxonomy_plans(id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (plan_id, tag)
);
