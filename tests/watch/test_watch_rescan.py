"""A watch cycle reads only the paths its events named, and ends with what a full scan sees.

`rescan` is imported at module level on purpose: imported after `scan.read_file` is patched,
it would bind the patched function and monkeypatch would "restore" it, leaking into later tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vaultcurator.pipeline.watch_service import WatchCycle, WatchService
from vaultcurator.vault import rescan as rescan_module
from vaultcurator.vault import scan as scan_module
from vaultcurator.watch.events import ChangeSet
from vaultcurator.workspace import Workspace, open_workspace, scan

NOTE = "Gardening/Tomatoes.md"


@pytest.fixture
def ws(vault_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """The fixture vault on the offline engine (as the end-to-end watch tests use it)."""
    monkeypatch.setenv("VAULTCURATOR_CURATION_ENGINE", "local")
    with open_workspace(vault_copy) as workspace:
        yield workspace


def _view(ws: Workspace) -> list[tuple[int, str, str, str]]:
    return [(n.index, n.path, n.hash, n.status) for n in scan(ws).notes]


def test_a_cycle_reads_just_the_changed_paths(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycles: list[WatchCycle] = []
    service = WatchService(ws, cycles.append, links=False)
    read: list[str] = []
    real_read = scan_module.read_file

    def counting_read(os_path: str, *args: object, **kwargs: object) -> object:
        read.append(Path(os_path).relative_to(ws.root).as_posix())
        return real_read(os_path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scan_module, "read_file", counting_read)
    monkeypatch.setattr(rescan_module, "read_file", counting_read)
    note = ws.root / NOTE
    note.write_bytes(note.read_bytes() + b"\nStake them in July.\n")
    (ws.root / "A new note.md").write_text("# New\n\nA brand new note about compost.\n")
    gone_rel = next(p for p in sorted(service._known) if p != NOTE)
    (ws.root / gone_rel).unlink()
    cycle = service.handle(
        ChangeSet(changed={NOTE, "A new note.md", ".obsidian/x.md"}, deleted={gone_rel})
    )
    assert cycle.error is None
    assert sorted(read) == sorted([NOTE, "A new note.md"])
    assert cycle.changed == sorted([NOTE, "A new note.md"])
    assert cycle.deleted == [gone_rel]
    # Same inventory (global indices included) as a full scan of the vault now.
    assert [(n.index, n.path, n.hash, n.status) for n in service._inventory.notes] == _view(ws)


def test_a_moved_folder_falls_back_to_a_full_incremental_scan(ws: Workspace) -> None:
    service = WatchService(ws, lambda cycle: None, links=False)
    folder = ws.root / "Gardening"
    folder.rename(ws.root / "Garden")
    cycle = service.handle(ChangeSet(rescan=True))
    assert cycle.error is None
    assert any(p.startswith("Garden/") for p in cycle.changed)
    assert all(not p.startswith("Gardening/") for p in service._known)
