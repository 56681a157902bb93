"""`_manifest.json` in the output package: what was generated, to tell hand edits from ours.

For each file: the SHA-256 of the text as generated (connection modules with the default
function body, so a user's body does not count as an edit), the connection it belongs to, and a
hash of its inputs (plan fragment + renderer fingerprint) so unchanged modules are not rendered
again. Deterministic: sorted, no timestamps, no versions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

NAME = "_manifest.json"
_KIND = "fivetran-codegen manifest; generated, do not edit"


@dataclass(frozen=True)
class Entry:
    sha256: str
    inputs: str
    connection_id: str | None = None


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def read(package_dir: Path) -> dict[str, Entry] | None:
    """The entries by relative path; None when there is no readable manifest."""
    try:
        document = orjson.loads((package_dir / NAME).read_bytes())
        files = document["files"]
        return {
            path: Entry(
                sha256=str(entry["sha256"]),
                inputs=str(entry["inputs"]),
                connection_id=entry.get("connection_id"),
            )
            for path, entry in files.items()
        }
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        return None


def dumps(entries: Mapping[str, Entry]) -> str:
    files = {
        path: {
            "sha256": entry.sha256,
            "inputs": entry.inputs,
            **({"connection_id": entry.connection_id} if entry.connection_id is not None else {}),
        }
        for path, entry in sorted(entries.items())
    }
    document = {"kind": _KIND, "files": files}
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"
