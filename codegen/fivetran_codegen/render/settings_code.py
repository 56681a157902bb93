"""Settings of `[tool.fivetran-codegen]` -> the Dagster code that states them (automation
conditions, retry policies); every value through `literals.py_literal`."""

from __future__ import annotations

from fivetran_codegen.config.settings import RetryPolicy
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
