"""`demo` as a user runs it: the installed CLI in a subprocess."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fivetran_codegen.snapshot import codec

from tests.conftest import run_cli, run_console_script


@pytest.mark.e2e
def test_demo_runs_the_whole_job_on_the_sample_workspace(tmp_path: Path) -> None:
    # A process of its own: the demo imports the package it generates and runs Dagster.
    run = run_console_script("demo", "--dir", "out", cwd=tmp_path)
    assert run.code == 0, run.stderr
    snapshot = codec.load(tmp_path / "out" / "fivetran_snapshot.json")
    assert len(snapshot.connections) >= 6
    for connection in snapshot.connections:
        assert connection.id in run.stderr  # the overview lists every connection
    assert "NotFound_SchemaConfig" in run.stderr
    # generated, loaded without API calls, one connection synced, one external sync sensed
    assert (tmp_path / "out" / "fivetran_demo_defs" / "connections" / "salesforce.py").is_file()
    assert "17 assets in 6 multi-assets, 0 API calls" in run.stderr
    for table in ("account", "contact", "opportunity"):
        # ISO-8601 in UTC, not epoch seconds
        assert re.search(
            rf"materialized salesforce/{table} \(sync completed at \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)",
            run.stderr,
        ), run.stderr
        # the schema-drift check ran after the sync, against an unchanged workspace
        assert f"schema check of salesforce/{table}: passed" in run.stderr
    for table in ("company", "contact", "deal"):
        assert f"recorded hubspot/{table} (synced outside Dagster)" in run.stderr
    assert "1 API call(s) for the tick" in run.stderr
    # the demo's folder is a project: regenerating there is a no-op
    check = run_cli("generate", "--check", cwd=tmp_path / "out")
    assert check.code == 0, check.stdout + check.stderr
