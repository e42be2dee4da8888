"""Choosing related notes from nearest neighbours: top k, threshold, exclusions, symmetry.

Pure functions over (path, similarity) candidate lists, so they are easy to test and the same
for every embedder and for the brute-force floor used by the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

import numpy as np
import numpy.typing as npt

Candidate = tuple[str, float]


def pick(
    source: str,
    candidates: Sequence[Candidate],
    *,
    k: int,
    threshold: float,
    exclude: Collection[str] = (),
    allowed: Collection[str] | None = None,
) -> list[Candidate]:
    """The best ``k`` candidates at or above ``threshold``: never ``source``, nothing excluded.

    Ties are broken by path so the result does not depend on the index's internal order.
    """
    seen: set[str] = set()
    kept: list[Candidate] = []
    for path, score in sorted(candidates, key=lambda c: (-c[1], c[0])):
        if path == source or path in seen or path in exclude or score < threshold:
            continue
        if allowed is not None and path not in allowed:
            continue
        seen.add(path)
        kept.append((path, score))
        if len(kept) >= k:
            break
    return kept


def add_reverse(
    forward: Mapping[str, Sequence[Candidate]],
    *,
    k: int,
    excluded: Callable[[str], Collection[str]],
    receivers: Collection[str] | None = None,
) -> dict[str, list[Candidate]]:
    """Bidirectional mode: when A lists B, B also considers A; each list keeps its best ``k``.

    ``receivers`` limits which notes may get links (notes that can be edited);
    ``excluded(path)`` gives the notes a receiver already links to.
    """
    pooled: dict[str, dict[str, float]] = {
        src: {path: score for path, score in cands} for src, cands in forward.items()
    }
    for src, cands in forward.items():
        for target, score in cands:
            if receivers is not None and target not in receivers:
                continue
            pool = pooled.setdefault(target, {})
            pool[src] = max(score, pool.get(src, score))
    out: dict[str, list[Candidate]] = {}
    for src, pool in pooled.items():
        out[src] = pick(
            src, list(pool.items()), k=k, threshold=float("-inf"), exclude=excluded(src)
        )
    return out


def brute_force_topk(
    vectors: npt.NDArray[np.float32], n: int, *, block: int = 1024
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Exact cosine top ``n`` for every row (rows are unit vectors); the benchmark's floor."""
    count = len(vectors)
    n = min(n, count)
    top_idx = np.zeros((count, n), dtype=np.int64)
    top_sim = np.zeros((count, n), dtype=np.float32)
    for start in range(0, count, block):
        sims = vectors[start : start + block] @ vectors.T
        part = np.argpartition(-sims, n - 1, axis=1)[:, :n]
        part_sims = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-part_sims, axis=1)
        top_idx[start : start + block] = np.take_along_axis(part, order, axis=1)
        top_sim[start : start + block] = np.take_along_axis(part_sims, order, axis=1)
    return top_idx, top_sim
