"""The Chat Completions side of the ``openai-compatible`` engine, free of the SDK.

A curation request is built once, in the Messages API's shape (:mod:`vaultcurator.curation.
requests`), so every engine sends the same prompts. Here it is translated to a Chat
Completions body (system text + the same user turn) and the server's reply is translated back
to the Messages shape that :func:`vaultcurator.curation.answers.outcome_from_message`
validates: one validation path, one tag policy, whichever engine answered.

Structured output comes in three levels, tried in order and remembered per run:
``json_schema`` (Ollama ≥ 0.5, LM Studio, llama.cpp, vLLM), ``json_object`` (JSON mode) and
``text`` (no ``response_format`` at all: the prompt asks for the JSON object, validation
decides). A server that rejects a level with a 400 naming ``response_format`` moves the run
to the next one.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from vaultcurator.config import OpenAISettings, Settings
from vaultcurator.curation.answers import ANSWER_SCHEMA, strip_fence
from vaultcurator.domain.jobs import JobOptions
from vaultcurator.errors import ConfigError

OutputLevel = Literal["json_schema", "json_object", "text"]
OUTPUT_LEVELS: tuple[OutputLevel, ...] = ("json_schema", "json_object", "text")
SCHEMA_NAME = "curation_answer"
JSON_REMINDER = "\n\nAnswer with only the JSON object, matching this JSON schema: " + json.dumps(
    ANSWER_SCHEMA, separators=(",", ":")
)
"""Added to the system prompt when the server cannot enforce the schema itself."""
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
BASE_DELAY = 0.5
"""First backoff between tries of one request, in seconds (doubles each time)."""


def check_base_url(url: str) -> str:
    """``url`` without a trailing slash; ConfigError when it is not an http(s) URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"openai.base_url: expected an http(s) URL such as http://127.0.0.1:11434/v1, "
            f"got {url!r}"
        )
    return url.strip().rstrip("/")


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (127.0.0.0/8, ::1, localhost)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and how one job talks to its server."""

    base_url: str
    model: str
    concurrency: int = 2
    timeout: float = 300.0
    attempts: int = 4
    base_delay: float = BASE_DELAY

    @property
    def local(self) -> bool:
        return is_loopback(self.base_url)

    @classmethod
    def from_settings(cls, settings: OpenAISettings, model: str | None = None) -> Endpoint:
        """The endpoint of ``settings`` (ConfigError for a URL or numbers that cannot work)."""
        if settings.concurrency < 1:
            raise ConfigError("openai.concurrency must be at least 1")
        if settings.timeout <= 0:
            raise ConfigError("openai.timeout must be more than 0 seconds")
        if settings.attempts < 1:
            raise ConfigError("openai.attempts must be at least 1")
        chosen = (model or settings.model).strip()
        if not chosen:
            raise ConfigError("openai.model is empty: name the model, e.g. --model llama3.2")
        return cls(
            base_url=check_base_url(settings.base_url),
            model=chosen,
            concurrency=settings.concurrency,
            timeout=settings.timeout,
            attempts=settings.attempts,
        )


def system_text(system: Any) -> str:
    """The Messages API ``system`` value (text or text blocks) as one string."""
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        return "".join(str(block.get("text", "")) for block in system if isinstance(block, Mapping))
    return ""


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return system_text(content)


def chat_body(params: Mapping[str, Any], model: str, level: OutputLevel) -> dict[str, Any]:
    """Keyword arguments of ``chat.completions.create`` for one Messages-shaped request.

    The system prompt and the user turn are the Claude path's, word for word; only when the
    server cannot enforce the schema is a one-line reminder of it appended to the system text.
    Cache breakpoints and ``output_config`` have no Chat Completions equivalent and are left
    out.
    """
    system = system_text(params.get("system"))
    if level != "json_schema":
        system += JSON_REMINDER
    messages: list[dict[str, str]] = [{"role": "system", "content": system}]
    for message in params.get("messages") or []:
        if isinstance(message, Mapping):
            role = str(message.get("role", "user"))
            messages.append({"role": role, "content": _content_text(message.get("content"))})
    body: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "max_tokens": int(params.get("max_tokens") or 1024),
    }
    if level == "json_schema":
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "schema": ANSWER_SCHEMA, "strict": True},
        }
    elif level == "json_object":
        body["response_format"] = {"type": "json_object"}
    return body


def rejects_output_format(status: int, message: str) -> bool:
    """Whether a 4xx says the server does not support the ``response_format`` we sent."""
    lowered = message.lower()
    return status in (400, 422, 501) and any(
        word in lowered for word in ("response_format", "json_schema", "json_object")
    )


def extract_json_object(text: str) -> str:
    """The JSON text of ``text``: itself, the inside of a code fence, or the one ``{...}``
    object a chatty model wrapped in prose ("Here is the JSON: ...").

    Only transport noise is removed: the object found is validated like any answer, and
    text with no object or several objects is returned unchanged (and fails validation).
    """
    inner = strip_fence(text.strip()).strip()
    try:
        json.loads(inner)
    except json.JSONDecodeError:
        pass
    else:
        return inner
    decoder = json.JSONDecoder()
    found: list[str] = []
    index = inner.find("{")
    while index != -1:
        try:
            _, end = decoder.raw_decode(inner, index)
        except json.JSONDecodeError:
            index = inner.find("{", index + 1)
            continue
        found.append(inner[index:end])
        index = inner.find("{", end)
    return found[0] if len(found) == 1 else inner


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _count(obj: Any, name: str) -> int:
    value = _get(obj, name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def as_message(completion: Any) -> dict[str, Any]:
    """A chat completion in the Messages API's shape (content, stop_reason, usage).

    ``finish_reason == "length"`` becomes ``max_tokens`` and a refusal ``refusal``, so the
    answer parser reports them as it does for Claude.
    """
    choices = _get(completion, "choices") or []
    choice = choices[0] if choices else None
    message = _get(choice, "message")
    text = _get(message, "content")
    text = text if isinstance(text, str) else ""
    finish = _get(choice, "finish_reason")
    if _get(message, "refusal"):
        stop = "refusal"
    elif finish == "length":
        stop = "max_tokens"
    else:
        stop = "end_turn"
    usage = _get(completion, "usage")
    return {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": extract_json_object(text)}] if text else [],
        "stop_reason": stop,
        "usage": {
            "input_tokens": _count(usage, "prompt_tokens"),
            "output_tokens": _count(usage, "completion_tokens"),
        },
    }


def not_running_message(base_url: str) -> str:
    """One line for a server that does not answer at all."""
    return (
        f"no OpenAI-compatible server answers at {base_url}: start it (`ollama serve`, or "
        "LM Studio's local server) or point --base-url at it"
    )


def model_missing_message(model: str, base_url: str) -> str:
    """One line for a model the server does not have."""
    return (
        f"model {model!r} is not available on {base_url}: pull it with `ollama pull {model}` "
        "(LM Studio: download and load it), or choose another with --model"
    )


def refused_key_message(base_url: str, status: int) -> str:
    return (
        f"the server at {base_url} refused the request (HTTP {status}): set its API key in "
        "VAULTCURATOR_OPENAI_API_KEY (or OPENAI_API_KEY)"
    )


def says_model_missing(status: int, message: str) -> bool:
    """Whether an error means "no such model" (Ollama: 404 ``model "x" not found``)."""
    lowered = message.lower()
    return status == 404 or (
        status == 400 and "model" in lowered and ("not found" in lowered or "pull" in lowered)
    )


def job_spec(settings: Settings, options: JobOptions) -> tuple[str, JobOptions]:
    """The model and options an ``openai-compatible`` job is created with.

    Its model, server and concurrency come from the ``[openai]`` section (the ``curation``
    ones are Claude's); the base URL is stored so ``resume`` asks the same server.
    """
    endpoint = Endpoint.from_settings(settings.openai)
    stored = options.with_overrides(
        {"base_url": endpoint.base_url, "concurrency": endpoint.concurrency}
    )
    return endpoint.model, stored
