"""Linking companions: QR scan, pair-success as a client checks it, device signature, 515."""

from __future__ import annotations

import asyncio

from botkit.core.binary import Node
from botkit.pb import adv_pb2
from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .companion import CodeCompanion, Companion, Connected, http, pair
from .conftest import PHONE


async def test_a_scanned_qr_links_the_companion_and_asks_for_a_restart(sandbox: Sandbox) -> None:
    companion = Companion()
    device = await pair(sandbox, PHONE, companion)
    assert (device.user, device.device) == (PHONE, 1)
    assert companion.jid == device
    status, devices = await http(sandbox, "GET", f"/control/devices/{PHONE}")
    assert (status, devices) == (200, [f"{PHONE}@s.whatsapp.net", f"{PHONE}:1@s.whatsapp.net"])


async def test_pair_success_names_the_device_and_its_lid(sandbox: Sandbox) -> None:
    companion = Companion()
    conn, refs = await companion.register(sandbox)
    body = {"phone": PHONE, "qr": companion.qr(refs[0])}
    call = asyncio.create_task(http(sandbox, "POST", "/control/pair", body))
    iq = await conn.node("iq")
    device = iq.get_path("pair-success", "device")
    assert device is not None
    account = sandbox.world.account(PHONE)
    assert account is not None
    assert device.attrs["jid"] == JID(PHONE, "s.whatsapp.net", device=1)
    assert device.attrs["lid"] == JID(account.lid_user, "lid", device=1)
    assert iq.attrs["t"].isdigit()  # type: ignore[union-attr]
    await conn.send(companion.answer_pair_success(iq))
    assert (await call)[0] == 200


async def test_the_linked_device_keeps_the_signed_identity_with_the_account_key(
    sandbox: Sandbox,
) -> None:
    companion = Companion()
    device_jid = await pair(sandbox, PHONE, companion)
    device = sandbox.world.device(device_jid)
    assert device is not None
    signed = adv_pb2.ADVSignedDeviceIdentity.FromString(device.signed_identity)
    account = sandbox.world.account(PHONE)
    assert account is not None
    assert signed.account_signature_key == account.primary.identity.public
    assert len(signed.device_signature) == 64
    assert device.noise_key == companion.noise.public
    assert device.identity == companion.identity.public


async def test_a_bad_device_signature_does_not_link(sandbox: Sandbox) -> None:
    companion = Companion()
    conn, refs = await companion.register(sandbox)
    body = {"phone": PHONE, "qr": companion.qr(refs[0])}
    call = asyncio.create_task(http(sandbox, "POST", "/control/pair", body))
    await conn.send(companion.answer_pair_success(await conn.node("iq"), spoil_signature=True))
    status, answer = await call
    assert status == 409 and "InvalidSignature" in answer["error"]
    assert await conn.closing_node() is None
    assert sandbox.devices(PHONE) == [f"{PHONE}@s.whatsapp.net"]


async def test_a_companion_that_rejects_pairing_is_not_linked(sandbox: Sandbox) -> None:
    companion = Companion()
    conn, refs = await companion.register(sandbox)
    body = {"phone": PHONE, "qr": companion.qr(refs[0])}
    call = asyncio.create_task(http(sandbox, "POST", "/control/pair", body))
    iq = await conn.node("iq")
    error = Node("error", {"code": "401", "text": "hmac-mismatch"})
    await conn.send(Node("iq", {"type": "error", "id": iq.attrs["id"]}, [error]))
    status, answer = await call
    assert status == 409 and "hmac-mismatch" in answer["error"]
    assert sandbox.devices(PHONE) == [f"{PHONE}@s.whatsapp.net"]


async def test_a_qr_with_another_noise_key_is_not_found(sandbox: Sandbox) -> None:
    companion = Companion()
    _conn, refs = await companion.register(sandbox)
    impostor = Companion()
    status, answer = await http(
        sandbox, "POST", "/control/pair", {"phone": PHONE, "qr": impostor.qr(refs[0])}
    )
    assert status == 404, answer


async def test_refs_rotate_and_the_connection_closes_when_they_run_out() -> None:
    async with Sandbox(ref_timeouts=(0.3, 0.05)) as sandbox:
        sandbox.create_user(PHONE, "Alice")
        companion = Companion()
        conn, refs = await companion.register(sandbox)
        assert len(refs) == 6 and len(set(refs)) == 6
        assert await conn.closing_node() is None
        status, _ = await http(
            sandbox, "POST", "/control/pair", {"phone": PHONE, "qr": companion.qr(refs[-1])}
        )
        assert status == 404


async def _code_link(sandbox: Sandbox, code_typed: str) -> tuple[int, dict[str, str], Connected]:
    coded = CodeCompanion(Companion())
    conn, _refs = await coded.companion.register(sandbox)
    answer = await conn.iq("md", "set", [coded.hello(PHONE)])
    assert answer.get_path("link_code_companion_reg", "link_code_pairing_ref") is not None
    body = {"phone": PHONE, "code": code_typed}
    call = asyncio.create_task(http(sandbox, "POST", "/control/pair-code", body))
    notification = await conn.node("notification")
    assert notification.attrs["type"] == "link_code_companion_reg"
    finish = await conn.iq("md", "set", [coded.finish(PHONE, notification)])
    assert finish.attrs["type"] == "result"
    if code_typed.replace("-", "") == coded.code:
        await conn.send(coded.companion.answer_pair_success(await conn.node("iq")))
    status, result = await call
    return status, result, conn


async def test_a_phone_code_links_the_companion(sandbox: Sandbox) -> None:
    status, result, conn = await _code_link(sandbox, "ABCD-1234")
    assert status == 200, result
    assert result["device_jid"] == f"{PHONE}:1@s.whatsapp.net"
    closing = await conn.closing_node()
    assert closing is not None and closing.attrs["code"] == "515"


async def test_a_wrong_phone_code_does_not_link(sandbox: Sandbox) -> None:
    status, result, _conn = await _code_link(sandbox, "ZZZZ9999")
    assert status == 409, result
    assert sandbox.devices(PHONE) == [f"{PHONE}@s.whatsapp.net"]


async def test_a_phone_code_without_a_waiting_companion_is_not_found(sandbox: Sandbox) -> None:
    body = {"phone": PHONE, "code": "ABCD1234"}
    assert (await http(sandbox, "POST", "/control/pair-code", body))[0] == 404
