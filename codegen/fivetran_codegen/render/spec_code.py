"""AssetSpec field values -> Python source that builds them again, for what a translator returns.

Every string goes through `literals.py_literal`. A value made of objects (metadata values,
automation conditions, freshness policies, partitions) is written as the public constructor
calls that build it, then evaluated and compared with the original (`dg.serialize_value` for
conditions and policies), so what the generated module builds is what the translator returned.
Anything else raises `Unsupported`, which says what would work. Results are memoized: a
translator tends to return the same few values for thousands of tables.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, Final

import dagster as dg

from fivetran_codegen.render import settings_code
from fivetran_codegen.render.literals import py_literal

# The names generated modules bind, so the code evaluates here exactly as it will there.
NAMESPACE: Final[Mapping[str, object]] = {"dg": dg, "datetime": datetime}
_METADATA_KINDS = "url, md, json, path, text, int, float, bool, table_schema, asset, timestamp"
_PLAIN = (str, int, float, bool, type(None), list, tuple, dict)


class Unsupported(Exception):
    """A value that cannot be written as code; `str()` says what it is and what would work."""

    def __init__(self, value: object, works: str) -> None:
        super().__init__(f"a {type(value).__module__}.{type(value).__qualname__}; {works}")


def asset_key(key: dg.AssetKey) -> str:
    return f"dg.AssetKey({py_literal(list(key.path))})"


def deps(values: Sequence[dg.AssetDep]) -> str:
    plain = all(d.partition_mapping is None and not getattr(d, "metadata", None) for d in values)
    memo_key = tuple(d.asset_key for d in values) if plain else None
    code = _DEPS.get(memo_key) if memo_key is not None else None
    if code is None:
        code = _deps(values)
        if memo_key is not None:
            _DEPS[memo_key] = code
    return code


_DEPS: dict[tuple[dg.AssetKey, ...], str] = {}


def _deps(values: Sequence[dg.AssetDep]) -> str:
    parts = []
    for dep in values:
        if dep.partition_mapping is not None or getattr(dep, "metadata", None):
            raise Unsupported(
                dep, "deps may be asset keys, strings or AssetDeps without a partition mapping"
            )
        parts.append(asset_key(dep.asset_key))
    return f"[{', '.join(parts)}]"


def strings(values: Sequence[str]) -> str:
    return py_literal(list(values))


def string_set(values: Sequence[str]) -> str:
    return py_literal(set(values))


def string_dict(values: Mapping[str, str]) -> str:
    return py_literal(dict(sorted(values.items())))


def metadata_value(value: object) -> str:
    if type(value) in _PLAIN:
        return _plain(value)
    return _memoized(_metadata_object, value)


def _plain(value: Any) -> str:
    problem = _not_plain(value)
    if problem is None:
        try:
            return py_literal(_keys_sorted(value))
        except (TypeError, ValueError) as exc:
            problem = str(exc)
    raise Unsupported(
        value,
        f"{problem}; metadata values may be strings, numbers, booleans, None, lists and dicts "
        f"of those, or dg.MetadataValue.{{{_METADATA_KINDS}}}",
    )


def _keys_sorted(value: Any) -> Any:
    """Dicts with their keys in order: a translator that builds one from a set would otherwise
    write it in hash order, different from run to run. Equal dicts stay equal."""
    if type(value) is dict:
        pairs = sorted(value.items(), key=lambda pair: py_literal(pair[0]))
        return {k: _keys_sorted(v) for k, v in pairs}
    if type(value) in (list, tuple):
        return type(value)(_keys_sorted(v) for v in value)
    return value


def _not_plain(value: Any) -> str | None:
    """Why `value` is not made of plain values only (exact types: a record can be a tuple)."""
    if type(value) not in _PLAIN:
        return f"it holds a {type(value).__qualname__}"
    items = value.items() if type(value) is dict else ()
    inner = [*(v for pair in items for v in pair)] if items else value
    if type(value) in (list, tuple, dict):
        for item in inner:
            problem = _not_plain(item)
            if problem is not None:
                return problem
    return None


def _metadata_object(value: Any) -> str:
    write = _METADATA_WRITERS.get(type(value))
    if write is None:
        raise Unsupported(
            value,
            "metadata values may be strings, numbers, booleans, None, lists and dicts of those, "
            f"dg.TableSchema, dg.AssetKey or dg.MetadataValue.{{{_METADATA_KINDS}}}",
        )
    return _verified(write(value), value)


def table_schema(schema: dg.TableSchema) -> str:
    columns = ", ".join(_table_column(c) for c in schema.columns)
    arguments = [f"columns=[{columns}]"]
    if schema.constraints.other:
        arguments.append(
            f"constraints=dg.TableConstraints(other={strings(schema.constraints.other)})"
        )
    return f"dg.TableSchema({', '.join(arguments)})"


def _table_column(column: dg.TableColumn) -> str:
    arguments = [f"name={py_literal(column.name)}", f"type={py_literal(column.type)}"]
    if column.description is not None:
        arguments.append(f"description={py_literal(column.description)}")
    constraints = column.constraints
    if constraints != dg.TableColumnConstraints():
        arguments.append(
            "constraints=dg.TableColumnConstraints("
            f"nullable={constraints.nullable!r}, unique={constraints.unique!r}, "
            f"other={strings(constraints.other)})"
        )
    tags = getattr(column, "tags", None)
    if tags:
        arguments.append(f"tags={string_dict(tags)}")
    return f"dg.TableColumn({', '.join(arguments)})"


# The constructor call each kind of metadata value is written as, by its exact type.
_METADATA_WRITERS: Final[Mapping[type, Callable[[Any], str]]] = {
    dg.UrlMetadataValue: lambda v: f"dg.MetadataValue.url({py_literal(v.url)})",
    dg.MarkdownMetadataValue: lambda v: f"dg.MetadataValue.md({py_literal(v.md_str)})",
    dg.JsonMetadataValue: lambda v: f"dg.MetadataValue.json({_plain(v.data)})",
    dg.PathMetadataValue: lambda v: f"dg.MetadataValue.path({py_literal(v.fspath)})",
    dg.TextMetadataValue: lambda v: f"dg.MetadataValue.text({py_literal(v.text)})",
    dg.IntMetadataValue: lambda v: f"dg.MetadataValue.int({py_literal(v.value)})",
    dg.FloatMetadataValue: lambda v: f"dg.MetadataValue.float({py_literal(v.value)})",
    dg.BoolMetadataValue: lambda v: f"dg.MetadataValue.bool({py_literal(v.value)})",
    dg.TimestampMetadataValue: lambda v: f"dg.MetadataValue.timestamp({py_literal(v.value)})",
    dg.DagsterAssetMetadataValue: lambda v: f"dg.MetadataValue.asset({asset_key(v.asset_key)})",
    dg.TableSchemaMetadataValue: lambda v: (
        f"dg.MetadataValue.table_schema({table_schema(v.schema)})"
    ),
    dg.TableSchema: lambda v: table_schema(v),
    dg.AssetKey: lambda v: asset_key(v),
}


# -- automation conditions ---------------------------------------------------------------------

_CONDITION_WORKS = (
    "automation conditions may be dg.AutomationCondition's own constructors (eager(), "
    "on_missing(), on_cron(...), cron_tick_passed(...), missing(), in_progress()...) and their "
    "&, | and ~ compositions"
)


def automation_condition(condition: object) -> str:
    return _memoized(_condition_code, condition)


@cache
def _builtin_conditions() -> dict[str, str]:
    """dg.AutomationCondition's constructors that take no argument, by serialized value."""
    found: dict[str, str] = {}
    for name in sorted(vars(dg.AutomationCondition)):
        if name.startswith("_") or not isinstance(vars(dg.AutomationCondition)[name], staticmethod):
            continue
        try:
            with warnings.catch_warnings():  # some constructors are deprecated or in preview
                warnings.simplefilter("ignore")
                condition: Any = getattr(dg.AutomationCondition, name)()
        except TypeError:
            continue  # it needs arguments
        if isinstance(condition, dg.AutomationCondition):
            serialized = dg.serialize_value(condition)  # type: ignore[arg-type]  # it is a record
            found.setdefault(serialized, f"dg.AutomationCondition.{name}()")
    return found


def _condition_code(condition: Any) -> str:
    # `Any`, not the class: the composite kinds' fields (operands...) are not on the base class.
    if not isinstance(condition, dg.AutomationCondition):
        raise Unsupported(condition, _CONDITION_WORKS)
    return _composed(condition)


def _composed(condition: Any) -> str:
    builtin = _builtin_conditions().get(dg.serialize_value(condition))
    if builtin is not None:
        return builtin
    label = condition.get_label()
    kind = type(condition).__name__
    if label is not None and label.startswith("on_cron(") and label.endswith(")"):
        cron, _, timezone = label[len("on_cron(") : -1].rpartition(", ")
        return _verified(_cron_call("on_cron", cron, timezone), condition, same=_serialized)
    if label is None and kind == "CronTickPassedCondition":
        call = _cron_call("cron_tick_passed", condition.cron_schedule, condition.cron_timezone)
        return _verified(call, condition, same=_serialized)
    if label is None and kind in ("AndAutomationCondition", "OrAutomationCondition"):
        operator = " & " if kind.startswith("And") else " | "
        parts = [_operand(o, inside=operator.strip()) for o in condition.operands]
        return _verified(operator.join(parts), condition, same=_serialized)
    if label is None and kind == "NotAutomationCondition":
        return _verified("~" + _operand(condition.operand, inside="~"), condition, same=_serialized)
    raise Unsupported(condition, _CONDITION_WORKS)


def _operand(condition: Any, *, inside: str) -> str:
    code = _condition_code(condition)
    operator = _top_operator(condition)
    # `~` binds tighter than `&`, which binds tighter than `|`.
    needs_parentheses = operator is not None and (inside == "~" or (inside, operator) == ("&", "|"))
    return f"({code})" if needs_parentheses else code


def _top_operator(condition: Any) -> str | None:
    """`&` or `|` when the condition is written as such a composition, else None."""
    if condition.get_label() is not None or dg.serialize_value(condition) in _builtin_conditions():
        return None
    return {"AndAutomationCondition": "&", "OrAutomationCondition": "|"}.get(
        type(condition).__name__
    )


def _cron_call(name: str, cron: str, timezone: str) -> str:
    arguments = py_literal(cron) + ("" if timezone == "UTC" else f", {py_literal(timezone)}")
    return f"dg.AutomationCondition.{name}({arguments})"


# -- freshness policies and partitions ---------------------------------------------------------

_FRESHNESS_WORKS = "freshness policies may be dg.FreshnessPolicy.time_window(...) or .cron(...)"


def freshness_policy(policy: object) -> str:
    return _memoized(_freshness_code, policy)


def _freshness_code(policy: Any) -> str:
    kind = type(policy).__name__
    if kind == "TimeWindowFreshnessPolicy":
        warn = policy.warn_window
        code = settings_code.time_window_freshness(
            _seconds(policy.fail_window), None if warn is None else _seconds(warn)
        )
    elif kind == "CronFreshnessPolicy":
        code = settings_code.cron_freshness(
            policy.deadline_cron, _seconds(policy.lower_bound_delta), policy.timezone
        )
    else:
        raise Unsupported(policy, _FRESHNESS_WORKS)
    return _verified(code, policy, same=_serialized)


def _seconds(value: Any) -> float:
    """Dagster keeps windows as serializable timedeltas, or as timedeltas in older releases."""
    delta = value.to_timedelta() if hasattr(value, "to_timedelta") else value
    return float(delta.total_seconds())


_PARTITIONS_WORKS = (
    "partitions may be dg.StaticPartitionsDefinition or a time-window partitions definition "
    "(Hourly, Daily, Weekly, Monthly, TimeWindowPartitionsDefinition)"
)
_TIME_WINDOW_CLASSES = (
    "HourlyPartitionsDefinition",
    "DailyPartitionsDefinition",
    "WeeklyPartitionsDefinition",
    "MonthlyPartitionsDefinition",
)


def partitions_def(partitions: object) -> str:
    return _memoized(_partitions_code, partitions)


def _partitions_code(partitions: Any) -> str:
    if type(partitions) is dg.StaticPartitionsDefinition:
        keys = strings(partitions.get_partition_keys())
        return _verified(f"dg.StaticPartitionsDefinition({keys})", partitions)
    if not isinstance(partitions, dg.TimeWindowPartitionsDefinition) or getattr(
        partitions, "exclusions", None
    ):
        raise Unsupported(partitions, _PARTITIONS_WORKS)
    fmt = partitions.fmt
    start = py_literal(partitions.start.strftime(fmt))
    end = None if partitions.end is None else py_literal(partitions.end.strftime(fmt))
    options = (
        [f"timezone={py_literal(partitions.timezone)}"] if partitions.timezone != "UTC" else []
    )
    if partitions.end_offset:
        options.append(f"end_offset={partitions.end_offset}")
    kind = type(partitions).__name__
    if kind in _TIME_WINDOW_CLASSES:  # the readable form, when it states the same partitions
        arguments = [f"start_date={start}", *([f"end_date={end}"] if end else []), *options]
        code = f"dg.{kind}({', '.join(arguments)})"
        if _evaluates_to(code, partitions):
            return code
    arguments = [
        f"cron_schedule={py_literal(partitions.cron_schedule)}",
        f"start={start}",
        *([f"end={end}"] if end else []),
        f"fmt={py_literal(fmt)}",
        *options,
    ]
    code = f"dg.TimeWindowPartitionsDefinition({', '.join(arguments)})"
    return _verified(code, partitions, same=_same_partitions)


def _same_partitions(a: Any, b: Any) -> bool:
    # The generic class states a Daily... definition's partitions exactly; only the type differs.
    return bool(isinstance(a, dg.TimeWindowPartitionsDefinition) and a == b)


# -- checking and memoizing ---------------------------------------------------------------------


def _serialized(a: Any, b: Any) -> bool:
    return bool(dg.serialize_value(a) == dg.serialize_value(b))


def _equal(a: Any, b: Any) -> bool:
    return bool(type(a) is type(b) and a == b)


def _evaluates_to(code: str, value: object, same: Callable[[Any, Any], bool] = _equal) -> bool:
    try:
        built = eval(code, dict(NAMESPACE))  # our own code: literals and dg calls
    except Exception:  # any failure: this form does not state the value
        return False
    return same(built, value)


def _verified(code: str, value: object, same: Callable[[Any, Any], bool] = _equal) -> str:
    if not _evaluates_to(code, value, same):
        raise Unsupported(value, f"written as {code} it builds something else")
    return code


_MEMO: dict[tuple[type, str], str] = {}


def _memoized(write: Callable[[Any], str], value: object) -> str:
    """`write(value)`, once per distinct value: keyed by type and repr, which these immutable
    records define by their fields."""
    key = (type(value), repr(value))
    code = _MEMO.get(key)
    if code is None:
        code = _MEMO[key] = write(value)
    return code
