"""Scrubbing credentials out of text that came from outside (API error bodies, exceptions).

A gateway or proxy may echo the request's ``Authorization`` header in its error text; that
text is stored in ``state.db`` (``requests.error``) and printed, so it passes through
:func:`scrub` first. What is removed: the actual ``ANTHROPIC_API_KEY`` value (and the other
credential variables the SDK reads), anything shaped like an Anthropic key (``sk-ant-…``) or
a long ``sk-…`` key, a token of 8+ characters after ``Bearer``/``Basic``, and the value
after ``x-api-key``/``api_key``/``Authorization``.
"""

from __future__ import annotations

import os
import re

REDACTED = "[redacted]"
SECRET_ENV_VARS = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "OPENAI_API_KEY",
    "VAULTCURATOR_OPENAI_API_KEY",
)
"""Variables whose values never appear in what vaultcurator stores or prints."""
_MIN_SECRET_LENGTH = 6
"""Shorter env values are not scrubbed word by word (they would blank ordinary words)."""

_PATTERNS = (
    re.compile(r"sk-ant-[A-Za-z0-9_\-]+"),
    re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"(?i)\b(bearer|basic)(\s+)[^\s\[,;\"'}\]]{8,}"),
    re.compile(
        r"(?i)\b(x-api-key|api[_-]?key|authorization)(\"?\s*[:=]\s*\"?)"
        r"(?!(?:bearer|basic)\b)[^\s\[,;\"'}\]]+"
    ),
)


def scrub(text: str) -> str:
    """``text`` with every key-like token replaced by ``[redacted]``."""
    for name in SECRET_ENV_VARS:
        value = os.environ.get(name, "").strip()
        if len(value) >= _MIN_SECRET_LENGTH and value in text:
            text = text.replace(value, REDACTED)
    text = _PATTERNS[0].sub(REDACTED, text)
    text = _PATTERNS[1].sub(REDACTED, text)
    for pattern in _PATTERNS[2:]:
        text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return text


def scrub_optional(text: str | None) -> str | None:
    return None if text is None else scrub(text)
