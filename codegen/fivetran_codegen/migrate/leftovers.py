"""What a migrated module still imports from dagster-fivetran, each with what to do about it."""

from __future__ import annotations

from collections.abc import Mapping, Set
from pathlib import Path

import libcst as cst

from fivetran_codegen.migrate.names import DAGSTER_FIVETRAN, LEGACY, is_dagster_fivetran
from fivetran_codegen.migrate.report import Note

_HINTS = {
    "FivetranAccountComponent": (
        "the component builds its assets from a live crawl; the generated package's `defs` "
        "replace it (remove its defs.yaml too)"
    ),
    "*": "a star import hides which names are used: import them by name, then migrate again",
}
_LEGACY_HINT = (
    "deprecated dagster-fivetran API, not migrated automatically: use the generated package "
    "(ASSETS, ALL_SPECS) and the runtime's FivetranWorkspace instead"
)
_DEFAULT_HINT = "no counterpart in the runtime: migrate that code by hand"


def notes(
    module: cst.Module, path: Path, lines: Mapping[str, int], covered: Set[str]
) -> list[Note]:
    """One manual note per dagster-fivetran name `module` still imports and no note explains."""
    found: list[Note] = []
    for local, public in _remaining(module):
        if public in covered:
            continue
        hint = _HINTS.get(public) or (_LEGACY_HINT if public in LEGACY else _DEFAULT_HINT)
        what = (
            "dagster_fivetran" if public == DAGSTER_FIVETRAN else f"{public} from dagster_fivetran"
        )
        message = f"still uses {what}: {hint}"
        found.append(Note(path, lines.get(local, 0), 1, message, manual=True))
    return found


def _remaining(module: cst.Module) -> list[tuple[str, str]]:
    """(local name, dagster-fivetran name) of every dagster-fivetran import left in `module`.

    For `import dagster_fivetran as df`, the names used as `df.<name>` (a report, so spelling is
    enough), or the module itself when no such use is left.
    """
    found: list[tuple[str, str]] = []
    modules: list[str] = []
    used: dict[str, set[str]] = {}

    class Collect(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            for alias in node.names:
                if is_dagster_fivetran(alias.evaluated_name):
                    modules.append(alias.evaluated_alias or alias.evaluated_name)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            if node.relative or node.module is None:
                return
            if not is_dagster_fivetran(cst.Module(body=[]).code_for_node(node.module)):
                return
            if isinstance(node.names, cst.ImportStar):
                found.append(("*", "*"))
                return
            for alias in node.names:
                found.append((alias.evaluated_alias or alias.evaluated_name, alias.evaluated_name))

        def visit_Attribute(self, node: cst.Attribute) -> None:
            owner = cst.Module(body=[]).code_for_node(node.value)
            used.setdefault(owner, set()).add(node.attr.value)

    module.visit(Collect())
    for local in modules:
        names = sorted(used.get(local, ())) or [DAGSTER_FIVETRAN]
        found += [(local, name) for name in names]
    return found
