"""``<ib>`` children the client receives (PROTOCOL.md §10.7): handled or ignored, never acked."""

from __future__ import annotations

import logging

import pytest

from botkit.core.binary import Node
from botkit.server import Sandbox
from botkit.store import AccountStore
from botkit.types.events import MessageReceived
from botkit.types.jid import JID

from .helpers import PHONE, Events, pair_by_qr, sandbox_client
from .messaging_helpers import Wire, bob, paired_store

IGNORED = [
    Node("unified_session", {"id": "123456"}),
    Node("dirty", {"type": "account_sync", "timestamp": "1700000000"}),
    Node("offline_preview", {"count": "3", "message": "2", "receipt": "1"}),
    Node("edge_routing", {}, [Node("routing_info", {}, b"\x08\x01")]),
    Node("downgrade_webclient"),
    Node("something_new", {}, b"payload"),
]


@pytest.mark.parametrize("child", IGNORED, ids=lambda child: child.tag)
async def test_other_ib_children_are_ignored_without_an_answer(
    store: AccountStore, child: Node, caplog: pytest.LogCaptureFixture
) -> None:
    wire = Wire(await paired_store(store), [bob()])
    with caplog.at_level(logging.DEBUG):
        await wire.deliver(Node("ib", {}, [child]))
    await wire.settle()
    assert wire.sent == []
    assert not wire.messaging.receipts.offline_done.is_set()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_offline_is_found_beside_other_children(store: AccountStore) -> None:
    wire = Wire(await paired_store(store), [bob()])
    await wire.deliver(Node("ib", {}, [IGNORED[0], Node("offline", {"count": "4"})]))
    assert wire.messaging.receipts.offline_done.is_set()
    assert wire.messaging.receipts.offline_count == 4
    assert wire.sent == []


async def test_a_live_client_shrugs_off_every_ib_and_keeps_receiving(
    sandbox: Sandbox, store: AccountStore
) -> None:
    sandbox.create_user("15550002222", "Bob")
    events = Events()
    client = sandbox_client(sandbox, store, events)
    connected = await pair_by_qr(sandbox, client, events)
    session = sandbox._online[connected.jid]
    for child in IGNORED:
        if child.tag != "downgrade_webclient":  # that one means a broken pairing
            await session.send(Node("ib", {}, [child]))
    await sandbox.send_text("15550002222", JID(PHONE, "s.whatsapp.net"), "still here")
    assert (await events.next(MessageReceived)).text == "still here"
    assert client.is_logged_in
    await client.disconnect()
