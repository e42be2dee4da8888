"""Every tag of the vault with what a planner needs to judge it: how many notes carry it in
their ``tags`` property, how many use it inline, which tags it is used with, sample titles.

Spellings are kept apart (``HUB`` and ``hub`` are two entries): a plan renames spellings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from vaultcurator.vault.model import Note

SAMPLE_TITLES = 3


@dataclass(slots=True)
class TagStat:
    tag: str
    notes: int = 0
    """Notes carrying this spelling in their tags property (what applying a plan edits)."""
    inline: int = 0
    """Notes using ``#tag`` (this spelling) in their body (never edited)."""
    titles: list[str] = field(default_factory=list)

    @property
    def uses(self) -> int:
        return self.notes + self.inline


@dataclass(slots=True)
class TagStats:
    tags: dict[str, TagStat]
    """By spelling, in first-seen order."""
    pairs: Counter[tuple[str, str]]
    """``(a, b)`` case-folded, a < b: notes whose tags property holds both."""
    notes: int

    def co(self, a: str, b: str) -> int:
        x, y = sorted((a.casefold(), b.casefold()))
        return self.pairs.get((x, y), 0)

    def to_counts(self) -> list[tuple[str, int]]:
        return sorted(((s.tag, s.uses) for s in self.tags.values()), key=lambda i: (-i[1], i[0]))


def _title(note: Note) -> str:
    return note.path.rsplit("/", 1)[-1].removesuffix(".md")


def collect(notes: Iterable[Note], *, pairs: bool = True) -> TagStats:
    """The stats of the valid ``notes`` (notes with an error are not read for tags)."""
    stats: dict[str, TagStat] = {}
    counted: Counter[tuple[str, str]] = Counter()
    total = 0
    for note in notes:
        if note.error is not None:
            continue
        total += 1
        own = list(dict.fromkeys(t for t in note.tags if isinstance(t, str) and t))
        for tag in own:
            stat = stats.get(tag)
            if stat is None:
                stat = stats[tag] = TagStat(tag)
            stat.notes += 1
            if len(stat.titles) < SAMPLE_TITLES:
                stat.titles.append(_title(note))
        for tag in dict.fromkeys(note.inline_tags):
            stat = stats.get(tag)
            if stat is None:
                stat = stats[tag] = TagStat(tag)
            stat.inline += 1
        if pairs and len(own) > 1:
            keys = sorted({t.casefold() for t in own})
            counted.update(combinations(keys, 2))
    return TagStats(stats, counted, total)
