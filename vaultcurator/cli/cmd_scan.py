"""``vaultcurator scan VAULT``: list what the vault holds and what is wrong with it."""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from vaultcurator.cli import keep_until_exit
from vaultcurator.cli.common import (
    add_json_flag,
    add_vault_argument,
    print_json,
    progress_bar,
)
from vaultcurator.store.scan_cache import last_scan
from vaultcurator.vault.model import Inventory
from vaultcurator.vault.scan import scan_vault
from vaultcurator.vault.taxonomy import tag_counts
from vaultcurator.workspace import open_workspace, scan

NAME = "scan"
HELP = "scan the vault: notes, invalid notes, tags in use"
ORDER = 10
DESCRIPTION = """\
Scan the vault and report what is there: how many notes, which ones cannot be parsed (and
why), notes without tags or description, and the most used tags. Nothing in the vault is
changed; the results are cached in VAULT/.vaultcurator/ so the next scan only reads files
that changed.
"""

TOP_TAGS = 20
LISTED = 10
PROGRESS_MIN_FILES = 500


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    add_json_flag(parser)
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read every file, keep nothing in VAULT/.vaultcurator/ (works on a read-only vault)",
    )


def run(args: argparse.Namespace) -> int:
    """Scan and report with the cyclic garbage collector paused: nothing here makes cycles,
    and the first collection after a large scan walked every note's objects (~20-50 ms on
    10,000 notes, and again for the report's). Resumed once the notes are freed."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _scan_and_report(args)
    finally:
        if gc_was_enabled:
            gc.enable()


def _scan_and_report(args: argparse.Namespace) -> int:
    # A read-only command: a folder that is no Obsidian vault gets no state from it.
    workspace = open_workspace(args.vault, create_state=False)
    with workspace as ws:
        with progress_bar("Scanning", PROGRESS_MIN_FILES) as progress:
            if args.no_cache:
                inventory = scan_vault(
                    ws.root, ws.settings.scan, None, progress=progress, keep_bodies=False
                )
                record = None
            else:  # a report: no note body is used, none is kept (~100 MB on 10,000 notes)
                inventory = scan(ws, progress, keep_bodies=False)
                record = last_scan(ws.store)
        # Reported before the store closes: a first scan's checkpoint (the WAL copied into
        # state.db, with its fsyncs) runs in a helper thread meanwhile, joined at the close.
        scanned_at = record.finished_at if record and record.finished_at else None
        if args.json:
            print_json(scan_document(inventory, scanned_at))
        else:
            cache = None if args.no_cache else ws.state_dir / SUMMARY_FILE
            print_summary(inventory, cached_summary(inventory, cache))
    keep_until_exit(inventory)  # before the GC resumes: it would walk every note
    return 0


SUMMARY_FILE = "scan_summary.json"
SUMMARY_VERSION = 1
"""Bump when what :func:`text_summary` computes changes: older cached summaries are ignored."""


def text_summary(inventory: Inventory) -> dict[str, Any]:
    """What the text report needs from every note's tags (the costly part on a warm scan)."""
    info = summary(inventory)
    untagged = [n.path for n in inventory.valid if not n.tags]
    return {
        "without_tags": len(untagged),
        "untagged": untagged[: LISTED + 1],
        "without_description": info["without_description"],
        "top_tags": info["top_tags"],
    }


def cached_summary(inventory: Inventory, cache: Path | None) -> dict[str, Any]:
    """:func:`text_summary`, kept in ``cache`` under a hash of every note's path and bytes: a
    rescan that found nothing changed reuses it instead of decoding every note's tags again
    (on 10,000 notes that was half of the command's time). Unwritable state: computed anew."""
    digest = hashlib.sha256(f"v{SUMMARY_VERSION}\n".encode())
    for note in inventory.notes:
        digest.update(f"{note.path}\0{note.hash}\0{note.status}\n".encode())
    signature = digest.hexdigest()
    if cache is not None:
        try:
            kept = json.loads(cache.read_text(encoding="utf-8"))
            if kept.get("signature") == signature:
                return dict(kept["summary"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    info = text_summary(inventory)
    if cache is not None and cache.parent.is_dir():
        temp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        try:
            temp.write_text(json.dumps({"signature": signature, "summary": info}), "utf-8")
            temp.replace(cache)
        except OSError:  # a read-only vault: the summary is simply not kept
            temp.unlink(missing_ok=True)
    return info


def summary_counts(inventory: Inventory) -> dict[str, Any]:
    """The counts that need no note's tags (cheap on a warm scan)."""
    return {
        "notes": len(inventory.notes),
        "ok": len(inventory.valid),
        "invalid": len(inventory.invalid),
        "files_read": inventory.files_read,
    }


def summary(inventory: Inventory) -> dict[str, Any]:
    notes = inventory.notes
    return {
        "notes": len(notes),
        "ok": len(inventory.valid),
        "invalid": len(inventory.invalid),
        "without_tags": sum(1 for n in notes if n.status == "ok" and not n.tags),
        "without_description": sum(1 for n in notes if n.status == "ok" and not n.description),
        "skipped": len(inventory.skipped),
        "files_read": inventory.files_read,
        "scan_id": inventory.scan_id,
        "top_tags": [[tag, count] for tag, count in tag_counts(notes)[:TOP_TAGS]],
    }


def scan_document(inventory: Inventory, scanned_at: float | None) -> dict[str, Any]:
    """The ``--json`` document (paths relative, POSIX)."""
    import datetime as dt  # only for --json

    when = scanned_at if scanned_at is not None else dt.datetime.now(dt.UTC).timestamp()
    return {
        "vault": str(inventory.root),
        "scanned_at": dt.datetime.fromtimestamp(when, dt.UTC).isoformat(timespec="seconds"),
        "notes": [
            {
                "index": n.index,
                "path": n.path,
                "hash": n.hash,
                "status": n.status,
                "error": n.error,
                "tags": n.tags,
                "description": n.description,
            }
            for n in inventory.notes
        ],
        "skipped": [{"path": path, "reason": why} for path, why in inventory.skipped],
        "summary": summary(inventory),
    }


def print_summary(inventory: Inventory, notes_info: dict[str, Any] | None = None) -> None:
    info = {**summary_counts(inventory), **(notes_info or text_summary(inventory))}
    print(
        f"{inventory.root}: {info['notes']} notes ({info['ok']} ok, {info['invalid']} invalid); "
        f"read {info['files_read']} files"
    )
    if inventory.invalid:
        print(f"\nInvalid notes ({info['invalid']}), left untouched:")
        for note in inventory.invalid:
            print(f"  {note.path}: {note.error}")
    if inventory.skipped:
        print(f"\nSkipped ({len(inventory.skipped)}): not prose notes, or excluded in Obsidian")
        for path, why in inventory.skipped[:LISTED]:
            print(f"  {path}: {why}")
        if len(inventory.skipped) > LISTED:
            print(f"  … and {len(inventory.skipped) - LISTED} more (see --json)")
    untagged = list(info["untagged"])
    print(f"\nWithout tags: {info['without_tags']}")
    _print_some(untagged, info["without_tags"])
    print(f"Without description: {info['without_description']} of {info['ok']}")
    if info["top_tags"]:
        listed = ", ".join(f"{tag} ({count})" for tag, count in info["top_tags"])
        print(f"\nMost used tags: {listed}")


def _print_some(paths: list[str], total: int) -> None:
    for path in paths[:LISTED]:
        print(f"  {path}")
    if total > LISTED:
        print(f"  … and {total - LISTED} more")
