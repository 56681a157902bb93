#!/usr/bin/env python3
"""The support range, tested: the corners of what the pyproject files claim, each in a fresh
virtualenv, running the tests that touch Dagster and the interpreter.

    python3 .ci/support_range.py           # both legs (.ci/run runs it after the main suite)
    python3 .ci/support_range.py lowest    # one leg: lowest or newest

- lowest: the oldest Python `requires-python` claims, every dependency of both distributions at
  the lower bound its pyproject claims (`dagster>=1.10` -> `dagster==1.10`, ...), as pip
  constraints derived here, so raising a bound in a pyproject moves the pin with it.
- newest: the newest Python this suite supports (NEWEST_PYTHON), the newest release of everything.

The main suite (.ci/run: `python3`, the `test` extra's pins) is the third corner. The interpreters
come from pyenv (`pyenv prefix X.Y`) or `pythonX.Y` on PATH; a missing one fails the run, it is
never skipped. Needs Python 3.11+ itself (tomllib), as `python3` in .ci/run is.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import tomllib  # 3.11+: this runs on .ci/run's python3, not on the lowest leg's Python

ROOT = Path(__file__).resolve().parents[1]
PYPROJECTS = (ROOT / "pyproject.toml", ROOT / "runtime" / "pyproject.toml")
# The newest CPython the project is tested on; raise it when a newer one is installed here.
NEWEST_PYTHON = "3.13"
# From the `test` extra, only what the selection below needs; the extra's other entries pin a
# newer dagster (dagster-fivetran, dagster-dg-cli, create-dagster) and cannot install beside 1.10.
TEST_TOOLS = ("pytest", "pytest-timeout", "pytest-xdist", "hypothesis", "mypy", "ruff")
# The tests, by path. Explicit on purpose: a test added to these files runs here too, and one that
# needs the `test` extra's pins fails here (an import error), it is not skipped; any skip fails
# the leg (see `run_tests`). Keep tests that need dagster-fivetran or dg out of these files, or
# deselect them below by name.
#
# Both legs: what touches Dagster or the interpreter.
TESTS = (
    # generate every golden case and compare byte for byte with the committed files (written by
    # the main suite's Python): the output is the same on every interpreter
    "tests/output/test_generate.py::test_golden_cases",
    # load them: dagster definitions validate, without any API call, jobs and schedules, two
    # workspaces' packages together, generated_example/ and its walk-through
    "tests/output/test_generate.py::test_loading_the_package_builds_the_assets_without_any_api_call",
    "tests/plan/test_profiles_and_jobs.py::test_jobs_and_schedules_from_config",
    "tests/plan/test_profiles_and_jobs.py::test_two_workspaces_generate_two_packages_that_load_together",
    "tests/test_generated_example.py",
    # the runtime: sync, reschedules, resync, the sensor, 0.1.0's output, the version check, and
    # its REST layer (retries, backoff, Retry-After, errors)
    "tests/runtime/test_sync.py",
    "tests/runtime/test_schema_drift.py",
    "tests/runtime/test_sensor.py",
    "tests/runtime/test_legacy_generated_code.py",
    "tests/runtime/test_versions.py",
    "tests/runtime/rest",
    # the whole job in one command: snapshot, generate, load, materialize, a sensor tick
    "tests/cli/test_demo.py",
    # any Unicode in literals, comments, docstrings and names: what is printable is Unicode
    # 13.0's on every Python (the table is checked on 3.10), and the modules compile (3.13)
    "tests/test_unicode13.py",
    "tests/render/test_literals.py",
    "tests/render/test_hostile_input.py",
    # translators and table settings: dagster's AssetSpec, metadata values, conditions and
    # partitions written as code and read back (freshness policies refused before 1.11)
    "tests/plan/test_translate.py",
    # freshness from schedules: the policies on 1.11 and newer, the refusal before
    "tests/plan/test_freshness.py",
)
# The lowest leg also: what touches the other lower bounds (the newest leg has the main suite's
# versions of these, only on another Python).
AT_LOWER_BOUNDS = (
    # mypy --strict of the generated code against dagster 1.10's types (and ruff, validate)
    "tests/output/test_generate.py::test_generated_code_passes_ruff_mypy_strict_and_dagster_validate",
    # the snapshot: crawl (requests, urllib3), the codec and its JSON Schema (jsonschema, orjson)
    "tests/snapshot",
    # the libcst codemod, but for the one test that compares with dagster-fivetran itself
    "tests/migrate/test_migrate.py",
    # the command group on click's lowest version: commands imported when run, exit codes
    "tests/cli/test_exit_codes.py",
)
NEEDS_THE_TEST_PINS = (
    "tests/migrate/test_migrate.py::test_workspace_field_table_matches_both_libraries",
    "tests/plan/test_translate.py::test_a_dagster_fivetran_subclass_is_refused_with_the_fix",
)


class SupportRangeError(Exception):
    """Something to fix before the support range can run; the message says what and how."""


@dataclass(frozen=True)
class Leg:
    name: str
    python: str  # "3.10"
    pinned_to_lower_bounds: bool
    tests: tuple[str, ...]
    deselected: tuple[str, ...] = ()

    @property
    def venv(self) -> Path:
        return ROOT / f".venv-py{self.python}-{self.name}"


@dataclass(frozen=True)
class Outcome:
    leg: Leg
    python_version: str
    versions: dict[str, str]
    tests: int
    test_seconds: float


def main(argv: list[str]) -> int:
    try:
        claims = Claims.read()
        legs = {
            "lowest": Leg(
                "lowest",
                claims.oldest_python,
                pinned_to_lower_bounds=True,
                tests=TESTS + AT_LOWER_BOUNDS,
                deselected=NEEDS_THE_TEST_PINS,
            ),
            "newest": Leg(
                "newest",
                NEWEST_PYTHON,
                pinned_to_lower_bounds=False,
                tests=TESTS,
                deselected=tuple(t for t in NEEDS_THE_TEST_PINS if t.startswith(TESTS)),
            ),
        }
        chosen = argv or list(legs)
        unknown = [name for name in chosen if name not in legs]
        if unknown:
            raise SupportRangeError(
                f"unknown leg {', '.join(unknown)}; choose from {', '.join(legs)}"
            )
        started = time.monotonic()
        install_all([legs[name] for name in chosen], claims)
        install_seconds = time.monotonic() - started
        outcomes = [run_leg(legs[name], claims) for name in chosen]
    except SupportRangeError as exc:
        print(f"support range: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"support range: `{' '.join(map(str, exc.cmd))}` failed", file=sys.stderr)
        return 1
    print(
        f"\nsupport range: every leg passed (virtualenvs installed in {install_seconds:.0f} s)",
        file=sys.stderr,
    )
    for outcome in outcomes:
        pins = ", ".join(f"{name} {version}" for name, version in outcome.versions.items())
        print(
            f"  {outcome.leg.name}: Python {outcome.python_version}; {pins}; "
            f"{outcome.tests} tests passed in {outcome.test_seconds:.0f} s",
            file=sys.stderr,
        )
    return 0


@dataclass(frozen=True)
class Claims:
    """What both pyproject files claim: the oldest Python, each dependency's lower bound."""

    oldest_python: str
    lower_bounds: dict[str, str]  # requirement text as pip reads it, e.g. "dagster==1.10"
    test_tools: tuple[str, ...]  # the TEST_TOOLS requirements as the `test` extra writes them

    @classmethod
    def read(cls) -> Claims:
        pythons: dict[str, str] = {}
        bounds: dict[str, dict[str, str]] = {}
        for path in PYPROJECTS:
            project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
            where = path.relative_to(ROOT)
            requires = project.get("requires-python", "")
            found = re.fullmatch(r">=\s*(3\.\d+)", requires)
            if found is None:
                raise SupportRangeError(
                    f"{where}: requires-python {requires!r} is not `>=3.X`; "
                    "the lowest leg reads the oldest Python from it"
                )
            pythons[str(where)] = found[1]
            for requirement in project["dependencies"]:
                name, pin = lower_bound(requirement, where=where)
                if pin is not None:
                    bounds.setdefault(name, {})[str(where)] = pin
        if len(set(pythons.values())) != 1:
            raise SupportRangeError(
                f"the distributions claim different oldest Pythons ({pythons}); make them agree"
            )
        for name, pins in bounds.items():
            if len(set(pins.values())) != 1:
                raise SupportRangeError(
                    f"{name}'s lower bound differs between {pins}; the generator and the runtime "
                    "claim one range, make them agree"
                )
        extra = tomllib.loads(PYPROJECTS[0].read_text(encoding="utf-8"))["project"][
            "optional-dependencies"
        ]["test"]
        tools = tuple(r for r in extra if requirement_name(r) in TEST_TOOLS)
        missing = set(TEST_TOOLS) - {requirement_name(r) for r in tools}
        if missing:
            raise SupportRangeError(
                f"pyproject.toml's `test` extra has no {', '.join(sorted(missing))}; "
                "update TEST_TOOLS in .ci/support_range.py"
            )
        return cls(
            oldest_python=next(iter(pythons.values())),
            lower_bounds={name: next(iter(pins.values())) for name, pins in sorted(bounds.items())},
            test_tools=tools,
        )


def requirement_name(requirement: str) -> str:
    found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return "" if found is None else re.sub(r"[-_.]+", "-", found[1]).lower()


def lower_bound(requirement: str, *, where: Path) -> tuple[str, str | None]:
    """`dagster>=1.10,<2` -> ("dagster", "dagster==1.10"); an exact pin (the runtime, installed
    from the checkout) has no bound to test -> (name, None). A dependency with no lower bound
    is a claim nothing tests, so it is an error."""
    name = requirement_name(requirement)
    spec, _, marker = requirement.partition(";")
    if "==" in spec:
        return name, None
    found = re.search(r">=\s*([0-9][0-9.]*)", spec)
    if found is None:
        raise SupportRangeError(
            f"{where}: {requirement!r} has no lower bound (`>=`); give it the oldest version "
            "that works, the lowest leg installs it"
        )
    return name, f"{name}=={found[1]}" + (f"; {marker.strip()}" if marker else "")


def find_python(version: str) -> Path:
    """The interpreter for `version` from pyenv, else `pythonX.Y` on PATH; never a fallback to
    another version."""
    candidates: list[Path] = []
    if shutil.which("pyenv"):
        done = subprocess.run(
            ["pyenv", "prefix", version], capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            candidates.append(Path(done.stdout.strip()) / "bin" / f"python{version}")
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        done = subprocess.run(
            [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip() == version:
            return candidate
    raise SupportRangeError(
        f"Python {version} is not installed (neither `pyenv prefix {version}` nor "
        f"`python{version}` on PATH finds it); install it, e.g. `pyenv install {version}`"
    )


def install_all(legs: list[Leg], claims: Claims) -> None:
    """A fresh virtualenv per leg, installed side by side (pip mostly waits on the disk): both
    distributions from the checkout, the test tools, and on the lowest leg the lower bounds."""
    pythons = {leg.name: find_python(leg.python) for leg in legs}  # all found before any work
    running: list[tuple[Leg, subprocess.Popen[bytes], Path]] = []
    for leg in legs:
        subprocess.run([str(pythons[leg.name]), "-m", "venv", "--clear", str(leg.venv)], check=True)
        install = [str(leg.venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        install += ["--disable-pip-version-check", "-e", "./runtime", "-e", "."]
        install += claims.test_tools
        if leg.pinned_to_lower_bounds:
            constraints = leg.venv / "lower-bounds.txt"
            constraints.write_text("".join(f"{pin}\n" for pin in claims.lower_bounds.values()))
            install += ["--constraint", str(constraints)]
        log = leg.venv / "install.log"
        with log.open("wb") as out:
            running.append((leg, subprocess.Popen(install, cwd=ROOT, stdout=out, stderr=out), log))
    failed = [(leg, log) for leg, process, log in running if process.wait() != 0]
    for _, log in failed:
        print(log.read_text(errors="replace"), file=sys.stderr)
    if failed:
        raise SupportRangeError(
            "pip could not install "
            + ", ".join(
                f"the {leg.name} leg (its log is above and in {log})" for leg, log in failed
            )
        )


def run_leg(leg: Leg, claims: Claims) -> Outcome:
    print(f"\n=== support range, {leg.name}: Python {leg.python} ===", file=sys.stderr)
    if leg.pinned_to_lower_bounds:
        print(f"lower bounds: {', '.join(claims.lower_bounds.values())}", file=sys.stderr)
    installed = installed_versions(leg, ["dagster", *claims.lower_bounds])
    print(
        "installed: " + ", ".join(f"{name} {version}" for name, version in installed.items()),
        file=sys.stderr,
    )
    if leg.pinned_to_lower_bounds:
        check_at_lower_bounds(installed, claims)
    started = time.monotonic()
    tests = run_tests(leg)
    return Outcome(
        leg=leg,
        python_version=interpreter_version(leg),
        versions=installed,
        tests=tests,
        test_seconds=time.monotonic() - started,
    )


def installed_versions(leg: Leg, names: list[str]) -> dict[str, str]:
    script = (
        "import sys\nfrom importlib.metadata import version, PackageNotFoundError\n"
        "for name in sys.argv[1:]:\n"
        "    try: print(name, version(name))\n"
        "    except PackageNotFoundError: print(name, '-')\n"
    )
    done = subprocess.run(
        [str(leg.venv / "bin" / "python"), "-c", script, *dict.fromkeys(names)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


def check_at_lower_bounds(installed: dict[str, str], claims: Claims) -> None:
    """The constraints hold every dependency at its bound; a marker-excluded one (tomli on 3.11+)
    is absent. Anything else means pip did not do what the leg claims to test."""
    for name, pin in claims.lower_bounds.items():
        wanted = pin.split("==", 1)[1].split(";", 1)[0].strip()
        got = installed.get(name, "-")
        if got != "-" and release(got) != release(wanted):
            raise SupportRangeError(f"{name} {got} is installed, not its lower bound {wanted}")


def release(version: str) -> tuple[int, ...]:
    numbers = [int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3]]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def interpreter_version(leg: Leg) -> str:
    done = subprocess.run(
        [
            str(leg.venv / "bin" / "python"),
            "-c",
            "import platform; print(platform.python_version())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def run_tests(leg: Leg) -> int:
    """The selection in the leg's virtualenv; returns how many passed. A skipped test fails the
    leg: on this range a skip would be an untested claim."""
    report = leg.venv / "junit.xml"
    subprocess.run(
        [
            str(leg.venv / "bin" / "python"),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            *leg.tests,
            *(f"--deselect={test}" for test in leg.deselected),
        ],
        cwd=ROOT,
        check=True,
    )
    cases = list(ET.parse(report).getroot().iter("testcase"))
    skipped = [
        f"{case.get('classname')}.{case.get('name')}"
        for case in cases
        if case.find("skipped") is not None
    ]
    if skipped:
        raise SupportRangeError(
            f"{leg.name}: {len(skipped)} test(s) skipped, which would leave a claim untested: "
            + ", ".join(skipped)
        )
    return len(cases)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
