"""A linked companion that also speaks E2E: keys, sessions, and explicit send/receive steps.

It uses :mod:`botkit.core.e2e` the way a client does, keyed by device JID (tests stay in one
JID family per peer), and fetches bundles with the real ``encrypt`` IQ.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from botkit.core.binary import Node
from botkit.core.e2e import LocalDevice, ReceivedMessage, decrypt_incoming, encrypt_direct
from botkit.core.signal import PreKey, SessionRecord
from botkit.core.stanza import message_id, parse_key_fetch_result
from botkit.pb import e2e_pb2
from botkit.server.app import Sandbox
from botkit.types.jid import JID

from .companion import Companion, Connected, pair


@dataclass
class Peer:
    """A companion paired to an account, with the records a client would keep."""

    sandbox: Sandbox
    phone: str
    companion: Companion = field(default_factory=Companion)
    conn: Connected | None = None
    sessions: dict[JID, SessionRecord] = field(default_factory=dict)
    prekeys: dict[int, PreKey] = field(default_factory=dict)

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
            node = await self.next()
            if node.tag == "ib":
                offline = node.get_child("offline")
                assert offline is not None and offline.attrs["count"] == str(len(got))
                return got
            got.append(node)
        return got

    async def next(self) -> Node:
        """Return the next message, receipt, ack or ib node."""
        assert self.conn is not None
        while True:
            event = await self.conn.event()
            node = getattr(event, "node", None)
            assert node is not None, event
            if node.tag in ("message", "receipt", "ack", "ib"):
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
        missing = [d for d in devices if d not in self.sessions and d != self.jid]
        bundles = {}
        if missing:
            users = [Node("user", {"jid": d}) for d in missing]
            answer = await self.conn.iq("encrypt", "get", [Node("key", {}, users)])
            bundles = dict(parse_key_fetch_result(answer).bundles)
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

    def decrypt(self, node: Node) -> ReceivedMessage:
        """Decrypt a delivered message and keep the new records."""
        sender = node.attrs.get("participant") or node.attrs["from"]
        assert isinstance(sender, JID)
        spk = self.companion.signed_pre_key
        got = decrypt_incoming(
            node,
            local=self.local,
            session=self.sessions.get(sender),
            sender_key=None,
            signed_prekeys={spk.key_id: spk},
            one_time_prekeys=self.prekeys,
            trusted_identity=None,
            rng=os.urandom,
        )
        if got.session is not None:
            self.sessions[sender] = got.session
        return got
