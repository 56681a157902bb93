"""Where a snapshot is read from besides its file: a git revision (`HEAD`, `main~3:path.json`)."""

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
    if revision.startswith("-"):  # git would read it as an option
        raise SnapshotFileError(
            "neither a file nor a git revision",
            where=argument,
            hint="name an existing file, or a revision such as HEAD or main",
        )
    done = _git_show(revision, target)
    label = f"{revision}:{target.as_posix()}"
    if done is None:
        raise SnapshotFileError(
            "git is not installed (or did not answer), so a revision cannot be read",
            where=label,
            hint="give the old snapshot as a file instead",
        )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SnapshotFileError(
            f"neither a file nor a snapshot at a git revision: {message[-1] if message else 'git failed'}",
            where=label,
            hint="name an existing file, or a revision where the snapshot is committed (e.g. HEAD, main)",
        )
    return snapshot_file.loads(done.stdout, source=label), label


def committed_if_changed(path: Path, revision: str = "HEAD") -> bytes | None:
    """The file's bytes at `revision` when the working file differs from them; None when it
    does not, or when git cannot give them (no git, no repository, not committed there).

    `git diff --quiet` answers "unchanged" from the index's stat data without reading either
    side, so the common case costs milliseconds even for a snapshot of 100 MB or more.
    """
    same = _git(["diff", "--quiet", revision, "--", f"./{path.name}"], path)
    if same is None or same.returncode == 0:
        return None
    done = _git_show(revision, path)
    return done.stdout if done is not None and done.returncode == 0 else None


def _git_show(revision: str, path: Path) -> subprocess.CompletedProcess[bytes] | None:
    """`git show REV:./NAME` run beside the file, so any repository layout works."""
    return _git(["show", f"{revision}:./{path.name}"], path)


def _git(args: list[str], beside: Path) -> subprocess.CompletedProcess[bytes] | None:
    """A git command run in the file's folder; None without git (or when it hangs)."""
    directory = beside.parent if beside.parent.is_dir() else Path.cwd()
    try:
        return subprocess.run(
            ["git", *args], cwd=directory, capture_output=True, check=False, timeout=60
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
