"""A real Baileys client pairs with the sandbox through the control API and logs in.

Baileys shows a QR built from its own keys and the simulated phone scans it (``POST
/control/pair``), or Baileys asks for a phone code (``requestPairingCode``) that is typed on
the phone (``POST /control/pair-code``). Either way Baileys verifies our ``pair-success``
(HMAC, account signature), signs it, gets the 515 restart, reconnects with the same credentials
(new socket), logs in and reaches ``connection: 'open'`` after its pre-key upload, ``passive``
and digest IQs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .node_process import node_script

TIMEOUT = 20.0
PHONE = "15550001111"


class PairingClient:
    """``node baileys_pairing.mjs``: Baileys events as JSON lines."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def next_any(self) -> dict[str, Any]:
        """Return the next event, failing on a final close, an exit or :data:`TIMEOUT`."""
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), TIMEOUT)
        if not line:
            assert self.proc.stderr is not None
            stderr = (await self.proc.stderr.read()).decode(errors="replace")
            raise AssertionError(f"Baileys exited: {stderr[-2000:]}")
        event: dict[str, Any] = json.loads(line)
        if event["event"] == "close":
            raise AssertionError(f"Baileys closed: {event}")
        return event

    async def next_event(self, name: str) -> dict[str, Any]:
        """Return the next event called ``name``, skipping others (see :meth:`next_any`)."""
        while (event := await self.next_any())["event"] != name:
            pass
        return event


async def post(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    """POST ``body`` as JSON to ``url`` (http://host:port/path); return status and JSON."""
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    payload = json.dumps(body).encode()
    writer.write(
        f"POST /{path} HTTP/1.1\r\nHost: {host_port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n".encode()
        + payload
    )
    response = await asyncio.wait_for(reader.read(), TIMEOUT)
    writer.close()
    head, _, data = response.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(data)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


@pytest.fixture
def code_phone() -> list[str]:
    """Extra arguments for the harness: none for QR pairing."""
    return []


@pytest.fixture
async def baileys(sandbox: Sandbox, code_phone: list[str]) -> AsyncIterator[PairingClient]:
    async with node_script(
        "baileys_pairing.mjs", sandbox.ws_url, sandbox.root_public_key, *code_phone
    ) as proc:
        yield PairingClient(proc)


async def test_baileys_pairs_by_qr_restarts_logs_in_and_opens(
    sandbox: Sandbox, baileys: PairingClient
) -> None:
    status, user = await post(f"{sandbox.control_url}/control/users", {"phone": PHONE})
    assert status == 200
    qr = (await baileys.next_event("qr"))["qr"]

    status, paired = await post(f"{sandbox.control_url}/control/pair", {"phone": PHONE, "qr": qr})
    assert status == 200, paired
    device = JID.parse(paired["device_jid"])
    assert (device.user, device.device) == (PHONE, 1)
    assert (await baileys.next_event("paired"))["me"] == paired["device_jid"]
    assert (await baileys.next_event("restart"))["status"] == 515

    opened = await baileys.next_event("open")
    assert opened["me"] == paired["device_jid"]
    assert JID.parse(opened["lid"]).user == JID.parse(user["lid"]).user
    linked = sandbox.world.device(device)
    assert linked is not None and len(linked.pre_keys) >= 30


@pytest.mark.parametrize("code_phone", [[PHONE]])
async def test_baileys_pairs_by_phone_code_and_opens(
    sandbox: Sandbox, baileys: PairingClient
) -> None:
    assert (await post(f"{sandbox.control_url}/control/users", {"phone": PHONE}))[0] == 200
    code = (await baileys.next_event("code"))["code"]
    assert len(code) == 8

    body = {"phone": PHONE, "code": code}
    status, paired = await post(f"{sandbox.control_url}/control/pair-code", body)
    assert status == 200, paired
    assert (await baileys.next_event("restart"))["status"] == 515
    assert (await baileys.next_event("open"))["me"] == paired["device_jid"]
