"""Proposals: a reviewed change of ``tags``, ``description`` and related links for one note.

Curation and links both feed the *same* pending proposal of a note (same path and base hash),
so the reviewer sees one diff per note. A newer proposal for a note supersedes older pending
ones, so there is never more than one pending proposal per path.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from vaultcurator.store.db import Store

ProposalState = Literal[
    "pending", "approved", "rejected", "conflict", "applied", "failed", "superseded"
]
OPEN_STATES: tuple[ProposalState, ...] = ("pending", "approved", "conflict")
"""States of a proposal that still waits for something (review, apply, re-curation)."""


@dataclass(slots=True)
class Proposal:
    id: int
    job_id: int | None
    path: str
    note_index: int
    base_hash: str
    engine: str
    model: str | None
    old_tags: list[str] | None
    new_tags: list[str] | None
    """None when the proposal does not touch ``tags``."""
    old_description: str | None
    new_description: str | None
    has_description: bool
    """True when the proposal sets ``description`` (to ``new_description``)."""
    old_related: list[str] | None
    new_related: list[str] | None
    """Link targets as written in the property (``"[[Note]]"``); None when untouched."""
    state: ProposalState
    error: str | None
    apply_run_id: int | None
    created_at: float
    updated_at: float
    tag_reasons: dict[str, str] | None = None
    description_note: str | None = None
    """Why the proposal sets no description (None: nothing to explain)."""
    """Why each removed author tag leaves (renamed by the plan, invalid, policy)."""

    @property
    def tags_added(self) -> list[str]:
        if self.new_tags is None:
            return []
        old = {t.lower() for t in self.old_tags or []}
        return [t for t in self.new_tags if t.lower() not in old]

    @property
    def tags_removed(self) -> list[str]:
        if self.new_tags is None:
            return []
        new = {t.lower() for t in self.new_tags}
        return [t for t in self.old_tags or [] if t.lower() not in new]

    @property
    def description_changed(self) -> bool:
        return self.has_description and (self.new_description or "") != (self.old_description or "")

    @property
    def related_changed(self) -> bool:
        return self.new_related is not None and list(self.new_related) != list(
            self.old_related or []
        )

    def updates(self, related_key: str = "related") -> dict[str, Any]:
        """The frontmatter keys this proposal writes, related links under ``related_key``."""
        out: dict[str, Any] = {}
        if self.new_tags is not None:
            out["tags"] = list(self.new_tags)
        if self.has_description:
            out["description"] = self.new_description
        if self.new_related is not None:
            out[related_key] = list(self.new_related)
        return out


def _dumps(value: list[str] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _reasons(value: Mapping[str, str] | None) -> str | None:
    return json.dumps(dict(value), ensure_ascii=False) if value else None


def _loads(value: str | None) -> list[str] | None:
    return None if value is None else list(json.loads(value))


def _from_row(row: Any) -> Proposal:
    return Proposal(
        id=row["id"],
        job_id=row["job_id"],
        path=row["path"],
        note_index=row["note_index"],
        base_hash=row["base_hash"],
        engine=row["engine"],
        model=row["model"],
        old_tags=_loads(row["old_tags_json"]),
        new_tags=_loads(row["new_tags_json"]),
        old_description=row["old_description"],
        new_description=row["new_description"],
        has_description=bool(row["has_description"]),
        old_related=_loads(row["old_related_json"]),
        new_related=_loads(row["new_related_json"]),
        state=row["state"],
        error=row["error"],
        apply_run_id=row["apply_run_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        tag_reasons=json.loads(row["tag_reasons_json"]) if row["tag_reasons_json"] else None,
        description_note=row["description_note"],
    )


def add_proposal(
    store: Store,
    *,
    path: str,
    note_index: int,
    base_hash: str,
    engine: str,
    job_id: int | None = None,
    model: str | None = None,
    old_tags: Sequence[str] | None = None,
    new_tags: Sequence[str] | None = None,
    old_description: str | None = None,
    new_description: str | None = None,
    set_description: bool = False,
    old_related: Sequence[str] | None = None,
    new_related: Sequence[str] | None = None,
    tag_reasons: Mapping[str, str] | None = None,
    description_note: str | None = None,
) -> int:
    """Record a proposal, merging with the note's pending one built from the same bytes.

    Fields given here win; fields not given (None / ``set_description=False``) keep the
    pending proposal's values. A pending proposal built from *other* bytes is superseded, and
    so is a conflicted one (the note changed after it was made: the new proposal, made from
    the note as it is now, replaces it in review).
    Returns the proposal id.
    """
    with store.transaction() as conn:
        return _add(
            conn,
            time.time(),
            path=path,
            note_index=note_index,
            base_hash=base_hash,
            engine=engine,
            job_id=job_id,
            model=model,
            old_tags=old_tags,
            new_tags=new_tags,
            old_description=old_description,
            new_description=new_description,
            set_description=set_description,
            old_related=old_related,
            new_related=new_related,
            tag_reasons=tag_reasons,
            description_note=description_note,
        )


def add_proposals(store: Store, proposals: Sequence[Mapping[str, Any]]) -> list[int]:
    """``add_proposal`` for each mapping of its keyword arguments, in one transaction (a links
    run records up to one per note: one transaction each cost a second on 10,000 notes)."""
    now = time.time()
    with store.transaction() as conn:
        return [_add(conn, now, **fields) for fields in proposals]


def _add(
    conn: sqlite3.Connection,
    now: float,
    *,
    path: str,
    note_index: int,
    base_hash: str,
    engine: str,
    job_id: int | None = None,
    model: str | None = None,
    old_tags: Sequence[str] | None = None,
    new_tags: Sequence[str] | None = None,
    old_description: str | None = None,
    new_description: str | None = None,
    set_description: bool = False,
    old_related: Sequence[str] | None = None,
    new_related: Sequence[str] | None = None,
    tag_reasons: Mapping[str, str] | None = None,
    description_note: str | None = None,
) -> int:
    rows = conn.execute(
        "SELECT * FROM proposals WHERE path = ? AND state IN ('pending', 'conflict')", (path,)
    ).fetchall()
    same = [r for r in rows if r["base_hash"] == base_hash and r["state"] == "pending"]
    stale = [r["id"] for r in rows if r["base_hash"] != base_hash or r["state"] == "conflict"]
    if stale:
        conn.executemany(
            "UPDATE proposals SET state = 'superseded', updated_at = ? WHERE id = ?",
            [(now, pid) for pid in stale],
        )
    if same:
        current = _from_row(same[0])
        for extra in same[1:]:
            conn.execute(
                "UPDATE proposals SET state = 'superseded', updated_at = ? WHERE id = ?",
                (now, extra["id"]),
            )
        conn.execute(
            """UPDATE proposals SET job_id = ?, engine = ?, model = ?,
               old_tags_json = ?, new_tags_json = ?, old_description = ?,
               new_description = ?, has_description = ?, old_related_json = ?,
               new_related_json = ?, note_index = ?, updated_at = ?,
               tag_reasons_json = ?, description_note = ? WHERE id = ?""",
            (
                job_id if job_id is not None else current.job_id,
                engine if new_tags is not None or set_description else current.engine,
                model if model is not None else current.model,
                _dumps(list(old_tags)) if old_tags is not None else _dumps(current.old_tags),
                _dumps(list(new_tags)) if new_tags is not None else _dumps(current.new_tags),
                old_description if set_description else current.old_description,
                new_description if set_description else current.new_description,
                1 if set_description or current.has_description else 0,
                _dumps(list(old_related))
                if old_related is not None
                else _dumps(current.old_related),
                _dumps(list(new_related))
                if new_related is not None
                else _dumps(current.new_related),
                note_index,
                now,
                _reasons(tag_reasons) if new_tags is not None else _reasons(current.tag_reasons),
                description_note
                if new_tags is not None or set_description or description_note is not None
                else current.description_note,
                current.id,
            ),
        )
        return current.id
    cursor = conn.execute(
        """INSERT INTO proposals(job_id, path, note_index, base_hash, engine, model,
           old_tags_json, new_tags_json, old_description, new_description, has_description,
           old_related_json, new_related_json, state, created_at, updated_at,
           tag_reasons_json, description_note)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)""",
        (
            job_id,
            path,
            note_index,
            base_hash,
            engine,
            model,
            _dumps(list(old_tags) if old_tags is not None else None),
            _dumps(list(new_tags) if new_tags is not None else None),
            old_description,
            new_description if set_description else None,
            1 if set_description else 0,
            _dumps(list(old_related) if old_related is not None else None),
            _dumps(list(new_related) if new_related is not None else None),
            now,
            now,
            _reasons(tag_reasons),
            description_note,
        ),
    )
    return int(cursor.lastrowid or 0)


def get_proposal(store: Store, proposal_id: int) -> Proposal | None:
    rows = store.query("SELECT * FROM proposals WHERE id = ?", (proposal_id,))
    return _from_row(rows[0]) if rows else None


def list_proposals(
    store: Store, states: Iterable[str] | None = None, *, job_id: int | None = None
) -> list[Proposal]:
    """Proposals ordered by path; all of them, or those in ``states``."""
    sql = "SELECT * FROM proposals"
    clauses: list[str] = []
    params: list[object] = []
    if states is not None:
        wanted = list(states)
        clauses.append(f"state IN ({', '.join('?' * len(wanted))})")
        params.extend(wanted)
    if job_id is not None:
        clauses.append("job_id = ?")
        params.append(job_id)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY path, id"
    return [_from_row(r) for r in store.query(sql, tuple(params))]


def set_state(
    store: Store,
    proposal_ids: Iterable[int],
    state: ProposalState,
    *,
    error: str | None = None,
    apply_run_id: int | None = None,
) -> None:
    now = time.time()
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE proposals SET state = ?, error = ?, apply_run_id = coalesce(?, apply_run_id),"
            " updated_at = ? WHERE id = ?",
            [(state, error, apply_run_id, now, pid) for pid in proposal_ids],
        )


def edit_proposal(
    store: Store,
    proposal_id: int,
    *,
    new_tags: Sequence[str] | None = None,
    new_description: str | None = None,
    set_description: bool = False,
    new_related: Sequence[str] | None = None,
) -> None:
    """A reviewer's edit: replace the proposed values (the state is left to the caller)."""
    now = time.time()
    with store.transaction() as conn:
        if new_tags is not None:
            conn.execute(
                "UPDATE proposals SET new_tags_json = ?, updated_at = ? WHERE id = ?",
                (_dumps(list(new_tags)), now, proposal_id),
            )
        if set_description:
            conn.execute(
                "UPDATE proposals SET new_description = ?, has_description = 1, updated_at = ?"
                " WHERE id = ?",
                (new_description, now, proposal_id),
            )
        if new_related is not None:
            conn.execute(
                "UPDATE proposals SET new_related_json = ?, updated_at = ? WHERE id = ?",
                (_dumps(list(new_related)), now, proposal_id),
            )


def count_by_state(store: Store) -> dict[str, int]:
    rows = store.query("SELECT state, count(*) AS n FROM proposals GROUP BY state")
    return {r["state"]: int(r["n"]) for r in rows}


def curated_keys(store: Store) -> set[tuple[str, str]]:
    """``(path, hash)`` pairs that count as curated: the base of an open or decided proposal,
    or the bytes a (not undone) apply wrote."""
    keys: set[tuple[str, str]] = set()
    for row in store.query(
        "SELECT DISTINCT path, base_hash FROM proposals WHERE state NOT IN ('superseded', 'failed')"
    ):
        keys.add((row["path"], row["base_hash"]))
    for row in store.query("SELECT DISTINCT path, new_hash FROM journal WHERE undone_at IS NULL"):
        keys.add((row["path"], row["new_hash"]))
    return keys


def states_of(store: Store, ids: Sequence[int]) -> dict[int, str]:
    """The state of each proposal id (ids that do not exist are left out)."""
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = store.query(
            f"SELECT id, state FROM proposals WHERE id IN ({', '.join('?' * len(chunk))})",
            tuple(chunk),
        )
        out.update({int(r["id"]): str(r["state"]) for r in rows})
    return out


def latest_with_related(store: Store, path: str, states: Sequence[str]) -> Proposal | None:
    """The note's newest proposal in ``states`` that carries related links."""
    marks = ", ".join("?" * len(states))
    rows = store.query(
        "SELECT id FROM proposals WHERE path = ? AND new_related_json IS NOT NULL "
        f"AND state IN ({marks}) ORDER BY id DESC LIMIT 1",
        (path, *states),
    )
    return get_proposal(store, int(rows[0]["id"])) if rows else None


def state_counts(store: Store) -> dict[str, int]:
    rows = store.query("SELECT state, count(*) AS n FROM proposals GROUP BY state ORDER BY state")
    return {str(row["state"]): int(row["n"]) for row in rows}
