"""The user's part of a generated connection module: the body of its asset function.

Generated modules end with the asset function, so a module is `head + body`: the head is ours
(rendered, recorded in the manifest), the body is the user's and is carried over
verbatim. Custom bodies are checked with libcst (the decorated function is parsed, not the whole
module: parsing 1,000 large modules on every run would cost more than generating them).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import libcst as cst

from fivetran_codegen.errors import UserCodeError
from fivetran_codegen.render.templates import DEFAULT_BODY

_DECORATOR = "\n@fivetran_assets("
_SIGNATURE_END = "-> Iterator[FivetranEvent]:\n"
_CONNECTION_ID = re.compile(r"^CONNECTION = FivetranConnection\(\n    id=(.+),$", re.MULTILINE)


@dataclass(frozen=True)
class Parts:
    head: str  # everything up to and including the `def ...:` line
    body: str
    default_body: str

    @property
    def customised(self) -> bool:
        return self.body != self.default_body

    def with_default_body(self) -> str:
        return self.head + self.default_body


def split(text: str, *, where: str, default_body: str = DEFAULT_BODY) -> Parts | None:
    """Split a module at its asset function's body; None when the function is not ours to find."""
    decorator = text.rfind(_DECORATOR)
    if decorator < 0:
        return None
    end = text.find(_SIGNATURE_END, decorator)
    if end < 0:
        return None
    cut = end + len(_SIGNATURE_END)
    parts = Parts(head=text[:cut], body=text[cut:], default_body=default_body)
    if parts.customised:
        _check_function(text[decorator + 1 :], where)
    return parts


def connection_id(text: str) -> str | None:
    """The id in a module's `CONNECTION = FivetranConnection(id=...)` record, if it has one."""
    match = _CONNECTION_ID.search(text)
    return None if match is None else string_literal(match.group(1))


def string_literal(source: str) -> str | None:
    """The value of a Python string literal; None when `source` is anything else."""
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _check_function(source: str, where: str) -> None:
    """The tail from the decorator on must be one function: the user's body parses and stays inside it."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise UserCodeError(
            f"the asset function does not parse: {exc.message} (line {exc.raw_line} of the function)",
            where=where,
            hint="fix the syntax error in the function body, then generate again",
        ) from None
    body = module.body
    if len(body) != 1 or not isinstance(body[0], cst.FunctionDef):
        raise UserCodeError(
            "code follows the asset function; only the function's body is kept on regeneration",
            where=where,
            hint="move the code into the function body, or into a module of your own",
        )
