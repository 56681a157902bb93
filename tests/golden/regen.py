"""Regenerate the golden files after an intended change to generated code:

    .venv/bin/python tests/golden/regen.py

Each case directory holds a pyproject.toml, a snapshot and `expected/<package>/`, which is what
`fivetran-codegen generate` writes there. Review the diff before committing it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fivetran_codegen import config, pipeline

HERE = Path(__file__).resolve().parent


def cases() -> list[Path]:
    return sorted(p.parent for p in HERE.glob("*/pyproject.toml"))


def main() -> int:
    for case in cases():
        settings = config.load(case / "pyproject.toml", cwd=case)
        shutil.rmtree(case / "expected", ignore_errors=True)
        result = pipeline.run(settings)
        print(f"{case.name}: {len(result.changed)} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
