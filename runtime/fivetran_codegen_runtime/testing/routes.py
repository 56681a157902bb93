"""The REST endpoints: routing and one handler per endpoint, over the workspace.

Handlers get decoded path parameters and the parsed JSON body and return the `data`/`message` of
a Fivetran envelope, or raise `ApiError`. The transport (auth, faults, rate limits, headers) is
in `server.py`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fivetran_codegen_runtime.testing import payloads, syncstate, updates
from fivetran_codegen_runtime.testing.apierror import ApiError
from fivetran_codegen_runtime.testing.clock import Clock
from fivetran_codegen_runtime.testing.pagination import paginate
from fivetran_codegen_runtime.testing.workspace import (
    ResyncRequest,
    SimConnection,
    SimGroup,
    SimSchema,
    SimTable,
    Workspace,
)


@dataclass(frozen=True, slots=True)
class ApiRequest:
    method: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    legacy: bool  # came in on a deprecated /v1/connectors... path
    sees_all: bool  # False for an RBAC-limited key that can see no groups or connections
    user_id: str


@dataclass(frozen=True, slots=True)
class ApiReply:
    message: str
    data: dict[str, Any] | None = None


_Named = TypeVar("_Named", SimSchema, SimTable)
Handler = Callable[["FivetranApi", ApiRequest], ApiReply]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: tuple[str, ...]
    handler: Handler
    permission: str  # named in the 403 a forbidden key gets
    source_interaction: bool = False  # also counts against the 5,000/h source bucket
    legacy_only: bool = False


@dataclass(slots=True)
class FivetranApi:
    workspace: Workspace
    clock: Clock
    sync_duration: float
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- account and groups

    def account_info(self, request: ApiRequest) -> ApiReply:
        data = payloads.account_info(
            self.workspace.account_id, self.workspace.account_name, request.user_id
        )
        return ApiReply("Account information retrieved successfully", data)

    def list_groups(self, request: ApiRequest) -> ApiReply:
        groups = list(self.workspace.groups.values()) if request.sees_all else []
        page = paginate(groups, request.query, payloads.group, legacy=request.legacy)
        return ApiReply("Groups retrieved successfully", page)

    def group_details(self, request: ApiRequest) -> ApiReply:
        return ApiReply(
            "Group details retrieved successfully", payloads.group(self._group(request))
        )

    def group_connections(self, request: ApiRequest) -> ApiReply:
        group = self._group(request)
        found = self._connections(request, group_id=group.id)
        page = paginate(found, request.query, self._render_list_item, legacy=request.legacy)
        return ApiReply("Group connections retrieved successfully", page)

    # --- destinations

    def list_destinations(self, request: ApiRequest) -> ApiReply:
        groups = [g for g in self.workspace.groups.values() if g.destination is not None]
        page = paginate(
            groups if request.sees_all else [],
            request.query,
            lambda group: payloads.destination(group, details=False),
            legacy=request.legacy,
        )
        return ApiReply("Destinations list retrieved successfully", page)

    def destination_details(self, request: ApiRequest) -> ApiReply:
        group_id = request.params["destination_id"]
        group = self.workspace.groups.get(group_id) if request.sees_all else None
        if group is None or group.destination is None:
            raise ApiError(
                404, "NotFound_Destination", f"Destination with id '{group_id}' doesn't exist"
            )
        return ApiReply(
            "Destination details retrieved successfully",
            payloads.destination(group, details=True),
        )

    # --- connections

    def list_connections(self, request: ApiRequest) -> ApiReply:
        found = self._connections(request, group_id=request.query.get("group_id"))
        page = paginate(found, request.query, self._render_list_item, legacy=request.legacy)
        return ApiReply("Connections list retrieved successfully", page)

    def connection_details(self, request: ApiRequest) -> ApiReply:
        conn = self._connection(request)
        return ApiReply(
            "Connection details retrieved successfully", payloads.connection(conn, details=True)
        )

    def update_connection(self, request: ApiRequest) -> ApiReply:
        conn = self._connection(request)
        updates.apply_connection_update(conn, request.body, self.clock.now(), self.sync_duration)
        return ApiReply("Connection has been updated", payloads.connection(conn, details=True))

    def sync(self, request: ApiRequest) -> ApiReply:
        return self._trigger(request, force=updates.parse_sync_body(request.body))

    def force_sync(self, request: ApiRequest) -> ApiReply:
        return self._trigger(request, force=True)

    def resync(self, request: ApiRequest) -> ApiReply:
        conn = self._connection(request)
        scope = updates.parse_resync_scope(request.body, conn.schema_config)
        if scope is not None:
            updates.require_table_resync(conn.service)
        self._resync(conn, ResyncRequest("resync", scope, self.clock.now()))
        return ApiReply(_triggered(conn))

    def resync_tables(self, request: ApiRequest) -> ApiReply:
        conn = self._connection(request)
        scope = updates.parse_table_scope(request.body, conn.schema_config)
        updates.require_table_resync(conn.service)
        self._resync(conn, ResyncRequest("tables_resync", scope, self.clock.now()))
        return ApiReply("Re-sync has been triggered successfully")

    def schema_config(self, request: ApiRequest) -> ApiReply:
        conn = self._connection(request)
        if conn.schema_config is None:
            noun = "Connector" if request.legacy else "Connection"
            raise ApiError(
                404,
                "NotFound_SchemaConfig",
                f"{noun} with id '{conn.id}' doesn't have schema config",
            )
        return ApiReply(
            "Schema configuration retrieved successfully",
            payloads.schema_config(conn, conn.schema_config),
        )

    def table_columns(self, request: ApiRequest) -> ApiReply:
        conn = self._connection(request)
        if conn.setup_state != "connected":
            raise ApiError(
                400,
                "BadRequest",
                f"Cannot query the source of connection with id '{conn.id}': setup_state is "
                f"'{conn.setup_state}'",
            )
        table = self._table(request, conn)
        return ApiReply(
            "Column configuration retrieved successfully", payloads.table_columns(table)
        )

    # --- helpers

    def _trigger(self, request: ApiRequest, *, force: bool) -> ApiReply:
        conn = self._connection(request)
        syncstate.trigger_sync(
            conn, self.clock.now(), force=force, default_duration=self.sync_duration
        )
        return ApiReply(_triggered(conn))

    def _resync(self, conn: SimConnection, resync: ResyncRequest) -> None:
        syncstate.request_resync(conn, resync.requested_at, resync, self.sync_duration)

    def _group(self, request: ApiRequest) -> SimGroup:
        group_id = request.params["group_id"]
        group = self.workspace.groups.get(group_id) if request.sees_all else None
        if group is None:
            raise ApiError(404, "NotFound_Group", f"Group with id '{group_id}' doesn't exist")
        return group

    def _connection(self, request: ApiRequest) -> SimConnection:
        conn_id = request.params["connection_id"]
        conn = self.workspace.connections.get(conn_id) if request.sees_all else None
        if conn is None:
            noun = "Connector" if request.legacy else "Connection"
            raise ApiError(404, f"NotFound_{noun}", f"{noun} with id '{conn_id}' doesn't exist")
        syncstate.settle(conn, self.clock.now(), self.sync_duration)
        return conn

    def _connections(self, request: ApiRequest, *, group_id: str | None) -> list[SimConnection]:
        if not request.sees_all:
            return []
        schema = request.query.get("schema")
        return [
            conn
            for conn in self.workspace.connections.values()
            if (group_id is None or conn.group_id == group_id)
            and (schema is None or conn.schema == schema)
        ]

    def _render_list_item(self, conn: SimConnection) -> dict[str, Any]:
        syncstate.settle(conn, self.clock.now(), self.sync_duration)
        return payloads.connection(conn, details=False)

    def _table(self, request: ApiRequest, conn: SimConnection) -> SimTable:
        """Source names (case-sensitive); the legacy path also accepts destination names,
        which is what dagster-fivetran sends."""
        schema_name, table_name = request.params["schema"], request.params["table"]
        schema = _lookup(conn.schema_config or {}, schema_name, legacy=request.legacy)
        table = _lookup(schema.tables, table_name, legacy=request.legacy) if schema else None
        if table is None:
            raise ApiError(
                404,
                "NotFound",
                f"Table '{table_name}' of schema '{schema_name}' not found in connection "
                f"with id '{conn.id}'",
            )
        return table


def _lookup(items: dict[str, _Named], name: str, *, legacy: bool) -> _Named | None:
    if name in items:
        return items[name]
    if legacy:
        for item in items.values():
            if item.name_in_destination == name:
                return item
    return None


def _triggered(conn: SimConnection) -> str:
    return f"Sync has been successfully triggered for connection with id '{conn.id}'"


_CONNECTION = ("v1", "connections", "{connection_id}")

ROUTES: tuple[Route, ...] = (
    Route("GET", ("v1", "account", "info"), FivetranApi.account_info, "ACCOUNT_READ"),
    Route("GET", ("v1", "groups"), FivetranApi.list_groups, "GROUP_READ"),
    Route("GET", ("v1", "groups", "{group_id}"), FivetranApi.group_details, "GROUP_READ"),
    Route(
        "GET",
        ("v1", "groups", "{group_id}", "connections"),
        FivetranApi.group_connections,
        "CONNECTION_READ",
    ),
    Route("GET", ("v1", "destinations"), FivetranApi.list_destinations, "DESTINATION_READ"),
    Route(
        "GET",
        ("v1", "destinations", "{destination_id}"),
        FivetranApi.destination_details,
        "DESTINATION_READ",
    ),
    Route("GET", ("v1", "connections"), FivetranApi.list_connections, "CONNECTION_READ"),
    Route("GET", _CONNECTION, FivetranApi.connection_details, "CONNECTION_READ"),
    Route("PATCH", _CONNECTION, FivetranApi.update_connection, "CONNECTION_MANAGE"),
    Route("POST", (*_CONNECTION, "sync"), FivetranApi.sync, "CONNECTION_MANAGE"),
    Route(
        "POST",
        (*_CONNECTION, "force"),
        FivetranApi.force_sync,
        "CONNECTION_MANAGE",
        legacy_only=True,
    ),
    Route("POST", (*_CONNECTION, "resync"), FivetranApi.resync, "CONNECTION_MANAGE"),
    Route(
        "POST",
        (*_CONNECTION, "schemas", "tables", "resync"),
        FivetranApi.resync_tables,
        "CONNECTION_MANAGE",
    ),
    Route("GET", (*_CONNECTION, "schemas"), FivetranApi.schema_config, "CONNECTION_READ"),
    Route(
        "GET",
        (*_CONNECTION, "schemas", "{schema}", "tables", "{table}", "columns"),
        FivetranApi.table_columns,
        "CONNECTION_READ",
        source_interaction=True,
    ),
)


@dataclass(frozen=True, slots=True)
class Match:
    route: Route
    params: dict[str, str]
    legacy: bool


def resolve(method: str, segments: list[str], *, legacy_paths: bool) -> Match:
    """Find the route for decoded path segments; raises 404/405 `ApiError`s.

    `/v1/connectors...` and `/v1/groups/{id}/connectors` are aliases of the `connections`
    paths, and `POST .../{id}/force` of a forced sync; all are served only when `legacy_paths`
    is on (Fivetran has answered the old paths with 404).
    """
    normalized, legacy = _unalias(segments)
    if legacy and not legacy_paths:
        raise _not_found()
    path_matches = [
        (route, params)
        for route in ROUTES
        if (params := _match(route.pattern, normalized)) is not None
        and (legacy_paths or not route.legacy_only)
    ]
    for route, params in path_matches:
        if route.method == method:
            return Match(route, params, legacy)
    if path_matches:
        allowed = ", ".join(sorted({route.method for route, _ in path_matches}))
        raise ApiError(
            405,
            "MethodNotAllowed",
            f"Method {method} is not allowed here; use {allowed}",
            {"Allow": allowed},
        )
    raise _not_found()


def _unalias(segments: list[str]) -> tuple[list[str], bool]:
    if segments[:2] == ["v1", "connectors"]:
        return ["v1", "connections", *segments[2:]], True
    if len(segments) == 4 and segments[:2] == ["v1", "groups"] and segments[3] == "connectors":
        return [*segments[:3], "connections"], True
    return segments, False


def _match(pattern: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    params: dict[str, str] = {}
    for expected, actual in zip(pattern, segments, strict=True):
        if expected.startswith("{"):
            if not actual:
                return None
            params[expected[1:-1]] = actual
        elif expected != actual:
            return None
    return params


def _not_found() -> ApiError:
    return ApiError(404, "NotFound", "The requested resource was not found")
