"""The jobs store: a job, its global custom_id map, its batches and every request's fate.

Why it exists: results must land on the note they were built from, whatever batch carried
them and whatever order they come back in. So the whole job's ``custom_id -> (note index,
path, base hash)`` map is written once, before anything is sent; a batch row is written
(``submitting``, with its fingerprint) *before* the create call and gets its batch id the
moment the call returns; and every outcome is matched only through the map. The types are in
:mod:`vaultcurator.domain.jobs`; :class:`JobLedger` is what the engines write through.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vaultcurator.domain.jobs import (
    LIVE_BATCH_STATES,
    RESUMABLE_STATUSES,
    BatchRecord,
    Job,
    JobOptions,
    JobStatus,
    MapEntry,
    MappedRequest,
    fingerprint,
)
from vaultcurator.domain.requests import Usage
from vaultcurator.store.db import Store

__all__ = [
    "LIVE_BATCH_STATES",
    "RESUMABLE_STATUSES",
    "BatchRecord",
    "Job",
    "MapEntry",
    "MappedRequest",
]

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- jobs


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        engine=row["engine"],
        mode=row["mode"],
        model=row["model"],
        status=row["status"],
        options=JobOptions.from_json(json.loads(row["options_json"])),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
    )


def create_job(
    store: Store, *, engine: str, mode: str, model: str | None, options: JobOptions
) -> Job:
    now = time.time()
    cursor = store.execute(
        "INSERT INTO jobs(kind, engine, mode, model, status, options_json, created_at,"
        " updated_at) VALUES ('curate', ?, ?, ?, 'planned', ?, ?, ?)",
        (engine, mode, model, json.dumps(options.to_json()), now, now),
    )
    job = get_job(store, int(cursor.lastrowid or 0))
    assert job is not None
    return job


def get_job(store: Store, job_id: int) -> Job | None:
    rows = store.query("SELECT * FROM jobs WHERE id = ?", (job_id,))
    return _job(rows[0]) if rows else None


def latest_job(store: Store, statuses: Sequence[str] = RESUMABLE_STATUSES) -> Job | None:
    """The newest curation job in one of ``statuses`` (by default: one that can resume)."""
    marks = ", ".join("?" * len(statuses))
    rows = store.query(
        f"SELECT * FROM jobs WHERE kind = 'curate' AND status IN ({marks})"
        " ORDER BY id DESC LIMIT 1",
        tuple(statuses),
    )
    return _job(rows[0]) if rows else None


def set_job_status(store: Store, job_id: int, status: JobStatus) -> None:
    now = time.time()
    finished = now if status in ("done", "failed", "canceled") else None
    store.execute(
        "UPDATE jobs SET status = ?, updated_at = ?, finished_at = ? WHERE id = ?",
        (status, now, finished, job_id),
    )


def update_job(
    store: Store, job_id: int, *, mode: str | None = None, options: JobOptions | None = None
) -> None:
    if mode is not None:
        store.execute(
            "UPDATE jobs SET mode = ?, updated_at = ? WHERE id = ?", (mode, time.time(), job_id)
        )
    if options is not None:
        store.execute(
            "UPDATE jobs SET options_json = ?, updated_at = ? WHERE id = ?",
            (json.dumps(options.to_json()), time.time(), job_id),
        )


# --------------------------------------------------------------------------- the map


def record_map(store: Store, job_id: int, entries: Iterable[MapEntry]) -> int:
    """Write the job's whole custom_id map in one transaction; only once per job."""
    with store.transaction() as conn:
        existing = conn.execute(
            "SELECT count(*) FROM requests WHERE job_id = ?", (job_id,)
        ).fetchone()[0]
        if existing:
            raise RuntimeError(f"job {job_id} already has its request map")
        cursor = conn.executemany(
            "INSERT INTO requests(job_id, custom_id, note_index, path, base_hash,"
            " old_tags_json, old_description) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    job_id,
                    e.custom_id,
                    e.note_index,
                    e.path,
                    e.base_hash,
                    None if e.old_tags is None else json.dumps(e.old_tags, ensure_ascii=False),
                    e.old_description,
                )
                for e in entries
            ),
        )
        return cursor.rowcount


def _mapped(row: sqlite3.Row) -> MappedRequest:
    tags = row["old_tags_json"]
    return MappedRequest(
        custom_id=row["custom_id"],
        note_index=row["note_index"],
        path=row["path"],
        base_hash=row["base_hash"],
        status=row["status"],
        attempts=row["attempts"],
        batch_row=row["batch_row"],
        error_type=row["error_type"],
        error=row["error"],
        old_tags=None if tags is None else list(json.loads(tags)),
        old_description=row["old_description"],
    )


def lookup(store: Store, job_id: int, custom_id: str) -> MappedRequest | None:
    rows = store.query(
        "SELECT * FROM requests WHERE job_id = ? AND custom_id = ?", (job_id, custom_id)
    )
    return _mapped(rows[0]) if rows else None


def job_requests(
    store: Store, job_id: int, statuses: Sequence[str] | None = None
) -> list[MappedRequest]:
    """The job's requests in note-index order, all or those in ``statuses``."""
    sql = "SELECT * FROM requests WHERE job_id = ?"
    params: list[object] = [job_id]
    if statuses is not None:
        sql += f" AND status IN ({', '.join('?' * len(statuses))})"
        params.extend(statuses)
    return [_mapped(r) for r in store.query(sql + " ORDER BY note_index", tuple(params))]


def batch_custom_ids(store: Store, batch_row: int) -> list[str]:
    rows = store.query("SELECT custom_id FROM requests WHERE batch_row = ?", (batch_row,))
    return [r[0] for r in rows]


def status_counts(store: Store, job_id: int) -> dict[str, int]:
    rows = store.query(
        "SELECT status, count(*) FROM requests WHERE job_id = ? GROUP BY status", (job_id,)
    )
    return {r[0]: int(r[1]) for r in rows}


def mark_failed(
    store: Store,
    job_id: int,
    custom_id: str,
    error_type: str,
    error: str,
    *,
    count_attempt: bool = False,
) -> None:
    """A failure found before or outside an API answer (e.g. the note changed)."""
    store.execute(
        "UPDATE requests SET status = 'failed', error_type = ?, error = ?,"
        " attempts = attempts + ? WHERE job_id = ? AND custom_id = ?",
        (error_type, error, 1 if count_attempt else 0, job_id, custom_id),
    )


def reset_to_planned(store: Store, job_id: int, custom_ids: Sequence[str]) -> None:
    """Requests that never reached the model (lost in flight) go back to the queue."""
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE requests SET status = 'planned', batch_row = NULL "
            "WHERE job_id = ? AND custom_id = ? AND status = 'submitted'",
            [(job_id, cid) for cid in custom_ids],
        )


# --------------------------------------------------------------------------- batches


def _batch(row: sqlite3.Row) -> BatchRecord:
    return BatchRecord(
        row=row["id"],
        job_id=row["job_id"],
        chunk_no=row["chunk_no"],
        attempt=row["attempt"],
        batch_id=row["batch_id"],
        state=row["state"],
        request_count=row["request_count"],
        fingerprint=row["fingerprint"],
        counts=json.loads(row["counts_json"]),
        submitted_at=row["submitted_at"],
        created_at=row["created_at"],
        ended_at=row["ended_at"],
    )


def get_batch(store: Store, row: int) -> BatchRecord:
    rows = store.query("SELECT * FROM batches WHERE id = ?", (row,))
    return _batch(rows[0])


def job_batches(
    store: Store, job_id: int, states: Sequence[str] | None = None
) -> list[BatchRecord]:
    sql = "SELECT * FROM batches WHERE job_id = ?"
    params: list[object] = [job_id]
    if states is not None:
        sql += f" AND state IN ({', '.join('?' * len(states))})"
        params.extend(states)
    return [_batch(r) for r in store.query(sql + " ORDER BY id", tuple(params))]


def known_batch_ids(store: Store) -> set[str]:
    """Every batch id this vault ever stored (any job): never adopted by another chunk."""
    rows = store.query("SELECT batch_id FROM batches WHERE batch_id IS NOT NULL")
    return {r[0] for r in rows}


def next_chunk_no(store: Store, job_id: int) -> int:
    row = store.query("SELECT max(chunk_no) FROM batches WHERE job_id = ?", (job_id,))[0]
    return 0 if row[0] is None else int(row[0]) + 1


def begin_batch(
    store: Store, job_id: int, chunk_no: int, attempt: int, custom_ids: Sequence[str]
) -> BatchRecord:
    """Record a chunk as ``submitting`` (and its requests as submitted) before the create call."""
    now = time.time()
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO batches(job_id, chunk_no, attempt, state, request_count, fingerprint,"
            " submitted_at) VALUES (?, ?, ?, 'submitting', ?, ?, ?)",
            (job_id, chunk_no, attempt, len(custom_ids), fingerprint(custom_ids), now),
        )
        row = int(cursor.lastrowid or 0)
        conn.executemany(
            "UPDATE requests SET status = 'submitted', batch_row = ? "
            "WHERE job_id = ? AND custom_id = ?",
            [(row, job_id, cid) for cid in custom_ids],
        )
    return get_batch(store, row)


def batch_created(store: Store, row: int, batch_id: str, created_at: float | None) -> None:
    """Store the API's batch id the moment the create call returns."""
    store.execute(
        "UPDATE batches SET batch_id = ?, state = 'in_progress', created_at = ? WHERE id = ?",
        (batch_id, created_at or time.time(), row),
    )


def resubmitting(store: Store, row: int) -> None:
    """A ``submitting`` chunk found never created is about to be sent again."""
    store.execute("UPDATE batches SET submitted_at = ? WHERE id = ?", (time.time(), row))


def update_batch(
    store: Store,
    row: int,
    *,
    state: str | None = None,
    counts: dict[str, int] | None = None,
    ended_at: float | None = None,
) -> None:
    sets: list[str] = []
    params: list[object] = []
    if state is not None:
        sets.append("state = ?")
        params.append(state)
    if counts is not None:
        sets.append("counts_json = ?")
        params.append(json.dumps(counts))
    if ended_at is not None:
        sets.append("ended_at = ?")
        params.append(ended_at)
    if sets:
        store.execute(f"UPDATE batches SET {', '.join(sets)} WHERE id = ?", (*params, row))


def abandon_batch(
    store: Store, row: int, reason: str, *, error_type: str = "invalid_request_error"
) -> None:
    """A chunk whose create call was refused (no batch exists): its requests fail."""
    with store.transaction() as conn:
        conn.execute("UPDATE batches SET state = 'lost' WHERE id = ?", (row,))
        conn.execute(
            "UPDATE requests SET status = 'failed', error_type = ?, error = ?,"
            " attempts = attempts + 1 WHERE batch_row = ? AND status = 'submitted'",
            (error_type, reason, row),
        )


def recent_jobs(store: Store, limit: int, *, kind: str | None = "curate") -> list[Job]:
    """The newest ``limit`` jobs (of ``kind``; every kind for None), newest first."""
    if kind is None:
        rows = store.query("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,))
    else:
        rows = store.query(
            "SELECT * FROM jobs WHERE kind = ? ORDER BY id DESC LIMIT ?", (kind, limit)
        )
    return [_job(r) for r in rows]


@dataclass(frozen=True, slots=True)
class UsageRow:
    """Tokens recorded by a job's requests, summed per channel (batch or standard API)."""

    via_batch: bool
    requests: int
    usage: Usage


def job_usage(store: Store, job_id: int) -> list[UsageRow]:
    """Usage of every request of the job that recorded any (failed answers are billed too)."""
    rows = store.query(
        """SELECT via_batch, count(*) AS n, sum(input_tokens) AS i,
                  sum(cache_creation_tokens) AS cw, sum(cache_read_tokens) AS cr,
                  sum(output_tokens) AS o
           FROM requests
           WHERE job_id = ? AND (input_tokens + cache_creation_tokens + cache_read_tokens
                                 + output_tokens) > 0
           GROUP BY via_batch""",
        (job_id,),
    )
    return [
        UsageRow(
            bool(r["via_batch"]),
            int(r["n"]),
            Usage(int(r["i"]), int(r["cw"]), int(r["cr"]), int(r["o"])),
        )
        for r in rows
    ]
