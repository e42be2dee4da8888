"""Start-up benchmark: whole processes, as a user runs them, against floors from the same run.

Every figure is a fresh process (interpreter start, imports, the work, exit), best of
``--rounds`` runs, with its peak memory:

* ``python -c pass``: the interpreter's own start, the floor of every command;
* ``vaultcurator --help``, ``status`` and ``scan`` of a small vault (100 notes);
* a process that lists, reads and sha256-hashes every file of a large vault (10,000 notes by
  default): the floor of any scanner, as a whole process too;
* ``vaultcurator scan`` of that vault, cold (empty state store) and warm (nothing changed).

Targets (issue 14, judged on a 2-core machine): ``--help`` <= 0.3 s, ``status`` <= 0.4 s,
warm rescan <= 1.5x and cold scan <= 3x the whole-process read+hash floor.
Run: ``python benchmarks/startup.py [-n 10000] [--rounds 3]``.

A cold scan of many files shares its reading and parsing with a second process (see
``vaultcurator/vault/workers.py``): its figure depends on a second core being free. On Linux
the run ends with how busy the machine was with other work meanwhile, to read it by.

It also says whether the package's bytecode is compiled: ``pip install`` compiles it, and so
does ``make venv`` for the editable install; without it (``PYTHONDONTWRITEBYTECODE`` set, as
here) every process compiles each module it imports again (~25 ms of a scan).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import generate  # the scan benchmark's note generator

HELP_TARGET = 0.3
STATUS_TARGET = 0.4
WARM_TARGET = 1.5
COLD_TARGET = 3.0
FLOOR_CODE = """\
import hashlib, os, sys
n = 0
for d, _, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith(".md"):
            with open(os.path.join(d, name), "rb", buffering=0) as h:
                hashlib.sha256(h.readall()).hexdigest()
            n += 1
"""


def command() -> list[str]:
    """The installed console script when there is one (what users run), else the module."""
    script = Path(sys.executable).parent / "vaultcurator"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from vaultcurator.cli import main; sys.exit(main())"]


def run(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one whole process; its output is discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {err.strip()}")
    return seconds, usage.ru_maxrss / 1024


def best(argv: list[str], rounds: int, before: list[str] | None = None) -> tuple[float, float]:
    """Best time of ``rounds`` runs (``before`` runs untimed ahead of each, e.g. a reset)."""
    results = []
    for _ in range(rounds):
        if before is not None:
            subprocess.run(before, check=True)
        results.append(run(argv))
    return min(r[0] for r in results), max(r[1] for r in results)


def machine_busy() -> tuple[float, float] | None:
    """CPU seconds the whole machine spent busy so far, and this process with its children
    (Linux ``/proc/stat``; None elsewhere)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    ours = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")
    return busy, sum(u.ru_utime + u.ru_stime for u in ours)


def report_other_load(before: tuple[float, float] | None, wall: float) -> None:
    after = machine_busy()
    if before is None or after is None or wall <= 0:
        return
    others = max(0.0, (after[0] - before[0]) - (after[1] - before[1]))
    cores = os.cpu_count() or 1
    share = others / wall
    print(f"other work on the machine during the large-vault runs: {share:.2f} of {cores} cores")


def show(label: str, figure: tuple[float, float], floor: float, unit: str, target: str) -> None:
    seconds, mb = figure
    print(f"  {label:<31} {seconds:6.3f} s {mb:5.0f} MB {seconds / floor:6.2f}x {unit}  {target}")


def bytecode_state() -> str:
    """How many of the package's modules have up-to-date bytecode a process can load."""
    import importlib.util

    package = Path(__file__).resolve().parent.parent / "vaultcurator"
    sources = list(package.rglob("*.py"))
    fresh = 0
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))
        fresh += cached.exists() and cached.stat().st_mtime >= source.stat().st_mtime
    return f"bytecode compiled for {fresh} of {len(sources)} modules of the package"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--notes", type=int, default=10_000, help="notes in the large vault")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cli = command()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="vc-startup-") as tmp:
        small, large = Path(tmp) / "small", Path(tmp) / "large"
        generate(small, 100)
        written = generate(large, args.notes)
        for vault in (small, large):  # a vault has .obsidian/: its scan cache is kept
            (vault / ".obsidian").mkdir(exist_ok=True)
        print(f"vaults: 100 notes; {args.notes:,} notes ({written / 1e6:.0f} MB)")
        print(bytecode_state())
        subprocess.run([*cli, "scan", str(small)], check=True, stdout=subprocess.DEVNULL)
        pass_floor = best([py, "-c", "pass"], args.rounds)
        print(f"floor: python -c pass {pass_floor[0]:.3f} s, {pass_floor[1]:.0f} MB")
        help_ = best([*cli, "--help"], args.rounds)
        status = best([*cli, "status", str(small)], args.rounds)
        small_scan = best([*cli, "scan", str(small)], args.rounds)
        print("small vault (absolute targets):")
        show("vaultcurator --help", help_, pass_floor[0], "python", f"target <= {HELP_TARGET} s")
        show("vaultcurator status", status, pass_floor[0], "python", f"target <= {STATUS_TARGET} s")
        show("vaultcurator scan (100, warm)", small_scan, pass_floor[0], "python", "")
        subprocess.run([py, "-c", FLOOR_CODE, str(large)], check=True)  # warm the page cache
        load_before, started = machine_busy(), time.perf_counter()
        floor = best([py, "-c", FLOOR_CODE, str(large)], args.rounds)
        state = str(large / ".vaultcurator")
        reset = [py, "-c", f"import shutil; shutil.rmtree({state!r}, ignore_errors=True)"]
        cold = best([*cli, "scan", str(large)], args.rounds, before=reset)
        warm = best([*cli, "scan", str(large)], args.rounds)
        print(f"large vault, floor: read + sha256 every file {floor[0]:.3f} s, {floor[1]:.0f} MB")
        show("vaultcurator scan, cold", cold, floor[0], "floor", f"target <= {COLD_TARGET}x")
        show("vaultcurator scan, warm rescan", warm, floor[0], "floor", f"target <= {WARM_TARGET}x")
        report_other_load(load_before, time.perf_counter() - started)
        shutil.rmtree(large, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
