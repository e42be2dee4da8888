"""Term weights of the sparse lexical channel (:mod:`lexical`): TF-IDF cosine, or BM25 for
terse notes; pruned queries.

A note's terms weigh ``log(1 + tf) * idf`` (smoothed IDF), over the norm of all its terms, and
a note is scored against another by the cosine of the two. A terse note (weighted term count
at most ``TERSE_LENGTH``: a to-do list, meeting minutes, a daily log) searches with BM25
instead: its terms weigh ``log(1 + tf) * idf`` with BM25's IDF (a word in half the notes
weighs almost nothing), a target's are saturated and length-normalised (``k1`` 1.2, ``b``
0.75; a target shorter than the mean counts as of mean length, so stubs are not everyone's
neighbour), and the score is divided by the note's score against itself. With the cosine, a
few words of filler shared with another short note outweigh the one rare word (a project's
name) shared with a longer page, as the cosine divides by the target's whole length.

Measured with the authors' links hidden (``benchmarks/links_vault_quality.py``, the default
fused as ``curate`` runs it, paired against the cosine for every note, ± standard error):
generated terse work vaults (``benchmarks/support/work_vault.py``) +.034 ±.004 recall@5 in
Spanish (.260 vs .226), +.056 ±.005 in German (.242 vs .186; seed 6: +.041 and +.055; before
dates were words and hubs limited to 1% of the lists, +.016 to +.027), the 47-note fixture
vault +.036 ±.041; Obsidian's help -- English, Spanish, three languages -- +.004, +.004, -.003
(±.003), its long pages using the cosine as before; generated vaults of longer notes within
noise (0 to -.009 ±.010). BM25 for every note lost on documentation (exact scores,
``benchmarks/links_lexical_variants.py``: -.10 on Obsidian's English help, -.05 on its Spanish
help, -.06 in three languages, fused), as did adding the two row-normalised channels (-.03 to
-.06 on the docs, +.01 to +.02 on the terse vaults), hence the choice per note.

The query keeps the note's ``QUERY_TERMS`` heaviest terms among those worth searching with:
a term no other note has matches nothing, and a very common term is worth little while its
postings would dominate the cost (``SparseIndex.common``). Both the all-pairs pass and one
changed note use this same query, so both give the same lists.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

QUERY_TERMS = 256
"""Each note's heaviest terms used as its query (96 cost .03 recall@5 on long docs pages)."""

TERSE_LENGTH = 80.0
"""Notes whose weighted term count (a title word 3, a body word 1, a word pair half) is at
most this search with BM25; longer ones with the cosine. Docs pages weigh 170-950 (quartiles
on Obsidian's help), terse work notes 36-62. 50 gained .006-.008 less on the terse vaults;
120 about the same as 80; 160 cost .015 on Obsidian's English help (its short pages)."""
K1 = 1.2
"""BM25's term-frequency saturation: the tenth mention of a word adds little."""
B = 0.75
"""BM25's length normalisation: a long note matching a word is not worth more for its length."""

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def idf(n: int, df: I64) -> F64:
    """Smoothed IDF (a term no note has gets the highest)."""
    out: F64 = np.log((1.0 + n) / (1.0 + df)) + 1.0
    return out


def unit(tf: F64, idfs: F64) -> F64:
    """A note's ``log(1 + tf) * idf`` weights over their norm."""
    weights = np.log1p(tf) * idfs
    norm = float(np.sqrt(np.dot(weights, weights)))
    out: F64 = weights / norm if norm > 0 else weights
    return out


def is_terse(weights: F32) -> bool:
    """A note short enough to search with BM25 (its weighted term count, see module)."""
    return float(weights.sum()) <= TERSE_LENGTH


def bm25_idf(n: int, df: I64) -> F64:
    """BM25's IDF: a term in half the notes weighs almost nothing."""
    out: F64 = np.log((n - df + 0.5) / (df + 0.5) + 1.0)
    return out


def bm25_target(tf: F64, idfs: F64, length: float, mean: float) -> F64:
    """A note's BM25 weights as a target (``length``: its weighted term count).

    A note shorter than the mean counts as of mean length: being short does not make a note a
    better match (a stub named by a common word would otherwise be everyone's neighbour).
    """
    mean = mean if mean > 0 else 1.0
    damp = K1 * (1.0 - B + B * max(length, mean) / mean)
    out: F64 = idfs * tf * (K1 + 1.0) / (tf + damp)
    return out


def bm25_query(tf: F64, idfs: F64) -> F64:
    """A terse note's query weights, ``log(1 + tf) * idf`` (BM25's IDF)."""
    out: F64 = np.log1p(tf) * idfs
    return out


def query(own: F64, keep: npt.NDArray[np.bool_], target: F64 | None = None) -> tuple[I64, F32]:
    """Which of a note's terms it searches with (positions, sorted) and their weights.

    ``own``: the note's query weights; ``keep``: terms worth searching with (see module).
    ``target``: for BM25, the note's own weights as a target: the query is divided by its
    score against itself, so scores read as a share of a perfect match (as a cosine does).
    """
    at = np.flatnonzero(keep)
    if len(at) > QUERY_TERMS:
        at = np.sort(at[np.argpartition(-own[at], QUERY_TERMS)[:QUERY_TERMS]])
    weights = own[at]
    if target is not None:
        self_score = float(np.dot(weights, target[at]))
        weights = weights / self_score if self_score > 0 else weights * 0.0
    return at.astype(np.int64), weights.astype(np.float32)
