"""Selection: new or changed notes by default, --all, --only GLOB, --limit; never invalid ones."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vaultcurator.curation.plan import path_matches, plan_selection, select_notes
from vaultcurator.store import Store, open_store
from vaultcurator.store.proposals import add_proposal, set_state
from vaultcurator.vault.model import Inventory, Note

from .conftest import make_note


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path) as s:
        yield s


@pytest.fixture
def inventory() -> Inventory:
    notes = [
        make_note(0, "Home.md"),
        make_note(1, "Journal/2026/01.md"),
        make_note(2, "Journal/2026/02.md"),
        make_note(3, "Journal/broken.md", status="invalid"),
        make_note(4, "Reading/Books/Dune.md"),
        make_note(5, "Reading/List.md"),
    ]
    return Inventory(Path("/v"), notes)


def paths(notes: list[Note]) -> list[str]:
    return [n.path for n in notes]


def propose(store: Store, note: Note, base_hash: str | None = None) -> int:
    return add_proposal(
        store,
        path=note.path,
        note_index=note.index,
        base_hash=base_hash or note.hash,
        engine="local",
        new_tags=["x"],
    )


def journal(store: Store, path: str, new_hash: str, *, undone: bool = False) -> None:
    run = store.execute("INSERT INTO apply_runs(started_at) VALUES (?)", (time.time(),)).lastrowid
    store.execute(
        "INSERT INTO journal(run_id, path, prev_hash, new_hash, written_at, undone_at)"
        " VALUES (?, ?, 'old', ?, ?, ?)",
        (run, path, new_hash, time.time(), time.time() if undone else None),
    )


def test_fresh_vault_selects_every_valid_note(inventory: Inventory, store: Store) -> None:
    selection = plan_selection(inventory, store)
    assert paths(selection.notes) == [
        "Home.md",
        "Journal/2026/01.md",
        "Journal/2026/02.md",
        "Reading/Books/Dune.md",
        "Reading/List.md",
    ]
    assert paths(selection.invalid) == ["Journal/broken.md"]


def test_curated_notes_are_skipped_until_they_change(inventory: Inventory, store: Store) -> None:
    home, jan, feb, _, dune, reading = inventory.notes
    propose(store, home)  # pending, same bytes
    rejected = propose(store, jan)
    set_state(store, [rejected], "rejected")  # seen and rejected: still curated
    propose(store, feb, base_hash="older-bytes")  # the note changed since
    failed = propose(store, dune)
    set_state(store, [failed], "failed")  # a failed proposal does not count
    journal(store, reading.path, reading.hash)  # our write produced its bytes
    selection = plan_selection(inventory, store)
    assert paths(selection.notes) == ["Journal/2026/02.md", "Reading/Books/Dune.md"]
    assert selection.up_to_date == 3


def test_undone_write_and_superseded_proposal_do_not_count(
    inventory: Inventory, store: Store
) -> None:
    home, jan, *_ = inventory.notes
    journal(store, home.path, home.hash, undone=True)
    pid = propose(store, jan)
    set_state(store, [pid], "superseded")
    assert {"Home.md", "Journal/2026/01.md"} <= set(paths(select_notes(inventory, store)))


def test_all_takes_curated_notes_too(inventory: Inventory, store: Store) -> None:
    for note in inventory.valid:
        propose(store, note)
    assert select_notes(inventory, store) == []
    assert len(select_notes(inventory, store, all_notes=True)) == 5


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("Journal/**", ["Journal/2026/01.md", "Journal/2026/02.md"]),
        ("Journal/*", ["Journal/2026/01.md", "Journal/2026/02.md"]),
        ("Journal", ["Journal/2026/01.md", "Journal/2026/02.md"]),
        ("**/Dune.md", ["Reading/Books/Dune.md"]),
        ("**/Home.md", ["Home.md"]),
        (
            "*.md",
            [
                "Home.md",
                "Journal/2026/01.md",
                "Journal/2026/02.md",
                "Reading/Books/Dune.md",
                "Reading/List.md",
            ],
        ),
        ("Reading/*/D?ne.md", ["Reading/Books/Dune.md"]),
        ("./Reading/List.md", ["Reading/List.md"]),
        ("reading/**", []),  # case-sensitive, like the paths themselves
    ],
)
def test_only_glob(inventory: Inventory, pattern: str, expected: list[str]) -> None:
    assert paths(select_notes(inventory, None, only=pattern)) == expected


def test_only_reports_matching_invalid_notes_only(inventory: Inventory) -> None:
    assert paths(plan_selection(inventory, None, only="Reading/**").invalid) == []
    assert paths(plan_selection(inventory, None, only="Journal/**").invalid) == [
        "Journal/broken.md"
    ]


def test_limit_keeps_the_first_in_index_order(inventory: Inventory, store: Store) -> None:
    propose(store, inventory.notes[0])
    selection = plan_selection(inventory, store, limit=2)
    assert paths(selection.notes) == ["Journal/2026/01.md", "Journal/2026/02.md"]
    assert selection.limited == 2
    assert select_notes(inventory, store, limit=0) == []


def test_path_matches_is_a_plain_fnmatch_otherwise() -> None:
    assert path_matches("a/b/c.md", "a/*/c.md")
    assert not path_matches("a/b/c.md", "b/**")
