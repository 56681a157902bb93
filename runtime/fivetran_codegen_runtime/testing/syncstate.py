"""The per-connection sync state machine.

    scheduled --sync--> syncing --(duration)--> scheduled   (success: succeeded_at; failure: failed_at)
                                            \\-> rescheduled (rescheduled_for = end + rescheduled_for_in)
    rescheduled --(auto: at rescheduled_for | manual: sync at/after rescheduled_for)--> syncing
    paused: no sync runs; pausing cancels a running one.

Transitions are evaluated lazily: the server calls `settle` with the clock's time before it reads
or changes a connection, so a `ManualClock` fully controls when syncs end. Completion timestamps
are the moment the sync ended (not when it was observed), which keeps tests deterministic.
Callers hold the simulator's lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fivetran_codegen_runtime.testing.apierror import ApiError
from fivetran_codegen_runtime.testing.workspace import (
    ResyncRequest,
    SimConnection,
    SyncOutcome,
    SyncRun,
)


def settle(connection: SimConnection, now: datetime, default_duration: float) -> None:
    """Apply every transition that is due at `now`, in order."""
    while True:
        run = connection.run
        if run is not None and now >= run.ends_at:
            _finish(connection, run)
        elif (
            run is None
            and connection.rescheduled_for is not None
            and connection.schedule_type == "auto"
            and not connection.paused
            and now >= connection.rescheduled_for
        ):
            resume_at = connection.rescheduled_for
            connection.rescheduled_for = None
            _start(connection, resume_at, connection.is_historical_sync, default_duration)
        else:
            return


def trigger_sync(
    connection: SimConnection, now: datetime, *, force: bool, default_duration: float
) -> None:
    """POST .../sync. A no-op (still 200) when a sync is running without `force`, or when the
    connection is rescheduled and `rescheduled_for` has not come yet (the source has no quota)."""
    _require_syncable(connection, "trigger a sync")
    run = connection.run
    if run is not None:
        if force:
            _restart(run, now, historical=run.historical)
        return
    if connection.rescheduled_for is not None:
        if now < connection.rescheduled_for:
            return
        connection.rescheduled_for = None
    _start(connection, now, connection.is_historical_sync, default_duration)


def request_resync(
    connection: SimConnection, now: datetime, request: ResyncRequest, default_duration: float
) -> None:
    """POST .../resync and .../schemas/tables/resync: a historical sync, recorded for tests.

    Paused: accepted and started when the connection is resumed (Fivetran's documented answer).
    Running: restarted as historical. Rescheduled: 409, the running sync cannot be completed now.
    """
    if connection.setup_state != "connected":
        raise _not_connected(connection, "re-sync")
    if connection.run is None and connection.rescheduled_for is not None and not connection.paused:
        raise ApiError(
            409,
            "Conflict",
            f"Connection with id '{connection.id}' has a sync waiting for source quota until "
            "rescheduled_for; the re-sync request was declined",
        )
    connection.resync_requests.append(request)
    connection.is_historical_sync = True
    if connection.paused:
        connection.resync_pending = True
    elif connection.run is not None:
        _restart(connection.run, now, historical=True)
    else:
        _start(connection, now, True, default_duration)


def set_paused(
    connection: SimConnection, paused: bool, now: datetime, default_duration: float
) -> None:
    connection.paused = paused
    if paused:
        connection.run = None  # Fivetran stops a running sync when the connection is paused
    elif connection.resync_pending and connection.setup_state == "connected":
        connection.resync_pending = False
        _start(connection, now, True, default_duration)


def start_historical_sync(
    connection: SimConnection, now: datetime, default_duration: float
) -> None:
    """PATCH is_historical_sync=true: Fivetran starts a historical sync right away."""
    connection.is_historical_sync = True
    if connection.setup_state != "connected" or connection.paused:
        return
    if connection.run is not None:
        _restart(connection.run, now, historical=True)
    else:
        connection.rescheduled_for = None
        _start(connection, now, True, default_duration)


def complete_external(connection: SimConnection, now: datetime, succeeded: bool) -> None:
    """A sync that ran outside the simulator's API (Fivetran's own schedule) ended at `now`."""
    connection.run = None
    connection.rescheduled_for = None
    if succeeded:
        connection.succeeded_at = now
        connection.is_historical_sync = False
    else:
        connection.failed_at = now


def _require_syncable(connection: SimConnection, action: str) -> None:
    if connection.setup_state != "connected":
        raise _not_connected(connection, action)
    if connection.paused:
        raise ApiError(
            409,
            "Conflict",
            f"Connection with id '{connection.id}' is paused; resume it (PATCH paused=false) "
            f"to {action}",
        )


def _not_connected(connection: SimConnection, action: str) -> ApiError:
    return ApiError(
        400,
        "BadRequest",
        f"Cannot {action} for connection with id '{connection.id}': setup_state is "
        f"'{connection.setup_state}'; complete the connection setup first",
    )


def _start(
    connection: SimConnection, at: datetime, historical: bool, default_duration: float
) -> None:
    outcome = (
        connection.next_outcomes.pop(0)
        if connection.next_outcomes
        else SyncOutcome("success", default_duration)
    )
    connection.run = SyncRun(at, at + timedelta(seconds=outcome.duration), outcome, historical)


def _restart(run: SyncRun, now: datetime, *, historical: bool) -> None:
    run.started_at = now
    run.ends_at = now + timedelta(seconds=run.outcome.duration)
    run.historical = historical


def _finish(connection: SimConnection, run: SyncRun) -> None:
    connection.run = None
    outcome = run.outcome
    if outcome.kind == "success":
        connection.succeeded_at = run.ends_at
        if run.historical:
            connection.is_historical_sync = False
    elif outcome.kind == "failure":
        connection.failed_at = run.ends_at
    else:
        connection.rescheduled_for = run.ends_at + timedelta(seconds=outcome.rescheduled_for_in)
