"""Lines wider than LINE_LENGTH, split the way `ruff format` splits them.

The templates write final code: blank lines, exploded brackets with trailing commas, quotes.
Only lines whose width depends on the snapshot (a long name, many keys) can be too wide, and
this splits those with ruff's rule for the last bracket of the line: its content on one
indented line if that fits (calls; a bracket with one item), else one item per line with a
trailing comma, each item fitted in turn. A keyword argument whose value is an `a | b` or
`a & b` expression is parenthesised and broken before each operator of the lowest precedence
(`|`, then `&` inside an operand that is still too wide), as is such an expression alone in
brackets (`~(a | b)`). Strings, comments and names that are
too long by themselves stay as they are, as ruff leaves them.

Widths never depend on Unicode tables (which differ between Python versions): an ASCII
character counts 1 and any other 2, at least what ruff counts (0 to 2). Where ruff's own count
could decide otherwise (non-ASCII text near the limit), the brackets are exploded with a
trailing comma, a form ruff keeps whatever it measures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, TypeAlias

LINE_LENGTH: Final = 100
INDENT: Final = 4

# One token of a generated line: strings as `repr()`-style literals (no prefixes), comments,
# brackets, and the separators a split happens at.
_TOKEN = re.compile(
    r"""(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
    r"|(?P<comment>\#.*)"
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])"
    r"|(?P<sep>[,|&=])"
    r"""|(?P<other>[^"'#()\[\]{},|&=]+)"""
)
_TRIPLE = re.compile(r'"""|\'\'\'')
_CLOSERS: Final = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class Group:
    """A bracket pair and the tokens between them."""

    open: str
    parts: tuple[Part, ...]
    close: str


Part: TypeAlias = "str | Group"


def width(text: str) -> int:
    """At least the width ruff measures: 1 per ASCII character, 2 per other one."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for c in text if c > "\x7f")


def _least_width(text: str) -> int:
    """At most the width ruff measures (it may count a non-ASCII character as 0)."""
    if text.isascii():
        return len(text)
    return sum(1 for c in text if c <= "\x7f")


def fit_source(text: str) -> str:
    """`text` with every line that is too wide split; lines inside triple-quoted strings kept."""
    lines = text.split("\n")
    out: list[str] = []
    open_quote: str | None = None  # the triple quote of a string that spans lines
    for line in lines:
        if open_quote is not None:
            out.append(line)
            open_quote = None if open_quote in line else open_quote
        elif ('"""' in line or "'''" in line) and (
            line.lstrip().startswith(('"""', "'''")) or _opened_triple_quote(line)
        ):
            out.append(line)  # a docstring, or a string that spans lines: ruff leaves them
            open_quote = _opened_triple_quote(line)
        elif len(line) <= LINE_LENGTH // 2 or width(line) <= LINE_LENGTH:
            out.append(line)
        else:
            stripped = line.lstrip(" ")
            out.extend(fit_line(stripped, len(line) - len(stripped)))
    return "\n".join(out)


def _opened_triple_quote(line: str) -> str | None:
    """The triple quote a line leaves open (a docstring's first line), or None."""
    position = 0
    while True:
        triple = _TRIPLE.search(line, position)
        token = _TOKEN.match(line, position)
        if triple is None:
            return None
        if token is not None and token.start() < triple.start():
            position = token.end()  # a whole string or other token before any triple quote
            continue
        quote = triple.group()
        end = re.compile(r"(?:[^\\]|\\.)*?" + re.escape(quote), re.DOTALL).match(line, triple.end())
        if end is None:
            return quote
        position = end.end()


def fit_line(code: str, indent: int) -> list[str]:
    """One logical line (without its indentation) as the lines ruff would write for it."""
    parts = _parse(code)
    if parts is None:
        return [" " * indent + code]
    return _fit(parts, indent)


def _parse(code: str) -> tuple[Part, ...] | None:
    """The line's tokens with brackets nested; None if the line is not one we can split."""
    stack: list[tuple[str, list[Part]]] = [("", [])]
    position = 0
    while position < len(code):
        match = _TOKEN.match(code, position)
        if match is None or match.lastgroup == "comment":
            return None  # a comment, or a quote that does not close on this line: leave it
        text = match.group()
        position = match.end()
        if match.lastgroup == "open":
            stack.append((text, []))
        elif match.lastgroup == "close":
            opened, parts = stack.pop()
            if not stack or _CLOSERS.get(opened) != text:
                return None
            stack[-1][1].append(Group(opened, tuple(parts), text))
        else:
            stack[-1][1].append(text)
    if len(stack) != 1:
        return None
    return tuple(stack[0][1])


def _text(parts: tuple[Part, ...] | list[Part]) -> str:
    return "".join(p if isinstance(p, str) else p.open + _text(p.parts) + p.close for p in parts)


def _fits(line: str) -> bool:
    return width(line) <= LINE_LENGTH


def _too_wide(line: str) -> bool:
    """Too wide for ruff too, however it counts non-ASCII characters."""
    return _least_width(line) > LINE_LENGTH


def _fit(
    parts: tuple[Part, ...], indent: int, *, force: bool = False, bracketed: bool = False
) -> list[str]:
    """Lines for `parts` at `indent`; `force` explodes the last bracket whatever the width.
    `bracketed`: the parts are a bracket's whole content, where a line may break anywhere."""
    line = " " * indent + _text(parts).strip()
    if not force and _fits(line):
        return [line]
    certain = _too_wide(line) and not force
    keyword = _keyword_binary(parts)
    if keyword is not None:
        return _fit_binary(*keyword, indent, certain=certain)
    binary = _binary(parts) if bracketed else None
    if binary is not None:
        return _fit_operands(*binary, indent, force=force)
    last = _last_group(parts)
    if last is None:
        return [line]
    group = parts[last]
    assert isinstance(group, Group)
    items, trailing_comma = _items(group.parts)
    head = " " * indent + _text(parts[:last]).lstrip() + group.open
    tail = " " * indent + group.close + _text(parts[last + 1 :]).rstrip()
    inner = indent + INDENT
    display = _is_display(parts, last)
    one_tuple = group.open == "(" and display and len(items) == 1 and trailing_comma
    if one_tuple:  # `(x,)`: its comma is not a magic trailing comma, so width alone decides
        if not certain and not force:
            # Only non-ASCII text makes the width uncertain; escaped, it is exact.
            return _fit(_ascii_strings(parts), indent)
        return [head, *_fit((*items[0], ","), inner), tail]
    if len(items) == 1:
        if certain:  # one item and no comma to split at: it goes on its own line
            return [head, *_fit(items[0], inner, bracketed=True), tail]
        if _can_add_comma(group, display):
            return [head, *_fit((*items[0], ","), inner), tail]
        return [head, *_fit(items[0], inner, bracketed=True), tail]
    if certain and not display:  # a call's arguments on one line of their own, if they fit
        body = " " * inner + ", ".join(_text(item).strip() for item in items)
        if _fits(body):
            return [head, body, tail]
    lines = [head]
    for item in items:
        lines.extend(_fit((*item, ","), inner))
    lines.append(tail)
    return lines


def _last_group(parts: tuple[Part, ...]) -> int | None:
    """Index of the last bracket pair of the line, if it holds anything to split."""
    for index in range(len(parts) - 1, -1, -1):
        part = parts[index]
        if isinstance(part, Group):
            return index if _text(part.parts).strip() else None
    return None


def _items(parts: tuple[Part, ...]) -> tuple[list[tuple[Part, ...]], bool]:
    """The comma-separated items of a bracket's content, and whether a trailing comma ends it."""
    items: list[tuple[Part, ...]] = []
    current: list[Part] = []
    for part in parts:
        if part == ",":
            items.append(tuple(current))
            current = []
        else:
            current.append(part)
    trailing_comma = not _text(current).strip()
    if not trailing_comma:
        items.append(tuple(current))
    return [_strip(item) for item in items], trailing_comma


def _strip(item: tuple[Part, ...]) -> tuple[Part, ...]:
    """The item without the whitespace around it."""
    parts = list(item)
    if parts and isinstance(parts[0], str):
        parts[0] = parts[0].lstrip()
    if parts and isinstance(parts[-1], str):
        parts[-1] = parts[-1].rstrip()
    return tuple(p for p in parts if p != "")


def _is_display(parts: tuple[Part, ...], index: int) -> bool:
    """A list, set, dict or tuple display, not a call's arguments or a subscript."""
    group = parts[index]
    assert isinstance(group, Group)
    if group.open == "{":
        return True
    before = parts[index - 1] if index else " "
    if isinstance(before, Group):
        return False
    return not before or before[-1] in " =:,|"


def _can_add_comma(group: Group, display: bool) -> bool:
    # A comma in `(x)` or `x[i]` would make a tuple; in a call, list, set or dict it is inert.
    if group.open == "(":
        return not display
    return group.open == "{" or display


def _keyword_binary(
    parts: tuple[Part, ...],
) -> tuple[tuple[Part, ...], str, list[tuple[Part, ...]], str] | None:
    """`name=a | b,` as (`name=`, operands at the lowest-precedence operator, the rest)."""
    if len(parts) < 3 or not isinstance(parts[0], str) or parts[1] != "=":
        return None
    if not parts[0].strip().isidentifier():
        return None
    rest = list(parts[2:])
    suffix = ""
    if rest and rest[-1] == ",":
        rest.pop()
        suffix = ","
    split = _binary(tuple(rest))
    if split is None:
        return None
    return (parts[0], parts[1]), split[0], split[1], suffix


def _binary(parts: tuple[Part, ...]) -> tuple[str, list[tuple[Part, ...]]] | None:
    """The lowest-precedence operator at the top level (`|` below `&`) and its operands."""
    for operator in ("|", "&"):
        if operator in parts:
            operands: list[tuple[Part, ...]] = []
            current: list[Part] = []
            for part in parts:
                if part == operator:
                    operands.append(_strip(tuple(current)))
                    current = []
                else:
                    current.append(part)
            operands.append(_strip(tuple(current)))
            return operator, operands
    return None


def _fit_binary(
    prefix: tuple[Part, ...],
    operator: str,
    operands: list[tuple[Part, ...]],
    suffix: str,
    indent: int,
    *,
    certain: bool,
) -> list[str]:
    inner = indent + INDENT
    head = " " * indent + _text(prefix).strip() + "("
    tail = " " * indent + ")" + suffix
    body = " " * inner + f" {operator} ".join(_text(o).strip() for o in operands)
    if certain and _fits(body):
        return [head, body, tail]
    # Ruff may find the body narrower than we count it: a magic trailing comma in each operand
    # keeps it broken before each operator whatever it measures.
    force = not (certain and _too_wide(body))
    return [head, *_fit_operands(operator, operands, inner, force=force), tail]


def _fit_operands(
    operator: str, operands: list[tuple[Part, ...]], indent: int, *, force: bool
) -> list[str]:
    """One operand a line, each after its operator; an operand still too wide is broken before
    its own operators (`&` inside `|`) at the same indent, as ruff breaks a binary chain."""
    lines: list[str] = []
    for position, operand in enumerate(operands):
        lead: tuple[Part, ...] = (f"{operator} ",) if position else ()
        line = " " * indent + _text((*lead, *operand)).strip()
        inner = _binary(operand)
        if not force and not _fits(line) and inner is not None:
            first, *others = inner[1]
            lines.extend(_fit_operands(inner[0], [(*lead, *first), *others], indent, force=force))
        else:
            lines.extend(_fit((*lead, *operand), indent, force=force))
    return lines


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _ascii_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _ascii_strings(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """The same code with non-ASCII characters of its strings escaped: widths become exact."""
    return tuple(
        Group(p.open, _ascii_strings(p.parts), p.close)
        if isinstance(p, Group)
        else _NON_ASCII.sub(_ascii_escape, p)
        if p[:1] in "'\""
        else p
        for p in parts
    )
