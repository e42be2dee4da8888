"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the core loads when a command runs, not when the CLI lists commands
    from vaultcurator.workspace import Workspace


def add_vault_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("vault", metavar="VAULT", help="path to the Obsidian vault folder")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document on stdout instead of text"
    )


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """``--all``, ``--only GLOB``, ``--limit N``: which notes a curation-like command covers."""
    parser.add_argument(
        "--all",
        dest="all_notes",
        action="store_true",
        help="every valid note, not only new or changed ones",
    )
    parser.add_argument("--only", metavar="GLOB", help="only notes whose path matches GLOB")
    parser.add_argument("--limit", metavar="N", type=int, help="at most N notes")


def workspace_from_args(args: argparse.Namespace, **overrides: Any) -> Workspace:
    """Open the vault named by ``args.vault``; ``overrides`` are dotted config keys."""
    from vaultcurator.workspace import open_workspace

    return open_workspace(args.vault, overrides=overrides)


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


@contextmanager
def progress_bar(label: str, min_total: int) -> Iterator[Callable[[int, int], None] | None]:
    """A rich ``(done, total)`` progress bar on stderr, shown only when stderr is a terminal
    and the work is big enough (``total >= min_total``) to be worth one."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if total < min_total:
            return
        if task is None:
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done)

    try:
        yield update
    finally:
        bar.stop()
