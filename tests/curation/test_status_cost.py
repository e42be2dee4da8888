"""``status`` reports each Claude job's actual cost, the standard-API price and the saving."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.curation.conftest import FAST
from tests.fakes.anthropic_server import FakeAnthropic
from vaultcurator.cli import main


def _status(vault: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["status", str(vault), "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_batch_job_costs_half_and_status_shows_the_saving(
    fast_fake: FakeAnthropic, make_vault: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    vault = make_vault(30)
    assert main(["curate", str(vault), "--mode", "batch", "--no-links", *FAST]) == 0
    job = _status(vault, capsys)["jobs"][0]  # type: ignore[index]
    cost = job["cost"]
    assert cost["requests"] == 30
    assert cost["input_tokens"] > 0 and cost["output_tokens"] > 0
    assert cost["actual_usd"] > 0
    assert cost["standard_usd"] == pytest.approx(2 * cost["actual_usd"], rel=1e-6)
    assert cost["savings_usd"] == pytest.approx(cost["actual_usd"], rel=1e-6)
    assert main(["status", str(vault)]) == 0
    text = capsys.readouterr().out
    assert f"cost ${cost['actual_usd']:.4f}" in text and "saved $" in text


def test_realtime_job_saves_nothing_and_local_jobs_have_no_cost(
    fast_fake: FakeAnthropic, make_vault: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    vault = make_vault(3)
    assert main(["curate", str(vault), "--mode", "realtime", "--no-links"]) == 0
    cost = _status(vault, capsys)["jobs"][0]["cost"]  # type: ignore[index]
    assert cost["actual_usd"] > 0
    assert cost["standard_usd"] == pytest.approx(cost["actual_usd"])
    assert cost["savings_usd"] == pytest.approx(0.0)
    (vault / "notes" / "new.md").write_text("# New\n\nFresh text.\n", encoding="utf-8")
    assert main(["curate", str(vault), "--engine", "local", "--no-links"]) == 0
    jobs = _status(vault, capsys)["jobs"]
    assert jobs[0]["engine"] == "local" and jobs[0]["cost"] is None  # type: ignore[index]
