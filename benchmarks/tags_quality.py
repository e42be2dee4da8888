"""Offline tagging quality on any vault: hide a fifth of its authors' tags, then recover them.

A temp copy of the vault gets the tags of a random sample (``--share``, default 20%) of its
tagged notes removed: the ``tags`` property and every inline ``#tag`` of the note. The local
engine then curates those notes offline, and we print, for it and two baselines, the recall
(share of hidden tags proposed), the precision (share of proposed tags that were hidden) and
tags per note:

- ``global-top-5``: the vault's five most used tags, for every note;
- ``nearest-vote``: the tags of the 10 most similar tagged notes (same TF-IDF as the engine),
  similarity-weighted, best 3 and best 5 (the baseline the engine has to beat).

Run: ``python benchmarks/tags_quality.py VAULT`` or ``--generated [N] [--hard]`` for the
generated English/Spanish vault (``benchmarks/support/multilingual_vault.py``; ``--hard``:
mostly everyday words and a long tail of tags; ``--vault-seed`` another such vault). The vault
itself is never touched. ``--seed`` picks another sample of notes to hide: the engine learns
its evidence weights from the tagged notes left, so every seed is a fresh held-out test.
``--one-tag`` hides one tag of notes with several instead: what the engine adds beside an
author's tags (against the first one or two new tags of the nearest-notes vote).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.support.multilingual_vault import generate_multilingual_vault  # noqa: E402
from vaultcurator.config import ScanSettings  # noqa: E402
from vaultcurator.curation.requests import load_body  # noqa: E402
from vaultcurator.engines.local import NEAREST, LocalCurator  # noqa: E402
from vaultcurator.vault import frontmatter as fm  # noqa: E402
from vaultcurator.vault.model import Inventory, Note  # noqa: E402
from vaultcurator.vault.scan import scan_vault  # noqa: E402
from vaultcurator.vault.taxonomy import tag_counts  # noqa: E402

_TAGS_KEY = re.compile(r"^tags?\s*:", re.IGNORECASE)


def copy_vault(src: Path, dst: Path) -> None:
    shutil.copytree(
        src, dst, ignore=shutil.ignore_patterns(".vaultcurator", ".git", ".trash"), symlinks=True
    )


def hide_tags(path: Path, note: Note) -> None:
    """Remove the note's ``tags`` property (all its lines) and its inline ``#tags``."""
    text, bom = fm.decode(path.read_bytes())
    layout = fm.split(text, bom=bom)
    head = text[: layout.body_start]
    if layout.has_frontmatter:
        lines = text[layout.yaml_start : layout.yaml_end].splitlines(keepends=True)
        kept: list[str] = []
        skipping = False
        for line in lines:
            if _TAGS_KEY.match(line):
                skipping = True
                continue
            if skipping and (line.startswith((" ", "\t", "-")) or not line.strip()):
                continue
            skipping = False
            kept.append(line)
        head = text[: layout.yaml_start] + "".join(kept) + text[layout.yaml_end : layout.body_start]
    body = text[layout.body_start :]
    for tag in sorted(note.inline_tags, key=len, reverse=True):
        body = re.sub(r"(?<!\S)#" + re.escape(tag) + r"(?![\w/-])", "", body)
    path.write_bytes((fm.BOM if bom else "").encode() + (head + body).encode("utf-8"))


def own_tags(note: Note) -> set[str]:
    return {t.casefold() for t in (*note.tags, *note.inline_tags)}


def score(
    proposed: dict[str, list[str]], hidden: dict[str, set[str]]
) -> tuple[float, float, float]:
    hits = sum(len({t.casefold() for t in proposed[p]} & hidden[p]) for p in hidden)
    n_hidden = sum(len(h) for h in hidden.values())
    n_proposed = sum(len(proposed[p]) for p in hidden)
    recall = hits / n_hidden if n_hidden else 0.0
    precision = hits / n_proposed if n_proposed else 0.0
    return recall, precision, n_proposed / max(1, len(hidden))


def measure(vault: Path, share: float, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "vault"
        copy_vault(vault, copy)
        settings = ScanSettings()
        before = scan_vault(copy, settings)
        tagged = [n for n in before.valid if own_tags(n)]
        rng = random.Random(seed)
        sample = rng.sample(tagged, max(1, round(share * len(tagged)))) if tagged else []
        hidden = {n.path: own_tags(n) for n in sample}
        for note in sample:
            hide_tags(note.abspath(copy), note)
        inventory = scan_vault(copy, settings)
        by_path = inventory.by_path()
        started = time.perf_counter()
        curator = LocalCurator(inventory, body_of=lambda n: load_body(copy, n))
        built = time.perf_counter() - started
        proposed: dict[str, list[str]] = {}
        for path in hidden:
            note = by_path[path]
            proposed[path] = curator.tags_for(note, load_body(copy, note) or "")
        took = time.perf_counter() - started
        vocabulary = {t.casefold() for t, _ in tag_counts(inventory.valid)}
        reachable = sum(len(h & vocabulary) for h in hidden.values()) / max(
            1, sum(len(h) for h in hidden.values())
        )
        top5 = [t for t, _ in tag_counts(inventory.valid)[:5]]
        print(
            f"{vault}: {len(inventory.valid)} notes, {len(tagged)} tagged; tags hidden on "
            f"{len(hidden)} ({share:.0%}), {sum(len(h) for h in hidden.values())} tags; "
            f"{reachable:.0%} of them still used elsewhere (the ceiling)"
        )
        print(f"engine built in {built:.2f} s, {len(hidden)} notes tagged in {took - built:.2f} s")
        rows = [
            ("local engine", proposed),
            ("global-top-5", {p: top5 for p in hidden}),
            ("nearest-vote top-3", nearest_vote(curator, inventory, hidden, 3)),
            ("nearest-vote top-5", nearest_vote(curator, inventory, hidden, 5)),
        ]
        print(f"{'method':<20} {'recall':>7} {'precision':>9} {'tags/note':>9}")
        for name, answer in rows:
            recall, precision, per_note = score(answer, hidden)
            print(f"{name:<20} {recall:>7.3f} {precision:>9.3f} {per_note:>9.2f}")


def measure_one_tag(vault: Path, share: float, seed: int) -> None:
    """Tags added to notes that have some: one tag of a sample of notes with two or more is
    hidden (in memory), and we count how often the additions bring it back, and at what cost."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "vault"
        copy_vault(vault, copy)
        scanned = scan_vault(copy, ScanSettings())
        several = [n for n in scanned.valid if len(own_tags(n)) >= 2]
        rng = random.Random(seed)
        sample = {n.path for n in rng.sample(several, max(1, round(share * len(several))))}
        hidden: dict[str, set[str]] = {}
        notes = []
        for note in scanned.notes:
            if note.path in sample:
                gone = rng.choice(sorted(own_tags(note)))
                hidden[note.path] = {gone}
                note = replace(
                    note,
                    tags=[t for t in note.tags if t.casefold() != gone],
                    inline_tags=[t for t in note.inline_tags if t.casefold() != gone],
                )
            notes.append(note)
        inventory = Inventory(copy, notes)
        by_path = inventory.by_path()
        curator = LocalCurator(inventory, body_of=lambda n: load_body(copy, n))
        added = {
            p: [
                t
                for t in curator.tags_for(by_path[p], load_body(copy, by_path[p]) or "")
                if t.casefold() not in own_tags(by_path[p])
            ]
            for p in hidden
        }
        print(
            f"{vault}: one tag hidden on {len(hidden)} of the {len(several)} notes with two "
            "or more; the rest of their tags kept"
        )
        print(f"{'method':<24} {'recall':>7} {'precision':>9} {'added/note':>10}")
        votes = nearest_vote(curator, inventory, hidden, 20)
        rows = [("local engine", added)] + [
            (
                f"nearest-vote, {k} new",
                {p: [t for t in votes[p] if t not in own_tags(by_path[p])][:k] for p in hidden},
            )
            for k in (1, 2)
        ]
        for name, answer in rows:
            recall, precision, per_note = score(answer, hidden)
            print(f"{name:<24} {recall:>7.3f} {precision:>9.3f} {per_note:>10.2f}")


def nearest_vote(
    curator: LocalCurator, inventory: Inventory, hidden: dict[str, set[str]], k: int
) -> dict[str, list[str]]:
    """The similarity-weighted tags of the 10 nearest tagged notes, best ``k``."""
    tagged = {n.path: sorted(own_tags(n)) for n in inventory.valid if own_tags(n)}
    out: dict[str, list[str]] = {}
    for path in hidden:
        votes: Counter[str] = Counter()
        for other, similarity in curator._nearest.nearest(path, NEAREST, tagged):
            for tag in tagged[other]:
                votes[tag] += similarity  # type: ignore[assignment]
        out[path] = [t for t, _ in sorted(votes.items(), key=lambda tv: (-tv[1], tv[0]))[:k]]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", nargs="?", type=Path)
    parser.add_argument("--generated", type=int, nargs="?", const=400, metavar="N")
    parser.add_argument(
        "--hard",
        action="store_true",
        help="the generated vault with everyday words and a long tail",
    )
    parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument(
        "--one-tag",
        action="store_true",
        help="hide one tag of notes that have several (tags added beside the author's)",
    )
    parser.add_argument("--seed", type=int, default=1, help="which notes are hidden")
    parser.add_argument("--vault-seed", type=int, default=11, help="which generated vault")
    args = parser.parse_args()
    run = measure_one_tag if args.one_tag else measure
    if args.generated:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "generated"
            generate_multilingual_vault(root, args.generated, seed=args.vault_seed, hard=args.hard)
            run(root, args.share, args.seed)
    if args.vault is not None:
        run(args.vault, args.share, args.seed)
    if not args.generated and args.vault is None:
        parser.error("give a VAULT or --generated")


if __name__ == "__main__":
    main()
