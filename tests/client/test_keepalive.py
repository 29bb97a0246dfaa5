"""Keep-alive: pings on an interval, answers counted, a silent server declared dead."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from botkit.client import Backoff, Client, ClientTiming, KeepAliveTiming, ServerConfig
from botkit.client.keepalive import KeepAlive
from botkit.core.binary import Node
from botkit.errors import IQError, IQTimeout
from botkit.server import Sandbox
from botkit.server.wire import ServerKeys, SessionHandler, WireServer, WireSession
from botkit.store import AccountStore
from botkit.types.client_events import Connected, Disconnected, DisconnectReason

from .helpers import FAST, Events, credentials, pair_by_qr, sandbox_client


class FakeClock:
    """A clock that only moves when told; ``sleep`` moves it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def test_pings_every_interval_and_counts_answers() -> None:
    clock = FakeClock()
    pings: list[float] = []

    async def ping(deadline: float) -> None:
        pings.append(deadline)
        if len(pings) == 3:
            raise IQError(500, "internal-server-error")  # an error answer still counts
        if len(pings) == 5:
            raise asyncio.CancelledError

    keepalive = KeepAlive(
        ping, lambda detail: None, clock=clock, sleep=clock.sleep, random=lambda: 0.5
    )
    with pytest.raises(asyncio.CancelledError):
        await keepalive.run()
    assert clock.sleeps == [25.0] * 5 and pings == [10.0] * 5
    assert keepalive.answered == 4  # pings 1-4: the third answered with an error


async def test_a_silent_server_is_declared_dead_after_three_minutes() -> None:
    clock = FakeClock()
    dead: list[str] = []

    async def unanswered(deadline: float) -> None:
        clock.now += deadline
        raise IQTimeout("no answer")

    keepalive = KeepAlive(
        unanswered, dead.append, clock=clock, sleep=clock.sleep, random=lambda: 0.0
    )
    await keepalive.run()
    # each failed round costs 20 s of interval + 10 s of deadline: the 7th passes 180 s
    assert len(clock.sleeps) == 7 and len(dead) == 1


async def test_the_sandbox_answers_pings(sandbox: Sandbox, store: AccountStore) -> None:
    rounds = asyncio.Event()
    count = 0

    async def sleep(seconds: float) -> None:
        nonlocal count
        if seconds != 1.0:  # a QR code's lifetime: let it run
            await asyncio.sleep(seconds)
            return
        count += 1
        if count > 3:
            rounds.set()
        await asyncio.sleep(0)

    events = Events()
    timing = replace(FAST, keepalive=KeepAliveTiming(interval=(1.0, 1.0)))
    client = sandbox_client(sandbox, store, events, sleep=sleep, timing=timing)
    await pair_by_qr(sandbox, client, events)
    await asyncio.wait_for(rounds.wait(), 10)
    assert client._keepalive.answered >= 3
    assert client.is_logged_in
    await client.disconnect()


class SilentServer(SessionHandler):
    """Logs every device in and answers every IQ except the keep-alive ping."""

    def __init__(self) -> None:
        self.sessions: list[WireSession] = []
        self.second = asyncio.Event()

    async def session_started(self, session: WireSession) -> None:
        self.sessions.append(session)
        if len(self.sessions) == 2:
            self.second.set()
        await session.send(Node("success", {"t": "1700000000"}))

    async def node_received(self, session: WireSession, node: Node) -> None:
        if node.tag != "iq" or node.attrs.get("xmlns") == "w:p":
            return
        content = (
            [Node("count", {"value": "100"})] if node.attrs.get("xmlns") == "encrypt" else None
        )
        await session.send(Node("iq", {"id": node.attrs["id"], "type": "result"}, content))


@pytest.fixture
async def silent() -> AsyncIterator[tuple[WireServer, SilentServer, ServerKeys]]:
    keys = ServerKeys.generate(now=time.time())
    handler = SilentServer()
    async with WireServer(handler, keys=keys) as server:
        yield server, handler, keys


async def test_a_dead_server_is_detected_and_the_client_reconnects(
    silent: tuple[WireServer, SilentServer, ServerKeys], store: AccountStore
) -> None:
    server, handler, keys = silent
    await store.save_credentials(credentials(jid="15550001111:1@s.whatsapp.net"))
    events = Events()
    timing = ClientTiming(
        iq_timeout=5.0,
        keepalive=KeepAliveTiming(interval=(0.0, 0.0), deadline=0.01, max_silence=0.05),
    )
    client = Client(
        store,
        events,
        server=ServerConfig(server.url, keys.root.public),
        timing=timing,
        backoff=Backoff(base=0.01, jitter=0.0),
    )
    await client.connect()
    await events.next(Connected)
    disconnected = await events.next(Disconnected)
    assert disconnected.reason is DisconnectReason.NETWORK and disconnected.reconnecting
    assert "keep-alive" in disconnected.detail
    await asyncio.wait_for(handler.second.wait(), 10)
    await client.disconnect()
