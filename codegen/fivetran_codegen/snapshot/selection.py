"""--include / --exclude: shell globs over a connection's id, name, service and group name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Protocol

from fivetran_codegen.errors import UsageError
from fivetran_codegen.snapshot.model import Selection


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    service: str
    group_name: str

    def fields(self) -> tuple[str, ...]:
        return (self.id, self.name, self.service, self.group_name)


class _Connection(Protocol):
    """A snapshot `Connection`, or a plan of one."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def group_id(self) -> str: ...


def candidate(connection: _Connection, group_names: Mapping[str, str]) -> Candidate:
    """What the globs match a connection by; `group_names` maps group ids to names."""
    group_name = group_names.get(connection.group_id, "")
    return Candidate(connection.id, connection.name, connection.service, group_name)


@dataclass(frozen=True)
class Skipped:
    """A connection that gets no assets, and why (a pattern, no schema config...)."""

    id: str
    name: str
    reason: str
    by_selection: bool = False  # left out by include/exclude (not for want of a schema config)


def check(selection: Selection) -> Selection:
    for option, patterns in (("--include", selection.include), ("--exclude", selection.exclude)):
        for pattern in patterns:
            if not pattern.strip():
                raise UsageError(
                    f"{option} got an empty pattern",
                    where=option,
                    hint="give a glob such as 'salesforce*' or a connection id",
                )
    return selection


def why_excluded(selection: Selection, candidate: Candidate) -> str | None:
    """None when the connection is selected, else the reason (naming the pattern)."""
    fields = candidate.fields()
    if selection.include and not any(fnmatchcase(f, p) for p in selection.include for f in fields):
        return "matches no --include pattern"
    for pattern in selection.exclude:
        if any(fnmatchcase(f, pattern) for f in fields):
            return f"matches --exclude {pattern!r}"
    return None
