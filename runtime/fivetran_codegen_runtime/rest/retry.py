"""Retry policy for Fivetran calls, built on urllib3's `Retry`.

urllib3 already parses `Retry-After`, counts attempts per cause and refuses to replay a request
whose response was lost for non-idempotent methods. On top of it this adds what Fivetran needs:
- exponential backoff with jitter from the first retry (urllib3 retries the first one at once);
- a bound on total time, so a `Retry-After: 3600` fails fast instead of hanging a deploy;
- a sync trigger (POST) is retried only on 429, which Fivetran sends before doing anything:
  a blindly retried `force` would restart a sync that is already running;
- a callback per retry, for the closing summary and the debug log.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# PATCH is retried: the only PATCH this project sends sets fields to fixed values.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PATCH"})

OnRetry = Callable[[str, str, "int | None", float], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts per call, backoff, and the time budget per call."""

    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    total_timeout: float = 600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_base < 0 or self.backoff_max < 0 or self.total_timeout <= 0:
            raise ValueError("backoff and timeout values must be positive")

    def to_urllib3(self, on_retry: OnRetry | None = None) -> FivetranRetry:
        retries = self.max_attempts - 1
        return FivetranRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            redirect=0,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=self.backoff_base,
            backoff_max=self.backoff_max,
            raise_on_status=False,
            raise_on_redirect=False,
            respect_retry_after_header=True,
            budget=self.total_timeout,
            on_retry=on_retry,
        )


class FivetranRetry(Retry):
    """urllib3 `Retry` with a time budget, jittered backoff and POST-only-on-429."""

    def __init__(
        self,
        *args: Any,
        budget: float | None = None,
        on_retry: OnRetry | None = None,
        started: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.on_retry = on_retry
        self.started = started

    def new(self, **kw: Any) -> FivetranRetry:
        kw.setdefault("budget", self.budget)
        kw.setdefault("on_retry", self.on_retry)
        kw.setdefault("started", self.started)
        return super().new(**kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST":
            return status_code == 429 and bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)

    def backoff_ceiling(self) -> float:
        """The longest backoff before the coming retry: doubles per attempt, up to backoff_max."""
        attempts = len(self.history)
        if attempts == 0:
            return 0.0
        return float(min(self.backoff_max, self.backoff_factor * (2 ** (attempts - 1))))

    def get_backoff_time(self) -> float:
        ceiling = self.backoff_ceiling()
        # "Equal jitter": never less than half the step, so a retry storm still spreads out.
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> FivetranRetry:
        started = self.started if self.started is not None else time.monotonic()
        retry: FivetranRetry = (
            super().increment(method, url, response, error, _pool, _stacktrace).new(started=started)
        )
        wait = _planned_wait(retry, response)
        if self.budget is not None and time.monotonic() + wait - started > self.budget:
            raise MaxRetryError(_pool, url or "", error or ResponseError("retry budget spent"))
        if self.on_retry is not None:
            status = response.status if response is not None else None
            self.on_retry(method or "?", url or "?", status, wait)
        return retry


def _planned_wait(retry: FivetranRetry, response: BaseHTTPResponse | None) -> float:
    """The longest the coming sleep can be: Retry-After if given, else the backoff ceiling."""
    if response is not None and retry.respect_retry_after_header:
        after = retry.get_retry_after(response)
        if after is not None:
            return after
    return retry.backoff_ceiling()
