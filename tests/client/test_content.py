"""Outgoing runtime values to Message protobufs, and received protobufs to event fields."""

from __future__ import annotations

import pytest

from botkit.client.content import mentions_of, quoted_of, text_of, to_protobuf
from botkit.pb import e2e_pb2
from botkit.types.events import QuotedMessage
from botkit.types.jid import JID
from botkit.types.message import (
    EditMessage,
    MessageRef,
    PollMessage,
    ReactionMessage,
    RevokeMessage,
    TextMessage,
)

OWN = JID("15550001111", "s.whatsapp.net")
BOB = JID("15550002222", "s.whatsapp.net")
REF = MessageRef(BOB, "3EB0000000000000000001", BOB, "hi")


def test_plain_text_is_a_conversation() -> None:
    assert to_protobuf(TextMessage("hi"), OWN, 0) == e2e_pb2.Message(conversation="hi")


def test_mentions_and_quote_make_an_extended_text_that_reads_back() -> None:
    message = to_protobuf(TextMessage("@bob yes", mentions=(BOB,), quote=REF), OWN, 0)
    assert text_of(message) == "@bob yes"
    assert mentions_of(message) == (BOB,)
    assert quoted_of(message) == QuotedMessage(REF.id, BOB, "hi")


def test_reaction_edit_and_revoke() -> None:
    reaction = to_protobuf(ReactionMessage(REF, "👍"), OWN, 5).reaction_message
    assert (reaction.text, reaction.key.id, reaction.key.from_me) == ("👍", REF.id, False)
    own_ref = MessageRef(BOB, "3EB0000000000000000002")
    edit = to_protobuf(EditMessage(own_ref, "fixed"), OWN, 5).protocol_message
    assert edit.type == e2e_pb2.ProtocolMessage.MESSAGE_EDIT and edit.key.from_me
    assert edit.edited_message.conversation == "fixed"
    revoke = to_protobuf(RevokeMessage(own_ref), OWN, 5).protocol_message
    assert revoke.type == e2e_pb2.ProtocolMessage.REVOKE


def test_unmapped_values_say_so() -> None:
    with pytest.raises(NotImplementedError):
        to_protobuf(PollMessage("q?", ("a", "b")), OWN, 0)
