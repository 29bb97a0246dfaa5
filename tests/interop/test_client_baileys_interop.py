"""A real Baileys client and a botkit client, different accounts, exchange E2E 1:1 texts.

In one in-process sandbox, Baileys (account A, ``baileys_chat.mjs``) pairs through the
simulated phone scanning its QR, and a botkit :class:`~botkit.client.Client` (account B) pairs
the same way. Each then sends 100 texts to the other, both directions at once. Every text must
arrive exactly once on the other side, and every sent message must come back delivered: Baileys
reports a status update of at least ``DELIVERY_ACK``, botkit a ``ReceiptReceived``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from botkit.client import Client, ClientTiming, KeepAliveTiming, PairingTiming, ServerConfig
from botkit.client.sink import SinkEvent
from botkit.server.app import Sandbox
from botkit.store import MemoryStore, StoreOptions
from botkit.types.client_events import Connected, QRCodeShown
from botkit.types.events import MessageReceived, ReceiptKind, ReceiptReceived, UndecryptableMessage
from botkit.types.jid import JID
from botkit.types.message import TextMessage

from .node_process import node_script
from .test_sandbox_messages_interop import DELIVERED, ChatClient

A_PHONE = "15550001111"  # Baileys
B_PHONE = "15550002222"  # botkit
EXCHANGED = 100
TIMEOUT = 30.0  # for the whole exchange, each way


TIMING = ClientTiming(
    iq_timeout=10.0,
    pairing=PairingTiming(qr_timeouts=(20.0, 10.0), refs_timeout=10.0),
    keepalive=KeepAliveTiming(),
)


class Events:
    """The botkit client's event sink: records every event, lets the test wait for the next.

    (As tests/client/helpers.py's, which this directory cannot import.)
    """

    def __init__(self) -> None:
        self.seen: list[SinkEvent] = []
        self._queue: asyncio.Queue[SinkEvent] = asyncio.Queue()

    async def __call__(self, event: SinkEvent) -> None:
        self.seen.append(event)
        self._queue.put_nowait(event)

    async def next(self, kind: type[Any]) -> Any:
        """Return the next event of ``kind``, skipping others."""
        while not isinstance(event := await self._queue.get(), kind):
            pass
        return event

    def of(self, kind: type[Any]) -> list[Any]:
        return [event for event in self.seen if isinstance(event, kind)]

    async def until(self, kind: type[Any], done: Any) -> None:
        """Wait until ``done(self.of(kind))`` holds."""
        while not done(self.of(kind)):
            await self.next(object)


@asynccontextmanager
async def paired_botkit(sandbox: Sandbox, phone: str, events: Events) -> AsyncIterator[Client]:
    """A botkit client of account ``phone``, paired by QR to ``sandbox``; disconnected on exit."""
    memory = MemoryStore(StoreOptions(renew_interval=None))
    server = ServerConfig.from_ready_line(sandbox.ready_line())
    client = Client(await memory.open_account(phone), events, server=server, timing=TIMING)
    try:
        async with asyncio.timeout(TIMEOUT):
            await client.connect()
            await sandbox.linker.pair_qr(phone, (await events.next(QRCodeShown)).code)
            await events.next(Connected)
        yield client
    finally:
        await client.disconnect()
        await memory.close()


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(ref_timeouts=(20.0, 10.0), reply_timeout=10.0) as running:
        yield running


@pytest.fixture
async def baileys(sandbox: Sandbox) -> AsyncIterator[ChatClient]:
    async with node_script("baileys_chat.mjs", sandbox.ws_url, sandbox.root_public_key) as proc:
        yield ChatClient(proc)


async def _baileys_sends(baileys: ChatClient, to: str) -> list[str]:
    return [await baileys.send_text(to, f"from baileys {n}") for n in range(EXCHANGED)]


async def _botkit_sends(client: Client, to: JID) -> list[str]:
    return [
        await client.send_message(to, TextMessage(f"from botkit {n}")) for n in range(EXCHANGED)
    ]


async def test_baileys_and_a_botkit_client_exchange_100_texts_each_way(
    sandbox: Sandbox, baileys: ChatClient
) -> None:
    a = sandbox.create_user(A_PHONE, "Alice")
    b = sandbox.create_user(B_PHONE, "Bob")
    qr = (await baileys.next_event("qr"))["qr"]
    await sandbox.linker.pair_qr(A_PHONE, qr)
    await baileys.next_event("open")

    events = Events()
    async with paired_botkit(sandbox, B_PHONE, events) as client:
        a_jids = {JID.parse(a["jid"]), JID.parse(a["lid"])}
        b_users = {B_PHONE, JID.parse(b["lid"]).user}

        async with asyncio.timeout(TIMEOUT):
            from_baileys, from_botkit = await asyncio.gather(
                _baileys_sends(baileys, b["jid"]), _botkit_sends(client, JID.parse(a["jid"]))
            )
        assert len(set(from_baileys)) == len(set(from_botkit)) == EXCHANGED

        # Baileys: each botkit text exactly once, and each of its own texts delivered
        got: dict[str, list[str]] = {}
        delivered: set[str] = set()
        async with asyncio.timeout(TIMEOUT):
            while len(got) < EXCHANGED or not delivered >= set(from_baileys):
                event = await baileys.next_event_of({"message", "status"})
                if event["event"] == "status":
                    if event["status"] >= DELIVERED:
                        delivered.add(event["id"])
                elif not event["fromMe"]:
                    assert JID.parse(event["from"]).user in b_users, event
                    got.setdefault(event["id"], []).append(event["text"])
        assert sorted(got) == sorted(from_botkit)
        assert sorted(t for texts in got.values() for t in texts) == sorted(
            f"from botkit {n}" for n in range(EXCHANGED)
        )

        # botkit: each Baileys text exactly once, and a delivery receipt for each of its own
        async with asyncio.timeout(TIMEOUT):
            await events.until(MessageReceived, lambda seen: len(seen) >= EXCHANGED)
            # Baileys itself answers with type="inactive" receipts (not online: the harness
            # sets markOnlineOnConnect false), which botkit, like Baileys, does not report; the
            # delivered receipts are A's simulated phone's
            await events.until(
                ReceiptReceived,
                lambda seen: {i for r in seen for i in r.message_ids} >= set(from_botkit),
            )
        received = events.of(MessageReceived)
        assert [m.id for m in received] == from_baileys
        assert [m.text for m in received] == [f"from baileys {n}" for n in range(EXCHANGED)]
        assert {m.sender.to_non_ad() in a_jids for m in received} == {True}
        receipts = events.of(ReceiptReceived)
        assert {r.kind for r in receipts} == {ReceiptKind.DELIVERED}
        assert {r.sender in a_jids for r in receipts} == {True}
        assert not events.of(UndecryptableMessage)

        # a last text each way: nothing else (a late duplicate) turns up on either side first
        async with asyncio.timeout(TIMEOUT):
            last_to_baileys = await client.send_message(JID.parse(a["jid"]), TextMessage("end"))
            last_to_botkit = await baileys.send_text(b["jid"], "end")
            extra = await baileys.incoming()
            await events.until(MessageReceived, lambda seen: len(seen) > EXCHANGED)
        assert (extra["id"], extra["text"]) == (last_to_baileys, "end"), extra
        assert [(m.id, m.text) for m in events.of(MessageReceived)[EXCHANGED:]] == [
            (last_to_botkit, "end")
        ]
