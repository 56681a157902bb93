"""Child of load_bench.py: load one subject's definitions and resolve their asset graph.

Runs in our virtualenv or in dagster-fivetran's (stdlib and dagster only at the top level).

    python _load_subject.py package DIR NAME [--fingerprint]   import NAME from DIR; NAME.defs
    python _load_subject.py df-build SNAPSHOT [--fingerprint]  build_fivetran_assets_definitions
    python _load_subject.py df-specs SNAPSHOT [--fingerprint]  load_fivetran_asset_specs

Every subject ends with `defs.resolve_asset_graph()` (which is `defs.get_repository_def()
.asset_graph`: the repository with its resources bound, the implicit asset job and the graph).
Prints one JSON line: asset count and phase times; for a package, how many of its modules were
loaded from bytecode (0 when cold). `--fingerprint` adds digests of what each subject built
(keys; keys + groups + kinds; all that with normalized metadata), which timed runs leave out.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
import time
from typing import Any

started = time.perf_counter()
import dagster as dg  # noqa: E402  (timed on its own)

DAGSTER_IMPORTED = time.perf_counter()
ACCOUNT_ID = "bench"  # the account id the anchor snapshot was taken under (its lookup key)


def load_package(directory: str, name: str) -> tuple[dg.Definitions, dict[str, int]]:
    sys.path.insert(0, directory)
    package = importlib.import_module(name)
    ours = [m for n, m in sys.modules.items() if n == name or n.startswith(name + ".")]
    others = [m for m in sys.modules.values() if m not in ours]
    return package.defs, {
        "modules": len(ours),
        "modules_with_pyc": _with_pyc(ours),
        "library_modules_without_pyc": len(_from_source(others)) - _with_pyc(others),
    }


def _from_source(modules: list[Any]) -> list[str]:
    return [m.__cached__ for m in modules if getattr(m, "__cached__", None)]


def _with_pyc(modules: list[Any]) -> int:
    return sum(1 for path in _from_source(modules) if os.path.exists(path))


def load_anchor(mode: str, snapshot: str) -> dg.Definitions:
    from dagster_fivetran import (
        FivetranWorkspace,
        build_fivetran_assets_definitions,
        load_fivetran_asset_specs,
    )

    workspace = FivetranWorkspace(
        account_id=ACCOUNT_ID, api_key="unused", api_secret="unused", snapshot_path=snapshot
    )
    if mode == "df-build":
        assets = build_fivetran_assets_definitions(workspace=workspace)
        return dg.Definitions(assets=assets, resources={"fivetran": workspace})
    return dg.Definitions(assets=load_fivetran_asset_specs(workspace))


def fingerprint(defs: dg.Definitions) -> dict[str, Any]:
    from dagster._core.definitions.metadata import normalize_metadata

    rows = []
    for spec in defs.resolve_all_asset_specs():
        metadata = normalize_metadata(
            {
                k: v
                for k, v in spec.metadata.items()
                if k != "dagster-fivetran/dagster_fivetran_translator"
            },
            allow_invalid=True,
        )
        shape = (spec.key.path, spec.group_name, sorted(spec.kinds))
        rows.append((shape, repr(sorted(metadata.items()))))
    rows.sort()
    return {
        "keys": _digest(row[0][0] for row in rows),
        "keys_groups_kinds": _digest(row[0] for row in rows),
        "full": _digest(rows),
        "first": repr(rows[0]) if rows else None,
    }


def _digest(items: Any) -> str:
    return hashlib.sha256("\n".join(map(repr, items)).encode()).hexdigest()


def main() -> None:
    mode, *rest = [a for a in sys.argv[1:] if a != "--fingerprint"]
    extra: dict[str, Any] = {}
    if mode == "package":
        defs, extra = load_package(*rest)
    else:
        defs = load_anchor(mode, *rest)
    loaded = time.perf_counter()
    graph = defs.resolve_asset_graph()
    resolved = time.perf_counter()
    result = {
        "assets": len(graph.get_all_asset_keys()),
        "import_dagster_s": DAGSTER_IMPORTED - started,
        "defs_s": loaded - DAGSTER_IMPORTED,
        "resolve_s": resolved - loaded,
        **extra,
    }
    if "--fingerprint" in sys.argv:
        result["fingerprint"] = fingerprint(defs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
