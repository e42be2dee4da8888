"""Command-line entry point.

Each command lives in its own ``cmd_<name>.py`` module exposing ``NAME``, ``HELP``,
``ORDER``, ``register(parser)`` and ``run(args) -> int``; they are discovered here, so adding
a command never means editing this file. Commands stay thin: parse, call the core, print.
"""

from __future__ import annotations

import argparse
import ast
import gc
import importlib
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command as ``--help`` lists it, read from its module's source without importing it."""

    name: str
    help: str
    order: int
    description: str
    module: str


_SPEC_FIELDS = {"NAME": "name", "HELP": "help", "ORDER": "order", "DESCRIPTION": "description"}


_SPEC_ASSIGN = re.compile(r"^(NAME|HELP|ORDER|DESCRIPTION) = ", re.MULTILINE)
_NOT_LITERAL = object()


def _literal_at(source: str, start: int) -> object:
    """The literal that starts at ``start`` and ends at some line end: only that expression
    is parsed (parsing whole modules cost --help tens of milliseconds)."""
    end = source.find("\n", start)
    while end != -1:
        try:
            return ast.literal_eval(source[start:end].strip())
        except (SyntaxError, ValueError):
            end = source.find("\n", end + 1)  # a string or call spanning lines: read on
    return _NOT_LITERAL


def _spec_from_source(module: str, source: str) -> CommandSpec | None:
    """The command's literal ``NAME``/``HELP``/``ORDER``/``DESCRIPTION``; None when one is not
    a plain literal (the caller then imports the module)."""
    values: dict[str, object] = {}
    for match in _SPEC_ASSIGN.finditer(source):
        value = _literal_at(source, match.end())
        if value is _NOT_LITERAL:
            return None
        values[_SPEC_FIELDS[match.group(1)]] = value
    if not isinstance(values.get("name"), str) or not isinstance(values.get("help"), str):
        return None
    return CommandSpec(
        name=str(values["name"]),
        help=str(values["help"]),
        order=int(str(values.get("order", 100))),
        description=str(values.get("description", values["help"])),
        module=module,
    )


def command_specs() -> list[CommandSpec]:
    """Every ``cmd_*`` module as a :class:`CommandSpec`, in ``ORDER``.

    Discovery reads the modules' source instead of importing them, so ``--help`` and a
    command's start pay only for the one command that runs (the core, the SDK, Chroma and
    Textual load inside the commands that use them).
    """
    folder = Path(__file__).parent
    sources: dict[str, Path | None] = {path.stem: path for path in folder.glob("cmd_*.py")}
    if not sources:  # not a plain folder of sources (a zip): list the modules the slow way
        import pkgutil

        sources = {i.name: None for i in pkgutil.iter_modules([str(folder)])}
    specs = []
    for stem, path in sorted(sources.items()):
        if not stem.startswith("cmd_"):
            continue
        name = f"{__name__}.{stem}"
        parsed = None
        if path is not None:
            parsed = _spec_from_source(name, path.read_text(encoding="utf-8"))
        if parsed is None:  # not plain literals: ask the module itself
            mod = importlib.import_module(name)
            parsed = CommandSpec(
                mod.NAME,
                mod.HELP,
                getattr(mod, "ORDER", 100),
                getattr(mod, "DESCRIPTION", mod.HELP),
                name,
            )
        specs.append(parsed)
    return sorted(specs, key=lambda c: (c.order, c.name))


def _command_modules() -> list[ModuleType]:
    return [importlib.import_module(spec.module) for spec in command_specs()]


def build_parser(
    only: str | None = "*", specs: Sequence[CommandSpec] | None = None
) -> argparse.ArgumentParser:
    """The argument parser; ``only`` names the one command whose module is imported to
    register its options (``"*"``: every command, None: none, enough for ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="vaultcurator",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vaultcurator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for spec in command_specs() if specs is None else specs:
        command = sub.add_parser(
            spec.name,
            help=spec.help,
            description=spec.description,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if only in ("*", spec.name):
            module = importlib.import_module(spec.module)
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


def did_you_mean(word: str, commands: Iterable[str]) -> str | None:
    """The command ``word`` was probably meant to be, when it is no path (``curat``)."""
    if word.startswith("-") or word in commands or Path(word).exists():
        return None
    import difflib  # only for a word that is neither a command nor a path

    close = difflib.get_close_matches(word, sorted(commands), n=1, cutoff=0.6)
    return close[0] if close else None


_KEPT: list[object] = []
"""Results kept to the end of a command's own process (see :func:`keep_until_exit`)."""


def keep_until_exit(result: object) -> None:
    """In a command's own process (``main`` read ``sys.argv``), keep ``result`` alive to the
    end instead of freeing it when the command returns: the process ends right after, and
    freeing a large result (a scan's 10,000 notes) or a GC pass over it cost ~20 ms. Only
    for plain data (nothing to close or flush). It is frozen (``gc.freeze``) and held by a
    list that holds itself, so neither the collector nor the interpreter's teardown frees
    it; the OS takes the memory back. Elsewhere (``main(argv)``: tests) nothing happens."""
    if _KEPT:  # main put the list in itself: a command's own process
        _KEPT.append(result)
        gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None and not _KEPT:
        _KEPT.append(_KEPT)
    specs = command_specs()
    commands = {spec.name for spec in specs}
    given = list(sys.argv[1:] if argv is None else argv)
    if given and (guess := did_you_mean(given[0], commands)) is not None:
        print(
            f"vaultcurator: error: unknown command {given[0]!r}; did you mean {guess!r}? "
            "(vaultcurator --help lists the commands)",
            file=sys.stderr,
        )
        return 2
    args_list = _default_to_review(given, commands)
    chosen = args_list[0] if args_list and args_list[0] in commands else None
    parser = build_parser(chosen, specs)
    args = parser.parse_args(args_list)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return _run(args)
    finally:
        if argv is None:  # the process ends next: its last full GC pass would walk every
            gc.freeze()  # object still alive for nothing (~20 ms after a large scan)


def _run(args: argparse.Namespace) -> int:
    """Run the command; every failure ends as one line on stderr and a documented exit status
    (README, "Exit status"): no traceback unless ``VAULTCURATOR_DEBUG=1``."""
    from vaultcurator.cli.common import (
        EXIT_BROKEN_PIPE,
        debug_requested,
        describe_failure,
        silence_stdout,
    )

    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit flush
        return code
    except BrokenPipeError:
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except VaultCuratorError as exc:
        from vaultcurator.domain.secrets import scrub

        print(f"vaultcurator: error: {scrub(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("vaultcurator: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug_requested():
            raise
        message, code = describe_failure(exc, getattr(args, "vault", None))
        print(f"vaultcurator: error: {message}", file=sys.stderr)
        return code
