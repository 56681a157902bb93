"""The snapshot file: deterministic bytes, exact round trips, errors that name the JSON path."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from fivetran_codegen.errors import SnapshotFileError
from fivetran_codegen.snapshot import codec, payloads
from fivetran_codegen.snapshot.model import (
    Account,
    Column,
    Connection,
    Destination,
    Group,
    Problem,
    Schema,
    SchemaConfig,
    Selection,
    Snapshot,
    Table,
    utc_offset_minutes,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def make_snapshot(name: str = "salesforce", table: str = "account") -> Snapshot:
    columns = (Column("Email", "email", True, True, None), Column("Id", "id", True, False, True))
    tables = tuple(
        sorted(  # the model keeps tables in source-name order, as the loader does
            (
                Table(table, table.lower(), True, "SOFT_DELETE", True, False, columns),
                Table("Zeta", "zeta", False, None, None, False, ()),
            ),
            key=lambda t: t.name,
        )
    )
    connection = Connection(
        id="speak_inexpensive",
        name=name,
        service="salesforce",
        group_id="projected_sickle",
        setup_state="connected",
        paused=False,
        schedule_type="auto",
        sync_frequency=360,
        daily_sync_time=None,
        schema_config=SchemaConfig("ALLOW_ALL", (Schema("salesforce", name, True, tables),)),
        schema_config_error=None,
    )
    never_synced = replace(
        connection,
        id="aardvark_new",
        schema_config=None,
        schema_config_error=Problem("NotFound_SchemaConfig", "no schema config"),
        setup_state="incomplete",
    )
    return Snapshot(
        account=Account("acct_1", "Acme"),
        selection=Selection(),
        groups=(
            Group(
                "projected_sickle",
                "Warehouse",
                Destination("snowflake", "US", "ANALYTICS", time_zone_offset="-5"),
                None,
            ),
        ),
        connections=(never_synced, connection),
    )


def test_dump_is_sorted_pretty_and_ends_with_newline() -> None:
    text = codec.dumps(make_snapshot())
    assert text.endswith("}\n") and "\r" not in text
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert [c["id"] for c in document["connections"]] == ["aardvark_new", "speak_inexpensive"]


def test_dump_validates_against_the_published_schema() -> None:
    document = json.loads(codec.dumps(make_snapshot()))
    jsonschema.Draft202012Validator(codec.json_schema()).validate(document)


def test_round_trip_is_exact() -> None:
    snapshot = make_snapshot()
    assert codec.loads(codec.dumps(snapshot)) == snapshot


def test_invisible_characters_are_escaped_but_text_stays_readable() -> None:
    name = "caf\u00e9 \u6570\u636e \u200b\u202e\u2028end"
    text = codec.dumps(make_snapshot(name=name))
    assert "caf\u00e9 \u6570\u636e" in text  # readable unicode stays as is
    for invisible in ("\u200b", "\u202e", "\u2028"):
        assert invisible not in text
    assert "\\u200b" in text and "\\u202e" in text and "\\u2028" in text
    assert codec.loads(text).connections[1].name == name


names = st.text(min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(name=names, table=names.filter(lambda t: t != "Zeta"))
def test_any_string_round_trips(name: str, table: str) -> None:
    snapshot = make_snapshot(name=name, table=table)
    assert codec.loads(codec.dumps(snapshot)) == snapshot


def test_missing_file_names_the_path_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(SnapshotFileError) as caught:
        codec.load(tmp_path / "nope.json")
    assert "nope.json" in str(caught.value) and "fivetran-codegen snapshot" in str(caught.value)


def test_truncated_file_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "fivetran_snapshot.json"
    path.write_text(codec.dumps(make_snapshot())[:200])
    with pytest.raises(SnapshotFileError) as caught:
        codec.load(path)
    assert f"{path}:" in str(caught.value) and "not valid JSON" in str(caught.value)


def _broken(mutate: object) -> str:
    document = json.loads(codec.dumps(make_snapshot()))
    mutate(document)  # type: ignore[operator]
    return json.dumps(document)


@pytest.mark.parametrize(
    ("mutate", "json_path"),
    [
        (lambda d: d["connections"][1].pop("service"), "$.connections[1]"),
        (lambda d: d["connections"][1].update(paused="no"), "$.connections[1].paused"),
        (
            lambda d: d["connections"][1]["schema_config"]["schemas"]["salesforce"]["tables"][
                "account"
            ].update(enabled=None),
            "$.connections[1].schema_config.schemas.salesforce.tables.account.enabled",
        ),
        (lambda d: d.update(surprise=1), "$"),
        (lambda d: d["groups"][0].update(destination={"service": ""}), "$.groups[0].destination"),
        (
            lambda d: d["groups"][0]["destination"].update(time_zone_offset="UTC-5"),
            "$.groups[0].destination.time_zone_offset",
        ),
    ],
)
def test_schema_errors_name_the_json_path(mutate: object, json_path: str) -> None:
    with pytest.raises(SnapshotFileError) as caught:
        codec.loads(_broken(mutate), source="snap.json")
    assert f"snap.json at {json_path}" in str(caught.value)


def test_a_misspelled_key_inside_a_nullable_object_is_named_not_dumped() -> None:
    """`schema_config` is null or an object; jsonschema words a bad key inside it as "the
    whole object is not valid under any of the given schemas", with the object dumped."""

    def misspell(d: dict) -> None:  # type: ignore[type-arg]
        table = d["connections"][1]["schema_config"]["schemas"]["salesforce"]["tables"]["account"]
        table["name_in_destinaton"] = table.pop("name_in_destination")

    with pytest.raises(SnapshotFileError) as caught:
        codec.loads(_broken(misspell), source="snap.json")
    message = str(caught.value)
    assert "snap.json at $.connections[1].schema_config.schemas.salesforce.tables.account" in (
        message
    )
    assert "'name_in_destinaton' was unexpected" in message
    assert "'name_in_destination' is a required property" in message
    assert "{" not in message.split("schema:", 1)[1]  # no dump of the object


def test_other_format_version_is_refused_with_the_versions() -> None:
    with pytest.raises(SnapshotFileError) as caught:
        codec.loads(_broken(lambda d: d.update(version=2)))
    assert "version 2" in str(caught.value) and "version 1" in str(caught.value)


def test_duplicate_connection_ids_are_refused() -> None:
    def duplicate(d: dict) -> None:  # type: ignore[type-arg]
        d["connections"].append(d["connections"][1])

    with pytest.raises(SnapshotFileError) as caught:
        codec.loads(_broken(duplicate), source="s.json")
    assert "s.json at $.connections[2].id" in str(caught.value)


def test_a_lone_surrogate_from_a_json_escape_is_kept_and_escaped() -> None:
    name = json.loads('"half \\ud800 pair"')  # what json.loads makes of an API's "\ud800"
    text = codec.dumps(make_snapshot(name=name))
    assert "\\ud800" in text
    text.encode("utf-8")  # writable
    assert codec.loads(text).connections[1].name == name


def _with_second(text: str, line_start: str, twin: str) -> str:
    """`text` with `twin` inserted as a line after the first line that starts with `line_start`."""
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(line_start))
    return "".join([*lines[: at + 1], twin, *lines[at + 1 :]])


@pytest.mark.parametrize(
    ("line_start", "twin", "where"),
    [
        ('  "account": {', '    "id": "other",\n', "$.account"),
        (
            '                  "Email": {',
            '                    "enabled": false,\n',
            "$.connections[1].schema_config.schemas.salesforce.tables.account.columns.Email",
        ),
    ],
    ids=["account id", "column enabled"],
)
def test_a_key_twice_in_one_object_is_refused_with_its_path(
    line_start: str, twin: str, where: str
) -> None:
    text = _with_second(codec.dumps(make_snapshot()), line_start, twin)
    with pytest.raises(SnapshotFileError) as caught:
        codec.loads(text, source="s.json")
    message = str(caught.value)
    assert f"s.json at {where}" in message
    assert "appears twice in one object" in message and "take the snapshot again" in message


def test_a_key_twice_is_found_in_a_file_laid_out_another_way() -> None:
    document = json.loads(codec.dumps(make_snapshot()))
    compact = json.dumps(document, separators=(",", ":"))
    assert codec.loads(compact) == make_snapshot()  # no duplicate: reads as the original
    twice = compact.replace('"name":"salesforce",', '"name":"salesforce","name":"other",', 1)
    with pytest.raises(SnapshotFileError, match="'name' appears twice"):
        codec.loads(twice)


def test_a_byte_order_mark_before_a_snapshot_is_read_past() -> None:
    text = codec.dumps(make_snapshot()).encode()
    assert codec.loads(b"\xef\xbb\xbf" + text) == codec.loads(text) == make_snapshot()


@pytest.mark.parametrize("name", ["plain", "caf\u00e9 \u6570\u636e", "zero\u200bwidth \ud800"])
def test_a_file_as_written_is_not_parsed_twice_for_duplicates(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fivetran_codegen.snapshot import json_codec

    def slow(_: object) -> None:
        raise AssertionError("parsed again, though the file is laid out as `dumps` writes it")

    monkeypatch.setattr(json_codec, "duplicate_key_path", slow)
    snapshot = make_snapshot(name=name)
    assert codec.loads(codec.dumps(snapshot)) == snapshot
    assert codec.loads(codec.dumps(snapshot).encode("utf-8")) == snapshot


def test_a_snapshot_from_before_the_time_zone_offset_loads_with_the_offset_unknown() -> None:
    document = json.loads(codec.dumps(make_snapshot()))
    del document["groups"][0]["destination"]["time_zone_offset"]
    destination = codec.loads(json.dumps(document), source="old.json").groups[0].destination
    assert destination is not None and destination.time_zone_offset is None
    assert destination.utc_offset_minutes is None


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("-5", -300), ("+10", 600), ("0", 0), ("+5:30", 330), ("-3:30", -210), ("14", 840)],
)
def test_fivetran_time_zone_offsets_are_minutes_east_of_utc(text: str, minutes: int) -> None:
    assert utc_offset_minutes(text) == minutes


@pytest.mark.parametrize("text", ["", "UTC", "+15", "-5:75", "5.5", None])
def test_what_is_not_an_offset_is_unknown(text: str | None) -> None:
    assert utc_offset_minutes(text) is None


@pytest.mark.parametrize(
    ("value", "kept"),
    [("-5", "-5"), (-5, "-5"), (10, "+10"), (0, "0"), ("soon", None), (None, None)],
)
def test_the_destination_payload_offset_is_kept_as_fivetran_writes_it(
    value: object, kept: str | None
) -> None:
    destination = payloads.destination({"service": "snowflake", "time_zone_offset": value})
    assert destination.time_zone_offset == kept
