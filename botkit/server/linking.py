"""Linking companions: ``pair-device`` refs and their rotation, the phone scanning a QR or
taking a phone code (PROTOCOL.md §6.2-6.4), then ``pair-success``, ``pair-device-sign`` and 515.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import time
from dataclasses import dataclass, field

from botkit.core.binary import AttrReader, Node
from botkit.core.link_code import derive_adv_secret, open_key_bundle, unwrap, wrap
from botkit.core.signal import KeyPair, dh
from botkit.core.stanza.iq import error_reply, result_reply
from botkit.errors import BotkitError, InvalidMessage
from botkit.server.pairing import QrCode, check_pair_device_sign, offer_identity
from botkit.server.session import ChatSession
from botkit.server.world import Account, Device, World
from botkit.types.jid import DEFAULT_USER_SERVER, HIDDEN_USER_SERVER, JID, SERVER_JID

__all__ = ["REFS_PER_SESSION", "Linker"]

log = logging.getLogger(__name__)

REFS_PER_SESSION = 6
RESTART_REQUIRED = Node("stream:error", {"code": "515"})


@dataclass(slots=True)
class _CodeRequest:
    """A companion waiting for its phone code to be entered on the phone."""

    session: ChatSession
    ref: bytes
    wrapped_ephemeral: bytes = field(repr=False)
    finish: asyncio.Future[Node] = field(default_factory=asyncio.Future)


class Linker:
    """Links registering companions to accounts; ``reply_timeout`` bounds each client answer."""

    def __init__(
        self, world: World, *, ref_timeouts: tuple[float, float], reply_timeout: float
    ) -> None:
        self._world = world
        self._ref_timeouts = ref_timeouts
        self._reply_timeout = reply_timeout
        self._by_ref: dict[str, ChatSession] = {}
        self._rotations: dict[ChatSession, asyncio.Task[None]] = {}
        self._codes: dict[str, _CodeRequest] = {}

    # -- registration ------------------------------------------------------------------------

    async def start_registration(self, session: ChatSession) -> None:
        """Send ``pair-device`` with fresh refs and start rotating them (closing at the end)."""
        session.refs = [_new_ref() for _ in range(REFS_PER_SESSION)]
        refs = [Node("ref", {}, ref.encode()) for ref in session.refs]
        iq_attrs: dict[str, str | JID] = {
            "from": SERVER_JID,
            "type": "set",
            "id": session.next_id(),
            "xmlns": "md",
        }
        await session.send(Node("iq", iq_attrs, [Node("pair-device", {}, refs)]))
        self._rotations[session] = asyncio.create_task(self._rotate(session))

    async def _rotate(self, session: ChatSession) -> None:
        first, later = self._ref_timeouts
        try:
            for index, ref in enumerate(session.refs):
                session.current_ref = ref
                self._by_ref[ref] = session
                await asyncio.sleep(first if index == 0 else later)
                del self._by_ref[ref]
            session.current_ref = None
            log.info("pairing refs ran out; closing the registering connection")
            self._rotations.pop(session, None)
            await session.end()
        finally:
            if session.current_ref is not None:
                self._by_ref.pop(session.current_ref, None)
            session.current_ref = None

    def forget(self, session: ChatSession) -> None:
        """Drop everything pending for ``session`` (its connection ended)."""
        rotation = self._rotations.pop(session, None)
        if rotation is not None and rotation is not asyncio.current_task():
            rotation.cancel()
        for phone, request in list(self._codes.items()):
            if request.session is session:
                del self._codes[phone]

    # -- QR ----------------------------------------------------------------------------------

    async def pair_qr(self, phone: str, qr_text: str) -> JID:
        """The phone of ``phone`` scans ``qr_text``; return the new device's JID.

        Raises:
            ValueError: ``qr_text`` is not a QR string.
            LookupError: no such account, or no connection is showing this QR right now.
            TimeoutError: the companion did not answer ``pair-success`` in time.
            BotkitError: the companion rejected the link or signed it wrongly.
        """
        account = self._world.known_account(phone)
        qr = QrCode.parse(qr_text)
        session = self._by_ref.get(qr.ref)
        registration = None if session is None else session.registration
        if (
            session is None
            or registration is None
            or session.current_ref != qr.ref
            or session.noise_key != qr.noise_key
            or registration.identity != qr.identity
        ):
            raise LookupError("no connection is showing this QR code")
        return await self._link(account, session, qr.adv_secret)

    # -- phone code --------------------------------------------------------------------------

    async def link_code_stage(self, session: ChatSession, iq: Node) -> Node:
        """Answer ``link_code_companion_reg`` (``companion_hello`` or ``companion_finish``)."""
        stage_node = iq.get_child("link_code_companion_reg")
        if stage_node is None or session.registration is None:
            return error_reply(iq, 400, "bad-request")
        reader = AttrReader(stage_node)
        jid, stage = reader.jid("jid"), reader.string("stage")
        account = self._world.account_of(jid) if reader.ok else None
        if account is None:
            return error_reply(iq, 404, "item-not-found")
        if stage == "companion_hello":
            wrapped = _content(stage_node, "link_code_pairing_wrapped_companion_ephemeral_pub")
            noise = _content(stage_node, "companion_server_auth_key_pub")
            if len(wrapped) != 80 or noise != session.noise_key:
                return error_reply(iq, 400, "bad-request")
            ref = base64.b64encode(os.urandom(24))
            self._codes[account.phone] = _CodeRequest(session, ref, wrapped)
            answer = Node("link_code_companion_reg", {}, [Node("link_code_pairing_ref", {}, ref)])
            return result_reply(iq, [answer])
        request = self._codes.get(account.phone)
        if stage != "companion_finish" or request is None or request.session is not session:
            return error_reply(iq, 404, "item-not-found")
        if not request.finish.done():
            request.finish.set_result(stage_node)
        return result_reply(iq)

    async def pair_code(self, phone: str, code: str) -> JID:
        """The user of ``phone`` types ``code`` on the phone; return the new device's JID.

        Raises:
            ValueError: ``code`` is not 8 characters.
            LookupError: no such account, or no companion is waiting for a code for it.
            TimeoutError: the companion did not finish in time.
            BotkitError: a wrong code (the key bundle does not open) or a rejected link.
        """
        account = self._world.known_account(phone)
        code = code.replace("-", "").upper()
        if len(code) != 8 or not code.isascii():
            raise ValueError("a pairing code has 8 characters")
        request = self._codes.get(phone)
        if request is None:
            raise LookupError(f"no companion is waiting for a code for {phone}")
        session = request.session
        companion_ephemeral = await asyncio.to_thread(unwrap, code, request.wrapped_ephemeral)
        ephemeral = KeyPair.generate(os.urandom(32))
        wrapped = await asyncio.to_thread(wrap, code, ephemeral.public, os.urandom)
        identity = account.primary.identity
        content = [
            Node("link_code_pairing_ref", {}, request.ref),
            Node("link_code_pairing_wrapped_primary_ephemeral_pub", {}, wrapped),
            Node("primary_identity_pub", {}, identity.public),
        ]
        attrs: dict[str, str | JID] = {
            "from": SERVER_JID,
            "type": "link_code_companion_reg",
            "id": session.next_id(),
            "t": str(int(time.time())),
        }
        await session.send(
            Node("notification", attrs, [Node("link_code_companion_reg", {}, content)])
        )
        finish = await asyncio.wait_for(asyncio.shield(request.finish), self._reply_timeout)
        if _content(finish, "link_code_pairing_ref") != request.ref:
            raise InvalidMessage("companion_finish names another pairing ref")
        shared = dh(ephemeral.private, companion_ephemeral)
        bundle = open_key_bundle(shared, _content(finish, "link_code_pairing_wrapped_key_bundle"))
        registration = session.registration
        if (
            registration is None
            or bundle.companion_identity != registration.identity
            or _content(finish, "companion_identity_public") != registration.identity
            or bundle.primary_identity != identity.public
        ):
            raise InvalidMessage("the key bundle names other identity keys")
        del self._codes[phone]
        adv_secret = derive_adv_secret(
            shared, dh(identity.private, bundle.companion_identity), bundle.adv_random
        )
        return await self._link(account, session, adv_secret)

    # -- the common end ----------------------------------------------------------------------

    async def _link(self, account: Account, session: ChatSession, adv_secret: bytes) -> JID:
        """Send ``pair-success``, check the answer, record the device and restart (515).

        Raises:
            TimeoutError: no answer in time.
            BotkitError: the companion rejected the link or its device signature is wrong;
                the device is not linked and the connection is closed.
        """
        registration = session.registration
        if registration is None:
            raise LookupError("the connection is not registering")
        self.forget(session)
        device_id, key_index = account.next_device_id, account.next_key_index
        account.next_device_id += 1
        account.next_key_index += 1
        now = int(time.time())
        offer = offer_identity(
            account.primary,
            device_id=device_id,
            key_index=key_index,
            companion_identity=registration.identity,
            adv_secret=adv_secret,
            now=now,
        )
        jid = JID(account.phone, DEFAULT_USER_SERVER, device=device_id)
        lid = JID(account.lid_user, HIDDEN_USER_SERVER, device=device_id)
        success = offer.pair_success(
            session.next_id(), device=jid, lid=lid, platform="android", now=now
        )
        reply = await session.request(success, self._reply_timeout)
        try:
            signed = check_pair_device_sign(reply, offer, registration.identity)
        except BotkitError:
            await session.end()
            raise
        account.devices[device_id] = Device(
            jid=jid,
            lid=lid,
            noise_key=registration.noise_key,
            identity=registration.identity,
            registration_id=registration.registration_id,
            signed_pre_key=registration.signed_pre_key,
            key_index=key_index,
            signed_identity=signed,
            platform=registration.platform,
        )
        log.info("linked %s", jid)
        await session.end(RESTART_REQUIRED)
        return jid


def _new_ref() -> str:
    """Return a fresh pairing ref (base64 never contains the QR's comma separator)."""
    return "2@" + base64.b64encode(os.urandom(24)).decode()


def _content(node: Node, tag: str) -> bytes:
    """Return the bytes content of ``node``'s child ``tag`` (b"" when absent or not bytes)."""
    child = node.get_child(tag)
    return child.content if child is not None and isinstance(child.content, bytes) else b""
