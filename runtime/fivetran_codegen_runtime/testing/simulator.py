"""`FivetranSimulator`: the public handle on a running simulated Fivetran API, and `serve`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from fnmatch import fnmatchcase
from types import TracebackType
from typing import Literal

from fivetran_codegen_runtime.testing import syncstate
from fivetran_codegen_runtime.testing.builders import WORKSPACE_BUILDERS
from fivetran_codegen_runtime.testing.clock import Clock, ManualClock, RealClock
from fivetran_codegen_runtime.testing.faults import FaultRule
from fivetran_codegen_runtime.testing.routes import FivetranApi
from fivetran_codegen_runtime.testing.server import (
    Access,
    ApiKey,
    RequestRecord,
    SimulatorHTTPServer,
    Transport,
)
from fivetran_codegen_runtime.testing.workspace import (
    Outcome,
    SimConnection,
    SyncOutcome,
    Workspace,
)

_OUTCOMES = ("success", "failure", "reschedule")


class FivetranSimulator:
    """A Fivetran REST API on 127.0.0.1, serving `workspace` until stopped.

    Use as a context manager (or `start()`/`stop()`); `url` is the base (paths are `/v1/...`).
    Attributes you may set while it runs: `latency` (seconds added to every response),
    `legacy_paths` (serve the deprecated `/v1/connectors...` aliases), `rate_limit_per_hour`,
    `source_rate_limit_per_hour`. `sync_duration` is how long a sync takes when no outcome was
    scripted with `set_next_outcome`. Edit `workspace` directly only while holding `lock`.
    """

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        api_key: str = "sim-key",
        api_secret: str = "sim-secret",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        sync_duration: float = 2.0,
        latency: float = 0.0,
        legacy_paths: bool = False,
        rate_limit_per_hour: int = 20_000,
        source_rate_limit_per_hour: int = 5_000,
        seed: int = 0,
    ) -> None:
        self.api_key = api_key
        self.api_secret = api_secret
        self.clock: Clock = clock if clock is not None else RealClock()
        self._api = FivetranApi(
            workspace if workspace is not None else WORKSPACE_BUILDERS["sample"](),
            self.clock,
            sync_duration,
        )
        self._transport = Transport(
            self._api,
            rate_limit_per_hour=rate_limit_per_hour,
            source_rate_limit_per_hour=source_rate_limit_per_hour,
            seed=seed,
        )
        self._transport.latency = latency
        self._transport.legacy_paths = legacy_paths
        self.add_key(api_key, api_secret)
        self._address = (host, port)
        self._server: SimulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle

    def start(self) -> FivetranSimulator:
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        self._server = SimulatorHTTPServer(self._address, self._transport)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fivetran-simulator-{self._server.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.close_open_connections()
        server.server_close()
        thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FivetranSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulator is not running; use it as a context manager")
        return f"http://{self._server.server_name}:{self._server.server_port}"

    # --- state and settings

    @property
    def workspace(self) -> Workspace:
        return self._api.workspace

    @property
    def lock(self) -> threading.RLock:
        """Held while a request reads or changes the workspace."""
        return self._api.lock

    @property
    def sync_duration(self) -> float:
        return self._api.sync_duration

    @sync_duration.setter
    def sync_duration(self, seconds: float) -> None:
        self._api.sync_duration = seconds

    @property
    def latency(self) -> float:
        return self._transport.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._transport.latency = seconds

    @property
    def legacy_paths(self) -> bool:
        return self._transport.legacy_paths

    @legacy_paths.setter
    def legacy_paths(self, enabled: bool) -> None:
        self._transport.legacy_paths = enabled

    @property
    def rate_limit_per_hour(self) -> int:
        return self._transport.limiter.limit_per_hour

    @rate_limit_per_hour.setter
    def rate_limit_per_hour(self, limit: int) -> None:
        self._transport.limiter.limit_per_hour = limit

    @property
    def source_rate_limit_per_hour(self) -> int:
        return self._transport.source_limiter.limit_per_hour

    @source_rate_limit_per_hour.setter
    def source_rate_limit_per_hour(self, limit: int) -> None:
        self._transport.source_limiter.limit_per_hour = limit

    def add_key(
        self, api_key: str, api_secret: str, access: Access = "full", *, user_id: str | None = None
    ) -> None:
        """Accept another key. `forbidden`: every call is 403; `none`: an RBAC-limited key that
        sees no groups, destinations or connections (lists are empty, lookups 404)."""
        if access not in ("full", "forbidden", "none"):
            raise ValueError(f"unknown access {access!r}")
        self._transport.keys[api_key] = ApiKey(
            api_secret, access, user_id or f"user_{len(self._transport.keys) + 1}"
        )

    # --- faults and the request log

    def add_fault(self, rule: FaultRule) -> None:
        self._transport.faults.add(rule)

    def clear_faults(self) -> None:
        self._transport.faults.clear()

    @property
    def request_log(self) -> list[RequestRecord]:
        """A copy of the requests served so far, oldest first."""
        return self._transport.log()

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many logged requests match `method` and the glob `path` (raw path, no query)."""
        return sum(
            1
            for record in self._transport.log()
            if (method is None or record.method == method.upper())
            and (path is None or fnmatchcase(record.path, path))
        )

    def reset_log(self) -> None:
        self._transport.reset_log()

    # --- sync state

    def set_next_outcome(
        self,
        connection_id: str,
        outcome: Outcome = "success",
        *,
        duration: float | None = None,
        rescheduled_for_in: float = 3600.0,
    ) -> None:
        """Script how the next sync of this connection that starts will end; each call queues one
        more sync. `duration` defaults to `sync_duration`; `rescheduled_for_in` is the wait a
        `reschedule` outcome announces in `status.rescheduled_for`. Unscripted syncs succeed."""
        if outcome not in _OUTCOMES:
            raise ValueError(f"outcome must be one of {_OUTCOMES}, not {outcome!r}")
        with self.lock:
            connection = self._connection(connection_id)
            connection.next_outcomes.append(
                SyncOutcome(
                    outcome,
                    self.sync_duration if duration is None else duration,
                    rescheduled_for_in,
                )
            )

    def complete_external_sync(
        self,
        connection_id: str,
        outcome: Literal["success", "failure"] = "success",
        *,
        ended_seconds_ago: float = 0.0,
    ) -> None:
        """Record a sync that ran outside the API (Fivetran's own schedule), ending now or
        `ended_seconds_ago` seconds ago."""
        with self.lock:
            connection = self._connection(connection_id)
            now = self.clock.now()
            syncstate.settle(connection, now, self.sync_duration)
            ended = now - timedelta(seconds=ended_seconds_ago)
            syncstate.complete_external(connection, ended, succeeded=outcome == "success")

    def advance(self, seconds: float) -> None:
        """Move a `ManualClock` forward; due transitions apply on the next request."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError("advance() needs FivetranSimulator(clock=ManualClock(...))")
        self.clock.advance(seconds)

    def _connection(self, connection_id: str) -> SimConnection:
        try:
            return self.workspace.connections[connection_id]
        except KeyError:
            raise KeyError(f"no connection with id {connection_id!r} in the workspace") from None


def serve(
    port: int = 0,
    workspace: str | Workspace = "sample",
    host: str = "127.0.0.1",
    *,
    api_key: str = "sim-key",
    api_secret: str = "sim-secret",
    sync_duration: float = 2.0,
    latency: float = 0.0,
    legacy_paths: bool = False,
    on_ready: Callable[[FivetranSimulator], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run a simulator until interrupted (Ctrl-C) or until `stop` is set. Prints nothing.

    `workspace` is a `Workspace` or a name in `WORKSPACE_BUILDERS`. `on_ready` is called with
    the running simulator once it listens, so the caller can print `sim.url`, e.g.
    `serve(8080, on_ready=lambda sim: print(sim.url))`.
    """
    if isinstance(workspace, str):
        if workspace not in WORKSPACE_BUILDERS:
            names = ", ".join(sorted(WORKSPACE_BUILDERS))
            raise ValueError(f"unknown workspace {workspace!r}; choose one of: {names}")
        workspace = WORKSPACE_BUILDERS[workspace]()
    stop = stop or threading.Event()
    simulator = FivetranSimulator(
        workspace,
        api_key=api_key,
        api_secret=api_secret,
        host=host,
        port=port,
        sync_duration=sync_duration,
        latency=latency,
        legacy_paths=legacy_paths,
    )
    with simulator:
        if on_ready is not None:
            on_ready(simulator)
        try:
            # A timed wait keeps the main thread responsive to Ctrl-C.
            while not stop.wait(0.2):
                pass
        except KeyboardInterrupt:
            return
