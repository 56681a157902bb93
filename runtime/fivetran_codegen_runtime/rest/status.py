"""`ConnectionStatus`: the sync facts the runtime reads from a Fivetran connection object.

Fivetran gives no sync-run id: a sync is known only by the connection's `succeeded_at` and
`failed_at` timestamps moving forward. The run (`sync.py`) and the sensor (`sensor.py`) both
decide from this record, and both turn a timestamp into the same epoch float
(`dagster-fivetran/sync_completed_at`), so their de-duplication compares equal values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

# Fivetran writes 0 to 6 fractional digits (`.245Z`, `.275000Z`, none); Python 3.10's
# `fromisoformat` accepts only 3 or 6 and no `Z`, so the text is normalised first.
_ISO = re.compile(
    r"^(?P<base>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>Z|[+-]\d\d:?\d\d)?$"
)


def parse_timestamp(value: object, *, field: str = "timestamp") -> datetime | None:
    """An aware UTC datetime from Fivetran's ISO-8601 text; None for null or empty."""
    if value is None or value == "":
        return None
    match = _ISO.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{field} {value!r} is not an ISO-8601 timestamp")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    zone = match["zone"] or "Z"
    zone = "+00:00" if zone == "Z" else zone
    if len(zone) == 5:  # +0100 -> +01:00
        zone = f"{zone[:3]}:{zone[3:]}"
    parsed = datetime.fromisoformat(f"{match['base']}.{fraction}{zone}")
    return parsed.astimezone(timezone.utc)


def epoch(when: datetime) -> float:
    """Seconds since the epoch, as dagster-fivetran records `sync_completed_at`."""
    return when.timestamp()


@dataclass(frozen=True)
class ConnectionStatus:
    """The state of one connection as `GET /v1/connections[/{id}]` reported it."""

    id: str
    succeeded_at: datetime | None
    failed_at: datetime | None
    paused: bool
    setup_state: str
    sync_state: str
    schedule_type: str | None
    rescheduled_for: datetime | None
    tasks: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ConnectionStatus:
        status = data.get("status")
        status = status if isinstance(status, Mapping) else {}
        conn_id = str(data.get("id", "?"))
        tasks = status.get("tasks")
        return cls(
            id=conn_id,
            succeeded_at=parse_timestamp(data.get("succeeded_at"), field="succeeded_at"),
            failed_at=parse_timestamp(data.get("failed_at"), field="failed_at"),
            paused=bool(data.get("paused", False)),
            setup_state=str(status.get("setup_state") or "unknown"),
            sync_state=str(status.get("sync_state") or "unknown"),
            schedule_type=_optional_str(data.get("schedule_type")),
            rescheduled_for=parse_timestamp(
                status.get("rescheduled_for"), field="status.rescheduled_for"
            ),
            tasks=tuple(
                str(task.get("code"))
                for task in (tasks if isinstance(tasks, list) else [])
                if isinstance(task, Mapping) and task.get("code")
            ),
        )

    @property
    def completed_at(self) -> datetime | None:
        """When the latest sync ended, successfully or not (None: never)."""
        ends = [when for when in (self.succeeded_at, self.failed_at) if when is not None]
        return max(ends) if ends else None

    @property
    def last_sync_succeeded(self) -> bool:
        """True iff the latest completion is a success (ties count as failure)."""
        if self.succeeded_at is None:
            return False
        return self.failed_at is None or self.succeeded_at > self.failed_at

    @property
    def is_rescheduled(self) -> bool:
        """Fivetran postponed the sync, usually until the source has API quota again."""
        return self.sync_state == "rescheduled" and self.rescheduled_for is not None

    def completed_after(self, baseline: datetime | None) -> bool:
        completed = self.completed_at
        return completed is not None and (baseline is None or completed > baseline)

    def describe(self) -> str:
        """A one-line summary for log and error messages."""
        parts = [
            f"sync_state={self.sync_state}",
            f"setup_state={self.setup_state}",
            f"paused={str(self.paused).lower()}",
            f"succeeded_at={iso(self.succeeded_at)}",
            f"failed_at={iso(self.failed_at)}",
        ]
        if self.rescheduled_for is not None:
            parts.append(f"rescheduled_for={iso(self.rescheduled_for)}")
        if self.tasks:
            parts.append(f"tasks={','.join(self.tasks)}")
        return ", ".join(parts)


def iso(when: datetime | None) -> str:
    """A UTC time as ISO-8601 text with a `Z`, or "never"."""
    return "never" if when is None else when.isoformat().replace("+00:00", "Z")


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) else None
