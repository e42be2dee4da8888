"""The default embedder: deterministic, normalised, topic-sensitive, with frozen IDF."""

from __future__ import annotations

import numpy as np

from vaultcurator.links import hashed
from vaultcurator.links.text import NoteDoc, clean_body, note_doc


def _doc(path: str, body: str) -> NoteDoc:
    return NoteDoc(path=path, title=path.removesuffix(".md"), body=body)


DOCS = [
    _doc("Sourdough.md", "Starter, flour, water and salt; a long cold fermentation of the dough."),
    _doc("Kimchi.md", "Napa cabbage, salt and chili paste; lactic fermentation in a crock."),
    _doc("Rust.md", "Ownership, borrowing and lifetimes make the compiler check memory safety."),
    _doc("Cargo.md", "Cargo builds crates; the compiler checks ownership and borrowing."),
]


def test_vectors_are_unit_length_deterministic_and_topic_sensitive() -> None:
    table = hashed.fit_idf(DOCS)
    first = hashed.HashedTfidfEmbedder(table).embed(DOCS)
    again = hashed.HashedTfidfEmbedder(hashed.IdfTable.from_bytes(table.to_bytes())).embed(DOCS)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    assert np.array_equal(first, again)
    sims = first @ first.T
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[0, 3]
    assert sims[2, 3] > sims[2, 0] and sims[2, 3] > sims[2, 1]


def test_idf_round_trips_and_names_its_vector_space() -> None:
    table = hashed.fit_idf(DOCS)
    copy = hashed.IdfTable.from_bytes(table.to_bytes())
    assert copy.n_docs == 4 and np.array_equal(copy.df, table.df)
    assert hashed.HashedTfidfEmbedder(copy).space_id == hashed.HashedTfidfEmbedder(table).space_id
    other = hashed.fit_idf(DOCS[:3])
    assert hashed.HashedTfidfEmbedder(other).space_id != hashed.HashedTfidfEmbedder(table).space_id


def test_refit_only_when_the_vault_grew_or_shrank_a_lot() -> None:
    table = hashed.fit_idf(DOCS)
    assert hashed.needs_refit(None, 3)
    assert not hashed.needs_refit(table, 4)
    assert not hashed.needs_refit(table, 6)
    assert hashed.needs_refit(table, 7)
    assert hashed.needs_refit(table, 2)


def test_a_note_of_only_stop_words_has_no_vector() -> None:
    empty = _doc("The.md", "and the of it is")
    table = hashed.fit_idf([*DOCS, empty])
    vector = hashed.HashedTfidfEmbedder(table).embed([_doc("X.md", "and of")])[0]
    assert not vector.any()


def test_cjk_text_gets_features() -> None:
    assert hashed.tokens("読書メモ") == ["読書", "書メ", "メモ"]


def test_embedded_text_ignores_the_related_property_and_link_syntax() -> None:
    meta = {"related": ["[[Kimchi]]"], "aliases": ["Bread"]}
    doc = note_doc(
        "Sourdough.md",
        "Sourdough",
        meta,
        ["baking"],
        "A loaf.",
        "# Method\nMix [[Flour|the flour]] and see ![[crumb.png]] or https://x.y/z.\n",
    )
    assert doc.headings == ("Method",)
    assert "Kimchi" not in doc.as_text()
    assert "the flour" in doc.body and "crumb" not in doc.body and "https" not in doc.body
    assert doc.extra == ("Bread",)
    assert "Flour" not in clean_body("[[Flour]] water", keep_links=False)
