"""What the packages of several workspaces (profiles) must not share, checked before writing.

Each profile's package is loaded beside the others (`dg.Definitions.merge`), and Dagster
refuses two definitions of one asset key, resource key, job, schedule or sensor name; two
profiles writing one package would overwrite each other. All of it is known from the plans, so
`generate` refuses it before anything is written, naming both workspaces and the setting that
separates them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from fivetran_codegen.config import Config, Workspaces
from fivetran_codegen.errors import GenerateError
from fivetran_codegen.output import manifest
from fivetran_codegen.plan.render_plan import RenderPlan

_PROFILES = "[tool.fivetran-codegen.profiles]"


@dataclass(frozen=True)
class _Defined:
    kind: str  # "the job"
    name: str  # as the message shows it: "'crm_daily'"
    hint: str  # the setting that tells two workspaces apart
    detail: str = ""  # more for the message, not part of the identity


def check_distinct(configs: list[Config], plans: list[RenderPlan]) -> None:
    if len(configs) < 2:
        return
    owners: dict[tuple[str, str], str] = {}
    for config, render_plan in zip(configs, plans, strict=True):
        workspace = config.profile or config.package
        for defined in _defined(config, render_plan):
            other = owners.setdefault((defined.kind, defined.name), workspace)
            if other != workspace:
                raise GenerateError(
                    f"{defined.kind} {defined.name}{defined.detail} is generated for workspace "
                    f"{other!r} and for workspace {workspace!r}; their packages could not be "
                    "loaded together",
                    where=f"{config.source}: {_PROFILES}",
                    hint=defined.hint,
                )


def _defined(config: Config, render_plan: RenderPlan) -> Iterator[_Defined]:
    """Everything a package defines by a name that must be its own."""
    yield _Defined(
        "the package directory",
        repr(os.path.abspath(config.output)),
        "give each profile its own output",
    )
    yield _Defined(
        "the resource key",
        repr(render_plan.resource_key),
        'give each profile its own resource_key (e.g. resource_key = "fivetran_eu")',
    )
    jobs_hint = "give each profile's jobs names of their own"
    for job in render_plan.jobs:
        yield _Defined("the job", repr(job.name), jobs_hint)
        if job.cron:
            yield _Defined("the schedule", repr(f"{job.name}_schedule"), jobs_hint)
    if render_plan.sensor is not None:
        yield _Defined(
            "the sensor",
            repr(render_plan.sensor.name),
            "give each profile's polling_sensor a name of its own (or the profile its own resource_key)",
        )
    for connection in render_plan.connections:
        for spec in connection.specs:
            yield _Defined(
                "the asset key",
                repr(list(spec.key)),
                'give each profile its own key_prefix (e.g. key_prefix = ["eu"])',
                detail=f" (connection {connection.name!r})",
            )


def orphaned_base_package(loaded: Workspaces) -> str | None:
    """A warning when the base table's package is still on disk though profiles now generate
    everything: nothing regenerates or checks it any more, so it would go stale silently."""
    base = loaded.base
    if not loaded.profiles or not (base.output / manifest.NAME).is_file():
        return None
    if any(os.path.abspath(w.output) == os.path.abspath(base.output) for w in loaded.chosen):
        return None
    return (
        f"{base.output} was generated from the base table, which generates nothing once "
        "[tool.fivetran-codegen.profiles] are defined: nothing regenerates or checks it now; "
        "delete it (and its snapshot) when the profiles' packages have replaced it"
    )
