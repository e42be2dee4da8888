"""Related-link proposals on the fixture vault: targets, k, exclusions, reruns, renames."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.links.conftest import pending, run_links, scan
from vaultcurator.links.index import LinkIndex, open_client
from vaultcurator.links.wikilinks import (
    LinkResolver,
    body_links,
    frontmatter_links,
    links_in_value,
    vault_markdown_paths,
)
from vaultcurator.store import links_state as state
from vaultcurator.store.proposals import add_proposal, list_proposals
from vaultcurator.vault import frontmatter as fm
from vaultcurator.workspace import Workspace


def _resolver(ws: Workspace) -> LinkResolver:
    return LinkResolver(vault_markdown_paths(ws.root))


def _targets(ws: Workspace, path: str, links: list[str]) -> list[str | None]:
    resolver = _resolver(ws)
    return [resolver.resolve(t, path) for item in links for t in links_in_value(item)]


def _index_paths(ws: Workspace, collection: str) -> set[str]:
    return set(LinkIndex(open_client(ws.state_dir), collection, 0).entries())


def test_links_point_to_existing_valid_notes_never_self_at_most_k(ws: Workspace) -> None:
    ws.settings.links.threshold = 0.0
    report = run_links(ws, k=2)
    inventory = scan(ws)
    valid = {n.path for n in inventory.valid}
    invalid = {n.path for n in inventory.invalid}
    proposals = pending(ws)
    assert report.proposals == len(proposals) > 0
    assert not set(proposals) & invalid
    for path, proposal in proposals.items():
        assert proposal.engine == "links" and proposal.new_related is not None
        fresh = proposal.new_related[len(proposal.old_related or []) :]
        assert len(fresh) <= 2
        for item in proposal.new_related:
            assert item.startswith("[[") and item.endswith("]]") and "|" not in item
        targets = _targets(ws, path, proposal.new_related)
        assert None not in targets and path not in targets
        assert set(_targets(ws, path, fresh)) <= valid


def _own_links(ws: Workspace, path: str) -> set[str | None]:
    """Notes ``path`` links to in its body or any property but the related one."""
    parsed = fm.parse((ws.root / path).read_bytes())
    body = parsed.layout.body if parsed.layout is not None else ""
    links = body_links(body) + frontmatter_links(parsed.frontmatter, skip=["related"])
    resolver = _resolver(ws)
    return {resolver.resolve(link, path) for link in links}


def test_notes_already_linked_either_way_are_not_proposed(ws: Workspace) -> None:
    ws.settings.links.threshold = 0.0
    run_links(ws, k=5)
    proposals = pending(ws)
    assert len(proposals) > 10
    assert _own_links(ws, "Home.md")  # the hub links out: its targets must be excluded
    checked = 0
    for path, proposal in proposals.items():
        fresh = proposal.new_related[len(proposal.old_related or []) :]  # type: ignore[index]
        for target in _targets(ws, path, fresh):
            assert target is not None
            assert target not in _own_links(ws, path), (path, "links to", target)
            assert path not in _own_links(ws, target), (target, "links to", path)
            checked += 1
    assert checked > 10


def test_existing_related_entries_are_kept_first(ws: Workspace) -> None:
    ws.settings.links.threshold = 0.0
    run_links(ws, k=4)
    kimchi = pending(ws)["Cooking/Recipes/Kimchi.md"]
    assert kimchi.old_related == ["[[Fermentation Basics]]", "[[Sourdough Bread]]"]
    assert kimchi.new_related is not None
    assert kimchi.new_related[:2] == kimchi.old_related
    assert len(kimchi.new_related) == 4


def test_rerun_with_nothing_changed_proposes_nothing_new(ws: Workspace) -> None:
    first = run_links(ws)
    before = [(p.id, p.new_related, p.updated_at) for p in list_proposals(ws.store)]
    again = run_links(ws)
    assert first.embedded > 0 and again.embedded == 0
    assert again.proposals == 0 and again.unchanged == first.indexed
    assert [(p.id, p.new_related, p.updated_at) for p in list_proposals(ws.store)] == before


def test_a_rejected_list_is_not_proposed_again_for_the_same_bytes(ws: Workspace) -> None:
    from vaultcurator.store.proposals import set_state

    run_links(ws)
    ids = [p.id for p in pending(ws).values()]
    set_state(ws.store, ids, "rejected")
    assert run_links(ws).proposals == 0


def test_links_merge_into_the_pending_curation_proposal(ws: Workspace) -> None:
    inventory = scan(ws)
    note = next(n for n in inventory.valid if n.path == "Finance/Index Funds.md")
    pid = add_proposal(
        ws.store,
        path=note.path,
        note_index=note.index,
        base_hash=note.hash,
        engine="local",
        old_tags=note.tags,
        new_tags=["finance/investing"],
    )
    ws.settings.links.threshold = 0.0
    run_links(ws)
    merged = pending(ws)[note.path]
    assert merged.id == pid and merged.new_tags == ["finance/investing"]
    assert merged.new_related


def test_one_changed_note_is_re_embedded_alone(ws: Workspace) -> None:
    run_links(ws)
    note = ws.root / "Programming/Rust/Rust.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nMore on traits.\n", encoding="utf-8")
    report = run_links(ws, paths=["Programming/Rust/Rust.md"])
    assert (report.embedded, report.changed, report.added) == (1, 1, 0)
    assert report.computed == 1


def test_deleted_notes_leave_the_index_and_related_lists(ws: Workspace) -> None:
    ws.settings.links.threshold = 0.0
    first = run_links(ws)
    kimchi = "Cooking/Recipes/Kimchi.md"
    (ws.root / "Cooking/Recipes/Sourdough Bread.md").unlink()
    report = run_links(ws)
    assert report.deleted == 1 and report.indexed == first.indexed - 1
    assert "Cooking/Recipes/Sourdough Bread.md" not in _index_paths(ws, report.collection)
    proposal = pending(ws)[kimchi]
    assert "[[Sourdough Bread]]" not in (proposal.new_related or [])
    assert "[[Fermentation Basics]]" in (proposal.new_related or [])
    for path, p in pending(ws).items():
        assert "Cooking/Recipes/Sourdough Bread.md" not in _targets(ws, path, p.new_related or [])


def test_moved_and_renamed_notes_are_reindexed_under_their_new_paths(ws: Workspace) -> None:
    first = run_links(ws)
    old, new = ws.root / "Gardening/Composting.md", ws.root / "Inbox/Composting.md"
    shutil.move(old, new)
    renamed_old = ws.root / "Finance/Emergency Fund.md"
    renamed_old.rename(ws.root / "Finance/Rainy Day Fund.md")
    report = run_links(ws)
    assert report.renamed == 2 and report.deleted == 2
    assert report.embedded == 2 and report.added == 0
    paths = _index_paths(ws, report.collection)
    assert "Inbox/Composting.md" in paths and "Gardening/Composting.md" not in paths
    assert "Finance/Rainy Day Fund.md" in paths and "Finance/Emergency Fund.md" not in paths
    assert report.indexed == first.indexed


def test_invalid_notes_are_not_indexed_and_title_only_notes_get_no_related(ws: Workspace) -> None:
    report = run_links(ws)
    inventory = scan(ws)
    paths = _index_paths(ws, report.collection)
    assert not paths & {n.path for n in inventory.invalid}
    assert "Inbox/Empty note.md" not in paths  # no dense vector from a title alone
    assert "Inbox/Empty note.md" not in pending(ws)  # a target by its name, never a source


def test_bidirectional_links_are_symmetric_when_k_allows(ws: Workspace) -> None:
    ws.settings.links.threshold = 0.15
    ws.settings.links.bidirectional = True
    run_links(ws, k=40)
    edges = {
        (path, target)
        for path, p in pending(ws).items()
        for target in _targets(ws, path, (p.new_related or [])[len(p.old_related or []) :])
    }
    assert edges
    for source, target in edges:
        assert target is not None
        assert (target, source) in edges or _already_related(ws, target, source)


def _already_related(ws: Workspace, path: str, other: str) -> bool:
    meta = fm.parse((ws.root / path).read_bytes()).frontmatter
    return other in _targets(ws, path, list(meta.get("related", [])))


def test_paths_limit_which_notes_get_proposals(ws: Workspace) -> None:
    ws.settings.links.threshold = 0.0
    report = run_links(ws, paths=["Programming/Rust/Rust.md", "Cooking/Recipes/Kimchi.md"])
    assert report.computed == 2
    assert set(pending(ws)) == {"Programming/Rust/Rust.md", "Cooking/Recipes/Kimchi.md"}


def test_store_remembers_links_and_index_mirror(ws: Workspace) -> None:
    report = run_links(ws)
    assert state.outgoing_complete(ws.store, report.indexed)
    mirror = state.load_mirror(ws.store, report.collection)
    assert set(mirror) == _index_paths(ws, report.collection)


def test_a_lost_mirror_is_rebuilt_from_chroma(ws: Workspace, tmp_path: Path) -> None:
    first = run_links(ws)
    ws.store.execute("DELETE FROM links_index")
    again = run_links(ws)
    assert again.embedded == 0 and again.unchanged == first.indexed
    assert len(state.load_mirror(ws.store, again.collection)) == first.indexed


def test_related_links_to_a_renamed_note_are_replaced(ws: Workspace) -> None:
    from vaultcurator.review.apply import apply_proposals

    ws.settings.links.threshold = 0.0
    run_links(ws)
    holders = [
        p for p, prop in pending(ws).items() if "[[Emergency Fund]]" in (prop.new_related or [])
    ]
    assert holders
    assert apply_proposals(ws, include_pending=True).ok
    (ws.root / "Finance/Emergency Fund.md").rename(ws.root / "Finance/Rainy Day Fund.md")
    run_links(ws)
    after = pending(ws)
    for path in holders:
        old, new = after[path].old_related or [], after[path].new_related or []
        assert "[[Emergency Fund]]" in old and "[[Emergency Fund]]" not in new
        kept = [item for item in old if item != "[[Emergency Fund]]"]
        assert new[: len(kept)] == kept and len(new) > len(kept)  # the dangling place refilled
