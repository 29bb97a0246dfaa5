"""Sending to groups with sender keys (PROTOCOL.md §8.5, §9.6-9.8).

The message is encrypted once with our sender key for the group (created on the first send,
stored under our own LID address) and travels as the ``skmsg``. The key's distribution message
goes pairwise only to the member devices that do not have it yet: the devices that got it are
remembered per group in the store (:class:`KeyHolders`, tied to the key's id) once the server
acknowledged the message. The ``phash`` covers every member device, so the server's ack tells
us when our member or device lists are stale: both are then asked again on the next message.

:meth:`GroupSender.rotate` drops our key of a group when a member left or was removed: the next
message starts a new key and hands it to the remaining devices only, so the member who left
cannot read it.

A send holds its group's lock from encrypting until the server's ack, so a second send to the
same group at once uses the same key and hands it only to the devices the first did not.
Rotating never waits for that lock (the send in flight waits on the receive loop that rotates):
it drops the key at once and marks it, and the send holding the lock drops it again when it
ends. Members and devices are read under the lock, so a send that waited counts a removal made
meanwhile. A retry receipt in a
group is answered (with our current key attached) only for a device :meth:`GroupSender.admits`:
ours or a current member's.

Members come from a :data:`MemberSource` (the group metadata cache of :mod:`.groups`): sending
never asks the server for a group's metadata per message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from botkit.client.devices import Directory, local_device
from botkit.client.lid_migration import alternate_user
from botkit.client.send import (
    Sender,
    load_sessions,
    own_sender_key,
    own_sender_key_address,
    save_records,
    session_names,
)
from botkit.core.binary import Node
from botkit.core.e2e import LocalDevice, encrypt_group
from botkit.core.signal import SenderKeyRecord, create_sender_key
from botkit.errors import DecodeError, SendFailed
from botkit.pb import e2e_pb2
from botkit.store.base import (
    CredentialStore,
    IdentityStore,
    KeyValueStore,
    LIDMapStore,
    SenderKeyStore,
    SentMessageCache,
    SessionStore,
)
from botkit.store.values import SentMessage
from botkit.types.jid import JID

__all__ = ["GroupMembers", "GroupSender", "KeyHolders", "MemberSource"]

log = logging.getLogger(__name__)

HOLDERS_NAMESPACE = "botkit.client.sender-key-holders"
"""The key-value namespace of :class:`KeyHolders` (not a plugin name: those have no dots)."""


@dataclass(frozen=True, slots=True)
class GroupMembers:
    """The users of a group as it addresses them (LIDs when ``addressing_lid``, else PNs)."""

    users: tuple[JID, ...]
    addressing_lid: bool = False


MemberSource = Callable[[JID], Awaitable[GroupMembers]]
"""Returns a group's members (from the metadata cache; raises as the group info query)."""


class _Store(
    CredentialStore,
    SessionStore,
    IdentityStore,
    SenderKeyStore,
    SentMessageCache,
    KeyValueStore,
    LIDMapStore,
    Protocol,
):
    """What group sending needs of the account store."""


class KeyHolders:
    """Which devices hold our current sender key of each group, persisted in ``store``.

    Stored as one value per group: the key id, then the device JIDs, one a line. A key id that
    is not the current one means nobody holds the current key.
    """

    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    async def get(self, group: JID, key_id: int) -> set[str]:
        """Return the devices known to hold key ``key_id`` of ``group``."""
        stored = await self._store.get_value(HOLDERS_NAMESPACE, str(group))
        if stored is None:
            return set()
        first, *devices = stored.decode().split("\n")
        return set(devices) if first == str(key_id) else set()

    async def add(self, group: JID, key_id: int, devices: Iterable[JID]) -> None:
        """Record that ``devices`` now hold key ``key_id`` of ``group``."""
        held = await self.get(group, key_id) | {str(device) for device in devices}
        value = "\n".join([str(key_id), *sorted(held)]).encode()
        await self._store.put_value(HOLDERS_NAMESPACE, str(group), value)

    async def forget(self, group: JID) -> None:
        """Forget every holder of ``group`` (the key is rotated)."""
        await self._store.delete_value(HOLDERS_NAMESPACE, str(group))


class GroupSender:
    """Sends messages to groups (see the module docstring).

    ``stale`` drops a group's cached members (called when the server's phash differs).
    """

    def __init__(
        self,
        sender: Sender,
        store: _Store,
        directory: Directory,
        members: MemberSource,
        stale: Callable[[JID], Awaitable[None]] | None = None,
    ) -> None:
        self._sender = sender
        self._store = store
        self._directory = directory
        self._members = members
        self._stale = stale
        self.holders = KeyHolders(store)
        self._locks: dict[JID, asyncio.Lock] = {}
        self._rotating: set[JID] = set()

    async def send(
        self, group: JID, message: e2e_pb2.Message, *, message_id: str | None = None
    ) -> str:
        """Send ``message`` to ``group``; return its id once the server acknowledged it.

        Raises:
            ValueError: ``group`` is not a group JID.
            SendFailed: the group has no device to send to.
            SendTimeout, SendRejected, NotConnected: as
                :meth:`~botkit.client.send.Sender.send_message`.
            IQError, IQTimeout, DecodeError: the group, device list or bundle queries failed.
            CryptoError: a bundle was invalid.
            StoreError: the store failed.
        """
        if not group.is_group:
            raise ValueError(f"send to a group, not {group}")
        local = local_device(await self._store.load_credentials())
        sent_id = message_id or self._sender.new_id(local)
        async with self._lock_of(group):  # held until acked: a second send must see the holders
            await self._drop_rotated(group)
            # the members under the lock: a removal made while this send waited must count
            addressing_lid, users, devices = await self._recipients(local, group)
            try:
                node, phash, key_id, handed = await self._encrypt(
                    local, group, sent_id, devices, addressing_lid, message
                )
                ack = await self._sender.deliver(sent_id, node)
                if group not in self._rotating:
                    await self.holders.add(group, key_id, handed)
            finally:
                await self._drop_rotated(group)
        if ack.phash is not None and ack.phash != phash:
            log.info("participant hash mismatch for %s: refreshing members and devices", sent_id)
            await self._directory.forget(users)
            if self._stale is not None:
                await self._stale(group)
        return sent_id

    async def _recipients(
        self, local: LocalDevice, group: JID
    ) -> tuple[bool, list[JID], list[JID]]:
        """Return whether ``group`` is LID-addressed, its users (us too) and all their devices."""
        members = await self._members(group)
        own = (local.lid if members.addressing_lid and local.lid else local.jid).to_non_ad()
        users = [user.to_non_ad() for user in members.users if user.to_non_ad() != own]
        devices = await self._directory.devices([*users, own])
        if not any(not local.is_this_device(device) for device in devices):
            raise SendFailed(f"{group} has no other device to send to")
        return members.addressing_lid, [*users, own], devices

    async def admits(self, group: JID, device: JID) -> bool:
        """Whether ``device`` is ours or a current member's, so it may be sent ``group``'s key.

        A retry receipt from anyone else (a member since removed) is not answered: the resend
        would hand them our current sender key.

        Raises:
            as the member source (IQError, IQTimeout, NotConnected, DecodeError). StoreError.
        """
        local = local_device(await self._store.load_credentials())
        if local.owns(device):
            return True
        users = {user.to_non_ad() for user in (await self._members(group)).users}
        user = device.to_non_ad()
        return user in users or await alternate_user(self._store, user) in users

    async def rotate(self, group: JID) -> None:
        """Drop our sender key of ``group``: the next message starts (and hands out) a new one.

        Never waits for a send in flight (it is called from the receive loop, which that send
        waits on for its ack): the key is dropped from the store at once, and again by the send
        holding the group's lock when it ends (it may have been storing its key meanwhile).
        """
        self._rotating.add(group)
        lock = self._lock_of(group)
        if not lock.locked():
            async with lock:
                await self._drop_rotated(group)
        else:
            await self._drop_key(group)

    async def _drop_rotated(self, group: JID) -> None:
        """Drop our key of ``group`` if :meth:`rotate` asked for it (the group's lock held)."""
        if group in self._rotating:
            await self._drop_key(group)
            self._rotating.discard(group)

    async def _drop_key(self, group: JID) -> None:
        local = local_device(await self._store.load_credentials())
        address = own_sender_key_address(local)
        await self._store.put_sender_key(str(group), address, SenderKeyRecord().serialize())
        await self.holders.forget(group)

    async def _own_key(self, local: LocalDevice, group: JID) -> SenderKeyRecord:
        try:
            record = await own_sender_key(self._store, group, local)
        except DecodeError:
            log.warning("our sender key of %s is corrupt: starting a new one", group)
            record = None
        if record is None:
            _, record = create_sender_key(rng=self._sender.rng)
        return record

    async def _encrypt(
        self,
        local: LocalDevice,
        group: JID,
        sent_id: str,
        devices: list[JID],
        addressing_lid: bool,
        message: e2e_pb2.Message,
    ) -> tuple[Node, str, int, list[JID]]:
        """Encrypt (the group's lock held); store the records; return what ``send`` needs."""
        record = await self._own_key(local, group)
        key_id = record.states[0].key_id
        holders = await self.holders.get(group, key_id)
        needing = [d for d in devices if not local.is_this_device(d) and str(d) not in holders]
        names = await session_names(self._store, needing)
        known = await load_sessions(self._store, needing, names)
        bundles = await self._directory.bundles([d for d in needing if d not in known])
        usable = [d for d in needing if d in known or d in bundles]
        async with self._sender.lock:  # reload: a message may have arrived meanwhile
            sessions = await load_sessions(self._store, usable, names)
            out = encrypt_group(
                message,
                message_id=sent_id,
                group=group,
                local=local,
                devices=devices,
                sessions=sessions,
                bundles={d: b for d, b in bundles.items() if d not in sessions},
                trusted_identities={},
                sender_key=record,
                rng=self._sender.rng,
                addressing_lid=addressing_lid,
                distribute_to=set(usable),
            )
            await save_records(self._store, out.sessions, bundles, names)
            assert out.sender_key is not None  # encrypt_group always advances our key
            address = own_sender_key_address(local)
            await self._store.put_sender_key(str(group), address, out.sender_key.serialize())
        await self._store.remember_sent(
            SentMessage(str(group), sent_id, message.SerializeToString(), self._sender.now())
        )
        return out.node, out.phash, key_id, usable

    def _lock_of(self, group: JID) -> asyncio.Lock:
        lock = self._locks.get(group)
        if lock is None:
            lock = self._locks[group] = asyncio.Lock()
        return lock
