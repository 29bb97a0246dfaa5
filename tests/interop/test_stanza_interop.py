"""Stanzas and the E2E pipeline against Baileys, offline (``stanza_oracle.mjs``).

Message ids and participant hashes against Baileys' functions; usync answers parsed by both; and
whole messages both ways: a ``<message>`` botkit builds is decrypted by Baileys'
``decryptMessageNode`` with its libsignal repository, and a message Baileys encrypts is
decrypted by botkit's receive core; a botkit group message (pairwise sender-key distribution,
then the ``skmsg``) is read by Baileys too. Pre-keys travel as stanzas: Baileys' upload node becomes
the bundle botkit encrypts to, and botkit's key-fetch answer is what Baileys injects.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.e2e import LocalDevice, decrypt_incoming, encrypt_direct, encrypt_group
from botkit.core.signal import (
    PreKeyBundle,
    SessionRecord,
    create_sender_key,
    generate_identity_key_pair,
    generate_prekeys,
    generate_registration_id,
    generate_signed_prekey,
)
from botkit.core.stanza import (
    bundle_children,
    message_id,
    parse_device_result,
    parse_key_fetch_result,
    participant_hash,
    split_for_devices,
)
from botkit.pb import e2e_pb2
from botkit.types.jid import JID

from .oracle import INTEROP_DIR, Oracle, OracleUnavailable

BOT_PN = JID("15550001111", "s.whatsapp.net", 2)
BOT_LID = JID("111000111", "lid", 2)
PEER_PN = JID("15550003333", "s.whatsapp.net", 1)
PEER_LID = JID("333000333", "lid", 1)


@pytest.fixture(scope="module")
def stanza_oracle() -> Iterator[Oracle]:
    """A running Baileys stanza oracle; a missing Node install fails the test (never skips)."""
    try:
        running = Oracle(INTEROP_DIR / "stanza_oracle.mjs")
    except OracleUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    with running:
        yield running


def _hex_node(node: Node) -> str:
    return encode_node(node).hex()


def test_message_ids_match_baileys(stanza_oracle: Oracle) -> None:
    rng = random.Random(7)
    for user in ("15550001111", None, "123456789012345678901234"):
        timestamp, random_bytes = rng.randrange(2**32), rng.randbytes(16)
        theirs = stanza_oracle.request(
            "message_id",
            timestamp=timestamp,
            random=random_bytes.hex(),
            user=f"{user}@s.whatsapp.net" if user else None,
        )
        assert message_id(timestamp=timestamp, random_bytes=random_bytes, own_user=user) == theirs


def test_baileys_phash_is_a_prefix_of_ours(stanza_oracle: Oracle) -> None:
    devices = [PEER_LID, BOT_LID, JID("333000333", "lid")]
    theirs = stanza_oracle.request("phash", jids=[d.ad_string() for d in devices])
    ours = participant_hash(devices)
    assert len(theirs) == 8 and ours.startswith(theirs)


@pytest.fixture(scope="module")
def peer_upload(stanza_oracle: Oracle) -> Node:
    upload = stanza_oracle.request("create", peer="peer", me=str(PEER_PN), lid=str(PEER_LID))
    return decode_node(bytes.fromhex(upload))


def test_usync_answers_parse_alike(stanza_oracle: Oracle, peer_upload: Node) -> None:
    user = JID("444000444", "lid")
    device_list = [
        Node("device", {"id": "0"}),
        Node("device", {"id": "3", "key-index": "1"}),
        Node("device", {"id": "4"}),
        Node("device", {"id": "20", "key-index": "2", "is_hosted": "true"}),
    ]
    devices = Node("devices", {}, [Node("device-list", {}, device_list)])
    users = [Node("user", {"jid": user}, [devices, Node("lid", {"val": user})])]
    usync = Node("usync", {"sid": "1"}, [Node("list", {}, users)])
    answer = Node("iq", {"id": "1", "type": "result"}, [usync])
    theirs = stanza_oracle.request("usync", peer="peer", node=_hex_node(answer))
    (ours,) = parse_device_result(answer)
    assert [(d.user, d.device, d.server) for d in ours.devices] == [
        (t["user"], t["device"], t["server"]) for t in theirs
    ]


class Bot:
    """botkit's side: one device with its keys and stored records."""

    def __init__(self) -> None:
        self.rng = random.Random(11)
        draw = self.rng.randbytes
        identity = generate_identity_key_pair(draw)
        self.local = LocalDevice(BOT_PN, BOT_LID, identity, generate_registration_id(draw), b"")
        self.signed = generate_signed_prekey(identity, 1, draw)
        self.prekeys = {k.key_id: k for k in generate_prekeys(1, 3, draw)}
        self.sessions: dict[JID, SessionRecord] = {}

    def bundle(self) -> PreKeyBundle:
        key = self.prekeys[min(self.prekeys)]
        return PreKeyBundle.of(self.local.registration_id, self.local.identity, self.signed, key)

    def send(self, message: e2e_pb2.Message, bundles: dict[JID, PreKeyBundle]) -> Node:
        out = encrypt_direct(
            message,
            message_id=message_id(timestamp=1, random_bytes=self.rng.randbytes(16)),
            to=PEER_LID.to_non_ad(),
            local=self.local,
            devices=[PEER_LID],
            sessions=self.sessions,
            bundles=bundles,
            trusted_identities={},
            rng=self.rng.randbytes,
        )
        self.sessions.update(out.sessions)
        ((_, delivered),) = split_for_devices(out.node, sender=BOT_LID, timestamp=1_700_000_000)
        return delivered

    def receive(self, data: bytes) -> e2e_pb2.Message:
        node = decode_node(data)
        sender = JID.parse(str(node.attrs["from"]))
        got = decrypt_incoming(
            node,
            local=self.local,
            session=self.sessions.get(sender),
            sender_key=None,
            signed_prekeys={self.signed.key_id: self.signed},
            one_time_prekeys=self.prekeys,
            trusted_identity=None,
            rng=self.rng.randbytes,
        )
        assert got.session is not None
        self.sessions[sender] = got.session
        if got.used_prekey_id is not None:
            del self.prekeys[got.used_prekey_id]
        return got.message


def _bundle_from_upload(upload: Node, device: JID = PEER_LID) -> PreKeyBundle:
    """The key-fetch answer a server would make from Baileys' upload, parsed by botkit."""
    first_key = upload.get_path("list", "key")
    assert first_key is not None
    kept = [c for c in upload.children if c.tag in ("registration", "type", "identity", "skey")]
    user = Node("user", {"jid": device}, [*kept, first_key])
    answer = Node("iq", {"id": "1", "type": "result"}, [Node("list", {}, [user])])
    return parse_key_fetch_result(decode_node(encode_node(answer))).bundles[device]


def _decrypt_at_peer(oracle: Oracle, node: Node, peer: str = "peer") -> dict[str, Any]:
    result: dict[str, Any] = oracle.request("decrypt", peer=peer, node=_hex_node(node))
    assert result["stub"] is None, result["stub"]
    message: dict[str, Any] = result["message"]
    return message


def test_messages_both_ways_with_baileys(stanza_oracle: Oracle, peer_upload: Node) -> None:
    bot = Bot()
    first = bot.send(
        e2e_pb2.Message(conversation="hello Baileys"), {PEER_LID: _bundle_from_upload(peer_upload)}
    )
    assert first.children[0].attrs["type"] == "pkmsg"
    assert _decrypt_at_peer(stanza_oracle, first)["conversation"] == "hello Baileys"

    reply = stanza_oracle.request(
        "encrypt",
        peer="peer",
        to=str(BOT_LID),
        sender=str(PEER_LID),
        message_id="R1",
        text="hello botkit",
    )
    assert bot.receive(bytes.fromhex(reply)).conversation == "hello botkit"

    quoted = e2e_pb2.Message()
    ext = quoted.extended_text_message
    ext.text = "@333000333 see this"
    ext.context_info.stanza_id = "R1"
    ext.context_info.participant = str(PEER_LID.to_non_ad())
    ext.context_info.quoted_message.conversation = "hello botkit"
    ext.context_info.mentioned_jid.append(str(PEER_LID.to_non_ad()))
    second = bot.send(quoted, {})
    assert second.children[0].attrs["type"] == "msg"
    got = _decrypt_at_peer(stanza_oracle, second)["extendedTextMessage"]
    assert got["text"] == "@333000333 see this"
    assert got["contextInfo"]["stanzaId"] == "R1"
    assert got["contextInfo"]["quotedMessage"] == {"conversation": "hello botkit"}
    assert got["contextInfo"]["mentionedJid"] == ["333000333@lid"]

    reaction = e2e_pb2.Message()
    reaction.reaction_message.key.remote_jid = str(PEER_LID.to_non_ad())
    reaction.reaction_message.key.id = "R1"
    reaction.reaction_message.text = "👍"
    reaction.reaction_message.sender_timestamp_ms = 1_700_000_000_000
    react_node = bot.send(reaction, {})
    assert react_node.attrs["type"] == "reaction"
    got = _decrypt_at_peer(stanza_oracle, react_node)["reactionMessage"]
    assert got["key"] == {"remoteJid": "333000333@lid", "id": "R1"}
    assert got["text"] == "👍"


def test_baileys_starts_a_session_from_botkits_bundle(stanza_oracle: Oracle) -> None:
    other_pn, other_lid = JID("15550004444", "s.whatsapp.net", 1), JID("444000444", "lid", 1)
    stanza_oracle.request("create", peer="other", me=str(other_pn), lid=str(other_lid))
    bot = Bot()
    user = Node("user", {"jid": BOT_LID}, bundle_children(bot.bundle()))
    answer = Node("iq", {"id": "1", "type": "result"}, [Node("list", {}, [user])])
    stanza_oracle.request("inject", peer="other", node=_hex_node(answer))
    data = stanza_oracle.request(
        "encrypt",
        peer="other",
        to=str(BOT_LID),
        sender=str(other_lid),
        message_id="B1",
        text="first contact",
    )
    assert bot.receive(bytes.fromhex(data)).conversation == "first contact"
    assert min(bot.prekeys) == 2  # the one-time pre-key was used up


def test_baileys_reads_a_botkit_group_message(stanza_oracle: Oracle) -> None:
    member_pn, member_lid = JID("15550005555", "s.whatsapp.net", 1), JID("555000555", "lid", 1)
    upload = stanza_oracle.request("create", peer="member", me=str(member_pn), lid=str(member_lid))
    bundle = _bundle_from_upload(decode_node(bytes.fromhex(upload)), member_lid)
    bot = Bot()
    group = JID("120363000000000009", "g.us")
    _, sender_key = create_sender_key(rng=bot.rng.randbytes)
    for round_, text in enumerate(("first in group", "second in group")):
        out = encrypt_group(
            e2e_pb2.Message(conversation=text),
            message_id=message_id(timestamp=round_, random_bytes=bot.rng.randbytes(16)),
            group=group,
            local=bot.local,
            devices=[member_lid],
            sessions=bot.sessions,
            bundles={member_lid: bundle} if round_ == 0 else {},
            trusted_identities={},
            sender_key=sender_key,
            rng=bot.rng.randbytes,
            addressing_lid=True,
        )
        bot.sessions.update(out.sessions)
        assert out.sender_key is not None
        sender_key = out.sender_key
        ((_, delivered),) = split_for_devices(out.node, sender=BOT_LID, timestamp=1_700_000_000)
        assert _decrypt_at_peer(stanza_oracle, delivered, "member")["conversation"] == text
