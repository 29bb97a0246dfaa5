"""Message routing in the sandbox (PROTOCOL.md §15.5, §15.6): fan-out, queues, receipts, acks.

A device's ``<message>`` is acked at once (``<ack class="message" id from t>``, with ``error``
when it is refused), then cut per device with :func:`~botkit.core.stanza.split_for_devices`
and handed to each addressed device. Every device a message names must exist and belong to the
chat's account or the sender's; otherwise the whole message is refused (error 479), as it is
for an unknown user (404). A re-sent message (no ``<participants>``, one ``<enc>``) goes to the
device in ``to``. Group messages fan out to every member device
(:mod:`botkit.server.group_routing`); their ack carries the server's ``phash``.

The sender appears in the JID family of the chat: a message to ``user@lid`` arrives
``from="<sender LID device>"`` with ``sender_pn``, one to a phone number ``from="<sender PN
device>"`` with ``sender_lid``. Copies to the sender's own devices add ``recipient`` (the chat)
and ``peer_recipient_pn``/``peer_recipient_lid``.

Delivery is store-and-forward: a companion's stanzas stay in its :class:`Mailbox` until it
confirms them and are delivered again, followed by ``<ib><offline count/></ib>``, when it logs
in. Device 0 is the simulated phone (:class:`PhoneChat`): it reads at once and answers.

A ``<receipt>`` confirms the messages it names; it is forwarded ``from`` the receipting device
(in the family of its ``to``) to every device of the original sender, except a retry receipt,
which goes to the one device in ``to`` with its children intact. A receipt for a group
message (``to`` the group, ``participant`` the sender) is forwarded ``from`` the group with
``participant`` the receipting device. Notifications (:meth:`Router.notify`) are held and
redelivered like messages until the device acks them.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Iterable, Mapping

from botkit.core.binary import AttrReader, Node
from botkit.core.stanza import split_for_devices
from botkit.errors import DecodeError, SandboxRefusal
from botkit.server.group_routing import group_fan_out
from botkit.server.mailbox import Fault, Mailbox, PendingKey
from botkit.server.phone_chat import PhoneChat
from botkit.server.session import ChatSession
from botkit.server.world import Account, World, device_in_family
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = ["Router"]

log = logging.getLogger(__name__)

UNKNOWN_USER = 404
UNKNOWN_DEVICE = 479
NOT_ROUTED = 501
MALFORMED = 400
_COPIED = ("edit", "category", "addressing_mode", "device_fanout", "push_priority")


def _key(account: Account, device_id: int) -> JID:
    """Return the key of a device: its phone-number device JID."""
    return JID(account.phone, DEFAULT_USER_SERVER, device_id)


def _alt(account: Account, lid: bool) -> JID:
    """Return the account's user JID in the family other than ``lid``."""
    return account.jid if lid else account.lid


class Router:
    """Routes messages, receipts and acks between the devices of one sandbox's world.

    ``online`` maps each logged-in companion's phone-number device JID to its connection.
    """

    def __init__(self, world: World, online: Mapping[JID, ChatSession]) -> None:
        self._world = world
        self._online = online
        self._mailboxes: dict[JID, Mailbox] = {}
        self._faults: dict[JID, Fault] = {}
        self._phones: dict[str, PhoneChat] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._ready: weakref.WeakSet[ChatSession] = weakref.WeakSet()
        """Connections past ``<success>``: the only ones stanzas are sent to live."""

    def phone(self, account: Account) -> PhoneChat:
        """Return the messaging state of ``account``'s simulated phone."""
        chat = self._phones.get(account.phone)
        if chat is None:
            chat = self._phones[account.phone] = PhoneChat(account, self._world)
        return chat

    def mailbox(self, device: JID) -> Mailbox:
        """Return the mailbox of a device (by its phone-number device JID)."""
        return self._mailboxes.setdefault(device, Mailbox())

    def set_fault(self, device: JID, fault: Fault) -> None:
        """Apply ``fault`` to the next deliveries to ``device`` (replacing any earlier one).

        Raises:
            LookupError: ``device`` is not a linked companion.
        """
        account = self._world.account_of(device)
        if account is None or device.device not in account.devices:
            raise LookupError(f"{device} is not a linked companion device")
        self._faults[_key(account, device.device)] = fault

    def forget(self, device: JID) -> None:
        """Drop the mailbox, faults and phone sessions of an unlinked companion (PN device JID)."""
        self._mailboxes.pop(device, None)
        self._faults.pop(device, None)
        for phone in self._phones.values():
            phone.forget_device(device.user, device.device)

    def reset_phone(self, account: Account) -> list[JID]:
        """Forget the messaging state of ``account``'s phone, which registered again.

        Returns the companion devices (phone-number device JIDs) it had sessions with; every
        other simulated phone forgets its session with it.
        """
        chat = self._phones.pop(account.phone, None)
        for phone in self._phones.values():
            phone.forget_device(account.phone, 0)
        if chat is None:
            return []
        return [JID(user, DEFAULT_USER_SERVER, device) for user, device in chat.sessions if device]

    async def notify_device(self, target: JID, node: Node, peer: Account) -> None:
        """Deliver the ``<notification>`` ``node`` about ``peer`` to the companion ``target``.

        It stays in the target's mailbox until the target acknowledges it.
        """
        await self._deliver(
            target, node, PendingKey("notification", str(node.attrs["id"]), "", peer.phone)
        )

    async def close(self) -> None:
        """Cancel deliveries still being delayed."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- what a device sends -------------------------------------------------------------

    async def from_device(self, account: Account, device_id: int, node: Node) -> None:
        """Handle a ``<message>``, ``<receipt>`` or ``<ack>`` sent by a device of ``account``."""
        if node.tag == "message":
            await self._message(account, device_id, node)
        elif node.tag == "receipt":
            await self._receipt(account, device_id, node)
        elif node.tag == "ack":
            self._ack(account, device_id, node)

    async def phone_sends(self, account: Account, node: Node) -> int | None:
        """Route a ``<message>`` the simulated phone of ``account`` composed.

        Returns:
            None, or the ack error code it was refused with (403: may not post in the group).
        """
        return await self._message(account, 0, node)

    async def _reply(self, account: Account, device_id: int, node: Node) -> None:
        session = self._online.get(_key(account, device_id))
        if session is not None:
            await session.send(node)

    async def _message(self, account: Account, device_id: int, node: Node) -> int | None:
        now = int(time.time())
        reader = AttrReader(node)
        message_id = reader.optional_string("id") or ""
        to = reader.optional_jid("to")
        ack: dict[str, str | JID] = {"class": "message", "id": message_id, "t": str(now)}
        if to is not None:
            ack["from"] = to
        error = self._refusal(node, to) if message_id else MALFORMED
        deliveries: list[tuple[JID, Node]] = []
        if error is None and to is not None:
            try:
                if to.is_group:
                    fan_out = group_fan_out(self._world, account, device_id, node, now=now)
                    deliveries, ack["phash"] = fan_out.deliveries, fan_out.phash
                else:
                    deliveries = self._fan_out(account, device_id, node, to, now)
            except SandboxRefusal as exc:
                log.info("refused a group message from %s: %s", account.phone, exc)
                error = exc.code
            except DecodeError as exc:
                log.info("refused a message from %s: %s", account.phone, exc)
                error = MALFORMED
            except LookupError as exc:
                log.info("refused a message from %s: %s", account.phone, exc)
                error = UNKNOWN_DEVICE
        if error is not None:
            ack["error"] = str(error)
        await self._reply(account, device_id, Node("ack", ack))
        for target, delivery in deliveries:
            await self._deliver(
                target, delivery, PendingKey("message", message_id, "", account.phone)
            )
        return error

    def _refusal(self, node: Node, to: JID | None) -> int | None:
        if to is None:
            return MALFORMED
        if to.is_group and to.user:
            return None if node.get_children("enc") else MALFORMED
        if not (to.is_pn or to.is_lid):
            return NOT_ROUTED
        if self._world.account_of(to) is None:
            return UNKNOWN_USER
        if node.get_child("participants") is None and not node.get_children("enc"):
            return MALFORMED
        return None

    def _fan_out(
        self, account: Account, device_id: int, node: Node, to: JID, now: int
    ) -> list[tuple[JID, Node]]:
        """Return (target device key, stanza) for each device the message addresses.

        Raises:
            DecodeError: the message is malformed.
            LookupError: it names a device that does not exist or is no party to the chat.
        """
        recipient = node.attrs.get("recipient")
        if node.get_child("participants") is None:  # a re-send or a peer message: one device
            chat = recipient if isinstance(recipient, JID) else to.to_non_ad()
            addressed = Node("to", {"jid": to}, node.get_children("enc"))
            identity = node.get_children("device-identity")
            node = Node(
                "message",
                {**node.attrs, "to": chat},
                [Node("participants", {}, [addressed]), *identity],
            )
        else:
            chat = to
        chat_account = self._world.account_of(chat)
        if chat_account is None or chat.device:
            raise LookupError(f"{chat} is not a user")
        lid = chat.is_lid
        sender = device_in_family(account, device_id, lid)
        out: list[tuple[JID, Node]] = []
        for target, split in split_for_devices(
            node, sender=sender, timestamp=now, notify=account.name or None
        ):
            owner = self._world.account_of(target)
            if owner is None or owner not in (account, chat_account):
                raise LookupError(f"{target} is no device of this chat")
            if target.device and target.device not in owner.devices:
                raise LookupError(f"{target} is not a linked device")
            if owner is account and target.device == device_id:
                continue  # never back to the sending device
            attrs = dict(split.attrs)
            attrs["sender_pn" if lid else "sender_lid"] = _alt(account, lid)
            attrs.update({k: v for k in _COPIED if (v := node.attrs.get(k)) is not None})
            if owner is account and account is not chat_account:
                attrs["recipient"] = chat
                attrs["peer_recipient_pn" if lid else "peer_recipient_lid"] = _alt(
                    chat_account, lid
                )
            out.append((_key(owner, target.device), Node("message", attrs, split.content)))
        return out

    async def _receipt(self, account: Account, device_id: int, node: Node) -> None:
        reader = AttrReader(node)
        first = reader.optional_string("id")
        to = reader.optional_jid("to")
        kind = reader.optional_string("type")
        if not first:
            return
        items = (node.get_child("list") or Node("list")).get_children("item")
        ids = [first, *(str(item.attrs.get("id", "")) for item in items)]
        peer = None if to is None else self._world.account_of(to)
        if device_id:
            self.mailbox(_key(account, device_id)).confirm(
                "message", ids, peer=None if peer is None else peer.phone
            )
        if to is None:
            return
        if to.is_group:  # forwarded from the group, about the receipting device
            sender = node.attrs.get("participant")
            peer = self._world.account_of(sender) if isinstance(sender, JID) else None
            if peer is None or not isinstance(sender, JID) or peer is account:
                return
            attrs: dict[str, str | JID] = {"from": to, "id": first}
            attrs["participant"] = device_in_family(account, device_id, False)
            if kind is not None:
                attrs["type"] = kind
            retry_device = sender.device
        else:
            if peer is None:
                return
            attrs = {"from": device_in_family(account, device_id, to.is_lid), "id": first}
            for name in ("type", "participant", "recipient"):
                if (value := node.attrs.get(name)) is not None:
                    attrs[name] = value
            retry_device = to.device
        attrs["t"] = str(node.attrs.get("t") or int(time.time()))
        forwarded = Node("receipt", attrs, node.content)
        devices = [retry_device] if kind == "retry" else peer.device_ids()
        key = PendingKey("receipt", first, kind or "", account.phone)
        for device in devices:
            target = _key(peer, device)
            if target != _key(account, device_id):
                await self._deliver(target, forwarded, key)

    async def send_live(self, target: JID, node: Node) -> None:
        """Send ``node`` to the companion ``target`` (PN device JID) if online; never hold it."""
        session = self._online.get(target)
        if session is not None and session in self._ready:
            await session.send(node)

    async def notify(self, accounts: Iterable[Account], node: Node) -> None:
        """Deliver a notification to every companion of ``accounts``, held until acked."""
        key = PendingKey("notification", str(node.attrs.get("id", "")), "", "")
        for account in accounts:
            for device in sorted(account.devices):
                await self._deliver(_key(account, device), node, key)

    def _ack(self, account: Account, device_id: int, node: Node) -> None:
        reader = AttrReader(node)
        ack_class = reader.optional_string("class")
        ack_id = reader.optional_string("id")
        to = reader.optional_jid("to")
        if not ack_class or not ack_id or not device_id:
            return
        peer = None if to is None else self._world.account_of(to)
        kind = reader.optional_string("type") if ack_class == "receipt" else None
        self.mailbox(_key(account, device_id)).confirm(
            ack_class, [ack_id], kind=kind, peer=None if peer is None else peer.phone
        )

    # -- delivery ------------------------------------------------------------------------

    async def _deliver(self, target: JID, node: Node, key: PendingKey) -> None:
        """Hand ``node`` to device ``target``: the phone reads it, a companion gets it queued."""
        account = self._world.account_of(target)
        if account is None:
            return
        if target.device == 0:
            for answer in self.phone(account).receive(node):
                await self.from_device(account, 0, answer)
            return
        self.mailbox(target).hold(key, node)
        session = self._online.get(target)
        if session is not None and session in self._ready:
            await self._send(target, session, node)

    async def _send(self, target: JID, session: ChatSession, node: Node) -> None:
        fault = self._faults.get(target)
        if fault is None:
            await session.send(node)
            return
        fault.remaining -= 1
        if not fault.remaining:
            del self._faults[target]
        if fault.kind == "drop":
            log.info("fault: dropped a <%s> to %s", node.tag, target)
        elif fault.kind == "duplicate":
            await session.send(node)
            await session.send(node)
        else:
            task = asyncio.create_task(self._late(session, node, fault.seconds))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _late(session: ChatSession, node: Node, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if not session.closed.is_set():
            await session.send(node)

    async def device_online(self, session: ChatSession) -> None:
        """Deliver what a just-logged-in device has not confirmed, then ``<ib><offline/>``.

        Call it once ``<success>`` is sent: stanzas routed to the device before reach it only
        through this backlog.
        """
        device = session.device
        if device is None:
            return
        key = JID(device.jid.user, DEFAULT_USER_SERVER, device.jid.device)
        backlog = self.mailbox(key).backlog()  # what arrives from now on is sent live
        self._ready.add(session)
        for node in backlog:
            if node.tag == "message":
                node = Node(node.tag, {**node.attrs, "offline": "1"}, node.content)
            await self._send(key, session, node)
        count = str(len(backlog))
        await session.send(Node("ib", {}, [Node("offline", {"count": count})]))
