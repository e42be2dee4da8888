"""What is not a note: dot-folders, the templates folder, the user's exclude globs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.scan.conftest import Write, scan
from vaultcurator.vault.ignore import IgnoreRules, glob_to_regex, templates_folder


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("Templates/**", "Templates", True),
        ("Templates/**", "Templates/a/b.md", True),
        ("Templates/**", "Other/Templates/a.md", False),
        ("*.excalidraw.md", "x.excalidraw.md", True),
        ("*.excalidraw.md", "deep/er/x.excalidraw.md", True),
        ("*.excalidraw.md", "x.md", False),
        ("Daily/*.md", "Daily/2025-01-01.md", True),
        ("Daily/*.md", "Daily/sub/2025-01-01.md", False),
        ("**/drafts/**", "drafts/a.md", True),
        ("**/drafts/**", "a/b/drafts/c/d.md", True),
        ("**/drafts/**", "a/drafts-old/c.md", False),
        ("note?.md", "note1.md", True),
        ("note?.md", "note10.md", False),
        ("[!a]*.md", "b.md", True),
        ("[!a]*.md", "a.md", False),
        ("/Inbox/", "Inbox", True),
        ("a+b (1).md", "a+b (1).md", True),
    ],
)
def test_glob(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_to_regex(pattern).match(path)) is matches


def test_dot_folders_and_dot_files_are_never_notes(vault: Path, write: Write) -> None:
    for rel in [
        ".obsidian/x.md",
        ".trash/x.md",
        ".git/x.md",
        ".vaultcurator/x.md",
        ".hidden.md",
        "a/.b/c.md",
        "a/.dot.md",
    ]:
        write(rel, "x")
    write("a/visible.md", "x")
    assert [n.path for n in scan(vault).notes] == ["a/visible.md"]


def test_templates_folder_from_obsidian_settings(vault: Path, write: Write) -> None:
    write(".obsidian/templates.json", json.dumps({"folder": "Meta/Templates/"}))
    write("Meta/Templates/Daily.md", "---\ndate: {{date}}\n---\n")
    write("Meta/Other.md", "x")
    write("Templates/not-the-templates-folder.md", "x")
    assert templates_folder(vault) == "Meta/Templates"
    assert [n.path for n in scan(vault).notes] == [
        "Meta/Other.md",
        "Templates/not-the-templates-folder.md",
    ]
    with_templates = scan(vault, skip_templates_folder=False).notes
    assert [n.path for n in with_templates][1] == "Meta/Templates/Daily.md"


def test_templater_folder(vault: Path, write: Write) -> None:
    write(".obsidian/plugins/templater-obsidian/data.json", json.dumps({"templates_folder": "T"}))
    write("T/t.md", "x")
    write("n.md", "x")
    assert [n.path for n in scan(vault).notes] == ["n.md"]


def test_unreadable_obsidian_settings_are_ignored(vault: Path, write: Write) -> None:
    write(".obsidian/templates.json", "{not json")
    write("Templates/t.md", "x")
    assert templates_folder(vault) is None
    assert [n.path for n in scan(vault).notes] == ["Templates/t.md"]


def test_user_excludes(vault: Path, write: Write) -> None:
    for rel in [
        "Drawings/a.excalidraw.md",
        "x.excalidraw.md",
        "Archive/old.md",
        "Archive/deep/older.md",
        "keep/Archive/k.md",
        "n.md",
    ]:
        write(rel, "x")
    notes = scan(vault, exclude=["*.excalidraw.md", "Archive/**"]).notes
    assert [n.path for n in notes] == ["keep/Archive/k.md", "n.md"]


def test_folder_exclude_prunes_the_walk(vault: Path) -> None:
    rules = IgnoreRules.build(["Archive/**", "Daily/*"])
    assert rules.skips_dir("Archive")
    assert rules.skips_dir("Daily/2025")
    assert not rules.skips_dir("Projects")
    assert not rules.skips_file("Daily.md")
