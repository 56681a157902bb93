"""Two distributions from one checkout: the runtime needs only what it declares, the generator
pins the runtime at its own version, and each wheel holds its own package and nothing else."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from email.parser import HeaderParser
from functools import cache
from importlib import metadata
from pathlib import Path

import fivetran_codegen
import fivetran_codegen_runtime
import pytest
import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = ROOT / "runtime"
RUNTIME_PACKAGE = RUNTIME / "fivetran_codegen_runtime"
GENERATOR_ONLY = ("fivetran_codegen", "libcst", "jsonschema", "orjson", "ruff")


def pyproject(path: Path) -> dict[str, object]:
    document: dict[str, object] = tomllib.loads((path / "pyproject.toml").read_text())
    project = document["project"]
    assert isinstance(project, dict)
    return project


def requirements(path: Path) -> list[Requirement]:
    dependencies = pyproject(path)["dependencies"]
    assert isinstance(dependencies, list)
    return [Requirement(line) for line in dependencies]


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_version(path: Path) -> str:
    """The `__version__ = "..."` line hatch reads (the pyproject's `[tool.hatch.version] path`)."""
    found = re.search(r'^__version__ = "([^"]+)"$', path.read_text(), re.MULTILINE)
    assert found, f"no __version__ line in {path}"
    return found[1]


# -- versions -----------------------------------------------------------------------------------


def test_generator_runtime_and_the_pin_share_one_version() -> None:
    pins = [r for r in requirements(ROOT) if normalized(r.name) == "fivetran-codegen-runtime"]
    assert len(pins) == 1, "the generator must depend on fivetran-codegen-runtime once"
    (pin,) = pins
    (spec,) = pin.specifier
    assert spec.operator == "==", f"pin the runtime exactly, not {pin}"
    versions = {
        "fivetran_codegen.__version__": fivetran_codegen.__version__,
        "pyproject.toml's fivetran-codegen-runtime pin": spec.version,
        "fivetran_codegen_runtime.__version__": fivetran_codegen_runtime.__version__,
    }
    assert len(set(versions.values())) == 1, f"bump them together: {versions}"


def test_both_pyprojects_read_their_version_from_the_package() -> None:
    # The version is written once per distribution: hatch reads it from the module's line.
    for root, module in (
        (ROOT, ROOT / "codegen" / "fivetran_codegen" / "__init__.py"),
        (RUNTIME, RUNTIME_PACKAGE / "_version.py"),
    ):
        document = tomllib.loads((root / "pyproject.toml").read_text())
        assert document["project"]["dynamic"] == ["version"]
        assert "version" not in document["project"]
        assert root / document["tool"]["hatch"]["version"]["path"] == module
    assert declared_version(ROOT / "codegen" / "fivetran_codegen" / "__init__.py") == (
        fivetran_codegen.__version__
    )
    assert declared_version(RUNTIME_PACKAGE / "_version.py") == fivetran_codegen_runtime.__version__


def test_the_installed_metadata_matches_the_checkout() -> None:
    # An editable install records the version it was installed at: a bump needs a reinstall.
    for name, version in (
        ("fivetran-codegen", fivetran_codegen.__version__),
        ("fivetran-codegen-runtime", fivetran_codegen_runtime.__version__),
    ):
        assert metadata.version(name) == version, (
            f"{name} is installed at {metadata.version(name)}, the checkout is at {version}: "
            "reinstall with `.venv/bin/pip install -e ./runtime -e '.[test]'`"
        )


def test_the_generator_pins_no_ruff_version_on_its_users() -> None:
    # Users pin their own ruff: the generator must install beside any of those pins.
    ruff = [r for r in requirements(ROOT) if normalized(r.name) == "ruff"]
    assert not [r for r in ruff if any(s.operator in ("==", "===") for s in r.specifier)], ruff


def import_generator(
    code: str, *, pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)  # ahead of the installed packages
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_generator_refuses_a_runtime_of_another_version(tmp_path: Path) -> None:
    old = tmp_path / "fivetran_codegen_runtime"
    old.mkdir()
    (old / "__init__.py").write_text('__version__ = "0.1.0"\n')
    done = import_generator("import fivetran_codegen", pythonpath=tmp_path)
    assert done.returncode != 0
    version = fivetran_codegen.__version__
    assert (
        f"ImportError: fivetran-codegen {version} needs fivetran-codegen-runtime {version}, "
        f"but 0.1.0 is installed (at {old / '__init__.py'}); "
        f"fix: pip install 'fivetran-codegen-runtime=={version}'"
    ) in done.stderr


def test_the_generator_names_a_missing_runtime() -> None:
    done = import_generator(
        "import sys; sys.modules['fivetran_codegen_runtime'] = None; import fivetran_codegen"
    )
    assert done.returncode != 0
    assert "fivetran-codegen-runtime" in done.stderr and "which is not installed" in done.stderr
    assert "pip install -e ./runtime -e ." in done.stderr


# -- the runtime's requirements -----------------------------------------------------------------


def test_the_runtime_declares_dagster_requests_and_urllib3_only() -> None:
    assert sorted(normalized(r.name) for r in requirements(RUNTIME)) == [
        "dagster",
        "requests",
        "urllib3",
    ]


@cache
def installed_closure(names: tuple[str, ...]) -> frozenset[str]:
    """The distributions `names` pull in, as installed here (markers evaluated, no extras)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = normalized(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return frozenset(seen)


def owners_by_file() -> dict[Path, str]:
    owners: dict[Path, str] = {}
    for dist in metadata.distributions():
        for file in dist.files or []:
            owners[Path(str(dist.locate_file(file))).resolve()] = normalized(dist.metadata["Name"])
    return owners


def is_stdlib_file(path: Path) -> bool:
    """Modules such as `_sysconfigdata_*` that are not in `sys.stdlib_module_names`."""
    stdlib = Path(sysconfig.get_path("stdlib")).resolve()
    return path.is_relative_to(stdlib) and "site-packages" not in path.parts


IMPORT_EVERYTHING = """
import json, pkgutil, sys
before = set(sys.modules)
import fivetran_codegen_runtime
for info in pkgutil.walk_packages(fivetran_codegen_runtime.__path__, "fivetran_codegen_runtime."):
    __import__(info.name)
for name in fivetran_codegen_runtime.__all__:
    getattr(fivetran_codegen_runtime, name)
print(json.dumps({
    name: getattr(module, "__file__", None)
    for name, module in sys.modules.items() if name not in before and module is not None
}))
"""


@pytest.mark.e2e
def test_every_runtime_module_imports_only_its_declared_requirements() -> None:
    """Each module the runtime imports is the standard library's, the runtime's own, or comes
    from a distribution that dagster, requests or urllib3 install: so `pip install
    fivetran-codegen-runtime` alone runs it, and the generator never gets imported."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    imported: dict[str, str | None] = json.loads(done.stdout)
    assert "fivetran_codegen_runtime.testing.simulator" in imported  # the walk reached it

    top_level = {name.partition(".")[0] for name in imported}
    for name in GENERATOR_ONLY:
        assert name not in top_level, f"the runtime imported {name}"

    allowed = installed_closure(tuple(r.name for r in requirements(RUNTIME)))
    owners = owners_by_file()
    outside = {}
    for name, file in sorted(imported.items()):
        top = name.partition(".")[0]
        if top in sys.stdlib_module_names or file is None:  # stdlib, builtins, namespaces
            continue
        path = Path(file).resolve()
        if path.is_relative_to(RUNTIME_PACKAGE) or is_stdlib_file(path):
            continue
        owner = owners.get(path)
        if owner not in allowed:
            outside[top] = owner or file  # one line per distribution
    assert not outside, f"imported from outside the runtime's requirements: {outside}"


def test_the_runtime_needs_none_of_the_generators_own_requirements() -> None:
    # The point of the split: these are installed for the generator only.
    allowed = installed_closure(tuple(r.name for r in requirements(RUNTIME)))
    assert not allowed & {"fivetran-codegen", "libcst", "jsonschema", "orjson", "ruff"}


# -- the wheels ---------------------------------------------------------------------------------


def build_wheel(source: Path, out: Path) -> zipfile.ZipFile:
    # Without build isolation when hatchling is here (offline); else pip fetches it.
    try:
        import hatchling  # noqa: F401
    except ImportError:
        isolation: list[str] = []
    else:
        isolation = ["--no-build-isolation"]
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", str(out), "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("*.whl")
    return zipfile.ZipFile(wheel)


def wheel_metadata(wheel: zipfile.ZipFile) -> list[str]:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return HeaderParser().parsestr(wheel.read(name).decode()).get_all("Requires-Dist") or []


@pytest.mark.e2e
@pytest.mark.timeout(900)
def test_the_wheels_hold_one_package_each(tmp_path: Path) -> None:
    source = tmp_path / "checkout"
    # Caches that tests running in parallel may be writing are not part of a build either.
    ignore = shutil.ignore_patterns(
        ".venv*", "__pycache__", "*.pyc", ".git", "benchmarks", ".*_cache", ".hypothesis"
    )
    shutil.copytree(ROOT, source, ignore=ignore)  # a build writes nothing into the checkout

    runtime = build_wheel(source / "runtime", tmp_path / "runtime-wheel")
    files = runtime.namelist()
    assert "fivetran_codegen_runtime/__init__.py" in files
    assert "fivetran_codegen_runtime/py.typed" in files
    assert "fivetran_codegen_runtime/rest/client.py" in files
    assert "fivetran_codegen_runtime/testing/simulator.py" in files
    assert not [f for f in files if f.startswith("fivetran_codegen/")]
    assert sorted(normalized(Requirement(r).name) for r in wheel_metadata(runtime)) == [
        "dagster",
        "requests",
        "urllib3",
    ]

    generator = build_wheel(source, tmp_path / "generator-wheel")
    files = generator.namelist()
    assert "fivetran_codegen/__init__.py" in files
    assert "fivetran_codegen/templates/connection.py.jinja" in files
    assert "fivetran_codegen/snapshot/schemas/snapshot.v1.schema.json" in files
    assert not [f for f in files if f.startswith("fivetran_codegen_runtime/")]
    required = [Requirement(r) for r in wheel_metadata(generator)]
    installs = sorted(str(r) for r in required if "extra ==" not in str(r.marker))
    assert installs == sorted(str(r) for r in requirements(ROOT))
    assert f"fivetran-codegen-runtime=={fivetran_codegen.__version__}" in installs
