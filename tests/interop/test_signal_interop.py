"""1:1 Signal sessions: botkit and libsignal@6.0.0 (the library Baileys uses), both directions.

libsignal runs in ``signal_oracle.mjs`` with in-memory stores; botkit's side is :class:`Device`,
which keeps records the way a client would (stored as bytes, replaced only on success).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from botkit.core.signal import (
    KeyPair,
    PreKey,
    PreKeyBundle,
    SessionRecord,
    SignedPreKey,
    decrypt_message,
    decrypt_prekey_message,
    encrypt,
    generate_identity_key_pair,
    generate_prekeys,
    generate_registration_id,
    generate_signed_prekey,
    parse_prekey_message,
    parse_public_key,
    process_bundle,
    serialize_public_key,
)
from botkit.errors import (
    BadMac,
    CryptoError,
    DuplicateMessage,
    InvalidMessage,
    InvalidSignature,
    UnknownPreKey,
    UnsupportedVersion,
    UntrustedIdentity,
)
from botkit.pb import signal_wire_pb2

from .oracle import INTEROP_DIR, Oracle, OracleUnavailable

BOT = "botkit"  # botkit's name at libsignal's side
ALTERNATING = 200


@pytest.fixture(scope="module")
def signal_oracle() -> Iterator[Oracle]:
    """A running libsignal oracle; a missing Node install fails the test (never skips it)."""
    try:
        running = Oracle(INTEROP_DIR / "signal_oracle.mjs")
    except OracleUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    with running:
        yield running


@dataclass
class Device:
    """botkit's side: identity, pre-keys, stored session records and trusted identities."""

    rng: random.Random
    identity: KeyPair = field(init=False)
    registration_id: int = field(init=False)
    signed_prekey: SignedPreKey = field(init=False)
    prekeys: dict[int, PreKey] = field(init=False)
    sessions: dict[str, bytes] = field(default_factory=dict)
    trusted: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        draw = self.rng.randbytes
        self.identity = generate_identity_key_pair(draw)
        self.registration_id = generate_registration_id(draw)
        self.signed_prekey = generate_signed_prekey(self.identity, 7, draw)
        self.prekeys = {k.key_id: k for k in generate_prekeys(100, 10, draw)}

    def record(self, peer: str) -> SessionRecord:
        stored = self.sessions.get(peer)
        return SessionRecord() if stored is None else SessionRecord.deserialize(stored)

    def base_key(self, peer: str) -> bytes:
        """The base key of the current session with ``peer`` (which session is in use)."""
        current = self.record(peer).current
        assert current is not None
        return current.base_key

    def bundle(self, with_prekey: bool) -> dict[str, Any]:
        """Our bundle in the oracle's JSON form."""
        bundle: dict[str, Any] = {
            "registration_id": self.registration_id,
            "identity_key": self.identity.serialized_public.hex(),
            "signed_prekey_id": self.signed_prekey.key_id,
            "signed_prekey": self.signed_prekey.key_pair.serialized_public.hex(),
            "signature": self.signed_prekey.signature.hex(),
        }
        if with_prekey:
            prekey = min(self.prekeys.values(), key=lambda k: k.key_id)
            bundle["prekey_id"] = prekey.key_id
            bundle["prekey"] = prekey.key_pair.serialized_public.hex()
        return bundle

    def process(self, peer: str, bundle: dict[str, Any]) -> None:
        parsed = PreKeyBundle(
            registration_id=bundle["registration_id"],
            identity_key=parse_public_key(bytes.fromhex(bundle["identity_key"])),
            signed_prekey_id=bundle["signed_prekey_id"],
            signed_prekey=parse_public_key(bytes.fromhex(bundle["signed_prekey"])),
            signed_prekey_signature=bytes.fromhex(bundle["signature"]),
            prekey_id=bundle.get("prekey_id"),
            prekey=parse_public_key(bytes.fromhex(bundle["prekey"]))
            if "prekey" in bundle
            else None,
        )
        record = process_bundle(
            self.record(peer),
            parsed,
            address=peer,
            our_identity=self.identity,
            our_registration_id=self.registration_id,
            trusted_identity=self.trusted.get(peer),
            rng=self.rng.randbytes,
        )
        self.trusted[peer] = parsed.identity_key
        self.sessions[peer] = record.serialize()

    def encrypt(self, peer: str, plaintexts: list[bytes]) -> list[dict[str, str]]:
        record = self.record(peer)
        out = []
        for plaintext in plaintexts:
            message, record = encrypt(record, plaintext, our_identity=self.identity)
            out.append({"type": message.type, "data": message.data.hex()})
        self.sessions[peer] = record.serialize()
        return out

    def decrypt(self, peer: str, message: dict[str, str]) -> bytes:
        """Decrypt one message; on any error the stored record is left as it was."""
        data = bytes.fromhex(message["data"])
        record = self.record(peer)
        if message["type"] == "pkmsg":
            plaintext, record, used = decrypt_prekey_message(
                record,
                data,
                address=peer,
                our_identity=self.identity,
                signed_prekeys={self.signed_prekey.key_id: self.signed_prekey},
                one_time_prekeys=self.prekeys,
                trusted_identity=self.trusted.get(peer),
                rng=self.rng.randbytes,
            )
            if used is not None:
                del self.prekeys[used]
            self.trusted.setdefault(peer, parse_prekey_message(data).identity_key)
        else:
            plaintext, record = decrypt_message(
                record,
                data,
                address=peer,
                our_identity=self.identity,
                trusted_identity=self.trusted.get(peer),
                rng=self.rng.randbytes,
            )
        self.sessions[peer] = record.serialize()
        return plaintext


def _texts(prefix: str, count: int) -> list[bytes]:
    return [f"{prefix} {i}".encode() * (1 + i % 5) for i in range(count)]


def _node_decrypt(oracle: Oracle, peer: str, messages: list[dict[str, str]]) -> list[bytes]:
    results = oracle.request("decrypt", peer=peer, remote=BOT, messages=messages)
    errors = [r["error"] for r in results if "error" in r]
    assert not errors, errors
    return [bytes.fromhex(r["plaintext"]) for r in results]


def _node_encrypt(oracle: Oracle, peer: str, plaintexts: list[bytes]) -> list[dict[str, str]]:
    return list(
        oracle.request("encrypt", peer=peer, remote=BOT, plaintexts=[p.hex() for p in plaintexts])
    )


def _alternate(oracle: Oracle, bot: Device, peer: str, rounds: int) -> None:
    """``rounds`` strictly alternating messages (botkit first): a DH ratchet step every turn."""
    for turn in range(rounds // 2):
        ours = _texts(f"bot {turn}", 1)
        assert _node_decrypt(oracle, peer, bot.encrypt(peer, ours)) == ours
        theirs = _texts(f"node {turn}", 1)
        [message] = _node_encrypt(oracle, peer, theirs)
        assert message["type"] == "msg"
        assert bot.decrypt(peer, message) == theirs[0]


def _new_pair(oracle: Oracle, peer: str, seed: int) -> Device:
    oracle.request("create", peer=peer, prekeys=5)
    return Device(random.Random(seed))


@pytest.mark.parametrize("with_prekey", [True, False], ids=["one-time-prekey", "no-prekey"])
def test_libsignal_initiates(signal_oracle: Oracle, with_prekey: bool) -> None:
    peer = f"node-init-{with_prekey}"
    bot = _new_pair(signal_oracle, peer, 1)
    signal_oracle.request("process_bundle", peer=peer, remote=BOT, bundle=bot.bundle(with_prekey))
    first = _texts("hello", 3)
    messages = _node_encrypt(signal_oracle, peer, first)
    assert [m["type"] for m in messages] == ["pkmsg"] * 3
    before = set(bot.prekeys)
    assert [bot.decrypt(peer, m) for m in messages] == first
    assert len(before - set(bot.prekeys)) == (1 if with_prekey else 0)
    _alternate(signal_oracle, bot, peer, ALTERNATING)


@pytest.mark.parametrize("with_prekey", [True, False], ids=["one-time-prekey", "no-prekey"])
def test_botkit_initiates(signal_oracle: Oracle, with_prekey: bool) -> None:
    peer = f"bot-init-{with_prekey}"
    bot = _new_pair(signal_oracle, peer, 2)
    bundle = signal_oracle.request("bundle", peer=peer, with_prekey=with_prekey)
    bot.process(peer, bundle)
    first = _texts("hello", 3)
    messages = bot.encrypt(peer, first)
    assert [m["type"] for m in messages] == ["pkmsg"] * 3
    assert _node_decrypt(signal_oracle, peer, messages) == first
    if with_prekey:
        assert not signal_oracle.request("has_prekey", peer=peer, prekey_id=bundle["prekey_id"])
    [reply] = _node_encrypt(signal_oracle, peer, [b"ack"])
    assert bot.decrypt(peer, reply) == b"ack"
    assert bot.encrypt(peer, [b"now a plain msg"])[0]["type"] == "msg"
    _alternate(signal_oracle, bot, peer, ALTERNATING)


def test_botkit_decrypts_shuffled_across_a_ratchet_step(signal_oracle: Oracle) -> None:
    peer = "shuffle-to-bot"
    bot = _new_pair(signal_oracle, peer, 3)
    bot.process(peer, signal_oracle.request("bundle", peer=peer, with_prekey=True))
    _alternate(signal_oracle, bot, peer, 2)
    first_chain = _node_encrypt(signal_oracle, peer, _texts("a", 51))
    assert bot.decrypt(peer, first_chain[0]) == _texts("a", 1)[0]
    _node_decrypt(signal_oracle, peer, bot.encrypt(peer, [b"step"]))  # libsignal ratchets
    second_chain = _node_encrypt(signal_oracle, peer, _texts("b", 50))
    expected = dict(
        zip(
            map(str, first_chain[1:] + second_chain),
            _texts("a", 51)[1:] + _texts("b", 50),
            strict=True,
        )
    )
    shuffled = first_chain[1:] + second_chain
    random.Random(30).shuffle(shuffled)
    for message in shuffled:
        assert bot.decrypt(peer, message) == expected[str(message)]
    _alternate(signal_oracle, bot, peer, 4)


def test_libsignal_decrypts_shuffled_across_a_ratchet_step(signal_oracle: Oracle) -> None:
    peer = "shuffle-to-node"
    bot = _new_pair(signal_oracle, peer, 4)
    bot.process(peer, signal_oracle.request("bundle", peer=peer, with_prekey=True))
    _alternate(signal_oracle, bot, peer, 2)
    first_chain = bot.encrypt(peer, _texts("a", 51))
    _node_decrypt(signal_oracle, peer, first_chain[:1])
    [reply] = _node_encrypt(signal_oracle, peer, [b"step"])
    assert bot.decrypt(peer, reply) == b"step"  # botkit ratchets
    second_chain = bot.encrypt(peer, _texts("b", 50))
    rest = list(
        zip(first_chain[1:] + second_chain, _texts("a", 51)[1:] + _texts("b", 50), strict=True)
    )
    random.Random(40).shuffle(rest)
    assert _node_decrypt(signal_oracle, peer, [m for m, _ in rest]) == [p for _, p in rest]
    _alternate(signal_oracle, bot, peer, 4)


def test_simultaneous_initiation_converges(signal_oracle: Oracle) -> None:
    # Both sides process a bundle and send a pkmsg before either arrives. libsignal then keeps
    # the session botkit started; botkit switches to it when libsignal's first reply decrypts
    # with that (archived) session. libsignal's reply has to come first: libsignal-node tries
    # its sessions in place, so a message for the session it closed would corrupt its open one
    # (botkit's own order-independence is covered in tests/core/signal/test_cipher.py).
    peer = "simultaneous"
    bot = _new_pair(signal_oracle, peer, 5)
    signal_oracle.request("process_bundle", peer=peer, remote=BOT, bundle=bot.bundle(True))
    bot.process(peer, signal_oracle.request("bundle", peer=peer, with_prekey=True))
    ours_base_key = bot.base_key(peer)
    [theirs] = _node_encrypt(signal_oracle, peer, [b"from node"])
    [ours] = bot.encrypt(peer, [b"from botkit"])
    assert theirs["type"] == ours["type"] == "pkmsg"
    assert _node_decrypt(signal_oracle, peer, [ours]) == [b"from botkit"]
    assert bot.decrypt(peer, theirs) == b"from node"
    [reply] = _node_encrypt(signal_oracle, peer, [b"reply"])
    assert reply["type"] == "msg"
    assert bot.decrypt(peer, reply) == b"reply"
    assert bot.base_key(peer) == ours_base_key
    _alternate(signal_oracle, bot, peer, 20)
    assert bot.base_key(peer) == ours_base_key


def test_peer_reregisters_and_pkmsg_identity_change_is_raised(signal_oracle: Oracle) -> None:
    peer = "reregister-in"
    bot = _new_pair(signal_oracle, peer, 6)
    bot.process(peer, signal_oracle.request("bundle", peer=peer, with_prekey=True))
    _alternate(signal_oracle, bot, peer, 4)
    old_record = bot.sessions[peer]
    new_identity = signal_oracle.request("create", peer=peer, prekeys=5)["identity"]
    signal_oracle.request("process_bundle", peer=peer, remote=BOT, bundle=bot.bundle(True))
    [message] = _node_encrypt(signal_oracle, peer, [b"new phone"])
    with pytest.raises(UntrustedIdentity) as raised:
        bot.decrypt(peer, message)
    assert raised.value.address == peer
    assert serialize_public_key(raised.value.identity_key).hex() == new_identity
    assert bot.sessions[peer] == old_record
    bot.trusted[peer] = raised.value.identity_key  # the caller decides to trust the new key
    assert bot.decrypt(peer, message) == b"new phone"
    _alternate(signal_oracle, bot, peer, 10)


def test_peer_reregisters_and_bundle_identity_change_is_raised(signal_oracle: Oracle) -> None:
    peer = "reregister-out"
    bot = _new_pair(signal_oracle, peer, 7)
    bot.process(peer, signal_oracle.request("bundle", peer=peer, with_prekey=True))
    _alternate(signal_oracle, bot, peer, 4)
    signal_oracle.request("create", peer=peer, prekeys=5)
    bundle = signal_oracle.request("bundle", peer=peer, with_prekey=True)
    with pytest.raises(UntrustedIdentity):
        bot.process(peer, bundle)
    bot.trusted[peer] = parse_public_key(bytes.fromhex(bundle["identity_key"]))
    bot.process(peer, bundle)
    assert _node_decrypt(signal_oracle, peer, bot.encrypt(peer, [b"rebuilt"])) == [b"rebuilt"]
    [reply] = _node_encrypt(signal_oracle, peer, [b"welcome back"])
    assert bot.decrypt(peer, reply) == b"welcome back"
    _alternate(signal_oracle, bot, peer, 10)


def _flip(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


TAMPERINGS: list[tuple[str, Callable[[bytes], bytes], type[CryptoError]]] = [
    ("ciphertext bit", lambda data: _flip(data, len(data) - 12), BadMac),
    ("mac bit", lambda data: _flip(data, len(data) - 1), BadMac),
    ("version 2", lambda data: b"\x22" + data[1:], UnsupportedVersion),
    ("version 4", lambda data: b"\x44" + data[1:], UnsupportedVersion),
    ("truncated", lambda data: data[:6], InvalidMessage),
    ("bad protobuf", lambda data: data[:1] + b"\x0a\xff\xff" + data[-8:], InvalidMessage),
    ("empty", lambda data: b"", InvalidMessage),
]


def test_tampered_messages_raise_typed_errors_and_the_session_survives(
    signal_oracle: Oracle,
) -> None:
    peer = "tamper"
    bot = _new_pair(signal_oracle, peer, 8)
    bot.process(peer, signal_oracle.request("bundle", peer=peer, with_prekey=True))
    _alternate(signal_oracle, bot, peer, 2)
    texts = _texts("good", len(TAMPERINGS))
    good = _node_encrypt(signal_oracle, peer, texts)
    for index, (name, tamper, error) in enumerate(TAMPERINGS):
        stored = bot.sessions[peer]
        tampered = tamper(bytes.fromhex(good[index]["data"]))
        with pytest.raises(error):
            bot.decrypt(peer, {"type": "msg", "data": tampered.hex()})
        assert bot.sessions[peer] == stored, name
        assert bot.decrypt(peer, good[index]) == texts[index], name
    with pytest.raises(DuplicateMessage):
        bot.decrypt(peer, good[0])
    _alternate(signal_oracle, bot, peer, 4)


def _tamper_inner_ciphertext(pkmsg: bytes) -> bytes:
    outer = signal_wire_pb2.PreKeySignalMessage.FromString(pkmsg[1:])
    inner = signal_wire_pb2.SignalMessage.FromString(outer.message[1:-8])
    inner.ciphertext = _flip(inner.ciphertext, 3)
    outer.message = outer.message[:1] + inner.SerializeToString() + outer.message[-8:]
    return pkmsg[:1] + outer.SerializeToString()


def test_tampered_prekey_messages_raise_typed_errors(signal_oracle: Oracle) -> None:
    peer = "tamper-pkmsg"
    bot = _new_pair(signal_oracle, peer, 9)
    signal_oracle.request("process_bundle", peer=peer, remote=BOT, bundle=bot.bundle(True))
    [first, second] = _node_encrypt(signal_oracle, peer, [b"one", b"two"])
    data = bytes.fromhex(first["data"])
    cases: list[tuple[bytes, type[CryptoError]]] = [
        (_tamper_inner_ciphertext(data), BadMac),
        (b"\x13" + data[1:], UnsupportedVersion),
        (data[:20], InvalidMessage),
    ]
    for tampered, error in cases:
        with pytest.raises(error):
            bot.decrypt(peer, {"type": "pkmsg", "data": tampered.hex()})
        assert peer not in bot.sessions
    prekeys = bot.prekeys
    bot.prekeys = {}
    with pytest.raises(UnknownPreKey):
        bot.decrypt(peer, first)
    bot.prekeys = prekeys
    assert bot.decrypt(peer, second) == b"two"
    assert bot.decrypt(peer, first) == b"one"
    with pytest.raises(DuplicateMessage):
        bot.decrypt(peer, first)
    _alternate(signal_oracle, bot, peer, 4)


def test_bundle_with_a_bad_signature_is_rejected(signal_oracle: Oracle) -> None:
    peer = "bad-signature"
    bot = _new_pair(signal_oracle, peer, 10)
    bundle = signal_oracle.request("bundle", peer=peer, with_prekey=False)
    bundle["signature"] = _flip(bytes.fromhex(bundle["signature"]), 5).hex()
    with pytest.raises(InvalidSignature):
        bot.process(peer, bundle)
    assert peer not in bot.sessions
