"""Turning a model's reply into a validated :class:`CurationAnswer`, or a clean failure.

Every engine funnels its replies through :func:`outcome_from_message`, so validation happens
in one place. An answer is accepted whole or not at all: anything malformed becomes an
``invalid_output`` outcome (retryable), never a half-applied change.

What is accepted:
- the JSON object ``{"tags": [str, ...], "description": str}`` in the text content (a
  Markdown code fence around it is tolerated), or as the input of a ``tool_use`` block;
- no other keys, no text after the object;
- tags pass through the vault's tag rules (:func:`vaultcurator.vault.tags.normalize_tags`,
  reusing the vault's casing); invalid ones are dropped, duplicates merged, at most
  :data:`ANSWER_TAGS_CEILING` read (the tag policy then keeps ``curation.max_tags``, most
  relevant first); an empty list is a
  valid answer (a stub needs no tag), a list none of whose tags is valid is not;
- the description is whitespace-collapsed to one line; empty is invalid; longer than
  :data:`DESCRIPTION_MAX_CHARS` is cut at the last word boundary that fits, with ``…``
  appended so a reader can see it was shortened (see :func:`shorten`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from vaultcurator.curation.prompts import DESCRIPTION_MAX_CHARS
from vaultcurator.domain.requests import CurationAnswer, RequestOutcome, Usage
from vaultcurator.vault.frontmatter_edit import single_line
from vaultcurator.vault.tags import is_valid_tag, normalize_tag, normalize_tags

ANSWER_TAGS_CEILING = 64
"""At most this many tags read from one answer: it only bounds a runaway answer; the tag
policy (:mod:`.tag_policy`) then keeps ``curation.max_tags``."""

INVALID_OUTPUT = "invalid_output"
ELLIPSIS = "…"

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "tags": {"type": "array", "items": {"type": "string"}},
        "description": {"type": "string"},
    },
    "required": ["tags", "description"],
    "additionalProperties": False,
}
"""The JSON schema sent as ``output_config.format.schema`` (and usable as a tool's input).

Bare on purpose: it is sent with every request, and the system prompt already says what
goes in each field."""

_FENCE = re.compile(r"^\s*```[A-Za-z0-9_-]*[ \t]*\r?\n(.*?)\r?\n?```\s*$", re.DOTALL)


class InvalidAnswer(ValueError):
    """The model's reply cannot be used; ``reason`` says why (shown in the run summary)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KnownTags:
    """The vault's tags indexed once by case-folded form, for cheap casing reuse per answer."""

    __slots__ = ("_by_key",)

    def __init__(self, tags: Iterable[str] = ()) -> None:
        self._by_key: dict[str, str] = {}
        for tag in tags:
            stripped = tag.strip().lstrip("#")
            if is_valid_tag(stripped):
                self._by_key.setdefault(stripped.casefold(), stripped)

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, tag: object) -> bool:
        return isinstance(tag, str) and tag.casefold() in self._by_key

    def spelling(self, tag: str) -> str | None:
        """The vault's spelling of ``tag`` (any casing), or None when the vault lacks it."""
        return self._by_key.get(tag.casefold())

    def relevant(self, candidates: Iterable[str]) -> list[str]:
        """The vault's spellings of those ``candidates`` it already uses (after normalising)."""
        found: list[str] = []
        for candidate in candidates:
            tag = normalize_tag(candidate)
            if tag is not None and (known := self._by_key.get(tag.casefold())) is not None:
                found.append(known)
        return found


def _as_known(existing: KnownTags | Iterable[str]) -> KnownTags:
    return existing if isinstance(existing, KnownTags) else KnownTags(existing)


def _as_dict(message: Any) -> dict[str, Any]:
    if isinstance(message, Mapping):
        return dict(message)
    dump = getattr(message, "model_dump", None)
    if callable(dump):
        dumped = dump()
        if isinstance(dumped, dict):
            return dumped
    raise InvalidAnswer(f"not a message: {type(message).__name__}")


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def usage_from(message: Any) -> Usage:
    """The token usage of a reply (dict or SDK Message); missing counts are 0."""
    usage = _field(message, "usage")
    if usage is None:
        return Usage()

    def count(name: str) -> int:
        value = _field(usage, name)
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else 0

    return Usage(
        input_tokens=count("input_tokens"),
        cache_creation_input_tokens=count("cache_creation_input_tokens"),
        cache_read_input_tokens=count("cache_read_input_tokens"),
        output_tokens=count("output_tokens"),
    )


def strip_fence(text: str) -> str:
    """The inside of a Markdown code fence wrapping the whole text, else the text itself."""
    match = _FENCE.match(text)
    return match.group(1) if match else text


def _payload(message: dict[str, Any]) -> Any:
    stop = message.get("stop_reason")
    if stop == "max_tokens":
        raise InvalidAnswer("answer cut off at max_tokens")
    if stop == "refusal":
        raise InvalidAnswer("the model refused to answer")
    blocks = message.get("content")
    if not isinstance(blocks, list):
        raise InvalidAnswer("reply has no content blocks")
    for block in blocks:
        if isinstance(block, Mapping) and block.get("type") == "tool_use":
            return block.get("input")
    texts = [
        str(b.get("text", "")) for b in blocks if isinstance(b, Mapping) and b.get("type") == "text"
    ]
    text = strip_fence("".join(texts).strip()).strip()
    if not text:
        raise InvalidAnswer("reply has no text")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"reply is not a JSON object: {exc.msg} at {exc.pos}") from None


def shorten(text: str, limit: int = DESCRIPTION_MAX_CHARS) -> str:
    """``text`` within ``limit`` characters: cut at the last space that fits, ``…`` appended.

    A text with no space in reach (CJK, one huge word) is cut at the limit instead.
    """
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    head = text[: room + 1]
    cut = head.rfind(" ")
    head = head[:cut] if cut > room // 2 else text[:room]
    return head.rstrip(" ,;:-–—") + ELLIPSIS


def clean_description(value: str) -> str:
    """One line: control characters dropped, whitespace collapsed, within the limit."""
    return shorten(single_line(value))


def validate_answer(data: Any, existing: KnownTags | Iterable[str] = ()) -> CurationAnswer:
    """Check the decoded JSON and normalise it; InvalidAnswer with a reason otherwise."""
    if not isinstance(data, dict):
        raise InvalidAnswer(f"answer is {type(data).__name__}, not an object")
    extra = sorted(set(data) - {"tags", "description"})
    if extra:
        raise InvalidAnswer(f"unexpected keys in answer: {', '.join(map(str, extra))}")
    tags = data.get("tags")
    description = data.get("description")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidAnswer("tags must be a list of strings")
    if not isinstance(description, str):
        raise InvalidAnswer("description must be a string")
    known = _as_known(existing)
    normalised = normalize_tags(tags, known.relevant(tags), limit=ANSWER_TAGS_CEILING)
    if tags and not normalised:
        raise InvalidAnswer(f"no valid tag among {tags[:ANSWER_TAGS_CEILING]!r}")
    cleaned = clean_description(description)
    if not cleaned:
        raise InvalidAnswer("empty description")
    return CurationAnswer(tags=normalised, description=cleaned)


def parse_answer(message: Any, existing: KnownTags | Iterable[str] = ()) -> CurationAnswer:
    """The validated answer in ``message`` (a dict or an SDK ``Message``)."""
    return validate_answer(_payload(_as_dict(message)), existing)


def outcome_from_message(
    custom_id: str,
    message: Any,
    via_batch: bool,
    existing_tags: KnownTags | Iterable[str] = (),
) -> RequestOutcome:
    """A succeeded outcome with the answer, or an ``invalid_output`` error; usage either way."""
    usage = usage_from(message)
    try:
        answer = parse_answer(message, existing_tags)
    except InvalidAnswer as exc:
        return RequestOutcome(
            custom_id=custom_id,
            kind="errored",
            error_type=INVALID_OUTPUT,
            error=exc.reason,
            usage=usage,
            via_batch=via_batch,
        )
    return RequestOutcome(
        custom_id=custom_id, kind="succeeded", answer=answer, usage=usage, via_batch=via_batch
    )
