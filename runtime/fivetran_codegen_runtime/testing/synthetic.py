"""A large, deterministic workspace: N connections x M tables over G groups, for benchmarks.

Every connection is connected and has a schema config. Destinations cycle Snowflake, BigQuery,
Databricks; services cycle through `configs.CONNECTION_SERVICES`, and database connectors spread
their tables over two prefixed schemas. Ids and names depend only on the arguments, so two builds
with the same arguments are equal. Every column is listed in the schema config (as if configured
column by column) so that column metadata is exercised at scale.
"""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import product

from fivetran_codegen_runtime.testing import configs
from fivetran_codegen_runtime.testing.clock import parse_timestamp
from fivetran_codegen_runtime.testing.workspace import (
    SimColumn,
    SimConnection,
    SimGroup,
    SimSchema,
    SimTable,
    Workspace,
)


def _words(text: str) -> list[str]:
    return text.split()


_ADJECTIVES = _words(
    "amber agile ample brisk calm candid civic crisp dapper eager early fancy fluent frank "
    "gentle glossy grand hardy hazy humble icy jolly keen lively lucid mellow merry misty "
    "nimble noble ochre plain plucky proud quiet rapid rosy rustic sandy shiny silent snowy "
    "spry stark sturdy sunny swift tidy tranquil upbeat urban vivid witty woody young zesty"
)
_NOUNS = _words(
    "anchor apple badger beacon birch bison canyon cedar comet coral delta dingo ember "
    "falcon fern fjord garnet glacier harbor heron iris jasper kestrel lagoon lantern maple "
    "meadow nebula oasis orchid otter pebble pine quartz raven reef river saffron sparrow "
    "spruce summit thistle tundra umber valley walnut willow yarrow zephyr"
)
_TABLE_WORDS = _words(
    "account address campaign charge contact customer deal event invoice item order payment "
    "product refund session shipment subscription ticket user visit"
)
_COLUMN_WORDS = _words("name status amount created_at updated_at email currency owner_id notes")
_BASE_TIME = parse_timestamp("2024-01-01T00:00:00.000000Z")


def synthetic_workspace(
    connections: int = 1000,
    tables: int = 50,
    groups: int = 20,
    columns: int = 5,
    seed: int = 0,
) -> Workspace:
    if connections < 0 or tables < 1 or groups < 1 or columns < 1:
        raise ValueError("need connections >= 0 and at least one table, group and column")
    rng = random.Random(seed)
    ids = _two_word_ids(rng, connections + groups)
    ws = Workspace(account_id=f"synthetic_{seed}", account_name=f"Synthetic account (seed {seed})")
    group_ids = ids[:groups]
    for index, group_id in enumerate(group_ids):
        factory = configs.DESTINATION_FACTORIES[index % len(configs.DESTINATION_FACTORIES)]
        ws.add_group(
            SimGroup(
                group_id,
                f"Warehouse {index + 1:02d}",
                _BASE_TIME + timedelta(hours=index),
                factory(f"warehouse_{index + 1:02d}"),
            )
        )
    table_names = _numbered(_TABLE_WORDS, tables)
    column_names = ["id", *_numbered(_COLUMN_WORDS, columns - 1)]
    services = configs.CONNECTION_SERVICES
    for index, conn_id in enumerate(ids[groups:]):
        service = services[index % len(services)]
        name = f"{service}_{index + 1:04d}"
        ws.add_connection(
            SimConnection(
                id=conn_id,
                group_id=group_ids[index % groups],
                service=service,
                schema=name,
                created_at=_BASE_TIME + timedelta(minutes=index),
                succeeded_at=_BASE_TIME + timedelta(days=300, seconds=index),
                sync_frequency=(60, 360, 1440)[index % 3],
                daily_sync_time="03:00" if index % 3 == 2 else None,
                schedule_type="manual" if index % 7 == 0 else "auto",
                config=configs.connection_config(service),
                schema_config=_schemas(service, name, table_names, column_names),
            )
        )
    return ws


def _schemas(
    service: str, name: str, table_names: list[str], column_names: list[str]
) -> dict[str, SimSchema]:
    if service in configs.DATABASE_SERVICES:
        half = (len(table_names) + 1) // 2
        parts = {"public": table_names[:half], "sales": table_names[half:]}
        prefixed = True
    else:
        parts = {service: table_names}
        prefixed = False
    return {
        source: SimSchema(
            source,
            f"{name}_{source}" if prefixed else name,
            tables={table: _table(table, column_names) for table in names},
        )
        for source, names in parts.items()
        if names
    }


def _table(name: str, column_names: list[str]) -> SimTable:
    return SimTable(
        name,
        name,
        columns=[
            SimColumn(column, column, is_primary_key=position == 0, in_schema_config=True)
            for position, column in enumerate(column_names)
        ],
    )


def _two_word_ids(rng: random.Random, count: int) -> list[str]:
    """Fivetran-style `adjective_noun` ids, unique; numbered once the pairs run out."""
    pairs = [f"{adjective}_{noun}" for adjective, noun in product(_ADJECTIVES, _NOUNS)]
    rng.shuffle(pairs)
    return [
        pairs[index % len(pairs)] + (str(index // len(pairs)) if index >= len(pairs) else "")
        for index in range(count)
    ]


def _numbered(words: list[str], count: int) -> list[str]:
    return [
        words[index % len(words)] + (f"_{index // len(words)}" if index >= len(words) else "")
        for index in range(count)
    ]
