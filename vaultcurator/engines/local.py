"""An offline curator: tags from the vault's own taxonomy, an extractive description.

For users without an API key, or whose notes must not leave the machine. Nothing is invented:
every proposed tag is one the vault already uses (or the note's own tag, normalised), and the
description is the note's first meaningful sentence with the Markdown stripped.

Tag evidence, scored per candidate (the vault's spelling is kept):

- the note's own tags (property and inline ``#tags``);
- existing tag names, or the leaf of a nested tag (``programming/python`` -> "python"), found
  in the title, the headings or the text (a nested tag is preferred to a flat one with the
  same leaf when the vault uses nesting);
- tags of the notes it links to (body and frontmatter wikilinks);
- tags most notes of its folder share;
- optionally ``neighbour_tags(note)``, e.g. tags of the most similar notes from the links
  index.

The best 3-8 are kept (fewer when the vault gives no more evidence), a tag is dropped when a
nested tag under it is kept (``a/b`` implies ``a``). Deterministic: ties break by how many
notes use the tag, then by name.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from typing import Any

from vaultcurator.config import CurationSettings
from vaultcurator.curation.answers import KnownTags
from vaultcurator.curation.prompts import MAX_TAGS, MIN_TAGS
from vaultcurator.domain.requests import CurationAnswer, RequestOutcome
from vaultcurator.engines.base import EngineSetup, PerNoteEngine, PerNoteSink, PreparedNote
from vaultcurator.engines.local_describe import _CJK, _WIKILINK, _WORD, _prose, describe
from vaultcurator.vault.model import Inventory, Note
from vaultcurator.vault.tags import normalize_tag
from vaultcurator.vault.taxonomy import tag_counts

NeighbourTags = Callable[[Note], list[str]]

ENGINE_NAME = "local"
OWN_TAG_SCORE = 4.0
TITLE_SCORE = 3.0
HEADING_SCORE = 2.0
TEXT_SCORE = 0.75
TEXT_SCORE_CAP = 3.0
LINKED_SCORE = 0.75
LINKED_SCORE_CAP = 1.5
FOLDER_SCORE = 1.5
FOLDER_MIN_SHARE = 0.5
NEIGHBOUR_SCORE = 1.5
KEEP_SCORE = 1.5
"""Evidence a tag needs to be proposed beyond the minimum of :data:`MIN_TAGS`."""
MAX_PHRASE_WORDS = 4
MIN_WORD_CHARS = 3

# Tags that say what kind of note a note is (a map of content), not what it is about: they are
# never passed on to a note through its links, its folder or its neighbours.
STRUCTURAL_TAGS = frozenset(
    ["moc", "index", "hub", "home", "map", "maps", "toc", "overview", "dashboard"]
)
_STOPWORD_TEXT = (
    "the and for with from that this your you are was not but all any can has have how its "
    "one our out too use via who why new note notes misc other stuff"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


class _Vocabulary:
    """Existing tags indexed by the words they are written with, for matching in text."""

    def __init__(self, counts: list[tuple[str, int]]) -> None:
        self.count: dict[str, int] = {tag.casefold(): n for tag, n in counts}
        self.nested = any("/" in tag for tag, _ in counts)
        by_phrase: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self.cjk: dict[str, list[str]] = defaultdict(list)
        for tag, _ in counts:
            leaf = tag.rsplit("/", 1)[-1]
            words = tuple(w.casefold() for w in re.split(r"[-_\s]+", leaf) if w)
            if not words or len(words) > MAX_PHRASE_WORDS:
                continue
            if _CJK.search(leaf):
                self.cjk[leaf.casefold()].append(tag)
                continue
            if len(words) == 1 and (
                len(words[0]) < MIN_WORD_CHARS or words[0].isdigit() or words[0] in _STOPWORDS
            ):
                continue
            by_phrase[words].append(tag)
        self.phrases = {p: self._best(tags) for p, tags in by_phrase.items()}
        self.cjk_best = {p: self._best(tags) for p, tags in self.cjk.items()}
        self.longest = max((len(p) for p in self.phrases), default=0)
        self.first_words = frozenset(p[0] for p in self.phrases)

    def _best(self, tags: list[str]) -> str:
        """Of tags sharing a leaf: nested first (when the vault nests), then most used."""
        return min(
            tags,
            key=lambda t: (
                -(t.count("/") if self.nested else 0),
                -self.count.get(t.casefold(), 0),
                t.casefold(),
            ),
        )

    def matches(self, text: str) -> Iterator[str]:
        """Every existing tag whose leaf occurs in ``text`` (once per occurrence)."""
        words = [_singular(w) for w in _WORD.findall(text.casefold())]
        first_words = self.first_words
        for start, word in enumerate(words):
            if word not in first_words:
                continue
            for size in range(1, min(self.longest, len(words) - start) + 1):
                tag = self.phrases.get(tuple(words[start : start + size]))
                if tag is not None:
                    yield tag
        if self.cjk_best:
            folded = text.casefold()
            for phrase, tag in self.cjk_best.items():
                for _ in range(folded.count(phrase)):
                    yield tag


def _singular(word: str) -> str:
    """A crude singular so "recipes" finds ``recipe``; leaves short words alone."""
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class LocalCurator:
    """Curate notes offline from what ``inventory`` already says about the vault."""

    engine = ENGINE_NAME

    def __init__(
        self,
        inventory: Inventory,
        settings: CurationSettings | None = None,
        *,
        neighbour_tags: NeighbourTags | None = None,
    ) -> None:
        self.settings = settings or CurationSettings()
        self.neighbour_tags = neighbour_tags
        valid = inventory.valid
        counts = tag_counts(valid)
        self._known = KnownTags(tag for tag, _ in counts)
        self._spelling: dict[str, str | None] = {}
        self._tags_of: dict[str, list[str]] = {}
        self._vocab = _Vocabulary(counts)
        self._by_title: dict[str, Note] = {}
        self._by_stem: dict[str, Note] = {}
        for note in sorted(valid, key=lambda n: (n.path.count("/"), n.path)):
            self._by_title.setdefault(note.title.casefold(), note)
            self._by_stem.setdefault(_stem(note.path).casefold(), note)
        self._folder_notes: Counter[str] = Counter()
        self._folder_tags: dict[str, Counter[str]] = defaultdict(Counter)
        for note in valid:
            folder = _folder(note.path)
            self._folder_notes[folder] += 1
            self._folder_tags[folder].update(self._note_tags(note))

    # ------------------------------------------------------------------ public

    def curate(self, note: Note, body: str) -> CurationAnswer:
        """Tags and a description for ``note`` whose Markdown body is ``body``."""
        return CurationAnswer(tags=self.tags_for(note, body), description=describe(body, note))

    def tags_for(self, note: Note, body: str) -> list[str]:
        scores: dict[str, float] = defaultdict(float)
        for tag in self._note_tags(note):
            scores[tag] += OWN_TAG_SCORE
        for tag in self._vocab.matches(note.title):
            scores[tag] += TITLE_SCORE
        headings, prose = _prose(body)
        for heading in headings:
            for tag in self._vocab.matches(heading):
                scores[tag] += HEADING_SCORE
        text_hits = Counter(self._vocab.matches(prose))
        for tag, hits in text_hits.items():
            scores[tag] += min(TEXT_SCORE_CAP, hits * TEXT_SCORE)
        linked: Counter[str] = Counter()
        for other in self._linked_notes(note, body):
            linked.update(_topical(self._note_tags(other)))
        for tag, n in linked.items():
            scores[tag] += min(LINKED_SCORE_CAP, n * LINKED_SCORE)
        for tag, share in self._folder_shares(note).items():
            if share >= FOLDER_MIN_SHARE:
                scores[tag] += FOLDER_SCORE * share
        if self.neighbour_tags is not None:
            for tag in _topical(self._spelled(self.neighbour_tags(note))):
                scores[tag] += NEIGHBOUR_SCORE
        own = {t.casefold() for t in self._note_tags(note)}
        return self._choose(scores, note, own)

    # ------------------------------------------------------------------ helpers

    def _spell(self, candidate: str) -> str | None:
        """The tag rules applied to ``candidate``, in the vault's spelling (memoised)."""
        if candidate not in self._spelling:
            tag = normalize_tag(candidate)
            self._spelling[candidate] = tag and (self._known.spelling(tag) or tag)
        return self._spelling[candidate]

    def _spelled(self, candidates: Iterable[str]) -> list[str]:
        """Valid tags in the vault's spelling, case-insensitively unique, order kept."""
        out: dict[str, str] = {}
        for candidate in candidates:
            tag = self._spell(candidate)
            if tag is not None:
                out.setdefault(tag.casefold(), tag)
        return list(out.values())

    def _note_tags(self, note: Note) -> list[str]:
        tags = self._tags_of.get(note.path)
        if tags is None:
            tags = self._tags_of[note.path] = self._spelled([*note.tags, *note.inline_tags])
        return tags

    def _folder_shares(self, note: Note) -> dict[str, float]:
        folder = _folder(note.path)
        others = self._folder_notes[folder] - 1
        if others < 2:
            return {}
        counts = self._folder_tags[folder].copy()
        counts.subtract(self._note_tags(note))
        return {tag: n / others for tag, n in counts.items() if n > 0 and _is_topical(tag)}

    def _linked_notes(self, note: Note, body: str) -> list[Note]:
        targets = [*_link_targets(body), *_frontmatter_links(note.frontmatter)]
        found: dict[str, Note] = {}
        for target in targets:
            key = target.strip().removesuffix(".md").casefold()
            other = self._by_stem.get(key) if "/" in key else self._by_title.get(key)
            if other is not None and other.path != note.path:
                found.setdefault(other.path, other)
        return list(found.values())

    def _rank(self, tag: str, score: float) -> tuple[float, int, str]:
        return (-score, -self._vocab.count.get(tag.casefold(), 0), tag.casefold())

    def _choose(self, scores: dict[str, float], note: Note, own: set[str]) -> list[str]:
        ranked = sorted(scores, key=lambda t: self._rank(t, scores[t]))
        chosen = [t for t in ranked if scores[t] >= KEEP_SCORE]
        for tag in ranked:
            if len(chosen) >= MIN_TAGS:
                break
            if tag not in chosen:
                chosen.append(tag)
        if len(chosen) < MIN_TAGS:
            chosen.extend(self._folder_fallback(note, chosen))
        return _drop_parents(chosen, keep=own)[:MAX_TAGS]

    def _folder_fallback(self, note: Note, chosen: list[str]) -> list[str]:
        """Existing tags named like the note's folders (``Cooking/Recipes`` -> ``cooking``)."""
        have = {t.casefold() for t in chosen}
        out: list[str] = []
        for part in _folder(note.path).split("/"):
            tag = normalize_tag(part) if part else None
            spelled = self._known.spelling(tag) if tag else None
            if spelled and spelled.casefold() not in have:
                have.add(spelled.casefold())
                out.append(spelled)
        return out


def _drop_parents(tags: list[str], keep: AbstractSet[str] = frozenset()) -> list[str]:
    """Without tags implied by a nested one (``a`` beside ``a/b``), unless in ``keep``."""
    folded = [t.casefold() for t in tags]
    return [
        tag
        for tag, key in zip(tags, folded, strict=True)
        if key in keep or not any(other.startswith(key + "/") for other in folded)
    ]


def _is_topical(tag: str) -> bool:
    return tag.casefold() not in STRUCTURAL_TAGS


def _topical(tags: Iterable[str]) -> list[str]:
    return [t for t in tags if _is_topical(t)]


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _stem(path: str) -> str:
    return path[:-3] if path.lower().endswith(".md") else path


def _link_targets(text: str) -> list[str]:
    return [m.group(1) for m in _WIKILINK.finditer(text) if m.group(1).strip()]


def _frontmatter_links(value: Any) -> list[str]:
    if isinstance(value, str):
        return _link_targets(value)
    if isinstance(value, dict):
        return [t for v in value.values() for t in _frontmatter_links(v)]
    if isinstance(value, list):
        return [t for v in value for t in _frontmatter_links(v)]
    return []


class LocalEngine(PerNoteEngine):
    """The engine protocol over :class:`LocalCurator`: offline, one note after another."""

    def __init__(self, setup: EngineSetup) -> None:
        super().__init__(setup)
        self._curator: LocalCurator | None = None

    def run(self, notes: Iterable[PreparedNote], attempt: int, total: int) -> None:
        if self._curator is None:
            self._curator = LocalCurator(self.setup.inventory, self.setup.settings)
        sink = PerNoteSink(self.setup, total)
        for item in notes:
            try:
                answer = self._curator.curate(item.note, item.body)
            except Exception as exc:  # the local curator must never stop the whole job
                outcome = RequestOutcome(
                    item.custom_id, "errored", error_type="local_error", error=str(exc)
                )
            else:
                outcome = RequestOutcome(item.custom_id, "succeeded", answer=answer)
            sink(item.note.path, outcome)
