"""`DagsterFivetranTranslator` subclasses: moved onto fivetran_codegen.translator, named in config.

generate runs the translator and writes what it returns as code, so a subclass keeps working
once its import names our contract (the codemod moves the import) and `translator =
"module:Class"` is in `[tool.fivetran-codegen]` (`config_change`). Only what our props cannot
give it (`connector_config`) is reported for manual work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.helpers import calculate_module_and_package

from fivetran_codegen.migrate.names import PROPS_WITHOUT_VALUE, TRANSLATOR_MODULE


@dataclass(frozen=True)
class Found:
    """A translator class, where it is, and whether a loader was given an instance of it."""

    name: str
    path: Path
    line: int
    base: str  # its base as written
    used: bool = False


def notes(cls: cst.ClassDef, base: str) -> list[tuple[str, bool]]:
    """(message, manual) about one subclass."""
    moved = (
        f"class {cls.name.value}({base}): its base is now {TRANSLATOR_MODULE}'s "
        "DagsterFivetranTranslator, which `fivetran-codegen generate` runs once per table (its "
        "result is written as code). Keep it in a module your Definitions do not import: the "
        "generated code never imports it, and production images need only the runtime"
    )
    found: list[tuple[str, bool]] = [(moved, False)]
    read = _ReadsProps()
    cls.visit(read)
    for field in sorted(read.fields & set(PROPS_WITHOUT_VALUE)):
        found.append(
            (
                f"class {cls.name.value} reads props.{field}: {PROPS_WITHOUT_VALUE[field]}; "
                "rewrite what depends on it",
                True,
            )
        )
    return found


class _ReadsProps(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.fields: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.fields.add(node.attr.value)


def chosen(found: Iterable[Found]) -> list[Found]:
    """The translators to name in config: those given to a loader, else those no other extends."""
    translators = list(found)
    used = [t for t in translators if t.used]
    if used:
        return sorted({t.name: t for t in used}.values(), key=lambda t: (t.path, t.line))
    bases = {t.base.rpartition(".")[2] for t in translators}
    return [t for t in translators if t.name not in bases]


def reference(translator: Found, root: Path) -> str:
    """`module:Class`, the module named as generate imports it (from `root` or `root/src`)."""
    path = translator.path.resolve()
    src = (root / "src").resolve()
    base = src if path.is_relative_to(src) else root.resolve()
    module = calculate_module_and_package(str(base), str(path)).name
    return f"{module}:{translator.name}"


_TABLE = re.compile(r"^\[tool\.fivetran-codegen\][ \t]*(#.*)?$", re.MULTILINE)


def config_change(text: str, ref: str) -> str | None:
    """The pyproject text with `translator = "<ref>"` first in [tool.fivetran-codegen] (the
    table added at the end if missing); None if the table already sets a translator."""
    line = f'translator = "{ref}"\n'
    header = _TABLE.search(text)
    if header is None:
        return (
            text
            + ("" if text.endswith("\n") or not text else "\n")
            + (f"\n[tool.fivetran-codegen]\n{line}")
        )
    next_table = re.compile(r"^\[", re.MULTILINE).search(text, header.end())
    body = text[header.end() : next_table.start() if next_table else len(text)]
    if re.search(r"^\s*translator\s*=", body, re.MULTILINE):
        return None
    at = header.end() + 1
    return text[:at] + line + text[at:]
