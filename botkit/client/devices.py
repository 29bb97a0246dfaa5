"""Who we encrypt to: our own device's keys, users' device lists, LIDs and pre-key bundles.

:func:`local_device` turns the stored credentials into the
:class:`~botkit.core.e2e.LocalDevice` the E2E pipeline encrypts with. :class:`Directory`
answers device lists from the store's device-list cache, asking the server (usync, PROTOCOL.md
§9.3) for the users it does not know, and records the phone-number to LID mapping each answer
carries (§5.3); it fetches pre-key bundles (§7.5) for devices we have no session with.

Moving a user's sessions to its LID happens under the session-record ``lock`` that sending and
receiving share (:mod:`botkit.client.send`), so a message being encrypted or decrypted at that
moment cannot store its record back under the address the sessions just left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Protocol

from botkit.client.lid_migration import learn_lid
from botkit.client.requests import Requests
from botkit.core.e2e import LocalDevice
from botkit.core.signal import PreKeyBundle
from botkit.core.stanza import (
    device_query,
    key_fetch_query,
    parse_device_result,
    parse_key_fetch_result,
)
from botkit.errors import NotConnected
from botkit.store.base import CredentialStore, DeviceListCache, LIDMapStore, SessionStore
from botkit.store.values import DeviceCredentials
from botkit.types.jid import JID

__all__ = ["Directory", "local_device"]

log = logging.getLogger(__name__)


class _Store(CredentialStore, DeviceListCache, LIDMapStore, SessionStore, Protocol):
    """What the directory needs of the account store."""


def local_device(credentials: DeviceCredentials | None) -> LocalDevice:
    """Return our device as the E2E pipeline sees it.

    Raises:
        NotConnected: the device is not paired (no JID or no signed device identity).
    """
    if credentials is None or credentials.jid is None:
        raise NotConnected("the device is not paired")
    if credentials.signed_device_identity is None:
        raise NotConnected("the device has no signed device identity")
    jid = JID.parse(credentials.jid)
    lid = None
    if credentials.lid is not None:
        parsed = JID.parse(credentials.lid)
        lid = JID(parsed.user, parsed.server, jid.device)
    return LocalDevice(
        jid=jid,
        lid=lid,
        identity=credentials.identity_key,
        registration_id=credentials.registration_id,
        device_identity=credentials.signed_device_identity,
    )


class Directory:
    """Device lists (cached in the store), LID mappings and bundle fetches.

    ``lock`` is the session-record lock shared with sending and receiving (a new one if none).
    """

    def __init__(self, requests: Requests, store: _Store, lock: asyncio.Lock | None = None) -> None:
        self._requests = requests
        self._store = store
        self.lock = asyncio.Lock() if lock is None else lock
        """The session-record lock: held while sessions move or are dropped."""

    async def lid_of(self, user: JID) -> JID | None:
        """Return the LID of phone-number user ``user``, asking the server if it is unknown.

        Raises:
            IQError, IQTimeout, NotConnected, DecodeError: the usync query failed.
        """
        known = await self._store.lid_for_pn(str(user))
        if known is not None:
            return JID.parse(known)
        await self.devices([user], refresh=True)
        known = await self._store.lid_for_pn(str(user))
        return None if known is None else JID.parse(known)

    async def devices(self, users: Sequence[JID], *, refresh: bool = False) -> list[JID]:
        """Return the device JIDs of ``users`` (device-less JIDs), in the order given.

        Users whose list is cached are answered from the cache (unless ``refresh``); the others
        are asked in one usync query, their lists cached and their LIDs recorded. A user the
        server cannot answer for contributes no device.

        Raises:
            IQError, IQTimeout, NotConnected, DecodeError: the usync query failed.
        """
        found: dict[JID, tuple[int, ...]] = {}
        missing: list[JID] = []
        for user in users:
            cached = None if refresh else await self._store.get_device_list(str(user))
            if cached is None:
                missing.append(user)
            else:
                found[user] = cached.device_ids
        if missing:
            answer = await self._requests.request(
                lambda iq_id: device_query(missing, request_id=iq_id, sid=self._requests.next_id())
            )
            for entry in parse_device_result(answer):
                if entry.error is not None:
                    log.info("no device list for %s: %s", entry.user, entry.error)
                    continue
                ids = tuple(device.device for device in entry.devices if not device.is_hosted)
                found[entry.user] = ids
                await self._store.put_device_list(str(entry.user), ids, None)
                if entry.lid is not None and entry.user.is_pn:
                    async with self.lock:
                        await learn_lid(self._store, entry.lid, entry.user)
        return [
            JID(user.user, user.server, device) for user in users for device in found.get(user, ())
        ]

    async def forget(self, users: Iterable[JID]) -> None:
        """Drop the cached device lists of ``users`` (a ``devices`` notification)."""
        for user in users:
            await self._store.invalidate_device_list(str(user.to_non_ad()))

    async def bundles(self, devices: Sequence[JID]) -> dict[JID, PreKeyBundle]:
        """Fetch the pre-key bundles of ``devices`` in one query; leave out devices it refused.

        Raises:
            IQError, IQTimeout, NotConnected, DecodeError: the key fetch failed as a whole.
        """
        if not devices:
            return {}
        answer = await self._requests.request(lambda iq_id: key_fetch_query(iq_id, devices))
        result = parse_key_fetch_result(answer)
        for device, error in result.errors.items():
            log.info("no bundle for %s: %s", device, error)
        return dict(result.bundles)
