"""orjson where it can, the standard library where orjson refuses: the same results either way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fivetran_codegen.snapshot import codec, json_codec

from tests.conftest import run_cli
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


@pytest.mark.parametrize("command", ["generate", "diff"])
def test_a_snapshot_nested_10000_levels_deep_is_an_error_not_a_traceback(
    command: str, tmp_path: Path
) -> None:
    # orjson stops at 1,024 levels; the standard library's fallback used to overflow the stack.
    (tmp_path / "deep.json").write_text('{"a": ' * 10_000 + "1" + "}" * 10_000)
    (tmp_path / "pyproject.toml").write_text('[tool.fivetran-codegen]\nsnapshot = "deep.json"\n')
    args = ["diff", "deep.json", "deep.json"] if command == "diff" else ["generate"]
    done = run_cli(*args, cwd=tmp_path)
    assert done.code == 2, done.stderr
    # The orjson of the main suite refuses the depth; 3.9 (the lower bound) parses it, and then
    # the schema check refuses the document.
    assert (
        "deep.json:1:1: not valid JSON: nested too deeply (over 1,024 levels)" in done.stderr
        or "deep.json at $: does not follow the snapshot schema" in done.stderr
    ), done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "fivetran_defs").exists()


@pytest.mark.parametrize("text", [b'\xef\xbb\xbf{"a": [1]}', '\ufeff{"a": [1]}'])
def test_a_byte_order_mark_is_accepted_on_purpose(text: str | bytes) -> None:
    assert json_codec.loads(text) == {"a": [1]}


@pytest.mark.parametrize("command", ["generate", "diff"])
def test_a_snapshot_with_a_key_twice_is_refused_by_the_commands(
    command: str, tmp_path: Path
) -> None:
    text = codec.dumps(make_snapshot())
    twin = text.replace(
        '"name": "salesforce",\n', '"name": "salesforce",\n      "paused": true,\n', 1
    )
    assert twin != text
    (tmp_path / "twice.json").write_text(twin)
    (tmp_path / "pyproject.toml").write_text('[tool.fivetran-codegen]\nsnapshot = "twice.json"\n')
    args = ["diff", "twice.json", "twice.json"] if command == "diff" else ["generate"]
    done = run_cli(*args, cwd=tmp_path)
    assert done.code == 2, done.stderr
    assert "twice.json at $.connections[0]: the key 'paused' appears twice" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "fivetran_defs").exists()
