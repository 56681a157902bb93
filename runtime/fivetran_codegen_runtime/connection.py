"""`FivetranConnection`: what generated code records about one Fivetran connection.

A plain frozen record, built once per module at import; it costs nothing at load time and
gives the runtime (sync, events, sensor) the facts the snapshot held, without an API call.
"""

from __future__ import annotations

from dataclasses import dataclass

DASHBOARD_URL = "https://fivetran.com/dashboard/connections/"


@dataclass(frozen=True)
class FivetranConnection:
    """One Fivetran connection, as of the snapshot the module was generated from.

    `name` is Fivetran's `schema` field (the connection's name and destination schema prefix);
    `destination_service` and `database` describe where its tables land.
    """

    id: str
    name: str
    service: str
    group_id: str
    destination_service: str | None = None
    database: str | None = None
    schedule_type: str | None = None
    sync_frequency: int | None = None
    daily_sync_time: str | None = None
    paused: bool = False
    setup_state: str = "connected"

    @property
    def url(self) -> str:
        """The connection's page in the Fivetran dashboard."""
        return DASHBOARD_URL + self.id
