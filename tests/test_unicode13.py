"""Every Python writes the same bytes: printable means Unicode 13.0's, not the running Python's.

The support range (.ci/support_range.py) runs this on Python 3.10, whose database the table is,
and on 3.13; the golden case tests/golden/unicode holds names from 13.0 and from after it.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from fivetran_codegen import unicode13
from fivetran_codegen.plan.naming import identifier
from fivetran_codegen.render.literals import comment, docstring, py_literal
from fivetran_codegen.snapshot import codec

TABLE = Path(unicode13.__file__).with_name(unicode13.TABLE)
GOLDEN_SNAPSHOT = Path(__file__).parent / "golden" / "unicode" / "fivetran_snapshot.json"
MELTING_FACE = "\U0001fae0"  # assigned in Unicode 14.0: printable to Python 3.11+, not to 3.10


def test_the_table_is_unicode_13() -> None:
    if unicodedata.unidata_version == unicode13.VERSION:  # Python 3.10
        assert TABLE.read_text(encoding="ascii") == unicode13.table_text(unicodedata.category), (
            "run scripts/write_unicode13_table.py on Python 3.10"
        )
        return
    # A newer database keeps what 13.0 had: all that changes is what 13.0 had not assigned.
    for code in range(0x80, 0x110000):
        char = chr(code)
        if unicode13.is_printable(char):
            assert char.isprintable(), hex(code)
        elif unicode13.is_visible(char):
            assert unicodedata.category(char) == "Zs", hex(code)


def test_a_character_newer_than_unicode_13_is_escaped_on_every_python() -> None:
    assert py_literal(f"a{MELTING_FACE}") == '"a\\U0001fae0"'
    assert docstring(MELTING_FACE) == '"""\\U0001fae0"""'
    assert comment(f"a{MELTING_FACE}b") == "a b"
    # MODIFIER LETTER CAPITAL C (14.0) decomposes to C where Python knows it: a separator here.
    assert identifier("ventes\ua7f2x") == "ventes_x"
    # A combining mark of 14.0 is not dropped as a combining mark, it separates.
    assert identifier("mark\u0898x") == "mark_x"


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("café 日本 \U0001f600", '"café 日本 \U0001f600"'),
        ("\u00a0", '"\\xa0"'),  # a space separator: not printable, so escaped in code
        ("\u0301", '"\u0301"'),  # a combining mark (printable)
        ("\ue000", '"\\ue000"'),  # private use
    ],
)
def test_what_unicode_13_has_is_written_as_python_3_10_writes_it(text: str, literal: str) -> None:
    assert py_literal(text) == literal


def test_the_snapshot_keeps_13_0_text_and_escapes_what_is_newer_or_invisible() -> None:
    snapshot = codec.load(GOLDEN_SNAPSHOT)
    text = codec.dumps(snapshot)
    assert text == GOLDEN_SNAPSHOT.read_text(encoding="utf-8")  # byte for byte, on every Python
    assert "café" in text and "日本_売上" in text and "emoji_\U0001f600" in text
    assert "nbsp\u00a0x" in text  # a space separator stays: it is visible as a blank
    assert "melting_\\ud83e\\udee0" in text and "zero\\u200bwidth" in text
