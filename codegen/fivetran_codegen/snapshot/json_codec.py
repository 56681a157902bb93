"""JSON through orjson, and through the standard library where orjson refuses valid input.

orjson reads and writes large snapshots many times faster (CPython's json falls back to pure
Python when indenting: seconds for a large workspace). It refuses lone surrogates (`\\ud800`),
which a JSON escape in a Fivetran name can produce and the standard library handles.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(text: str | bytes) -> Any:
    """The parsed document; errors are the standard library's (`json.JSONDecodeError`, and
    `UnicodeDecodeError` for bytes that are not UTF-8), both `ValueError`s.

    A leading UTF-8 byte order mark is accepted, on purpose: editors on Windows add one to a file
    saved as "UTF-8", and the JSON text after it is the same.
    """
    text = without_bom(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            return json.loads(text)
        except RecursionError:  # orjson stops at 1,024 levels; the standard library overflows
            document = text if isinstance(text, str) else text.decode("utf-8", errors="replace")
            raise json.JSONDecodeError(
                "nested too deeply (over 1,024 levels)", document, 0
            ) from None


def without_bom(text: str | bytes) -> str | bytes:
    return (
        text.removeprefix(b"\xef\xbb\xbf")
        if isinstance(text, bytes)
        else text.removeprefix("\ufeff")
    )


def dumps_pretty(document: Any) -> str:
    """`json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`, byte for byte."""
    return dumps_pretty_bytes(document).decode("utf-8", "surrogatepass")


def dumps_pretty_bytes(document: Any) -> bytes:
    """`dumps_pretty` as UTF-8 (a lone surrogate as its three bytes, as `surrogatepass`)."""
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    except TypeError:
        text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
        return text.encode("utf-8", "surrogatepass")


class _Twice(dict[str, Any]):
    """An object read with a key twice; `key` is the first such key."""

    key: str


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    twice = _Twice(found)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            twice.key = key
            break
        seen.add(key)
    return twice


def duplicate_key_path(text: str | bytes) -> tuple[str | int, ...] | None:
    """The path to the first key that appears twice in one object of `text` (valid JSON, at
    most 1,024 levels deep), ending with that key; None when there is none. Slow: the standard
    library's parser and a walk of the whole document."""
    document = json.loads(text, object_pairs_hook=_pairs)
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, _Twice):
            return (*path, value.key)
        if isinstance(value, dict):
            pending.extend(((*path, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            pending.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))
    return None
