"""The AssetSpec a table's generated code builds when nothing customises it, built in process.

It is what a translator's `super().get_asset_spec(props)` returns, and what its result is compared
with to find the fields it changed. It must equal what `templates/connection.py.jinja` writes for
the same plan; tests/plan/test_translate.py loads the generated module and checks that it does.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import dagster as dg
from fivetran_codegen_runtime.connection import DASHBOARD_URL

from fivetran_codegen.render import settings_code, spec_code

if TYPE_CHECKING:
    from fivetran_codegen.plan.freshness import Policy
    from fivetran_codegen.plan.render_plan import ConnectionPlan, SpecPlan

PRIMARY_KEY = dg.TableColumnConstraints(nullable=False, other=["primary_key"])


def connection_metadata(c: ConnectionPlan) -> dict[str, object]:
    metadata: dict[str, object] = {}
    if c.destination_service is not None:
        metadata["dagster/storage_kind"] = c.destination_service
    metadata["connector_url"] = dg.MetadataValue.url(connection_url(c))
    metadata["dagster-fivetran/connector_id"] = c.id
    metadata["dagster-fivetran/connector_name"] = c.name
    metadata["dagster-fivetran/destination_id"] = c.group_id
    optional = {
        "dagster-fivetran/sync_frequency_minutes": c.sync_frequency,
        "dagster-fivetran/schedule_type": c.schedule_type,
        "dagster-fivetran/daily_sync_time": c.daily_sync_time,
    }
    metadata.update((k, v) for k, v in optional.items() if v is not None)
    return metadata


def connection_url(c: ConnectionPlan) -> str:
    return DASHBOARD_URL + c.id


def table_metadata(s: SpecPlan) -> dict[str, object]:
    metadata: dict[str, object] = {}
    if s.table_name is not None:
        metadata["dagster/table_name"] = s.table_name
    metadata["dagster-fivetran/destination_schema_name"] = s.schema
    metadata["dagster-fivetran/destination_table_name"] = s.table
    if s.columns is not None:
        metadata["dagster/column_schema"] = dg.TableSchema(
            columns=[
                _column(col.name_in_destination, bool(col.is_primary_key)) for col in s.columns
            ]
        )
    return metadata


@cache
def _column(name: str, primary_key: bool) -> dg.TableColumn:
    """Columns are immutable records, and names recur across tables (`id`, `_fivetran_synced`)."""
    return dg.TableColumn(name=name, type="", constraints=PRIMARY_KEY if primary_key else None)


def connection_template(c: ConnectionPlan) -> dg.AssetSpec:
    """What every table of the connection shares, built (and so validated by Dagster) once."""
    return dg.AssetSpec(
        key=_TEMPLATE_KEY,
        kinds=set(c.kinds),
        tags=dict(c.tags) or None,
        owners=list(c.owners) or None,
        automation_condition=automation_condition(c.automation_condition),
        metadata=connection_metadata(c),
        freshness_policy=freshness_policy(c.freshness_policy) if c.freshness_policy else None,
    )


_TEMPLATE_KEY = dg.AssetKey(["fivetran_codegen_connection_template"])  # always replaced


def build(template: dg.AssetSpec, s: SpecPlan) -> dg.AssetSpec:
    """A table's spec from its connection's template.

    `_replace` (what Dagster's own `with_io_manager_key` uses) skips the constructor's checks,
    which took 5.7 of a translated run's seconds at 100,000 tables (2.9 s this way, timed in
    process). What it sets is checked here: the key by `AssetKey`, the group once per name, the
    metadata keys are ours. The specs of a connection share the template's tags, owners and
    deps: hand user code a `copy`.
    """
    return template._replace(
        key=dg.AssetKey(list(s.key)),
        group_name=_checked_group(s.group),
        metadata={**template.metadata, **table_metadata(s)},
    )


def copy(spec: dg.AssetSpec) -> dg.AssetSpec:
    """`spec` with dicts and lists of its own: a translator that edits one in place changes its
    own result, not the default it is compared with (nor the next table's)."""
    return spec._replace(
        metadata=dict(spec.metadata),
        tags=dict(spec.tags),
        owners=list(spec.owners),
        deps=list(spec.deps),
    )


@cache
def _checked_group(group: str | None) -> str | None:
    dg.AssetSpec(key=_TEMPLATE_KEY, group_name=group)  # raises on a name Dagster refuses
    return group


@cache
def automation_condition(setting: str | None) -> dg.AutomationCondition[Any] | None:
    code = settings_code.automation_condition(setting)
    if code is None:
        return None
    condition = eval(code, dict(spec_code.NAMESPACE))  # the template's own code
    assert isinstance(condition, dg.AutomationCondition)
    return condition


@cache  # one policy per setting, not one per table
def freshness_policy(setting: Policy) -> Any:  # a dg.FreshnessPolicy, on Dagster 1.11 and newer
    """The policy as the generated code builds it (render/settings_code.py writes that code)."""
    code = settings_code.freshness_policy(setting)
    assert code is not None
    return eval(code, dict(spec_code.NAMESPACE))
