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
    text = (
        text.removeprefix(b"\xef\xbb\xbf")
        if isinstance(text, bytes)
        else text.removeprefix("\ufeff")
    )
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


def dumps_pretty(document: Any) -> str:
    """`json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`, byte for byte."""
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
