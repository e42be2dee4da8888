"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vaultcurator.workspace import Workspace, open_workspace


def add_vault_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("vault", metavar="VAULT", help="path to the Obsidian vault folder")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document on stdout instead of text"
    )


def workspace_from_args(args: argparse.Namespace, **overrides: Any) -> Workspace:
    """Open the vault named by ``args.vault``; ``overrides`` are dotted config keys."""
    return open_workspace(args.vault, overrides=overrides)


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
