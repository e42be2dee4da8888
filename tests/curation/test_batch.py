"""Batch engine end to end: the real SDK against the fake server, through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anthropic
import pytest

from tests.curation.conftest import FAST, db, marker
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.crash_cli import CRASH_EXIT_CODE
from vaultcurator.cli import main

REPO = Path(__file__).resolve().parents[2]


def proposals_by_path(vault: Path) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    with db(vault) as conn:
        for row in conn.execute("SELECT * FROM proposals WHERE state != 'superseded'"):
            out.setdefault(row["path"], []).append(dict(row))
    return out


def note_number(path: str) -> int:
    return int(path.rsplit(" ", 1)[1].removesuffix(".md"))


def assert_each_note_got_its_own_answer(vault: Path, count: int) -> None:
    found = proposals_by_path(vault)
    assert len(found) == count
    for path, rows in found.items():
        assert len(rows) == 1, path
        own = marker(note_number(path))
        assert own in str(rows[0]["new_description"]), (path, rows[0]["new_description"])
        assert own.lower() in str(rows[0]["new_tags_json"]), (path, rows[0]["new_tags_json"])


def creates(fake: FakeAnthropic) -> int:
    return len([r for r in fake.requests_to("batches.create") if r.status == 200])


def test_shuffled_results_of_three_batches_land_on_their_own_notes(
    fast_fake: FakeAnthropic, make_vault, capsys
) -> None:
    fast_fake.shuffle_results = True
    vault = make_vault(250)
    code = main(["curate", str(vault), "--batch-size", "100", *FAST])
    assert code == 0, capsys.readouterr()
    sizes = sorted(len(r.body["requests"]) for r in fast_fake.requests_to("batches.create"))
    assert sizes == [50, 100, 100]
    assert fast_fake.requests_to("messages") == []
    # the shuffle is real: result lines come back out of request order
    client = anthropic.Anthropic()
    for batch_id, create in zip(
        fast_fake.batch_ids(), fast_fake.requests_to("batches.create"), strict=True
    ):
        returned = [line.custom_id for line in client.messages.batches.results(batch_id)]
        asked = [r["custom_id"] for r in create.body["requests"]]
        assert sorted(returned) == sorted(asked) and returned != asked
    assert_each_note_got_its_own_answer(vault, 250)


def run_cli(vault: Path, fake: FakeAnthropic, *args: str, crash: str | None = None):
    env = {**os.environ, "ANTHROPIC_BASE_URL": fake.base_url, "ANTHROPIC_API_KEY": "test-key"}
    launcher = ["-m", "tests.fakes.crash_cli", crash] if crash else ["-m", "vaultcurator"]
    return subprocess.run(
        [sys.executable, *launcher, "curate", str(vault), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_killed_after_first_batch_resume_finishes_without_duplicates(
    fast_fake: FakeAnthropic, make_vault, capsys
) -> None:
    vault = make_vault(250)
    done = run_cli(vault, fast_fake, "--batch-size", "100", "--yes", *FAST, crash="batch_created:1")
    assert done.returncode == CRASH_EXIT_CODE, done.stderr
    assert creates(fast_fake) == 1
    with db(vault) as conn:
        rows = conn.execute("SELECT batch_id, state FROM batches").fetchall()
        assert [(r["state"]) for r in rows] == ["in_progress"]
        assert rows[0]["batch_id"] == fast_fake.batch_ids()[0]
        assert conn.execute("SELECT count(*) FROM requests").fetchone()[0] == 250

    code = main(["resume", str(vault), *FAST])
    assert code == 0, capsys.readouterr()
    assert creates(fast_fake) == 3  # one per chunk, the first never created again
    sent = [
        r["custom_id"] for c in fast_fake.requests_to("batches.create") for r in c.body["requests"]
    ]
    assert len(sent) == len(set(sent)) == 250
    assert_each_note_got_its_own_answer(vault, 250)
    with db(vault) as conn:  # --yes survived the crash: every note applied exactly once
        writes = conn.execute("SELECT path, count(*) AS n FROM journal GROUP BY path").fetchall()
    assert len(writes) == 250 and {w["n"] for w in writes} == {1}
    text = (vault / "notes" / "note 0007.md").read_text(encoding="utf-8")
    assert marker(7) in text and "created: 2024-01-01" in text


@pytest.mark.parametrize("ended", [False, True], ids=["still-running", "ended"])
def test_chunk_stuck_in_submitting_is_matched_not_resubmitted(
    fast_fake: FakeAnthropic, make_vault, capsys, ended: bool
) -> None:
    vault = make_vault(30)
    done = run_cli(vault, fast_fake, "--mode", "batch", *FAST, crash="batch_create_returned:1")
    assert done.returncode == CRASH_EXIT_CODE, done.stderr
    with db(vault) as conn:
        row = conn.execute("SELECT batch_id, state FROM batches").fetchone()
    assert (row["batch_id"], row["state"]) == (None, "submitting")
    assert creates(fast_fake) == 1
    if ended:
        fast_fake.force_end(fast_fake.batch_ids()[0])

    assert main(["resume", str(vault), *FAST]) == 0, capsys.readouterr()
    assert creates(fast_fake) == 1
    assert fast_fake.requests_to("batches.list")
    assert_each_note_got_its_own_answer(vault, 30)
    with db(vault) as conn:
        row = conn.execute("SELECT batch_id, state FROM batches").fetchone()
    assert (row["batch_id"], row["state"]) == (fast_fake.batch_ids()[0], "fetched")


def test_chunk_never_created_is_sent_once_on_resume(
    fast_fake: FakeAnthropic, make_vault, capsys
) -> None:
    vault = make_vault(30)
    done = run_cli(vault, fast_fake, "--mode", "batch", *FAST, crash="batch_submitting:1")
    assert done.returncode == CRASH_EXIT_CODE, done.stderr
    assert creates(fast_fake) == 0
    assert main(["resume", str(vault), *FAST]) == 0, capsys.readouterr()
    assert creates(fast_fake) == 1
    assert_each_note_got_its_own_answer(vault, 30)


def test_errored_and_expired_lines_are_retried_invalid_request_is_not(
    fast_fake: FakeAnthropic, make_vault, capsys
) -> None:
    vault = make_vault(40)
    overloaded = ["n000001_notes_note_0001", "n000002_notes_note_0002"]
    expired = ["n000003_notes_note_0003", "n000004_notes_note_0004"]
    refused = "n000005_notes_note_0005"
    fast_fake.faults.result_for(overloaded, "errored", error_type="overloaded_error", times=2)
    fast_fake.faults.result_for(expired, "expired", times=2)
    fast_fake.faults.result_for(refused, "errored", error_type="invalid_request_error")
    fast_fake.faults.fail_next("messages", 529, retry_after=0.01)  # the retry meets a 529 too

    code = main(["curate", str(vault), "--json", *FAST])
    out = capsys.readouterr().out
    assert code == 1, out
    report = json.loads(out)
    assert [f["path"] for f in report["failures"]] == ["notes/note 0005.md"]
    assert report["failures"][0]["error_type"] == "invalid_request_error"
    assert report["failures"][0]["attempts"] == 1
    assert report["proposals"] == 39
    assert report["modes_used"] == ["batch", "realtime"]
    # 4 retried in real time (one 529 answered first and retried), the refused one never
    sent = [r.body["messages"][0]["content"] for r in fast_fake.requests_to("messages")]
    assert len(sent) == 5
    assert not any(marker(5) in text for text in sent)
    with db(vault) as conn:
        attempts = dict(conn.execute("SELECT custom_id, attempts FROM requests").fetchall())
    assert all(attempts[c] == 2 for c in overloaded + expired)
    assert "note 0005.md" in str(report["failures"])


def test_deadline_cancels_slow_batch_and_finishes_in_real_time(
    fake_anthropic: FakeAnthropic, make_vault, capsys
) -> None:
    fake_anthropic.batches_polls_to_end = 150  # each poll completes a few requests
    vault = make_vault(40)
    code = main(
        [
            "curate",
            str(vault),
            "--mode",
            "batch",
            "--deadline",
            "0.01",
            "--poll-interval",
            "0.01",
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert len(fake_anthropic.requests_to("batches.cancel")) == 1
    with db(vault) as conn:
        via_batch = conn.execute(
            "SELECT count(*) FROM requests WHERE status = 'succeeded' AND via_batch = 1"
        ).fetchone()[0]
    realtime = len(fake_anthropic.requests_to("messages"))
    assert realtime >= 1 and via_batch + realtime == 40  # nothing finished was asked again
    assert_each_note_got_its_own_answer(vault, 40)


def test_failed_create_is_reconciled_before_it_is_sent_again(
    fast_fake: FakeAnthropic, make_vault, capsys
) -> None:
    fast_fake.faults.fail_next("batches.create", 500)  # ambiguous: maybe created
    fast_fake.faults.fail_next("batches.create", 529, retry_after=0.01)  # surely not
    fast_fake.faults.disconnect_next("batches.create")  # the answer is lost
    vault = make_vault(25)
    assert main(["curate", str(vault), *FAST]) == 0, capsys.readouterr()
    statuses = [r.status for r in fast_fake.requests_to("batches.create")]
    assert statuses == [500, 529, 0, 200]
    assert len(fast_fake.requests_to("batches.list")) == 2  # after the 500 and the drop
    assert len(fast_fake.batch_ids()) == 1
    assert_each_note_got_its_own_answer(vault, 25)
