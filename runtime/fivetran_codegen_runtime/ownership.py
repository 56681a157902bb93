"""Which Dagster run owns a connection's next sync, told through the instance.

A run that syncs a connection tags itself with the connection before it triggers the sync; the
polling sensor leaves any new completion of that connection to a run so tagged while the run is
in progress. The run records the sync itself, or, if it dies first, the sensor reports it once
the run is no longer in progress. The run worker, the daemon and the webserver share only the
instance, and run tags and statuses live there: no clock, no guessed margin.
"""

from __future__ import annotations

from typing import Final

import dagster as dg

TAG_PREFIX: Final = "fivetran-codegen/syncs/"
CLAIMED: Final = "true"
# Statuses of a run that may still record events: queued runs have not claimed anything yet.
IN_PROGRESS: Final = (
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
)


def tag(connection_id: str) -> str:
    return TAG_PREFIX + connection_id


def claim(instance: dg.DagsterInstance, run_id: str, connection_id: str) -> None:
    """Record that run `run_id` syncs the connection: call before triggering."""
    instance.add_run_tags(run_id, {tag(connection_id): CLAIMED})


def owner(instance: dg.DagsterInstance, connection_id: str) -> str | None:
    """The id of a run in progress that claimed the connection, if there is one."""
    runs = instance.get_run_ids(
        filters=dg.RunsFilter(tags={tag(connection_id): CLAIMED}, statuses=list(IN_PROGRESS)),
        limit=1,
    )
    return runs[0] if runs else None
