"""Fault injection: rules that make matching requests fail the way real networks and APIs do."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

_DEFAULT_CODES = {
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@dataclass(slots=True)
class FaultRule:
    """One injected failure, applied to the next `times` matching requests (None: forever).

    Exactly one effect applies, checked in this order:
    - `drop`: close the socket without answering; the request is not processed.
    - `status`: answer with this status and a Fivetran error body (`code`/`message` override the
      defaults; 429 always carries an integer `Retry-After`); the request is not processed.
    - `truncate`: process the request, then send a Content-Length larger than the body and close,
      so the client sees a broken read of a request the server did handle.
    - `malformed`: answer 200 with a body that is not JSON; the request is not processed.
    - none of these: the rule only adds `delay`.
    `delay` (seconds) is slept before any effect, e.g. to make one endpoint time out.
    `method`/`path` select requests; `path` is a glob over the raw path without the query
    (`*` also matches `/`). `probability` < 1 draws from the simulator's seeded RNG.
    """

    status: int | None = None
    times: int | None = 1
    method: str | None = None
    path: str | None = None
    retry_after: int = 1
    drop: bool = False
    truncate: bool = False
    malformed: bool = False
    delay: float = 0.0
    probability: float = 1.0
    code: str | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError("a fault status must be an HTTP error status (400-599)")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1, or None for forever")
        if not 0.0 < self.probability <= 1.0:
            raise ValueError("probability must be in (0, 1]")

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or fnmatchcase(path, self.path)

    def error_code(self) -> str:
        status = self.status or 500
        return self.code or _DEFAULT_CODES.get(status, "Error")

    def error_message(self) -> str:
        if self.message is not None:
            return self.message
        if self.status == 429:
            return "Rate limit exceeded. Please retry after the time given in Retry-After"
        return "Simulated failure injected by the Fivetran simulator"


class FaultInjector:
    def __init__(self, seed: int) -> None:
        self._rules: list[FaultRule] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(
                replace(rule)
            )  # a copy: consuming `times` must not edit the caller's rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first rule that fires for this request, consuming one of its `times`."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times == 0:
                        self._rules.remove(rule)
                return rule
            return None
