"""``vaultcurator taxonomy VAULT``: one reviewed tag hierarchy for the whole vault."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from vaultcurator.cli.common import add_json_flag, add_vault_argument, print_json
from vaultcurator.domain.taxonomy import TaxonomyPlan

NAME = "taxonomy"
HELP = "plan one consistent tag hierarchy for the vault (variants, synonyms, nesting)"
ORDER = 25
DESCRIPTION = """\
Build a plan from every tag of the vault (tags properties and inline #tags): renames that merge
spelling variants (case, -/_/space, accents, singular/plural, misspellings; short look-alikes
such as css/cms stay apart), synonyms, and nesting (python -> programming/python). Nothing is
written: the plan is stored (versioned) for review in the TUI (Taxonomy screen) or --print.

--yes approves every rename and applies the plan at once: each note whose tags property holds
a renamed tag gets its new tags in one journaled run (`vaultcurator undo VAULT` restores it).
Inline #tags in note bodies are never edited; the plan says how many such uses remain.
Approved plans are also the vocabulary curation uses.

--engine local (default) is offline and deterministic; --engine anthropic asks Claude in one
structured-output request (a few for very large vaults), estimated first; a malformed plan is
rejected with the reason and nothing is stored or applied.
"""


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument("--engine", choices=("local", "anthropic"), default="local")
    parser.add_argument("--model", metavar="ID", help="model id for --engine anthropic")
    parser.add_argument("--flat", action="store_true", help="merge variants only; no nesting")
    parser.add_argument(
        "--print", dest="print_plan", action="store_true", help="print every rename for review"
    )
    parser.add_argument(
        "--estimate", action="store_true", help="with --engine anthropic: estimate, send nothing"
    )
    parser.add_argument("--yes", action="store_true", help="approve every rename and apply")
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    from vaultcurator.pipeline import taxonomy as pipeline
    from vaultcurator.workspace import open_workspace, scan

    overrides = {"curation.model": args.model}
    with open_workspace(args.vault, overrides=overrides) as ws:
        notes = scan(ws).notes
        estimate = None
        if args.engine == "anthropic":
            estimate = pipeline.estimate_plan(notes, ws.settings.curation.model)
            if not args.json:
                print(
                    f"estimate: {estimate.requests} request(s), ~{estimate.input_tokens:,} input "
                    f"+ ~{estimate.output_tokens:,} output tokens, ~${estimate.usd:.4f} "
                    f"({estimate.model})",
                    file=sys.stderr,
                )
            if args.estimate:
                if args.json:
                    print_json({"estimate": estimate.to_dict()})
                return 0
        plan = pipeline.build_plan(ws, notes, engine=args.engine, flat=args.flat)
        applied = None
        if args.yes:
            plan = pipeline.approve_all(ws, plan, notes)
            applied = pipeline.apply_plan(ws, plan, notes)
        document: dict[str, Any] = plan.to_json()
        if estimate is not None:
            document["estimate"] = estimate.to_dict()
        if applied is not None:
            document["applied"] = {
                "proposals": len(applied.proposals.ids),
                "skipped": [{"path": p, "reason": r} for p, r in applied.proposals.skipped],
                "report": None if applied.report is None else applied.report.to_dict(),
                "inline_uses_remaining": applied.inline_remaining,
            }
    if args.json:
        print_json(document)
    else:
        _print_plan(plan, full=args.print_plan or args.yes)
        if applied is not None:
            report = applied.report
            written = 0 if report is None else len(report.applied)
            print(f"applied: {written} note(s) written in one run (undo: vaultcurator undo VAULT)")
            for path, reason in applied.proposals.skipped:
                print(f"  left alone: {path}: {reason}", file=sys.stderr)
            if report is not None and not report.ok:
                for path, reason in [*report.conflicts, *report.failed]:
                    print(f"  not written: {path}: {reason}", file=sys.stderr)
                return 1
        else:
            print(
                f"plan v{plan.version} stored; review it in the TUI (Taxonomy screen) or apply "
                "every rename with --yes"
            )
    return 0


def _print_plan(plan: TaxonomyPlan, *, full: bool) -> None:
    cost = f", ${plan.cost_usd:.4f}" if plan.cost_usd is not None else ""
    print(
        f"taxonomy plan v{plan.version} ({plan.engine}{cost}): {len(plan.renames)} rename(s), "
        f"{len(plan.tags)} canonical tag(s)"
    )
    shown = plan.renames if full else plan.renames[:20]
    width = min(32, max((len(r.old) for r in shown), default=0))
    for r in shown:
        inline = f"; {r.inline_uses} inline use(s) remain" if r.inline_uses else ""
        print(f"  {r.old:<{width}} -> {r.target}   ({r.reason}; {r.notes} note(s){inline})")
    if len(shown) < len(plan.renames):
        print(f"  … {len(plan.renames) - len(shown)} more (--print shows all)")
