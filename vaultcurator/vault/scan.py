"""Scan a vault into an :class:`~vaultcurator.vault.model.Inventory`.

Every ``.md`` file (any case of the suffix) under the root is a note, except what
:mod:`vaultcurator.vault.ignore` skips. Notes are numbered 0..N-1 in the order of their
relative POSIX path, NFC-normalised, plain code-point sort: the global index every later
stage relies on.

With a store, a file whose ``mtime_ns`` and ``size`` match the scan cache is not read at all
(its note comes back with ``body=None``, and decodes its cached frontmatter and tags on first
use: see :meth:`Note.from_cache`). Bad content never raises: the note is returned with
``status="invalid"`` and a reason. Files that vanish during the scan are dropped; symlinks
are followed only while they stay inside the vault, and each real file is listed once.

Frontmatter values are JSON-shaped on every path (dates as ISO strings), so a note looks
the same whether it was just read or came from the cache.

Speed matters here (vaults of 10,000+ notes are rescanned on every command): files are
listed with ``os.scandir`` (:mod:`.listing`) and read with plain ``os`` calls, cached rows
are not decoded until used (:class:`~vaultcurator.vault.model.CachedBatch`), and the cache is
written in one transaction (nothing but the ``scans`` row when nothing changed). A large
cold scan that keeps no bodies (the ``scan`` report) reads and parses half of the files in
a forked child on two cores (:mod:`.workers`); the same notes, cache rows and indices as one
process gives. (Helper threads were tried: the GIL hand-offs made scans slower, not faster.)
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from vaultcurator.config import ScanSettings
from vaultcurator.vault import frontmatter as fm
from vaultcurator.vault import special_files, workers, yaml_fast
from vaultcurator.vault.ignore import rules_for
from vaultcurator.vault.listing import Candidate, walk
from vaultcurator.vault.model import CachedBatch, CachedFields, Inventory, Note, NoteStatus
from vaultcurator.vault.ports import CachedEntry, CacheRow, CacheWriter, ScanCache
from vaultcurator.vault.special_files import (
    bad_name_note,
    encodable,
    plugin_owner,
    split_plugin_files,
)

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called now and then during a scan, and once at the end."""

TOO_LARGE = "too large"
_PROGRESS_EVERY = 64
_CHUNK = 1 << 20
_READ_ATTEMPTS = 3
_O_BINARY = getattr(os, "O_BINARY", 0)


def _json_encoder() -> Callable[[Any], str]:
    """Compact JSON, ~3x faster on small values than ``json.dumps`` (which builds a new C
    encoder on every call); values here are JSON-shaped and acyclic (``fm.jsonable``)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython without its _json accelerator
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    encode = make(None, None, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    return lambda value: "".join(encode(value, 0))


_ENCODE = _json_encoder()


def _parser_fingerprint() -> str:
    """What decides how a note is read: this code, the frontmatter parser and PyYAML.

    Recorded with every scan; a cache written under another fingerprint is not trusted.
    PyYAML is known by its ``__init__`` source (which holds its version), found but not
    imported: a scan whose notes all take the fast path never imports it.
    """
    yaml_spec = importlib.util.find_spec("yaml")
    if yaml_spec is not None and yaml_spec.origin is not None:
        try:
            digest = hashlib.sha256(Path(yaml_spec.origin).read_bytes())
        except OSError:  # pragma: no cover - not a file (zip import)
            digest = hashlib.sha256(yaml_spec.origin.encode())
    else:  # pragma: no cover - PyYAML is a dependency
        digest = hashlib.sha256(b"no yaml")
    for module in (fm, yaml_fast, special_files, sys.modules[__name__]):
        source = getattr(module, "__file__", None)
        try:
            digest.update(Path(source).read_bytes() if source else b"")
        except OSError:  # pragma: no cover - sources not on disk (zip import)
            digest.update(module.__name__.encode())
    return digest.hexdigest()[:16]


PARSER = _parser_fingerprint()


@dataclass(slots=True)
class _Read:
    """What reading one file gave."""

    data: bytes | None = None
    """None: not read (too large: only hashed, or an error)."""
    st: os.stat_result | None = None
    digest: str = ""
    stable: bool = True
    """False when the file kept changing while read, or could not be read: do not cache."""
    error: str | None = None
    gone: bool = False


def scan_vault(
    root: Path,
    settings: ScanSettings,
    cache: ScanCache | None = None,
    *,
    progress: Progress | None = None,
    keep_bodies: bool = True,
) -> Inventory:
    """Scan ``root``; with ``cache``, reuse and refresh the scan cache and record the scan.

    ``keep_bodies=False``: the notes it reads keep no ``body`` (as after a warm rescan), for a
    caller that only reports (``scan``): on 10,000 notes that is ~100 MB not held, and the
    page faults of holding it.
    """
    # A scan creates ~10 objects per note and none of them form cycles: pausing the cyclic
    # garbage collector avoids repeated passes over everything alive (a third of a warm scan).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _scan(root, settings, cache, progress, keep_bodies)
    finally:
        if gc_was_enabled:
            gc.enable()


def _scan(
    root: Path,
    settings: ScanSettings,
    store: ScanCache | None,
    progress: Progress | None,
    keep_bodies: bool,
) -> Inventory:
    started_at = time.time()
    rules = rules_for(root, settings)
    skipped: list[tuple[str, str]] = []
    cached = store.load(PARSER) if store is not None else None
    cache = cached or {}
    # Nothing cached: no stat to compare, reading the file takes one (see ``read_file``).
    candidates = walk(root, rules, skipped, stat=bool(cache))
    total = len(candidates)
    max_bytes = settings.max_note_bytes
    slots: list[Note | None] = [None] * total
    batch = CachedBatch(partial(_fields_from_file, max_bytes))
    misses, listed_cached = _fill_from_cache(candidates, cache, max_bytes, batch, slots)
    shared = _shared(len(misses), keep_bodies)
    # Shared with a child: the rows are stored as chunks finish, in one transaction open
    # meanwhile, so the child parses while this process stores (it was ~50 ms after it).
    with (
        store.writing(started_at=started_at, parser=PARSER, reset=cached is None)
        if store is not None and shared
        else nullcontext(None)
    ) as writer:
        rows_of = None if writer is None else partial(_store_rows, writer)
        upserts: list[CacheRow] = []
        gone: list[str] = []
        files_read = 0
        outcomes = _read_all(
            candidates, misses, max_bytes, keep_bodies, shared, batch, progress, rows_of
        )
        for position, (note, row, was_read) in zip(misses, outcomes, strict=True):
            if note is None:
                gone.append(candidates[position][0])
                continue
            files_read += was_read
            slots[position] = note
            if row is not None and writer is None:
                upserts.append(row)
        if progress is not None:
            progress(total, total)
        notes = [n for n in slots if n is not None]
        notes, owned = split_plugin_files(notes, keep=not settings.skip_plugin_files)
        skipped.extend(owned)
        if gone or owned:  # notes are numbered by position in the listing: close the gaps
            for index, note in enumerate(notes):
                note.index = index
        scan_id: int | None = None
        if store is not None:
            removed = [p for p in gone if p in cache]
            if listed_cached < len(cache):  # some cached files were not listed: they are gone
                listed_paths = {rel for rel, _, _ in candidates}
                removed += [p for p in cache if p not in listed_paths]
            invalid = sum(1 for n in notes if n.status != "ok")
            if writer is not None:
                writer.remove(removed)
                scan_id = writer.finish(notes=len(notes), invalid=invalid, files_read=files_read)
            else:
                scan_id = store.save(
                    started_at=started_at,
                    upserts=upserts,
                    removed=removed,
                    notes=len(notes),
                    invalid=invalid,
                    files_read=files_read,
                    parser=PARSER,
                    reset=cached is None,
                )
    skipped.sort()
    return Inventory(
        root=root, notes=notes, scan_id=scan_id, files_read=files_read, skipped=skipped
    )


_Outcome = tuple[Note | None, CacheRow | None, bool]
"""What reading one listed file gave: its note (None: it is gone), its cache row (None: not
worth caching) and whether its bytes were read."""


def _shared(to_read: int, keep_bodies: bool) -> bool:
    """Whether the files to read are shared with a forked child: a large cold scan that keeps
    no bodies (notes without bodies are cheap to send back, see :func:`_to_sent`), on two
    cores or more with one free (:mod:`.workers`)."""
    return (
        not keep_bodies and to_read >= FORK_MIN_FILES and workers.can_fork() and workers.core_free()
    )


def _store_rows(writer: CacheWriter, outcomes: list[_Outcome]) -> None:
    """Store a chunk's rows, then drop them: freed while the child parses, memory reused."""
    writer.add([row for _, row, _ in outcomes if row is not None])
    outcomes[:] = [(note, None, was_read) for note, _, was_read in outcomes]


def _read_all(
    candidates: list[Candidate],
    misses: list[int],
    max_bytes: int,
    keep_bodies: bool,
    shared: bool,
    batch: CachedBatch,
    progress: Progress | None,
    on_chunk: Callable[[list[_Outcome]], None] | None = None,
) -> Iterable[_Outcome]:
    """The outcome of reading each of ``misses`` (positions in ``candidates``), in order.

    ``shared``: half of the reading and parsing each here and in a forked child, each chunk's
    outcomes handed to ``on_chunk`` as they are known (see :func:`_shared`); else read here,
    one file after the other. ``progress`` is first called after the fork (it may start a
    thread)."""
    work = partial(_read_position, candidates, max_bytes, keep_bodies)
    total, base = len(candidates), len(candidates) - len(misses)
    if shared:
        tick = None if progress is None else lambda done: progress(base + done, total)
        receive = partial(_from_sent, candidates, batch)
        return workers.split_map(
            work, misses, send=_to_sent, receive=receive, progress=tick, on_chunk=on_chunk
        )
    return _one_by_one(work, misses, progress, base, total)


_Sent = tuple[CacheRow, tuple[list[str], list[str]]]
"""A note as the child sends it: its cache row, its tags and inline tags."""


def _to_sent(outcome: _Outcome | _Sent) -> _Outcome | _Sent:
    """What the child sends of a note with a cache row: the row (plain strings pickle ~10x
    faster than the frontmatter's dicts and lists) and the tags, which every report uses."""
    if len(outcome) == 3 and outcome[0] is not None and outcome[1] is not None:
        return outcome[1], (outcome[0].tags, outcome[0].inline_tags)
    return outcome


def _from_sent(
    candidates: list[Candidate], batch: CachedBatch, position: int, sent: _Outcome | _Sent
) -> _Outcome:
    """The outcome the child sent (see :func:`_to_sent`): a note sent as its row is made from
    it as from the scan cache, its frontmatter decoded on first use (JSON-shaped, the same
    values), its tags as they were."""
    if len(sent) == 3:
        return sent
    row, (tags, inline) = sent
    note = Note.from_cache(
        position, row[0], row[3], row[1], row[2], _STATUSES[row[4]], row[5], row[9],
        f"[{row[6]},{row[7]},{row[8]}]", candidates[position][1], batch,
    )  # fmt: skip
    note.tags, note.inline_tags = tags, inline
    return note, row, True


_STATUSES: dict[str, NoteStatus] = {"ok": "ok", "invalid": "invalid", "skipped": "skipped"}


FORK_MIN_FILES = 1000
"""Fewer files to read than this are read by this process alone (a fork costs ~10 ms)."""


def _one_by_one(
    work: Callable[[int], _Outcome],
    misses: list[int],
    progress: Progress | None,
    base: int,
    total: int,
) -> Iterator[_Outcome]:
    if progress is not None:
        progress(base, total)
    for done, position in enumerate(misses, 1):
        if progress is not None and done % _PROGRESS_EVERY == 0:
            progress(base + done, total)
        yield work(position)


def _read_position(
    candidates: list[Candidate], max_bytes: int, keep_body: bool, position: int
) -> _Outcome:
    rel, os_path, listed = candidates[position]
    if not os_path.isascii() and not encodable(os_path):
        st = listed or _stat_or_none(os_path)  # never read, but listed with its stat
        return (None if st is None else bad_name_note(position, rel, st)), None, False
    read = read_file(os_path, max_bytes, listed)
    if read.gone:
        return None, None, False
    note, row = note_from_read(rel, read, max_bytes, keep_body=keep_body)
    note.index = position
    return note, row, read.error is None


def _fill_from_cache(
    candidates: list[Candidate],
    cache: dict[str, CachedEntry],
    max_bytes: int,
    batch: CachedBatch,
    slots: list[Note | None],
) -> tuple[list[int], int]:
    """Put a note in ``slots`` for every candidate the cache still describes.

    Returns the positions to read (in order) and how many candidates have a cached row.
    """
    if not cache:  # a first scan: every file is read
        return list(range(len(candidates))), 0
    misses: list[int] = []
    listed_cached = 0
    get = cache.get
    from_cache = Note.from_cache
    for position, (rel, os_path, st) in enumerate(candidates):
        entry = get(rel)
        if entry is None or st is None:
            misses.append(position)
            continue
        listed_cached += 1
        size = st.st_size
        status = entry[4]
        if (
            entry[1] != st.st_mtime_ns
            or entry[2] != size
            # Rare (an invalid note, or a large file): was it cached under today's size limit?
            or (
                (status != "ok" or size > max_bytes)
                and (size > max_bytes) != (entry[5] is not None and entry[5].startswith(TOO_LARGE))
            )
        ):
            misses.append(position)
            continue
        slots[position] = from_cache(
            position, rel, entry[3], entry[1], size,
            "ok" if status == "ok" else "skipped" if status == "skipped" else "invalid",
            entry[5], entry[6], entry[7], os_path, batch,
        )  # fmt: skip
    return misses, listed_cached


def _fields_from_file(max_bytes: int, os_path: str) -> CachedFields:
    """A cached note's frontmatter and tags read again (its cache row did not decode)."""
    read = read_file(os_path, max_bytes)
    if read.data is None:
        return {}, [], []
    note, _ = note_from_read("", read, max_bytes)
    return note.frontmatter, note.tags, note.inline_tags


# --------------------------------------------------------------------------- reading


def read_file(os_path: str, max_bytes: int, listed: os.stat_result | None = None) -> _Read:
    """Bytes, hash and a stat taken after reading; never raises for file-system trouble.

    Plain ``os`` calls: a file object costs as much as reading a small note. ``listed``, the
    stat the listing took, stands for the stat before reading (one system call less per
    file): a change since the listing shows in the stat after reading, as one while reading.
    """
    try:
        for _ in range(_READ_ATTEMPTS):
            fd = os.open(os_path, os.O_RDONLY | _O_BINARY)
            try:
                if listed is not None and listed.st_size <= max_bytes:
                    before, listed = listed, None
                else:
                    before = os.fstat(fd)
                if before.st_size > max_bytes:
                    return _hash_large(fd)
                data = os.read(fd, before.st_size)
                if len(data) < before.st_size:  # a short read: get the rest
                    data = _read_rest(fd, data)
                after = os.fstat(fd)
            finally:
                os.close(fd)
            # Same size and time before and after: what was read is what the stat describes
            # (a file that grew while read has a larger size after, and is read again).
            if before.st_mtime_ns == after.st_mtime_ns and after.st_size == len(data):
                return _Read(data, after, hashlib.sha256(data).hexdigest())
        # Still changing: use what was read, but do not cache it, so the next scan re-reads.
        return _Read(data, after, hashlib.sha256(data).hexdigest(), stable=False)
    except FileNotFoundError:
        return _Read(gone=True)
    except PermissionError:
        return _Read(st=_stat_or_none(os_path), error="permission denied", stable=False)
    except OSError as exc:
        error = f"cannot read: {exc.strerror or exc}"
        return _Read(st=_stat_or_none(os_path), error=error, stable=False)


def _read_rest(fd: int, head: bytes) -> bytes:
    chunks = [head]
    while chunk := os.read(fd, _CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)


def _hash_large(fd: int) -> _Read:
    """sha256 of a file too large to parse, in chunks (never held in memory at once)."""
    digest = hashlib.sha256()
    while chunk := os.read(fd, _CHUNK):
        digest.update(chunk)
    return _Read(st=os.fstat(fd), digest=digest.hexdigest())


def _stat_or_none(os_path: str) -> os.stat_result | None:
    try:
        return os.stat(os_path)  # noqa: PTH116
    except OSError:
        return None


def note_from_read(
    rel: str, read: _Read, max_bytes: int, *, keep_body: bool = True
) -> tuple[Note, CacheRow | None]:
    """The note for one read file, and its cache row (None: not worth caching); without
    ``keep_body`` the note's ``body`` is None (see :func:`scan_vault`)."""
    st = read.st
    mtime_ns, size = (st.st_mtime_ns, st.st_size) if st is not None else (0, 0)
    if read.data is None:
        error = read.error or (
            f"{TOO_LARGE} ({size:,} bytes; limit scan.max_note_bytes={max_bytes:,})"
        )
        note = Note(-1, rel, read.digest, mtime_ns, size, "invalid", error)
        row = (rel, mtime_ns, size, read.digest, "invalid", error, "{}", "[]", "[]", None)
        return note, (row if read.stable else None)
    try:
        parsed = fm.parse_jsonable(read.data)
    except Exception as exc:  # a parser bug must cost one note, not the whole scan
        error = f"could not be parsed ({type(exc).__name__}: {exc})"
        return Note(-1, rel, read.digest, mtime_ns, len(read.data), "invalid", error), None
    frontmatter, layout, problem = parsed.frontmatter, parsed.layout, parsed.error
    body = layout.body if layout is not None else None
    digest, size = read.digest, len(read.data)
    status: NoteStatus = "ok" if problem is None else "invalid"
    if problem is None and frontmatter and (owner := plugin_owner(frontmatter)):
        status, problem = "skipped", owner
    tags = fm.tags_from_property(frontmatter)
    inline = fm.inline_tags(body) if body else []
    description = fm.description_of(frontmatter)
    note = Note(
        -1, rel, digest, mtime_ns, size, status, problem,
        frontmatter, tags, inline, description, body if keep_body else None,
    )  # fmt: skip
    if not read.stable:
        return note, None
    return note, (
        rel, mtime_ns, size, digest, status, problem, _ENCODE(frontmatter),
        _encode_tags(tags), _encode_tags(inline), description,
    )  # fmt: skip


def _encode_tags(tags: list[str]) -> str:
    """``_ENCODE(tags)``, several times faster for the usual tags, which JSON leaves as is."""
    if not tags:
        return "[]"
    flat = "".join(tags)
    # Printable: no control characters, the only ones JSON escapes besides '"' and '\\'.
    if '"' in flat or "\\" in flat or not flat.isprintable():
        return _ENCODE(tags)
    return '["' + '","'.join(tags) + '"]'
