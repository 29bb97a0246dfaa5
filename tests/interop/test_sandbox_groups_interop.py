"""A real Baileys client runs a group in the sandbox with two simulated phones.

Baileys (Alice) creates a group with Bob's and Carol's phones (``groupCreate``), reads its
metadata, and sends a group text the phones decrypt (Baileys' own sender key, distributed
pairwise; one ``skmsg``). The phones send group texts Baileys decrypts. Alice promotes Bob;
Bob, now an admin, removes Carol through the control API and Baileys sees the
``group-participants.update``; Bob locks and renames the group and Baileys reports both
changes; Alice's settings change is seen in the control API's metadata, and Carol, no
longer a member, gets nothing more.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from botkit.server.app import Sandbox

from .node_process import node_script
from .test_sandbox_messages_interop import ChatClient, _inbox
from .test_sandbox_pairing_interop import post

ALICE = "15550001111"
BOB = "15550002222"
CAROL = "15550003333"


class GroupClient(ChatClient):
    """``baileys_chat.mjs`` with its group requests."""

    async def call(self, op: str, *args: Any) -> Any:
        """Call the socket method ``op``; return its value (failing on an error)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, "args": list(args)}).encode() + b"\n")
        await self.proc.stdin.drain()
        event = await self.next_event_of(("result", "op_error"))
        assert event["event"] == "result", event
        return event["value"]


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


@pytest.fixture
async def baileys(sandbox: Sandbox) -> AsyncIterator[GroupClient]:
    async with node_script("baileys_chat.mjs", sandbox.ws_url, sandbox.root_public_key) as proc:
        yield GroupClient(proc)


async def _texts(sandbox: Sandbox, phone: str, group: str) -> list[str]:
    return [m["text"] for m in await _inbox(sandbox, phone) if m["chat"] == group]


async def _texts_once(sandbox: Sandbox, phone: str, group: str, count: int) -> list[str]:
    """Return ``_texts`` once ``phone`` decrypted ``count`` texts (phones read asynchronously)."""
    async with asyncio.timeout(10.0):
        await sandbox.wait_inbox(phone, count)
    return await _texts(sandbox, phone, group)


async def test_baileys_runs_a_group_with_simulated_phones(
    sandbox: Sandbox, baileys: GroupClient
) -> None:
    control = sandbox.control_url
    for phone, name in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")):
        status, _ = await post(f"{control}/control/users", {"phone": phone, "name": name})
        assert status == 200
    qr = (await baileys.next_event("qr"))["qr"]
    assert (await post(f"{control}/control/pair", {"phone": ALICE, "qr": qr}))[0] == 200
    await baileys.next_event("open")

    bob, carol = f"{BOB}@s.whatsapp.net", f"{CAROL}@s.whatsapp.net"
    meta = await baileys.call("groupCreate", "Team", [bob, carol])
    group = meta["id"]
    assert group.endswith("@g.us") and meta["subject"] == "Team"
    roles = {p["id"]: p["admin"] for p in meta["participants"]}
    assert roles == {f"{ALICE}@s.whatsapp.net": "superadmin", bob: None, carol: None}
    assert (await baileys.call("groupMetadata", group))["participants"] == meta["participants"]

    await baileys.send_text(group, "hello group")
    for phone in (BOB, CAROL):
        assert await _texts_once(sandbox, phone, group, 1) == ["hello group"]

    for phone, text in ((BOB, "from bob"), (CAROL, "from carol")):
        body = {"from": phone, "to": group, "text": text}
        status, sent = await post(f"{control}/control/messages", body)
        assert status == 200, sent
        got = await baileys.incoming()
        assert (got["id"], got["from"], got["text"]) == (sent["id"], group, text), got
        assert got["participant"].split("@")[0].split(":")[0] == phone

    promoted = await baileys.call("groupParticipantsUpdate", group, [bob], "promote")
    assert [(r["jid"], r["status"]) for r in promoted] == [(bob, "200")]
    body = {"by": BOB, "action": "remove", "participants": [carol]}
    status, results = await post(f"{control}/control/groups/{group}/participants", body)
    assert (status, results) == (200, [{"jid": carol, "status": 200}])
    while (update := await baileys.next_event("participants"))["action"] != "remove":
        pass
    assert update["id"] == group and update["participants"] == [carol]
    assert update["author"].split("@")[0] == BOB

    settings = {"by": BOB, "locked": True, "subject": "Team 2"}
    status, _ = await post(f"{control}/control/groups/{group}/settings", settings)
    assert status == 200
    # Baileys turns each change into a stub message (its groups.update event is buffered, and
    # merged or dropped for the same group, so the stubs are what it reliably reports)
    stubs = []
    while len(stubs) < 2:
        event = await baileys.next_event("message")
        if event["stub"] in (["on"], ["Team 2"]):
            assert (event["from"], event["participant"]) == (group, bob)
            stubs.append(event["stub"][0])
    assert stubs == ["on", "Team 2"]

    await baileys.call("groupSettingUpdate", group, "announcement")
    status, after = await post(f"{control}/control/groups/{group}/settings", {"by": ALICE})
    assert status == 200 and after["announce"] is True
    assert [p["jid"] for p in after["participants"]] == [f"{ALICE}@s.whatsapp.net", bob]

    await baileys.send_text(group, "after carol")
    bob_reads = ["hello group", "from carol", "after carol"]
    assert await _texts_once(sandbox, BOB, group, 3) == bob_reads
    assert await _texts(sandbox, CAROL, group) == ["hello group", "from bob"]
