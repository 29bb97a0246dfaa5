"""Pairing a new companion (PROTOCOL.md §6): QR codes, phone codes, and ``pair-success``.

A registering connection gets ``pair-device`` with refs; each ref becomes a QR code shown for
60 s (the first) or 20 s (the others), after which pairing times out. Alternatively the user
pairs by phone number: we show an 8-character code and finish the exchange when the phone's
notification arrives. Either way the phone then sends ``pair-success``, which we verify (HMAC
with the ADV secret, the account signature), sign, save, and answer with ``pair-device-sign``;
the server restarts the stream (515) and the client logs in.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from botkit.client.payload import DeviceConfig
from botkit.client.requests import Requests, error_answer, result_answer
from botkit.client.supervisor import Ending
from botkit.core import link_code
from botkit.core.adv import open_device_identity, sign_device_identity
from botkit.core.binary import AttrReader, Node
from botkit.core.signal import (
    KeyPair,
    dh,
    generate_identity_key_pair,
    generate_registration_id,
    generate_signed_prekey,
)
from botkit.core.signal.prekeys import Rng
from botkit.errors import (
    BadMac,
    ClientError,
    CryptoError,
    DecodeError,
    InvalidSignature,
    NotConnected,
)
from botkit.store.base import CredentialStore, IdentityStore
from botkit.store.values import DeviceCredentials
from botkit.types.client_events import (
    ClientEvent,
    DisconnectReason,
    Paired,
    PairingCodeShown,
    QRCodeShown,
)
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = ["QR_PREFIX", "Pairing", "PairingTiming", "new_credentials", "qr_code"]

log = logging.getLogger(__name__)

QR_PREFIX = "https://wa.me/settings/linked_devices#"


class _Store(CredentialStore, IdentityStore, Protocol):
    """What pairing needs of the account store."""


@dataclass(frozen=True, slots=True)
class PairingTiming:
    """How long the first and each later QR code is shown, and how long to wait for refs."""

    qr_timeouts: tuple[float, float] = (60.0, 20.0)
    refs_timeout: float = 30.0


@dataclass(slots=True)
class _CodeState:
    """A phone-code pairing waiting for the phone's notification."""

    phone: JID
    code: str = field(repr=False)
    ephemeral: KeyPair = field(repr=False)
    ref: bytes


def new_credentials(rng: Rng) -> DeviceCredentials:
    """Return a fresh companion's key material (§6.1), not paired yet (no JID).

    Noise and identity key pairs, signed pre-key 1, a registration id and an ADV secret.
    """
    identity = generate_identity_key_pair(rng)
    spk = generate_signed_prekey(identity, 1, rng)
    return DeviceCredentials(
        noise_key=KeyPair.generate(rng(32)),
        identity_key=identity,
        signed_pre_key=spk,
        registration_id=generate_registration_id(rng),
        adv_secret=rng(32),
    )


def qr_code(ref: str, noise: bytes, identity: bytes, adv_secret: bytes, platform: str) -> str:
    """Return the QR string of §6.2 for one ref (standard base64 with padding)."""
    keys = [base64.b64encode(key).decode("ascii") for key in (noise, identity, adv_secret)]
    return QR_PREFIX + ",".join([ref, *keys, platform])


def _content(node: Node, tag: str) -> bytes:
    child = node.get_child(tag)
    if child is None or not isinstance(child.content, bytes):
        raise DecodeError(f"<{node.tag}> has no <{tag}> bytes")
    return child.content


class Pairing:
    """The pairing service; its handlers are routed by the client."""

    def __init__(
        self,
        *,
        store: _Store,
        requests: Requests,
        emit: Callable[[ClientEvent], Awaitable[None]],
        spawn: Callable[[Coroutine[Any, Any, None], str], None],
        end: Callable[[Ending], None],
        device: DeviceConfig,
        timing: PairingTiming,
        rng: Rng,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._requests = requests
        self._emit = emit
        self._spawn = spawn
        self._end = end
        self._device = device
        self._timing = timing
        self._rng = rng
        self._sleep = sleep
        self._registering = asyncio.Event()
        self._code: _CodeState | None = None
        self._showing_qr = False

    def reset(self) -> None:
        """Forget the state of the connection that ended."""
        self._registering.clear()
        self._code = None
        self._showing_qr = False

    # -- QR ----------------------------------------------------------------------------------

    async def on_pair_device(self, iq: Node) -> Node:
        """Answer ``pair-device`` and start showing its refs as QR codes."""
        refs = [
            ref.content.decode("utf-8", "replace")
            for ref in iq.children[0].get_children("ref")
            if isinstance(ref.content, bytes)
        ]
        self._registering.set()
        self._showing_qr = True
        self._spawn(self._show_codes(refs), "qr-rotation")
        return result_answer(iq)

    async def _show_codes(self, refs: list[str]) -> None:
        credentials = await self._store.load_credentials()
        if credentials is None:
            return
        first, later = self._timing.qr_timeouts
        for index, ref in enumerate(refs):
            if not self._showing_qr:
                return  # paired, or pairing by phone code instead
            code = qr_code(
                ref,
                credentials.noise_key.public,
                credentials.identity_key.public,
                credentials.adv_secret,
                self._device.platform_id,
            )
            await self._emit(QRCodeShown(code, index))
            await self._sleep(first if index == 0 else later)
        if self._showing_qr:
            self._end(Ending(DisconnectReason.PAIRING_TIMEOUT, "every QR code expired unscanned"))

    # -- pair-success ------------------------------------------------------------------------

    async def on_pair_success(self, iq: Node) -> Node:
        """Verify ``pair-success``, save the new identity and return ``pair-device-sign``.

        On a failed check, returns the IQ error of §6.2 step 7 and ends the connection.
        """
        try:
            return await self._accept(iq)
        except (BadMac, InvalidSignature, DecodeError) as exc:
            if isinstance(exc, BadMac):
                code, text = 401, "hmac-mismatch"
            elif isinstance(exc, InvalidSignature):
                code, text = 401, "signature-mismatch"
            else:
                code, text = 500, "internal-error"
            log.warning("refused pair-success: %s", exc)
            self._end(Ending(DisconnectReason.PAIRING_FAILED, f"pair-success refused: {exc}"))
            return error_answer(iq, code, text)

    async def _accept(self, iq: Node) -> Node:
        credentials = await self._store.load_credentials()
        if credentials is None:
            raise DecodeError("pair-success arrived for a device without credentials")
        success = iq.children[0]
        identity = open_device_identity(
            _content(success, "device-identity"),
            credentials.adv_secret,
            credentials.identity_key.public,
        )
        device = success.get_child("device")
        if device is None:
            raise DecodeError("pair-success has no <device>")
        reader = AttrReader(device)
        jid, lid = reader.jid("jid"), reader.optional_jid("lid")
        reader.raise_if_errors()
        platform = success.get_child("platform")
        business = success.get_child("biz")
        platform_name = "" if platform is None else AttrReader(platform).optional_string("name")
        business_name = "" if business is None else AttrReader(business).optional_string("name")
        self._showing_qr = False
        full, reply = sign_device_identity(identity, credentials.identity_key, self._rng(64))
        await self._store.save_credentials(
            replace(
                credentials,
                jid=str(jid),
                lid=None if lid is None else str(lid),
                signed_device_identity=full,
                platform=platform_name or "",
            )
        )
        if lid is not None:
            primary = JID(lid.user, lid.server).signal_address()
            await self._store.save_identity(primary, identity.account_signature_key)
        log.info("paired as %s", jid)
        await self._emit(Paired(jid, lid, platform_name or "", business_name or ""))
        key_index = {"key-index": str(identity.key_index)}
        signed = Node("pair-device-sign", {}, [Node("device-identity", key_index, reply)])
        return result_answer(iq, [signed])

    # -- phone code --------------------------------------------------------------------------

    async def pair_phone(self, phone: str, *, push_notification: bool = True) -> str:
        """Start pairing by phone number; emit and return the 8-character code.

        Raises:
            ValueError: ``phone`` is not a phone number (digits, more than 6, no leading 0).
            ClientError: the device is paired already.
            NotConnected: no registering connection got its refs within the refs timeout.
            IQError, IQTimeout: the server refused or did not answer ``companion_hello``.
        """
        digits = phone.lstrip("+")
        if not digits.isascii() or not digits.isdigit() or len(digits) <= 6 or digits[0] == "0":
            raise ValueError("a phone number is more than 6 digits and does not start with 0")
        credentials = await self._store.load_credentials()
        if credentials is not None and credentials.jid is not None:
            raise ClientError("the device is already paired")
        try:
            await asyncio.wait_for(self._registering.wait(), self._timing.refs_timeout)
        except TimeoutError as exc:
            raise NotConnected("no registering connection to pair on") from exc
        credentials = await self._store.load_credentials()
        if credentials is None:
            raise NotConnected("the device has no credentials to pair")
        self._showing_qr = False  # the user pairs by code: QR codes would only expire
        code = link_code.encode_code(self._rng(5))
        ephemeral = KeyPair.generate(self._rng(32))
        wrapped = await asyncio.to_thread(link_code.wrap, code, ephemeral.public, self._rng)
        jid = JID(digits, DEFAULT_USER_SERVER)
        stage: dict[str, str | JID] = {
            "jid": jid,
            "stage": "companion_hello",
            "should_show_push_notification": "true" if push_notification else "false",
        }
        content = [
            Node("link_code_pairing_wrapped_companion_ephemeral_pub", {}, wrapped),
            Node("companion_server_auth_key_pub", {}, credentials.noise_key.public),
            Node("companion_platform_id", {}, self._device.platform_id.encode()),
            Node("companion_platform_display", {}, self._device.platform_display.encode()),
            Node("link_code_pairing_nonce", {}, b"\x00"),
        ]
        answer = await self._requests.query(
            "md", "set", [Node("link_code_companion_reg", stage, content)]
        )
        registration = answer.get_child("link_code_companion_reg")
        if registration is None:
            raise DecodeError("the companion_hello answer has no <link_code_companion_reg>")
        self._code = _CodeState(
            jid, code, ephemeral, _content(registration, "link_code_pairing_ref")
        )
        await self._emit(PairingCodeShown(code))
        return code

    async def on_link_code_notification(self, node: Node) -> None:
        """Continue a phone-code pairing when the phone's notification arrives (§6.4 step 5)."""
        registration = node.get_child("link_code_companion_reg")
        state = self._code
        if registration is None or state is None:
            return
        if registration.get_child("link_code_pairing_ref") is None or (
            _content(registration, "link_code_pairing_ref") != state.ref
        ):
            log.warning("a link-code notification names another pairing ref")
            return
        self._spawn(self._finish(state, registration), "link-code-finish")

    async def _finish(self, state: _CodeState, registration: Node) -> None:
        credentials = await self._store.load_credentials()
        if credentials is None:
            return
        wrapped = _content(registration, "link_code_pairing_wrapped_primary_ephemeral_pub")
        primary_identity = _content(registration, "primary_identity_pub")
        try:
            primary_ephemeral = await asyncio.to_thread(link_code.unwrap, state.code, wrapped)
            ephemeral_shared = dh(state.ephemeral.private, primary_ephemeral)
            identity_shared = dh(credentials.identity_key.private, primary_identity)
        except CryptoError as exc:
            log.warning("the phone's link-code keys are unusable: %s", exc)
            return
        bundle = link_code.KeyBundle(
            credentials.identity_key.public, primary_identity, self._rng(32)
        )
        sealed = link_code.seal_key_bundle(ephemeral_shared, bundle, self._rng)
        adv_secret = link_code.derive_adv_secret(
            ephemeral_shared, identity_shared, bundle.adv_random
        )
        await self._store.save_credentials(replace(credentials, adv_secret=adv_secret))
        stage: dict[str, str | JID] = {"jid": state.phone, "stage": "companion_finish"}
        content = [
            Node("link_code_pairing_wrapped_key_bundle", {}, sealed),
            Node("companion_identity_public", {}, credentials.identity_key.public),
            Node("link_code_pairing_ref", {}, state.ref),
        ]
        self._code = None
        await self._requests.query("md", "set", [Node("link_code_companion_reg", stage, content)])
