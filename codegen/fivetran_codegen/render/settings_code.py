"""Settings of `[tool.fivetran-codegen]` -> the Dagster code that states them (automation
conditions, retry policies, freshness policies); every value through `literals.py_literal`."""

from __future__ import annotations

from fivetran_codegen.config.settings import CronFreshness, RetryPolicy, TimeWindowFreshness
from fivetran_codegen.render import literals


def automation_condition(condition: str | None) -> str | None:
    if condition is None:
        return None
    if condition.startswith("on_cron:"):
        cron = condition.removeprefix("on_cron:")
        return f"dg.AutomationCondition.on_cron({literals.py_literal(cron)})"
    return {
        "eager": "dg.AutomationCondition.eager()",
        "on_missing": "dg.AutomationCondition.on_missing()",
    }[condition]


def retry_policy(policy: RetryPolicy | None) -> str | None:
    if policy is None:
        return None
    arguments = [f"max_retries={literals.py_literal(policy.max_retries)}"]
    if policy.delay is not None:
        arguments.append(f"delay={literals.py_literal(policy.delay)}")
    if policy.backoff is not None:
        arguments.append(f"backoff=dg.Backoff.{policy.backoff.upper()}")
    if policy.jitter is not None:
        arguments.append(f"jitter=dg.Jitter.{policy.jitter.upper()}")
    return f"dg.RetryPolicy({', '.join(arguments)})"


def freshness_policy(policy: TimeWindowFreshness | CronFreshness | None) -> str | None:
    if policy is None:
        return None
    if isinstance(policy, CronFreshness):
        return cron_freshness(policy.cron, policy.lower_bound_seconds, policy.timezone)
    return time_window_freshness(policy.fail_seconds, policy.warn_seconds)


def time_window_freshness(fail_seconds: float, warn_seconds: float | None) -> str:
    arguments = [f"fail_window={timedelta(fail_seconds)}"]
    if warn_seconds is not None:
        arguments.append(f"warn_window={timedelta(warn_seconds)}")
    return f"dg.FreshnessPolicy.time_window({', '.join(arguments)})"


def cron_freshness(cron: str, lower_bound_seconds: float, timezone: str) -> str:
    arguments = [
        f"deadline_cron={literals.py_literal(cron)}",
        f"lower_bound_delta={timedelta(lower_bound_seconds)}",
    ]
    if timezone != "UTC":
        arguments.append(f"timezone={literals.py_literal(timezone)}")
    return f"dg.FreshnessPolicy.cron({', '.join(arguments)})"


def timedelta(seconds: float) -> str:
    """`datetime.timedelta(hours=25)`: the largest unit that states it exactly."""
    if seconds != int(seconds):
        return f"datetime.timedelta(seconds={literals.py_literal(float(seconds))})"
    whole = int(seconds)
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if whole and whole % size == 0:
            return f"datetime.timedelta({unit}={whole // size})"
    return f"datetime.timedelta(seconds={whole})"
