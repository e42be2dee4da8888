-- Links: state the related-notes step keeps beside Chroma.

-- The vault's id (collection names on a shared Chroma server) and each embedder's frozen IDF.
CREATE TABLE links_state (
    key         TEXT PRIMARY KEY,   -- vault_id | idf:<embedder>-<dim>
    value       TEXT,
    data        BLOB,
    updated_at  REAL NOT NULL
);

-- Each note's outgoing body links (unresolved link paths) as of its content hash, so a run
-- knows every note's links and backlinks without reading every file again.
CREATE TABLE links_outgoing (
    path        TEXT PRIMARY KEY,
    hash        TEXT NOT NULL,
    links_json  TEXT NOT NULL
);

-- Which notes link to a file name (case-folded, no folder, no .md): finds the backlinks of a
-- few notes without loading every note's links.
CREATE TABLE links_names (
    name        TEXT NOT NULL,
    path        TEXT NOT NULL,
    PRIMARY KEY (name, path)
) WITHOUT ROWID;
CREATE INDEX links_names_path ON links_names(path);

-- A mirror of each Chroma collection's records (path, content hash, embedded-text hash), so
-- one changed note does not mean reading every record back from Chroma. Trusted only while
-- its row count equals the collection's count; otherwise rebuilt from Chroma.
CREATE TABLE links_index (
    collection  TEXT NOT NULL,
    path        TEXT NOT NULL,
    hash        TEXT NOT NULL,
    text_hash   TEXT NOT NULL,
    PRIMARY KEY (collection, path)
) WITHOUT ROWID;
