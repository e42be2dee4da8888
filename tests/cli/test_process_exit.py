"""A command's own process keeps a large result to its end instead of freeing it (the process
ends next); ``main(argv)`` (tests, embedding) keeps nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vaultcurator import cli

PROBE = """\
import gc, sys
from vaultcurator import cli
from vaultcurator.vault.model import Inventory
sys.argv = ["vaultcurator", "scan", sys.argv[1]]
code = cli.main()
kept = [x for x in cli._KEPT if isinstance(x, Inventory)]
print(code, len(kept), len(kept[0].notes) if kept else 0, gc.get_freeze_count() > 0)
"""


def _vault(root: Path) -> Path:
    (root / ".obsidian").mkdir(parents=True)
    for i in range(5):
        (root / f"n{i}.md").write_text(f"---\ntags: [t{i}]\n---\nbody\n", encoding="utf-8")
    return root


def test_a_command_process_keeps_the_scan_to_its_end_frozen(tmp_path: Path) -> None:
    vault = _vault(tmp_path / "vault")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(vault)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[-2] == "0 1 5 True"  # the last line, after the report
    assert "5 notes (5 ok, 0 invalid)" in done.stdout


def test_main_with_argv_keeps_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vault = _vault(tmp_path / "vault")
    assert cli.main(["scan", str(vault)]) == 0
    assert "5 notes" in capsys.readouterr().out
    assert cli._KEPT == []
