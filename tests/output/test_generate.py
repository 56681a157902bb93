"""`fivetran-codegen generate`: golden output, --check, kept user code, atomic writes, determinism.

The CLI runs in process (tests.conftest.run_cli); what needs a process of its own (hash seeds,
no ruff anywhere, loading the package) runs in a subprocess.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fivetran_codegen import config
from fivetran_codegen.output import assemble, user_bodies
from fivetran_codegen.plan import render_plan
from fivetran_codegen.render import generated_file
from fivetran_codegen.snapshot import codec

from tests.conftest import dagster_validate, ruff_format_check, run_cli, run_console_script

GOLDEN = Path(__file__).parents[1] / "golden"
SAMPLE_SNAPSHOT = GOLDEN / "sample" / "fivetran_snapshot.json"
REGEN = ".venv/bin/python tests/golden/regen.py"
# One table of pg_prod, renamed in the destination: a one-table change to the snapshot.
ORDERS = '"name_in_destination": "orders"'
ORDERS_V2 = '"name_in_destination": "orders_v2"'
VENV_BIN = Path(sys.executable).parent


def tree(root: Path) -> dict[str, str]:
    """The package's committed files (the local cache is git-ignored, so not part of it)."""
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.name != ".fivetran-codegen-cache.json"
    }


def project(tmp_path: Path, settings: str = "") -> Path:
    """A project directory with the sample snapshot and a pyproject.toml."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE_SNAPSHOT, tmp_path / "fivetran_snapshot.json")
    (tmp_path / "pyproject.toml").write_text(f"[tool.fivetran-codegen]\n{settings}")
    return tmp_path


EXAMPLE = Path(__file__).resolve().parents[2] / "generated_example"
# Case name -> project: each golden case, and generated_example/ (its own config and snapshot).
CASES = {p.parent.name: p.parent for p in GOLDEN.glob("*/pyproject.toml")} | {
    "generated_example": EXAMPLE
}


def packages(project: Path) -> list[config.Config]:
    """The configs of the committed packages a case generates."""
    return config.load_all(project / "pyproject.toml", cwd=project)


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_cases(case: str, tmp_path: Path) -> None:
    """Generated from scratch from the case's config and snapshot, byte for byte what is committed.

    generated_example/ customises one function body, the one part `generate` keeps rather than
    writes: that module is compared with its body put back to the default.
    """
    source = CASES[case]
    committed = packages(source)
    outputs = {c.output.relative_to(source).parts[0] for c in committed}
    work = tmp_path / case
    shutil.copytree(source, work, ignore=lambda d, names: outputs if Path(d) == source else [])
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    for package in committed:
        default_body = generated_file.default_body(package.resource_key)
        got = tree(work / package.output.relative_to(source))
        want = tree(package.output)
        assert sorted(got) == sorted(want), f"files differ; if intended, run `{REGEN}`"
        for path, text in want.items():
            parts = (
                user_bodies.split(text, where=path, default_body=default_body)
                if path.startswith("connections/")
                else None
            )
            expected = parts.with_default_body() if parts and parts.customised else text
            assert got[path] == expected, (
                f"{path} differs from the golden file; if intended, run `{REGEN}`"
            )


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_output_is_as_the_pinned_dev_ruff_formats_it(case: str) -> None:
    # generate runs no formatter; the templates and line_fit write ruff's layout themselves.
    done = ruff_format_check(*(c.output for c in packages(CASES[case])))
    assert done.returncode == 0, done.stdout + done.stderr


def test_generate_runs_without_any_ruff_and_writes_the_same_bytes(tmp_path: Path) -> None:
    """The output cannot depend on the user's ruff: generate neither imports nor launches one."""
    work = tmp_path / "sample"
    shutil.copytree(GOLDEN / "sample", work, ignore=shutil.ignore_patterns("expected"))
    bin_dir = tmp_path / "bin"  # the only PATH entry: a ruff that leaves a mark if it runs
    bin_dir.mkdir()
    marker = tmp_path / "ruff-ran"
    (bin_dir / "ruff").write_text(f"#!/bin/sh\ntouch {marker}\nexit 3\n")
    (bin_dir / "ruff").chmod(0o755)
    script = (
        "import sys\n"
        "sys.modules['ruff'] = None  # not importable, as if it were not installed\n"
        "from fivetran_codegen.cli.main import main\n"
        "main(['generate'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=work,
        env={**os.environ, "PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert tree(work / "expected" / "fivetran_defs") == tree(
        GOLDEN / "sample" / "expected" / "fivetran_defs"
    )


def test_every_golden_module_starts_with_the_mark_generate_recognises() -> None:
    # Without a manifest, `generate` knows its own files by this first line.
    modules = list(GOLDEN.glob("*/expected/**/*.py"))
    assert modules
    for module in modules:
        assert module.read_text().startswith(generated_file.GENERATED_MARK), module


def test_every_golden_case_is_complete_and_regen_rewrites_exactly_these() -> None:
    """A case holds its config, the snapshots it names and the packages they generate, so the
    byte-for-byte comparison above has something to compare; regen.py regenerates the same
    cases, so a new case cannot be compared without being regenerated (or the reverse)."""
    from tests.golden import regen

    assert {p.name for p in regen.cases()} | {regen.EXAMPLE.name} == set(CASES)
    assert {"sample", "configured", "workspaces"} <= set(CASES)
    for case, source in CASES.items():
        configs = packages(source)
        assert configs, f"{case}: its pyproject.toml configures no package"
        for settings in configs:
            assert codec.load(settings.snapshot).connections, f"{case}: {settings.snapshot}"
            package = settings.output
            assert (package / "__init__.py").is_file() and (package / "_manifest.json").is_file()
            assert list((package / "connections").glob("*.py")), f"{case}: no connection modules"


@pytest.mark.e2e
def test_output_is_identical_across_hash_seeds(tmp_path: Path) -> None:
    # A process per seed: the seed is fixed when the interpreter starts.
    outputs = []
    for seed in ("0", "1", "12345"):
        work = project(tmp_path / seed, "")
        run = run_console_script("generate", cwd=work, env={"PYTHONHASHSEED": seed})
        assert run.code == 0, run.stderr
        outputs.append(tree(work / "fivetran_defs"))
    assert outputs[0] == outputs[1] == outputs[2]


def test_check_is_up_to_date_then_stale_with_a_diff(tmp_path: Path) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    up_to_date = run_cli("generate", "--check", cwd=work)
    assert up_to_date.code == 0, up_to_date.stderr
    assert "up to date" in up_to_date.stderr

    text = (work / "fivetran_snapshot.json").read_text().replace(ORDERS, ORDERS_V2, 1)
    (work / "fivetran_snapshot.json").write_text(text)
    before = tree(work / "fivetran_defs")
    stale = run_cli("generate", "--check", cwd=work)
    assert stale.code == 1
    assert "+++ b/fivetran_defs/connections/pg_prod.py" in stale.stdout
    assert (
        "out of date" in stale.stderr
        and "changed fivetran_defs/connections/pg_prod.py" in stale.stderr
    )
    assert tree(work / "fivetran_defs") == before  # --check writes nothing


def test_check_reports_missing_and_extra_files(tmp_path: Path) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    (work / "fivetran_defs" / "connections" / "github.py").unlink()
    extra = work / "fivetran_defs" / "connections" / "gone.py"
    shutil.copy(work / "fivetran_defs" / "connections" / "hubspot.py", extra)
    run = run_cli("generate", "--check", cwd=work)
    assert run.code == 1
    assert "missing fivetran_defs/connections/github.py" in run.stderr
    assert "extra fivetran_defs/connections/gone.py" in run.stderr


def test_check_needs_no_credentials_and_errors_exit_2(tmp_path: Path) -> None:
    work = project(tmp_path, 'asset_kye = ["{schema}"]\n')
    run = run_cli("generate", "--check", cwd=work)
    assert run.code == 2
    assert "unknown key 'asset_kye'" in run.stderr and "did you mean 'asset_key'?" in run.stderr


def test_bad_config_values_name_the_key(tmp_path: Path) -> None:
    work = project(tmp_path, '[tool.fivetran-codegen.retry_policy]\nbackof = "linear"\n')
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "[tool.fivetran-codegen.retry_policy].backof" in run.stderr
    assert "did you mean 'backoff'?" in run.stderr
    assert not (work / "fivetran_defs").exists()


@pytest.mark.parametrize(
    ("settings", "where"),
    [
        ('schema_checks = "no"\n', "[tool.fivetran-codegen].schema_checks"),
        (
            "[tool.fivetran-codegen.connections.github]\nschema_checks = 0\n",
            "connections.github].schema_checks",
        ),
        (
            'polling_sensor = { enabled = "yes" }\n',
            "[tool.fivetran-codegen.polling_sensor].enabled",
        ),
    ],
)
def test_a_flag_that_is_not_true_or_false_names_the_key(
    settings: str, where: str, tmp_path: Path
) -> None:
    work = project(tmp_path, settings)
    run = run_cli("generate", cwd=work)
    assert run.code == 2 and "must be true or false" in run.stderr and where in run.stderr
    assert not (work / "fivetran_defs").exists()


def test_a_broken_snapshot_names_the_json_path_and_writes_nothing(tmp_path: Path) -> None:
    work = project(tmp_path)
    text = (
        (work / "fivetran_snapshot.json")
        .read_text()
        .replace('"paused": false', '"paused": "no"', 1)
    )
    (work / "fivetran_snapshot.json").write_text(text)
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "$.connections[0].paused" in run.stderr
    assert not (work / "fivetran_defs").exists()


CUSTOM_BODY = (
    "    context.log.info('my own code')\n"
    "    events = fivetran.sync_and_poll(context=context, config=config)\n"
    "    yield from events\n"
)


def _customise(module: Path) -> None:
    text = module.read_text()
    default = "    yield from fivetran.sync_and_poll(context=context, config=config)\n"
    assert text.endswith(default)
    module.write_text(text.removesuffix(default) + CUSTOM_BODY)


def test_a_customised_body_is_kept_when_the_snapshot_changes(tmp_path: Path) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    module = work / "fivetran_defs" / "connections" / "pg_prod.py"
    _customise(module)
    assert run_cli("generate", "--check", cwd=work).code == 0  # an edited body is not drift

    snapshot = work / "fivetran_snapshot.json"
    snapshot.write_text(snapshot.read_text().replace(ORDERS, ORDERS_V2, 1))
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    after = module.read_text()
    assert after.endswith(CUSTOM_BODY)
    assert '"orders_v2"]' in after


def test_a_renamed_connection_keeps_its_body_in_its_new_module(tmp_path: Path) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    _customise(work / "fivetran_defs" / "connections" / "pg_prod.py")
    snapshot = work / "fivetran_snapshot.json"
    snapshot.write_text(snapshot.read_text().replace('"name": "pg_prod"', '"name": "pg_main"'))
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    assert not (work / "fivetran_defs" / "connections" / "pg_prod.py").exists()
    assert (work / "fivetran_defs" / "connections" / "pg_main.py").read_text().endswith(CUSTOM_BODY)


def test_removing_a_customised_connection_is_refused_unless_forced(tmp_path: Path) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    module = work / "fivetran_defs" / "connections" / "pg_prod.py"
    _customise(module)
    (work / "pyproject.toml").write_text('[tool.fivetran-codegen]\nexclude = ["pg_prod"]\n')
    before = tree(work / "fivetran_defs")

    refused = run_cli("generate", cwd=work)
    assert refused.code == 2
    assert "connections/pg_prod.py" in refused.stderr and "my own code" in refused.stderr
    assert "--force" in refused.stderr
    assert tree(work / "fivetran_defs") == before

    forced = run_cli("generate", "--force", cwd=work)
    assert forced.code == 0, forced.stderr
    assert not module.exists()


def test_an_uncustomised_orphan_is_removed(tmp_path: Path) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    (work / "pyproject.toml").write_text('[tool.fivetran-codegen]\nexclude = ["github"]\n')
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    assert not (work / "fivetran_defs" / "connections" / "github.py").exists()
    assert "github" not in (work / "fivetran_defs" / "__init__.py").read_text()


@pytest.mark.parametrize(
    ("path", "edit"),
    [
        ("connections/pg_prod.py", ('group_name="pg_prod"', 'group_name="mine"')),
        ("__init__.py", ("defs = dg.Definitions(", "extra = 1\ndefs = dg.Definitions(")),
    ],
)
def test_a_hand_edit_outside_a_body_is_refused_with_a_diff(
    tmp_path: Path, path: str, edit: tuple[str, str]
) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    target = work / "fivetran_defs" / path
    target.write_text(target.read_text().replace(*edit, 1))
    edited = target.read_text()
    snapshot = work / "fivetran_snapshot.json"
    snapshot.write_text(snapshot.read_text().replace(ORDERS, ORDERS_V2, 1))

    refused = run_cli("generate", cwd=work)
    assert refused.code == 2
    assert f"fivetran_defs/{path}" in refused.stderr
    assert f"-{edit[1].splitlines()[0]}" in refused.stderr.replace("    ", "")
    assert target.read_text() == edited

    assert run_cli("generate", "--force", cwd=work).code == 0
    assert edit[1].splitlines()[0] not in target.read_text()


def test_check_on_a_hand_edit_points_at_force_not_at_a_generate_that_would_refuse(
    tmp_path: Path,
) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    target = work / "fivetran_defs" / "connections" / "pg_prod.py"
    target.write_text(target.read_text().replace('group_name="pg_prod"', 'group_name="mine"', 1))
    stale = run_cli("generate", "--check", cwd=work)
    assert stale.code == 1
    hint = stale.stderr.split("hint:", 1)[1]
    assert "fivetran_defs/connections/pg_prod.py was edited by hand" in hint
    assert "`fivetran-codegen generate --force`" in hint
    # without a hand edit, the hint stays the plain one
    assert run_cli("generate", "--force", cwd=work).code == 0
    snapshot = work / "fivetran_snapshot.json"
    snapshot.write_text(snapshot.read_text().replace(ORDERS, ORDERS_V2, 1))
    drift = run_cli("generate", "--check", cwd=work)
    assert drift.code == 1
    assert drift.stderr.split("hint:", 1)[1].strip() == "run `fivetran-codegen generate`"


def test_a_misspelled_config_table_is_an_error_not_ignored(tmp_path: Path) -> None:
    work = project(tmp_path)
    (work / "pyproject.toml").write_text("[tool.fivetran_codegen]\npolling_sensor = true\n")
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "[tool.fivetran_codegen] is not read" in run.stderr
    assert "name the table [tool.fivetran-codegen]" in run.stderr
    assert not (work / "fivetran_defs").exists()
    (work / "pyproject.toml").write_text("[tool.fivetran-codegen]\n[tool.ruff]\nline-length = 99\n")
    assert run_cli("generate", cwd=work).code == 0  # other tools' tables are none of ours


def test_a_body_that_does_not_parse_is_reported(tmp_path: Path) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    module = work / "fivetran_defs" / "connections" / "github.py"
    module.write_text(module.read_text() + "    yield from (\n")
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "connections/github.py" in run.stderr and "does not parse" in run.stderr


def test_without_hard_links_a_regeneration_writes_the_same_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another filesystem, or one without hard links: unchanged files are copied instead, and
    # the package's .gitignore is written.
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    package = work / "fivetran_defs"
    before = tree(package)
    inodes = {name: (package / name).stat().st_ino for name in (".gitignore", "__init__.py")}
    snapshot = work / "fivetran_snapshot.json"
    snapshot.write_text(snapshot.read_text().replace(ORDERS, ORDERS_V2, 1))
    refused: list[object] = []

    def no_links(source: object, target: object) -> None:
        refused.append(source)
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    assert run_cli("generate", cwd=work).code == 0
    assert refused  # the fallback ran: the unchanged files are copies now
    assert all((package / name).stat().st_ino != ino for name, ino in inodes.items())
    after = tree(package)
    assert after[".gitignore"] == before[".gitignore"]
    assert sorted(p for p in after if after[p] != before.get(p)) == [
        "_manifest.json",
        "connections/pg_prod.py",
    ]
    assert not [p for p in work.iterdir() if p.name.startswith(".fivetran_defs.")]
    assert not [p for p in package.iterdir() if ".link-" in p.name]


def test_one_table_change_rewrites_one_module(tmp_path: Path) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    package = work / "fivetran_defs"
    files = [p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    stamps = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in files}
    assert package / ".gitignore" in stamps
    snapshot = work / "fivetran_snapshot.json"
    snapshot.write_text(snapshot.read_text().replace(ORDERS, ORDERS_V2, 1))
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    changed = sorted(
        p.relative_to(package).as_posix()
        for p, stamp in stamps.items()
        if (p.stat().st_ino, p.stat().st_mtime_ns) != stamp
    )
    # The module, the manifest, and the render cache (not committed); the package's .gitignore,
    # like every other unchanged file, is the same file as before.
    assert changed == [".fivetran-codegen-cache.json", "_manifest.json", "connections/pg_prod.py"]
    assert "2 files written" in run.stderr  # the module and the manifest


def test_a_failure_while_staging_leaves_the_previous_output(tmp_path: Path) -> None:
    """In-process: the staging step fails midway (a file cannot be written) -> nothing changes."""
    from fivetran_codegen.output import write_or_check

    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    package = work / "fivetran_defs"
    before = tree(package)
    settings = config.load(None, cwd=work)
    snap = codec.load(work / "fivetran_snapshot.json")
    plan = render_plan.build(snap, settings, snapshot_name="fivetran_snapshot.json")
    output = assemble.build(plan, package)
    output.files["connections/github.py/x.py"] = "boom"  # under a file: it cannot be staged
    with pytest.raises(OSError):
        write_or_check.write(package, output)
    assert tree(package) == before
    assert not [p for p in work.iterdir() if p.name.startswith(".fivetran_defs.")]


def test_refuses_to_take_over_a_directory_it_did_not_generate(tmp_path: Path) -> None:
    work = project(tmp_path)
    (work / "fivetran_defs").mkdir()
    (work / "fivetran_defs" / "mine.py").write_text("x = 1\n")
    run = run_cli("generate", cwd=work)
    assert run.code == 2
    assert "was not generated by fivetran-codegen" in run.stderr
    assert (work / "fivetran_defs" / "mine.py").read_text() == "x = 1\n"


def test_files_of_the_user_inside_the_package_are_kept(tmp_path: Path) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    mine = work / "fivetran_defs" / "helpers.py"
    mine.write_text("VALUE = 1\n")
    snapshot = work / "fivetran_snapshot.json"
    snapshot.write_text(snapshot.read_text().replace(ORDERS, ORDERS_V2, 1))
    assert run_cli("generate", cwd=work).code == 0
    assert mine.read_text() == "VALUE = 1\n"
    assert run_cli("generate", "--check", cwd=work).code == 0


def test_options_override_the_config_paths(tmp_path: Path) -> None:
    work = project(tmp_path)
    shutil.move(work / "fivetran_snapshot.json", work / "snap.json")
    run = run_cli("generate", "--snapshot", "snap.json", "--out", "src/my_defs", cwd=work)
    assert run.code == 0, run.stderr
    assert (work / "src" / "my_defs" / "__init__.py").is_file()
    header = (work / "src" / "my_defs" / "__init__.py").read_text().splitlines()[0]
    assert header.startswith("# Code generated by fivetran-codegen from snap.json.")


def test_skipped_connections_are_reported_not_fatal(tmp_path: Path) -> None:
    work = project(tmp_path)
    run = run_cli("generate", cwd=work)
    assert run.code == 0
    assert (
        "skipped 'mysql_erp' (nimble_cactus): no schema config (NotFound_SchemaConfig" in run.stderr
    )


@pytest.mark.e2e
def test_generated_code_passes_ruff_mypy_strict_and_dagster_validate(tmp_path: Path) -> None:
    # The sample and configured packages side by side: one ruff and one mypy run check both.
    packages = []
    for case in ("sample", "configured"):
        expected = GOLDEN / case / "expected"
        packages.append(next(expected.iterdir()).name)
        shutil.copytree(expected, tmp_path, dirs_exist_ok=True)
    assert len(set(packages)) == 2, packages
    ruff = subprocess.run(
        # E501 aside: the formatter sets the width, and Fivetran names can be longer than any limit.
        [
            str(VENV_BIN / "ruff"),
            "check",
            "--isolated",
            "--select=E,F,W,I,B,UP",
            "--ignore=E501",
            *packages,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *packages],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout
    assert f"no issues found in {len(list(tmp_path.rglob('*.py')))} source files" in mypy.stdout
    for package in packages:
        validate = dagster_validate(tmp_path, package)
        assert validate.returncode == 0, validate.stdout + validate.stderr


def test_loading_the_package_builds_the_assets_without_any_api_call(tmp_path: Path) -> None:
    shutil.copytree(GOLDEN / "configured" / "expected", tmp_path, dirs_exist_ok=True)
    script = (
        "import json, warehouse_assets as p\n"
        "graph = p.defs.get_repository_def().asset_graph\n"  # resolve_asset_graph: 1.11+
        "spec = next(s for s in p.ALL_SPECS if s.key.path[-1] == 'orders')\n"
        "print(json.dumps({'keys': sorted(k.to_user_string() for k in graph.get_all_asset_keys()),\n"
        "  'key': spec.key.path, 'group': spec.group_name, 'owners': list(spec.owners),\n"
        "  'team': spec.tags['team'], 'automation': type(spec.automation_condition).__name__,\n"
        "  'retries': p.ASSETS[0].op.retry_policy.max_retries, 'sensors': len(p.defs.sensors or [])}))\n"
    )
    # An unreachable API: loading must not call it.
    env = {**os.environ, "FIVETRAN_API_URL": "http://127.0.0.1:9/unreachable"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert loaded["key"] == ["postgres", "snowflake", "pg_prod_public", "orders"]
    assert loaded["group"] == "pg_prod"  # the per-connection override
    assert loaded["owners"] == ["dba@example.com"]
    assert loaded["team"] == "data-platform"
    assert loaded["sensors"] == 1 and loaded["retries"] == 3
    assert any(k.startswith("fivetran/crm/") for k in loaded["keys"])  # salesforce override


def test_a_package_generated_by_0_1_0_is_recognised_and_replaced(tmp_path: Path) -> None:
    # Its header line ended `DO NOT EDIT,` (now `DO NOT EDIT.`); its manifest marks it ours.
    work = tmp_path / "sample"
    shutil.copytree(GOLDEN / "sample", work, ignore=shutil.ignore_patterns("expected"))
    legacy = GOLDEN / "legacy_v0_1_0" / "fivetran_defs"
    shutil.copytree(legacy, work / "expected" / "fivetran_defs")
    run = run_cli("generate", cwd=work)
    assert run.code == 0, run.stderr
    assert tree(work / "expected" / "fivetran_defs") == tree(
        GOLDEN / "sample" / "expected" / "fivetran_defs"
    )


JOBS_TOML = {
    "nightly": '[[tool.fivetran-codegen.jobs]]\nname = "nightly"\nconnections = ["*"]\ncron = "0 2 * * *"\n',
    # Its identifier is a connection module's name: the variable gets `_job`.
    "salesforce": '[[tool.fivetran-codegen.jobs]]\nname = "salesforce"\nconnections = ["salesforce"]\n',
    "SALESFORCE": '[[tool.fivetran-codegen.jobs]]\nname = "SALESFORCE"\ngroups = ["hubspot"]\n',
}


def test_jobs_are_variables_named_after_them_and_their_order_in_the_toml_changes_nothing(
    tmp_path: Path,
) -> None:
    outputs = []
    for order in (["nightly", "salesforce", "SALESFORCE"], ["SALESFORCE", "salesforce", "nightly"]):
        work = project(tmp_path / "-".join(order), "".join(JOBS_TOML[name] for name in order))
        run = run_cli("generate", cwd=work)
        assert run.code == 0, run.stderr
        outputs.append(tree(work / "fivetran_defs"))
    assert outputs[0] == outputs[1]
    init = outputs[0]["__init__.py"]
    assert 'nightly = dg.define_asset_job(\n    "nightly",' in init
    # Jobs whose names clean alike (and are a module's name) are told apart by their names.
    assert 'salesforce_job__salesforce = dg.define_asset_job(\n    "salesforce",' in init
    assert "_job__" in init.split('"SALESFORCE"')[0].splitlines()[-2]
    assert '        name="nightly_schedule",\n        job=nightly,\n' in init
    assert "JOBS[" not in init


def _connection_modules(work: Path) -> set[str]:
    return {p.name for p in (work / "fivetran_defs" / "connections").glob("*.py")}


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ('include = ["salesforc"]', "include/exclude leave no connection to generate"),
        (
            'exclude = ["s*", "h*", "g*"]',
            "include/exclude would remove 5 of the 6 connection modules",
        ),
    ],
)
def test_a_selection_that_would_delete_most_of_the_package_is_refused(
    selection: str, expected: str, tmp_path: Path
) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    before = tree(work / "fivetran_defs")
    (work / "pyproject.toml").write_text(f"[tool.fivetran-codegen]\n{selection}\n")
    refused = run_cli("generate", cwd=work)
    assert refused.code == 2, refused.stderr
    assert expected in refused.stderr and selection.split(" = ")[1] in refused.stderr
    assert "--force" in refused.stderr
    assert tree(work / "fivetran_defs") == before
    forced = run_cli("generate", "--force", cwd=work)
    assert forced.code == 0, forced.stderr
    assert " -" not in forced.stderr.split("files written, ")[1]  # no negative counts
    assert len(_connection_modules(work)) < 6


def test_a_selection_that_removes_a_few_connections_needs_no_force(tmp_path: Path) -> None:
    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    (work / "pyproject.toml").write_text('[tool.fivetran-codegen]\nexclude = ["github"]\n')
    done = run_cli("generate", cwd=work)
    assert done.code == 0, done.stderr
    assert "github.py" not in _connection_modules(work)
    assert "1 removed" in done.stderr and " -" not in done.stderr.split("files written, ")[1]


@pytest.mark.parametrize("value", ['"x"', "5", "[1]"])
def test_profiles_that_are_not_a_table_are_a_config_error(value: str, tmp_path: Path) -> None:
    work = project(tmp_path, f"profiles = {value}\n")
    done = run_cli("generate", cwd=work)
    assert done.code == 2 and "[tool.fivetran-codegen.profiles]" in done.stderr, done.stderr


def test_a_symlinked_output_is_written_through_into_its_target(tmp_path: Path) -> None:
    work = project(tmp_path / "work")
    target = tmp_path / "elsewhere" / "fivetran_defs"
    target.parent.mkdir()
    (work / "fivetran_defs").symlink_to(target, target_is_directory=True)
    for _ in range(2):  # creating the package, then updating it
        done = run_cli("generate", "--force", cwd=work)
        assert done.code == 0, done.stderr
        assert (work / "fivetran_defs").is_symlink()
        assert (target / "connections" / "salesforce.py").is_file()
        assert not [p for p in work.iterdir() if p.name.startswith(".fivetran_defs")]
        (work / "pyproject.toml").write_text('[tool.fivetran-codegen]\nkey_prefix = ["x"]\n')
    assert '"x", "salesforce"' in (target / "connections" / "salesforce.py").read_text()


def test_leftovers_of_a_killed_run_are_removed_by_the_next(tmp_path: Path) -> None:
    work = project(tmp_path)
    for name in (".fivetran_defs.new-0badc0de", ".fivetran_defs.old-0badc0de"):
        (work / name / "connections").mkdir(parents=True)
        (work / name / "connections" / "x.py").write_text("# half written\n")
    assert run_cli("generate", cwd=work).code == 0
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("dies", ["while staging", "after retiring the old package"])
def test_what_a_killed_run_leaves_behind_is_ignored_by_git(
    dies: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fivetran_codegen.output import write_or_check

    work = project(tmp_path)
    assert run_cli("generate", cwd=work).code == 0
    (work / "fivetran_defs" / "notes.md").write_text("mine\n")  # carried over by each run
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)
    git_as = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git_as, "commit", "-qm", "generated"], cwd=work, check=True)
    (work / "pyproject.toml").write_text('[tool.fivetran-codegen]\nkey_prefix = ["x"]\n')

    class Killed(BaseException):
        pass

    def kill(*_: object, **__: object) -> None:
        raise Killed

    write = write_or_check._write

    def write_then_die(target: Path, text: str) -> None:
        if target.suffix == ".py":  # the first module: staging already holds other files
            raise Killed
        write(target, text)

    # A SIGKILL runs no cleanup: the copies stay where the run left them.
    monkeypatch.setattr(write_or_check, "_remove_tree", lambda _: None)
    if dies == "while staging":
        monkeypatch.setattr(write_or_check, "_write", write_then_die)
    else:
        monkeypatch.setattr(write_or_check, "_unignore", kill)
    with pytest.raises(Killed):
        run_cli("generate", cwd=work)
    left = sorted(
        p.name.split("-")[0] for p in work.iterdir() if p.name.startswith(".fivetran_defs.")
    )
    # Between the two renames the package itself is gone: only the copies hold it.
    expected = (
        [".fivetran_defs.new"]
        if dies == "while staging"
        else [".fivetran_defs.new", ".fivetran_defs.old"]
    )
    assert left == expected
    staged = next(p for p in work.iterdir() if p.name.startswith(".fivetran_defs.new"))
    assert (staged / "notes.md").is_file()  # something git would otherwise pick up
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=work, capture_output=True, text=True, check=True
    ).stdout
    assert not [line for line in status.splitlines() if ".fivetran_defs." in line]
    if dies == "while staging":
        assert status.splitlines() == ["M  pyproject.toml"]  # the package is as it was, too

    monkeypatch.undo()
    assert run_cli("generate", cwd=work).code == 0
    assert not [p for p in work.iterdir() if p.name.startswith(".fivetran_defs.")]
    assert (work / "fivetran_defs" / "notes.md").read_text() == "mine\n"
    assert (
        '"x", "salesforce"'
        in (work / "fivetran_defs" / "connections" / "salesforce.py").read_text()
    )


def test_a_second_generate_on_the_same_output_is_refused_while_one_writes(tmp_path: Path) -> None:
    from fivetran_codegen.output import lock

    work = project(tmp_path)
    with lock.exclusive(work / "fivetran_defs"):
        # flock is per open file: a second open, as another process's, conflicts.
        done = run_cli("generate", cwd=work)
    assert done.code == 2, done.stderr
    assert "another fivetran-codegen generate is writing this package" in done.stderr
    assert not (work / "fivetran_defs").exists()
    assert run_cli("generate", cwd=work).code == 0


def test_an_output_whose_parent_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    work = project(tmp_path, 'output = "a_file/fivetran_defs"\n')
    (work / "a_file").write_text("not a folder\n")
    done = run_cli("generate", cwd=work)
    assert done.code == 2, done.stderr
    assert "cannot write the package" in done.stderr and "Traceback" not in done.stderr


def test_an_output_outside_the_project_is_a_warning(tmp_path: Path) -> None:
    work = project(tmp_path / "work", 'output = "../elsewhere/fivetran_defs"\n')
    done = run_cli("generate", cwd=work)
    assert done.code == 0, done.stderr
    assert "is outside the project folder" in done.stderr
    assert (tmp_path / "elsewhere" / "fivetran_defs" / "__init__.py").is_file()
    inside = run_cli("generate", cwd=project(tmp_path / "inside"))
    assert "outside the project" not in inside.stderr
