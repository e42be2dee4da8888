"""``make demo``'s curation on a copy of the fixture vault: what a new user sees first.

Scan, ``curate --engine local``, ``review --print --json``, through the real entry point:
no description is the note's title, no tag is a stopword, nothing writes ``tags: []`` or an
empty description, and a note left without a description says why.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from vaultcurator.cli import main
from vaultcurator.engines.local_text import ALL_STOPWORDS
from vaultcurator.store import open_store
from vaultcurator.store.proposals import list_proposals


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, object]]]:
    import shutil

    root = Path(__file__).resolve().parents[2] / "fixtures_vault"
    vault = tmp_path_factory.mktemp("demo") / "demo-vault"
    shutil.copytree(root, vault, ignore=shutil.ignore_patterns(".vaultcurator"))
    assert main(["scan", str(vault)]) == 0
    assert main(["curate", str(vault), "--engine", "local"]) == 0
    return vault, {}


def _review(vault: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    main(["review", str(vault), "--print", "--json"])
    document = json.loads(capsys.readouterr().out)
    proposals: list[dict[str, object]] = document["proposals"]
    return proposals


def _added(diff: str) -> str:
    """The new frontmatter lines of a unified diff, as YAML-ish text."""
    return "\n".join(line[1:] for line in diff.splitlines() if line.startswith("+"))


def test_no_title_as_description_and_no_stopword_tag(
    demo: tuple[Path, dict[str, dict[str, object]]], capsys: pytest.CaptureFixture[str]
) -> None:
    vault, _ = demo
    with open_store(vault) as store:
        proposals = list_proposals(store, ["pending"])
    assert len(proposals) > 30
    for proposal in proposals:
        title = proposal.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if proposal.has_description and proposal.new_description != proposal.old_description:
            new = proposal.new_description or ""
            assert new.strip(), proposal.path
            assert new.casefold().strip(" .") != title.casefold(), proposal.path
            assert re.search(r"[.!?…。]$", new), (proposal.path, new)  # a sentence
        text = (vault / proposal.path).read_text(encoding="utf-8", errors="replace")
        added = {t for t in proposal.tags_added if f"#{t}" not in text}  # not the author's
        assert not {t.casefold() for t in added} & ALL_STOPWORDS, (proposal.path, added)
        # author tags are kept
        assert {t.casefold() for t in proposal.old_tags or []} <= {
            t.casefold() for t in proposal.new_tags or proposal.old_tags or []
        }, proposal.path


def test_nothing_empty_is_written_and_missing_descriptions_say_why(
    demo: tuple[Path, dict[str, dict[str, object]]], capsys: pytest.CaptureFixture[str]
) -> None:
    vault, _ = demo
    reviewed = _review(vault, capsys)
    notes = {str(p["path"]): p for p in reviewed}
    for path, proposal in notes.items():
        added = _added(str(proposal["diff"]))
        assert not re.search(r"^tags: \[\]\s*$", added, re.MULTILINE), path
        assert not re.search(r"^description: ?(\"\"|'')?\s*$", added, re.MULTILINE), path
    moc = notes["Finance/Finance MOC.md"]
    assert "description:" not in _added(str(moc["diff"]))
    assert str(moc["description_note"]).startswith("no description:")
    empty = notes["Inbox/Empty note.md"]
    assert empty["description_note"] == "no description: the note is empty"
    # the text form prints the reason before the hunks
    capsys.readouterr()
    main(["review", str(vault), "--print"])
    out = capsys.readouterr().out
    assert "# Finance/Finance MOC.md: no description:" in out


def test_descriptions_proposed_are_valid_yaml(
    demo: tuple[Path, dict[str, dict[str, object]]], capsys: pytest.CaptureFixture[str]
) -> None:
    vault, _ = demo
    for proposal in _review(vault, capsys):
        diff = str(proposal["diff"])
        if not diff:
            continue
        new_lines = [
            line[1:] for line in diff.splitlines() if not line.startswith(("---", "+++", "@@", "-"))
        ]
        text = "\n".join(new_lines).strip("\n")
        if text.startswith("---") and text.endswith("---"):
            assert isinstance(yaml.safe_load(text.strip("-\n")), dict), proposal["path"]


def test_a_tagged_note_gets_additions_only_from_its_own_evidence() -> None:
    """Maps of content link to one another and look alike, so their neighbours' tags voted
    other topics onto them (``Cooking MOC`` got ``finance``). Beside the author's tags, every
    addition must be backed by the note itself: its words, folder or links."""
    from vaultcurator.config import ScanSettings
    from vaultcurator.engines.local import _OWN_EVIDENCE, LocalCurator
    from vaultcurator.vault.scan import scan_vault

    inventory = scan_vault(Path(__file__).resolve().parents[2] / "fixtures_vault", ScanSettings())
    curator = LocalCurator(inventory)
    added_any = 0
    for note in inventory.valid:
        own = curator._note_tags(note)
        if not own:
            continue
        body = note.body or ""
        evidence = curator._note_evidence(note, body)
        added = curator.tags_for(note, body)[len(own) :]
        added_any += len(added)
        for tag in added:
            kinds = {k for k, v in evidence.get(tag, {}).items() if v > 0}
            assert kinds & set(_OWN_EVIDENCE), (note.path, tag, kinds)
    cooking = next(n for n in inventory.valid if n.path == "Cooking/Cooking MOC.md")
    assert "finance" not in curator.tags_for(cooking, cooking.body or "")
    assert added_any > 0  # the rule filters; it does not switch additions off
