"""The offline curator: tags from the vault's own taxonomy, an extractive description."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultcurator.config import CurationSettings
from vaultcurator.curation.requests import load_body
from vaultcurator.engines.local import LocalCurator, describe
from vaultcurator.vault.model import Inventory, Note
from vaultcurator.vault.taxonomy import tag_counts

from .conftest import make_note

FIXTURE_ROOT = Path(__file__).resolve().parents[2] / "fixtures_vault"


def by_path(inventory: Inventory, path: str) -> Note:
    return next(n for n in inventory.notes if n.path == path)


@pytest.fixture(scope="module")
def curated(fixture_inventory: Inventory) -> dict[str, tuple[list[str], str]]:
    curator = LocalCurator(fixture_inventory, CurationSettings())
    out = {}
    for note in fixture_inventory.valid:
        answer = curator.curate(note, load_body(FIXTURE_ROOT, note) or "")
        out[note.path] = (answer.tags, answer.description)
    return out


def test_every_tag_comes_from_the_vault(
    fixture_inventory: Inventory, curated: dict[str, tuple[list[str], str]]
) -> None:
    vault_tags = {tag for tag, _ in tag_counts(fixture_inventory.valid)}
    for path, (tags, description) in curated.items():
        assert 1 <= len(tags) <= 8, path
        assert set(tags) <= vault_tags, (path, set(tags) - vault_tags)
        assert len({t.casefold() for t in tags}) == len(tags), path
        assert description and len(description) <= 200 and "\n" not in description, path


def test_most_notes_get_at_least_three_tags(curated: dict[str, tuple[list[str], str]]) -> None:
    assert sum(len(tags) >= 3 for tags, _ in curated.values()) >= 0.9 * len(curated)


def test_tags_found_in_the_text_and_own_tags_kept(
    curated: dict[str, tuple[list[str], str]],
) -> None:
    tags, description = curated["Cooking/Recipes/Kimchi.md"]
    assert {"fermentation", "recipe", "korean"} <= set(tags)
    assert description.startswith("Salt napa cabbage 2 h, rinse.")
    tags, _ = curated["Inbox/Quick capture.md"]  # no tags property; an inline #todo
    assert "todo" in tags


def test_vault_spelling_is_reused(curated: dict[str, tuple[list[str], str]]) -> None:
    tags, _ = curated["Cooking/Recipes/Pasta Carbonara.md"]  # has "Cooking"; vault: "cooking"
    assert "cooking" in tags and "Cooking" not in tags


def test_descriptions_are_plain_first_sentences(
    curated: dict[str, tuple[list[str], str]],
) -> None:
    assert curated["Programming/Python/Async IO in Python.md"][1] == (
        "asyncio runs many coroutines on one thread."
    )
    assert curated["Inbox/Quick capture.md"][1] == (
        "Call the plumber about the outside tap before the frost (see Seed Starting Calendar)."
    )
    # an existing description is the user's own words: kept
    assert curated["Gardening/Composting.md"][1] == (
        "Hot vs cold composting and the green/brown ratio."
    )
    # a map of content has no prose: the title stands in
    assert curated["Finance/Finance MOC.md"][1] == "Finance MOC"
    assert curated["Reading/読書メモ.md"][1].startswith("今年読んだ本のメモ。")


def test_deterministic(
    fixture_inventory: Inventory, curated: dict[str, tuple[list[str], str]]
) -> None:
    again = LocalCurator(fixture_inventory)
    for note in fixture_inventory.valid:
        answer = again.curate(note, load_body(FIXTURE_ROOT, note) or "")
        assert (answer.tags, answer.description) == curated[note.path]


def test_nested_tag_preferred_over_flat_one_with_the_same_leaf() -> None:
    notes = [make_note(i, f"a/x{i}.md", tags=["python"]) for i in range(5)]
    notes += [make_note(5, "b/y.md", tags=["programming/python"])]
    notes += [make_note(6, "c/Snakes.md", body="Python generators explained, python again.")]
    curator = LocalCurator(Inventory(Path("/v"), notes))
    tags = curator.tags_for(notes[6], notes[6].body or "")
    assert "programming/python" in tags and "python" not in tags


def test_linked_and_neighbour_tags_count(fixture_inventory: Inventory) -> None:
    note = make_note(99, "Inbox/New.md", body="See [[Kimchi]] and [[Miso Soup]] for ideas.")
    inventory = Inventory(FIXTURE_ROOT, [*fixture_inventory.notes, note])
    plain = LocalCurator(inventory).tags_for(note, note.body or "")
    assert "recipe" in plain  # both linked notes carry it
    assert "MOC" not in plain  # a structural tag never spreads through links
    fed = LocalCurator(inventory, neighbour_tags=lambda n: ["finance", "#Budget"])
    tags = fed.tags_for(note, note.body or "")
    assert "finance" in tags and "budget" in tags


def test_parent_tag_dropped_when_a_nested_one_is_chosen() -> None:
    notes = [
        make_note(0, "a.md", tags=["gardening/pests"]),
        make_note(1, "b.md", tags=["gardening"]),
    ]
    notes.append(make_note(2, "Slug control.md", body="Pests in the garden: gardening pests."))
    tags = LocalCurator(Inventory(Path("/v"), notes)).tags_for(notes[2], notes[2].body or "")
    assert "gardening/pests" in tags and "gardening" not in tags


def test_describe_skips_non_prose_and_strips_markdown() -> None:
    body = """# Heading

> [!note] A callout that is not the description.

```python
print("code is not prose")
```

![[diagram.png]]

- [[Link one]]
- [[Link two]]

The **real** first sentence: [[Target Note|a target]], [a URL](https://x.y), `code`. Next.
"""
    assert describe(body) == "The real first sentence: a target, a URL, code."


def test_describe_shortens_long_sentences_and_falls_back_to_title() -> None:
    long_body = "This sentence " + "goes on and on " * 30 + "until it ends.\n"
    text = describe(long_body)
    assert len(text) <= 200 and text.endswith("…") and text.startswith("This sentence goes on")
    note = make_note(0, "Folder/Just a Title.md", body="# Only a heading\n\n- [[a]]\n")
    assert describe(note.body or "", note) == "Just a Title"
