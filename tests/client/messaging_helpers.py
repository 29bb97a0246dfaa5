"""A hand-driven server for the message services, and peers built on botkit.core.e2e.

:class:`Wire` plays the server for one client's :class:`~botkit.client.messaging.Messaging`:
it answers usync and key-fetch IQs from its :class:`Peer` list, acknowledges sent messages
(or not), and records every node the client sends, in one log with the store's commits.
A :class:`Peer` is another device that encrypts and decrypts the way a client does.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from botkit.client.group_send import MemberSource
from botkit.client.messaging import Messaging
from botkit.client.requests import Requests, Router
from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.e2e import (
    LocalDevice,
    ReceivedMessage,
    decrypt_incoming,
    encrypt_direct,
    encrypt_group,
)
from botkit.core.signal import (
    PreKey,
    PreKeyBundle,
    SenderKeyRecord,
    SessionRecord,
    SignedPreKey,
    create_sender_key,
    generate_identity_key_pair,
    generate_prekeys,
    generate_registration_id,
    generate_signed_prekey,
)
from botkit.core.stanza import bundle_children, split_for_devices
from botkit.pb import e2e_pb2
from botkit.store import AccountStore
from botkit.store.values import InboundUnit
from botkit.types.jid import JID, SERVER_JID

from .helpers import Events, credentials

T = 1_700_000_000
OWN_PN = JID("15550001111", "s.whatsapp.net", 2)
OWN_LID = JID("111000111", "lid", 2)


@dataclass
class Peer:
    """Another device: its keys, its sessions and its pre-keys, like a client keeps them."""

    jid: JID
    lid: JID
    seed: int
    local: LocalDevice = field(init=False)
    signed: SignedPreKey = field(init=False)
    prekeys: dict[int, PreKey] = field(init=False)
    sessions: dict[JID, SessionRecord] = field(default_factory=dict)
    sender_keys: dict[tuple[str, JID], SenderKeyRecord] = field(default_factory=dict)
    """Sender-key records by (group, sender device); ours under (group, our LID)."""

    def __post_init__(self) -> None:
        draw = random.Random(self.seed).randbytes
        identity = generate_identity_key_pair(draw)
        self.local = LocalDevice(
            self.jid, self.lid, identity, generate_registration_id(draw), b"adv:" + draw(8)
        )
        self.signed = generate_signed_prekey(identity, 1, draw)
        self.prekeys = {k.key_id: k for k in generate_prekeys(1, 5, draw)}

    def bundle(self) -> PreKeyBundle:
        key = self.prekeys[min(self.prekeys)]
        return PreKeyBundle.of(self.local.registration_id, self.local.identity, self.signed, key)

    def send(
        self, text: str, to: JID, bundles: dict[JID, PreKeyBundle], *, message_id: str
    ) -> Node:
        """Encrypt ``text`` to device ``to``; return what the server hands that device."""
        out = encrypt_direct(
            e2e_pb2.Message(conversation=text),
            message_id=message_id,
            to=to.to_non_ad(),
            local=self.local,
            devices=[to],
            sessions=self.sessions,
            bundles=bundles,
            trusted_identities={},
            rng=os.urandom,
        )
        self.sessions.update(out.sessions)
        delivered = dict(split_for_devices(out.node, sender=self.lid, timestamp=T, notify="Bob"))
        return decode_node(encode_node(delivered[to]))

    def receive(self, node: Node) -> ReceivedMessage:
        """Decrypt a node the server delivered to this device, keeping the new records."""
        node = decode_node(encode_node(node))
        sender = JID.parse(str(node.attrs.get("participant") or node.attrs["from"]))
        slot = (str(node.attrs["from"]), sender)
        got = decrypt_incoming(
            node,
            local=self.local,
            session=self.sessions.get(sender),
            sender_key=self.sender_keys.get(slot),
            signed_prekeys={self.signed.key_id: self.signed},
            one_time_prekeys=self.prekeys,
            trusted_identity=None,
            rng=os.urandom,
        )
        if got.session is not None:
            self.sessions[sender] = got.session
        if got.used_prekey_id is not None:
            del self.prekeys[got.used_prekey_id]
        if got.sender_key is not None:
            self.sender_keys[slot] = got.sender_key
        return got

    def send_group(
        self,
        text: str | e2e_pb2.Message,
        group: JID,
        devices: list[JID],
        bundles: dict[JID, PreKeyBundle],
        *,
        message_id: str,
        distribute: bool = False,
    ) -> dict[JID, Node]:
        """Encrypt ``text`` (or a message) to ``group`` (our key to ``devices``); return what
        each device gets.

        Every device in ``devices`` gets our sender key on the first message only, or on
        this one too when ``distribute``.
        """
        slot = (str(group), self.lid)
        record = self.sender_keys.get(slot)
        first = record is None
        if record is None:
            _, record = create_sender_key(rng=os.urandom)
        message = e2e_pb2.Message(conversation=text) if isinstance(text, str) else text
        out = encrypt_group(
            message,
            message_id=message_id,
            group=group,
            local=self.local,
            devices=devices,
            sessions=self.sessions,
            bundles=bundles,
            trusted_identities={},
            sender_key=record,
            rng=os.urandom,
            addressing_lid=True,
            distribute_to=None if first or distribute else (),
        )
        assert out.sender_key is not None
        self.sender_keys[slot] = out.sender_key
        self.sessions.update(out.sessions)
        return {d: group_part(out.node, d, self.lid) for d in devices}


def group_part(node: Node, device: JID, sender: JID) -> Node:
    """Return what the server hands ``device`` of the group message ``node`` from ``sender``."""
    for target, part in split_for_devices(node, sender=sender, timestamp=T):
        if target == device:
            return decode_node(encode_node(part))
    attrs = {key: node.attrs[key] for key in ("id", "type") if key in node.attrs}
    attrs.update({"from": node.attrs["to"], "participant": sender, "t": str(T)})
    skmsg = [child for child in node.children if child.tag == "enc"]
    return decode_node(encode_node(Node("message", attrs, skmsg)))


def bob() -> Peer:
    """Return a fresh peer "Bob" (a phone: device 0)."""
    return Peer(JID("15550002222", "s.whatsapp.net"), JID("222000222", "lid"), 3)


def own_phone() -> Peer:
    """Return our own account's phone (device 0)."""
    return Peer(JID("15550001111", "s.whatsapp.net"), JID("111000111", "lid"), 4)


class Wire:
    """The server side of one client's message services (see the module docstring)."""

    def __init__(
        self,
        store: AccountStore,
        peers: list[Peer],
        *,
        ack: bool = True,
        own: tuple[JID, JID] = (OWN_PN, OWN_LID),
        members: MemberSource | None = None,
        stale: Callable[[JID], Awaitable[None]] | None = None,
        admin: Callable[[JID, JID], Awaitable[bool]] | None = None,
    ) -> None:
        self.store = store
        self.peers = peers
        self.ack = ack
        self.own_pn, self.own_lid = own
        self.other: Wire | None = None
        """Another client's wire: messages and receipts for it are routed there."""
        self.ack_error: str | None = None
        self.ack_phash: str | None = None
        self.log: list[Node | str] = []
        self.events = Events()
        self.tasks: list[asyncio.Task[None]] = []
        self.requests = Requests(self.send, prefix="t", timeout=2.0)
        self.router = Router(self.requests, self.send)
        self.messaging = Messaging(
            self.router,
            self.requests,
            self.send,
            store,
            emit=self.events,
            spawn=self.spawn,
            timeout=2.0,
            rng=os.urandom,
            members=members,
            stale=stale,
            admin=admin,
        )
        commit = store.commit_inbound

        async def logged_commit(unit: InboundUnit) -> bool:
            fresh = await commit(unit)
            self.log.append(f"commit {unit.message.message_id}")
            return fresh

        store.commit_inbound = logged_commit  # type: ignore[method-assign]

    @property
    def sent(self) -> list[Node]:
        """Every node the client sent, in order."""
        return [entry for entry in self.log if isinstance(entry, Node)]

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        self.tasks.append(asyncio.ensure_future(work))

    async def settle(self) -> None:
        """Wait until this wire (and the other one) has no spawned work left."""
        wires = [self] if self.other is None else [self, self.other]
        while True:
            await asyncio.sleep(0)  # let scheduled callbacks spawn their work
            pending = [task for wire in wires for task in wire.tasks]
            if not pending:
                return
            for wire in wires:
                wire.tasks.clear()
            await asyncio.gather(*pending)

    async def deliver(self, node: Node) -> None:
        """Hand ``node`` to the client as the server would."""
        await self.router.dispatch(node)

    async def send(self, node: Node) -> None:
        self.log.append(node)
        answer: Node | None = None
        if node.tag == "iq":
            answer = await self._answer(node)
        elif node.tag == "receipt" and self.other is not None:
            attrs = {k: v for k, v in node.attrs.items() if k != "to"}
            self._route(Node("receipt", {**attrs, "from": self.own_lid}, node.content))
        if node.tag == "message" and self.other is not None:
            for device, part in split_for_devices(node, sender=self.own_lid, timestamp=T):
                if device == self.other.own_lid:
                    self._route(part)
        if node.tag == "message" and self.ack:
            attrs: dict[str, str | JID] = {"class": "message", "id": node.attrs["id"]}
            attrs.update({"from": node.attrs["to"], "t": str(T)})
            if self.ack_error is not None:
                attrs["error"] = self.ack_error
            if self.ack_phash is not None:
                attrs["phash"] = self.ack_phash
            answer = Node("ack", attrs)
        if answer is not None:
            reply = answer
            asyncio.get_running_loop().call_soon(
                lambda: self.spawn(self.router.dispatch(reply), "reply")
            )

    def _route(self, node: Node) -> None:
        other = self.other
        assert other is not None
        copy = decode_node(encode_node(node))
        asyncio.get_running_loop().call_soon(lambda: self.spawn(other.deliver(copy), "route"))

    async def _answer(self, iq: Node) -> Node:
        xmlns = iq.attrs["xmlns"]
        result: dict[str, str | JID] = {"id": iq.attrs["id"], "type": "result", "from": SERVER_JID}
        if xmlns == "usync":
            users = iq.get_path("usync", "list")
            assert users is not None
            answered = [self._usync_user(JID.parse(str(u.attrs["jid"]))) for u in users.children]
            return Node("iq", result, [Node("usync", {}, [Node("list", {}, answered)])])
        assert xmlns == "encrypt"
        key = iq.get_child("key")
        assert key is not None
        listed = []
        for user in key.children:
            device = JID.parse(str(user.attrs["jid"]))
            peer = self._peer(device)
            if peer is not None:
                bundle = peer.bundle()
            else:
                assert self.other is not None and device == self.other.own_lid, device
                bundle = await own_bundle(self.other.store)
            listed.append(Node("user", {"jid": device}, bundle_children(bundle)))
        return Node("iq", result, [Node("list", {}, listed)])

    def _peer(self, device: JID) -> Peer | None:
        for peer in self.peers:
            if device in (peer.jid, peer.lid):
                return peer
        return None

    def _usync_user(self, user: JID) -> Node:
        devices = []
        for peer in self.peers:
            for jid in (peer.jid, peer.lid):
                if jid.to_non_ad() == user:
                    attrs = {"id": str(jid.device)}
                    if jid.device:
                        attrs["key-index"] = "1"
                    devices.append(Node("device", attrs))
        lids = [p.lid.to_non_ad() for p in self.peers if p.jid.to_non_ad() == user]
        for wire in (self, self.other):
            if wire is None:
                continue
            if user.user in (wire.own_pn.user, wire.own_lid.user):
                devices.append(Node("device", {"id": str(wire.own_pn.device), "key-index": "1"}))
            if user == wire.own_pn.to_non_ad():
                lids.append(wire.own_lid.to_non_ad())
        children = [Node("devices", {}, [Node("device-list", {}, devices)])]
        if lids:
            children.append(Node("lid", {"val": lids[0]}))
        return Node("user", {"jid": user}, children)


async def paired_store(
    store: AccountStore, own: tuple[JID, JID] = (OWN_PN, OWN_LID)
) -> AccountStore:
    """Give ``store`` the credentials of a device paired as ``own`` (PN and LID device JIDs)."""
    pn, lid = own
    await store.save_credentials(
        credentials(jid=str(pn), lid=str(lid), signed_device_identity=b"own-adv")
    )
    return store


async def own_bundle(store: AccountStore) -> PreKeyBundle:
    """Return the client's bundle with one fresh one-time pre-key (as a key fetch gives)."""
    stored = await store.load_credentials()
    assert stored is not None
    (key,) = await store.get_or_generate_pre_keys(1)
    await store.mark_pre_keys_uploaded(key.key_id)
    spk = stored.signed_pre_key
    return PreKeyBundle(
        stored.registration_id,
        stored.identity_key.public,
        spk.key_id,
        spk.key_pair.public,
        spk.signature,
        key.key_id,
        key.key_pair.public,
    )
