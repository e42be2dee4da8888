"""``vaultcurator reset-store VAULT``: move an unusable state store aside (only when asked)."""

from __future__ import annotations

import argparse
import errno
import time

from vaultcurator.cli.common import add_vault_argument

NAME = "reset-store"
HELP = "move a damaged or empty state store aside so the next command starts a new one"
ORDER = 95
DESCRIPTION = """\
Move VAULT/.vaultcurator/state.db (with its -wal and -shm files) aside to
state.db.broken-<time>, so the next command starts an empty store. Use it when a command
reports the store as damaged or empty; nothing is ever moved without this command. A healthy
store is left alone unless you add --force (its proposals, jobs and undo history then stay only
in the moved file). The vault's notes are never touched.
"""


def register(parser: argparse.ArgumentParser) -> None:
    add_vault_argument(parser)
    parser.add_argument(
        "--force",
        action="store_true",
        help="move the store aside even when it looks healthy",
    )


def run(args: argparse.Namespace) -> int:
    from vaultcurator.config import vault_state_dir
    from vaultcurator.errors import UsageError
    from vaultcurator.store.db import DB_FILE_NAME, read_only_error, store_problem
    from vaultcurator.workspace import resolve_vault

    root = resolve_vault(args.vault)
    path = vault_state_dir(root) / DB_FILE_NAME
    if not path.exists():
        print(f"No state store at {path}; nothing to move.")
        return 0
    problem = store_problem(path)
    if problem is None and not args.force:
        raise UsageError(
            f"the state store {path} is healthy; nothing moved (add --force to move it aside "
            "anyway: its proposals, jobs and undo history would stay only in the moved file)"
        )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    try:
        for suffix in ("-wal", "-shm", ""):  # the database last: its WAL must follow it
            part = path.with_name(path.name + suffix)
            if part.exists():
                part.rename(target.with_name(target.name + suffix))
    except PermissionError:
        raise read_only_error(path) from None
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES):
            raise read_only_error(path) from None
        raise
    why = problem or "moved on request (--force)"
    print(f"Moved the state store aside ({why}): {path} -> {target}")
    print("The next command starts a new, empty store.")
    return 0
