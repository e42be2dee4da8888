"""Which lexical scoring suits which vault: TF-IDF cosine, BM25 and their fusions, paired.

For each vault (links hidden as in :mod:`links_vault_quality`), every variant's exact score
matrix (every term, no pruning) is computed, then ranked alone and inside the default's
fusion (mentions, hubs, relative cut-off, same language): the hybrid's lexical candidates
come from the variant instead of the index. Printed: recall@k per variant and its paired
difference against TF-IDF cosine (mean over notes with links, with the standard error of
that mean), so a gain can be told from noise.

Variants: ``tfidf`` (the cosine), ``bm25`` (note as query, ``k1`` 1.2, ``b`` 0.75), ``bm25
short=mean`` (a target shorter than the mean counts as of mean length), ``tfidf+bm25`` (both
row-normalised and added), ``per-note <=80`` (BM25 for notes of weighted length 80 or less,
the cosine for longer ones: the default), and the mention weight raised for terse notes
(``terse mention``; measured, not adopted: it gained only on the generated work vaults,
and not monotonically).

Run: ``python benchmarks/links_lexical_variants.py VAULT [VAULT ...] [--k 5]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from links_vault_quality import Hidden, gold_links, hide_links  # noqa: E402

from vaultcurator.links import hybrid, retrieve  # noqa: E402
from vaultcurator.links.hybrid import FusionWeights  # noqa: E402

F64 = npt.NDArray[np.float64]
K1, B = 1.2, 0.75


class Matrix:
    """The hidden vault's rows as compact term ids, for exact all-pairs scores."""

    def __init__(self, h: Hidden) -> None:
        rows = h.index.rows
        self.n = len(rows)
        terms = np.concatenate([r.terms for r in rows])
        self.vocab, self.term = np.unique(terms, return_inverse=True)
        self.tf = np.concatenate([r.weights for r in rows]).astype(np.float64)
        self.doc = np.repeat(np.arange(self.n), [len(r.terms) for r in rows])
        self.df = np.bincount(self.term, minlength=len(self.vocab)).astype(np.float64)
        self.length = np.bincount(self.doc, weights=self.tf, minlength=self.n)
        self.order = np.argsort(self.term, kind="stable")
        self.starts = np.searchsorted(self.term[self.order], np.arange(len(self.vocab)))
        self.ends = np.append(self.starts[1:], len(self.order))

    def scores(self, query: F64, target: F64) -> F64:
        """``S[i, j]`` = sum over shared terms of query weight in i times target weight in j."""
        out = np.zeros((self.n, self.n))
        post_doc = self.doc[self.order]
        post_w = target[self.order]
        for t in range(len(self.vocab)):
            a, b = self.starts[t], self.ends[t]
            if b - a < 2:
                continue
            docs = post_doc[a:b]
            out[np.ix_(docs, docs)] += np.outer(query[self.order[a:b]], post_w[a:b])
        np.fill_diagonal(out, 0.0)
        return out

    def tfidf(self) -> tuple[F64, F64]:
        idf = np.log((1.0 + self.n) / (1.0 + self.df)) + 1.0
        w = np.log1p(self.tf) * idf[self.term]
        norms = np.sqrt(np.bincount(self.doc, weights=w * w, minlength=self.n))
        w = w / np.maximum(norms[self.doc], 1e-12)
        return w, w

    def bm25(self, *, floor: bool = False, b: float = B) -> tuple[F64, F64]:
        idf = np.log((self.n - self.df + 0.5) / (self.df + 0.5) + 1.0)[self.term]
        mean = float(self.length.mean()) or 1.0
        length = self.length[self.doc]
        if floor:
            length = np.maximum(length, mean)
        damp = K1 * (1.0 - b + b * length / mean)
        return np.log1p(self.tf) * idf, idf * self.tf * (K1 + 1.0) / (self.tf + damp)


def rownorm(s: F64) -> F64:
    best = s.max(axis=1, keepdims=True)
    out: F64 = np.divide(s, best, out=np.zeros_like(s), where=best > 0)
    return out


def per_length(tfidf: F64, bm25: F64, length: F64, limit: float) -> F64:
    """BM25 rows for notes of at most ``limit`` weighted length, TF-IDF rows for longer ones."""
    out: F64 = np.where((length <= limit)[:, None], rownorm(bm25), rownorm(tfidf))
    return out


def top(s: F64, paths: Sequence[str], slots: Sequence[int], n: int) -> dict[str, list]:
    out = {}
    for i in slots:
        best = np.argsort(-s[i], kind="stable")[:n]
        out[paths[i]] = [(paths[j], float(s[i, j])) for j in best if s[i, j] > 0]
    return out


class VariantRanker(retrieve.Ranker):
    """The default's ranker with its lexical candidates taken from a given score matrix."""

    def __init__(self, h: Hidden, s: F64, mention: float = FusionWeights().mention) -> None:
        h.index.hub = {}
        weights = FusionWeights(dense=0.0, mention=mention)
        super().__init__(h.index, h.names, weights=weights, same_language=True)
        self.s = s
        self.paths = h.paths

    def lexical(self, sources: Sequence[str], full: bool) -> dict[str, list]:
        slot = {p: i for i, p in enumerate(self.paths)}
        if full:
            everyone = self.sources(set(self.paths))
            tops = top(self.s, self.paths, [slot[p] for p in everyone], retrieve.POOL)
            lists = {
                s: hybrid.ranked(hybrid.fuse(c, (), self.mentioned(s), self.weights))
                for s, c in tops.items()
            }
            self.index.hub = hybrid.hub_factors(lists, ratio=self.weights.ratio)
            return {s: tops.get(s, []) for s in sources}
        return top(self.s, self.paths, [slot[p] for p in sources], retrieve.POOL)


def per_note(ranked: dict[str, list[str]], gold: dict[str, set[str]], k: int) -> F64:
    return np.array([len(set(ranked.get(s, [])[:k]) & t) / len(t) for s, t in gold.items()])


def evaluate(vault: Path, k: int) -> None:
    gold, _ = gold_links(vault)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "vault"
        hide_links(vault, copy)
        h = Hidden(copy)
        m = Matrix(h)
        probe = retrieve.Ranker(h.index, h.names, weights=FusionWeights(), same_language=True)
        wanted = [s for s in probe.sources(set(gold)) if s in gold]
        held = {s: gold[s] for s in wanted}
        slot = {p: i for i, p in enumerate(h.paths)}
        tfidf = m.scores(*m.tfidf())
        bm25 = m.scores(*m.bm25())
        floored = m.scores(*m.bm25(floor=True))  # short targets as of mean length (the default's)
        variants: dict[str, Callable[[], F64]] = {
            "tfidf": lambda: tfidf,
            "bm25": lambda: bm25,
            "bm25 short=mean": lambda: floored,
            "tfidf mention .8": lambda: tfidf,
            "tfidf+bm25": lambda: rownorm(tfidf) + rownorm(bm25),
            "per-note <=80": lambda: per_length(tfidf, floored, m.length, 80),
            "terse mention .8": lambda: tfidf,
            "terse mention 1.2": lambda: tfidf,
            "per-note+ment .8": lambda: per_length(tfidf, floored, m.length, 80),
        }
        mentions_for = {"terse mention .8": 0.8, "terse mention 1.2": 1.2, "per-note+ment .8": 0.8}
        print(f"## {vault}: {len(h.paths)} notes, {len(held)} with links, k={k}")
        lengths = m.length[[slot[p] for p in wanted]]
        print(
            f"weighted length of sources: median {np.median(lengths):.0f}, "
            f"quartiles {np.percentile(lengths, 25):.0f}-{np.percentile(lengths, 75):.0f}"
        )
        print(f"{'variant':<18}{'alone':>8}{'Δ':>8}{'±se':>7}{'hybrid':>9}{'Δ':>8}{'±se':>7}")
        base_alone = base_hybrid = None
        for label, make in variants.items():
            s = make()
            alone = top(s, h.paths, [slot[p] for p in wanted], k)
            r_alone = per_note({p: [t for t, _ in c] for p, c in alone.items()}, held, k)
            terse_mention = mentions_for.get(label)
            ranker = VariantRanker(
                h, s, 0.8 if label == "tfidf mention .8" else FusionWeights().mention
            )
            forward = ranker.rank(
                wanted, k=k, exclude=lambda _s: (), allowed=ranker.targets, dense={}, full=True
            )
            if terse_mention is not None:  # terse sources ranked with another mention weight
                other = VariantRanker(h, s, terse_mention)
                terse = other.rank(
                    [p for p in wanted if m.length[slot[p]] <= 80],
                    k=k,
                    exclude=lambda _s: (),
                    allowed=other.targets,
                    dense={},
                    full=True,
                )
                forward = {**forward, **terse}
            r_hybrid = per_note({p: [t for t, _ in c] for p, c in forward.items()}, held, k)
            if base_alone is None or base_hybrid is None:
                base_alone, base_hybrid = r_alone, r_hybrid
            da, dh = r_alone - base_alone, r_hybrid - base_hybrid
            se = np.sqrt(len(da))
            print(
                f"{label:<18}{r_alone.mean():>8.3f}{da.mean():>+8.3f}{da.std() / se:>7.3f}"
                f"{r_hybrid.mean():>9.3f}{dh.mean():>+8.3f}{dh.std() / se:>7.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("vault", type=Path, nargs="+")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    for vault in args.vault:
        evaluate(vault, args.k)


if __name__ == "__main__":
    main()
