"""--include / --exclude: shell globs over a connection's id, name, service and group name."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

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
