"""The one Fivetran REST client: the snapshot, the sync and the sensor all go through it.

- `/v1/connections...` paths only (`/v1/connectors...` is deprecated and has returned 404);
- HTTP Basic auth, `Accept: application/json;version=2` where Fivetran's spec defaults to it;
- every list paged with `limit=1000` and `next_cursor`, a repeated cursor refused, ids de-duplicated;
- retries (see `retry.py`) in urllib3, below requests: one place, bounded in attempts and time;
- errors mapped to `errors.FivetranAPIError` subclasses carrying status, code, method and path;
- safe to share between threads: one `requests.Session` whose pool is sized to the concurrency.
Credentials live only in the session's auth object: no message, log line or repr contains them.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter

from fivetran_codegen_runtime._version import __version__
from fivetran_codegen_runtime.rest.credentials import Credentials
from fivetran_codegen_runtime.rest.errors import (
    FivetranAPIError,
    FivetranAuthError,
    FivetranClientError,
    FivetranNotFoundError,
    FivetranRateLimitError,
    FivetranResponseError,
    FivetranServerError,
    FivetranTransportError,
)
from fivetran_codegen_runtime.rest.retry import RetryPolicy

DEFAULT_API_URL = "https://api.fivetran.com"
PAGE_LIMIT = 1000
USER_AGENT = f"fivetran-codegen/{__version__} (+https://pypi.org/project/fivetran-codegen/)"
ACCEPT_V1 = "application/json"
ACCEPT_V2 = "application/json;version=2"

log = logging.getLogger(__name__)

JSON = dict[str, Any]


@dataclass
class ClientStats:
    """Calls sent (retries included) and retries, counted across threads."""

    calls: int = 0
    retries: int = 0


def segment(value: str) -> str:
    """Percent-encode one path segment: Fivetran names may hold `/`, `?`, `#`, spaces."""
    return quote(value, safe="")


class FivetranClient:
    """A thread-safe client for the Fivetran REST API (see the module docstring)."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        api_url: str = DEFAULT_API_URL,
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        pool_size: int = 10,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.stats = ClientStats()
        self._lock = threading.Lock()
        self._timeout = (connect_timeout, timeout)
        policy = retry or RetryPolicy()
        adapter = HTTPAdapter(
            pool_connections=1,
            pool_maxsize=max(1, pool_size),
            max_retries=policy.to_urllib3(on_retry=self._count_retry),
        )
        self._session = requests.Session()
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.auth = (credentials.api_key, credentials.api_secret)
        self._session.headers.update({"User-Agent": USER_AGENT})
        # requests would otherwise read ~/.netrc and proxy settings per request.
        self._session.trust_env = False

    def __repr__(self) -> str:
        return f"FivetranClient(api_url={self.api_url!r})"

    def __enter__(self) -> FivetranClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    # -- transport ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        version2: bool = False,
    ) -> JSON:
        """Send one call (with retries) and return Fivetran's envelope, or raise."""
        headers = {"Accept": ACCEPT_V2 if version2 else ACCEPT_V1}
        with self._lock:
            self.stats.calls += 1
        try:
            response = self._session.request(
                method,
                self.api_url + path,
                params=params,
                json=body,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
            )
            content = response.content
        except requests.exceptions.Timeout as exc:
            raise FivetranTransportError(
                f"no answer within the request timeout after retries ({type(exc).__name__})",
                method=method,
                path=path,
                hint="Fivetran or the network is slow; try again, or raise the timeout",
            ) from None
        except requests.exceptions.ChunkedEncodingError as exc:
            raise FivetranResponseError(
                f"the response body was cut off before its end ({_reason(exc)})",
                method=method,
                path=path,
                hint="a proxy or the network dropped the connection mid-response; try again",
            ) from None
        except requests.exceptions.RequestException as exc:
            raise FivetranTransportError(
                f"could not reach the Fivetran API at {self.api_url} after retries ({_reason(exc)})",
                method=method,
                path=path,
                hint="check --api-url / FIVETRAN_API_URL and the network",
            ) from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        return _parse(method, path, response, content)

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, version2: bool = False
    ) -> JSON:
        """GET and return the envelope's `data` object."""
        return _data(self.request("GET", path, params=params, version2=version2), "GET", path)

    def paginate(
        self, path: str, params: Mapping[str, Any] | None = None, version2: bool = False
    ) -> list[JSON]:
        """Every item of a paged list, in server order, de-duplicated by `id`."""
        return list(self._iter_pages(path, dict(params or {}), version2))

    def _iter_pages(self, path: str, params: dict[str, Any], version2: bool) -> Iterator[JSON]:
        seen_ids: set[str] = set()
        seen_cursors: set[str] = set()
        cursor: str | None = None
        while True:
            query = {**params, "limit": PAGE_LIMIT, **({"cursor": cursor} if cursor else {})}
            data = self.get(path, query, version2)
            items = data.get("items")
            if not isinstance(items, list):
                raise FivetranResponseError(
                    "a list response has no `data.items` array", method="GET", path=path
                )
            for item in items:
                item_id = item.get("id") if isinstance(item, dict) else None
                if not isinstance(item_id, str):
                    raise FivetranResponseError(
                        "a list item has no string `id`", method="GET", path=path
                    )
                if item_id not in seen_ids:  # offset cursors repeat rows when the list changes
                    seen_ids.add(item_id)
                    yield item
            cursor = data.get("next_cursor")
            if not cursor:
                return
            if cursor in seen_cursors:
                raise FivetranResponseError(
                    f"the API returned cursor {cursor!r} twice; stopping instead of looping",
                    method="GET",
                    path=path,
                    hint="this is a Fivetran-side fault; try again later",
                )
            seen_cursors.add(cursor)

    def _count_retry(self, method: str, url: str, status: int | None, wait: float) -> None:
        with self._lock:
            self.stats.retries += 1
        cause = f"HTTP {status}" if status is not None else "a connection error"
        # urllib3 passes a path here, or the full URL for connection errors; never userinfo.
        log.info(
            "retrying %s %s after %s (waiting up to %.1fs)", method, _path_of(url), cause, wait
        )

    # -- endpoints ---------------------------------------------------------------------------

    def account_info(self) -> JSON:
        return self.get("/v1/account/info")

    def list_groups(self) -> list[JSON]:
        return self.paginate("/v1/groups")

    def get_destination(self, destination_id: str) -> JSON:
        return self.get(f"/v1/destinations/{segment(destination_id)}", version2=True)

    def list_connections(self, group_id: str | None = None) -> list[JSON]:
        """Every connection of the account (one call per 1,000), optionally of one group."""
        params = {"group_id": group_id} if group_id else None
        return self.paginate("/v1/connections", params, version2=True)

    def list_group_connections(self, group_id: str) -> list[JSON]:
        return self.paginate(f"/v1/groups/{segment(group_id)}/connections")

    def get_connection(self, connection_id: str) -> JSON:
        return self.get(f"/v1/connections/{segment(connection_id)}", version2=True)

    def get_schema_config(self, connection_id: str) -> JSON:
        return self.get(f"/v1/connections/{segment(connection_id)}/schemas")

    def get_table_columns(self, connection_id: str, schema: str, table: str) -> JSON:
        """Columns of one table by SOURCE schema and table names (a source-interaction call)."""
        path = (
            f"/v1/connections/{segment(connection_id)}/schemas/{segment(schema)}"
            f"/tables/{segment(table)}/columns"
        )
        columns = self.get(path).get("columns")
        if not isinstance(columns, dict):
            raise FivetranResponseError("`data.columns` is not an object", method="GET", path=path)
        return columns

    def update_connection(self, connection_id: str, fields: Mapping[str, Any]) -> JSON:
        path = f"/v1/connections/{segment(connection_id)}"
        return _data(self.request("PATCH", path, body=fields, version2=True), "PATCH", path)

    def trigger_sync(self, connection_id: str, *, force: bool = False) -> None:
        path = f"/v1/connections/{segment(connection_id)}/sync"
        self.request("POST", path, body={"force": force}, version2=True)

    def trigger_resync(
        self, connection_id: str, scope: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        path = f"/v1/connections/{segment(connection_id)}/resync"
        body = {"scope": {k: list(v) for k, v in scope.items()}} if scope else None
        self.request("POST", path, body=body, version2=True)

    def resync_tables(self, connection_id: str, tables: Mapping[str, Sequence[str]]) -> None:
        path = f"/v1/connections/{segment(connection_id)}/schemas/tables/resync"
        self.request("POST", path, body={k: list(v) for k, v in tables.items()})


def _parse(method: str, path: str, response: requests.Response, content: bytes) -> JSON:
    status = response.status_code
    request_id = response.headers.get("X-Request-Id")
    try:
        body = json.loads(content) if content else None
    except ValueError:
        body = None
    if status >= 400:
        raise _error(
            method, path, status, body, content, request_id, response.headers.get("Retry-After")
        )
    if not isinstance(body, dict):
        snippet = content[:80].decode("utf-8", "replace")
        raise FivetranResponseError(
            f"HTTP {status} with a body that is not a JSON object (starts with {snippet!r})",
            method=method,
            path=path,
            status=status,
            request_id=request_id,
            hint="the body is malformed or was cut off; try again, and check --api-url points at Fivetran",
        )
    return body


def _data(envelope: JSON, method: str, path: str) -> JSON:
    data = envelope.get("data")
    if not isinstance(data, dict):
        raise FivetranResponseError(
            "the response has no `data` object (code {!r})".format(envelope.get("code")),
            method=method,
            path=path,
        )
    return data


def _error(
    method: str,
    path: str,
    status: int,
    body: Any,
    content: bytes,
    request_id: str | None,
    retry_after: str | None,
) -> FivetranAPIError:
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code, message = body["code"], str(body.get("message") or "")
    else:  # not Fivetran JSON (a proxy's HTML page, an empty body): keep a short excerpt
        code, message = "UNKNOWN", content[:200].decode("utf-8", "replace").strip()
    kind, hint = _classify(status, code)
    error = kind(
        message or f"HTTP {status}",
        method=method,
        path=path,
        status=status,
        code=code,
        request_id=request_id,
        hint=hint,
    )
    if isinstance(error, FivetranRateLimitError) and retry_after and retry_after.isdigit():
        error.retry_after = float(retry_after)
    return error


def _classify(status: int, code: str) -> tuple[type[FivetranAPIError], str | None]:
    if status == 401:
        return FivetranAuthError, (
            "the API key or secret is wrong: check FIVETRAN_API_KEY and FIVETRAN_API_SECRET "
            "(Fivetran dashboard > Settings > API key)"
        )
    if status == 403:
        return (
            FivetranAuthError,
            "the key lacks a permission: use a key whose role can read the account",
        )
    if status == 404:
        return FivetranNotFoundError, None
    if status == 429:
        return FivetranRateLimitError, (
            "the account's API quota is spent (20,000 calls/hour, 500 on trials); wait for the "
            "Retry-After time or lower --concurrency"
        )
    if status >= 500:
        return FivetranServerError, "Fivetran is failing on its side; try again later"
    return FivetranClientError, None


def _reason(exc: BaseException) -> str:
    """The innermost cause's class name: urllib3's messages embed whole URLs."""
    seen: set[int] = set()
    while True:
        inner = exc.__cause__ or exc.__context__
        if inner is None or id(inner) in seen:
            return type(exc).__name__
        seen.add(id(exc))
        exc = inner


def _path_of(url: str) -> str:
    return urlsplit(url).path or url
