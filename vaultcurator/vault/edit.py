"""The only way a note is ever written: conflict-checked, atomic, journaled, in group commits.

What is written comes from :func:`~vaultcurator.vault.frontmatter_edit.render_updates`
(byte-faithful frontmatter edits) or is a note's previous bytes (undo). Every write goes
through :func:`apply_edits`: the hash is checked right before the replace, the write-ahead
row (:class:`~vaultcurator.vault.ports.WriteAheadLog`) is durable before the file changes.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from vaultcurator.errors import ConflictError, VaultCuratorError
from vaultcurator.vault import atomic
from vaultcurator.vault.frontmatter_edit import render_updates
from vaultcurator.vault.model import sha256_hex
from vaultcurator.vault.ports import PlannedWrite, WriteAheadLog


class UnsafePathError(VaultCuratorError):
    """A note path that is absolute, climbs out of the vault, or resolves outside it."""


@dataclass(frozen=True, slots=True)
class EditResult:
    path: str
    """The vault-relative POSIX path that was edited."""
    changed: bool
    """False when the note already had these values (nothing was written)."""
    old_hash: str
    new_hash: str


def resolve_note_path(vault_root: Path, rel_path: str) -> Path:
    """The real file behind a vault-relative POSIX path; UnsafePathError if it leaves the vault."""
    if not rel_path or "\x00" in rel_path or (os.sep == "\\" and "\\" in rel_path):
        raise UnsafePathError(f"not a usable note path: {rel_path!r}")
    parts = rel_path.split("/")
    if rel_path.startswith("/") or ".." in parts:
        raise UnsafePathError(f"note path must stay inside the vault: {rel_path!r}")
    # os.path on strings: pathlib's resolve() costs more than the rest of an edit's checks.
    root = os.path.realpath(vault_root)
    real = os.path.realpath(os.path.join(root, *parts))  # noqa: PTH118
    if not rel_path.isascii() and not os.path.lexists(real):
        spelled = _spelled_on_disk(root, parts)
        if spelled is not None:
            real = os.path.realpath(spelled)
    if real == root or not real.startswith(root.rstrip(os.sep) + os.sep):
        raise UnsafePathError(f"note path resolves outside the vault: {rel_path!r}")
    return Path(real)


def _spelled_on_disk(root: str, parts: list[str]) -> str | None:
    """The file behind an NFC path whose names the disk spells otherwise (NFD, from a Mac).

    Note paths are NFC (see Note.path); Linux keeps names as written. Each missing name is
    matched to the one entry of its folder that is equal once normalised; None if not exactly
    one is.
    """
    current = root
    for part in parts:
        exact = os.path.join(current, part)  # noqa: PTH118
        if os.path.lexists(exact):
            current = exact
            continue
        wanted = unicodedata.normalize("NFC", part)
        try:
            with os.scandir(current) as entries:
                names = [e.name for e in entries if unicodedata.normalize("NFC", e.name) == wanted]
        except OSError:
            return None
        if len(names) != 1:
            return None
        current = os.path.join(current, names[0])  # noqa: PTH118
    return current


_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def _read(target: Path, rel_path: str, expected_hash: str) -> bytes:
    try:
        with target.open("rb") as handle:
            data = handle.read()
            mode = os.fstat(handle.fileno()).st_mode
    except FileNotFoundError:
        raise ConflictError(rel_path, expected_hash, None) from None
    actual = sha256_hex(data)
    if actual != expected_hash:
        raise ConflictError(rel_path, expected_hash, actual)
    if not mode & _WRITE_BITS:  # os.replace would go through; Obsidian could not save it
        raise PermissionError(errno.EACCES, "note is read-only; not edited", rel_path)
    return data


def set_frontmatter_keys(
    vault_root: Path,
    rel_path: str,
    updates: Mapping[str, Any],
    expected_hash: str,
    *,
    log: WriteAheadLog | None = None,
    proposal_id: int | None = None,
) -> EditResult:
    """Set ``updates`` in one note's frontmatter if the note still hashes to ``expected_hash``.

    The single-note form of :func:`apply_edits` (the same, only write path), raising instead
    of reporting: ConflictError when the note changed or vanished, NoteParseError when its
    frontmatter cannot be edited safely, UnsafePathError for a path outside the vault. With
    ``log`` the write is journaled (write-ahead) so it can be undone.
    """
    [outcome] = apply_edits(
        vault_root, [EditRequest(rel_path, updates, expected_hash, proposal_id)], log=log
    )
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    return outcome.result


# --------------------------------------------------------------------------- batches


@dataclass(frozen=True, slots=True)
class EditRequest:
    """One note's updates for :func:`apply_edits`."""

    path: str
    updates: Mapping[str, Any]
    expected_hash: str
    proposal_id: int | None = None
    tags_style: str | None = None
    """The vault's prevailing ``tags`` style (``flow``/``block``) for a scalar ``tags``."""


@dataclass(slots=True)
class EditOutcome:
    """What became of one request: a result, or the error that left the note untouched."""

    path: str
    result: EditResult | None = None
    error: VaultCuratorError | OSError | ValueError | None = None
    warning: str | None = None
    """Set on a written note whose folder could not be flushed: the write is visible and
    journaled, but might not survive a power cut."""


@dataclass(slots=True)
class _Job:
    outcome: EditOutcome
    expected_hash: str
    new_bytes: Callable[[bytes], bytes]
    proposal_id: int | None = None


@dataclass(slots=True)
class _Ready:
    job: _Job
    target: Path
    old: bytes
    new: bytes
    new_hash: str


DEFAULT_CHUNK = 256
"""Notes per group commit: one filesystem flush and one journal commit each."""


def apply_edits(
    vault_root: Path,
    requests: Iterable[EditRequest],
    *,
    log: WriteAheadLog | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> list[EditOutcome]:
    """Edit many notes' frontmatter, with group commits; never raises per note.

    Per note: the hash is checked right before its replace, the write-ahead row is durable
    before the file changes, the replace is atomic. Per chunk: the temps are flushed with
    one filesystem sync, their rows committed in one transaction and each folder fsynced
    once (an fsync per note costs milliseconds on real disks). Outcomes come back in
    request order.
    """
    jobs = [
        _Job(
            EditOutcome(req.path),
            req.expected_hash,
            partial(_render_for, req.updates, req.path, req.tags_style),
            req.proposal_id,
        )
        for req in requests
    ]
    _run_jobs(vault_root, jobs, log, chunk_size)
    return [job.outcome for job in jobs]


def replace_notes(
    vault_root: Path,
    items: Iterable[tuple[str, bytes, str]],
    *,
    log: WriteAheadLog | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> list[EditOutcome]:
    """Write whole contents ``(path, data, expected_hash)`` in batches (undo's restore)."""
    jobs = [
        _Job(EditOutcome(path), expected, partial(_constant, data))
        for path, data, expected in items
    ]
    _run_jobs(vault_root, jobs, log, chunk_size)
    return [job.outcome for job in jobs]


def _render_for(updates: Mapping[str, Any], path: str, style: str | None, old: bytes) -> bytes:
    return render_updates(old, updates, path=path, tags_style=style)


def _constant(data: bytes, _old: bytes) -> bytes:
    return data


def _chunks(jobs: list[_Job], size: int) -> Iterator[list[_Job]]:
    """Chunks of at most ``size`` jobs, never the same path twice (its hash would be stale)."""
    chunk: list[_Job] = []
    paths: set[str] = set()
    for job in jobs:
        if len(chunk) >= size or job.outcome.path in paths:
            yield chunk
            chunk, paths = [], set()
        chunk.append(job)
        paths.add(job.outcome.path)
    if chunk:
        yield chunk


def _run_jobs(vault_root: Path, jobs: list[_Job], log: WriteAheadLog | None, size: int) -> None:
    for chunk in _chunks(jobs, max(1, size)):
        ready: list[_Ready] = []
        for job in chunk:
            rel = job.outcome.path
            try:
                target = resolve_note_path(vault_root, rel)
                old = _read(target, rel, job.expected_hash)
                new = job.new_bytes(old)
            except (VaultCuratorError, OSError, ValueError) as exc:
                job.outcome.error = exc
                continue
            if new == old:
                job.outcome.result = EditResult(rel, False, job.expected_hash, job.expected_hash)
            else:
                ready.append(_Ready(job, target, old, new, sha256_hex(new)))
        if ready:
            _commit_chunk(vault_root, ready, log)


def _commit_chunk(vault_root: Path, ready: list[_Ready], log: WriteAheadLog | None) -> None:
    with ExitStack() as stack:
        staged: list[tuple[_Ready, atomic.StagedFile]] = []
        for item in ready:
            try:
                staged_file = stack.enter_context(
                    atomic.staged(item.target, item.new, durable=False)
                )
            except OSError as exc:
                item.job.outcome.error = exc
                continue
            staged.append((item, staged_file))
        if not staged:
            return
        atomic.sync_filesystem(vault_root)
        entry_ids: list[int | None] = [None] * len(staged)
        if log is not None:
            writes = [
                PlannedWrite(
                    item.job.outcome.path,
                    item.old,
                    item.job.expected_hash,
                    item.new_hash,
                    item.job.proposal_id,
                )
                for item, _ in staged
            ]
            entry_ids = list(log.record(writes))
        failed: list[int] = []
        folders: dict[Path, list[EditOutcome]] = {}
        for (item, staged_file), entry_id in zip(staged, entry_ids, strict=True):
            rel = item.job.outcome.path
            try:
                staged_file.commit(item.job.expected_hash, rel, sync_dir=False)
            except (ConflictError, OSError) as exc:
                item.job.outcome.error = exc
                if entry_id is not None:
                    failed.append(entry_id)
                continue
            folders.setdefault(item.target.parent, []).append(item.job.outcome)
            item.job.outcome.result = EditResult(rel, True, item.job.expected_hash, item.new_hash)
        if failed and log is not None:
            log.discard(failed)
        for folder, outcomes in folders.items():
            try:
                atomic.fsync_dir(folder)
            except OSError as exc:  # the notes are replaced: say so, never lose their outcome
                for outcome in outcomes:
                    outcome.warning = f"written, but its folder could not be flushed: {exc}"
