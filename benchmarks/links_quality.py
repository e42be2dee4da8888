"""How well do related notes recover the links authors wrote? (recall@k, MRR vs baselines)

For every note, the wikilinks it holds (body, embeds, properties other than ``related``) are
the ground truth; they are *held out*: link text is removed from what is embedded, so a note
cannot find its targets by their names in its own text. Every other valid note is ranked by
cosine similarity (exact, no index) and we report

* recall@k: the share of a note's linked notes found in its top k, averaged over notes;
* MRR: the mean of 1 / rank of the first linked note;
* for thresholds, how much of the top-k recall survives and how many links are proposed:
  this is how ``links.threshold``'s default was chosen.

Baselines: random order (the mean of 20 shuffles), and same-folder-first (notes in the same
folder, then in the same top-level folder, in random order, then the rest). On the generated
vault, same-subtopic-first shows roughly the ceiling: authors' links there are drawn at random
within a subtopic, so no method can tell which of a subtopic's notes were linked.

``--minilm-dir`` also evaluates all-MiniLM-L6-v2 (the ``onnx-minilm`` embedder's model) on the
fixture vault through a numpy forward pass (``links_minilm_numpy.py``), when the ONNX files are
not cached; the generated vault's made-up words mean nothing to a language model.

Run: ``python benchmarks/links_quality.py [--notes 2000] [--k 5]``; on your own vault:
``python benchmarks/links_quality.py --vault PATH`` (links hidden in a temp copy, text included;
recall@k and cross-language share per method against random, same-folder and exact TF-IDF:
see ``links_vault_quality.py``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from benchmarks.support.synthetic_vault import generate_vault  # noqa: E402
from vaultcurator.config import ScanSettings  # noqa: E402
from vaultcurator.links import embedders, hashed  # noqa: E402
from vaultcurator.links.source import NoteSource  # noqa: E402
from vaultcurator.links.text import NoteDoc  # noqa: E402
from vaultcurator.links.wikilinks import LinkResolver, vault_markdown_paths  # noqa: E402
from vaultcurator.vault.scan import scan_vault  # noqa: E402

THRESHOLDS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


@dataclass(slots=True)
class Corpus:
    name: str
    paths: list[str]
    docs: list[NoteDoc]
    gold: list[set[int]]
    """Per note, indices of the notes it links to."""


def load_corpus(name: str, root: Path) -> Corpus:
    inventory = scan_vault(root, ScanSettings(), None)
    valid = [n for n in inventory.notes if n.status == "ok"]
    resolver = LinkResolver([*vault_markdown_paths(root), *(n.path for n in inventory.notes)])
    source = NoteSource(root, valid, resolver, related_key="related", keep_links=False)
    paths = [n.path for n in valid if source.doc(n.path) is not None]
    position = {p: i for i, p in enumerate(paths)}
    docs: list[NoteDoc] = []
    gold: list[set[int]] = []
    for path in paths:
        doc, links = source.doc(path), source.links(path)
        assert doc is not None and links is not None
        docs.append(doc)
        gold.append({position[t] for t in links if t in position and t != path})
    return Corpus(name, paths, docs, gold)


def rank_scores(sims: npt.NDArray[np.float64], gold: list[set[int]], k: int) -> tuple[float, float]:
    recalls: list[float] = []
    rr: list[float] = []
    for i, targets in enumerate(gold):
        if not targets:
            continue
        row = sims[i].copy()
        row[i] = -np.inf
        order = np.argsort(-row, kind="stable")
        top = set(order[:k].tolist())
        recalls.append(len(top & targets) / len(targets))
        ranks = [int(np.flatnonzero(order == t)[0]) + 1 for t in targets]
        rr.append(1.0 / min(ranks))
    return float(np.mean(recalls)), float(np.mean(rr))


def threshold_table(
    sims: npt.NDArray[np.float64], gold: list[set[int]], k: int
) -> list[tuple[float, float, float, float]]:
    """(threshold, recall@k kept, links per note, share of proposed links that are gold)."""
    rows = []
    for t in THRESHOLDS:
        recalls, proposed, hits = [], 0, 0
        for i, targets in enumerate(gold):
            row = sims[i].copy()
            row[i] = -np.inf
            order = np.argsort(-row, kind="stable")[:k]
            kept = [j for j in order if row[j] >= t]
            proposed += len(kept)
            hits += len(set(kept) & targets)
            if targets:
                recalls.append(len(set(kept) & targets) / len(targets))
        rows.append((t, float(np.mean(recalls)), proposed / len(gold), hits / max(proposed, 1)))
    return rows


def baseline_random(corpus: Corpus, k: int, rounds: int = 20) -> tuple[float, float]:
    rng = np.random.default_rng(1)
    out = [rank_scores(rng.random((len(corpus.paths),) * 2), corpus.gold, k) for _ in range(rounds)]
    return float(np.mean([o[0] for o in out])), float(np.mean([o[1] for o in out]))


def baseline_folder(corpus: Corpus, k: int, rounds: int = 20) -> tuple[float, float]:
    folders = [p.rsplit("/", 1)[0] if "/" in p else "" for p in corpus.paths]
    tops = [f.split("/", 1)[0] for f in folders]
    same = np.array([[2.0 * (a == b) for b in folders] for a in folders])
    same += np.array([[1.0 * (a == b) for b in tops] for a in tops])
    rng = np.random.default_rng(2)
    out = [rank_scores(same + rng.random(same.shape) * 0.5, corpus.gold, k) for _ in range(rounds)]
    return float(np.mean([o[0] for o in out])), float(np.mean([o[1] for o in out]))


def baseline_groups(corpus: Corpus, groups: list[str], k: int) -> tuple[float, float]:
    """Generated vaults only: notes of the note's own subtopic first (the ceiling, roughly)."""
    same = np.array([[1.0 * (a == b) for b in groups] for a in groups])
    rng = np.random.default_rng(3)
    out = [rank_scores(same + rng.random(same.shape) * 0.5, corpus.gold, k) for _ in range(5)]
    return float(np.mean([o[0] for o in out])), float(np.mean([o[1] for o in out]))


def embedder_factories(
    docs: Sequence[NoteDoc], minilm_dir: Path | None = None
) -> dict[str, Callable[[], embedders.Embedder]]:
    table = hashed.fit_idf(docs)
    found: dict[str, Callable[[], embedders.Embedder]] = {
        "hashed": lambda: hashed.HashedTfidfEmbedder(table, dim=hashed.DEFAULT_DIM),
        "hashed-1024": lambda: hashed.HashedTfidfEmbedder(table, dim=1024),
        "hashed-4096": lambda: hashed.HashedTfidfEmbedder(table, dim=4096),
    }
    if embedders.onnx_unavailable_reason() is None:
        found["onnx-minilm"] = embedders.OnnxMiniLmEmbedder
    if minilm_dir is not None:
        from links_minilm_numpy import NumpyMiniLM

        found["minilm-numpy"] = lambda: NumpyMiniLM(minilm_dir)
    return found


def evaluate(
    corpus: Corpus, k: int, minilm_dir: Path | None = None, oracle: list[str] | None = None
) -> None:
    linked = sum(1 for g in corpus.gold if g)
    print(
        f"\n## {corpus.name}: {len(corpus.paths)} notes, {linked} with links, "
        f"{sum(len(g) for g in corpus.gold)} links held out, k={k}"
    )
    print(f"{'method':<16}{'recall@k':>10}{'MRR':>8}")
    for label, (recall, mrr) in (
        ("random", baseline_random(corpus, k)),
        ("same-folder", baseline_folder(corpus, k)),
        *([("same-subtopic", baseline_groups(corpus, oracle, k))] if oracle else []),
    ):
        print(f"{label:<16}{recall:>10.3f}{mrr:>8.3f}")
    tables = {}
    for label, factory in embedder_factories(corpus.docs, minilm_dir).items():
        vectors = factory().embed(corpus.docs).astype(np.float64)
        sims = vectors @ vectors.T
        recall, mrr = rank_scores(sims, corpus.gold, k)
        print(f"{label:<16}{recall:>10.3f}{mrr:>8.3f}")
        if not label.startswith("hashed-"):
            tables[label] = threshold_table(sims, corpus.gold, k)
    for label, rows in tables.items():
        print(f"\n{label}: threshold -> recall@k kept, links/note, share of links that are gold")
        for t, recall, per_note, precision in rows:
            print(f"  {t:>5.2f}  {recall:>6.3f}  {per_note:>5.2f}  {precision:>6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=2000, help="generated vault size")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument(
        "--minilm-dir",
        type=Path,
        metavar="DIR",
        help="a sentence-transformers all-MiniLM-L6-v2 folder (model.safetensors, "
        "tokenizer.json) to also evaluate MiniLM with a numpy forward pass (fixtures only)",
    )
    parser.add_argument(
        "--vault",
        type=Path,
        action="append",
        metavar="PATH",
        help="measure on this vault instead (repeatable): its links hidden in a temp copy",
    )
    args = parser.parse_args()
    if args.vault:
        from links_vault_quality import evaluate as evaluate_vault

        for vault in args.vault:
            evaluate_vault(vault, args.k)
        return
    available = ", ".join(embedders.KNOWN)
    reason = embedders.onnx_unavailable_reason()
    print(f"embedders known: {available}; onnx-minilm: {reason or 'available'}")
    fixture = REPO / "fixtures_vault"
    if fixture.is_dir():
        evaluate(load_corpus("fixtures_vault", fixture), args.k, args.minilm_dir)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        notes = generate_vault(root, args.notes, seed=11)
        corpus = load_corpus(f"generated ({args.notes} notes, topic-clustered)", root)
        group = {n.path: f"{n.topic}/{n.subtopic}" for n in notes}
        evaluate(corpus, args.k, oracle=[group[p] for p in corpus.paths])


if __name__ == "__main__":
    main()
