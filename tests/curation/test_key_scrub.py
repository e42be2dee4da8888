"""A gateway that echoes the caller's credentials in its error text: the key never reaches
``state.db`` nor the terminal (real SDK over HTTP to the wire-protocol fake)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.curation.conftest import FAST, db
from tests.fakes.anthropic_server import FakeAnthropic
from vaultcurator.cli import main
from vaultcurator.domain.secrets import scrub

KEY = "sk-ant-api03-" + "Q7xZ" * 20 + "-AbCdEfAA"


def state_bytes(vault: Path) -> bytes:
    """Everything on disk under .vaultcurator (the database, its WAL, journals)."""
    return b"".join(p.read_bytes() for p in (vault / ".vaultcurator").rglob("*") if p.is_file())


@pytest.mark.parametrize("mode", ["sync", "batch"])
def test_an_echoed_key_is_neither_stored_nor_printed(
    fast_fake: FakeAnthropic, make_vault, capsys, monkeypatch, mode: str
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    vault = make_vault(3)
    fast_fake.faults.echo_auth_in_errors(times=3)
    code = main(["curate", str(vault), "--mode", mode, *FAST])
    out = capsys.readouterr()
    assert code == 1, out  # notes failed: exit 1
    echoed = [r for r in fast_fake.requests if r.status == 400]
    assert echoed, "the fault mode answered nothing"
    with db(vault) as conn:
        errors = [r[0] for r in conn.execute("SELECT error FROM requests WHERE error IS NOT NULL")]
    assert errors and all("Bearer [redacted]" in e for e in errors), errors
    assert "Bearer [redacted]" in out.out  # the failures are still explained
    assert KEY not in out.out + out.err
    assert KEY[10:40] not in out.out + out.err
    assert KEY.encode() not in state_bytes(vault)
    assert KEY[10:40].encode() not in state_bytes(vault)


def test_a_fatal_echo_is_scrubbed_from_the_one_line_error(
    fast_fake: FakeAnthropic, make_vault, capsys, monkeypatch
) -> None:
    """A 401 whose message carries the key: the run stops with one scrubbed line."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    vault = make_vault(2)
    fast_fake.faults.fail_next(
        "*", 401, times=5, message=f"invalid x-api-key: {KEY} (Authorization: Bearer {KEY})"
    )
    code = main(["curate", str(vault), "--mode", "sync", *FAST])
    out = capsys.readouterr()
    assert code == 2
    assert KEY not in out.out + out.err and KEY[10:40] not in out.out + out.err
    assert "authentication_error" in out.err
    assert KEY[10:40].encode() not in state_bytes(vault)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("rejected: Authorization: Bearer abc.DEF-123_xyz", "abc.DEF-123_xyz"),
        ('{"x-api-key": "k-9f8e7d6c5b4a"}', "k-9f8e7d6c5b4a"),
        ("key sk-ant-admin01-Zz_9-Yy was revoked", "Zz_9-Yy"),
        ("proxy saw sk-proj-abcdefghijklmnopqrstuvwx", "abcdefghijklmnop"),
    ],
)
def test_key_shaped_tokens_are_scrubbed_without_the_environment(
    monkeypatch, text: str, secret: str
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    cleaned = scrub(text)
    assert secret not in cleaned and "[redacted]" in cleaned


def test_ordinary_error_text_is_left_alone(monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    text = "HTTP 400: messages.0.content: Field required (the bearer of bad news)"
    assert scrub(text) == text
