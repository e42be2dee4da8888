"""The moment a note is replaced: checked, swapped, verified, and one writer per vault.

A plain "hash the note, then ``os.replace``" loses a user's edit that lands between the two
calls. On Linux :func:`swap_in` closes most of that gap: after the last check the staged file
and the note are exchanged with ``renameat2(RENAME_EXCHANGE)``, which hands back the inode it
displaced; its bytes are hashed, and when they are not the bytes the caller expected (an edit
landed after the check) the user's version is exchanged straight back and the write is a
conflict. What the journal recorded as the previous bytes is thus exactly what was displaced.

What remains (the OS-level window, also stated in ``tests/safety`` and the README): a program
that opened the note *before* the exchange and writes through that open descriptor *after*
the displaced bytes were verified writes into the old, now unlinked inode; that write is lost.
A process killed between the exchange and the put-back leaves the user's version in the
hidden temp file. Where the exchange is unavailable (other systems, file systems without
it), the window is the few microseconds between the last hash check and ``os.replace``.

Ctrl-C never lands inside a swap: SIGINT is held back until the note is settled.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from vaultcurator.errors import ConflictError, VaultCuratorError
from vaultcurator.vault.model import sha256_hex

RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_UNSUPPORTED = frozenset({errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})


class NotSameFileError(ConflictError):
    """The path no longer leads to the regular file that was read: a symlink, a folder link,
    a FIFO… Never written through; reported as a conflict."""

    def __init__(self, path: str, expected_hash: str, reason: str) -> None:
        super().__init__(path, expected_hash, None)
        self.reason = reason
        self.args = (f"{path}: {reason}; left untouched",)

    def __str__(self) -> str:
        return str(self.args[0])


class DiskFullError(VaultCuratorError, OSError):
    """No space left: the write stopped; nothing torn, temps removed, the journal consistent."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.ENOSPC, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WriterBusyError(VaultCuratorError):
    """Another apply or undo holds this vault's writer lock for longer than we wait."""


def _load_renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # pragma: no cover - glibc < 2.28, musl without it
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return cast("Callable[[int, bytes, int, bytes, int], int]", func)


_RENAMEAT2 = _load_renameat2()


def exchange(first: Path, second: Path) -> None:
    """Atomically swap two paths (both must exist); OSError(ENOSYS) where unsupported."""
    if _RENAMEAT2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", str(second))
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE):
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(second))


def regular_hash(path: Path, label: str, expected_hash: str) -> str | None:
    """sha256 of the regular file at ``path`` (a symlink is not followed); None if missing.

    NotSameFileError when the path is a symlink, folder, FIFO or anything but a plain file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise NotSameFileError(label, expected_hash, "is a symbolic link now") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotSameFileError(label, expected_hash, "is not a regular file now")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return sha256_hex(handle.read())
    finally:
        os.close(fd)


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back until the block ends (main thread only: others never get it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, Any]] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda num, frame: caught.append((num, frame)))
    except ValueError:  # pragma: no cover - no signal support here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(*caught[0])
        elif caught and previous == signal.SIG_DFL:  # pragma: no cover
            raise KeyboardInterrupt


def swap_in(temp: Path, target: Path, expected_hash: str, new_hash: str, label: str) -> None:
    """Put ``temp`` in ``target``'s place if the note displaced is exactly ``expected_hash``.

    ConflictError (or NotSameFileError) leaves the note as the user has it; the temp path then
    holds our bytes or nothing, except when the note changed twice in the swap's few
    microseconds: both versions are then kept (ours aside as a visible copy) and the error
    says where.
    """
    actual = regular_hash(target, label, expected_hash)
    if actual != expected_hash:
        raise ConflictError(label, expected_hash, actual)
    try:
        exchange(temp, target)
    except FileNotFoundError:
        raise ConflictError(label, expected_hash, None) from None
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
        temp.replace(target)  # no exchange here: the documented microsecond window
        return
    try:
        displaced = regular_hash(temp, label, expected_hash)
    except OSError:  # NotSameFileError included: what cannot be verified goes back
        displaced = None
    if displaced == expected_hash:
        # The note is replaced whatever happens now: a leftover copy of its previous bytes
        # (journaled anyway) is swept later, and must not turn this write into a failure.
        with contextlib.suppress(OSError):
            temp.unlink()
        return
    _put_back(temp, target, new_hash, label, expected_hash, displaced)


def _put_back(
    temp: Path, target: Path, new_hash: str, label: str, expected: str, displaced: str | None
) -> None:
    """An edit landed between the check and the exchange: give the user's version back."""
    try:
        exchange(temp, target)  # theirs back in place, ours back at the temp path
    except OSError:
        # The note went away (or cannot be swapped) meanwhile: theirs must not vanish with the
        # temp file; it goes back under the note's name if free, else beside it, visibly.
        _keep(temp, target)
        raise ConflictError(label, expected, displaced) from None
    try:
        ours_intact = regular_hash(temp, label, expected) == new_hash
    except OSError:
        ours_intact = False
    if ours_intact:
        raise ConflictError(label, expected, displaced)
    # Our inode was written to as well: that is the user's latest, keep it beside the note.
    aside = _keep(temp, target)
    raise ConflictError(f"{label} (a second concurrent edit kept as {aside})", expected, displaced)


def _keep(temp: Path, target: Path) -> str:
    """Give the user's bytes in ``temp`` a visible name: the note's own if free, else a copy."""
    try:
        os.link(temp, target)
    except OSError:
        aside = target.with_name(f"{target.stem}.conflict-{secrets.token_hex(3)}{target.suffix}")
        temp.rename(aside)
        return aside.name
    temp.unlink()
    return target.name


LOCK_NAME = "write.lock"
LOCK_WAIT_SECONDS = 60.0


@contextlib.contextmanager
def exclusive_writer(state_dir: Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """One apply or undo per vault at a time (an advisory ``flock`` in the state folder).

    Holding it also means no write of ours is in flight: every temp file of ours is stale.
    WriterBusyError after ``wait_seconds``. A no-op where ``fcntl`` does not exist.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                    raise WriterBusyError(
                        f"another apply or undo (pid {holder}) is writing to this vault; "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
