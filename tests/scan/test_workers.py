"""A map shared with a forked child: the same list, in order, whatever the child does."""

from __future__ import annotations

import io
import os
import threading
import time

import pytest

from vaultcurator.vault import workers

needs_fork = pytest.mark.skipif(not workers.can_fork(), reason="needs Linux, one thread, 2 cores")


def _slow_square(item: int) -> tuple[int, int]:
    time.sleep(0.002)  # long enough that the child gets chunks too
    return item * item, os.getpid()


@needs_fork
def test_results_are_in_order_and_both_processes_worked() -> None:
    items = list(range(200))
    seen: list[int] = []
    results = workers.split_map(_slow_square, items, chunk=4, progress=seen.append)
    assert [square for square, _ in results] == [i * i for i in items]
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) == 2  # the child computed some chunks
    assert seen == sorted(seen) and 0 < seen[-1] <= len(items)


@needs_fork
def test_only_what_the_child_computed_goes_through_send_and_receive() -> None:
    items = list(range(120))

    def send(result: tuple[int, int]) -> tuple[int, int]:
        return (-result[0], result[1])

    def receive(item: int, sent: tuple[int, int]) -> tuple[int, int]:
        assert sent[0] == -item * item  # as sent, for this item
        return (-sent[0] + 1, sent[1])

    results = workers.split_map(_slow_square, items, chunk=4, send=send, receive=receive)
    for item, (value, pid) in zip(items, results, strict=True):
        assert value == (item * item if pid == os.getpid() else item * item + 1)
    assert len({pid for _, pid in results}) == 2  # both processes computed some


@needs_fork
def test_a_child_that_dies_costs_time_not_results() -> None:
    parent = os.getpid()

    def dies_in_child(item: int) -> int:
        if os.getpid() != parent:
            os._exit(3)  # as if killed halfway: it took a chunk and sends nothing
        time.sleep(0.001)
        return item + 1

    items = list(range(100))
    assert workers.split_map(dies_in_child, items, chunk=4) == [i + 1 for i in items]


@needs_fork
@pytest.mark.parametrize("child", ["works", "dies"])
def test_on_chunk_sees_every_result_once_here(child: str) -> None:
    parent = os.getpid()

    def work(item: int) -> tuple[int, int]:
        if child == "dies" and os.getpid() != parent and item > 40:
            os._exit(3)  # chunks it took and never sent are computed here, and seen then
        return _slow_square(item)

    chunks: list[list[tuple[int, int]]] = []
    items = list(range(100))
    results = workers.split_map(work, items, chunk=4, on_chunk=chunks.append)
    seen = sorted(result for part in chunks for result in part)
    assert seen == sorted(results) and len(seen) == len(items)
    assert all(1 <= len(part) <= 4 for part in chunks)
    assert len({pid for _, pid in results}) == 2  # the child's chunks were seen here too


@needs_fork
def test_a_child_that_raises_costs_time_not_results() -> None:
    parent = os.getpid()

    def raises_in_child(item: int) -> str:
        if os.getpid() != parent and item > 50:
            raise RuntimeError("boom")
        time.sleep(0.001)
        return str(item)

    items = list(range(100))
    assert workers.split_map(raises_in_child, items, chunk=4) == [str(i) for i in items]


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not workers.can_fork()
    finally:
        stop.set()
        thread.join()


@needs_fork
def test_results_larger_than_the_pipe_come_back_whole() -> None:
    def big(item: int) -> str:
        time.sleep(0.0005)
        return str(item) * 20_000  # the child's share: megabytes, through a 64 KB pipe

    items = list(range(200))
    results = workers.split_map(big, items, chunk=8)
    assert results == [str(i) * 20_000 for i in items]


def test_a_core_is_free_when_fewer_tasks_are_ready_than_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for loadavg, cores, free in (
        ("0.10 0.20 0.30 1/300 99", 2, True),  # only this process runs
        ("1.90 1.80 1.50 3/300 99", 2, False),  # two others hold both cores
        ("1.90 1.80 1.50 3/300 99", 4, True),
    ):
        data = loadavg.encode()
        monkeypatch.setattr(
            workers, "open", lambda *_a, data=data, **_k: io.BytesIO(data), raising=False
        )
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        assert workers.core_free() is free
