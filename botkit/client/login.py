"""What follows a login's ``<success>`` (PROTOCOL.md §3.5).

:meth:`Login.on_success` notes the server's clock and, in a spawned task (it waits for IQ
answers), saves the LID the server names, tops up the pre-keys and marks the connection active;
then it hands our JIDs to ``done``, which makes the session established and reports the login.
A setup IQ that fails ends the connection with a server error (the client reconnects).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import Any

from botkit.client.prekeys import PreKeys
from botkit.client.requests import Requests
from botkit.client.supervisor import Ending
from botkit.core.binary import AttrReader, Node
from botkit.errors import DecodeError, IQError, IQTimeout
from botkit.store.base import CredentialStore
from botkit.types.client_events import DisconnectReason
from botkit.types.jid import JID

__all__ = ["Login"]

log = logging.getLogger(__name__)


class Login:
    """Finishes each login (see the module docstring).

    ``done(jid, lid)`` receives our device JID and LID once the login is set up.
    """

    def __init__(
        self,
        store: CredentialStore,
        requests: Requests,
        prekeys: PreKeys,
        *,
        spawn: Callable[[Coroutine[Any, Any, None], str], None],
        end: Callable[[Ending], None],
        done: Callable[[JID, JID | None], Awaitable[None]],
    ) -> None:
        self._store = store
        self._requests = requests
        self._prekeys = prekeys
        self._spawn = spawn
        self._end = end
        self._done = done
        self.server_time_offset = 0.0
        """Server time minus local time (seconds), from the last ``<success t>``."""

    async def on_success(self, node: Node) -> None:
        """Handle ``<success>``: note the server time, then finish the login in a task."""
        reader = AttrReader(node)
        server_time = reader.optional_int("t")
        if server_time is not None:
            self.server_time_offset = server_time - time.time()
        self._spawn(self._finish(reader.optional_jid("lid")), "login")

    async def _finish(self, lid: JID | None) -> None:
        """Save the LID, top up pre-keys, go active, then hand over to ``done``."""
        credentials = await self._store.load_credentials()
        if credentials is None or credentials.jid is None:
            log.warning("ignored <success> on a device that is not paired")
            return
        own_jid = JID.parse(credentials.jid)
        if credentials.lid is None and lid is not None:
            credentials = replace(credentials, lid=str(lid))
            await self._store.save_credentials(credentials)
        try:
            await self._prekeys.ensure()
            await self._requests.query("passive", "set", [Node("active")])
        except (IQError, IQTimeout, DecodeError) as exc:
            self._end(Ending(DisconnectReason.SERVER_ERROR, f"login setup failed: {exc}"))
            return
        own_lid = None if credentials.lid is None else JID.parse(credentials.lid)
        await self._done(own_jid, own_lid)
