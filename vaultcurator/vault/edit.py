"""The only way a note is ever written: conflict-checked, atomic, journaled, in group commits.

What is written comes from :func:`~vaultcurator.vault.frontmatter_edit.render_updates`
(byte-faithful frontmatter edits) or is a note's previous bytes (undo). Every write goes
through :func:`apply_edits`: the write-ahead record
(:class:`~vaultcurator.vault.ports.WriteAheadLog`) is durable before the file changes; each
note is checked again right before its own replace, which verifies the bytes it displaced
(:func:`~vaultcurator.vault.swap.swap_in`). A path that no longer leads to a plain file of
the vault (a symlink, or a folder link, swapped in since it was read) is a conflict, never
written through. A full disk stops the whole batch (:class:`~.swap.DiskFullError`).
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
from vaultcurator.vault import atomic, swap
from vaultcurator.vault.frontmatter_edit import render_updates
from vaultcurator.vault.model import sha256_hex
from vaultcurator.vault.ports import PlannedWrite, WriteAheadLog
from vaultcurator.vault.swap import DiskFullError, NotSameFileError, interrupts_held

_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


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


def note_file(vault_root: Path, rel_path: str, expected_hash: str) -> Path:
    """The path to write for a note: :func:`resolve_note_path`, and it must be the note itself.

    NotSameFileError (a conflict) when a symlink anywhere below the vault root stands in the
    way: a note swapped for a link to another note must not get this note's proposal.
    """
    real = resolve_note_path(vault_root, rel_path)
    root = os.path.realpath(vault_root)
    lexical = os.path.join(root, *rel_path.split("/"))  # noqa: PTH118
    if not rel_path.isascii() and not os.path.lexists(lexical):
        lexical = _spelled_on_disk(root, rel_path.split("/")) or lexical
    if os.fspath(real) != lexical:
        raise NotSameFileError(rel_path, expected_hash, "is a symbolic link (or under one) now")
    return real


def note_hash(vault_root: Path, rel_path: str) -> str | None:
    """sha256 of the note's bytes now; None when it is missing, unsafe or unreadable."""
    try:
        return atomic.read_hash(resolve_note_path(vault_root, rel_path))
    except (UnsafePathError, OSError):
        return None


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


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _read(target: Path, rel_path: str, expected_hash: str) -> bytes:
    try:
        fd = os.open(target, _READ_FLAGS)
    except FileNotFoundError:
        raise ConflictError(rel_path, expected_hash, None) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotSameFileError(rel_path, expected_hash, "is a symbolic link now") from None
        raise
    with open(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise NotSameFileError(rel_path, expected_hash, "is not a regular file now")
        data = handle.read()
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
    index: int = -1
    """Position of the request in the batch (callbacks see outcomes chunk by chunk)."""
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

Settled = Callable[[list[EditOutcome]], None]
"""Called after each chunk (also when it was cut short by Ctrl-C or a full disk) with the
outcomes settled in it: written, unchanged or refused. An unsettled note was not touched."""


def apply_edits(
    vault_root: Path,
    requests: Iterable[EditRequest],
    *,
    log: WriteAheadLog | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    on_settled: Settled | None = None,
) -> list[EditOutcome]:
    """Edit many notes' frontmatter, with group commits; never raises per note.

    Per note: the write-ahead record is durable before the file changes, the note is checked
    right before its own replace and the replace is atomic and verified. Per chunk: the temps
    are flushed with one filesystem sync, their records fsynced and committed once, each
    folder fsynced once (an fsync per note costs milliseconds on real disks). Outcomes come
    back in request order. Raises only DiskFullError (the batch stops; what was settled
    before was reported to ``on_settled``) and KeyboardInterrupt (between notes).
    """
    jobs = [
        _Job(
            EditOutcome(req.path, n),
            req.expected_hash,
            partial(_render_for, req.updates, req.path, req.tags_style),
            req.proposal_id,
        )
        for n, req in enumerate(requests)
    ]
    _run_jobs(vault_root, jobs, log, chunk_size, on_settled)
    return [job.outcome for job in jobs]


def replace_notes(
    vault_root: Path,
    items: Iterable[tuple[str, bytes, str]],
    *,
    log: WriteAheadLog | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    on_settled: Settled | None = None,
) -> list[EditOutcome]:
    """Write whole contents ``(path, data, expected_hash)`` in batches (undo's restore)."""
    jobs = [
        _Job(EditOutcome(path, n), expected, partial(_constant, data))
        for n, (path, data, expected) in enumerate(items)
    ]
    _run_jobs(vault_root, jobs, log, chunk_size, on_settled)
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


def _run_jobs(
    vault_root: Path,
    jobs: list[_Job],
    log: WriteAheadLog | None,
    size: int,
    on_settled: Settled | None,
) -> None:
    for chunk in _chunks(jobs, max(1, size)):
        try:
            _run_chunk(vault_root, chunk, log)
        finally:
            if on_settled is not None:
                on_settled(
                    [
                        job.outcome
                        for job in chunk
                        if job.outcome.result is not None or job.outcome.error is not None
                    ]
                )


def _run_chunk(vault_root: Path, chunk: list[_Job], log: WriteAheadLog | None) -> None:
    ready: list[_Ready] = []
    for job in chunk:
        rel = job.outcome.path
        try:
            target = note_file(vault_root, rel, job.expected_hash)
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


def _disk_full(exc: OSError) -> DiskFullError:
    return DiskFullError(f"disk full ({exc.strerror or exc}): the write stopped")


def _commit_chunk(vault_root: Path, ready: list[_Ready], log: WriteAheadLog | None) -> None:
    with ExitStack() as stack:
        staged: list[tuple[_Ready, atomic.StagedFile]] = []
        for item in ready:
            try:
                staged_file = stack.enter_context(
                    atomic.staged(item.target, item.new, durable=False)
                )
            except OSError as exc:
                if exc.errno in _DISK_FULL:
                    raise _disk_full(exc) from exc
                item.job.outcome.error = exc
                continue
            staged.append((item, staged_file))
        if not staged:
            return
        try:
            atomic.sync_filesystem(vault_root)
            entry_ids: list[int | None] = [None] * len(staged)
            if log is not None:
                entry_ids = list(log.record([_planned(item) for item, _ in staged]))
        except OSError as exc:
            if exc.errno in _DISK_FULL:
                raise _disk_full(exc) from exc
            raise
        _swap_all(staged, entry_ids, log)


def _planned(item: _Ready) -> PlannedWrite:
    job = item.job
    rel = job.outcome.path
    return PlannedWrite(rel, item.old, job.expected_hash, item.new_hash, job.proposal_id)


def _swap_all(
    staged: list[tuple[_Ready, atomic.StagedFile]],
    entry_ids: list[int | None],
    log: WriteAheadLog | None,
) -> None:
    """Each note swapped in after its own last check; its row confirmed or dropped."""
    confirmed: list[int] = []
    dropped: list[int] = []
    folders: dict[Path, list[EditOutcome]] = {}
    attempted = 0
    try:
        for (item, staged_file), entry_id in zip(staged, entry_ids, strict=True):
            rel = item.job.outcome.path
            with interrupts_held():  # a note is swapped and settled whole, or not at all
                attempted += 1
                try:
                    staged_file.commit(item.job.expected_hash, rel, sync_dir=False)
                except (ConflictError, OSError) as exc:
                    item.job.outcome.error = exc
                    if entry_id is not None:
                        dropped.append(entry_id)
                    continue
                folders.setdefault(item.target.parent, []).append(item.job.outcome)
                item.job.outcome.result = EditResult(
                    rel, True, item.job.expected_hash, item.new_hash
                )
                if entry_id is not None:
                    confirmed.append(entry_id)
    finally:
        # Rows of notes never tried (Ctrl-C) go: nothing was written for them.
        dropped.extend(i for i in entry_ids[attempted:] if i is not None)
        if log is not None:
            with swap.interrupts_held():  # (not the per-note hook tests pause at)
                if confirmed:
                    log.confirm(confirmed)
                if dropped:
                    log.discard(dropped)
        for folder, outcomes in folders.items():
            try:
                atomic.fsync_dir(folder)
            except OSError as exc:  # the notes are replaced: say so, never lose their outcome
                for outcome in outcomes:
                    outcome.warning = f"written, but its folder could not be flushed: {exc}"
