"""Pytest fixture for the fake OpenAI-compatible server (import it in a conftest)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .openai_server import FakeOpenAI

FOREIGN_BASE_URL = "http://api.example.invalid/v1"
"""Set as ``OPENAI_BASE_URL`` in tests: the engine must never read it."""


@pytest.fixture
def fake_openai(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """A running FakeOpenAI; ``VAULTCURATOR_OPENAI_BASE_URL`` points at it.

    The SDK's own variables are cleared, and ``OPENAI_BASE_URL`` is set to a foreign host
    that does not resolve, so a client that consulted it would fail the test.
    """
    for name in list(os.environ):
        if name.startswith("OPENAI_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OPENAI_BASE_URL", FOREIGN_BASE_URL)
    with FakeOpenAI() as fake:
        monkeypatch.setenv("VAULTCURATOR_OPENAI_BASE_URL", fake.base_url)
        yield fake
