"""The generated package migrate points code at: where it is and which connections it holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fivetran_codegen import config
from fivetran_codegen.errors import UsageError, UserCodeError
from fivetran_codegen.migrate.report import Refused
from fivetran_codegen.output import user_bodies
from fivetran_codegen.render import generated_file


@dataclass(frozen=True)
class GeneratedConnection:
    id: str
    module: str  # connections/<module>.py
    function: str  # its @fivetran_assets function
    op_name: str | None  # the name= given to @fivetran_assets
    path: Path


@dataclass(frozen=True)
class GeneratedPackage:
    name: str  # the import name, dotted if the package is nested
    directory: Path | None  # None: not generated yet
    resource_key: str  # the workspace resource, and the asset functions' parameter
    looked_in: tuple[Path, ...] = ()
    connections: Mapping[str, GeneratedConnection] = field(default_factory=dict)

    def module_of(self, connection: GeneratedConnection) -> str:
        return f"{self.name}.{generated_file.CONNECTIONS_DIR}.{connection.module}"


def locate(name: str | None, *, start: Path, settings: config.Config) -> GeneratedPackage:
    """The package named by --package, else by the workspace's output, with its index.

    A --package name that is not the configured output is looked for below the project root,
    the start directory and the working directory.
    """
    if name is None:
        name, candidates = settings.package, [settings.output]
    elif not all(part.isidentifier() for part in name.split(".")):
        raise UsageError(
            f"--package {name!r} is not a module name: the rewritten code imports it",
            where="--package",
            hint="name the generated package as Python imports it, e.g. fivetran_defs or "
            "my_project.fivetran_defs",
        )
    else:
        relative = Path(*name.split("."))
        candidates = [settings.output] if settings.output.name == relative.name else []
        candidates += [base / relative for base in (settings.root, start, Path.cwd())]
    key = settings.resource_key
    for candidate in candidates:
        if (candidate / "__init__.py").is_file():
            return GeneratedPackage(name, candidate, key, tuple(candidates), _index(candidate))
    return GeneratedPackage(name, None, key, tuple(dict.fromkeys(candidates)))


def _index(directory: Path) -> dict[str, GeneratedConnection]:
    found = {}
    for path in sorted((directory / generated_file.CONNECTIONS_DIR).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        connection_id = generated_file.connection_id(text)
        function = generated_file.asset_function(text)
        if connection_id is not None and function is not None:
            found[connection_id] = GeneratedConnection(
                connection_id, path.stem, function.name, function.op_name, path
            )
    return found


def splice(connection: GeneratedConnection, body: str, *, default_body: str) -> str | None:
    """The connection module with `body` as its asset function's body; None if it has it already."""
    text = connection.path.read_text(encoding="utf-8")
    try:
        parts = user_bodies.split(text, where=str(connection.path), default_body=default_body)
    except UserCodeError as exc:
        raise Refused(f"{connection.path} cannot take the body: {exc.message}") from None
    if parts is None:
        raise Refused(f"{connection.path} has no generated asset function to put the body in")
    if parts.body == body:
        return None
    if parts.customised:
        raise Refused(
            f"the generated function {connection.function} in {connection.path} already has a "
            "custom body: merge the two by hand"
        )
    return parts.head + body
