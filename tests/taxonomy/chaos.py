"""A generated chaotic vault: planted spelling variants, look-alikes that must stay apart,
a flat tag that belongs under a nested one, and one that co-occurrence should nest."""

from __future__ import annotations

import random
from pathlib import Path

VARIANTS = [
    # (canonical expected, variants that must merge into it, notes per spelling)
    ("hub", ["HUB"]),
    ("multi-tenant", ["multitenant", "multi_tenant"]),
    ("programación", ["programacion"]),
    ("cliente", ["clientes"]),
    ("agente", ["agentes"]),
    ("papel", ["papeles"]),
    ("library", ["libraries"]),
    ("javascript", ["javscript"]),
]
LOOKALIKES = [("css", "cms"), ("python2", "python3"), ("vue", "vie"), ("new", "news"),
              ("notion", "motion")]  # fmt: skip
FLOW_SHARE = 0.5


def _note(tags: list[str], flow: bool, body: str) -> str:
    block = "tags:\n" + "\n".join(f"  - {t}" for t in tags)
    head = f"tags: [{', '.join(tags)}]" if flow else block
    return f"---\ntitle: x\n{head}\ncreated: 2024-01-01\n---\n{body}"


def write_chaos(root: Path, seed: int = 1) -> None:
    rng = random.Random(seed)
    (root / ".obsidian").mkdir(parents=True)
    notes: list[list[str]] = []
    for canonical, variants in VARIANTS:
        notes += [[canonical] for _ in range(6)]
        notes += [[v] for v in variants]  # each variant on one note: the canonical wins
    for a, b in LOOKALIKES:
        notes += [[a] for _ in range(4)] + [[b] for _ in range(3)]
    notes += [["programming/python"] for _ in range(5)] + [["python"] for _ in range(2)]
    # postgres always travels with databases, which is used much more: nested under it
    notes += [["databases", "postgres"] for _ in range(4)] + [["databases"] for _ in range(6)]
    for i, tags in enumerate(notes):
        extra = rng.choice(["", " Also #HUB inline.", " See #clientes."])
        body = f"# Note {i}\n\nSome text about {' and '.join(tags)}.{extra}\n"
        path = root / f"folder{i % 3}" / f"note {i:03d}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(_note(tags, rng.random() < FLOW_SHARE, body), encoding="utf-8")
