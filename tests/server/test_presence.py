"""Presence and chat state routing in the sandbox (§14.1, §14.2, §15.8)."""

from __future__ import annotations

import pytest

from botkit.core.binary import Node
from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .companion import http
from .conftest import PHONE
from .messaging import Peer, pn

BOB = "15550002222"


@pytest.fixture
async def bob(sandbox: Sandbox) -> Peer:
    sandbox.create_user(BOB, "Bob")
    peer = await Peer(sandbox, BOB).link()
    await peer.login()
    return peer


async def test_subscribers_get_the_state_then_every_change(alice: Peer, bob: Peer) -> None:
    await bob.send(Node("presence", {"type": "subscribe", "to": pn(PHONE)}))
    first = await bob.next("presence")
    assert first.attrs == {"from": pn(PHONE), "type": "unavailable"}
    await alice.send(Node("presence", {"type": "available", "name": "Alice"}))
    assert (await bob.next("presence")).attrs == {"from": pn(PHONE)}
    await alice.close()
    gone = await bob.next("presence")
    assert gone.attrs["type"] == "unavailable" and str(gone.attrs["last"]).isdigit()


async def test_chat_state_reaches_the_chat(sandbox: Sandbox, alice: Peer, bob: Peer) -> None:
    await alice.send(Node("chatstate", {"to": pn(BOB)}, [Node("composing")]))
    typing = await bob.next("chatstate")
    assert typing == Node("chatstate", {"from": pn(PHONE)}, [Node("composing")])
    status, body = await http(
        sandbox,
        "POST",
        "/control/groups",
        {"creator": PHONE, "subject": "G", "participants": [str(pn(BOB))]},
    )
    assert status == 200
    await alice.send(Node("chatstate", {"to": body["jid"]}, [Node("paused")]))
    paused = await bob.next("chatstate")
    assert paused.attrs == {"from": JID.parse(body["jid"]), "participant": pn(PHONE)}
    assert paused.children == [Node("paused")]
