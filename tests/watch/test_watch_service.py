"""Watch mode end to end: real inotify events -> local curation -> proposals or applied."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vaultcurator.pipeline.watch_service import WatchCycle, WatchService
from vaultcurator.store.proposals import list_proposals
from vaultcurator.watch.observer import VaultWatcher
from vaultcurator.workspace import Workspace, open_workspace

NOTE = "Gardening/Tomatoes.md"


@pytest.fixture
def ws(vault_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv("VAULTCURATOR_CURATION_ENGINE", "local")
    workspace = open_workspace(vault_copy)
    yield workspace
    workspace.close()


def _cycles_until(
    cycles: queue.Queue[WatchCycle], predicate: object, timeout: float = 20.0
) -> list[WatchCycle]:
    seen: list[WatchCycle] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            cycle = cycles.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(cycle)
        if predicate(cycle):  # type: ignore[operator]
            return seen
    raise AssertionError(f"no matching cycle within {timeout}s; saw {seen}")


def _append(path: Path, text: str) -> None:
    with path.open("ab") as handle:
        handle.write(text.encode("utf-8"))


def test_a_saved_note_gets_a_pending_proposal_and_is_not_written(ws: Workspace) -> None:
    cycles: queue.Queue[WatchCycle] = queue.Queue()
    service = WatchService(ws, cycles.put, links=False)
    note = ws.root / NOTE
    assert (ws.root / NOTE).is_file()
    with VaultWatcher(ws.root, service.handle, delay=0.3):
        _append(note, "\nTomatoes need staking and deep watering in July.\n")
        after_edit = note.read_bytes()
        seen = _cycles_until(cycles, lambda c: NOTE in c.changed)
    cycle = seen[-1]
    assert cycle.error is None
    assert cycle.changed == [NOTE]
    assert cycle.report is not None and cycle.report.proposals == 1
    pending = list_proposals(ws.store, ["pending"])
    assert [p.path for p in pending] == [NOTE]
    assert pending[0].engine == "local"
    assert note.read_bytes() == after_edit  # review mode: nothing written


def test_auto_apply_writes_once_and_our_own_write_does_not_loop(ws: Workspace) -> None:
    ws.settings.watch.auto_apply = True
    cycles: queue.Queue[WatchCycle] = queue.Queue()
    service = WatchService(ws, cycles.put, links=False)
    note = ws.root / NOTE
    with VaultWatcher(ws.root, service.handle, delay=0.3):
        _append(note, "\nA second planting in late June.\n")
        _cycles_until(cycles, lambda c: c.report is not None and c.report.proposals == 1)
        # Our write produced events too: the next cycle sees the change, finds it curated.
        later = _cycles_until(cycles, lambda c: NOTE in c.changed)
        time.sleep(1.0)
    assert later[-1].report is not None and later[-1].report.status == "empty"
    writes = ws.store.query("SELECT count(*) AS n FROM journal WHERE path = ?", (NOTE,))
    assert writes[0]["n"] == 1
    text = note.read_text(encoding="utf-8")
    assert text.startswith("---") and "tags:" in text
    assert text.endswith("A second planting in late June.\n")
    applied = list_proposals(ws.store, ["applied"])
    assert [p.path for p in applied] == [NOTE]
