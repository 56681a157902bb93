"""The snapshot file: `Snapshot` <-> `fivetran_snapshot.json`.

Written for review: sorted keys, two-space indent, LF, a trailing newline, and no field that
changes between two reads of an unchanged workspace. Unicode stays readable, but invisible or
line-breaking characters (controls, zero-width and bidi marks, U+2028) are escaped so a diff
shows what is really there. Loading validates against the published JSON Schema, refuses a key
that appears twice in one object, and reports the JSON path of the first problem.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from fivetran_codegen import unicode13
from fivetran_codegen.errors import SnapshotFileError
from fivetran_codegen.snapshot import json_codec, strict_reader
from fivetran_codegen.snapshot.model import (
    SNAPSHOT_VERSION,
    Column,
    Connection,
    Group,
    Problem,
    Schema,
    Snapshot,
    Table,
)

SCHEMA_RESOURCE = f"snapshot.v{SNAPSHOT_VERSION}.schema.json"

# Characters that render as nothing or as a line break are escaped in the file (JSON allows it):
# controls, format, private-use, surrogate, line and paragraph separators, and what Unicode 13.0
# has not assigned (`unicode13`: the same bytes on every Python).
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def dumps(snapshot: Snapshot) -> str:
    return _laid_out(json_codec.dumps_pretty(to_json(snapshot)))


def _laid_out(pretty: str) -> str:
    """The file's text from `json_codec.dumps_pretty`'s: invisible characters escaped."""
    return (pretty if pretty.isascii() else _NON_ASCII.sub(_escape_invisible, pretty)) + "\n"


def _escape_invisible(match: re.Match[str]) -> str:
    char = match.group()
    if unicode13.is_visible(char):
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def to_json(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "version": snapshot.version,
        "account": {"id": snapshot.account.id, "name": snapshot.account.name},
        "selection": {
            "include": list(snapshot.selection.include),
            "exclude": list(snapshot.selection.exclude),
        },
        "groups": [_group_json(g) for g in snapshot.groups],
        "connections": [_connection_json(c) for c in snapshot.connections],
    }


def _problem_json(problem: Problem | None) -> dict[str, str] | None:
    return None if problem is None else {"code": problem.code, "message": problem.message}


def _group_json(group: Group) -> dict[str, Any]:
    destination = group.destination
    return {
        "id": group.id,
        "name": group.name,
        "destination": None
        if destination is None
        else {
            "service": destination.service,
            "region": destination.region,
            "database": destination.database,
            "time_zone_offset": destination.time_zone_offset,
        },
        "destination_error": _problem_json(group.destination_error),
    }


def _connection_json(connection: Connection) -> dict[str, Any]:
    config = connection.schema_config
    return {
        "id": connection.id,
        "name": connection.name,
        "service": connection.service,
        "group_id": connection.group_id,
        "setup_state": connection.setup_state,
        "paused": connection.paused,
        "schedule_type": connection.schedule_type,
        "sync_frequency": connection.sync_frequency,
        "daily_sync_time": connection.daily_sync_time,
        "schema_config": None
        if config is None
        else {
            "schema_change_handling": config.schema_change_handling,
            "schemas": {s.name: _schema_json(s) for s in config.schemas},
        },
        "schema_config_error": _problem_json(connection.schema_config_error),
    }


def _schema_json(schema: Schema) -> dict[str, Any]:
    return {
        "name_in_destination": schema.name_in_destination,
        "enabled": schema.enabled,
        "tables": {t.name: _table_json(t) for t in schema.tables},
    }


def _table_json(table: Table) -> dict[str, Any]:
    return {
        "name_in_destination": table.name_in_destination,
        "enabled": table.enabled,
        "sync_mode": table.sync_mode,
        "supports_columns_config": table.supports_columns_config,
        "columns_complete": table.columns_complete,
        "columns": {c.name: column_json(c) for c in table.columns},
    }


def column_json(column: Column) -> dict[str, Any]:
    """A column as the snapshot file and Fivetran's schema config write it (keyed by its name)."""
    return {
        "name_in_destination": column.name_in_destination,
        "enabled": column.enabled,
        "hashed": column.hashed,
        "is_primary_key": column.is_primary_key,
    }


# -- loading -----------------------------------------------------------------------------------


@cache
def json_schema() -> dict[str, Any]:
    """The published JSON Schema of the snapshot file (shipped in the package)."""
    text = (
        resources.files("fivetran_codegen.snapshot.schemas")
        .joinpath(SCHEMA_RESOURCE)
        .read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def load(path: Path) -> Snapshot:
    """Read and validate a snapshot file; errors name the file, the JSON path and the fix."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise SnapshotFileError(
            "no snapshot file here",
            where=str(path),
            hint="take one with `fivetran-codegen snapshot`, or name it with --snapshot",
        ) from None
    except OSError as exc:
        raise SnapshotFileError(f"cannot read the file: {exc}", where=str(path)) from None
    return loads(text, source=str(path))


def loads(text: str | bytes, *, source: str = "<snapshot>") -> Snapshot:
    document = _parse_json(text, source)
    _check_version(document, source)
    try:
        snapshot = strict_reader.snapshot(document)
    except strict_reader.Invalid as invalid:
        raise _schema_error(document, source, invalid.path) from None
    _check_unique_ids(document, source)
    _check_unique_keys(document, text, source)
    return snapshot


def _parse_json(text: str | bytes, source: str) -> Any:
    try:
        return json_codec.loads(text)
    except UnicodeDecodeError as exc:
        raise SnapshotFileError(
            f"not UTF-8 text (byte {exc.start})",
            where=source,
            hint="the file was damaged or re-encoded; take the snapshot again",
        ) from None
    except json.JSONDecodeError as exc:
        raise SnapshotFileError(
            f"not valid JSON: {exc.msg}",
            where=f"{source}:{exc.lineno}:{exc.colno}",
            hint="the file is truncated or was edited by hand; take the snapshot again",
        ) from None


def _schema_error(document: Any, source: str, path: str) -> SnapshotFileError:
    """Word a rejection with jsonschema (slow, so only once the fast reader said no)."""
    validator = jsonschema.Draft202012Validator(json_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return SnapshotFileError(
            "does not follow the snapshot schema: unexpected value", where=f"{source} at {path}"
        )
    leaves = _deepest(error)
    message = "; ".join(dict.fromkeys(_short(e.message) for e in leaves))
    return SnapshotFileError(
        f"does not follow the snapshot schema: {message}",
        where=f"{source} at {leaves[0].json_path}",
        hint="take the snapshot again with `fivetran-codegen snapshot` rather than editing it",
    )


def _deepest(
    error: jsonschema.exceptions.ValidationError,
) -> list[jsonschema.exceptions.ValidationError]:
    """The errors that say what is wrong, not where a choice failed: for `oneOf: [null, {...}]`
    jsonschema reports the whole object (a dump of it) with the real reasons (a misspelled key:
    one required property missing, one unexpected) inside; those, at the deepest path."""
    leaves, pending = [], [error]
    while pending:
        current = pending.pop()
        if current.context:
            pending.extend(current.context)
        else:
            leaves.append(current)
    depth = max(len(e.absolute_path) for e in leaves)
    deepest = [e for e in leaves if len(e.absolute_path) == depth]
    return sorted(deepest, key=lambda e: (e.json_path, str(e.validator), e.message))


def _check_version(document: Any, source: str) -> None:
    version = document.get("version") if isinstance(document, dict) else None
    if isinstance(version, int) and version != SNAPSHOT_VERSION:
        raise SnapshotFileError(
            f"snapshot format version {version}; this fivetran-codegen reads version {SNAPSHOT_VERSION}",
            where=f"{source} at $.version",
            hint="use the fivetran-codegen release that wrote it, or take the snapshot again",
        )


def _check_unique_ids(document: dict[str, Any], source: str) -> None:
    seen: set[str] = set()
    for index, connection in enumerate(document["connections"]):
        if connection["id"] in seen:
            raise SnapshotFileError(
                f"connection id {connection['id']!r} appears twice",
                where=f"{source} at $.connections[{index}].id",
                hint="take the snapshot again rather than merging files by hand",
            )
        seen.add(connection["id"])


def _check_unique_keys(document: Any, text: str | bytes, source: str) -> None:
    """Refuse an object with a key twice (a hand merge, say), which JSON parsers read as the
    last one. A file as `dumps` laid it out is written again from what was read, byte for byte,
    so it has none (0.2 s at 100,000 tables); any other file is parsed again to find one."""
    text = json_codec.without_bom(text)
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    again = json_codec.dumps_pretty_bytes(document)
    if not again.isascii():
        again = _laid_out(again.decode("utf-8", "surrogatepass")).encode("utf-8")[:-1]
    if len(data) == len(again) + 1 and data.startswith(again) and data.endswith(b"\n"):
        return
    path = json_codec.duplicate_key_path(text)
    if path is not None:
        raise SnapshotFileError(
            f"the key {path[-1]!r} appears twice in one object",
            where=f"{source} at {_json_path(path[:-1])}",
            hint="a JSON reader keeps only the last; take the snapshot again rather than "
            "merging files by hand",
        )


def _json_path(parts: tuple[str | int, ...]) -> str:
    return "$" + "".join(
        f"[{p}]" if isinstance(p, int) else f".{p}" if p.isidentifier() else f"[{p!r}]"
        for p in parts
    )


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "..."
