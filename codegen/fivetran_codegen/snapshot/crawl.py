"""Read a Fivetran workspace through the API into a `Snapshot`.

Order of calls (API.md §7): account, groups, one destination per group, connections
account-wide (one call per 1,000), then one schema config per selected connection, and, only
with `columns=True`, one columns call per enabled table within a budget (a "source interaction"
call, limited by Fivetran to 5,000/hour). Per-object calls run on a bounded thread pool sharing
one client.

What is tolerated and recorded, never fatal: a group without a destination, a connection without
a schema config (404 `NotFound_SchemaConfig`, or any other 4xx on that call), a table whose
columns call fails. Everything else (auth, persistent 5xx, malformed bodies) aborts the whole
snapshot, so a partial workspace is never written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from fivetran_codegen_runtime.rest.client import FivetranClient
from fivetran_codegen_runtime.rest.errors import (
    FivetranAPIError,
    FivetranClientError,
    FivetranNotFoundError,
)

from fivetran_codegen.snapshot import payloads
from fivetran_codegen.snapshot.model import (
    Account,
    Connection,
    Group,
    Problem,
    SchemaConfig,
    Selection,
    Snapshot,
    Table,
)
from fivetran_codegen.snapshot.progress import Reporter, Silent
from fivetran_codegen.snapshot.selection import Skipped, candidate, why_excluded

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
Payload = dict[str, Any]


@dataclass(frozen=True)
class CrawlOptions:
    selection: Selection = field(default_factory=Selection)
    concurrency: int = 8
    columns: bool = False
    columns_budget: int = 1000


@dataclass(frozen=True)
class CrawlReport:
    snapshot: Snapshot
    skipped: tuple[Skipped, ...]
    warnings: tuple[str, ...]
    api_calls: int
    retries: int
    elapsed_seconds: float
    columns_fetched: int


def crawl(
    client: FivetranClient, options: CrawlOptions, progress: Reporter | None = None
) -> CrawlReport:
    started = time.monotonic()
    report = progress or Silent()
    warnings: list[str] = []
    with ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="fivetran") as pool:

        def each(items: Sequence[T], call: Callable[[T], R], label: str) -> list[R]:
            report.stage(label, len(items))

            def tracked(item: T) -> R:
                result = call(item)
                report.advance()
                return result

            return list(pool.map(tracked, items))

        account = client.account_info()
        group_payloads = client.list_groups()
        if not group_payloads:
            warnings.append(
                "the API key sees no groups: an empty workspace, or a key whose role lacks "
                "permission to read them"
            )
        groups = each(group_payloads, lambda g: _group(client, g), "destinations")
        group_names = {g.id: g.name for g in groups}
        listed = [payloads.connection(p, None, None) for p in client.list_connections()]
        selected, skipped = _select(listed, group_names, options.selection)
        configs = each(selected, lambda c: _schema_config(client, c.id), "schema configs")
        connections = [
            replace(c, schema_config=cfg, schema_config_error=err)
            for c, (cfg, err) in zip(selected, configs, strict=True)
        ]
        fetched = 0
        if options.columns:
            connections, fetched, column_warnings = _with_columns(
                client, connections, options, each
            )
            warnings.extend(column_warnings)
    report.close()
    warnings.extend(_connection_warnings(connections))
    snapshot = Snapshot(
        account=Account(
            id=str(account.get("account_id", "")),
            name=payloads.optional_text(account.get("account_name")),
        ),
        selection=options.selection,
        groups=tuple(sorted(groups, key=lambda g: g.id)),
        connections=tuple(sorted(connections, key=lambda c: c.id)),
    )
    return CrawlReport(
        snapshot=snapshot,
        skipped=tuple(sorted(skipped, key=lambda s: s.id)),
        warnings=tuple(warnings),
        api_calls=client.stats.calls,
        retries=client.stats.retries,
        elapsed_seconds=time.monotonic() - started,
        columns_fetched=fetched,
    )


def _group(client: FivetranClient, payload: Payload) -> Group:
    group_id = str(payload["id"])
    name = payloads.optional_text(payload.get("name")) or ""
    try:
        destination = payloads.destination(client.get_destination(group_id))
    except FivetranNotFoundError as exc:
        return Group(group_id, name, None, Problem(exc.code or "NotFound", exc.message))
    return Group(group_id, name, destination, None)


def _select(
    listed: Iterable[Connection], group_names: dict[str, str], selection: Selection
) -> tuple[list[Connection], list[Skipped]]:
    selected: list[Connection] = []
    skipped: list[Skipped] = []
    for connection in sorted(listed, key=lambda c: c.id):
        reason = why_excluded(selection, candidate(connection, group_names))
        if reason is None:
            selected.append(connection)
        else:
            skipped.append(Skipped(connection.id, connection.name, reason))
    return selected, skipped


def _schema_config(
    client: FivetranClient, connection_id: str
) -> tuple[SchemaConfig | None, Problem | None]:
    try:
        return payloads.schema_config(client.get_schema_config(connection_id)), None
    except (FivetranNotFoundError, FivetranClientError) as exc:
        # A never-synced connection has no schema config yet; some connector types have none.
        return None, Problem(exc.code or f"HTTP {exc.status}", exc.message)


EachFn = Callable[[Sequence[Any], Callable[[Any], Any], str], list[Any]]


def _with_columns(
    client: FivetranClient, connections: list[Connection], options: CrawlOptions, each: EachFn
) -> tuple[list[Connection], int, list[str]]:
    wanted = [
        (c.id, s.name, t.name)
        for c in connections
        if c.setup_state == "connected" and c.schema_config is not None
        for s in c.schema_config.schemas
        if s.enabled
        for t in s.tables
        if t.enabled and t.supports_columns_config is not False
    ]
    warnings: list[str] = []
    if len(wanted) > options.columns_budget:
        warnings.append(
            f"--columns: {len(wanted)} tables but a budget of {options.columns_budget} calls; "
            f"the last {len(wanted) - options.columns_budget} (by connection id, schema, table) "
            "keep the columns from the schema config. Raise --columns-budget (Fivetran allows "
            "5,000 such calls per hour)"
        )
        wanted = wanted[: options.columns_budget]

    def fetch(key: tuple[str, str, str]) -> tuple[tuple[str, str, str], Any]:
        try:
            return key, client.get_table_columns(*key)
        except FivetranAPIError as exc:
            return key, exc

    results = dict(each(wanted, fetch, "table columns"))
    fetched = 0
    updated: list[Connection] = []
    for connection in connections:
        config = connection.schema_config
        if config is None:
            updated.append(connection)
            continue
        schemas = []
        for schema in config.schemas:
            tables: list[Table] = []
            for table in schema.tables:
                result = results.get((connection.id, schema.name, table.name))
                if isinstance(result, FivetranAPIError):
                    warnings.append(
                        f"columns of {connection.id} {schema.name}.{table.name} not fetched: {result}"
                    )
                elif result is not None:
                    table = replace(table, columns=payloads.columns(result), columns_complete=True)
                    fetched += 1
                tables.append(table)
            schemas.append(replace(schema, tables=tuple(tables)))
        updated.append(replace(connection, schema_config=replace(config, schemas=tuple(schemas))))
    return updated, fetched, warnings


def _connection_warnings(connections: Iterable[Connection]) -> list[str]:
    notes = []
    for c in sorted(connections, key=lambda c: c.id):
        problems = [] if c.setup_state == "connected" else [c.setup_state]
        if c.paused:
            problems.append("paused")
        if c.schema_config_error is not None:
            problems.append(
                f"no schema config ({c.schema_config_error.code}): no assets until it has synced once"
            )
        elif c.setup_state != "connected":
            problems.append("its tables are kept, but syncs fail until it is repaired in Fivetran")
        if problems:
            notes.append(f"connection {c.id} ({c.name}): {'; '.join(problems)}")
    return notes
