"""Fixtures for the taxonomy tests: the fake Anthropic server (real SDK over HTTP)."""

from __future__ import annotations

from tests.fakes.fixtures import fake_anthropic

__all__ = ["fake_anthropic"]
