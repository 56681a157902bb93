"""`fivetran_assets`: the decorator every generated connection module applies.

A thin layer over `dg.multi_asset` (subsettable, one op per connection) so loading generated
code costs what a hand-written `multi_asset` costs. It checks that every spec belongs to the
connection, because the runtime finds what to sync from the specs' metadata.
"""

from __future__ import annotations

import hashlib
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dagster as dg

from fivetran_codegen_runtime.connection import FivetranConnection
from fivetran_codegen_runtime.metadata import CONNECTOR_ID


def fivetran_assets(
    *,
    connection: FivetranConnection,
    specs: Sequence[dg.AssetSpec],
    check_specs: Sequence[dg.AssetCheckSpec] | None = None,
    name: str | None = None,
    description: str | None = None,
    retry_policy: dg.RetryPolicy | None = None,
    op_tags: Mapping[str, Any] | None = None,
    pool: str | None = None,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """Build the connection's assets: one subsettable op that syncs it and reports its tables.

    `name` defaults to `fivetran_<connection id>`; generated code passes a readable unique one.
    `check_specs`: the tables' schema-drift checks (`fivetran_schema`), which the run evaluates
    after the sync.
    """
    if not specs:
        raise dg.DagsterInvariantViolationError(
            f"fivetran_assets for connection {connection.id!r} ({connection.name!r}) got no specs: "
            "a connection with no enabled tables has nothing to materialize; leave it out"
        )
    for spec in specs:
        owner = spec.metadata.get(CONNECTOR_ID)
        if owner != connection.id:
            raise dg.DagsterInvariantViolationError(
                f"asset {spec.key.to_user_string()!r} is passed to fivetran_assets for connection "
                f"{connection.id!r} but its metadata {CONNECTOR_ID!r} is {owner!r}; "
                "each spec must belong to the connection that syncs it"
            )
    outs = _outs_for_unsafe_keys(specs)
    decorate = dg.multi_asset(
        name=name or f"fivetran_{connection.id}",
        specs=None if outs else specs,
        outs=outs,
        check_specs=_nameable(check_specs or ()),
        can_subset=True,
        description=description,
        retry_policy=retry_policy,
        op_tags=op_tags,
        pool=pool,
    )
    return lambda fn: decorate(_resolve_annotations(fn))


def _nameable(check_specs: Sequence[dg.AssetCheckSpec]) -> list[dg.AssetCheckSpec]:
    """The checks Dagster can name an output for. A check's output is named after its asset key
    and cannot be renamed as asset outputs can (`_outs_for_unsafe_keys`): a table whose key has
    characters outside letters, digits, `_`, `-` and `.` (or that two keys share) gets no check.
    Its drift is still logged by the run, which checks whenever any table has a check."""
    names = [_check_output_name(spec) for spec in check_specs]
    return [
        spec
        for spec, name in zip(check_specs, names, strict=True)
        if _OUTPUT_NAME.fullmatch(name) and names.count(name) == 1
    ]


def _check_output_name(spec: dg.AssetCheckSpec) -> str:
    """Dagster's name for the check's output (its own method where it has one)."""
    name = getattr(spec, "get_python_identifier", None)
    if callable(name):
        return str(name())
    return f"{spec.asset_key.to_python_identifier()}_{spec.name}".replace(".", "_")


def _resolve_annotations(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Evaluate string annotations (`from __future__ import annotations`, as generated modules
    have) in the function's module: Dagster tells the resource (`fivetran: FivetranWorkspace`)
    and the run config (`config: FivetranSyncConfig`) apart by the annotation objects."""
    try:
        hints = typing.get_type_hints(fn)
    except (NameError, TypeError, AttributeError, SyntaxError):
        return fn  # e.g. a name imported only under TYPE_CHECKING: leave them as written
    fn.__annotations__ = {**fn.__annotations__, **hints}
    return fn


_OUTPUT_NAME = re.compile(r"[A-Za-z0-9_]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def _outs_for_unsafe_keys(specs: Sequence[dg.AssetSpec]) -> dict[str, dg.AssetOut] | None:
    """Name outputs ourselves when Dagster's derived names would be invalid or clash.

    `multi_asset(specs=...)` names each output after its key (`schema__table`), which fails
    for Fivetran names with spaces, quotes or unicode, and for keys that differ only in `-`
    vs `_`. Those specs get a sanitized name plus a hash of the key; the common case keeps
    `specs=` and so costs what a hand-written `multi_asset` costs.
    """
    names = [spec.key.to_python_identifier() for spec in specs]
    if len(set(names)) == len(names) and all(_OUTPUT_NAME.fullmatch(n) for n in names):
        return None
    return {_output_name(spec.key): dg.AssetOut.from_spec(spec) for spec in specs}


def _output_name(key: dg.AssetKey) -> str:
    digest = hashlib.sha256("\x00".join(key.path).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    readable = _UNSAFE.sub("_", "__".join(key.path)).strip("_")[:40]
    return f"{readable}__{digest}" if readable else f"table__{digest}"
