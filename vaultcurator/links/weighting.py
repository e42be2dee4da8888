"""Term weights of the sparse lexical channel (:mod:`lexical`): TF-IDF cosine, pruned queries.

A note's terms weigh ``log(1 + tf) * idf`` (smoothed IDF), over the norm of all its terms, and
a note is scored against another by the cosine of the two. Measured with the authors' links
hidden (``benchmarks/links_vault_quality.py``), BM25 (as a note-as-query score, ``k1`` 1.2,
``b`` 0.75) won on some vaults and lost on others: +.07 recall@5 on npm's docs, -.04 on
Obsidian's help, and with the other channels fused, TF-IDF led on Obsidian's help by .07 and
tied on average elsewhere; so TF-IDF it is.

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


def query(own: F64, keep: npt.NDArray[np.bool_]) -> tuple[I64, F32]:
    """Which of a note's terms it searches with (positions, sorted) and their weights.

    ``own``: the note's unit weights; ``keep``: terms worth searching with (see module).
    """
    at = np.flatnonzero(keep)
    if len(at) > QUERY_TERMS:
        at = np.sort(at[np.argpartition(-own[at], QUERY_TERMS)[:QUERY_TERMS]])
    return at.astype(np.int64), own[at].astype(np.float32)
