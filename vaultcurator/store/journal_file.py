"""Per-run journal files: the undo data does not depend on the store's WAL.

A SQLite commit in WAL mode lives in ``state.db-wal`` until a checkpoint copies it into
``state.db``; a crash followed by the loss of that file (a sync tool, a cleanup) would take
the journal with it, and with it every way back. So each run also appends its write-ahead
records to ``.vaultcurator/journal/<run>.vcj`` and fsyncs the file before any note changes.
The store is the index; the file is the guarantee: :func:`~vaultcurator.store.journal.recover`
re-imports whatever the store lost, and a file is deleted only once a checkpoint has put
everything it holds into ``state.db`` itself.

Format: ``VCJ1\\n``, then records of one JSON header line followed by ``len`` raw bytes (the
note's previous bytes). A record is valid only whole and with its bytes matching the sha256
in its header, so a torn tail (a kill mid-append) is simply ignored: its notes were not
touched yet.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAGIC = b"VCJ1\n"
SUFFIX = ".vcj"
FOLDER = "journal"


@dataclass(frozen=True, slots=True)
class FileWrite:
    """One write-ahead record as the file holds it."""

    seq: int
    path: str
    prev_bytes: bytes | None
    prev_hash: str | None
    new_hash: str
    proposal_id: int | None


@dataclass(frozen=True, slots=True)
class FileRun:
    name: str
    kind: str
    started_at: float
    writes: list[FileWrite]


def folder_of(state_dir: Path) -> Path:
    return state_dir / FOLDER


def path_of(state_dir: Path, name: str) -> Path:
    return folder_of(state_dir) / f"{name}{SUFFIX}"


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _record(header: dict[str, Any], payload: bytes = b"") -> bytes:
    header = {**header, "len": len(payload), "sha": hashlib.sha256(payload).hexdigest()}
    line = json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return line + b"\n" + payload


def create(state_dir: Path, kind: str, started_at: float) -> str:
    """A new, durable journal file for a run; its name (unique even if run ids are reused)."""
    folder = folder_of(state_dir)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        _fsync_dir(state_dir)
    name = f"{time.time_ns()}-{os.getpid()}-{secrets.token_hex(3)}"
    path = folder / f"{name}{SUFFIX}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
    try:
        _write_all(fd, MAGIC + _record({"t": "run", "kind": kind, "started_at": started_at}))
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(folder)
    return name


def append(state_dir: Path, name: str, writes: Sequence[FileWrite]) -> int:
    """Append write records and fsync them; the file's new size."""
    chunks = [
        _record(
            {
                "t": "write",
                "seq": w.seq,
                "path": w.path,
                "prev_hash": w.prev_hash,
                "new_hash": w.new_hash,
                "proposal_id": w.proposal_id,
                "none": w.prev_bytes is None,
            },
            w.prev_bytes or b"",
        )
        for w in writes
    ]
    fd = os.open(path_of(state_dir, name), os.O_WRONLY | os.O_APPEND)
    try:
        _write_all(fd, b"".join(chunks))
        os.fsync(fd)
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read(path: Path) -> FileRun | None:
    """The run a file holds (its valid prefix), or None without even a whole run record."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(MAGIC):
        return None
    pos = len(MAGIC)
    run: FileRun | None = None
    while pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            break
        try:
            header = json.loads(data[pos:end])
            size = int(header["len"])
        except (ValueError, KeyError, TypeError):
            break
        payload = data[end + 1 : end + 1 + size]
        if len(payload) != size or hashlib.sha256(payload).hexdigest() != header.get("sha"):
            break
        pos = end + 1 + size
        if header.get("t") == "run" and run is None:
            run = FileRun(path.stem, str(header["kind"]), float(header["started_at"]), [])
        elif header.get("t") == "write" and run is not None:
            run.writes.append(
                FileWrite(
                    seq=int(header["seq"]),
                    path=str(header["path"]),
                    prev_bytes=None if header.get("none") else payload,
                    prev_hash=header.get("prev_hash"),
                    new_hash=str(header["new_hash"]),
                    proposal_id=header.get("proposal_id"),
                )
            )
    return run


def listed(state_dir: Path) -> list[Path]:
    folder = folder_of(state_dir)
    try:
        return sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIX))
    except OSError:
        return []


def size_of(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def remove(state_dir: Path, name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        path_of(state_dir, name).unlink()
