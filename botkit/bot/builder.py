"""The fluent message builder: immutable until :meth:`MessageBuilder.send`.

Every method returns a new builder, so a partly built message can be kept and reused::

    await ctx.reply().text("Welcome @15550001111!").quote(event).send()
    await ctx.send(group).poll("Lunch?", ["Pizza", "Sushi"]).send()
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, Self

from botkit.types.events import MessageReceived
from botkit.types.jid import DEFAULT_USER_SERVER, JID
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

__all__ = ["MessageBuilder", "MessageSender", "message_ref"]

_MENTION = re.compile(r"@(\d{5,15})\b")
_MAX_POLL_OPTIONS = 12

TemplateRenderer = Callable[[str, Mapping[str, Any]], str]


class MessageSender(Protocol):
    """Sends a built message (the runtime's rate-limited outbound path)."""

    async def send(self, to: JID, message: OutgoingMessage) -> str:
        """Send ``message`` to ``to``; return the sent message's id."""
        ...


def message_ref(message: MessageReceived | MessageRef) -> MessageRef:
    """Return a :class:`MessageRef` pointing at ``message``."""
    if isinstance(message, MessageRef):
        return message
    sender = None if message.from_me else message.sender
    return MessageRef(message.chat, message.id, sender, message.text)


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageBuilder:
    """A message being built for chat ``to``; made by ``ctx.reply()`` and ``ctx.send(to)``.

    ``origin`` is the message being answered (the default target of :meth:`react`).
    """

    sender: MessageSender
    to: JID
    render: TemplateRenderer | None = None
    origin: MessageRef | None = None
    body: str | None = None
    mentions: tuple[JID, ...] = ()
    quoted: MessageRef | None = None
    special: OutgoingMessage | None = None

    # -- text ---------------------------------------------------------------------------------

    def text(self, text: str) -> Self:
        """Return a builder whose text is ``text``; ``@number`` in it becomes a mention.

        Raises ValueError if the builder already holds a non-text message.
        """
        self._require_text_kind("text")
        return dataclasses.replace(self, body=text)

    def template(self, name: str, /, **variables: Any) -> Self:
        """Return a builder whose text is template ``name`` rendered with ``variables``.

        Raises PluginError when the template is missing or fails; ValueError as :meth:`text`.
        """
        if self.render is None:
            raise ValueError("this builder has no template environment")
        return self.text(self.render(name, variables))

    def mention(self, *users: JID) -> Self:
        """Return a builder that mentions ``users``; ``@user`` is appended if the text lacks it."""
        self._require_text_kind("mention")
        return dataclasses.replace(self, mentions=self.mentions + tuple(users))

    def quote(self, message: MessageReceived | MessageRef) -> Self:
        """Return a builder whose message quotes (replies to) ``message``."""
        return dataclasses.replace(self, quoted=message_ref(message))

    # -- other kinds --------------------------------------------------------------------------

    def react(self, emoji: str, to: MessageReceived | MessageRef | None = None) -> Self:
        """Return a builder for a reaction to ``to`` (default: the message being answered).

        An empty ``emoji`` removes the reaction. Raises ValueError without a target.
        """
        target = self.origin if to is None else message_ref(to)
        if target is None:
            raise ValueError("react() needs a message: pass to=, or use ctx.reply()")
        return self._special(ReactionMessage(target, emoji))

    def edit(self, message_id: str, text: str) -> Self:
        """Return a builder that replaces the text of the bot's message ``message_id``."""
        return self._special(EditMessage(MessageRef(self.to, message_id), text))

    def revoke(self, message: str | MessageReceived | MessageRef) -> Self:
        """Return a builder that deletes ``message`` for everyone (an id: the bot's own)."""
        target = MessageRef(self.to, message) if isinstance(message, str) else message_ref(message)
        return self._special(RevokeMessage(target))

    def location(
        self, latitude: float, longitude: float, *, name: str = "", address: str = ""
    ) -> Self:
        """Return a builder for a location. Raises ValueError for impossible coordinates."""
        if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
            raise ValueError(f"no such place: latitude {latitude}, longitude {longitude}")
        return self._special(LocationMessage(latitude, longitude, name, address))

    def contact(self, name: str, phone: str) -> Self:
        """Return a builder for a contact card of ``name`` with phone number ``phone``.

        Raises ValueError when ``phone`` has no digits.
        """
        digits = "".join(ch for ch in phone if ch.isdigit())
        if not digits:
            raise ValueError(f"not a phone number: {phone!r}")
        vcard = (
            "BEGIN:VCARD\nVERSION:3.0\n"
            f"FN:{_vcard_escape(name)}\n"
            f"TEL;type=CELL;waid={digits}:+{digits}\n"
            "END:VCARD"
        )
        return self._special(ContactMessage(name, vcard))

    def poll(self, question: str, options: Iterable[str], *, selectable: int = 1) -> Self:
        """Return a builder for a poll; voters pick up to ``selectable`` options (0: any).

        Raises ValueError unless there are 2 to 12 distinct options.
        """
        choices = tuple(options)
        if not 2 <= len(choices) <= _MAX_POLL_OPTIONS or len(set(choices)) != len(choices):
            raise ValueError(f"a poll needs 2 to {_MAX_POLL_OPTIONS} distinct options")
        if not 0 <= selectable <= len(choices):
            raise ValueError(f"selectable must be between 0 and {len(choices)}")
        return self._special(PollMessage(question, choices, selectable))

    # -- result -------------------------------------------------------------------------------

    def build(self) -> OutgoingMessage:
        """Return the message as a plain value. Raises ValueError for an empty builder."""
        if self.special is not None:
            if isinstance(self.special, LocationMessage | ContactMessage | PollMessage):
                return dataclasses.replace(self.special, quote=self.quoted)
            return self.special
        if not self.body and not self.mentions:
            raise ValueError("nothing to send: call text(), react(), poll()... first")
        text = self.body or ""
        for user in self.mentions:
            if f"@{user.user}" not in text:
                text = f"{text} @{user.user}" if text else f"@{user.user}"
        return TextMessage(text, _mentions_in(text, self.mentions), self.quoted)

    async def send(self) -> str:
        """Send the message; return its id.

        Raises ValueError for an empty builder, ClientError when the client cannot send.
        """
        return await self.sender.send(self.to, self.build())

    def _special(self, message: OutgoingMessage) -> Self:
        if self.body is not None or self.mentions:
            raise ValueError(f"a message is either text or a {type(message).__name__}, not both")
        if self.special is not None:
            raise ValueError(f"this builder already holds a {type(self.special).__name__}")
        return dataclasses.replace(self, special=message)

    def _require_text_kind(self, method: str) -> None:
        if self.special is not None:
            kind = type(self.special).__name__
            raise ValueError(f"{method}() on a builder that holds a {kind}")


def _mentions_in(text: str, explicit: tuple[JID, ...]) -> tuple[JID, ...]:
    """Return ``explicit`` plus a phone-number JID for each other ``@number`` in ``text``."""
    mentions = list(dict.fromkeys(explicit))
    known = {jid.user for jid in mentions}
    for match in _MENTION.finditer(text):
        number = match.group(1)
        if number not in known:
            known.add(number)
            mentions.append(JID(number, DEFAULT_USER_SERVER))
    return tuple(mentions)


def _vcard_escape(value: str) -> str:
    for char in "\\,;":
        value = value.replace(char, "\\" + char)
    return value.replace("\n", "\\n")
