"""``vaultcurator cancel VAULT``: stop the vault's curation job, keeping what finished."""

from __future__ import annotations

import argparse

from vaultcurator.cli.cmd_curate import ProgressView
from vaultcurator.cli.common import add_json_flag, add_vault_argument, print_json
from vaultcurator.workspace import open_workspace

NAME = "cancel"
HELP = "cancel the running curation job's batches and keep the finished answers"
ORDER = 22
DESCRIPTION = """\
Cancel the live Message Batches of the vault's active curation job. Answers that were
already completed become proposals as usual; nothing new is sent. A `curate` still running
in another terminal stops after its current step.
"""


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument(
        "--wait",
        metavar="S",
        type=float,
        default=120.0,
        help="seconds to wait for canceled batches to end (default 120)",
    )
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    from vaultcurator.pipeline.resume import cancel_job  # the SDK is slow to import

    with open_workspace(args.vault) as ws, ProgressView(quiet=args.json) as view:
        report = cancel_job(ws, view, wait=args.wait)
    if args.json:
        print_json(report.to_dict())
        return 0
    print(
        f"Job {report.job_id} canceled: {report.kept} answers kept, "
        f"{report.not_done} notes not curated."
    )
    for batch_id in report.canceled_batches:
        print(f"  canceled batch {batch_id}")
    if report.still_canceling:
        print(
            f"{len(report.still_canceling)} batches are still canceling; "
            f"`vaultcurator resume {args.vault}` collects their finished answers."
        )
    return 0
