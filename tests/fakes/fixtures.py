"""Pytest fixtures for the fake Anthropic server (imported by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .anthropic_server import FakeAnthropic

TEST_API_KEY = "test-key"

# Environment the SDK consults for credentials/headers; cleared so a developer's own
# configuration can never leak into (or be used by) a test run.
_SDK_ENV_TO_CLEAR = (
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_PROFILE",
    "ANTHROPIC_CONFIG_DIR",
    "ANTHROPIC_IDENTITY_TOKEN",
    "ANTHROPIC_IDENTITY_TOKEN_FILE",
    "ANTHROPIC_FEDERATION_RULE_ID",
    "ANTHROPIC_ORGANIZATION_ID",
)


@pytest.fixture
def fake_anthropic(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    """A running FakeAnthropic; `anthropic.Anthropic()` with no arguments talks to it."""
    with FakeAnthropic() as fake:
        for name in _SDK_ENV_TO_CLEAR:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_API_KEY)
        yield fake
