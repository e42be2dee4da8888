"""Crash-safe, conflict-checked file replacement.

The new bytes go to a hidden temp file in the same folder (same filesystem, so the final
swap is atomic), are fsynced and given the original's permission bits; only then, right
before the note's own replace, is the target checked again and swapped in by
:func:`~vaultcurator.vault.swap.swap_in` (an exchange that verifies the bytes it displaced,
on Linux). The folder is fsynced afterwards so the rename itself survives a power cut.
Whatever fails, the temp file is removed and the original is left whole.

Use :func:`staged` when something must happen between "new bytes are safely on disk" and
"the note is replaced" (the apply journal's write-ahead record); :func:`atomic_replace`
otherwise.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import secrets
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

from vaultcurator.vault.model import sha256_hex
from vaultcurator.vault.swap import swap_in

TEMP_SUFFIX = ".vctmp"
"""Temp files are ``.<name>.<pid>-<random>.vctmp``: hidden, never mistaken for a note, and
naming the process that writes them (so a sweep knows at once when that writer is dead)."""


_TEMP_TOKEN_BYTES = 6
_TEMP_NAME = re.compile(
    rf"\..+\.(?:(?P<pid>[1-9][0-9]{{0,9}})-)?[0-9a-f]{{{2 * _TEMP_TOKEN_BYTES}}}"
    rf"{re.escape(TEMP_SUFFIX)}",
    re.DOTALL,
)
"""Exactly what :func:`temp_name_for` produces (and its older, pid-less form); the sweep
removes nothing else."""

_EUID = os.geteuid() if hasattr(os, "geteuid") else 0

SWEEP_SKIP_DIRS = frozenset({".git", ".obsidian", ".trash", ".vaultcurator"})
"""Folders the sweep never enters: no note is ever written there."""


NAME_MAX = 255
"""Bytes in one file name on the usual file systems (asked of the folder when it matters)."""


def temp_name_for(target: Path) -> Path:
    """A fresh temp name beside ``target``; the note's name is shortened when the whole would
    not fit in one file name (a 250-byte note name is legal, its temp must be too)."""
    tail = f".{os.getpid()}-{secrets.token_hex(_TEMP_TOKEN_BYTES)}{TEMP_SUFFIX}"
    name = target.name
    room = NAME_MAX - 1 - len(tail)
    if len(os.fsencode(name)) > room:
        with contextlib.suppress(OSError, ValueError):
            room = min(room, os.pathconf(target.parent, "PC_NAME_MAX") - 1 - len(tail))
        while name and len(os.fsencode(name)) > room:
            name = name[:-1]
    return target.with_name(f".{name or 'note'}{tail}")


def _writer_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this machine (its temp file can never be committed)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # e.g. EPERM: it exists, under another user
        return False
    return False


def read_hash(path: Path) -> str | None:
    """sha256 of the file's bytes now, or None when it does not exist."""
    try:
        return sha256_hex(path.read_bytes())
    except FileNotFoundError:
        return None


def fsync_dir(folder: Path) -> None:
    """Persist a rename in ``folder``; a no-op where directories cannot be fsynced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # pragma: no cover - filesystems without directory fsync
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


class StagedFile:
    """New contents for ``target``, durable in a temp file, not yet visible."""

    def __init__(self, target: Path, temp: Path, data_hash: str) -> None:
        self.target = target
        self.temp = temp
        self.data_hash = data_hash
        self.committed = False

    def commit(
        self, expected_hash: str, label: str | None = None, *, sync_dir: bool = True
    ) -> None:
        """Replace the target if the bytes it holds (and the bytes displaced) hash to
        ``expected_hash`` (see :func:`~vaultcurator.vault.swap.swap_in`).

        ConflictError (target changed, vanished, or is no longer a regular file) leaves the
        target as the user has it; the temp is removed when the :func:`staged` block exits.
        ``sync_dir=False`` leaves the folder's fsync to the caller (once per folder).
        """
        swap_in(self.temp, self.target, expected_hash, self.data_hash, label or str(self.target))
        self.committed = True
        if sync_dir:
            fsync_dir(self.target.parent)


def sync_filesystem(path: Path) -> None:
    """Flush everything written to ``path``'s filesystem: one flush for a batch of temps.

    ``syncfs`` (Linux) costs about as much as one fsync for hundreds of files, where an
    fsync each costs milliseconds apiece; elsewhere falls back to ``os.sync``.
    """
    if _SYNCFS is not None:
        fd = os.open(path, os.O_RDONLY)
        try:
            if _SYNCFS(fd) == 0:
                return
        finally:
            os.close(fd)
    os.sync()


def _load_syncfs() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.syncfs
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        return None
    func.argtypes = [ctypes.c_int]
    func.restype = ctypes.c_int
    return cast("Callable[[int], int]", func)


_SYNCFS = _load_syncfs()


def _write_temp(target: Path, data: bytes, durable: bool) -> Path:
    try:
        original: os.stat_result | None = target.stat()
    except FileNotFoundError:
        original = None
    temp = temp_name_for(target)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if original is not None:
                os.fchmod(fd, stat.S_IMODE(original.st_mode))
                if (original.st_uid, original.st_gid) != (os.getuid(), os.getgid()):
                    with contextlib.suppress(OSError):  # only root may give files away
                        os.fchown(fd, original.st_uid, original.st_gid)
                _copy_xattrs(target, fd)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return temp


def _copy_xattrs(source: Path, fd: int) -> None:
    """Carry the note's extended attributes (ACLs, tags, user data) over to its new inode.

    Best-effort per attribute: some (``security.*``) only a privileged process may set.
    """
    if not hasattr(os, "listxattr"):  # pragma: no cover - not Linux
        return
    try:
        names = os.listxattr(source)
    except OSError:  # file system without extended attributes
        return
    for name in names:
        with contextlib.suppress(OSError):
            os.setxattr(fd, name, os.getxattr(source, name))


@contextlib.contextmanager
def staged(target: Path, data: bytes, *, durable: bool = True) -> Iterator[StagedFile]:
    """Stage ``data`` for ``target``; call ``commit`` inside the block to replace the target.

    On leaving the block without a successful commit (exception or not) the temp file is
    removed, so a failure anywhere leaves the original whole and no litter behind.
    ``durable=False`` skips the temp's fsync: the caller must then :func:`sync_filesystem`
    before committing (a batch flushes many temps at once that way).
    """
    staged_file = StagedFile(target, _write_temp(target, data, durable), sha256_hex(data))
    try:
        yield staged_file
    finally:
        if not staged_file.committed:
            with contextlib.suppress(FileNotFoundError):
                staged_file.temp.unlink()


def atomic_replace(target: Path, data: bytes, expected_hash: str, label: str | None = None) -> None:
    """Replace ``target`` with ``data`` atomically if it still hashes to ``expected_hash``."""
    with staged(target, data) as staged_file:
        staged_file.commit(expected_hash, label)


def sweep_stale_temp_files(
    vault_root: Path, older_than_seconds: float = 3600, *, writers_stopped: bool = False
) -> list[Path]:
    """Remove temp files left by a process killed mid-write; returns the paths removed.

    Only regular files named exactly like :func:`temp_name_for`'s output and owned by this
    user. With ``writers_stopped`` (the caller holds the vault's writer lock, so no write of
    ours is in flight) every one of them goes, whatever its age. Otherwise only when the
    process named in the file name no longer runs (a killed apply: swept at once), or, when
    that cannot tell (no pid, or the pid is alive and may be reused), when last modified more
    than ``older_than_seconds`` ago (a younger one may belong to a write in progress).
    Symlinks are neither followed nor removed, :data:`SWEEP_SKIP_DIRS` are not entered, and a
    folder or file that cannot be read or removed is skipped: the sweep is best-effort.
    """
    cutoff = time.time() - older_than_seconds
    removed: list[Path] = []
    pending = [os.fspath(vault_root)]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SWEEP_SKIP_DIRS:
                        pending.append(entry.path)
                    continue
                match = _TEMP_NAME.fullmatch(entry.name)
                if match is None:
                    continue
                info = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(info.st_mode) or info.st_uid != _EUID:
                    continue
                pid = match.group("pid")
                dead = writers_stopped or (pid is not None and _writer_gone(int(pid)))
                if not dead and info.st_mtime >= cutoff:
                    continue
                stale = Path(entry.path)
                stale.unlink()
            except OSError:
                continue
            removed.append(stale)
    return removed
