"""``vaultcurator review VAULT``: the review UI, or ``--print`` for scripts (no Textual import)."""

from __future__ import annotations

import argparse
import sys

from vaultcurator.cli.common import (
    add_json_flag,
    add_vault_argument,
    print_json,
    workspace_from_args,
)
from vaultcurator.errors import UsageError, VaultCuratorError
from vaultcurator.review.actions import ALL_STATES
from vaultcurator.review.diff import RenderedDiff, render_unified_diff
from vaultcurator.review.rules import RULE_KINDS
from vaultcurator.store.proposals import list_proposals
from vaultcurator.workspace import Workspace

NAME = "review"
HELP = "review the proposals in the terminal UI (or --print them, or decide by rules)"
ORDER = 30
DESCRIPTION = """\
Open the review UI: every proposal as a diff of the note's frontmatter; approve, reject or edit
them, then apply (w) and undo (u). Nothing is written to a note before you apply.

With --print, print the pending proposals as unified diffs of the frontmatter instead (for
scripts and for a quick look); the diffs are rendered from the notes as they are now. A note
changed since its proposal was made is flagged (apply would report it as a conflict). Exit
status: 0, or 1 when a proposal could not be rendered or its note changed since.

With --approve or --reject, decide by rules instead: the pending proposals that match every
selector given (--path GLOB, --where tags-only|description-only|links-only|no-removals,
--max-tags-removed N) are approved or rejected, and each is named. A rule never changes a
decision already made: rejected proposals stay rejected. --dry-run only says what it would do.
Example: vaultcurator review VAULT --approve --where tags-only --where no-removals
"""


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument(
        "--print",
        dest="print_diffs",
        action="store_true",
        help="print the proposals as unified diffs instead of opening the UI",
    )
    parser.add_argument(
        "--state",
        action="append",
        choices=ALL_STATES,
        metavar="STATE",
        help="with --print: proposals in this state (repeatable; default: pending)",
    )
    decide = parser.add_argument_group(
        "review by rules (pending proposals only: rejected stay rejected, approved stay approved)"
    )
    verbs = decide.add_mutually_exclusive_group()
    verbs.add_argument(
        "--approve", action="store_true", help="approve the pending proposals the rules select"
    )
    verbs.add_argument(
        "--reject", action="store_true", help="reject the pending proposals the rules select"
    )
    decide.add_argument(
        "--path", action="append", metavar="GLOB", help="only notes matching GLOB (repeatable)"
    )
    decide.add_argument(
        "--where",
        action="append",
        metavar="KIND",
        choices=RULE_KINDS,
        help=f"only proposals that are KIND: {', '.join(RULE_KINDS)} (repeatable: all hold)",
    )
    decide.add_argument(
        "--max-tags-removed",
        type=int,
        metavar="N",
        help="only proposals taking at most N of the author's tags off",
    )
    decide.add_argument(
        "--dry-run", action="store_true", help="with --approve/--reject: say, change nothing"
    )
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    selectors = args.path or args.where or args.max_tags_removed is not None
    if args.approve or args.reject:
        if args.print_diffs:
            raise UsageError("--approve/--reject do not go with --print")
        return _run_rules(args)
    if selectors or args.dry_run:
        raise UsageError(
            "--path, --where, --max-tags-removed and --dry-run need --approve or --reject"
        )
    if not args.print_diffs:
        if args.json or args.state:
            raise UsageError("--json and --state only go with --print")
        return _run_ui(args)
    with workspace_from_args(args) as ws:
        diffs = render_all(ws, args.state or ["pending"])
    if args.json:
        print_json(
            {
                "proposals": [
                    {
                        "id": d.proposal_id,
                        "path": d.path,
                        "diff": d.text,
                        "stale": d.stale,
                        "error": d.error,
                        "tag_removals": [{"tag": t, "reason": r} for t, r in d.tag_removals],
                        "description_note": d.description_note,
                    }
                    for d in diffs
                ],
                "ok": all(d.ok for d in diffs),
            }
        )
    else:
        print_diffs(diffs)
    return 0 if all(d.ok for d in diffs) else 1


def render_all(ws: Workspace, states: list[str]) -> list[RenderedDiff]:
    related_key = ws.settings.links.property
    return [
        render_unified_diff(ws.root, p, related_key=related_key)
        for p in list_proposals(ws.store, states)
    ]


def print_diffs(diffs: list[RenderedDiff]) -> None:
    """Diffs on stdout (a valid patch); notes about stale or broken ones on stderr."""
    stale = errors = 0
    for d in diffs:
        if d.error is not None:
            errors += 1
            print(f"{d.path}: cannot render: {d.error}", file=sys.stderr)
            continue
        if d.stale:
            stale += 1
            print(
                f"{d.path}: changed on disk since the proposal was made; diff shown against the "
                "file as it is now (apply would report a conflict)",
                file=sys.stderr,
            )
        for tag, reason in d.tag_removals:  # before the hunks: patch(1) skips such lines
            print(f"# {d.path}: removes tag {tag!r}: {reason}")
        if d.description_note:
            print(f"# {d.path}: {d.description_note}")
        if d.tags_restyled:
            print(f"# {d.path}: same tags, rewritten (new order or style)")
        if d.text:
            print(d.text)
        else:
            print(f"{d.path}: no change", file=sys.stderr)
    print(
        f"{len(diffs)} proposal{'s' if len(diffs) != 1 else ''}; {stale} changed since; "
        f"{errors} could not be rendered",
        file=sys.stderr,
    )


def _run_ui(args: argparse.Namespace) -> int:
    try:
        from vaultcurator.tui.app import run_app  # textual is only imported here
    except ImportError as exc:
        raise VaultCuratorError(
            f"the review UI is not available ({exc}); use --print to see the proposals"
        ) from None
    with workspace_from_args(args) as ws:
        return int(run_app(ws) or 0)


def _run_rules(args: argparse.Namespace) -> int:
    """``--approve``/``--reject`` with selectors: decide, then say what was decided."""
    from vaultcurator.review.rules import apply_rule, rule_from

    if args.max_tags_removed is not None and args.max_tags_removed < 0:
        raise UsageError("--max-tags-removed must be 0 or more")
    verb = "approve" if args.approve else "reject"
    rule = rule_from(args.path, args.where, args.max_tags_removed)
    with workspace_from_args(args) as ws:
        outcome = apply_rule(ws.store, rule, verb, dry_run=args.dry_run)
    done = f"would {verb}" if args.dry_run else ("approved" if args.approve else "rejected")
    if args.json:
        print_json(
            {
                "action": verb,
                "rule": rule.describe(),
                "dry_run": args.dry_run,
                "decided": [{"id": p.id, "path": p.path} for p in outcome.matched],
                "pending_not_matched": outcome.unmatched_pending,
                "left_alone": outcome.left_alone,
            }
        )
        return 0
    for proposal in outcome.matched:
        print(f"{done}: {proposal.path}")
    line = f"{done.capitalize()} {len(outcome.matched)} pending proposal(s) ({rule.describe()})"
    line += f"; {outcome.unmatched_pending} pending did not match"
    print(line + ".")
    for state, count in sorted(outcome.left_alone.items()):
        print(f"{count} {state} proposal(s) match but keep their decision.")
    if outcome.matched and not args.dry_run and verb == "approve":
        print(f"Write them with: vaultcurator apply {args.vault}")
    return 0
