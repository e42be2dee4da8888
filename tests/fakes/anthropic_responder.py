"""What the fake "model" answers: the pluggable responder and a deterministic default.

The default answer is derived only from the request, so a test can predict it and prove
that a batch result belongs to its own request: the first `MARKER-<word>` token found in
the user turns is echoed into every generated string (see `request_marker`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .anthropic_faults import ResultFault

JSON = dict[str, Any]

MARKER_RE = re.compile(r"\bMARKER-[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Reply:
    """Full control over one answer, e.g. to simulate truncation or a refusal.

    `content` is the text (str) or the structured object (dict: JSON text for a
    json_schema request, tool input for a forced tool). `output_tokens` overrides the
    approximate count. A responder may also return or raise a `ResultFault` (or raise
    `FakeAPIError`) to fail just that request.
    """

    content: str | JSON
    stop_reason: str = "end_turn"
    output_tokens: int | None = None


ResponderResult = str | JSON | Reply | ResultFault
Responder = Callable[[JSON], ResponderResult]


def user_text(params: JSON) -> str:
    """All text of the user turns, joined; what the default responder looks at."""
    parts: list[str] = []
    for message in params.get("messages") or []:
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(
                str(b.get("text", ""))
                for b in content
                if isinstance(b, dict) and b.get("type") == "text"
            )
    return "\n".join(parts)


def request_marker(params: JSON) -> str:
    """The first `MARKER-...` token in the user turns, else a stable hash of them."""
    text = user_text(params)
    found = MARKER_RE.search(text)
    if found:
        return found.group(0)
    return "REQ-" + hashlib.sha1(text.encode()).hexdigest()[:10]


def forced_tool(params: JSON) -> JSON | None:
    """The tool the request forces (`tool_choice` tool/any), if any."""
    choice = params.get("tool_choice")
    tools = [t for t in params.get("tools") or [] if isinstance(t, dict)]
    if not isinstance(choice, dict) or not tools:
        return None
    if choice.get("type") == "tool":
        return next((t for t in tools if t.get("name") == choice.get("name")), None)
    if choice.get("type") == "any":
        return tools[0]
    return None


def target_schema(params: JSON) -> JSON | None:
    """The JSON schema the answer must satisfy: forced tool input, else output_config."""
    tool = forced_tool(params)
    if tool is not None:
        schema = tool.get("input_schema")
        return schema if isinstance(schema, dict) else {"type": "object"}
    fmt = (params.get("output_config") or {}).get("format")
    schema = fmt.get("schema") if isinstance(fmt, dict) else None
    return schema if isinstance(schema, dict) else None


def default_responder(params: JSON) -> ResponderResult:
    """Schema-valid JSON when a schema is requested, else a short text echoing the marker."""
    marker = request_marker(params)
    schema = target_schema(params)
    if schema is not None:
        value = instance_for_schema(schema, marker)
        return value if isinstance(value, dict) else json.dumps(value)
    first_line = user_text(params).strip().splitlines()[0][:80] if user_text(params).strip() else ""
    return f"Fake answer for {marker}: {first_line}"


# --------------------------------------------------------------------------- schema instances


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "x"


def _resolve(schema: JSON, root: JSON) -> JSON:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        merged = dict(node) if isinstance(node, dict) else {}
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        return _resolve(merged, root)
    if isinstance(schema.get("allOf"), list):
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            if isinstance(part, dict):
                sub = _resolve(part, root)
                props = {**merged.get("properties", {}), **sub.get("properties", {})}
                merged = {**merged, **sub, "properties": props}
        return merged
    return schema


def _string_for(name: str | None, index: int, marker: str, schema: JSON) -> str:
    key = (name or "").lower()
    fmt = schema.get("format")
    if fmt == "date-time":
        value = "2024-01-01T00:00:00Z"
    elif fmt == "date":
        value = "2024-01-01"
    elif fmt in {"uri", "url"}:
        value = f"https://example.com/{_slug(marker)}"
    elif fmt == "email":
        value = f"{_slug(marker)}@example.com"
    elif key in {"description", "summary", "abstract"}:
        value = f"Fake description for {marker}."
    elif "tag" in key:
        value = f"fake/{_slug(marker)}" if index == 0 else f"fake/topic-{index}"
    elif key in {"title", "name", "id"}:
        value = marker
    else:
        value = f"{name or 'value'}{f' {index}' if index else ''} for {marker}"
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and not re.search(pattern, value):
        candidates = [_slug(value), _slug(marker), f"fake/{_slug(marker)}", "fake", "a", "0"]
        value = next((c for c in candidates if re.search(pattern, c)), value)
    min_len = schema.get("minLength")
    if isinstance(min_len, int) and len(value) < min_len:
        value = value + "x" * (min_len - len(value))
    max_len = schema.get("maxLength")
    if isinstance(max_len, int) and len(value) > max_len:
        value = value[:max_len]
    return value


def _number_for(schema: JSON, integer: bool) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value: float = 1
    if isinstance(low, int | float):
        value = max(value, low + (1 if "exclusiveMinimum" in schema and integer else 0))
        if "exclusiveMinimum" in schema and not integer and value <= low:
            value = low + 0.5
    if isinstance(high, int | float) and value > high:
        value = high - (1 if "exclusiveMaximum" in schema and integer else 0)
        if "exclusiveMaximum" in schema and not integer and value >= high:
            value = high - 0.5
    return int(value) if integer else float(value)


def instance_for_schema(
    schema: JSON,
    marker: str,
    *,
    root: JSON | None = None,
    name: str | None = None,
    index: int = 0,
) -> Any:
    """A deterministic instance of a (reasonable subset of) JSON Schema, echoing `marker`."""
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            chosen = non_null[0] if non_null else options[0]
            return instance_for_schema(chosen, marker, root=root, name=name, index=index)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"

    def sub(child: Any, child_name: str | None, child_index: int = 0) -> Any:
        child_schema = child if isinstance(child, dict) else {}
        return instance_for_schema(
            child_schema, marker, root=root, name=child_name, index=child_index
        )

    if kind == "object":
        props = schema.get("properties") or {}
        return {key: sub(value, key, index) for key, value in props.items()}
    if kind == "array":
        low = schema.get("minItems", 0)
        high = schema.get("maxItems")
        count = max(low, 2) if high is None else max(low, min(2, high))
        return [sub(schema.get("items"), name, i) for i in range(count)]
    if kind == "string":
        return _string_for(name, index, marker, schema)
    if kind == "integer":
        return _number_for(schema, integer=True)
    if kind == "number":
        return _number_for(schema, integer=False)
    if kind == "boolean":
        return True
    return None
