"""The default embedder: TF-IDF over hashed words and word pairs. No model, no network.

Features are lower-cased words (plural ``s`` stripped, common English words and bare numbers
dropped, CJK runs split into character pairs, a full date such as ``2024-03-12`` one word)
and adjacent word pairs, from each part of a note with its
own weight (title > folder, description, tags > headings > body). Each feature is hashed
twice: into 2**20 buckets that count document frequency, and, with a sign, into ``dim``
output dimensions (signed hashing keeps dot products unbiased under collisions).

IDF comes from the vault itself and is *frozen*: the document frequencies are stored with the
index and reused, so one changed note is re-embedded alone and every other vector stays valid.
They are refitted (and every note re-embedded, a few seconds for 10,000 notes) only when the
vault has grown or shrunk by half since the fit; a word unseen at fit time gets the highest
IDF, as a rare word should. See :func:`needs_refit`.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt

from vaultcurator.links.text import NoteDoc

DF_BITS = 20
_DF_MASK = (1 << DF_BITS) - 1
_TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+|[^\W_]+"
)
"""Words; a full ISO date is one (daily notes are named by it, meetings often start with it:
split into numbers it was dropped, and a day's note could not find that day's meetings)."""
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_STOP_WORDS = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
let me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves via use used using one two
get got make made like etc eg ie vs per www http https com md
"""
_STOP = frozenset(_STOP_WORDS.split())
WEIGHTS = {
    "title": 3.0,
    "folder": 2.0,
    "description": 2.0,
    "tags": 2.0,
    "extra": 1.5,
    "headings": 1.5,
    "body": 1.0,
}
PAIR_WEIGHT = 0.5
"""Word pairs count half as much as words: they sharpen topics without dominating them."""
REFIT_FACTOR = 1.5
DEFAULT_DIM = 256
"""Small on purpose: this is the dense channel's no-download fallback, fused at a low weight
beside the exact lexical channel (which it approximates); 2,048 dimensions cost Chroma many
times the time (HNSW inserts) for no measured gain in the fused result."""


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_NORMAL: dict[str, tuple[str, ...]] = {}
"""Raw lower-cased token -> the words it contributes (memoised: vaults repeat words a lot)."""


def _normal(raw: str) -> tuple[str, ...]:
    found = _NORMAL.get(raw)
    if found is None:
        if _CJK.match(raw):
            found = (raw,) if len(raw) == 1 else tuple(raw[i : i + 2] for i in range(len(raw) - 1))
        elif raw in _STOP or raw.isdigit() or len(raw) < 2:
            found = ()
        else:
            found = (_stem(raw),)
        if len(_NORMAL) > 1_000_000:
            _NORMAL.clear()
        _NORMAL[raw] = found
    return found


def tokens(text: str) -> list[str]:
    """Words of ``text`` as features see them (see module docstring)."""
    raws = _TOKEN.findall(text.lower())
    found = list(map(_NORMAL.get, raws))  # memo hits without a call per token (1.5M a run)
    parts: list[tuple[str, ...]] = (
        [p if p is not None else _normal(r) for p, r in zip(found, raws, strict=True)]
        if None in found
        else cast("list[tuple[str, ...]]", found)
    )
    return list(itertools.chain.from_iterable(parts))


def features(doc: NoteDoc) -> dict[str, float]:
    """Weighted term counts of one note, words and word pairs, over all its parts."""
    counts: defaultdict[str, float] = defaultdict(float)

    def add(text: str, weight: float) -> None:
        words = tokens(text)
        if not words:
            return
        for word, n in Counter(words).items():
            counts[word] += n * weight
        pair_weight = weight * PAIR_WEIGHT
        for pair, n in Counter(map(" ".join, itertools.pairwise(words))).items():
            counts[pair] += n * pair_weight

    add(doc.title, WEIGHTS["title"])
    add(doc.folder, WEIGHTS["folder"])
    add(doc.description, WEIGHTS["description"])
    for tag in doc.tags:
        counts["#" + tag.lower()] += WEIGHTS["tags"]
        add(tag.replace("/", " ").replace("-", " "), WEIGHTS["tags"])
    for part in doc.extra:
        add(part, WEIGHTS["extra"])
    for heading in doc.headings:
        add(heading, WEIGHTS["headings"])
    add(doc.body, WEIGHTS["body"])
    return counts


class _Hasher:
    """Stable 64-bit feature hashes, memoised (a vault has far fewer distinct features)."""

    def __init__(self, limit: int = 2_000_000) -> None:
        self._memo: dict[str, int] = {}
        self._limit = limit

    def __call__(self, feature: str) -> int:
        value = self._memo.get(feature)
        if value is None:
            if len(self._memo) >= self._limit:
                self._memo.clear()
            digest = hashlib.blake2b(feature.encode("utf-8", "surrogatepass"), digest_size=8)
            value = int.from_bytes(digest.digest(), "little")
            self._memo[feature] = value
        return value

    def many(self, features: Iterable[str]) -> list[int]:
        """``[self(f) for f in features]``, memo hits looked up inline (a full run hashes
        two million features, nearly all seen before: the call per feature was a third of
        the featurising time)."""
        names = list(features)
        found = list(map(self._memo.get, names))
        if None in found:
            return [v if v is not None else self(f) for v, f in zip(found, names, strict=True)]
        return cast("list[int]", found)


_HASH = _Hasher()


@dataclass(frozen=True, slots=True)
class IdfTable:
    """Frozen document frequencies: ``n_docs`` notes, ``df`` per hash bucket."""

    n_docs: int
    df: npt.NDArray[np.uint32]
    _fingerprint: str = field(default="", init=False, repr=False, compare=False)

    @property
    def fingerprint(self) -> str:
        """Hash of the table, computed once: it names the vector space on every run."""
        if not self._fingerprint:
            digest = hashlib.sha256(str(self.n_docs).encode())
            digest.update(self.df.tobytes())
            object.__setattr__(self, "_fingerprint", digest.hexdigest()[:12])
        return self._fingerprint

    def idf(self, buckets: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Smoothed IDF of these buckets; a bucket no note had at fit time gets the highest."""
        n = float(self.n_docs)
        return np.log((1.0 + n) / (1.0 + self.df[buckets].astype(np.float64))) + 1.0

    def to_bytes(self) -> bytes:
        """Sparse form (bucket, count) of the non-empty buckets; uncompressed, loads fast."""
        nonzero = np.flatnonzero(self.df).astype(np.uint32)
        return (
            np.array([self.n_docs, len(nonzero)], dtype=np.uint64).tobytes()
            + nonzero.tobytes()
            + self.df[nonzero].astype(np.uint32).tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> IdfTable:
        n_docs, count = (int(v) for v in np.frombuffer(data[:16], dtype=np.uint64))
        index = np.frombuffer(data[16 : 16 + 4 * count], dtype=np.uint32)
        values = np.frombuffer(data[16 + 4 * count : 16 + 8 * count], dtype=np.uint32)
        if len(values) != count:
            raise ValueError("truncated IDF table")
        df = np.zeros(1 << DF_BITS, dtype=np.uint32)
        df[index] = values
        return cls(n_docs=n_docs, df=df)


Prepared = tuple[npt.NDArray[np.uint64], npt.NDArray[np.float32]]
"""A note's features as (64-bit hashes, weighted counts): computed once, used by fit and embed."""


def prepare(doc: NoteDoc) -> Prepared:
    counts = features(doc)
    if min(counts.values(), default=1.0) <= 0:  # never with today's weights (all above 0)
        counts = {f: w for f, w in counts.items() if w > 0}
    hashes = np.fromiter(_HASH.many(counts), dtype=np.uint64, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
    return hashes, tf


def fit_idf(docs: Iterable[NoteDoc], keep: dict[str, Prepared] | None = None) -> IdfTable:
    """Count, per hash bucket, how many notes have the feature.

    ``keep`` receives each note's prepared features, so embedding right after the fit does
    not tokenise every note a second time.
    """
    df = np.zeros(1 << DF_BITS, dtype=np.uint32)
    n_docs = 0
    for doc in docs:
        n_docs += 1
        prepared = prepare(doc)
        if keep is not None:
            keep[doc.path] = prepared
        # a bucket repeated in the index is still added to once: one count per note, as
        # np.unique would make it, without sorting every note's features
        df[(prepared[0] & np.uint64(_DF_MASK)).astype(np.int64)] += 1
    return IdfTable(n_docs=n_docs, df=df)


def needs_refit(table: IdfTable | None, n_notes: int) -> bool:
    """Refit when there is no table, or the vault grew or shrank by half since the fit."""
    if table is None or table.n_docs == 0:
        return n_notes > 0
    return n_notes > table.n_docs * REFIT_FACTOR or n_notes * REFIT_FACTOR < table.n_docs


class HashedTfidfEmbedder:
    """``hashed``: see module docstring. Deterministic across runs and machines."""

    kind = "hashed"
    default_threshold = 0.1

    def __init__(
        self, idf: IdfTable, dim: int = DEFAULT_DIM, prepared: dict[str, Prepared] | None = None
    ) -> None:
        self.dim = dim
        self.prepared: dict[str, Prepared] = prepared if prepared is not None else {}
        """Features computed by the fit of this run, used (and dropped) by the first embed."""
        self.table = idf

    @property
    def name(self) -> str:
        return self.kind

    @property
    def space_id(self) -> str:
        """Identity of the vector space: vectors with another id must be recomputed."""
        return f"{self.kind}-{self.dim}-idf{self.table.fingerprint}"

    def embed_one(self, doc: NoteDoc) -> npt.NDArray[np.float32]:
        vector = np.zeros(self.dim, dtype=np.float32)
        prepared = self.prepared.pop(doc.path, None)
        hashes, tf = prepared if prepared is not None else prepare(doc)
        if not len(hashes):
            return vector
        df_bucket = (hashes & np.uint64(_DF_MASK)).astype(np.int64)
        idf = self.table.idf(df_bucket)
        # sublinear: a word said ten times is not ten times the topic
        weight = np.log1p(tf) * idf
        dims = ((hashes >> np.uint64(DF_BITS)) % np.uint64(self.dim)).astype(np.int64)
        signs = np.where((hashes >> np.uint64(63)) & np.uint64(1), -1.0, 1.0)
        np.add.at(vector, dims, (weight * signs).astype(np.float32))
        norm = float(np.linalg.norm(vector))
        if norm > 0:
            vector /= norm
        return vector

    def embed(self, docs: Sequence[NoteDoc]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(docs), self.dim), dtype=np.float32)
        for row, doc in enumerate(docs):
            out[row] = self.embed_one(doc)
        return out
