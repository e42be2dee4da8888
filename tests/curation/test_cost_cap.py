"""Issue 13 over the wire: count_tokens calibration and its cache, the spending cap
(refuse, stop mid-job with nothing lost, resume under a raised cap), the prompt version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.curation.conftest import db
from tests.fakes import Reply, default_responder
from tests.fakes.anthropic_server import FakeAnthropic
from vaultcurator.cli import main
from vaultcurator.curation.calibration import SAMPLE_REQUESTS, load_calibration
from vaultcurator.curation.prompts import prompt_version


def counts(fake: FakeAnthropic) -> int:
    return len(fake.requests_to("count_tokens"))


def test_estimate_calibrates_once_per_model_and_prompt_version(
    fake_anthropic: FakeAnthropic, make_vault, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = make_vault(30)
    assert main(["estimate", str(vault), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    # The prefix alone, then a sample of the job's own requests.
    assert counts(fake_anthropic) == 1 + SAMPLE_REQUESTS
    assert first["calibrated"] is True
    stored = load_calibration(vault, "claude-haiku-4-5", prompt_version(vault))
    assert stored is not None and stored.samples == SAMPLE_REQUESTS
    # The fake counts differently from the offline estimate: calibration moved the figure.
    assert abs(stored.prefix_scale - 1) > 0.02 or abs(stored.note_scale - 1) > 0.02

    assert main(["estimate", str(vault)]) == 0
    text = capsys.readouterr().out
    assert counts(fake_anthropic) == 1 + SAMPLE_REQUESTS  # cached: no new call
    assert "calibrated with the API's count_tokens" in text

    # Another model is another calibration.
    assert main(["estimate", str(vault), "--model", "claude-sonnet-4-5", "--json"]) == 0
    capsys.readouterr()
    assert counts(fake_anthropic) == 2 * (1 + SAMPLE_REQUESTS)


def test_estimate_offline_says_it_is_not_calibrated(
    make_vault, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = make_vault(5)  # no fake, no key: nothing may be sent
    assert main(["estimate", str(vault)]) == 0
    assert "estimated offline (not calibrated" in capsys.readouterr().out


def test_calibrated_estimate_matches_what_the_server_bills(
    fake_anthropic: FakeAnthropic, make_vault, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = make_vault(12)
    assert main(["estimate", str(vault), "--json"]) == 0
    predicted = json.loads(capsys.readouterr().out)["input_tokens"]
    assert main(["curate", str(vault), "--mode", "sync", "--no-links"]) == 0
    capsys.readouterr()
    with db(vault) as conn:
        billed = conn.execute("SELECT SUM(input_tokens) FROM requests").fetchone()[0]
    assert abs(predicted / billed - 1) < 0.05


def test_cap_refuses_a_job_estimated_over_it(
    fake_anthropic: FakeAnthropic, make_vault, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = make_vault(10)
    code = main(["curate", str(vault), "--mode", "sync", "--max-cost", "0.0001"])
    err = capsys.readouterr().err
    assert code == 2
    assert "over the spending cap $0.0001" in err and "Traceback" not in err
    assert fake_anthropic.requests_to("messages") == []
    with db(vault) as conn:
        assert conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 0


def test_cap_stops_mid_job_and_resume_goes_on_under_a_raised_cap(
    fake_anthropic: FakeAnthropic, make_vault, capsys: pytest.CaptureFixture[str]
) -> None:
    # Answers bill far more output than the estimate assumes, so the estimate passes the
    # cap and the tally reaches it part-way.
    def verbose(params: dict[str, Any]) -> Any:
        return Reply(default_responder(params), output_tokens=1000)

    fake_anthropic.responder = verbose
    vault = make_vault(12)
    code = main(["curate", str(vault), "--mode", "sync", "--no-links", "--max-cost", "0.02"])
    out = capsys.readouterr()
    assert code == 130, out
    assert "spending cap $0.0200 reached" in out.out + out.err
    sent = len(fake_anthropic.requests_to("messages"))
    assert 1 <= sent < 12
    with db(vault) as conn:
        done = conn.execute("SELECT COUNT(*) FROM proposals").fetchone()[0]
        spent = conn.execute(
            "SELECT SUM(input_tokens) * 1e-6 + SUM(output_tokens) * 5e-6 FROM requests"
        ).fetchone()[0]
        status = conn.execute("SELECT status FROM jobs").fetchone()[0]
    assert done == sent and status == "interrupted"
    one_answer = 1000 * 5e-6 + 1000 * 1e-6  # output billed, plus a generous input
    assert spent <= 0.02 + one_answer  # past the cap by at most the answer in flight

    assert main(["status", str(vault), "--json"]) == 0
    job = json.loads(capsys.readouterr().out)["jobs"][0]
    assert job["prompt_version"] == prompt_version(vault) and job["max_cost"] == 0.02

    # The user edits the prompt before going on: resume says which prompt the rest gets.
    override = vault / ".vaultcurator" / "prompts" / "user.md"
    override.parent.mkdir(parents=True)
    shipped = (Path(__file__).resolve().parents[2] / "prompts" / "user.md").read_text()
    override.write_text("Be brief.\n" + shipped, encoding="utf-8")
    assert main(["resume", str(vault), "--max-cost", "1"]) == 0
    err = capsys.readouterr().err
    assert f"prompt templates changed since job 1 started (prompt {job['prompt_version']})" in err
    with db(vault) as conn:
        assert conn.execute("SELECT COUNT(*) FROM proposals").fetchone()[0] == 12
    assert len(fake_anthropic.requests_to("messages")) == 12  # nothing sent twice


def test_cap_holds_in_real_time_with_calls_in_flight(
    fake_anthropic: FakeAnthropic, make_vault, capsys: pytest.CaptureFixture[str]
) -> None:
    def verbose(params: dict[str, Any]) -> Any:
        return Reply(default_responder(params), output_tokens=1000)

    fake_anthropic.responder = verbose
    vault = make_vault(15)
    code = main(
        [
            "curate",
            str(vault),
            "--mode",
            "realtime",
            "--concurrency",
            "3",
            "--no-links",
            "--max-cost",
            "0.03",
        ]
    )
    capsys.readouterr()
    assert code == 130
    with db(vault) as conn:
        finished = conn.execute(
            "SELECT COUNT(*) FROM requests WHERE status = 'succeeded'"
        ).fetchone()[0]
    assert finished == len(fake_anthropic.requests_to("messages")) < 15


def test_dry_run_sends_nothing_but_uses_a_stored_calibration(
    fake_anthropic: FakeAnthropic, make_vault, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = make_vault(4)
    assert main(["curate", str(vault), "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["estimate"]["calibrated"] is False
    assert fake_anthropic.requests == []
    assert main(["estimate", str(vault), "--no-calibrate", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calibrated"] is False
    assert fake_anthropic.requests == []
    assert main(["estimate", str(vault)]) == 0  # counts once, stores the ratios
    capsys.readouterr()
    calls = len(fake_anthropic.requests)
    assert main(["curate", str(vault), "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["estimate"]["calibrated"] is True
    assert len(fake_anthropic.requests) == calls


def tagged_vault(root: Path, count: int) -> Path:
    """Notes with a realistic taxonomy (area/topic tags, some deeper), enough to grow."""
    areas = ["programming", "cooking", "gardening", "finance", "reading", "health", "travel"]
    topics = ["python", "rust", "baking", "soups", "pests", "budget", "books", "running"]
    (root / ".obsidian").mkdir(parents=True)
    for i in range(count):
        area, topic = areas[i % 7], topics[(i * 3) % 8]
        tags = [f"{area}/{topic}", f"{area}/{topic}/t{i % 97}", topics[i % 8]]
        (root / f"{area} {topic} {i}.md").write_text(
            "---\ntags:\n" + "".join(f"  - {t}\n" for t in tags) + f"---\nNote {i} text.\n",
            encoding="utf-8",
        )
    return root


def cache_marks(fake: FakeAnthropic) -> set[bool]:
    return {
        "cache_control" in item["params"]["system"][0]
        for call in fake.requests_to("batches.create")
        for item in call.body["requests"]
    }


@pytest.mark.parametrize(("hit_rate", "cached"), [(None, False), ("0.99", True)])
def test_batch_caches_only_when_the_assumed_hit_rate_pays(
    fast_fake: FakeAnthropic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    hit_rate: str | None,
    cached: bool,
) -> None:
    if hit_rate is not None:
        monkeypatch.setenv("VAULTCURATOR_CURATION_BATCH_CACHE_HIT_RATE", hit_rate)
    vault = tagged_vault(tmp_path / "vault", 300)
    code = main(["curate", str(vault), "--mode", "batch", "--no-links", "--poll-interval", "0.01"])
    assert code == 0, capsys.readouterr()
    assert cache_marks(fast_fake) == {cached}


def test_dry_run_shows_the_cap_beside_the_estimate(
    make_vault, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = make_vault(5)
    assert main(["curate", str(vault), "--dry-run", "--max-cost", "0.00001"]) == 0
    assert "spending cap $0.0000 (OVER)" in capsys.readouterr().out
    assert main(["curate", str(vault), "--dry-run", "--max-cost", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["max_cost"] == 5.0
