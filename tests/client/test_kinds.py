"""Received messages become typed events; the kinds a bot sends encode as WhatsApp expects."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from botkit.client.content import to_protobuf
from botkit.client.kinds import Origin, received_event
from botkit.core.e2e import message_attrs
from botkit.pb import e2e_pb2
from botkit.types.events import (
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    QuotedMessage,
    ReactionReceived,
)
from botkit.types.jid import JID
from botkit.types.message import (
    EditMessage,
    MessageRef,
    ReactionMessage,
    RevokeMessage,
    TextMessage,
)

OWN = JID("15550001111", "s.whatsapp.net")
ADMIN = JID("15550003333", "s.whatsapp.net")
ADMIN_LID = JID("333000333", "lid")
MEMBER = JID("15550002222", "s.whatsapp.net")
GROUP = JID("120363000000000001", "g.us")
ORIGIN = Origin("3EB0AAAA", GROUP, ADMIN_LID, 1_700_000_000.0, sender_alt=ADMIN)


def _received(message: e2e_pb2.Message) -> object:
    """Round-trip ``message`` through its bytes, as it would arrive, and classify it."""
    return received_event(e2e_pb2.Message.FromString(message.SerializeToString()), ORIGIN)


def test_admin_revoke_of_a_members_message_names_the_author_and_is_encoded_edit_8() -> None:
    sent = to_protobuf(RevokeMessage(MessageRef(GROUP, "3EB0M1", MEMBER)), ADMIN, 0)
    key = sent.protocol_message.key
    assert (key.remote_jid, key.from_me, key.participant) == (str(GROUP), False, str(MEMBER))
    assert message_attrs(sent)[1] == {"edit": "8"}
    event = _received(sent)
    assert event == MessageRevoked(GROUP, ADMIN_LID, "3EB0M1", ORIGIN.timestamp, MEMBER)
    assert isinstance(event, MessageRevoked) and event.by_admin


def test_own_revoke_is_edit_7_and_not_by_an_admin() -> None:
    sent = to_protobuf(RevokeMessage(MessageRef(GROUP, "3EB0M2", ADMIN)), ADMIN, 0)
    assert sent.protocol_message.key.from_me and not sent.protocol_message.key.participant
    assert message_attrs(sent)[1] == {"edit": "7"}
    revoked = e2e_pb2.Message()
    revoked.protocol_message.type = e2e_pb2.ProtocolMessage.REVOKE
    revoked.protocol_message.key.id = "3EB0M2"
    revoked.protocol_message.key.participant = str(ADMIN)  # the sender under its other name
    event = _received(revoked)
    assert isinstance(event, MessageRevoked) and event.author is None and not event.by_admin


def test_edit_reads_back_also_inside_the_edited_message_wrapper() -> None:
    sent = to_protobuf(EditMessage(MessageRef(GROUP, "3EB0M3"), "fixed"), ADMIN, 0)
    expected = MessageEdited(GROUP, ADMIN_LID, "3EB0M3", "fixed", ORIGIN.timestamp)
    assert _received(sent) == expected
    wrapped = e2e_pb2.Message()
    wrapped.edited_message.message.CopyFrom(sent)
    assert _received(wrapped) == expected


def test_reaction_quote_and_mentions_in_a_disappearing_wrapper() -> None:
    reaction = to_protobuf(ReactionMessage(MessageRef(GROUP, "3EB0M4", MEMBER), "👍"), ADMIN, 0)
    assert _received(reaction) == ReactionReceived(
        GROUP, ADMIN_LID, "3EB0M4", "👍", ORIGIN.timestamp
    )
    quote = MessageRef(GROUP, "3EB0M5", MEMBER, "question")
    text = to_protobuf(TextMessage("@bob answer", (MEMBER,), quote), ADMIN, 0)
    wrapped = e2e_pb2.Message()
    wrapped.ephemeral_message.message.CopyFrom(text)
    event = _received(wrapped)
    assert isinstance(event, MessageReceived)
    assert event.text == "@bob answer" and event.mentions == (MEMBER,)
    assert event.quoted == QuotedMessage("3EB0M5", MEMBER, "question")


def test_client_only_protocol_messages_and_empty_messages_give_no_event() -> None:
    share = e2e_pb2.Message()
    share.protocol_message.type = e2e_pb2.ProtocolMessage.APP_STATE_SYNC_KEY_SHARE
    share.protocol_message.key.id = "x"
    assert _received(share) is None
    only_context = e2e_pb2.Message()
    only_context.message_context_info.message_secret = b"\x01" * 32
    assert _received(only_context) is None


@given(st.text(max_size=40), st.text(min_size=1, max_size=30))
def test_any_edit_text_and_id_survive_the_round_trip(text: str, message_id: str) -> None:
    sent = to_protobuf(EditMessage(MessageRef(GROUP, message_id), text), ADMIN, 0)
    event = _received(sent)
    assert event == MessageEdited(GROUP, ADMIN_LID, message_id, text or None, ORIGIN.timestamp)


def test_a_reference_to_us_by_lid_is_from_me() -> None:
    ours = (ADMIN, ADMIN_LID)
    revoke = to_protobuf(RevokeMessage(MessageRef(GROUP, "3EB0M6", ADMIN_LID)), ours, 0)
    assert revoke.protocol_message.key.from_me and message_attrs(revoke)[1] == {"edit": "7"}
