"""A SnapshotDiff as text (terminal), markdown (a pull-request body) or JSON (machines)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict

from fivetran_codegen.diff.compare import SnapshotDiff, TableRef

FORMATS = ("text", "markdown", "json")

_Code = Callable[[str], str]  # how a name is shown: as is, or as a markdown code span


def summary(diff: SnapshotDiff) -> str:
    """One line: what changed, counted."""
    if diff.empty:
        return "no changes for Dagster"
    parts = [
        (len(diff.connections_added), "connection(s) added"),
        (len(diff.connections_removed), "connection(s) removed"),
        (len(diff.connections_renamed), "connection(s) renamed"),
        (len(diff.schedule_changes), "schedule change(s)"),
        (len(diff.freshness_changes), "freshness policy change(s)"),
        (len(diff.tables_added), "table(s) added"),
        (len(diff.tables_removed), "table(s) removed"),
        (len(diff.tables_disabled), "table(s) disabled"),
        (len(diff.tables_enabled), "table(s) enabled"),
        (len(diff.key_changes), "asset key change(s)"),
        (len(diff.column_changes), "table(s) with column changes"),
    ]
    return ", ".join(f"{n} {what}" for n, what in parts if n)


def render(diff: SnapshotDiff, fmt: str, *, workspace: str | None = None) -> str:
    """One workspace's changes; `workspace` names it when several are shown together."""
    if fmt == "json":
        return json.dumps(_document(diff), indent=2, sort_keys=True) + "\n"
    code = _code if fmt == "markdown" else _plain
    sections = _sections(diff, code)
    if fmt == "markdown":
        title = "### Fivetran changes for Dagster" + (f": {code(workspace)}" if workspace else "")
        lines = [title, "", summary(diff) + "."]
        for heading, items in sections:
            lines += ["", f"**{heading}**", "", *(f"- {item}" for item in items)]
        return "\n".join(lines) + "\n"
    lines = [f"{workspace}: {summary(diff)}" if workspace else summary(diff)]
    for heading, items in sections:
        lines += [f"{heading}:", *(f"  {item}" for item in items)]
    return "\n".join(lines) + "\n"


def render_several(diffs: Sequence[tuple[str, SnapshotDiff]], fmt: str) -> str:
    """Several workspaces (profiles), each under its name; JSON: `{"profiles": {name: ...}}`."""
    if fmt == "json":
        document = {"profiles": {name: _document(diff) for name, diff in diffs}}
        return json.dumps(document, indent=2, sort_keys=True) + "\n"
    return "\n".join(render(diff, fmt, workspace=name) for name, diff in diffs)


def _document(diff: SnapshotDiff) -> dict[str, object]:
    return {"summary": summary(diff), **asdict(diff)}


def _sections(diff: SnapshotDiff, code: _Code) -> list[tuple[str, list[str]]]:
    sections = [
        (
            "Connections added",
            [
                f"{code(c.name)} ({c.id}, {c.service}): {c.tables} tables"
                for c in diff.connections_added
            ],
        ),
        (
            "Connections removed",
            [
                f"{code(c.name)} ({c.id}, {c.service}): {c.tables} tables"
                for c in diff.connections_removed
            ],
        ),
        (
            "Connections renamed",
            [f"{code(r.old)} -> {code(r.new)} ({r.id})" for r in diff.connections_renamed],
        ),
        (
            "Schedule changes",
            [
                f"{code(c.connection)}: {c.field} {c.old!r} -> {c.new!r}"
                for c in diff.schedule_changes
            ],
        ),
        (
            "Freshness policies that change",
            [f"{code(c.connection)}: {c.old} -> {c.new}" for c in diff.freshness_changes],
        ),
        ("Tables added", [_table(t, code) for t in diff.tables_added]),
        ("Tables removed", [_table(t, code) for t in diff.tables_removed]),
        ("Tables disabled", [_table(t, code) for t in diff.tables_disabled]),
        ("Tables enabled", [_table(t, code) for t in diff.tables_enabled]),
        (
            "Asset keys that change",
            [
                f"{code(_key(k.old))} -> {code(_key(k.new))} ({code(k.table.connection)})"
                for k in diff.key_changes
            ],
        ),
        ("Columns", [_columns(c.table, c.added, c.removed, code) for c in diff.column_changes]),
    ]
    return [(title, items) for title, items in sections if items]


def _plain(text: str) -> str:
    return text


def _code(text: str) -> str:
    """A markdown code span that no name can break out of (backticks, pipes, newlines)."""
    text = text.replace("\n", " ").replace("\r", " ")
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _key(key: Sequence[str]) -> str:
    return "/".join(key)


def _table(table: TableRef, code: _Code) -> str:
    key = f" as {code(_key(table.key))}" if table.key else ""
    return f"{code(table.source)} of {code(table.connection)}{key}"


def _columns(table: TableRef, added: Iterable[str], removed: Iterable[str], code: _Code) -> str:
    changes = [f"+{code(c)}" for c in added] + [f"-{code(c)}" for c in removed]
    name = code(_key(table.key)) if table.key else code(table.source)
    return f"{name}: {', '.join(changes)}"
