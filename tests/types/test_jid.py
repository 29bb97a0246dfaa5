"""JID: string forms for every server, device addressing and the helpers of PROTOCOL.md §5."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from botkit.errors import DecodeError, RemoteProtocolError
from botkit.types import (
    DEFAULT_USER_SERVER,
    JID,
    NEW_META_AI_JID,
    SERVER_JID,
    STATUS_BROADCAST_JID,
)

FORMS = [
    ("s.whatsapp.net", JID("", "s.whatsapp.net")),
    ("@s.whatsapp.net", JID("", "s.whatsapp.net", pair=True)),
    ("g.us", JID("", "g.us")),
    ("15551234567@s.whatsapp.net", JID("15551234567", "s.whatsapp.net")),
    ("15551234567:3@s.whatsapp.net", JID("15551234567", "s.whatsapp.net", 3)),
    ("15551234567:0@s.whatsapp.net", JID("15551234567", "s.whatsapp.net", ad=True)),
    ("15551234567_7:2@s.whatsapp.net", JID("15551234567", "s.whatsapp.net", 2, agent=7)),
    ("123456789012345@lid", JID("123456789012345", "lid")),
    ("123456789012345:12@lid", JID("123456789012345", "lid", 12)),
    ("120363012345678901@g.us", JID("120363012345678901", "g.us")),
    ("15551234567-1600000000@g.us", JID("15551234567-1600000000", "g.us")),
    ("16505361212@c.us", JID("16505361212", "c.us")),
    ("status@broadcast", JID("status", "broadcast")),
    ("1234567890@broadcast", JID("1234567890", "broadcast")),
    ("120363000000000000@newsletter", JID("120363000000000000", "newsletter")),
    ("1234@hosted", JID("1234", "hosted")),
    ("1234:0@hosted", JID("1234", "hosted", ad=True)),
    ("1234:5@hosted.lid", JID("1234", "hosted.lid", 5)),
    ("100001@msgr", JID("100001", "msgr")),
    ("100001:3@msgr", JID("100001", "msgr", 3)),
    ("7-100001:3@interop", JID("100001", "interop", 3, integrator=7)),
    ("867051314767696@bot", JID("867051314767696", "bot")),
    ("ABCDEF0123@call", JID("ABCDEF0123", "call")),
]


@pytest.mark.parametrize(("text", "jid"), FORMS, ids=[text for text, _ in FORMS])
def test_parse(text: str, jid: JID) -> None:
    parsed = JID.parse(text)
    assert parsed == jid
    assert (parsed.ad, parsed.pair) == (jid.ad, jid.pair)


@pytest.mark.parametrize(("text", "jid"), FORMS, ids=[text for text, _ in FORMS])
def test_str_is_the_inverse_of_parse(text: str, jid: JID) -> None:
    assert str(jid) == text


def test_whatsmeow_agent_spelling_is_accepted() -> None:
    assert JID.parse("15551234567.7:2@s.whatsapp.net") == JID(
        "15551234567", DEFAULT_USER_SERVER, 2, 7
    )


def test_interop_without_integrator_parses() -> None:
    assert JID.parse("100001:3@interop") == JID("100001", "interop", 3)


def test_wire_form_flags_do_not_affect_equality() -> None:
    explicit = JID.parse("1:0@s.whatsapp.net")
    assert explicit == JID.parse("1@s.whatsapp.net")
    assert hash(explicit) == hash(JID.parse("1@s.whatsapp.net"))
    assert JID.parse("@s.whatsapp.net") == JID.parse("s.whatsapp.net") == SERVER_JID


@pytest.mark.parametrize(
    "text",
    [
        "",
        "@",
        "1@",
        "a@b@c",
        ":3@s.whatsapp.net",
        "1:x@s.whatsapp.net",
        "1:@s.whatsapp.net",
        "1:2:3@s.whatsapp.net",
        "1:99999@s.whatsapp.net",
        "1.300:1@s.whatsapp.net",
        "1.x:1@s.whatsapp.net",
        "1_:1@s.whatsapp.net",
        "x-1:1@interop",
        "1:" + "9" * 5000 + "@s.whatsapp.net",
        "1:²@s.whatsapp.net",
        "s.whatsapp.net:1",
    ],
)
def test_invalid_strings_raise_decode_error(text: str) -> None:
    with pytest.raises(DecodeError):
        JID.parse(text)


def test_non_string_raises_decode_error() -> None:
    with pytest.raises(RemoteProtocolError):
        JID.parse(b"1@s.whatsapp.net")  # type: ignore[arg-type]


def test_ad_string_is_whatsmeows_form() -> None:
    assert JID.parse("1@s.whatsapp.net").ad_string() == "1.0:0@s.whatsapp.net"
    assert JID.parse("1_7:2@s.whatsapp.net").ad_string() == "1.7:2@s.whatsapp.net"


def test_to_non_ad_drops_device_and_agent() -> None:
    non_ad = JID.parse("1_7:2@s.whatsapp.net").to_non_ad()
    assert (non_ad, str(non_ad)) == (JID("1", "s.whatsapp.net"), "1@s.whatsapp.net")
    assert JID.parse("3-1:2@interop").to_non_ad().integrator == 3


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("15551234567@s.whatsapp.net", "15551234567:0"),
        ("15551234567:3@s.whatsapp.net", "15551234567:3"),
        ("123456789012345:3@lid", "123456789012345_1:3"),
        ("1234:2@hosted", "1234_128:2"),
        ("1234@hosted.lid", "1234_129:0"),
        ("1_7:2@s.whatsapp.net", "1:2"),
    ],
)
def test_signal_address(text: str, address: str) -> None:
    assert str(JID.parse(text).signal_address()) == address


def test_signal_address_fields() -> None:
    assert tuple(JID.parse("9:4@lid").signal_address()) == ("9_1", 4)


@pytest.mark.parametrize(
    ("text", "true_predicates"),
    [
        ("s.whatsapp.net", {"is_server"}),
        ("@g.us", {"is_server"}),
        ("1@s.whatsapp.net", {"is_pn"}),
        ("1:2@lid", {"is_lid"}),
        ("120363@g.us", {"is_group"}),
        ("status@broadcast", {"is_status_broadcast"}),
        ("123@broadcast", {"is_broadcast_list"}),
        ("1@newsletter", {"is_newsletter"}),
        ("1@hosted", {"is_hosted"}),
        ("1:1@hosted.lid", {"is_hosted"}),
        ("867051314767696@bot", {"is_bot"}),
        ("13135550002@s.whatsapp.net", {"is_pn", "is_bot"}),
        ("13165550012@s.whatsapp.net", {"is_pn", "is_bot"}),
        ("13135550002:1@s.whatsapp.net", {"is_pn"}),
    ],
)
def test_predicates(text: str, true_predicates: set[str]) -> None:
    names = [
        "is_server",
        "is_pn",
        "is_lid",
        "is_group",
        "is_status_broadcast",
        "is_broadcast_list",
        "is_newsletter",
        "is_hosted",
        "is_bot",
    ]
    jid = JID.parse(text)
    assert {name for name in names if getattr(jid, name)} == true_predicates


def test_well_known_jids() -> None:
    assert str(SERVER_JID) == "@s.whatsapp.net"
    assert str(STATUS_BROADCAST_JID) == "status@broadcast"
    assert NEW_META_AI_JID.is_bot


def test_jid_is_frozen() -> None:
    jid = JID("1", "s.whatsapp.net")
    with pytest.raises(AttributeError):
        jid.user = "2"  # type: ignore[misc]


digits = st.text(alphabet="0123456789", min_size=1, max_size=20)
servers = st.sampled_from(
    ["s.whatsapp.net", "lid", "g.us", "c.us", "broadcast", "newsletter", "hosted", "hosted.lid",
     "msgr", "bot", "call"]
)  # fmt: skip


@st.composite
def jids(draw: st.DrawFn) -> JID:
    server = draw(servers | st.just("interop"))
    user = draw(digits)
    device = draw(st.integers(0, 255))
    ad = device == 0 and draw(st.booleans())
    agent = 0
    if server == "s.whatsapp.net" and draw(st.booleans()):
        agent = draw(st.integers(2, 127))
    integrator = draw(st.integers(0, 0xFFFF)) if server == "interop" else 0
    return JID(user, server, device, agent, integrator, ad=ad)


@given(jids())
def test_parse_str_round_trip(jid: JID) -> None:
    parsed = JID.parse(str(jid))
    assert parsed == jid
    assert str(parsed) == str(jid)
