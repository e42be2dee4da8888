"""A local HTTP server speaking Anthropic's Messages and Message Batches wire protocol.

Point the real `anthropic` SDK at it (`base_url=fake.base_url`, no `/v1`) to test retry,
batching and structured-output handling end to end without network or cost. Answers come
from a pluggable `responder`; failures come from `faults`. Run standalone with
`python -m tests.fakes.anthropic_server --port 0` (prints the base URL).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .anthropic_batches import Batch, BatchItem
from .anthropic_faults import ENDPOINTS, Faults, HttpFault, ResultFault
from .anthropic_protocol import (
    CACHE_MIN_TOKENS,
    DEFAULT_CACHE_MIN_TOKENS,
    JSON,
    FakeAPIError,
    PromptCache,
    approx_tokens,
    cache_min_tokens_for,
    count_input_tokens,
    invalid,
    new_id,
    overhead_tokens,
    prompt_segments,
    validate_message_params,
)
from .anthropic_responder import Reply, Responder, default_responder, forced_tool

CUSTOM_ID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_BATCH_REQUESTS = 100_000
MAX_REQUEST_BYTES = 32 * 1024 * 1024
MAX_BATCH_BYTES = 256 * 1024 * 1024
SECRET_HEADERS = frozenset({"authorization", "x-api-key"})

_BATCH_PATH = re.compile(r"^/v1/messages/batches/([^/]+)(/cancel|/results)?$")


@dataclass
class RecordedRequest:
    """One request as the server saw it; credentials are redacted before storing."""

    method: str
    path: str
    endpoint: str | None
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names; Authorization / x-api-key redacted
    auth_scheme: str | None  # "bearer", "x-api-key" or None
    body: Any  # parsed JSON, or None
    status: int | None = None
    request_id: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class _Route:
    endpoint: str
    batch_id: str | None = None


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _route(method: str, path: str) -> _Route | None:
    if path == "/v1/messages" and method == "POST":
        return _Route("messages")
    if path == "/v1/messages/count_tokens" and method == "POST":
        return _Route("count_tokens")
    if path == "/v1/messages/batches":
        return {"POST": _Route("batches.create"), "GET": _Route("batches.list")}.get(method)
    found = _BATCH_PATH.match(path)
    if not found:
        return None
    batch_id, suffix = found.group(1), found.group(2)
    if suffix == "/cancel" and method == "POST":
        return _Route("batches.cancel", batch_id)
    if suffix == "/results" and method == "GET":
        return _Route("batches.results", batch_id)
    if suffix is None and method in ("GET", "DELETE"):
        endpoint = "batches.retrieve" if method == "GET" else "batches.delete"
        return _Route(endpoint, batch_id)
    return None


def _json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> _Response:
    return _Response(status, json.dumps(payload).encode(), headers=dict(headers or {}))


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


class FakeAnthropic:
    """In-memory fake of the Anthropic API on 127.0.0.1, served from a background thread.

    Attributes tests may set at any time:
      responder: `params -> str | dict | Reply` (may raise FakeAPIError / ResultFault).
      faults: the `Faults` plan (HTTP faults, per-custom_id batch outcomes).
      batches_polls_to_end: a new batch ends on this many GET-retrieve polls (0 = at once,
        None = not poll-driven); batches_seconds_to_end: ...or after this many seconds
        (whichever comes first; both None = ended at once). Captured at batch creation.
      cancel_polls_to_end: polls a canceling batch needs to reach `ended`.
      shuffle_results: emit result lines in a seeded shuffle (`seed`) instead of order.
      valid_api_keys: if set, only these keys authenticate (default: any non-empty key).
      known_models: if set, other models get 404 (default: any "claude-" model).
      cache_min_tokens / default_cache_min_tokens: prompt-cache minimum per model prefix.
      max_request_bytes / max_batch_bytes: body limits answered with 413.

    Batch items are answered lazily, under the server lock, as polls advance the batch;
    `/v1/messages` calls the responder outside the lock so concurrent calls overlap.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        responder: Responder | None = None,
        seed: int = 0,
        valid_api_keys: set[str] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.responder: Responder = responder or default_responder
        self.faults = Faults()
        self.seed = seed
        self.batches_polls_to_end: int | None = 1
        self.batches_seconds_to_end: float | None = None
        self.cancel_polls_to_end = 1
        self.shuffle_results = False
        self.valid_api_keys = valid_api_keys
        self.known_models: set[str] | None = None
        self.cache_min_tokens: dict[str, int] = dict(CACHE_MIN_TOKENS)
        self.default_cache_min_tokens = DEFAULT_CACHE_MIN_TOKENS
        self.max_request_bytes = MAX_REQUEST_BYTES
        self.max_batch_bytes = MAX_BATCH_BYTES
        self.requests: list[RecordedRequest] = []
        self.server_errors: list[str] = []  # tracebacks of responder crashes
        self._lock = threading.RLock()
        self._batches: dict[str, Batch] = {}
        self._batch_seq = 0
        self.cache = PromptCache(self._cache_min_tokens)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (no `/v1`), what the SDK's base_url expects."""
        if self._httpd is None:
            raise RuntimeError("FakeAnthropic is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeAnthropic:
        if self._httpd is not None:
            return self
        self._httpd = _Server((self.host, self.port), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-anthropic",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ inspection helpers

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """Logged requests routed to `endpoint` (names as in `Faults.fail_next`)."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}")
        with self._lock:
            return [r for r in self.requests if r.endpoint == endpoint]

    def batch_ids(self) -> list[str]:
        with self._lock:
            return list(self._batches)

    def batch_json(self, batch_id: str) -> JSON:
        """The batch as the API would show it, without counting as a poll."""
        with self._lock:
            batch = self._get_batch(batch_id)
            batch.advance(self._complete_item, poll=False)
            return batch.to_json(self.base_url)

    def force_end(self, batch_id: str) -> None:
        """Finish a batch now (every remaining request resolves as planned)."""
        with self._lock:
            self._get_batch(batch_id).force_end(self._complete_item)

    def reset(self) -> None:
        """Forget batches, cache, log and faults (settings are kept)."""
        with self._lock:
            self._batches.clear()
            self.requests.clear()
            self.server_errors.clear()
        self.cache.clear()
        self.faults.clear()

    # ------------------------------------------------------------------ model behaviour

    def _cache_min_tokens(self, model: str) -> int:
        return cache_min_tokens_for(model, self.cache_min_tokens, self.default_cache_min_tokens)

    def _is_known_model(self, model: str) -> bool:
        if self.known_models is not None:
            return model in self.known_models
        return model.startswith("claude-")

    def _ask_responder(self, params: JSON) -> Reply:
        """Call the responder, normalising its answer and turning crashes into api_error."""
        try:
            answer = self.responder(params)
        except (FakeAPIError, ResultFault):
            raise
        except Exception as exc:
            with self._lock:
                self.server_errors.append(traceback.format_exc())
            raise FakeAPIError("api_error", f"responder crashed: {exc!r}") from exc
        if isinstance(answer, ResultFault):
            raise answer
        return answer if isinstance(answer, Reply) else Reply(answer)

    def _build_message(self, params: JSON, reply: Reply, service_tier: str) -> JSON:
        """A Message object for `params`, with usage including prompt-cache accounting."""
        tool = forced_tool(params)
        max_tokens = int(params["max_tokens"])
        stop_reason = reply.stop_reason
        if tool is not None:
            data = reply.content if isinstance(reply.content, dict) else json.loads(reply.content)
            if not isinstance(data, dict):
                raise TypeError("tool input must be a JSON object")
            text = json.dumps(data)
            block: JSON = {
                "type": "tool_use",
                "id": new_id("toolu_"),
                "name": tool["name"],
                "input": data,
            }
            if stop_reason == "end_turn":
                stop_reason = "tool_use"
        else:
            text = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
            if approx_tokens(text) > max_tokens:
                text, stop_reason = text[: max_tokens * 4], "max_tokens"
            block = {"type": "text", "text": text}
        output_tokens = (
            reply.output_tokens if reply.output_tokens is not None else max(1, approx_tokens(text))
        )
        segments, _ = prompt_segments(params)
        cache = self.cache.account(params["model"], segments)
        total = sum(s.tokens for s in segments) + overhead_tokens(params)
        return {
            "id": new_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": params["model"],
            "content": [block],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {
                "input_tokens": total - cache.read - cache.created,
                "output_tokens": min(output_tokens, max_tokens),
                "cache_creation_input_tokens": cache.created,
                "cache_read_input_tokens": cache.read,
                "cache_creation": {
                    "ephemeral_5m_input_tokens": cache.created_5m,
                    "ephemeral_1h_input_tokens": cache.created_1h,
                },
                "service_tier": service_tier,
            },
        }

    def _complete_item(self, item: BatchItem) -> JSON:
        """Resolve one batch request into its results-line `result` object."""
        if item.planned is not None:
            return item.planned.result()
        try:
            params = validate_message_params(item.params, is_known_model=self._is_known_model)
            message = self._build_message(params, self._ask_responder(params), "batch")
        except ResultFault as fault:
            return fault.result()
        except FakeAPIError as err:
            return ResultFault("errored", err.error_type, err.message).result()
        except (ValueError, TypeError) as exc:  # responder returned non-JSON for a tool
            return ResultFault("errored", "api_error", f"responder gave no JSON: {exc}").result()
        return {"type": "succeeded", "message": message}

    # ------------------------------------------------------------------ endpoints

    def handle(
        self, route: _Route, body: Any, query: dict[str, list[str]], version: str
    ) -> _Response:
        """Dispatch one authenticated request; raises FakeAPIError for API errors."""
        if route.endpoint in ("messages", "count_tokens"):
            count_only = route.endpoint == "count_tokens"
            params = validate_message_params(
                body,
                is_known_model=self._is_known_model,
                api_version=version,
                count_only=count_only,
            )
            if count_only:
                return _json_response(200, {"input_tokens": count_input_tokens(params)})
            try:
                reply = self._ask_responder(params)  # outside the lock: concurrent calls
            except ResultFault as fault:
                raise FakeAPIError(
                    fault.error_type if fault.kind == "errored" else "api_error", fault.message
                ) from None
            try:
                message = self._build_message(params, reply, "standard")
            except (ValueError, TypeError) as exc:
                raise FakeAPIError("api_error", f"responder gave no JSON for tool: {exc}") from exc
            return _json_response(200, message)
        if route.endpoint == "batches.create":
            return _json_response(200, self._create_batch(body))
        if route.endpoint == "batches.list":
            return _json_response(200, self._list_batches(query))
        assert route.batch_id is not None
        with self._lock:
            batch = self._get_batch(route.batch_id)
            if route.endpoint == "batches.retrieve":
                batch.advance(self._complete_item, poll=True)
                return _json_response(200, batch.to_json(self.base_url))
            batch.advance(self._complete_item, poll=False)
            if route.endpoint == "batches.cancel":
                batch.cancel()
                return _json_response(200, batch.to_json(self.base_url))
            if route.endpoint == "batches.delete":
                if batch.processing_status != "ended":
                    raise invalid(
                        f"Batch {batch.id} cannot be deleted while it is still processing; "
                        "cancel it first."
                    )
                del self._batches[batch.id]
                return _json_response(200, {"id": batch.id, "type": "message_batch_deleted"})
            # batches.results
            if batch.processing_status != "ended":
                raise invalid(
                    f"Batch {batch.id} has not finished processing; results are available "
                    "once processing_status is 'ended'."
                )
            if batch.served is None:  # results are immutable: tamper once, serve the same
                others = [
                    [i.custom_id for i in b.items]
                    for b in sorted(self._batches.values(), key=lambda b: -b.seq)
                    if b.id != batch.id
                ]
                batch.served = self.faults.tamper_results(batch.results_lines(), others)
            text = "".join(json.dumps(line) + "\n" for line in batch.served)
            return _Response(200, text.encode(), content_type="application/binary")

    def _get_batch(self, batch_id: str) -> Batch:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise FakeAPIError("not_found_error", f"Message batch {batch_id} not found")
        return batch

    def _create_batch(self, body: Any) -> JSON:
        if not isinstance(body, dict):
            raise invalid("body: Input should be a valid dictionary")
        extra = sorted(set(body) - {"requests"})
        if extra:
            raise invalid(f"{extra[0]}: Extra inputs are not permitted")
        requests = body.get("requests")
        if not isinstance(requests, list):
            raise invalid("requests: Field required")
        if not 1 <= len(requests) <= MAX_BATCH_REQUESTS:
            raise invalid(f"requests: List should have between 1 and {MAX_BATCH_REQUESTS} items")
        seen: set[str] = set()
        items: list[BatchItem] = []
        for i, request in enumerate(requests):
            if not isinstance(request, dict):
                raise invalid(f"requests.{i}: Input should be a valid dictionary")
            custom_id = request.get("custom_id")
            if not isinstance(custom_id, str) or not CUSTOM_ID_RE.match(custom_id):
                raise invalid(
                    f"requests.{i}.custom_id: String should match pattern '{CUSTOM_ID_RE.pattern}'"
                )
            if custom_id in seen:
                raise invalid(
                    f"requests.{i}.custom_id: Duplicate custom_id {custom_id!r}; "
                    "custom_id must be unique within a batch"
                )
            seen.add(custom_id)
            if not isinstance(request.get("params"), dict):
                raise invalid(f"requests.{i}.params: Input should be a valid dictionary")
            extra = sorted(set(request) - {"custom_id", "params"})
            if extra:
                raise invalid(f"requests.{i}.{extra[0]}: Extra inputs are not permitted")
            items.append(BatchItem(i, custom_id, request["params"]))
        for item in items:
            item.planned = self.faults.take_result(item.custom_id)
        with self._lock:
            self._batch_seq += 1
            batch = Batch(
                id=new_id("msgbatch_"),
                seq=self._batch_seq,
                items=items,
                polls_to_end=self.batches_polls_to_end,
                seconds_to_end=self.batches_seconds_to_end,
                cancel_polls_to_end=self.cancel_polls_to_end,
                shuffle_seed=self.seed if self.shuffle_results else None,
            )
            self._batches[batch.id] = batch
            batch.advance(self._complete_item, poll=False)
            return batch.to_json(self.base_url)

    def _list_batches(self, query: dict[str, list[str]]) -> JSON:
        def one(name: str) -> str | None:
            values = query.get(name)
            return values[-1] if values else None

        raw_limit = one("limit") or "20"
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 1000:
            raise invalid("limit: Input should be an integer between 1 and 1000")
        limit = int(raw_limit)
        after_id, before_id = one("after_id"), one("before_id")
        if after_id and before_id:
            raise invalid("Only one of after_id and before_id may be given")
        with self._lock:
            newest_first = sorted(self._batches.values(), key=lambda b: b.seq, reverse=True)
            ids = [b.id for b in newest_first]
            cursor = after_id or before_id
            if cursor is not None and cursor not in ids:
                raise invalid(f"{'after_id' if after_id else 'before_id'}: unknown id {cursor}")
            if after_id:
                start = ids.index(after_id) + 1
                page, has_more = newest_first[start : start + limit], start + limit < len(ids)
            elif before_id:
                end = ids.index(before_id)
                start = max(0, end - limit)
                page, has_more = newest_first[start:end], start > 0
            else:
                page, has_more = newest_first[:limit], limit < len(ids)
            for batch in page:
                batch.advance(self._complete_item, poll=False)
            data = [b.to_json(self.base_url) for b in page]
        return {
            "data": data,
            "has_more": has_more,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
        }


# ---------------------------------------------------------------------- HTTP plumbing


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its FakeAnthropic and can cut open keep-alive sockets."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # the default 5 drops SYNs under a burst: 1 s retransmit stalls

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeAnthropic
    ) -> None:
        self.fake = fake
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that time out and hang up are expected in fault tests; stay quiet."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request stderr lines; tests inspect `FakeAnthropic.requests`."""

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _read_body(self, limit: int) -> bytes | None:
        """The body, or None when it exceeds `limit` (then drained, to answer cleanly)."""
        length = int(self.headers.get("content-length") or 0)
        if length <= limit:
            return self.rfile.read(length) if length else b""
        remaining = length
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)
        return None

    def _dispatch(self) -> None:
        fake = self.server.fake
        request_id = new_id("req_")
        url = urlsplit(self.path)
        route = _route(self.command, url.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        auth_scheme, api_key = _credentials(headers)
        record = RecordedRequest(
            method=self.command,
            path=url.path,
            endpoint=route.endpoint if route else None,
            query=parse_qs(url.query),
            headers={k: ("<redacted>" if k in SECRET_HEADERS else v) for k, v in headers.items()},
            auth_scheme=auth_scheme,
            body=None,
            request_id=request_id,
        )
        with fake._lock:
            fake.requests.append(record)
        is_batch = route is not None and route.endpoint == "batches.create"
        raw = self._read_body(fake.max_batch_bytes if is_batch else fake.max_request_bytes)
        try:
            if raw is None:
                raise FakeAPIError("request_too_large", "Request exceeds the maximum allowed size")
            bad_json = False
            try:
                record.body = json.loads(raw) if raw else None
            except ValueError:
                record.body, bad_json = raw.decode("utf-8", "replace"), True
            if not api_key or (
                fake.valid_api_keys is not None and api_key not in fake.valid_api_keys
            ):
                raise FakeAPIError(
                    "authentication_error",
                    "x-api-key header is required" if not api_key else "invalid x-api-key",
                )
            version = headers.get("anthropic-version")
            if not version:
                raise invalid("anthropic-version: header is required")
            if route is None:
                raise FakeAPIError("not_found_error", f"No route for {self.command} {url.path}")
            if fake.faults.take_echo_auth():
                echoed = headers.get("authorization") or headers.get("x-api-key", "")
                raise invalid(f"gateway rejected the request sent with {echoed}")
            fault = fake.faults.take_http(route.endpoint)
            if fault is not None and self._apply_fault(fault, record):
                return
            if bad_json:
                raise invalid("There was an error parsing the body of your request (invalid JSON)")
            response = fake.handle(route, record.body, record.query, version)
        except FakeAPIError as err:
            response = _json_response(err.status, err.envelope(request_id), err.headers)
        except Exception as exc:  # a bug in the fake: surface it, don't hang the client
            with fake._lock:
                fake.server_errors.append(traceback.format_exc())
            bug = FakeAPIError("api_error", f"fake server bug: {exc!r}")
            response = _json_response(500, bug.envelope(request_id))
        record.status = response.status
        self._send(response, request_id)

    def _apply_fault(self, fault: HttpFault, record: RecordedRequest) -> bool:
        """Apply an HTTP fault; True when it already produced (or dropped) the response."""
        if fault.delay:
            time.sleep(fault.delay)
        if fault.disconnect:
            record.status = 0
            self.close_connection = True
            return True
        if fault.status is None:
            return False
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers.setdefault("retry-after", _format_seconds(fault.retry_after))
        error_type = fault.error_type or "api_error"
        raise FakeAPIError(
            error_type,
            fault.message or f"Injected {error_type}",
            status=fault.status,
            headers=headers,
        )

    def _send(self, response: _Response, request_id: str) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("request-id", request_id)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)


def _credentials(headers: dict[str, str]) -> tuple[str | None, str]:
    """(scheme, key): SDK 2.x sends `Authorization: Bearer`, 1.x sent `x-api-key`."""
    authorization = headers.get("authorization", "").strip()
    if authorization:
        scheme, _, key = authorization.partition(" ")
        return ("bearer", key.strip()) if scheme.lower() == "bearer" else ("other", "")
    if "x-api-key" in headers:
        return "x-api-key", headers["x-api-key"].strip()
    return None, ""


def parse_results_jsonl(text: str) -> list[JSON]:
    """Parse a results body strictly: `\n`-terminated JSON lines, no blank lines."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if any(not line.strip() for line in lines):
        raise ValueError("blank line in batch results")
    return [json.loads(line) for line in lines]


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; prints the base URL first so scripts can pick it up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--polls-to-end", type=int, default=1, help="retrieve polls per batch")
    parser.add_argument("--shuffle-results", action="store_true")
    args = parser.parse_args(argv)
    fake = FakeAnthropic(host=args.host, port=args.port)
    fake.batches_polls_to_end = args.polls_to_end
    fake.shuffle_results = args.shuffle_results
    with fake:
        print(fake.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
