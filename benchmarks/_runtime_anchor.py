"""Child of runtime_bench.py in the dagster-fivetran 0.29.27 virtualenv: a sync, or sensor ticks.

    python _runtime_anchor.py sync   API_URL POLL_INTERVAL CONNECTION_ID
    python _runtime_anchor.py sensor API_URL POLL_INTERVAL

Credentials come from FIVETRAN_API_KEY/SECRET. Phases (see _phases.py): `loaded` once the
definitions are built (for `sync` that includes `@fivetran_assets`' workspace fetch), then `ran`
after `dg.materialize`, or `tick1`..`tick3` of `build_fivetran_polling_sensor`.
"""

# No `from __future__ import annotations`: Dagster reads the asset function's annotations.
import inspect
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import dagster as dg
import dagster_fivetran.resources as resources
from _phases import phase
from dagster._serdes import deserialize_value
from dagster_fivetran import FivetranWorkspace, build_fivetran_polling_sensor, fivetran_assets
from dagster_fivetran.sensor_builder import FivetranPollingSensorCursor

TICKS = ("tick1", "tick2", "tick3")


def point_at(api_url: str, poll_interval: float) -> None:
    """The simulator's URL (read at call time) and the poll interval.

    `FivetranWorkspace.sync_and_poll` calls `client.sync_and_poll(connector_id=...)` without a
    poll interval, so the interval is the default argument, bound when the module was imported
    from DEFAULT_POLL_INTERVAL: patching the constant alone would change nothing.
    """
    resources.FIVETRAN_API_BASE = api_url
    resources.DEFAULT_POLL_INTERVAL = poll_interval  # type: ignore[assignment]
    client = resources.FivetranClient
    for method in (client.sync_and_poll, client._sync_and_poll, client.poll_sync):
        method.__defaults__ = (poll_interval, None)
        default = inspect.signature(method).parameters["poll_interval"].default
        assert default == poll_interval, (method, default)


def workspace() -> FivetranWorkspace:
    return FivetranWorkspace(
        account_id="bench",
        api_key=os.environ["FIVETRAN_API_KEY"],
        api_secret=os.environ["FIVETRAN_API_SECRET"],
    )


def sync(resource: FivetranWorkspace, connection_id: str) -> None:
    started = time.perf_counter()

    @fivetran_assets(connector_id=connection_id, workspace=resource, name="fivetran_bench")
    def synced(context: dg.AssetExecutionContext, fivetran: FivetranWorkspace) -> Iterator[Any]:
        yield from fivetran.sync_and_poll(context=context)

    dg.Definitions(assets=[synced], resources={"fivetran": resource}).resolve_asset_graph()
    instance = dg.DagsterInstance.ephemeral()  # as in _runtime_ours.py: not part of the run
    phase("loaded", seconds=time.perf_counter() - started)
    started = time.perf_counter()
    result = dg.materialize(
        [synced], resources={"fivetran": resource}, instance=instance, raise_on_error=False
    )
    keys = [event.asset_key.to_user_string() for event in result.get_asset_materialization_events()]
    phase("ran", seconds=time.perf_counter() - started, success=result.success, keys=keys)


def sensor(resource: FivetranWorkspace) -> None:
    started = time.perf_counter()
    definition = build_fivetran_polling_sensor(workspace=resource)
    instance = dg.DagsterInstance.ephemeral()
    phase("loaded", seconds=time.perf_counter() - started)
    cursor: str | None = None
    for name in TICKS:
        context = dg.build_sensor_context(instance=instance, cursor=cursor)
        started = time.perf_counter()
        result = definition(context)
        seconds = time.perf_counter() - started
        cursor = context.cursor  # this sensor sets it with context.update_cursor
        keys = [event.asset_key.to_user_string() for event in result.asset_events or []]
        state = deserialize_value(cursor, FivetranPollingSensorCursor) if cursor else None
        covered = len(state.effective_timestamp_by_connector_id) if state else 0
        phase(name, seconds=seconds, keys=keys, covered=covered)


def main() -> None:
    mode, api_url, poll_interval, *rest = sys.argv[1:]
    point_at(api_url, float(poll_interval))
    if mode == "sync":
        sync(workspace(), rest[0])
    else:
        sensor(workspace())


if __name__ == "__main__":
    main()
