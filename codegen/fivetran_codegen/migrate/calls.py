"""Rewrites of dagster-fivetran calls into the runtime's: the arguments that carry over and how.

Each function returns the new call and two lists of messages: `changed` (a difference worth
knowing) and `manual` (something a human must do).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from fivetran_codegen.migrate import args as arglist
from fivetran_codegen.migrate.names import WORKSPACE, WORKSPACE_DROPPED_WHY, WORKSPACE_FIELDS

SENSOR_DEFAULT_NAME = "fivetran_polling_sensor"
_TRANSLATOR_ARG = "dagster_fivetran_translator"
_SELECTOR_ARG = "connector_selector_fn"


@dataclass
class Rewritten:
    call: cst.Call
    changed: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)


def workspace(call: cst.Call) -> Rewritten:
    """`FivetranWorkspace(account_id=..., api_key=..., ...)` -> the runtime's fields."""
    out = Rewritten(call)
    kept = []
    for arg in call.args:
        name = arglist.keyword(arg)
        if name is None or name not in WORKSPACE_FIELDS:
            kept.append(arg)
            out.manual.append(
                f"FivetranWorkspace: check {_shown(arg)}: the runtime's resource has no such field"
            )
        elif WORKSPACE_FIELDS[name] is None:
            out.changed.append(f"FivetranWorkspace: dropped {name} ({WORKSPACE_DROPPED_WHY[name]})")
        elif name == "request_max_retries":
            kept.append(arglist.renamed(arg, "request_max_attempts", _plus_one(arg.value)))
            out.changed.append(
                "FivetranWorkspace: request_max_retries=N became request_max_attempts=N + 1"
            )
        elif name == "request_retry_delay":
            kept.append(arglist.renamed(arg, "request_backoff_seconds"))
            out.changed.append(
                "FivetranWorkspace: request_retry_delay became request_backoff_seconds, the first "
                "retry delay; the runtime doubles it after each failed attempt"
            )
        else:
            kept.append(arg)
    out.call = arglist.rebuilt(call, kept)
    return out


def loader(call: cst.Call, function: str, replacement: str, *, resource_key: str) -> Rewritten:
    """What `load_fivetran_asset_specs`/`build_fivetran_assets_definitions` lose as a name."""
    out = Rewritten(call)
    given = {arglist.keyword(arg) for arg in call.args}
    if replacement == "ASSETS" and resource_key != WORKSPACE:
        out.changed.append(
            f"{function}(...) -> ASSETS: the generated assets take the workspace as the "
            f"{resource_key!r} resource: bind resources={{{resource_key!r}: ...}}"
        )
    if _TRANSLATOR_ARG in given:
        out.manual.append(
            f"{function}(...) -> {replacement}: its {_TRANSLATOR_ARG} runs at generate time now: "
            'check that translator = "module:Class" in [tool.fivetran-codegen] names it (migrate '
            "writes it for a subclass it finds), then `fivetran-codegen generate`"
        )
    if _SELECTOR_ARG in given:
        out.manual.append(
            f"{function}(...) -> {replacement}: its {_SELECTOR_ARG} no longer applies; "
            f"{replacement} holds every generated connection: choose them with include/exclude in "
            "[tool.fivetran-codegen], then `fivetran-codegen generate`"
        )
    return out


def sensor(
    call: cst.Call,
    *,
    assets: cst.BaseExpression,
    running: cst.BaseExpression,
    old_name: str | None,
    resource_key: str,
) -> Rewritten:
    """`build_fivetran_polling_sensor(workspace=...)` -> the runtime's, over the generated assets.

    `running` is how this module spells DefaultSensorStatus.RUNNING; `old_name` the name
    dagster-fivetran gave the sensor, when the workspace's account_id is a literal here;
    `resource_key` the resource the generated assets take the workspace from.
    """
    out = Rewritten(call)
    kept: list[cst.Arg] = []
    for arg in call.args:
        kept += _sensor_arg(arg, assets, out)
    given = {arglist.keyword(arg) for arg in kept}
    added = []
    if "default_status" not in given:
        added.append(arglist.make("default_status", running))
        out.changed.append(
            "build_fivetran_polling_sensor: default_status=RUNNING added: dagster-fivetran's "
            "sensor runs by default, the runtime's is stopped until turned on"
        )
    if "name" not in given:
        _sensor_name(old_name, added, out)
    if resource_key != WORKSPACE and "resource_key" not in given:
        added.append(arglist.make("resource_key", arglist.string(resource_key)))
    out.changed.append(
        "build_fivetran_polling_sensor: the runtime's sensor reads the workspace from the "
        f"{resource_key!r} resource (bind resources={{{resource_key!r}: ...}}); with "
        "polling_sensor = true in [tool.fivetran-codegen] the generated defs have this sensor "
        "already"
    )
    # Arguments were added to it: keep it readable, as a formatter would lay it out.
    out.call = arglist.rebuilt(call, kept, added)
    if added:
        out.call = arglist.wrapped(out.call)
    return out


def _sensor_arg(arg: cst.Arg, assets: cst.BaseExpression, out: Rewritten) -> list[cst.Arg]:
    name = arglist.keyword(arg)
    if name == "workspace":
        return [arglist.renamed(arg, "assets", assets)]
    if name == "default_sensor_status":
        return [arglist.renamed(arg, "default_status")]
    if name in ("name", "minimum_interval_seconds"):
        return [arg]
    if name == _TRANSLATOR_ARG:
        out.manual.append(
            f"build_fivetran_polling_sensor: dropped {_TRANSLATOR_ARG}; the sensor reports the "
            "generated specs' keys, which the translator named in [tool.fivetran-codegen] shaped"
        )
        return []
    if name == _SELECTOR_ARG:
        out.manual.append(
            f"build_fivetran_polling_sensor: dropped {_SELECTOR_ARG}; it watches every connection "
            "of assets=: pass the connections' assets definitions you want instead"
        )
        return []
    out.manual.append(
        f"build_fivetran_polling_sensor: check {_shown(arg)}: the runtime's sensor has no such argument"
    )
    return [arg]


def _sensor_name(old_name: str | None, added: list[cst.Arg], out: Rewritten) -> None:
    if old_name is not None:
        added.append(arglist.make("name", arglist.string(old_name)))
        out.changed.append(
            f"build_fivetran_polling_sensor: name={old_name!r} added, dagster-fivetran's default, "
            "so the sensor keeps its cursor"
        )
        return
    out.changed.append(
        f"build_fivetran_polling_sensor: the sensor is now named {SENSOR_DEFAULT_NAME!r} "
        "(dagster-fivetran's: fivetran_<account_id>__sync_status_sensor); pass that name= to "
        "keep its cursor"
    )


def _plus_one(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.Integer):
        return cst.Integer(str(int(value.evaluated_value) + 1))
    atom = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)
    left = (
        value
        if isinstance(value, atom) or value.lpar
        else value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    )
    return cst.BinaryOperation(left=left, operator=cst.Add(), right=cst.Integer("1"))


def _shown(arg: cst.Arg) -> str:
    return cst.Module(body=[]).code_for_node(arg).rstrip(", \n")
