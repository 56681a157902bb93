"""Shared fixtures: a simulator over real HTTP, a client pointed at it, the CLI in process and as
the installed console script, generated code imported in process and validated by `dagster`."""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from fivetran_codegen.cli.main import main
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end tests first (in their order, then the others in theirs): with pytest-xdist,
    which hands tests out in this order, the longest start at once instead of trailing last."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)


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


def _cli_environment(
    env: Mapping[str, str] | None, sim: FivetranSimulator | None
) -> dict[str, str]:
    """The variables a test sets for the CLI: the simulator's credentials, then `env`."""
    environment: dict[str, str] = {}
    if sim is not None:
        environment.update(
            FIVETRAN_API_KEY=sim.api_key,
            FIVETRAN_API_SECRET=sim.api_secret,
            FIVETRAN_API_URL=sim.url,
        )
    environment.update(env or {})
    return environment


# click < 8.2 mixes stderr into stdout unless told not to; 8.2 dropped the option (always apart).
_STDERR_APART = (
    {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
)


def run_cli(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    sim: FivetranSimulator | None = None,
) -> Run:
    """The CLI's own code in this process (click's CliRunner): what a command does, prints on
    stdout and on stderr, and exits with, without a process start-up per call.

    It sees what a new process would: `cwd` as its working directory, no FIVETRAN_ variables
    but those of `sim` and `env`, an unconfigured root logger. An exception that is not one of
    ours propagates (a bug fails the test with its traceback). `run_console_script` is the
    installed script in a subprocess, for what only a process shows (the end-to-end tests).
    """
    wanted = _cli_environment(env, sim)
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("FIVETRAN_")}
    runner = CliRunner(**_STDERR_APART)
    with _working_directory(cwd), _unconfigured_root_logger():
        result = runner.invoke(
            main,
            list(args),
            env={**unset, **wanted},
            catch_exceptions=False,
            prog_name="fivetran-codegen",
        )
    return Run(result.exit_code, result.stdout, result.stderr)


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextmanager
def _unconfigured_root_logger() -> Iterator[None]:
    """The root logger without pytest's handlers, as in a new process: `main`'s basicConfig
    then writes on this run's stderr. What it added is removed afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers = []
    try:
        yield
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers, root.level = handlers, level


def run_console_script(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    sim: FivetranSimulator | None = None,
    timeout: float = 120,
) -> Run:
    """Run the installed `fivetran-codegen` console script in a subprocess, as a user would."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FIVETRAN_")}
    environment.update(_cli_environment(env, sim))
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


@contextmanager
def imported(parent: Path, module: str) -> Iterator[ModuleType]:
    """`module` imported in this process from `parent`, as `PYTHONPATH=parent` would import it;
    afterwards every module loaded from `parent` is forgotten, so that the next test's package
    of the same name is its own. Loading generated code here costs no interpreter start-up and
    no second import of Dagster; `dagster_validate` is the real CLI, for the end-to-end tests."""
    root = parent.resolve()
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(module)
    finally:
        sys.path.remove(str(root))
        for name, loaded in list(sys.modules.items()):
            places = [getattr(loaded, "__file__", None), *getattr(loaded, "__path__", [])]
            if any(p is not None and Path(p).resolve().is_relative_to(root) for p in places):
                del sys.modules[name]
        importlib.invalidate_caches()


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
