"""Command-line entry point.

Each command lives in its own ``cmd_<name>.py`` module exposing ``NAME``, ``HELP``,
``ORDER``, ``register(parser)`` and ``run(args) -> int``; they are discovered here, so adding
a command never means editing this file. Commands stay thin: parse, call the core, print.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from vaultcurator import __version__
from vaultcurator.errors import VaultCuratorError

DESCRIPTION = """\
Curate an Obsidian vault with Claude: hierarchical tags, one-line descriptions and
related-note links, proposed as diffs you review before anything is written.

Typical use:
  vaultcurator scan VAULT                 see what is there
  vaultcurator curate VAULT               propose tags/descriptions/links (Claude)
  vaultcurator curate VAULT --engine local   the same, offline
  vaultcurator review VAULT               review the proposals in the terminal UI
  vaultcurator VAULT                      same as review
"""


def _command_modules() -> list[ModuleType]:
    package = sys.modules[__name__]
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("cmd_")
    ]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.NAME))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vaultcurator",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vaultcurator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        command = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.register(command)
        command.set_defaults(func=module.run)
    return parser


def _default_to_review(argv: list[str], commands: set[str]) -> list[str]:
    """``vaultcurator VAULT`` and a bare ``vaultcurator`` inside a vault open the review UI."""
    if not argv:
        if (Path.cwd() / ".obsidian").is_dir() and "review" in commands:
            return ["review", "."]
        return argv
    first = argv[0]
    if first not in commands and not first.startswith("-") and "review" in commands:
        return ["review", *argv]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    commands = {module.NAME for module in _command_modules()}
    args_list = _default_to_review(list(sys.argv[1:] if argv is None else argv), commands)
    args = parser.parse_args(args_list)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except VaultCuratorError as exc:
        print(f"vaultcurator: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("vaultcurator: interrupted", file=sys.stderr)
        return 130
