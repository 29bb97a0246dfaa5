"""The events a bot sees: typed, frozen, past-tense values carrying plain data.

The client turns what arrives on the wire into these; the runtime hands each one to the plugin
hooks named in :mod:`botkit.bot.hookspecs`. Events never carry a reference to the client: replies
go through the :class:`~botkit.bot.context.Context` passed beside the event.

Times are seconds since the epoch (``float``). The connection events (``Connected``,
``Disconnected`` and its ``DisconnectReason``) are the client's, from
:mod:`botkit.types.client_events`, re-exported here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from botkit.types.client_events import (
    ClientEvent,
    Connected,
    Disconnected,
    DisconnectReason,
)
from botkit.types.group import GroupInfo
from botkit.types.jid import JID

__all__ = [
    "BotStarted",
    "BotStopped",
    "ChatState",
    "ChatStateChanged",
    "ConfigReloaded",
    "Connected",
    "DecryptFailure",
    "DisconnectReason",
    "Disconnected",
    "Event",
    "GroupInfoChanged",
    "GroupJoined",
    "GroupParticipantsChanged",
    "IdentityChanged",
    "MessageEdited",
    "MessageReceived",
    "MessageRevoked",
    "ParticipantAction",
    "PresenceChanged",
    "QuotedMessage",
    "ReactionReceived",
    "ReceiptKind",
    "ReceiptReceived",
    "UndecryptableMessage",
]


@dataclass(frozen=True, slots=True)
class QuotedMessage:
    """The message a received message replies to (as far as the reply carries it)."""

    id: str
    sender: JID
    text: str | None = None


@dataclass(frozen=True, slots=True)
class MessageReceived:
    """A message arrived (and was committed to the inbound journal).

    ``chat`` is the group or the one-to-one chat; ``sender`` the author. ``sender_alt`` is the
    author's other identity when known: the phone-number JID of a LID sender, or the LID of a
    phone-number sender. ``text`` is the conversation text or a media caption (``None`` for
    messages without text). ``mentions`` lists the mentioned JIDs as the sender's app sent them.
    ``from_me`` is true for messages sent from another device of the bot's own account.
    """

    id: str
    chat: JID
    sender: JID
    timestamp: float
    text: str | None = None
    sender_alt: JID | None = None
    push_name: str = ""
    quoted: QuotedMessage | None = None
    mentions: tuple[JID, ...] = ()
    from_me: bool = False

    @property
    def is_group(self) -> bool:
        """Return whether the message was sent in a group."""
        return self.chat.is_group


class ParticipantAction(enum.Enum):
    """What happened to the participants of a :class:`GroupParticipantsChanged`."""

    ADDED = "add"
    REMOVED = "remove"
    PROMOTED = "promote"
    DEMOTED = "demote"


@dataclass(frozen=True, slots=True)
class GroupParticipantsChanged:
    """Participants joined, left, were removed, promoted or demoted; ``by`` is who did it.

    ``left`` marks a removal the participants made themselves (they left the group).
    """

    group: JID
    action: ParticipantAction
    participants: tuple[JID, ...]
    timestamp: float
    by: JID | None = None
    left: bool = False


@dataclass(frozen=True, slots=True)
class GroupInfoChanged:
    """A group's subject, description or settings changed; unchanged fields are ``None``.

    ``announce`` true means only admins may send; ``locked`` true means only admins may edit the
    group's info.
    """

    group: JID
    timestamp: float
    by: JID | None = None
    subject: str | None = None
    description: str | None = None
    announce: bool | None = None
    locked: bool | None = None
    ephemeral: int | None = None
    """The disappearing-messages timer in seconds (0: turned off)."""
    approval: bool | None = None
    """Whether joining needs an admin's approval."""
    invite_reset: bool = False
    """The invite link was reset (the old code no longer works)."""


@dataclass(frozen=True, slots=True)
class GroupJoined:
    """The bot became a member of ``group`` (created it, was added, or joined by link)."""

    group: JID
    info: GroupInfo
    timestamp: float
    by: JID | None = None


@dataclass(frozen=True, slots=True)
class IdentityChanged:
    """``user``'s identity key changed (their phone re-registered, PROTOCOL.md §10.5).

    The client has dropped its sessions and trusted identities for ``user`` (both its PN and its
    LID); the next message either way starts a new session. ``timestamp`` is the server's.
    """

    user: JID
    timestamp: float


class ReceiptKind(enum.Enum):
    """How far a sent message got."""

    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"


@dataclass(frozen=True, slots=True)
class ReceiptReceived:
    """``sender`` received, read or played the messages ``message_ids`` in ``chat``."""

    chat: JID
    sender: JID
    message_ids: tuple[str, ...]
    kind: ReceiptKind
    timestamp: float


@dataclass(frozen=True, slots=True)
class ReactionReceived:
    """``sender`` reacted to ``message_id`` in ``chat``; an empty ``emoji`` removes a reaction."""

    chat: JID
    sender: JID
    message_id: str
    emoji: str
    timestamp: float


@dataclass(frozen=True, slots=True)
class MessageRevoked:
    """``sender`` deleted ``message_id`` in ``chat`` for everyone.

    ``author`` wrote the deleted message when someone else did (a group admin deleting a
    member's message); ``None`` means the sender deleted their own message.
    """

    chat: JID
    sender: JID
    message_id: str
    timestamp: float
    author: JID | None = None

    @property
    def by_admin(self) -> bool:
        """Return whether an admin deleted somebody else's message."""
        return self.author is not None and self.author.to_non_ad() != self.sender.to_non_ad()


@dataclass(frozen=True, slots=True)
class MessageEdited:
    """``sender`` replaced the text of their message ``message_id`` in ``chat`` with ``text``."""

    chat: JID
    sender: JID
    message_id: str
    text: str | None
    timestamp: float


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    """``jid`` came online or went offline; ``last_seen`` when the server shares it."""

    jid: JID
    available: bool
    last_seen: float | None = None


class ChatState(enum.Enum):
    """What a chat member is doing."""

    COMPOSING = "composing"
    RECORDING = "recording"
    """Composing a voice message."""
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class ChatStateChanged:
    """``sender`` started or stopped typing in ``chat`` (a user or a group)."""

    chat: JID
    sender: JID
    state: ChatState


class DecryptFailure(enum.Enum):
    """Why a message could not be decrypted (the client has asked the sender for a retry)."""

    NO_SESSION = "no_session"
    BAD_MAC = "bad_mac"
    UNTRUSTED_IDENTITY = "untrusted_identity"
    INVALID_MESSAGE = "invalid_message"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class UndecryptableMessage:
    """A message from ``sender`` in ``chat`` arrived but could not be decrypted."""

    id: str
    chat: JID
    sender: JID
    reason: DecryptFailure
    timestamp: float


@dataclass(frozen=True, slots=True)
class BotStarted:
    """The runtime started: plugins are loaded and configured; the first hook a plugin sees."""

    timestamp: float


@dataclass(frozen=True, slots=True)
class BotStopped:
    """The runtime is stopping; the last hook a plugin sees (``reason`` is for humans)."""

    timestamp: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ConfigReloaded:
    """An owner reloaded the config file; plugins' ``ctx.config`` now holds the new sections."""

    timestamp: float


# Everything the client's event stream carries; the runtime ignores the pairing events.
Event = (
    MessageReceived
    | GroupParticipantsChanged
    | GroupInfoChanged
    | GroupJoined
    | ReceiptReceived
    | ReactionReceived
    | MessageRevoked
    | MessageEdited
    | PresenceChanged
    | ChatStateChanged
    | ClientEvent
    | UndecryptableMessage
    | IdentityChanged
    | BotStarted
    | BotStopped
    | ConfigReloaded
)
