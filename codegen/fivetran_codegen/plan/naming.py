"""Names for generated code: identifiers, Dagster group names, and stable disambiguation.

Fivetran names are arbitrary user strings. Everything that becomes a Python or Dagster name
goes through `identifier()` (module, function and op names) or `group_name()` (asset groups),
and names that must be unique together go through `assign_unique()`.

The reserved lists are literal, not read from `keyword`, `builtins` or dagster at run time:
generated names must not change with the Python or dagster version that runs `generate`.
Tests fail when Python or dagster reserve more than these lists hold.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Final

from fivetran_codegen import unicode13
from fivetran_codegen.config import dagster_names

MAX_LENGTH: Final = 64

PYTHON_KEYWORDS: Final = frozenset(
    {
        *("False", "None", "True", "and", "as", "assert", "async", "await", "break", "class"),
        *("continue", "def", "del", "elif", "else", "except", "finally", "for", "from"),
        *("global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass"),
        *("raise", "return", "try", "while", "with", "yield"),
        *("_", "case", "match", "type"),  # soft keywords (`type` since 3.12)
    }
)

# Lower-case builtins: a module-level function with one of these names would shadow it for
# everything after it in the generated module.
PYTHON_BUILTINS: Final = frozenset(
    {
        *("abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint"),
        *("bytearray", "bytes", "callable", "chr", "classmethod", "compile", "complex"),
        *("copyright", "credits", "delattr", "dict", "dir", "divmod", "enumerate", "eval"),
        *("exec", "exit", "filter", "float", "format", "frozenset", "getattr", "globals"),
        *("hasattr", "hash", "help", "hex", "id", "input", "int", "isinstance", "issubclass"),
        *("iter", "len", "license", "list", "locals", "map", "max", "memoryview", "min"),
        *("next", "object", "oct", "open", "ord", "pow", "print", "property", "quit", "range"),
        *("repr", "reversed", "round", "set", "setattr", "slice", "sorted", "staticmethod"),
        *("str", "sum", "super", "tuple", "type", "vars", "zip"),
    }
)

# dagster._core.definitions.utils.DISALLOWED_NAMES (without the keywords it adds): asset, op
# and output names Dagster rejects.
DAGSTER_RESERVED: Final = frozenset(
    {
        *("context", "conf", "config", "meta", "arg_dict", "dict", "input_arg_dict"),
        *("output_arg_dict", "int", "str", "float", "bool", "input", "output", "type"),
    }
)

# Module-level names the generated modules bind themselves (imports and definitions).
GENERATED_CODE_NAMES: Final = frozenset(
    {
        *("annotations", "dagster", "defs", "dg", "fivetran", "fivetran_assets"),
        *("build_fivetran_polling_sensor", "connections", "fivetran_codegen_runtime"),
        *("require_runtime", "schema_check_specs"),
    }
)

RESERVED_NAMES: Final = PYTHON_KEYWORDS | PYTHON_BUILTINS | DAGSTER_RESERVED | GENERATED_CODE_NAMES

# A leading digit gets this prefix: a leading `_` would make the name private.
DIGIT_PREFIX: Final = "n_"

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
# Ids used verbatim as suffixes: what `identifier()` would keep unchanged, bar reserved words
# and a leading digit (harmless after `__`). Other ids are hashed so suffixes stay injective.
_SUFFIX_ID = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
_MAX_ID_SUFFIX = 32
_GROUP_FALLBACK = "unnamed"


def is_identifier(name: str) -> bool:
    """True for names `identifier()` can return: lower-case ASCII, a leading letter, unreserved."""
    return bool(_IDENTIFIER.fullmatch(name)) and name not in RESERVED_NAMES


def identifier(text: str, *, fallback: str = "x") -> str:
    """A lower-case ASCII name valid in Python and Dagster, for any string.

    Accents are removed (`é` -> `e`), characters without an ASCII form act as separators, each
    run of separators (including `_`) becomes one `_`, and a leading digit gets `n_`. Long names
    are cut near a `_` to at most MAX_LENGTH characters; reserved names get a trailing `_`.
    """
    if not is_identifier(fallback):
        raise ValueError(f"fallback {fallback!r} is not a valid identifier")
    # Only what Unicode 13.0 has is decomposed (its decompositions never change); anything newer
    # separates, as it does on Python 3.10, so every Python derives the same name.
    known = "".join(c if unicode13.is_printable(c) else " " for c in text)
    decomposed = unicodedata.normalize("NFKD", known)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    name = "_".join(word for word in _SEPARATORS.split(ascii_text) if word) or fallback
    if name[0].isdigit():
        name = DIGIT_PREFIX + name
    name = _truncate(name)
    return name + "_" if name in RESERVED_NAMES else name


def _truncate(name: str) -> str:
    if len(name) <= MAX_LENGTH:
        return name
    cut = name[:MAX_LENGTH]
    boundary = cut.rfind("_")
    # Prefer a whole-word cut, unless the last `_` is in the first half of what fits.
    if name[MAX_LENGTH] != "_" and boundary >= MAX_LENGTH // 2:
        cut = cut[:boundary]
    return cut.rstrip("_")


def group_name(text: str) -> str:
    """dagster-fivetran's group name (`clean_name_lower`), so migrated assets keep their group.

    Only when that is not a valid Dagster group name (an empty connection name) do the
    `identifier()` rules apply instead.
    """
    name = dagster_names.clean_name_lower(text)
    if dagster_names.is_name(name):
        return name
    return identifier(text, fallback=_GROUP_FALLBACK)


def assign_unique(items: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Map each `(stable_id, base)` to a unique identifier, keyed and ordered by stable id.

    A base held by one item is kept. When several items share a base, every one of them becomes
    `<base>__<suffix>`, the suffix being the stable id itself when it is a short lower-case
    identifier and otherwise 10 hex digits of its SHA-256. So names never depend on input order,
    and adding or removing an item renames nothing outside its own clash group.
    """
    ids = [stable_id for stable_id, _ in items]
    duplicates = sorted(stable_id for stable_id, n in Counter(ids).items() if n > 1)
    if duplicates:
        raise ValueError(f"duplicate stable ids: {duplicates!r}")
    invalid = sorted(base for _, base in items if not is_identifier(base))
    if invalid:
        raise ValueError(f"not valid identifiers: {invalid!r}")

    holders = Counter(base for _, base in items)
    result = {stable_id: base for stable_id, base in items if holders[base] == 1}
    suffixed = {
        stable_id: f"{base}__{_id_suffix(stable_id)}"
        for stable_id, base in items
        if holders[base] > 1
    }
    # A suffixed name can still equal another item's base (a base that already looks like
    # `x__id`) or, on a hash collision, another suffixed name. Plain names win, so an unrelated
    # item is never renamed; the losers take the first free `_2`, `_3`... in stable-id order.
    suffixed_holders = Counter(suffixed.values())
    taken = set(result.values())
    losers = {i for i, name in suffixed.items() if suffixed_holders[name] > 1 or name in taken}
    result.update((i, name) for i, name in suffixed.items() if i not in losers)
    taken.update(result.values())
    for stable_id in sorted(losers):
        result[stable_id] = first_free(suffixed[stable_id], taken)
        taken.add(result[stable_id])
    return {stable_id: result[stable_id] for stable_id in sorted(result)}


def _id_suffix(stable_id: str) -> str:
    if len(stable_id) <= _MAX_ID_SUFFIX and _SUFFIX_ID.fullmatch(stable_id):
        return stable_id
    # surrogatepass: ids are arbitrary strings, lone surrogates included.
    return hashlib.sha256(stable_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def first_free(name: str, taken: set[str]) -> str:
    """`name_2`, `name_3`...: the first that is not taken."""
    n = 2
    while f"{name}_{n}" in taken:
        n += 1
    return f"{name}_{n}"
