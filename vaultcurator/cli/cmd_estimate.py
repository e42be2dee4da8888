"""``vaultcurator estimate VAULT``: tokens and dollars a curation would cost, per mode."""

from __future__ import annotations

import argparse
from typing import Any

from vaultcurator.cli.common import (
    add_json_flag,
    add_selection_arguments,
    add_vault_argument,
    print_json,
)
from vaultcurator.curation.estimate import Estimate
from vaultcurator.curation.plan import Selection, plan_selection
from vaultcurator.errors import UsageError
from vaultcurator.pipeline.costing import job_estimate
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault.scan import scan_vault
from vaultcurator.workspace import open_workspace

NAME = "estimate"
HELP = "predict the tokens and cost of curating the vault (nothing is sent)"
ORDER = 25
DESCRIPTION = """\
Predict what `curate` would cost: the notes it would select (same --all/--only/--limit
rules), input tokens (shared prompt prefix and each note), expected output tokens, and the
price on the standard API (sync/realtime) and on the Batch API (half price), with and without
prompt caching. No note is curated. Token counts are estimated per script offline; with
ANTHROPIC_API_KEY set, a handful of the job's requests are counted once with the free
count_tokens endpoint (cached per model and prompt version; --no-calibrate sends nothing)
and the estimate says it is calibrated. A configured spending cap (curation.max_cost) is
shown beside the job's cost.
"""

_MODE_NAMES = {"standard": "sync / realtime", "batch": "batch"}


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument("--model", metavar="ID", help="model id (default: from config)")
    parser.add_argument(
        "--engine",
        choices=("anthropic", "openai-compatible"),
        help="openai-compatible: tokens and time (one timed calibration call), no dollars",
    )
    parser.add_argument("--base-url", metavar="URL", help="openai-compatible server")
    parser.add_argument(
        "--no-calibrate",
        dest="calibrate",
        action="store_false",
        help="send nothing (Claude: no count_tokens calibration; openai-compatible: tokens only)",
    )
    add_selection_arguments(parser)
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 0:
        raise UsageError("--limit must be 0 or more")
    overrides = {
        "curation.model": args.model,
        "curation.engine": args.engine,
        "openai.model": args.model,
        "openai.base_url": args.base_url,
    }
    with open_workspace(args.vault, overrides=overrides) as ws:
        if ws.settings.curation.engine == "openai-compatible":
            from vaultcurator.cli.local_estimate import run_local

            return run_local(ws, args)
        settings = ws.settings.curation
        inventory = scan_vault(ws.root, ws.settings.scan, StoreScanCache(ws.store))
        selection = plan_selection(
            inventory, ws.store, all_notes=args.all_notes, only=args.only, limit=args.limit
        )
        _, result = job_estimate(
            ws.root, inventory, list(selection.notes), settings, allow_network=args.calibrate
        )
        cap = settings.max_cost
    if args.json:
        print_json({**document(result, selection), "max_cost": cap})
    else:
        print_estimate(result, selection, cap)
    return 0


def document(result: Estimate, selection: Selection) -> dict[str, Any]:
    return {
        **result.to_dict(),
        "up_to_date": selection.up_to_date,
        "limited": selection.limited,
        "invalid": [{"path": n.path, "error": n.error} for n in selection.invalid],
    }


def print_estimate(result: Estimate, selection: Selection, cap: float | None = None) -> None:
    skipped = []
    if selection.up_to_date:
        skipped.append(f"{selection.up_to_date} already curated")
    if selection.limited:
        skipped.append(f"{selection.limited} over --limit")
    if selection.invalid:
        skipped.append(f"{len(selection.invalid)} invalid")
    extra = f" ({', '.join(skipped)} skipped)" if skipped else ""
    print(f"{result.notes} notes to curate with {result.model}{extra}")
    if not result.notes:
        return
    print(
        f"Input ≈ {result.input_tokens:,} tokens (shared prefix {result.prefix_tokens:,} per "
        f"request, notes {result.note_tokens:,}); output ≈ {result.output_tokens:,} tokens"
    )
    print(result.caching_note)
    print(result.calibration_note)
    job = f"This job ({result.job_mode}): ${result.job_cost_usd():.4f}"
    if cap is not None:
        verdict = "within" if result.job_cost_usd() <= cap else "OVER"
        job += f"; spending cap ${cap:.4f} ({verdict})"
    print(job)
    print()
    print(f"{'mode':<18}{'caching':<10}{'cost (USD)':>12}")
    for row in result.rows:
        caching = "yes" if row.cached else "no"
        print(f"{_MODE_NAMES[row.mode]:<18}{caching:<10}{row.cost_usd:>12.4f}")
    print(f"\n--mode auto would use {result.auto_mode} for {result.notes} notes.")
    if selection.invalid:
        print("\nInvalid notes, never curated:")
        for note in selection.invalid[:10]:
            print(f"  {note.path}: {note.error}")
        if len(selection.invalid) > 10:
            print(f"  … and {len(selection.invalid) - 10} more")
