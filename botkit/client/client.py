"""The client session: connect, pair or log in, stay connected, and report what happens.

:class:`Client` composes small services: :class:`~botkit.client.requests.Requests` and
:class:`~botkit.client.requests.Router` (IQs, incoming nodes by tag),
:class:`~botkit.client.pairing.Pairing`, :class:`~botkit.client.login.Login`,
:class:`~botkit.client.prekeys.PreKeys`,
:class:`~botkit.client.keepalive.KeepAlive`, :class:`~botkit.client.messaging.Messaging`
(sending, receiving, receipts), :class:`~botkit.client.groups.Groups` (with the ``w:gp2``
notifications of :mod:`~botkit.client.group_events`),
:class:`~botkit.client.presence.Presence`, and :class:`~botkit.client.connections.Connections`,
which runs one :class:`~botkit.client.session.Session` after another under the reconnect
:class:`~botkit.client.supervisor.Supervisor`.

Events go to one **event sink** (:mod:`botkit.client.sink`): an async callback
``await events(event)`` called for every :data:`~botkit.types.client_events.ClientEvent`, one at
a time and in order, from the client's own tasks; pass an
:class:`~botkit.client.sink.EventQueue` to read them with ``async for`` instead. A sink should
return quickly; an exception it raises is logged and does not disturb the connection. It may
call :meth:`Client.disconnect`; anything that waits for the server belongs in its own task.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable

from botkit.client.config import ClientTiming, ServerConfig
from botkit.client.connections import Connections
from botkit.client.group_events import GroupNotifications
from botkit.client.group_send import GroupMembers
from botkit.client.groups import Groups
from botkit.client.identity import IdentityChanges
from botkit.client.keepalive import KeepAlive
from botkit.client.login import Login
from botkit.client.messaging import Messaging
from botkit.client.pairing import Pairing, new_credentials
from botkit.client.payload import DeviceConfig
from botkit.client.prekeys import PreKeys
from botkit.client.presence import Presence
from botkit.client.requests import Requests, Router
from botkit.client.sink import EventSink, SinkEvent
from botkit.client.supervisor import Backoff, Ending
from botkit.core.binary import Node
from botkit.core.stanza import request_id_prefix
from botkit.core.stanza.group import GP2
from botkit.errors import NotConnected
from botkit.pb import e2e_pb2
from botkit.store.base import AccountStore
from botkit.store.values import DeviceCredentials
from botkit.types.client_events import (
    Connected,
    Disconnected,
    DisconnectReason,
    LoggedOut,
    LogoutReason,
)
from botkit.types.jid import JID
from botkit.types.message import OutgoingMessage

__all__ = ["Client"]

log = logging.getLogger(__name__)


class Client:
    """One WhatsApp companion device, backed by ``store``, reporting to ``events``.

    ``server`` defaults to WhatsApp itself, ``device`` to a Chrome companion named "botkit",
    ``timing`` to WhatsApp Web's deadlines and intervals. ``rng`` supplies random bytes;
    ``clock``, ``sleep`` and ``backoff`` drive the keep-alive, the QR rotation and the reconnect
    delays (inject fakes in tests).
    """

    def __init__(
        self,
        store: AccountStore,
        events: EventSink,
        *,
        server: ServerConfig | None = None,
        device: DeviceConfig | None = None,
        timing: ClientTiming | None = None,
        backoff: Backoff | None = None,
        rng: Callable[[int], bytes] = os.urandom,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        server = server or ServerConfig()
        device = device or DeviceConfig()
        timing = timing or ClientTiming()
        self._store = store
        self._events = events
        self._rng = rng
        self._connections = Connections(
            credentials=self._credentials,
            dispatch=self._dispatch,
            started=self._connection_started,
            closed=self._connection_closed,
            ended=self._ended,
            server=server,
            device=device,
            backoff=backoff or Backoff(random=random.random),
            sleep=sleep,
        )
        self._send = self._connections.send
        self._spawn = self._connections.spawn
        self._end = self._connections.end
        self._requests = Requests(
            self._send, prefix=request_id_prefix(rng(2)), timeout=timing.iq_timeout
        )
        self._router = Router(self._requests, self._send)
        self._pairing = Pairing(
            store=store,
            requests=self._requests,
            emit=self._emit,
            spawn=self._spawn,
            end=self._end,
            device=device,
            timing=timing.pairing,
            rng=rng,
            sleep=sleep,
        )
        self._prekeys = PreKeys(self._requests, store)
        self._keepalive = KeepAlive(
            self._ping, self._dead, timing=timing.keepalive, clock=clock, sleep=sleep
        )
        self._router.on_iq("pair-device", self._pairing.on_pair_device)
        self._router.on_iq("pair-success", self._pairing.on_pair_success)
        self._router.on_notification(
            "link_code_companion_reg", self._pairing.on_link_code_notification
        )
        self._router.on_notification("encrypt", self._on_encrypt_notification)
        self._login = Login(
            store,
            self._requests,
            self._prekeys,
            spawn=self._spawn,
            end=self._end,
            done=self._logged_in,
        )
        self._router.on("success", self._login.on_success)
        self._messaging = Messaging(
            self._router,
            self._requests,
            self._send,
            store,
            emit=self._emit,
            spawn=self._spawn,
            timeout=timing.iq_timeout,
            rng=rng,
            members=self._members,
            stale=self._stale_members,
            admin=self._is_admin,
        )
        rotate = self._messaging.group_sender.rotate
        self.groups = Groups(self._requests, store, rotate=rotate)
        """The groups API and metadata cache (:mod:`.groups`)."""
        notifications = GroupNotifications(
            self.groups.cache, store, emit=self._emit, rotate=rotate, spawn=self._spawn
        )
        self._router.on_notification(GP2, notifications.on_notification)
        self.presence = Presence(self._router, self._send, store, emit=self._emit)
        """Our presence and chat states, and others' as events (:mod:`.presence`)."""
        self._identities = IdentityChanges(store, self._messaging.directory, emit=self._emit)
        self._logout_requested = False
        self._own_jid: JID | None = None

    # -- public API --------------------------------------------------------------------------

    @property
    def requests(self) -> Requests:
        """The IQ service, for client services and advanced callers."""
        return self._requests

    @property
    def own_jid(self) -> JID | None:
        """Our phone-number JID (no device) once logged in; ``None`` before and after logout."""
        return self._own_jid

    @property
    def is_logged_in(self) -> bool:
        """Whether a connection is open and logged in."""
        session = self._connections.session
        return session is not None and session.established

    async def connect(self) -> None:
        """Open the first connection and keep the client connected in the background.

        Returns once the first connection's handshake is done; pairing or login continue in
        the background and are reported as events. Later failures reconnect by the policy of
        :mod:`botkit.client.supervisor`. Calling it while running does nothing.

        Raises:
            NotConnected: the server could not be reached.
            RemoteProtocolError: the handshake failed (``CertificateError`` for a server not
                signed by the configured trust root).
            StoreError: the credentials could not be loaded or saved.
        """
        if self._connections.running:
            return
        self._logout_requested = False
        await self._connections.start()

    async def wait_stopped(self) -> DisconnectReason:
        """Wait until the client stops reconnecting; return why it stopped.

        Raises:
            NotConnected: :meth:`connect` was never called.
        """
        return await self._connections.wait_stopped()

    async def disconnect(self) -> None:
        """Close the connection and stop reconnecting (a ``SHUTDOWN`` disconnect)."""
        await self._connections.stop(Ending(DisconnectReason.SHUTDOWN, "disconnect requested"))

    async def logout(self) -> None:
        """Unlink this device from the account, wipe its store and stop.

        Raises:
            NotConnected: the client is not logged in.
            IQError, IQTimeout: the server refused or did not answer the removal.
        """
        credentials = await self._store.load_credentials()
        if not self.is_logged_in or credentials is None or credentials.jid is None:
            raise NotConnected("log in before logging out")
        self._logout_requested = True
        remove: dict[str, str | JID] = {
            "jid": JID.parse(credentials.jid),
            "reason": "user_initiated",
        }
        try:
            await self._requests.query("md", "set", [Node("remove-companion-device", remove)])
        except NotConnected:
            pass  # the server may log the connection out before it answers
        except BaseException:
            self._logout_requested = False
            raise
        await self._connections.stop(
            Ending(DisconnectReason.LOGGED_OUT, "logout requested", LogoutReason.REQUESTED)
        )

    async def send_message(self, to: JID, message: OutgoingMessage | e2e_pb2.Message) -> str:
        """Send ``message`` (a runtime value or a ``Message`` protobuf) to user or group ``to``.

        Returns the message id once the server acknowledged it. Raises NotImplementedError
        for values not mapped yet, and as :meth:`botkit.client.send.Sender.send_message`.
        """
        return await self._messaging.send(to, message, self._own_jid)

    async def mark_read(self, chat: JID, ids: list[str], sender: JID | None = None) -> None:
        """Send a read receipt for ``ids`` in ``chat``. Raises NotConnected when offline."""
        await self._messaging.receipts.mark_read(chat, ids, sender=sender)

    async def alternate_jid(self, jid: JID) -> JID | None:
        """Return the LID of a phone-number user or the reverse, when known (else None)."""
        return await self._messaging.alternate_jid(jid)

    async def pair_phone(self, phone: str, *, push_notification: bool = True) -> str:
        """Pair by phone number instead of QR; return the 8-character code (also an event).

        Call it after :meth:`connect` on a device that is not paired yet.

        Raises:
            ValueError: ``phone`` is not a phone number.
            ClientError: the device is paired already.
            NotConnected: no registering connection is open.
            IQError, IQTimeout: the server refused or did not answer.
        """
        return await self._pairing.pair_phone(phone, push_notification=push_notification)

    # -- the connections' hooks ---------------------------------------------------------------

    async def _dispatch(self, node: Node) -> None:
        await self._router.dispatch(node)

    def _connection_started(self) -> None:
        self._messaging.connection_started()

    def _connection_closed(self) -> None:
        self._requests.fail_all("the connection closed")
        self._messaging.connection_ended()
        self._pairing.reset()

    async def _ended(self, ending: Ending, reconnecting: bool) -> None:
        """Report a connection's end; on a logout wipe the store first."""
        logout = ending.logout
        if ending.reason is DisconnectReason.LOGGED_OUT:
            if self._logout_requested:
                logout = LogoutReason.REQUESTED
            await self._store.wipe()
            self._own_jid = None
        log.info("disconnected: %s %s", ending.reason.value, ending.detail)
        await self._emit(Disconnected(ending.reason, ending.detail, reconnecting))
        if logout is not None:
            await self._emit(LoggedOut(logout))

    async def _credentials(self) -> DeviceCredentials:
        """Return the stored credentials, creating a new device's keys if there are none."""
        credentials = await self._store.load_credentials()
        if credentials is None:
            credentials = new_credentials(self._rng)
            await self._store.save_credentials(credentials)
        return credentials

    # -- session plumbing for the services ---------------------------------------------------

    async def _emit(self, event: SinkEvent) -> None:
        try:
            await self._events(event)
        except Exception:  # the application's bug must not break the connection
            log.exception("the event sink failed on %s", type(event).__name__)

    # -- login -------------------------------------------------------------------------------

    @property
    def server_time_offset(self) -> float:
        """Server time minus local time (seconds), from the last ``<success t>``."""
        return self._login.server_time_offset

    async def _logged_in(self, own_jid: JID, own_lid: JID | None) -> None:
        """The login is set up (:mod:`.login`): the session is established; report it."""
        session = self._connections.session
        if session is None:
            return
        session.established = True
        self._own_jid = own_jid.to_non_ad()
        self._spawn(self._keepalive.run(), "keepalive")
        await self._emit(Connected(own_jid, own_lid))

    async def _on_encrypt_notification(self, node: Node) -> None:
        self._spawn(self._prekeys.on_notification(node), "prekey-top-up")
        await self._identities.on_notification(node)

    async def _members(self, group: JID) -> GroupMembers:
        return await self.groups.members(group)

    async def _is_admin(self, group: JID, user: JID) -> bool:
        return await self.groups.is_admin(group, user)

    async def _stale_members(self, group: JID) -> None:
        await self.groups.cache.forget(group)

    async def _ping(self, deadline: float) -> Node:
        return await self._requests.query("w:p", "get", timeout=deadline)

    def _dead(self, detail: str) -> None:
        self._end(Ending(DisconnectReason.NETWORK, detail))
