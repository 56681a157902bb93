"""Workspace builders (sample, synthetic, hostile), `serve`, and throughput under concurrency."""

from __future__ import annotations

import keyword
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from fivetran_codegen_runtime.testing import (
    WORKSPACE_BUILDERS,
    FivetranSimulator,
    Workspace,
    hostile_workspace,
    sample_workspace,
    serve,
    synthetic_workspace,
)


def _all_names(ws: Workspace) -> dict[str, list[str]]:
    """Every user-controlled string in the workspace, by where it appears."""
    names: dict[str, list[str]] = {
        "connection": [],
        "source": [],
        "destination": [],
        "group": [],
        "database": [],
    }
    for group in ws.groups.values():
        names["group"].append(group.name)
        if group.destination is not None:
            config = group.destination.config
            names["database"].append(
                str(config.get("database") or config.get("project_id") or config.get("catalog"))
            )
    for conn in ws.connections.values():
        names["connection"].append(conn.schema)
        for schema in (conn.schema_config or {}).values():
            names["source"].append(schema.name)
            names["destination"].append(schema.name_in_destination)
            for table in schema.tables.values():
                names["source"].append(table.name)
                names["destination"].append(table.name_in_destination)
                for column in table.columns:
                    names["source"].append(column.name)
                    names["destination"].append(column.name_in_destination)
    return names


def _asset_keys(ws: Workspace) -> list[tuple[str, str]]:
    return [
        (schema.name_in_destination, table.name_in_destination)
        for conn in ws.connections.values()
        for schema in (conn.schema_config or {}).values()
        for table in schema.tables.values()
    ]


# --- sample


def test_sample_workspace_has_the_documented_edge_cases() -> None:
    ws = sample_workspace()
    services = {g.id: g.destination.service for g in ws.groups.values() if g.destination}
    assert sorted(services.values()) == ["big_query", "databricks", "snowflake"]
    assert ws.groups["lonely_vestibule"].destination is None
    assert len(ws.connections) == 7
    conns = ws.connections

    salesforce = conns["speak_inexpensive"]
    assert salesforce.schema_config is not None and list(salesforce.schema_config) == ["salesforce"]

    postgres = conns["dialectical_remindful"]
    assert postgres.schema_config is not None
    public, internal = postgres.schema_config["public"], postgres.schema_config["internal"]
    assert public.name_in_destination == "pg_prod_public"
    assert public.tables["OrderItems"].name_in_destination == "order_items"
    assert public.tables["audit_log"].enabled is False
    assert internal.enabled is False
    assert (postgres.sync_frequency, postgres.daily_sync_time) == (1440, "02:00")

    assert conns["macaroni_unwieldy"].schedule_type == "manual"
    assert conns["fractious_obelisk"].paused is True
    broken = conns["wobbly_pancake"]
    assert broken.setup_state == "broken" and broken.schema_config is not None
    assert [task["code"] for task in broken.tasks] == ["reconnect"]
    never = conns["nimble_cactus"]
    assert (never.setup_state, never.succeeded_at, never.failed_at) == ("incomplete", None, None)
    assert never.is_historical_sync is True and never.schema_config is None

    columns = [
        column
        for conn in conns.values()
        for schema in (conn.schema_config or {}).values()
        for table in schema.tables.values()
        for column in table.columns
    ]
    listed = [column for column in columns if column.in_schema_config]
    assert any(c.is_primary_key for c in listed)
    assert any(not c.is_primary_key for c in listed)
    assert any(c.hashed for c in listed)
    assert len(listed) < len(columns)  # the schema config shows only user-modified columns


def test_builds_are_deterministic() -> None:
    assert sample_workspace() == sample_workspace()
    assert hostile_workspace() == hostile_workspace()
    small = {"connections": 40, "tables": 3, "groups": 5, "columns": 2}
    assert synthetic_workspace(**small, seed=3) == synthetic_workspace(**small, seed=3)
    other = synthetic_workspace(**small, seed=4)
    assert list(other.connections) != list(synthetic_workspace(**small, seed=3).connections)


# --- synthetic


def test_synthetic_shape() -> None:
    ws = synthetic_workspace(connections=30, tables=7, groups=4, columns=3)
    assert len(ws.connections) == 30
    assert len(ws.groups) == 4
    assert ws.table_count() == 30 * 7
    services = [g.destination.service for g in ws.groups.values() if g.destination]
    assert services == ["snowflake", "big_query", "databricks", "snowflake"]
    ids = [*ws.groups, *ws.connections]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z]+_[a-z]+\d*", i) for i in ids)
    for conn in ws.connections.values():
        assert conn.setup_state == "connected" and conn.schema_config
        assert conn.group_id in ws.groups
        for schema in conn.schema_config.values():
            for table in schema.tables.values():
                assert [c.is_primary_key for c in table.columns] == [True, False, False]
    keys = _asset_keys(ws)
    assert len(set(keys)) == len(keys)


def test_synthetic_default_is_a_thousand_connections_of_fifty_tables() -> None:
    # Its speed is the benchmarks' business (a timed assertion here failed on a loaded machine).
    ws = synthetic_workspace()
    assert (len(ws.connections), ws.table_count()) == (1000, 50_000)


def test_serves_a_few_hundred_requests_per_second_to_16_clients() -> None:
    with FivetranSimulator(synthetic_workspace()) as sim:
        conn_ids = list(sim.workspace.connections)[:480]
        local = threading.local()

        def fetch(conn_id: str) -> int:
            if not hasattr(local, "session"):
                local.session = requests.Session()
                local.session.auth = (sim.api_key, sim.api_secret)
            return int(local.session.get(f"{sim.url}/v1/connections/{conn_id}/schemas").status_code)

        started = time.perf_counter()
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(fetch, conn_ids))
        rate = len(conn_ids) / (time.perf_counter() - started)
    assert statuses == [200] * len(conn_ids)
    assert rate > 150, f"{rate:.0f} schema configs/s"


# --- hostile


def test_hostile_names_cover_every_trait() -> None:
    ws = hostile_workspace()
    names = _all_names(ws)
    traits: dict[str, Callable[[str], bool]] = {
        "single quote": lambda s: "'" in s,
        "double quote": lambda s: '"' in s,
        "backslash": lambda s: "\\" in s,
        "newline": lambda s: "\n" in s,
        "carriage return": lambda s: "\r" in s,
        "triple double quote": lambda s: '"""' in s,
        "triple single quote": lambda s: "'''" in s,
        "jinja expression": lambda s: "{{" in s and "}}" in s,
        "jinja statement": lambda s: "{%" in s and "%}" in s,
        "dot": lambda s: "." in s,
        "space": lambda s: " " in s,
        "slash": lambda s: "/" in s,
        "hash": lambda s: "#" in s,
        "question mark": lambda s: "?" in s,
        "percent": lambda s: "%" in s,
        "accent": lambda s: any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", s)),
        "CJK": lambda s: any("\u4e00" <= c <= "\u9fff" for c in s),
        "emoji": lambda s: any(ord(c) >= 0x1F300 for c in s),
        "RTL": lambda s: any(unicodedata.bidirectional(c) in ("R", "AL") for c in s),
        "zero-width joiner": lambda s: "\u200d" in s,
        "keyword": lambda s: keyword.iskeyword(s),
        "dunder": lambda s: s.startswith("__") and s.endswith("__"),
        "300 characters": lambda s: len(s) >= 300,
        "leading digit": lambda s: s[:1].isdigit(),
        "empty after cleaning": lambda s: bool(s) and not re.sub(r"[^A-Za-z0-9_]", "", s),
    }
    for where in ("connection", "source", "destination"):
        missing = [trait for trait, has in traits.items() if not any(has(n) for n in names[where])]
        assert not missing, f"{where} names lack: {missing}"
    for where in ("group", "database"):
        assert any('"' in n or "'" in n for n in names[where])
        assert any("\n" in n or "\\" in n or not n.isascii() for n in names[where])

    def cleaned(name: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", name.lower())

    connection_names = [cleaned(n) for n in names["connection"]]
    assert connection_names.count("sales_prod") == 3  # sales-prod, sales prod, Sales_Prod
    tables = [
        cleaned(t)
        for conn in ws.connections.values()
        for s in (conn.schema_config or {}).values()
        for t in s.tables
    ]
    assert tables.count("sales_prod") == 3


def test_hostile_ids_stay_api_legal_and_keys_unique() -> None:
    ws = hostile_workspace()
    for ident in [*ws.groups, *ws.connections]:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", ident)
    keys = _asset_keys(ws)
    assert len(set(keys)) == len(keys)
    assert all(
        conn.schema_config and conn.setup_state == "connected" for conn in ws.connections.values()
    )


def test_builder_registry() -> None:
    assert set(WORKSPACE_BUILDERS) == {"sample", "hostile", "synthetic"}
    assert WORKSPACE_BUILDERS["sample"]() == sample_workspace()
    assert WORKSPACE_BUILDERS["hostile"]() == hostile_workspace()


# --- serve()


def test_serve_reports_its_url_and_stops() -> None:
    ready: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=serve,
        kwargs={
            "workspace": "hostile",
            "on_ready": lambda sim: ready.append(sim.url),
            "stop": stop,
        },
    )
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not ready and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ready and ready[0].startswith("http://127.0.0.1:")
        response = requests.get(f"{ready[0]}/v1/groups", auth=("sim-key", "sim-secret"))
        assert len(response.json()["data"]["items"]) == 3
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{ready[0]}/v1/groups", timeout=2)


def test_serve_rejects_unknown_workspaces() -> None:
    with pytest.raises(ValueError, match="sample"):
        serve(workspace="nope")
