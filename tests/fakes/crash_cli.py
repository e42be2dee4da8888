"""Run the vaultcurator CLI with a checkpoint that kills the process at a named point.

``python -m tests.fakes.crash_cli EVENT:N ARGS...`` runs ``vaultcurator ARGS...`` and dies
with :data:`CRASH_EXIT_CODE` (``os._exit``, no cleanup, like kill -9) at the N-th time the
batch path reaches checkpoint EVENT (``batch_submitting``, ``batch_create_returned``,
``batch_created``). The checkpoint is injected into the runner the way a clock is; production
code reads no environment variable for it.

Write-path events (apply and undo), ``EVENT:N[:CHUNK]`` (CHUNK: notes per group commit):

- ``note_swapped:N`` dies right after the N-th note was swapped in (before its outcome,
  journal confirmation or proposal state is stored): kill -9 mid-write.
- ``pause_before_note:N`` prints ``PAUSED`` on stderr before the N-th note's swap and sleeps,
  so a test can deliver a real SIGINT (or SIGKILL) to the process at that exact point.
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


WRITE_EVENTS = ("note_swapped", "pause_before_note")


def hook_write_path(spec: str) -> None:
    """Install a write-path event (see the module docstring) by wrapping the swap."""
    import contextlib
    import time
    from collections.abc import Iterator

    from vaultcurator.review import apply, undo
    from vaultcurator.vault import atomic, edit, swap

    name, _, rest = spec.partition(":")
    number, _, chunk = rest.partition(":")
    wanted = int(number or "1")
    if chunk:
        apply.APPLY_CHUNK = undo.UNDO_CHUNK = int(chunk)
    seen = {"count": 0}
    if name == "note_swapped":
        real_swap = swap.swap_in

        def swap_then_die(*args: object) -> None:
            real_swap(*args)  # type: ignore[arg-type]
            seen["count"] += 1
            if seen["count"] == wanted:
                os._exit(CRASH_EXIT_CODE)

        setattr(atomic, "swap_in", swap_then_die)  # noqa: B010 - not exported, still patched
        return
    real_held = swap.interrupts_held

    @contextlib.contextmanager
    def pause_then_hold() -> Iterator[None]:
        seen["count"] += 1
        if seen["count"] == wanted:
            print("PAUSED", file=sys.stderr, flush=True)
            time.sleep(120)
        with real_held():
            yield

    setattr(edit, "interrupts_held", pause_then_hold)  # noqa: B010


def main() -> int:
    from vaultcurator.cli import main as cli_main
    from vaultcurator.pipeline.runner import JobRunner

    if sys.argv[1].partition(":")[0] in WRITE_EVENTS:
        hook_write_path(sys.argv[1])
    else:
        JobRunner.checkpoint = staticmethod(crash_at(sys.argv[1]))  # type: ignore[assignment]
    return cli_main(sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
