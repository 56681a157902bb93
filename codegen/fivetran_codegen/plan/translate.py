"""Table settings and the user's translator, applied to a planned connection's tables.

For each table: the spec the plan gives (`default_spec`), then every matching
`[[tool.fivetran-codegen.tables]]` entry in order, then the translator. What the result changes
is stored on the SpecPlan: its key and group as plain values (collisions, jobs and `diff` see
them), every other changed field as code (`spec_code`), so templates stay layout and the render
cache notices any change. Nothing here runs, or imports dagster, unless a translator or a table
entry is configured.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg

from fivetran_codegen.config import key_templates
from fivetran_codegen.config.settings import Config, TableRule
from fivetran_codegen.errors import GenerateError

# Not a cycle: render_plan imports this module only inside `build`, once it is loaded itself.
from fivetran_codegen.plan import (
    default_spec,
    freshness,
    naming,
    render_plan,
    user_translator,
)
from fivetran_codegen.plan.render_plan import ConnectionPlan, SpecPlan
from fivetran_codegen.render import spec_code
from fivetran_codegen.render.literals import py_literal
from fivetran_codegen.snapshot import codec
from fivetran_codegen.snapshot.model import Connection, Snapshot, Table
from fivetran_codegen.translator import (
    DagsterFivetranTranslator,
    FivetranConnectorTableProps,
    FivetranSchema,
    FivetranSchemaConfig,
    FivetranTable,
    TableColumn,
)

# Metadata the runtime reads to find a table's connection and destination table.
RUNTIME_METADATA = (
    "dagster-fivetran/connector_id",
    "dagster-fivetran/destination_schema_name",
    "dagster-fivetran/destination_table_name",
)
_KIND_TAG = "dagster/kind/"


def apply(
    plans: list[ConnectionPlan], snapshot: Snapshot, config: Config
) -> tuple[list[ConnectionPlan], tuple[str, ...]]:
    """The plans with their tables customised, and a warning per table entry that matched none."""
    connections = {c.id: c for c in snapshot.connections}
    hits = [0] * len(config.tables)
    with _translator(config) as translator:
        customised = [
            _connection(plan, connections[plan.id], translator, config, hits) for plan in plans
        ]
    unused = tuple(
        f"{rule.where}: match {rule.match!r} matches no generated table; it has no effect"
        for rule, count in zip(config.tables, hits, strict=True)
        if count == 0
    )
    return customised, unused


@contextmanager
def _translator(config: Config) -> Iterator[DagsterFivetranTranslator | None]:
    if config.translator is None:
        yield None
        return
    with user_translator.loaded(config.translator, config.root) as translator:
        yield translator


def _connection(
    plan: ConnectionPlan,
    connection: Connection,
    translator: DagsterFivetranTranslator | None,
    config: Config,
    hits: list[int],
) -> ConnectionPlan:
    template = default_spec.connection_template(plan)
    schema_config = _schema_config(connection)
    tables = {
        (schema.name, table.name): table
        for schema in (connection.schema_config.schemas if connection.schema_config else ())
        for table in schema.tables
    }
    specs = []
    for s in plan.specs:
        default = default_spec.build(template, s)
        spec = default
        for index, rule in enumerate(config.tables):
            if rule.matches(plan.id, plan.name, s.schema, s.table):
                hits[index] += 1
                spec = _apply_rule(rule, spec, plan, s)
        if translator is not None:
            table = tables[(s.source_schema, s.source_table)]
            props = _props(plan, s, table, schema_config, default_spec.copy(spec))
            spec = _translate(translator, props, plan, s, config.root)
        specs.append(_customised(plan, s, default, spec))
    _check_partitions(plan, specs)
    return dataclasses.replace(plan, specs=tuple(sorted(specs, key=lambda s: s.key)))


# -- props ---------------------------------------------------------------------------------------


def _schema_config(connection: Connection) -> FivetranSchemaConfig:
    """dagster-fivetran's shape of the schema config: built once, shared by the connection's props."""
    schemas = connection.schema_config.schemas if connection.schema_config else ()
    return FivetranSchemaConfig(
        schemas={
            schema.name: FivetranSchema(
                enabled=schema.enabled,
                name_in_destination=schema.name_in_destination,
                tables={table.name: _table(table) for table in schema.tables},
            )
            for schema in schemas
        }
    )


def _table(table: Table) -> FivetranTable:
    columns = {c.name: codec.column_json(c) for c in table.columns} if table.columns else None
    return FivetranTable(table.enabled, table.name_in_destination, columns)


def _props(
    c: ConnectionPlan,
    s: SpecPlan,
    table: Table,
    schema_config: FivetranSchemaConfig,
    spec: dg.AssetSpec,
) -> FivetranConnectorTableProps:
    columns = None
    if s.columns is not None:
        columns = tuple(
            TableColumn(col.name, col.name_in_destination, col.is_primary_key, col.hashed)
            for col in s.columns
        )
    return FivetranConnectorTableProps(
        table=f"{s.schema}.{s.table}",
        connector_id=c.id,
        connector_name=c.name,
        connector_url=default_spec.connection_url(c),
        destination_id=c.group_id,
        schema_config=schema_config,
        database=c.database,
        service=c.destination_service,
        sync_frequency=c.sync_frequency,
        schedule_type=c.schedule_type,
        daily_sync_time=c.daily_sync_time,
        connector_config=None,
        connection_service=c.service,
        group_id=c.group_id,
        group_name=c.group_name,
        paused=c.paused,
        setup_state=c.setup_state,
        source_schema=s.source_schema,
        source_table=s.source_table,
        destination_schema=s.schema,
        destination_table=s.table,
        sync_mode=table.sync_mode,
        columns=columns,
        default_spec=spec,
    )


def _translate(
    translator: DagsterFivetranTranslator,
    props: FivetranConnectorTableProps,
    c: ConnectionPlan,
    s: SpecPlan,
    root: Path,
) -> dg.AssetSpec:
    try:
        spec = translator.get_asset_spec(props)
    except Exception as exc:  # the user's code: report whatever it raised, where it raised it
        raise GenerateError(
            f"the translator failed on {describe(c, s)}: {type(exc).__name__}: {exc}",
            where=_user_frame(exc, root),
            hint="fix the translator; nothing was written",
        ) from exc
    if not isinstance(spec, dg.AssetSpec):
        raise GenerateError(
            f"the translator returned a {type(spec).__qualname__} for {describe(c, s)}, "
            "not a dg.AssetSpec",
            hint="get_asset_spec must return a dg.AssetSpec, e.g. "
            "super().get_asset_spec(props).replace_attributes(...)",
        )
    return spec


def _user_frame(exc: BaseException, root: Path) -> str | None:
    """`file:line in function` of the last frame in the project's own files (the translator)."""
    frames = traceback.extract_tb(exc.__traceback__)
    project = str(root.resolve())
    own = [f for f in frames if str(Path(f.filename).resolve()).startswith(project)]
    chosen = own or frames[-1:]
    if not chosen:
        return None
    frame = chosen[-1]
    return f"{frame.filename}:{frame.lineno} in {frame.name}"


def describe(c: ConnectionPlan, s: SpecPlan) -> str:
    return "table " + render_plan.describe(c, s)


# -- table settings ------------------------------------------------------------------------------


def _apply_rule(
    rule: TableRule, spec: dg.AssetSpec, c: ConnectionPlan, s: SpecPlan
) -> dg.AssetSpec:
    values = _template_values(c, s)
    changes: dict[str, Any] = {}
    key = spec.key
    if rule.asset_key is not None:
        key = dg.AssetKey([key_templates.render(t, values) for t in rule.asset_key])
    if rule.key_prefix:
        key = key.with_prefix(list(rule.key_prefix))
    changes["key"] = key
    if rule.group is not None:
        changes["group_name"] = naming.group_name(key_templates.render(rule.group, values))
    if rule.deps is not None:
        changes["deps"] = [dg.AssetKey(list(k)) for k in rule.deps]
    if rule.description is not None:
        changes["description"] = rule.description
    if rule.kinds is not None:
        changes["kinds"] = set(rule.kinds)
    if rule.code_version is not None:
        changes["code_version"] = rule.code_version
    if rule.owners is not None:
        changes["owners"] = list(rule.owners)
    if rule.automation_condition is not None:
        setting = None if rule.automation_condition == "none" else rule.automation_condition
        changes["automation_condition"] = default_spec.automation_condition(setting)
    if rule.freshness_policy is not None:
        changes["freshness_policy"] = _rule_freshness(rule, c)
    spec = spec.replace_attributes(**changes)
    merged: dict[str, Any] = {}
    if rule.metadata is not None:
        merged["metadata"] = dict(rule.metadata)
    if rule.tags is not None:
        merged["tags"] = dict(rule.tags)
    return spec.merge_attributes(**merged) if merged else spec


def _rule_freshness(rule: TableRule, c: ConnectionPlan) -> object:
    setting = None if rule.freshness_policy == "none" else rule.freshness_policy
    policy = freshness.policy(setting, c.schedule)
    if policy is None:
        return None
    freshness.require_support(rule.where)
    return default_spec.freshness_policy(policy)


def _template_values(c: ConnectionPlan, s: SpecPlan) -> Mapping[str, str]:
    base = render_plan.connection_values(
        c.name, c.id, c.service, c.group_name, c.group_id, c.destination_service, c.database
    )
    return render_plan.table_values(base, s.schema, s.table, s.source_schema, s.source_table)


# -- what changed, as code -----------------------------------------------------------------------


def _customised(
    c: ConnectionPlan, s: SpecPlan, default: dg.AssetSpec, spec: dg.AssetSpec
) -> SpecPlan:
    where = describe(c, s)
    fields: list[tuple[str, str]] = []

    def changed(name: str, write: Any, value: Any) -> None:
        try:
            fields.append((name, "None" if value is None else write(value)))
        except spec_code.Unsupported as exc:
            raise GenerateError(
                f"the {name} of {where} cannot be written as code: it is {exc}",
                hint="return one of those, or leave the field as the default spec has it",
            ) from None

    _refuse_unsupported(spec, where)
    if list(spec.deps) != list(default.deps):
        changed("deps", spec_code.deps, list(spec.deps))
    if spec.description != default.description:
        changed("description", py_literal, spec.description)
    if spec.tags != default.tags:  # kinds are tags too: both unchanged when the tags are equal
        if set(spec.kinds) != set(default.kinds):
            changed("kinds", spec_code.string_set, sorted(spec.kinds))
        tags = _plain_tags(spec)
        if tags != _plain_tags(default):
            changed("tags", spec_code.string_dict, tags)
    if list(spec.owners) != list(default.owners):
        changed("owners", spec_code.strings, list(spec.owners))
    if not _same_serialized(spec.automation_condition, default.automation_condition):
        changed("automation_condition", spec_code.automation_condition, spec.automation_condition)
    policy = getattr(spec, "freshness_policy", None)
    if not _same_serialized(policy, getattr(default, "freshness_policy", None)):
        changed("freshness_policy", spec_code.freshness_policy, policy)
    if spec.partitions_def is not None:
        changed("partitions_def", spec_code.partitions_def, spec.partitions_def)
    if spec.code_version is not None:
        changed("code_version", py_literal, spec.code_version)
    if spec.skippable:
        fields.append(("skippable", "True"))
    extra, replaced = _metadata(spec.metadata, default.metadata, where)
    return dataclasses.replace(
        s,
        key=tuple(spec.key.path),
        group=spec.group_name,
        custom=tuple(fields),
        extra_metadata=extra,
        metadata_replaced=replaced,
    )


def _refuse_unsupported(spec: dg.AssetSpec, where: str) -> None:
    legacy = "legacy_freshness_policy" if hasattr(spec, "legacy_freshness_policy") else None
    if legacy and getattr(spec, legacy) is not None:
        raise GenerateError(
            f"{where} has a legacy freshness policy, which cannot be written as code",
            hint="use dg.FreshnessPolicy.time_window(...) or dg.FreshnessPolicy.cron(...)",
        )
    if getattr(spec, "is_virtual", False):
        raise GenerateError(f"{where} is virtual", hint="Fivetran tables are materialized assets")


def _plain_tags(spec: dg.AssetSpec) -> dict[str, str]:
    """Tags without the `dagster/kind/...` ones Dagster derives from the kinds."""
    return {k: v for k, v in spec.tags.items() if not k.startswith(_KIND_TAG)}


def _same_serialized(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if a is None or b is None:
        return a is b
    return bool(dg.serialize_value(a) == dg.serialize_value(b))


def _metadata(
    metadata: Mapping[str, Any], default: Mapping[str, Any], where: str
) -> tuple[tuple[tuple[str, str], ...], bool]:
    """(key, value) code of the entries that differ from the default, and whether the default
    entries are gone (then they are all the metadata)."""
    for key in RUNTIME_METADATA:
        if metadata.get(key) != default[key]:
            raise GenerateError(
                f"the metadata of {where} must keep {key!r} = {default[key]!r}: the runtime reads "
                "it to find the table's connection and destination table",
                hint="add to the metadata with spec.merge_attributes(metadata={...}) rather than "
                "replacing it",
            )
    replaced = any(key not in metadata for key in default)
    entries = [
        (key, value)
        for key, value in metadata.items()
        if replaced or not _same_value(value, default.get(key, _MISSING))
    ]
    # By key: the translator's order may be a set's, different on each run.
    code = sorted(_entry_code(key, value, where) for key, value in entries)
    return tuple(code), replaced


def _entry_code(key: Any, value: Any, where: str) -> tuple[str, str]:
    memo_key = (key, type(value), value)
    try:
        return _ENTRIES[memo_key]
    except TypeError:  # an unhashable value (a dict, a list): written each time
        return _write_entry(key, value, where)
    except KeyError:
        code = _ENTRIES[memo_key] = _write_entry(key, value, where)
        return code


_ENTRIES: dict[tuple[Any, type, Any], tuple[str, str]] = {}


def _write_entry(key: Any, value: Any, where: str) -> tuple[str, str]:
    if not isinstance(key, str):
        raise GenerateError(f"a metadata key of {where} is a {type(key).__name__}, not a string")
    try:
        return py_literal(key), spec_code.metadata_value(value)
    except spec_code.Unsupported as exc:
        raise GenerateError(
            f"the metadata {key!r} of {where} cannot be written as code: it is {exc}",
            hint="return one of those, or leave the entry out",
        ) from None


_MISSING = object()


def _same_value(a: object, b: object) -> bool:
    # Identity first: a translator that merges metadata keeps the default's values themselves.
    return a is b or (type(a) is type(b) and bool(a == b))


def _check_partitions(plan: ConnectionPlan, specs: list[SpecPlan]) -> None:
    """One sync materializes every table of a connection: their partitions must be the same."""
    found = {dict(s.custom).get("partitions_def") for s in specs}
    if len(found) > 1:
        raise GenerateError(
            f"the tables of connection {plan.name!r} ({plan.id}) have different partitions: "
            + ", ".join(sorted(str(f) for f in found)),
            hint="one Fivetran sync materializes all of a connection's tables, so they share one "
            "partitions definition (or none)",
        )
