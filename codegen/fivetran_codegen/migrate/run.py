"""Plan every change of a migration, then apply it: nothing is written unless all files parse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fivetran_codegen.config import PYPROJECT, Config
from fivetran_codegen.migrate import files, transform, translators
from fivetran_codegen.migrate.package import GeneratedPackage, locate
from fivetran_codegen.migrate.report import Note, location
from fivetran_codegen.output import atomic
from fivetran_codegen.output.unified_diff import unified_diff


@dataclass(frozen=True)
class Change:
    path: Path
    before: str
    after: str

    def diff(self, cwd: Path) -> str:
        return unified_diff(location(self.path, cwd), self.before, self.after)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    notes: tuple[Note, ...]
    package: GeneratedPackage
    files_read: int


def project_dir(path: Path) -> Path:
    """Where migrate looks for the project's config and package: PATH, or a file's directory."""
    return path if path.is_dir() else path.parent


def plan(path: Path, *, settings: Config, package_name: str | None) -> Plan:
    """Every file's new text and the report, for the workspace `settings`; writes nothing."""
    package = locate(package_name, start=project_dir(path), settings=settings)
    sources = files.sources(path, skip=package.directory)
    parsed = [(source, *files.read(source)) for source in sources]  # every error before any work
    edits: dict[Path, str] = {}
    changes: list[Change] = []
    notes: list[Note] = []
    found: list[translators.Found] = []
    for source, text, module in parsed:
        result = transform.migrate_module(module, path=source, package=package, edits=edits)
        notes += result.notes
        if result.code != text:
            changes.append(Change(source, text, result.code))
        found += result.translators
    for target, text in edits.items():
        changes.append(Change(target, target.read_text(encoding="utf-8"), text))
    config = _translator_config(translators.chosen(found), settings)
    if isinstance(config, Change):
        changes.append(config)
    elif config is not None:
        notes.append(config)
    return Plan(tuple(changes), tuple(notes), package, len(parsed))


def _translator_config(chosen: list[translators.Found], settings: Config) -> Change | Note | None:
    """`translator = "module:Class"` written into the project's pyproject.toml, or why not."""
    if not chosen:
        return None
    first = chosen[0]
    pyproject = settings.root / PYPROJECT
    refs = [translators.reference(t, settings.root) for t in chosen]
    if len(chosen) > 1:
        message = (
            f"several translators ({', '.join(refs)}): generate runs one; name it with "
            'translator = "module:Class" in [tool.fivetran-codegen]'
        )
        return Note(first.path, first.line, 1, message, True)
    before = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    after = translators.config_change(before, refs[0])
    if after is None:
        message = f"[tool.fivetran-codegen] already names a translator; {refs[0]} is not it"
        return Note(first.path, first.line, 1, message, True)
    return Change(pyproject, before, after)


def apply(planned: Plan) -> list[Path]:
    """Write the planned files, each atomically; the paths written."""
    return [c.path for c in planned.changes if atomic.write_text(c.path, c.after)]
