"""A connection's freshness policy: `freshness_policy` as configured, with "from_schedule" worked
out from the connection's Fivetran schedule.

The rule for "from_schedule":
- on Fivetran's schedule (`schedule_type` "auto", not paused) every `sync_frequency` minutes:
  a time window, failing after `fail` intervals and warning after `warn` (2 and 1.5);
- a daily sync (1440 minutes) at a `daily_sync_time`, in a destination whose time zone the
  snapshot knows: a cron deadline `daily_deadline` (3 hours) after that time, converted to UTC,
  which a materialization in the 24 hours before it meets;
- manual or paused, or no known frequency: none, since then Dagster (or nobody) decides when
  the connection syncs.
"""

from __future__ import annotations

from dataclasses import dataclass

from fivetran_codegen.config.freshness import DAY, duration_text
from fivetran_codegen.config.settings import (
    CronFreshness,
    Freshness,
    ScheduleFreshness,
    TimeWindowFreshness,
)
from fivetran_codegen.errors import ConfigError

Policy = TimeWindowFreshness | CronFreshness
DAILY = 1440  # minutes


@dataclass(frozen=True)
class Schedule:
    schedule_type: str | None
    paused: bool
    sync_frequency: int | None  # minutes
    daily_sync_time: str | None  # "HH:MM" in the destination's time zone
    utc_offset_minutes: int | None  # the destination's


def policy(setting: Freshness | None, schedule: Schedule) -> Policy | None:
    if not isinstance(setting, ScheduleFreshness):
        return setting
    frequency = schedule.sync_frequency
    if schedule.schedule_type != "auto" or schedule.paused or not frequency:
        return None
    deadline = _daily_deadline(setting, schedule) if frequency == DAILY else None
    if deadline is not None:
        return CronFreshness(cron=deadline, lower_bound_seconds=DAY, timezone="UTC")
    return TimeWindowFreshness(
        fail_seconds=round(setting.fail * frequency * 60),
        warn_seconds=round(setting.warn * frequency * 60),
    )


def _daily_deadline(setting: ScheduleFreshness, schedule: Schedule) -> str | None:
    """`M H * * *` in UTC: the daily sync time plus the deadline, or None when either the time
    or the destination's time zone is unknown (then the time window applies)."""
    start = _minutes_of_day(schedule.daily_sync_time)
    if start is None or schedule.utc_offset_minutes is None:
        return None
    at = (start - schedule.utc_offset_minutes + setting.daily_deadline_seconds // 60) % (24 * 60)
    return f"{at % 60} {at // 60} * * *"


def _minutes_of_day(text: str | None) -> int | None:
    hours, _, minutes = (text or "").partition(":")
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    value = int(hours) * 60 + int(minutes)
    return value if int(hours) < 24 and int(minutes) < 60 else None


def describe(policy: Policy | None) -> str:
    """As `diff` shows it: "fail after 12h, warn after 9h", "due at cron '0 10 * * *' (UTC)..."."""
    if policy is None:
        return "none"
    if isinstance(policy, CronFreshness):
        return (
            f"due at cron {policy.cron!r} ({policy.timezone}), "
            f"materialized in the {duration_text(policy.lower_bound_seconds)} before"
        )
    text = f"fail after {duration_text(policy.fail_seconds)}"
    if policy.warn_seconds is not None:
        text += f", warn after {duration_text(policy.warn_seconds)}"
    return text


def require_support(where: str, subject: str = "freshness_policy") -> None:
    """Generated code states policies with `dg.FreshnessPolicy.time_window(...)` / `.cron(...)`,
    which older Dagster lacks: refuse here rather than write code that cannot load. Imported
    only when a policy is configured, as generate otherwise needs no dagster."""
    import dagster as dg

    policy_class = getattr(dg, "FreshnessPolicy", None)
    if policy_class is None or not hasattr(policy_class, "time_window"):
        raise ConfigError(
            f"{subject} needs a Dagster with dg.FreshnessPolicy.time_window; this is "
            f"dagster {dg.__version__}",
            where=where,
            hint="upgrade dagster (1.11 or newer), or remove freshness_policy",
        )
