"""Which engine runs a set of requests: one note → sync, a few → realtime, many → batch.

``sync`` runs its requests one after another with plain calls (the simplest path, meant
for a single note); ``realtime`` runs them concurrently.

Batches cost half but may take hours; real time costs full price but answers in seconds.
Retries follow the same size rules, but never escalate past what the user forced: a
``--mode realtime`` job retries in real time, never in a batch.
"""

from __future__ import annotations

from typing import Literal

from vaultcurator.config import MODE_NAMES

Mode = Literal["sync", "realtime", "batch"]
MODES = MODE_NAMES


def route(count: int, mode: str, realtime_max: int) -> Mode:
    """The engine for ``count`` requests under the job's ``mode`` (``auto`` picks by size)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if mode in ("sync", "realtime", "batch"):
        return mode
    if count <= 1:
        return "sync"
    return "realtime" if count <= realtime_max else "batch"


def route_retry(count: int, mode: str, realtime_max: int, *, past_deadline: bool) -> Mode:
    """The engine for a retry set: auto rules by size, capped by a forced interactive mode."""
    if mode == "sync":
        return "sync"
    if past_deadline or mode == "realtime":
        return "sync" if count <= 1 else "realtime"
    return route(count, "auto", realtime_max)
