"""Move a custom `@fivetran_assets` body into its connection's generated asset function.

The generated function is `def <name>(context, <resource key>, config)` in another module (the
resource key is `fivetran` unless the config says otherwise), so the body is adapted: its
parameters are renamed to those three, module-level imports it uses are
repeated inside it (generated modules say imports go there), and `fivetran.sync_and_poll(...)`
gets `config=config` so run config (re-syncs) reaches it. A body that uses anything else from
its module (a helper, a constant) or a relative import is refused: the generated module cannot
see those, and a guess would fail only at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import (
    Access,
    BaseAssignment,
    BuiltinAssignment,
    FunctionScope,
    ImportAssignment,
    Scope,
)

from fivetran_codegen.migrate import args as arglist
from fivetran_codegen.migrate.names import (
    CONFIG,
    CONTEXT,
    GENERATED_MODULE_IMPORTS,
    RUNTIME,
    RUNTIME_EQUIVALENTS,
    WORKSPACE,
    WORKSPACE_ONLY_METHODS,
    is_dagster_fivetran,
)
from fivetran_codegen.migrate.report import Refused

Qualify = Callable[[cst.CSTNode], set[str]]
ImportSpec = tuple[str, str | None, str | None]  # (module, object, alias) as in names.py
_CONTEXT_NAMES = frozenset({"context", "_context", "ctx", "_"})
_WITH_LEADING_LINES = (cst.SimpleStatementLine, cst.BaseCompoundStatement)


@dataclass(frozen=True)
class MovedBody:
    text: str  # the function body, 4-space indented, ending with one newline
    roles: Mapping[str, str]  # role (CONTEXT, WORKSPACE, CONFIG) -> the original parameter's name
    manual: tuple[str, ...]  # what a human should check in the moved code


def move(
    fn: cst.FunctionDef,
    scopes: Mapping[cst.CSTNode, Scope | None],
    qualify: Qualify,
    *,
    resource_key: str,
) -> MovedBody:
    """The body of `fn` ready for the generated function, whose workspace parameter is
    `resource_key`; Refused when it cannot move safely."""
    if fn.asynchronous is not None:
        raise Refused("it is async; generated asset functions are not")
    parameters = {CONTEXT: CONTEXT, WORKSPACE: resource_key, CONFIG: CONFIG}
    roles = _roles(fn, qualify, parameters)
    scope = _function_scope(fn, scopes)
    inner = [s for s in _scopes(scopes) if _within(s, scope)]
    renames = _renames(roles, parameters, scope, inner)
    imports, manual = _imports(inner, scope)
    workspace_uses = _uses(roles.get(WORKSPACE), scope)
    add_config = CONFIG not in roles and not any(CONFIG in s.assignments for s in inner)
    adapter = _Adapt(renames, workspace_uses, add_config=add_config)
    block = fn.body.visit(adapter)
    assert isinstance(block, cst.IndentedBlock)  # a transformer keeps a block a block
    text = _render(block, imports)
    return MovedBody(
        text, {role: p.name.value for role, p in roles.items()}, (*manual, *adapter.manual)
    )


def _roles(
    fn: cst.FunctionDef, qualify: Qualify, parameters: Mapping[str, str]
) -> dict[str, cst.Param]:
    params = fn.params
    if params.posonly_params or isinstance(params.star_arg, cst.Param) or params.star_kwarg:
        raise Refused("it takes *args, **kwargs or positional-only parameters")
    roles: dict[str, cst.Param] = {}
    for index, param in enumerate([*params.params, *params.kwonly_params]):
        role = _role(index, param, qualify, parameters[WORKSPACE])
        if role is None or role in roles:
            raise Refused(
                f"its parameter {param.name.value!r} has no place in the generated function, "
                f"which takes only ({', '.join(parameters.values())}): move the work that needs "
                "it into a downstream asset"
            )
        roles[role] = param
    return roles


def _role(index: int, param: cst.Param, qualify: Qualify, resource_key: str) -> str | None:
    name = param.name.value
    hint = set()
    if param.annotation is not None:
        annotation = param.annotation.annotation
        hint = qualify(annotation) | {cst.Module(body=[]).code_for_node(annotation).strip("'\"")}
    # dagster-fivetran names the resource parameter `fivetran`; the generated one is the key.
    if name in (WORKSPACE, resource_key) or any(h.endswith("FivetranWorkspace") for h in hint):
        return WORKSPACE
    if name == CONFIG or any(h.endswith("FivetranSyncConfig") for h in hint):
        return CONFIG
    if index == 0 and (name in _CONTEXT_NAMES or any(h.endswith("Context") for h in hint)):
        return CONTEXT
    return None


def _function_scope(fn: cst.FunctionDef, scopes: Mapping[cst.CSTNode, Scope | None]) -> Scope:
    for scope in _scopes(scopes):
        if isinstance(scope, FunctionScope) and scope.node is fn:
            return scope
    raise Refused("its scope could not be analysed")  # libcst gives every function one


def _scopes(scopes: Mapping[cst.CSTNode, Scope | None]) -> Iterator[Scope]:
    return iter({id(s): s for s in scopes.values() if s is not None}.values())


def _within(scope: Scope, outer: Scope) -> bool:
    while True:
        if scope is outer:
            return True
        if scope.parent is scope:
            return False
        scope = scope.parent


def _renames(
    roles: Mapping[str, cst.Param], parameters: Mapping[str, str], scope: Scope, inner: list[Scope]
) -> dict[int, str]:
    """Name nodes (by id) to rename to the generated parameter names; Refused on a clash."""
    renames: dict[int, str] = {}
    for role, name in parameters.items():
        param = roles.get(role)
        if param is not None and param.name.value != name:
            if any(name in s.assignments or name in s.accesses for s in inner):
                raise Refused(
                    f"it uses the name {name!r}, which its parameter {param.name.value!r} would become"
                )
            renames.update(dict.fromkeys(_uses(param, scope), name))
        elif param is None:
            _check_unbound(name, scope, inner)
    return renames


def _check_unbound(name: str, scope: Scope, inner: list[Scope]) -> None:
    """A generated parameter the original lacked must not capture a name the body reads."""
    for each in inner:
        for access in each.accesses[name]:  # empty when unused
            if not any(_within(r.scope, scope) for r in access.referents):
                raise Refused(
                    f"it reads a global {name!r}, which the generated function's {name} "
                    "parameter would hide"
                )


def _uses(param: cst.Param | None, scope: Scope) -> set[int]:
    if param is None:
        return set()
    return {
        id(access.node)
        for assignment in scope.assignments[param.name.value]
        if getattr(assignment, "node", None) is param
        for access in assignment.references
    }


def _imports(inner: list[Scope], scope: Scope) -> tuple[list[str], list[str]]:
    """Import statements the moved body needs, and notes on what it still takes from dagster-fivetran."""
    needed: dict[str, ImportSpec] = {}
    manual: list[str] = []
    for access_scope in inner:
        for access in access_scope.accesses:
            for referent in _referents(access):
                if isinstance(referent, BuiltinAssignment) or _within(referent.scope, scope):
                    continue
                if not isinstance(referent, ImportAssignment):
                    raise Refused(
                        f"its body uses {referent.name!r}, defined in this module: move it to a "
                        "module the generated function can import, or inline it"
                    )
                needed[referent.name] = _spec(referent)
    lines = []
    for spec in sorted(set(needed.values()), key=lambda s: (s[0], s[1] or "", s[2] or "")):
        module, obj, _ = spec
        if is_dagster_fivetran(module):
            manual.append(f"the moved body still imports {obj or module} from dagster_fivetran")
        if spec not in GENERATED_MODULE_IMPORTS:
            lines.append(_statement(spec))
    return lines, manual


def _referents(access: Access) -> list[BaseAssignment]:
    referents = list(access.referents)
    if not referents and isinstance(access.node, cst.Name):
        raise Refused(f"its body uses {access.node.value!r}, which is not defined in this module")
    return referents


def _spec(assignment: ImportAssignment) -> ImportSpec:
    node = assignment.node
    if isinstance(node, cst.ImportFrom) and node.relative:
        raise Refused(
            f"its body uses {assignment.name!r} from a relative import; make it absolute first"
        )
    if isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(
        node.names, cst.ImportStar
    ):
        for alias in node.names:
            bound = alias.evaluated_alias or alias.evaluated_name
            # `import a.b` binds `a`; libcst may name the assignment `a` or `a.b`.
            if bound.split(".")[0] == assignment.name.split(".")[0]:
                return _normalised(node, alias)
    raise Refused(f"its body uses {assignment.name!r}, imported in a way migrate cannot repeat")


def _normalised(node: cst.Import | cst.ImportFrom, alias: cst.ImportAlias) -> ImportSpec:
    name, asname = alias.evaluated_name, alias.evaluated_alias
    if isinstance(node, cst.Import):
        return (name, None, asname)
    assert node.module is not None  # not relative, checked by the caller
    module = cst.Module(body=[]).code_for_node(node.module)
    if is_dagster_fivetran(module) and name in RUNTIME_EQUIVALENTS:
        module = RUNTIME
    return (module, name, None if asname == name else asname)


def _statement(spec: ImportSpec) -> str:
    module, obj, alias = spec
    rename = f" as {alias}" if alias else ""
    return f"import {module}{rename}" if obj is None else f"from {module} import {obj}{rename}"


class _Adapt(cst.CSTTransformer):
    """Renames the parameters' uses and passes `config` to `fivetran.sync_and_poll`."""

    def __init__(
        self, renames: dict[int, str], workspace_uses: set[int], *, add_config: bool
    ) -> None:
        super().__init__()
        self.renames = renames
        self.workspace_uses = workspace_uses
        self.add_config = add_config
        self.manual: list[str] = []

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.renames.get(id(original_node))
        return updated_node.with_changes(value=new) if new else updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = original_node.func
        if not (isinstance(func, cst.Attribute) and id(func.value) in self.workspace_uses):
            return updated_node
        method = func.attr.value
        if method in WORKSPACE_ONLY_METHODS:
            self.manual.append(
                f"the moved body calls fivetran.{method}(), which the runtime's FivetranWorkspace "
                "does not have or does differently"
            )
        if method == "sync_and_poll" and self.add_config and _lacks_config(updated_node):
            return arglist.rebuilt(
                updated_node, updated_node.args, [arglist.make(CONFIG, cst.Name(CONFIG))]
            )
        return updated_node


def _lacks_config(call: cst.Call) -> bool:
    positional = [a for a in call.args if a.keyword is None]
    return (
        len(positional) < 2
        and not any(a.star for a in call.args)
        and all(arglist.keyword(a) != CONFIG for a in call.args)
    )


def _render(block: cst.IndentedBlock, imports: list[str]) -> str:
    """The block as text under a `def` line: 4-space indents, LF, one final newline."""
    statements = list(block.body)
    at = 1 if statements and _is_docstring(statements[0]) else 0
    statements[at:at] = [cst.parse_statement(line) for line in imports]
    first = statements[0] if statements else None
    if block.header.comment is not None and isinstance(first, _WITH_LEADING_LINES):
        # The comment on the `def` line would be lost with that line: keep it above the body.
        comment = cst.EmptyLine(comment=block.header.comment)
        statements[0] = first.with_changes(leading_lines=[comment, *first.leading_lines])
    body = block.with_changes(body=statements, header=cst.TrailingWhitespace(), indent=None)
    function = cst.FunctionDef(name=cst.Name("_"), params=cst.Parameters(), body=body)
    code = cst.Module(body=[function], default_indent="    ", default_newline="\n").code
    return code.split("\n", 1)[1].rstrip() + "\n"


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
