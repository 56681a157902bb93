"""Hand-written baselines for the load benchmark, written from the raw snapshot JSON.

Deliberately independent of fivetran_codegen and its templates: this is what someone would
write by hand to get the same assets. Two packages, one module per connection each:

- `handwritten_defs`: the same `AssetSpec`s (keys, groups, kinds, metadata with the column
  schema and the connector URL) and the same per-table asset checks in one
  `dg.multi_asset(specs=..., check_specs=..., can_subset=True)` per connection, with a resource
  and run config like the generated functions take, and `dg.Definitions(assets=..., resources=...)`;
- `plainlist_defs`: the same specs, no multi_asset: `dg.Definitions(assets=specs)` (the floor).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import orjson

SHARED = '''"""The resource and run config the hand-written asset functions take."""

import dagster as dg


class SyncConfig(dg.Config):
    resync: bool = False


class Workspace(dg.ConfigurableResource):
    api_key: str
    api_secret: str

    def sync(self, context: dg.AssetExecutionContext, config: SyncConfig):
        raise NotImplementedError("a load benchmark never runs this")
        yield
'''

FUNCTION = """
CHECKS = [dg.AssetCheckSpec("fivetran_schema", asset=spec.key) for spec in SPECS]


@dg.multi_asset(name={name!r}, specs=SPECS, check_specs=CHECKS, can_subset=True)
def {module}(context: dg.AssetExecutionContext, fivetran: Workspace, config: SyncConfig):
    yield from fivetran.sync(context, config)
"""


def write_packages(snapshot: Path, root: Path) -> dict[str, int]:
    """Write both packages under `root`; returns the number of assets of each."""
    document = orjson.loads(snapshot.read_bytes())
    groups = {group["id"]: group for group in document["groups"]}
    connections = [c for c in document["connections"] if _enabled_tables(c)]
    connections.sort(key=lambda c: c["id"])
    counts = {}
    for package, multi_asset in (("handwritten_defs", True), ("plainlist_defs", False)):
        directory = root / package
        shutil.rmtree(directory, ignore_errors=True)
        (directory / "connections").mkdir(parents=True)
        modules = [f"c{index:05d}" for index in range(len(connections))]
        for module, connection in zip(modules, connections, strict=True):
            source = _module(connection, groups.get(connection["group_id"]), module, multi_asset)
            (directory / "connections" / f"{module}.py").write_text(source)
        (directory / "connections" / "__init__.py").write_text("")
        (directory / "_shared.py").write_text(SHARED)
        (directory / "__init__.py").write_text(_package_init(modules, multi_asset))
        counts[package] = sum(len(_enabled_tables(c)) for c in connections)
    return counts


def _enabled_tables(connection: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    config = connection.get("schema_config") or {"schemas": {}}
    return [
        (schema, table)
        for schema in config["schemas"].values()
        if schema["enabled"]
        for table in schema["tables"].values()
        if table["enabled"]
    ]


def _package_init(modules: list[str], multi_asset: bool) -> str:
    imports = "".join(f"from .connections import {m}\n" for m in modules)
    if not multi_asset:
        specs = "".join(f"    *{m}.SPECS,\n" for m in modules)
        return f"import dagster as dg\n\n{imports}\nspecs = [\n{specs}]\ndefs = dg.Definitions(assets=specs)\n"
    assets = "".join(f"    {m}.{m},\n" for m in modules)
    return (
        f"import dagster as dg\n\nfrom ._shared import Workspace\n{imports}\n"
        f"assets = [\n{assets}]\n"
        "workspace = Workspace(\n"
        '    api_key=dg.EnvVar("FIVETRAN_API_KEY"), api_secret=dg.EnvVar("FIVETRAN_API_SECRET")\n'
        ")\n"
        'defs = dg.Definitions(assets=assets, resources={"fivetran": workspace})\n'
    )


def _module(
    connection: dict[str, Any], group: dict[str, Any] | None, module: str, multi_asset: bool
) -> str:
    destination = (group or {}).get("destination") or {}
    service, database = destination.get("service"), destination.get("database")
    lines = [
        f'"""Fivetran connection {connection["name"]} (id {connection["id"]}), by hand."""',
        "",
        "import dagster as dg",
        "",
        "from .._shared import SyncConfig, Workspace" if multi_asset else "",
        "",
        'PRIMARY_KEY = dg.TableColumnConstraints(nullable=False, other=["primary_key"])',
        f"COMMON = {{{_common(connection, service)}}}",
        "SPECS = [",
    ]
    group_name = re.sub(r"[^A-Za-z0-9_]+", "_", connection["name"]).lower()
    kinds = {"fivetran", *([service] if service else [])}
    for schema, table in _enabled_tables(connection):
        lines.append(_spec(schema, table, group_name, kinds, database))
    lines.append("]")
    source = "\n".join(lines) + "\n"
    if multi_asset:
        source += FUNCTION.format(name=f"fivetran_{module}", module=module)
    return source


def _common(connection: dict[str, Any], service: str | None) -> str:
    url = f"https://fivetran.com/dashboard/connections/{connection['id']}"
    entries: list[tuple[str, object]] = [
        ("dagster-fivetran/connector_id", connection["id"]),
        ("dagster-fivetran/connector_name", connection["name"]),
        ("dagster-fivetran/destination_id", connection["group_id"]),
        ("dagster-fivetran/sync_frequency_minutes", connection.get("sync_frequency")),
        ("dagster-fivetran/schedule_type", connection.get("schedule_type")),
        ("dagster-fivetran/daily_sync_time", connection.get("daily_sync_time")),
    ]
    literal = "".join(f"{k!r}: {v!r}, " for k, v in entries if v is not None)
    storage = f'"dagster/storage_kind": {service!r}, ' if service else ""
    return f'{storage}"connector_url": dg.MetadataValue.url({url!r}), {literal}'


def _spec(
    schema: dict[str, Any],
    table: dict[str, Any],
    group_name: str,
    kinds: set[str],
    database: str | None,
) -> str:
    schema_name, table_name = schema["name_in_destination"], table["name_in_destination"]
    metadata = ["**COMMON"]
    if database:
        metadata.append(f'"dagster/table_name": {f"{database}.{schema_name}.{table_name}"!r}')
    metadata.append(f'"dagster-fivetran/destination_schema_name": {schema_name!r}')
    metadata.append(f'"dagster-fivetran/destination_table_name": {table_name!r}')
    if table.get("columns"):
        metadata.append(f'"dagster/column_schema": {_columns(table["columns"])}')
    kinds_literal = "{" + ", ".join(map(repr, sorted(kinds))) + "}"
    return (
        f"    dg.AssetSpec(key=dg.AssetKey([{schema_name!r}, {table_name!r}]), "
        f"group_name={group_name!r}, kinds={kinds_literal}, metadata={{{', '.join(metadata)}}}),"
    )


def _columns(columns: dict[str, Any]) -> str:
    enabled = sorted(
        (c for c in columns.values() if c["enabled"]), key=lambda c: c["name_in_destination"]
    )
    items = [
        f"dg.TableColumn(name={c['name_in_destination']!r}, type=''"
        + (", constraints=PRIMARY_KEY)" if c.get("is_primary_key") else ")")
        for c in enabled
    ]
    return f"dg.TableSchema(columns=[{', '.join(items)}])"
