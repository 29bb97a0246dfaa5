"""The message services of one client, wired together and to the router.

:class:`Messaging` owns the :class:`~botkit.client.devices.Directory`, the
:class:`~botkit.client.send.Sender`, the :class:`~botkit.client.receive.Receiver` (the two
share one session-record lock), the :class:`~botkit.client.group_send.GroupSender` (its
members from ``members``, the group metadata cache) and
:class:`~botkit.client.receipts.Receipts`; it routes
``<message>``, ``<receipt>``, ``<ack>``, ``<ib>`` and ``devices`` notifications to them and
maps the runtime's outgoing values to protobufs. A group member's revoke of somebody else's
message is reported only when ``admin`` says the member is an admin of the group (as WhatsApp
clients do: the server cannot see what a message deletes).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from botkit.client.content import to_protobuf
from botkit.client.devices import Directory
from botkit.client.group_send import GroupMembers, GroupSender, MemberSource
from botkit.client.lid_migration import alternate_user
from botkit.client.receipts import Receipts
from botkit.client.receive import MessageEvent, Receiver
from botkit.client.requests import Requests, Router, Send
from botkit.client.send import Sender
from botkit.core.binary import AttrReader, Node
from botkit.errors import BotkitError, NotConnected
from botkit.pb import e2e_pb2
from botkit.store.base import AccountStore
from botkit.types.events import MessageRevoked
from botkit.types.jid import JID
from botkit.types.message import OutgoingMessage

__all__ = ["Messaging"]

log = logging.getLogger(__name__)


async def _no_groups(group: JID) -> GroupMembers:
    raise NotImplementedError(f"no group member source to send to {group}")


class Messaging:
    """Sending, receiving and receipts for one client (see the module docstring)."""

    def __init__(
        self,
        router: Router,
        requests: Requests,
        send: Send,
        store: AccountStore,
        *,
        emit: Callable[[MessageEvent], Awaitable[None]],
        spawn: Callable[[Coroutine[Any, Any, None], str], None],
        timeout: float,
        rng: Callable[[int], bytes],
        clock: Callable[[], float] = time.time,
        members: MemberSource | None = None,
        stale: Callable[[JID], Awaitable[None]] | None = None,
        admin: Callable[[JID, JID], Awaitable[bool]] | None = None,
    ) -> None:
        lock = asyncio.Lock()
        self._store = store
        self._emit = emit
        self._admin = admin
        self._clock = clock
        self.directory = Directory(requests, store, lock)
        self.sender = Sender(
            send, store, self.directory, lock, timeout=timeout, rng=rng, clock=clock
        )
        self.group_sender = GroupSender(
            self.sender, store, self.directory, members or _no_groups, stale
        )
        self.receiver = Receiver(send, store, lock, emit=self._received, rng=rng)
        self.receipts = Receipts(
            send,
            self.sender,
            emit=emit,
            spawn=spawn,
            clock=clock,
            admits=self.group_sender.admits if members is not None else None,
        )
        router.on("message", self.receiver.on_message)
        router.on("receipt", self.receipts.on_receipt)
        router.on("ack", self.sender.on_ack)
        router.on("ib", self.receipts.on_ib)
        router.on_notification("devices", self._on_devices)

    async def send(
        self, to: JID, message: OutgoingMessage | e2e_pb2.Message, own: JID | None
    ) -> str:
        """Send a runtime value or a ``Message`` protobuf to user or group ``to``; return its id.

        Raises:
            NotImplementedError: the value's kind is not mapped to a protobuf yet.
            and as :meth:`Sender.send_message` or :meth:`GroupSender.send`.
        """
        if not isinstance(message, e2e_pb2.Message):
            ours = [] if own is None else [own]
            credentials = await self._store.load_credentials()
            if credentials is not None and credentials.lid is not None:
                ours.append(JID.parse(credentials.lid).to_non_ad())  # a key may name us by LID
            message = to_protobuf(message, tuple(ours), int(self._clock() * 1000))
        if to.is_group:
            return await self.group_sender.send(to, message)
        return await self.sender.send_message(to, message)

    async def alternate_jid(self, jid: JID) -> JID | None:
        """Return the LID of a phone-number user or the phone-number JID of a LID, if known."""
        return await alternate_user(self._store, jid)

    def connection_started(self) -> None:
        """Reset what belongs to one connection."""
        self.receipts.connection_started()

    def connection_ended(self) -> None:
        """Fail the sends still waiting for their server ack."""
        self.sender.fail_all(NotConnected("the connection closed before the server ack"))

    async def _received(self, event: MessageEvent) -> None:
        """Report ``event``, unless it is a revoke only an admin may send, from a non-admin."""
        if isinstance(event, MessageRevoked) and event.by_admin and event.chat.is_group:
            try:
                allowed = self._admin is None or await self._admin(event.chat, event.sender)
            except BotkitError as exc:
                log.info("no group admins to check a revoke against: %s", exc)
                allowed = False
            if not allowed:
                log.info("ignored %s deleting another's message: not an admin", event.sender)
                return
        await self._emit(event)

    async def _on_devices(self, node: Node) -> None:
        """A user's devices changed (``<notification type="devices">``): drop the cache."""
        reader = AttrReader(node)
        users = [jid for key in ("from", "lid") if (jid := reader.optional_jid(key)) is not None]
        await self.directory.forget(users)
