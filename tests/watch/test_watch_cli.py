"""``vaultcurator watch`` as a user runs it: a real process, real events, Ctrl-C to stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


def test_watch_command_curates_a_saved_note_and_stops_on_ctrl_c(vault_copy: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vaultcurator",
            "watch",
            str(vault_copy),
            "--engine",
            "local",
            "--debounce",
            "0.3",
            "--no-links",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: list[str] = []
    errors: list[str] = []
    readers = [
        threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, ""))),  # type: ignore[union-attr]
        threading.Thread(target=lambda: errors.extend(iter(proc.stderr.readline, ""))),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any(line.startswith("watching") for line in errors):
            assert time.monotonic() < deadline and proc.poll() is None, errors
            time.sleep(0.1)
        note = vault_copy / "Cooking" / "New Soup.md"
        note.parent.mkdir(exist_ok=True)
        note.write_text("# New soup\n\nA quick miso soup with tofu and wakame.\n", encoding="utf-8")
        while not any("curated" in line for line in lines):
            assert time.monotonic() < deadline, (lines, proc.poll())
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=20)
        for reader in readers:
            reader.join(timeout=5)
    assert code == 0
    assert any("Cooking/New Soup.md" in line and "waiting for review" in line for line in lines)
    assert note.read_text(encoding="utf-8").startswith("# New soup")  # not written
