"""The recipes work as shipped: the pre-commit hook, the GitHub Actions workflows, .gitattributes.

Everything runs for real in temporary git repositories: pre-commit itself, `git commit`, and each
`run:` step of the workflows in a bash shell like the runner's, against the simulator. What only
GitHub can do (the `uses:` actions) is listed in SKIPPED_ACTIONS with what stands in for it here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from fivetran_codegen_runtime.testing import FivetranSimulator

from tests.conftest import run_cli

REPO = Path(__file__).resolve().parents[1]
HOOKS_MANIFEST = REPO / ".pre-commit-hooks.yaml"
WORKFLOWS = REPO / "examples" / "github-actions"
GITATTRIBUTES = REPO / "examples" / "gitattributes"
SAMPLE = REPO / "tests" / "golden" / "sample" / "fivetran_snapshot.json"
EXAMPLE_PROJECT = REPO / "generated_example"
VENV_BIN = Path(sys.executable).parent
PRE_COMMIT = VENV_BIN / "pre-commit"
HOOK_ID = "fivetran-codegen-check"

# The `uses:` steps the workflow tests do not run, and what stands in for each of them.
SKIPPED_ACTIONS: dict[str, str] = {
    "actions/checkout": "the temporary git repository is the checkout",
    "actions/setup-python": "a throwaway virtualenv on PATH that sees this venv's packages",
    "peter-evans/create-pull-request": "the test commits the changes and reads the body file",
}

Document = dict[str, Any]


# -- processes and git --------------------------------------------------------------------------


def base_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment without Fivetran credentials, with git isolated from the user's config."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FIVETRAN_", "GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))
    }
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        PATH=os.pathsep.join([str(VENV_BIN), env.get("PATH", "/usr/bin:/bin")]),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.com",
    )
    env.update(extra)
    return env


def run(
    args: Sequence[str | Path], cwd: Path, env: Mapping[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(cwd: Path, env: Mapping[str, str], *args: str) -> str:
    done = run(["git", *args], cwd, env)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def init_repo(cwd: Path, env: Mapping[str, str], message: str = "initial") -> str:
    git(cwd, env, "init", "-q", "-b", "main")
    git(cwd, env, "add", "-A")
    git(cwd, env, "commit", "-q", "--no-verify", "-m", message)
    return git(cwd, env, "rev-parse", "HEAD").strip()


# -- projects -----------------------------------------------------------------------------------


def edit_snapshot(path: Path, change: Callable[[Document], None]) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def pg_prod_table(document: Document, table: str) -> Document:
    pg_prod = next(c for c in document["connections"] if c["name"] == "pg_prod")
    found: Document = pg_prod["schema_config"]["schemas"]["public"]["tables"][table]
    return found


def enable_audit_log(document: Document) -> None:
    pg_prod_table(document, "audit_log")["enabled"] = True


def generate(project: Path, *args: str) -> None:
    done = run_cli("generate", *args, cwd=project)
    assert done.code == 0, done.stdout + done.stderr


def sample_project(root: Path) -> Path:
    """The sample snapshot and the package generated from it, with the default settings."""
    root.mkdir(parents=True)
    shutil.copy(SAMPLE, root / "fivetran_snapshot.json")
    (root / "pyproject.toml").write_text(
        '[tool.fivetran-codegen]\nsnapshot = "fivetran_snapshot.json"\noutput = "fivetran_defs"\n'
    )
    generate(root)
    return root


# -- the pre-commit hook ------------------------------------------------------------------------


def published_hook() -> Document:
    hooks = yaml.safe_load(HOOKS_MANIFEST.read_text())
    assert [h["id"] for h in hooks] == [HOOK_ID]
    hook: Document = hooks[0]
    return hook


def system_hook() -> Document:
    """The published hook run by this venv's `fivetran-codegen`: no environment to install."""
    hook = {**published_hook(), "language": "system"}
    del hook["additional_dependencies"]
    return hook


def test_the_hook_manifest_runs_generate_check_on_the_files_that_matter() -> None:
    hook = published_hook()
    assert hook["entry"] == "fivetran-codegen generate --check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in (
        "fivetran_snapshot.json",
        "pyproject.toml",
        "fivetran_defs/__init__.py",
        "fivetran_defs/_manifest.json",
        "fivetran_defs/connections/github.py",
        "warehouse/fivetran_snapshot.json",
        "src/my_project/defs/fivetran/connections/github.py",
    ):
        assert files.search(path), path
    for path in ("README.md", "my_project/definitions.py", "src/my_project/defs/other.py"):
        assert not files.search(path), path


def commit(project: Path, env: Mapping[str, str], message: str) -> subprocess.CompletedProcess[str]:
    git(project, env, "add", "-A")
    return run(["git", "commit", "-m", message], project, env)


@pytest.mark.e2e
def test_the_hook_blocks_a_commit_whose_generated_package_is_stale(tmp_path: Path) -> None:
    """The published hook's entry, files and pass_filenames, as a `language: system` local hook.

    pre-commit builds a `language: python` hook's environment by pip-installing this repository
    from a package index; this test runs offline with the same hook definition, the command
    resolved from this venv. The next test builds the real environment.
    """
    env = base_env(tmp_path / "home", PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    project = sample_project(tmp_path / "project")
    local_hook = system_hook()
    config = {"repos": [{"repo": "local", "hooks": [local_hook]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    init_repo(project, env)
    installed = run([PRE_COMMIT, "install"], project, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    everything = run([PRE_COMMIT, "run", "--all-files"], project, env)
    assert everything.returncode == 0, everything.stdout + everything.stderr
    assert re.search(r"generate --check\.+Passed", everything.stdout)

    (project / "README.md").write_text("Not a file the hook looks at.\n")
    unrelated = commit(project, env, "readme")
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr
    assert re.search(
        r"generate --check\.+\(no files to check\)Skipped", unrelated.stdout + unrelated.stderr
    )

    head = git(project, env, "rev-parse", "HEAD")
    edit_snapshot(project / "fivetran_snapshot.json", enable_audit_log)
    stale = commit(project, env, "snapshot without regenerating")
    output = stale.stdout + stale.stderr
    assert stale.returncode != 0, output
    assert re.search(r"generate --check\.+Failed", output)
    assert "- exit code: 1" in output
    assert "+++ " in output and '"audit_log"' in output  # the diff of the stale module
    assert "is out of date" in output
    assert git(project, env, "rev-parse", "HEAD") == head

    generate(project)
    regenerated = commit(project, env, "snapshot and package")
    assert regenerated.returncode == 0, regenerated.stdout + regenerated.stderr
    assert re.search(r"generate --check\.+Passed", regenerated.stdout + regenerated.stderr)


def readme_files_override() -> str:
    """The `files:` pattern the README gives for other outputs and profiles, as written there."""
    readme = (REPO / "README.md").read_text()
    found = re.search(r"`files: ([^`]+)`", readme)
    assert found is not None, "the README no longer shows a files: override"
    return found.group(1)


@pytest.mark.e2e
def test_the_readmes_files_override_guards_profile_packages(tmp_path: Path) -> None:
    env = base_env(tmp_path / "home", PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    project = tmp_path / "project"
    shutil.copytree(
        REPO / "tests" / "golden" / "workspaces", project, ignore=shutil.ignore_patterns("expected")
    )
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('output = "expected/', 'output = "'))
    generate(project)
    local_hook = {**system_hook(), "files": readme_files_override()}
    config = {"repos": [{"repo": "local", "hooks": [local_hook]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    init_repo(project, env)
    assert run([PRE_COMMIT, "install"], project, env).returncode == 0

    module = project / "fivetran_eu" / "connections" / "hubspot.py"
    module.write_text(module.read_text().replace('group_name="eu_hubspot"', 'group_name="x"', 1))
    edited = commit(project, env, "a hand edit in a profile's package")
    output = edited.stdout + edited.stderr
    assert edited.returncode != 0, output
    assert re.search(r"generate --check\.+Failed", output)
    assert "fivetran_eu/connections/hubspot.py was edited by hand" in output


def hook_repository(root: Path, env: Mapping[str, str]) -> Path:
    """This repository's source as it is in the work tree, committed in a git repository."""
    root.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("codegen", "runtime", "templates"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, root / name)
    init_repo(root, env, "hook source")
    return root


@pytest.mark.e2e
@pytest.mark.timeout(900)
def test_the_published_hook_installs_from_its_repository_and_runs(tmp_path: Path) -> None:
    """`pre-commit try-repo`: pre-commit clones the repository, pip-installs it into the hook's
    own virtualenv (this needs the package index, as for any `language: python` hook), and runs
    the entry there."""
    env = base_env(tmp_path / "home", PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    env["HOME"] = os.environ.get("HOME", str(tmp_path / "home"))  # pip's cache
    source = hook_repository(tmp_path / "hooks", env)
    project = sample_project(tmp_path / "project")
    init_repo(project, env)
    try_repo: list[str | Path] = [PRE_COMMIT, "try-repo", source, HOOK_ID, "--all-files"]

    fresh = run(try_repo, project, env, timeout=840)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert re.search(r"generate --check\.+Passed", fresh.stdout)

    edit_snapshot(project / "fivetran_snapshot.json", enable_audit_log)
    stale = run(try_repo, project, env)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert re.search(r"generate --check\.+Failed", stale.stdout)
    assert '"audit_log"' in stale.stdout and "is out of date" in stale.stdout


# -- the GitHub Actions workflows ---------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    run: str | None
    uses: str | None
    env: Mapping[str, str] = field(default_factory=dict)
    with_: Mapping[str, str] = field(default_factory=dict)

    @property
    def action(self) -> str | None:
        return self.uses.split("@", 1)[0] if self.uses else None


@dataclass(frozen=True)
class StepResult:
    step: Step
    code: int
    stdout: str
    stderr: str


def load_workflow(name: str) -> Document:
    loaded: dict[object, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 (PyYAML, not GitHub) reads the key `on` as the boolean true.
    return {"on" if key is True else str(key): value for key, value in loaded.items()}


def job_steps(workflow: Document) -> list[Step]:
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    steps = []
    for raw in job["steps"]:
        assert ("run" in raw) != ("uses" in raw), raw
        steps.append(
            Step(
                name=raw.get("name", raw.get("uses", "")),
                run=raw.get("run"),
                uses=raw.get("uses"),
                env={k: str(v) for k, v in raw.get("env", {}).items()},
                with_={k: str(v) for k, v in raw.get("with", {}).items()},
            )
        )
    return steps


EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def evaluate(text: str, expressions: Mapping[str, str]) -> str:
    """Substitute `${{ ... }}`; an expression the test does not know about fails the test."""

    def value(match: re.Match[str]) -> str:
        assert match[1] in expressions, f"no value for the expression {match[1]!r}"
        return expressions[match[1]]

    return EXPRESSION.sub(value, text)


def runner_python(root: Path) -> Path:
    """What setup-python gives: a `python` on PATH. Its packages are this venv's, through a .pth
    file, so `pip install` of the project's requirements finds them installed, offline."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(root), "platbase": str(root)}))
    ours = sysconfig.get_path("purelib")
    (purelib / "_this_venv.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    return root / "bin"


def runner_env(tmp_path: Path, project: Path, sim: FivetranSimulator) -> dict[str, str]:
    env = {k: v for k, v in base_env(tmp_path / "home").items() if not k.startswith("PIP_")}
    env.update(
        CI="true",
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(project),
        RUNNER_TEMP=str(tmp_path / "runner-temp"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "step-summary.md"),
        FIVETRAN_API_URL=sim.url,  # the simulator stands in for api.fivetran.com
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",  # nothing may be downloaded: the requirements are already installed
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    (tmp_path / "runner-temp").mkdir(exist_ok=True)
    python_bin = runner_python(tmp_path / "setup-python")
    env["PATH"] = os.pathsep.join([str(python_bin), env["PATH"]])
    return env


def run_workflow(
    steps: Iterable[Step], project: Path, env: Mapping[str, str], expressions: Mapping[str, str]
) -> list[StepResult]:
    """Run each `run:` step as the runner does (bash -eo pipefail), stopping at a failure."""
    results = []
    for step in steps:
        if step.uses is not None:
            assert step.action in SKIPPED_ACTIONS, f"{step.uses} is neither run nor stood in for"
            continue
        assert step.run is not None
        assert "${{" not in step.run, f"{step.name}: pass expressions through env:, not inline"
        step_env = {**env, **{k: evaluate(v, expressions) for k, v in step.env.items()}}
        shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step.run]
        done = run(shell, project, step_env)
        results.append(StepResult(step, done.returncode, done.stdout, done.stderr))
        if done.returncode != 0:
            break
    return results


def assert_all_passed(results: Sequence[StepResult], steps: Sequence[Step]) -> None:
    for result in results:
        assert result.code == 0, f"{result.step.name}: {result.stdout}{result.stderr}"
    assert [r.step for r in results] == [s for s in steps if s.run is not None]


def commands(steps: Iterable[Step]) -> list[str]:
    return [s.run.strip() for s in steps if s.run is not None]


SNAPSHOT_DIFF = 'fivetran-codegen diff HEAD --format markdown > "$RUNNER_TEMP/fivetran-pr-body.md"'
PULL_REQUEST_DIFF = 'fivetran-codegen diff "$BASE_SHA" --format markdown >> "$GITHUB_STEP_SUMMARY"'


def test_the_snapshot_workflow_is_nightly_and_opens_a_pull_request() -> None:
    workflow = load_workflow("fivetran-snapshot.yml")
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    assert len(workflow["on"]["schedule"][0]["cron"].split()) == 5
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}
    steps = job_steps(workflow)
    assert [s.action for s in steps if s.uses] == [
        "actions/checkout",
        "actions/setup-python",
        "peter-evans/create-pull-request",
    ]
    assert steps[-1].uses is not None  # the pull request is opened last, from the files above
    run_commands = commands(steps)
    assert run_commands[1:4] == [
        "fivetran-codegen snapshot",
        "fivetran-codegen generate",
        "dagster definitions validate",
    ]
    assert SNAPSHOT_DIFF in run_commands[4]
    # credentials come from secrets, and only the step that calls Fivetran sees them
    with_secrets = [s for s in steps if any("secrets." in v for v in s.env.values())]
    assert [s.run for s in with_secrets] == ["fivetran-codegen snapshot"]
    assert with_secrets[0].env == {
        "FIVETRAN_API_KEY": "${{ secrets.FIVETRAN_API_KEY }}",
        "FIVETRAN_API_SECRET": "${{ secrets.FIVETRAN_API_SECRET }}",
    }
    assert steps[-1].with_["body-path"] == "${{ runner.temp }}/fivetran-pr-body.md"


def test_the_check_workflow_runs_offline_on_pull_requests() -> None:
    text = (WORKFLOWS / "fivetran-check.yml").read_text()
    assert "secrets." not in text
    workflow = load_workflow("fivetran-check.yml")
    assert set(workflow["on"]) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    steps = job_steps(workflow)
    assert [s.action for s in steps if s.uses] == ["actions/checkout", "actions/setup-python"]
    run_commands = commands(steps)
    assert PULL_REQUEST_DIFF in run_commands[1]
    assert run_commands[2:] == ["fivetran-codegen generate --check", "dagster definitions validate"]


def example_repository(tmp_path: Path, env: Mapping[str, str], with_snapshot: bool) -> Path:
    """`generated_example/` with a requirements.txt, committed: with yesterday's snapshot (it
    lacks the pg_prod `orders` table, enabled in the workspace now) and the package generated from
    it, or without either, as before the first nightly run."""
    project = tmp_path / "repo"
    shutil.copytree(
        EXAMPLE_PROJECT,
        project,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".fivetran-codegen-cache.json"),
    )
    (project / "requirements.txt").write_text("fivetran-codegen\ndagster\n")
    if with_snapshot:
        edit_snapshot(
            project / "fivetran_snapshot.json",
            lambda d: pg_prod_table(d, "orders").update(enabled=False),
        )
        generate(project)
    else:
        (project / "fivetran_snapshot.json").unlink()
        shutil.rmtree(project / "fivetran_defs")
    init_repo(project, env)
    return project


def secrets_and_runner(sim: FivetranSimulator, env: Mapping[str, str]) -> dict[str, str]:
    return {
        "secrets.FIVETRAN_API_KEY": sim.api_key,
        "secrets.FIVETRAN_API_SECRET": sim.api_secret,
        "runner.temp": env["RUNNER_TEMP"],
    }


def open_pull_request(project: Path, env: Mapping[str, str], nightly: Sequence[Step]) -> str:
    """Stand-in for create-pull-request: commit everything on its branch; return the body."""
    git(project, env, "checkout", "-q", "-b", "fivetran/snapshot")
    git(project, env, "add", "-A")
    git(project, env, "commit", "-q", "-m", "Fivetran: refresh the snapshot and the package")
    return Path(
        evaluate(nightly[-1].with_["body-path"], {"runner.temp": env["RUNNER_TEMP"]})
    ).read_text()


@pytest.mark.e2e
def test_the_workflows_run_against_the_simulator(sim: FivetranSimulator, tmp_path: Path) -> None:
    """Nightly: yesterday's snapshot lacks a table the workspace now has. The snapshot workflow
    refreshes it, regenerates, and writes the pull-request body; the check workflow then passes on
    that pull request, and fails on one that changes the snapshot without regenerating."""
    env = runner_env(tmp_path, tmp_path / "repo", sim)
    assert "FIVETRAN_API_KEY" not in env  # only the workflow's `env:` gives the credentials
    project = example_repository(tmp_path, env, with_snapshot=True)
    yesterday = git(project, env, "rev-parse", "HEAD").strip()

    nightly = job_steps(load_workflow("fivetran-snapshot.yml"))
    assert_all_passed(run_workflow(nightly, project, env, secrets_and_runner(sim, env)), nightly)
    changed = git(project, env, "status", "--porcelain").splitlines()
    assert sorted(line[3:] for line in changed) == [
        "fivetran_defs/_manifest.json",
        "fivetran_defs/connections/pg_prod.py",
        "fivetran_snapshot.json",
    ]
    body = open_pull_request(project, env, nightly)
    assert "`pg_prod_public/orders`" in body, body
    assert "audit_log" not in body  # disabled in the workspace: no change

    check = job_steps(load_workflow("fivetran-check.yml"))
    on_pull_request = {"github.event.pull_request.base.sha": yesterday}
    assert_all_passed(run_workflow(check, project, env, on_pull_request), check)
    assert "`pg_prod_public/orders`" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()

    # A pull request that edits the snapshot by hand and forgets to regenerate.
    edit_snapshot(project / "fivetran_snapshot.json", enable_audit_log)
    git(project, env, "commit", "-qam", "enable audit_log")
    results = run_workflow(check, project, env, on_pull_request)
    failed = results[-1]
    assert commands([failed.step]) == ["fivetran-codegen generate --check"]
    assert failed.code == 1, failed.stdout + failed.stderr
    assert '"audit_log"' in failed.stdout and "is out of date" in failed.stderr
    assert all(r.code == 0 for r in results[:-1])


@pytest.mark.e2e
def test_the_first_nightly_run_adds_the_snapshot_and_the_package(
    sim: FivetranSimulator, tmp_path: Path
) -> None:
    """Before the first run nothing is committed to diff against; both workflows say so."""
    env = runner_env(tmp_path, tmp_path / "repo", sim)
    project = example_repository(tmp_path, env, with_snapshot=False)
    before = git(project, env, "rev-parse", "HEAD").strip()

    nightly = job_steps(load_workflow("fivetran-snapshot.yml"))
    assert_all_passed(run_workflow(nightly, project, env, secrets_and_runner(sim, env)), nightly)
    added = git(project, env, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert "?? fivetran_snapshot.json" in added
    assert "?? fivetran_defs/connections/salesforce.py" in added
    assert "first Fivetran snapshot" in open_pull_request(project, env, nightly)

    check = job_steps(load_workflow("fivetran-check.yml"))
    on_pull_request = {"github.event.pull_request.base.sha": before}
    assert_all_passed(run_workflow(check, project, env, on_pull_request), check)
    assert "adds the Fivetran snapshot" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()


DRIFT_CHECK = 'fivetran-codegen snapshot --check --no-progress | tee -a "$GITHUB_STEP_SUMMARY"'


def test_the_drift_workflow_is_nightly_reads_only_and_writes_nothing() -> None:
    workflow = load_workflow("fivetran-drift.yml")
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    assert workflow["permissions"] == {"contents": "read"}
    steps = job_steps(workflow)
    assert [s.action for s in steps if s.uses] == ["actions/checkout", "actions/setup-python"]
    assert commands(steps)[1:] == [DRIFT_CHECK]
    with_secrets = [s for s in steps if any("secrets." in v for v in s.env.values())]
    assert [s.run for s in with_secrets] == [DRIFT_CHECK]


@pytest.mark.e2e
def test_the_drift_workflow_fails_on_a_changed_workspace_and_passes_on_a_current_one(
    sim: FivetranSimulator, tmp_path: Path
) -> None:
    env = runner_env(tmp_path, tmp_path / "repo", sim)
    project = example_repository(tmp_path, env, with_snapshot=True)  # lacks pg_prod `orders`
    drift = job_steps(load_workflow("fivetran-drift.yml"))
    results = run_workflow(drift, project, env, secrets_and_runner(sim, env))
    failed = results[-1]
    assert commands([failed.step]) == [DRIFT_CHECK]
    assert failed.code == 1, failed.stdout + failed.stderr
    summary = Path(env["GITHUB_STEP_SUMMARY"])
    assert "orders" in summary.read_text() and "orders" in failed.stdout
    assert git(project, env, "status", "--porcelain") == ""  # nothing written

    assert run_cli("snapshot", cwd=project, sim=sim).code == 0  # brought up to date
    summary.unlink()
    assert_all_passed(run_workflow(drift, project, env, secrets_and_runner(sim, env)), drift)
    assert summary.read_text() == ""


# -- .gitattributes -----------------------------------------------------------------------------


def check_attr(project: Path, env: Mapping[str, str], paths: Sequence[str]) -> dict[str, str]:
    output = git(project, env, "check-attr", "linguist-generated", "--", *paths)
    values = {}
    for line in output.splitlines():
        path, _, value = line.rpartition(": linguist-generated: ")
        values[path] = value
    return values


def test_gitattributes_collapses_generated_code_and_keeps_the_snapshot_visible(
    tmp_path: Path,
) -> None:
    env = base_env(tmp_path / "home")
    project = sample_project(tmp_path / "project")  # fivetran_defs/, the default
    generate(project, "--out", "src/my_project/defs/fivetran")  # a dg project's defs folder
    (project / "my_project").mkdir()
    (project / "my_project" / "definitions.py").write_text("# the user's own code\n")
    (project / "src" / "my_project" / "defs" / "assets.py").write_text("# the user's own code\n")
    shutil.copy(GITATTRIBUTES, project / ".gitattributes")
    init_repo(project, env)

    tracked = git(project, env, "ls-files").splitlines()
    generated = [
        p for p in tracked if p.startswith(("fivetran_defs/", "src/my_project/defs/fivetran/"))
    ]
    assert "fivetran_defs/connections/github.py" in generated
    assert "src/my_project/defs/fivetran/_manifest.json" in generated
    values = check_attr(project, env, tracked)
    for path in tracked:
        expected = (
            "true"
            if path in generated
            else "false"
            if path == "fivetran_snapshot.json"
            else "unspecified"
        )
        assert values[path] == expected, path
