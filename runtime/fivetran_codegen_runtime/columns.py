"""Column metadata read at run time: `FivetranEventIterator.fetch_column_metadata()`.

Fivetran's columns endpoint is keyed by SOURCE schema and table names, while the specs carry
destination names, so one schema-config call maps them first. Then one columns call per
table, a few at a time: the endpoint queries the source and has its own, smaller rate limit.
Any failure is a warning on that table; the run never fails for column metadata.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import dagster as dg

from fivetran_codegen_runtime import schema_config
from fivetran_codegen_runtime.events import FivetranEvent, with_metadata
from fivetran_codegen_runtime.inventory import ConnectionAssets, TableAsset
from fivetran_codegen_runtime.metadata import COLUMN_SCHEMA
from fivetran_codegen_runtime.rest.client import FivetranClient
from fivetran_codegen_runtime.rest.errors import FivetranAPIError
from fivetran_codegen_runtime.schema_config import LiveTable


def attach_columns(
    events: Iterable[FivetranEvent],
    *,
    connection: ConnectionAssets,
    read: schema_config.RunRead,
    client_factory: Callable[[int], FivetranClient],
    log: logging.Logger,
    max_workers: int,
) -> Iterator[FivetranEvent]:
    """`events` with `dagster/column_schema` replaced by the columns Fivetran lists now."""
    pending = list(events)  # the sync runs here: columns are read once it has finished
    workers = max(1, max_workers)
    tables = {table.key: table for table in connection.tables}
    with client_factory(workers) as client:
        sources = read.tables(
            client, connection, log, without="no column metadata (the snapshot's columns stay)"
        )
        if sources is None:
            yield from pending
            return

        def enrich(event: FivetranEvent) -> FivetranEvent:
            if isinstance(event, dg.AssetCheckResult):  # columns belong on materializations
                return event
            table = tables.get(event.asset_key) if event.asset_key is not None else None
            if table is None:
                return event
            return _with_columns(client, connection, table, sources, event, log)

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fivetran-columns") as pool:
            yield from pool.map(enrich, pending)


def _with_columns(
    client: FivetranClient,
    connection: ConnectionAssets,
    table: TableAsset,
    sources: Mapping[tuple[str, str], LiveTable],
    event: dg.MaterializeResult[Any] | dg.AssetMaterialization,
    log: logging.Logger,
) -> FivetranEvent:
    where = f"{connection.describe()}, table {table.label}"
    source = sources.get((table.schema, table.table)) if table.schema and table.table else None
    if source is None:
        log.warning(f"{where}: not in the connection's schema config now; no column metadata")
        return event
    if not source.supports_columns:
        log.warning(f"{where}: Fivetran cannot list this table's columns; no column metadata")
        return event
    try:
        columns = client.get_table_columns(connection.id, source.source_schema, source.source_table)
    except FivetranAPIError as exc:
        log.warning(f"{where}: could not read its columns ({exc}); no column metadata")
        return event
    return with_metadata(event, {**(event.metadata or {}), COLUMN_SCHEMA: _table_schema(columns)})


def _table_schema(columns: Mapping[str, Any]) -> dg.TableSchema:
    """Enabled columns by destination name, sorted, untyped: Fivetran reports no types."""
    names = sorted(name for name, enabled in schema_config.columns(columns).items() if enabled)
    return dg.TableSchema(columns=[dg.TableColumn(name=name, type="") for name in names])
