"""RenderPlan + what is on disk -> the complete new output, in memory.

Connection modules whose inputs did not change (same plan fragment, same renderer, untouched
generated part) are taken from disk as they are; the others are rendered, already in their
final layout, with the default function body, and get the user's body spliced back in. Hand edits
outside function bodies and customised functions of removed connections are collected as
problems; `sink.write` refuses them unless forced, `--check` reports them as differences.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fivetran_codegen import __version__
from fivetran_codegen.output import manifest, user_bodies
from fivetran_codegen.output.manifest import Entry
from fivetran_codegen.plan.render_plan import ConnectionPlan, RenderPlan
from fivetran_codegen.render import generated_file, templates


@dataclass(frozen=True)
class Problem:
    """Code of the user's that regenerating would overwrite or delete."""

    path: str
    message: str


@dataclass(frozen=True)
class Output:
    files: dict[str, str]  # relative posix path -> full text, the manifest included
    removed: tuple[str, ...]  # generated files on disk that are no longer generated
    problems: tuple[Problem, ...]
    rendered: int  # connection modules rendered this run (the others were up to date)
    on_disk: dict[str, str]  # the generated files found on disk, by relative path
    cache: dict[str, tuple[str, str]]  # path -> (inputs, sha256), for the next run
    connection_ids: dict[str, str]  # connection module (old or new) -> its connection's id


def build(plan: RenderPlan, package_dir: Path, *, use_cache: bool = True) -> Output:
    old = manifest.read(package_dir) or {}
    cache = manifest.read_cache(package_dir) if use_cache else {}
    new_cache: dict[str, tuple[str, str]] = {}
    on_disk = _generated_on_disk(package_dir, old)
    by_id = _paths_by_connection_id(on_disk, old)
    fingerprint = _fingerprint(plan)
    problems: list[Problem] = []
    files: dict[str, str] = {}
    entries: dict[str, Entry] = {}
    to_render: dict[str, tuple[ConnectionPlan, str, str]] = {}  # path -> (plan, body, inputs)
    carried: set[str] = set()  # modules whose body moved to a new path (a renamed connection)

    default_body = generated_file.default_body(plan.resource_key)
    for connection in plan.connections:
        path = generated_file.connection_path(connection.module)
        inputs = manifest.digest(repr(connection) + fingerprint)
        previous = by_id.get(connection.id)
        parts = _parts(previous, on_disk, old, problems, default_body)
        body = parts.body if parts else default_body
        if previous is not None:
            carried.add(previous)
        reusable = (
            previous == path
            and parts is not None
            and path in old
            and cache.get(path) == (inputs, old[path].sha256)
            and manifest.digest(parts.with_default_body()) == old[path].sha256
        )
        if reusable:
            files[path] = on_disk[path]
            entries[path] = old[path]
            new_cache[path] = (inputs, old[path].sha256)
        else:
            to_render[path] = (connection, body, inputs)

    sources = {
        path: templates.render_connection(plan, connection, default_body)
        for path, (connection, _, _) in to_render.items()
    }
    package_files = templates.render_package_files(plan)
    for path, (connection, body, inputs) in to_render.items():
        text = sources[path]
        head = text.removesuffix(default_body)
        assert head != text, f"{path}: the rendered module does not end with the default body"
        files[path] = head + body
        entries[path] = Entry(manifest.digest(text), connection.id)
        new_cache[path] = (inputs, entries[path].sha256)
    for path, text in package_files.items():
        files[path] = text
        entries[path] = Entry(manifest.digest(text))
        _check_untouched(path, on_disk, old, problems)
    files[manifest.GITIGNORE] = manifest.GITIGNORE_TEXT
    entries[manifest.GITIGNORE] = Entry(manifest.digest(manifest.GITIGNORE_TEXT))

    removed = tuple(sorted(p for p in on_disk if p not in files))
    problems.extend(_lost_code([p for p in removed if p not in carried], on_disk, default_body))
    files[manifest.NAME] = manifest.dumps(entries)
    return Output(
        files=files,
        removed=removed,
        problems=tuple(problems),
        rendered=len(to_render),
        on_disk=on_disk,
        cache=new_cache,
        connection_ids={path: i for i, path in by_id.items()}
        | {p: e.connection_id for p, e in entries.items() if e.connection_id is not None},
    )


def _fingerprint(plan: RenderPlan) -> str:
    # Everything besides a connection's own plan that shapes its module.
    return "\0".join(
        (
            templates.templates_fingerprint(),
            __version__,  # generated code names it (require_runtime)
            plan.snapshot_name,
            plan.package,
        )
    )


def _generated_on_disk(package_dir: Path, old: dict[str, Entry]) -> dict[str, str]:
    """Files of ours on disk: those the manifest lists, and modules bearing our header."""
    found: dict[str, str] = {}
    candidates = [
        generated_file.PACKAGE_INIT,
        generated_file.CONNECTIONS_INIT,
        manifest.GITIGNORE,
        *old,
    ]
    connections = package_dir / generated_file.CONNECTIONS_DIR
    if connections.is_dir():
        candidates += [generated_file.connection_path(p.stem) for p in connections.glob("*.py")]
    for relative in sorted(set(candidates)):
        path = package_dir / relative
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if relative in old or text.startswith(generated_file.GENERATED_MARK):
            found[relative] = text
    return found


def _paths_by_connection_id(on_disk: dict[str, str], old: dict[str, Entry]) -> dict[str, str]:
    by_id: dict[str, str] = {}
    for path, text in on_disk.items():
        if not generated_file.is_connection_module(path):
            continue
        entry = old.get(path)
        connection_id = entry.connection_id if entry else generated_file.connection_id(text)
        if connection_id is not None:
            by_id.setdefault(connection_id, path)
    return by_id


def _parts(
    path: str | None,
    on_disk: dict[str, str],
    old: dict[str, Entry],
    problems: list[Problem],
    default_body: str,
) -> user_bodies.Parts | None:
    """The existing module's head and body; records a problem when its generated part was edited."""
    if path is None:
        return None
    parts = user_bodies.split(on_disk[path], where=path, default_body=default_body)
    if parts is None:
        problems.append(Problem(path, "its asset function was removed or renamed by hand"))
        return None
    entry = old.get(path)
    if entry is not None and manifest.digest(parts.with_default_body()) != entry.sha256:
        problems.append(Problem(path, "it was edited outside the asset function's body"))
    return parts


def _check_untouched(
    path: str, on_disk: dict[str, str], old: dict[str, Entry], problems: list[Problem]
) -> None:
    entry = old.get(path)
    if entry is not None and path in on_disk and manifest.digest(on_disk[path]) != entry.sha256:
        problems.append(Problem(path, "it was edited by hand"))


def _lost_code(removed: list[str], on_disk: dict[str, str], default_body: str) -> list[Problem]:
    problems = []
    for path in removed:
        parts = user_bodies.split(on_disk[path], where=path, default_body=default_body)
        if parts is not None and parts.customised:
            problems.append(
                Problem(
                    path,
                    "its connection is gone from the snapshot, and its asset function has your code",
                )
            )
    return problems
