"""Shared fixtures: a simulator over real HTTP, a client pointed at it, the installed CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from fivetran_codegen_runtime.rest.client import FivetranClient
from fivetran_codegen_runtime.rest.credentials import Credentials
from fivetran_codegen_runtime.rest.retry import RetryPolicy
from fivetran_codegen_runtime.testing import FivetranSimulator, sample_workspace

# Fast retries for tests: the behaviour (what is retried, how often) is what is under test.
FAST_RETRY = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_max=0.05, total_timeout=30)
CLI = Path(sys.executable).parent / "fivetran-codegen"
# The dev formatter (the `test` extra pins it): generated code must be what it writes.
RUFF = Path(sys.executable).parent / "ruff"
RUFF_FORMAT = ("format", "--isolated", "--line-length=100", "--target-version=py310")


@pytest.fixture
def sim() -> Iterator[FivetranSimulator]:
    with FivetranSimulator(sample_workspace()) as simulator:
        yield simulator


def make_client(
    sim: FivetranSimulator, retry: RetryPolicy = FAST_RETRY, pool_size: int = 10
) -> FivetranClient:
    credentials = Credentials(sim.api_key, sim.api_secret)
    return FivetranClient(credentials, api_url=sim.url, retry=retry, pool_size=pool_size)


@pytest.fixture
def client(sim: FivetranSimulator) -> Iterator[FivetranClient]:
    with make_client(sim) as c:
        yield c


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    sim: FivetranSimulator | None = None,
    timeout: float = 120,
) -> Run:
    """Run the installed `fivetran-codegen` console script as a user would."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FIVETRAN_")}
    if sim is not None:
        environment.update(
            FIVETRAN_API_KEY=sim.api_key,
            FIVETRAN_API_SECRET=sim.api_secret,
            FIVETRAN_API_URL=sim.url,
        )
    environment.update(env or {})
    done = subprocess.run(
        [str(CLI), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def run_python(
    project: Path, script: str, *, env: Mapping[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """`python -c script` in a fresh process that imports from `project` (no FIVETRAN_ variables
    but those in `env`)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FIVETRAN_")}
    environment.update(env or {}, PYTHONPATH=str(project))
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def dagster_validate(project: Path, module: str) -> subprocess.CompletedProcess[str]:
    """`dagster definitions validate -m <module>` in `project`, as a user runs it there.

    Credentials are dummies: loading generated code must not need real ones (nor call the API).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIVETRAN_")}
    env.update(PYTHONPATH=str(project), FIVETRAN_API_KEY="dummy", FIVETRAN_API_SECRET="dummy")
    return subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-m", module],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def ruff_format_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    """`ruff format --check` with the settings generated code is held to (none of the user's)."""
    return subprocess.run(
        [str(RUFF), *RUFF_FORMAT, "--check", "--no-cache", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def git(work: Path, *args: str) -> None:
    """A git command in `work` as a throwaway identity (tests make their own repositories)."""
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=work, check=True
    )


def commit_all(work: Path, message: str, *, init: bool = False) -> None:
    """Commit everything in `work` (making it a repository first with `init`)."""
    for args in ([["init", "-q"]] if init else []) + [["add", "-A"], ["commit", "-qm", message]]:
        git(work, *args)
