"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sqlite3
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


# --------------------------------------------------------------------------- failures

EXIT_INTERNAL = 70
"""An unexpected error (a bug): one line, and the traceback on request (``EX_SOFTWARE``)."""
EXIT_BROKEN_PIPE = 141
"""The reader of our output went away (``| head``): 128 + SIGPIPE, as a shell reports it."""
DEBUG_ENV = "VAULTCURATOR_DEBUG"


def debug_requested() -> bool:
    """``VAULTCURATOR_DEBUG=1``: let an unexpected error show its traceback."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def describe_failure(exc: BaseException, vault: str | None) -> tuple[str, int]:
    """An exception no command turned into a message, as (one line, exit status).

    SQLite and OS failures a broken environment causes get their documented status; anything
    else is a bug: one line naming it, and how to see the traceback.
    """
    from vaultcurator.domain.secrets import scrub

    where = vault or "VAULT"
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return (
                f"the state store is busy: another process held its write lock too long ({exc}); "
                "try again when it is done",
                4,
            )
        if "readonly" in text:
            return (f"the vault is read-only: {where}/.vaultcurator cannot be written", 5)
        if type(exc) is sqlite3.DatabaseError or "malformed" in text:
            return (
                f"the state store is damaged ({exc}); run `vaultcurator reset-store {where}` "
                "to move it aside",
                3,
            )
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        name = exc.filename or where
        return (f"cannot write {name}: {exc.strerror} (is the vault read-only?)", 5)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"no space left for {exc.filename or where}: {exc.strerror}", 1)
    detail = scrub(f"{type(exc).__name__}: {exc}")
    return (
        f"unexpected error ({detail}); this is a bug: rerun with {DEBUG_ENV}=1 to see the "
        "traceback, and please report it",
        EXIT_INTERNAL,
    )


def silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the exit flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
