"""How fast the review app opens with 10,000 proposals, and how fast the cursor moves.

Creates a temporary vault with N notes and one pending proposal each, then, headless:
- open: from creating the app until the table holds every row (store load in a worker,
  core filter + sort, DataTable fill);
- move: CPU time per cursor step (key press → new row highlighted, diff pane redrawn),
  measured with ``process_time`` so Pilot's idle waits do not count;
- filter: one text filter over all rows (core filter + table refill).

Usage: python benchmarks/review_load.py [N] [STEPS]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vaultcurator.store.proposals import add_proposal
from vaultcurator.tui.app import create_app
from vaultcurator.workspace import open_workspace

FLOOR_OPEN_SECONDS = 1.0


def build_vault(root: Path, count: int) -> None:
    """``count`` notes in 50 folders and a pending proposal for each (one transaction each)."""
    for i in range(count):
        folder = root / f"Folder {i % 50:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"Note {i:05d}.md").write_text(f"---\ntags: [old]\n---\n# Note {i}\n")
    with open_workspace(root) as ws:
        ws.store.execute("PRAGMA synchronous = OFF")
        for i in range(count):
            add_proposal(
                ws.store,
                path=f"Folder {i % 50:02d}/Note {i:05d}.md",
                note_index=i,
                base_hash=f"{i:064x}",
                engine="local",
                old_tags=["old"],
                new_tags=["old", f"topic/t{i % 97}", "new"] if i % 3 else ["fresh"],
                old_description=None,
                new_description=f"Note number {i}.",
                set_description=True,
                new_related=[f"[[Note {(i + 1) % count:05d}]]"] if i % 2 else None,
            )


async def measure(root: Path, count: int, steps: int) -> dict[str, float]:
    with open_workspace(root) as ws:
        app = create_app(ws, blink=False, live_jobs=False)
        app.animation_level = "none"
        started = time.perf_counter()
        async with app.run_test(size=(120, 40)) as pilot:
            while app.loads_done < 1:
                await asyncio.sleep(0.001)
            opened = time.perf_counter() - started
            table = app.review.table
            assert len(table.ids) == count, (len(table.ids), count)
            await pilot.pause()
            cpu = time.process_time()
            wall = time.perf_counter()
            for _ in range(steps):
                await pilot.press("down")
            move_cpu = (time.process_time() - cpu) / steps
            move_wall = (time.perf_counter() - wall) / steps
            assert table.cursor_row == steps
            cpu = time.process_time()
            await pilot.press("end")
            end_cpu = time.process_time() - cpu
            review = app.review
            started = time.perf_counter()
            review.query_one("#search").value = "Folder 07"  # type: ignore[attr-defined]
            review._apply_text_filter()
            filtered = time.perf_counter() - started
            shown = len(table.ids)
    return {
        "open_s": opened,
        "move_cpu_ms": move_cpu * 1000,
        "move_wall_ms": move_wall * 1000,
        "jump_to_end_cpu_ms": end_cpu * 1000,
        "filter_s": filtered,
        "filtered_rows": shown,
    }


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    os.environ.setdefault("VAULTCURATOR_CONFIG_DIR", tempfile.mkdtemp())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        root.mkdir()
        t0 = time.perf_counter()
        build_vault(root, count)
        print(f"built {count:,} notes + proposals in {time.perf_counter() - t0:.1f} s")
        small = asyncio.run(measure_small(root)) if count > 100 else None
        result = asyncio.run(measure(root, count, steps))
    print(
        f"open with {count:,} proposals: {result['open_s']:.3f} s "
        f"(floor {FLOOR_OPEN_SECONDS:.1f} s: "
        f"{'OK' if result['open_s'] < FLOOR_OPEN_SECONDS else 'TOO SLOW'})"
    )
    if small is not None:
        print(
            f"empty-vault app start for comparison: {small:.3f} s "
            f"(ratio {result['open_s'] / small:.1f}x)"
        )
    print(
        f"cursor move: {result['move_cpu_ms']:.1f} ms CPU per step "
        f"({result['move_wall_ms']:.0f} ms wall incl. Pilot's idle waits), {steps} steps"
    )
    print(f"jump to the last row: {result['jump_to_end_cpu_ms']:.1f} ms CPU")
    print(
        f"text filter over all rows: {result['filter_s']:.3f} s "
        f"({int(result['filtered_rows']):,} rows shown)"
    )
    return 0 if result["open_s"] < FLOOR_OPEN_SECONDS else 1


async def measure_small(root: Path) -> float:
    """App start with no proposals: the fixed cost the 10,000 rows are compared with."""
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty"
        empty.mkdir()
        with open_workspace(empty) as ws:
            app = create_app(ws, blink=False, live_jobs=False)
            started = time.perf_counter()
            async with app.run_test(size=(120, 40)):
                while app.loads_done < 1:
                    await asyncio.sleep(0.001)
                return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
