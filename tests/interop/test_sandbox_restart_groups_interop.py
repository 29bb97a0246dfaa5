"""A real Baileys client keeps its sandbox group across a restart of a sandbox with a data dir.

Baileys (Alice, ``baileys_chat.mjs reconnect``) creates a group with Bob's and Carol's phones
and sends to it; Bob sends to it. The sandbox stops and starts again on the same data dir and
port, and Baileys logs in again by itself. The group's metadata is what Baileys created, the
phones still hold Baileys' sender key (Baileys, which remembers who has its key, sends the
``skmsg`` alone and the phones read it) and Bob's phone its own (Baileys reads Bob's next text,
sent with no new distribution).
"""

from __future__ import annotations

from pathlib import Path

from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .test_sandbox_groups_interop import ALICE, BOB, CAROL, GroupClient, _texts_once
from .test_sandbox_restart_interop import reconnecting_baileys, ws_port


def _phone_keys(sandbox: Sandbox, phone: str) -> tuple[object, ...]:
    account = sandbox.world.account(phone)
    assert account is not None
    chat = sandbox.router.phone(account)
    others = {key: record.serialize() for key, record in chat.sender_keys.items()}
    own = {group: record.serialize() for group, record in chat.own_sender_keys.items()}
    return others, own, dict(chat.key_holders)


def _own_key_id(sandbox: Sandbox, group: str) -> int:
    """Return the id of Bob's phone's own sender key of ``group``."""
    account = sandbox.world.account(BOB)
    assert account is not None
    return sandbox.router.phone(account).own_sender_keys[JID.parse(group)].states[0].key_id


async def _bob_sends(sandbox: Sandbox, baileys: GroupClient, group: str, text: str) -> None:
    sent = await sandbox.send_text(BOB, JID.parse(group), text)
    got = await baileys.incoming()
    assert (got["id"], got["from"], got["text"]) == (sent, group, text), got


async def test_baileys_group_survives_a_sandbox_restart(tmp_path: Path) -> None:
    first = await Sandbox(data_dir=tmp_path).__aenter__()
    running = True
    try:
        for phone, name in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")):
            first.create_user(phone, name)
        port = ws_port(first)
        async with reconnecting_baileys(first, ALICE, GroupClient) as baileys:
            bob, carol = f"{BOB}@s.whatsapp.net", f"{CAROL}@s.whatsapp.net"
            group = (await baileys.call("groupCreate", "Kept", [bob, carol]))["id"]
            await baileys.send_text(group, "before")
            for phone in (BOB, CAROL):
                assert await _texts_once(first, phone, group, 1) == ["before"]
            await _bob_sends(first, baileys, group, "bob before")
            keys = {phone: _phone_keys(first, phone) for phone in (BOB, CAROL)}
            metadata = first.group_control.metadata(JID.parse(group))
            running = False
            await first.__aexit__(None, None, None)
            await baileys.next_event("reconnecting")

            async with Sandbox(port=port, data_dir=tmp_path) as second:
                await baileys.next_event("open")
                assert second.group_control.metadata(JID.parse(group)) == metadata
                assert {phone: _phone_keys(second, phone) for phone in (BOB, CAROL)} == keys
                fetched = await baileys.call("groupMetadata", group)
                assert (fetched["subject"], len(fetched["participants"])) == ("Kept", 3)
                await baileys.send_text(group, "after")
                reads = {BOB: ["before", "after"], CAROL: ["before", "bob before", "after"]}
                for phone, texts in reads.items():
                    assert await _texts_once(second, phone, group, len(texts)) == texts
                own_key = _own_key_id(second, group)
                await _bob_sends(second, baileys, group, "bob after")
                assert _own_key_id(second, group) == own_key  # the same key, not a new one
    finally:
        if running:
            await first.__aexit__(None, None, None)
