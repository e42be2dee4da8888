"""The hybrid retrieval behind related links: keep the sparse index in step, rank, fuse.

Channels (see :mod:`hybrid` for how they add up):

* lexical: field-weighted TF-IDF over the exact vocabulary (:mod:`lexical`), stored in the
  state folder and updated incrementally;
* mentions: other notes named in the text, unlinked (:mod:`mentions`);
* dense: the embedder's vectors in ChromaDB (passed in as ranked candidates).

Which notes take part follows Obsidian: templates and plugin files (drawings, boards) are
neither sources nor targets; notes with little text (title, aliases, properties) are targets
only; aliases are names of their note.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vaultcurator.links import hashed, hybrid, language
from vaultcurator.links.lexical import Row, SparseIndex, row_terms
from vaultcurator.links.mentions import NameIndex, aliases_of, name_key, stem
from vaultcurator.links.rules import is_template_or_drawing
from vaultcurator.links.text import NoteDoc
from vaultcurator.vault.model import Note

Candidate = tuple[str, float]
POOL = 30
"""Candidates taken from each channel per note before fusion."""
FULL_PASS = 200
"""Above this many sources, all-pairs through the inverted index beats one query each."""


@dataclass(slots=True)
class SparseSync:
    """What keeping the sparse index in step did."""

    added: int = 0
    deleted: int = 0
    unreadable: list[str] = field(default_factory=list)


def _known(note: Note, index: SparseIndex) -> Row | None:
    """The note's row when it was built from these very bytes."""
    row = index.row(note.path)
    return row if row is not None and row.hash == note.hash else None


def eligible(notes: Sequence[Note], index: SparseIndex) -> list[Note]:
    """Valid notes that may take part (templates and plugin files left out).

    An unchanged note is judged from its row, so its frontmatter is not decoded.
    """
    return eligible_with_aliases(notes, index)[0]


def eligible_with_aliases(
    notes: Sequence[Note], index: SparseIndex
) -> tuple[list[Note], dict[str, tuple[str, ...]]]:
    """``eligible`` and ``alias_map`` of its result in one pass (one row lookup per note)."""
    out: list[Note] = []
    aliases: dict[str, tuple[str, ...]] = {}
    rows = index.by_path()
    for note in notes:
        if note.status != "ok":
            continue
        row = rows.get(note.path)
        if row is not None and row.hash == note.hash:
            if not row.template:
                out.append(note)
                aliases[note.path] = row.aliases
        elif not is_template_or_drawing(note.path, note.frontmatter, None):
            out.append(note)
            aliases[note.path] = tuple(aliases_of(note.frontmatter))
    return out, aliases


def note_aliases(note: Note, index: SparseIndex) -> tuple[str, ...]:
    row = _known(note, index)
    return row.aliases if row is not None else tuple(aliases_of(note.frontmatter))


def alias_map(notes: Sequence[Note], index: SparseIndex) -> dict[str, tuple[str, ...]]:
    """Each note's aliases (from its row when unchanged, else from its frontmatter)."""
    return {n.path: note_aliases(n, index) for n in notes}


def name_index(aliases: Mapping[str, tuple[str, ...]], index: SparseIndex) -> NameIndex:
    """Every eligible note's names: its file name and its aliases.

    Kept per index for the process: a watch cycle re-links one note without rebuilding it.
    """
    key = dict(aliases)  # comparing dicts is cheap next to rebuilding
    cached = index.derived.get("names")
    if isinstance(cached, tuple) and cached[0] == key and isinstance(cached[1], NameIndex):
        return cached[1]
    names = NameIndex(
        (path, name) for path, found in aliases.items() for name in (stem(path), *found)
    )
    index.derived["names"] = (key, names)
    return names


def build_row(
    note: Note, doc: NoteDoc, names: NameIndex, prepared: hashed.Prepared | None = None
) -> Row:
    """A note's sparse row: terms, language, the names its text mentions."""
    aliases = tuple(aliases_of(note.frontmatter))
    own = {name_key(stem(note.path)), *(name_key(a) for a in aliases)}
    if is_template_or_drawing(note.path, note.frontmatter, doc.body):
        empty = np.zeros(0, dtype=np.uint64)
        return Row(
            note.path,
            note.hash,
            "",
            True,
            empty,
            np.zeros(0, dtype=np.float32),
            template=True,
            aliases=aliases,
        )
    terms, weights = row_terms(doc, prepared)
    text = f"{doc.description}\n{doc.body}"
    mentions = tuple(dict.fromkeys(k for k in names.find(text) if k not in own))
    lang = language.detect(f"{doc.title}\n{text}")
    return Row(note.path, note.hash, lang, doc.empty, terms, weights, mentions, aliases=aliases)


def sync_sparse(
    index: SparseIndex,
    notes: Sequence[Note],
    load_doc: Callable[[str], NoteDoc | None],
    names: NameIndex,
    prepared: Mapping[str, hashed.Prepared] | None = None,
    *,
    complete: bool = True,
) -> SparseSync:
    """Make the index hold exactly ``notes``, re-reading only new or changed ones.

    ``complete=False``: ``notes`` are only some of the indexed notes (those changed since the
    last run); no other row is removed.
    """
    stats = SparseSync()
    upserts: list[Row] = []
    rows = index.by_path()
    for note in notes:
        row = rows.get(note.path)
        if row is not None and row.hash == note.hash:
            continue
        doc = load_doc(note.path)
        if doc is None:
            stats.unreadable.append(note.path)
            continue
        upserts.append(build_row(note, doc, names, (prepared or {}).get(note.path)))
    wanted = {n.path for n in notes}
    deletes = [p for p in rows if p not in wanted] if complete else []
    if upserts or deletes:
        index.update(upserts, deletes)
    stats.added, stats.deleted = len(upserts), len(deletes)
    return stats


class Ranker:
    """Ranks related notes for sources with the fused channels."""

    def __init__(
        self,
        index: SparseIndex,
        names: NameIndex,
        *,
        weights: hybrid.FusionWeights,
        same_language: bool,
        floor: float | None = None,
    ) -> None:
        self.index = index
        self.names = names
        self.weights = weights
        self.floor = floor
        self.lang, self.targets, self.split = _ranking(index, same_language)
        self.same_language = same_language

    def sources(self, wanted: Collection[str]) -> list[str]:
        """Of ``wanted``, the notes that get a related list (indexed, with enough text).

        In index order; a few wanted notes are looked up rather than every row scanned.
        """
        if len(wanted) * 8 < len(self.index):
            found = [r for p in wanted if (r := self.index.row(p)) is not None]
            found.sort(key=lambda r: self.index.position(r.path))
            return [r.path for r in found if not r.short and len(r.terms)]
        return [
            r.path for r in self.index.rows if r.path in wanted and not r.short and len(r.terms)
        ]

    def lexical(self, sources: Sequence[str], full: bool) -> dict[str, list[Candidate]]:
        """Top lexical candidates; a full pass also refreshes the hub factors."""
        if full or len(sources) > FULL_PASS:
            everyone = self.sources(set(self.index.paths())) if full else list(sources)
            tops = self.index.top_all(everyone, POOL)
            if full:  # a hub is a note everyone's lists would start with, named or similar
                lists = {
                    s: hybrid.ranked(hybrid.fuse(c, (), self.mentioned(s), self.weights))
                    for s, c in tops.items()
                }
                self.index.hub = hybrid.hub_factors(lists, ratio=self.weights.ratio)
            return {s: tops.get(s, []) for s in sources}
        out: dict[str, list[Candidate]] = {}
        for source in sources:
            row = self.index.row(source)
            if row is not None:
                out[source] = self.index.nearest(row, POOL)
        return out

    def mentioned(self, source: str) -> list[str]:
        row = self.index.row(source)
        if row is None:
            return []
        found = (self.names.resolve(key, source) for key in row.mentions)
        return [p for p in dict.fromkeys(found) if p is not None and p != source]

    def rank(
        self,
        sources: Sequence[str],
        *,
        k: int,
        exclude: Callable[[str], Collection[str]],
        allowed: Collection[str],
        dense: Mapping[str, Sequence[Candidate]],
        full: bool = False,
    ) -> dict[str, list[Candidate]]:
        """The related list of each source, best first, cut relative to its best."""
        lexical = self.lexical(sources, full)
        out: dict[str, list[Candidate]] = {}
        unsure: frozenset[str] = frozenset()
        usual = ""
        if self.same_language:
            per_language = Counter(self.lang[p] for p in self.targets)
            detected = self.split is None
            unsure = language.too_rare(per_language, detected=detected)
            usual = language.dominant(per_language) if detected else ""
        for source in sources:
            mine = self.lang.get(source, "") or usual  # too short to tell: the vault's own
            if mine in unsure:
                mine = ""  # too few notes in its language to link within: any may do
            lex = lexical.get(source, [])
            if self.floor is not None:
                lex = [c for c in lex if c[1] >= self.floor]

            def keep(path: str, mine: str = mine, usual: str = usual) -> bool:
                return (
                    path in self.targets
                    and path in allowed
                    and (
                        not self.same_language
                        or language.compatible(mine, self.lang[path] or usual)
                    )
                )

            fused = hybrid.fuse(lex, dense.get(source, ()), self.mentioned(source), self.weights)
            out[source] = hybrid.select(
                source,
                fused,
                k=k,
                ratio=self.weights.ratio,
                hub=self.index.hub,
                keep=keep,
                exclude=exclude(source),
            )
        return out


_Ranking = tuple[dict[str, str], set[str], dict[str, Row], list[str], dict[str, str] | None]


def _ranking(
    index: SparseIndex, same_language: bool
) -> tuple[dict[str, str], set[str], dict[str, str] | None]:
    """Each row's language, the rows that can be targets and the vault's language folders
    (None: languages are detected), kept for the process.

    After a change of a few rows with the same paths (a watch cycle re-linking one note) only
    those rows are looked at again; otherwise everything is rebuilt.
    """
    key = ("ranking", same_language)
    memo = index.derived.get(key)
    paths = index.paths()
    if isinstance(memo, tuple) and memo[3] == paths:
        lang, targets, seen, _, split = memo
        for row in index.rows:
            if seen[row.path] is not row:
                seen[row.path] = row
                lang[row.path] = language.note_language(row.path, row.lang, split)
                (targets.add if len(row.terms) else targets.discard)(row.path)
        return lang, targets, split
    split = language.folder_languages(paths) if same_language else None
    lang = {r.path: language.note_language(r.path, r.lang, split) for r in index.rows}
    targets = {r.path for r in index.rows if len(r.terms)}
    fresh: _Ranking = (lang, targets, {r.path: r for r in index.rows}, paths, split)
    index.derived[key] = fresh
    return lang, targets, split


def load_index(state_dir: Path) -> SparseIndex:
    return SparseIndex.load(state_dir)
