"""A peer's identity changed (PROTOCOL.md §10.5): ``<notification type="encrypt"><identity/>``.

When a user's phone registers again it has a new identity key, and every Signal session with the
user's devices is dead. The server tells the devices that talked to it with an ``encrypt``
notification from the user (not from the server, which sends pre-key counts the same way).
:class:`IdentityChanges` then forgets the sessions and trusted identities of the user under both
its phone-number and its LID address, drops the cached device lists, and emits
:class:`~botkit.types.events.IdentityChanged`; the next message either way starts a new session.
The router acknowledges the notification after the handler ran.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botkit.client.devices import Directory
from botkit.client.lid_migration import alternate_user
from botkit.client.requests import is_server
from botkit.core.binary import AttrReader, Node
from botkit.store.base import AccountStore
from botkit.types.events import IdentityChanged

__all__ = ["IdentityChanges"]

log = logging.getLogger(__name__)


class IdentityChanges:
    """Handles identity-change notifications for one client."""

    def __init__(
        self,
        store: AccountStore,
        directory: Directory,
        *,
        emit: Callable[[IdentityChanged], Awaitable[None]],
    ) -> None:
        self._store = store
        self._directory = directory
        self._emit = emit

    async def on_notification(self, node: Node) -> None:
        """Handle an ``encrypt`` notification; those from the server (pre-keys) are ignored.

        Raises:
            StoreError: the sessions could not be deleted. The router logs it and acknowledges
                the notification anyway (as whatsmeow does), so it does not come again; the
                user's next ``pkmsg`` replaces the dead session.
        """
        if is_server(node.attrs.get("from")) or node.get_child("identity") is None:
            return
        reader = AttrReader(node)
        sender = reader.optional_jid("from")
        timestamp = reader.optional_int("t") or 0
        if sender is None or not (sender.is_pn or sender.is_lid):
            log.info("ignored an identity notification from %r", node.attrs.get("from"))
            return
        user = sender.to_non_ad()
        users = [user]
        alternate = await alternate_user(self._store, user)
        if alternate is not None:
            users.append(alternate)
        async with self._directory.lock:  # a message in flight must not store a dead session
            for each in users:
                name = each.signal_address().name
                await self._store.delete_sessions(name)
                await self._store.delete_identities(name)
        await self._directory.forget(users)
        log.info("the identity of %s changed; its sessions were dropped", user)
        await self._emit(IdentityChanged(user=user, timestamp=float(timestamp)))
