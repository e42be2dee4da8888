"""Speed of related links: 10,000 generated notes, indexed and linked, then one note changed.

Prints, for the default embedder and the embedded Chroma store:

* the full run (fit IDF, embed, add to Chroma, query every note, record proposals), per
  phase, against the target of 30 s (scan included: the whole process, as a user waits);
* the related-notes phase against a floor measured in the same run: exact brute-force numpy
  cosine top-k over the very same vectors (so the ratio says what Chroma's HNSW costs or
  saves over the simplest correct method);
* a rerun with nothing changed;
* one changed note re-indexed and its related notes recomputed (the median of 7 notes,
  each changed in turn, in the same process as a watch would), against 100 ms; the first
  one after the full run also builds the lexical inverted index, kept for the process;
* peak memory (resident set size) of the process, against 1 GB.

``--terse``: a generated terse Spanish work vault instead (``support/work_vault.py``: meetings,
daily notes, tasks of 20-80 words, which search with BM25), about as many notes.

Run: ``python benchmarks/links.py [--notes 10000] [--terse]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.support.synthetic_vault import generate_vault  # noqa: E402
from benchmarks.support.work_vault import generate_work_vault  # noqa: E402
from vaultcurator.links.related import brute_force_topk  # noqa: E402
from vaultcurator.store.scan_cache import StoreScanCache  # noqa: E402
from vaultcurator.vault.scan import scan_vault  # noqa: E402
from vaultcurator.workspace import open_workspace  # noqa: E402

FULL_TARGET = 30.0
ONE_TARGET = 0.100
MEMORY_TARGET_MB = 1024
ONE_ROUNDS = 7


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phases(report: object) -> str:
    timings = getattr(report, "timings", {})
    return ", ".join(f"{name} {seconds:.2f}s" for name, seconds in timings.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--terse", action="store_true", help="a terse work vault instead")
    args = parser.parse_args()
    from vaultcurator.links.propose import propose_related_links

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        started = time.perf_counter()
        if args.terse:
            made = generate_work_vault(root, notes=args.notes)
        else:
            generate_vault(root, args.notes, seed=3)
            made = args.notes
        print(f"generated {made} notes in {time.perf_counter() - started:.1f}s")
        ws = open_workspace(root)
        started = time.perf_counter()
        cpu = time.process_time()
        inventory = scan_vault(root, ws.settings.scan, StoreScanCache(ws.store))
        scanned = time.perf_counter() - started
        print(f"scan (cold): {scanned:.2f}s")

        started = time.perf_counter()
        report = propose_related_links(ws, inventory, k=args.k)
        full = time.perf_counter() - started + scanned
        full_cpu = time.process_time() - cpu
        verdict = "ok" if full < FULL_TARGET else "OVER TARGET"
        print(
            f"full run, cold scan included: {full:.2f}s for {report.indexed} notes "
            f"(target {FULL_TARGET:.0f}s: {verdict}); {phases(report)}; "
            f"{report.proposals} proposals, "
            f"{report.links_proposed} links; embedder {report.embedder}; "
            f"peak memory so far (RSS) {peak_rss_mb():.0f} MB; CPU time {full_cpu:.1f}s "
            f"(wall/CPU {full / full_cpu:.1f}: above 1 means the cores were shared)"
        )

        from vaultcurator.links.index import LinkIndex, open_client

        index = LinkIndex(open_client(ws.state_dir), report.collection, 0)
        paths = [n.path for n in inventory.valid]
        vectors_by_path = index.vectors(paths)
        matrix = np.stack([vectors_by_path[p] for p in paths]).astype(np.float32)
        started = time.perf_counter()
        brute_force_topk(matrix, args.k + 1 + 8)
        floor = time.perf_counter() - started
        related_s = report.timings.get("related", 0.0)
        print(
            f"related phase {related_s:.2f}s vs brute-force numpy top-k floor {floor:.2f}s "
            f"on the same {matrix.shape[0]}x{matrix.shape[1]} vectors: "
            f"ratio {related_s / floor:.2f}x"
        )

        inventory = scan_vault(root, ws.settings.scan, StoreScanCache(ws.store))
        started = time.perf_counter()
        again = propose_related_links(ws, inventory, k=args.k)
        print(
            f"rerun, nothing changed: {time.perf_counter() - started:.2f}s "
            f"({again.embedded} embedded, {again.proposals} new proposals); {phases(again)}"
        )

        times: list[float] = []
        cpus: list[float] = []
        scans: list[float] = []
        embedded = 0
        for step in range(ONE_ROUNDS):
            changed = inventory.valid[(len(inventory.valid) // ONE_ROUNDS) * step]
            file = changed.abspath(root)
            file.write_text(
                file.read_text(encoding="utf-8") + "\nA new closing thought on this topic.\n",
                encoding="utf-8",
            )
            started = time.perf_counter()
            inventory = scan_vault(root, ws.settings.scan, StoreScanCache(ws.store))
            scans.append(time.perf_counter() - started)
            started = time.perf_counter()
            cpu = time.process_time()
            one = propose_related_links(ws, inventory, k=args.k, paths=[changed.path])
            times.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            embedded += one.embedded
        median = statistics.median(times)
        verdict = "ok" if median < ONE_TARGET else "OVER TARGET"
        print(
            f"one changed note ({ONE_ROUNDS} rounds): median {median * 1000:.0f} ms, worst "
            f"{max(times) * 1000:.0f} ms (the first after the full run, which builds the "
            f"lexical inverted index: {times[0] * 1000:.0f} ms) to re-index it and recompute "
            f"its related notes "
            f"(target {ONE_TARGET * 1000:.0f} ms: {verdict}); {embedded} embedded in all; "
            f"last: {phases(one)}; warm rescan before each: median "
            f"{statistics.median(scans) * 1000:.0f} ms; median CPU time "
            f"{statistics.median(cpus) * 1000:.0f} ms"
        )
        ws.close()
    peak = peak_rss_mb()
    verdict = "ok" if peak <= MEMORY_TARGET_MB else "OVER TARGET"
    print(
        f"peak memory (RSS) of the whole benchmark, floor included: {peak:.0f} MB "
        f"(target {MEMORY_TARGET_MB} MB: {verdict}); process time "
        f"{time.process_time():.1f}s CPU"
    )


if __name__ == "__main__":
    main()
