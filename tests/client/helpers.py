"""Test helpers: an event sink that records, a client wired to a sandbox, a QR pairing."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from botkit.client import (
    Client,
    ClientTiming,
    KeepAliveTiming,
    PairingTiming,
    ServerConfig,
)
from botkit.client.devices import local_device
from botkit.client.pairing import new_credentials
from botkit.client.requests import Requests
from botkit.client.send import own_sender_key
from botkit.core.binary import Node
from botkit.server import Sandbox
from botkit.store import AccountStore, DeviceCredentials
from botkit.types.client_events import ClientEvent, Connected, QRCodeShown
from botkit.types.jid import JID, SERVER_JID

PHONE = "15550001111"
ALICE = JID(PHONE, "s.whatsapp.net")
"""The account the tests' client is paired to, as a user JID."""
BOB = "15550002222"
"""The phone number of a second account (a simulated phone to talk to)."""
TIMEOUT = 10.0

E = TypeVar("E")

FAST = ClientTiming(
    iq_timeout=5.0,
    pairing=PairingTiming(qr_timeouts=(10.0, 10.0), refs_timeout=5.0),
    keepalive=KeepAliveTiming(),
)


class Events:
    """An event sink that records every event and lets a test wait for the next of a kind."""

    def __init__(self) -> None:
        self.seen: list[ClientEvent] = []
        self._queue: asyncio.Queue[ClientEvent] = asyncio.Queue()

    async def __call__(self, event: ClientEvent) -> None:
        self.seen.append(event)
        self._queue.put_nowait(event)

    async def next(self, kind: type[E], timeout: float = TIMEOUT) -> E:
        """Return the next event of ``kind``, skipping others; fail after ``timeout`` s."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self._queue.get()
                if isinstance(event, kind):
                    return event

    def of(self, kind: type[E]) -> list[E]:
        """Return every recorded event of ``kind``."""
        return [event for event in self.seen if isinstance(event, kind)]


def sandbox_client(sandbox: Sandbox, store: AccountStore, events: Events, **options: Any) -> Client:
    """Return a client of ``store`` configured for ``sandbox`` (fast timings by default)."""
    options.setdefault("timing", FAST)
    server = ServerConfig.from_ready_line(sandbox.ready_line())
    return Client(store, events, server=server, **options)


async def control(sandbox: Sandbox, path: str, body: dict[str, str]) -> Any:
    """POST ``body`` to the sandbox's control API and return the decoded JSON answer."""

    def call() -> Any:
        request = urllib.request.Request(
            sandbox.control_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read())

    return await asyncio.to_thread(call)


async def pair_by_qr(
    sandbox: Sandbox, client: Client, events: Events, phone: str = PHONE
) -> Connected:
    """Connect ``client``, let ``phone`` scan its first QR code, and wait for the login."""
    await client.connect()
    qr = await events.next(QRCodeShown)
    await sandbox.linker.pair_qr(phone, qr.code)
    return await events.next(Connected)


def device_jids(sandbox: Sandbox) -> list[JID]:
    """Return the account's device JIDs as the sandbox lists them."""
    return [JID.parse(jid) for jid in sandbox.devices(PHONE)]


class FakeServer:
    """Answers the IQs a :class:`Requests` sends with ``answer(iq)`` (None: no answer)."""

    def __init__(self, answer: Callable[[Node], Node | None], timeout: float = 5.0) -> None:
        self.answer = answer
        self.sent: list[Node] = []
        self.requests = Requests(self.send, prefix="t", timeout=timeout)

    async def send(self, node: Node) -> None:
        self.sent.append(node)
        reply = self.answer(node)
        if reply is not None:
            asyncio.get_running_loop().call_soon(self.requests.resolve, reply)


def result(iq: Node, content: list[Node] | None = None) -> Node:
    """Return the server's result answer to ``iq``."""
    return Node("iq", {"id": iq.attrs["id"], "type": "result", "from": SERVER_JID}, content)


def credentials(**changes: Any) -> DeviceCredentials:
    """Return a fresh companion's credentials with ``changes`` (``jid=...`` to make it paired)."""
    return replace(new_credentials(os.urandom), **changes)


async def own_key_id(store: AccountStore, group: JID) -> int | None:
    """Return the id of our stored sender key of ``group``, or None when there is none."""
    record = await own_sender_key(store, group, local_device(await store.load_credentials()))
    return None if record is None else record.states[0].key_id
