"""Hostile batch results, from the repo's wire-protocol fake through the real SDK over HTTP.

A result line is accepted only from the batch its request was submitted in, and an id with
several lines in one results file is ambiguous: no copy is used, the request is retried and
the rejection reported. Either way every note ends with its own genuine answer.
"""

from __future__ import annotations

import anthropic

from tests.curation.conftest import FAST, db
from tests.curation.test_batch import assert_each_note_got_its_own_answer
from tests.fakes.anthropic_server import FakeAnthropic
from vaultcurator.cli import main


def test_the_fake_serves_a_wrong_copy_first_for_duplicated_ids(fast_fake: FakeAnthropic) -> None:
    """The fault mode itself: two lines for the id, the first carrying another request's
    answer, the same file on every read (results are immutable)."""
    fast_fake.faults.duplicate_result("b")
    client = anthropic.Anthropic()
    params = {"model": "claude-haiku-4-5", "max_tokens": 50}
    batch = client.messages.batches.create(
        requests=[
            {"custom_id": cid, "params": {**params, "messages": [{"role": "user", "content": cid}]}}
            for cid in ("a", "b", "c")
        ]  # type: ignore[misc]
    )
    client.messages.batches.retrieve(batch.id)
    first = [(x.custom_id, x.model_dump_json()) for x in client.messages.batches.results(batch.id)]
    again = [(x.custom_id, x.model_dump_json()) for x in client.messages.batches.results(batch.id)]
    assert first == again
    ids = [cid for cid, _ in first]
    assert ids == ["a", "b", "b", "c"]
    assert first[1][1].replace('"b"', "") == first[3][1].replace('"c"', "")  # c's answer
    assert first[1][1] != first[2][1]


def test_duplicate_lines_are_never_first_wins(fast_fake: FakeAnthropic, make_vault, capsys) -> None:
    vault = make_vault(120)
    doubled = {f"n{i:06d}" for i in (3, 47, 90, 118)}
    fast_fake.faults.duplicate_result(lambda cid: cid.split("_")[0] in doubled, times=4)
    code = main(["curate", str(vault), "--batch-size", "40", *FAST])
    out = capsys.readouterr()
    assert code == 0, out
    assert_each_note_got_its_own_answer(vault, 120)
    notices = " ".join(out.err.split())  # the progress display may wrap lines
    assert notices.count("2 result lines for") == 4
    assert notices.count("the request will be sent again") == 4
    assert "Rejected 4 results" in out.out
    with db(vault) as conn:
        rows = conn.execute("SELECT custom_id, status, attempts FROM requests").fetchall()
    again = {r["custom_id"].split("_")[0] for r in rows if r["attempts"] > 1}
    assert again == doubled  # exactly the ambiguous ones were sent a second time
    assert {r["status"] for r in rows} == {"succeeded"}


def test_a_line_for_another_batchs_request_is_rejected(
    fast_fake: FakeAnthropic, make_vault, capsys
) -> None:
    """The first batch's results claim a request of the last batch with a wrong answer; the
    claimed note still gets the answer from the batch it went into."""
    vault = make_vault(120)
    fast_fake.faults.foreign_result(times=3)
    code = main(["curate", str(vault), "--batch-size", "40", *FAST])
    out = capsys.readouterr()
    assert code == 0, out
    assert len(fast_fake.batch_ids()) == 3
    assert_each_note_got_its_own_answer(vault, 120)
    assert " ".join(out.err.split()).count("result for another batch's custom_id") == 3
    assert "Rejected 3 results" in out.out
    with db(vault) as conn:
        sent_twice = conn.execute("SELECT count(*) FROM requests WHERE attempts > 1").fetchone()
    assert sent_twice[0] == 0  # the genuine answers were there: nothing needed a retry
