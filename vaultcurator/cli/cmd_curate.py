"""``vaultcurator curate VAULT``: propose tags and descriptions for the notes that need them.

Also home of the progress view and the summary printer shared by ``resume`` and ``cancel``:
the engines report through callbacks, and only this module turns them into rich progress
bars (on stderr, so ``--json`` output on stdout stays clean).
"""

from __future__ import annotations

import argparse
import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.text import Text

from vaultcurator.cli.common import (
    add_json_flag,
    add_selection_arguments,
    add_vault_argument,
    print_json,
)
from vaultcurator.config import ENGINE_NAMES, MODE_NAMES, TAG_POLICY_NAMES, load_settings
from vaultcurator.domain.limits import MAX_BATCH_REQUESTS
from vaultcurator.domain.progress import BatchStatus, NoteDone, Notice, ProgressEvent, RoundStarted
from vaultcurator.errors import UsageError
from vaultcurator.pipeline.report import CurationReport
from vaultcurator.workspace import open_workspace, resolve_vault

if TYPE_CHECKING:
    from vaultcurator.pipeline.run import DryRun

NAME = "curate"
HELP = "propose tags and descriptions with Claude (or offline with --engine local)"
ORDER = 20
DESCRIPTION = """\
Scan the vault (incrementally), select the notes that need curation (never curated, or
changed since), and ask Claude for hierarchical tags and a one-line description of each.
The answers become proposals you review (`vaultcurator review VAULT`); with --yes they are
applied at once through the conflict-safe edit path.

Modes: auto (default: 1 note sync, up to 20 real time, more through the Batch API at half
price), sync, realtime, batch. --deadline MIN cancels a batch still running after MIN
minutes and finishes its notes in real time. An interrupted job continues with
`vaultcurator resume VAULT`; `vaultcurator cancel VAULT` stops it and keeps what finished.

Needs ANTHROPIC_API_KEY (ANTHROPIC_BASE_URL is honored); --engine local works offline;
--engine openai-compatible curates with a local model (Ollama by default, --base-url for
LM Studio, llama.cpp or vLLM; --model names it; nothing leaves the machine).
Exit status: 0 every selected note got a proposal, 1 some failed (listed), 2 usage or
configuration error, 130 interrupted (resume it).
"""


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument("--engine", choices=ENGINE_NAMES, help="default: anthropic")
    parser.add_argument("--mode", choices=MODE_NAMES, help="default: auto")
    parser.add_argument(
        "--model",
        metavar="ID",
        help="model id (default: claude-haiku-4-5; openai-compatible: openai.model, llama3.2)",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="openai-compatible server (default http://127.0.0.1:11434/v1, Ollama)",
    )
    add_selection_arguments(parser)
    parser.add_argument(
        "--tag-policy",
        choices=TAG_POLICY_NAMES,
        help="merge (default: keep every author tag, add new ones), add (only add), "
        "replace (the engine's tags win); removals are shown with their reason",
    )
    parser.add_argument(
        "--max-tags", metavar="N", type=int, help="at most N tags per note (default 8)"
    )
    parser.add_argument(
        "--batch-size",
        metavar="N",
        type=int,
        help=f"requests per Message Batch (default 10,000, max {MAX_BATCH_REQUESTS:,})",
    )
    parser.add_argument(
        "--poll-interval",
        metavar="S",
        type=float,
        help="first wait between batch polls in seconds (default 30, grows x1.5)",
    )
    parser.add_argument(
        "--deadline",
        metavar="MIN",
        type=float,
        help="cancel batches unfinished after MIN minutes and finish them in real time",
    )
    parser.add_argument(
        "--max-retries", metavar="N", type=int, help="retries of a failed note (default 2)"
    )
    parser.add_argument(
        "--concurrency",
        metavar="N",
        type=int,
        help="parallel real-time calls (default 8; openai-compatible: 2)",
    )
    parser.add_argument(
        "--max-cost",
        metavar="USD",
        type=float,
        help="spending cap in dollars: refuse to start over it, stop sending when reached",
    )
    parser.add_argument(
        "--yes", action="store_true", help="apply the proposals at once instead of reviewing"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="build the requests and show them with the estimate; send nothing",
    )
    parser.add_argument(
        "--no-links",
        dest="links",
        action="store_false",
        help="do not propose related-note links",
    )
    add_verbose_flag(parser)
    add_json_flag(parser)


def add_verbose_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="list every failed note (by default many failures are summed up by reason)",
    )


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "curation.engine": args.engine,
        "curation.mode": args.mode,
        "curation.model": args.model,
        "curation.batch_size": args.batch_size,
        "curation.poll_interval": args.poll_interval,
        "curation.max_retries": args.max_retries,
        "curation.concurrency": args.concurrency,
        "curation.tag_policy": args.tag_policy,
        "curation.max_tags": args.max_tags,
        "curation.max_cost": args.max_cost,
        # The openai-compatible engine has its own section; the same flags set it.
        "openai.model": args.model,
        "openai.base_url": args.base_url,
        "openai.concurrency": args.concurrency,
    }


def run(args: argparse.Namespace) -> int:
    # Imported here: the SDK takes ~1 s to import and other commands should not pay for it.
    from vaultcurator.engines.client import require_api_key
    from vaultcurator.pipeline.run import CurateOptions, DryRun, run_curation

    if args.max_cost is not None and args.max_cost <= 0:
        raise UsageError("--max-cost must be more than 0 dollars")
    if args.batch_size is not None and not 1 <= args.batch_size <= MAX_BATCH_REQUESTS:
        raise UsageError(f"--batch-size must be between 1 and {MAX_BATCH_REQUESTS:,}")
    overrides = _overrides(args)
    root = resolve_vault(args.vault)
    settings = load_settings(root, overrides=overrides)
    if settings.curation.engine == "openai-compatible":
        overrides["curation.model"] = None  # --model names the local model (openai.model)
    if settings.curation.engine == "anthropic" and not args.dry_run:
        require_api_key()  # before scanning: exit 2 names the variable and --engine local
    options = CurateOptions(
        all_notes=args.all_notes,
        only=args.only,
        limit=args.limit,
        deadline_minutes=args.deadline,
        yes=args.yes,
        dry_run=args.dry_run,
        links=args.links,
    )
    # args.vault, not root: the workspace tells the user when a subfolder led to its vault
    with (
        open_workspace(args.vault, overrides=overrides) as ws,
        ProgressView(quiet=args.json) as view,
    ):
        result = run_curation(ws, options, view)
    if isinstance(result, DryRun):
        if args.json:
            print_json(result.to_dict())
        else:
            print_dry_run(result)
        return 0
    if args.json:
        print_json(result.to_dict())
    else:
        print_report(result, str(args.vault), verbose=args.verbose)
    return result.exit_code


# --------------------------------------------------------------------------- rendering


class ElapsedColumn(ProgressColumn):
    """Time since the task's ``since`` field (a batch's creation), redrawn every refresh: a
    live timer, where the polled figure stood still between polls (``0m00s`` for minutes)."""

    def render(self, task: Task) -> Text:
        since = task.fields.get("since", task.start_time)
        if since is None:
            return Text("")
        return Text(_duration(max(0.0, time.monotonic() - since)), style="progress.elapsed")


class ProgressView:
    """Renders progress events as rich bars on stderr (nothing at all when ``quiet``)."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            ElapsedColumn(),
            TextColumn("{task.fields[extra]}"),
            console=self.console,
            transient=False,
        )
        self.notes_task: TaskID | None = None
        self.batch_tasks: dict[str, TaskID] = {}
        self.started = False

    def __enter__(self) -> ProgressView:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.started:
            self.progress.stop()

    def _start(self) -> None:
        if not self.started:
            self.progress.start()
            self.started = True

    def __call__(self, event: ProgressEvent) -> None:
        if self.quiet:
            return
        if isinstance(event, Notice):
            self.console.print(event.text, highlight=False)
        elif isinstance(event, RoundStarted):
            label = "retrying" if event.round else "curating"
            self.console.print(f"{label} {event.count} notes ({event.mode})", highlight=False)
            if event.mode != "batch":
                self._start()
                self.notes_task = self.progress.add_task(event.mode, total=event.count, extra="")
        elif isinstance(event, NoteDone):
            if self.notes_task is not None:
                extra = "" if event.kind == "succeeded" else f"failed: {event.path}"
                if event.eta is not None and event.done < event.total:
                    extra = f"eta {_duration(event.eta)}  {extra}".rstrip()
                self.progress.update(self.notes_task, completed=event.done, extra=extra)
        elif isinstance(event, BatchStatus):
            self._batch(event)

    def _batch(self, event: BatchStatus) -> None:
        self._start()
        extra = (
            f"{event.processing_status}  ok {event.succeeded}  err {event.errored}  "
            f"exp {event.expired}"
        )
        if event.eta:
            extra += f"  eta {_duration(event.eta)}"
        since = time.monotonic() - event.elapsed  # the batch's age ticks between polls
        task = self.batch_tasks.get(event.batch_id)
        if task is None:
            task = self.progress.add_task(
                f"batch {event.chunk_no + 1}", total=event.total, extra=extra, since=since
            )
            self.batch_tasks[event.batch_id] = task
        self.progress.update(task, completed=event.done, extra=extra, since=since)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


FAILURES_LISTED = 10
"""Beyond this many failed notes the report groups them by reason (``--verbose`` lists all)."""


def print_failures(report: CurationReport, *, verbose: bool = False) -> None:
    """Every failed note with ``verbose`` or when there are few; else one line per reason
    (an interrupted batch of 1,829 notes is one line, not 1,829)."""
    failures = report.failures
    if not failures:
        return
    if verbose or len(failures) <= FAILURES_LISTED:
        print("Failed:")
        for failure in failures:
            print(f"  {failure.path}: {failure.error_type}: {failure.error}")
        return
    reasons: dict[str, int] = {}
    for failure in failures:
        key = f"{failure.error_type}: {failure.error}"
        reasons[key] = reasons.get(key, 0) + 1
    print(f"Failed: {len(failures):,} notes (--verbose lists each)")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1])[:FAILURES_LISTED]:
        print(f"  {count:,} × {reason}")
    if len(reasons) > FAILURES_LISTED:
        print(f"  … and {len(reasons) - FAILURES_LISTED} other reasons")


def print_report(report: CurationReport, vault: str, *, verbose: bool = False) -> None:
    out = sys.stdout
    if report.status == "empty":
        print(
            "Nothing to curate: every selected note is already curated "
            "(use --all to curate again).",
            file=out,
        )
        _print_invalid(report)
        return
    modes = ", ".join(report.modes_used) or report.mode
    print(
        f"Job {report.job_id} ({report.engine}, {modes}): {report.selected} notes, "
        f"{report.proposals} proposals, {len(report.failures)} failed"
        + (f", {report.batches} batches" if report.batches else ""),
        file=out,
    )
    if report.cost is not None:
        cost = report.cost
        print(
            f"Cost: ${cost.actual_usd:.4f} (standard API: ${cost.standard_usd:.4f}; "
            f"saved ${cost.savings_usd:.4f})",
            file=out,
        )
    if report.vocabulary is not None:
        new, refused = report.vocabulary["new_tags"], report.vocabulary["refused"]
        print(
            f"Vocabulary (approved taxonomy, {report.vocabulary['vocabulary']} tags): "
            f"{len(new)} new tag(s) under existing areas"
            + (f" ({', '.join(list(new)[:5])})" if new else "")
            + f", {len(refused)} outside it left out"
            + (f" ({', '.join(list(refused)[:5])})" if refused else ""),
            file=out,
        )
    if report.rejected_ids:
        print(
            f"Rejected {len(report.rejected_ids)} results (an unknown id, another batch's "
            "request, or several lines for one id; never applied).",
            file=out,
        )
    print_failures(report, verbose=verbose)
    _print_invalid(report)
    if report.interrupted:
        print(
            f"Interrupted; finished answers are kept. Continue with: vaultcurator resume {vault}",
            file=out,
        )
    elif report.applied is not None:
        applied = report.applied
        print(
            f"Applied {len(applied.applied)} notes"
            f" ({len(applied.conflicts)} conflicts, {len(applied.failed)} failed).",
            file=out,
        )
        for path, reason in [*applied.conflicts, *applied.failed]:
            print(f"  {path}: {reason}", file=out)
    elif report.proposals:
        print(f"Review the proposals with: vaultcurator review {vault}", file=out)


def _print_invalid(report: CurationReport) -> None:
    if report.invalid_notes:
        print("Invalid notes, never curated:")
        for path, reason in report.invalid_notes[:10]:
            print(f"  {path}: {reason}")
        if len(report.invalid_notes) > 10:
            print(f"  … and {len(report.invalid_notes) - 10} more")


def print_dry_run(result: DryRun) -> None:
    from vaultcurator.cli.cmd_estimate import print_estimate

    print(
        f"Dry run: {result.requests} requests would be sent ({result.engine}, "
        f"{result.mode}); nothing was sent."
    )
    for custom_id, path in result.sample:
        print(f"  {custom_id} -> {path}")
    if result.requests > len(result.sample):
        print(f"  … and {result.requests - len(result.sample)} more")
    if result.chunks:
        sizes = ", ".join(f"{n} requests / {b / 1_000_000:.1f} MB" for n, b in result.chunks)
        print(f"Batches: {len(result.chunks)} ({sizes})")
    for path, reason in result.skipped:
        print(f"  skipped {path}: {reason}")
    if result.estimate is not None:
        print()
        print_estimate(result.estimate, result.selection, result.max_cost)
