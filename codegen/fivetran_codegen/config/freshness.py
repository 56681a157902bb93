"""`freshness_policy`, at the top level, per connection and per table entry: "from_schedule"
(with optional multipliers), fixed windows, a cron deadline, or "none"."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fivetran_codegen.config import cron
from fivetran_codegen.config.locations import Where
from fivetran_codegen.config.settings import (
    CronFreshness,
    Freshness,
    ScheduleFreshness,
    TimeWindowFreshness,
)
from fivetran_codegen.errors import ConfigError

KEY = "freshness_policy"
_FIXED_KEYS = ("fail_window", "warn_window", "cron", "lower_bound", "timezone")
_SCHEDULE_KEYS = ("from_schedule", "warn", "fail", "daily_deadline")
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
MIN_WINDOW_SECONDS = 60  # Dagster evaluates freshness about once a minute
DAY = 24 * 3600  # seconds
_EXAMPLES = (
    'use "from_schedule", { from_schedule = true, warn = 1.5, fail = 2.0 }, '
    '{ fail_window = "25h", warn_window = "13h" }, { cron = "0 10 * * *", lower_bound = "1h" } '
    'or "none"'
)


def setting(
    table: Mapping[str, Any], where: Where, default: Freshness | None = None
) -> Freshness | None:
    """`table[freshness_policy]` checked; None for "none", `default` when the key is absent."""
    if KEY not in table:
        return default
    value = table[KEY]
    if value == "none":
        return None
    if value == "from_schedule":
        return ScheduleFreshness()
    if not isinstance(value, dict):
        raise ConfigError(
            f"freshness_policy {value!r} is not a freshness policy",
            where=where.at(KEY),
            hint=_EXAMPLES,
        )
    inner = where.sub(KEY)
    if "from_schedule" in value:
        return _from_schedule(value, inner)
    return _fixed(value, inner)


def _from_schedule(section: dict[str, Any], where: Where) -> ScheduleFreshness:
    where.known(section, _SCHEDULE_KEYS)
    if section["from_schedule"] is not True:
        raise ConfigError(
            "from_schedule must be true here",
            where=where.at("from_schedule"),
            hint='for no policy write freshness_policy = "none"',
        )
    default = ScheduleFreshness()
    warn = _multiplier(section, where, "warn", default.warn)
    fail = _multiplier(section, where, "fail", default.fail)
    if warn >= fail:
        raise ConfigError(
            f"warn ({warn}) must be smaller than fail ({fail})",
            where=where.at("warn"),
            hint="e.g. warn = 1.5, fail = 2.0: warn after one and a half sync intervals",
        )
    deadline = default.daily_deadline_seconds
    if "daily_deadline" in section:
        deadline = duration(section["daily_deadline"], where.at("daily_deadline"))
        if deadline >= DAY:
            raise ConfigError(
                f"daily_deadline {section['daily_deadline']!r} is a day or more after the sync time",
                where=where.at("daily_deadline"),
                hint='the deadline is the time after the daily sync starts, e.g. "3h"',
            )
    return ScheduleFreshness(warn=warn, fail=fail, daily_deadline_seconds=deadline)


def _multiplier(section: Mapping[str, Any], where: Where, key: str, default: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 1:
        raise ConfigError(
            f"{key} must be a number of sync intervals, at least 1, not {value!r}",
            where=where.at(key),
            hint="a window shorter than one interval would fail between two on-time syncs",
        )
    return float(value)


def _fixed(value: Any, where: Where) -> TimeWindowFreshness | CronFreshness:
    example = '{ fail_window = "25h", warn_window = "13h" } or { cron = "0 10 * * *", lower_bound = "1h" }'
    section = where.table(value)
    where.known(section, _FIXED_KEYS)
    if "cron" in section:
        extra = sorted(set(section) & {"fail_window", "warn_window"})
        if extra:
            raise ConfigError(
                f"a cron freshness policy has no {extra[0]}", where=where.at(extra[0]), hint=example
            )
        expression = section["cron"]
        cron.check(expression, where.at("cron"), example='cron = "0 10 * * *"')
        if "lower_bound" not in section:
            raise ConfigError(
                "a cron freshness policy needs a lower_bound", where=where.at(""), hint=example
            )
        return CronFreshness(
            cron=expression,
            lower_bound_seconds=duration(section["lower_bound"], where.at("lower_bound")),
            timezone=cron.timezone(section.get("timezone"), where) or "UTC",
        )
    if "fail_window" not in section:
        raise ConfigError(
            "a freshness policy needs fail_window or cron", where=where.at(""), hint=example
        )
    for key in ("lower_bound", "timezone"):
        if key in section:
            raise ConfigError(f"{key} belongs to a cron policy", where=where.at(key), hint=example)
    fail = duration(section["fail_window"], where.at("fail_window"))
    warn = (
        duration(section["warn_window"], where.at("warn_window"))
        if "warn_window" in section
        else None
    )
    if warn is not None and warn >= fail:
        raise ConfigError(
            f"warn_window ({section['warn_window']}) must be shorter than fail_window "
            f"({section['fail_window']})",
            where=where.at("warn_window"),
        )
    return TimeWindowFreshness(fail, warn)


def duration(value: Any, where: str) -> int:
    """Seconds from "25h", "1d12h", "90m", "45s" or a number of seconds; at least a minute."""
    match = _DURATION.fullmatch(value) if isinstance(value, str) and value else None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif match is not None:
        days, hours, minutes, secs = (int(part or 0) for part in match.groups())
        seconds = ((days * 24 + hours) * 60 + minutes) * 60 + secs
    else:
        raise ConfigError(
            f"{value!r} is not a duration", where=where, hint='write e.g. "25h", "1d12h", "90m"'
        )
    if seconds < MIN_WINDOW_SECONDS:
        raise ConfigError(
            f"{value!r} is shorter than a minute",
            where=where,
            hint="Dagster checks freshness about once a minute; use at least 60s",
        )
    return seconds


def duration_text(seconds: int) -> str:
    """The other way round: 90 -> "1m30s", 5400 -> "1h30m", 86400 -> "1d"."""
    parts, rest = [], seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
