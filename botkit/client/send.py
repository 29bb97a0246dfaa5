"""Sending 1:1 messages (PROTOCOL.md §9.3-9.5, §9.8) and answering retry receipts (§10.6).

:meth:`Sender.send_message` resolves the recipient's LID and the devices of both users
(:class:`~botkit.client.devices.Directory`), fetches bundles for devices without a session,
encrypts with :func:`~botkit.core.e2e.encrypt_direct`, stores the new session records and the
plaintext (for retry receipts) before the node leaves, and waits for the server's ``<ack>``.
:meth:`Sender.resend` answers a retry receipt from that plaintext with
:func:`~botkit.core.e2e.encrypt_resend`.

Session records change on both paths, so sending and receiving share one ``lock``: whoever
loads a record holds it until the new record is stored. Nothing awaits the server under it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from botkit.client.devices import Directory, local_device
from botkit.client.lid_migration import alternate_user
from botkit.client.requests import Send
from botkit.core.binary import Node
from botkit.core.e2e import LocalDevice, encrypt_direct, encrypt_resend
from botkit.core.signal import PreKeyBundle, SenderKeyRecord, SessionRecord
from botkit.core.stanza import Receipt, ServerAck, message_id, parse_server_ack
from botkit.errors import DecodeError, SendFailed, SendRejected, SendTimeout
from botkit.pb import e2e_pb2
from botkit.store.base import (
    CredentialStore,
    IdentityStore,
    LIDMapStore,
    SenderKeyStore,
    SentMessageCache,
    SessionStore,
)
from botkit.store.values import SentMessage
from botkit.types.jid import JID, SignalAddress

__all__ = [
    "MAX_RETRIES_ANSWERED",
    "Names",
    "Sender",
    "has_own_key",
    "load_sessions",
    "own_sender_key",
    "own_sender_key_address",
    "save_records",
    "session_names",
]

log = logging.getLogger(__name__)

MAX_RETRIES_ANSWERED = 10
"""A device asking for the same message this many times gets no more answers (§10.6)."""


class _Store(
    CredentialStore,
    SessionStore,
    IdentityStore,
    SenderKeyStore,
    SentMessageCache,
    LIDMapStore,
    Protocol,
):
    """What sending needs of the account store."""


Names = Mapping[JID, JID]
"""The device JID a session is stored under, for devices addressed by another name (a LID
device for a phone-number device JID); a device not in it is stored under its own JID."""


def _address(device: JID, names: Names | None) -> SignalAddress:
    return (names or {}).get(device, device).signal_address()


async def load_sessions(
    store: SessionStore, devices: Iterable[JID], names: Names | None = None
) -> dict[JID, SessionRecord]:
    """Return the stored session record of each of ``devices`` that has one.

    Raises:
        StoreError: the store failed.
        DecodeError: a stored record is corrupt.
    """
    by_address = {_address(device, names): device for device in devices}
    stored = await store.get_sessions(by_address)
    return {
        by_address[address]: SessionRecord.deserialize(data) for address, data in stored.items()
    }


async def session_names(store: LIDMapStore, devices: Iterable[JID]) -> dict[JID, JID]:
    """Return the LID device each phone-number device's session is kept under, if known.

    Sessions are keyed by LID whenever the user's LID is known (as the receive path keys them,
    PROTOCOL.md §5.3), so a phone-number-addressed group or retry reuses the 1:1 sessions.
    """
    names: dict[JID, JID] = {}
    lids: dict[JID, JID | None] = {}
    for device in devices:
        if not device.is_pn:
            continue
        user = device.to_non_ad()
        if user not in lids:
            found = await store.lid_for_pn(str(user))
            lids[user] = None if found is None else JID.parse(found)
        lid = lids[user]
        if lid is not None:
            names[device] = JID(lid.user, lid.server, device.device)
    return names


class _Records(SessionStore, IdentityStore, Protocol):
    """Where new session records and trusted identities go."""


async def save_records(
    store: _Records,
    sessions: Mapping[JID, SessionRecord],
    bundles: Mapping[JID, PreKeyBundle],
    names: Names | None = None,
) -> None:
    """Store new session records, and trust the identity of each bundle a session came from."""
    await store.put_sessions({_address(d, names): r.serialize() for d, r in sessions.items()})
    for device, bundle in bundles.items():
        if device in sessions:
            await store.save_identity(_address(device, names), bundle.identity_key)


def own_sender_key_address(local: LocalDevice) -> SignalAddress:
    """Return the address our own sender keys are stored under: our LID device when known."""
    return (local.lid or local.jid).signal_address()


def has_own_key(record: SenderKeyRecord) -> bool:
    """Return whether ``record`` holds a sending state of ours (not just received ones)."""
    return bool(record.states) and record.states[0].signing_private is not None


async def own_sender_key(
    store: SenderKeyStore, group: JID, local: LocalDevice
) -> SenderKeyRecord | None:
    """Return our stored sender-key record of ``group`` if it holds our own key, else None.

    Raises:
        DecodeError: the stored record is corrupt.
        StoreError: the store failed.
    """
    stored = await store.get_sender_key(str(group), own_sender_key_address(local))
    record = None if stored is None else SenderKeyRecord.deserialize(stored)
    return record if record is not None and has_own_key(record) else None


class Sender:
    """Sends messages and answers retry receipts; :meth:`on_ack` must see every ``<ack>``.

    ``timeout`` bounds the wait for the server's ack (seconds); ``rng`` draws random bytes;
    ``clock`` is the wall clock (message ids and send times).
    """

    def __init__(
        self,
        send: Send,
        store: _Store,
        directory: Directory,
        lock: asyncio.Lock,
        *,
        timeout: float,
        rng: Callable[[int], bytes],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._send = send
        self._store = store
        self._directory = directory
        self._timeout = timeout
        self._clock = clock
        self.lock = lock
        """The session-record lock (see the module docstring), for the group sender."""
        self.rng = rng
        """Draws random bytes (the group sender's too)."""
        self._waiting: dict[str, asyncio.Future[Node]] = {}

    async def send_text(self, to: JID, text: str) -> str:
        """Send ``text`` to user ``to``; return the message id. Raises as :meth:`send_message`."""
        return await self.send_message(to, e2e_pb2.Message(conversation=text))

    async def send_message(
        self, to: JID, message: e2e_pb2.Message, *, message_id: str | None = None
    ) -> str:
        """Send ``message`` to user ``to`` (and our own other devices); return its id.

        A phone-number ``to`` is addressed by its LID when the server knows one (§9.3).

        Raises:
            ValueError: ``to`` is a group, broadcast or device JID (not supported here).
            SendFailed: neither the recipient nor we have a device to send to.
            SendTimeout: the server did not acknowledge the message in time.
            SendRejected: the server acknowledged it with an error.
            NotConnected: not logged in, or the connection closed before the ack.
            IQError, IQTimeout, DecodeError: a device list or bundle query failed.
            CryptoError: a bundle was invalid.
            StoreError: the store failed.
        """
        if to.device or to.is_group or to.server == "broadcast":
            raise ValueError(f"send_message sends to a user, not {to}")
        local = local_device(await self._store.load_credentials())
        chat = to.to_non_ad()
        if chat.is_pn:
            chat = await self._directory.lid_of(chat) or chat
        own = local.sender_for(chat).to_non_ad()
        devices = await self._directory.devices([chat, own])
        if not any(device.user == chat.user for device in devices):
            raise SendFailed(f"{chat} has no device to send to")
        sent_id = message_id or self.new_id(local)
        out_node, phash = await self._encrypt(local, sent_id, chat, devices, message)
        ack = await self.deliver(sent_id, out_node)
        if ack.phash is not None and ack.phash != phash:
            log.info("participant hash mismatch for %s: refreshing device lists", sent_id)
            await self._directory.forget([chat, own])
        return sent_id

    async def _encrypt(
        self,
        local: LocalDevice,
        sent_id: str,
        chat: JID,
        devices: list[JID],
        message: e2e_pb2.Message,
    ) -> tuple[Node, str]:
        others = [device for device in devices if not local.is_this_device(device)]
        known = await load_sessions(self._store, others)
        bundles = await self._directory.bundles([d for d in others if d not in known])
        async with self.lock:  # reload: a message may have arrived while we fetched bundles
            sessions = await load_sessions(self._store, others)
            usable = [d for d in others if d in sessions or d in bundles]
            out = encrypt_direct(
                message,
                message_id=sent_id,
                to=chat,
                local=local,
                devices=usable,
                sessions=sessions,
                bundles={d: b for d, b in bundles.items() if d not in sessions},
                trusted_identities={},
                rng=self.rng,
            )
            await save_records(self._store, out.sessions, bundles)
        await self._store.remember_sent(
            SentMessage(str(chat), sent_id, message.SerializeToString(), self._clock())
        )
        return out.node, out.phash

    def now(self) -> float:
        """Return the wall-clock time (seconds) messages are stamped with."""
        return self._clock()

    def new_id(self, local: LocalDevice) -> str:
        """Return a fresh message id for a message of ``local``."""
        return message_id(
            timestamp=int(self._clock()), random_bytes=self.rng(16), own_user=local.jid.user
        )

    async def deliver(self, sent_id: str, node: Node) -> ServerAck:
        """Send the message ``node`` (id ``sent_id``) and return the server's ack.

        Raises:
            SendTimeout, SendRejected, NotConnected: as :meth:`send_message`.
        """
        waiter: asyncio.Future[Node] = asyncio.get_running_loop().create_future()
        self._waiting[sent_id] = waiter
        try:
            await self._send(node)
            answer = await asyncio.wait_for(waiter, self._timeout)
        except TimeoutError as exc:
            raise SendTimeout(f"no server ack for message {sent_id}") from exc
        finally:
            self._waiting.pop(sent_id, None)
        ack = parse_server_ack(answer)
        if ack.error is not None:
            raise SendRejected(sent_id, ack.error)
        return ack

    async def on_ack(self, node: Node) -> None:
        """Hand a server ``<ack>`` to the send waiting for it (unknown acks are ignored)."""
        waiter = self._waiting.get(str(node.attrs.get("id", "")))
        if waiter is not None and not waiter.done():
            waiter.set_result(node)

    def fail_all(self, error: Exception) -> None:
        """Fail every send still waiting for its ack with ``error`` (the connection ended)."""
        for waiter in self._waiting.values():
            if not waiter.done():
                waiter.set_exception(error)
        self._waiting.clear()

    async def resend(self, receipt: Receipt) -> bool:
        """Answer a retry receipt: send the message again to the device that asked.

        Returns whether it was answered (False: the message is no longer cached, or the
        device asked too often).

        Raises:
            NotConnected: not logged in or the connection closed.
            IQError, IQTimeout, DecodeError: a bundle was needed and could not be fetched.
            CryptoError: the receipt's keys were invalid.
            StoreError: the store failed.
        """
        retry = receipt.retry
        if retry is None or retry.count >= MAX_RETRIES_ANSWERED:
            return False
        device = receipt.participant or receipt.from_
        sent = await self._find_sent(receipt)
        if sent is None:
            log.info("retry receipt for unknown message %s", receipt.message_ids[0])
            return False
        message = e2e_pb2.Message()
        try:
            message.ParseFromString(sent.payload)
        except Exception as exc:  # a corrupt cache entry costs this answer only
            raise DecodeError(f"cached message {sent.message_id} does not parse") from exc
        local = local_device(await self._store.load_credentials())
        bundles = {device: retry.bundle} if retry.bundle is not None else {}
        names = await session_names(self._store, [device])
        if not bundles and not await load_sessions(self._store, [device], names):
            bundles = await self._directory.bundles([device])
        chat = JID.parse(sent.chat)
        async with self.lock:
            sessions = await load_sessions(self._store, [device], names)
            sender_key = await own_sender_key(self._store, chat, local) if chat.is_group else None
            out = encrypt_resend(
                message,
                message_id=sent.message_id,
                chat=chat,
                device=device,
                local=local,
                session=sessions.get(device),
                bundle=bundles.get(device),
                trusted_identity=None,
                count=retry.count,
                timestamp=int(sent.sent_at),
                rng=self.rng,
                sender_key=sender_key,
            )
            await save_records(self._store, out.sessions, bundles, names)
        await self._send(out.node)
        return True

    async def _find_sent(self, receipt: Receipt) -> SentMessage | None:
        """Return the cached message a retry receipt asks for, under any name of its chat."""
        chat = receipt.recipient or receipt.from_.to_non_ad()
        candidates = [chat]
        alternate = await alternate_user(self._store, chat)
        if alternate is not None:
            candidates.append(alternate)
        for candidate in candidates:
            sent = await self._store.get_sent(str(candidate), receipt.message_ids[0])
            if sent is not None:
                return sent
        return None
