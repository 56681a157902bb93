"""One `generate` at a time per output directory.

Two runs writing one package at once would both report success while one of them lost. The lock
is an advisory `flock` on the output's parent directory: no lock file is left behind for `git add`
to pick up, and the kernel releases it when a killed run's process ends.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fivetran_codegen.errors import GenerateError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; runs are not serialised there
    fcntl = None  # type: ignore[assignment]


@contextmanager
def exclusive(package_dir: Path) -> Iterator[None]:
    parent = package_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover
        yield
        return
    descriptor = os.open(parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                yield  # a filesystem without flock (some network mounts): run unserialised
                return
            raise GenerateError(
                "another fivetran-codegen generate is writing this package right now",
                where=str(package_dir),
                hint="wait for it to finish, then run generate again",
            ) from None
        yield
    finally:
        os.close(descriptor)  # releases the lock
