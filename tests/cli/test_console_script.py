"""The installed `fivetran-codegen` script: what only a process shows (its entry point, exit codes
and the two streams through the process).

What each command does is tested in process (tests.conftest.run_cli). Each command also runs
through this script in an end-to-end test: snapshot and generate in the README walk-through
(tests/test_generated_example.py), generate --check and diff in the hook and the workflows
(tests/test_recipes.py), migrate in tests/migrate, simulate and demo beside this file.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fivetran_codegen import __version__

from tests.conftest import CLI, run_console_script

SAMPLE = Path(__file__).parents[1] / "golden" / "sample" / "fivetran_snapshot.json"

pytestmark = pytest.mark.e2e


def test_the_script_prints_its_version(tmp_path: Path) -> None:
    run = run_console_script("--version", cwd=tmp_path)
    assert (run.code, run.stdout, run.stderr) == (
        0,
        f"fivetran-codegen, version {__version__}\n",
        "",
    )


def test_a_changed_snapshot_exits_2_with_the_report_on_stdout_alone(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    shutil.copy(SAMPLE, old)
    text = SAMPLE.read_text()
    new.write_text(text.replace('"name_in_destination": "orders"', '"name_in_destination": "o2"'))
    run = run_console_script("diff", "old.json", "new.json", "--detailed-exitcode", cwd=tmp_path)
    assert run.code == 2, run.stderr
    assert "pg_prod_public/orders -> pg_prod_public/o2 (pg_prod)" in run.stdout
    assert run.stderr == ""


def test_an_error_exits_2_with_the_message_on_stderr_alone(tmp_path: Path) -> None:
    run = run_console_script("generate", cwd=tmp_path)
    assert run.code == 2
    assert run.stdout == ""
    assert run.stderr.startswith(f"error: {tmp_path / 'fivetran_snapshot.json'}: ")
    assert "\n  hint: " in run.stderr
    assert not (tmp_path / "fivetran_defs").exists()


@pytest.mark.parametrize("after", [0.05, 0.15, 0.3, 0.6])
def test_ctrl_c_at_any_moment_of_start_up_is_aborted_not_a_traceback(
    after: float, tmp_path: Path
) -> None:
    shutil.copy(SAMPLE, tmp_path / "fivetran_snapshot.json")
    process = subprocess.Popen(
        [str(CLI), "generate"], cwd=tmp_path, stderr=subprocess.PIPE, text=True
    )
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr, stderr
    if process.returncode not in (0, -signal.SIGINT):  # it may finish first, or not have started
        assert process.returncode == 1 and "Aborted!" in stderr, (process.returncode, stderr)
