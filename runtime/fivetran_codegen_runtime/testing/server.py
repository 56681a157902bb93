"""The HTTP transport: a threaded keep-alive server that speaks Fivetran's wire format.

Per request, in order: latency, injected faults, Basic auth (401), the account rate limit (429),
routing (404/405), permissions (403), the source-interaction limit (429), then the endpoint.
Every answer is a JSON envelope with `X-Rate-Limit`, `X-Rate-Limit-Remaining` and `X-Request-Id`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import socket
import socketserver
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, cast
from urllib.parse import parse_qsl, unquote

from fivetran_codegen_runtime.testing.apierror import ApiError, invalid_input
from fivetran_codegen_runtime.testing.faults import FaultInjector, FaultRule
from fivetran_codegen_runtime.testing.ratelimit import RollingWindow, Verdict
from fivetran_codegen_runtime.testing.routes import ApiRequest, FivetranApi, resolve

Access = Literal["full", "forbidden", "none"]
_MALFORMED_BODY = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the simulator saw it; `status` 0 means the connection was dropped."""

    method: str
    path: str  # raw (percent-encoded) path without the query string
    query: dict[str, str]
    status: int
    body: Any  # the parsed JSON body, the raw text if it was not JSON, or None


@dataclass(frozen=True, slots=True)
class ApiKey:
    secret: str
    access: Access
    user_id: str


@dataclass(slots=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class Transport:
    """Everything between the socket and the endpoint handlers; shared by all handler threads."""

    def __init__(
        self,
        api: FivetranApi,
        *,
        rate_limit_per_hour: int,
        source_rate_limit_per_hour: int,
        seed: int,
    ) -> None:
        self.api = api
        self.keys: dict[str, ApiKey] = {}
        self.latency = 0.0
        self.legacy_paths = False
        self.faults = FaultInjector(seed)
        self.limiter = RollingWindow(rate_limit_per_hour, api.clock.now)
        self.source_limiter = RollingWindow(source_rate_limit_per_hour, api.clock.now)
        self._log: list[RequestRecord] = []
        self._log_lock = threading.Lock()

    def record(self, entry: RequestRecord) -> None:
        with self._log_lock:
            self._log.append(entry)

    def log(self) -> list[RequestRecord]:
        with self._log_lock:
            return list(self._log)

    def reset_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def answer(
        self,
        method: str,
        raw_path: str,
        query: dict[str, str],
        body: Any,
        authorization: str | None,
        *,
        content_type: str | None = None,
    ) -> Reply:
        verdict = self.limiter.peek()
        try:
            key = self._authenticate(authorization)
            verdict = self.limiter.take()
            if not verdict.allowed:
                raise _too_many_requests(verdict.retry_after)
            segments = [unquote(part) for part in raw_path.split("/")[1:]]
            match = resolve(method, segments, legacy_paths=self.legacy_paths)
            if key.access == "forbidden":
                raise ApiError(
                    403,
                    "Forbidden",
                    f"Access denied. Required permission: {match.route.permission}",
                )
            if match.route.source_interaction:
                source = self.source_limiter.take()
                if not source.allowed:
                    raise _too_many_requests(source.retry_after)
            if method in _WITH_BODY and not _is_json(content_type, body):
                raise ApiError(
                    415,
                    "UnsupportedMediaType",
                    f"Content-Type {content_type!r} is not supported; send application/json",
                )
            if isinstance(body, _InvalidJson):
                raise invalid_input("The request body is not valid JSON")
            request = ApiRequest(
                method=method,
                params=match.params,
                query=query,
                body=body,
                legacy=match.legacy,
                sees_all=key.access == "full",
                user_id=key.user_id,
            )
            with self.api.lock:
                reply = match.route.handler(self.api, request)
        except ApiError as error:
            return Reply(
                error.status,
                {"code": error.code, "message": error.message},
                {**_rate_headers(verdict), **error.headers},
            )
        envelope: dict[str, Any] = {"code": "Success", "message": reply.message}
        if reply.data is not None:
            envelope["data"] = reply.data
        return Reply(200, envelope, _rate_headers(verdict))

    def fault_reply(self, rule: FaultRule) -> Reply:
        headers = _rate_headers(self.limiter.peek())
        if rule.status == 429:
            headers["Retry-After"] = str(rule.retry_after)
        status = rule.status or 500
        return Reply(status, {"code": rule.error_code(), "message": rule.error_message()}, headers)

    def _authenticate(self, authorization: str | None) -> ApiKey:
        # Never echo what was sent: it may be a real credential.
        unauthorized = ApiError(
            401, "Unauthorized", "Missing or invalid API key or secret (HTTP Basic auth)"
        )
        if not authorization or not authorization.startswith("Basic "):
            raise unauthorized
        try:
            decoded = base64.b64decode(authorization[6:], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise unauthorized from exc
        key_id, _, secret = decoded.partition(":")
        key = self.keys.get(key_id)
        if key is None or key.secret != secret:
            raise unauthorized
        return key


class _InvalidJson:
    """Marks a request body that could not be parsed, so only endpoints that get it fail."""

    def __init__(self, text: str) -> None:
        self.text = text


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], transport: Transport) -> None:
        self.transport = transport
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        if isinstance(request, socket.socket):
            with self._open_lock:
                self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        if isinstance(request, socket.socket):
            with self._open_lock:
                self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        # Clients that hang up (timeouts, closed pools, stop()) are routine; bugs still print.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def close_open_connections(self) -> None:
        """Unblock handler threads waiting on idle keep-alive connections."""
        with self._open_lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can pool connections
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    timeout = 30  # idle keep-alive connections; stop() closes them sooner

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr line."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    # Methods no route takes: routed all the same, so a known path answers 405 with `Allow`, as
    # Fivetran does, not 501 (a 5xx that code retrying server errors would retry).
    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_OPTIONS(self) -> None:
        self._serve("OPTIONS")

    def do_TRACE(self) -> None:
        self._serve("TRACE")

    def do_CONNECT(self) -> None:
        self._serve("CONNECT")

    def _serve(self, method: str) -> None:
        transport = cast(SimulatorHTTPServer, self.server).transport
        raw_path, _, raw_query = self.path.partition("?")
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        body = self._read_body()
        logged_body = body.text if isinstance(body, _InvalidJson) else body

        if transport.latency > 0:
            time.sleep(transport.latency)
        rule = transport.faults.take(method, raw_path)
        if rule is not None and rule.delay > 0:
            time.sleep(rule.delay)
        if rule is not None and rule.drop:
            self.close_connection = True
            transport.record(RequestRecord(method, raw_path, query, 0, logged_body))
            return
        truncate = rule is not None and rule.truncate and rule.status is None
        if rule is not None and rule.status is not None:
            reply = transport.fault_reply(rule)
            payload = json.dumps(reply.body).encode()
        elif rule is not None and rule.malformed and not truncate:
            reply = Reply(200, {}, _rate_headers(transport.limiter.peek()))
            payload = _MALFORMED_BODY
        else:
            reply = transport.answer(
                method,
                raw_path,
                query,
                body,
                self.headers.get("Authorization"),
                content_type=self.headers.get("Content-Type"),
            )
            payload = json.dumps(reply.body).encode()
        transport.record(RequestRecord(method, raw_path, query, reply.status, logged_body))
        self._write(reply, payload, truncate=truncate)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, unsupported method) in Fivetran's JSON too."""
        status = HTTPStatus(code)
        payload = json.dumps(
            {"code": status.phrase.replace(" ", ""), "message": message or status.description}
        ).encode()
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.close_connection = True

    def _read_body(self) -> Any:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length <= 0:
            return None
        raw = self.rfile.read(length)
        try:
            return json.loads(raw)
        except ValueError:
            return _InvalidJson(raw.decode("utf-8", errors="replace"))

    def _write(self, reply: Reply, payload: bytes, *, truncate: bool) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        # A truncated reply promises more bytes than it sends, then hangs up.
        self.send_header("Content-Length", str(len(payload) + (64 if truncate else 0)))
        self.send_header("X-Request-Id", uuid.uuid4().hex)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":  # headers only: a body would be read as the next response
            return
        self.wfile.write(payload[: len(payload) // 2] if truncate else payload)
        if truncate:
            self.close_connection = True


_WITH_BODY = ("POST", "PATCH")


def _is_json(content_type: str | None, body: Any) -> bool:
    """A JSON media type (`application/json`, with parameters such as `version=2`), or no
    Content-Type on a request without a body."""
    if content_type is None:
        return body is None
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def _rate_headers(verdict: Verdict) -> dict[str, str]:
    return {"X-Rate-Limit": str(verdict.limit), "X-Rate-Limit-Remaining": str(verdict.remaining)}


def _too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429,
        "TooManyRequests",
        "Rate limit exceeded. Please retry after the time given in Retry-After",
        {"Retry-After": str(retry_after)},
    )
