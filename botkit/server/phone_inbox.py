"""What a simulated phone read: the entries of its inbox (``GET /control/inbox/<phone>``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botkit.pb import e2e_pb2

__all__ = ["InboxEntry", "message_text"]


def message_text(message: e2e_pb2.Message) -> str | None:
    """Return the text of a plain or extended text ``message``, or None."""
    if message.conversation:
        return message.conversation
    if message.HasField("extended_text_message"):
        return message.extended_text_message.text
    return None


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """A text the phone decrypted: id, sender device and chat (phone-number JIDs), time."""

    id: str
    from_: str
    chat: str
    text: str
    timestamp: int

    def to_json(self) -> dict[str, Any]:
        """Return the entry as ``GET /control/inbox`` lists it."""
        return {
            "id": self.id,
            "from": self.from_,
            "chat": self.chat,
            "text": self.text,
            "timestamp": self.timestamp,
        }
