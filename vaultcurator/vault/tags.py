"""Obsidian tag rules: turn any candidate (a model's suggestion, a user's input) into a tag.

A valid tag is made of letters (any script), digits, ``_``, ``-`` and ``/`` (nesting), has no
empty segment, no leading or trailing ``/``, and contains at least one letter or ``_`` (Obsidian
rejects all-numeric tags such as ``#2024``). Tags are case-insensitive in Obsidian, so dedupe
compares case-folded forms and keeps the casing the vault already uses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Whole-word spellings that would otherwise lose their meaning when punctuation is dropped.
_SPECIAL = (
    (re.compile(r"\+\+"), "pp"),  # C++ -> cpp, Notepad++ -> notepadpp
    (re.compile(r"(?<=[^\W\d_])#"), "sharp"),  # C# -> csharp, F# -> fsharp
    (re.compile(r"(?:^|(?<=[\s/]))\.(?=[^\W\d_])"), "dot"),  # .NET -> dotnet
    (re.compile(r"\s*&\s*"), "-and-"),  # R&D -> r-and-d, rock & roll -> rock-and-roll
    (re.compile(r"\+"), "-plus-"),  # A+ -> a-plus
)
_DROPPED = frozenset("'’‘`\".")  # removed without a trace: node.js -> nodejs, it's -> its
_REPEATS = re.compile(r"-{2,}")


def _allowed(ch: str) -> bool:
    if ch in "_-/":
        return True
    category = unicodedata.category(ch)
    return category[0] in "LM" or category == "Nd"


def _has_word_char(tag: str) -> bool:
    return any(ch == "_" or unicodedata.category(ch)[0] == "L" for ch in tag)


def is_valid_tag(tag: str) -> bool:
    """Whether ``tag`` (without ``#``) follows the rules above."""
    if not tag or not all(_allowed(ch) for ch in tag):
        return False
    if any(not segment for segment in tag.split("/")):
        return False
    return _has_word_char(tag)


def _clean_segment(segment: str) -> str:
    chars: list[str] = []
    for ch in segment:
        if ch in _DROPPED:
            continue
        chars.append(ch if _allowed(ch) and ch != "/" else "-")
    cleaned = _REPEATS.sub("-", "".join(chars))
    return cleaned.strip("-")


def normalize_tag(candidate: str) -> str | None:
    """A valid lower-case tag for ``candidate``, or None when nothing usable remains.

    ``#Machine Learning`` -> ``machine-learning``, ``C++`` -> ``cpp``, ``C#`` -> ``csharp``,
    ``node.js`` -> ``nodejs``, ``.NET`` -> ``dotnet``, ``Café`` -> ``café``, ``2024`` -> None.
    Idempotent: a normalised tag normalises to itself.
    """
    text = unicodedata.normalize("NFC", candidate).strip().lstrip("#").strip()
    for pattern, replacement in _SPECIAL:
        text = pattern.sub(replacement, text)
    text = unicodedata.normalize("NFC", text.lower())
    text = "-".join(text.split())
    segments = [_clean_segment(s) for s in text.split("/")]
    tag = "/".join(s for s in segments if s)
    if not tag or not is_valid_tag(tag):
        return None
    return tag


def normalize_tags(
    candidates: Iterable[str], existing: Iterable[str] = (), *, limit: int | None = None
) -> list[str]:
    """Normalised, case-insensitively unique tags in candidate order (first wins).

    A tag the vault already uses (``existing``) keeps the vault's casing, so a note never
    gains ``machinelearning`` beside the vault's ``MachineLearning``. ``limit`` caps the count.
    """
    known: dict[str, str] = {}
    for tag in existing:
        stripped = tag.strip().lstrip("#")
        if is_valid_tag(stripped):
            known.setdefault(stripped.casefold(), stripped)
    out: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        if limit is not None and len(out) >= limit:
            break
        normalized = normalize_tag(candidate)
        if normalized is None:
            continue
        key = normalized.casefold()
        if key in seen:
            continue
        seen.add(key)
        out.append(known.get(key, normalized))
    return out
