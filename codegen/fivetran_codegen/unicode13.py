"""What a character is, as Unicode 13.0 says it: the same answer on every Python.

`str.isprintable()`, `repr()` and `unicodedata` follow the running Python's Unicode database
(13.0 on Python 3.10, 14.0 on 3.11, 15.1 on 3.13), so a character assigned since 13.0 would be
written as itself by one interpreter and escaped by another, and `generate --check` would fail
wherever the Python differs from the one that generated. Every file the generator writes (the
generated code, the snapshot) asks here instead. 13.0 is the database of the oldest Python
supported; a character assigned since is unassigned here, so it is escaped, never shown raw.

The table is Python 3.10's database (`unicode13_visible.txt`); tests/test_unicode13.py checks
it there, and `scripts/write_unicode13_table.py` rewrites it (on Python 3.10).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Final

VERSION: Final = "13.0.0"
TABLE: Final = "unicode13_visible.txt"
# A non-ASCII character's kind in the table; any character not listed is neither.
PRINTABLE: Final = "P"  # what str.isprintable() accepts: no Other (C*) or Separator (Z*)
SPACE: Final = "Zs"  # a space separator: blank on screen, but not control, format or a break


def is_printable(char: str) -> bool:
    """`char.isprintable()` as Python 3.10 answers it."""
    return char.isprintable() if char.isascii() else _kind(char) == PRINTABLE


def is_visible(char: str) -> bool:
    """Printable or a space: not a control, format, private-use, surrogate, unassigned, line or
    paragraph separator character."""
    return char.isprintable() if char.isascii() else _kind(char) is not None


def table_text(category: Callable[[str], str]) -> str:
    """The table for a `unicodedata.category`: ranges of non-ASCII code points by kind."""
    lines = [
        f"# Non-ASCII code points by kind in Unicode {VERSION} (Python 3.10's unicodedata):",
        f"# {PRINTABLE} printable (not C* or Z*), {SPACE} a space separator; the rest is neither.",
        "# Written by scripts/write_unicode13_table.py; read by fivetran_codegen.unicode13.",
    ]
    run: tuple[int, int, str] | None = None
    for code in range(0x80, 0x110001):
        kind = _kind_of(category(chr(code))) if code < 0x110000 else None
        if run is not None and kind == run[2] and code == run[1] + 1:
            run = (run[0], code, run[2])
            continue
        if run is not None:
            span = f"{run[0]:04X}" if run[0] == run[1] else f"{run[0]:04X}..{run[1]:04X}"
            lines.append(f"{span} ; {run[2]}")
        run = None if kind is None else (code, code, kind)
    return "\n".join(lines) + "\n"


def _kind_of(category: str) -> str | None:
    if category == SPACE:
        return SPACE
    return None if category[0] in "CZ" else PRINTABLE


def _kind(char: str) -> str | None:
    starts, ends, kinds = _table()
    code = ord(char)
    index = bisect.bisect_right(starts, code) - 1
    return kinds[index] if index >= 0 and code <= ends[index] else None


@cache
def _table() -> tuple[list[int], list[int], list[str]]:
    starts: list[int] = []
    ends: list[int] = []
    kinds: list[str] = []
    text = resources.files(__package__).joinpath(TABLE).read_text(encoding="ascii")
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        span, kind = (part.strip() for part in line.split(";"))
        first, _, last = span.partition("..")
        starts.append(int(first, 16))
        ends.append(int(last or first, 16))
        kinds.append(kind)
    return starts, ends, kinds
