"""``vaultcurator resume VAULT``: finish the vault's interrupted curation job."""

from __future__ import annotations

import argparse

from vaultcurator.cli.cmd_curate import ProgressView, add_verbose_flag, print_report
from vaultcurator.cli.common import add_json_flag, add_vault_argument, print_json
from vaultcurator.errors import UsageError
from vaultcurator.workspace import open_workspace

NAME = "resume"
HELP = "continue an interrupted curation job (crash, Ctrl-C, reboot)"
ORDER = 21
DESCRIPTION = """\
Continue the vault's unfinished curation job: poll its stored batches and fetch their
results (a batch is never created twice), send what was never sent, retry what failed.
Exit status as for curate: 0 all notes got a proposal, 1 some failed, 2 nothing to resume
or no API key.
"""


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument(
        "--poll-interval",
        metavar="S",
        type=float,
        help="first wait between batch polls in seconds (default: the job's)",
    )
    parser.add_argument(
        "--max-retries", metavar="N", type=int, help="retries of a failed note (default: the job's)"
    )
    parser.add_argument(
        "--max-cost",
        metavar="USD",
        type=float,
        help="spending cap for the whole job in dollars (default: the job's; raise it to go on)",
    )
    add_verbose_flag(parser)
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    from vaultcurator.pipeline.resume import resume_job  # the SDK is slow to import

    if args.max_cost is not None and args.max_cost <= 0:
        raise UsageError("--max-cost must be more than 0 dollars")
    overrides = {
        "poll_interval": args.poll_interval,
        "max_retries": args.max_retries,
        "max_cost": args.max_cost,
    }
    with open_workspace(args.vault) as ws, ProgressView(quiet=args.json) as view:
        report = resume_job(ws, view, overrides=overrides)
    if args.json:
        print_json(report.to_dict())
    else:
        print_report(report, str(args.vault), verbose=args.verbose)
    return report.exit_code
