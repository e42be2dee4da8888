"""Command-line contract: exit codes, --dry-run, --engine local, cancel, unknown ids."""

from __future__ import annotations

import json
from pathlib import Path

import anthropic
import pytest

from tests.curation.conftest import FAST, db
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.crash_cli import CRASH_EXIT_CODE
from vaultcurator.cli import main
from vaultcurator.domain.jobs import JobOptions, MapEntry
from vaultcurator.domain.progress import ignore_progress
from vaultcurator.domain.requests import CurationAnswer, RequestOutcome
from vaultcurator.engines.anthropic_batch import BatchEngine, BatchOptions
from vaultcurator.pipeline.runner import JobRunner
from vaultcurator.store import jobs
from vaultcurator.store.ledger import JobLedger
from vaultcurator.workspace import open_workspace, scan


def test_no_api_key_exits_2_naming_the_variable_and_local(make_vault, capsys) -> None:
    vault = make_vault(3)
    assert main(["curate", str(vault)]) == 2
    err = capsys.readouterr().err
    assert "ANTHROPIC_API_KEY" in err and "--engine local" in err
    assert not (vault / ".vaultcurator" / "state.db").exists()  # checked before scanning


def test_dry_run_sends_nothing(fake_anthropic: FakeAnthropic, make_vault, capsys) -> None:
    vault = make_vault(30)
    code = main(["curate", str(vault), "--dry-run", "--batch-size", "7", "--json"])
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert fake_anthropic.requests == []
    assert document["requests"] == 30 and document["mode"] == "batch"
    assert [c["requests"] for c in document["chunks"]] == [7, 7, 7, 7, 2]
    assert document["sample"][0] == {
        "custom_id": "n000000_notes_note_0000",
        "path": "notes/note 0000.md",
    }
    assert document["estimate"]["notes"] == 30
    with db(vault) as conn:
        assert conn.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0
    assert main(["curate", str(vault), "--dry-run"]) == 0
    assert "nothing was sent" in capsys.readouterr().out


def test_local_engine_works_offline_and_applies_with_yes(make_vault, capsys) -> None:
    vault = make_vault(5)
    assert main(["curate", str(vault), "--engine", "local", "--yes", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["engine"] == "local" and report["proposals"] == 5
    assert report["cost"] is None and len(report["applied"]["applied"]) == 5
    with db(vault) as conn:
        assert {r[0] for r in conn.execute("SELECT engine FROM proposals")} == {"local"}
    # nothing left to do: a second run selects nothing and exits 0
    assert main(["curate", str(vault), "--engine", "local"]) == 0
    assert "Nothing to curate" in capsys.readouterr().out


def test_usage_errors_exit_2(fake_anthropic: FakeAnthropic, make_vault, capsys) -> None:
    vault = make_vault(2)
    assert main(["curate", str(vault), "--batch-size", "100001"]) == 2
    assert main(["curate", str(vault), "--limit", "-1"]) == 2
    assert main(["resume", str(vault)]) == 2  # no job to resume
    assert main(["cancel", str(vault)]) == 2
    assert "no unfinished curation job" in capsys.readouterr().err
    assert fake_anthropic.requests == []


def test_cancel_keeps_completed_results(fake_anthropic: FakeAnthropic, make_vault, capsys):
    import os
    import subprocess
    import sys

    fake_anthropic.batches_polls_to_end = 4  # 25% of the requests finish per poll
    vault = make_vault(40)
    env = {
        **os.environ,
        "ANTHROPIC_BASE_URL": fake_anthropic.base_url,
        "ANTHROPIC_API_KEY": "test-key",
    }
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tests.fakes.crash_cli", "batch_created:1"),
            *("curate", str(vault), "--mode", "batch", *FAST),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == CRASH_EXIT_CODE, done.stderr
    batch_id = fake_anthropic.batch_ids()[0]
    anthropic.Anthropic().messages.batches.retrieve(batch_id)  # one poll: 10 of 40 done

    assert main(["cancel", str(vault), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["canceled_batches"] == [batch_id] and report["still_canceling"] == []
    assert report["kept"] == 10 and report["not_done"] == 30
    assert len(fake_anthropic.requests_to("batches.cancel")) == 1
    with db(vault) as conn:
        assert conn.execute("SELECT status FROM jobs").fetchone()[0] == "canceled"
        assert conn.execute("SELECT count(*) FROM proposals").fetchone()[0] == 10
    assert main(["resume", str(vault)]) == 2  # a canceled job is over
    assert len(fake_anthropic.requests_to("batches.create")) == 1


def test_result_with_unknown_custom_id_is_rejected(
    fake_anthropic: FakeAnthropic, make_vault
) -> None:
    vault = make_vault(2)
    with open_workspace(vault) as ws:
        job = jobs.create_job(
            ws.store,
            engine="anthropic",
            mode="batch",
            model="claude-haiku-4-5",
            options=JobOptions(mode="batch"),
        )
        inventory = scan(ws)
        jobs.record_map(
            ws.store,
            job.id,
            [
                MapEntry(f"n{n.index:06d}_x", n.index, n.path, n.hash, list(n.tags), None)
                for n in inventory.notes
            ],
        )
        with pytest.raises(RuntimeError):  # the map is written once per job
            jobs.record_map(ws.store, job.id, [])
        runner = JobRunner(ws, job, inventory)
        ledger = JobLedger(ws.store, job, "anthropic", job.model)
        params = {
            "model": "claude-haiku-4-5",
            "max_tokens": 100,
            "messages": [{"role": "user", "content": "hello MARKER-intruder"}],
        }
        client = anthropic.Anthropic()
        created = client.messages.batches.create(
            requests=[
                {"custom_id": "n000000_x", "params": params},
                {"custom_id": "n999999_intruder", "params": params},
            ]
        )
        row = jobs.begin_batch(ws.store, job.id, 0, 0, ["n000000_x"])
        jobs.batch_created(ws.store, row.row, created.id, None)
        engine = BatchEngine(
            client,
            ledger,
            BatchOptions(poll_interval=0.01),
            parse=runner.parse,
            on_progress=ignore_progress,
        )
        engine.wait([jobs.get_batch(ws.store, row.row)])
        assert ledger.rejected == ["n999999_intruder"]
        # the known id was matched (its plain-text answer is invalid output, not applied)
        entry = jobs.lookup(ws.store, job.id, "n000000_x")
        assert entry is not None and entry.error_type == "invalid_output"
        assert (
            ledger.record(
                RequestOutcome("n000123_nobody", "succeeded", answer=CurationAnswer(["a"], "b"))
            )
            == "unknown"
        )
        assert ws.store.query("SELECT count(*) FROM proposals")[0][0] == 0


def test_a_second_curate_waits_for_the_unfinished_job(
    fake_anthropic: FakeAnthropic, make_vault, capsys
) -> None:
    vault = make_vault(3)
    with open_workspace(vault) as ws:
        jobs.create_job(ws.store, engine="anthropic", mode="batch", model="m", options=JobOptions())
    assert main(["curate", str(vault)]) == 2
    err = capsys.readouterr().err
    assert "unfinished" in err and "resume" in err and "cancel" in err
    assert fake_anthropic.requests == []
    assert main(["cancel", str(vault)]) == 0  # nothing was sent: dropping it is immediate
    assert main(["curate", str(vault), "--json"]) == 0
