"""orjson where it can, the standard library where orjson refuses: the same results either way."""

from __future__ import annotations

import json

import pytest
from fivetran_codegen.snapshot import codec, json_codec

from tests.snapshot.test_codec import make_snapshot


def test_fast_and_standard_encoders_write_the_same_bytes() -> None:
    document = codec.to_json(make_snapshot(name='caf\u00e9 "q" \\ \n\u2028'))
    assert json_codec.dumps_pretty(document) == json.dumps(
        document, indent=2, sort_keys=True, ensure_ascii=False
    )


def test_a_lone_surrogate_takes_the_standard_path_both_ways() -> None:
    document = {"name": json.loads('"half \\ud800 pair"')}
    text = json_codec.dumps_pretty(document)  # orjson refuses to write it
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    assert json_codec.loads('{"name": "half \\ud800 pair"}') == document  # nor read it


@pytest.mark.parametrize("bad", [b'{"a": ', b'{"a": "\xff"}', "[1,]"])
def test_what_neither_reads_raises_the_standard_librarys_errors(bad: str | bytes) -> None:
    with pytest.raises(ValueError) as caught:
        json_codec.loads(bad)
    assert isinstance(caught.value, (json.JSONDecodeError, UnicodeDecodeError))
    assert type(caught.value).__module__ in {"json.decoder", "builtins"}  # not orjson's
