"""`@fivetran_assets(connector_id=...)` functions: which generated function replaces each.

The generated module of the connection owns the asset now, so the user's function goes and its
name is imported from there; a custom body moves into the generated function first (`body`).
Anything that stops this raises Refused, and then nothing about the function changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import Scope

from fivetran_codegen.migrate import args as arglist
from fivetran_codegen.migrate import body
from fivetran_codegen.migrate import package as generated
from fivetran_codegen.migrate.names import WORKSPACE
from fivetran_codegen.migrate.report import Refused, location
from fivetran_codegen.render.generated_file import default_body


@dataclass
class Replacement:
    """`from <module> import <function> [as <asname>]` stands in for the user's function."""

    module: str
    function: str
    asname: str | None
    changed: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)


def replace(
    fn: cst.FunctionDef,
    call: cst.Call,
    *,
    package: generated.GeneratedPackage,
    edits: dict[Path, str],
    scopes: Mapping[cst.CSTNode, Scope | None],
    qualify: body.Qualify,
) -> Replacement:
    """The generated function for `fn` (decorated by `call`); a custom body lands in `edits`."""
    if len(fn.decorators) != 1:
        raise Refused("it has other decorators too")
    connection = _connection(call, package)
    moved = body.move(fn, scopes, qualify, resource_key=package.resource_key)
    default = default_body(package.resource_key)
    custom = moved.text != default
    if custom:
        _splice(connection, moved.text, default, edits)
    local = fn.name.value
    target = package.module_of(connection)
    result = Replacement(
        target, connection.function, None if local == connection.function else local
    )
    shown = location(connection.path, Path.cwd())
    done = f"its body moved into {shown}" if custom else "its body was the default sync"
    result.changed.append(
        f"@fivetran_assets function {local} -> {target}.{connection.function} ({done})"
    )
    _notes(result, fn, call, connection, moved, package.resource_key)
    return result


def left_unchanged(fn: cst.FunctionDef, reason: Refused) -> str:
    return (
        f"@fivetran_assets function {fn.name.value} left unchanged: {reason}. It still uses "
        "dagster-fivetran's decorator, which does not accept the runtime's FivetranWorkspace: "
        "this code must be migrated before it runs again"
    )


def literal(arg: cst.Arg | None) -> str | None:
    """The value of a string-literal argument."""
    value = arg.value if arg is not None else None
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        evaluated = value.evaluated_value
        return evaluated if isinstance(evaluated, str) else None
    return None


def _connection(
    call: cst.Call, package: generated.GeneratedPackage
) -> generated.GeneratedConnection:
    connector_id = literal(
        next((a for a in call.args if arglist.keyword(a) == "connector_id"), None)
    )
    if connector_id is None:
        raise Refused("its connector_id is not a string literal")
    if package.directory is None:
        tried = ", ".join(str(p) for p in package.looked_in)
        raise Refused(
            f"the generated package {package.name} does not exist yet (looked for {tried}): "
            "run `fivetran-codegen snapshot` and `fivetran-codegen generate` first, then "
            "migrate again"
        )
    connection = package.connections.get(connector_id)
    if connection is None:
        raise Refused(
            f"the generated package {package.name} has no connection {connector_id!r}: check "
            "include/exclude in [tool.fivetran-codegen] (and that the connection has synced "
            "once), run `fivetran-codegen snapshot` and `generate`, then migrate again"
        )
    return connection


def _splice(
    connection: generated.GeneratedConnection, text: str, default: str, edits: dict[Path, str]
) -> None:
    if connection.path in edits:
        shown = location(connection.path, Path.cwd())
        raise Refused(f"another function's body is moving into {shown} already")
    new = generated.splice(connection, text, default_body=default)
    if new is not None:
        edits[connection.path] = new


def _notes(
    result: Replacement,
    fn: cst.FunctionDef,
    call: cst.Call,
    connection: generated.GeneratedConnection,
    moved: body.MovedBody,
    resource_key: str,
) -> None:
    given = {arglist.keyword(a): a for a in call.args}
    old_op = literal(given.get("name")) or fn.name.value  # dagster-fivetran's default op name
    if connection.op_name is not None and old_op != connection.op_name:
        result.changed.append(
            f"the op is now {connection.op_name!r} (was {old_op!r}): update run config and job "
            "selections that name it"
        )
    where = f"[tool.fivetran-codegen.connections.{connection.id}]"
    instead = {
        "dagster_fivetran_translator": 'name it with translator = "module:Class" in '
        "[tool.fivetran-codegen] (it runs for every connection; check props.connector_id in it, "
        f'or use [[tool.fivetran-codegen.tables]] with match = "{connection.id}:*")',
        "group_name": f"set group under {where}",
    }
    for arg, fix in instead.items():
        if arg in given:
            result.manual.append(
                f"@fivetran_assets {arg} no longer applies: {fix}, then `generate`"
            )
    resource = moved.roles.get(WORKSPACE)
    if resource is not None and resource != resource_key:
        result.manual.append(
            f"the generated asset takes the workspace as the {resource_key!r} resource (this "
            f"function named it {resource!r}): bind resources={{{resource_key!r}: ...}}"
        )
    result.manual += moved.manual
