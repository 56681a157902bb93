"""A connection's schema config (`GET /v1/connections/{id}/schemas`) as the runtime reads it:
tables by their destination names, with their source names, state and listed columns."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fivetran_codegen_runtime.inventory import ConnectionAssets
from fivetran_codegen_runtime.rest.client import FivetranClient
from fivetran_codegen_runtime.rest.errors import FivetranAPIError


@dataclass(frozen=True)
class LiveTable:
    source_schema: str  # the columns and re-sync endpoints want source names
    source_table: str
    enabled: bool  # the table and its schema
    supports_columns: bool
    columns: Mapping[str, bool]  # destination name -> enabled, for the columns Fivetran lists


Tables = dict[tuple[str, str], LiveTable]


class RunRead:
    """One run's read of the schema config, shared by the schema checks and the column metadata
    (one call for both). A failed read is not kept: the next reader tries again."""

    def __init__(self) -> None:
        self._tables: Tables | None = None

    def tables(
        self,
        client: FivetranClient,
        connection: ConnectionAssets,
        log: logging.Logger,
        *,
        without: str,
    ) -> Tables | None:
        """The tables, or None after a warning that names `without`, what the run goes without."""
        if self._tables is None:
            try:
                self._tables = tables(client.get_schema_config(connection.id))
            except FivetranAPIError as exc:
                log.warning(
                    f"{connection.describe()}: {without} this run, the schema config could not "
                    f"be read ({exc})"
                )
        return self._tables


def tables(config: Mapping[str, Any]) -> Tables:
    """Every table by (destination schema, destination table)."""
    found = {}
    for schema_name, schema in items(config.get("schemas")):
        destination_schema = _destination_name(schema_name, schema)
        for table_name, table in items(schema.get("tables")):
            found[(destination_schema, _destination_name(table_name, table))] = LiveTable(
                source_schema=schema_name,
                source_table=table_name,
                enabled=_enabled(schema) and _enabled(table),
                supports_columns=table.get("supports_columns_config") is not False,
                columns=columns(table.get("columns")),
            )
    return found


def columns(value: object) -> dict[str, bool]:
    """A `columns` object (of the schema config or the columns endpoint): destination name ->
    enabled."""
    return {_destination_name(name, column): _enabled(column) for name, column in items(value)}


def items(value: object) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The entries of a JSON object whose values are objects; anything else yields nothing."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            if isinstance(item, Mapping):
                yield str(name), item


def _enabled(entry: Mapping[str, Any]) -> bool:
    return entry.get("enabled", True) is not False


def _destination_name(name: str, entry: Mapping[str, Any]) -> str:
    return str(entry.get("name_in_destination") or name)
