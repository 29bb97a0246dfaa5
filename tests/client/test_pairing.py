"""The pairing service on its own: pair-success checks and the answers it sends (§6.2-6.3)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any

import pytest

from botkit.client.pairing import Pairing, PairingTiming, qr_code
from botkit.client.payload import DeviceConfig
from botkit.client.supervisor import Ending
from botkit.core.binary import Node
from botkit.core.signal.primitives import hmac_sha256
from botkit.pb import adv_pb2
from botkit.server.pairing import offer_identity
from botkit.server.phones import SimulatedPhone
from botkit.store import AccountStore, DeviceCredentials
from botkit.types.client_events import DisconnectReason, Paired, PairingCodeShown, QRCodeShown
from botkit.types.jid import JID

from .helpers import Events, FakeServer, credentials, result

DEVICE = JID("15550001111", "s.whatsapp.net", device=2)
LID = JID("100000000000001", "lid", device=2)


class Harness:
    """A pairing service with a store holding fresh credentials, recording what it does."""

    def __init__(self, store: AccountStore, credentials: DeviceCredentials) -> None:
        self.store = store
        self.credentials = credentials
        self.events = Events()
        self.endings: list[Ending] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.code_shown = asyncio.Event()  # a QR code's lifetime ends when this is set
        self.pairing = Pairing(
            store=store,
            requests=FakeServer(self._answer).requests,
            emit=self.events,
            spawn=self._spawn,
            end=self.endings.append,
            device=DeviceConfig(),
            timing=PairingTiming(),
            rng=os.urandom,
            sleep=self._expire,
        )

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        self.tasks.append(asyncio.create_task(work))

    async def _expire(self, seconds: float) -> None:
        await self.code_shown.wait()

    @staticmethod
    def _answer(iq: Node) -> Node:
        ref = Node("link_code_pairing_ref", {}, b"ref-1")
        return result(iq, [Node("link_code_companion_reg", {}, [ref])])

    def pair_success(self, adv_secret: bytes, *, spoil: bool = False) -> Node:
        offer = offer_identity(
            SimulatedPhone.generate(os.urandom),
            device_id=2,
            key_index=5,
            companion_identity=self.credentials.identity_key.public,
            adv_secret=adv_secret,
            now=1_700_000_000,
        )
        container = offer.hmac_container
        if spoil:
            wrapper = adv_pb2.ADVSignedDeviceIdentityHMAC.FromString(container)
            signed = adv_pb2.ADVSignedDeviceIdentity.FromString(wrapper.details)
            signed.account_signature = bytes(64)
            wrapper.details = signed.SerializeToString()
            wrapper.hmac = hmac_sha256(adv_secret, wrapper.details)
            container = wrapper.SerializeToString()
        success = Node(
            "pair-success",
            {},
            [
                Node("device-identity", {}, container),
                Node("device", {"jid": DEVICE, "lid": LID}),
                Node("platform", {"name": "android"}),
            ],
        )
        return Node("iq", {"id": "p1", "type": "set"}, [success])


@pytest.fixture
async def harness(store: AccountStore) -> Harness:
    fresh = credentials()
    await store.save_credentials(fresh)
    return Harness(store, fresh)


async def test_a_genuine_pair_success_is_signed_and_saved(harness: Harness) -> None:
    answer = await harness.pairing.on_pair_success(
        harness.pair_success(harness.credentials.adv_secret)
    )
    identity = answer.get_path("pair-device-sign", "device-identity")
    assert answer.attrs["type"] == "result" and answer.attrs["id"] == "p1"
    assert identity is not None and identity.attrs["key-index"] == "5"
    saved = await harness.store.load_credentials()
    assert saved is not None and saved.jid == str(DEVICE) and saved.lid == str(LID)
    assert harness.events.seen == [Paired(DEVICE, LID, "android")]
    assert harness.endings == []


async def test_a_wrong_hmac_is_refused_and_ends_the_connection(harness: Harness) -> None:
    answer = await harness.pairing.on_pair_success(harness.pair_success(os.urandom(32)))
    error = answer.get_child("error")
    assert answer.attrs["type"] == "error" and error is not None
    assert (error.attrs["code"], error.attrs["text"]) == ("401", "hmac-mismatch")
    assert [ending.reason for ending in harness.endings] == [DisconnectReason.PAIRING_FAILED]
    assert (await harness.store.load_credentials()).jid is None  # type: ignore[union-attr]


async def test_a_bad_account_signature_is_refused(harness: Harness) -> None:
    success = harness.pair_success(harness.credentials.adv_secret, spoil=True)
    answer = await harness.pairing.on_pair_success(success)
    error = answer.get_child("error")
    assert error is not None and error.attrs["text"] == "signature-mismatch"
    assert harness.events.seen == []


@pytest.mark.parametrize("phone", ["12345", "0155500011", "1555abc0011"])
async def test_pair_phone_refuses_a_bad_number(harness: Harness, phone: str) -> None:
    with pytest.raises(ValueError):
        await harness.pairing.pair_phone(phone)


def test_the_qr_string_has_the_five_fields() -> None:
    code = qr_code("2@ref", b"\x01" * 32, b"\x02" * 32, b"\x03" * 32, "1")
    body = code.removeprefix("https://wa.me/settings/linked_devices#")
    assert body.split(",") == [
        "2@ref",
        "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
        "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=",
        "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=",
        "1",
    ]


async def test_pairing_by_phone_code_stops_the_qr_codes(harness: Harness) -> None:
    refs = [Node("ref", {}, f"2@ref{i}".encode()) for i in range(6)]
    pair_device = Node("iq", {"id": "d1", "type": "set"}, [Node("pair-device", {}, refs)])
    assert (await harness.pairing.on_pair_device(pair_device)).attrs["type"] == "result"
    assert (await harness.events.next(QRCodeShown)).index == 0
    code = await harness.pairing.pair_phone("15550001111")
    assert (await harness.events.next(PairingCodeShown)).code == code
    harness.code_shown.set()
    await asyncio.gather(*harness.tasks)
    assert len(harness.events.of(QRCodeShown)) == 1 and harness.endings == []
