"""The sandbox: a WhatsApp-compatible server for tests, with an HTTP control API.

>>> async with Sandbox() as sb:
...     sb.ws_url, sb.control_url, sb.root_public_key

It ties the :class:`~botkit.server.wire.WireServer` (one :class:`ChatSession` per connection),
the :class:`~botkit.server.world.World`, the :class:`Linker` and the control server together:
registering connections get ``pair-device``, logging-in ones ``<success>`` or ``<failure>``,
IQs go to :mod:`botkit.server.handlers`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from contextlib import AsyncExitStack
from pathlib import Path
from types import TracebackType

from botkit.core.binary import Node
from botkit.core.stanza.iq import error_reply
from botkit.errors import DecodeError, SandboxRefusal
from botkit.server.control import ControlServer
from botkit.server.group_service import GroupControl, GroupService
from botkit.server.handlers import IqContext, answer_iq
from botkit.server.linking import Linker
from botkit.server.mailbox import Fault
from botkit.server.media import MediaServer
from botkit.server.persistence import Persistence
from botkit.server.phones import SimulatedPhone
from botkit.server.presence import PresenceHub
from botkit.server.routing import Router
from botkit.server.session import ChatSession, Registration
from botkit.server.snapshots import open_data_dir, restore_sandbox
from botkit.server.wire import ServerKeys, SessionHandler, WireServer, WireSession
from botkit.server.world import World
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = ["Sandbox"]

log = logging.getLogger(__name__)

LOGGED_OUT = Node("failure", {"reason": "401"})
REPLACED = Node("stream:error", {}, [Node("conflict", {"type": "replaced"})])
DEVICE_REMOVED = Node(
    "stream:error", {"code": "401"}, [Node("conflict", {"type": "device_removed"})]
)


class Sandbox(SessionHandler):
    """A local WhatsApp-compatible server; an async context manager.

    ``ref_timeouts`` is how long the first and each later pairing ref stays valid (seconds);
    ``reply_timeout`` bounds every answer the sandbox waits for from a client. With a
    ``data_dir`` the state (keys, accounts, devices, groups, the phones' Signal state and
    group sender keys, mailboxes) is kept there and restored at the next start
    (:mod:`botkit.server.persistence`); without, it lives in memory only. ``media_tls``
    serves media over HTTPS with a self-signed certificate
    (``sandbox.media.certificate.cert_pem``) instead of plain HTTP.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        control_port: int = 0,
        ref_timeouts: tuple[float, float] = (60.0, 20.0),
        reply_timeout: float = 20.0,
        data_dir: Path | None = None,
        media_tls: bool = False,
    ) -> None:
        self.world = World()
        self.persistence: Persistence | None = None
        if data_dir is None:
            self.keys = ServerKeys.generate(now=time.time())
        else:
            self.keys, self.persistence = open_data_dir(data_dir)
        self.linker = Linker(self.world, ref_timeouts=ref_timeouts, reply_timeout=reply_timeout)
        self._wire = WireServer(self, keys=self.keys, host=host, port=port)
        self._control = ControlServer(self, host=host, port=control_port)
        blobs = None if data_dir is None else data_dir / "media"
        self.media = MediaServer(host, tls=media_tls, blob_dir=blobs)
        self._sessions: dict[WireSession, ChatSession] = {}
        self._online: dict[JID, ChatSession] = {}
        self.router = Router(self.world, self._online)
        self.groups = GroupService(self.world, self.router, self.changed)
        self.group_control = GroupControl(self.world, self.groups)
        self.presence = PresenceHub(self.world, self.router)
        if self.persistence is not None:
            restore_sandbox(self.persistence, self.world, self.router)

    @property
    def ws_url(self) -> str:
        """The WebSocket URL clients connect to (``ws://host:port/ws/chat``)."""
        return self._wire.url

    @property
    def control_url(self) -> str:
        """The base URL of the HTTP control API."""
        return self._control.url

    @property
    def media_url(self) -> str:
        """The media server's base URL (``http://host:port``; see :mod:`botkit.server.media`)."""
        return self.media.url

    @property
    def root_public_key(self) -> str:
        """The trust root clients must be configured with, as 64 hex characters."""
        return self.keys.root.public.hex()

    def ready_line(self) -> dict[str, str]:
        """Return what ``botkit sandbox`` prints once ready."""
        return {
            "ws_url": self.ws_url,
            "control_url": self.control_url,
            "media_url": self.media_url,
            "root_public_key": self.root_public_key,
        }

    def changed(self) -> None:
        """Note that the state changed (it is written soon when the sandbox has a data dir)."""
        if self.persistence is not None:
            self.persistence.touch()

    async def flush(self) -> None:
        """Return once every change so far is on disk (at once without a data dir).

        Raises:
            OSError: the state could not be written.
        """
        if self.persistence is not None:
            await self.persistence.flush()

    async def __aenter__(self) -> Sandbox:
        async with AsyncExitStack() as started:  # what started is undone if a later part fails
            if self.persistence is not None:
                self.persistence.start()
                started.push_async_callback(self.persistence.close)
            await started.enter_async_context(self._wire)
            await started.enter_async_context(self._control)
            await started.enter_async_context(self.media)
            started.pop_all()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._control.__aexit__(exc_type, exc, tb)
        await self.media.__aexit__(exc_type, exc, tb)
        await self.router.close()
        for session in list(self._sessions.values()):
            await session.end()
        await self._wire.__aexit__(exc_type, exc, tb)
        if self.persistence is not None:
            await self.persistence.close()

    # -- control operations ------------------------------------------------------------------

    def create_user(self, phone: str, name: str) -> dict[str, str]:
        """Create an account; return its ``jid`` and ``lid``.

        Raises:
            ValueError: a bad phone number, or the account exists.
        """
        account = self.world.create_account(phone, name)
        self.changed()
        return {"jid": str(account.jid), "lid": str(account.lid)}

    def ensure_user(self, phone: str, name: str) -> dict[str, str]:
        """Create the account of ``phone`` unless it exists; return its ``jid`` and ``lid``.

        Raises:
            ValueError: a bad phone number.
        """
        account = self.world.account(phone)
        if account is None:
            return self.create_user(phone, name)
        return {"jid": str(account.jid), "lid": str(account.lid)}

    def devices(self, phone: str) -> list[str]:
        """Return the JIDs of every device of ``phone``'s account, the primary first.

        Raises:
            LookupError: no such account.
        """
        account = self.world.known_account(phone)
        return [str(JID(phone, DEFAULT_USER_SERVER, device=i)) for i in account.device_ids()]

    async def unlink(self, device: JID) -> bool:
        """Forget ``device``, logging out its connection if any; return True if it was linked."""
        removed = self.world.remove_device(device)
        if removed is None:
            return False
        self.router.forget(removed.jid)
        self.changed()
        session = self._online.pop(removed.jid, None)
        if session is not None:
            await session.end(DEVICE_REMOVED)
        log.info("unlinked %s", removed.jid)
        return True

    async def send_text(self, phone: str, to: JID, text: str) -> str:
        """Have ``phone``'s simulated phone send ``text`` to ``to``; return the message id.

        ``to`` is a user or a group the phone's account is in.

        Raises:
            LookupError: no account for ``phone`` or ``to``, or not a member of the group ``to``.
            SandboxRefusal: the server refused the message (403: only admins post in the group).
            NoSession: a device of the chat has neither a session nor a bundle.
        """
        account = self.world.known_account(phone)
        chat = self.router.phone(account)
        node = chat.compose_group(to, text) if to.is_group else chat.compose(to, text)
        refused = await self.router.phone_sends(account, node)
        self.changed()
        if refused is not None:
            raise SandboxRefusal(refused, f"the server refused the message to {to}")
        return str(node.attrs["id"])

    async def reset_identity(self, phone: str) -> list[str]:
        """Give ``phone``'s account a new phone (new identity and pre-keys), as a re-registration.

        Its companions are unlinked; every companion the old phone had a session with gets the
        ``<notification type="encrypt"><identity/></notification>`` of PROTOCOL.md §10.5.
        Returns the JIDs of the companions notified.

        Raises:
            LookupError: no account for ``phone``.
        """
        account = self.world.known_account(phone)
        peers = self.router.reset_phone(account)
        account.primary = SimulatedPhone.generate(os.urandom)
        for device_id in list(account.devices):
            await self.unlink(JID(phone, DEFAULT_USER_SERVER, device_id))
        notice_id = os.urandom(8).hex().upper()
        attrs: dict[str, str | JID] = {"from": account.jid, "type": "encrypt", "id": notice_id}
        attrs["t"] = str(int(time.time()))
        notice = Node("notification", attrs, [Node("identity")])
        notified = [peer for peer in peers if peer.user != phone]
        for peer in notified:
            await self.router.notify_device(peer, notice, account)
        self.changed()
        log.info("%s registered again; notified %d devices", phone, len(notified))
        return [str(peer) for peer in notified]

    def inbox(self, phone: str) -> list[dict[str, object]]:
        """Return the texts ``phone``'s simulated phone decrypted, oldest first.

        Raises:
            LookupError: no account for ``phone``.
        """
        account = self.world.known_account(phone)
        return [entry.to_json() for entry in self.router.phone(account).inbox]

    async def wait_inbox(self, phone: str, count: int) -> list[dict[str, object]]:
        """Wait until ``phone``'s inbox holds at least ``count`` texts; return it as :meth:`inbox`.

        It waits as long as it takes: bound it with ``asyncio.timeout``.

        Raises:
            LookupError: no account for ``phone``.
        """
        account = self.world.known_account(phone)
        chat = self.router.phone(account)
        grew = asyncio.Event()
        listener = grew.set
        chat.inbox_listeners.append(listener)
        try:
            while len(chat.inbox) < count:
                grew.clear()
                await grew.wait()
        finally:
            chat.inbox_listeners.remove(listener)
        return self.inbox(phone)

    def inject_fault(self, device: JID, fault: Fault) -> None:
        """Apply ``fault`` to the next deliveries to the companion ``device``.

        Raises:
            LookupError: ``device`` is not a linked companion.
        """
        self.router.set_fault(device, fault)

    async def link_code_stage(self, session: ChatSession, iq: Node) -> Node:
        """Answer a ``link_code_companion_reg`` IQ (delegated to the linker)."""
        return await self.linker.link_code_stage(session, iq)

    # -- connections -------------------------------------------------------------------------

    async def session_started(self, session: WireSession) -> None:
        """Register or log in the new connection according to its ClientPayload."""
        payload = session.hello.client_payload
        chat = ChatSession(session)
        self._sessions[session] = chat
        if payload is not None and payload.HasField("username"):
            await self._login(chat, JID(str(payload.username), DEFAULT_USER_SERVER, payload.device))
            return
        try:
            if payload is None or not payload.HasField("device_pairing_data"):
                raise DecodeError("neither a login nor a registration payload")
            chat.registration = Registration.from_payload(chat.noise_key, payload)
        except DecodeError as exc:
            log.info("refused a connection: %s", exc)
            await chat.end(Node("failure", {"reason": "400"}))
            return
        await self.linker.start_registration(chat)

    async def _login(self, chat: ChatSession, jid: JID) -> None:
        device = self.world.device(jid) if jid.device else None
        if device is None or device.noise_key != chat.noise_key:
            log.info("login refused for %s", jid)
            await chat.end(LOGGED_OUT)
            return
        chat.device = device
        previous = self._online.get(device.jid)
        self._online[device.jid] = chat
        if previous is not None:
            await previous.end(REPLACED)
        await chat.send(Node("success", {"t": str(int(time.time())), "lid": device.lid}))
        await self.router.device_online(chat)

    async def node_received(self, session: WireSession, node: Node) -> None:
        """Route one client node: IQ answers to their waiter, IQ requests to their handler."""
        chat = self._sessions.get(session)
        if chat is None or chat.closed.is_set():
            return
        if node.tag == "iq":
            kind = node.attrs.get("type")
            if kind in ("result", "error"):
                chat.answer_received(node)
            elif kind in ("get", "set"):
                await chat.send(await self._answer(chat, node))
            else:
                await chat.send(error_reply(node, 400, "bad-request"))
        elif node.tag in ("message", "receipt", "ack") and chat.device is not None:
            account = self.world.account_of(chat.device.jid)
            if account is not None:
                await self.router.from_device(account, chat.device.jid.device, node)
        elif node.tag in ("presence", "chatstate") and chat.device is not None:
            account = self.world.account_of(chat.device.jid)
            if account is not None:
                await self.presence.from_device(account, chat.device.jid.device, node)
        else:
            log.debug("ignored <%s>", node.tag)
        self.changed()

    async def _answer(self, chat: ChatSession, iq: Node) -> Node:
        """Return the answer to a client IQ; a failing handler answers 500, never silence."""
        try:
            if iq.attrs.get("xmlns") == "w:m" and iq.get_child("media_conn") is not None:
                return self.media.media_conn(iq)
            return await answer_iq(IqContext(self.world, chat, self, self.groups), iq)
        except Exception:  # a handler bug must cost one IQ, not the connection
            log.exception("IQ handler failed for xmlns=%r", iq.attrs.get("xmlns"))
            return error_reply(iq, 500, "internal-server-error")

    async def session_ended(self, session: WireSession) -> None:
        """Forget the connection and whatever was pending on it."""
        chat = self._sessions.pop(session, None)
        if chat is None:
            return
        chat.ended()
        self.changed()
        self.linker.forget(chat)
        if chat.device is not None and self._online.get(chat.device.jid) is chat:
            del self._online[chat.device.jid]
            account = self.world.account_of(chat.device.jid)
            if account is not None:
                await self.presence.device_gone(account, chat.device.jid.device)
