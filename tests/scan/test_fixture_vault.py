"""The repo's fixture vault scans the way its notes say they should."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.scan.conftest import scan
from vaultcurator.vault.model import Inventory


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    from tests.conftest import FIXTURE_VAULT

    return scan(FIXTURE_VAULT)  # no store: never write into the repo's fixture


def test_lists_every_note_and_nothing_else(inventory: Inventory) -> None:
    paths = [n.path for n in inventory.notes]
    assert len(paths) == 52
    assert paths == sorted(paths)
    assert [n.index for n in inventory.notes] == list(range(52))
    assert "Archive/2024/EXPORT.MD" in paths  # upper-case suffix
    assert "Inbox/Ideas 💡.md" in paths
    assert "Reading/読書メモ.md" in paths
    assert not [p for p in paths if p.startswith((".obsidian/", ".trash/", "Templates/"))]
    assert not [p for p in paths if not p.lower().endswith(".md")]


def test_nasty_notes_are_reported_not_fatal(inventory: Inventory) -> None:
    errors = {n.path: n.error for n in inventory.invalid}
    assert set(errors) == {
        "Archive/2024/Scalar frontmatter.md",
        "Finance/Tax Notes.md",
        "Inbox/Untitled.md",
        "Journal/2025/2025-12-24.md",
        "Reading/Notes on Zettelkasten.md",
        "Reading/Reading List.md",
    }
    assert "line 3" in (errors["Finance/Tax Notes.md"] or "")
    assert "not UTF-8" in (errors["Journal/2025/2025-12-24.md"] or "")
    assert "a list" in (errors["Reading/Reading List.md"] or "")
    assert "never closed" in (errors["Reading/Notes on Zettelkasten.md"] or "")


def test_crlf_bom_and_messy_tags(inventory: Inventory) -> None:
    notes = inventory.by_path()
    git = notes["Programming/Git Cheatsheet.md"]
    assert git.status == "ok" and git.tags == ["git", "tooling", "programming"]
    assert git.body is not None and git.body.startswith("# Git Cheatsheet\r\n")
    meal = notes["Cooking/Meal Planning.md"]
    assert meal.status == "ok" and meal.tags == ["cooking", "planning"]
    assert notes["Programming/Python/Async IO in Python.md"].tags[0] == "python"  # '#python'
    assert notes["Inbox/Ideas 💡.md"].tags == ["idea", "inbox"]  # 'tags: idea, inbox'
    assert notes["Inbox/Ideas 💡.md"].inline_tags == ["someday", "Idea"]


def test_inline_tags_skip_code(inventory: Inventory) -> None:
    decorators = inventory.by_path()["Programming/Python/Python Decorators.md"]
    assert decorators.inline_tags == ["python/advanced"]  # not 'tag' from '# not a #tag'


def test_note_fields(inventory: Inventory) -> None:
    from tests.conftest import FIXTURE_VAULT

    python = inventory.by_path()["Programming/Python/Python.md"]
    data = (FIXTURE_VAULT / python.path).read_bytes()
    assert python.hash == hashlib.sha256(data).hexdigest()
    assert python.size == len(data)
    assert python.mtime_ns == (FIXTURE_VAULT / python.path).stat().st_mtime_ns
    assert python.description == "Index of my Python notes, from decorators to packaging."
    assert python.frontmatter["up"] == "[[Programming MOC]]"
    assert python.frontmatter["created"] == "2025-11-04"  # JSON-shaped, as from the cache
    assert python.body is not None and python.body.startswith("# Python\n")
    assert python.title == "Python"


def test_fixture_bytes_survive_git(inventory: Inventory) -> None:
    """.gitattributes keeps CRLF, BOM and Latin-1 bytes exactly as written."""
    from tests.conftest import FIXTURE_VAULT

    assert b"\r\n" in (FIXTURE_VAULT / "Programming/Git Cheatsheet.md").read_bytes()
    assert (FIXTURE_VAULT / "Cooking/Meal Planning.md").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"cr\xeapes" in (FIXTURE_VAULT / "Journal/2025/2025-12-24.md").read_bytes()
    assert Path(FIXTURE_VAULT / ".obsidian/templates.json").is_file()
