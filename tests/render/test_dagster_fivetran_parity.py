"""Compatibility with dagster-fivetran 0.29.27: the generated specs equal, key by key and metadata
key by key, what its `load_fivetran_asset_specs` builds from the same simulated workspace.

dagster-fivetran is a test dependency only. It reads the simulator through the deprecated
`/v1/connectors` paths (hence `legacy_paths=True`); we snapshot the same simulator with the CLI,
generate, import the generated package and compare. Where we deliberately differ, the difference
is asserted exactly:

* `dagster/column_schema`: the same column names in the same order; our primary-key columns
  carry `nullable=False, other=["primary_key"]`, every other column is identical.
* `dagster/table_name`: equal where the destination has `config.database`; for BigQuery
  (`project_id`) and Databricks (`catalog`) dagster-fivetran sets none and we set
  `<project or catalog>.<schema>.<table>`.
* Connections that are not `connected` (broken, incomplete) but have a schema config: dagster-
  fivetran leaves them out, we keep their tables (dagster-io/dagster#33410). Nothing else differs.
"""

from __future__ import annotations

import importlib
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import dagster as dg
import dagster_fivetran.resources as dagster_fivetran_resources
import pytest
from dagster_fivetran import FivetranWorkspace, load_fivetran_asset_specs
from fivetran_codegen_runtime.testing import (
    FivetranSimulator,
    SimColumn,
    SimConnection,
    SimSchema,
    SimTable,
    Workspace,
    synthetic_workspace,
)
from fivetran_codegen_runtime.testing import configs as sim_configs

from tests.conftest import run_cli

TRANSLATOR_KEY = "dagster-fivetran/dagster_fivetran_translator"
TABLE_NAME = "dagster/table_name"
COLUMN_SCHEMA = "dagster/column_schema"
PRIMARY_KEY = dg.TableColumnConstraints(nullable=False, other=["primary_key"])
# The destination config key holding the part before `schema.table`, when it is not `database`.
OUR_DATABASE_KEY = {"big_query": "project_id", "databricks": "catalog"}
CREATED = datetime(2024, 5, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Compared:
    workspace: Workspace
    theirs: dict[dg.AssetKey, dg.AssetSpec]
    ours: dict[dg.AssetKey, dg.AssetSpec]  # as the generated `defs` resolves them
    package: ModuleType


# -- the workspace -----------------------------------------------------------------------------


def _connection(
    ws: Workspace,
    conn_id: str,
    group_id: str,
    schemas: dict[str, SimSchema] | None,
    *,
    setup_state: Literal["connected", "broken", "incomplete"] = "connected",
    service: str = "stripe",
    config: dict[str, Any] | None = None,
) -> None:
    ws.add_connection(
        SimConnection(
            id=conn_id,
            group_id=group_id,
            service=service,
            schema=conn_id,
            created_at=CREATED,
            succeeded_at=CREATED,
            setup_state=setup_state,
            sync_frequency=120,
            daily_sync_time="07:30",
            config=config if config is not None else sim_configs.connection_config(service),
            schema_config=schemas,
        )
    )


def _table(name: str, name_in_destination: str, columns: list[SimColumn]) -> SimTable:
    return SimTable(name, name_in_destination, columns=columns)


def _column(name: str, name_in_destination: str, **flags: bool) -> SimColumn:
    return SimColumn(name, name_in_destination, in_schema_config=True, **flags)


def compat_workspace() -> Workspace:
    """A workspace dagster-fivetran can load (every group has a destination, no dotted names),
    over Snowflake, BigQuery and Databricks, with the cases where the two could disagree."""
    ws = synthetic_workspace(connections=6, tables=4, groups=3, columns=4, seed=11)
    conns = list(ws.connections.values())  # groups cycle: Snowflake, BigQuery, Databricks
    snowflake_group = conns[0].group_id

    # A connection name that is not an identifier: group `clean_name_lower(name)`.
    conns[0].schema = "Sales Prod-EU (v2)"

    # Table and column states on a Snowflake connection.
    tables = list(next(iter(conns[3].schema_config.values())).tables.values())  # type: ignore[union-attr]
    tables[0].enabled = False  # no spec on either side
    tables[1].columns[1].enabled = False  # left out of the column schema on both sides
    for column in tables[2].columns:  # no column listed in the schema config: no column schema
        column.in_schema_config = False
    for index, column in enumerate(tables[3].columns):  # only a disabled column listed: empty
        column.in_schema_config = index == 2
        column.enabled = index != 2
    next(iter(conns[3].schema_config.values())).tables["OrderItems"] = _table(  # type: ignore[union-attr]
        "OrderItems",
        "order_items",  # source and destination names differ; columns sort by destination name
        [
            _column("Zeta", "zeta"),
            _column("ID", "id", is_primary_key=True),
            _column("Alpha", "alpha"),
            _column("OrderID", "order_id", is_primary_key=True),
        ],
    )
    # A disabled schema of a database connection (BigQuery destination).
    conns[1].schema_config["sales"].enabled = False  # type: ignore[index]
    # Paused connections are included by both.
    conns[2].paused = True

    def schema(name: str) -> dict[str, SimSchema]:
        return {
            "src": SimSchema(
                "src",
                name,
                tables={"events": _table("events", "events", [_column("id", "id")])},
            )
        }

    # Not connected, with a schema config: we keep it, dagster-fivetran leaves it out.
    _connection(ws, "broken_badger", snowflake_group, schema("broken_badger"), setup_state="broken")
    _connection(
        ws, "incomplete_ibis", snowflake_group, schema("incomplete_ibis"), setup_state="incomplete"
    )
    # Left out by both: never synced, no schemas at all, nothing enabled.
    _connection(ws, "unsynced_urchin", snowflake_group, None, setup_state="incomplete")
    _connection(ws, "empty_egret", snowflake_group, {})
    disabled = schema("disabled_dodo")
    disabled["src"].tables["events"].enabled = False
    _connection(ws, "disabled_dodo", snowflake_group, disabled)
    return ws


def enabled_keys(ws: Workspace, *, connected: bool) -> set[dg.AssetKey]:
    """The keys of the enabled tables of connections that are (not) `connected`."""
    return {
        dg.AssetKey([schema.name_in_destination, table.name_in_destination])
        for conn in ws.connections.values()
        if (conn.setup_state == "connected") == connected
        for schema in (conn.schema_config or {}).values()
        if schema.enabled
        for table in schema.tables.values()
        if table.enabled
    }


# -- both sides --------------------------------------------------------------------------------


def load_theirs(
    sim: FivetranSimulator, monkeypatch: pytest.MonkeyPatch, translator: Any = None
) -> list[dg.AssetSpec]:
    # dagster-fivetran reads its base URL from this module attribute at call time.
    monkeypatch.setattr(dagster_fivetran_resources, "FIVETRAN_API_BASE", sim.url)
    workspace = FivetranWorkspace(
        account_id=sim.workspace.account_id,
        api_key=sim.api_key,
        api_secret=sim.api_secret,
        request_max_retries=0,
    )
    if translator is None:
        return list(load_fivetran_asset_specs(workspace))
    return list(load_fivetran_asset_specs(workspace, dagster_fivetran_translator=translator))


def import_package(parent: Path, package: str) -> ModuleType:
    sys.path.insert(0, str(parent))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(parent))


def forget_package(package: str) -> None:
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]


def snapshot_and_generate(sim: FivetranSimulator, project: Path, package: str) -> ModuleType:
    snap = run_cli("snapshot", "--no-progress", cwd=project, sim=sim)
    assert snap.code == 0, snap.stderr
    generated = run_cli("generate", "--out", package, cwd=project)
    assert generated.code == 0, generated.stderr
    return import_package(project, package)


@contextmanager
def compare(ws: Workspace, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Compared]:
    package = f"compat_defs_{uuid.uuid4().hex[:10]}"
    with FivetranSimulator(ws, legacy_paths=True) as sim:
        theirs = load_theirs(sim, monkeypatch)
        module = snapshot_and_generate(sim, tmp, package)
    try:
        defs: dg.Definitions = module.defs
        ours = {spec.key: spec for spec in defs.resolve_all_asset_specs()}
        yield Compared(ws, {spec.key: spec for spec in theirs}, ours, module)
    finally:
        forget_package(package)


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Compared]:
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        compare(compat_workspace(), tmp_path_factory.mktemp("compat"), monkeypatch) as result,
    ):
        yield result


# -- comparing one spec ------------------------------------------------------------------------


def destination_of(ws: Workspace, spec: dg.AssetSpec) -> tuple[str, Mapping[str, Any]]:
    conn = ws.connections[spec.metadata["dagster-fivetran/connector_id"]]
    destination = ws.groups[conn.group_id].destination
    assert destination is not None
    return destination.service, destination.config


def primary_keys(ws: Workspace, key: dg.AssetKey) -> set[str]:
    schema_name, table_name = key.path
    return {
        column.name_in_destination
        for conn in ws.connections.values()
        for schema in (conn.schema_config or {}).values()
        if schema.name_in_destination == schema_name
        for table in schema.tables.values()
        if table.name_in_destination == table_name
        for column in table.columns
        if column.is_primary_key
    }


def column_schema_differences(theirs: dg.TableSchema, ours: object, primary: set[str]) -> list[str]:
    if not isinstance(ours, dg.TableSchema):
        return [f"ours is {ours!r}, not a TableSchema"]
    problems = []
    if [c.name for c in ours.columns] != [c.name for c in theirs.columns]:
        problems.append(
            f"column names {[c.name for c in ours.columns]} != {[c.name for c in theirs.columns]}"
        )
    if ours.constraints != theirs.constraints:
        problems.append(f"table constraints {ours.constraints!r} != {theirs.constraints!r}")
    for mine, reference in zip(ours.columns, theirs.columns, strict=False):
        expected = reference
        if mine.name in primary:
            expected = dg.TableColumn(
                name=reference.name,
                type=reference.type,
                description=reference.description,
                constraints=PRIMARY_KEY,
                tags=reference.tags,
            )
        if mine != expected:
            problems.append(f"column {mine!r} != {expected!r}")
    return problems


def spec_differences(ws: Workspace, theirs: dg.AssetSpec, ours: dg.AssetSpec) -> list[str]:
    """Every way `ours` differs from `theirs` beyond the documented differences."""
    problems = []
    for attribute in ("group_name", "kinds", "tags", "owners", "description", "deps"):
        mine, reference = getattr(ours, attribute), getattr(theirs, attribute)
        if mine != reference:
            problems.append(f"{attribute}: ours {mine!r}, theirs {reference!r}")
    service, config = destination_of(ws, theirs)
    for name, reference in theirs.metadata.items():
        if name == TRANSLATOR_KEY:
            continue
        if name not in ours.metadata:
            problems.append(f"metadata {name!r} missing (theirs {reference!r})")
            continue
        mine = ours.metadata[name]
        if name == COLUMN_SCHEMA:
            problems += [
                f"{COLUMN_SCHEMA}: {p}"
                for p in column_schema_differences(reference, mine, primary_keys(ws, theirs.key))
            ]
        elif type(mine) is not type(reference) or mine != reference:
            problems.append(f"metadata {name!r}: ours {mine!r}, theirs {reference!r}")
    extra = set(ours.metadata) - set(theirs.metadata)
    if service in OUR_DATABASE_KEY and "database" not in config:
        # dagster-fivetran reads only config.database; we read the project id / catalog.
        schema_name, table_name = theirs.key.path
        expected = f"{config[OUR_DATABASE_KEY[service]]}.{schema_name}.{table_name}"
        if ours.metadata.get(TABLE_NAME) != expected:
            problems.append(f"{TABLE_NAME}: ours {ours.metadata.get(TABLE_NAME)!r} != {expected!r}")
        extra.discard(TABLE_NAME)
    if extra:
        problems.append(f"metadata only we set: {sorted(extra)}")
    return problems


# -- the tests ---------------------------------------------------------------------------------


def test_the_reference_is_what_the_anchor_describes(compared: Compared) -> None:
    """Guard the comparison itself: dagster-fivetran saw the workspace we think it saw."""
    assert set(compared.theirs) == enabled_keys(compared.workspace, connected=True)
    services = {destination_of(compared.workspace, s)[0] for s in compared.theirs.values()}
    assert services == {"snowflake", "big_query", "databricks"}
    with_columns = [s for s in compared.theirs.values() if COLUMN_SCHEMA in s.metadata]
    assert with_columns and len(with_columns) < len(compared.theirs)
    assert any(s.metadata[COLUMN_SCHEMA].columns == [] for s in with_columns)
    assert any(TABLE_NAME in s.metadata for s in compared.theirs.values())
    assert any(TABLE_NAME not in s.metadata for s in compared.theirs.values())


def test_same_keys_but_the_not_connected_connections_we_keep(compared: Compared) -> None:
    ours, theirs = set(compared.ours), set(compared.theirs)
    assert theirs <= ours, f"keys dagster-fivetran has and we lack: {sorted(theirs - ours)}"
    kept = enabled_keys(compared.workspace, connected=False)
    assert kept == {
        dg.AssetKey(["broken_badger", "events"]),
        dg.AssetKey(["incomplete_ibis", "events"]),
    }
    assert ours - theirs == kept
    generated = {conn.id for conn in compared.package.CONNECTIONS.values()}
    assert "broken_badger" in generated and "incomplete_ibis" in generated
    for left_out in ("unsynced_urchin", "empty_egret", "disabled_dodo"):
        assert left_out not in generated


def test_every_spec_matches_key_by_key(compared: Compared) -> None:
    problems = {
        key.to_user_string(): found
        for key, spec in sorted(compared.theirs.items(), key=lambda kv: kv[0].path)
        if (found := spec_differences(compared.workspace, spec, compared.ours[key]))
    }
    assert not problems, "\n".join(f"{key}: {p}" for key, ps in problems.items() for p in ps)


def test_the_generated_specs_are_the_specs_defs_resolves(compared: Compared) -> None:
    listed = {spec.key: spec for spec in compared.package.ALL_SPECS}
    assert set(listed) == set(compared.ours)
    for key, spec in listed.items():
        assert spec.metadata == compared.ours[key].metadata
        assert spec.group_name == compared.ours[key].group_name


def test_the_documented_differences_occur(compared: Compared) -> None:
    """The exceptions `spec_differences` allows are exercised, not vacuous."""
    ws = compared.workspace
    order_items = next(k for k in compared.theirs if k.path[-1] == "order_items")
    mine = compared.ours[order_items].metadata[COLUMN_SCHEMA]
    reference = compared.theirs[order_items].metadata[COLUMN_SCHEMA]
    assert [c.name for c in reference.columns] == ["alpha", "id", "order_id", "zeta"]
    assert [c.name for c in mine.columns if c.constraints == PRIMARY_KEY] == ["id", "order_id"]
    assert all(c.constraints == dg.TableColumnConstraints() for c in reference.columns)

    by_service: dict[str, list[dg.AssetKey]] = {}
    for key, spec in compared.theirs.items():
        by_service.setdefault(destination_of(ws, spec)[0], []).append(key)
    for key in by_service["snowflake"]:
        assert compared.ours[key].metadata[TABLE_NAME] == compared.theirs[key].metadata[TABLE_NAME]
    for service in ("big_query", "databricks"):
        for key in by_service[service]:
            _, config = destination_of(ws, compared.theirs[key])
            assert TABLE_NAME not in compared.theirs[key].metadata
            assert compared.ours[key].metadata[TABLE_NAME] == ".".join(
                [config[OUR_DATABASE_KEY[service]], *key.path]
            )

    renamed = next(
        s
        for s in compared.theirs.values()
        if s.metadata["dagster-fivetran/connector_name"] == "Sales Prod-EU (v2)"
    )
    assert renamed.group_name == "sales_prod_eu_v2_"
    assert compared.ours[renamed.key].group_name == "sales_prod_eu_v2_"


def custom_report_workspace() -> Workspace:
    """A connection with a custom report (e.g. Google Ads): dagster-fivetran marks its table."""
    ws = synthetic_workspace(connections=0, tables=1, groups=1, columns=1, seed=5)
    group_id = next(iter(ws.groups))
    report = {
        "table_name": "Campaign_Stats",  # matched case-insensitively
        "report_type": "CAMPAIGN_PERFORMANCE_REPORT",
        "fields": ["campaign_id", "clicks", "impressions"],
    }
    tables = {
        name: _table(name, name, [_column("id", "id", is_primary_key=True)])
        for name in ("campaign_stats", "accounts")
    }
    _connection(
        ws,
        "reporting_raven",
        group_id,
        {"ads": SimSchema("ads", "google_ads", tables=tables)},
        service="google_ads",
        config={"customer_id": "123-456-7890", "custom_reports": [report]},
    )
    return ws


def test_custom_report_metadata_is_the_one_documented_omission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dagster-fivetran reads `dagster-fivetran/is_custom_report` and `.../custom_report_config`
    from the connection's config. Our snapshot deliberately keeps no connection config (it leaks
    hosts and users even when Fivetran masks passwords), so those two keys are the only
    difference on a custom-report table, and nothing else differs anywhere."""
    with compare(custom_report_workspace(), tmp_path, monkeypatch) as compared:
        report_key = dg.AssetKey(["google_ads", "campaign_stats"])
        assert set(compared.theirs) == {report_key, dg.AssetKey(["google_ads", "accounts"])}
        assert compared.theirs[report_key].metadata["dagster-fivetran/is_custom_report"] is True
        omitted = {"dagster-fivetran/is_custom_report", "dagster-fivetran/custom_report_config"}
        for key, spec in compared.theirs.items():
            ours = compared.ours[key]
            assert not omitted & set(ours.metadata)
            trimmed = spec._replace(
                metadata={k: v for k, v in spec.metadata.items() if k not in omitted}
            )
            assert spec_differences(compared.workspace, trimmed, ours) == [], key
