"""``vaultcurator review VAULT --approve/--reject`` with rules, through the real entry point:
what matches is decided and named; rejected proposals stay rejected; nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vaultcurator.cli import main
from vaultcurator.review.actions import reject
from vaultcurator.store.proposals import add_proposal, get_proposal, list_proposals
from vaultcurator.workspace import open_workspace, scan

NOTES = {
    "Journal/a.md": "---\ntags: [daily]\n---\nA.\n",
    "Journal/b.md": "---\ntags: [daily, mood]\ndescription: Mine.\n---\nB.\n",
    "Projects/c.md": "---\ntags: [work]\n---\nC.\n",
    "Projects/d.md": "---\ntags: [work]\n---\nD.\n",
}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """Four notes, four pending proposals of different kinds (path -> what it changes):
    a: adds a tag (tags only, no removal); b: drops 'mood' and replaces the description;
    c: only a description; d: adds a tag (tags only) but is rejected first."""
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    for path, text in NOTES.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    with open_workspace(root) as ws:
        notes = scan(ws).by_path()

        def propose(path: str, **fields: object) -> int:
            note = notes[path]
            return add_proposal(
                ws.store,
                path=path,
                note_index=note.index,
                base_hash=note.hash,
                engine="local",
                old_tags=list(note.tags),
                old_description=note.description,
                **fields,  # type: ignore[arg-type]
            )

        propose("Journal/a.md", new_tags=["daily", "journal"])
        propose(
            "Journal/b.md",
            new_tags=["daily"],
            new_description="Another.",
            set_description=True,
        )
        propose("Projects/c.md", new_description="About C.", set_description=True)
        d = propose("Projects/d.md", new_tags=["work", "client"])
        reject(ws.store, [d])
    return root


def states(vault: Path) -> dict[str, str]:
    with open_workspace(vault) as ws:
        return {p.path: p.state for p in list_proposals(ws.store, None)}


def test_approve_tags_only_without_removals_keeps_the_rejection(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: (vault / p).read_bytes() for p in NOTES}
    code = main(
        ["review", str(vault), "--approve", "--where", "tags-only", "--where", "no-removals"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "approved: Journal/a.md" in out
    assert (
        "Approved 1 pending proposal(s) (tags-only, no-removals); 2 pending did not match." in out
    )
    assert "1 rejected proposal(s) match but keep their decision." in out
    assert f"Write them with: vaultcurator apply {vault}" in out
    assert states(vault) == {
        "Journal/a.md": "approved",
        "Journal/b.md": "pending",
        "Projects/c.md": "pending",
        "Projects/d.md": "rejected",
    }
    assert {p: (vault / p).read_bytes() for p in NOTES} == before  # review writes nothing


def test_path_glob_and_max_tags_removed(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["review", str(vault), "--approve", "--path", "Journal/**", "--max-tags-removed", "0"])
        == 0
    )
    assert states(vault)["Journal/a.md"] == "approved"
    assert states(vault)["Journal/b.md"] == "pending"  # takes 'mood' off
    assert main(["review", str(vault), "--reject", "--path", "Journal/**"]) == 0
    out = capsys.readouterr().out
    assert "rejected: Journal/b.md" in out
    assert states(vault)["Journal/a.md"] == "approved"  # a decision is never overridden


def test_description_only_dry_run_and_json(vault: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["review", str(vault), "--approve", "--where", "description-only", "--dry-run"]) == 0
    )
    out = capsys.readouterr().out
    assert "would approve: Projects/c.md" in out
    assert states(vault)["Projects/c.md"] == "pending"
    assert main(["review", str(vault), "--approve", "--where", "description-only", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [d["path"] for d in doc["decided"]] == ["Projects/c.md"]
    assert doc["left_alone"] == {} and doc["pending_not_matched"] == 2
    assert states(vault)["Projects/c.md"] == "approved"


def test_rule_errors_are_one_line_usage_errors(
    vault: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", str(vault), "--where", "tags-only"]) == 2
    assert "need --approve or --reject" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        main(["review", str(vault), "--approve", "--where", "everything"])
    assert raised.value.code == 2
    assert "invalid choice: 'everything'" in capsys.readouterr().err
    with open_workspace(vault) as ws:
        assert get_proposal(ws.store, 1) is not None
