"""Which files migrate reads, and reading them: UTF-8 Python that libcst parses, or an error."""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst

from fivetran_codegen.migrate.names import DAGSTER_FIVETRAN
from fivetran_codegen.migrate.report import MigrateError

# Directories never holding the project's own code (tools' caches, VCS, installed packages).
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "build", "dist"})


def sources(path: Path, *, skip: Path | None) -> list[Path]:
    """`path` itself if it is a file, else the *.py files below it that mention dagster_fivetran.

    Skipped: hidden directories (.git, .venv...), virtualenvs (a pyvenv.cfg), caches and `skip`
    (the generated package). A named file is always read; a directory's files only when the
    text mentions dagster_fivetran, so an unrelated file that does not parse is no error.
    """
    if path.is_file():
        return [path]
    if path.exists() and not path.is_dir():  # /dev/null, a socket, a fifo
        raise MigrateError(
            "not a regular file or a directory",
            where=str(path),
            hint="name a Python file or a folder of them",
        )
    if not path.is_dir():
        raise MigrateError("no such file or directory", where=str(path))
    excluded = skip.resolve() if skip is not None else None
    found = []
    for directory, dirs, files in os.walk(path):
        here = Path(directory)
        dirs[:] = sorted(d for d in dirs if _walked(here / d, excluded))
        found += [here / f for f in sorted(files) if f.endswith(".py") and _mentions(here / f)]
    return found


def read(path: Path) -> tuple[str, cst.Module]:
    """The file's text and its libcst tree; MigrateError names the file, line and column."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise MigrateError(f"cannot read it: {exc.strerror}", where=str(path)) from None
    except UnicodeDecodeError as exc:
        raise MigrateError(f"it is not UTF-8 ({exc.reason})", where=str(path)) from None
    try:
        return text, cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        lines = text.splitlines()
        shown = lines[exc.editor_line - 1].strip() if 0 < exc.editor_line <= len(lines) else ""
        raise MigrateError(
            f"cannot parse it: {exc.message}" + (f"\n    {shown}" if shown else ""),
            where=f"{path}:{exc.editor_line}:{exc.editor_column}",
            hint="fix the syntax error (or point migrate at a narrower PATH); nothing was written",
        ) from None


def _walked(directory: Path, excluded: Path | None) -> bool:
    name = directory.name
    if name.startswith(".") or name in SKIPPED_DIRS or (directory / "pyvenv.cfg").exists():
        return False
    return excluded is None or directory.resolve() != excluded


def _mentions(path: Path) -> bool:
    try:
        return DAGSTER_FIVETRAN.encode() in path.read_bytes()
    except OSError:
        return True  # let read() report it
