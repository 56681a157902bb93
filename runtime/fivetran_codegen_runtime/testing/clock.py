"""Clocks that drive the simulator's sync state machine and rate limiter, and Fivetran timestamps."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class RealClock:
    """Wall-clock time: syncs finish after real seconds (use a short `sync_duration`)."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that only moves when told to, so tests can step a sync through its states."""

    def __init__(self, start: datetime | str = "2025-01-01T00:00:00Z") -> None:
        self._now = parse_timestamp(start) if isinstance(start, str) else _as_utc(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime | str) -> None:
        with self._lock:
            self._now = parse_timestamp(when) if isinstance(when, str) else _as_utc(when)


def format_timestamp(when: datetime) -> str:
    """Fivetran's format: ISO-8601 UTC with microseconds and a `Z`."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    return _as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


def _as_utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return when.astimezone(timezone.utc)
