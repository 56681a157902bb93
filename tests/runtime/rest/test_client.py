"""The REST client over real HTTP against the simulator: paging, retries, errors, secrets."""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fivetran_codegen_runtime.rest.client import FivetranClient
from fivetran_codegen_runtime.rest.credentials import Credentials
from fivetran_codegen_runtime.rest.errors import (
    FivetranAuthError,
    FivetranClientError,
    FivetranNotFoundError,
    FivetranRateLimitError,
    FivetranResponseError,
    FivetranServerError,
    FivetranTransportError,
)
from fivetran_codegen_runtime.rest.retry import RetryPolicy
from fivetran_codegen_runtime.testing import (
    FaultRule,
    FivetranSimulator,
    hostile_workspace,
    synthetic_workspace,
)

from tests.conftest import FAST_RETRY, make_client


def test_lists_every_page_once_with_the_maximum_limit() -> None:
    workspace = synthetic_workspace(connections=2500, tables=1, groups=3, columns=1)
    with FivetranSimulator(workspace) as sim, make_client(sim) as client:
        connections = client.list_connections()
        calls = [r for r in sim.request_log if r.path == "/v1/connections"]
    assert sorted(c["id"] for c in connections) == sorted(workspace.connections)
    assert len(calls) == 3  # 1,000 + 1,000 + 500
    assert all(r.query.get("limit") in ("1000", ["1000"]) for r in calls)


def test_reads_account_groups_destination_and_schema_config(
    sim: FivetranSimulator, client: FivetranClient
) -> None:
    assert client.account_info()["account_id"]
    groups = client.list_groups()
    assert {g["id"] for g in groups} == set(sim.workspace.groups)
    with_destination = [g for g in sim.workspace.groups.values() if g.destination is not None]
    assert client.get_destination(with_destination[0].id)["service"]


def test_a_404_is_not_retried_and_keeps_fivetran_code(
    sim: FivetranSimulator, client: FivetranClient
) -> None:
    never_synced = next(c for c in sim.workspace.connections.values() if c.schema_config is None)
    sim.reset_log()
    with pytest.raises(FivetranNotFoundError) as caught:
        client.get_schema_config(never_synced.id)
    assert caught.value.code == "NotFound_SchemaConfig"
    assert caught.value.status == 404
    assert caught.value.path == f"/v1/connections/{never_synced.id}/schemas"
    assert sim.count() == 1


def test_other_4xx_are_not_retried(sim: FivetranSimulator, client: FivetranClient) -> None:
    sim.add_fault(FaultRule(status=400, times=None, path="/v1/groups"))
    with pytest.raises(FivetranClientError) as caught:
        client.list_groups()
    assert caught.value.status == 400
    assert sim.count(path="/v1/groups") == 1


def test_bad_credentials_give_401_once_and_never_echo_them(sim: FivetranSimulator) -> None:
    bad = Credentials("wrong-key-1234", "wrong-secret-5678")
    with FivetranClient(bad, api_url=sim.url, retry=FAST_RETRY) as client:
        with pytest.raises(FivetranAuthError) as caught:
            client.account_info()
    text = f"{caught.value} {caught.value!r} {caught.value.args}"
    assert caught.value.status == 401 and "FIVETRAN_API_KEY" in text
    assert "wrong-key-1234" not in text and "wrong-secret-5678" not in text
    assert sim.count() == 1


def test_forbidden_key_gives_403(sim: FivetranSimulator) -> None:
    sim.add_key("limited-key", "limited-secret", access="forbidden")
    with FivetranClient(Credentials("limited-key", "limited-secret"), api_url=sim.url) as client:
        with pytest.raises(FivetranAuthError) as caught:
            client.list_groups()
    assert caught.value.status == 403 and caught.value.code == "Forbidden"


def test_429_storm_is_survived_honouring_retry_after(
    sim: FivetranSimulator, client: FivetranClient
) -> None:
    sim.add_fault(FaultRule(status=429, times=3, retry_after=0, path="/v1/groups"))
    assert client.list_groups()
    assert sim.count(path="/v1/groups") == 4
    assert client.stats.retries == 3


def test_retry_after_longer_than_the_budget_fails_fast(sim: FivetranSimulator) -> None:
    sim.add_fault(FaultRule(status=429, times=None, retry_after=3600))
    policy = RetryPolicy(max_attempts=5, backoff_base=0.01, total_timeout=5)
    started = time.monotonic()
    with make_client(sim, retry=policy) as client, pytest.raises(FivetranRateLimitError) as caught:
        client.account_info()
    assert time.monotonic() - started < 5  # did not sleep for an hour
    assert caught.value.retry_after == 3600
    assert sim.count() == 1


def test_transient_5xx_are_retried_then_succeed(
    sim: FivetranSimulator, client: FivetranClient
) -> None:
    sim.add_fault(FaultRule(status=503, times=2, path="/v1/account/info"))
    assert client.account_info()["account_id"]
    assert sim.count(path="/v1/account/info") == 3


def test_persistent_5xx_stops_after_max_attempts(
    sim: FivetranSimulator, client: FivetranClient
) -> None:
    sim.add_fault(FaultRule(status=500, times=None, path="/v1/account/info"))
    with pytest.raises(FivetranServerError) as caught:
        client.account_info()
    assert caught.value.status == 500
    assert sim.count(path="/v1/account/info") == FAST_RETRY.max_attempts


def test_a_dropped_connection_is_retried_for_reads(
    sim: FivetranSimulator, client: FivetranClient
) -> None:
    sim.add_fault(FaultRule(drop=True, times=1, path="/v1/account/info"))
    assert client.account_info()["account_id"]


def test_a_sync_trigger_is_not_replayed_after_a_lost_response(
    sim: FivetranSimulator, client: FivetranClient
) -> None:
    connection = _connected(sim)
    sim.add_fault(FaultRule(drop=True, times=1, method="POST"))
    with pytest.raises(FivetranTransportError):
        client.trigger_sync(connection, force=False)
    assert sim.count(method="POST") == 1


def test_a_sync_trigger_is_not_retried_on_5xx(
    sim: FivetranSimulator, client: FivetranClient
) -> None:
    connection = _connected(sim)
    sim.add_fault(FaultRule(status=502, times=1, method="POST"))
    with pytest.raises(FivetranServerError):
        client.trigger_sync(connection)
    assert sim.count(method="POST") == 1


def test_a_sync_trigger_is_retried_on_429(sim: FivetranSimulator, client: FivetranClient) -> None:
    connection = _connected(sim)
    sim.add_fault(FaultRule(status=429, times=1, retry_after=0, method="POST"))
    client.trigger_sync(connection)
    assert sim.count(method="POST") == 2
    assert [r.body for r in sim.request_log if r.method == "POST"][-1] == {"force": False}


def test_malformed_body_names_the_endpoint(sim: FivetranSimulator, client: FivetranClient) -> None:
    sim.add_fault(FaultRule(malformed=True, times=1, path="/v1/account/info"))
    with pytest.raises(FivetranResponseError) as caught:
        client.account_info()
    assert "GET /v1/account/info" in str(caught.value)


def test_truncated_body_names_the_endpoint(sim: FivetranSimulator, client: FivetranClient) -> None:
    sim.add_fault(FaultRule(truncate=True, times=1, path="/v1/groups"))
    with pytest.raises(FivetranResponseError) as caught:
        client.list_groups()
    assert "GET /v1/groups" in str(caught.value) and "cut off" in str(caught.value)


def test_unreachable_api_is_a_transport_error_without_secrets() -> None:
    creds = Credentials("key-abc-123", "secret-xyz-789")
    policy = RetryPolicy(max_attempts=2, backoff_base=0.01)
    with FivetranClient(creds, api_url="http://127.0.0.1:9", retry=policy) as client:
        with pytest.raises(FivetranTransportError) as caught:
            client.account_info()
    text = str(caught.value)
    assert "127.0.0.1:9" in text and "key-abc-123" not in text and "secret-xyz-789" not in text
    assert "key-abc-123" not in repr(client)


def test_path_segments_are_percent_encoded() -> None:
    workspace = hostile_workspace()
    with FivetranSimulator(workspace) as sim, make_client(sim) as client:
        for connection in workspace.connections.values():
            if connection.schema_config is None or connection.setup_state != "connected":
                continue
            for schema in connection.schema_config.values():
                for table in schema.tables.values():
                    columns = client.get_table_columns(connection.id, schema.name, table.name)
                    assert set(columns) == {c.name for c in table.columns}


def test_shared_between_threads_with_a_pool_sized_to_the_concurrency(
    caplog: pytest.LogCaptureFixture,
) -> None:
    workspace = synthetic_workspace(connections=200, tables=2, groups=2, columns=1)
    with FivetranSimulator(workspace) as sim:
        sim.latency = 0.02
        with make_client(sim, pool_size=16) as client, ThreadPoolExecutor(16) as pool:
            caplog.set_level(logging.WARNING, logger="urllib3")
            configs = list(pool.map(client.get_schema_config, sorted(workspace.connections)))
    assert len(configs) == 200 and all("schemas" in c for c in configs)
    assert client.stats.calls == 200
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]


def test_sends_user_agent_and_versioned_accept_header() -> None:
    seen: list[dict[str, str]] = []
    with _tiny_server(lambda path: {"code": "Success", "data": {"items": []}}, seen) as url:
        with FivetranClient(Credentials("k", "s"), api_url=url) as client:
            client.list_connections()
            client.list_groups()
    assert seen[0]["Accept"] == "application/json;version=2"
    assert seen[1]["Accept"] == "application/json"
    assert seen[0]["User-Agent"].startswith("fivetran-codegen/")


def test_a_repeated_cursor_is_refused() -> None:
    page = {"code": "Success", "data": {"items": [{"id": "a"}], "next_cursor": "same"}}
    with _tiny_server(lambda path: page, []) as url:
        with FivetranClient(Credentials("k", "s"), api_url=url) as client:
            with pytest.raises(FivetranResponseError) as caught:
                client.list_groups()
    assert "twice" in str(caught.value)


def test_duplicate_ids_across_pages_are_dropped() -> None:
    pages = iter(
        [
            {"code": "Success", "data": {"items": [{"id": "a"}, {"id": "b"}], "next_cursor": "c1"}},
            {"code": "Success", "data": {"items": [{"id": "b"}, {"id": "c"}], "next_cursor": None}},
        ]
    )
    with _tiny_server(lambda path: next(pages), []) as url:
        with FivetranClient(Credentials("k", "s"), api_url=url) as client:
            assert [g["id"] for g in client.list_groups()] == ["a", "b", "c"]


def _connected(sim: FivetranSimulator) -> str:
    return next(
        c.id
        for c in sim.workspace.connections.values()
        if c.setup_state == "connected" and not c.paused
    )


class _tiny_server:
    """A scripted HTTP server for shapes the simulator is right never to produce."""

    def __init__(self, answer: object, seen: list[dict[str, str]]) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                seen.append(dict(self.headers))
                body = json.dumps(outer.answer(self.path)).encode()  # type: ignore[operator]
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.answer = answer
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
