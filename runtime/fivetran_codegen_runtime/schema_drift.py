"""Schema drift, checked after every sync: does Fivetran still sync what the code was generated
from?

One schema-config call per run. A table the code has that Fivetran no longer syncs (disabled,
removed, or renamed in the destination), and a column the snapshot knew that is now excluded or
newly listed, fail that table's check with severity WARN; tables Fivetran syncs that the code
lacks are named on every checked table of the connection ("generated code is stale"). All of it
is logged with the fix. A schema config that cannot be read never fails the run: a warning, and
no check results (Dagster shows the checks as not evaluated in this run).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping

import dagster as dg

from fivetran_codegen_runtime import schema_config
from fivetran_codegen_runtime.inventory import ConnectionAssets, TableAsset, listed
from fivetran_codegen_runtime.metadata import COLUMN_SCHEMA, SCHEMA_CHECK
from fivetran_codegen_runtime.rest.client import FivetranClient
from fivetran_codegen_runtime.schema_config import LiveTable

FIX = "fivetran-codegen snapshot && fivetran-codegen generate"
_LISTED = 10  # names listed in a message; the rest are counted


def schema_check_specs(specs: Iterable[dg.AssetSpec]) -> tuple[dg.AssetCheckSpec, ...]:
    """The `fivetran_schema` check of each table, as generated modules declare them
    (`check_specs=` of `fivetran_assets`)."""
    return tuple(
        dg.AssetCheckSpec(
            SCHEMA_CHECK,
            asset=spec.key,
            description="Fivetran syncs this table with the columns this code was generated from",
        )
        for spec in specs
    )


def check_results(
    read: schema_config.RunRead,
    client: FivetranClient,
    connection: ConnectionAssets,
    checked: Collection[dg.AssetKey],
    log: logging.Logger,
) -> list[dg.AssetCheckResult]:
    """The schema check of each table in `checked`, against the schema config read now."""
    if not checked:  # checks off, or none selected: no call
        return []
    live = read.tables(
        client, connection, log, without=f"no schema drift check ({SCHEMA_CHECK} skipped)"
    )
    if live is None:
        return []
    known = {(t.schema, t.table) for t in connection.tables}
    new = sorted(
        f"{s}.{t}" for (s, t), table in live.items() if table.enabled and (s, t) not in known
    )
    if new:
        log.warning(
            f"{connection.describe()}: the generated code is stale: Fivetran syncs "
            f"{len(new)} table(s) it has no asset for ({listed(new, _LISTED)}); run {FIX}"
        )
    results = []
    for table in connection.tables:  # all of them: the sync synced all of them
        problems = table_drift(table, live)
        if problems:
            log.warning(
                f"{connection.describe()}, table {table.label}: {'; '.join(problems)}; run {FIX}"
            )
        if table.key in checked:
            results.append(_result(table, problems, new))
    return results


def table_drift(table: TableAsset, live: Mapping[tuple[str, str], LiveTable]) -> list[str]:
    """What changed for one table since the snapshot; empty when nothing it knew changed."""
    now = live.get((table.schema or "", table.table or ""))
    if now is None:
        return [
            f"Fivetran no longer has {table.label} in the schema config: the table was removed, "
            "or renamed in the destination"
        ]
    if not now.enabled:
        return [f"Fivetran no longer syncs {table.label}: it is disabled in the schema config"]
    known = _snapshot_columns(table)
    if known is None:  # the snapshot knew no columns: nothing to compare
        return []
    excluded = sorted(c for c in known if now.columns.get(c) is False)
    added = sorted(c for c, enabled in now.columns.items() if enabled and c not in known)
    problems = []
    if excluded:
        problems.append(f"{len(excluded)} column(s) no longer synced: {listed(excluded, _LISTED)}")
    if added:
        problems.append(f"{len(added)} column(s) the code does not have: {listed(added, _LISTED)}")
    return problems


def _result(table: TableAsset, problems: list[str], new: list[str]) -> dg.AssetCheckResult:
    stale = (
        [
            f"generated code is stale: {len(new)} new table(s) in the connection: {listed(new, _LISTED)}"
        ]
        if new
        else []
    )
    found = problems + stale
    if not found:
        return dg.AssetCheckResult(
            asset_key=table.key,
            check_name=SCHEMA_CHECK,
            passed=True,
            description="Fivetran syncs this table as the generated code expects",
        )
    return dg.AssetCheckResult(
        asset_key=table.key,
        check_name=SCHEMA_CHECK,
        passed=False,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(found) + f". Fix: {FIX}",
        metadata={"drift": dg.MetadataValue.json(found), "fix": FIX},
    )


def _snapshot_columns(table: TableAsset) -> frozenset[str] | None:
    value = table.metadata.get(COLUMN_SCHEMA)
    schema = getattr(value, "schema", value)  # TableSchemaMetadataValue, or the TableSchema
    if not isinstance(schema, dg.TableSchema):
        return None
    return frozenset(column.name for column in schema.columns)
