"""The fluent builder: immutable until send, and each kind of message it makes."""

from __future__ import annotations

from typing import Any

import pytest

from botkit.bot import MessageBuilder
from botkit.types import MessageReceived
from botkit.types.jid import JID
from botkit.types.message import (
    ContactMessage,
    EditMessage,
    LocationMessage,
    MessageRef,
    OutgoingMessage,
    PollMessage,
    ReactionMessage,
    RevokeMessage,
    TextMessage,
)

CHAT = JID("120363000000000001", "g.us")
ALICE = JID("15550000001", "s.whatsapp.net")
ALICE_LID = JID("200000000001", "lid")
INCOMING = MessageReceived("IN1", CHAT, ALICE, 0.0, text="hello")
REF = MessageRef(CHAT, "IN1", ALICE, "hello")


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[JID, OutgoingMessage]] = []

    async def send(self, to: JID, message: OutgoingMessage) -> str:
        self.sent.append((to, message))
        return f"OUT{len(self.sent)}"


def _builder(**kwargs: Any) -> MessageBuilder:
    return MessageBuilder(sender=Recorder(), to=CHAT, **kwargs)


async def test_send_returns_the_id_and_sends_the_built_value() -> None:
    recorder = Recorder()
    builder = MessageBuilder(sender=recorder, to=CHAT).text("hi")
    assert await builder.send() == "OUT1"
    assert recorder.sent == [(CHAT, TextMessage("hi"))]


def test_every_step_returns_a_new_builder() -> None:
    base = _builder()
    greeting = base.text("hi")
    quoted = greeting.quote(INCOMING)
    assert base.body is None and greeting.quoted is None
    assert quoted.build() == TextMessage("hi", quote=REF)
    assert greeting.build() == TextMessage("hi")
    with pytest.raises(AttributeError):
        greeting.body = "changed"  # type: ignore[misc]


def test_at_number_in_text_becomes_a_mention() -> None:
    built = _builder().text("Welcome @15550000001 and @15550000002!").build()
    assert isinstance(built, TextMessage)
    assert built.mentions == (ALICE, JID("15550000002", "s.whatsapp.net"))


def test_mention_appends_the_handle_when_missing() -> None:
    assert _builder().text("Hi").mention(ALICE).build() == TextMessage("Hi @15550000001", (ALICE,))


def test_an_explicit_lid_mention_is_not_doubled_by_its_handle() -> None:
    built = _builder().text("Hi @200000000001").mention(ALICE_LID).build()
    assert built == TextMessage("Hi @200000000001", (ALICE_LID,))


def test_reaction_defaults_to_the_message_being_answered() -> None:
    assert _builder(origin=REF).react("❤️").build() == ReactionMessage(REF, "❤️")
    other = MessageRef(CHAT, "X", ALICE)
    assert _builder(origin=REF).react("", to=other).build() == ReactionMessage(other, "")


def test_reaction_needs_a_target() -> None:
    with pytest.raises(ValueError, match="react\\(\\) needs a message"):
        _builder().react("👍")


def test_edit_and_revoke() -> None:
    assert _builder().edit("OUT9", "fixed").build() == EditMessage(
        MessageRef(CHAT, "OUT9"), "fixed"
    )
    assert _builder().revoke("OUT9").build() == RevokeMessage(MessageRef(CHAT, "OUT9"))
    assert _builder().revoke(INCOMING).build() == RevokeMessage(REF)


def test_location_with_quote() -> None:
    built = _builder().location(52.52, 13.405, name="Berlin").quote(INCOMING).build()
    assert built == LocationMessage(52.52, 13.405, "Berlin", "", quote=REF)
    with pytest.raises(ValueError, match="no such place"):
        _builder().location(91, 0)


def test_contact_card() -> None:
    built = _builder().contact("Doe, Jane", "+1 555-000-1111").build()
    assert isinstance(built, ContactMessage)
    assert built.display_name == "Doe, Jane"
    assert "FN:Doe\\, Jane\n" in built.vcard
    assert "TEL;type=CELL;waid=15550001111:+15550001111" in built.vcard


def test_poll() -> None:
    built = _builder().poll("Lunch?", ["Pizza", "Sushi"], selectable=0).build()
    assert built == PollMessage("Lunch?", ("Pizza", "Sushi"), 0)
    with pytest.raises(ValueError, match="2 to 12 distinct options"):
        _builder().poll("Lunch?", ["Pizza", "Pizza"])


def test_kinds_do_not_mix_and_empty_builders_do_not_send() -> None:
    with pytest.raises(ValueError, match="either text or a LocationMessage"):
        _builder().text("hi").location(0, 0)
    with pytest.raises(ValueError, match="text\\(\\) on a builder that holds a PollMessage"):
        _builder().poll("?", ["a", "b"]).text("hi")
    with pytest.raises(ValueError, match="nothing to send"):
        _builder().build()


def test_template_renders_into_text() -> None:
    builder = _builder(render=lambda name, variables: f"{name}:{variables['user']}")
    assert builder.template("welcome.j2", user="Ann").build() == TextMessage("welcome.j2:Ann")
