"""A local HTTP server speaking the OpenAI Chat Completions wire protocol (as Ollama,
LM Studio, llama.cpp and vLLM serve it under ``/v1``).

Point the real ``openai`` SDK at ``fake.base_url`` (it ends in ``/v1``). Requests are checked
against the parts of the protocol the engine uses (unknown keys, roles, ``response_format``
shapes and JSON mode's "the messages must mention JSON" rule are 400s, like OpenAI's own).
The default answer is derived from the request: the first ``MARKER-...`` token in the user
turn is echoed into the tags and the description, so an answer that lands on the wrong note
is detectable. Faults: queued HTTP errors (500, 429 with ``retry-after``...), delays (client
timeouts), malformed response bodies, malformed answer JSON, dropped connections; modes for a
server that ignores ``response_format``, one that supports only some of its types, and models
it does not have (Ollama's 404). Run standalone: ``python -m tests.fakes.openai_server``.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .anthropic_responder import request_marker

JSON = dict[str, Any]
Responder = Callable[[JSON], str]
"""``request body -> assistant message content`` (the text the "model" writes)."""

KNOWN_CHAT_KEYS = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "max_completion_tokens",
        "response_format",
        "temperature",
        "top_p",
        "seed",
        "stop",
        "stream",
        "n",
    }
)
ROLES = frozenset({"system", "user", "assistant", "developer"})
SCHEMA_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class FakeError(Exception):
    """An HTTP error answer: ``{"error": {"message", "type", "param", "code"}}``."""

    def __init__(
        self, status: int, message: str, *, kind: str = "invalid_request_error", param: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.param = param or None

    def body(self) -> bytes:
        error = {"message": self.message, "type": self.kind, "param": self.param, "code": None}
        return json.dumps({"error": error}).encode()


@dataclass
class Fault:
    """One queued fault, used ``times`` times by the next chat completion calls."""

    times: int
    status: int | None = None
    message: str = "injected failure"
    retry_after: float | None = None
    delay: float = 0.0
    malformed_body: bool = False
    bad_answer: bool = False
    disconnect: bool = False


@dataclass
class Recorded:
    """One request as the server saw it (the bearer token kept: tests check it)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int | None = None


def answer_for(body: JSON) -> JSON:
    """The answer the fake "model" gives: tags and description echoing the request marker."""
    marker = request_marker(body)
    slug = re.sub(r"[^a-z0-9_-]+", "-", marker.lower()).strip("-")
    return {
        "tags": [f"fake/{slug}", "fake/topic-1"],
        "description": f"Fake description for {marker}.",
    }


def default_responder(body: JSON) -> str:
    return json.dumps(answer_for(body))


def chatty_responder(body: JSON) -> str:
    """What a model writes when nothing enforces the format: prose around a fenced object."""
    return "Sure! Here is the JSON you asked for:\n```json\n" + default_responder(body) + "\n```"


def _mentions_json(body: JSON) -> bool:
    return any(
        "json" in str(m.get("content", "")).lower()
        for m in body.get("messages", [])
        if isinstance(m, dict)
    )


def validate_chat(body: Any, supported_formats: frozenset[str]) -> None:
    """Reject what a Chat Completions server rejects (400), for the parts the engine uses."""
    if not isinstance(body, dict):
        raise FakeError(400, "request body must be a JSON object")
    unknown = sorted(set(body) - KNOWN_CHAT_KEYS)
    if unknown:
        raise FakeError(400, f"Unrecognized request argument supplied: {unknown[0]}")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise FakeError(400, "you must provide a model parameter", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise FakeError(400, "messages must be a non-empty array", param="messages")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise FakeError(400, f"messages[{i}]: invalid role", param="messages")
        if not isinstance(message.get("content"), str):
            raise FakeError(400, f"messages[{i}].content must be a string", param="messages")
    for key in ("max_tokens", "max_completion_tokens"):
        value = body.get(key)
        if value is not None and (not isinstance(value, int) or value < 1):
            raise FakeError(400, f"{key} must be a positive integer", param=key)
    fmt = body.get("response_format")
    if fmt is None:
        return
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if kind not in ("text", "json_object", "json_schema"):
        raise FakeError(400, f"response_format.type {kind!r} is invalid", param="response_format")
    if kind not in supported_formats:
        raise FakeError(
            400, f"response_format type {kind} is not supported", param="response_format"
        )
    if kind == "json_object" and not _mentions_json(body):
        raise FakeError(
            400,
            "'messages' must contain the word 'json' in some form, to use "
            "'response_format' of type 'json_object'.",
            param="messages",
        )
    if kind == "json_schema":
        spec = fmt.get("json_schema")
        if not isinstance(spec, dict) or not SCHEMA_NAME_RE.match(str(spec.get("name", ""))):
            raise FakeError(
                400,
                "response_format.json_schema.name is required and must match ^[a-zA-Z0-9_-]{1,64}$",
                param="response_format",
            )
        if not isinstance(spec.get("schema"), dict):
            raise FakeError(
                400, "response_format.json_schema.schema must be an object", param="response_format"
            )


class _QuietServer(ThreadingHTTPServer):
    """A client that gives up and hangs up (the model-missing probe, timeouts) is expected.

    socketserver would print its BrokenPipeError traceback to stderr, which the tests that
    assert the CLI prints exactly one line would then see as the CLI's own output.
    """

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeOpenAI:
    """In-memory Chat Completions server on 127.0.0.1, served from a background thread.

    Attributes tests may set at any time:
      responder: ``body -> content``; ``known_models``: other models get Ollama's 404;
      supported_formats: ``response_format`` types accepted (others: 400);
      ignore_response_format: accept any ``response_format`` and answer like an unconstrained
        model (prose around the JSON); hold: seconds every answer takes (to overlap calls).
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.responder: Responder = default_responder
        self.known_models: set[str] = {"llama3.2", "qwen2.5:7b"}
        self.supported_formats: frozenset[str] = frozenset({"text", "json_object", "json_schema"})
        self.ignore_response_format = False
        self.hold = 0.0
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.server_errors: list[str] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAI is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeOpenAI:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = _QuietServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        status: int = 500,
        *,
        times: int = 1,
        retry_after: float | None = None,
        message: str = "injected failure",
    ) -> None:
        with self._lock:
            self.faults.append(Fault(times, status, message, retry_after))

    def delay_next(self, seconds: float, *, times: int = 1) -> None:
        with self._lock:
            self.faults.append(Fault(times, delay=seconds))

    def malformed_next(self, *, times: int = 1) -> None:
        """A 200 whose body is not JSON at all (a proxy page, a crashed server)."""
        with self._lock:
            self.faults.append(Fault(times, malformed_body=True))

    def bad_answer_next(self, *, times: int = 1) -> None:
        """A well-formed completion whose content is broken JSON (the model's fault)."""
        with self._lock:
            self.faults.append(Fault(times, bad_answer=True))

    def disconnect_next(self, *, times: int = 1) -> None:
        with self._lock:
            self.faults.append(Fault(times, disconnect=True))

    def _take_fault(self) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0:
                    fault.times -= 1
                    self.faults = [f for f in self.faults if f.times > 0]
                    return fault
        return None

    @property
    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # ------------------------------------------------------------------ answers

    def completion(self, body: JSON, bad_answer: bool) -> JSON:
        if body["model"] not in self.known_models:
            raise FakeError(
                404,
                f'model "{body["model"]}" not found, try pulling it first',
                kind="api_error",
            )
        fmt = (body.get("response_format") or {}).get("type")
        if self.ignore_response_format or fmt in (None, "text"):
            content = (
                chatty_responder(body)
                if self.responder is default_responder
                else (self.responder(body))
            )
        else:
            content = self.responder(body)
        if bad_answer:
            content = content[: len(content) // 2]
        prompt = sum(len(str(m.get("content", ""))) for m in body["messages"]) // 4
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": len(content) // 4,
                "total_tokens": prompt + len(content) // 4,
            },
        }


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _record(self, body: Any) -> Recorded:
        record = Recorded(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
        )
        with self.fake._lock:
            self.fake.requests.append(record)
        return record

    def do_GET(self) -> None:
        record = self._record(None)
        if self.path.rstrip("/") != "/v1/models":
            record.status = 404
            self._send(404, b'{"error": "404 page not found"}')
            return
        models = [
            {"id": m, "object": "model", "owned_by": "fake"} for m in sorted(self.fake.known_models)
        ]
        record.status = 200
        self._send(200, json.dumps({"object": "list", "data": models}).encode())

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        record = self._record(body)
        if self.path != "/v1/chat/completions":
            record.status = 404
            self._send(404, b'{"error": "404 page not found"}')
            return
        fake = self.fake
        with fake._lock:
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            self._answer(record, body)
        finally:
            with fake._lock:
                fake.in_flight -= 1

    def _answer(self, record: Recorded, body: Any) -> None:
        """Validate first (a bad request is a 400 whatever is queued), then apply the next
        fault, then answer."""
        fake = self.fake
        formats = fake.supported_formats
        if fake.ignore_response_format:
            formats = frozenset({"text", "json_object", "json_schema"})
        try:
            validate_chat(body, formats)
        except FakeError as err:
            record.status = err.status
            self._send(err.status, err.body())
            return
        fault = fake._take_fault()
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fake.hold:
            time.sleep(fake.hold)
        if fault is not None and fault.disconnect:
            record.status = 0
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.status is not None:
            headers = {}
            if fault.retry_after is not None:
                headers["retry-after"] = f"{fault.retry_after:g}"
            record.status = fault.status
            self._send(
                fault.status,
                FakeError(fault.status, fault.message, kind="server_error").body(),
                headers,
            )
            return
        if fault is not None and fault.malformed_body:
            record.status = 200
            self._send(200, b"<html>502 Bad Gateway</html>{")
            return
        try:
            payload = fake.completion(body, fault is not None and fault.bad_answer)
        except FakeError as err:
            record.status = err.status
            self._send(err.status, err.body())
            return
        except Exception as exc:  # a bug in the fake: surface it
            fake.server_errors.append(repr(exc))
            record.status = 500
            self._send(500, FakeError(500, f"fake bug: {exc!r}").body())
            return
        record.status = 200
        self._send(200, json.dumps(payload).encode())


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; prints the base URL first."""
    parser = argparse.ArgumentParser(description="fake OpenAI-compatible server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with FakeOpenAI(host=args.host, port=args.port) as fake:
        print(fake.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
