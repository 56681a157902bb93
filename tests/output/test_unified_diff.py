"""Diffs as `generate --check` and `migrate` print them: one helper, every line on its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from fivetran_codegen.output.unified_diff import unified_diff

from tests.conftest import run_cli

SAMPLE_SNAPSHOT = Path(__file__).parents[1] / "golden" / "sample" / "fivetran_snapshot.json"


def test_labels_are_gits_and_equal_texts_give_nothing() -> None:
    assert unified_diff("pkg/a.py", "x\n", "x\n") == ""
    assert unified_diff("pkg/a.py", "x\n", "y\n").splitlines() == [
        "--- a/pkg/a.py",
        "+++ b/pkg/a.py",
        "@@ -1 +1 @@",
        "-x",
        "+y",
    ]


def test_a_file_without_a_final_newline_does_not_glue_lines_together(tmp_path: Path) -> None:
    shutil.copy(SAMPLE_SNAPSHOT, tmp_path / "fivetran_snapshot.json")
    assert run_cli("generate", cwd=tmp_path).code == 0
    init = tmp_path / "fivetran_defs" / "__init__.py"
    text = init.read_text()
    init.write_text(text.rstrip("\n"))
    (tmp_path / "fivetran_defs" / "connections" / "github.py").unlink()
    run = run_cli("generate", "--check", cwd=tmp_path)
    assert run.code == 1
    # The old last line (no newline) and the new one are two lines, not glued into one.
    last = text.splitlines()[-1]
    assert f"\n-{last}\n+{last}\n--- a/fivetran_defs/connections/github.py\n" in run.stdout
