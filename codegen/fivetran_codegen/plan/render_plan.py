"""Snapshot + config -> RenderPlan: every name decided once, everything sorted, collisions found.

Templates only lay out what this module decided. Names depend on the snapshot and config,
never on iteration order: modules and functions come from connection names, told apart by
suffixes derived from connection ids; connections are ordered by module name, tables by key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from fivetran_codegen.config import (
    AssetSettings,
    Config,
    JobConfig,
    RetryPolicy,
    dagster_names,
    key_templates,
    settings_for,
)
from fivetran_codegen.errors import GenerateError, did_you_mean
from fivetran_codegen.plan import freshness, naming
from fivetran_codegen.snapshot import selection
from fivetran_codegen.snapshot.model import Column, Connection, Group, Selection, Snapshot, Table
from fivetran_codegen.snapshot.selection import Skipped


@dataclass(frozen=True)
class SpecPlan:
    key: tuple[str, ...]
    schema: str  # names in the destination
    table: str
    source_schema: str
    source_table: str
    group: str | None  # None only when a translator took the group away
    table_name: str | None  # fully qualified `database.schema.table`, when the database is known
    # Enabled columns by name in the destination; None: Fivetran listed no columns for the table.
    columns: tuple[Column, ...] | None
    # What table settings or a translator changed (plan/translate.py), as code: AssetSpec
    # arguments and their expressions, and metadata entries (key and value) after the default
    # ones, or instead of them when `metadata_replaced`.
    custom: tuple[tuple[str, str], ...] = ()
    extra_metadata: tuple[tuple[str, str], ...] = ()
    metadata_replaced: bool = False

    def code(self, argument: str) -> str | None:
        """The expression a translator gave `argument`, if it changed it."""
        for name, code in self.custom:
            if name == argument:
                return code
        return None


@dataclass(frozen=True)
class ConnectionPlan:
    id: str
    name: str
    service: str
    group_id: str
    group_name: str | None  # the Fivetran group (destination) name
    destination_service: str | None
    database: str | None
    kinds: tuple[str, ...]  # "fivetran" and the destination service, when it is a valid tag
    setup_state: str
    paused: bool
    schedule_type: str | None
    sync_frequency: int | None
    daily_sync_time: str | None
    utc_offset_minutes: int | None  # the destination's time zone, when the snapshot knows it
    module: str  # module and function name, unique across the package
    op_name: str  # `<resource key>_<module>`: unique across packages of several workspaces
    specs: tuple[SpecPlan, ...]
    tags: tuple[tuple[str, str], ...]
    owners: tuple[str, ...]
    automation_condition: str | None
    retry_policy: RetryPolicy | None
    notes: tuple[str, ...]  # facts worth a comment in the module: paused, broken...
    # Every table's freshness policy, unless a table setting or the translator changes it.
    freshness_policy: freshness.Policy | None = None
    schema_checks: bool = True  # a schema-drift check per table

    @property
    def schedule(self) -> freshness.Schedule:
        return freshness.Schedule(
            self.schedule_type,
            self.paused,
            self.sync_frequency,
            self.daily_sync_time,
            self.utc_offset_minutes,
        )


@dataclass(frozen=True)
class JobPlan:
    name: str
    modules: tuple[str, ...]  # connections the job materializes (empty with groups)
    groups: tuple[str, ...]
    cron: str | None
    timezone: str | None
    variable: str = ""  # the package's module-level name for it (unique there)

    @property
    def schedule_name(self) -> str:
        """Dagster's default name for the job's schedule, written out."""
        return f"{self.name}_schedule"


@dataclass(frozen=True)
class RenderPlan:
    package: str
    snapshot_name: str  # as the header names it: a path relative to the project
    account_id: str
    connections: tuple[ConnectionPlan, ...]  # sorted by module name
    skipped: tuple[Skipped, ...]  # sorted by id
    sensor: SensorPlan | None
    warnings: tuple[str, ...]
    resource_key: str = "fivetran"
    api_key_env: str = "FIVETRAN_API_KEY"
    api_secret_env: str = "FIVETRAN_API_SECRET"
    jobs: tuple[JobPlan, ...] = ()

    def spec_count(self) -> int:
        return sum(len(c.specs) for c in self.connections)


@dataclass(frozen=True)
class SensorPlan:
    name: str
    minimum_interval_seconds: int
    default_status: str


def build(snapshot: Snapshot, config: Config, *, snapshot_name: str) -> RenderPlan:
    groups = {g.id: g for g in snapshot.groups}
    group_names = {g.id: g.name for g in snapshot.groups}
    chosen: list[tuple[Connection, AssetSettings]] = []
    skipped: list[Skipped] = []
    for connection in snapshot.connections:
        reason = _why_skipped(connection, group_names, config)
        if reason is not None:
            by_selection = reason.startswith(_SELECTION_REASON)
            skipped.append(Skipped(connection.id, connection.name, reason, by_selection))
        else:
            chosen.append((connection, settings_for(config, connection.id, connection.name)))

    modules = naming.assign_unique([(c.id, naming.identifier(c.name)) for c, _ in chosen])
    plans = [
        _connection(c, groups.get(c.group_id), settings, modules[c.id], config.resource_key)
        for c, settings in chosen
    ]
    with_policy = next((p for p in plans if p.freshness_policy is not None), None)
    if with_policy is not None:  # set at the top level or per connection: name the connection
        freshness.require_support(
            config.source,
            f"the freshness_policy of connection {with_policy.name!r} ({with_policy.id})",
        )
    warnings = _unused_overrides(snapshot, config) + _outside_project(config)
    if config.translator is not None or config.tables:
        # Imported here: it imports dagster, which generate needs for nothing else.
        from fivetran_codegen.plan import translate

        plans, unused = translate.apply(plans, snapshot, config)
        warnings += unused
    _check_unique_keys(plans, config)
    return RenderPlan(
        package=config.package,
        snapshot_name=snapshot_name,
        account_id=snapshot.account.id,
        connections=tuple(sorted(plans, key=lambda p: p.module)),
        skipped=tuple(skipped),
        sensor=SensorPlan(
            name=config.sensor.name or f"{config.resource_key}_polling_sensor",
            minimum_interval_seconds=config.sensor.minimum_interval_seconds,
            default_status=config.sensor.default_status,
        )
        if config.sensor.enabled
        else None,
        warnings=warnings,
        resource_key=config.resource_key,
        api_key_env=config.api_key_env,
        api_secret_env=config.api_secret_env,
        jobs=_name_jobs([_job(job, plans, group_names) for job in config.jobs], modules),
    )


_SELECTION_REASON = "matches "  # what `selection.why_excluded` reasons start with


def _why_skipped(
    connection: Connection, group_names: Mapping[str, str], config: Config
) -> str | None:
    candidate = selection.candidate(connection, group_names)
    excluded = selection.why_excluded(config.selection, candidate)
    if excluded is not None:
        return excluded.replace("--include", "include").replace("--exclude", "exclude")
    if connection.schema_config is None:
        problem = connection.schema_config_error
        detail = f"{problem.code}: {problem.message}" if problem else "none in the snapshot"
        return f"no schema config ({detail}); it gets assets once it has synced"
    if next(connection.enabled_tables(), None) is None:
        return "no enabled tables"
    return None


def _connection(
    connection: Connection,
    group: Group | None,
    settings: AssetSettings,
    module: str,
    resource_key: str,
) -> ConnectionPlan:
    destination = group.destination if group else None
    database = destination.database if destination else None
    base = connection_values(
        connection.name,
        connection.id,
        connection.service,
        group.name if group else None,
        connection.group_id,
        destination.service if destination else None,
        database,
    )
    asset_group = None  # rendered once when the template does not vary per table
    if not key_templates.uses_table_fields(settings.group):
        asset_group = naming.group_name(key_templates.render(settings.group, base))
    specs = [
        _spec(schema.name, schema.name_in_destination, table, base, settings, database, asset_group)
        for schema, table in connection.enabled_tables()
    ]
    schedule = freshness.Schedule(
        connection.schedule_type,
        connection.paused,
        connection.sync_frequency,
        connection.daily_sync_time,
        destination.utc_offset_minutes if destination else None,
    )
    return ConnectionPlan(
        id=connection.id,
        name=connection.name,
        service=connection.service,
        group_id=connection.group_id,
        group_name=group.name if group else None,
        destination_service=destination.service if destination else None,
        database=database,
        kinds=_kinds(destination.service if destination else None),
        setup_state=connection.setup_state,
        paused=connection.paused,
        schedule_type=schedule.schedule_type,
        sync_frequency=schedule.sync_frequency,
        daily_sync_time=schedule.daily_sync_time,
        utc_offset_minutes=schedule.utc_offset_minutes,
        module=module,
        op_name=f"{resource_key}_{module}",
        specs=tuple(sorted(specs, key=lambda s: s.key)),
        tags=settings.tags,
        owners=settings.owners,
        automation_condition=settings.automation_condition,
        retry_policy=settings.retry_policy,
        notes=_notes(connection, group),
        freshness_policy=freshness.policy(settings.freshness_policy, schedule),
        schema_checks=settings.schema_checks,
    )


def _spec(
    source_schema: str,
    schema: str,
    table: Table,
    base: Mapping[str, str],
    settings: AssetSettings,
    database: str | None,
    group: str | None,
) -> SpecPlan:
    values = table_values(base, schema, table.name_in_destination, source_schema, table.name)
    key = (*settings.key_prefix, *(key_templates.render(t, values) for t in settings.asset_key))
    columns = None
    if table.columns:
        columns = tuple(sorted((c for c in table.columns if c.enabled), key=_destination_name))
    return SpecPlan(
        key=key,
        schema=schema,
        table=table.name_in_destination,
        source_schema=source_schema,
        source_table=table.name,
        group=group or naming.group_name(key_templates.render(settings.group, values)),
        table_name=f"{database}.{schema}.{table.name_in_destination}" if database else None,
        columns=columns,
    )


def connection_values(
    name: str,
    connection_id: str,
    service: str,
    group: str | None,
    group_id: str,
    destination_service: str | None,
    database: str | None,
) -> dict[str, str]:
    """The connection's fields of `key_templates.KEY_FIELDS` ("" for what is unknown)."""
    return {
        "connection": name,
        "connection_id": connection_id,
        "service": service,
        "group": group or "",
        "group_id": group_id,
        "destination_service": destination_service or "",
        "database": database or "",
    }


def table_values(
    base: Mapping[str, str], schema: str, table: str, source_schema: str, source_table: str
) -> dict[str, str]:
    """`base` (`connection_values`) with the table's fields: every template field."""
    return {
        **base,
        "schema": schema,
        "table": table,
        "source_schema": source_schema,
        "source_table": source_table,
    }


def _kinds(service: str | None) -> tuple[str, ...]:
    """A kind becomes the tag `dagster/kind/<service>`: a service name Dagster would reject as a
    tag is left out of the kinds (it is still the `dagster/storage_kind` metadata)."""
    if service is None or service == "fivetran" or not dagster_names.is_kind(service):
        return ("fivetran",)
    return ("fivetran", service)


def _destination_name(column: Column) -> str:
    return column.name_in_destination


def _notes(connection: Connection, group: Group | None) -> tuple[str, ...]:
    notes = []
    if connection.paused:
        notes.append("paused in Fivetran: runs fail until it is resumed")
    if connection.setup_state != "connected":
        notes.append(
            f"setup state {connection.setup_state!r}: runs fail until it is fixed in Fivetran"
        )
    if group is None or group.destination is None:
        notes.append("destination unknown in the snapshot: no dagster/table_name or storage kind")
    return tuple(notes)


def _check_unique_keys(plans: list[ConnectionPlan], config: Config) -> None:
    first: dict[tuple[str, ...], tuple[ConnectionPlan, SpecPlan]] = {}
    clashes: list[tuple[tuple[str, ...], ConnectionPlan, SpecPlan]] = []
    for plan in plans:
        for spec in plan.specs:
            if not all(spec.key):
                raise GenerateError(
                    f"asset key {list(spec.key)!r} of {describe(plan, spec)} has an empty part",
                    where=f"{config.source}: [tool.fivetran-codegen].asset_key",
                    hint="every part of the key template must produce text",
                )
            if first.setdefault(spec.key, (plan, spec)) != (plan, spec):
                clashes.append((spec.key, plan, spec))
    if clashes:
        key, plan, spec = min(clashes, key=lambda clash: clash[0])
        tables = [describe(*first[key]), *(describe(p, s) for k, p, s in clashes if k == key)]
        more = len({k for k, _, _ in clashes}) - 1
        raise GenerateError(
            f"{len(tables)} tables would share the asset key {list(key)!r}: "
            + "; ".join(tables)
            + (f" (and {more} more shared keys)" if more else ""),
            where=config.source,
            hint="tell them apart with a key prefix per connection "
            '([tool.fivetran-codegen.connections."<id>"] key_prefix = ["..."]) or a key template '
            'that includes the connection or destination (asset_key = ["{connection}", "{schema}", "{table}"])',
        )


def describe(plan: ConnectionPlan, spec: SpecPlan) -> str:
    """A table as messages name it: its source names and its connection."""
    return f"{spec.source_schema}.{spec.source_table} of connection {plan.name!r} ({plan.id})"


def _job(job: JobConfig, plans: list[ConnectionPlan], group_names: Mapping[str, str]) -> JobPlan:
    where = job.where
    modules: list[str] = []
    if job.connections:
        chosen = Selection(include=job.connections)
        modules = sorted(
            p.module
            for p in plans
            if selection.why_excluded(chosen, selection.candidate(p, group_names)) is None
        )
        if not modules:
            raise GenerateError(
                f"job {job.name!r} selects no generated connection with {list(job.connections)!r}",
                where=where,
                hint="connections are matched by id, name, service or group name (globs)",
            )
    known_groups = sorted({s.group for p in plans for s in p.specs if s.group is not None})
    for group_name in job.groups:
        if group_name not in known_groups:
            raise GenerateError(
                f"job {job.name!r} names the asset group {group_name!r}, which no asset has",
                where=where,
                hint=did_you_mean(
                    group_name, known_groups, otherwise=f"groups: {', '.join(known_groups)}"
                ),
            )
    return JobPlan(job.name, tuple(modules), job.groups, job.cron, job.timezone)


def _name_jobs(jobs: list[JobPlan], modules: Mapping[str, str]) -> tuple[JobPlan, ...]:
    """Jobs sorted by name, each with a variable named after it that no other name takes.

    The package also binds the connection modules: a job whose identifier is one of them gets a
    `_job` suffix. Names depend on the set of jobs and modules only, so reordering jobs in the
    TOML changes nothing.
    """
    taken = set(modules.values())

    def base(name: str) -> str:
        variable = naming.identifier(name)
        return f"{variable}_job" if variable in taken else variable

    variables = naming.assign_unique([(job.name, base(job.name)) for job in jobs])
    for name in sorted(variables):  # still a module's name: `salesforce_job` was one
        if variables[name] in taken:
            variables[name] = naming.first_free(variables[name], taken | set(variables.values()))
        taken.add(variables[name])
    return tuple(
        dataclasses.replace(job, variable=variables[job.name])
        for job in sorted(jobs, key=lambda j: j.name)
    )


def _outside_project(config: Config) -> tuple[str, ...]:
    """An output beyond the pyproject's folder (`../x`, an absolute path) is allowed, but rarely
    meant: generate would write and delete files there."""
    root, output = config.root.resolve(), config.output.resolve()
    if config.source == "(defaults)" or output.is_relative_to(root):
        return ()
    return (
        f"{config.source}: [tool.fivetran-codegen].output {str(output)!r} is outside the "
        f"project folder {str(root)!r}; generate writes (and removes) files there",
    )


def _unused_overrides(snapshot: Snapshot, config: Config) -> tuple[str, ...]:
    known = {c.id for c in snapshot.connections} | {c.name for c in snapshot.connections}
    return tuple(
        f"{config.source}: [tool.fivetran-codegen.connections] {name!r} matches no connection "
        "id or name in the snapshot; it has no effect"
        for name, _ in config.overrides
        if name not in known
    )
