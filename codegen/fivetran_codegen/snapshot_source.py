"""Where `diff` reads a snapshot from: a file, or a git revision (`HEAD`, `main~3:path.json`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fivetran_codegen import snapshot_file
from fivetran_codegen.errors import SnapshotFileError
from fivetran_codegen.model import Snapshot


def load(argument: str, *, default_file: Path) -> tuple[Snapshot, str]:
    """The snapshot `argument` names, and a label for it.

    An existing file is read as is. Otherwise the argument is a git revision, optionally with a
    path (`REV:path`); without one, `default_file` (the project's snapshot) at that revision.
    """
    if Path(argument).is_file():
        return snapshot_file.load(Path(argument)), argument
    revision, _, path = argument.partition(":")
    target = Path(path) if path else default_file
    text = _git_show(revision, target)
    label = f"{revision}:{target.as_posix()}"
    return snapshot_file.loads(text, source=label), label


def _git_show(revision: str, path: Path) -> bytes:
    directory = path.parent if path.parent.is_dir() else Path.cwd()
    spec = f"{revision}:./{path.name}"
    try:
        done = subprocess.run(
            ["git", "show", spec], cwd=directory, capture_output=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise SnapshotFileError(
            "git is not installed, so a revision cannot be read",
            where=f"{revision}:{path}",
            hint="give the old snapshot as a file instead",
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SnapshotFileError(
            f"neither a file nor a snapshot at a git revision: {message[-1] if message else 'git failed'}",
            where=f"{revision}:{path}",
            hint="name an existing file, or a revision where the snapshot is committed (e.g. HEAD, main)",
        )
    return done.stdout
