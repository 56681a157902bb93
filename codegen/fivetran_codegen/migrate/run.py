"""Plan every change of a migration, then apply it: nothing is written unless all files parse."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from fivetran_codegen.migrate import files, transform
from fivetran_codegen.migrate.package import GeneratedPackage, locate
from fivetran_codegen.migrate.report import Note, location
from fivetran_codegen.output import atomic


@dataclass(frozen=True)
class Change:
    path: Path
    before: str
    after: str

    def diff(self, cwd: Path) -> str:
        name = location(self.path, cwd)
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
        )
        # A last line without a newline would glue the next file's header to it.
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    notes: tuple[Note, ...]
    package: GeneratedPackage
    files_read: int


def plan(path: Path, *, package_name: str | None, config_path: Path | None) -> Plan:
    """Every file's new text and the report; reads files, writes nothing."""
    start = path if path.is_dir() else path.parent
    package = locate(package_name, start=start, config_path=config_path)
    sources = files.sources(path, skip=package.directory)
    parsed = [(source, *files.read(source)) for source in sources]  # every error before any work
    edits: dict[Path, str] = {}
    changes: list[Change] = []
    notes: list[Note] = []
    for source, text, module in parsed:
        result = transform.migrate_module(module, path=source, package=package, edits=edits)
        notes += result.notes
        if result.code != text:
            changes.append(Change(source, text, result.code))
    for target, text in edits.items():
        changes.append(Change(target, target.read_text(encoding="utf-8"), text))
    return Plan(tuple(changes), tuple(notes), package, len(parsed))


def apply(planned: Plan) -> list[Path]:
    """Write the planned files, each atomically; the paths written."""
    return [c.path for c in planned.changes if atomic.write_text(c.path, c.after)]
