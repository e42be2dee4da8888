"""Benchmark: setting ``tags`` on every note through the real edit path, against a floor.

Generates N notes (bodies 0.5-20 KB, 3-10 frontmatter keys, some already tagged) in a temp
folder, then times, in the same run:

- floor: a plain read + write of every file (same bytes, no fsync, no checks);
- render: ``render_updates`` alone (the pure CPU part, no I/O);
- batch: ``apply_edits`` on every note (hash-checked, atomic, group-committed: one
  filesystem flush, one journal commit and one folder fsync per chunk), without and with the
  journal;
- per-note: ``set_frontmatter_keys`` called note by note (each write fsynced on its own),
  without and with the journal, on a sample (``--per-note``, default 500) since every note
  pays a few milliseconds of fsync on a real disk.

Prints each time, its ratio to the floor (target <= 6x for the whole-vault path) and notes/s.

    python benchmarks/apply.py --notes 2000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from vaultcurator.store.journal import StoreJournal

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaultcurator.store.db import Store
from vaultcurator.store.journal import finish_run, start_run
from vaultcurator.vault.edit import EditRequest, apply_edits, set_frontmatter_keys
from vaultcurator.vault.frontmatter_edit import render_updates
from vaultcurator.vault.model import sha256_hex

WORDS = [
    "garden",
    "tomato",
    "compost",
    "python",
    "rust",
    "async",
    "borrow",
    "ferment",
    "kimchi",
    "budget",
    "index",
    "fund",
    "notes",
    "review",
    "habit",
    "zettel",
    "link",
    "graph",
    "meeting",
    "project",
    "deadline",
    "idea",
    "book",
    "chapter",
]
EXTRA_KEYS = ["created", "status", "aliases", "up", "rating", "source", "author", "cssclasses"]


def make_note(rng: random.Random) -> bytes:
    lines = ["---", f"title: {rng.choice(WORDS).title()} {rng.randint(1, 999)}"]
    keys = rng.sample(EXTRA_KEYS, rng.randint(1, 8))
    if rng.random() < 0.5:
        tags = rng.sample(WORDS, rng.randint(1, 4))
        if rng.random() < 0.5:
            lines.append("tags: [" + ", ".join(tags) + "]")
        else:
            lines += ["tags:"] + [f"  - {t}" for t in tags]
    else:
        keys.append("description")
    for key in keys:
        if key == "created":
            lines.append(f"created: 2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        elif key == "aliases":
            lines.append(f"aliases: [{rng.choice(WORDS)}]")
        elif key == "up":
            lines.append(f'up: "[[{rng.choice(WORDS).title()}]]"')
        elif key == "rating":
            lines.append(f"rating: {rng.randint(1, 5)}")
        elif key == "description":
            lines.append(f"description: {' '.join(rng.choices(WORDS, k=8))}")
        else:
            lines.append(f"{key}: {rng.choice(WORDS)}")
    lines.append("---")
    size = rng.randint(500, 20_000)
    body: list[str] = []
    total = 0
    while total < size:
        line = " ".join(rng.choices(WORDS, k=rng.randint(3, 14)))
        body.append(line)
        total += len(line) + 1
    return ("\n".join(lines + body) + "\n").encode("utf-8")


def generate(root: Path, count: int, seed: int) -> dict[str, bytes]:
    rng = random.Random(seed)
    notes: dict[str, bytes] = {}
    for i in range(count):
        rel = f"folder{i % 50:02d}/note {i:05d}.md"
        notes[rel] = make_note(rng)
    restore(root, notes)
    return notes


def restore(root: Path, notes: dict[str, bytes]) -> None:
    for rel, data in notes.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def timed(label: str, func: Callable[[], None]) -> float:
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    print(f"  {label:<14} {elapsed:8.3f} s", flush=True)
    return elapsed


def journal_for(store: Store | None, run_id: int | None) -> StoreJournal | None:
    return None if store is None or run_id is None else StoreJournal(store, run_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000, help="notes to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="parent folder for the temp vault")
    parser.add_argument(
        "--per-note", type=int, default=500, help="notes timed through the one-by-one path"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="vc-apply-bench-", dir=args.dir) as tmp:
        root = Path(tmp) / "vault"
        print(f"generating {args.notes} notes in {root} ...", flush=True)
        notes = generate(root, args.notes, args.seed)
        hashes = {rel: sha256_hex(data) for rel, data in notes.items()}
        megabytes = sum(len(d) for d in notes.values()) / 1e6
        print(f"  {megabytes:.1f} MB in total", flush=True)
        updates = {rel: {"tags": ["bench", f"group/{i % 7}"]} for i, rel in enumerate(notes)}

        def floor() -> None:
            for rel in notes:
                path = root / rel
                with path.open("rb") as fh:
                    data = fh.read()
                with path.open("wb") as fh:
                    fh.write(data)

        def render_only() -> None:
            for rel, data in notes.items():
                render_updates(data, updates[rel])

        def per_note(rels: list[str], store: Store | None = None) -> None:
            run_id = start_run(store) if store is not None else None
            changed = 0
            for rel in rels:
                result = set_frontmatter_keys(
                    root, rel, updates[rel], hashes[rel], log=journal_for(store, run_id)
                )
                changed += result.changed
            if store is not None and run_id is not None:
                finish_run(store, run_id, {"applied": changed})
            assert changed == len(rels), changed

        def batch(store: Store | None = None) -> None:
            run_id = start_run(store) if store is not None else None
            requests = [EditRequest(rel, updates[rel], hashes[rel]) for rel in notes]
            outcomes = apply_edits(root, requests, log=journal_for(store, run_id))
            changed = sum(1 for o in outcomes if o.result is not None and o.result.changed)
            if store is not None and run_id is not None:
                finish_run(store, run_id, {"applied": changed})
            assert changed == len(notes), [o.error for o in outcomes if o.error][:3]

        sample = list(notes)[: max(1, min(args.per_note, len(notes)))]
        n = len(notes)
        print("timing:", flush=True)
        os.sync()  # start every pass with nothing dirty left over from generating the notes
        t_floor = timed("floor", floor)
        t_render = timed("render", render_only)
        os.sync()
        t_batch = timed("batch", batch)
        restore(root, notes)
        os.sync()
        with Store(Path(tmp) / "state.db") as store:
            t_batch_j = timed("batch+journal", lambda: batch(store))
            restore(root, notes)
            os.sync()
            t_note = timed("per-note", lambda: per_note(sample))
            restore(root, notes)
            os.sync()
            t_note_j = timed("per-note+jrnl", lambda: per_note(sample, store))

        per_note_floor = t_floor * len(sample) / n
        print(f"results ({n} notes; per-note rows on {len(sample)} of them):")
        for label, seconds, count, floor_s in (
            ("floor (read+write)", t_floor, n, t_floor),
            ("render only", t_render, n, t_floor),
            ("batch, no journal", t_batch, n, t_floor),
            ("batch + journal", t_batch_j, n, t_floor),
            ("per-note, no journal", t_note, len(sample), per_note_floor),
            ("per-note + journal", t_note_j, len(sample), per_note_floor),
        ):
            print(
                f"  {label:<21} {seconds:8.3f} s  {seconds / floor_s:7.2f}x floor  "
                f"{count / seconds:9.0f} notes/s"
            )
        worst = max(t_batch, t_batch_j) / t_floor
        verdict = "within" if worst <= 6 else "OVER"
        print(f"whole-vault apply (batch) vs target <= 6x floor: {verdict} ({worst:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
