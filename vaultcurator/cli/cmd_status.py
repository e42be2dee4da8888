"""``vaultcurator status VAULT``: what the state store knows, without touching the vault.

The report is a dict of sections, each built by one function in ``SECTIONS``; to add a
section, append ``(name, builder)`` there (and, optionally, a text renderer to
``RENDERERS``; sections without one are printed generically).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vaultcurator.cli.common import add_json_flag, add_vault_argument, print_json
from vaultcurator.config import load_settings, vault_state_dir
from vaultcurator.curation.cost import job_cost
from vaultcurator.errors import ConfigError
from vaultcurator.store.db import DB_FILE_NAME, Store, open_store
from vaultcurator.store.jobs import recent_jobs, status_counts
from vaultcurator.store.journal import list_runs, unheld_writes
from vaultcurator.store.proposals import state_counts
from vaultcurator.store.scan_cache import last_scan
from vaultcurator.workspace import locate_vault

NAME = "status"
HELP = "show the last scan, jobs, pending proposals and recent apply runs"
ORDER = 90
DESCRIPTION = """\
Show what vaultcurator knows about the vault from its state store (VAULT/.vaultcurator/):
the last scan, curation jobs and their requests, proposals by state and the last apply runs.
Reads only; a vault never scanned reports empty sections.
"""

RECENT_JOBS = 10
RECENT_APPLY_RUNS = 5

Section = Callable[[Store], Any]


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    location = locate_vault(args.vault)
    if (notice := location.notice()) is not None:
        print(notice, file=sys.stderr)
    root = location.root
    load_settings(root)  # a broken config.toml is reported here as everywhere else
    document = status_document(root)
    if args.json:
        print_json(document)
    else:
        print_status(document)
    return 0


def status_document(root: Path) -> dict[str, Any]:
    """``{"vault": …, "store": …, <section>: …}``; sections are empty when nothing is stored."""
    db_path = vault_state_dir(root) / DB_FILE_NAME
    document: dict[str, Any] = {"vault": str(root), "store": None}
    if not db_path.is_file():
        document.update({name: empty for name, _, empty in SECTIONS})
        return document
    document["store"] = str(db_path)
    with open_store(root) as store:
        for name, build, _ in SECTIONS:
            document[name] = build(store)
    return document


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")


def last_scan_section(store: Store) -> dict[str, Any] | None:
    record = last_scan(store)
    if record is None:
        return None
    return {
        "id": record.id,
        "started_at": _iso(record.started_at),
        "finished_at": _iso(record.finished_at),
        "notes": record.notes,
        "invalid": record.invalid,
        "files_read": record.files_read,
    }


def jobs_section(store: Store) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for job in recent_jobs(store, RECENT_JOBS, kind=None):
        out.append(
            {
                "id": job.id,
                "kind": job.kind,
                "engine": job.engine,
                "mode": job.mode,
                "model": job.model,
                "status": job.status,
                "created_at": _iso(job.created_at),
                "finished_at": _iso(job.finished_at),
                "requests": dict(sorted(status_counts(store, job.id).items())),
                "cost": _job_cost(store, job.id, job.model),
                "prompt_version": job.options.prompt_version,
                "max_cost": job.options.max_cost,
            }
        )
    return out


def _job_cost(store: Store, job_id: int, model: str | None) -> dict[str, Any] | None:
    """Actual cost, standard-API counterfactual and savings of a Claude job (None offline)."""
    if not model:
        return None
    try:
        return job_cost(store, job_id, model).to_dict()
    except ConfigError:  # a model missing from the pricing table: no figure beats a wrong one
        return None


def proposals_section(store: Store) -> dict[str, int]:
    return state_counts(store)


def apply_runs_section(store: Store) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for run in list_runs(store, limit=RECENT_APPLY_RUNS):
        out.append(
            {
                "id": run.id,
                "kind": run.kind,
                "started_at": _iso(run.started_at),
                "finished_at": _iso(run.finished_at),
                "undone_by": run.undone_by,
                "partly_undone": run.partly_undone,
                "notes_written": run.writes,
                "summary": run.summary,
            }
        )
    return out


def unrecovered_writes_section(store: Store) -> int:
    """Writes only the journal files still know (the store lost its WAL after a crash)."""
    return unheld_writes(store)


SECTIONS: list[tuple[str, Section, Any]] = [
    ("last_scan", last_scan_section, None),
    ("jobs", jobs_section, []),
    ("proposals", proposals_section, {}),
    ("apply_runs", apply_runs_section, []),
    ("unrecovered_writes", unrecovered_writes_section, 0),
]
"""(name, builder, value when the vault has no store yet), in display order."""


# --------------------------------------------------------------------------- text output


def _render_last_scan(value: Any) -> list[str]:
    if not value:
        return ["Last scan: never (run `vaultcurator scan VAULT`)"]
    return [
        f"Last scan: {value['finished_at'] or value['started_at']} — {value['notes']} notes, "
        f"{value['invalid']} invalid, {value['files_read']} files read"
    ]


def _render_jobs(value: Any) -> list[str]:
    if not value:
        return ["Jobs: none"]
    lines = ["Jobs:"]
    for job in value:
        counts = ", ".join(f"{n} {state}" for state, n in job["requests"].items()) or "none"
        lines.append(
            f"  #{job['id']} {job['kind']} {job['engine']}/{job['mode']} {job['status']} "
            f"({job['created_at']}) requests: {counts}"
        )
        cost = job.get("cost")
        if cost:
            cap = job.get("max_cost")
            lines.append(
                f"     cost ${cost['actual_usd']:.4f} (standard API ${cost['standard_usd']:.4f},"
                f" saved ${cost['savings_usd']:.4f})"
                + (f", cap ${cap:.4f}" if cap is not None else "")
            )
        if job.get("prompt_version"):
            lines.append(f"     prompt {job['prompt_version']}")
    return lines


def _render_proposals(value: Any) -> list[str]:
    if not value:
        return ["Proposals: none"]
    return ["Proposals: " + ", ".join(f"{n} {state}" for state, n in value.items())]


def _render_apply_runs(value: Any) -> list[str]:
    if not value:
        return ["Apply runs: none"]
    lines = ["Apply runs:"]
    for run in value:
        undone = f", undone by #{run['undone_by']}" if run["undone_by"] else ""
        if run.get("partly_undone"):
            undone = f", partly undone by #{run['undone_by']} (`vaultcurator undo` finishes it)"
        lines.append(
            f"  #{run['id']} {run['kind']} {run['started_at']}: "
            f"{run['notes_written']} notes written{undone}"
        )
    return lines


def _render_generic(name: str, value: Any) -> list[str]:
    title = name.replace("_", " ").capitalize()
    if isinstance(value, dict):
        return [f"{title}:"] + [f"  {key}: {item}" for key, item in value.items()]
    if isinstance(value, list):
        return [f"{title}:"] + [f"  {item}" for item in value] if value else [f"{title}: none"]
    return [f"{title}: {value}"]


def _render_unrecovered(value: Any) -> list[str]:
    if not value:
        return []
    return [
        f"Journal: an interrupted apply journaled {value} note write(s) that only the journal "
        "files still know (the store lost its WAL); `vaultcurator undo` restores the notes "
        "it changed, `apply` re-imports them"
    ]


RENDERERS: dict[str, Callable[[Any], list[str]]] = {
    "last_scan": _render_last_scan,
    "jobs": _render_jobs,
    "proposals": _render_proposals,
    "apply_runs": _render_apply_runs,
    "unrecovered_writes": _render_unrecovered,
}


def print_status(document: dict[str, Any]) -> None:
    print(f"Vault: {document['vault']}")
    if document["store"] is None:
        print("No state yet: this vault has not been scanned or curated.")
    for name, value in document.items():
        if name in ("vault", "store"):
            continue
        render = RENDERERS.get(name)
        for line in render(value) if render else _render_generic(name, value):
            print(line)
