"""Generated code names its generator's version; an older runtime refuses it at import."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import fivetran_codegen
import pytest
from fivetran_codegen_runtime import RuntimeTooOldError, _version, require_runtime
from fivetran_codegen_runtime.versions import release

from tests.conftest import run_cli

GOLDEN = Path(__file__).parents[1] / "golden"


@pytest.mark.parametrize(
    ("version", "numbers"),
    [
        ("0.2.0", (0, 2)),
        ("0.2", (0, 2)),
        ("0.2.0.dev1", (0, 2)),
        ("0.2.0rc1", (0, 2)),
        ("0.2.0+local.3", (0, 2)),
        ("v1.10.3", (1, 10, 3)),
        ("0", (0,)),
    ],
)
def test_release_numbers_ignore_suffixes_and_trailing_zeros(
    version: str, numbers: tuple[int, ...]
) -> None:
    assert release(version) == numbers


def test_a_version_without_numbers_is_refused() -> None:
    with pytest.raises(ValueError, match="not a version number"):
        release("dev")


def test_the_runtime_accepts_code_of_its_own_version_and_older() -> None:
    for generator in (_version.__version__, "0.1.0", "0.2.0.dev1", "0.0.1"):
        require_runtime(generator=generator)


def test_a_runtime_older_than_the_generator_names_both_versions_and_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_version, "__version__", "0.1.0")
    with pytest.raises(RuntimeTooOldError) as caught:
        require_runtime(generator="0.2.0")
    message = str(caught.value)
    assert "fivetran-codegen 0.2.0" in message and "fivetran-codegen-runtime is 0.1.0" in message
    assert "pip install 'fivetran-codegen-runtime>=0.2.0'" in message
    assert "fivetran-codegen 0.1.0" in message  # or regenerate with the older generator
    assert isinstance(caught.value, ImportError)


def _import(
    project: Path, package: str, runtime_version: str | None
) -> subprocess.CompletedProcess[str]:
    # In-process version override of the runtime under test (no request is faked).
    patch = (
        f"import fivetran_codegen_runtime._version as v; v.__version__ = {runtime_version!r}\n"
        if runtime_version
        else ""
    )
    return subprocess.run(
        [sys.executable, "-c", f"{patch}import {package}\nprint(len({package}.ALL_SPECS))"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_generated_code_records_its_generator_and_checks_the_runtime(tmp_path: Path) -> None:
    shutil.copytree(
        GOLDEN / "sample", tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected")
    )
    assert run_cli("generate", cwd=tmp_path).code == 0
    init = (tmp_path / "expected" / "fivetran_defs" / "connections" / "__init__.py").read_text()
    assert f'require_runtime(generator="{fivetran_codegen.__version__}")' in init
    project = tmp_path / "expected"
    assert _import(project, "fivetran_defs", None).returncode == 0
    too_old = _import(project, "fivetran_defs", "0.1.0")
    assert too_old.returncode == 1
    assert "RuntimeTooOldError" in too_old.stderr
    assert "pip install 'fivetran-codegen-runtime>=" in too_old.stderr
