"""IQ requests (ids, answers, errors, timeouts) and the routing of incoming nodes."""

from __future__ import annotations

import asyncio

import pytest

from botkit.client.requests import Router
from botkit.core.binary import Node
from botkit.core.stanza import ack
from botkit.errors import IQError, IQTimeout, NotConnected
from botkit.server import Sandbox
from botkit.store import AccountStore
from botkit.types.jid import SERVER_JID

from .helpers import Events, FakeServer, pair_by_qr, result, sandbox_client


async def test_a_query_returns_the_answer_with_its_id() -> None:
    server = FakeServer(lambda iq: result(iq, [Node("pong")]))
    answer = await server.requests.query("w:p", "get")
    sent = server.sent[0]
    assert sent.attrs["xmlns"] == "w:p" and sent.attrs["to"] == SERVER_JID
    assert answer.attrs["id"] == sent.attrs["id"] and answer.get_child("pong") is not None


async def test_ids_are_unique() -> None:
    server = FakeServer(result)
    for _ in range(3):
        await server.requests.query("w:p", "get")
    assert len({node.attrs["id"] for node in server.sent}) == 3


async def test_an_error_answer_raises_iq_error_with_code_and_text() -> None:
    def refuse(iq: Node) -> Node:
        error = Node("error", {"code": "404", "text": "item-not-found"})
        return Node("iq", {"id": iq.attrs["id"], "type": "error"}, [error])

    with pytest.raises(IQError) as caught:
        await FakeServer(refuse).requests.query("usync", "get")
    assert (caught.value.code, caught.value.text) == (404, "item-not-found")


async def test_no_answer_raises_iq_timeout() -> None:
    server = FakeServer(lambda iq: None)
    with pytest.raises(IQTimeout):
        await server.requests.query("w:p", "get", timeout=0.01)


async def test_a_closed_connection_fails_pending_queries() -> None:
    server = FakeServer(lambda iq: None)
    query = asyncio.ensure_future(server.requests.query("w:p", "get"))
    while not server.sent:
        await asyncio.sleep(0)
    server.requests.fail_all("the connection closed")
    with pytest.raises(NotConnected):
        await query


async def test_the_sandbox_answers_an_unknown_namespace_with_501(
    sandbox: Sandbox, store: AccountStore
) -> None:
    events = Events()
    client = sandbox_client(sandbox, store, events)
    await pair_by_qr(sandbox, client, events)
    with pytest.raises(IQError) as caught:
        await client.requests.query("botkit:nonexistent", "get")
    assert caught.value.code == 501
    await client.disconnect()


async def test_the_router_answers_unknown_server_iqs_with_501() -> None:
    server = FakeServer(lambda iq: None)
    router = Router(server.requests, server.send)
    iq = Node("iq", {"from": SERVER_JID, "id": "s1", "type": "set"}, [Node("mystery")])
    await router.dispatch(iq)
    answer = server.sent[-1]
    assert answer.attrs["type"] == "error" and answer.attrs["id"] == "s1"
    assert answer.get_child("error").attrs["code"] == "501"  # type: ignore[union-attr]


async def test_the_router_routes_server_iqs_by_child_and_sends_the_answer() -> None:
    server = FakeServer(lambda iq: None)
    router = Router(server.requests, server.send)

    async def handle(iq: Node) -> Node:
        return result(iq, [Node("handled")])

    router.on_iq("pair-device", handle)
    await router.dispatch(
        Node("iq", {"from": SERVER_JID, "id": "s2", "type": "set"}, [Node("pair-device")])
    )
    assert server.sent[-1].get_child("handled") is not None


async def test_notifications_are_acknowledged_even_when_the_handler_fails() -> None:
    server = FakeServer(lambda iq: None)
    router = Router(server.requests, server.send)

    async def broken(node: Node) -> None:
        raise RuntimeError("handler bug")

    router.on_notification("encrypt", broken)
    node = Node("notification", {"from": SERVER_JID, "id": "n1", "type": "encrypt"})
    await router.dispatch(node)
    assert server.sent == [ack(node)]
    assert ack(node).attrs == {
        "class": "notification",
        "id": "n1",
        "to": SERVER_JID,
        "type": "encrypt",
    }
