"""Cron expressions and time zone names in the config, checked before they reach a schedule
Dagster would refuse.

Dagster validates cron strings with its vendored croniter when the code location loads, which
is after `generate` has written the package. Importing Dagster here would add a second and a
half to every run, so the rules that decide most mistakes are checked locally: five fields (or
an `@daily`-style alias), numbers in each field's range, steps of at least 1, no 30th or 31st
of February. A field with names or croniter's extensions (`mon-fri`, `L`, `5#2`, `?`) is left
to Dagster. A test holds these rules to Dagster's own verdicts: nothing Dagster accepts is
refused here, and on plain numbers and steps the verdicts are the same.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

from fivetran_codegen.config.locations import Where
from fivetran_codegen.errors import ConfigError, did_you_mean

ALIASES = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12))
_DAY_OF_WEEK = ("day of week", 0, 7)
_NUMERIC = re.compile(r"[0-9*/,-]+")
_ITEM = re.compile(r"(?:\*|(\d+)(?:-(\d+))?)(?:/(\d+))?")
_NUMBER_OR_STEP = re.compile(r"(\*|[0-9]+)(?:/([0-9]+))?")


def problem(expression: str) -> str | None:
    """Why Dagster would refuse `expression`, or None when it looks valid."""
    if expression.startswith("@"):
        return None if expression in ALIASES else f"unknown cron alias {expression!r}"
    fields = expression.split()
    if len(fields) != 5:
        return f"{len(fields)} fields, not five (minute hour day-of-month month day-of-week)"
    for text, (name, low, high) in zip(fields, (*_FIELDS, _DAY_OF_WEEK), strict=True):
        found = _field_problem(text, name, low, high)
        if found:
            return found
    days, months = _values(fields[2], 1, 31), _values(fields[3], 1, 12)
    # As Dagster refuses them: one day, the 30th or 31st, and February alone.
    if months == {2} and days is not None and len(days) == 1 and days <= {30, 31}:
        (day,) = days
        return f"February has no day {day}"
    return None


def _field_problem(text: str, name: str, low: int, high: int) -> str | None:
    if not _NUMERIC.fullmatch(text):
        return None  # names and croniter's extensions: Dagster decides
    for item in text.split(","):
        match = _ITEM.fullmatch(item)
        if match is None:
            return f"{name} field {text!r} is not cron syntax"
        start, end, step = match.groups()
        if end is not None and int(end) == 0:
            continue  # croniter has its own reading of `x-0` ranges (`12-0` months): Dagster decides
        for number in (start, end):
            if number is not None and not low <= int(number) <= high:
                return f"{name} {int(number)} is outside {low}-{high}"
        if step is not None and int(step) < 1:
            return f"{name} field {text!r} has a step of 0"
    return None


def _values(text: str, low: int, high: int) -> set[int] | None:
    """What croniter expands a field of numbers and steps to (`30`, `02`, `30,30`, `2/12`,
    `*/5`); None for ranges and the rest, whose reading is left to Dagster."""
    values: set[int] = set()
    for item in text.split(","):
        match = _NUMBER_OR_STEP.fullmatch(item)
        if match is None:
            return None
        start, step = match.groups()
        if step is None:
            values.update(range(low, high + 1) if start == "*" else {int(start)})
            continue
        # croniter reads a step from the field's last value (`31/5`, `12/2`) as one from `*`.
        first = low if start == "*" or int(start) == high else int(start)
        values.update(range(first, high + 1, int(step)))
    return values


def check(value: Any, where: str, *, example: str) -> None:
    found = problem(value) if isinstance(value, str) else "not a string"
    if found:
        raise ConfigError(
            f"{value!r} is not a cron schedule Dagster accepts: {found}",
            where=where,
            hint=f"e.g. {example}, or an alias such as '@daily'",
        )


def timezone(value: Any, where: Where) -> str | None:
    """An IANA time zone name, checked as Dagster checks it when the schedule loads (zoneinfo,
    with the tzdata package Dagster depends on), so a typo fails here and not at deploy time."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(
            "timezone must be a string such as 'Europe/Berlin'", where=where.at("timezone")
        )
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone {value!r} is not a time zone name",
            where=where.at("timezone"),
            hint=did_you_mean(
                value,
                sorted(zoneinfo.available_timezones()),
                otherwise="use an IANA name such as 'Europe/Berlin' or 'UTC'",
            ),
        ) from None
    return value
