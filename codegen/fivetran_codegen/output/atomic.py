"""Write a file so that readers see the old bytes or the new ones, never a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_text(path: Path, text: str) -> bool:
    """Replace `path` with `text` (UTF-8, LF kept). Returns False when it already held exactly that."""
    data = text.encode("utf-8")
    if holds(path, data):
        return False
    mode = 0o644  # mkstemp's 0600 would surprise a file meant to be committed and shared
    with contextlib.suppress(FileNotFoundError):
        mode = path.stat().st_mode & 0o777
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True


def holds(path: Path, data: bytes) -> bool:
    """Whether `path` holds exactly `data` (False when there is no such file)."""
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False
