"""Message routing: server acks, fan-out, offline queue, redelivery, receipts, retries, faults."""

from __future__ import annotations

import pytest

from botkit.core.binary import Node
from botkit.core.stanza import retry_receipt
from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .companion import http
from .conftest import PHONE
from .messaging import Peer, pn

BOB = "15550002222"


@pytest.fixture
async def bob(sandbox: Sandbox) -> Peer:
    sandbox.create_user(BOB, "Bob")
    return await Peer(sandbox, BOB).link()


async def _send(sender: Peer, to: JID, text: str, devices: list[JID]) -> Node:
    """Send a text; return the message node after checking the server's ack."""
    node = await sender.encrypt(to, text, devices)
    await sender.send(node)
    ack = await sender.next()
    assert ack.tag == "ack" and ack.attrs["id"] == node.attrs["id"], ack
    assert ack.attrs["class"] == "message" and "error" not in ack.attrs
    assert ack.attrs["from"] == to and str(ack.attrs["t"]).isdigit()
    return node


async def test_two_companions_exchange_texts_with_receipts(
    sandbox: Sandbox, alice: Peer, bob: Peer
) -> None:
    await bob.login()
    devices = [pn(BOB), bob.jid, pn(PHONE)]
    sent = await _send(alice, pn(BOB), "hello bob", devices)
    delivered = await bob.next()
    assert delivered.attrs["from"] == alice.jid and delivered.attrs["notify"] == "Alice"
    assert delivered.attrs["sender_lid"] == JID(sandbox.world.account(PHONE).lid_user, "lid")  # type: ignore[union-attr]
    got = bob.decrypt(delivered)
    assert got.message.conversation == "hello bob"
    await bob.send(got.receipt)
    receipts = [await alice.next() for _ in range(3)]
    assert all(r.tag == "receipt" and r.attrs["id"] == sent.attrs["id"] for r in receipts)
    assert {(r.attrs["from"], r.attrs.get("type")) for r in receipts} == {
        (pn(BOB), None),  # Bob's phone
        (bob.jid, None),
        (pn(PHONE), "sender"),  # Alice's phone read its own device's copy
    }
    # both phones read it: Bob's as the recipient, Alice's as her own device's copy
    bob_inbox = sandbox.inbox(BOB)
    assert [(m["text"], m["chat"]) for m in bob_inbox] == [("hello bob", f"{PHONE}@s.whatsapp.net")]
    assert bob_inbox[0]["from"] == str(alice.jid)
    assert [(m["text"], m["chat"]) for m in sandbox.inbox(PHONE)] == [
        ("hello bob", f"{BOB}@s.whatsapp.net")
    ]
    # and the reply travels back on the session the pre-key message started
    await _send(bob, pn(PHONE), "hi alice", [alice.jid])
    reply = alice.decrypt(await alice.next())
    assert reply.message.conversation == "hi alice"


async def test_offline_messages_are_queued_and_unreceipted_ones_redelivered(
    alice: Peer, bob: Peer
) -> None:
    ids = [(await _send(alice, pn(BOB), t, [bob.jid])).attrs["id"] for t in ("one", "two")]
    backlog = await bob.login()
    assert [n.attrs["id"] for n in backlog] == ids
    assert all(n.attrs["offline"] == "1" for n in backlog)
    await bob.close()
    again = await bob.login()  # nothing was receipted: everything comes back
    assert [n.attrs["id"] for n in again] == ids
    for node in again:
        await bob.send(bob.decrypt(node).receipt)
    await alice.next()
    await alice.next()
    await bob.close()
    assert await bob.login() == []


async def test_an_ack_also_confirms_a_message(alice: Peer, bob: Peer) -> None:
    await bob.login()
    await _send(alice, pn(BOB), "nack me", [bob.jid])
    node = await bob.next()
    await bob.send(
        Node("ack", {"class": "message", "id": node.attrs["id"], "to": node.attrs["from"]})
    )
    await bob.close()
    assert await bob.login() == []


async def test_retry_receipts_reach_the_sending_device_intact(alice: Peer, bob: Peer) -> None:
    await bob.login()
    await _send(alice, pn(BOB), "retry me", [bob.jid])
    node = await bob.next()
    await bob.send(retry_receipt(node, count=1, registration_id=bob.companion.registration_id))
    receipt = await alice.next()
    assert receipt.attrs["type"] == "retry" and receipt.attrs["from"] == bob.jid
    retry = receipt.get_child("retry")
    assert retry is not None and retry.attrs["count"] == "1"
    assert receipt.get_child("registration") is not None


async def test_lid_addressed_messages_come_from_the_lid(
    sandbox: Sandbox, alice: Peer, bob: Peer
) -> None:
    await bob.login()
    bob_lid = sandbox.world.account(BOB).lid  # type: ignore[union-attr]
    device = JID(bob_lid.user, "lid", bob.jid.device)
    await _send(alice, bob_lid, "via lid", [device])
    delivered = await bob.next()
    assert delivered.attrs["from"] == alice.local.lid
    assert delivered.attrs["sender_pn"] == pn(PHONE)


async def test_unknown_devices_and_users_are_refused(alice: Peer, bob: Peer) -> None:
    node = await alice.encrypt(pn(BOB), "x", [pn(BOB)])
    participants = node.get_child("participants")
    assert participants is not None
    bogus = Node("to", {"jid": pn(BOB, 7)}, participants.children[0].children)
    wrong = Node("message", node.attrs, [Node("participants", {}, [*participants.children, bogus])])
    await alice.send(wrong)
    ack = await alice.next()
    assert ack.attrs["error"] == "479"
    stranger = Node("message", {**node.attrs, "to": pn("15559999999")}, node.children)
    await alice.send(stranger)
    assert (await alice.next()).attrs["error"] == "404"
    await bob.login()  # nothing reached Bob
    assert bob.sandbox.inbox(BOB) == []


async def test_control_messages_and_inbox_round_trip(sandbox: Sandbox, alice: Peer) -> None:
    sandbox.create_user(BOB, "Bob")
    status, body = await http(
        sandbox, "POST", "/control/messages", {"from": BOB, "to": str(pn(PHONE)), "text": "yo"}
    )
    assert status == 200
    delivered = await alice.next()
    assert delivered.attrs["id"] == body["id"] and delivered.attrs["from"] == pn(BOB)
    got = alice.decrypt(delivered)
    assert got.message.conversation == "yo"
    await alice.send(got.receipt)
    await _send(alice, pn(BOB), "yo back", [pn(BOB)])
    status, inbox = await http(sandbox, "GET", f"/control/inbox/{BOB}")
    assert status == 200 and [m["text"] for m in inbox] == ["yo back"]
    assert set(inbox[0]) == {"id", "from", "chat", "text", "timestamp"}
    receipts = sandbox.router.phone(sandbox.world.account(BOB)).receipts  # type: ignore[arg-type]
    assert {r.attrs["id"] for r in receipts} == {body["id"]}
    assert {r.attrs["from"] for r in receipts} == {pn(PHONE), alice.jid}  # Alice's phone too
    assert [m["text"] for m in sandbox.inbox(PHONE)] == ["yo"]
    assert (await http(sandbox, "GET", "/control/inbox/1999"))[0] == 404


async def test_the_phone_answers_a_retry_receipt_by_sending_again(
    sandbox: Sandbox, alice: Peer
) -> None:
    sandbox.create_user(BOB, "Bob")
    message_id = await sandbox.send_text(BOB, pn(PHONE), "again please")
    first = await alice.next()
    await alice.send(retry_receipt(first, count=1, registration_id=alice.local.registration_id))
    again = await alice.next()
    assert again.attrs["id"] == message_id and again.attrs["device_fanout"] == "false"
    enc = again.get_child("enc")
    assert enc is not None and enc.attrs["count"] == "1"
    assert alice.decrypt(again).message.conversation == "again please"


async def test_unlinking_forgets_the_mailbox(sandbox: Sandbox, alice: Peer, bob: Peer) -> None:
    await _send(alice, pn(BOB), "never read", [bob.jid])
    assert len(sandbox.router.mailbox(bob.jid)) == 1
    assert await sandbox.unlink(bob.jid)
    assert len(sandbox.router.mailbox(bob.jid)) == 0


async def _fault(sandbox: Sandbox, peer: Peer, **fields: object) -> None:
    status, body = await http(
        sandbox, "POST", "/control/faults", {"device_jid": str(peer.jid), **fields}
    )
    assert status == 200, body


async def test_fault_drop_loses_the_delivery_until_the_next_login(
    sandbox: Sandbox, alice: Peer, bob: Peer
) -> None:
    await bob.login()
    await _fault(sandbox, bob, kind="drop")
    first = await _send(alice, pn(BOB), "lost", [bob.jid])
    second = await _send(alice, pn(BOB), "kept", [bob.jid])
    assert (await bob.next()).attrs["id"] == second.attrs["id"]
    await bob.close()
    assert [n.attrs["id"] for n in await bob.login()] == [first.attrs["id"], second.attrs["id"]]


async def test_fault_duplicate_and_delay(sandbox: Sandbox, alice: Peer, bob: Peer) -> None:
    await bob.login()
    await _fault(sandbox, bob, kind="duplicate")
    twice = await _send(alice, pn(BOB), "twice", [bob.jid])
    assert [(await bob.next()).attrs["id"] for _ in range(2)] == [twice.attrs["id"]] * 2
    await _fault(sandbox, bob, kind="delay", seconds=0.3)
    late = await _send(alice, pn(BOB), "late", [bob.jid])
    prompt = await _send(alice, pn(BOB), "prompt", [bob.jid])
    order = [(await bob.next()).attrs["id"] for _ in range(2)]
    assert order == [prompt.attrs["id"], late.attrs["id"]]


async def test_fault_requests_are_checked(sandbox: Sandbox, alice: Peer) -> None:
    bad = {"device_jid": str(alice.jid), "kind": "explode"}
    assert (await http(sandbox, "POST", "/control/faults", bad))[0] == 400
    unknown = {"device_jid": str(pn(PHONE, 9)), "kind": "drop"}
    assert (await http(sandbox, "POST", "/control/faults", unknown))[0] == 404
