"""A large CPU-bound map shared with one forked child process: same results, in order.

A cold scan of a large vault reads, hashes and parses every note, all in Python: on two
cores, a forked child takes half of the work while this process does the rest (a cold scan
of 10,000 notes: ~1.2 s alone, see ``benchmarks/startup.py``). Threads cannot do this (the
GIL). Work is handed out in chunks through a pipe of chunk numbers, so a process slowed by
other load simply takes fewer chunks; the child sends its results back pickled.

Used only where a fork is safe and pays (see :func:`can_fork`): on Linux, from a process
with one thread (a fork copies only the calling thread; a lock another thread holds would
stay held in the child forever), with two usable cores. The child touches nothing it
inherited but the pipes (never the state store's connection) and leaves with ``os._exit``.
Whatever goes wrong with the child (an error, a signal, a result that does not unpickle),
the chunks it did not deliver are computed here: the result never depends on the fork.
"""

from __future__ import annotations

import mmap
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_TOKEN = struct.Struct("=I")
"""A chunk number in the pipe: 4 bytes, so each read takes one whole number (reads and
writes of at most PIPE_BUF bytes are atomic)."""
_COUNT = struct.Struct("=q")


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether :func:`split_map` may fork here (Linux, one thread, two cores or more)."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and usable_cores() >= 2
    )


def split_map(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    send: Callable[[R], R] | None = None,
    chunk: int = 32,
    progress: Callable[[int], None] | None = None,
) -> list[R]:
    """``[func(item) for item in items]``, computed by this process and a forked child.

    ``func`` must give the same result in either process (a pure function of the item and
    of what existed before the fork). What the child computed comes back as
    ``send(result)`` when ``send`` is given: a form that costs less to pickle and unpickle,
    which the caller turns back itself. ``progress(done)`` is called here after each chunk
    with the items both processes have finished.
    """
    starts = range(0, len(items), chunk)
    mine: dict[int, list[R]] = {}
    received = bytearray()  # the child's results, one frame per chunk (see ``_child``)
    tokens_r, tokens_w = os.pipe()
    out_r, out_w = os.pipe()
    shared = mmap.mmap(-1, _COUNT.size)  # the child's finished items, for progress
    try:
        # Every chunk number is in the pipe before the fork (a few KB: never blocks).
        os.write(tokens_w, b"".join(_TOKEN.pack(i) for i in range(len(starts))))
        os.close(tokens_w)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
            work = func if send is None else _then(func, send)
            _child(work, items, chunk, tokens_r, out_r, out_w, shared)
        os.close(out_w)
        os.set_blocking(out_r, False)  # drained between chunks: the child never waits
        try:
            done = 0
            while len(token := os.read(tokens_r, _TOKEN.size)) == _TOKEN.size:
                (number,) = _TOKEN.unpack(token)
                start = starts[number]
                part = mine[number] = [func(item) for item in items[start : start + chunk]]
                done += len(part)
                _drain(out_r, received)
                if progress is not None:
                    progress(done + _COUNT.unpack_from(shared)[0])
            os.set_blocking(out_r, True)
            _drain(out_r, received)  # to the end of the pipe: the child is leaving
            os.waitpid(pid, 0)
        finally:
            _reap(pid)
    finally:
        os.close(tokens_r)
        os.close(out_r)
        shared.close()
    theirs = _frames(received)
    merged: list[R] = []
    for number, start in enumerate(starts):
        share = items[start : start + chunk]
        if number in mine:
            merged.extend(mine[number])
        elif (sent := theirs.get(number)) is not None and len(sent) == len(share):
            merged.extend(sent)
        else:  # the child took it and did not deliver: computed here
            merged.extend(func(item) for item in share)
    return merged


def _then(func: Callable[[T], R], send: Callable[[R], R]) -> Callable[[T], R]:
    return lambda item: send(func(item))


_FRAME = struct.Struct("=Q")
"""The length of one pickled ``(chunk number, results)`` that follows it in the pipe."""


def _child(
    func: Callable[[T], Any],
    items: Sequence[T],
    chunk: int,
    tokens_r: int,
    out_r: int,
    out_w: int,
    shared: mmap.mmap,
) -> NoReturn:  # pragma: no cover - runs in the child
    """Take chunks until none is left, sending each one's results as soon as computed (the
    parent reads them between its own chunks), and leave at once."""
    code = 1
    try:
        os.close(out_r)
        finished = 0
        while len(token := os.read(tokens_r, _TOKEN.size)) == _TOKEN.size:
            (number,) = _TOKEN.unpack(token)
            start = number * chunk
            part = [func(item) for item in items[start : start + chunk]]
            data = pickle.dumps((number, part), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(_FRAME.pack(len(data)) + data)
            while view:
                view = view[os.write(out_w, view) :]
            finished += len(part)
            _COUNT.pack_into(shared, 0, finished)
        code = 0
    finally:
        # No cleanup of what the parent owns (buffers, the store's connection, temp files).
        os._exit(code)


def _drain(fd: int, into: bytearray) -> None:
    """Append what can be read from ``fd`` now (all of it, to the end, when blocking)."""
    try:
        while chunk := os.read(fd, 1 << 20):
            into += chunk
    except BlockingIOError:
        pass


def _frames(data: bytearray) -> dict[int, list[Any]]:
    """The child's results by chunk number; a frame cut short (the child died writing it)
    or that does not unpickle is left out: its chunk is computed again."""
    out: dict[int, list[Any]] = {}
    view, pos = memoryview(data), 0
    while pos + _FRAME.size <= len(data):
        (size,) = _FRAME.unpack_from(data, pos)
        end = pos + _FRAME.size + size
        if end > len(data):
            break
        try:
            number, part = pickle.loads(view[pos + _FRAME.size : end])  # noqa: S301 - our own child
        except Exception:  # damaged: its chunk is computed again
            break
        if type(number) is int and type(part) is list:
            out[number] = part
        pos = end
    return out


def _reap(pid: int) -> None:
    """The child is gone after this, even when this process was interrupted meanwhile."""
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # reaped already: the usual way out
        return
    if waited == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
