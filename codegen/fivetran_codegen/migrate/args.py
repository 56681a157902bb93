"""Editing a call's arguments without disturbing its layout (one line or one argument per line)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst


def keyword(arg: cst.Arg) -> str | None:
    return arg.keyword.value if arg.keyword is not None else None


def make(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def string(value: str) -> cst.SimpleString:
    """A double-quoted literal (the style ruff and black write), repr() when quotes need escapes."""
    literal = repr(value)
    if literal.startswith("'") and '"' not in value and "\\" not in literal:
        literal = f'"{value}"'
    return cst.SimpleString(literal)


def renamed(arg: cst.Arg, name: str, value: cst.BaseExpression | None = None) -> cst.Arg:
    return arg.with_changes(keyword=cst.Name(name), value=value if value is not None else arg.value)


def rebuilt(call: cst.Call, kept: Sequence[cst.Arg], added: Sequence[cst.Arg] = ()) -> cst.Call:
    """`call` with `kept` (a subsequence of its arguments, maybe edited) then `added`.

    The last argument takes the original last argument's comma, so a trailing comma and the
    newline before `)` stay where they were; added arguments are separated the way the first
    two arguments were (a space, or a newline and the call's indentation).
    """
    args = list(kept)
    last_comma = call.args[-1].comma if call.args else cst.MaybeSentinel.DEFAULT
    for arg in added:
        if args:
            args[-1] = args[-1].with_changes(comma=_separator(call))
        args.append(arg)
    if args:
        args[-1] = args[-1].with_changes(comma=last_comma)
    return call.with_changes(args=args)


def _separator(call: cst.Call) -> cst.Comma:
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        # One argument per line: the next one goes on its own line, indented like the first.
        return cst.Comma(whitespace_after=call.whitespace_before_args)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def wrapped(call: cst.Call, width: int = 88) -> cst.Call:
    """A one-line call longer than `width` (black's) laid out one argument per line."""
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace) or not call.args:
        return call
    if len(cst.Module(body=[]).code_for_node(call)) <= width:
        return call
    line = cst.ParenthesizedWhitespace(indent=True, last_line=cst.SimpleWhitespace("    "))
    close = cst.ParenthesizedWhitespace(indent=True, last_line=cst.SimpleWhitespace(""))
    args = [arg.with_changes(comma=cst.Comma(whitespace_after=line)) for arg in call.args]
    args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=close))
    return call.with_changes(whitespace_before_args=line, args=args)
