"""A linked companion that also speaks E2E: keys, sessions, and explicit send/receive steps.

It uses :mod:`botkit.core.e2e` the way a client does, keyed by device JID (tests stay in one
JID family per peer), and fetches bundles with the real ``encrypt`` IQ.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from botkit.core.binary import Node
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
    create_sender_key,
)
from botkit.core.stanza import message_id, parse_key_fetch_result
from botkit.pb import e2e_pb2
from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .companion import Companion, Connected, pair


def pn(phone: str, device: int = 0) -> JID:
    """Return device ``device`` of ``phone`` as a phone-number JID."""
    return JID(phone, "s.whatsapp.net", device)


@dataclass
class Peer:
    """A companion paired to an account, with the records a client would keep."""

    sandbox: Sandbox
    phone: str
    companion: Companion = field(default_factory=Companion)
    conn: Connected | None = None
    sessions: dict[JID, SessionRecord] = field(default_factory=dict)
    prekeys: dict[int, PreKey] = field(default_factory=dict)
    sender_keys: dict[tuple[JID, JID], SenderKeyRecord] = field(default_factory=dict)
    """Sender keys by (group, sender device); our own under (group, our JID)."""

    @property
    def jid(self) -> JID:
        assert self.companion.jid is not None
        return self.companion.jid

    @property
    def local(self) -> LocalDevice:
        account = self.sandbox.world.account(self.phone)
        assert account is not None
        return LocalDevice(
            self.jid,
            JID(account.lid_user, "lid", self.jid.device),
            self.companion.identity,
            self.companion.registration_id,
            b"test-device-identity",
        )

    async def link(self) -> Peer:
        await pair(self.sandbox, self.phone, self.companion)
        return self

    async def login(self, *, backlog: bool = True) -> list[Node]:
        """Log in; return the backlog sent before ``<ib><offline/>`` (checked against count)."""
        self.conn = await self.companion.connect(self.sandbox, self.companion.login_payload())
        await self.conn.node("success")
        got: list[Node] = []
        while backlog:
            node = await self.next("message", "receipt", "ack", "ib", "notification")
            if node.tag == "ib":
                offline = node.get_child("offline")
                assert offline is not None and offline.attrs["count"] == str(len(got))
                return got
            got.append(node)
        return got

    async def next(self, *tags: str) -> Node:
        """Return the next node with one of ``tags`` (default: message, receipt, ack or ib)."""
        assert self.conn is not None
        wanted = tags or ("message", "receipt", "ack", "ib")
        while True:
            event = await self.conn.event()
            node = getattr(event, "node", None)
            assert node is not None, event
            if node.tag in wanted:
                return node

    async def close(self) -> None:
        assert self.conn is not None
        await self.conn.close()
        self.conn = None

    async def send(self, node: Node) -> None:
        assert self.conn is not None
        await self.conn.send(node)

    async def encrypt(self, to: JID, text: str, devices: list[JID]) -> Node:
        """Return a text message to ``to`` for ``devices``, fetching bundles it lacks."""
        assert self.conn is not None
        bundles = await self._bundles(devices)
        out = encrypt_direct(
            e2e_pb2.Message(conversation=text),
            message_id=message_id(timestamp=1, random_bytes=os.urandom(16)),
            to=to,
            local=self.local,
            devices=devices,
            sessions=self.sessions,
            bundles=bundles,
            trusted_identities={},
            rng=os.urandom,
        )
        self.sessions.update(out.sessions)
        return out.node

    async def _bundles(self, devices: list[JID]) -> dict[JID, PreKeyBundle]:
        """Fetch the bundles of the devices we have no session with."""
        assert self.conn is not None
        missing = [d for d in devices if d not in self.sessions and d != self.jid]
        if not missing:
            return {}
        users = [Node("user", {"jid": d}) for d in missing]
        answer = await self.conn.iq("encrypt", "get", [Node("key", {}, users)])
        return dict(parse_key_fetch_result(answer).bundles)

    async def encrypt_group(self, group: JID, text: str, devices: list[JID]) -> Node:
        """Return a group text: our sender key to ``devices`` pairwise, the text as skmsg."""
        own = self.sender_keys.get((group, self.jid))
        if own is None:
            _, own = create_sender_key(rng=os.urandom)
        out = encrypt_group(
            e2e_pb2.Message(conversation=text),
            message_id=message_id(timestamp=1, random_bytes=os.urandom(16)),
            group=group,
            local=self.local,
            devices=devices,
            sessions=self.sessions,
            bundles=await self._bundles(devices),
            trusted_identities={},
            sender_key=own,
            rng=os.urandom,
        )
        self.sessions.update(out.sessions)
        assert out.sender_key is not None
        self.sender_keys[(group, self.jid)] = out.sender_key
        return out.node

    def decrypt(self, node: Node) -> ReceivedMessage:
        """Decrypt a delivered message and keep the new records."""
        sender = node.attrs.get("participant") or node.attrs["from"]
        assert isinstance(sender, JID)
        spk = self.companion.signed_pre_key
        chat = node.attrs["from"]
        assert isinstance(chat, JID)
        got = decrypt_incoming(
            node,
            local=self.local,
            session=self.sessions.get(sender),
            sender_key=self.sender_keys.get((chat, sender)),
            signed_prekeys={spk.key_id: spk},
            one_time_prekeys=self.prekeys,
            trusted_identity=None,
            rng=os.urandom,
        )
        if got.session is not None:
            self.sessions[sender] = got.session
        if got.sender_key is not None:
            self.sender_keys[(chat, sender)] = got.sender_key
        return got
