"""Links state kept in the vault's store (table ``links_state``, migration 0200)."""

from __future__ import annotations

import json
import time
import unicodedata
import uuid
from collections.abc import Collection

from vaultcurator.store.db import Store


def vault_id(store: Store) -> str:
    """A short random id made once per vault: names its collections on a shared server."""
    rows = store.query("SELECT value FROM links_state WHERE key = 'vault_id'")
    if rows and rows[0]["value"]:
        return str(rows[0]["value"])
    new_id = uuid.uuid4().hex[:12]
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO links_state(key, value, updated_at) VALUES ('vault_id', ?, ?)",
            (new_id, time.time()),
        )
        row = conn.execute("SELECT value FROM links_state WHERE key = 'vault_id'").fetchone()
    return str(row["value"])


def load_idf_bytes(store: Store, key: str) -> bytes | None:
    """The stored IDF table for ``key`` (serialised by the links layer), or None."""
    rows = store.query("SELECT data FROM links_state WHERE key = ?", ("idf:" + key,))
    if not rows or rows[0]["data"] is None:
        return None
    return bytes(rows[0]["data"])


def idf_fingerprint(store: Store, key: str) -> str | None:
    """The stored IDF table's fingerprint (cheap: the table itself is not read)."""
    rows = store.query("SELECT value FROM links_state WHERE key = ?", ("idf:" + key,))
    return None if not rows else str(rows[0]["value"])


def save_idf_bytes(store: Store, key: str, fingerprint: str, data: bytes) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO links_state(key, value, data, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, data = excluded.data, "
            "updated_at = excluded.updated_at",
            ("idf:" + key, fingerprint, data, time.time()),
        )


Outgoing = tuple[str, list[str], dict[str, list[str]]]
"""A note's links as last read: (content hash, body link paths, property -> link paths)."""


def name_key(link: str) -> str:
    """The file-name part of a link or path, as Obsidian matches it (no folder, no .md)."""
    name = link.rsplit("/", 1)[-1]
    if name.lower().endswith(".md"):
        name = name[:-3]
    return unicodedata.normalize("NFC", name).casefold()


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def load_outgoing(store: Store, paths: Collection[str] | None = None) -> dict[str, Outgoing]:
    """Remembered links of ``paths`` (all notes when None)."""
    if paths is None:
        rows = store.query("SELECT path, hash, links_json FROM links_outgoing")
    else:
        rows = []
        for chunk in _chunks(sorted(paths)):
            marks = ", ".join("?" * len(chunk))
            rows.extend(
                store.query(
                    f"SELECT path, hash, links_json FROM links_outgoing WHERE path IN ({marks})",
                    tuple(chunk),
                )
            )
    out: dict[str, Outgoing] = {}
    for row in rows:
        data = json.loads(row["links_json"])
        out[row["path"]] = (row["hash"], list(data.get("body", [])), dict(data.get("props", {})))
    return out


def outgoing_complete(store: Store, notes: int) -> bool:
    """Whether links are remembered for (at least) as many notes as the vault has."""
    row = store.query("SELECT count(*) AS n FROM links_outgoing")
    return int(row[0]["n"]) >= notes


def linking_paths(store: Store, names: Collection[str]) -> set[str]:
    """Notes with a remembered link to one of these file names (see :func:`name_key`)."""
    found: set[str] = set()
    for chunk in _chunks(sorted(names)):
        marks = ", ".join("?" * len(chunk))
        rows = store.query(
            f"SELECT DISTINCT path FROM links_names WHERE name IN ({marks})", tuple(chunk)
        )
        found.update(r["path"] for r in rows)
    return found


def save_outgoing(store: Store, fresh: dict[str, Outgoing], keep: Collection[str] | None) -> None:
    """Remember newly read notes' links and forget notes no longer in ``keep``.

    ``keep=None``: no note left the vault (a watch cycle over the same paths), so the
    remembered paths are not read back to find any.
    """
    if not fresh and keep is None:
        return
    with store.transaction() as conn:
        if keep is not None:
            known = {r[0] for r in conn.execute("SELECT path FROM links_outgoing")}
            gone = [(p,) for p in known - set(keep)]
            conn.executemany("DELETE FROM links_outgoing WHERE path = ?", gone)
            conn.executemany("DELETE FROM links_names WHERE path = ?", gone)
        rows: list[tuple[str, str, str]] = []
        names: list[tuple[str, str]] = []
        for path, (digest, body, props) in fresh.items():
            document = {"body": body, "props": props}
            rows.append((path, digest, json.dumps(document, ensure_ascii=False)))
            links = [*body, *(link for values in props.values() for link in values)]
            names.extend((name_key(link), path) for link in set(links))
        conn.executemany(
            "INSERT INTO links_outgoing(path, hash, links_json) VALUES (?, ?, ?) "
            "ON CONFLICT(path) DO UPDATE SET hash = excluded.hash, "
            "links_json = excluded.links_json",
            rows,
        )
        conn.executemany("DELETE FROM links_names WHERE path = ?", [(r[0],) for r in rows])
        conn.executemany("INSERT OR IGNORE INTO links_names(name, path) VALUES (?, ?)", names)


def load_mirror(store: Store, collection: str) -> dict[str, tuple[str, str]]:
    """The mirror of a collection's records: path -> (content hash, text hash)."""
    rows = store.query(
        "SELECT path, hash, text_hash FROM links_index WHERE collection = ?", (collection,)
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def mirror_count(store: Store, collection: str) -> int:
    """How many records the mirror holds (a cheap check of a copy kept in memory)."""
    rows = store.query("SELECT COUNT(*) FROM links_index WHERE collection = ?", (collection,))
    return int(rows[0][0]) if rows else 0


def replace_mirror(store: Store, collection: str, entries: dict[str, tuple[str, str]]) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM links_index WHERE collection = ?", (collection,))
        conn.executemany(
            "INSERT INTO links_index(collection, path, hash, text_hash) VALUES (?, ?, ?, ?)",
            [(collection, p, h, t) for p, (h, t) in entries.items()],
        )


def update_mirror(
    store: Store, collection: str, upserts: dict[str, tuple[str, str]], deletes: Collection[str]
) -> None:
    with store.transaction() as conn:
        conn.executemany(
            "DELETE FROM links_index WHERE collection = ? AND path = ?",
            [(collection, p) for p in deletes],
        )
        conn.executemany(
            "INSERT INTO links_index(collection, path, hash, text_hash) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(collection, path) DO UPDATE SET hash = excluded.hash, "
            "text_hash = excluded.text_hash",
            [(collection, p, h, t) for p, (h, t) in upserts.items()],
        )
