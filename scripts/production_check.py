"""The production-style check: a fresh virtualenv with the runtime alone runs generated code.

    python3 scripts/production_check.py [--keep]

In a new virtualenv in a temporary directory it installs `./runtime` only (a regular install,
not editable, and not the generator), then checks that `fivetran_codegen` is not importable and
that ruff, libcst, jsonschema and orjson are not installed. In that environment it starts the
Fivetran API simulator in a process of its own, validates `generated_example/`'s code location
(copied out of the checkout) with `dagster definitions validate`, materializes the salesforce
connection with `dagster asset materialize` into a real Dagster instance ($DAGSTER_HOME in the
temporary directory), and reads the materializations back from that instance.

pip needs a package index or its cache for dagster, so this is not part of the test run. Exit
status 0 when every step passed; `--keep` keeps the temporary directory for a look.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "generated_example"
CONNECTION = "salesforce"
GENERATOR_ONLY = ("ruff", "libcst", "jsonschema", "orjson")

# Run in the production venv: the generator and its dependencies must be absent.
ABSENT = f"""
import importlib.metadata, importlib.util, sys
import fivetran_codegen_runtime
assert "site-packages" in fivetran_codegen_runtime.__file__, fivetran_codegen_runtime.__file__
try:
    import fivetran_codegen
except ModuleNotFoundError as exc:
    print(f"  import fivetran_codegen: {{exc}}")
else:
    sys.exit(f"the generator is importable: {{fivetran_codegen.__file__}}")
for name in {GENERATOR_ONLY!r}:
    if importlib.util.find_spec(name) is not None:
        sys.exit(f"{{name}} is importable")
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        continue
    sys.exit(f"{{name}} is installed")
print(f"  fivetran-codegen-runtime {{fivetran_codegen_runtime.__version__}} from "
      f"{{fivetran_codegen_runtime.__file__}}; not installed: {", ".join(GENERATOR_ONLY)}")
"""

# The simulator, as users' own tests can run it: the sample workspace on a free port.
SIMULATOR = """
import sys
from fivetran_codegen_runtime.testing import serve
serve(0, "sample", sync_duration=0.5, on_ready=lambda sim: print(sim.url, flush=True))
"""

# Reads the materializations back from the instance the run wrote to.
RECORDED = f"""
import sys
import dagster as dg
from fivetran_defs.connections import {CONNECTION} as module
instance = dg.DagsterInstance.get()
want = {{spec.key for spec in module.SPECS}}
got = {{key for key in want if instance.get_latest_materialization_event(key) is not None}}
if got != want:
    sys.exit(f"materialized {{sorted(got)}}, expected {{sorted(want)}}")
print(f"  {{len(got)}} materializations in {{instance.root_directory}}: "
      + ", ".join(sorted(key.to_user_string() for key in got)))
"""


def step(
    title: str, command: Sequence[str | Path], *, env: dict[str, str], cwd: Path | None = None
) -> str:
    """Run one step, print its title, time and output; stop the check when it fails."""
    started = time.monotonic()
    done = subprocess.run(
        [str(part) for part in command],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    print(f"[{time.monotonic() - started:6.1f}s] {title}")
    if done.returncode != 0:
        print(done.stdout + done.stderr, file=sys.stderr)
        sys.exit(f"production check FAILED at: {title}")
    output: str = done.stdout
    if output.strip():
        print(output.rstrip())
    return output


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="fivetran-production-check-"))
    venv = work / "venv"
    python = venv / "bin" / "python"
    project = work / "project"
    dagster_home = work / "dagster_home"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text("")
    for package in ("fivetran_defs", "example_project"):
        ignore = shutil.ignore_patterns("__pycache__", ".fivetran-codegen-cache.json")
        shutil.copytree(EXAMPLE / package, project / package, ignore=ignore)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIVETRAN_", "PYTHON"))}
    env.pop("VIRTUAL_ENV", None)
    env.update(PYTHONPATH=str(project), DAGSTER_HOME=str(dagster_home))
    simulator: subprocess.Popen[str] | None = None
    try:
        step("a fresh virtualenv", [sys.executable, "-m", "venv", venv], env=env)
        step(
            "pip install ./runtime (only the runtime, not editable)",
            [python, "-m", "pip", "install", "--quiet", ROOT / "runtime"],
            env=env,
            cwd=work,
        )
        step("the generator and its own dependencies are absent", [python, "-c", ABSENT], env=env)

        simulator = subprocess.Popen(
            [python, "-c", SIMULATOR], env=env, stdout=subprocess.PIPE, text=True, cwd=work
        )
        assert simulator.stdout is not None
        url = simulator.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            sys.exit(f"production check FAILED: the simulator did not start ({url!r})")
        print(f"[   ...] the simulator serves the sample workspace at {url}")
        env.update(
            FIVETRAN_API_URL=url, FIVETRAN_API_KEY="sim-key", FIVETRAN_API_SECRET="sim-secret"
        )

        dagster = venv / "bin" / "dagster"
        location = ["-m", "example_project.definitions"]
        step(
            "dagster definitions validate (the generated package + the project's own asset)",
            [dagster, "definitions", "validate", *location],
            env=env,
            cwd=project,
        )
        step(
            f"dagster asset materialize --select group:{CONNECTION} (syncs on the simulator)",
            [dagster, "asset", "materialize", *location, "--select", f"group:{CONNECTION}"],
            env=env,
            cwd=project,
        )
        step("the instance recorded every table", [python, "-c", RECORDED], env=env, cwd=work)
    finally:
        if simulator is not None:
            simulator.terminate()
            simulator.wait(timeout=30)
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"production check passed in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
