"""Where a snapshot is read from besides its file: a git revision (`HEAD`, `main~3:path.json`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from fivetran_codegen.errors import SnapshotFileError, SnapshotNotCommittedError
from fivetran_codegen.snapshot import codec
from fivetran_codegen.snapshot.model import Snapshot


def load(argument: str, *, default_file: Path) -> tuple[Snapshot, str]:
    """The snapshot `argument` names, and a label for it.

    An existing file is read as is. Otherwise the argument is a git revision, optionally with a
    path (`REV:path`); without one, `default_file` (the project's snapshot) at that revision.
    """
    if Path(argument).is_file():
        return codec.load(Path(argument)), argument
    revision, _, path = argument.partition(":")
    target = Path(path) if path else default_file
    if revision.startswith("-"):  # git would read it as an option
        raise SnapshotFileError(
            "neither a file nor a git revision",
            where=argument,
            hint="name an existing file, or a revision such as HEAD or main",
        )
    if ".." in revision:  # git shows nothing for a range, which would read as broken JSON
        old, _, new = revision.replace("...", "..").partition("..")
        raise SnapshotFileError(
            f"{revision!r} is a range of revisions; a snapshot is read at one revision",
            where=argument,
            hint=f"compare two revisions as two arguments: fivetran-codegen diff {old or 'HEAD'} "
            f"{new or 'HEAD'}",
        )
    done = _git_show(revision, target)
    label = f"{revision}:{_shown(target)}"
    if done is None:
        raise SnapshotFileError(
            "git is not installed (or did not answer), so a revision cannot be read",
            where=label,
            hint="give the old snapshot as a file instead",
        )
    if done.returncode != 0:
        raise _git_error(done.stderr.decode("utf-8", "replace"), revision, target, label)
    return codec.loads(done.stdout, source=label), label


def _git_error(stderr: str, revision: str, target: Path, label: str) -> SnapshotFileError:
    """git's refusal, said in terms of snapshots: which of the three usual causes it is."""
    lines = stderr.strip().splitlines()
    said = lines[-1] if lines else "git failed"
    if "not a git repository" in said:
        return SnapshotFileError(
            f"{revision!r} is not a file, and this is not a git repository",
            where=label,
            hint="give the old snapshot as a file: fivetran-codegen diff OLD.json NEW.json",
        )
    if "exists on disk, but not in" in said or "does not exist in" in said:
        return SnapshotNotCommittedError(
            f"{_shown(target)} is not committed at {revision}",
            where=label,
            hint="commit the snapshot first (a first snapshot has nothing to compare with), "
            "or compare two files: fivetran-codegen diff OLD.json NEW.json",
        )
    if "invalid object name" in said or "unknown revision" in said or "bad revision" in said:
        return SnapshotFileError(
            f"neither a file nor a git revision: {revision!r}",
            where=label,
            hint="name a snapshot file, or a branch, tag or commit (a new repository has no "
            "HEAD until its first commit)",
        )
    return SnapshotFileError(
        f"cannot read the snapshot at a git revision: {said}",
        where=label,
        hint="name an existing file, or a revision where the snapshot is committed (e.g. HEAD)",
    )


def _shown(path: Path) -> str:
    """The path as the user would write it: relative to the working directory when inside it."""
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def committed_if_changed(path: Path, revision: str = "HEAD") -> bytes | None:
    """The file's bytes at `revision` when the working file differs from them; None when it
    does not, or when git cannot give them (no git, no repository, not committed there).

    `git diff --quiet` answers "unchanged" from the index's stat data without reading either
    side, so the common case costs milliseconds even for a snapshot of 100 MB or more.
    """
    same = _git(
        ["diff", "--quiet", "--no-ext-diff", "--no-textconv", revision, "--", f"./{path.name}"],
        path,
    )
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
