"""The user's part of a generated connection module: the body of its asset function.

Generated modules end with the asset function, so a module is `head + body` (where one ends is
`render/generated_file.py`'s to say): the head is ours, rendered and recorded in the manifest;
the body is the user's and is carried over verbatim. Custom bodies are checked with libcst (the decorated function is parsed, not the whole
module: parsing 1,000 large modules on every run would cost more than generating them).
"""

from __future__ import annotations

from dataclasses import dataclass

from fivetran_codegen.errors import UserCodeError
from fivetran_codegen.render import generated_file


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


def split(text: str, *, where: str, default_body: str) -> Parts | None:
    """Split a module at its asset function's body; None when the function is not ours to find."""
    found = generated_file.halves(text)
    if found is None:
        return None
    parts = Parts(head=found.head, body=found.body, default_body=default_body)
    if parts.customised:
        _check_function(found.function, where)
    return parts


def _check_function(source: str, where: str) -> None:
    """The tail from the decorator on must be one function: the user's body parses and stays inside it."""
    import libcst as cst  # here: a third of a second of start-up, needed only for a custom body

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
