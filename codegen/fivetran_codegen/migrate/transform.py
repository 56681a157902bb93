"""The codemod: one module's dagster-fivetran code rewritten to the generated package and runtime.

Only nodes that use dagster-fivetran are replaced, so everything else keeps its formatting and
comments. Names are resolved with libcst's scope analysis (aliases, `import dagster_fivetran as
df`, submodules), not by spelling. Imports follow the rewrites: the runtime's names take the
place of dagster-fivetran's, the generated package's names are added, and imports left unused
by a rewrite are removed (libcst's AddImportsVisitor/RemoveImportsVisitor).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.helpers import calculate_module_and_package
from libcst.metadata import (
    ImportAssignment,
    PositionProvider,
    QualifiedNameProvider,
    QualifiedNameSource,
    Scope,
    ScopeProvider,
)

from fivetran_codegen.migrate import args as arglist
from fivetran_codegen.migrate import calls, functions, leftovers, translators
from fivetran_codegen.migrate import package as generated
from fivetran_codegen.migrate.names import (
    DECORATOR,
    EQUIVALENTS,
    LOADERS,
    RUNTIME,
    RUNTIME_EQUIVALENTS,
    TRANSLATOR,
    WORKSPACE_ONLY_METHODS,
    is_dagster_fivetran,
)
from fivetran_codegen.migrate.report import Note, Refused

_SENSOR = "build_fivetran_polling_sensor"


@dataclass
class ModuleResult:
    code: str
    notes: list[Note] = field(default_factory=list)
    translators: list[translators.Found] = field(default_factory=list)


def migrate_module(
    module: cst.Module,
    *,
    path: Path,
    package: generated.GeneratedPackage,
    edits: dict[Path, str],
) -> ModuleResult:
    """Rewrite `module` (read from `path`); bodies moved into generated modules land in `edits`."""
    migrator = Migrator(_context(path), path, package, edits)
    new = migrator.transform_module(module).visit(_TrailingComma())
    notes = migrator.notes + leftovers.notes(new, path, migrator.import_lines, migrator.covered)
    found = [dataclasses.replace(t, used=t.name in migrator.given) for t in migrator.found]
    return ModuleResult(new.code, notes, found)


def _context(path: Path) -> CodemodContext:
    """A context naming the module, so imports like `from .resources import ws` can be removed.

    The import root is the first directory up from the file without an `__init__.py`, as
    Python would see it.
    """
    root = path.resolve().parent
    while (root / "__init__.py").is_file() and root.parent != root:
        root = root.parent
    names = calculate_module_and_package(str(root), str(path.resolve()))
    return CodemodContext(
        filename=str(path), full_module_name=names.name, full_package_name=names.package
    )


class Migrator(VisitorBasedCodemodCommand):
    DESCRIPTION = "Rewrite dagster-fivetran code to the generated package and its runtime."
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider, ScopeProvider)

    def __init__(
        self,
        context: CodemodContext,
        path: Path,
        package: generated.GeneratedPackage,
        edits: dict[Path, str],
    ) -> None:
        super().__init__(context)
        self.path = path
        self.package = package
        self.edits = edits
        self.notes: list[Note] = []
        self.covered: set[str] = set()  # dagster-fivetran names a specific note already explains
        # Local name bound by a dagster-fivetran import -> its line, for the leftovers report.
        self.import_lines: dict[str, int] = {}
        self.translators: set[str] = set()
        self.found: list[translators.Found] = []
        self.given: set[str] = set()  # classes a loader or sensor got an instance of
        # Module variable -> the literal account_id of the FivetranWorkspace assigned to it.
        self.account_ids: dict[str, str] = {}
        self.dagster_alias: str | None = None
        self.workspaces: set[str] = set()  # module variables holding a dagster-fivetran workspace
        self.top_level: set[int] = set()  # ids of the module's own statements
        self.depth = 0
        self.scope: Scope | None = None

    # --- resolution helpers -------------------------------------------------------------------

    def _public(self, node: cst.CSTNode) -> str | None:
        """The dagster-fivetran name `node` refers to (`FivetranWorkspace`...), if it is one."""
        for qualified in self.get_metadata(QualifiedNameProvider, node, set()):
            module, _, name = qualified.name.rpartition(".")
            if qualified.source is QualifiedNameSource.IMPORT and is_dagster_fivetran(module):
                return name
        return None

    def _qualify(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def _note(self, node: cst.CSTNode, message: str, *, manual: bool) -> None:
        start = self.get_metadata(PositionProvider, node).start
        self.notes.append(Note(self.path, start.line, start.column + 1, message, manual))

    def _package_name(self, obj: str) -> cst.Name:
        """`obj` from the generated package, imported under another name if this module has one."""
        local = obj
        if self.scope is not None and obj in self.scope.assignments:
            bound = self.scope.assignments[obj]
            if not all(_imports_from(a, self.package.name) for a in bound):
                local = f"FIVETRAN_{obj}"
        asname = None if local == obj else local
        AddImportsVisitor.add_needed_import(self.context, self.package.name, obj, asname=asname)
        return cst.Name(local)

    def _forget(self, node: cst.CSTNode) -> None:
        """Drop the imports that only `node`, removed by a rewrite, used.

        The runtime's names are looked for too: their imports moved there before `node` went.
        """
        # ValueError: a relative import above the import root; it stays, used or not.
        with contextlib.suppress(ValueError):
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, node)
        outer = self

        class Runtime(cst.CSTVisitor):
            def visit_Name(self, name: cst.Name) -> None:
                public = outer._public(name)
                if public in RUNTIME_EQUIVALENTS:
                    asname = None if name.value == public else name.value
                    RemoveImportsVisitor.remove_unused_import(
                        outer.context, RUNTIME, public, asname
                    )

        node.visit(Runtime())

    # --- module facts -----------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        self.scope = self.get_metadata(ScopeProvider, node)
        self.top_level = {id(statement) for statement in node.body}
        for statement in node.body:
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        if alias.evaluated_name == "dagster":
                            self.dagster_alias = alias.evaluated_alias or "dagster"

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if is_dagster_fivetran(alias.evaluated_name):
                self._record_import(node, alias.evaluated_alias or alias.evaluated_name)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if _from_dagster_fivetran(node):
            names = node.names
            bound = ["*"] if isinstance(names, cst.ImportStar) else [_bound(a) for a in names]
            for name in bound:
                self._record_import(node, name)

    def _record_import(self, node: cst.CSTNode, name: str) -> None:
        self.import_lines.setdefault(name, self.get_metadata(PositionProvider, node).start.line)

    def visit_Assign(self, node: cst.Assign) -> None:
        # `ws = FivetranWorkspace(account_id="...")`: the sensor's old default name needs the
        # account, and `ws.load_asset_specs()` is recognised by the variable.
        call = node.value
        if self.depth or len(node.targets) != 1 or not isinstance(call, cst.Call):
            return
        target = node.targets[0].target
        if isinstance(target, cst.Name) and self._public(call.func) == "FivetranWorkspace":
            self.workspaces.add(target.value)
            account = functions.literal(
                next((a for a in call.args if arglist.keyword(a) == "account_id"), None)
            )
            if account is not None:
                self.account_ids[target.value] = account

    # --- imports: the runtime's names replace dagster-fivetran's ----------------------------

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.ImportFrom):
            return updated_node
        statement = updated_node.body[0]
        names = statement.names
        if not _from_dagster_fivetran(statement) or isinstance(names, cst.ImportStar):
            return updated_node
        kept = [a for a in names if a.evaluated_name not in EQUIVALENTS]
        targets = sorted({EQUIVALENTS[a.evaluated_name] for a in names if a not in kept})
        if not targets:
            return updated_node
        # The moved imports come first: the first keeps the comments above the original line.
        lines: list[cst.BaseStatement] = []
        for target in targets:
            moved = [a for a in names if EQUIVALENTS.get(a.evaluated_name) == target]
            statement_to = statement.with_changes(
                module=cast("cst.Attribute", cst.parse_expression(target)),
                names=_commas(moved, names),
            )
            line = updated_node.with_changes(body=[statement_to])
            lines.append(line if not lines else line.with_changes(leading_lines=[]))
        if kept:
            rest = statement.with_changes(names=_commas(kept, names))
            lines.append(updated_node.with_changes(body=[rest], leading_lines=[]))
        return cst.FlattenSentinel(lines)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        # `dagster_fivetran.FivetranWorkspace` (module import): the runtime's name instead.
        public = self._public(original_node)
        if public not in EQUIVALENTS or public is None:
            return updated_node
        AddImportsVisitor.add_needed_import(self.context, EQUIVALENTS[public], public)
        RemoveImportsVisitor.remove_unused_import_by_node(self.context, original_node)
        return cst.Name(public)

    # --- calls ------------------------------------------------------------------------------

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        public = self._public(original_node.func)
        for arg in original_node.args:  # `dagster_fivetran_translator=MyTranslator()`
            value = arg.value
            given = isinstance(value, cst.Call) and isinstance(value.func, cst.Name)
            if given and arglist.keyword(arg) == "dagster_fivetran_translator":
                self.given.add(cast("cst.Name", cast("cst.Call", value).func).value)
        if public == "FivetranWorkspace":
            return self._rewritten(original_node, calls.workspace(updated_node))
        if public == _SENSOR:
            return self._rewritten(original_node, self._sensor(original_node, updated_node))
        if public in LOADERS:
            return self._loader(original_node, updated_node, public, LOADERS[public])
        method = self._workspace_method(original_node.func)
        if method == "load_asset_specs":
            return self._loader(original_node, updated_node, f"{method}()", "ALL_SPECS")
        if method in WORKSPACE_ONLY_METHODS:
            self._note(
                original_node,
                f"FivetranWorkspace.{method}() is dagster-fivetran's; the runtime's resource does "
                "not have it or does it differently: rewrite this call by hand",
                manual=True,
            )
        return updated_node

    def _loader(
        self, original: cst.Call, updated: cst.Call, function: str, replacement: str
    ) -> cst.Name:
        key = self.package.resource_key
        self._rewritten(original, calls.loader(updated, function, replacement, resource_key=key))
        self._forget(original)
        return self._package_name(replacement)

    def _workspace_method(self, func: cst.BaseExpression) -> str | None:
        """`m` in `ws.m(...)` when `ws` is a module variable holding a dagster-fivetran workspace."""
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            return func.attr.value if func.value.value in self.workspaces else None
        return None

    def _sensor(self, original: cst.Call, updated: cst.Call) -> calls.Rewritten:
        workspace = next(
            (a.value for a in original.args if arglist.keyword(a) == "workspace"), None
        )
        account = self.account_ids.get(workspace.value) if isinstance(workspace, cst.Name) else None
        if self.dagster_alias is not None:
            running = cst.parse_expression(f"{self.dagster_alias}.DefaultSensorStatus.RUNNING")
        else:
            AddImportsVisitor.add_needed_import(self.context, "dagster", "DefaultSensorStatus")
            running = cst.parse_expression("DefaultSensorStatus.RUNNING")
        if workspace is not None:
            self._forget(workspace)
        return calls.sensor(
            updated,
            assets=self._package_name("ASSETS"),
            running=running,
            old_name=f"fivetran_{account}__sync_status_sensor" if account else None,
            resource_key=self.package.resource_key,
        )

    def _rewritten(self, original: cst.Call, result: calls.Rewritten) -> cst.Call:
        for message in result.changed:
            self._note(original, message, manual=False)
        for message in result.manual:
            self._note(original, message, manual=True)
        return result.call

    # --- translators ------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1
        for base in node.bases:
            local = base.value.value if isinstance(base.value, cst.Name) else None
            if self._public(base.value) == TRANSLATOR or local in self.translators:
                self.translators.add(node.name.value)
                base_code = cst.Module(body=[]).code_for_node(base.value)
                for message, manual in translators.notes(node, base_code):
                    self._note(node, message, manual=manual)
                line = self.get_metadata(PositionProvider, node).start.line
                self.found.append(translators.Found(node.name.value, self.path, line, base_code))
                self.covered |= {TRANSLATOR, "FivetranConnectorTableProps"}
                return

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.BaseStatement:
        self.depth -= 1
        return updated_node

    # --- @fivetran_assets functions ---------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.BaseStatement | cst.RemovalSentinel:
        self.depth -= 1
        call = self._asset_decorator(original_node)
        if call is None:
            return updated_node
        try:
            if id(original_node) not in self.top_level:
                # Removing it from a block (an `if`, a function) could leave the block empty.
                raise Refused("it is not defined at the top level of the module")
            scopes = cast("Mapping[cst.CSTNode, Scope | None]", self.metadata[ScopeProvider])
            replacement = functions.replace(
                original_node,
                call,
                package=self.package,
                edits=self.edits,
                scopes=scopes,
                qualify=self._qualify,
            )
        except Refused as exc:
            self._note(original_node, functions.left_unchanged(original_node, exc), manual=True)
            self.covered.add(DECORATOR)
            return updated_node
        AddImportsVisitor.add_needed_import(
            self.context, replacement.module, replacement.function, replacement.asname
        )
        for message in replacement.changed:
            self._note(original_node, message, manual=False)
        for message in replacement.manual:
            self._note(original_node, message, manual=True)
        self._forget(original_node)
        return cst.RemovalSentinel.REMOVE

    def _asset_decorator(self, fn: cst.FunctionDef) -> cst.Call | None:
        for decorator in fn.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call) and self._public(call.func) == DECORATOR:
                return call
        return None


class _TrailingComma(cst.CSTTransformer):
    """Gives back the trailing comma RemoveImportsVisitor takes from a one-name-per-line import.

    Without it, removing the last names of `from x import (\n    a,\n    b,\n)` leaves `a)`.
    """

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        names = updated_node.names
        lpar = updated_node.lpar
        if (
            isinstance(names, cst.ImportStar)
            or lpar is None
            or not isinstance(lpar.whitespace_after, cst.ParenthesizedWhitespace)
            or not isinstance(names[-1].comma, cst.MaybeSentinel)
        ):
            return updated_node
        before_paren = cst.ParenthesizedWhitespace(indent=True, last_line=cst.SimpleWhitespace(""))
        last = names[-1].with_changes(comma=cst.Comma(whitespace_after=before_paren))
        return updated_node.with_changes(names=[*names[:-1], last])


def _from_dagster_fivetran(node: cst.ImportFrom) -> bool:
    if node.relative or node.module is None:
        return False
    return is_dagster_fivetran(cst.Module(body=[]).code_for_node(node.module))


def _imports_from(assignment: object, module: str) -> bool:
    node = getattr(assignment, "node", None)
    if not isinstance(assignment, ImportAssignment) or not isinstance(node, cst.ImportFrom):
        return False
    return node.module is not None and cst.Module(body=[]).code_for_node(node.module) == module


def _bound(alias: cst.ImportAlias) -> str:
    return alias.evaluated_alias or alias.evaluated_name


def _commas(
    aliases: list[cst.ImportAlias], original: Sequence[cst.ImportAlias]
) -> list[cst.ImportAlias]:
    """A subset of an import's names, the last one taking the original last comma."""
    return [*aliases[:-1], aliases[-1].with_changes(comma=original[-1].comma)]
