"""Benchmark: the offline taxonomy plan and its apply on a large chaotic vault.

Generates N notes (default 10,000) carrying about T distinct tag spellings (default 5,000:
words in several spellings: case, plural, separators, accents, typos), then times:

- scan: the incremental scan (for context; not part of the targets);
- plan: ``plan_local`` (grouping, misspellings, nesting) plus storing the plan; target <= 10 s;
- apply: approving every rename and applying the plan (per-note proposals + the journaled
  apply run), against the *apply floor* measured in the same run: the same proposals written
  by ``apply_proposals`` alone (after an undo); target <= 3x. The plain read+write floor of
  the touched files is printed too.

    python benchmarks/taxonomy.py --notes 10000 --tags 5000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from vaultcurator.pipeline import taxonomy as pipeline
from vaultcurator.review.apply import apply_proposals
from vaultcurator.review.undo import undo_apply
from vaultcurator.store.proposals import list_proposals
from vaultcurator.taxonomy.local import plan_local
from vaultcurator.workspace import open_workspace, scan

SYLLABLES = tuple(
    [
        "ka",
        "lo",
        "mi",
        "ne",
        "ru",
        "sa",
        "ti",
        "vo",
        "ze",
        "pa",
        "do",
        "fi",
        "gu",
        "ha",
        "je",
        "ko",
        "lu",
        "ma",
        "ni",
        "po",
    ]
)
ACCENTED = {"a": "á", "e": "é", "o": "ó"}


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def _variants(word: str, rng: random.Random) -> list[str]:
    forms = [word, word.upper(), word + "s"]
    if len(word) > 5:
        forms.append(word[:3] + "-" + word[3:])
        i = rng.randrange(1, len(word) - 1)
        forms.append(word[:i] + word[i + 1 :])  # a typo: one letter dropped
    for plain, accent in ACCENTED.items():
        if plain in word:
            forms.append(word.replace(plain, accent, 1))
            break
    return forms


def generate(root: Path, notes: int, tags: int, seed: int) -> int:
    """The vault; returns the number of distinct tag spellings written."""
    rng = random.Random(seed)
    spellings: list[list[str]] = []
    total = 0
    seen: set[str] = set()
    while total < tags:
        word = _word(rng)
        if word in seen:
            continue
        seen.add(word)
        forms = [f for f in _variants(word, rng) if f not in seen or f == word]
        seen.update(forms)
        spellings.append(forms)
        total += len(forms)
    areas = [f"area{i}" for i in range(20)]
    flat = [form for forms in spellings for form in forms]
    (root / ".obsidian").mkdir(parents=True)
    used: set[str] = set()
    for i in range(notes):
        chosen = [rng.choice(forms) if rng.random() < 0.2 else forms[0]
                  for forms in rng.sample(spellings, rng.randint(2, 5))]  # fmt: skip
        if i < len(flat):  # every spelling appears at least once
            chosen.append(flat[i])
        chosen.append(areas[i % len(areas)])
        chosen = list(dict.fromkeys(chosen))
        used.update(chosen)
        flow = i % 2 == 0
        head = (
            f"tags: [{', '.join(chosen)}]"
            if flow
            else "tags:\n" + "".join(f"  - {t}\n" for t in chosen).rstrip("\n")
        )
        body = f"# Note {i}\n\nText of note {i} with #{rng.choice(chosen)} inline.\n"
        folder = root / f"f{i % 50:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"n{i:05d}.md").write_text(
            f"---\ntitle: Note {i}\n{head}\ncreated: 2024-01-01\n---\n{body}", encoding="utf-8"
        )
    return len(used)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--tags", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vc-taxonomy-bench-") as tmp:
        root = Path(tmp) / "vault"
        distinct = generate(root, args.notes, args.tags, args.seed)
        print(f"{args.notes} notes, {distinct} distinct tag spellings", flush=True)
        with open_workspace(root) as ws:
            start = time.perf_counter()
            notes = scan(ws).notes
            t_scan = time.perf_counter() - start
            start = time.perf_counter()
            plan_local(notes)
            t_plan_only = time.perf_counter() - start
            start = time.perf_counter()
            plan = pipeline.build_plan(ws, notes, engine="local")
            t_plan = time.perf_counter() - start
            print(f"  scan                 {t_scan:8.3f} s")
            print(f"  plan (rules)         {t_plan_only:8.3f} s")
            print(
                f"  plan (+ store)       {t_plan:8.3f} s   {len(plan.renames)} renames, "
                f"{len(plan.tags)} canonical tags   target <= 10 s: "
                f"{'PASS' if t_plan <= 10 else 'FAIL'}"
            )
            os.sync()
            start = time.perf_counter()
            plan = pipeline.approve_all(ws, plan, notes)
            applied = pipeline.apply_plan(ws, plan, notes)
            t_apply = time.perf_counter() - start
            assert applied.report is not None and applied.report.ok, applied.report
            written = applied.report.applied
            undo_apply(ws)
            ids = [p.id for p in list_proposals(ws.store, ["pending"])]
            os.sync()
            start = time.perf_counter()
            floor_report = apply_proposals(ws, ids=ids, include_pending=True)
            t_floor = time.perf_counter() - start
            assert len(floor_report.applied) == len(written)
            start = time.perf_counter()
            for rel in written:
                path = root / rel
                data = path.read_bytes()
                path.write_bytes(data)
            t_rw = time.perf_counter() - start
        ratio = t_apply / t_floor
        print(f"  apply plan           {t_apply:8.3f} s   {len(written)} notes written")
        print(f"  apply floor          {t_floor:8.3f} s   (apply_proposals of the same changes)")
        print(f"  read+write floor     {t_rw:8.3f} s")
        print(
            f"apply vs apply floor: {ratio:.2f}x (target <= 3x: {'PASS' if ratio <= 3 else 'FAIL'})"
            f"; vs read+write: {t_apply / t_rw:.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
