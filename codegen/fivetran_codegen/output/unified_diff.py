"""One file's change as a unified diff, labelled as git labels it (`a/<name>`, `b/<name>`)."""

from __future__ import annotations

import difflib


def unified_diff(name: str, before: str, after: str) -> str:
    """Empty when the texts are equal; every line ends with a newline."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
    )
    # A last line without a newline would glue the next file's header to it.
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
