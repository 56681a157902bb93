"""Notes for the user: what needs manual work, and what migrate changed that behaves differently."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fivetran_codegen_runtime.rest.errors import FivetranCodegenError


class MigrateError(FivetranCodegenError):
    """A file migrate must read cannot be read or parsed; nothing is written."""


@dataclass(frozen=True, order=True)
class Note:
    path: Path | None  # None: about the whole run (e.g. the generated package is missing)
    line: int  # 1-based, in the file as it was before migrate; 0 with no path
    column: int
    message: str
    manual: bool  # True: a human must act; False: a rewrite that behaves a little differently


def render(notes: Iterable[Note], *, cwd: Path) -> str:
    """The report, manual work first; empty when there is nothing to say."""
    ordered = sorted(set(notes), key=lambda n: (str(n.path or ""), n.line, n.column, n.message))
    manual = [n for n in ordered if n.manual]
    changed = [n for n in ordered if not n.manual]
    sections = []
    if manual:
        sections.append(_section("Needs manual work", manual, cwd))
    if changed:
        sections.append(_section("Rewritten; check these differences", changed, cwd))
    return "\n".join(sections)


def location(path: Path, cwd: Path) -> str:
    """`path` relative to the working directory when it is below it (as compilers print it)."""
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return os.fspath(path)


def _section(title: str, notes: list[Note], cwd: Path) -> str:
    lines = [f"{title} ({len(notes)}; lines as they were before migrate):"]
    for note in notes:
        where = f"{location(note.path, cwd)}:{note.line}:{note.column}: " if note.path else ""
        lines.append(f"  {where}{note.message}")
    return "\n".join(lines)


class Refused(Exception):
    """A rewrite migrate leaves to the user; the message says why (it becomes a manual note)."""
