"""Cancel and resume of openai-compatible jobs, like realtime ones: finished answers are kept,
nothing answered is sent again, and resume asks the server the job was started with."""

from __future__ import annotations

import json
import signal
from typing import Any

from tests.curation.conftest import marker
from tests.fakes.openai_server import FakeOpenAI, default_responder
from tests.local_model.conftest import ENGINE, rows
from tests.local_model.test_engine import assert_routed, chat_markers
from vaultcurator.cli import main
from vaultcurator.domain.progress import NoteDone, ProgressEvent
from vaultcurator.pipeline.run import CurateOptions, run_curation
from vaultcurator.workspace import open_workspace


def test_cancel_from_another_terminal_stops_the_run_and_keeps_answers(
    fake: FakeOpenAI, make_vault, capsys
) -> None:
    vault = make_vault(8)
    answered = [0]

    def cancel_on_third(body: dict[str, Any]) -> str:
        answered[0] += 1
        if answered[0] == 3:  # `vaultcurator cancel` runs while this answer is in flight
            assert main(["cancel", str(vault), "--json"]) == 0
        return default_responder(body)

    fake.responder = cancel_on_third
    code = main(["curate", str(vault), *ENGINE, "--concurrency", "1", "--no-links"])
    out = capsys.readouterr().out
    assert code == 1, out
    # No request was sent after the cancel; the one in flight was kept.
    assert len(fake.chat_requests) == 3
    job = rows(vault, "SELECT status FROM jobs")[0]
    assert job["status"] == "canceled"
    proposals = rows(vault, "SELECT path FROM proposals")
    assert len(proposals) == 3
    states = rows(vault, "SELECT status, error_type FROM requests ORDER BY custom_id")
    assert [s["status"] for s in states] == ["succeeded"] * 3 + ["failed"] * 5
    assert {s["error_type"] for s in states[3:]} == {"canceled"}


def test_resume_after_the_server_went_away_sends_only_the_rest(
    fake: FakeOpenAI, make_vault, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("VAULTCURATOR_OPENAI_ATTEMPTS", "2")
    vault = make_vault(6)
    answered = [0]

    def vanish_after_three(body: dict[str, Any]) -> str:
        answered[0] += 1
        if answered[0] == 3:
            fake.disconnect_next(times=1000)  # the server "stops" after this answer
        return default_responder(body)

    fake.responder = vanish_after_three
    code = main(["curate", str(vault), *ENGINE, "--concurrency", "1", "--no-links"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no OpenAI-compatible server answers at" in err.splitlines()[-1]
    job = rows(vault, "SELECT status, options_json FROM jobs")[0]
    assert job["status"] == "interrupted"
    assert len(rows(vault, "SELECT id FROM proposals")) == 3

    # The server is back; the environment no longer names it: resume uses the job's own URL.
    fake.faults.clear()
    fake.responder = default_responder
    monkeypatch.delenv("VAULTCURATOR_OPENAI_BASE_URL")
    assert json.loads(job["options_json"])["base_url"] == fake.base_url
    code = main(["resume", str(vault)])
    assert code == 0, capsys.readouterr()
    assert_routed(vault, 6)
    answers = chat_markers(fake)
    assert sorted(answers) == sorted(marker(i) for i in range(6))  # each note answered once
    assert rows(vault, "SELECT status FROM jobs")[0]["status"] == "done"


def test_ctrl_c_keeps_finished_answers_and_resume_asks_only_the_rest(
    fake: FakeOpenAI, make_vault, capsys
) -> None:
    vault = make_vault(8)
    finished: list[str] = []

    def progress(event: ProgressEvent) -> None:
        if isinstance(event, NoteDone):
            finished.append(event.custom_id)
            if len(finished) == 3:
                signal.raise_signal(signal.SIGINT)  # what Ctrl-C does

    overrides = {"curation.engine": "openai-compatible", "openai.concurrency": 2}
    with open_workspace(vault, overrides=overrides) as ws:
        report = run_curation(ws, CurateOptions(links=False), progress)
    assert report.status == "interrupted" and report.exit_code == 130
    kept = len(rows(vault, "SELECT id FROM proposals"))
    asked_before = len(chat_markers(fake))
    assert 3 <= kept < 8 and asked_before < 8  # nothing new was started after Ctrl-C

    assert main(["resume", str(vault)]) == 0, capsys.readouterr()
    assert_routed(vault, 8)
    # Answers kept before the interrupt were not asked again (an answer that was in flight
    # at Ctrl-C is the only one that may be asked twice).
    again = len(chat_markers(fake)) - asked_before
    assert 8 - asked_before <= again <= 8 - kept
