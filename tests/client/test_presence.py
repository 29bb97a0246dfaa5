"""Presence and chat state: the nodes we send, and the events incoming ones become."""

from __future__ import annotations

import pytest

from botkit.client.presence import Presence
from botkit.client.requests import Requests, Router
from botkit.core.binary import Node
from botkit.errors import ClientError, NoPushName
from botkit.store import AccountStore
from botkit.types.events import ChatState, ChatStateChanged, PresenceChanged
from botkit.types.jid import JID

from .helpers import Events, credentials

BOB = JID("15550002222", "s.whatsapp.net")
GROUP = JID("120363000000000001", "g.us")


class _Line:
    def __init__(self) -> None:
        self.sent: list[Node] = []

    async def __call__(self, node: Node) -> None:
        self.sent.append(node)


@pytest.fixture
async def wired(store: AccountStore) -> tuple[Presence, Router, _Line, Events]:
    await store.save_credentials(
        credentials(jid="15550001111.0:2@s.whatsapp.net", push_name="Botty")
    )
    line, events = _Line(), Events()
    router = Router(Requests(line, prefix="t"), line)
    return Presence(router, line, store, emit=events), router, line, events


async def test_we_announce_subscribe_and_type(
    wired: tuple[Presence, Router, _Line, Events],
) -> None:
    presence, _, line, _ = wired
    await presence.set_available(True)
    await presence.set_available(False)
    await presence.subscribe(JID("15550002222", "s.whatsapp.net", 3))
    for state in ChatState:
        await presence.send_chat_state(GROUP, state)
    assert [(n.tag, n.attrs) for n in line.sent[:3]] == [
        ("presence", {"type": "available", "name": "Botty"}),
        ("presence", {"type": "unavailable", "name": "Botty"}),
        ("presence", {"type": "subscribe", "to": BOB}),
    ]
    states = [(n.attrs["to"], n.children[0].tag, n.children[0].attrs) for n in line.sent[3:]]
    assert states == [
        (GROUP, "composing", {}),
        (GROUP, "composing", {"media": "audio"}),
        (GROUP, "paused", {}),
    ]


async def test_incoming_presence_and_chat_states_become_events(
    wired: tuple[Presence, Router, _Line, Events],
) -> None:
    _, router, line, events = wired
    await router.dispatch(Node("presence", {"from": BOB}))
    await router.dispatch(Node("presence", {"from": BOB, "type": "unavailable", "last": "1700"}))
    await router.dispatch(Node("presence", {"from": BOB, "type": "unavailable", "last": "deny"}))
    await router.dispatch(Node("chatstate", {"from": BOB}, [Node("composing")]))
    await router.dispatch(
        Node(
            "chatstate",
            {"from": GROUP, "participant": BOB},
            [Node("composing", {"media": "audio"})],
        )
    )
    await router.dispatch(Node("chatstate", {"from": BOB}, [Node("dancing")]))  # dropped
    await router.dispatch(Node("presence", {"type": "available"}))  # no sender: dropped
    assert events.of(PresenceChanged) == [
        PresenceChanged(BOB, True),
        PresenceChanged(BOB, False, 1700.0),
        PresenceChanged(BOB, False),
    ]
    assert events.of(ChatStateChanged) == [
        ChatStateChanged(BOB, BOB, ChatState.COMPOSING),
        ChatStateChanged(GROUP, BOB, ChatState.RECORDING),
    ]
    assert line.sent == []  # neither is acknowledged


async def test_only_unavailable_means_offline(
    wired: tuple[Presence, Router, _Line, Events],
) -> None:
    _, router, _, events = wired
    for kind in ("available", "unavailable", "typing-in-the-future"):
        await router.dispatch(Node("presence", {"from": BOB, "type": kind}))
    assert [p.available for p in events.of(PresenceChanged)] == [True, False, True]


async def test_available_needs_a_push_name_and_set_push_name_keeps_one(
    store: AccountStore,
) -> None:
    await store.save_credentials(credentials(jid="15550001111.0:2@s.whatsapp.net"))
    line, events = _Line(), Events()
    presence = Presence(Router(Requests(line, prefix="t"), line), line, store, emit=events)
    with pytest.raises(NoPushName):
        await presence.set_available(True)
    await presence.set_available(False)  # going offline needs no name
    with pytest.raises(ValueError):
        await presence.set_push_name("  ")
    await presence.set_push_name("Botty")
    await presence.set_available(True)
    stored = await store.load_credentials()
    assert stored is not None and stored.push_name == "Botty"
    assert [n.attrs for n in line.sent] == [
        {"type": "unavailable"},
        {"type": "available", "name": "Botty"},
    ]


async def test_a_push_name_needs_a_paired_account(store: AccountStore) -> None:
    line, events = _Line(), Events()
    presence = Presence(Router(Requests(line, prefix="t"), line), line, store, emit=events)
    with pytest.raises(ClientError, match="not paired"):
        await presence.set_push_name("Botty")
