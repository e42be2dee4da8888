"""The vault's existing tags and how often each is used.

Tags are case-insensitive in Obsidian, so ``Python`` and ``python`` are one tag; it is shown
in the casing most notes use (ties: the casing seen first). A note counts once per tag, be
it in the ``tags`` property, written inline as ``#tag``, or both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain
from operator import add, attrgetter

from vaultcurator.vault.model import Note

_TAGS = attrgetter("tags")
_INLINE_TAGS = attrgetter("inline_tags")


def tag_counts(notes: Iterable[Note]) -> list[tuple[str, int]]:
    """``[(tag, notes using it)]``, most used first, then alphabetical (case-insensitive).

    One counter of (tag, spelling) pairs filled by C-level loops: ``scan`` runs this over every
    note of the vault, and on a warm rescan it was most of the command's time.
    """
    notes = notes if isinstance(notes, list | tuple) else list(notes)
    # Usually each tag has one spelling across the vault: then counting spellings (a note
    # once per spelling) is counting tags, and the ranking below depends on the counts alone
    # (its keys differ once lower-cased). Twice as fast as the pairs: no tuple per tag.
    spellings: Counter[str] = Counter()
    # Each note's tags, once each (dict.fromkeys), all counted in C: no Python loop per note.
    per_note = map(dict.fromkeys, map(add, map(_TAGS, notes), map(_INLINE_TAGS, notes)))
    spellings.update(chain.from_iterable(per_note))
    if len({spelling.lower() for spelling in spellings}) == len(spellings):
        ranked = list(spellings.items())
        ranked.sort(key=lambda item: (-item[1], item[0].lower()))
        return ranked
    pairs: Counter[tuple[str, str]] = Counter()
    for note in notes:
        tags = [*note.tags, *note.inline_tags]
        tags.reverse()  # dict() keeps the last value per key: reversed, the note's first
        pairs.update(dict(zip(map(str.lower, tags), tags, strict=True)).items())
    casings: dict[str, dict[str, int]] = {}
    for (key, spelling), count in pairs.items():  # in first-seen order
        casings.setdefault(key, {})[spelling] = count
    # max() keeps the first of equal counts, and dicts keep insertion order: first seen wins.
    ranked = [
        (max(spellings, key=spellings.__getitem__), sum(spellings.values()))
        for spellings in casings.values()
    ]
    ranked.sort(key=lambda item: (-item[1], item[0].lower()))
    return ranked
