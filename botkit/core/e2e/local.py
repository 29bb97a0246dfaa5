"""Our own device as the E2E pipeline sees it, and the stanza attributes a message implies."""

from __future__ import annotations

from dataclasses import dataclass

from botkit.core.signal import KeyPair
from botkit.pb import e2e_pb2
from botkit.types.jid import JID

__all__ = ["LocalDevice", "message_attrs"]

_EDIT = e2e_pb2.ProtocolMessage.MESSAGE_EDIT
_REVOKE = e2e_pb2.ProtocolMessage.REVOKE


@dataclass(frozen=True, slots=True)
class LocalDevice:
    """Our device: its phone-number and LID device JIDs and the keys it encrypts with.

    ``device_identity`` is our serialized ``ADVSignedDeviceIdentity`` (with the account
    signature key), sent beside any pre-key message so the peer can verify this device.
    """

    jid: JID
    lid: JID | None
    identity: KeyPair
    registration_id: int
    device_identity: bytes

    def owns(self, jid: JID) -> bool:
        """True when ``jid`` is one of our own account's users or devices (PN or LID)."""
        if jid.server == self.jid.server and jid.user == self.jid.user:
            return True
        return self.lid is not None and jid.server == self.lid.server and jid.user == self.lid.user

    def is_this_device(self, jid: JID) -> bool:
        """True when ``jid`` is this very device (in its PN or LID form)."""
        return self.owns(jid) and jid.device == self.jid.device

    def sender_for(self, chat: JID) -> JID:
        """Return the device JID we write as in ``chat``: our LID for LID chats, else our PN."""
        if chat.is_lid and self.lid is not None:
            return self.lid
        return self.jid


def message_attrs(message: e2e_pb2.Message) -> tuple[str, dict[str, str], str | None]:
    """Return ``(stanza type, extra <message> attributes, <enc decrypt-fail>)`` (§9.5).

    Reactions are ``type="reaction"``, everything else botkit sends is ``text``; an edit gets
    ``edit="1"``, a revoke of our own message (or a removed reaction) ``edit="7"``, an admin's
    revoke of a member's message ``edit="8"``; edits and reactions are
    ``decrypt-fail="hide"`` so a peer that cannot decrypt them shows nothing.
    """
    node_attrs: dict[str, str] = {}
    decrypt_fail = None
    kind = "text"
    if message.HasField("reaction_message"):
        kind = "reaction"
        decrypt_fail = "hide"
        if not message.reaction_message.text:
            node_attrs["edit"] = "7"
    elif message.HasField("protocol_message"):
        protocol_type = message.protocol_message.type
        if protocol_type == _EDIT:
            node_attrs["edit"] = "1"
            decrypt_fail = "hide"
        elif protocol_type == _REVOKE and message.protocol_message.HasField("key"):
            node_attrs["edit"] = "7" if message.protocol_message.key.from_me else "8"
    return kind, node_attrs, decrypt_fail
