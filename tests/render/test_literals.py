"""Snapshot strings reach generated source only as exact literals, inert comments, docstrings."""

from __future__ import annotations

import ast
import enum
import math
import random
import re
from pathlib import Path

import jinja2
import pytest
from fivetran_codegen.render.literals import (
    COMMENT_MAX_LENGTH,
    FILTERS,
    PyValue,
    comment,
    docstring,
    docstring_value,
    py_literal,
)
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import ruff_format_check

PROPERTY = settings(max_examples=400, deadline=None)
# Every code point, lone surrogates included (st.text() leaves them out by default).
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()))
HOSTILE = [
    "",
    "'",
    '"',
    "'''",
    '"""',
    "\\",
    "a\\",
    'a"',
    "{{ x }}",
    "\n",
    "\r\n",
    "x\x00y",
    "\x0b\x0c\x1c\x85",
    "\u2028\u2029",
    "abc\u202edef",  # RIGHT-TO-LEFT OVERRIDE
    "a\u2066b\u2069",  # bidi isolates
    "zero\u200bwidth\ufeff",
    "\u3164\u115f\ufe0f\U000e0041",  # Hangul fillers, variation selector, tag
    "\ud800",  # lone surrogate
    '"); import os; os.system("rm -rf /"); ("',
    "\\N{BULLET}",
    "# -*- coding: utf-7 -*-",
]
# Characters that must never reach a source file unescaped.
INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ud800-\udfff]"
)


def scalars() -> st.SearchStrategy[PyValue]:
    return (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | ANY_TEXT
    )


def hashables() -> st.SearchStrategy[PyValue]:
    return st.recursive(
        scalars(), lambda inner: st.lists(inner, max_size=3).map(tuple), max_leaves=6
    )


def values() -> st.SearchStrategy[PyValue]:
    return st.recursive(
        scalars(),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.lists(inner, max_size=4).map(tuple)
            | st.dictionaries(hashables(), inner, max_size=4)
            | st.frozensets(hashables(), max_size=4)
            | st.sets(hashables(), max_size=4)
        ),
        max_leaves=12,
    )


def assert_safe_source(source: str) -> None:
    assert not INVISIBLE.search(source), ascii(source)
    source.encode("utf-8")  # no lone surrogates


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_round_trip_as_one_constant(text: str) -> None:
    literal = py_literal(text)
    assert_safe_source(literal)
    tree = ast.parse(literal, mode="eval")
    assert isinstance(tree.body, ast.Constant)
    assert tree.body.value == text


def test_readable_text_stays_readable() -> None:
    assert py_literal("Café 日本 \U0001f600") == '"Café 日本 \U0001f600"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc\u202edef", '"abc\\u202edef"'),
        ("a\u2028b", '"a\\u2028b"'),
        ("a\u200bb", '"a\\u200bb"'),
        ("\u3164", '"\\u3164"'),  # printable to Python, yet invisible
        ("\ufe0f", '"\\ufe0f"'),
        ("\U000e0100", '"\\U000e0100"'),
    ],
)
def test_invisible_characters_are_escaped(text: str, expected: str) -> None:
    assert py_literal(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "None"),
        (True, "True"),
        (-3, "-3"),
        (0.1, "0.1"),
        (1e300, "1e+300"),
        ((), "()"),
        (("a",), '("a",)'),
        ([1, (2, 3)], "[1, (2, 3)]"),
        ({"b": 1, "a": [None]}, '{"b": 1, "a": [None]}'),  # insertion order: the caller sorts
        ({"b", "a", "c"}, '{"a", "b", "c"}'),
        (frozenset({3, "x", None}), '{"x", 3, None}'),  # sorted by the elements' literals
        (set(), "set()"),
        ({("k", 1): frozenset()}, '{("k", 1): set()}'),
    ],
)
def test_values_render_as_literals(value: PyValue, expected: str) -> None:
    assert py_literal(value) == expected
    assert ast.literal_eval(expected) == value


def test_subclasses_cannot_change_the_literal() -> None:
    class Evil(str):
        def __repr__(self) -> str:
            return "__import__('os').system('id')"

    class Level(enum.IntEnum):
        HIGH = 3

    assert py_literal(Evil("a")) == '"a"'
    assert py_literal(Level.HIGH) == "3"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, [1.0, math.nan]])
def test_non_finite_floats_are_refused(value: PyValue) -> None:
    with pytest.raises(ValueError, match="only finite floats"):
        py_literal(value)


@pytest.mark.parametrize(
    "value",
    [b"bytes", object(), 1j, {frozenset({1})}, {frozenset(): 1}, {(1, frozenset()): 1}],
)
def test_values_without_a_literal_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        py_literal(value)  # type: ignore[arg-type]


def test_set_order_does_not_depend_on_insertion() -> None:
    words = [f"w{i}" for i in range(50)]
    assert py_literal(set(words)) == py_literal(set(reversed(words)))
    assert py_literal(set(words)) == "{" + ", ".join(sorted(f'"{w}"' for w in words)) + "}"


@PROPERTY
@given(ANY_TEXT)
def test_any_string_is_an_exact_single_constant(text: str) -> None:
    literal = py_literal(text)
    assert_safe_source(literal)
    tree = ast.parse(literal, mode="eval")
    assert isinstance(tree.body, ast.Constant)
    assert ast.literal_eval(literal) == text
    namespace: dict[str, object] = {}
    exec(compile(f"X = {literal}\n", "<generated>", "exec"), namespace)
    assert namespace["X"] == text


@PROPERTY
@given(values())
def test_any_value_round_trips(value: PyValue) -> None:
    literal = py_literal(value)
    assert_safe_source(literal)
    assert ast.literal_eval(literal) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("line one\nline two\r\nthree", "line one line two three"),
        ("a\u2028b\u2029c\x85d\x0ce\tf", "a b c d e f"),
        ("abc\u202edef\u200b", "abc def"),
        ("x # noqa: E501", "x \uff03 noqa: E501"),  # no second comment
        ("noqa", "- noqa"),
        ("type: ignore", "- type: ignore"),
        ("Fmt : off", "- Fmt : off"),
        ("pragma no cover", "- pragma no cover"),
        ("Type of data", "Type of data"),  # only directives are touched
        ("-*- coding: latin-1 -*-", "-*- coding : latin-1 -*-"),
        ("vim: set fileencoding=utf-7 :", "vim: set fileencoding =utf-7 :"),
        ("  padded  ", "padded"),
        ("\x00\x01", ""),
    ],
)
def test_comment_examples(text: str, expected: str) -> None:
    assert comment(text) == expected


def test_long_comments_are_cut_with_an_ellipsis() -> None:
    assert comment("x" * COMMENT_MAX_LENGTH) == "x" * COMMENT_MAX_LENGTH
    assert comment("x" * (COMMENT_MAX_LENGTH + 1)) == "x" * (COMMENT_MAX_LENGTH - 3) + "..."
    cut_after_a_space = "x" * (COMMENT_MAX_LENGTH - 4) + " yyyyyy"
    assert comment(cut_after_a_space) == "x" * (COMMENT_MAX_LENGTH - 4) + "..."


@PROPERTY
@given(ANY_TEXT)
@example("type: int")
@example("a\rb = 2")
def test_a_comment_never_leaves_its_line(text: str) -> None:
    safe = comment(text)
    assert_safe_source(safe)
    assert len(safe) <= COMMENT_MAX_LENGTH
    tree = ast.parse(f"x = 1  # {safe}\n", type_comments=True)
    assert ast.dump(tree) == ast.dump(ast.parse("x = 1\n", type_comments=True))


@PROPERTY
@given(ANY_TEXT)
@example("-*- coding: latin-1 -*- caf\u00e9")
def test_comments_cannot_change_how_the_file_is_decoded(text: str) -> None:
    # Compiled from bytes, as Python reads a module: an encoding declaration would apply.
    source = f"# {comment(text)}\n# {comment(text)}\nX = {py_literal(text)}\n".encode()
    namespace: dict[str, object] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    assert namespace["X"] == text


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_docstrings_round_trip(text: str) -> None:
    literal = docstring(text)
    assert literal.startswith('"""') and literal.endswith('"""')
    assert_safe_source(literal.replace("\n", ""))
    assert ast.literal_eval(literal) == docstring_value(text)


def test_a_lone_surrogate_is_shown_as_its_escape_so_the_module_compiles() -> None:
    # Python 3.13+ cannot compile a docstring holding one (it encodes docstrings to UTF-8).
    namespace: dict[str, object] = {}
    source = docstring("a\ud800b") + "\nX = 1\n"
    exec(compile(source, "<generated>", "exec"), namespace)
    assert namespace["__doc__"] == "a\\ud800b"
    assert docstring_value("a\ud800b\U0001f600") == "a\\ud800b\U0001f600"


def test_docstrings_keep_their_lines() -> None:
    assert docstring('Line "one"\nLine \\two') == '"""Line \\"one\\"\nLine \\\\two"""'


@PROPERTY
@given(ANY_TEXT)
def test_any_docstring_is_the_functions_docstring(text: str) -> None:
    literal = docstring(text)
    assert_safe_source(literal.replace("\n", ""))
    assert ast.literal_eval(literal) == docstring_value(text)
    source = f"def f():\n    {literal}\n    return 1\n"
    tree = ast.parse(source)
    [function] = tree.body
    assert isinstance(function, ast.FunctionDef) and len(function.body) == 2
    assert ast.get_docstring(function, clean=False) == docstring_value(text)
    compile(source, "<generated>", "exec")  # as an import compiles it, on this Python


def test_filters_render_hostile_names_in_a_template() -> None:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters.update(FILTERS)
    template = env.from_string(
        "def f():\n    {{ name|docstring }}\n    return {{ name|py }}  # {{ name|comment }}\n"
    )
    for name in HOSTILE:
        namespace: dict[str, object] = {}
        exec(compile(template.render(name=name).encode(), "<generated>", "exec"), namespace)
        assert namespace["f"]() == name  # type: ignore[operator]


# -- as ruff writes them (generate runs no formatter) -------------------------------------------

RUFF_CHARS = [chr(c) for c in range(0x80)] + list("éü日本😀\u0301\u00a0\u2028\u3000\ud800\udfff")


def _texts() -> list[str]:
    rng = random.Random(0)
    spaced = [" a", "a ", " ", "  x  \n  y  ", "\n  indented\n", 'ends with a quote"', "\\"]
    made = ["".join(rng.choices(RUFF_CHARS, k=rng.randint(1, 12))) for _ in range(300)]
    return [*HOSTILE, *spaced, *made]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", '"plain"'),
        ("it's", '"it\'s"'),
        ('say "hi"', "'say \"hi\"'"),
        ("'\"", '"\'\\""'),  # as many of each: double quotes
        ('mix \' "" ', "'mix \\' \"\" '"),
    ],
)
def test_strings_take_the_quotes_ruff_prefers(text: str, expected: str) -> None:
    assert py_literal(text) == expected
    assert ast.literal_eval(expected) == text


def test_docstrings_guard_the_spaces_ruff_would_strip() -> None:
    assert docstring(" a \n \nb") == '"""\\x20a\\x20\n\\x20\nb"""'


def test_ruff_leaves_literals_and_docstrings_as_they_are(tmp_path: Path) -> None:
    texts = _texts()
    literals = "".join(f"X{i} = {py_literal(t)}\n" for i, t in enumerate(texts))
    (tmp_path / "literals.py").write_text(literals, encoding="utf-8")
    for i, text in enumerate(texts):
        module = f"# Code generated.\n{docstring(text)}\n\nX = 1\n"
        (tmp_path / f"doc{i}.py").write_text(module, encoding="utf-8")
        assert ast.get_docstring(ast.parse(module), clean=False) == docstring_value(text)
    done = ruff_format_check(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
