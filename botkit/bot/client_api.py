"""What the runtime needs from a client: the narrow seam between the bot and the protocol.

:class:`botkit.client.Client` implements :class:`BotClient`; tests and plugin authors use
:class:`botkit.testing.FakeClient`. Nothing in :mod:`botkit.bot` reaches the protocol any other way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from botkit.types.events import Event, ParticipantAction
from botkit.types.group import GroupInfo, GroupSetting
from botkit.types.jid import JID
from botkit.types.message import OutgoingMessage

__all__ = ["BotClient", "GroupDirectory", "IdentityResolver"]


class IdentityResolver(Protocol):
    """Maps a user between their phone-number JID and their LID."""

    async def alternate_jid(self, jid: JID) -> JID | None:
        """Return the LID of phone-number JID ``jid``, or the phone-number JID of LID ``jid``.

        Returns ``None`` when the mapping is unknown. ``jid`` has no device part.
        """
        ...


class GroupDirectory(Protocol):
    """Group metadata, answered from the client's cache when fresh."""

    async def group_info(self, group: JID) -> GroupInfo:
        """Return the metadata of ``group``. Raises ClientError when it cannot be fetched."""
        ...

    async def joined_groups(self) -> list[GroupInfo]:
        """Return the metadata of every group the bot is in. Raises ClientError on failure."""
        ...


class BotClient(IdentityResolver, GroupDirectory, Protocol):
    """The client as the runtime sees it."""

    @property
    def own_jid(self) -> JID | None:
        """The bot's own phone-number JID (no device), or ``None`` before it is logged in."""
        ...

    def events(self) -> AsyncIterator[Event]:
        """Return the stream of incoming events; it ends when the client is closed."""
        ...

    async def send_message(self, to: JID, message: OutgoingMessage) -> str:
        """Send ``message`` to chat ``to``; return the id of the sent message.

        Raises ClientError (NotConnected, IQError...) when the message could not be sent.
        """
        ...

    async def send_chat_state(self, to: JID, typing: bool) -> None:
        """Show (``typing=True``) or clear the "typing…" state in chat ``to``."""
        ...

    async def update_group_participants(
        self, group: JID, participants: Sequence[JID], action: ParticipantAction
    ) -> None:
        """Add, remove, promote or demote ``participants`` of ``group`` (the bot must be admin).

        Raises ClientError when the server refuses.
        """
        ...

    async def set_group_setting(self, group: JID, setting: GroupSetting, enabled: bool) -> None:
        """Switch ``setting`` of ``group`` on or off. Raises ClientError when refused."""
        ...

    async def group_invite_code(self, group: JID) -> str:
        """Return the code of ``group``'s invite link (``https://chat.whatsapp.com/<code>``).

        Only admins may read it: raises ClientError (NotAuthorized) otherwise, or when refused.
        """
        ...
