"""Fivetran's account rate limits: a rolling one-hour window per bucket.

Driven by the simulator's clock, so with a `ManualClock` a test refills the bucket by advancing
time instead of waiting an hour.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds until one request frees up; 0 when allowed


class RollingWindow:
    def __init__(self, limit_per_hour: int, now: Callable[[], datetime]) -> None:
        self.limit_per_hour = limit_per_hour
        self._now = now
        self._hits: deque[datetime] = deque()
        self._lock = threading.Lock()

    def take(self) -> Verdict:
        """Count one request if the window has room."""
        with self._lock:
            now = self._expire()
            if len(self._hits) >= self.limit_per_hour:
                return Verdict(False, self.limit_per_hour, 0, self._retry_after(now))
            self._hits.append(now)
            return Verdict(True, self.limit_per_hour, self.limit_per_hour - len(self._hits), 0)

    def peek(self) -> Verdict:
        """The current state without counting a request (for 401s and injected faults)."""
        with self._lock:
            self._expire()
            remaining = max(0, self.limit_per_hour - len(self._hits))
            return Verdict(remaining > 0, self.limit_per_hour, remaining, 0)

    def _expire(self) -> datetime:
        now = self._now()
        while self._hits and now - self._hits[0] >= WINDOW:
            self._hits.popleft()
        return now

    def _retry_after(self, now: datetime) -> int:
        # The request that frees a slot is the one that entered the window
        # `limit` requests before the newest; usually the oldest still counted.
        excess = len(self._hits) - self.limit_per_hour
        frees_at = self._hits[excess] + WINDOW if self._hits else now
        return max(1, math.ceil((frees_at - now).total_seconds()))
