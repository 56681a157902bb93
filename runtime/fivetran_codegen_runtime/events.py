"""The events a Fivetran sync yields, and the iterator generated code returns them through.

Fivetran always syncs a whole connection. The tables the run selected become
`MaterializeResult`s; the others were synced too, so they are reported as runtime
`AssetMaterialization`s (as dagster-fivetran does), after one log line saying why.
Every event carries its spec's metadata, so `dagster/table_name` and the destination's
`dagster/storage_kind` match the definitions, plus `dagster-fivetran/sync_completed_at`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from typing import Any, TypeAlias

import dagster as dg

from fivetran_codegen_runtime.inventory import ConnectionAssets, TableAsset, listed
from fivetran_codegen_runtime.metadata import SYNC_COMPLETED_AT

FivetranEvent: TypeAlias = dg.MaterializeResult[Any] | dg.AssetMaterialization | dg.AssetCheckResult

ColumnFetcher = Callable[[Iterable[FivetranEvent]], Iterator[FivetranEvent]]

_LISTED_TABLES = 5  # unselected tables named in the subset log line; the rest are counted


class FivetranEventIterator(Iterator[FivetranEvent]):
    """The events of one sync; nothing runs until the first `next()`.

    `fetch_column_metadata()` returns a new iterator whose events carry each table's current
    columns, read from Fivetran (one call per table, concurrently). Column lookups that fail
    become warnings; the events are still emitted with the snapshot's column schema.
    """

    def __init__(
        self, events: Iterable[FivetranEvent], column_fetcher: ColumnFetcher | None = None
    ) -> None:
        self._events = iter(events)
        self._column_fetcher = column_fetcher

    def __iter__(self) -> FivetranEventIterator:
        return self

    def __next__(self) -> FivetranEvent:
        return next(self._events)

    def fetch_column_metadata(self) -> FivetranEventIterator:
        if self._column_fetcher is None:
            raise dg.DagsterInvariantViolationError(
                "this FivetranEventIterator has no column source: build it with "
                "FivetranWorkspace.sync_and_poll"
            )
        return FivetranEventIterator(self._column_fetcher(self._events), self._column_fetcher)


def sync_events(
    connection: ConnectionAssets,
    selected: Set[dg.AssetKey],
    completed_at: float,
    log: logging.Logger,
    partitions: Sequence[str | None] = (None,),
) -> Iterator[FivetranEvent]:
    """One event per table of the connection, for the sync that completed at `completed_at`.

    `partitions` are the run's partition keys (`run_partitions`): Dagster gives the selected
    tables' results those itself, an unselected table gets one materialization per key."""
    unselected = [table for table in connection.tables if table.key not in selected]
    if unselected:
        log.info(_subset_note(connection, unselected))
    for table in connection.tables:
        metadata = event_metadata(table, completed_at)
        if table.key in selected:
            yield dg.MaterializeResult(asset_key=table.key, metadata=metadata)
            continue
        for partition in partitions:
            yield dg.AssetMaterialization(
                asset_key=table.key,
                description=f"Synced by Fivetran with the rest of {connection.describe()}",
                metadata=metadata,
                partition=partition,
                tags=_dimension_tags(partition),
            )


def run_partitions(context: dg.AssetExecutionContext) -> Sequence[str | None]:
    """The partition keys the run materializes for the connection; `(None,)` for one without
    partitions (even in a partitioned run: the keys are the run's, not the asset's)."""
    partitions_def = context.assets_def.partitions_def
    if partitions_def is None:
        return (None,)
    if context.has_partition_key:
        keys: Sequence[str] = (context.partition_key,)
    elif context.has_partition_key_range:  # a backfill of several keys in one run
        keys = context.partition_keys
    else:
        return (None,)
    if isinstance(partitions_def, dg.MultiPartitionsDefinition):
        return tuple(partitions_def.get_partition_key_from_str(key) for key in keys)
    return tuple(keys)


def _dimension_tags(partition: str | None) -> dict[str, str] | None:
    """What Dagster tags its own events of a multi-partition key with: one tag per dimension,
    which is how the key is read back by dimension."""
    if not isinstance(partition, dg.MultiPartitionKey):
        return None
    return {f"dagster/partition/{d}": k for d, k in partition.keys_by_dimension.items()}


def event_metadata(table: TableAsset, completed_at: float) -> dict[str, Any]:
    """The spec's metadata plus the sync's completion time (epoch seconds)."""
    return {**table.metadata, SYNC_COMPLETED_AT: completed_at}


def with_metadata(
    event: dg.MaterializeResult[Any] | dg.AssetMaterialization, metadata: Mapping[str, Any]
) -> FivetranEvent:
    """A copy of `event` with `metadata` instead of its own."""
    if isinstance(event, dg.AssetMaterialization):
        return event.with_metadata(metadata)
    return dg.MaterializeResult(
        asset_key=event.asset_key,
        metadata=metadata,
        check_results=event.check_results,
        data_version=event.data_version,
        tags=event.tags,
    )


def _subset_note(connection: ConnectionAssets, unselected: list[TableAsset]) -> str:
    names = listed([table.label for table in unselected], _LISTED_TABLES)
    return (
        f"Fivetran syncs whole connections: {connection.describe()} synced all its "
        f"{len(connection.tables)} tables, so the {len(unselected)} not selected in this run "
        f"({names}) are reported as materializations too."
    )
