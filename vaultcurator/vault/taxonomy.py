"""The vault's existing tags and how often each is used.

Tags are case-insensitive in Obsidian, so ``Python`` and ``python`` are one tag; it is shown
in the casing most notes use (ties: the casing seen first). A note counts once per tag, be
it in the ``tags`` property, written inline as ``#tag``, or both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from vaultcurator.vault.model import Note


def tag_counts(notes: Iterable[Note]) -> list[tuple[str, int]]:
    """``[(tag, notes using it)]``, most used first, then alphabetical (case-insensitive)."""
    per_tag: Counter[str] = Counter()
    casings: dict[str, Counter[str]] = {}
    for note in notes:
        in_note: dict[str, str] = {}
        for tag in (*note.tags, *note.inline_tags):
            in_note.setdefault(tag.lower(), tag)
        for key, spelling in in_note.items():
            per_tag[key] += 1
            casings.setdefault(key, Counter())[spelling] += 1
    # Counter.most_common keeps insertion order among equal counts: first seen wins ties.
    ranked = [(casings[key].most_common(1)[0][0], count) for key, count in per_tag.items()]
    ranked.sort(key=lambda item: (-item[1], item[0].lower()))
    return ranked
