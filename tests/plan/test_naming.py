"""Identifiers, group names and disambiguation: total, valid for Python and Dagster, stable."""

from __future__ import annotations

import builtins
import keyword
import re

import pytest
from dagster._core.definitions.utils import DISALLOWED_NAMES, check_valid_name, validate_group_name
from dagster._utils.names import clean_name_lower
from fivetran_codegen.plan.naming import (
    DIGIT_PREFIX,
    MAX_LENGTH,
    RESERVED_NAMES,
    assign_unique,
    group_name,
    identifier,
    is_identifier,
)
from hypothesis import given, settings
from hypothesis import strategies as st

PROPERTY = settings(max_examples=400, deadline=None)
VALID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def assert_valid(name: str) -> None:
    assert VALID.match(name), name
    assert name == name.lower() and name.isascii()
    assert not keyword.iskeyword(name) and not keyword.issoftkeyword(name)
    assert name not in RESERVED_NAMES
    check_valid_name(name)  # raises for names Dagster rejects as op/asset/output names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sales-prod", "sales_prod"),
        ("sales prod", "sales_prod"),
        ("Sales_Prod", "sales_prod"),
        ("  --Sales__ -- Prod!! ", "sales_prod"),  # every separator run, `_` included, is one `_`
        ("class", "class_"),
        ("import", "import_"),
        ("None", "none"),  # lower-cased, and `none` is no keyword
        ("match", "match_"),  # soft keyword
        ("type", "type_"),
        ("context", "context_"),  # Dagster reserves it
        ("list", "list_"),  # would shadow the builtin
        ("dg", "dg_"),  # would shadow `import dagster as dg` in generated modules
        ("123abc", "n_123abc"),
        ("2024 sales", "n_2024_sales"),
        ("__init__", "init"),
        ("__class__", "class_"),
        ("Café Société", "cafe_societe"),
        ("\uff21\uff22\uff23 \ufb01le", "abc_file"),  # NFKD: fullwidth letters and ligatures
        ("Straße", "stra_e"),  # no ASCII form: a separator
        ("a日本b", "a_b"),
    ],
)
def test_identifier_examples(text: str, expected: str) -> None:
    assert identifier(text) == expected
    assert_valid(expected)


@pytest.mark.parametrize("text", ["", "!!!", "___", "日本語", "\u0301\u200b", "\U0001f600"])
def test_identifier_falls_back_when_nothing_is_left(text: str) -> None:
    assert identifier(text) == "x"
    assert identifier(text, fallback="connection") == "connection"


@pytest.mark.parametrize("fallback", ["", "class", "Upper", "1abc", "_x", "a-b"])
def test_an_invalid_fallback_is_refused(fallback: str) -> None:
    with pytest.raises(ValueError, match="fallback"):
        identifier("ok", fallback=fallback)


def test_long_names_are_cut_on_a_word_boundary() -> None:
    assert identifier("words " * 60) == "_".join(["words"] * 10)  # the 11th would be cut
    assert identifier("word " * 60) == "_".join(["word"] * 13)  # exactly MAX_LENGTH


def test_long_names_without_a_late_boundary_are_cut_hard() -> None:
    assert identifier("a" * 300) == "a" * MAX_LENGTH
    assert identifier("ab " + "c" * 300) == "ab_" + "c" * (MAX_LENGTH - 3)


def test_the_digit_prefix_counts_towards_the_length() -> None:
    name = identifier("1" * 300)
    assert name == DIGIT_PREFIX + "1" * (MAX_LENGTH - len(DIGIT_PREFIX))


@pytest.mark.parametrize("name", sorted(n for n in RESERVED_NAMES if VALID.match(n)))
def test_every_reserved_name_is_escaped(name: str) -> None:
    result = identifier(name)
    assert_valid(result)
    if re.fullmatch(r"[a-z][a-z0-9_]*", name):
        assert result == name + "_"


def test_reserved_names_cover_dagster() -> None:
    # Fails when a dagster upgrade reserves a name we do not: add it to DAGSTER_RESERVED.
    assert set(DISALLOWED_NAMES) <= RESERVED_NAMES


def test_reserved_names_cover_python() -> None:
    # Fails on a Python that adds a keyword or a lower-case builtin: add it to the lists.
    assert set(keyword.kwlist) | set(keyword.softkwlist) <= RESERVED_NAMES
    public = {n for n in dir(builtins) if n.islower() and not n.startswith("_")}
    assert public <= RESERVED_NAMES


@PROPERTY
@given(st.text(), st.sampled_from(["x", "connection", "n_1"]))
def test_identifier_is_total_and_valid(text: str, fallback: str) -> None:
    name = identifier(text, fallback=fallback)
    assert_valid(name)
    assert len(name) <= MAX_LENGTH
    assert "__" not in name
    assert identifier(name) == name  # idempotent: a clean name stays as it is
    assert is_identifier(name)


@PROPERTY
@given(st.from_regex(r"[a-z][a-z0-9]{0,15}(_[a-z0-9]{1,10}){0,3}", fullmatch=True))
def test_clean_names_are_kept(text: str) -> None:
    assert identifier(text) == (text + "_" if text in RESERVED_NAMES else text)


def test_group_name_matches_dagster_fivetran() -> None:
    assert group_name("My Connector-Prod (EU)") == "my_connector_prod_eu_"
    assert group_name("salesforce") == "salesforce"
    assert group_name("class") == "class"  # a group name is no Python name: kept as is
    assert group_name("日本") == "_"


def test_group_name_falls_back_only_for_an_empty_name() -> None:
    assert group_name("") == "unnamed"


@PROPERTY
@given(st.text())
def test_group_name_is_dagster_fivetrans_whenever_that_is_valid(text: str) -> None:
    name = group_name(text)
    validate_group_name(name)  # raises for an invalid group name
    expected = clean_name_lower(text)
    if expected:
        assert name == expected
    else:
        assert_valid(name)


CLASH = [("decent_dropsy", "sales-prod"), ("Weird ID/1", "sales prod"), ("abc", "Sales_Prod")]


def test_a_clash_suffixes_every_member_from_its_id() -> None:
    items = [(i, identifier(text)) for i, text in [*CLASH, ("hub1", "hubspot")]]
    names = assign_unique(items)
    assert names["hub1"] == "hubspot"
    assert names["decent_dropsy"] == "sales_prod__decent_dropsy"
    assert names["abc"] == "sales_prod__abc"
    assert re.fullmatch(r"sales_prod__[0-9a-f]{10}", names["Weird ID/1"])  # not identifier-like
    assert list(names) == sorted(names)  # ordered by stable id, not by input


def test_unrelated_changes_rename_nothing_outside_the_clash_group() -> None:
    before = assign_unique([("a1", "sales"), ("b1", "sales"), ("c1", "sales"), ("h1", "hubspot")])
    added = assign_unique(
        [("a1", "sales"), ("b1", "sales"), ("c1", "sales"), ("h1", "hubspot"), ("z", "zendesk")]
    )
    assert {k: added[k] for k in before} == before
    removed = assign_unique([("a1", "sales"), ("b1", "sales"), ("h1", "hubspot")])
    assert removed == {"a1": "sales__a1", "b1": "sales__b1", "h1": "hubspot"}
    # Only when a clash group shrinks to one does its last member get its plain name back.
    assert assign_unique([("a1", "sales"), ("h1", "hubspot")]) == {"a1": "sales", "h1": "hubspot"}


def test_a_suffixed_name_never_takes_another_items_plain_name() -> None:
    # `a` + id `x` would be `a__x`, which another item already holds as its own base.
    names = assign_unique([("x", "a"), ("y", "a"), ("p", "a__x")])
    assert names == {"p": "a__x", "x": "a__x_2", "y": "a__y"}


def test_a_fallback_name_skips_names_already_taken() -> None:
    names = assign_unique([("x", "a"), ("y", "a"), ("p", "a__x"), ("q", "a__x_2")])
    assert names == {"p": "a__x", "q": "a__x_2", "x": "a__x_3", "y": "a__y"}


def test_duplicate_ids_and_invalid_bases_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate stable ids"):
        assign_unique([("a", "one"), ("a", "two")])
    with pytest.raises(ValueError, match="not valid identifiers"):
        assign_unique([("a", "class")])
    with pytest.raises(ValueError, match="not valid identifiers"):
        assign_unique([("a", "Sales")])


IDS = st.sampled_from(["x", "y", "p", "q", "a_1", "Weird ID"]) | st.text(max_size=12)
BASES = st.sampled_from(["a", "b", "a__x", "a__y", "a__x_2", "b__p"]) | st.text().map(identifier)


@PROPERTY
@given(st.dictionaries(IDS, BASES, max_size=12), st.data())
def test_assign_unique_is_order_free_unique_and_valid(
    pairs: dict[str, str], data: st.DataObject
) -> None:
    items = list(pairs.items())
    names = assign_unique(items)
    assert names == assign_unique(data.draw(st.permutations(items)))
    assert list(names) == sorted(pairs)
    assert len(set(names.values())) == len(names)
    for name in names.values():
        assert_valid(name)
    bases = [base for _, base in items]
    for stable_id, base in items:  # a base held by one item only is kept as it is
        if bases.count(base) == 1:
            assert names[stable_id] == base
