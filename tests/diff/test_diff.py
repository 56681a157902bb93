"""`fivetran-codegen diff`: what changed for Dagster between two snapshots, and generate's summary."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fivetran_codegen import config
from fivetran_codegen.diff import compare
from fivetran_codegen.snapshot import codec

from tests.conftest import commit_all, git, run_cli

SAMPLE = Path(__file__).parents[1] / "golden" / "sample" / "fivetran_snapshot.json"
Document = dict[str, Any]


def edited(change: Callable[[Document], None]) -> str:
    document = json.loads(SAMPLE.read_text())
    change(document)
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def connection(document: Document, name: str) -> Document:
    return next(c for c in document["connections"] if c["name"] == name)


def table(document: Document, connection_name: str, destination_name: str) -> Document:
    schemas = connection(document, connection_name)["schema_config"]["schemas"]
    return next(
        t
        for s in schemas.values()
        for t in s["tables"].values()
        if t["name_in_destination"] == destination_name
    )


def diff_after(change: Callable[[Document], None]) -> compare.SnapshotDiff:
    settings = config.parse({}, source="(test)", root=Path("."))
    old = codec.load(SAMPLE)
    return compare.compare(old, codec.loads(edited(change)), settings)


def test_an_unchanged_snapshot_has_no_changes() -> None:
    assert diff_after(lambda d: None).empty


def test_a_table_renamed_in_the_destination_is_an_asset_key_change() -> None:
    diff = diff_after(
        lambda d: table(d, "pg_prod", "orders").update(name_in_destination="orders_v2")
    )
    assert [(k.old, k.new) for k in diff.key_changes] == [
        (("pg_prod_public", "orders"), ("pg_prod_public", "orders_v2"))
    ]
    assert not diff.tables_added and not diff.tables_removed


def test_tables_disabled_enabled_added_removed() -> None:
    def change(d: Document) -> None:
        table(d, "hubspot", "deal").update(enabled=False)
        tables = next(iter(connection(d, "github")["schema_config"]["schemas"].values()))["tables"]
        tables["release"] = {**tables["commit"], "name_in_destination": "release"}
        del tables["issue"]

    diff = diff_after(change)
    assert [t.key for t in diff.tables_disabled] == [("hubspot", "deal")]
    assert [t.key for t in diff.tables_added] == [("github", "release")]
    assert [t.source.split(".")[1] for t in diff.tables_removed] == ["issue"]


def test_connections_added_removed_renamed_and_schedule_changes() -> None:
    def change(d: Document) -> None:
        stripe = connection(d, "stripe")
        d["connections"].remove(stripe)
        d["connections"].append({**stripe, "id": "brand_new", "name": "stripe_eu"})
        connection(d, "github").update(name="github_enterprise")
        connection(d, "pg_prod").update(sync_frequency=60, paused=True)

    diff = diff_after(change)
    assert [c.name for c in diff.connections_added] == ["stripe_eu"]
    assert [c.name for c in diff.connections_removed] == ["stripe"]
    assert [(r.old, r.new) for r in diff.connections_renamed] == [("github", "github_enterprise")]
    assert {(c.field, c.old, c.new) for c in diff.schedule_changes} == {
        ("sync_frequency", 1440, 60),
        ("paused", False, True),
    }
    # the tables of a new or removed connection are counted with it, not listed one by one
    assert not diff.tables_added and not diff.tables_removed


def test_column_changes() -> None:
    def change(d: Document) -> None:
        columns = table(d, "pg_prod", "customers")["columns"]
        columns["discount"] = {**next(iter(columns.values())), "name_in_destination": "discount"}

    diff = diff_after(change)
    assert [(c.table.key, c.added, c.removed) for c in diff.column_changes] == [
        (("pg_prod_public", "customers"), ("discount",), ())
    ]


def git_project(tmp_path: Path) -> Path:
    shutil.copy(SAMPLE, tmp_path / "fivetran_snapshot.json")
    commit_all(tmp_path, "snapshot", init=True)
    return tmp_path


def test_cli_diffs_the_working_snapshot_against_head(tmp_path: Path) -> None:
    work = git_project(tmp_path)
    assert run_cli("diff", "--detailed-exitcode", cwd=work).code == 0
    (work / "fivetran_snapshot.json").write_text(
        edited(lambda d: table(d, "pg_prod", "orders").update(name_in_destination="orders_v2"))
    )
    text = run_cli("diff", cwd=work)
    assert text.code == 0
    assert "pg_prod_public/orders -> pg_prod_public/orders_v2 (pg_prod)" in text.stdout
    detailed = run_cli("diff", "HEAD", "fivetran_snapshot.json", "--detailed-exitcode", cwd=work)
    assert detailed.code == 2
    as_json = json.loads(run_cli("diff", "--format", "json", cwd=work).stdout)
    assert as_json["key_changes"][0]["new"] == ["pg_prod_public", "orders_v2"]
    assert as_json["summary"] == "1 asset key change(s)"


def test_markdown_names_cannot_break_out_of_code_spans(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    shutil.copy(SAMPLE, old)
    new.write_text(edited(lambda d: connection(d, "github").update(name="gh `| **x**\n# y")))
    run = run_cli("diff", str(old), str(new), "--format", "markdown", cwd=tmp_path)
    assert run.code == 0
    assert "- `github` -> ``gh `| **x** # y`` (quiet_lantern)" in run.stdout
    assert "\n# y" not in run.stdout


@pytest.mark.parametrize(("flag", "code"), [((), 2), (("--detailed-exitcode",), 1)])
def test_a_missing_revision_is_a_clear_error(
    tmp_path: Path, flag: tuple[str, ...], code: int
) -> None:
    work = git_project(tmp_path)
    run = run_cli("diff", "no-such-rev", *flag, cwd=work)
    assert run.code == code
    assert "no-such-rev" in run.stderr and "hint:" in run.stderr


def test_git_refusals_are_said_in_terms_of_snapshots(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(SAMPLE, outside / "fivetran_snapshot.json")
    no_repo = run_cli("diff", cwd=outside)
    assert no_repo.code == 2
    assert "'HEAD' is not a file, and this is not a git repository" in no_repo.stderr
    assert "fivetran-codegen diff OLD.json NEW.json" in no_repo.stderr

    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(SAMPLE, work / "fivetran_snapshot.json")
    git(work, "init", "-q")
    no_commit = run_cli("diff", cwd=work)
    assert no_commit.code == 2
    assert "error: HEAD:fivetran_snapshot.json: neither a file nor a git revision: 'HEAD'" in (
        no_commit.stderr
    )
    assert "no HEAD until its first commit" in no_commit.stderr

    git(work, "commit", "-q", "--allow-empty", "-m", "empty")
    not_committed = run_cli("diff", cwd=work)
    assert not_committed.code == 2
    assert "fivetran_snapshot.json is not committed at HEAD" in not_committed.stderr

    a_range = run_cli("diff", "main..HEAD", cwd=work)  # git would show nothing for it
    assert a_range.code == 2
    assert "'main..HEAD' is a range of revisions" in a_range.stderr
    assert "fivetran-codegen diff main HEAD" in a_range.stderr


def test_no_working_snapshot_is_named_as_such(tmp_path: Path) -> None:
    work = git_project(tmp_path)
    (work / "sub").mkdir()
    run = run_cli("diff", cwd=work / "sub")
    assert run.code == 2
    assert (
        "no snapshot file to compare" in run.stderr and "sub/fivetran_snapshot.json" in run.stderr
    )
    assert "fivetran-codegen diff OLD NEW" in run.stderr


def test_a_snapshot_of_another_format_version_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(edited(lambda d: d.update(version=2)))
    run = run_cli("diff", str(old), str(SAMPLE), cwd=tmp_path)
    assert run.code == 2
    assert "format version 2" in run.stderr


def several_changes(d: Document) -> None:
    table(d, "pg_prod", "orders").update(name_in_destination="orders_v2")  # a key change
    table(d, "github", "issue").update(enabled=False)
    connection(d, "stripe").update(sync_frequency=60)
    columns = table(d, "salesforce", "account")["columns"]
    columns["Region__c"] = dict(
        name_in_destination="region__c", enabled=True, hashed=False, is_primary_key=False
    )


def test_generate_prints_the_diff_summary_against_the_committed_snapshot(tmp_path: Path) -> None:
    work = git_project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    commit_all(work, "generated")
    (work / "fivetran_snapshot.json").write_text(edited(several_changes))
    expected = json.loads(run_cli("diff", "--format", "json", cwd=work).stdout)["summary"]
    assert expected.count(",") == 3  # four kinds of change, so the test below means something

    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    assert f"Fivetran changes since HEAD: {expected} (`fivetran-codegen diff` lists them)." in (
        run.stderr
    )
    assert "Generated code: 1 asset(s) added, 2 asset(s) removed." in run.stderr
    again = run_cli("generate", cwd=work)
    assert "Fivetran changes" not in again.stderr and "Generated code" not in again.stderr


def test_the_summary_counts_only_what_the_rewritten_modules_show(tmp_path: Path) -> None:
    """A change that rewrites no module (a table skipped by config) is not in the summary."""
    work = git_project(tmp_path)
    (work / "pyproject.toml").write_text('[tool.fivetran-codegen]\nexclude = ["github"]\n')
    assert run_cli("generate", cwd=work).code == 0
    commit_all(work, "generated")
    (work / "fivetran_snapshot.json").write_text(edited(several_changes))
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    line = next(x for x in run.stderr.splitlines() if x.startswith("Fivetran changes"))
    assert "1 schedule change(s)" in line and "1 asset key change(s)" in line
    assert "disabled" not in line  # github's module is not generated at all


def test_a_config_change_is_summarised_as_code_changes_only(tmp_path: Path) -> None:
    work = git_project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    commit_all(work, "generated")
    (work / "pyproject.toml").write_text(
        '[tool.fivetran-codegen.connections.stripe]\nkey_prefix = ["raw"]\n'
    )
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    assert "Fivetran changes" not in run.stderr
    assert "Generated code: 3 asset(s) added, 3 asset(s) removed." in run.stderr


def test_without_a_committed_snapshot_generate_summarises_the_code(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "fivetran_snapshot.json")  # not a git repository
    assert run_cli("generate", cwd=tmp_path).code == 0
    (tmp_path / "fivetran_snapshot.json").write_text(
        edited(lambda d: table(d, "pg_prod", "orders").update(name_in_destination="orders_v2"))
    )
    run = run_cli("generate", cwd=tmp_path)
    assert run.code == 0
    assert "Fivetran changes" not in run.stderr
    assert "Generated code: 1 asset(s) added, 1 asset(s) removed." in run.stderr
    again = run_cli("generate", cwd=tmp_path)
    assert "Generated code" not in again.stderr


def test_a_committed_snapshot_of_another_format_does_not_stop_generate(tmp_path: Path) -> None:
    work = git_project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    (work / "fivetran_snapshot.json").write_text(edited(lambda d: d.update(version=2)))
    commit_all(work, "a snapshot from a future release")
    (work / "fivetran_snapshot.json").write_text(
        edited(lambda d: table(d, "pg_prod", "orders").update(name_in_destination="orders_v2"))
    )
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    assert "Fivetran changes" not in run.stderr
    assert "Generated code: 1 asset(s) added, 1 asset(s) removed." in run.stderr
