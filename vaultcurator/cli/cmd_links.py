"""``vaultcurator links VAULT``: recompute related-note links alone (no Claude involved)."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import TYPE_CHECKING, Any

from vaultcurator.cli.common import (
    add_json_flag,
    add_vault_argument,
    print_json,
    workspace_from_args,
)
from vaultcurator.errors import UsageError
from vaultcurator.store.proposals import Proposal, get_proposal, list_proposals
from vaultcurator.store.scan_cache import StoreScanCache
from vaultcurator.vault.scan import scan_vault
from vaultcurator.workspace import Workspace

NAME = "links"
HELP = "propose related-note links from note similarity (offline)"
ORDER = 35
DESCRIPTION = """\
Index the vault's notes as vectors (incrementally, in VAULT/.vaultcurator/chroma or on the
Chroma server given by --chroma-url), find each note's most similar notes, and propose them
as its related-notes property. Notes a note already links to are left out. Proposals wait
for review (vaultcurator review VAULT) unless --yes applies them at once.
"""
SHOWN = 10


if TYPE_CHECKING:
    from vaultcurator.links.propose import LinksReport


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument(
        "--k",
        type=_positive_int,
        metavar="N",
        help="at most N related notes per note (default: links.k, 5)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        metavar="X",
        help="absolute floor on the lexical cosine (default: none; links.ratio, a cut-off "
        "relative to each note's best candidate, decides)",
    )
    parser.add_argument(
        "--bidirectional",
        action="store_true",
        default=None,
        help="when A gets B, also give B a link to A (within the k cap)",
    )
    parser.add_argument(
        "--embedder", metavar="NAME", help="hashed (default), onnx-minilm, st:<model> or auto"
    )
    parser.add_argument(
        "--chroma-url",
        metavar="URL",
        help="use the Chroma server at URL instead of the embedded store",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="apply the new related links at once instead of queueing them",
    )
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    overrides = {
        "links.k": args.k,
        "links.threshold": args.threshold,
        "links.bidirectional": args.bidirectional,
        "links.embedder": args.embedder,
        "chroma.url": args.chroma_url,
    }
    with workspace_from_args(args, **overrides) as ws:
        inventory = scan_vault(ws.root, ws.settings.scan, StoreScanCache(ws.store))
        from vaultcurator.links.propose import propose_related_links  # numpy, Chroma

        report = propose_related_links(ws, inventory)
        proposals = [p for pid in report.proposal_ids if (p := get_proposal(ws.store, pid))]
        applied = _apply(ws, proposals) if args.yes else None
    if args.json:
        document: dict[str, Any] = report.to_dict()
        document["changes"] = [
            {"path": p.path, "old": p.old_related, "new": p.new_related} for p in proposals
        ]
        if applied is not None:
            document["applied"] = applied
        print_json(document)
    else:
        _print(report, proposals, applied, shlex.quote(str(args.vault)))
    return 0 if applied is None or not applied["problems"] else 1


def _apply(ws: Workspace, proposals: list[Proposal]) -> dict[str, Any]:
    """Apply every pending links-only proposal (this run's and earlier ones).

    A proposal that also holds tag or description changes from ``curate`` waits for review:
    ``--yes`` here approves links, not Claude's tags.
    """
    try:
        from vaultcurator.review.apply import apply_proposals
    except ImportError as exc:  # pragma: no cover - review package always ships
        raise UsageError(f"--yes needs the review package: {exc}") from None

    def links_only(p: Proposal) -> bool:
        return p.new_tags is None and not p.has_description and p.new_related is not None

    mine = [p for p in list_proposals(ws.store, ["pending"]) if links_only(p)]
    waiting = [p.path for p in proposals if not links_only(p)]
    result = apply_proposals(ws, ids=[p.id for p in mine], include_pending=True)
    problems = [*result.conflicts, *result.failed]
    return {
        "applied": list(result.applied),
        "problems": [{"path": path, "reason": reason} for path, reason in problems],
        "waiting_for_review": waiting,
    }


def _print(
    report: LinksReport,
    proposals: list[Proposal],
    applied: dict[str, Any] | None,
    vault: str,
) -> None:
    for notice in report.notices:
        print(f"notice: {notice}", file=sys.stderr)
    print(
        f"Indexed {report.indexed} notes with {report.embedder} "
        f"({report.added} new, {report.changed} changed, {report.renamed} moved, "
        f"{report.deleted} removed, {report.embedded} embedded)"
    )
    print(
        f"Related notes computed for {report.computed} notes (k={report.k}, "
        f"cut-off {report.threshold:g} of each note's best): {report.proposals} to change"
    )
    for proposal in proposals[:SHOWN]:
        new = ", ".join(proposal.new_related or []) or "(none)"
        print(f"  {proposal.path}: {new}")
    if len(proposals) > SHOWN:
        print(f"  … and {len(proposals) - SHOWN} more")
    if applied is None:
        if proposals:
            print(f"Review them with: vaultcurator review {vault}")
        return
    print(f"Applied to {len(applied['applied'])} notes")
    for problem in applied["problems"]:
        print(f"  not applied: {problem['path']}: {problem['reason']}")
    if applied["waiting_for_review"]:
        print(
            f"{len(applied['waiting_for_review'])} notes also have tag/description changes "
            "waiting for review; their links were not applied"
        )
