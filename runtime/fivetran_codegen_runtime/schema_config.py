"""A connection's schema config (`GET /v1/connections/{id}/schemas`) as the runtime reads it:
tables by their destination names, with their source names, state and listed columns."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LiveTable:
    source_schema: str  # the columns and re-sync endpoints want source names
    source_table: str
    enabled: bool  # the table and its schema
    supports_columns: bool
    columns: Mapping[str, bool]  # destination name -> enabled, for the columns Fivetran lists


def tables(config: Mapping[str, Any]) -> dict[tuple[str, str], LiveTable]:
    """Every table by (destination schema, destination table)."""
    found = {}
    for schema_name, schema in items(config.get("schemas")):
        schema_enabled = schema.get("enabled", True) is not False
        destination_schema = str(schema.get("name_in_destination") or schema_name)
        for table_name, table in items(schema.get("tables")):
            columns = {
                str(column.get("name_in_destination") or name): _enabled(column)
                for name, column in items(table.get("columns"))
            }
            found[(destination_schema, str(table.get("name_in_destination") or table_name))] = (
                LiveTable(
                    source_schema=schema_name,
                    source_table=table_name,
                    enabled=schema_enabled and _enabled(table),
                    supports_columns=table.get("supports_columns_config") is not False,
                    columns=columns,
                )
            )
    return found


def items(value: object) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The entries of a JSON object whose values are objects; anything else yields nothing."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            if isinstance(item, Mapping):
                yield str(name), item


def _enabled(entry: Mapping[str, Any]) -> bool:
    return entry.get("enabled", True) is not False
