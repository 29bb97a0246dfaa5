"""Message content both ways: the runtime's outgoing values to ``Message`` protobufs, and a
received ``Message`` to the text, quote and mentions a :class:`MessageReceived` carries.

Mapped today: :class:`TextMessage` (with mentions and quote), :class:`ReactionMessage`,
:class:`EditMessage` and :class:`RevokeMessage`. Locations, contacts and polls are not (their
protobufs are not compiled into :mod:`botkit.pb` yet): :func:`to_protobuf` raises for them.
"""

from __future__ import annotations

from botkit.errors import DecodeError
from botkit.pb import e2e_pb2
from botkit.types.events import QuotedMessage
from botkit.types.jid import JID
from botkit.types.message import (
    EditMessage,
    MessageRef,
    OutgoingMessage,
    ReactionMessage,
    RevokeMessage,
    TextMessage,
)

__all__ = ["Own", "jid_or_none", "mentions_of", "quoted_of", "text_of", "to_protobuf"]


Own = JID | tuple[JID, ...] | None
"""Our user JID, or all our user JIDs (phone number and LID), or None when unknown."""


def _key(ref: MessageRef, own: Own) -> e2e_pb2.MessageKey:
    ours = () if own is None else (own,) if isinstance(own, JID) else own
    sender = ref.sender
    from_me = sender is None or any(
        sender.user == o.user and sender.server == o.server for o in ours
    )
    key = e2e_pb2.MessageKey(remote_jid=str(ref.chat), from_me=from_me, id=ref.id)
    if ref.chat.is_group and ref.sender is not None and not from_me:
        key.participant = str(ref.sender.to_non_ad())  # the author: an admin's revoke names it
    return key


def _text(message: TextMessage) -> e2e_pb2.Message:
    if not message.mentions and message.quote is None:
        return e2e_pb2.Message(conversation=message.text)
    extended = e2e_pb2.ExtendedTextMessage(text=message.text)
    info = extended.context_info
    info.mentioned_jid.extend(str(jid) for jid in message.mentions)
    if message.quote is not None:
        info.stanza_id = message.quote.id
        if message.quote.sender is not None:
            info.participant = str(message.quote.sender)
        info.quoted_message.conversation = message.quote.text or ""
    return e2e_pb2.Message(extended_text_message=extended)


def to_protobuf(message: OutgoingMessage, own: Own, timestamp_ms: int) -> e2e_pb2.Message:
    """Return the ``Message`` protobuf for an outgoing value; ``own`` names us (PN and LID).

    Raises:
        NotImplementedError: the value's kind is not mapped yet (location, contact, poll).
    """
    if isinstance(message, TextMessage):
        return _text(message)
    if isinstance(message, ReactionMessage):
        reaction = e2e_pb2.ReactionMessage(
            key=_key(message.target, own), text=message.emoji, sender_timestamp_ms=timestamp_ms
        )
        return e2e_pb2.Message(reaction_message=reaction)
    if isinstance(message, EditMessage):
        protocol = e2e_pb2.ProtocolMessage(
            key=_key(message.target, own),
            type=e2e_pb2.ProtocolMessage.MESSAGE_EDIT,
            timestamp_ms=timestamp_ms,
        )
        protocol.edited_message.conversation = message.text
        return e2e_pb2.Message(protocol_message=protocol)
    if isinstance(message, RevokeMessage):
        protocol = e2e_pb2.ProtocolMessage(
            key=_key(message.target, own), type=e2e_pb2.ProtocolMessage.REVOKE
        )
        return e2e_pb2.Message(protocol_message=protocol)
    raise NotImplementedError(f"sending {type(message).__name__} is not supported yet")


def text_of(message: e2e_pb2.Message) -> str | None:
    """Return the text of a received message (conversation or extended text), or None."""
    if message.conversation:
        return message.conversation
    if message.HasField("extended_text_message"):
        return message.extended_text_message.text
    return None


def jid_or_none(text: str) -> JID | None:
    """Return the JID a received message names in ``text``, or None when empty or unparseable."""
    try:
        return JID.parse(text) if text else None
    except DecodeError:
        return None


def quoted_of(message: e2e_pb2.Message) -> QuotedMessage | None:
    """Return what a received message quotes, when it carries a quote with a known author."""
    if not message.HasField("extended_text_message"):
        return None
    info = message.extended_text_message.context_info
    sender = jid_or_none(info.participant)
    if not info.stanza_id or sender is None:
        return None
    quoted = info.quoted_message
    return QuotedMessage(info.stanza_id, sender, text_of(quoted) if quoted else None)


def mentions_of(message: e2e_pb2.Message) -> tuple[JID, ...]:
    """Return the JIDs a received message mentions (unparseable ones left out)."""
    if not message.HasField("extended_text_message"):
        return ()
    found = (jid_or_none(text) for text in message.extended_text_message.context_info.mentioned_jid)
    return tuple(jid for jid in found if jid is not None)
