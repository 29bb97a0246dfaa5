"""Puts a real :class:`botkit.client.Client` behind the runtime's :class:`BotClient` seam.

The adapter owns the client's event sink: every event goes to an
:class:`~botkit.client.EventQueue` the runtime iterates, and first to the subscribers of
:meth:`ClientAdapter.subscribe` (how a launcher sees the QR code and the login). What the client
cannot encode yet (locations, contacts, polls) raises ``ClientError("not supported yet: ...")``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from botkit.client import Client, EventQueue, SinkEvent
from botkit.errors import ClientError
from botkit.store.base import AccountStore
from botkit.types.events import ChatState, Event, ParticipantAction
from botkit.types.group import GroupInfo, GroupSetting
from botkit.types.jid import JID
from botkit.types.message import OutgoingMessage

__all__ = ["ClientAdapter"]


def _unsupported(what: str) -> ClientError:
    return ClientError(f"not supported yet: {what}")


class ClientAdapter:
    """A :class:`~botkit.bot.client_api.BotClient` backed by a :class:`Client` of ``store``.

    ``options`` go to the :class:`Client` constructor (``server``, ``timing``...).
    """

    def __init__(self, store: AccountStore, **options: Any) -> None:
        self._queue = EventQueue()
        self._subscribers: list[tuple[tuple[type, ...], asyncio.Queue[SinkEvent]]] = []
        self.client = Client(store, self._on_event, **options)

    # -- lifecycle ---------------------------------------------------------------------------

    async def connect(self) -> None:
        """Connect the client (see :meth:`Client.connect`, whose errors it raises)."""
        await self.client.connect()

    async def close(self) -> None:
        """Disconnect the client and end the event stream (the runtime then stops)."""
        await self.client.disconnect()
        self._queue.close()

    async def pair_phone(self, phone: str) -> str:
        """Pair by phone number instead of QR; return the 8-character code to type on the phone.

        Call it after :meth:`connect` on a device not paired yet (see :meth:`Client.pair_phone`,
        whose errors it raises).
        """
        return await self.client.pair_phone(phone)

    async def set_push_name(self, name: str) -> None:
        """Keep ``name`` as the account's push name, what contacts see (ValueError when empty)."""
        await self.client.presence.set_push_name(name)

    def subscribe(self, *kinds: type) -> asyncio.Queue[SinkEvent]:
        """Return a queue that receives every later event of one of ``kinds``, in order.

        Subscribe before the action that causes the events; :meth:`unsubscribe` when done.
        """
        queue: asyncio.Queue[SinkEvent] = asyncio.Queue()
        self._subscribers.append((kinds, queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[SinkEvent]) -> None:
        """Stop filling ``queue`` (one returned by :meth:`subscribe`)."""
        self._subscribers = [entry for entry in self._subscribers if entry[1] is not queue]

    async def _on_event(self, event: SinkEvent) -> None:
        for kinds, queue in self._subscribers:
            if isinstance(event, kinds):
                queue.put_nowait(event)
        await self._queue(event)

    # -- BotClient ---------------------------------------------------------------------------

    @property
    def own_jid(self) -> JID | None:
        """The bot's phone-number JID (no device), or ``None`` before login."""
        return self.client.own_jid

    def events(self) -> AsyncIterator[Event]:
        """Return the client's event stream; it ends after :meth:`close`."""
        return self._queue

    async def send_message(self, to: JID, message: OutgoingMessage) -> str:
        """Send ``message`` to ``to``; return its id.

        Raises ClientError (NotConnected, SendFailed...) when it could not be sent, and
        ClientError "not supported yet" for message kinds the client cannot encode yet.
        """
        try:
            return await self.client.send_message(to, message)
        except NotImplementedError as exc:
            raise _unsupported(f"sending {type(message).__name__} ({exc})") from exc

    async def alternate_jid(self, jid: JID) -> JID | None:
        """Return the LID of phone-number JID ``jid`` or the reverse; ``None`` when unknown."""
        return await self.client.alternate_jid(jid)

    async def send_chat_state(self, to: JID, typing: bool) -> None:
        """Show the bot typing in ``to`` (or stop). Raises NotConnected when offline."""
        state = ChatState.COMPOSING if typing else ChatState.PAUSED
        await self.client.presence.send_chat_state(to, state)

    async def group_info(self, group: JID) -> GroupInfo:
        """Return ``group``'s metadata from the client's cache (asked once, kept fresh).

        Raises NotFound, NotAuthorized (not a member) or another ClientError.
        """
        return await self.client.groups.info(group)

    async def joined_groups(self) -> list[GroupInfo]:
        """Return every group the bot is a member of (asked of the server; cached for later)."""
        return await self.client.groups.joined()

    async def update_group_participants(
        self, group: JID, participants: Sequence[JID], action: ParticipantAction
    ) -> None:
        """Add, remove, promote or demote ``participants`` of ``group``.

        Raises NotAuthorized when the bot is not an admin, and ClientError naming the
        participants the server refused (the others were changed).
        """
        results = await self.client.groups.change_participants(group, participants, action)
        refused = [f"{result.jid} ({result.error})" for result in results if result.error]
        if refused:
            raise ClientError(f"{action.value} refused in {group} for {', '.join(refused)}")

    async def set_group_setting(self, group: JID, setting: GroupSetting, enabled: bool) -> None:
        """Turn a setting of ``group`` on or off. Raises NotAuthorized when not an admin."""
        await self.client.groups.set_setting(group, setting, enabled)

    async def group_invite_code(self, group: JID) -> str:
        """Return the code of ``group``'s invite link. Raises NotAuthorized when not an admin."""
        return await self.client.groups.invite_code(group)
