"""The client session against the in-process sandbox: pairing, restart, login, logout, conflicts."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest

from botkit.client import Backoff, Client, EventQueue, ServerConfig
from botkit.client.pairing import QR_PREFIX
from botkit.core.binary import Node
from botkit.errors import CertificateError, ClientError, NotConnected, RemoteProtocolError
from botkit.server import Sandbox
from botkit.store import AccountStore, SQLiteStore, StoreOptions
from botkit.types.client_events import (
    Connected,
    Disconnected,
    DisconnectReason,
    LoggedOut,
    LogoutReason,
    Paired,
    PairingCodeShown,
    QRCodeShown,
)
from botkit.types.jid import JID

from .helpers import PHONE, Events, control, credentials, device_jids, pair_by_qr, sandbox_client


async def test_qr_pairing_restarts_and_logs_in(sandbox: Sandbox, store: AccountStore) -> None:
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await client.connect()
    qr = await events.next(QRCodeShown)
    assert qr.index == 0 and qr.code.startswith(QR_PREFIX)
    answer = await control(sandbox, "/control/pair", {"phone": PHONE, "qr": qr.code})
    paired = await events.next(Paired)
    restart = await events.next(Disconnected)
    connected = await events.next(Connected)
    device = JID.parse(answer["device_jid"])
    assert paired.jid == device and paired.lid is not None and paired.lid.server == "lid"
    assert restart.reason is DisconnectReason.RESTART_REQUIRED and restart.reconnecting
    assert connected.jid == device and connected.lid == paired.lid
    credentials = await store.load_credentials()
    assert credentials is not None and credentials.jid == str(device)
    assert credentials.signed_device_identity is not None
    assert await store.get_identity(JID(paired.lid.user, "lid").signal_address()) is not None
    await client.disconnect()
    assert events.seen[-1] == Disconnected(DisconnectReason.SHUTDOWN, "disconnect requested")


async def test_phone_code_pairing(sandbox: Sandbox, store: AccountStore) -> None:
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await client.connect()
    code = await client.pair_phone("+" + PHONE)
    assert (await events.next(PairingCodeShown)).code == code and len(code) == 8
    answer = await control(sandbox, "/control/pair-code", {"phone": PHONE, "code": code})
    connected = await events.next(Connected)
    assert connected.jid == JID.parse(answer["device_jid"])
    await client.disconnect()


async def test_paired_sqlite_store_logs_in_after_a_restart(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    database = await SQLiteStore.open(tmp_path / "bot.db", StoreOptions(renew_interval=None))
    events = Events()
    first = sandbox_client(sandbox, await database.open_account("bot"), events)
    connected = await pair_by_qr(sandbox, first, events)
    await first.disconnect()
    await database.close()

    database = await SQLiteStore.open(tmp_path / "bot.db", StoreOptions(renew_interval=None))
    queue = EventQueue()
    second = sandbox_client(sandbox, await database.open_account("bot"), queue)
    await second.connect()
    first_event = await asyncio.wait_for(anext(queue), 10)
    assert first_event == connected
    assert second.own_jid == connected.jid.to_non_ad()
    await second.disconnect()
    await database.close()


async def test_initial_pre_key_upload_reaches_the_server(
    sandbox: Sandbox, store: AccountStore
) -> None:
    events = Events()
    client = sandbox_client(sandbox, store, events)
    connected = await pair_by_qr(sandbox, client, events)
    count = await client.requests.query("encrypt", "get", [_count()])
    assert count.get_child("count").attrs["value"] == "812"  # type: ignore[union-attr]
    assert len(sandbox.world.device(connected.jid).pre_keys) == 812  # type: ignore[union-attr]
    assert await store.uploaded_pre_key_count() == 812
    await client.disconnect()


async def test_unlink_logs_out_wipes_and_stops(sandbox: Sandbox, store: AccountStore) -> None:
    events = Events()
    client = sandbox_client(sandbox, store, events)
    connected = await pair_by_qr(sandbox, client, events)
    await control(sandbox, "/control/unlink", {"device_jid": str(connected.jid)})
    assert await client.wait_stopped() is DisconnectReason.LOGGED_OUT
    assert events.seen[-2:] == [
        Disconnected(DisconnectReason.LOGGED_OUT, "the device was unlinked", False),
        LoggedOut(LogoutReason.DEVICE_REMOVED),
    ]
    assert await store.load_credentials() is None and client.own_jid is None
    assert connected.jid not in device_jids(sandbox)


async def test_logout_unlinks_the_device(sandbox: Sandbox, store: AccountStore) -> None:
    events = Events()
    client = sandbox_client(sandbox, store, events)
    connected = await pair_by_qr(sandbox, client, events)
    await client.logout()
    assert events.seen[-1] == LoggedOut(LogoutReason.REQUESTED)
    assert await client.wait_stopped() is DisconnectReason.LOGGED_OUT
    assert await store.load_credentials() is None
    assert connected.jid not in device_jids(sandbox)


async def test_a_replaced_connection_does_not_reconnect(
    sandbox: Sandbox, store: AccountStore
) -> None:
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    other_events = Events()
    other = sandbox_client(sandbox, store, other_events)
    await other.connect()
    await other_events.next(Connected)
    assert await client.wait_stopped() is DisconnectReason.REPLACED
    assert events.seen[-1] == Disconnected(
        DisconnectReason.REPLACED, "another connection of this device took over", False
    )
    assert other.is_logged_in
    await other.disconnect()


async def test_qr_codes_rotate_then_pairing_times_out(
    sandbox: Sandbox, store: AccountStore
) -> None:
    shown: list[float] = []

    async def expire(seconds: float) -> None:  # every code expires as soon as it is shown
        shown.append(seconds)
        await asyncio.sleep(0)

    events = Events()
    client = sandbox_client(sandbox, store, events, sleep=expire)
    await client.connect()
    assert await client.wait_stopped() is DisconnectReason.PAIRING_TIMEOUT
    codes = events.of(QRCodeShown)
    assert [code.index for code in codes] == list(range(6))
    assert len({code.code for code in codes}) == 6
    assert shown == [10.0] * 6  # FAST shows each code for 10 s (WhatsApp: 60 s, then 20 s)
    assert events.seen[-1] == Disconnected(
        DisconnectReason.PAIRING_TIMEOUT, "every QR code expired unscanned", False
    )


def _count() -> Node:
    return Node("count")


async def test_an_unknown_device_is_refused_at_login_and_wiped(
    sandbox: Sandbox, store: AccountStore
) -> None:
    await store.save_credentials(credentials(jid=f"{PHONE}:9@s.whatsapp.net"))
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await client.connect()
    assert await client.wait_stopped() is DisconnectReason.LOGGED_OUT
    assert events.seen[-1] == LoggedOut(LogoutReason.LOGIN_REFUSED)
    assert await store.load_credentials() is None


async def test_an_unreachable_server_fails_the_first_connect(store: AccountStore) -> None:
    client = Client(store, Events(), server=ServerConfig("ws://127.0.0.1:9/ws/chat"))
    with pytest.raises(NotConnected):
        await client.connect()


async def test_a_server_outside_the_trust_root_is_refused(
    sandbox: Sandbox, store: AccountStore
) -> None:
    server = ServerConfig(sandbox.ws_url, trust_root=bytes(32))
    with pytest.raises(CertificateError):
        await Client(store, Events(), server=server).connect()


async def test_a_paired_device_cannot_pair_by_phone(sandbox: Sandbox, store: AccountStore) -> None:
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    with pytest.raises(ClientError):
        await client.pair_phone(PHONE)
    await client.disconnect()


async def test_disconnect_interrupts_the_backoff(store: AccountStore) -> None:
    async with Sandbox() as sandbox:
        events = Events()
        client = sandbox_client(sandbox, store, events, backoff=Backoff(base=3600.0, cap=3600.0))
        await client.connect()
        await events.next(QRCodeShown)
    # the sandbox is gone: the client waits an hour before it tries again
    assert (await events.next(Disconnected)).reconnecting
    await asyncio.wait_for(client.disconnect(), 5)
    assert await client.wait_stopped() is DisconnectReason.SHUTDOWN


async def test_a_pair_success_with_a_wrong_hmac_is_answered_with_an_error(
    sandbox: Sandbox, store: AccountStore
) -> None:
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await client.connect()
    qr = await events.next(QRCodeShown)
    ref, noise, identity, _adv, platform = qr.code.removeprefix(QR_PREFIX).split(",")
    forged = QR_PREFIX + ",".join(
        [ref, noise, identity, base64.b64encode(bytes(32)).decode(), platform]
    )
    with pytest.raises(RemoteProtocolError, match="401 hmac-mismatch"):
        await sandbox.linker.pair_qr(PHONE, forged)
    assert await client.wait_stopped() is DisconnectReason.PAIRING_FAILED
    assert not events.of(Paired) and (await store.load_credentials()).jid is None  # type: ignore[union-attr]
