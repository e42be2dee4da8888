"""``vaultcurator watch VAULT``: curate notes as you write them."""

from __future__ import annotations

import argparse
import sys
import threading

from vaultcurator.cli.common import add_vault_argument
from vaultcurator.config import ENGINE_NAMES
from vaultcurator.engines.registry import provider
from vaultcurator.pipeline.watch_service import WatchCycle, WatchService
from vaultcurator.watch.observer import VaultWatcher
from vaultcurator.workspace import open_workspace

NAME = "watch"
HELP = "watch the vault and propose tags, descriptions and links for notes as they change"
ORDER = 25
DESCRIPTION = """\
Watch the vault folder. When a note is created or changed (after a quiet period, so a
burst of saves is one change), it is curated like `vaultcurator curate` would, restricted
to the notes that changed: the proposals wait for review (`vaultcurator review VAULT`), or
are applied at once with --apply. Our own writes never trigger another round.

Stop with Ctrl-C.
"""


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument("--engine", choices=ENGINE_NAMES, help="default: anthropic")
    parser.add_argument("--model", metavar="ID", help="model id (default: claude-haiku-4-5)")
    parser.add_argument(
        "--apply",
        action="store_true",
        default=None,
        help="apply proposals at once instead of queueing them for review",
    )
    parser.add_argument(
        "--debounce",
        metavar="S",
        type=float,
        help="seconds of quiet after the last change before curating (default 2)",
    )
    parser.add_argument("--no-links", action="store_true", help="do not propose related links")
    parser.add_argument(
        "--max-cost",
        metavar="USD",
        type=float,
        help="spending cap per curation cycle in dollars (a cycle over it is refused)",
    )


def _print_cycle(cycle: WatchCycle) -> None:
    if cycle.error:
        print(f"error: {cycle.error}", file=sys.stderr, flush=True)
        return
    for path in cycle.deleted:
        print(f"removed  {path}", flush=True)
    report = cycle.report
    if not cycle.changed:
        return
    shown = ", ".join(cycle.changed[:5]) + (" …" if len(cycle.changed) > 5 else "")
    if report is None or report.status == "empty":
        print(f"changed  {shown}: already curated", flush=True)
        return
    applied = report.applied
    done = f"{report.proposals} proposal(s)"
    if applied is not None:
        done += f", {len(applied.applied)} applied"
    else:
        done += " waiting for review"
    print(f"curated  {shown}: {done}", flush=True)
    for failure in report.failures:
        print(f"failed   {failure.path}: {failure.error}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    ws = open_workspace(
        args.vault,
        overrides={
            "curation.engine": args.engine,
            "curation.model": args.model,
            "watch.auto_apply": args.apply,
            "watch.debounce": args.debounce,
            "curation.max_cost": args.max_cost,
        },
    )
    provider(ws.settings.curation.engine).require()
    service = WatchService(ws, _print_cycle, links=not args.no_links)
    stop = threading.Event()
    watcher = VaultWatcher(ws.root, service.handle, delay=ws.settings.watch.debounce)
    engine = ws.settings.curation.engine
    then = "applied" if ws.settings.watch.auto_apply else "queued for review"
    watcher.start()
    print(
        f"watching {ws.root} (engine {engine}, proposals {then}); Ctrl-C to stop",
        file=sys.stderr,
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("stopping…", file=sys.stderr, flush=True)
    finally:
        watcher.stop()
        ws.close()
    return 0
