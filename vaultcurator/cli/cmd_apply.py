"""``vaultcurator apply VAULT``: write the approved proposals (journaled, undoable)."""

from __future__ import annotations

import argparse
import shlex

from vaultcurator.cli.common import (
    add_json_flag,
    add_vault_argument,
    print_json,
    progress_bar,
    workspace_from_args,
)
from vaultcurator.review.apply import ApplyReport, apply_proposals, recurate_candidates
from vaultcurator.store.proposals import count_by_state

NAME = "apply"
HELP = "write the approved proposals to the notes (undo with: vaultcurator undo)"
ORDER = 40
DESCRIPTION = """\
Write the approved proposals (with --all-pending: the pending ones too) to the notes' frontmatter
(only tags, description and the related-links property), in one journaled run that
`vaultcurator undo VAULT` reverts byte for byte. A note changed since its proposal was made is
never overwritten: it is reported as a conflict (curate it again). Exit status: 0 when every
proposal landed, 1 when some were conflicts or failed.
"""

PROGRESS_MIN_NOTES = 50
LISTED = 20


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument(
        "--all-pending",
        action="store_true",
        help="also apply the pending proposals (no review)",
    )
    parser.add_argument(
        "--id",
        dest="ids",
        action="append",
        type=int,
        metavar="ID",
        help="apply only this proposal (repeatable)",
    )
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    with workspace_from_args(args) as ws, progress_bar("Applying", PROGRESS_MIN_NOTES) as progress:
        report = apply_proposals(
            ws, ids=args.ids, include_pending=args.all_pending, progress=progress
        )
        counts = count_by_state(ws.store)
        recurate = recurate_candidates(ws.store) if report.conflicts else []
    if args.json:
        document = report.to_dict()
        document["recurate"] = recurate
        print_json(document)
    else:
        print_report(
            report, args.vault, pending=counts.get("pending", 0), all_pending=args.all_pending
        )
    return 0 if report.ok else 1


def print_report(report: ApplyReport, vault: str, *, pending: int, all_pending: bool) -> None:
    if report.run_id is None:
        hint = (
            ""
            if all_pending or not pending
            else (
                f" ({pending} pending: approve them in `vaultcurator review`, or use --all-pending)"
            )
        )
        print(f"nothing to apply{hint}")
        return
    print(
        f"applied {len(report.applied)}, unchanged {len(report.unchanged)}, "
        f"conflicts {len(report.conflicts)}, failed {len(report.failed)} (run {report.run_id})"
    )
    if report.conflicts:
        print("\nConflicts (changed since the proposal was made; left untouched):")
        _print_some([f"{p}: {r}" for p, r in report.conflicts])
        print(f"  curate them again: vaultcurator curate {shlex.quote(vault)}")
    if report.failed:
        print("\nFailed (left untouched):")
        _print_some([f"{p}: {r}" for p, r in report.failed])
    if report.applied:
        print(f"\nUndo with: vaultcurator undo {shlex.quote(vault)} --run {report.run_id}")


def _print_some(lines: list[str]) -> None:
    for line in lines[:LISTED]:
        print(f"  {line}")
    if len(lines) > LISTED:
        print(f"  … and {len(lines) - LISTED} more")
