"""Recall@k of related links on any vault: its own links, hidden, are the answers.

A temp copy of the vault has every link removed, text included (``[[X|shown]]``, ``![[X]]``,
``[shown](X.md)``, in the body and in properties), so no method can find a target by the
link's words. Each method then ranks related notes for every note that had links, and we
print recall@k (share of a note's linked notes in its top k, averaged over notes), how many
links each method proposes per note, and the share of proposed links that cross languages.

Methods: random; same-folder (notes of the same folder, then top folder, in random order);
exact TF-IDF (cosine of ``log(1 + tf) * idf`` vectors over the exact vocabulary, every term,
no cut-off: the baseline to beat); lexical channel (the default's alone: the same TF-IDF
with pruned queries, top k); hashed (the old default: 2,048-bucket hashed TF-IDF cosine,
as stored in Chroma); hybrid (the default: lexical + mentions, hubs down-weighted, relative
cut-off, same language; the hashed dense channel has no weight) and hybrid with one part
switched off at a time, or with the hashed dense channel fused at 0.1.

Run: ``python benchmarks/links_vault_quality.py VAULT [--k 5]``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from vaultcurator.config import ScanSettings  # noqa: E402
from vaultcurator.links import hashed, retrieve, weighting  # noqa: E402
from vaultcurator.links import hybrid as hybrid_module  # noqa: E402
from vaultcurator.links.hybrid import FusionWeights  # noqa: E402
from vaultcurator.links.lexical import SparseIndex  # noqa: E402
from vaultcurator.links.mentions import aliases_of  # noqa: E402
from vaultcurator.links.source import NoteSource  # noqa: E402
from vaultcurator.links.wikilinks import LinkResolver, vault_markdown_paths  # noqa: E402
from vaultcurator.vault.scan import scan_vault  # noqa: E402

_LINK = re.compile(r"!?\[\[[^\[\]\n]*\]\]|!?\[[^\]\n]*\]\((?![a-zA-Z][a-zA-Z0-9+.-]*:)[^)\n]*\)")
Ranked = dict[str, list[str]]


def hide_links(src: Path, dst: Path) -> None:
    """Copy the vault's Markdown files with every link (and its shown text) removed."""
    for path in src.rglob("*"):
        rel = path.relative_to(src)
        hidden = any(part.startswith(".") for part in rel.parts[:-1])
        if hidden and rel.parts[0] != ".obsidian":
            continue
        target = dst / rel
        if path.is_dir():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".md":
            text = path.read_text(encoding="utf-8", errors="replace")
            target.write_text(_LINK.sub(" ", text), encoding="utf-8")
        elif rel.parts[0] == ".obsidian":
            shutil.copy2(path, target)


def gold_links(root: Path) -> tuple[dict[str, set[str]], list[str]]:
    """Per eligible note, the eligible notes it links to (aliases resolve, self excluded)."""
    inventory = scan_vault(root, ScanSettings(), None)
    valid = [n for n in inventory.notes if n.status == "ok"]
    usable = retrieve.eligible(valid, SparseIndex())
    aliases = [(n.path, a) for n in valid for a in aliases_of(n.frontmatter)]
    resolver = LinkResolver([*vault_markdown_paths(root), *(n.path for n in valid)], aliases)
    source = NoteSource(root, valid, resolver, related_key="related")
    names = {n.path for n in usable}
    gold: dict[str, set[str]] = {}
    for note in usable:
        found = source.links(note.path) or frozenset()
        targets = {t for t in found if t in names and t != note.path}
        if targets:
            gold[note.path] = targets
    return gold, sorted(names)


class Hidden:
    """The link-less copy, indexed once; methods rank from it."""

    def __init__(self, root: Path) -> None:
        inventory = scan_vault(root, ScanSettings(), None)
        valid = [n for n in inventory.notes if n.status == "ok"]
        self.usable = retrieve.eligible(valid, SparseIndex())
        resolver = LinkResolver([n.path for n in valid])
        self.source = NoteSource(root, valid, resolver, related_key="related")
        empty = SparseIndex()
        self.names = retrieve.name_index(retrieve.alias_map(self.usable, empty), empty)
        self.index = SparseIndex()
        started = time.perf_counter()
        retrieve.sync_sparse(self.index, self.usable, self.source.doc_any, self.names)
        self.index_seconds = time.perf_counter() - started
        self.paths = self.index.paths()
        docs = [self.source.doc_any(p) for p in self.paths]
        table = hashed.fit_idf(d for d in docs if d is not None)
        self.vectors = {
            dim: np.stack(
                [
                    embedder.embed_one(d) if d is not None else np.zeros(dim, np.float32)
                    for d in docs
                ]
            )
            for dim in (2048, hashed.DEFAULT_DIM)  # the old default; the dense channel's
            if (embedder := hashed.HashedTfidfEmbedder(table, dim=dim))
        }

    def dense(
        self, sources: Collection[str], n: int = retrieve.POOL, dim: int = hashed.DEFAULT_DIM
    ) -> dict[str, list]:
        slot = {p: i for i, p in enumerate(self.paths)}
        vectors = self.vectors[dim]
        out: dict[str, list[tuple[str, float]]] = {}
        for s in sources:
            sims = vectors @ vectors[slot[s]]
            sims[slot[s]] = -np.inf
            best = np.argsort(-sims)[:n]
            out[s] = [(self.paths[j], float(sims[j])) for j in best if sims[j] > 0]
        return out

    def exact_tfidf(self, sources: Collection[str], k: int) -> Ranked:
        """Cosine top ``k`` of ``log(1 + tf) * idf`` vectors (smoothed IDF), every term."""
        rows = self.index.rows
        n = len(rows)
        terms = np.concatenate([r.terms for r in rows])
        vocab, inverse, df = np.unique(terms, return_inverse=True, return_counts=True)
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        weights = np.log1p(np.concatenate([r.weights for r in rows])) * idf[inverse]
        doc = np.repeat(np.arange(n), [len(r.terms) for r in rows])
        norms = np.sqrt(np.bincount(doc, weights=weights * weights, minlength=n))
        weights = weights / np.maximum(norms[doc], 1e-12)
        order = np.argsort(inverse, kind="stable")
        starts = np.searchsorted(inverse[order], np.arange(len(vocab)))
        ends = np.append(starts[1:], len(order))
        ptr = np.append(0, np.cumsum([len(r.terms) for r in rows]))
        slot = {p: i for i, p in enumerate(self.paths)}
        out: Ranked = {}
        for s in sources:
            i = slot[s]
            scores = np.zeros(n)
            for t, w in zip(
                inverse[ptr[i] : ptr[i + 1]], weights[ptr[i] : ptr[i + 1]], strict=True
            ):
                post = order[starts[t] : ends[t]]
                scores[doc[post]] += w * weights[post]
            scores[i] = -1.0
            best = np.argsort(-scores, kind="stable")[:k]
            out[s] = [self.paths[j] for j in best if scores[j] > 0]
        return out

    def ranker(self, weights: FusionWeights, same_language: bool = True) -> retrieve.Ranker:
        self.index.hub = {}
        return retrieve.Ranker(self.index, self.names, weights=weights, same_language=same_language)


def recall(ranked: Ranked, gold: dict[str, set[str]], k: int) -> float:
    values = [len(set(ranked.get(s, [])[:k]) & t) / len(t) for s, t in gold.items()]
    return float(np.mean(values)) if values else 0.0


def capped_recall(ranked: Ranked, gold: dict[str, set[str]], k: int) -> float:
    """Hits in the top k over min(k, links): a note with 20 links can still score 1."""
    values = [len(set(ranked.get(s, [])[:k]) & t) / min(k, len(t)) for s, t in gold.items()]
    return float(np.mean(values)) if values else 0.0


def cross_share(ranked: Ranked, lang: dict[str, str]) -> float:
    pairs = [(s, t) for s, ts in ranked.items() for t in ts if lang.get(s) and lang.get(t)]
    return sum(lang[s] != lang[t] for s, t in pairs) / max(len(pairs), 1)


def methods(h: Hidden, sources: list[str], k: int) -> dict[str, Callable[[], Ranked]]:
    rng = np.random.default_rng(1)
    everyone = [p for p in h.paths if p in h.index and len(h.index.row(p).terms)]  # type: ignore[union-attr]

    def random_order() -> Ranked:
        return {s: [p for p in rng.permutation(everyone)[: k + 1] if p != s][:k] for s in sources}

    def same_folder() -> Ranked:
        out: Ranked = {}
        for s in sources:
            folder, top = s.rsplit("/", 1)[0] if "/" in s else "", s.split("/", 1)[0]
            noise = rng.random(len(everyone))
            key = [
                -(
                    2 * ((p.rsplit("/", 1)[0] if "/" in p else "") == folder)
                    + (p.split("/")[0] == top)
                )
                + noise[i] * 0.5
                for i, p in enumerate(everyone)
            ]
            out[s] = [everyone[i] for i in np.argsort(key) if everyone[i] != s][:k]
        return out

    def lexical() -> Ranked:
        tops = h.index.top_all(sources, k + 1)
        return {s: [p for p, _ in tops.get(s, []) if p != s][:k] for s in sources}

    def hashed_only() -> Ranked:
        return {s: [p for p, _ in c][:k] for s, c in h.dense(sources, k, dim=2048).items()}

    def hybrid(weights: FusionWeights, same_language: bool = True, hubs: bool = True) -> Ranked:
        ranker = h.ranker(weights, same_language)
        if not hubs:
            ranker.lexical(sources, full=True)
            ranker.index.hub = {}
        dense = h.dense(sources) if weights.dense else {}
        forward = ranker.rank(
            sources,
            k=k,
            exclude=lambda _s: (),
            allowed=ranker.targets,
            dense=dense,
            full=hubs,
        )
        return {s: [p for p, _ in c] for s, c in forward.items()}

    base = FusionWeights().without_dense()  # the default embedder is the hashed one
    return {
        "random": random_order,
        "same-folder": same_folder,
        "exact TF-IDF": lambda: h.exact_tfidf(sources, k),
        "lexical channel": lexical,
        "hashed (old)": hashed_only,
        "hybrid": lambda: hybrid(base),
        "  no language": lambda: hybrid(base, same_language=False),
        "  no mentions": lambda: hybrid(replace(base, mention=0.0)),
        "  + hashed dense": lambda: hybrid(FusionWeights(ratio=base.ratio)),
        "  no hubs": lambda: hybrid(base, hubs=False),
        "  no cut-off": lambda: hybrid(replace(base, ratio=0.0)),
        "  cosine only": lambda: cosine_only(lambda: hybrid(base)),
        "  hubs by mean": lambda: hubs_by_mean(lambda: hybrid(base)),
    }


def hubs_by_mean(run: Callable[[], Ranked]) -> Ranked:
    """``run`` with hubs judged against the average alone (no share of the lists kept free)."""
    saved = hybrid_module.HUB_SHARE
    hybrid_module.HUB_SHARE = 0.0
    try:
        return run()
    finally:
        hybrid_module.HUB_SHARE = saved


def cosine_only(run: Callable[[], Ranked]) -> Ranked:
    """``run`` with every note searching with the TF-IDF cosine, terse ones too (no BM25)."""
    saved = weighting.TERSE_LENGTH
    weighting.TERSE_LENGTH = -1.0
    try:
        return run()
    finally:
        weighting.TERSE_LENGTH = saved


def evaluate(vault: Path, k: int) -> None:
    gold, _ = gold_links(vault)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "vault"
        hide_links(vault, copy)
        h = Hidden(copy)
        sources = retrieve.Ranker(h.index, h.names, weights=FusionWeights(), same_language=True)
        lang = sources.lang
        wanted = [s for s in sources.sources(set(gold)) if s in gold]
        held = {s: gold[s] for s in wanted}
        print(
            f"## {vault}: {len(h.paths)} notes indexed ({h.index_seconds:.2f}s), "
            f"{len(held)} with links, {sum(map(len, held.values()))} links hidden, k={k}; "
            f"languages: {len(set(lang.values()) - {''})}"
        )
        author_cross = cross_share({s: sorted(t) for s, t in held.items()}, lang)
        print(f"authors' own links crossing languages: {author_cross:.2%}")
        print(
            f"{'method':<16}{'recall@k':>10}{'capped':>8}{'links/note':>12}{'cross-lang':>12}"
            f"{'vs hybrid':>11}{'±se':>7}"
        )
        base: np.ndarray | None = None
        for label, run in methods(h, wanted, k).items():
            ranked = run()
            per_note = sum(len(v) for v in ranked.values()) / max(len(ranked), 1)
            each = np.array([len(set(ranked.get(s, [])[:k]) & t) / len(t) for s, t in held.items()])
            base = each if label == "hybrid" else base
            paired = ""
            if base is not None and label != "hybrid":  # paired difference, its standard error
                diff = each - base
                paired = f"{diff.mean():>+11.3f}{diff.std() / np.sqrt(len(diff)):>7.3f}"
            print(
                f"{label:<16}{recall(ranked, held, k):>10.3f}"
                f"{capped_recall(ranked, held, k):>8.3f}{per_note:>12.2f}"
                f"{cross_share(ranked, lang):>12.2%}{paired}"
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
