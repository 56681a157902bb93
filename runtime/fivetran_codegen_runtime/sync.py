"""Trigger one Fivetran sync and wait for it: the logic behind `FivetranWorkspace.sync_and_poll`.

1. read the connection; refuse a paused or not-connected one (nothing would ever complete);
2. take it off Fivetran's own schedule (`schedule_type=manual`) when asked and not yet manual;
3. baseline = max(succeeded_at, failed_at); trigger the sync or re-sync;
4. poll until a completion newer than the baseline; it succeeded iff `succeeded_at` is the newer.

A quota reschedule (`sync_state == "rescheduled"`) either becomes a Dagster `RetryRequested`
timed for `rescheduled_for` (the retried step triggers again: a manual connection never resumes
by itself) or, with `retry_on_reschedule=False`, keeps this step polling within the timeout.
Every way out other than success is a `dg.Failure` naming the connection and its dashboard URL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NoReturn

import dagster as dg

from fivetran_codegen_runtime.inventory import ConnectionAssets
from fivetran_codegen_runtime.rest.client import FivetranClient
from fivetran_codegen_runtime.rest.errors import (
    FivetranAPIError,
    FivetranClientError,
    FivetranNotFoundError,
    FivetranRateLimitError,
    FivetranResponseError,
    FivetranServerError,
    FivetranTransportError,
)
from fivetran_codegen_runtime.rest.status import ConnectionStatus, iso

# The retried step triggers just after `rescheduled_for`, not at it: with a slightly fast local
# clock a trigger that lands early is a no-op and would spend a whole retry.
RESCHEDULE_MARGIN_SECONDS = 1.0
# Polls that fail even after the client's own retries: a Fivetran blip should not fail a
# multi-hour sync that is still running, a lasting outage should.
MAX_CONSECUTIVE_POLL_ERRORS = 3
# With retry_on_reschedule=False, how often a manual connection past its `rescheduled_for` is
# triggered again (each trigger is harmless: Fivetran ignores it while a sync runs).
RETRIGGER_EVERY_SECONDS = 60.0
_TRANSIENT = (
    FivetranServerError,
    FivetranRateLimitError,
    FivetranTransportError,
    FivetranResponseError,
)


@dataclass(frozen=True)
class SyncSettings:
    """How to drive one sync; `FivetranWorkspace` fills it from its fields."""

    poll_interval: float = 10.0
    poll_timeout: float | None = 24 * 3600.0
    disable_schedule_on_trigger: bool = True
    retry_on_reschedule: bool = True
    reschedule_max_retries: int = 3
    reschedule_max_wait: float = 6 * 3600.0

    def __post_init__(self) -> None:
        if self.poll_interval <= 0:
            raise ValueError("poll_interval_seconds must be greater than 0")
        if self.poll_timeout is not None and self.poll_timeout <= 0:
            raise ValueError("poll_timeout_seconds must be greater than 0, or None for no limit")
        if self.reschedule_max_retries < 0 or self.reschedule_max_wait < 0:
            raise ValueError("the reschedule bounds must not be negative")


@dataclass(frozen=True)
class SyncRequest:
    """What to trigger: a sync, a full historical re-sync, or a re-sync of some tables.

    `tables` maps Fivetran's SOURCE schema names to source table names, as the API wants them.
    """

    resync: bool = False
    tables: Mapping[str, tuple[str, ...]] | None = None

    def describe(self) -> str:
        if not self.resync:
            return "sync"
        if self.tables is None:
            return "historical re-sync of every table"
        count = sum(len(names) for names in self.tables.values())
        return f"historical re-sync of {count} table(s)"


def run_sync(
    client: FivetranClient,
    connection: ConnectionAssets,
    request: SyncRequest,
    settings: SyncSettings,
    log: logging.Logger,
    *,
    retry_number: int = 0,
) -> ConnectionStatus:
    """Trigger `request` and return the connection's status once the sync succeeded.

    Raises `dg.Failure` (failed, paused, not connected, deleted, timed out, API error) or
    `dg.RetryRequested` (rescheduled, when `settings.retry_on_reschedule`).
    """
    with _calling(connection, "read the connection"):
        status = _status(client, connection)
    _require_syncable(connection, status)
    _take_off_schedule(client, connection, status, settings, log)
    baseline = status.completed_at
    _trigger(client, connection, request, status, log, retry_number)
    log.info(
        f"{connection.describe()}: {request.describe()} triggered; polling every "
        f"{settings.poll_interval:g}s (timeout: {_seconds(settings.poll_timeout)})"
    )
    final = _Poll(client, connection, settings, log, retry_number).until_complete(baseline)
    if not final.last_sync_succeeded:
        raise _sync_failed(connection, final)
    log.info(f"{connection.describe()}: the sync succeeded ({final.describe()})")
    return final


def _status(client: FivetranClient, connection: ConnectionAssets) -> ConnectionStatus:
    data = client.get_connection(connection.id)
    try:
        return ConnectionStatus.from_api(data)
    except ValueError as exc:
        raise FivetranResponseError(
            str(exc), method="GET", path=f"/v1/connections/{connection.id}"
        ) from None


def _require_syncable(connection: ConnectionAssets, status: ConnectionStatus) -> None:
    if status.paused:
        raise dg.Failure(
            description=(
                f"{connection.describe()} is paused in Fivetran, so Dagster did not trigger a "
                f"sync and materialized nothing. Resume it at {connection.url} (or leave its "
                "assets out of this run), then run again."
            ),
            metadata=_failure_metadata(connection, status),
            allow_retries=False,
        )
    if status.setup_state != "connected":
        tasks = f" (open tasks: {', '.join(status.tasks)})" if status.tasks else ""
        raise dg.Failure(
            description=(
                f"{connection.describe()} cannot sync: its setup_state is "
                f"{status.setup_state!r}{tasks}, not 'connected'. Fix its setup at "
                f"{connection.url} (re-authorize the source, run the setup tests), then run again."
            ),
            metadata=_failure_metadata(connection, status),
            allow_retries=False,
        )


def _take_off_schedule(
    client: FivetranClient,
    connection: ConnectionAssets,
    status: ConnectionStatus,
    settings: SyncSettings,
    log: logging.Logger,
) -> None:
    if not settings.disable_schedule_on_trigger or status.schedule_type == "manual":
        return
    log.info(
        f"{connection.describe()}: setting schedule_type from {status.schedule_type!r} to "
        "'manual' so Fivetran's own schedule stops syncing it between Dagster runs "
        "(disable_schedule_on_trigger=True)"
    )
    with _calling(connection, "switch it to the manual schedule"):
        # run_setup_tests=false: the PATCH must not re-test (and possibly break) the source.
        client.update_connection(
            connection.id, {"schedule_type": "manual", "run_setup_tests": False}
        )


def _trigger(
    client: FivetranClient,
    connection: ConnectionAssets,
    request: SyncRequest,
    status: ConnectionStatus,
    log: logging.Logger,
    retry_number: int,
) -> None:
    # A retry after a reschedule resumes the pending work: re-requesting a re-sync would
    # start the historical sync over (or be refused while the sync waits for quota).
    resume = retry_number > 0 and status.sync_state in ("rescheduled", "syncing")
    if resume:
        log.info(
            f"{connection.describe()}: retry {retry_number}: the sync is {status.sync_state}; "
            "triggering it again to resume it rather than starting a new one"
        )
    hint = (
        "resync_parameters name Fivetran's SOURCE schemas and tables (the keys of "
        f"GET /v1/connections/{connection.id}/schemas), not the destination names"
        if request.tables is not None
        else None
    )
    with _calling(connection, f"trigger a {request.describe()}", hint):
        if resume or not request.resync:
            # force=False: a sync Fivetran is already running is not restarted; it ends after
            # the baseline, so its completion is the one this step reports.
            client.trigger_sync(connection.id, force=False)
        elif request.tables is None:
            client.trigger_resync(connection.id)
        else:
            client.resync_tables(connection.id, request.tables)


class _Poll:
    """The polling loop's state: elapsed time, consecutive errors, what was already logged."""

    def __init__(
        self,
        client: FivetranClient,
        connection: ConnectionAssets,
        settings: SyncSettings,
        log: logging.Logger,
        retry_number: int,
    ) -> None:
        self.client = client
        self.connection = connection
        self.settings = settings
        self.log = log
        self.retry_number = retry_number
        self.started = time.monotonic()
        self.errors = 0
        self.last_state: str | None = None
        self.noted_reschedule: datetime | None = None
        self.last_retrigger: float | None = None

    def until_complete(self, baseline: datetime | None) -> ConnectionStatus:
        status: ConnectionStatus | None = None
        while True:
            time.sleep(self.settings.poll_interval)
            fresh = self._poll()
            if fresh is not None:
                status = fresh
                if status.completed_after(baseline):
                    return status
                self._check_progress(status)
            self._check_timeout(status)

    def _poll(self) -> ConnectionStatus | None:
        """The current status, or None after a transient error that is worth riding out."""
        try:
            with _calling(self.connection, "poll the sync", transient=True):
                status = _status(self.client, self.connection)
        except _TransientPollError as error:
            self.errors += 1
            if self.errors >= MAX_CONSECUTIVE_POLL_ERRORS:
                raise _poll_outage(self.connection, self.errors, error.cause) from error.cause
            self.log.warning(
                f"{self.connection.describe()}: polling failed ({error.cause}); trying again "
                f"({self.errors} of {MAX_CONSECUTIVE_POLL_ERRORS} consecutive failures allowed)"
            )
            return None
        self.errors = 0
        if status.sync_state != self.last_state:
            self.last_state = status.sync_state
            self.log.info(f"{self.connection.describe()}: {status.describe()}")
        return status

    def _check_progress(self, status: ConnectionStatus) -> None:
        if status.paused:
            raise dg.Failure(
                description=(
                    f"{self.connection.describe()} was paused while Dagster waited for its sync; "
                    f"pausing stops the sync in Fivetran. Resume it at {self.connection.url} and "
                    "run again."
                ),
                metadata=_failure_metadata(self.connection, status),
                allow_retries=False,
            )
        if status.is_rescheduled:
            self._on_rescheduled(status)

    def _on_rescheduled(self, status: ConnectionStatus) -> None:
        assert status.rescheduled_for is not None  # is_rescheduled guarantees it
        remaining = (status.rescheduled_for - datetime.now(timezone.utc)).total_seconds()
        remaining = max(0.0, remaining)
        if self.settings.retry_on_reschedule:
            raise _retry_or_fail(
                self.connection, status, remaining, self.settings, self.log, self.retry_number
            )
        if self.noted_reschedule != status.rescheduled_for:
            self.noted_reschedule = status.rescheduled_for
            self.log.warning(
                f"{self.connection.describe()}: Fivetran rescheduled the sync until "
                f"{iso(status.rescheduled_for)} (usually: the source's API quota is spent); "
                "retry_on_reschedule is false, so this step keeps polling (timeout: "
                f"{_seconds(self.settings.poll_timeout)})"
            )
        if remaining == 0 and status.schedule_type == "manual" and self._may_retrigger():
            self.log.info(
                f"{self.connection.describe()}: the rescheduled time has passed and a manual "
                "connection does not resume by itself; triggering the sync again"
            )
            with _calling(self.connection, "trigger the rescheduled sync again"):
                self.client.trigger_sync(self.connection.id, force=False)

    def _may_retrigger(self) -> bool:
        now = time.monotonic()
        if self.last_retrigger is not None and now - self.last_retrigger < RETRIGGER_EVERY_SECONDS:
            return False
        self.last_retrigger = now
        return True

    def _check_timeout(self, status: ConnectionStatus | None) -> None:
        timeout = self.settings.poll_timeout
        if timeout is None or time.monotonic() - self.started <= timeout:
            return
        last = status.describe() if status is not None else "never read"
        raise dg.Failure(
            description=(
                f"{self.connection.describe()}: the sync did not finish within "
                f"poll_timeout_seconds={timeout:g} (last status: {last}). Fivetran has no "
                f"cancel endpoint, so it may still be running: watch it at {self.connection.url}. "
                "If this connection's syncs take longer, raise poll_timeout_seconds on the "
                "FivetranWorkspace resource (None waits without limit)."
            ),
            metadata=_failure_metadata(self.connection, status),
        )


def _retry_or_fail(
    connection: ConnectionAssets,
    status: ConnectionStatus,
    remaining: float,
    settings: SyncSettings,
    log: logging.Logger,
    retry_number: int,
) -> dg.Failure | dg.RetryRequested:
    until = iso(status.rescheduled_for)
    wait = remaining + RESCHEDULE_MARGIN_SECONDS
    bound = settings.reschedule_max_retries
    if retry_number >= bound:
        return dg.Failure(
            description=(
                f"{connection.describe()}: Fivetran rescheduled the sync until {until} (usually: "
                f"the source's API quota is spent) and this step has already been retried "
                f"{retry_number} time(s), the limit (reschedule_max_retries={bound}). Run again "
                f"after {until}, or raise reschedule_max_retries. Details: {connection.url}"
            ),
            metadata=_failure_metadata(connection, status),
        )
    if wait > settings.reschedule_max_wait:
        return dg.Failure(
            description=(
                f"{connection.describe()}: Fivetran rescheduled the sync until {until}, "
                f"{remaining / 60:.0f} minutes away, longer than reschedule_max_wait_seconds="
                f"{settings.reschedule_max_wait:g}; not holding this run that long. Run again "
                f"after {until}, or raise reschedule_max_wait_seconds. Details: {connection.url}"
            ),
            metadata=_failure_metadata(connection, status),
        )
    log.warning(
        f"{connection.describe()}: Fivetran rescheduled the sync until {until} (usually: the "
        f"source's API quota is spent). Dagster retries this step in {wait:.1f}s (retry "
        f"{retry_number + 1} of {bound}); the retry triggers the sync again, because a "
        "connection on the manual schedule never resumes by itself."
    )
    return dg.RetryRequested(max_retries=bound, seconds_to_wait=wait)


class _TransientPollError(Exception):
    def __init__(self, cause: FivetranAPIError) -> None:
        super().__init__(str(cause))
        self.cause = cause


@contextmanager
def _calling(
    connection: ConnectionAssets, action: str, hint: str | None = None, *, transient: bool = False
) -> Iterator[None]:
    """Turn API errors into `dg.Failure`s that name the connection and what was being done."""
    try:
        yield
    except FivetranNotFoundError as exc:
        raise _gone(connection, action, exc) from exc
    except _TRANSIENT as exc:
        if transient:
            raise _TransientPollError(exc) from exc
        _api_failure(connection, action, exc, hint)
    except FivetranAPIError as exc:
        _api_failure(
            connection, action, exc, hint if isinstance(exc, FivetranClientError) else None
        )


def _api_failure(
    connection: ConnectionAssets, action: str, exc: FivetranAPIError, hint: str | None
) -> NoReturn:
    extra = f"\n  note: {hint}" if hint else ""
    raise dg.Failure(
        description=(
            f"{connection.describe()}: could not {action}: {exc}{extra}\n"
            f"  connection: {connection.url}"
        ),
        metadata={"connection_url": dg.MetadataValue.url(connection.url)},
    ) from exc


def _gone(connection: ConnectionAssets, action: str, exc: FivetranAPIError) -> dg.Failure:
    return dg.Failure(
        description=(
            f"{connection.describe()} no longer exists in Fivetran, or the API key can no longer "
            f"see it (HTTP 404 {exc.code or ''} while trying to {action}). If it was deleted or "
            "replaced, regenerate the Dagster code from a fresh snapshot; otherwise check the "
            f"key's role. Was: {connection.url}"
        ),
        metadata={"connection_url": dg.MetadataValue.url(connection.url)},
        allow_retries=False,
    )


def _poll_outage(connection: ConnectionAssets, count: int, exc: FivetranAPIError) -> dg.Failure:
    return dg.Failure(
        description=(
            f"{connection.describe()}: {count} polls in a row failed, each after the client's "
            f"own retries; the last error: {exc}. The sync may still be running in Fivetran: "
            f"watch it at {connection.url} and run again once the API answers."
        ),
        metadata={"connection_url": dg.MetadataValue.url(connection.url)},
    )


def _sync_failed(connection: ConnectionAssets, status: ConnectionStatus) -> dg.Failure:
    return dg.Failure(
        description=(
            f"{connection.describe()}: the Fivetran sync failed at {iso(status.failed_at)} "
            f"({status.describe()}). The connection's logs at {connection.url} say why; fix the "
            "cause there, then run again."
        ),
        metadata=_failure_metadata(connection, status),
    )


def _failure_metadata(
    connection: ConnectionAssets, status: ConnectionStatus | None
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "connection_url": dg.MetadataValue.url(connection.url),
        "connection_id": connection.id,
    }
    if status is not None:
        metadata["status"] = status.describe()
    return metadata


def _seconds(value: float | None) -> str:
    return "none" if value is None else f"{value:g}s"
