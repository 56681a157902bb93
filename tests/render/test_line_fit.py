"""`line_fit` splits too-wide generated lines as ruff does, and ruff keeps what it writes.

The reference is the project's pinned dev ruff (`ruff format --check`, the same settings the
generated code is checked with), run once over a directory of cases.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from fivetran_codegen.render.line_fit import fit_line, fit_source, width
from fivetran_codegen.render.literals import py_literal

from tests.conftest import RUFF, RUFF_FORMAT

LONG = "x" * 60
WIDE = "日本語" * 12  # 36 characters, 72 columns at most


def fit(code: str, indent: int = 0) -> str:
    return "\n".join(fit_line(code, indent))


def ruff_formatted(sources: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """What ruff makes of each source (one run over all of them)."""
    for name, text in sources.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    subprocess.run([str(RUFF), *RUFF_FORMAT, "-q", "--no-cache", str(tmp_path)], check=True)
    return {name: (tmp_path / name).read_text(encoding="utf-8") for name in sources}


def test_width_counts_non_ascii_as_two_columns() -> None:
    assert width("abc") == 3
    assert width("é日😀") == 6
    assert width("e\u0301") == 3  # a combining accent too: at least what ruff counts


def test_lines_that_fit_are_left_alone() -> None:
    source = f'x = f("{"a" * 80}")\n' + "    " * 3 + "y = [1, 2]\n"
    assert fit_source(source) == source


def test_a_call_keeps_its_arguments_on_one_line_when_they_fit() -> None:
    assert fit(f'key=dg.AssetKey(["{LONG}", "{LONG[:15]}"]),', 8) == (
        f'        key=dg.AssetKey(\n            ["{LONG}", "{LONG[:15]}"]\n        ),'
    )


def test_a_display_explodes_one_item_a_line_with_a_trailing_comma() -> None:
    assert fit(f'TAGS: dict[str, str] = {{"a": "{LONG}", "b": "{LONG}"}}') == (
        f'TAGS: dict[str, str] = {{\n    "a": "{LONG}",\n    "b": "{LONG}",\n}}'
    )


def test_nested_brackets_split_from_the_outside_in() -> None:
    code = f'key=dg.AssetKey(["{LONG}", "{LONG}"]),'
    assert fit(code, 8) == (
        "        key=dg.AssetKey(\n"
        "            [\n"
        f'                "{LONG}",\n'
        f'                "{LONG}",\n'
        "            ]\n"
        "        ),"
    )


def test_brackets_quotes_and_hashes_inside_strings_are_text() -> None:
    tricky = py_literal("a(b]c{#d'e\"f|g,h")
    code = f"f({tricky}, {py_literal(LONG)}, {py_literal(LONG)})"
    assert fit(code) == f"f(\n    {tricky},\n    {py_literal(LONG)},\n    {py_literal(LONG)},\n)"


def test_long_atoms_strings_and_comments_stay_whole() -> None:
    for line in (f'    group_name="{LONG * 2}",', f"    # {LONG * 2}", f"    {LONG * 2}.{LONG}"):
        assert fit_source(line) == line
    single = f'    "k": dg.MetadataValue.url("{LONG * 2}"),'
    assert fit_source(single) == (f'    "k": dg.MetadataValue.url(\n        "{LONG * 2}"\n    ),')


def test_docstrings_and_strings_spanning_lines_are_not_touched() -> None:
    source = f'"""Name: {LONG} [{LONG}], {LONG}\n{LONG * 2}\n"""\nX = 1\n'
    assert fit_source(source) == source


def test_a_line_with_three_quotes_inside_a_string_is_still_fitted() -> None:
    line = f"x = f({py_literal(chr(34) * 3)}, {py_literal(LONG)}, {py_literal(LONG)})"
    assert fit_source(line) == (
        f"x = f(\n    {py_literal(chr(34) * 3)},\n    {py_literal(LONG)},\n    {py_literal(LONG)},\n)"
    )


def test_a_one_tuple_is_laid_out_by_its_exact_width() -> None:
    # `(x,)`: its comma does not keep it exploded, so ruff would join it again if it fitted.
    assert fit(f'"k": ("{LONG}{LONG}",),', 12) == (
        f'            "k": (\n                "{LONG}{LONG}",\n            ),'
    )
    # Non-ASCII text makes the width uncertain: its strings are escaped (the same value), and
    # the width is exact again.
    escaped = "\\u65e5\\u672c\\u8a9e" * 3
    assert fit(f'"k": ("{WIDE[:9]}{"a" * 75}",),', 12) == (
        f'            "k": (\n                "{escaped}{"a" * 75}",\n            ),'
    )
    assert fit(f'"k": ("é{"a" * 75}",),', 12) == f'            "k": ("é{"a" * 75}",),'  # 100


def test_uncertain_widths_explode_with_a_magic_trailing_comma() -> None:
    # 99 columns to ruff, 102 to us: a trailing comma makes ruff keep the exploded call.
    code = f'retry=dg.RetryPolicy(name="éüé{"a" * 62}"),'
    assert width("    " + code) == 102
    assert fit(code, 4) == f'    retry=dg.RetryPolicy(\n        name="éüé{"a" * 62}",\n    ),'


def test_a_keyword_selection_with_bars_is_parenthesised_and_broken_before_each_bar() -> None:
    a = f"dg.AssetSelection.assets({LONG}.x)"
    b = 'dg.AssetSelection.groups("sales")'
    assert fit(f"selection={a} | {b},", 4) == (
        f"    selection=(\n        {a}\n        | {b}\n    ),"
    )


def test_output_of_fitting_is_a_fixed_point() -> None:
    code = f'key=dg.AssetKey(["{LONG}", "{LONG}"]),'
    once = fit_source("        " + code)
    assert fit_source(once) == once


def test_a_keyword_condition_breaks_before_bars_then_before_ampersands_inside() -> None:
    a, b, c = (
        f"dg.AutomationCondition.{n}()" for n in ("eager", "in_progress", "execution_failed")
    )
    code = f"automation_condition=~{a} & {b} & {c} & {b} | {a},"
    assert fit(code, 8) == (
        "        automation_condition=(\n"
        f"            ~{a}\n            & {b}\n            & {c}\n            & {b}\n"
        f"            | {a}\n        ),"
    )


# -- against ruff -----------------------------------------------------------------------------


def _random_condition(rng: random.Random, depth: int = 0) -> str:
    """An automation condition as spec_code writes one: calls, `~`, `&` and `|`, parenthesised
    where precedence needs it."""
    r = rng.random()
    if depth > 2 or r < 0.4:
        name = rng.choice(["eager", "missing", "in_progress", "execution_failed", "on_missing"])
        call = f"dg.AutomationCondition.{name}()"
        if rng.random() < 0.2:
            call = f'dg.AutomationCondition.on_cron("{rng.choice(["0 6 * * *", "*/5 * * * *"])}")'
        return call
    if r < 0.55:
        inner = _random_condition(rng, depth + 1)
        return f"~({inner})" if " " in inner else f"~{inner}"
    operator = rng.choice(["&", "|"])
    operands = []
    for _ in range(rng.randint(2, 4)):
        operand = _random_condition(rng, depth + 1)
        if operator == "&" and " | " in operand and not operand.startswith("~"):
            operand = f"({operand})"
        operands.append(operand)
    return f" {operator} ".join(operands)


def _random_case(rng: random.Random, alphabet: str) -> str:
    def text() -> str:
        size = rng.choice([1, 3, 8, 20, 40, 70, 95])
        chars = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, size)))
        return py_literal(chars + rng.choice(["", "(", "]", ",", "|", "#", '"', "'", "{"]))

    def name() -> str:
        return rng.choice(["a", "dg.AssetKey", "dg.TableColumn", "f.g", "salesforce.salesforce"])

    def expr(depth: int = 0) -> str:
        r = rng.random()
        if depth > 2 or r < 0.35:
            return text() if rng.random() < 0.8 else name()
        if r < 0.6:
            args = [expr(depth + 1) for _ in range(rng.randint(0, 4))]
            if args and rng.random() < 0.4:
                args[-1] = f"k{rng.randint(0, 9)}={args[-1]}"
            return f"{name()}({', '.join(args)})"
        if r < 0.75:
            return "[" + ", ".join(expr(depth + 1) for _ in range(rng.randint(0, 4))) + "]"
        if r < 0.85:
            pairs = (f"{text()}: {expr(depth + 1)}" for _ in range(rng.randint(1, 3)))
            return "{" + ", ".join(pairs) + "}"
        if r < 0.92:
            return "{" + ", ".join(text() for _ in range(rng.randint(1, 3))) + "}"
        return f"({expr(depth + 1)},)"

    value = expr()
    return rng.choice(
        [
            f"x = f(\n    automation_condition={_random_condition(rng)},\n)\n",
            f"x = {value}\n",
            f"x = f(\n    key={value},\n)\n",
            f'x = {{\n    "k": {value},\n}}\n',
            f"x = f(\n    a,\n    f(\n        b={value},\n    ),\n)\n",
            "j = dg.define_asset_job(\n    selection="
            + f"dg.AssetSelection.assets({', '.join(name() for _ in range(rng.randint(1, 5)))})"
            + f" | dg.AssetSelection.groups({', '.join(text() for _ in range(3))}),\n)\n",
        ]
    )


@pytest.mark.parametrize(
    ("seed", "alphabet"),
    [(1, "abcdefghij_xyz"), (2, "abcdefghij_xyz"), (3, "abcdefg_xyzéü日本語😀\u0301")],
)
def test_ruff_keeps_what_line_fit_writes(seed: int, alphabet: str, tmp_path: Path) -> None:
    rng = random.Random(seed)
    cases = [_random_case(rng, alphabet) for _ in range(300)]
    fitted = {f"case{i}.py": fit_source(case) for i, case in enumerate(cases)}
    reformatted = ruff_formatted(fitted, tmp_path)
    changed = [name for name in fitted if reformatted[name] != fitted[name]]
    assert not changed, f"ruff changes {changed[0]}:\n{fitted[changed[0]]}"


def test_ascii_lines_are_split_exactly_as_ruff_splits_them(tmp_path: Path) -> None:
    rng = random.Random(4)
    # Keyword selections and conditions aside: ruff would break them without parentheses, at the
    # same indent; line_fit parenthesises them, which ruff keeps (the test above).
    cases = [
        c
        for c in (_random_case(rng, "abcdefghij_xyz") for _ in range(300))
        if "|" not in c and "&" not in c
    ]
    by_ruff = ruff_formatted({f"case{i}.py": case for i, case in enumerate(cases)}, tmp_path)
    for i, case in enumerate(cases):
        assert fit_source(case) == by_ruff[f"case{i}.py"], case
