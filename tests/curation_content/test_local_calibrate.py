"""The offline engine learns what its evidence is worth from the vault's own tagged notes.

Small vaults crafted so that one kind of evidence is reliable in one and misleading in the
other: the same new note gets the tag in the first and not in the second. Also: the count of
proposed tags follows the evidence, a parent stays where the vault's habit keeps it, ``#tags``
in the prose are no evidence, and a job reuses the last job's weights while little changed.
"""

from __future__ import annotations

from pathlib import Path

from vaultcurator.engines.local import MAX_NEW, MIN_PROBABILITY_TAGGED, LocalCurator, read_doc
from vaultcurator.engines.local_calibrate import FEATURES, PRIOR_WEIGHTS, TagModel, fit
from vaultcurator.vault.model import Inventory, Note

from .conftest import make_note

_WORDS = """river stone lantern harbor meadow candle orchard violin copper window basket ladder
forest pillow marble engine saddle thunder velvet compass button mirror tunnel falcon"""
_FILLER = _WORDS.split()


def _filler(i: int, n: int = 6) -> str:
    """``n`` ordinary words that differ from note to note (neighbours stay varied)."""
    return " ".join(_FILLER[(i * 7 + k * 5) % len(_FILLER)] for k in range(n))


def _titled_vault(reliable: bool) -> list[Note]:
    """Notes titled with ``python``: tagged ``python`` when ``reliable``, else ``zoo`` (the
    word names a snake there); ``python`` is still a tag of the vault, on other notes. All in
    the vault's root (no folder evidence), their words shared at random (no neighbour one)."""
    notes = [
        make_note(
            i,
            f"Python {_FILLER[i % len(_FILLER)]} {i}.md",
            f"About {_filler(i)} today.\n",
            tags=["python" if reliable else "zoo"],
        )
        for i in range(24)
    ]
    notes += [
        make_note(
            30 + i,
            f"Generators {i}.md",
            f"Yield and iterators, {_filler(i + 3)}.\n",
            tags=["python" if not reliable else "iterators"],
        )
        for i in range(6)
    ]
    notes += [
        make_note(40 + i, f"Other {i}.md", f"Plain {_filler(i + 11)}.\n", tags=["misc-topic"])
        for i in range(24)
    ]
    return notes


def test_the_vault_teaches_what_a_title_is_worth() -> None:
    new = make_note(99, "Python notes.md", f"About {_filler(5)} today.\n")
    sure = {}
    for reliable in (True, False):
        curator = LocalCurator(Inventory(Path("/v"), [*_titled_vault(reliable), new]))
        tags = curator.tags_for(new, new.body or "")
        sure[reliable] = curator.scores(new, new.body or "")["python"]
        if reliable:  # the title says it: first
            assert tags[0] == "python", tags
        else:  # the title says nothing here: behind every tag the neighbours vote for
            assert "python" not in tags[:-1] and set(tags) > {"python"}, tags
    assert sure[True] > 2 * sure[False]


def test_the_count_follows_the_evidence() -> None:
    """Notes of one topic carry four tags, of the other one: a new note of each topic gets
    as many, an unrelated one none, and never more than :data:`MAX_NEW`."""
    four = ["alpha", "beta", "gamma", "delta"]
    notes = [
        make_note(i, f"A/a{i}.md", f"Glacier moraine crevasse ice {_filler(i, 3)}.\n", tags=four)
        for i in range(15)
    ]
    notes += [
        make_note(20 + i, f"B/b{i}.md", f"Sourdough crumb starter {_filler(i, 3)}.\n", tags=["one"])
        for i in range(15)
    ]
    ice = make_note(90, "Inbox/ice.md", "The glacier moraine and a crevasse in the ice.\n")
    bread = make_note(91, "Inbox/bread.md", "Sourdough starter and its crumb.\n")
    odd = make_note(92, "Inbox/odd.md", "Quantum chromodynamics lecture, gluon confinement.\n")
    curator = LocalCurator(Inventory(Path("/v"), [*notes, ice, bread, odd]))
    assert sorted(curator.tags_for(ice, ice.body or "")) == sorted(four)
    assert curator.tags_for(bread, bread.body or "") == ["one"]
    assert curator.tags_for(odd, odd.body or "") == []
    many = [f"t{i}x" for i in range(9)]
    crowd = [
        make_note(i, f"C/c{i}.md", f"Lichen tundra permafrost {_filler(i, 3)}.\n", tags=many)
        for i in range(15)
    ]
    cold = make_note(93, "Inbox/cold.md", "Lichen on the tundra permafrost.\n")
    tags = LocalCurator(Inventory(Path("/v"), [*crowd, cold])).tags_for(cold, cold.body or "")
    assert len(tags) == MAX_NEW


def test_parent_stays_where_the_vault_keeps_both() -> None:
    notes = [
        make_note(
            i, f"G/g{i}.md", f"Aphids and slugs on leaves {i}.\n", tags=["garden", "garden/pests"]
        )
        for i in range(12)
    ]
    notes += [
        make_note(20 + i, f"H/h{i}.md", f"Budget and rent {i}.\n", tags=["money"])
        for i in range(12)
    ]
    new = make_note(99, "Inbox/slugs.md", "Slugs and aphids on the leaves again.\n")
    tags = LocalCurator(Inventory(Path("/v"), [*notes, new])).tags_for(new, new.body or "")
    assert {"garden", "garden/pests"} <= set(tags)


def test_inline_tags_are_not_prose_evidence() -> None:
    """An author's ``#rust`` is their tag, not a word of the note: counting it would teach the
    weights that text names a note's tags far more often than it does."""
    note = make_note(0, "n.md", "Borrow checker notes #rust and lifetimes.\n", tags=[])
    assert "rust" not in read_doc(note, note.body or "").body
    assert "lifetime" in read_doc(note, note.body or "").body


def test_weights_come_from_the_prior_without_tagged_notes() -> None:
    note = make_note(0, "n.md", "Plain words here.\n")
    model = LocalCurator(Inventory(Path("/v"), [note])).model()
    assert model == TagModel() and model.weights == PRIOR_WEIGHTS and model.examples == 0


def test_fit_learns_an_informative_feature() -> None:
    """A feature that decides the label gets a large weight; probabilities follow it."""
    width, title, in_body = len(FEATURES), FEATURES.index("title"), FEATURES.index("in_body")
    examples = []
    for i in range(200):
        row_yes = [1.0] + [0.0] * (width - 1)
        row_no = [1.0] + [0.0] * (width - 1)
        row_yes[4] = 1.0  # "title"
        row_no[7] = 1.0 if i % 2 else 0.0  # "in_body", uninformative here
        row_yes[7] = 1.0 if i % 2 else 0.0
        examples.append(([row_yes, row_no], [True, False]))
    model = fit(examples)
    assert model.examples == 200
    assert model.weights[title] > PRIOR_WEIGHTS[title] + 2
    assert abs(model.weights[in_body]) < abs(PRIOR_WEIGHTS[in_body])
    yes, no = model.probabilities(examples[0][0])
    assert yes > 0.5 > 0.1 > no


def test_a_job_reuses_the_weights_while_little_changed() -> None:
    notes = _titled_vault(True)
    first = LocalCurator(Inventory(Path("/v"), notes))
    known = first.model()
    changed = make_note(0, notes[0].path, "An edited body.\n", tags=["python"])
    few = Inventory(Path("/v"), [changed, *notes[1:]])
    again = LocalCurator(few, known_docs=first.evidence_by_path(), known_model=known)
    assert again.model() is known
    fresh = LocalCurator(Inventory(Path("/v"), notes), known_model=known)  # nothing reused
    assert fresh.model() is not known and fresh.model().examples > 0


def test_a_folder_named_like_a_tag_is_evidence_where_the_vault_files_so() -> None:
    """Notes filed in folders named after their tags teach that a folder's name counts: a new
    note in a new subfolder of ``Astronomy/`` gets ``astronomy`` first, the same note
    elsewhere only what its neighbours vote."""
    notes = [
        make_note(i, f"{topic.title()}/n{i}.md", f"Words {_filler(i)}.\n", tags=[topic])
        for i, topic in enumerate(["astronomy", "geology", "botany", "zoology"] * 8)
    ]
    filed = make_note(90, "Astronomy/Drafts/new.md", f"Draft about {_filler(3)}.\n")
    loose = make_note(91, "Drafts/new.md", f"Draft about {_filler(3)}.\n")
    curator = LocalCurator(Inventory(Path("/v"), [*notes, filed, loose]))
    assert curator.tags_for(filed, filed.body or "")[0] == "astronomy"
    loose_scores = curator.scores(loose, loose.body or "")  # same words: same neighbours
    assert curator.scores(filed, filed.body or "")["astronomy"] > 2 * loose_scores["astronomy"]


def test_beside_the_authors_tags_only_likely_tags_are_added() -> None:
    """What an untagged note gets on weak evidence is not added to a note its author tagged:
    a tag the author left out is less likely than one never considered."""
    new = make_note(99, "Python notes.md", f"About {_filler(5)} today.\n")
    tagged = make_note(98, "Python tagged.md", f"About {_filler(5)} today.\n", tags=["misc-topic"])
    curator = LocalCurator(Inventory(Path("/v"), [*_titled_vault(False), new, tagged]))
    scores = curator.scores(new, new.body or "")
    weak = [t for t in curator.tags_for(new, "") if scores[t] < MIN_PROBABILITY_TAGGED]
    assert weak  # proposed to the untagged note, on weak evidence
    added = curator.tags_for(tagged, tagged.body or "")[1:]
    assert not set(weak) & set(added), (weak, added)
    assert all(curator.scores(tagged, "")[t] >= MIN_PROBABILITY_TAGGED for t in added)


def test_one_faintly_similar_tagged_note_is_no_majority() -> None:
    """A vault with one tagged note (an example of tag syntax): a note that shares a word or
    two with it is not given its tags, though they are all its neighbours vote for."""
    example = make_note(
        0, "Tags.md", "Tag syntax examples: nested tags and case styles.\n", tags=["y1984", "x"]
    )
    other = make_note(
        1,
        "Bases.md",
        "Bases syntax: filters, formulas, views, properties, sorting, grouping, summaries, "
        "embedding a base in a note, limits, functions, dates, lists and links.\n",
    )
    curator = LocalCurator(Inventory(Path("/v"), [example, other]))
    assert curator._nearest.nearest(other.path, 10, {example.path: 1})  # a neighbour...
    assert curator.tags_for(other, other.body or "") == []  # ...but a faint one
