"""The simulator's 200 responses validate against Fivetran's OpenAPI definition.

The definition sits beside the repository (`../shared/fivetran/openapi.json`); the test skips
when it is absent. Where the definition disagrees with what Fivetran really returns (see
`shared/fivetran/API.md`), `_patch_known_spec_gaps` corrects exactly that spot and says why;
everything else is checked as published, including date-time formats and the per-service
`config` schemas selected by the `service` discriminator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from fivetran_codegen_runtime.testing import (
    FivetranSimulator,
    ManualClock,
    Workspace,
    hostile_workspace,
    sample_workspace,
    synthetic_workspace,
)
from openapi_schema_validator import OAS30Validator, oas30_format_checker

SPEC_PATH = Path(__file__).resolve().parents[3].parent / "shared" / "fivetran" / "openapi.json"

Json = dict[str, Any]


def _patch_known_spec_gaps(spec: Json) -> None:
    schemas = spec["components"]["schemas"]
    for name in ("ConnectorResponse", "ConnectorResponseV1"):
        for field in ("succeeded_at", "failed_at"):
            # Documented as "null if the connection has never completed a successful sync" /
            # "...never experienced a sync failure", but not marked nullable.
            schemas[name]["properties"][field]["nullable"] = True
    # An integer field whose enum is spelled as strings ("1", "5", ...): no integer could match.
    frequency = schemas["ConnectorResponseV1"]["properties"]["sync_frequency"]
    frequency["enum"] = [int(value) for value in frequency["enum"]]
    # Schema-config maps are declared as one property literally named "schema"/"table"/"column"
    # instead of additionalProperties, so the real (source-name) keys would go unchecked.
    for owner, field, key in (
        ("StandardConfigResponse", "schemas", "schema"),
        ("SchemaConfigResponse", "tables", "table"),
        ("TableConfigResponse", "columns", "column"),
        ("TableColumnsConfigResponse", "columns", "column"),
    ):
        container = schemas[owner]["properties"][field]
        container["additionalProperties"] = container.pop("properties")[key]
    # "Unedited columns are omitted": Fivetran leaves `columns` out when no column was edited.
    schemas["TableConfigResponse"]["required"].remove("columns")
    # The enum is upper-case; real and e2e responses say "connected"/"incomplete"/"broken".
    for name in ("DestinationResponse", "DestinationExtendedResponse"):
        status = schemas[name]["properties"]["setup_status"]
        status["enum"] += [value.lower() for value in status["enum"]]
    # List items declare every config value an object; real values are strings, numbers, lists.
    del schemas["ConnectorResponse"]["properties"]["config"]["additionalProperties"]
    # Enumerated config fields ("PASSWORD", "Directly", ...) are typed `object` with string enums.
    for schema in schemas.values():
        for prop in _config_properties(schema):
            if prop.get("type") == "object" and all(
                isinstance(v, str) for v in prop.get("enum", [0])
            ):
                prop["type"] = "string"


def _config_properties(schema: Json) -> Iterator[Json]:
    config = schema.get("properties", {}).get("config", {})
    yield from config.get("properties", {}).values()


@pytest.fixture(scope="module")
def spec() -> Json:
    if not SPEC_PATH.exists():
        pytest.skip(
            "../shared/fivetran/openapi.json not found: the OpenAPI contract test needs "
            "Fivetran's OpenAPI definition beside the repository"
        )
    loaded: Json = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    _patch_known_spec_gaps(loaded)
    return loaded


class Contract:
    def __init__(self, spec: Json) -> None:
        self.spec = spec
        self.schemas = spec["components"]["schemas"]

    def check(self, spec_path: str, method: str, body: Json) -> None:
        operation = self.spec["paths"][spec_path][method.lower()]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        self._validate(schema, body, f"{method} {spec_path}")
        data_schema = self._resolve(schema["properties"].get("data", {}))
        data = body.get("data")
        if isinstance(data, dict):
            self._check_discriminated(data_schema, data, f"{method} {spec_path}")

    def _check_discriminated(self, schema: Json, data: Json, where: str) -> None:
        """OAS30Validator applies `discriminator` only inside oneOf/anyOf/allOf; the connection
        and destination schemas put it at the top, so select the service schema here."""
        mapping = schema.get("discriminator", {}).get("mapping", {})
        target = mapping.get(data.get("service"))
        if target is not None:
            self._validate({"$ref": target}, data, f"{where} as {data['service']}")

    def _validate(self, schema: Json, instance: Any, where: str) -> None:
        validator = OAS30Validator(
            {**schema, "components": self.spec["components"]}, format_checker=oas30_format_checker
        )
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        assert not errors, f"{where}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
        )

    def _resolve(self, schema: Json) -> Json:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
        return schema


@pytest.fixture(scope="module")
def contract(spec: Json) -> Contract:
    return Contract(spec)


def _serve(workspace: Workspace) -> FivetranSimulator:
    return FivetranSimulator(workspace, clock=ManualClock())


@pytest.fixture(scope="module")
def sim() -> Iterator[FivetranSimulator]:
    with _serve(sample_workspace()) as running:
        yield running


def _get(sim: FivetranSimulator, path: str, **params: Any) -> Json:
    response = requests.get(sim.url + path, params=params, auth=(sim.api_key, sim.api_secret))
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def _send(sim: FivetranSimulator, method: str, path: str, body: Json | None = None) -> Json:
    response = requests.request(
        method, sim.url + path, json=body, auth=(sim.api_key, sim.api_secret)
    )
    assert response.status_code == 200, response.text
    result: Json = response.json()
    return result


SAMPLE_CONNECTIONS = sorted(sample_workspace().connections)
SAMPLE_CONNECTIONS_WITH_SCHEMA_CONFIG = sorted(
    conn.id for conn in sample_workspace().connections.values() if conn.schema_config is not None
)
SAMPLE_GROUPS_WITH_DESTINATION = sorted(
    group.id for group in sample_workspace().groups.values() if group.destination
)


def test_account_info(sim: FivetranSimulator, contract: Contract) -> None:
    contract.check("/v1/account/info", "GET", _get(sim, "/v1/account/info"))


def test_group_endpoints(sim: FivetranSimulator, contract: Contract) -> None:
    first = _get(sim, "/v1/groups", limit=2)
    assert "next_cursor" in first["data"]
    contract.check("/v1/groups", "GET", first)
    contract.check(
        "/v1/groups", "GET", _get(sim, "/v1/groups", cursor=first["data"]["next_cursor"])
    )
    contract.check("/v1/groups/{groupId}", "GET", _get(sim, "/v1/groups/projected_sickle"))
    contract.check(
        "/v1/groups/{groupId}/connections",
        "GET",
        _get(sim, "/v1/groups/projected_sickle/connections"),
    )


def test_connection_list(sim: FivetranSimulator, contract: Contract) -> None:
    contract.check("/v1/connections", "GET", _get(sim, "/v1/connections"))


@pytest.mark.parametrize("connection_id", SAMPLE_CONNECTIONS)
def test_connection_details(sim: FivetranSimulator, contract: Contract, connection_id: str) -> None:
    body = _get(sim, f"/v1/connections/{connection_id}")
    contract.check("/v1/connections/{connectionId}", "GET", body)


@pytest.mark.parametrize("connection_id", SAMPLE_CONNECTIONS_WITH_SCHEMA_CONFIG)
def test_schema_config(sim: FivetranSimulator, contract: Contract, connection_id: str) -> None:
    body = _get(sim, f"/v1/connections/{connection_id}/schemas")
    contract.check("/v1/connections/{connectionId}/schemas", "GET", body)


def test_columns(sim: FivetranSimulator, contract: Contract) -> None:
    body = _get(
        sim, "/v1/connections/dialectical_remindful/schemas/public/tables/OrderItems/columns"
    )
    contract.check(
        "/v1/connections/{connectionId}/schemas/{schema}/tables/{table}/columns", "GET", body
    )


def test_destinations(sim: FivetranSimulator, contract: Contract) -> None:
    contract.check("/v1/destinations", "GET", _get(sim, "/v1/destinations"))
    services = set()
    for group_id in SAMPLE_GROUPS_WITH_DESTINATION:
        body = _get(sim, f"/v1/destinations/{group_id}")
        contract.check("/v1/destinations/{destinationId}", "GET", body)
        services.add(body["data"]["service"])
    assert services == {"snowflake", "big_query", "databricks"}


def test_write_endpoints(contract: Contract) -> None:
    # A fresh simulator: these calls change sync state.
    with _serve(sample_workspace()) as sim:
        conn = "/v1/connections/dialectical_remindful"
        patched = _send(sim, "PATCH", conn, {"schedule_type": "manual", "run_setup_tests": False})
        contract.check("/v1/connections/{connectionId}", "PATCH", patched)
        contract.check(
            "/v1/connections/{connectionId}/sync", "POST", _send(sim, "POST", f"{conn}/sync")
        )
        contract.check(
            "/v1/connections/{connectionId}/resync",
            "POST",
            _send(sim, "POST", f"{conn}/resync", {"scope": {"public": ["orders"]}}),
        )
        contract.check(
            "/v1/connections/{connectionId}/schemas/tables/resync",
            "POST",
            _send(sim, "POST", f"{conn}/schemas/tables/resync", {"public": ["OrderItems"]}),
        )


def test_rescheduled_connection(contract: Contract) -> None:
    with _serve(sample_workspace()) as sim:
        sim.set_next_outcome("quiet_lantern", "reschedule", duration=1, rescheduled_for_in=600)
        _send(sim, "POST", "/v1/connections/quiet_lantern/sync")
        sim.advance(2)
        body = _get(sim, "/v1/connections/quiet_lantern")
        assert body["data"]["status"]["sync_state"] == "rescheduled"
        assert "rescheduled_for" in body["data"]["status"]
        contract.check("/v1/connections/{connectionId}", "GET", body)


@pytest.mark.parametrize(
    "build",
    [hostile_workspace, lambda: synthetic_workspace(connections=12, tables=3, groups=3)],
    ids=["hostile", "synthetic"],
)
def test_other_workspaces(build: Any, contract: Contract) -> None:
    with _serve(build()) as sim:
        contract.check("/v1/groups", "GET", _get(sim, "/v1/groups"))
        contract.check("/v1/connections", "GET", _get(sim, "/v1/connections", limit=1000))
        for group in sim.workspace.groups.values():
            body = _get(sim, f"/v1/destinations/{quote(group.id, safe='')}")
            contract.check("/v1/destinations/{destinationId}", "GET", body)
        for conn_id, conn in sim.workspace.connections.items():
            path = f"/v1/connections/{quote(conn_id, safe='')}"
            contract.check("/v1/connections/{connectionId}", "GET", _get(sim, path))
            contract.check(
                "/v1/connections/{connectionId}/schemas", "GET", _get(sim, f"{path}/schemas")
            )
            schema = next(iter((conn.schema_config or {}).values()))
            table = next(iter(schema.tables.values()))
            columns = _get(
                sim,
                f"{path}/schemas/{quote(schema.name, safe='')}/tables/{quote(table.name, safe='')}"
                "/columns",
            )
            contract.check(
                "/v1/connections/{connectionId}/schemas/{schema}/tables/{table}/columns",
                "GET",
                columns,
            )
