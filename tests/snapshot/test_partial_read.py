"""Reading only some connections of a snapshot gives what reading it all and filtering gives.

The fast path cuts connection blocks out of the text as `codec.dumps` lays them out;
any other layout is parsed whole. Both must agree, for every subset, on hostile names too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fivetran_codegen.errors import SnapshotFileError
from fivetran_codegen.snapshot import codec, partial_read
from fivetran_codegen.snapshot.model import Snapshot
from fivetran_codegen_runtime.testing import FivetranSimulator, hostile_workspace

from tests.conftest import run_cli

SAMPLE = Path(__file__).parents[1] / "golden" / "sample" / "fivetran_snapshot.json"


@pytest.fixture(scope="module")
def hostile_text(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    work = tmp_path_factory.mktemp("hostile")
    with FivetranSimulator(hostile_workspace()) as sim:
        done = run_cli("snapshot", "--no-progress", cwd=work, sim=sim)
    assert done.code == 0, done.stderr
    return (work / "fivetran_snapshot.json").read_bytes()


def subsets(snapshot: Snapshot) -> list[set[str]]:
    ids = [c.id for c in snapshot.connections]
    return [set(), set(ids), {ids[0]}, {ids[-1]}, set(ids[::2]), {ids[1], "not-a-connection"}]


def check_agrees(text: bytes) -> None:
    whole = codec.loads(text)
    for ids in subsets(whole):
        part = partial_read.loads(text, ids, source="test")
        assert part == partial_read.of(whole, ids)
        assert {c.id for c in part.connections} == ids & {c.id for c in whole.connections}


def test_the_cut_agrees_with_the_whole_file_on_the_sample() -> None:
    text = SAMPLE.read_bytes()
    assert partial_read._cut(text, set()) is not None  # the fast path is the one taken
    check_agrees(text)


def test_the_cut_agrees_with_the_whole_file_on_hostile_names(hostile_text: bytes) -> None:
    assert partial_read._cut(hostile_text, set()) is not None
    check_agrees(hostile_text)


def test_a_file_of_another_layout_is_read_whole_with_the_same_result(hostile_text: bytes) -> None:
    document = json.loads(hostile_text)
    for text in (
        json.dumps(document).encode(),  # one line
        json.dumps(document, indent=4).encode(),
        hostile_text.replace(b"\n", b"\r\n"),  # checked out with CRLF line ends
    ):
        assert partial_read._cut(text, set()) is None
        check_agrees(text)


def test_a_connection_id_that_needs_escapes_is_found() -> None:
    document = json.loads(SAMPLE.read_text())
    tricky = 'id "quoted" \\ \ud800 \u2028 é'
    document["connections"][0]["id"] = tricky
    text = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
    assert partial_read._cut(text, set()) is not None
    part = partial_read.loads(text, {tricky}, source="test")
    assert [c.id for c in part.connections] == [tricky]


def test_a_broken_kept_connection_is_an_error_that_names_the_source() -> None:
    document = json.loads(SAMPLE.read_text())
    document["connections"][0]["paused"] = "yes"
    text = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
    with pytest.raises(SnapshotFileError, match=r"HEAD:fivetran_snapshot\.json"):
        partial_read.loads(
            text, {document["connections"][0]["id"]}, source="HEAD:fivetran_snapshot.json"
        )
