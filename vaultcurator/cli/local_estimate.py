"""``estimate`` for the ``openai-compatible`` engine: tokens and time, no dollars.

Kept apart from ``cmd_estimate`` (the Claude pricing view); that command hands over here when
the engine is ``openai-compatible``. See :mod:`vaultcurator.engines.openai_estimate`.
"""

from __future__ import annotations

import argparse

from vaultcurator.cli.common import print_json
from vaultcurator.curation.plan import Selection, plan_selection
from vaultcurator.engines.openai_estimate import LocalEstimate, estimate_local
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault.scan import scan_vault
from vaultcurator.workspace import Workspace


def run_local(ws: Workspace, args: argparse.Namespace) -> int:
    """Count tokens, time one calibration call (unless ``--no-calibrate``), print."""
    inventory = scan_vault(ws.root, ws.settings.scan, StoreScanCache(ws.store))
    selection = plan_selection(
        inventory, ws.store, all_notes=args.all_notes, only=args.only, limit=args.limit
    )
    result = estimate_local(
        inventory, selection.notes, ws.settings, ws.root, calibrate_time=args.calibrate
    )
    if args.json:
        print_json(
            {
                **result.to_dict(),
                "up_to_date": selection.up_to_date,
                "limited": selection.limited,
                "invalid": [{"path": n.path, "error": n.error} for n in selection.invalid],
            }
        )
    else:
        print_local(result, selection)
    return 0


def duration(seconds: float) -> str:
    """``3h05m``, ``4m10s`` or ``12.3s``."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def print_local(result: LocalEstimate, selection: Selection) -> None:
    skipped = []
    if selection.up_to_date:
        skipped.append(f"{selection.up_to_date} already curated")
    if selection.limited:
        skipped.append(f"{selection.limited} over --limit")
    if selection.invalid:
        skipped.append(f"{len(selection.invalid)} invalid")
    extra = f" ({', '.join(skipped)} skipped)" if skipped else ""
    print(f"{result.notes} notes to curate with {result.model} at {result.base_url}{extra}")
    if not result.notes:
        return
    print(
        f"Input ≈ {result.input_tokens:,} tokens (shared prefix {result.prefix_tokens:,} per "
        f"request, notes {result.note_tokens:,}); output ≈ {result.output_tokens:,} tokens"
    )
    print("Cost: none (a local model); time is what it costs.")
    calibration = result.calibration
    serial, parallel = result.seconds_serial, result.seconds_parallel
    if calibration is None or serial is None or parallel is None:
        reason = result.calibration_error or "no calibration call (--no-calibrate)"
        print(f"Time: unknown ({reason})")
        return
    print(
        f"Calibration: {calibration.path} took {calibration.seconds:.1f}s "
        f"({calibration.input_tokens:,} tokens in, {calibration.output_tokens:,} out)"
    )
    line = f"Time ≈ {duration(serial)} one request at a time"
    if result.concurrency > 1:
        line += (
            f"; ≈ {duration(parallel)} if the server runs {result.concurrency} requests in parallel"
        )
    print(line)
