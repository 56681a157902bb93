"""Part of a snapshot: only the connections with some ids, read without parsing the others.

`generate` summarises what changed for the few connections whose modules it rewrote against
the committed snapshot; parsing all of a 140 MB file for that would cost a second. The file is
laid out by `codec.dumps` (sorted keys, two-space indent), so each connection is a
block of lines between `    {` and `    }` inside `"connections": [`, and JSON strings hold no
raw line breaks; those blocks are cut out as text and only the wanted ones are parsed. A file
laid out any other way (reformatted by hand or by a tool) is parsed whole instead, with the
same result.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from fivetran_codegen.snapshot import codec, json_codec
from fivetran_codegen.snapshot.model import Snapshot

_LIST_START = b'\n  "connections": [\n'
_LIST_END = b"\n  ]"  # no deeper line starts with exactly two spaces and `]`
_OPEN, _CLOSE, _BETWEEN = b"    {\n", b"\n    }", b"\n    },\n    {\n"
_ID = b'\n      "id": '


def loads(text: bytes, ids: Collection[str], *, source: str) -> Snapshot:
    """The snapshot in `text` with only the connections in `ids`, validated as a whole file is."""
    cut = _cut(text, set(ids))
    if cut is not None:
        return codec.loads(cut, source=source)
    return of(codec.loads(text, source=source), ids)


def of(snapshot: Snapshot, ids: Collection[str]) -> Snapshot:
    wanted = set(ids)
    return replace(snapshot, connections=tuple(c for c in snapshot.connections if c.id in wanted))


def _cut(text: bytes, ids: set[str]) -> bytes | None:
    """`text` with the other connections' blocks removed; None when it is not laid out as ours.

    Blocks are found by position and only the kept ones are copied: the text may be 100 MB.
    """
    start = text.find(_LIST_START)
    end = text.find(_LIST_END, start + 1)
    if start < 0 or end < 0:
        return None
    first = start + len(_LIST_START)
    low, high = first + len(_OPEN), end - len(_CLOSE)  # the blocks, between `    {` and `    }`
    if low > high or text[first:low] != _OPEN or text[high:end] != _CLOSE:
        return None
    kept = []
    at = low
    while True:
        after = text.find(_BETWEEN, at, high)
        block_end = high if after < 0 else after
        connection_id = _block_id(text, at, block_end)
        if connection_id is None:
            return None
        if connection_id in ids:
            kept.append(text[at:block_end])
        if after < 0:
            break
        at = after + len(_BETWEEN)
    inner = _OPEN + _BETWEEN.join(kept) + _CLOSE if kept else b""
    return text[:first] + inner + text[end:]


def _block_id(text: bytes, start: int, end: int) -> str | None:
    """The value of the block's own `"id"` line (keys at six spaces belong to the connection)."""
    at = text.find(_ID, start, end)
    if at < 0:
        return None
    line_end = text.find(b"\n", at + 1, end)
    raw = text[at + len(_ID) : line_end if line_end >= 0 else end].removesuffix(b",")
    try:
        value = json_codec.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, str) else None
