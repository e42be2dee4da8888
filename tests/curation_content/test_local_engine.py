"""The offline curator: tags from evidence, descriptions only when there is a real sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultcurator.config import CurationSettings
from vaultcurator.curation.requests import load_body
from vaultcurator.engines.local import LocalCurator
from vaultcurator.engines.local_describe import describe, explain
from vaultcurator.engines.local_text import ALL_STOPWORDS, STOPWORDS, language, words
from vaultcurator.vault.model import Inventory, Note
from vaultcurator.vault.taxonomy import tag_counts

from .conftest import make_note

FIXTURE_ROOT = Path(__file__).resolve().parents[2] / "fixtures_vault"


@pytest.fixture(scope="module")
def curated(fixture_inventory: Inventory) -> dict[str, tuple[list[str], str]]:
    curator = LocalCurator(
        fixture_inventory, CurationSettings(), body_of=lambda n: load_body(FIXTURE_ROOT, n)
    )
    out = {}
    for note in fixture_inventory.valid:
        answer = curator.curate(note, load_body(FIXTURE_ROOT, note) or "")
        out[note.path] = (answer.tags, answer.description)
    return out


def _topic_vault(extra: list[Note]) -> Inventory:
    """Ten tagged notes on two topics, plus ``extra``."""
    notes = [
        make_note(
            i,
            f"Garden/g{i}.md",
            f"Tomatoes and compost in the raised garden bed, watering seedlings {i}.\n",
            tags=["gardening", "tomatoes"],
        )
        for i in range(5)
    ]
    notes += [
        make_note(
            5 + i,
            f"Money/m{i}.md",
            f"Index funds, savings rate and the monthly budget spreadsheet {i}.\n",
            tags=["finance"],
        )
        for i in range(5)
    ]
    for i, note in enumerate(extra):
        note.index = 10 + i
    return Inventory(Path("/v"), [*notes, *extra])


# --------------------------------------------------------------------------- tags


def test_every_tag_is_the_authors_or_from_the_vault(
    fixture_inventory: Inventory, curated: dict[str, tuple[list[str], str]]
) -> None:
    vault_tags = {tag.casefold() for tag, _ in tag_counts(fixture_inventory.valid)}
    for path, (tags, _) in curated.items():
        folded = {t.casefold() for t in tags}
        assert folded <= vault_tags, (path, folded - vault_tags)
        assert len({t.casefold() for t in tags}) == len(tags), path


def test_author_tags_are_always_kept(
    fixture_inventory: Inventory, curated: dict[str, tuple[list[str], str]]
) -> None:
    for note in fixture_inventory.valid:
        tags = {t.casefold() for t in curated[note.path][0]}
        own = {t.casefold() for t in [*note.tags, *note.inline_tags]}
        assert own <= tags, (note.path, own - tags)


def test_author_tags_kept_even_beyond_the_maximum() -> None:
    many = [f"tag{i}x" for i in range(12)]
    note = make_note(0, "n.md", "Plain words here.\n", tags=many)
    assert LocalCurator(Inventory(Path("/v"), [note])).tags_for(note, note.body or "") == many


def test_tags_from_neighbours_text_and_links() -> None:
    new = make_note(99, "Inbox/new.md", "Watering tomato seedlings and compost for the bed.\n")
    tags = LocalCurator(_topic_vault([new])).tags_for(new, new.body or "")
    assert tags[:2] == ["gardening", "tomatoes"] or set(tags) >= {"gardening", "tomatoes"}
    assert "finance" not in tags


def test_weak_evidence_proposes_nothing() -> None:
    odd = make_note(99, "Inbox/odd.md", "Completely unrelated quantum chromodynamics lecture.\n")
    assert LocalCurator(_topic_vault([odd])).tags_for(odd, odd.body or "") == []


def test_spanish_stopword_is_never_a_tag_from_text() -> None:
    """``todo`` is a tag here (tasks), and "all" in Spanish: Spanish prose is no evidence."""
    notes = [
        make_note(i, f"t{i}.md", f"Pending task number {i}.\n", tags=["todo"]) for i in range(3)
    ]
    es = make_note(
        10,
        "es.md",
        "Todo el mundo sabe que todo esto es para todos los que viven en la ciudad.\n",
    )
    en = make_note(11, "en.md", "Todo: call the plumber and fix the tap in the kitchen.\n")
    curator = LocalCurator(Inventory(Path("/v"), [*notes, es, en]))
    assert "todo" not in curator.scores(es, es.body or "")
    assert "todo" in ALL_STOPWORDS and language(["todo", "el", "la", "que", "es"]) == "es"
    assert curator.scores(en, en.body or "").get("todo", 0) > 0  # English: a word like any


def test_english_stopword_is_never_a_tag_from_text() -> None:
    notes = [make_note(0, "a.md", "Something.\n", tags=["the", "about"])]
    en = make_note(1, "en.md", "This is about the thing and the other about the rest.\n")
    curator = LocalCurator(Inventory(Path("/v"), [*notes, en]))
    assert curator.scores(en, en.body or "") == {}
    assert {"the", "about"} <= STOPWORDS["en"]


def test_identifier_substrings_are_not_words() -> None:
    text = "The SupabaseClient and get_client_id() in os.path, model 535-G1, getClient."
    assert words(text, frozenset()) == ["the", "and", "model"]
    assert words("A washing machine. Learning to cook", frozenset()) == [
        "washing",
        "machine",
        ".",
        "learning",
        "cook",
    ]
    notes = [
        make_note(i, f"c{i}.md", f"Meeting with the client {i}.\n", tags=["client"])
        for i in range(2)
    ]
    code = make_note(5, "code.md", "Use `client` in SupabaseClient and get_client_id calls.\n")
    curator = LocalCurator(Inventory(Path("/v"), [*notes, code]))
    assert "client" not in curator.scores(code, code.body or "")


def test_heading_links_urls_and_code_are_not_text_evidence() -> None:
    notes = [
        make_note(i, f"o{i}.md", "Unrelated words.\n", tags=["open", "install"]) for i in range(2)
    ]
    body = (
        "See [[#Open a vault]] and [[Help#Open]], https://x.org/docs#install,\n"
        "`open install` and\n```\nopen install open\n```\n"
    )
    note = make_note(9, "n.md", body)
    curator = LocalCurator(Inventory(Path("/v"), [*notes, note]))
    assert curator.scores(note, body) == {}


def test_whole_phrases_match_multi_word_tags() -> None:
    notes = [make_note(0, "a.md", "x\n", tags=["machine-learning"]), make_note(1, "b.md", "y\n")]
    yes = make_note(2, "yes.md", "# Machine learning\n\nNotes on machine learning models.\n")
    no = make_note(3, "no.md", "# Machines\n\nA washing machine. Learning to cook.\n")
    curator = LocalCurator(Inventory(Path("/v"), [*notes, yes, no]))
    assert "machine-learning" in curator.tags_for(yes, yes.body or "")
    assert "machine-learning" not in curator.scores(no, no.body or "")


def test_approved_vocabulary_limits_the_candidates() -> None:
    new = make_note(99, "Inbox/new.md", "Watering tomato seedlings and compost for the bed.\n")
    curator = LocalCurator(_topic_vault([new]), vocabulary=["gardening", "finance"])
    tags = curator.tags_for(new, new.body or "")
    assert tags == ["gardening"]


def test_approved_renames_route_votes_to_the_canonical_tag() -> None:
    new = make_note(99, "Inbox/new.md", "Index funds, savings rate and the monthly budget.\n")
    inventory = _topic_vault([new])
    curator = LocalCurator(
        inventory, vocabulary=["gardening", "money"], renames={"Finance": "money"}
    )
    assert curator.tags_for(new, new.body or "") == ["money"]


def test_nested_tag_preferred_over_flat_one_with_the_same_leaf() -> None:
    notes = [make_note(i, f"a/x{i}.md", "Unrelated.\n", tags=["python"]) for i in range(2)]
    notes += [make_note(2, "b/y.md", "Other.\n", tags=["programming/python"])]
    notes += [make_note(3, "c/Snakes.md", "# Python\n\nPython generators explained.\n")]
    tags = LocalCurator(Inventory(Path("/v"), notes)).tags_for(notes[3], notes[3].body or "")
    assert "programming/python" in tags and "python" not in tags


def test_structural_tags_never_spread(fixture_inventory: Inventory) -> None:
    note = make_note(99, "Inbox/New.md", body="See [[Kimchi]] and [[Miso Soup]] for ideas.")
    bare = make_note(98, "Inbox/Bare.md", body="See  and  for ideas.")  # the same, unlinked
    inventory = Inventory(FIXTURE_ROOT, [*fixture_inventory.notes, note, bare])
    curator = LocalCurator(inventory, body_of=lambda n: load_body(FIXTURE_ROOT, n))
    scores = curator.scores(note, note.body or "")
    # both linked notes carry it: the links are evidence
    assert scores["recipe"] > curator.scores(bare, bare.body or "").get("recipe", 0.0)
    assert "MOC" not in scores and "MOC" not in curator.tags_for(note, note.body or "")


def test_neighbour_hook_counts() -> None:
    new = make_note(99, "Inbox/new.md", "Nothing in common here at all.\n")
    curator = LocalCurator(_topic_vault([new]), neighbour_tags=lambda n: ["#Finance"])
    assert curator.tags_for(new, new.body or "") == ["finance"]


def test_fixture_notes(curated: dict[str, tuple[list[str], str]]) -> None:
    tags, description = curated["Cooking/Recipes/Kimchi.md"]
    assert {"fermentation", "recipe", "korean"} <= set(tags)
    assert description.startswith("Salt napa cabbage 2 h, rinse.")
    tags, _ = curated["Inbox/Quick capture.md"]  # no tags property; an inline #todo
    assert "todo" in tags
    tags, _ = curated["Cooking/Recipes/Pasta Carbonara.md"]  # the author wrote "Cooking"
    assert "Cooking" in tags


def test_known_evidence_is_reused_only_while_the_hash_matches() -> None:
    new = make_note(99, "Inbox/new.md", "Watering tomato seedlings and compost for the bed.\n")
    first = LocalCurator(_topic_vault([new]))
    known = first.evidence_by_path()
    changed = make_note(99, "Inbox/new.md", "Index funds, savings rate and the monthly budget.\n")
    calls: list[str] = []
    inventory = _topic_vault([changed])
    bodies = {note.path: note.body for note in inventory.notes}
    for note in inventory.notes:
        note.body = None  # as after a warm scan: bodies come from body_of

    def body_of(note: Note) -> str | None:
        calls.append(note.path)
        return bodies[note.path]

    second = LocalCurator(inventory, body_of=body_of, known_docs=known)
    assert calls == ["Inbox/new.md"]  # only the changed note is read again
    assert second.tags_for(changed, bodies[changed.path] or "") == ["finance"]


def test_deterministic(
    fixture_inventory: Inventory, curated: dict[str, tuple[list[str], str]]
) -> None:
    again = LocalCurator(fixture_inventory, body_of=lambda n: load_body(FIXTURE_ROOT, n))
    for note in fixture_inventory.valid:
        answer = again.curate(note, load_body(FIXTURE_ROOT, note) or "")
        assert (answer.tags, answer.description) == curated[note.path]


def test_parent_tag_dropped_when_a_nested_one_is_chosen() -> None:
    notes = [
        make_note(0, "a.md", "Pests in the garden.\n", tags=["gardening/pests"]),
        make_note(1, "b.md", "The garden.\n", tags=["gardening"]),
    ]
    notes.append(make_note(2, "Slug control.md", "# Pests\n\nGardening pests: pests again.\n"))
    tags = LocalCurator(Inventory(Path("/v"), notes)).tags_for(notes[2], notes[2].body or "")
    assert "gardening/pests" in tags and "gardening" not in tags


# --------------------------------------------------------------------------- descriptions


def test_descriptions_are_real_first_sentences(
    curated: dict[str, tuple[list[str], str]],
) -> None:
    assert curated["Programming/Python/Async IO in Python.md"][1] == (
        "asyncio runs many coroutines on one thread."
    )
    # an existing description is the user's own words: kept
    assert curated["Gardening/Composting.md"][1] == (
        "Hot vs cold composting and the green/brown ratio."
    )
    assert curated["Reading/読書メモ.md"][1].startswith("今年読んだ本のメモ。")


def test_no_title_as_description(
    fixture_inventory: Inventory, curated: dict[str, tuple[list[str], str]]
) -> None:
    for note in fixture_inventory.valid:
        description = curated[note.path][1]
        if not note.description:
            assert description.casefold().strip(" .") != note.title.casefold(), note.path
    assert curated["Finance/Finance MOC.md"][1] == ""  # a map of links: no sentence


def test_describe_skips_non_prose_and_strips_markdown() -> None:
    body = """# Heading

> [!note] A callout that is not the description.

```python
print("code is not prose")
```

![[diagram.png]]

- [[Link one]]
- A list item that is a whole sentence is still a list.

The **real** first sentence: [[Target Note|a target]], [a URL](https://x.y), `code`. Next.
"""
    assert describe(body) == "The real first sentence: a target, a URL, code."


def test_hard_wrapped_lines_are_joined() -> None:
    body = "Esta nota explica el despliegue\nlocal del n8n, NO Supabase, y\ncómo se prueba.\n"
    assert (
        describe(body)
        == "Esta nota explica el despliegue local del n8n, NO Supabase, y cómo se prueba."
    )


def test_fragments_and_titles_give_no_description() -> None:
    note = make_note(0, "Books.md", "Books\n")
    assert describe(note.body or "", note) == ""
    assert "title" in explain(note.body or "", note)
    fragment = make_note(1, "x.md", "local del n8n, NO Supabase — ver\n")
    assert describe(fragment.body or "", fragment) == ""
    lists = make_note(2, "l.md", "# Only a heading\n\n- [[a]]\n- a list item here.\n")
    assert describe(lists.body or "", lists) == ""
    assert "lists" in explain(lists.body or "", lists)
    assert explain("", None) == "no description: the note is empty"
    assert describe("⚠ Switch to EXCALIDRAW VIEW in the MORE OPTIONS menu.\n") == ""


def test_long_sentences_are_shortened() -> None:
    long_body = "This sentence " + "goes on and on " * 30 + "until it ends.\n"
    text = describe(long_body)
    assert len(text) <= 200 and text.endswith("…") and text.startswith("This sentence goes on")
