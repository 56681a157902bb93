"""`fivetran-codegen snapshot`: the command in process, the simulator over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from fivetran_codegen.snapshot import codec
from fivetran_codegen_runtime.testing import (
    FaultRule,
    FivetranSimulator,
    hostile_workspace,
    sample_workspace,
)

from tests.conftest import run_cli


def test_snapshot_of_the_sample_workspace(tmp_path: Path, sim: FivetranSimulator) -> None:
    run = run_cli("snapshot", "--json", cwd=tmp_path, sim=sim)
    assert run.code == 0, run.stderr
    path = tmp_path / "fivetran_snapshot.json"
    document = json.loads(path.read_text())
    jsonschema.Draft202012Validator(codec.json_schema()).validate(document)
    snapshot = codec.load(path)

    workspace = sim.workspace
    assert {c.id for c in snapshot.connections} == set(workspace.connections)
    assert {g.id for g in snapshot.groups} == set(workspace.groups)
    summary = json.loads(run.stdout)
    assert summary["connections"] == len(workspace.connections)
    assert summary["tables"] == snapshot.table_count() > 0
    assert summary["api_calls"] == sim.count() and summary["written"] is True
    assert "API calls" in run.stderr

    by_id = {c.id: c for c in snapshot.connections}
    for sim_connection in workspace.connections.values():
        ours = by_id[sim_connection.id]
        assert ours.name == sim_connection.schema
        assert ours.paused == sim_connection.paused
        assert ours.setup_state == sim_connection.setup_state
        if sim_connection.schema_config is None:
            assert ours.schema_config is None
            assert ours.schema_config_error is not None
            assert ours.schema_config_error.code == "NotFound_SchemaConfig"
            assert sim_connection.id in run.stderr  # reported, not crashed on


def test_destinations_keep_the_database_part_per_service(
    tmp_path: Path, sim: FivetranSimulator
) -> None:
    assert run_cli("snapshot", cwd=tmp_path, sim=sim).code == 0
    snapshot = codec.load(tmp_path / "fivetran_snapshot.json")
    key_by_service = {"snowflake": "database", "big_query": "project_id", "databricks": "catalog"}
    services = set()
    for group in snapshot.groups:
        sim_group = sim.workspace.groups[group.id]
        if sim_group.destination is None:
            assert group.destination is None and group.destination_error is not None
            continue
        assert group.destination is not None
        services.add(group.destination.service)
        expected = sim_group.destination.config[key_by_service[group.destination.service]]
        assert group.destination.database == expected
        assert group.destination.time_zone_offset == sim_group.destination.time_zone_offset
    assert services == set(key_by_service)


def test_no_volatile_fields_no_config_and_no_secrets(
    tmp_path: Path, sim: FivetranSimulator
) -> None:
    assert run_cli("snapshot", cwd=tmp_path, sim=sim).code == 0
    text = (tmp_path / "fivetran_snapshot.json").read_text()
    for volatile in (
        "succeeded_at",
        "failed_at",
        "sync_state",
        "update_state",
        "rescheduled_for",
        '"tasks"',
        '"warnings"',
        '"config"',
    ):
        assert volatile not in text
    assert sim.api_key not in text and sim.api_secret not in text and "******" not in text
    for connection in sim.workspace.connections.values():
        for value in connection.config.values():
            if isinstance(value, str) and len(value) > 6:
                assert value not in text, f"connection config value {value!r} leaked"


def test_two_snapshots_of_an_unchanged_workspace_are_byte_identical(
    tmp_path: Path, sim: FivetranSimulator
) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert (
        run_cli(
            "snapshot", "-o", str(first), cwd=tmp_path, sim=sim, env={"PYTHONHASHSEED": "1"}
        ).code
        == 0
    )
    sim.complete_external_sync(next(iter(sim.workspace.connections)), outcome="success")
    assert (
        run_cli(
            "snapshot",
            "-o",
            str(second),
            "--concurrency",
            "1",
            cwd=tmp_path,
            sim=sim,
            env={"PYTHONHASHSEED": "2"},
        ).code
        == 0
    )
    assert first.read_bytes() == second.read_bytes()
    again = run_cli("snapshot", "-o", str(second), "--json", cwd=tmp_path, sim=sim)
    assert json.loads(again.stdout)["written"] is False


def test_include_and_exclude_globs(tmp_path: Path, sim: FivetranSimulator) -> None:
    connections = sorted(sim.workspace.connections.values(), key=lambda c: c.id)
    keep, drop = connections[0], connections[1]
    run = run_cli("snapshot", "--json", "--exclude", drop.id, cwd=tmp_path, sim=sim)
    assert run.code == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["skipped"] == [
        {"id": drop.id, "name": drop.schema, "reason": f"matches --exclude {drop.id!r}"}
    ]
    snapshot = codec.load(tmp_path / "fivetran_snapshot.json")
    assert drop.id not in {c.id for c in snapshot.connections}
    assert snapshot.selection.exclude == (drop.id,)
    # an excluded connection costs no schema-config call
    assert sim.count(path=f"/v1/connections/{drop.id}/schemas") == 0
    assert sim.count(path=f"/v1/connections/{keep.id}/schemas") == 1

    run = run_cli(
        "snapshot",
        "--json",
        "--include",
        f"{keep.schema[:3]}*",
        "-o",
        "only.json",
        cwd=tmp_path,
        sim=sim,
    )
    assert run.code == 0, run.stderr
    only = codec.load(tmp_path / "only.json")
    assert keep.id in {c.id for c in only.connections}
    prefix = keep.schema[:3]
    group_names = {g.id: g.name for g in only.groups}
    for c in only.connections:
        fields = (c.id, c.name, c.service, group_names.get(c.group_id, ""))
        assert any(f.startswith(prefix) for f in fields), c
    assert len(only.connections) + len(json.loads(run.stdout)["skipped"]) == len(connections)


def test_columns_opt_in_with_budget_and_a_failing_table(
    tmp_path: Path, sim: FivetranSimulator
) -> None:
    plain = run_cli("snapshot", "-o", "plain.json", cwd=tmp_path, sim=sim)
    assert plain.code == 0 and sim.count(path="/v1/connections/*/schemas/*/tables/*/columns") == 0

    tables = [
        (c.id, s, t)
        for c in sorted(sim.workspace.connections.values(), key=lambda c: c.id)
        if c.setup_state == "connected" and c.schema_config
        for s, schema in sorted(c.schema_config.items())
        if schema.enabled
        for t, table in sorted(schema.tables.items())
        if table.enabled
    ]
    assert len(tables) >= 3
    failing = tables[0]
    sim.add_fault(
        FaultRule(
            status=500, times=None, path=f"/v1/connections/{failing[0]}/schemas/*/tables/*/columns"
        )
    )
    budget = len(tables) - 1
    run = run_cli(
        "snapshot",
        "--json",
        "--columns",
        "--columns-budget",
        str(budget),
        "--max-attempts",
        "2",
        cwd=tmp_path,
        sim=sim,
    )
    assert run.code == 0, run.stderr
    summary = json.loads(run.stdout)
    assert any("budget" in w for w in summary["warnings"])
    assert any("not fetched" in w and failing[0] in w for w in summary["warnings"])
    snapshot = codec.load(tmp_path / "fivetran_snapshot.json")
    complete = [
        (c.id, s.name, t.name)
        for c in snapshot.connections
        if c.schema_config
        for s in c.schema_config.schemas
        for t in s.tables
        if t.columns_complete
    ]
    assert summary["columns_fetched"] == len(complete) > 0
    assert tables[-1] not in complete  # beyond the budget
    assert not any(key[0] == failing[0] for key in complete)  # its calls failed


@pytest.mark.parametrize("access", ["wrong", "forbidden"])
def test_auth_failures_exit_2_with_a_clear_message(
    tmp_path: Path, sim: FivetranSimulator, access: str
) -> None:
    if access == "forbidden":
        sim.add_key("ro-key", "ro-secret", access="forbidden")
        env = {"FIVETRAN_API_KEY": "ro-key", "FIVETRAN_API_SECRET": "ro-secret"}
    else:
        env = {"FIVETRAN_API_KEY": "nope-key", "FIVETRAN_API_SECRET": "nope-secret"}
    run = run_cli("snapshot", cwd=tmp_path, sim=sim, env=env)
    assert run.code == 2
    assert ("401" if access == "wrong" else "403") in run.stderr
    assert env["FIVETRAN_API_SECRET"] not in run.stderr + run.stdout
    assert not (tmp_path / "fivetran_snapshot.json").exists()


def test_missing_credentials_exit_2(tmp_path: Path) -> None:
    run = run_cli("snapshot", cwd=tmp_path)
    assert run.code == 2
    assert "FIVETRAN_API_KEY" in run.stderr and "FIVETRAN_API_SECRET" in run.stderr


def test_a_key_that_sees_no_groups_warns_about_permissions(
    tmp_path: Path, sim: FivetranSimulator
) -> None:
    sim.add_key("empty-key", "empty-secret", access="none")
    env = {"FIVETRAN_API_KEY": "empty-key", "FIVETRAN_API_SECRET": "empty-secret"}
    run = run_cli("snapshot", "--json", cwd=tmp_path, sim=sim, env=env)
    assert run.code == 0, run.stderr
    warning = (
        "the API key sees no groups: an empty workspace, or a key whose role lacks "
        "permission to read them"
    )
    assert f"warning: {warning}\n" in run.stderr
    assert json.loads(run.stdout)["warnings"] == [warning]
    snapshot = codec.load(tmp_path / "fivetran_snapshot.json")
    assert (len(snapshot.groups), len(snapshot.connections)) == (0, 0)
    # A key that sees the workspace gets no such warning.
    full = run_cli("snapshot", "--json", "-o", "full.json", cwd=tmp_path, sim=sim)
    assert full.code == 0, full.stderr
    assert warning not in full.stderr and warning not in json.loads(full.stdout)["warnings"]


@pytest.mark.parametrize(
    ("flags", "logged"),
    [((), set()), (("-v",), {"INFO"}), (("-vv",), {"INFO", "DEBUG"})],
    ids=["quiet", "-v", "-vv"],
)
def test_verbose_logs_retries_and_very_verbose_every_call_on_stderr(
    tmp_path: Path, sim: FivetranSimulator, flags: tuple[str, ...], logged: set[str]
) -> None:
    sim.add_fault(FaultRule(status=429, times=1, retry_after=0))
    run = run_cli(*flags, "snapshot", "--json", cwd=tmp_path, sim=sim)
    assert run.code == 0, run.stderr
    json.loads(run.stdout)  # the logs stay off stdout
    lines = [line for line in run.stderr.splitlines() if line.startswith(("INFO ", "DEBUG "))]
    assert {line.split()[0] for line in lines} == logged
    if logged:
        retry = "INFO fivetran_codegen_runtime.rest.client: retrying GET /v1/account/info after HTTP 429"
        assert any(line.startswith(retry) for line in lines), lines
    if "DEBUG" in logged:
        assert "DEBUG fivetran_codegen_runtime.rest.client: GET /v1/groups -> 200" in lines


def test_429_storm_and_transient_5xx_still_complete(tmp_path: Path, sim: FivetranSimulator) -> None:
    sim.add_fault(FaultRule(status=429, times=4, retry_after=0))
    sim.add_fault(FaultRule(status=503, times=3, path="/v1/connections/*/schemas"))
    run = run_cli("snapshot", "--json", cwd=tmp_path, sim=sim)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["retries"] == 7
    statuses = [r.status for r in sim.request_log]
    assert statuses.count(429) == 4 and statuses.count(503) == 3


def test_persistent_5xx_fails_and_leaves_the_previous_file(
    tmp_path: Path, sim: FivetranSimulator
) -> None:
    assert run_cli("snapshot", cwd=tmp_path, sim=sim).code == 0
    path = tmp_path / "fivetran_snapshot.json"
    before = path.read_bytes()
    sim.workspace.connections[next(iter(sim.workspace.connections))].schema = "renamed"
    sim.add_fault(FaultRule(status=500, times=None, path="/v1/connections/*/schemas"))
    run = run_cli("snapshot", "--max-attempts", "2", cwd=tmp_path, sim=sim)
    assert run.code == 1
    assert "HTTP 500" in run.stderr and "/schemas" in run.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fivetran_snapshot.json"]


def test_malformed_response_names_the_endpoint(tmp_path: Path, sim: FivetranSimulator) -> None:
    sim.add_fault(FaultRule(malformed=True, times=1, path="/v1/groups"))
    run = run_cli("snapshot", cwd=tmp_path, sim=sim)
    assert run.code == 1
    assert "GET /v1/groups" in run.stderr and "not a JSON object" in run.stderr
    assert not (tmp_path / "fivetran_snapshot.json").exists()


def test_hostile_names_round_trip_exactly(tmp_path: Path) -> None:
    workspace = hostile_workspace()
    with FivetranSimulator(workspace) as sim:
        run = run_cli("snapshot", cwd=tmp_path, sim=sim)
    assert run.code == 0, run.stderr
    snapshot = codec.load(tmp_path / "fivetran_snapshot.json")
    by_id = {c.id: c for c in snapshot.connections}
    for sim_connection in workspace.connections.values():
        ours = by_id[sim_connection.id]
        assert ours.name == sim_connection.schema
        if sim_connection.schema_config is None or ours.schema_config is None:
            continue
        source = sim_connection.schema_config
        assert {s.name for s in ours.schema_config.schemas} == set(source)
        for schema in ours.schema_config.schemas:
            assert schema.name_in_destination == source[schema.name].name_in_destination
            tables = source[schema.name].tables
            assert {t.name for t in schema.tables} == set(tables)
            for table in schema.tables:
                assert table.name_in_destination == tables[table.name].name_in_destination


def test_api_url_flag_wins_and_bad_url_fails_clearly(tmp_path: Path) -> None:
    with FivetranSimulator(sample_workspace()) as sim:
        env = {"FIVETRAN_API_URL": "http://127.0.0.1:9"}
        run = run_cli("snapshot", "--api-url", sim.url, cwd=tmp_path, sim=sim, env=env)
        assert run.code == 0, run.stderr
    run = run_cli(
        "snapshot",
        "--max-attempts",
        "1",
        cwd=tmp_path,
        env={
            "FIVETRAN_API_KEY": "k",
            "FIVETRAN_API_SECRET": "s",
            "FIVETRAN_API_URL": "http://127.0.0.1:9",
        },
    )
    assert run.code == 1 and "could not reach" in run.stderr and "127.0.0.1:9" in run.stderr


def test_an_output_that_cannot_be_written_is_an_error_before_any_call(
    sim: FivetranSimulator, tmp_path: Path
) -> None:
    (tmp_path / "afile").write_text("not a folder\n")
    done = run_cli("snapshot", "--no-progress", "-o", "afile/snap.json", cwd=tmp_path, sim=sim)
    assert done.code == 2, done.stderr
    assert "afile/snap.json: cannot write the snapshot" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(sim.request_log) == 0  # refused before the crawl


def test_check_writes_nothing_and_says_whether_the_file_is_current(
    tmp_path: Path, sim: FivetranSimulator
) -> None:
    path = tmp_path / "fivetran_snapshot.json"
    missing = run_cli("snapshot", "--check", cwd=tmp_path, sim=sim)
    assert missing.code == 1, missing.stderr  # no file yet: everything is new
    assert not path.exists() and "added" in missing.stdout.lower()

    assert run_cli("snapshot", cwd=tmp_path, sim=sim).code == 0
    before = path.read_bytes()
    current = run_cli("snapshot", "--check", cwd=tmp_path, sim=sim)
    assert current.code == 0, current.stderr
    assert current.stdout == "" and "(current)" in current.stderr

    connection = next(c for c in sim.workspace.connections.values() if c.schema_config)
    old_name = connection.schema
    connection.schema = "renamed_in_fivetran"
    changed = run_cli("snapshot", "--check", cwd=tmp_path, sim=sim)
    assert changed.code == 1, changed.stderr
    assert "(differs)" in changed.stderr
    assert "renamed_in_fivetran" in changed.stdout and old_name in changed.stdout
    as_json = run_cli("snapshot", "--check", "--json", cwd=tmp_path, sim=sim)
    assert as_json.code == 1
    summary = json.loads(as_json.stdout)
    assert summary["current"] is False and summary["written"] is False
    assert "renamed_in_fivetran" in as_json.stderr
    assert path.read_bytes() == before  # written by none of them
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fivetran_snapshot.json"]

    sim.add_fault(FaultRule(status=500, times=None, path="/v1/connections/*/schemas"))
    failing = run_cli("snapshot", "--check", "--max-attempts", "1", cwd=tmp_path, sim=sim)
    assert failing.code == 2, failing.stderr  # not 1: that says "differs"
    assert "HTTP 500" in failing.stderr and path.read_bytes() == before
