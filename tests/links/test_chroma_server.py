"""The same links step against a real ``chroma run`` server on a free loopback port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.links.conftest import pending, run_links
from vaultcurator.links.index import LinkIndex, open_client
from vaultcurator.workspace import Workspace

pytestmark = pytest.mark.server
READY_WITHIN = 60.0


def _chroma_command() -> str | None:
    beside = Path(sys.executable).with_name("chroma")
    return str(beside) if beside.exists() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    for path in ("/api/v2/heartbeat", "/api/v1/heartbeat"):
        try:
            with urllib.request.urlopen(url + path, timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            continue
    return False


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    command = _chroma_command()
    if command is None:
        pytest.skip("the chroma console script is not installed")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "chroma.log").open("wb")
    process = subprocess.Popen(
        [
            command,
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--path",
            str(tmp_path / "server-data"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + READY_WITHIN
        while not _answers(url):
            if process.poll() is not None:
                pytest.fail(f"chroma run exited early: {(tmp_path / 'chroma.log').read_text()}")
            if time.monotonic() > deadline:
                pytest.fail("chroma run did not answer its heartbeat in time")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def test_fixture_vault_through_a_chroma_server(ws: Workspace, chroma_server: str) -> None:
    ws.settings.chroma.url = chroma_server
    ws.settings.links.threshold = 0.0
    report = run_links(ws, k=3)
    assert report.indexed > 0 and report.embedded == report.indexed
    assert not (ws.state_dir / "chroma").exists()  # nothing embedded locally

    index = LinkIndex(open_client(ws.state_dir, chroma_server), report.collection, 0)
    assert index.count() == report.indexed
    stored = index.vectors(["Programming/Rust/Rust.md"])
    hits = index.query(stored["Programming/Rust/Rust.md"].reshape(1, -1), 4)[0]
    assert hits[0][0] == "Programming/Rust/Rust.md" and hits[0][1] > 0.99
    assert len(hits) == 4
    assert pending(ws)

    again = run_links(ws, k=3)
    assert again.embedded == 0 and again.proposals == 0
