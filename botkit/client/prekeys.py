"""One-time pre-key upkeep (PROTOCOL.md §7): count on the server, upload, top up on notice.

After every login the client asks the server how many of its pre-keys it still holds; below
:data:`MIN_PRE_KEYS` it uploads more: :data:`INITIAL_PRE_KEYS` the first time (nothing on the
server and nothing uploaded before), :data:`WANTED_PRE_KEYS` afterwards. Keys are marked
uploaded in the store only once the server acknowledged them.
"""

from __future__ import annotations

import logging
from typing import Protocol

from botkit.client.requests import Requests, is_server
from botkit.core import signal
from botkit.core.binary import AttrReader, Node
from botkit.core.stanza import count_query, parse_count, upload_query
from botkit.errors import NotConnected
from botkit.store.base import CredentialStore, PreKeyStore

__all__ = ["INITIAL_PRE_KEYS", "MIN_PRE_KEYS", "WANTED_PRE_KEYS", "PreKeys"]

log = logging.getLogger(__name__)

INITIAL_PRE_KEYS = 812
WANTED_PRE_KEYS = 50
MIN_PRE_KEYS = 5


class _Store(CredentialStore, PreKeyStore, Protocol):
    """What pre-key upkeep needs of the account store."""


class PreKeys:
    """Keeps enough of our one-time pre-keys on the server."""

    def __init__(self, requests: Requests, store: _Store) -> None:
        self._requests = requests
        self._store = store

    async def server_count(self) -> int:
        """Return how many of our pre-keys the server holds.

        Raises:
            IQError, IQTimeout, NotConnected: the query failed.
            DecodeError: the answer has no ``<count value>``.
        """
        return parse_count(await self._requests.request(count_query))

    async def ensure(self) -> int:
        """Upload pre-keys if the server holds fewer than the minimum; return how many.

        Raises:
            IQError, IQTimeout, NotConnected: a query failed (nothing is marked uploaded).
            DecodeError: the count answer is malformed.
        """
        count = await self.server_count()
        if count >= MIN_PRE_KEYS:
            return 0
        first = count == 0 and await self._store.uploaded_pre_key_count() == 0
        return await self.upload(INITIAL_PRE_KEYS if first else WANTED_PRE_KEYS)

    async def upload(self, count: int) -> int:
        """Upload ``count`` fresh pre-keys with our identity and signed pre-key; return count.

        Raises:
            IQError, IQTimeout, NotConnected: the upload failed (nothing is marked uploaded).
        """
        credentials = await self._store.load_credentials()
        if credentials is None:
            raise NotConnected("the device has no credentials to upload pre-keys for")
        keys = await self._store.get_or_generate_pre_keys(count)
        spk = credentials.signed_pre_key
        await self._requests.request(
            lambda iq_id: upload_query(
                iq_id,
                registration_id=credentials.registration_id,
                identity_key=credentials.identity_key.public,
                prekeys=[signal.PreKey(key.key_id, key.key_pair) for key in keys],
                signed_prekey=spk,
            )
        )
        await self._store.mark_pre_keys_uploaded(max(key.key_id for key in keys))
        log.info("uploaded %d pre-keys", len(keys))
        return len(keys)

    async def on_notification(self, node: Node) -> None:
        """Handle ``<notification type="encrypt">`` from the server: top up when it is low.

        Raises:
            IQError, IQTimeout, NotConnected: the upload failed.
        """
        count = node.get_child("count")
        if not is_server(node.attrs.get("from")) or count is None:
            return
        value = AttrReader(count).optional_int("value")
        if value is not None and value < MIN_PRE_KEYS:
            await self.upload(WANTED_PRE_KEYS)
