"""Sender keys: Signal's group encryption as WhatsApp uses it (PROTOCOL.md §8.5).

A sender creates a sender key (random key id, 32-byte chain key, fresh signing key pair) and
hands it to every member pairwise as a SenderKeyDistributionMessage (SKDM). Each group message
is then encrypted once, with the next message key of that chain, and signed::

    SKDM  = 0x33 || SenderKeyDistributionMessage{id, iteration, chain_key, signing_key (33 B)}
    skmsg = 0x33 || SenderKeyMessage{id, iteration, ciphertext} || XEdDSA(0x33 || protobuf)

Chain step: seed = HMAC-SHA256(chain_key, 0x01), next chain key = HMAC-SHA256(chain_key, 0x02);
the message key is HKDF(seed, no salt, "WhisperGroup", 48) -> IV [0:16], AES-256 key [16:48].

Records in, records out: :func:`create_sender_key` makes a sender's record, every other function
takes a :class:`SenderKeyRecord` and returns a new one. Nothing is mutated and a failure returns
nothing, so the caller's record stays valid. Randomness is the ``rng(n)`` parameter.

Re-processing an SKDM for a chain we already follow keeps the existing state (senders such as
whatsmeow re-send their SKDM with every message), so an old SKDM can neither rewind the chain
to re-open used iterations nor drop the skipped keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.core.signal.keys import KeyPair, parse_public_key, serialize_public_key
from botkit.core.signal.primitives import (
    UnsaltedHkdf,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    chain_step,
)
from botkit.core.signal.ratchet import ChainKey, take_seed
from botkit.core.signal.sender_key_record import (
    MAX_SKIPPED_KEYS,
    SenderKeyRecord,
    SenderKeyState,
)
from botkit.core.signal.wire import check_version
from botkit.core.signal.xeddsa import RANDOM_SIZE, SIGNATURE_SIZE, sign, verify
from botkit.errors import (
    DecodeError,
    InvalidMessage,
    InvalidSignature,
    NoSession,
)
from botkit.pb import signal_wire_pb2

__all__ = [
    "MAX_FORWARD_ITERATIONS",
    "create_sender_key",
    "distribution_message",
    "group_decrypt",
    "group_encrypt",
    "process_distribution",
]

MAX_FORWARD_ITERATIONS = 2000

_VERSION = 3
_VERSION_BYTE = bytes([(_VERSION << 4) | _VERSION])
_CHAIN_KEY_SIZE = 32
_KEY_ID_MASK = 0x7FFFFFFF  # 31-bit ids, as libsignal and Baileys draw them
_MESSAGE_KEY = UnsaltedHkdf(b"WhisperGroup", blocks=2)


def _message_key(seed: bytes) -> tuple[bytes, bytes]:
    """Return ``(iv, cipher key)`` derived from a message key seed (48 bytes of HKDF)."""
    first, second = _MESSAGE_KEY.derive(seed)
    return first[:16], first[16:] + second[:16]


def _distribution_bytes(state: SenderKeyState) -> bytes:
    """Return the SKDM that lets a member follow ``state`` from its current iteration."""
    body = signal_wire_pb2.SenderKeyDistributionMessage(
        id=state.key_id,
        iteration=state.iteration,
        chain_key=state.chain_key,
        signing_key=serialize_public_key(state.signing_public),
    )
    return _VERSION_BYTE + body.SerializeToString()


def _own_state(record: SenderKeyRecord) -> tuple[SenderKeyState, bytes]:
    """Return our own sending state (the newest state) and its private signing key.

    Raises:
        NoSession: the record holds no sending state of ours.
    """
    if not record.states or record.states[0].signing_private is None:
        raise NoSession("no own sender key in this record: create one first")
    return record.states[0], record.states[0].signing_private


def create_sender_key(*, rng: Callable[[int], bytes]) -> tuple[bytes, SenderKeyRecord]:
    """Start a new own sender key (key id, chain key, signing key pair drawn from ``rng``).

    The new record replaces any own record held before: a new key is how a sender starts in a
    group, and how it rotates (after a member left). To re-send the current key, use
    :func:`distribution_message`.

    Returns:
        The SKDM to send to every member, and a new record holding only the new state.
    """
    key_id = (int.from_bytes(rng(4), "big") & _KEY_ID_MASK) or 1
    chain_key = rng(_CHAIN_KEY_SIZE)
    signing = KeyPair.generate(rng(32))
    state = SenderKeyState(
        key_id=key_id,
        iteration=0,
        chain_key=chain_key,
        signing_public=signing.public,
        signing_private=signing.private,
    )
    return _distribution_bytes(state), SenderKeyRecord((state,))


def distribution_message(record: SenderKeyRecord) -> bytes:
    """Return the SKDM of our own sender key at its current iteration (to send it again).

    Raises:
        NoSession: the record holds no sending state of ours.
    """
    return _distribution_bytes(_own_state(record)[0])


def process_distribution(record: SenderKeyRecord, skdm: bytes) -> SenderKeyRecord:
    """Return ``record`` updated with the sender key that ``skdm`` distributes.

    A new key id becomes the newest state (the oldest beyond five are dropped); an id with a
    different signing key replaces its state. For a chain already held, the existing state is
    kept (moved first) unless the SKDM is more than 2,000 iterations ahead of it; then the
    chain jumps to the SKDM's, keeping the stored skipped keys.

    Raises:
        UnsupportedVersion: the version byte is not 3.
        InvalidMessage: ``skdm`` is truncated, its protobuf is invalid or a field is missing or
            malformed.
    """
    if not skdm:
        raise InvalidMessage("an empty SenderKeyDistributionMessage")
    check_version(skdm, "a SenderKeyDistributionMessage")
    body = signal_wire_pb2.SenderKeyDistributionMessage()
    try:
        body.ParseFromString(skdm[1:])
    except ProtobufDecodeError as exc:
        raise InvalidMessage("the SenderKeyDistributionMessage protobuf is invalid") from exc
    for name in ("id", "iteration", "chain_key", "signing_key"):
        if not body.HasField(name):
            raise InvalidMessage(f"a SenderKeyDistributionMessage without {name}")
    if len(body.chain_key) != _CHAIN_KEY_SIZE:
        raise InvalidMessage(f"a sender chain key of {len(body.chain_key)} bytes")
    try:
        signing_public = parse_public_key(body.signing_key)
    except DecodeError as exc:
        raise InvalidMessage("the SKDM signing key is not a Curve25519 key") from exc

    existing = record.state(body.id)
    if existing is not None and existing.signing_public == signing_public:
        if body.iteration - existing.iteration <= MAX_FORWARD_ITERATIONS:
            return record.with_newest(existing)
        jumped = replace(existing, iteration=body.iteration, chain_key=body.chain_key)
        return record.with_newest(jumped)
    state = SenderKeyState(
        key_id=body.id,
        iteration=body.iteration,
        chain_key=body.chain_key,
        signing_public=signing_public,
    )
    return record.with_newest(state)


def group_encrypt(
    record: SenderKeyRecord, plaintext: bytes, *, rng: Callable[[int], bytes]
) -> tuple[bytes, SenderKeyRecord]:
    """Encrypt ``plaintext`` (already padded) with our own sender key and sign it.

    ``rng`` supplies the 64 random bytes of the XEdDSA signature.

    Returns:
        The skmsg bytes and the record with the chain advanced by one iteration.

    Raises:
        NoSession: the record holds no sending state of ours.
    """
    state, signing_private = _own_state(record)
    seed, next_chain_key = chain_step(state.chain_key)
    iv, key = _message_key(seed)
    body = signal_wire_pb2.SenderKeyMessage(
        id=state.key_id,
        iteration=state.iteration,
        ciphertext=aes_cbc_encrypt(key, iv, plaintext),
    )
    signed = _VERSION_BYTE + body.SerializeToString()
    signature = sign(signing_private, signed, rng(RANDOM_SIZE))
    advanced = replace(state, iteration=state.iteration + 1, chain_key=next_chain_key)
    return signed + signature, record.with_updated(advanced)


def _parse_message(skmsg: bytes) -> signal_wire_pb2.SenderKeyMessage:
    """Return the protobuf of ``skmsg`` (its signature is not checked here).

    Raises:
        UnsupportedVersion: the version byte is not 3.
        InvalidMessage: ``skmsg`` is truncated or its protobuf is invalid or incomplete.
    """
    if len(skmsg) <= 1 + SIGNATURE_SIZE:
        raise InvalidMessage(f"a SenderKeyMessage of {len(skmsg)} bytes is truncated")
    check_version(skmsg, "a SenderKeyMessage")
    body = signal_wire_pb2.SenderKeyMessage()
    try:
        body.ParseFromString(skmsg[1:-SIGNATURE_SIZE])
    except ProtobufDecodeError as exc:
        raise InvalidMessage("the SenderKeyMessage protobuf is invalid") from exc
    for name in ("id", "iteration", "ciphertext"):
        if not body.HasField(name):
            raise InvalidMessage(f"a SenderKeyMessage without {name}")
    return body


def _seed_for(state: SenderKeyState, iteration: int) -> tuple[bytes, SenderKeyState]:
    """Return the message key seed of ``iteration`` and the state after using it.

    Raises:
        DuplicateMessage: ``iteration`` is behind the chain and not among the skipped keys.
        TooFarAhead: ``iteration`` is more than 2,000 ahead of the chain.
    """
    seed, chain, skipped = take_seed(
        ChainKey(state.chain_key, state.iteration),
        state.skipped,
        iteration,
        max_ahead=MAX_FORWARD_ITERATIONS,
        max_skipped=MAX_SKIPPED_KEYS,
    )
    return seed, replace(state, iteration=chain.index, chain_key=chain.key, skipped=skipped)


def group_decrypt(record: SenderKeyRecord, skmsg: bytes) -> tuple[bytes, SenderKeyRecord]:
    """Verify and decrypt a SenderKeyMessage with the sender's state in ``record``.

    Returns:
        The plaintext (still padded) and the record with that message key used up.

    Raises:
        UnsupportedVersion: the version byte is not 3.
        InvalidMessage: the message is truncated, its protobuf is invalid, or the ciphertext
            does not decrypt.
        NoSession: the record holds no state with the message's key id.
        InvalidSignature: the signature does not verify with that state's signing key.
        DuplicateMessage: the iteration was already decrypted (or predates the state).
        TooFarAhead: the iteration is more than 2,000 ahead of the chain.
    """
    body = _parse_message(skmsg)
    state = record.state(body.id)
    if state is None:
        raise NoSession(f"no sender key with id {body.id}")
    if not verify(state.signing_public, skmsg[:-SIGNATURE_SIZE], skmsg[-SIGNATURE_SIZE:]):
        raise InvalidSignature("the SenderKeyMessage signature does not verify")
    seed, used = _seed_for(state, body.iteration)
    iv, key = _message_key(seed)
    plaintext = aes_cbc_decrypt(key, iv, body.ciphertext)
    return plaintext, record.with_updated(used)
