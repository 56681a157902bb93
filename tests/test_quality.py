"""The project's own code is linted, formatted and strictly typed."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.e2e
def test_ruff_check_passes() -> None:
    done = _run(str(BIN / "ruff"), "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.e2e
def test_ruff_format_is_applied() -> None:
    done = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_ruff_tests_use_is_the_pinned_dev_ruff() -> None:
    # Generated code is held to this ruff's layout; the pin lives in the `test` extra only.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith("ruff") for d in project["dependencies"])
    [pin] = [d for d in project["optional-dependencies"]["test"] if d.startswith("ruff")]
    # The installed distribution's metadata, rather than a `ruff --version` process.
    assert metadata.version("ruff") == pin.removeprefix("ruff==")


@pytest.mark.e2e
def test_mypy_strict_passes_on_both_packages() -> None:
    done = _run(str(BIN / "mypy"), "--no-error-summary")
    assert done.returncode == 0, done.stdout + done.stderr
