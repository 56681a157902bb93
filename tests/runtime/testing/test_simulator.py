"""The simulator's wire format over real HTTP: envelopes, auth, pagination, filters, errors,
legacy paths, faults, latency, rate limits, PATCH validation and percent-encoded names."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import pytest
import requests
from fivetran_codegen_runtime.testing import (
    FaultRule,
    FivetranSimulator,
    ManualClock,
    hostile_workspace,
    sample_workspace,
    synthetic_workspace,
)
from hypothesis import given, settings
from hypothesis import strategies as st

Json = dict[str, Any]


@pytest.fixture
def sim() -> Iterator[FivetranSimulator]:
    with FivetranSimulator(sample_workspace(), clock=ManualClock()) as running:
        yield running


@pytest.fixture
def http(sim: FivetranSimulator) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.auth = (sim.api_key, sim.api_secret)
        yield session


def _items(http: requests.Session, url: str, **params: Any) -> list[Json]:
    response = http.get(url, params=params)
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()["data"]["items"]
    return items


def _error(response: requests.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == code
    message: str = body["message"]
    return message


# --- envelopes and headers


def test_success_envelope_and_headers(sim: FivetranSimulator, http: requests.Session) -> None:
    first = http.get(f"{sim.url}/v1/account/info")
    second = http.get(f"{sim.url}/v1/account/info")
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "application/json"
    body = first.json()
    assert body["code"] == "Success"
    assert body["message"] == "Account information retrieved successfully"
    assert body["data"]["account_id"] == "lumpy_chameleon"
    assert first.headers["X-Rate-Limit"] == "20000"
    assert first.headers["X-Rate-Limit-Remaining"] == "19999"
    assert second.headers["X-Rate-Limit-Remaining"] == "19998"
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_action_endpoints_answer_without_data(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    response = http.post(f"{sim.url}/v1/connections/speak_inexpensive/sync", json={"force": False})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"code", "message"}
    assert "speak_inexpensive" in body["message"]


def test_unknown_path_and_wrong_method(sim: FivetranSimulator, http: requests.Session) -> None:
    _error(http.get(f"{sim.url}/v1/no/such/thing"), 404, "NotFound")
    _error(http.get(f"{sim.url}/v2/groups"), 404, "NotFound")
    response = http.delete(f"{sim.url}/v1/groups")
    _error(response, 405, "MethodNotAllowed")
    assert response.headers["Allow"] == "GET"
    _error(
        http.put(f"{sim.url}/v1/connections/speak_inexpensive", json={}), 405, "MethodNotAllowed"
    )
    _error(http.get(f"{sim.url}/v1/connections/speak_inexpensive/sync"), 405, "MethodNotAllowed")
    # Methods no route takes answer 405 with Allow too, not a 5xx a retrying client would retry.
    for method in ("OPTIONS", "TRACE", "CONNECT"):
        response = http.request(method, f"{sim.url}/v1/groups")
        _error(response, 405, "MethodNotAllowed")
        assert response.headers["Allow"] == "GET"
    head = http.head(f"{sim.url}/v1/connections/speak_inexpensive")
    assert head.status_code == 405 and head.headers["Allow"] and not head.content
    # The connection stays usable after a HEAD: its reply carried no body to misread.
    assert http.get(f"{sim.url}/v1/groups").status_code == 200


def test_a_body_that_is_not_json_by_content_type_is_refused_with_415(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    url = f"{sim.url}/v1/connections/speak_inexpensive"
    form = http.patch(url, data="paused=true", headers={"Content-Type": "text/plain"})
    _error(form, 415, "UnsupportedMediaType")
    assert sim.workspace.connections["speak_inexpensive"].paused is False
    versioned = {"Content-Type": "application/json;version=2"}
    assert http.patch(url, data='{"paused": false}', headers=versioned).status_code == 200
    assert http.post(f"{url}/sync").status_code == 200  # no body, no Content-Type: fine


def test_list_messages_are_the_specs(sim: FivetranSimulator, http: requests.Session) -> None:
    body = http.get(f"{sim.url}/v1/destinations").json()
    assert body["message"] == "Destinations list retrieved successfully"


# --- auth


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic " + base64.b64encode(b"sim-key:wrong-secret").decode(),
        "Basic " + base64.b64encode(b"nobody:sim-secret").decode(),
        "Basic !!!not-base64!!!",
        "Bearer sim-key",
    ],
    ids=["missing", "bad-secret", "unknown-key", "garbage", "not-basic"],
)
def test_bad_credentials_are_401_without_echo(
    sim: FivetranSimulator, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = requests.get(f"{sim.url}/v1/groups", headers=headers)
    message = _error(response, 401, "Unauthorized")
    for secret in ("wrong-secret", "sim-secret", "nobody", "not-base64"):
        assert secret not in response.text
    assert message
    assert "X-Rate-Limit" in response.headers


def test_forbidden_key_gets_403_naming_the_permission(sim: FivetranSimulator) -> None:
    sim.add_key("other-key", "other-secret", access="forbidden")
    auth = ("other-key", "other-secret")
    message = _error(requests.get(f"{sim.url}/v1/account/info", auth=auth), 403, "Forbidden")
    assert message == "Access denied. Required permission: ACCOUNT_READ"
    message = _error(requests.get(f"{sim.url}/v1/connections", auth=auth), 403, "Forbidden")
    assert message.endswith("CONNECTION_READ")


def test_rbac_limited_key_sees_nothing(sim: FivetranSimulator) -> None:
    sim.add_key("empty-key", "empty-secret", access="none")
    with requests.Session() as session:
        session.auth = ("empty-key", "empty-secret")
        assert session.get(f"{sim.url}/v1/account/info").status_code == 200
        assert _items(session, f"{sim.url}/v1/groups") == []
        assert _items(session, f"{sim.url}/v1/connections") == []
        assert _items(session, f"{sim.url}/v1/destinations") == []
        response = session.get(f"{sim.url}/v1/connections/speak_inexpensive")
        _error(response, 404, "NotFound_Connection")


# --- pagination


def test_walk_pages_to_the_last_one(sim: FivetranSimulator, http: requests.Session) -> None:
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: Json = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        data = http.get(f"{sim.url}/v1/groups", params=params).json()["data"]
        pages += 1
        seen += [group["id"] for group in data["items"]]
        cursor = data.get("next_cursor")
        if cursor is None:
            break
        assert "nextCursor" not in data  # only on legacy paths
    assert seen == list(sim.workspace.groups)
    assert pages == len(sim.workspace.groups) == 4


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "abc", ""])
def test_limit_out_of_range_is_400(
    sim: FivetranSimulator, http: requests.Session, limit: str
) -> None:
    response = http.get(f"{sim.url}/v1/connections", params={"limit": limit})
    assert "limit" in _error(response, 400, "InvalidInput")


@pytest.mark.parametrize("limit", [1, 1000])
def test_limit_bounds_are_accepted(
    sim: FivetranSimulator, http: requests.Session, limit: int
) -> None:
    assert len(_items(http, f"{sim.url}/v1/connections", limit=limit)) == min(limit, 7)


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        base64.b64encode(b"not json").decode(),
        base64.b64encode(b'{"skip": -1}').decode(),
        base64.b64encode(b'{"offset": 1}').decode(),
    ],
)
def test_garbage_cursor_is_400(sim: FivetranSimulator, http: requests.Session, cursor: str) -> None:
    response = http.get(f"{sim.url}/v1/groups", params={"cursor": cursor})
    _error(response, 400, "InvalidInput")


def test_default_page_size_and_large_pages() -> None:
    with FivetranSimulator(synthetic_workspace(connections=250, tables=1, groups=3)) as sim:
        auth = (sim.api_key, sim.api_secret)
        first = requests.get(f"{sim.url}/v1/connections", auth=auth).json()["data"]
        assert len(first["items"]) == 100
        assert first["next_cursor"]
        whole = requests.get(f"{sim.url}/v1/connections?limit=1000", auth=auth).json()["data"]
        assert "next_cursor" not in whole
        assert len({item["id"] for item in whole["items"]}) == 250
        second = requests.get(
            f"{sim.url}/v1/connections", params={"cursor": first["next_cursor"]}, auth=auth
        ).json()["data"]
        assert second["items"][0]["id"] == whole["items"][100]["id"]


@pytest.fixture(scope="module")
def paging_sim() -> Iterator[FivetranSimulator]:
    with FivetranSimulator(synthetic_workspace(connections=57, tables=1, groups=4)) as running:
        yield running


@settings(max_examples=30, deadline=None)
@given(limit=st.integers(1, 60), by_group=st.booleans())
def test_any_page_size_walks_every_connection_once(
    paging_sim: FivetranSimulator, limit: int, by_group: bool
) -> None:
    group_id = next(iter(paging_sim.workspace.groups))
    path = f"/v1/groups/{group_id}/connections" if by_group else "/v1/connections"
    expected = [
        c.id
        for c in paging_sim.workspace.connections.values()
        if not by_group or c.group_id == group_id
    ]
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": limit}
    with requests.Session() as http:
        http.auth = (paging_sim.api_key, paging_sim.api_secret)
        while True:
            data = http.get(f"{paging_sim.url}{path}", params=params).json()["data"]
            assert len(data["items"]) <= limit
            seen += [item["id"] for item in data["items"]]
            if "next_cursor" not in data:
                break
            params = {"limit": limit, "cursor": data["next_cursor"]}
    assert seen == expected


def test_every_list_endpoint_pages(sim: FivetranSimulator, http: requests.Session) -> None:
    for path in ("/v1/destinations", "/v1/groups/projected_sickle/connections"):
        data = http.get(f"{sim.url}{path}", params={"limit": 1}).json()["data"]
        assert len(data["items"]) == 1
        assert data["next_cursor"]


# --- filters and lookups


def test_connection_filters(sim: FivetranSimulator, http: requests.Session) -> None:
    def ids(**params: Any) -> set[str]:
        return {item["id"] for item in _items(http, f"{sim.url}/v1/connections", **params)}

    assert ids(group_id="projected_sickle") == {"speak_inexpensive", "dialectical_remindful"}
    assert ids(schema="hubspot") == {"macaroni_unwieldy"}
    assert ids(schema="hub") == set()  # exact match only
    assert ids(group_id="projected_sickle", schema="hubspot") == set()
    assert ids(group_id="no_such_group") == set()
    group = _items(http, f"{sim.url}/v1/groups/empties_classification/connections", schema="github")
    assert [item["id"] for item in group] == ["quiet_lantern"]


def test_not_found_codes(sim: FivetranSimulator, http: requests.Session) -> None:
    url = sim.url
    message = _error(http.get(f"{url}/v1/connections/no_such"), 404, "NotFound_Connection")
    assert "no_such" in message
    message = _error(
        http.get(f"{url}/v1/connections/nimble_cactus/schemas"), 404, "NotFound_SchemaConfig"
    )
    assert message == "Connection with id 'nimble_cactus' doesn't have schema config"
    _error(http.get(f"{url}/v1/destinations/lonely_vestibule"), 404, "NotFound_Destination")
    _error(http.get(f"{url}/v1/destinations/no_such"), 404, "NotFound_Destination")
    _error(http.get(f"{url}/v1/groups/no_such"), 404, "NotFound_Group")
    _error(http.get(f"{url}/v1/groups/no_such/connections"), 404, "NotFound_Group")
    _error(
        http.get(f"{url}/v1/connections/speak_inexpensive/schemas/salesforce/tables/Nope/columns"),
        404,
        "NotFound",
    )


def test_group_without_destination_still_lists(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    assert _items(http, f"{sim.url}/v1/groups/lonely_vestibule/connections") == []
    destinations = _items(http, f"{sim.url}/v1/destinations")
    assert {d["id"] for d in destinations} == {
        "projected_sickle",
        "schoolmaster_heedless",
        "empties_classification",
    }
    assert all("config" not in d for d in destinations)  # list items carry no config


def test_destination_details_per_service(sim: FivetranSimulator, http: requests.Session) -> None:
    def config(group_id: str) -> Json:
        data: Json = http.get(f"{sim.url}/v1/destinations/{group_id}").json()["data"]
        assert data["id"] == data["group_id"] == group_id
        return data

    snowflake = config("projected_sickle")
    assert (snowflake["service"], snowflake["config"]["database"]) == ("snowflake", "ANALYTICS")
    assert snowflake["config"]["password"] == "******"
    bigquery = config("schoolmaster_heedless")
    assert bigquery["config"]["project_id"] == "acme-marketing-prod"
    assert "database" not in bigquery["config"]
    assert config("empties_classification")["config"]["catalog"] == "main"


def test_schema_config_lists_only_user_modified_columns(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    base = f"{sim.url}/v1/connections/dialectical_remindful/schemas"
    config = http.get(base).json()["data"]
    public = config["schemas"]["public"]
    assert public["name_in_destination"] == "pg_prod_public"
    assert config["schemas"]["internal"]["enabled"] is False
    items = public["tables"]["OrderItems"]
    assert items["name_in_destination"] == "order_items"
    assert list(items["columns"]) == ["internal_notes"]
    assert "columns" not in public["tables"]["audit_log"]
    assert public["tables"]["audit_log"]["enabled"] is False
    columns = http.get(f"{base}/public/tables/OrderItems/columns").json()["data"]["columns"]
    assert list(columns) == ["id", "orderId", "sku", "quantity", "internal_notes"]
    assert columns["id"]["is_primary_key"] is True
    assert columns["id"]["enabled_patch_settings"]["allowed"] is False
    assert columns["orderId"]["name_in_destination"] == "order_id"
    github = http.get(f"{sim.url}/v1/connections/quiet_lantern/schemas").json()["data"]
    repository = github["schemas"]["github"]["tables"]["repository"]
    assert repository["enabled_patch_settings"]["reason_code"] == "SYSTEM_TABLE"


def test_columns_need_a_connected_connection(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    response = http.get(
        f"{sim.url}/v1/connections/wobbly_pancake/schemas/stripe/tables/charge/columns"
    )
    assert "broken" in _error(response, 400, "BadRequest")


def test_hostile_names_round_trip_percent_encoded() -> None:
    with FivetranSimulator(hostile_workspace()) as sim, requests.Session() as http:
        http.auth = (sim.api_key, sim.api_secret)
        groups = _items(http, f"{sim.url}/v1/groups")
        assert [g["name"] for g in groups] == [g.name for g in sim.workspace.groups.values()]
        listed = _items(http, f"{sim.url}/v1/connections", limit=1000)
        assert [c["schema"] for c in listed] == [
            c.schema for c in sim.workspace.connections.values()
        ]
        checked = 0
        for conn in sim.workspace.connections.values():
            for schema in (conn.schema_config or {}).values():
                for table in schema.tables.values():
                    url = (
                        f"{sim.url}/v1/connections/{conn.id}/schemas/{quote(schema.name, safe='')}"
                        f"/tables/{quote(table.name, safe='')}/columns"
                    )
                    response = http.get(url)
                    assert response.status_code == 200, (schema.name, table.name, response.text)
                    assert list(response.json()["data"]["columns"]) == [
                        column.name for column in table.columns
                    ]
                    checked += 1
        assert checked == sim.workspace.table_count()
        # Unencoded, a slash splits the path: the name must be percent-encoded.
        conn_id, schema_name = next(
            (conn.id, schema.name)
            for conn in sim.workspace.connections.values()
            for schema in (conn.schema_config or {}).values()
            if "slash/name" in schema.tables
        )
        response = http.get(
            f"{sim.url}/v1/connections/{conn_id}/schemas/{quote(schema_name, safe='')}"
            "/tables/slash/name/columns"
        )
        assert response.status_code == 404


# --- legacy paths


def test_legacy_paths_are_404_by_default(sim: FivetranSimulator, http: requests.Session) -> None:
    for path in (
        "/v1/connectors",
        "/v1/connectors/speak_inexpensive",
        "/v1/groups/projected_sickle/connectors",
    ):
        _error(http.get(f"{sim.url}{path}"), 404, "NotFound")
    _error(http.post(f"{sim.url}/v1/connectors/speak_inexpensive/force"), 404, "NotFound")
    _error(http.post(f"{sim.url}/v1/connections/speak_inexpensive/force"), 404, "NotFound")


def test_legacy_paths_when_enabled(sim: FivetranSimulator, http: requests.Session) -> None:
    sim.legacy_paths = True
    url = sim.url
    data = http.get(f"{url}/v1/groups/projected_sickle/connectors", params={"limit": 1}).json()
    assert data["data"]["nextCursor"] == data["data"]["next_cursor"]
    rest = http.get(
        f"{url}/v1/groups/projected_sickle/connectors",
        params={"limit": 1, "cursor": data["data"]["nextCursor"]},
    ).json()["data"]
    assert "nextCursor" not in rest
    assert {data["data"]["items"][0]["id"], rest["items"][0]["id"]} == {
        "speak_inexpensive",
        "dialectical_remindful",
    }
    assert http.get(f"{url}/v1/connectors/quiet_lantern").json()["data"]["id"] == "quiet_lantern"
    _error(http.get(f"{url}/v1/connectors/no_such"), 404, "NotFound_Connector")
    message = _error(
        http.get(f"{url}/v1/connectors/nimble_cactus/schemas"), 404, "NotFound_SchemaConfig"
    )
    assert message.startswith("Connector with id")
    patched = http.patch(f"{url}/v1/connectors/quiet_lantern", json={"schedule_type": "manual"})
    assert patched.json()["data"]["schedule_type"] == "manual"
    assert http.post(f"{url}/v1/connectors/quiet_lantern/force").status_code == 200
    state = http.get(f"{url}/v1/connections/quiet_lantern").json()["data"]["status"]
    assert state["sync_state"] == "syncing"


def test_legacy_columns_accept_destination_names(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    sim.legacy_paths = True
    legacy = f"{sim.url}/v1/connectors/dialectical_remindful/schemas"
    current = f"{sim.url}/v1/connections/dialectical_remindful/schemas"
    assert http.get(f"{legacy}/pg_prod_public/tables/order_items/columns").status_code == 200
    assert http.get(f"{legacy}/public/tables/OrderItems/columns").status_code == 200
    _error(http.get(f"{current}/pg_prod_public/tables/order_items/columns"), 404, "NotFound")


# --- faults


def test_status_fault_on_a_glob(sim: FivetranSimulator, http: requests.Session) -> None:
    sim.add_fault(FaultRule(status=503, times=3, method="GET", path="/v1/connections/*/schemas"))
    url = f"{sim.url}/v1/connections/speak_inexpensive/schemas"
    for _ in range(3):
        _error(http.get(url), 503, "ServiceUnavailable")
        assert http.get(f"{sim.url}/v1/groups").status_code == 200  # other paths unaffected
    assert http.get(url).status_code == 200
    assert sim.count("GET", "/v1/connections/*/schemas") == 4


def test_429_storm_carries_retry_after(sim: FivetranSimulator, http: requests.Session) -> None:
    sim.add_fault(FaultRule(status=429, times=2, retry_after=7))
    for _ in range(2):
        response = http.get(f"{sim.url}/v1/groups")
        _error(response, 429, "TooManyRequests")
        assert response.headers["Retry-After"] == "7"
    assert http.get(f"{sim.url}/v1/groups").status_code == 200


def test_drop_closes_without_answering(sim: FivetranSimulator, http: requests.Session) -> None:
    sim.add_fault(FaultRule(drop=True, times=1))
    with pytest.raises(requests.ConnectionError):
        http.get(f"{sim.url}/v1/groups")
    assert http.get(f"{sim.url}/v1/groups").status_code == 200
    assert [record.status for record in sim.request_log] == [0, 200]


def test_truncate_breaks_the_read_after_processing(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    sim.add_fault(FaultRule(truncate=True, times=1, path="/v1/connections/*/sync"))
    with pytest.raises(requests.exceptions.RequestException):
        http.post(f"{sim.url}/v1/connections/speak_inexpensive/sync", json={"force": False})
    # The request was handled even though the client never saw the answer.
    assert sim.workspace.connections["speak_inexpensive"].sync_state == "syncing"


def test_truncated_list(sim: FivetranSimulator, http: requests.Session) -> None:
    sim.add_fault(FaultRule(truncate=True, times=1, path="/v1/groups"))
    with pytest.raises(requests.exceptions.RequestException):
        http.get(f"{sim.url}/v1/groups")
    assert http.get(f"{sim.url}/v1/groups").status_code == 200


def test_malformed_body(sim: FivetranSimulator, http: requests.Session) -> None:
    sim.add_fault(FaultRule(malformed=True, times=1, path="/v1/account/info"))
    response = http.get(f"{sim.url}/v1/account/info")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert http.get(f"{sim.url}/v1/account/info").json()["code"] == "Success"


def test_fault_method_filter_and_forever(sim: FivetranSimulator, http: requests.Session) -> None:
    sim.add_fault(FaultRule(status=500, times=None, method="POST"))
    assert http.get(f"{sim.url}/v1/groups").status_code == 200
    for _ in range(5):
        response = http.post(f"{sim.url}/v1/connections/speak_inexpensive/sync")
        _error(response, 500, "InternalServerError")
    sim.clear_faults()
    assert http.post(f"{sim.url}/v1/connections/speak_inexpensive/sync").status_code == 200


def test_probabilistic_faults_are_seeded() -> None:
    def statuses(seed: int) -> list[int]:
        with FivetranSimulator(sample_workspace(), seed=seed) as sim:
            sim.add_fault(FaultRule(status=502, times=None, probability=0.5))
            auth = (sim.api_key, sim.api_secret)
            return [requests.get(f"{sim.url}/v1/groups", auth=auth).status_code for _ in range(30)]

    first = statuses(1)
    assert first == statuses(1)
    assert set(first) == {200, 502}
    assert first != statuses(2)


def test_fault_delay_makes_one_endpoint_slow(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    sim.add_fault(FaultRule(delay=0.5, times=1, path="/v1/groups"))
    with pytest.raises(requests.Timeout):
        http.get(f"{sim.url}/v1/groups", timeout=0.2)
    started = time.perf_counter()
    assert http.get(f"{sim.url}/v1/groups").status_code == 200
    assert time.perf_counter() - started < 0.4


def test_invalid_fault_rules() -> None:
    with pytest.raises(ValueError):
        FaultRule(status=200)
    with pytest.raises(ValueError):
        FaultRule(status=500, times=0)
    with pytest.raises(ValueError):
        FaultRule(status=500, probability=0)


# --- latency and concurrency


def test_latency_applies_per_request_and_overlaps(sim: FivetranSimulator) -> None:
    sim.latency = 0.25
    auth = (sim.api_key, sim.api_secret)

    def fetch(_: int) -> int:
        return requests.get(f"{sim.url}/v1/groups", auth=auth).status_code

    started = time.perf_counter()
    assert fetch(0) == 200
    assert time.perf_counter() - started >= 0.25
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(fetch, range(8))) == [200] * 8
    assert time.perf_counter() - started < 1.0  # 2 s if the handler serialized requests


def test_stop_is_prompt_with_keep_alive_connections_open() -> None:
    sim = FivetranSimulator(sample_workspace()).start()
    sessions = [requests.Session() for _ in range(4)]
    for session in sessions:
        assert session.get(f"{sim.url}/v1/groups", auth=(sim.api_key, sim.api_secret)).ok
    url = sim.url
    started = time.perf_counter()
    sim.stop()
    assert time.perf_counter() - started < 1.0
    with pytest.raises(requests.ConnectionError):
        sessions[0].get(f"{url}/v1/groups", auth=("sim-key", "sim-secret"), timeout=2)
    for session in sessions:
        session.close()


# --- rate limits


def test_rate_limit_429_and_refill(sim: FivetranSimulator, http: requests.Session) -> None:
    sim.rate_limit_per_hour = 3
    remaining = [http.get(f"{sim.url}/v1/groups").headers["X-Rate-Limit-Remaining"] for _ in "abc"]
    assert remaining == ["2", "1", "0"]
    assert requests.get(f"{sim.url}/v1/groups").status_code == 401  # not counted
    response = http.get(f"{sim.url}/v1/groups")
    _error(response, 429, "TooManyRequests")
    assert response.headers["Retry-After"] == "3600"  # the manual clock has not moved
    assert response.headers["X-Rate-Limit"] == "3"
    sim.advance(1800)
    assert http.get(f"{sim.url}/v1/groups").headers["Retry-After"] == "1800"
    sim.advance(1800)
    assert http.get(f"{sim.url}/v1/groups").status_code == 200


def test_source_interaction_bucket_is_separate(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    sim.source_rate_limit_per_hour = 2
    columns = (
        f"{sim.url}/v1/connections/speak_inexpensive/schemas/salesforce/tables/Account/columns"
    )
    assert [http.get(columns).status_code for _ in range(2)] == [200, 200]
    response = http.get(columns)
    _error(response, 429, "TooManyRequests")
    assert int(response.headers["Retry-After"]) > 0
    assert http.get(f"{sim.url}/v1/connections/speak_inexpensive/schemas").status_code == 200


# --- request log


def test_request_log_and_count(sim: FivetranSimulator, http: requests.Session) -> None:
    http.get(f"{sim.url}/v1/connections", params={"group_id": "projected_sickle", "limit": "5"})
    http.patch(
        f"{sim.url}/v1/connections/quiet_lantern",
        json={"schedule_type": "manual", "run_setup_tests": False},
    )
    http.get(f"{sim.url}/v1/connections/quiet_lantern")
    log = sim.request_log
    assert log[0].query == {"group_id": "projected_sickle", "limit": "5"}
    assert log[1].method == "PATCH"
    assert log[1].body == {"schedule_type": "manual", "run_setup_tests": False}
    assert log[1].status == 200
    assert sim.count() == 3
    assert sim.count(path="/v1/connections*") == 3
    assert sim.count(method="get", path="/v1/connections/*") == 1
    sim.reset_log()
    assert sim.count() == 0


# --- PATCH /v1/connections/{id}


@pytest.mark.parametrize(
    "body",
    [
        {"run_setup_tests": False},
        {},
        {"sync_frequency": 7},
        {"sync_frequency": "60"},
        {"sync_frequency": True},
        {"schedule_type": "hourly"},
        {"paused": "yes"},
        {"daily_sync_time": "02:30"},
        {"daily_sync_time": "25:00"},
        {"daily_sync_time": "03:00", "sync_frequency": 60},
        {"schedule_type": "manual", "bogus": 1},
        {"data_delay_threshold": -1},
        [{"paused": True}],
    ],
)
def test_patch_rejects_invalid_bodies(
    sim: FivetranSimulator, http: requests.Session, body: Any
) -> None:
    url = f"{sim.url}/v1/connections/dialectical_remindful"
    before = http.get(url).json()["data"]
    _error(http.patch(url, json=body), 400, "InvalidInput")
    assert http.get(url).json()["data"] == before


def test_patch_rejects_a_body_that_is_not_json(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    response = http.patch(
        f"{sim.url}/v1/connections/quiet_lantern",
        data="{schedule_type: manual",
        headers={"Content-Type": "application/json"},
    )
    _error(response, 400, "InvalidInput")
    assert sim.request_log[-1].body == "{schedule_type: manual"


def test_patch_applies_and_returns_the_object(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    url = f"{sim.url}/v1/connections/quiet_lantern"
    response = http.patch(url, json={"schedule_type": "manual", "run_setup_tests": False})
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Connection has been updated"
    assert body["data"]["id"] == "quiet_lantern"
    assert body["data"]["schedule_type"] == "manual"
    assert "config" in body["data"]
    daily = http.patch(url, json={"sync_frequency": 1440, "daily_sync_time": "05:00"}).json()
    assert (daily["data"]["sync_frequency"], daily["data"]["daily_sync_time"]) == (1440, "05:00")
    hourly = http.patch(url, json={"sync_frequency": 60}).json()["data"]
    assert "daily_sync_time" not in hourly
    assert http.get(url).json()["data"]["schedule_type"] == "manual"


def test_a_table_resync_of_a_sheets_connection_is_refused_as_fivetran_does(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    sheets = next(c for c in sim.workspace.connections.values() if c.service == "google_sheets")
    url = f"{sim.url}/v1/connections/{sheets.id}"
    schema, tables = next(iter((sheets.schema_config or {}).items()))
    scope = {schema: list(tables.tables)[:1]}
    _error(http.post(f"{url}/resync", json={"scope": scope}), 400, "InvalidInput")
    _error(http.post(f"{url}/schemas/tables/resync", json=scope), 400, "InvalidInput")
    assert sheets.resync_requests == []
    assert http.post(f"{url}/resync", json={}).status_code == 200  # the whole connection


def test_patch_accepts_the_specs_other_fields_and_applies_what_it_models(
    sim: FivetranSimulator, http: requests.Session
) -> None:
    url = f"{sim.url}/v1/connections/speak_inexpensive"
    conn = sim.workspace.connections["speak_inexpensive"]
    before = dict(conn.config)
    body = {
        "config": {"is_sandbox": True},
        "auth": {"client_access": {"client_id": "x"}},
        "networking_method": "SshTunnel",
        "hybrid_deployment_agent_id": "agent",
        "proxy_agent_id": "proxy",
        "private_link_id": "link",
        "destination_configuration": {"virtual_warehouse": "wh"},
        "external_secrets_manager_id": "esm",
        "external_secrets_keys_config": {"password": "key"},
        "schema_status": "ready",
    }
    response = http.patch(url, json=body)
    assert response.status_code == 200, response.text
    assert conn.config == {**before, "is_sandbox": True}  # merged, not replaced
    assert conn.networking_method == "SshTunnel"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"config": "x"}, "Field 'config' must be an object"),
        ({"proxy_agent_id": 5}, "Field 'proxy_agent_id' must be a string"),
        ({"networking_method": "Carrier pigeon"}, "Field 'networking_method' must be one of"),
        ({"schema_status": "done"}, "Field 'schema_status' must be one of"),
        ({"no_such_field": True}, "Unknown or unsupported field 'no_such_field'"),
    ],
)
def test_patch_still_refuses_bad_values_and_unknown_fields(
    body: dict[str, object], message: str, sim: FivetranSimulator, http: requests.Session
) -> None:
    conn = sim.workspace.connections["speak_inexpensive"]
    before = (dict(conn.config), conn.networking_method)
    response = http.patch(f"{sim.url}/v1/connections/speak_inexpensive", json=body)
    assert response.status_code == 400 and message in response.json()["message"]
    assert (dict(conn.config), conn.networking_method) == before
