"""AttrReader: typed attribute access that collects every problem."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from botkit.core.binary import AttrReader, Node
from botkit.errors import DecodeError
from botkit.types.jid import JID

NODE = Node(
    "message",
    {
        "from": JID("1", "s.whatsapp.net"),
        "participant": "2:3@lid",
        "id": "ABC",
        "t": "1700000000",
        "count": "-5",
        "offline": "true",
        "flag": "0",
        "bad_int": "12a",
        "bad_bool": "yes",
        "bad_jid": "a@b@c",
    },
)


def test_reads_typed_values() -> None:
    r = AttrReader(NODE)
    values = (
        r.jid("from"),
        r.jid("participant"),
        r.string("id"),
        r.int("t"),
        r.int("count"),
        r.bool("offline"),
        r.bool("flag"),
        r.unix_time("t"),
        r.string("from"),
    )
    assert values == (
        JID("1", "s.whatsapp.net"),
        JID("2", "lid", 3),
        "ABC",
        1700000000,
        -5,
        True,
        False,
        datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
        "1@s.whatsapp.net",
    )
    assert r.ok
    r.raise_if_errors()


def test_optional_reads_return_none_when_absent() -> None:
    r = AttrReader(NODE)
    assert (
        r.optional_string("x"),
        r.optional_jid("x"),
        r.optional_int("x"),
        r.optional_bool("x"),
        r.optional_unix_time("x"),
    ) == (None, None, None, None, None)
    assert r.ok


def test_collects_every_problem() -> None:
    r = AttrReader(NODE)
    assert (r.string("missing"), r.int("bad_int"), r.bool("bad_bool"), r.jid("bad_jid")) == (
        "",
        0,
        False,
        JID("", ""),
    )
    assert not r.ok
    assert len(r.errors) == 4
    with pytest.raises(DecodeError) as info:
        r.raise_if_errors()
    message = str(info.value)
    for key in ("missing", "bad_int", "bad_bool", "bad_jid"):
        assert repr(key) in message


@pytest.mark.parametrize("value", ["", " 1", "+1", "1_000", "١", "9" * 30])
def test_int_is_strict_decimal(value: str) -> None:
    r = AttrReader(Node("a", {"n": value}))
    assert r.optional_int("n") is None
    assert not r.ok


def test_jid_value_is_not_an_int() -> None:
    r = AttrReader(Node("a", {"n": JID("1", "lid")}))
    assert r.int("n") == 0
    assert not r.ok


def test_unix_time_out_of_range_is_a_problem() -> None:
    r = AttrReader(Node("a", {"t": "9" * 19}))
    assert r.unix_time("t") == datetime.fromtimestamp(0, UTC)
    assert not r.ok
