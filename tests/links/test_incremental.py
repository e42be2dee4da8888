"""The incremental path of related links: a run that syncs only the notes changed since this
process's last run must leave the same index and propose the same links as one that looks at
every note."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.links.conftest import pending, run_links
from vaultcurator.links import delta, retrieve
from vaultcurator.links.index import LinkIndex, open_client
from vaultcurator.links.lexical import SparseIndex
from vaultcurator.links.propose import LinksReport, propose_related_links
from vaultcurator.links.sparse_rows import runs
from vaultcurator.store.proposals import add_proposal, add_proposals, list_proposals
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault.scan import scan_vault
from vaultcurator.workspace import Workspace, open_workspace

RUST = "Programming/Rust/Rust.md"
KIMCHI = "Cooking/Recipes/Kimchi.md"


@pytest.fixture
def twin(tmp_path: Path, vault_copy: Path) -> Iterator[Workspace]:
    """A second workspace on an identical copy of the vault."""
    other = tmp_path / "twin"
    shutil.copytree(vault_copy, other, ignore=shutil.ignore_patterns(".vaultcurator"))
    workspace = open_workspace(other)
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def partial_syncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many notes each partial sparse sync was given (empty: every run was full)."""
    sizes: list[int] = []
    real = retrieve.sync_sparse

    def spy(*args: Any, **kwargs: Any) -> retrieve.SparseSync:
        if kwargs.get("complete") is False:
            sizes.append(len(args[1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(retrieve, "sync_sparse", spy)
    return sizes


def _append(ws: Workspace, path: str, text: str) -> None:
    note = ws.root / path
    note.write_text(note.read_text(encoding="utf-8") + text, encoding="utf-8")


def _state(ws: Workspace, report: LinksReport) -> tuple[object, ...]:
    """What the index holds: sparse rows, Chroma records, the related list proposed per note."""
    sparse = SparseIndex.load(ws.state_dir)
    rows = [(r.path, r.hash, r.template, r.terms.tobytes(), r.mentions) for r in sparse.rows]
    entries = LinkIndex(open_client(ws.state_dir), report.collection, 0).entries()
    proposals = {p: pr.new_related for p, pr in pending(ws).items()}
    return rows, sorted(entries.values()), proposals


def _edit_and_rerun(ws: Workspace, before: Callable[[], None]) -> LinksReport:
    run_links(ws)
    _append(ws, RUST, "\nOwnership and borrowing, explained once more with lifetimes.\n")
    _append(ws, KIMCHI, "\nFermentation takes a week in a cool place.\n")
    before()
    return run_links(ws, paths=[RUST, KIMCHI])


def test_changed_notes_alone_are_synced_with_the_same_outcome_as_a_full_look(
    ws: Workspace, twin: Workspace, partial_syncs: list[int]
) -> None:
    full = _edit_and_rerun(twin, delta.forget)  # the last run forgotten: every note looked at
    assert partial_syncs == []
    fast = _edit_and_rerun(ws, lambda: None)
    assert partial_syncs == [2]
    assert (fast.embedded, fast.changed, fast.added, fast.deleted) == (2, 2, 0, 0)
    assert (fast.unchanged, fast.indexed, fast.computed) == (
        full.unchanged,
        full.indexed,
        full.computed,
    )
    assert fast.unchanged == fast.indexed - 2
    state = _state(ws, fast)
    assert state == _state(twin, full)
    assert state[2][RUST]  # links were proposed, the comparison is not of two empty lists


def test_a_note_made_a_template_leaves_the_index_as_in_a_full_look(
    ws: Workspace, twin: Workspace, partial_syncs: list[int]
) -> None:
    reports = []
    for workspace, before in ((twin, delta.forget), (ws, lambda: None)):
        run_links(workspace)
        _append(workspace, RUST, "\nDate {{date}}, mood {{mood}}.\n")
        before()
        reports.append(run_links(workspace, paths=[RUST]))
    assert partial_syncs == [1]
    full, fast = reports
    assert (fast.deleted, fast.indexed) == (full.deleted, full.indexed)
    assert RUST not in LinkIndex(open_client(ws.state_dir), fast.collection, 0).entries()
    assert _state(ws, fast) == _state(twin, full)
    delta.forget()
    again = run_links(ws)
    assert (again.embedded, again.added, again.deleted) == (0, 0, 0)


def test_incremental_lists_equal_a_fresh_full_run_on_the_same_vault(
    ws: Workspace, tmp_path: Path, partial_syncs: list[int]
) -> None:
    """The documented drift (other notes keep the IDF of the last full run until the next
    one) does not change these lists on this vault."""
    incremental = _edit_and_rerun(ws, lambda: None)
    assert partial_syncs == [2] and incremental.computed == 2
    fresh_copy = tmp_path / "fresh"
    shutil.copytree(ws.root, fresh_copy, ignore=shutil.ignore_patterns(".vaultcurator"))
    delta.forget()
    fresh = open_workspace(fresh_copy)
    try:
        run_links(fresh)
        for path in (RUST, KIMCHI):
            assert pending(ws)[path].new_related == pending(fresh)[path].new_related
            assert pending(ws)[path].new_related
    finally:
        fresh.close()


def test_a_run_after_incremental_ones_finds_nothing_left_to_sync(
    ws: Workspace, partial_syncs: list[int]
) -> None:
    _edit_and_rerun(ws, lambda: None)
    delta.forget()
    again = run_links(ws)
    assert (again.embedded, again.added, again.changed, again.deleted) == (0, 0, 0, 0)
    assert again.unchanged == again.indexed


def test_a_new_or_deleted_note_takes_the_full_path(ws: Workspace, partial_syncs: list[int]) -> None:
    run_links(ws)
    (ws.root / "Programming/Rust/Traits.md").write_text(
        "# Traits\nRust traits, generics and ownership of trait objects.\n", encoding="utf-8"
    )
    added = run_links(ws, paths=["Programming/Rust/Traits.md"])
    (ws.root / "Cooking/Recipes/Sourdough Bread.md").unlink()
    removed = run_links(ws, paths=[KIMCHI])
    assert partial_syncs == []
    assert (added.added, added.deleted, removed.deleted) == (1, 0, 1)
    assert removed.indexed == added.indexed - 1


def test_a_note_changed_after_the_scan_is_synced_by_the_next_run(
    ws: Workspace, partial_syncs: list[int]
) -> None:
    run_links(ws)
    _append(ws, RUST, "\nA first edit.\n")
    scanned = (ws.root / RUST).read_bytes()
    inventory = scan_vault(ws.root, ws.settings.scan, StoreScanCache(ws.store), keep_bodies=False)
    _append(ws, RUST, "\nA second edit, after the scan.\n")
    skipped = propose_related_links(ws, inventory, paths=[RUST])
    assert skipped.embedded == 0 and any("changed since the scan" in n for n in skipped.notices)
    (ws.root / RUST).write_bytes(scanned)  # back to the bytes that run saw, yet never synced
    later = run_links(ws, paths=[RUST])
    assert later.embedded == 1 and later.added + later.changed == 1
    assert partial_syncs == [1, 1]
    delta.forget()
    assert run_links(ws).embedded == 0


def test_a_template_found_by_its_body_stays_out_of_every_run(ws: Workspace) -> None:
    daily = "Daily.md"
    (ws.root / daily).write_text(
        "# Daily\nDate {{date}}, weather {{weather}}; notes on Rust ownership.\n", encoding="utf-8"
    )
    reports = []
    for _ in range(3):
        delta.forget()  # each run as a new process would make it: every note looked at
        reports.append(run_links(ws))
        entries = LinkIndex(open_client(ws.state_dir), reports[0].collection, 0).entries()
        assert daily not in entries
        row = SparseIndex.load(ws.state_dir).row(daily)  # kept: its text is not read again
        assert row is not None and row.template
    assert [(r.embedded, r.added, r.deleted) for r in reports[1:]] == [(0, 0, 0), (0, 0, 0)]
    assert reports[0].indexed == reports[1].indexed == reports[2].indexed


def test_runs_of_a_sorted_array_are_what_unique_gives() -> None:
    rng = np.random.default_rng(7)
    for size in (0, 1, 2, 7, 1000):
        ordered = np.sort(rng.integers(0, 40, size).astype(np.uint64))
        expected = np.unique(ordered, return_index=True, return_counts=True)
        for got, want in zip(runs(ordered), expected, strict=True):
            assert got.dtype == want.dtype and np.array_equal(got, want)


def test_proposals_added_in_one_transaction_are_those_added_one_by_one(
    ws: Workspace, twin: Workspace
) -> None:
    first = {"note_index": 0, "engine": "curation", "new_tags": ["rust"], "old_tags": []}
    later = [
        {"path": "a.md", "base_hash": "h1", "old_related": [], "new_related": ["[[B]]"]},
        {"path": "b.md", "base_hash": "h3", "old_related": [], "new_related": ["[[A]]"]},
        {"path": "c.md", "base_hash": "h4", "old_related": ["[[A]]"], "new_related": []},
    ]
    later = [{**item, "note_index": 1, "engine": "links"} for item in later]
    for workspace in (ws, twin):
        add_proposal(workspace.store, path="a.md", base_hash="h1", **first)  # merged into
        add_proposal(workspace.store, path="b.md", base_hash="h2", **first)  # superseded
    ids = add_proposals(ws.store, later)
    one_by_one = [add_proposal(twin.store, **item) for item in later]

    def rows(workspace: Workspace) -> list[tuple[object, ...]]:
        found = list_proposals(workspace.store)
        return sorted(
            (p.id, p.path, p.state, p.base_hash, p.engine, p.new_tags, p.new_related) for p in found
        )

    assert ids == one_by_one and len(set(ids)) == 3
    assert rows(ws) == rows(twin)
    assert [r[2] for r in rows(ws)] == ["pending", "superseded", "pending", "pending"]
