"""The offline engine's tag evidence: the vocabulary in a note's words, and its nearest notes.

Two indexes built once per job over the whole vault:

- :class:`TagPhrases`: each candidate tag as the words it is written with (the leaf of a
  nested tag: ``programming/python`` -> ``python``; ``machine-learning`` -> "machine
  learning"), matched as whole words or whole phrases against a note's evidence words (see
  :mod:`.local_text`: no stopwords, no identifier substrings). A tag whose words are all
  stopwords (``todo``, ``all``) is never found in text; it can still come from neighbours.
- :class:`NearestNotes`: exact-vocabulary TF-IDF over titles and bodies, cosine similarity
  through an inverted index; a note's nearest *tagged* notes vote for their tags. (Measured
  for related links: exact vocabulary beats hashing; here it is the strongest single signal.)

And the vault's habit with nested tags: whether a parent is written beside its child
(:func:`parents_carried_too`, :func:`drop_parents`).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet

from vaultcurator.engines.local_text import ALL_STOPWORDS, BREAK, singular

MAX_PHRASE_WORDS = 4
TERMS_PER_NOTE = 60
"""A note's vector keeps its heaviest terms only: the rest barely moves a cosine."""
QUERY_TERMS = 25
"""Neighbours are looked up through a note's heaviest terms only (the postings they walk are
the cost of a query)..."""
POSTINGS_KEPT = 200
"""...and each term lists only the notes it weighs most in (impact-ordered pruning): a query
costs at most ``QUERY_TERMS * POSTINGS_KEPT`` steps however large the vault."""
COMMON_TERM_SHARE = 0.3
"""Terms in more notes than this share (and than :data:`COMMON_TERM_MIN`) are left out of the
index: near-zero IDF, long posting lists."""
COMMON_TERM_MIN = 20
TITLE_REPEAT = 3
"""A title's words count as this many body words."""
PARENT_TOO = 0.5
"""A parent stays beside its nested tag when at least this share of the vault's notes that
carry one of its children carry it as well (the vault's habit: ``a`` and ``a/b`` together)."""
_SPLIT = re.compile(r"[-_\s]+")


def tag_words(tag: str) -> tuple[str, ...]:
    """The words a tag is written with (its leaf), singular; a phrase without its stopwords.

    A one-word tag keeps its word even when some language has it as a stopword: the note's
    own language decides (``todo`` is found in an English note, never in a Spanish one,
    whose evidence words have no ``todo``: see :func:`~.local_text.words`)."""
    leaf = tag.rsplit("/", 1)[-1].casefold()
    parts = [singular(w) for w in _SPLIT.split(leaf) if w and not w.isdigit()]
    if len(parts) > 1:
        parts = [w for w in parts if w not in ALL_STOPWORDS]
    return tuple(parts)


class TagPhrases:
    """Candidate tags indexed by their words, for whole-word and whole-phrase matching."""

    def __init__(self, tags: Iterable[str], prefer: Mapping[str, int]) -> None:
        """``prefer``: how many notes use each tag (case-folded); of tags sharing words the
        nested one wins when the vault nests, then the most used."""
        by_phrase: dict[tuple[str, ...], list[str]] = defaultdict(list)
        tags = list(tags)
        nested = any("/" in t for t in tags)
        for tag in tags:
            words = tag_words(tag)
            if words and len(words) <= MAX_PHRASE_WORDS and len("".join(words)) >= 3:
                by_phrase[words].append(tag)
        self.phrases: dict[tuple[str, ...], str] = {
            phrase: min(
                found,
                key=lambda t: (
                    -(t.count("/") if nested else 0),
                    -prefer.get(t.casefold(), 0),
                    t.casefold(),
                ),
            )
            for phrase, found in by_phrase.items()
        }
        self.longest = max((len(p) for p in self.phrases), default=0)
        self.first_words = frozenset(p[0] for p in self.phrases)

    def matches(self, words: list[str]) -> Iterator[str]:
        """Every tag whose words occur in ``words`` (evidence words, singular), per occurrence."""
        first_words = self.first_words
        for start, word in enumerate(words):
            if word not in first_words:
                continue
            for size in range(1, min(self.longest, len(words) - start) + 1):
                tag = self.phrases.get(tuple(words[start : start + size]))
                if tag is not None:
                    yield tag


class NearestNotes:
    """TF-IDF cosine neighbours over the vault's notes (keys are note paths)."""

    def __init__(self, documents: Mapping[str, tuple[list[str], list[str]]]) -> None:
        """``documents``: path -> (title words, body words), evidence words already."""
        counts = {
            path: Counter(title * TITLE_REPEAT + body) for path, (title, body) in documents.items()
        }
        for terms in counts.values():
            terms.pop(BREAK, None)
        df: Counter[str] = Counter()
        for terms in counts.values():
            df.update(terms.keys())
        total = max(1, len(counts))
        too_common = max(COMMON_TERM_MIN, int(COMMON_TERM_SHARE * total))
        idf = {t: math.log((1 + total) / (1 + n)) + 1.0 for t, n in df.items() if n <= too_common}
        self.vectors: dict[str, dict[str, float]] = {}
        postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for path, terms in counts.items():
            weights = {t: (1 + math.log(n)) * idf[t] for t, n in terms.items() if t in idf}
            top = heapq.nlargest(TERMS_PER_NOTE, weights.items(), key=lambda kv: kv[1])
            norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
            vector = {t: w / norm for t, w in top}
            self.vectors[path] = vector
            for term, weight in vector.items():
                postings[term].append((path, weight))
        self.postings = {
            term: heapq.nlargest(POSTINGS_KEPT, entries, key=lambda pw: (pw[1], pw[0]))
            if len(entries) > POSTINGS_KEPT
            else entries
            for term, entries in postings.items()
        }

    def nearest(self, path: str, k: int, among: Mapping[str, object]) -> list[tuple[str, float]]:
        """The ``k`` notes most similar to ``path`` that are keys of ``among`` (not itself)."""
        vector = self.vectors.get(path)
        if not vector:
            return []
        scores: dict[str, float] = defaultdict(float)
        query = heapq.nlargest(QUERY_TERMS, vector.items(), key=lambda kv: kv[1])
        for term, weight in query:
            for other, other_weight in self.postings.get(term, ()):
                scores[other] += weight * other_weight
        scores.pop(path, None)
        ranked = ((p, s) for p, s in scores.items() if p in among and s > 0)
        return heapq.nlargest(k, ranked, key=lambda ps: (ps[1], ps[0]))


def parents_carried_too(tag_lists: Iterable[list[str]]) -> frozenset[str]:
    """Parents (case-folded) that the notes carrying one of their children usually carry
    too (:data:`PARENT_TOO`)."""
    with_child: Counter[str] = Counter()
    with_both: Counter[str] = Counter()
    for tags in tag_lists:
        folded = {t.casefold() for t in tags}
        parents = {t.rsplit("/", 1)[0] for t in folded if "/" in t}
        with_child.update(parents)
        with_both.update(parents & folded)
    return frozenset(p for p, n in with_child.items() if with_both[p] >= PARENT_TOO * n)


def drop_parents(
    tags: list[str], sure: Mapping[str, float], keep: AbstractSet[str] = frozenset()
) -> list[str]:
    """Without tags implied by a nested one at least as sure (``a`` beside ``a/b``: a search
    for ``#a`` finds ``#a/b``), unless in ``keep``; ``sure``: probability by case-folded tag.
    (A likely parent beside an unlikely child stays: the child may be wrong.)"""
    folded = [t.casefold() for t in tags]
    return [
        tag
        for tag, key in zip(tags, folded, strict=True)
        if key in keep
        or not any(
            other.startswith(key + "/") and sure.get(other, 0.0) >= sure.get(key, 0.0)
            for other in folded
        )
    ]
