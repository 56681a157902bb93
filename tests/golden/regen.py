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
        settings = config.load_all(case / "pyproject.toml", cwd=case)
        shutil.rmtree(case / "expected", ignore_errors=True)
        results = pipeline.run_all(settings)
        print(f"{case.name}: {sum(len(r.changed) for r in results)} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
