"""What a received ``Message`` is: content, a reaction, a revoke or an edit (PROTOCOL.md §9.2).

:func:`received_event` unwraps the wrappers a message may travel in (view-once, disappearing,
edited) and turns it into the typed event a bot sees: :class:`MessageReceived` for content (with
its quote and mentions), :class:`ReactionReceived`, :class:`MessageRevoked` (also an admin
deleting a member's message in a group: the key names the author as ``participant``) or
:class:`MessageEdited`. Protocol messages that only concern the client (key shares, history
sync notices...) and messages left empty once the sender-key distribution was taken out give no
event.
"""

from __future__ import annotations

from dataclasses import dataclass

from botkit.client.content import jid_or_none, mentions_of, quoted_of, text_of
from botkit.pb import e2e_pb2
from botkit.types.events import (
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    ReactionReceived,
)
from botkit.types.jid import JID

__all__ = ["KindEvent", "Origin", "received_event", "unwrap"]

KindEvent = MessageReceived | ReactionReceived | MessageRevoked | MessageEdited
"""The events a received message can become."""

_REVOKE = e2e_pb2.ProtocolMessage.REVOKE
_EDIT = e2e_pb2.ProtocolMessage.MESSAGE_EDIT
_WRAPPERS = ("ephemeral_message", "view_once_message", "edited_message")
_MAX_WRAPPING = 4


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a received message came from: its stanza's id, chat, author and time."""

    id: str
    chat: JID
    sender: JID
    timestamp: float
    sender_alt: JID | None = None
    push_name: str = ""
    from_me: bool = False

    def is_sender(self, jid: JID) -> bool:
        """Return whether ``jid`` names the sender (in either of its identities)."""
        user = jid.to_non_ad()
        return user == self.sender.to_non_ad() or (
            self.sender_alt is not None and user == self.sender_alt.to_non_ad()
        )


def unwrap(message: e2e_pb2.Message) -> e2e_pb2.Message:
    """Return the message inside its view-once, disappearing or edited wrappers."""
    for _ in range(_MAX_WRAPPING):
        for field in _WRAPPERS:
            if message.HasField(field):
                message = getattr(message, field).message
                break
        else:
            return message
    return message


def _protocol_event(
    protocol: e2e_pb2.ProtocolMessage, origin: Origin
) -> MessageRevoked | MessageEdited | None:
    if not protocol.HasField("key") or not protocol.key.id:
        return None
    if protocol.type == _REVOKE:
        author = jid_or_none(protocol.key.participant)
        if author is not None and origin.is_sender(author):
            author = None
        return MessageRevoked(origin.chat, origin.sender, protocol.key.id, origin.timestamp, author)
    if protocol.type == _EDIT:
        edited = unwrap(protocol.edited_message)
        return MessageEdited(
            origin.chat, origin.sender, protocol.key.id, text_of(edited), origin.timestamp
        )
    return None


def received_event(message: e2e_pb2.Message, origin: Origin) -> KindEvent | None:
    """Return the event ``message`` (decrypted, distribution removed) is, or ``None``."""
    message = unwrap(message)
    if message.HasField("reaction_message"):
        reaction = message.reaction_message
        return ReactionReceived(
            origin.chat, origin.sender, reaction.key.id, reaction.text, origin.timestamp
        )
    if message.HasField("protocol_message"):
        return _protocol_event(message.protocol_message, origin)
    if all(field.name == "message_context_info" for field, _ in message.ListFields()):
        return None
    return MessageReceived(
        id=origin.id,
        chat=origin.chat,
        sender=origin.sender,
        timestamp=origin.timestamp,
        text=text_of(message),
        sender_alt=origin.sender_alt,
        push_name=origin.push_name,
        quoted=quoted_of(message),
        mentions=mentions_of(message),
        from_me=origin.from_me,
    )
