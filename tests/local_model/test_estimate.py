"""``estimate --engine openai-compatible``: tokens and time from one calibration call."""

from __future__ import annotations

import json

import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.local_model.conftest import ENGINE
from tests.local_model.test_engine import free_port
from vaultcurator.cli import main


def test_estimate_times_one_real_request(fake: FakeOpenAI, make_vault, capsys) -> None:
    fake.hold = 0.2
    vault = make_vault(5)
    assert main(["estimate", str(vault), *ENGINE, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["engine"] == "openai-compatible" and doc["cost_usd"] == 0.0
    assert doc["notes"] == 5 and doc["input_tokens"] > 5 * doc["prefix_tokens"] > 0
    calibration = doc["calibration"]
    assert calibration["seconds"] >= 0.2
    assert doc["seconds_serial"] == pytest.approx(calibration["seconds"] * 5)
    assert doc["seconds_parallel"] == pytest.approx(doc["seconds_serial"] / 2)
    # One chat request: the real prompt of the median-sized note, nothing else was curated.
    assert len(fake.chat_requests) == 1
    user = fake.chat_requests[0].body["messages"][1]["content"]
    assert calibration["path"].removeprefix("notes/").removesuffix(".md") in user
    assert "proposals" not in doc


def test_estimate_without_a_server_still_counts_tokens(fake_openai, make_vault, capsys) -> None:
    vault = make_vault(3)
    url = f"http://127.0.0.1:{free_port()}/v1"
    assert main(["estimate", str(vault), *ENGINE, "--base-url", url]) == 0
    out = capsys.readouterr().out
    assert "3 notes to curate with llama3.2" in out
    assert "Input ≈" in out and "Cost: none" in out
    assert "Time: unknown (no OpenAI-compatible server answers at" in out


def test_estimate_no_calibrate_sends_nothing(fake: FakeOpenAI, make_vault, capsys) -> None:
    vault = make_vault(3)
    assert main(["estimate", str(vault), *ENGINE, "--no-calibrate"]) == 0
    assert "Time: unknown (no calibration call (--no-calibrate))" in capsys.readouterr().out
    assert fake.requests == []
