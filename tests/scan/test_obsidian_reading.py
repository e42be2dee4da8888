"""The vault read the way Obsidian reads it: tags, Excluded files, plugin files, odd names."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.scan.conftest import Write, scan
from vaultcurator.cli import main
from vaultcurator.config import ScanSettings
from vaultcurator.store import Store
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault import frontmatter as fm
from vaultcurator.vault.rescan import rescan_paths

# --------------------------------------------------------------------------- inline tags


@pytest.mark.parametrize(
    ("body", "tags"),
    [
        ("See [[#Open a vault]] and [[#Heading]].", []),
        ("See [[Other note#Open]] and [[Other note#^block]].", []),
        ("Embedded ![[Note#Section]] here.", []),
        ("[[Note|alias with #fake]] but #real", ["real"]),
        ("A URL https://example.com/page#section and <https://x.org/#top>.", []),
        ("A link [text](https://example.com/a?b=1#frag) and [local](#anchor).", []),
        ("Code `#notatag` and ``a `#nor` b``, then #yes", ["yes"]),
        ("```\n#infence\n```\n#after", ["after"]),
        ("- item\n    ```python\n    #indented_fence\n    ```\n#out", ["out"]),
        ("~~~~\n#tilde\n~~~~\n#t2", ["t2"]),
        ("#top\nnever closed:\n```\n#inside", ["top"]),
        ("x#glued (#paren) #ok,#no 1#n", ["ok"]),
        ("\t#tabbed and #nested/tag/ #2024 #y2024", ["tabbed", "nested/tag", "y2024"]),
        ("# Heading\n#heading-tag", ["heading-tag"]),
        ("café #日本語 #émoji🌲", ["日本語", "émoji"]),
    ],
)
def test_inline_tags_only_where_obsidian_sees_a_tag(body: str, tags: list[str]) -> None:
    assert fm.inline_tags(body) == tags


# --------------------------------------------------------------------------- Excluded files


def _app_json(vault: Path, filters: list[str]) -> None:
    (vault / ".obsidian").mkdir(exist_ok=True)
    (vault / ".obsidian" / "app.json").write_text(json.dumps({"userIgnoreFilters": filters}))


def test_obsidian_excluded_files_are_not_notes_and_are_listed(vault: Path, write: Write) -> None:
    write("Private/secret.md", "my bank PIN #private\n")
    write("Private/deep/more.md", "x\n")
    write("Drafts notes.md", "prefix match, like Obsidian\n")
    write("Archive/2020/a.md", "regex match\n")
    write("Archive/2021/keep.md", "kept\n")
    write("Logs/x.log.md", "glob match\n")
    write("Public.md", "kept\n")
    _app_json(vault, ["Private/", "Drafts", "/^Archive/2020/", "*.log.md", "/[broken/"])
    inventory = scan(vault)
    assert [n.path for n in inventory.notes] == ["Archive/2021/keep.md", "Public.md"]
    assert inventory.skipped == [
        ("Archive/2020/", "excluded in Obsidian (Excluded files: /^Archive/2020/)"),
        ("Drafts notes.md", "excluded in Obsidian (Excluded files: Drafts)"),
        ("Logs/x.log.md", "excluded in Obsidian (Excluded files: *.log.md)"),
        ("Private/", "excluded in Obsidian (Excluded files: Private/)"),
    ]
    everything = scan(vault, obsidian_excluded=False)
    assert len(everything.notes) == 7 and everything.skipped == []


def test_scan_command_says_what_obsidian_excluded(
    vault: Path, write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    write("Private/secret.md", "secret\n")
    write("a.md", "a\n")
    _app_json(vault, ["Private"])
    assert main(["scan", str(vault)]) == 0
    out = capsys.readouterr().out
    assert "1 notes" in out
    assert "Skipped (1)" in out and "Private/: excluded in Obsidian" in out
    assert main(["scan", str(vault), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["skipped"] == [
        {"path": "Private/", "reason": "excluded in Obsidian (Excluded files: Private)"}
    ]
    assert [n["path"] for n in doc["notes"]] == ["a.md"]


# --------------------------------------------------------------------------- plugin files

EXCALIDRAW = (
    "---\nexcalidraw-plugin: parsed\ntags: [excalidraw]\n---\n⚠ Switch to EXCALIDRAW VIEW\n"
)
KANBAN = "---\nkanban-plugin: basic\n---\n## To do\n- [ ] thing\n"


def test_plugin_files_skipped_and_listed(vault: Path, write: Write, store: Store) -> None:
    write("Drawings/Sketch.md", EXCALIDRAW)
    write("Drawings/Other.excalidraw.md", "no frontmatter at all\n")
    write("Board.md", KANBAN)
    write("Note.md", "---\ntags: [a]\n---\nProse.\n")
    for _ in range(2):  # cold, then from the cache
        inventory = scan(vault, store)
        assert [n.path for n in inventory.notes] == ["Note.md"]
        assert inventory.notes[0].index == 0
        assert inventory.skipped == [
            ("Board.md", "Kanban board (plugin file: kanban-plugin property)"),
            ("Drawings/Other.excalidraw.md", "Excalidraw drawing (plugin file)"),
            ("Drawings/Sketch.md", "Excalidraw drawing (plugin file: excalidraw-plugin property)"),
        ]
    assert scan(vault, store).files_read == 0
    # configurable: the same cache serves a scan that keeps them
    kept = scan(vault, store, skip_plugin_files=False)
    assert [n.path for n in kept.notes] == [
        "Board.md",
        "Drawings/Other.excalidraw.md",
        "Drawings/Sketch.md",
        "Note.md",
    ]
    assert all(n.status == "ok" for n in kept.notes) and kept.skipped == []
    assert [n.index for n in kept.notes] == [0, 1, 2, 3]


def test_rescan_skips_a_note_that_becomes_a_plugin_file(
    vault: Path, write: Write, store: Store
) -> None:
    write("a.md", "plain\n")
    write("b.md", "plain\n")
    inventory = scan(vault, store)
    write("a.md", KANBAN)
    again = rescan_paths(inventory, ScanSettings(), ["a.md"], [], StoreScanCache(store))
    assert [n.path for n in again.notes] == ["b.md"] and again.notes[0].index == 0
    assert again.skipped == [("a.md", "Kanban board (plugin file: kanban-plugin property)")]


# --------------------------------------------------------------------------- file names

needs_bytes_names = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="the file system only takes valid names"
)


def _bad_names(vault: Path) -> None:
    raw = os.fsencode(vault)
    with open(raw + b"/bad\xff name.md", "wb") as handle:
        handle.write(b"---\ntags: [x]\n---\nbody\n")
    os.mkdir(raw + b"/dir\xfe")
    with open(raw + b"/dir\xfe/inner.md", "wb") as handle:
        handle.write(b"inner\n")


@needs_bytes_names
def test_a_name_that_is_not_utf8_is_an_invalid_note(
    vault: Path, write: Write, store: Store
) -> None:
    write("good.md", "---\ntags: [ok]\n---\nfine\n")
    _bad_names(vault)
    for _ in range(2):
        inventory = scan(vault, store)
        by_path = {n.path: n for n in inventory.notes}
        assert sorted(by_path) == ["bad\\xff name.md", "dir\\xfe/inner.md", "good.md"]
        assert by_path["good.md"].status == "ok"
        for path in ("bad\\xff name.md", "dir\\xfe/inner.md"):
            assert by_path[path].status == "invalid"
            assert "not valid UTF-8" in (by_path[path].error or "")
    # watch mode hands over the OS spelling of the changed path
    changed = os.fsdecode(b"bad\xff name.md")
    again = rescan_paths(inventory, ScanSettings(), [changed], [], StoreScanCache(store))
    assert {n.path: n.status for n in again.notes}["bad\\xff name.md"] == "invalid"
    gone = rescan_paths(again, ScanSettings(), [], [changed], StoreScanCache(store))
    assert "bad\\xff name.md" not in {n.path for n in gone.notes}


@needs_bytes_names
@pytest.mark.parametrize(
    "argv",
    [
        ["scan"],
        ["scan", "--json"],
        ["estimate"],
        ["curate", "--engine", "local"],
    ],
)
def test_commands_go_on_past_a_name_that_is_not_utf8(
    vault: Path, write: Write, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    (vault / ".obsidian").mkdir()
    write("good.md", "---\ntags: [ok]\n---\nA real sentence about gardens and soil.\n")
    _bad_names(vault)
    code = main([argv[0], str(vault), *argv[1:]])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    assert "xff name.md" in out + err  # listed (escaped once more in JSON)


@needs_bytes_names
def test_watch_goes_on_past_a_name_that_is_not_utf8(
    vault: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real file-system events: a bad name appears, then a good note changes; both cycles run."""
    import queue
    import time

    from vaultcurator.pipeline.watch_service import WatchCycle, WatchService
    from vaultcurator.watch.observer import VaultWatcher
    from vaultcurator.workspace import open_workspace

    monkeypatch.setenv("VAULTCURATOR_CURATION_ENGINE", "local")
    (vault / ".obsidian").mkdir()
    good = write("good.md", "---\ntags: [garden]\n---\nA real sentence about the garden.\n")
    cycles: queue.Queue[WatchCycle] = queue.Queue()
    with open_workspace(vault) as ws:
        service = WatchService(ws, cycles.put, links=False)
        with VaultWatcher(ws.root, service.handle, delay=0.3):
            _bad_names(vault)
            with good.open("a", encoding="utf-8") as handle:
                handle.write("Another sentence about compost and soil.\n")
            seen: list[WatchCycle] = []
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not any("good.md" in c.changed for c in seen):
                try:
                    seen.append(cycles.get(timeout=0.2))
                except queue.Empty:
                    continue
    assert any("good.md" in c.changed for c in seen), seen
    assert all(c.error is None for c in seen), seen
    paths = {n.path for n in service._inventory.notes}
    assert "good.md" in paths
