"""``vaultcurator undo VAULT [--run ID]``: put back the exact bytes an apply run replaced."""

from __future__ import annotations

import argparse

from vaultcurator.cli.common import (
    add_json_flag,
    add_vault_argument,
    print_json,
    workspace_from_args,
)
from vaultcurator.review.undo import UndoSummary, undo_apply

NAME = "undo"
HELP = "undo an apply run (the last one by default), byte for byte"
ORDER = 50
DESCRIPTION = """\
Restore the exact previous bytes of every note written by an apply run (the last one not yet
undone, or --run ID). A note changed since that apply is reported as a conflict and left as it
is. The proposals of the restored notes go back to pending, so they can be reviewed again.
Exit status: 0; 1 when some notes were conflicts; 2 when there is no such run to undo.
"""

LISTED = 20


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument("--run", type=int, metavar="ID", help="the apply run to undo")
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    with workspace_from_args(args) as ws:
        summary = undo_apply(ws, args.run)
    if args.json:
        print_json(summary.to_dict())
    else:
        print_summary(summary)
    return 0 if summary.ok else 1


def print_summary(summary: UndoSummary) -> None:
    print(
        f"undid run {summary.run_id}: restored {len(summary.restored)} notes, "
        f"conflicts {len(summary.conflicts)}; {summary.reopened} proposals back to pending"
    )
    if summary.conflicts:
        print("\nConflicts (changed since the apply; left as they are):")
        for path, reason in summary.conflicts[:LISTED]:
            print(f"  {path}: {reason}")
        if len(summary.conflicts) > LISTED:
            print(f"  … and {len(summary.conflicts) - LISTED} more")
