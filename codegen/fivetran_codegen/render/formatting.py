"""ruff over in-memory sources: one pinned, isolated process per run.

`--isolated` and explicit settings make the bytes independent of any ruff config the user has,
so `generate` and `generate --check` agree on every machine. One process over a scratch
directory, not one per file: at 1,000 connections process start-up alone would dominate.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from fivetran_codegen.errors import GenerateError

RUFF_VERSION = "0.17.6"  # keep equal to the pin in pyproject.toml: our output depends on it
LINE_LENGTH = 100
TARGET_VERSION = "py310"
_SETTINGS = ("--isolated", f"--line-length={LINE_LENGTH}", f"--target-version={TARGET_VERSION}")


@cache
def ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]  # the binary of the ruff pinned in our dependencies

    binary = str(find_ruff_bin())
    version = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    if version[-1:] != [RUFF_VERSION]:
        raise GenerateError(
            f"found {' '.join(version) or 'no ruff'}, but generated code is formatted with ruff {RUFF_VERSION}",
            where=binary,
            hint=f"reinstall fivetran-codegen so its pinned ruff=={RUFF_VERSION} is used",
        )
    return binary


def format_sources(sources: Mapping[str, str]) -> dict[str, str]:
    """Format every source with one ruff run; keys are relative posix paths."""
    if not sources:
        return {}
    with tempfile.TemporaryDirectory(prefix="fivetran-codegen-") as scratch:
        root = Path(scratch)
        for relative, text in sources.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        result = subprocess.run(
            # Not --quiet: it silences the parse error that says what went wrong.
            [ruff_binary(), "format", *_SETTINGS, "--no-cache", "."],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise GenerateError(
                f"ruff could not format the generated code:\n{result.stderr.strip()}",
                where="ruff format",
                hint="this is a bug in fivetran-codegen; please report it with the snapshot that caused it",
            )
        return {relative: (root / relative).read_text(encoding="utf-8") for relative in sources}
