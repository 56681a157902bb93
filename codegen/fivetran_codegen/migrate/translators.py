"""`DagsterFivetranTranslator` subclasses: reported with the settings that can replace them.

A translator is Python run on dagster-fivetran's props at load time; the generated package has
no such hook (its specs are literal code), so migrate leaves the class alone and says which
`[tool.fivetran-codegen]` settings express what its methods appear to change, with the values
when the code spells them as literals (`group_name="ingest"` -> `group = "ingest"`).
"""

from __future__ import annotations

import ast
import json

import libcst as cst

from fivetran_codegen.config.locations import quote
from fivetran_codegen.migrate.names import SPEC_SETTINGS, SPEC_UNSETTABLE

_GENERIC = "asset_key or key_prefix, group, tags, owners, automation_condition"


def note(cls: cst.ClassDef, base: str) -> str:
    methods = [s.name.value for s in cls.body.body if isinstance(s, cst.FunctionDef)]
    collect = _Collect()
    cls.visit(collect)
    overrides = f"overrides {', '.join(methods)}" if methods else "overrides nothing"
    text = (
        f"class {cls.name.value}({base}) {overrides}: a translator cannot be converted "
        "automatically; it is left as it is and no longer shapes the generated assets. "
        "Say the same in [tool.fivetran-codegen] (or [tool.fivetran-codegen.connections.<id or "
        "name>] for one connection), then run `fivetran-codegen generate`: "
    )
    settings = [f"{name} = {value}" for name, value in collect.settings.items()]
    text += "; ".join(settings) if settings else f"see the settings {_GENERIC}"
    if collect.unsettable:
        text += (
            f". It sets {', '.join(sorted(collect.unsettable))}, which no setting covers: apply "
            "that with dg.map_asset_specs(fn, ASSETS) on the generated assets"
        )
    return text


class _Collect(cst.CSTVisitor):
    """Settings suggested by keyword arguments (`group_name=...`) and `.with_prefix(...)` calls."""

    def __init__(self) -> None:
        super().__init__()
        self.settings: dict[str, str] = {}
        self.unsettable: set[str] = set()

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is None:
            return
        name = node.keyword.value
        if name in SPEC_UNSETTABLE:
            self.unsettable.add(name)
        elif name in SPEC_SETTINGS:
            self._suggest(name, _toml(node.value) if name != "key" else None)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "with_prefix" and node.args:
            prefix = _toml(node.args[0].value)
            self._suggest("with_prefix", f"[{prefix}]" if prefix and prefix[0] == '"' else prefix)

    def _suggest(self, attribute: str, literal: str | None) -> None:
        setting, example = SPEC_SETTINGS[attribute]
        if literal is not None or setting not in self.settings:
            self.settings[setting] = literal if literal is not None else example


def _toml(node: cst.BaseExpression) -> str | None:
    """A literal argument as a TOML value (strings, lists of strings, string tables), else None."""
    try:
        value = ast.literal_eval(cst.Module(body=[]).code_for_node(node))
    except (ValueError, SyntaxError):
        return None
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    if isinstance(value, dict) and all(isinstance(v, str) for v in (*value, *value.values())):
        pairs = [f"{quote(k)} = {json.dumps(v)}" for k, v in value.items()]
        return "{ " + ", ".join(pairs) + " }"
    return None
