"""The only way snapshot strings reach generated source: literals, comments and docstrings.

Names in Fivetran are arbitrary user strings, so nothing from the snapshot is ever placed
between quotes by a template. Literals come from `repr()` of the base types (a subclass cannot
override it), and printable non-ASCII text is kept readable, except characters that are
invisible or reorder text on screen (bidi controls, zero-width and filler characters, line
separators): those are always escaped ("trojan source", CVE-2021-42574). Printable means what
Unicode 13.0 says (`unicode13`), not the running Python, so every Python writes the same bytes.

The text is already in ruff's style (generate runs no formatter): strings take double quotes
unless they hold more `"` than `'`, and docstrings guard the whitespace ruff would strip.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Final, TypeAlias

from fivetran_codegen import unicode13

PyValue: TypeAlias = (
    str
    | int
    | float
    | bool
    | tuple["PyValue", ...]
    | list["PyValue"]
    | dict["PyValue", "PyValue"]
    | set["PyValue"]
    | frozenset["PyValue"]
    | None
)

COMMENT_MAX_LENGTH: Final = 100
_ELLIPSIS = "..."

# Invisible or text-reordering characters: Unicode's default-ignorable code points (soft hyphen,
# combining grapheme joiner, Hangul fillers, zero-width and bidi controls, variation selectors,
# tags...), line and paragraph separators, and the blank braille pattern. repr() escapes most of
# them already but keeps some (U+3164, U+FE0F...) that Python deems printable; listing them all
# keeps this defence independent of what the running Python's Unicode tables say.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# A lone surrogate has no UTF-8 form, and Python 3.13+ encodes a docstring to UTF-8 when it
# compiles it (a module holding one would not import): a docstring shows it as its escape.
_SURROGATE = re.compile("[\ud800-\udfff]")
# A PEP 263 encoding declaration in one of the first two lines would re-decode the file.
_CODING = re.compile(r"(coding)([:=])", re.IGNORECASE)
# Comments that tools read: mypy's type comments, ruff's noqa, fmt: off, pragma: no cover...
_DIRECTIVE = re.compile(
    r"(?:(?:type|fmt|mypy|pyright|pylint|ruff|isort|yapf|pyre|pragma)\s*:|pragma\b|noqa\b|nosec\b)",
    re.IGNORECASE,
)


def py_literal(value: PyValue) -> str:
    """A Python expression that evaluates to `value`; `ast.literal_eval` gives it back.

    Dicts keep insertion order (the caller sorts). Sets and frozensets become a set display
    sorted by their elements' literals, so the output never depends on hash order; a set
    display is unhashable, so sets inside sets or in dict keys are rejected. nan and infinities
    have no literal and are rejected.
    """
    return _literal(value, hashable=False)


def _literal(value: PyValue, *, hashable: bool) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return _string(str.__str__(value))
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no Python literal; only finite floats can be rendered")
        return float.__repr__(value)
    if isinstance(value, tuple):
        parts = [_literal(v, hashable=hashable) for v in value]
        return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"
    if isinstance(value, list):
        return f"[{', '.join(_literal(v, hashable=False) for v in value)}]"
    if isinstance(value, dict):
        pairs = (
            f"{_literal(k, hashable=True)}: {_literal(v, hashable=False)}" for k, v in value.items()
        )
        return f"{{{', '.join(pairs)}}}"
    if isinstance(value, (set, frozenset)):
        if hashable:
            raise TypeError("a set inside a set or a dict key has no literal form")
        parts = sorted(_literal(v, hashable=True) for v in value)
        return f"{{{', '.join(parts)}}}" if parts else "set()"
    raise TypeError(f"{type(value).__name__} values cannot be rendered as a Python literal")


def _escape(match: re.Match[str]) -> str:
    return _escape_code(ord(match.group()))


def _escape_code(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


# Printable ASCII but quotes and backslash: most names, written between quotes as they are.
_PLAIN = re.compile(r"[ !#-&(-\[\]-~]*")
_SPECIAL = re.compile(r"[^ !#-&(-\[\]-~]")


def _char(c: str) -> str:
    """One character as `repr()` on Python 3.10 writes it inside quotes (each code point is
    escaped alone): a newer Python's repr() shows characters 3.10 escapes."""
    if c.isascii():
        return str.__repr__(c)[1:-1]
    if not unicode13.is_printable(c):
        code = ord(c)
        return f"\\x{code:02x}" if code <= 0xFF else _escape_code(code)
    return _INVISIBLE.sub(_escape, c)


def _escape_for(quote: str) -> Callable[[re.Match[str]], str]:
    def escape(match: re.Match[str]) -> str:
        c = match.group()
        if c in "'\"":
            return "\\" + c if c == quote else c
        return _char(c)

    return escape


_ESCAPES: Final = {q: _escape_for(q) for q in "'\""}


def _string(value: str) -> str:
    # ruff's preferred quotes: double, unless that needs more escapes than single quotes would.
    if value.isascii() and _PLAIN.fullmatch(value):
        return f'"{value}"'
    quote = "'" if value.count('"') > value.count("'") else '"'
    return quote + _SPECIAL.sub(_ESCAPES[quote], value) + quote


def comment(text: str) -> str:
    """Text that is safe after `# `: one line of visible characters that no tool reads.

    Line breaks, control, format and invisible characters become spaces, and runs of whitespace
    one space. `#`, which could start a second comment such as `# noqa`, becomes a fullwidth
    `#`. An encoding declaration gets a space before its `:` or `=`, and text that starts like a
    tool directive (`type:`, `noqa`, `fmt:`...) is prefixed with `- `. Text longer than
    COMMENT_MAX_LENGTH is cut and ends with `...`.
    """
    visible = "".join(
        c if unicode13.is_printable(c) and not _INVISIBLE.match(c) else " " for c in text
    )
    line = _CODING.sub(r"\1 \2", " ".join(visible.replace("#", "\uff03").split()))
    if _DIRECTIVE.match(line):
        line = "- " + line
    if len(line) > COMMENT_MAX_LENGTH:
        line = line[: COMMENT_MAX_LENGTH - len(_ELLIPSIS)].rstrip() + _ELLIPSIS
    return line


def docstring(text: str) -> str:
    """A triple-quoted string literal whose value is `text`, with its line breaks kept: exactly
    `text`, but for lone surrogates (see `docstring_value`).

    Backslashes and every `"` are escaped, so neither three quotes nor a trailing quote can end it
    early; so is everything else `repr()` escapes (a carriage return would be read as a newline)
    and the invisible characters. A space that starts or ends a line is written `\\x20`: ruff
    strips a docstring's indentation and trailing whitespace, and would change its value.
    Nothing here changes when ruff formats the docstring.
    """
    lines = ["".join(_docstring_char(c) for c in line) for line in text.split("\n")]
    # One line and a line break: ruff would move the closing quotes up, so the break is escaped.
    newline = "\\n" if len(lines) == 2 and not lines[1] else "\n"
    return '"""' + newline.join(_guard_spaces(line) for line in lines) + '"""'


def docstring_value(text: str) -> str:
    """What `docstring(text)` evaluates to: `text`, each lone surrogate as its escape's text
    (`\\udfff`, six characters)."""
    return _SURROGATE.sub(_escape, text)


def _guard_spaces(line: str) -> str:
    if line.startswith(" "):
        line = "\\x20" + line[1:]
    if line.endswith(" "):
        line = line[:-1] + "\\x20"
    return line


def _docstring_char(c: str) -> str:
    if c in "\n'":
        return c
    if c == '"':
        return '\\"'
    if _SURROGATE.match(c):
        return "\\" + _escape_code(ord(c))
    return _char(c)


FILTERS: Final[Mapping[str, Callable[..., str]]] = {
    "py": py_literal,
    "comment": comment,
    "docstring": docstring,
}
