"""Run the vaultcurator CLI with a checkpoint that kills the process at a named point.

``python -m tests.fakes.crash_cli EVENT:N ARGS...`` runs ``vaultcurator ARGS...`` and dies
with :data:`CRASH_EXIT_CODE` (``os._exit``, no cleanup, like kill -9) at the N-th time the
batch path reaches checkpoint EVENT (``batch_submitting``, ``batch_create_returned``,
``batch_created``). The checkpoint is injected into the runner the way a clock is; production
code reads no environment variable for it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

CRASH_EXIT_CODE = 86


def crash_at(spec: str) -> Callable[[str], None]:
    name, _, number = spec.partition(":")
    wanted = int(number or "1")
    seen = {"count": 0}

    def checkpoint(event: str) -> None:
        if event != name:
            return
        seen["count"] += 1
        if seen["count"] == wanted:
            os._exit(CRASH_EXIT_CODE)

    return checkpoint


def main() -> int:
    from vaultcurator.cli import main as cli_main
    from vaultcurator.pipeline.runner import JobRunner

    JobRunner.checkpoint = staticmethod(crash_at(sys.argv[1]))  # type: ignore[assignment]
    return cli_main(sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
