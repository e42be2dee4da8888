"""Wire-level rules of the fake Anthropic API: errors, ids, validation, tokens, prompt cache.

Kept free of HTTP and of the `anthropic` SDK so the same rules serve `/v1/messages`,
`count_tokens` and each request inside a Message Batch.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import string
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]

STATUS_FOR_ERROR_TYPE: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}
ERROR_TYPE_FOR_STATUS: dict[int, str] = {v: k for k, v in STATUS_FOR_ERROR_TYPE.items()}

# Prompt-cache minimum prefix lengths; models not listed use DEFAULT_CACHE_MIN_TOKENS.
DEFAULT_CACHE_MIN_TOKENS = 1024
CACHE_MIN_TOKENS: dict[str, int] = {
    "claude-haiku-4-5": 4096,
    "claude-opus-4-5": 4096,
    "claude-3-5-haiku": 2048,
    "claude-3-haiku": 2048,
}
CACHE_TTL_SECONDS: dict[str, float] = {"5m": 300.0, "1h": 3600.0}
MAX_CACHE_BREAKPOINTS = 4
CACHE_LOOKBACK_BLOCKS = 20

# Top-level keys `messages.create` may send (SDK 2.x signature); anything else is rejected
# like the real API does ("Extra inputs are not permitted"), which catches typos early.
KNOWN_MESSAGE_KEYS = frozenset(
    {
        "max_tokens",
        "messages",
        "model",
        "cache_control",
        "container",
        "diagnostics",
        "inference_geo",
        "metadata",
        "output_config",
        "service_tier",
        "speed",
        "stop_sequences",
        "stream",
        "system",
        "thinking",
        "tool_choice",
        "tools",
    }
)
# Sampling knobs the current API version no longer accepts.
REJECTED_SAMPLING_KEYS = ("temperature", "top_p", "top_k")
EFFORT_LEVELS = frozenset({"low", "medium", "high", "xhigh", "max"})

_ID_ALPHABET = string.ascii_letters + string.digits


class FakeAPIError(Exception):
    """An API error: becomes an HTTP error envelope, or an `errored` line inside a batch."""

    def __init__(
        self,
        error_type: str = "api_error",
        message: str = "Internal server error",
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message
        self.status = status if status is not None else STATUS_FOR_ERROR_TYPE.get(error_type, 500)
        self.headers = dict(headers or {})

    def error_object(self) -> JSON:
        """The inner `{"type": ..., "message": ...}` object."""
        return {"type": self.error_type, "message": self.message}

    def envelope(self, request_id: str | None) -> JSON:
        """The HTTP error body the SDK parses into `APIStatusError.body`."""
        return {"type": "error", "error": self.error_object(), "request_id": request_id}


def invalid(message: str) -> FakeAPIError:
    """Shorthand for the most common error: 400 invalid_request_error."""
    return FakeAPIError("invalid_request_error", message)


def new_id(prefix: str) -> str:
    """An id shaped like the real ones (`msg_01...`, `msgbatch_01...`, `req_01...`)."""
    return prefix + "01" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(22))


def rfc3339(moment: datetime) -> str:
    """RFC 3339 with a `Z` suffix, as the API emits timestamps."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def utcnow() -> datetime:
    return datetime.now(UTC)


def approx_tokens(text: str) -> int:
    """Roughly four characters per token (used for the size of generated output)."""
    return (len(text) + 3) // 4


_PIECES = re.compile(r" ?[^\W\d_]+| ?\d{1,3}| ?[^\s\w]+|\s+")


def _letters_tokens(word: str) -> int:
    """A run of letters: short ASCII words are one token, longer ones split every ~5
    letters; two-byte scripts (accents, Cyrillic, Greek, Arabic) cost a token per two
    characters, three-byte ones (CJK, kana, Hangul, Indic) one per character, emoji two."""
    ascii_part = sum(1 for c in word if c.isascii())
    tokens = 0 if not ascii_part else 1 + max(0, ascii_part - 6 + 4) // 5
    two = three = four = 0
    for char in word:
        if char.isascii():
            continue
        size = len(char.encode("utf-8"))
        if size == 2:
            two += 1
        elif size == 3:
            three += 1
        else:
            four += 1
    return tokens + (two + 1) // 2 + three + 2 * four


def bpe_like_tokens(text: str) -> int:
    """A deterministic, tokenizer-like count (what `count_tokens` and usage report).

    Text is split the way BPE pre-tokenizers split it (words with their leading space,
    digit groups of up to three, punctuation runs, whitespace) and each piece priced by
    its script. It is deliberately not the client's own estimate, so calibrating against
    it is a real correction, and it grows with the text like a real tokenizer.
    """
    total = 0
    for piece in _PIECES.findall(text):
        word = piece.lstrip(" ")
        if not word:
            total += 1
        elif word[0].isspace():
            total += 1 if "\n" in word or len(word) > 1 else 0
        elif word[0].isdigit():
            total += 1
        elif word[0].isalpha():
            total += _letters_tokens(word)
        else:
            total += (len(word) + 1) // 2
    return total


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------- validation


def _require_text_blocks(blocks: Any, where: str) -> None:
    if not isinstance(blocks, list):
        raise invalid(f"{where}: Input should be a valid string or list of content blocks")
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise invalid(f"{where}.{i}: content block must be an object with a `type`")
        if block["type"] == "text":
            text = block.get("text")
            if not isinstance(text, str):
                raise invalid(f"{where}.{i}.text: Field required")
            if not text:
                raise invalid(f"{where}.{i}: text content blocks must be non-empty")
        _check_cache_control(block.get("cache_control"), f"{where}.{i}.cache_control")


def _check_cache_control(value: Any, where: str) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or value.get("type") != "ephemeral":
        raise invalid(f"{where}: Input tag does not match the expected tag 'ephemeral'")
    if value.get("ttl", "5m") not in CACHE_TTL_SECONDS:
        raise invalid(f"{where}.ttl: Input should be '5m' or '1h'")


def _validate_output_config(value: Any) -> None:
    if not isinstance(value, dict):
        raise invalid("output_config: Input should be a valid dictionary")
    extra = set(value) - {"format", "effort"}
    if extra:
        raise invalid(f"output_config.{sorted(extra)[0]}: Extra inputs are not permitted")
    effort = value.get("effort")
    if effort is not None and effort not in EFFORT_LEVELS:
        raise invalid(f"output_config.effort: Input should be one of {sorted(EFFORT_LEVELS)}")
    fmt = value.get("format")
    if fmt is None:
        return
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        raise invalid("output_config.format.type: Input should be 'json_schema'")
    if not isinstance(fmt.get("schema"), dict):
        raise invalid("output_config.format.schema: Field required (a JSON schema object)")


def _validate_tools(params: JSON) -> None:
    tools = params.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise invalid("tools: Input should be a valid list")
        names: set[str] = set()
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
                raise invalid(f"tools.{i}.name: Field required")
            if tool["name"] in names:
                raise invalid(f"tools: Tool names must be unique (duplicate {tool['name']!r})")
            names.add(tool["name"])
            if tool.get("type", "custom") == "custom" and not isinstance(
                tool.get("input_schema"), dict
            ):
                raise invalid(f"tools.{i}.input_schema: Field required")
            _check_cache_control(tool.get("cache_control"), f"tools.{i}.cache_control")
    choice = params.get("tool_choice")
    if choice is None:
        return
    if not isinstance(choice, dict) or choice.get("type") not in {"auto", "any", "tool", "none"}:
        raise invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
    tool_names = {t["name"] for t in tools or []}
    if choice["type"] in {"any", "tool"} and not tool_names:
        raise invalid("tool_choice: requires `tools` to be provided")
    if choice["type"] == "tool" and choice.get("name") not in tool_names:
        raise invalid(f"tool_choice.name: tool {choice.get('name')!r} not found in `tools`")
    thinking = params.get("thinking")
    forced = choice["type"] in {"any", "tool"}
    if forced and isinstance(thinking, dict) and thinking.get("type") in {"enabled", "adaptive"}:
        raise invalid("Thinking may not be enabled when tool_choice forces tool use.")


def validate_message_params(
    params: Any,
    *,
    is_known_model: Callable[[str], bool],
    api_version: str | None = None,
    count_only: bool = False,
) -> JSON:
    """Reject what the real Messages API rejects (subset); return the params as a dict.

    Raises FakeAPIError (400, or 404 for an unknown model) so batch processing can turn
    the same failure into an `errored` line instead of an HTTP error.
    """
    if not isinstance(params, dict):
        raise invalid("body: Input should be a valid dictionary")
    for key in REJECTED_SAMPLING_KEYS:
        if key in params:
            version = api_version or "the current API version"
            raise invalid(f"{key}: is not supported by {version}; remove it from the request")
    allowed = KNOWN_MESSAGE_KEYS - {"max_tokens", "stream"} if count_only else KNOWN_MESSAGE_KEYS
    extra = sorted(set(params) - allowed)
    if extra:
        raise invalid(f"{extra[0]}: Extra inputs are not permitted")
    model = params.get("model")
    if not isinstance(model, str) or not model:
        raise invalid("model: Field required")
    if not is_known_model(model):
        raise FakeAPIError("not_found_error", f"model: {model}")
    if not count_only:
        max_tokens = params.get("max_tokens")
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int):
            raise invalid("max_tokens: Field required (an integer)")
        if max_tokens < 1:
            raise invalid("max_tokens: Input should be greater than or equal to 1")
        if params.get("stream"):
            raise invalid("stream: streaming is not supported by the fake server")
    messages = params.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("messages: List should have at least 1 item")
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise invalid(f"messages.{i}: Input should be a valid dictionary")
        if message.get("role") not in {"user", "assistant", "system"}:
            raise invalid(f"messages.{i}.role: Input should be 'user', 'assistant' or 'system'")
        content = message.get("content")
        if isinstance(content, str):
            if not content and i != len(messages) - 1:
                raise invalid(f"messages.{i}: all messages must have non-empty content")
        else:
            _require_text_blocks(content, f"messages.{i}.content")
    system = params.get("system")
    if system is not None and not isinstance(system, str):
        _require_text_blocks(system, "system")
    _check_cache_control(params.get("cache_control"), "cache_control")
    if params.get("output_config") is not None:
        _validate_output_config(params["output_config"])
    _validate_tools(params)
    found = len(prompt_segments(params)[1])
    if found > MAX_CACHE_BREAKPOINTS:
        raise invalid(
            f"A maximum of {MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {found}."
        )
    return params


# --------------------------------------------------------------------------- token accounting


@dataclass(frozen=True)
class Segment:
    """One cacheable unit of the prompt, in the API's prefix order: tools, system, messages."""

    key: str
    tokens: int
    ttl: str | None  # set when this block carries cache_control (a breakpoint)


def _block_text(block: Any) -> str:
    if isinstance(block, dict) and block.get("type") == "text":
        return str(block.get("text", ""))
    if isinstance(block, dict):
        return canonical({k: v for k, v in block.items() if k != "cache_control"})
    return str(block)


def _ttl(block: Any) -> str | None:
    if isinstance(block, dict) and isinstance(block.get("cache_control"), dict):
        return str(block["cache_control"].get("ttl", "5m"))
    return None


def prompt_segments(params: JSON) -> tuple[list[Segment], list[int]]:
    """Linearize the prompt; return the segments and the indices of cache breakpoints."""
    segments: list[Segment] = []
    for tool in params.get("tools") or []:
        text = _block_text(tool)
        segments.append(Segment("tool:" + text, bpe_like_tokens(text) + 8, _ttl(tool)))
    system = params.get("system")
    if isinstance(system, str) and system:
        segments.append(Segment("system:" + system, bpe_like_tokens(system), None))
    elif isinstance(system, list):
        for block in system:
            text = _block_text(block)
            segments.append(Segment("system:" + text, bpe_like_tokens(text), _ttl(block)))
    for message in params.get("messages") or []:
        if not isinstance(message, dict):
            continue
        role = str(message.get("role"))
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for block in blocks or []:
            text = _block_text(block)
            segments.append(Segment(f"{role}:{text}", bpe_like_tokens(text) + 1, _ttl(block)))
    top = params.get("cache_control")
    if isinstance(top, dict) and segments and segments[-1].ttl is None:
        last = segments[-1]
        segments[-1] = Segment(last.key, last.tokens, str(top.get("ttl", "5m")))
    breakpoints = [i for i, seg in enumerate(segments) if seg.ttl is not None]
    return segments, breakpoints


def overhead_tokens(params: JSON) -> int:
    """Tokens the API adds around the visible prompt (role markers, schema instructions)."""
    extra = 4 + 3 * len(params.get("messages") or [])
    fmt = (params.get("output_config") or {}).get("format")
    if isinstance(fmt, dict):
        extra += 50 + bpe_like_tokens(canonical(fmt.get("schema")))
    if params.get("tools"):
        extra += 300  # tool-use system prompt
    return extra


def count_input_tokens(params: JSON) -> int:
    segments, _ = prompt_segments(params)
    return sum(seg.tokens for seg in segments) + overhead_tokens(params)


@dataclass(frozen=True)
class CacheUsage:
    read: int = 0
    created_5m: int = 0
    created_1h: int = 0

    @property
    def created(self) -> int:
        return self.created_5m + self.created_1h


class PromptCache:
    """Prefix cache keyed by (model, prompt prefix up to a breakpoint), with TTL and lookback.

    Mirrors the documented behaviour closely enough for cost tests: a prefix below the
    model's minimum is never cached; the first sight of a cacheable prefix is a cache
    write; an identical prefix within the TTL is a cache read (and refreshes the TTL).
    """

    def __init__(
        self,
        min_tokens: Callable[[str], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._min_tokens = min_tokens
        self._clock = clock
        self._entries: dict[str, tuple[float, float]] = {}  # hash -> (expires_at, ttl)
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def account(self, model: str, segments: list[Segment]) -> CacheUsage:
        """Look up and then store the prompt's cacheable prefixes; report read/write tokens."""
        prefix_hashes: list[str] = []
        prefix_tokens: list[int] = []
        digest = hashlib.sha256(model.encode())
        running = 0
        for seg in segments:
            digest.update(b"\x00" + seg.key.encode())
            running += seg.tokens
            prefix_hashes.append(digest.copy().hexdigest())
            prefix_tokens.append(running)
        minimum = self._min_tokens(model)
        breakpoints = [
            i for i, s in enumerate(segments) if s.ttl is not None and prefix_tokens[i] >= minimum
        ]
        if not breakpoints:
            return CacheUsage()
        now = self._clock()
        with self._lock:
            hit = -1
            for bp in breakpoints:
                for j in range(bp, max(-1, bp - CACHE_LOOKBACK_BLOCKS), -1):
                    entry = self._entries.get(prefix_hashes[j])
                    if entry is not None and entry[0] > now:
                        hit = max(hit, j)
                        break
            if hit >= 0:
                ttl = self._entries[prefix_hashes[hit]][1]
                self._entries[prefix_hashes[hit]] = (now + ttl, ttl)
            read = prefix_tokens[hit] if hit >= 0 else 0
            created = {"5m": 0, "1h": 0}
            previous = read
            for bp in breakpoints:
                if bp <= hit:
                    continue
                ttl_name = segments[bp].ttl or "5m"
                created[ttl_name] += prefix_tokens[bp] - previous
                previous = prefix_tokens[bp]
                ttl = CACHE_TTL_SECONDS[ttl_name]
                self._entries[prefix_hashes[bp]] = (now + ttl, ttl)
        return CacheUsage(read=read, created_5m=created["5m"], created_1h=created["1h"])


def cache_min_tokens_for(model: str, table: Mapping[str, int], default: int) -> int:
    """Longest table key that prefixes the model id wins (dated ids match their alias)."""
    best = ""
    for name in table:
        if model.startswith(name) and len(name) > len(best):
            best = name
    return table[best] if best else default
