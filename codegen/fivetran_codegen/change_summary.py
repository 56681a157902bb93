"""The short summary `generate` prints when it changes files: assets and connections, +/-.

Read from the modules themselves (old on disk, new in memory, only those that changed), so it
costs nothing on a large package and says what the generated code gains and loses.
"""

from __future__ import annotations

import ast
import re

from fivetran_codegen.generate import Output

_KEY = re.compile(r"^\s+key=dg\.AssetKey\((\[.*\])\),$", re.MULTILINE)


def summarize(output: Output) -> str | None:
    old_modules = {p for p in output.on_disk if _is_connection(p)}
    new_modules = {p for p in output.files if _is_connection(p)}
    changed = [p for p in old_modules | new_modules if output.on_disk.get(p) != output.files.get(p)]
    if not changed:
        return None
    old_keys = set().union(*(_keys(output.on_disk.get(p, "")) for p in changed))
    new_keys = set().union(*(_keys(output.files.get(p, "")) for p in changed))
    parts = [
        (len(new_modules - old_modules), "connection module(s) added"),
        (len(old_modules - new_modules), "connection module(s) removed"),
        (len(new_keys - old_keys), "asset(s) added"),
        (len(old_keys - new_keys), "asset(s) removed"),
    ]
    counted = ", ".join(f"{n} {what}" for n, what in parts if n)
    return counted or f"{len(changed)} connection module(s) updated, same assets"


def _is_connection(path: str) -> bool:
    return path.startswith("connections/") and path != "connections/__init__.py"


def _keys(text: str) -> set[tuple[str, ...]]:
    return {tuple(ast.literal_eval(m.group(1))) for m in _KEY.finditer(text)}
