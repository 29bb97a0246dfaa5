"""Outgoing messages as plain values: what a bot asks the client to send.

The fluent builder of :mod:`botkit.bot.builder` produces one of these; the client turns it into
the WhatsApp ``Message`` protobuf. Each variant is complete on its own, so the client needs no
other state to encode it.
"""

from __future__ import annotations

from dataclasses import dataclass

from botkit.types.jid import JID

__all__ = [
    "ContactMessage",
    "EditMessage",
    "LocationMessage",
    "MessageRef",
    "OutgoingMessage",
    "PollMessage",
    "ReactionMessage",
    "RevokeMessage",
    "TextMessage",
]


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Points at an existing message: its chat, id and author (``None``: the bot itself).

    ``text`` is the referenced message's text when known; quoting shows it in the reply.
    """

    chat: JID
    id: str
    sender: JID | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class TextMessage:
    """Text, with the JIDs it mentions (each shown as ``@user`` in ``text``), maybe a quote."""

    text: str
    mentions: tuple[JID, ...] = ()
    quote: MessageRef | None = None


@dataclass(frozen=True, slots=True)
class ReactionMessage:
    """A reaction to ``target``; an empty ``emoji`` removes the bot's reaction."""

    target: MessageRef
    emoji: str


@dataclass(frozen=True, slots=True)
class EditMessage:
    """Replace the text of ``target`` (a message the bot sent) with ``text``."""

    target: MessageRef
    text: str


@dataclass(frozen=True, slots=True)
class RevokeMessage:
    """Delete ``target`` for everyone (the bot's own message, or any as a group admin)."""

    target: MessageRef


@dataclass(frozen=True, slots=True)
class LocationMessage:
    """A pinned location."""

    latitude: float
    longitude: float
    name: str = ""
    address: str = ""
    quote: MessageRef | None = None


@dataclass(frozen=True, slots=True)
class ContactMessage:
    """A contact card: ``display_name`` and the card itself as vCard 3.0 text."""

    display_name: str
    vcard: str
    quote: MessageRef | None = None


@dataclass(frozen=True, slots=True)
class PollMessage:
    """A poll; voters may pick up to ``selectable_count`` of ``options`` (0 means any number)."""

    question: str
    options: tuple[str, ...]
    selectable_count: int = 1
    quote: MessageRef | None = None


OutgoingMessage = (
    TextMessage
    | ReactionMessage
    | EditMessage
    | RevokeMessage
    | LocationMessage
    | ContactMessage
    | PollMessage
)
