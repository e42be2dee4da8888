"""Proposals as structured diffs and as unified diffs of the frontmatter."""

from __future__ import annotations

from tests.review.conftest import propose
from vaultcurator.review.diff import (
    frontmatter_unified_diff,
    list_change,
    proposal_diff,
    render_unified_diff,
)
from vaultcurator.store.proposals import get_proposal
from vaultcurator.workspace import Workspace

KIMCHI = "Cooking/Recipes/Kimchi.md"


def test_list_change_compares_tags_case_insensitively() -> None:
    change = list_change(["Recipe", "korean"], ["recipe", "spicy"], case_insensitive=True)
    assert change.added == ("spicy",)
    assert change.removed == ("korean",)
    assert change.kept == ("recipe",)
    assert change.changed
    assert not list_change(["a"], ["a"]).changed


def test_structured_diff_of_a_proposal(ws: Workspace) -> None:
    pid = propose(
        ws,
        KIMCHI,
        tags=["recipe", "korean", "cooking/fermentation"],
        description="Napa cabbage kimchi.",
        related=["[[Fermentation Basics]]", "[[Miso Soup]]"],
    )
    proposal = get_proposal(ws.store, pid)
    assert proposal is not None
    diff = proposal_diff(proposal)
    assert diff.tags is not None and diff.related is not None
    assert diff.tags.added == ("cooking/fermentation",)
    assert diff.tags.removed == ("fermentation", "fermenting")
    assert diff.related.added == ("[[Miso Soup]]",)
    assert diff.related.removed == ("[[Sourdough Bread]]",)
    assert diff.description_old is None
    assert diff.description_changed and diff.changes_anything


def test_untouched_keys_are_none(ws: Workspace) -> None:
    pid = propose(ws, KIMCHI, description="x")
    proposal = get_proposal(ws.store, pid)
    assert proposal is not None
    diff = proposal_diff(proposal)
    assert diff.tags is None and diff.related is None


def test_unified_diff_is_rendered_from_the_current_file(ws: Workspace) -> None:
    pid = propose(ws, KIMCHI, tags=["recipe", "korean"], description="Napa cabbage kimchi.")
    proposal = get_proposal(ws.store, pid)
    assert proposal is not None
    before = (ws.root / KIMCHI).read_bytes()
    rendered = render_unified_diff(ws.root, proposal)
    assert rendered.ok
    lines = rendered.text.splitlines()
    assert lines[0] == f"--- a/{KIMCHI}"
    assert lines[1] == f"+++ b/{KIMCHI}"
    assert "-  - fermentation" in lines
    assert "-  - fermenting" in lines
    assert "+description: Napa cabbage kimchi." in lines
    assert not any(line.startswith(("+#", "-#", " #")) for line in lines)  # body left out
    assert (ws.root / KIMCHI).read_bytes() == before  # rendering writes nothing


def test_stale_and_missing_notes_are_flagged(ws: Workspace) -> None:
    pid = propose(ws, KIMCHI, tags=["recipe"])
    note = ws.root / KIMCHI
    note.write_bytes(note.read_bytes() + b"\nedited after the proposal\n")
    proposal = get_proposal(ws.store, pid)
    assert proposal is not None
    rendered = render_unified_diff(ws.root, proposal)
    assert rendered.stale and rendered.error is None and not rendered.ok
    assert rendered.text.startswith("--- a/")
    note.unlink()
    gone = render_unified_diff(ws.root, proposal)
    assert gone.error == "note no longer exists" and gone.text == ""


def test_unparseable_note_is_an_error(ws: Workspace) -> None:
    path = "Archive/2024/Scalar frontmatter.md"
    pid = propose(ws, path, tags=["archive"])
    proposal = get_proposal(ws.store, pid)
    assert proposal is not None
    rendered = render_unified_diff(ws.root, proposal)
    assert rendered.error is not None and "mapping" in rendered.error
    assert not rendered.ok


def test_frontmatter_diff_of_a_note_without_frontmatter_and_crlf() -> None:
    old = b"# Title\r\nbody\r\n"
    new = b"---\r\ntags:\r\n  - a\r\n---\r\n# Title\r\nbody\r\n"
    text = frontmatter_unified_diff("x.md", old, new)
    assert text.splitlines()[2:] == ["@@ -0,0 +1,4 @@", "+---", "+tags:", "+  - a", "+---"]
    assert frontmatter_unified_diff("x.md", new, new) == ""
