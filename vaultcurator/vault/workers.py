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

import os
import struct
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

if TYPE_CHECKING:
    import mmap

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


def core_free() -> bool:
    """Whether another core is idle right now, so a child would run beside this process:
    fewer tasks ready to run than cores (``/proc/loadavg``, this process counted out). With
    every core taken by other work, sharing only adds the child's costs (measured: 2.3 s
    instead of 1.8 s for a cold scan of 10,000 notes with both cores busy elsewhere)."""
    try:
        with open("/proc/loadavg", "rb") as handle:  # "0.61 0.52 0.40 2/391 12345"
            runnable = int(handle.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return True
    return runnable - 1 < (os.cpu_count() or 1)


def split_map(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    send: Callable[[R], Any] | None = None,
    receive: Callable[[T, Any], R] | None = None,
    chunk: int = 32,
    progress: Callable[[int], None] | None = None,
    on_chunk: Callable[[list[R]], None] | None = None,
) -> list[R]:
    """``[func(item) for item in items]``, computed by this process and a forked child.

    ``func`` must give the same result in either process (a pure function of the item and
    of what existed before the fork). The child sends ``send(result)`` and this process
    turns it back with ``receive(item, sent)`` (both or neither): a form that costs less to
    pickle and unpickle than the result. What the child sends is read and received between
    this process's own chunks. ``progress(done)`` is called here after each chunk with the
    items both processes have finished. ``on_chunk(results)`` is called here once for each
    chunk's results as soon as they are known (computed here, or received), in no set
    order: work this process does meanwhile makes the child take more chunks, so it is
    shared too (the scan stores its cache rows so).
    """
    seen = on_chunk if on_chunk is not None else _ignore
    import mmap  # here: a scan that does not fork never loads mmap or pickle

    starts = range(0, len(items), chunk)
    results: dict[int, list[R]] = {}

    def take(number: int, part: list[Any]) -> None:  # a chunk the child computed
        share = items[starts[number] : starts[number] + chunk] if number < len(starts) else ()
        if share and len(part) == len(share):  # else: computed again below
            results[number] = part if receive is None else list(map(receive, share, part))
            seen(results[number])

    inbox = _Inbox(take)
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
        os.set_blocking(out_r, False)  # read between chunks: the child never waits long
        try:
            done = 0
            while len(token := os.read(tokens_r, _TOKEN.size)) == _TOKEN.size:
                (number,) = _TOKEN.unpack(token)
                start = starts[number]
                part = results[number] = [func(item) for item in items[start : start + chunk]]
                seen(part)
                done += len(part)
                inbox.read(out_r)
                if progress is not None:
                    progress(done + _COUNT.unpack_from(shared)[0])
            os.set_blocking(out_r, True)
            inbox.read(out_r)  # to the end of the pipe: the child is leaving
            os.waitpid(pid, 0)
        finally:
            _reap(pid)
    finally:
        os.close(tokens_r)
        os.close(out_r)
        shared.close()
    merged: list[R] = []
    for number, start in enumerate(starts):
        if number in results:
            merged.extend(results[number])
        else:  # the child took it and did not deliver: computed here
            part = [func(item) for item in items[start : start + chunk]]
            seen(part)
            merged.extend(part)
    return merged


def _ignore(results: list[Any]) -> None:
    """No ``on_chunk``: nothing to do with a chunk's results before the end."""


def _then(func: Callable[[T], R], send: Callable[[R], Any]) -> Callable[[T], Any]:
    return lambda item: send(func(item))


class _Inbox:
    """The child's frames as they arrive; each whole one is handed to ``take`` at once. A
    frame cut short (the child died writing it) or that does not unpickle ends the reading:
    the chunks not taken are computed again."""

    def __init__(self, take: Callable[[int, list[Any]], None]) -> None:
        self.take = take
        self.buffer = bytearray()
        self.broken = False

    def read(self, fd: int) -> None:
        """What ``fd`` holds now (until its end when it blocks), frames taken."""
        try:
            while chunk := os.read(fd, 1 << 20):
                self.buffer += chunk
        except BlockingIOError:
            pass
        buffer, pos = self.buffer, 0
        while not self.broken and pos + _FRAME.size <= len(buffer):
            (size,) = _FRAME.unpack_from(buffer, pos)
            end = pos + _FRAME.size + size
            if end > len(buffer):
                break
            try:
                number, part = _pickle().loads(buffer[pos + _FRAME.size : end])  # our child's
            except Exception:  # damaged: its chunk and the rest are computed again
                self.broken = True
                break
            if type(number) is int and type(part) is list:
                self.take(number, part)
            pos = end
        del buffer[:pos]


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
            data = _pickle().dumps((number, part), protocol=-1)  # the highest protocol
            view = memoryview(_FRAME.pack(len(data)) + data)
            while view:
                view = view[os.write(out_w, view) :]
            finished += len(part)
            _COUNT.pack_into(shared, 0, finished)
        code = 0
    finally:
        # No cleanup of what the parent owns (buffers, the store's connection, temp files).
        os._exit(code)


def _reap(pid: int) -> None:
    """The child is gone after this, even when this process was interrupted meanwhile."""
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # reaped already: the usual way out
        return
    if waited == 0:
        import signal  # seldom needed

        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _pickle() -> Any:
    """The pickle module, imported on first use (only a scan that forks sends anything)."""
    import pickle

    return pickle
