"""Scan benchmark: cold and warm scans against the floor of reading + hashing every file.

Generates N notes (bodies 0.5-20 KB, 3-10 frontmatter keys) in a temp folder, then prints,
from one run:

* floor: list the vault, read every file's bytes and sha256 them (page cache warmed first);
* cold scan: ``scan_vault`` with an empty store;
* warm rescan: ``scan_vault`` again on the unchanged vault (reads no file contents);
* each scan's ratio to the floor (best of ``--rounds`` runs), and peak memory;
* for information, a warm rescan plus using every note's frontmatter and tags, which a warm
  rescan leaves as cached JSON until first use (what a curation run pays on top).

Targets: cold <= 4x floor, warm <= 0.5x floor. Run: ``python benchmarks/scan.py [-n N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from vaultcurator.config import ScanSettings
from vaultcurator.store import Store, open_store
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault.scan import scan_vault

T = TypeVar("T")
COLD_TARGET = 4.0
WARM_TARGET = 0.5
WORDS = [
    "note",
    "idea",
    "garden",
    "python",
    "rust",
    "bread",
    "finance",
    "budget",
    "compost",
    "tomato",
    "async",
    "ownership",
    "borrow",
    "cache",
    "index",
    "vault",
    "link",
    "tag",
    "review",
    "apply",
    "journal",
    "ferment",
    "sourdough",
    "invest",
    "seed",
    "water",
    "light",
    "soil",
    "market",
    "fund",
    "risk",
    "return",
    "book",
    "chapter",
    "quote",
    "memory",
    "thread",
]
TAGS = ["python", "rust", "cooking/baking", "gardening", "finance/investing", "books", "MOC"]


def generate(root: Path, count: int, seed: int = 7) -> int:
    """Write ``count`` notes in ~50 folders; returns the total bytes written."""
    rng = random.Random(seed)
    total = 0
    for i in range(count):
        folder = root / f"area{i % 7}" / f"topic{i % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        keys = {
            "tags": "[" + ", ".join(rng.sample(TAGS, rng.randint(1, 4))) + "]",
            "created": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "status": rng.choice(["draft", "evergreen", "done"]),
            "aliases": f"[alias {i}]",
            "up": f'"[[Note {max(i - 1, 0)}]]"',
            "rating": str(rng.randint(1, 5)),
            "source": f'"https://example.org/{i}"',
            "author": rng.choice(["Ann", "Bo", "Cy"]),
            "description": f"Generated note {i} about {rng.choice(WORDS)}.",
            "project": rng.choice(WORDS),
        }
        chosen = list(keys.items())[: rng.randint(3, 10)]
        yaml = "".join(f"{k}: {v}\n" for k, v in chosen)
        target = rng.randint(500, 20_000)
        parts: list[str] = [f"# Note {i}\n\n"]
        size = 0
        while size < target:
            line = " ".join(rng.choices(WORDS, k=12))
            if rng.random() < 0.1:
                line += f" [[Note {rng.randrange(count)}]] #{rng.choice(WORDS)}"
            parts.append(line + ".\n")
            size += len(line) + 2
        data = f"---\n{yaml}---\n{''.join(parts)}".encode()
        (folder / f"Note {i}.md").write_bytes(data)
        total += len(data)
    return total


def floor(root: Path) -> int:
    """List the vault, read every note's bytes and hash them: what any scanner must do."""
    count = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".md"):
                with open(os.path.join(dirpath, name), "rb", buffering=0) as handle:
                    hashlib.sha256(handle.readall()).hexdigest()
                count += 1
    return count


def use_every_note(vault: Path, settings: ScanSettings, store: Store) -> int:
    """A warm rescan, then every note's frontmatter and tags read (decoded on first use)."""
    inventory = scan_vault(vault, settings, StoreScanCache(store))
    return sum(len(n.frontmatter) + len(n.tags) + len(n.inline_tags) for n in inventory.notes)


def timed(func: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--notes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs")
    parser.add_argument("--keep", action="store_true", help="keep the generated vault")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="vc-bench-scan-"))
    vault = base / "vault"
    try:
        written, gen_s = timed(lambda: generate(vault, args.notes))
        print(f"generated {args.notes:,} notes, {written / 1e6:.1f} MB in {gen_s:.1f} s")
        floor(vault)  # warm the page cache
        settings = ScanSettings()
        floor_s = cold_s = warm_s = used_s = float("inf")
        # Best of several rounds, interleaved, so a busy machine skews all three alike.
        for _ in range(args.rounds):
            counted, seconds = timed(lambda: floor(vault))
            floor_s = min(floor_s, seconds)
            shutil.rmtree(vault / ".vaultcurator", ignore_errors=True)
            store = open_store(vault)
            cold, seconds = timed(lambda: scan_vault(vault, settings, StoreScanCache(store)))  # noqa: B023
            cold_s = min(cold_s, seconds)
            for _ in range(3):  # cheap: a few tries smooth out a busy machine's hiccups
                warm, seconds = timed(lambda: scan_vault(vault, settings, StoreScanCache(store)))  # noqa: B023
                warm_s = min(warm_s, seconds)
            _, seconds = timed(lambda: use_every_note(vault, settings, store))  # noqa: B023
            used_s = min(used_s, seconds)
            store.close()
        # Memory, in a separate run: tracemalloc slows Python code down.
        shutil.rmtree(vault / ".vaultcurator")
        store = open_store(vault)
        tracemalloc.start()
        scan_vault(vault, settings, StoreScanCache(store))
        _, cold_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        store.close()
        assert counted == len(cold.notes) == len(warm.notes), (counted, len(cold.notes))
        assert warm.files_read == 0, warm.files_read
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cold_ratio, warm_ratio = cold_s / floor_s, warm_s / floor_s
        print(f"floor (list + read + sha256): {floor_s * 1000:8.1f} ms")
        print(
            f"cold scan (empty store):      {cold_s * 1000:8.1f} ms  "
            f"{cold_ratio:5.2f}x floor (target <= {COLD_TARGET}x)  read {cold.files_read:,}"
        )
        print(
            f"warm rescan (unchanged):      {warm_s * 1000:8.1f} ms  "
            f"{warm_ratio:5.2f}x floor (target <= {WARM_TARGET}x)  read {warm.files_read:,}"
        )
        print(f"warm rescan + every note used: {used_s * 1000:6.1f} ms  (information, no target)")
        print(
            f"peak memory: cold scan {cold_peak / 1e6:.1f} MB traced, process {rss_mb:.0f} MB RSS"
        )
        ok = cold_ratio <= COLD_TARGET and warm_ratio <= WARM_TARGET
        print("targets met" if ok else "TARGETS MISSED")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"vault kept at {vault}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
