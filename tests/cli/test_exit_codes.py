"""One path from our errors to messages and exit codes, the same for every command."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import fivetran_codegen.cli
import pytest
from fivetran_codegen.cli.exit_codes import FIX, RETRY, exit_code
from fivetran_codegen.errors import ConfigError, SnapshotFileError, UsageError, UserCodeError
from fivetran_codegen.migrate.report import MigrateError
from fivetran_codegen_runtime.rest.errors import (
    CredentialsError,
    FivetranAPIError,
    FivetranAuthError,
    FivetranCodegenError,
    FivetranNotFoundError,
    FivetranResponseError,
    FivetranServerError,
    FivetranTransportError,
)

from tests.conftest import run_cli
from tests.output.test_generate import SAMPLE_SNAPSHOT

MISSPELLED = '[tool.fivetran-codegen]\nouptut = "fivetran_defs"\n'
EXPECTED = (
    "error: {config}: [tool.fivetran-codegen].ouptut: unknown key 'ouptut'\n"
    "  hint: did you mean 'output'?\n"
)


@pytest.mark.parametrize(
    "command",
    [["snapshot"], ["generate"], ["generate", "--check"], ["diff"], ["migrate", "."]],
    ids=lambda c: " ".join(c),
)
def test_every_command_reports_a_config_error_alike(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(MISSPELLED)
    run = run_cli(*command, cwd=tmp_path)
    assert (run.code, run.stdout) == (FIX, "")
    assert run.stderr == EXPECTED.format(config=tmp_path / "pyproject.toml")


def test_diff_detailed_exitcode_makes_every_error_1(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(MISSPELLED)
    run = run_cli("diff", "--detailed-exitcode", cwd=tmp_path)
    assert run.code == 1
    assert run.stderr == EXPECTED.format(config=tmp_path / "pyproject.toml")


def _api(cls: type[FivetranAPIError]) -> FivetranAPIError:
    return cls("failed", method="GET", path="/v1/groups", status=500)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (CredentialsError("missing"), FIX),
        (_api(FivetranAuthError), FIX),
        (UsageError("bad option"), FIX),
        (ConfigError("bad key"), FIX),
        (SnapshotFileError("bad file"), FIX),
        (UserCodeError("would lose code"), FIX),
        (MigrateError("does not parse"), FIX),
        (_api(FivetranServerError), RETRY),
        (_api(FivetranTransportError), RETRY),
        (_api(FivetranResponseError), RETRY),
        (_api(FivetranNotFoundError), RETRY),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_what_to_fix_exits_2_and_what_to_retry_exits_1(
    error: FivetranCodegenError, code: int
) -> None:
    assert exit_code(error) == code


def test_python_dash_m_runs_the_same_cli(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fivetran_codegen", "generate", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "--check" in done.stdout


def test_a_misspelled_command_exits_2_naming_the_closest(tmp_path: Path) -> None:
    result = run_cli("genrate", cwd=tmp_path)
    assert result.code == 2
    assert "No such command 'genrate'. Did you mean 'generate'?" in result.stderr
    unknown = run_cli("xyzzy", cwd=tmp_path)
    assert unknown.code == 2 and "No such command 'xyzzy'.\n" in unknown.stderr


def test_help_lists_every_command_module(tmp_path: Path) -> None:
    # Each module of fivetran_codegen.cli that defines a click command of its own name is one;
    # the lazy group must know every one of them.
    package = Path(fivetran_codegen.cli.__file__).parent
    modules = [
        importlib.import_module(f"fivetran_codegen.cli.{p.stem}") for p in package.glob("*.py")
    ]
    defined = sorted(
        m.__name__.rsplit(".", 1)[1]
        for m in modules
        if type(getattr(m, m.__name__.rsplit(".", 1)[1], None)) is click.Command  # not the group
    )
    listed = run_cli("--help", cwd=tmp_path).stdout.split("Commands:")[1]
    assert [line.split()[0] for line in listed.strip().splitlines()] == defined
    assert len(defined) == 6


def test_generate_imports_only_what_it_uses(tmp_path: Path) -> None:
    # A fresh process shows what a run loads: not migrate's codemods, the snapshot client, or
    # libcst (a third of a second of start-up, for modules whose asset function was edited).
    shutil.copy(SAMPLE_SNAPSHOT, tmp_path / "fivetran_snapshot.json")
    unused = ("fivetran_codegen.cli.migrate", "fivetran_codegen.cli.snapshot", "libcst")
    script = (
        "import sys\nfrom fivetran_codegen.cli.main import main\n"
        "try:\n    main(['generate'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {unused!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert "10 files written" in done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr


def test_snapshot_json_prints_its_error_as_json_on_stdout(tmp_path: Path) -> None:
    env = {"FIVETRAN_API_KEY": "KEY-7f3a91", "FIVETRAN_API_SECRET": "SECRET-c0ffee42"}
    done = run_cli(
        "snapshot",
        "--json",
        "--no-progress",
        "--api-url",
        "http://127.0.0.1:1",
        "--max-attempts",
        "1",
        cwd=tmp_path,
        env=env,
    )
    assert done.code == 1
    error = json.loads(done.stdout)["error"]
    assert error["exit_code"] == 1 and error["message"] and "error: " in done.stderr
    for secret in env.values():  # never printed, logged or written
        assert secret not in done.stdout and secret not in done.stderr


def test_an_output_that_names_no_directory_says_which(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fivetran-codegen]\noutput = "/"\n')
    done = run_cli("generate", cwd=tmp_path)
    assert done.code == 2 and "the output '/' names no package directory" in done.stderr


def test_migrate_of_something_that_is_not_a_file_says_so(tmp_path: Path) -> None:
    done = run_cli("migrate", "/dev/null", cwd=tmp_path)
    assert done.code == 2 and "/dev/null: not a regular file or a directory" in done.stderr
