"""1:1 Signal sessions: build them from bundles or pre-key messages, encrypt and decrypt.

Records in, records out (ARCHITECTURE.md rule 2): every function takes a
:class:`~botkit.core.signal.session.SessionRecord` and returns a new one; the caller stores it only
when the call succeeded. On failure a function raises its :class:`~botkit.errors.CryptoError`
subclass and returns nothing, and the record passed in stays valid. Randomness comes from the
``rng(n) -> bytes`` parameter.

Identity trust stays with the caller: ``trusted_identity`` is the peer's identity key the caller
trusts (raw 32 bytes), or None when it has none yet (first contact). A different key raises
:class:`~botkit.errors.UntrustedIdentity` naming ``address`` (the peer's Signal address, used only
in errors); the caller decides, then calls again with the new key.

Behaviour follows libsignal: a session we start keeps sending pre-key messages until the peer's
first message arrives on it; decryption tries the current state, then previous ones, and a state
that decrypts becomes current (which makes simultaneous initiation converge on one session).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from botkit.core.signal.keys import KeyPair
from botkit.core.signal.prekeys import PreKey, PreKeyBundle, Rng, SignedPreKey
from botkit.core.signal.primitives import aes_cbc_decrypt, aes_cbc_encrypt
from botkit.core.signal.ratchet import MessageKeys, ReceiverChain, ratchet_root_key
from botkit.core.signal.session import (
    MAX_RECEIVER_CHAINS,
    PendingPreKey,
    SessionRecord,
    SessionState,
)
from botkit.core.signal.wire import (
    SignalMessage,
    encode_prekey_message,
    encode_signal_message,
    parse_prekey_message,
    parse_signal_message,
)
from botkit.core.signal.x3dh import initiator_keys, responder_keys
from botkit.errors import (
    BadMac,
    CryptoError,
    DuplicateMessage,
    InvalidMessage,
    NoSession,
    TooFarAhead,
    UnknownPreKey,
    UntrustedIdentity,
)

__all__ = [
    "CiphertextMessage",
    "decrypt_message",
    "decrypt_prekey_message",
    "encrypt",
    "process_bundle",
]

# The errors a message raises against a state that is not its own, so the next state is tried.
_STATE_MISMATCH = (BadMac, DuplicateMessage, TooFarAhead, InvalidMessage)


@dataclass(frozen=True, slots=True)
class CiphertextMessage:
    """An encrypted message: ``type`` is the ``<enc type>`` attribute, ``data`` the bytes."""

    type: Literal["pkmsg", "msg"]
    data: bytes


def _check_trust(address: str, identity: bytes, trusted_identity: bytes | None) -> None:
    if trusted_identity is not None and identity != trusted_identity:
        raise UntrustedIdentity(address, identity)


def process_bundle(
    record: SessionRecord,
    bundle: PreKeyBundle,
    *,
    address: str,
    our_identity: KeyPair,
    our_registration_id: int,
    trusted_identity: bytes | None,
    rng: Rng,
) -> SessionRecord:
    """Start a session from the peer's pre-key ``bundle`` (we are the X3DH initiator).

    Returns the record with the new session current (the old one archived). Messages encrypted
    on it are pre-key messages until the peer's first reply.

    Raises:
        UntrustedIdentity: the bundle's identity key is not ``trusted_identity``.
        InvalidSignature: the signed pre-key's signature does not verify.
        InvalidMessage: a key in the bundle is unusable (a low-order point).
    """
    _check_trust(address, bundle.identity_key, trusted_identity)
    bundle.verify_signature()
    base_key = KeyPair.generate(rng(32))
    ratchet_key = KeyPair.generate(rng(32))
    try:
        root_key, their_chain = initiator_keys(
            our_identity=our_identity,
            our_base_key=base_key,
            their_identity=bundle.identity_key,
            their_signed_prekey=bundle.signed_prekey,
            their_one_time_prekey=bundle.prekey,
        )
        root_key, our_chain = ratchet_root_key(root_key, bundle.signed_prekey, ratchet_key.private)
    except CryptoError as exc:
        raise InvalidMessage(f"unusable key in the pre-key bundle: {exc}") from exc
    state = SessionState(
        remote_identity=bundle.identity_key,
        remote_registration_id=bundle.registration_id,
        base_key=base_key.public,
        root_key=root_key,
        sender_ratchet=ratchet_key,
        sender_chain=our_chain,
        receiver_chains=(ReceiverChain(bundle.signed_prekey, their_chain),),
        pending=PendingPreKey(bundle.prekey_id, bundle.signed_prekey_id, our_registration_id),
    )
    return record.with_current(state)


def encrypt(
    record: SessionRecord, plaintext: bytes, *, our_identity: KeyPair
) -> tuple[CiphertextMessage, SessionRecord]:
    """Encrypt ``plaintext`` on the current session.

    Returns the message (``pkmsg`` while the session is unacknowledged, else ``msg``) and the
    record with the sending chain advanced.

    Raises:
        NoSession: the record has no current session.
    """
    state = record.current
    if state is None:
        raise NoSession("no session to encrypt with")
    seed, next_chain = state.sender_chain.step()
    cipher_key, mac_key, iv = MessageKeys.from_seed(seed)
    data = encode_signal_message(
        mac_key=mac_key,
        ratchet_key=state.sender_ratchet.public,
        counter=state.sender_chain.index,
        previous_counter=state.previous_counter,
        ciphertext=aes_cbc_encrypt(cipher_key, iv, plaintext),
        sender_identity=our_identity.public,
        receiver_identity=state.remote_identity,
    )
    new_record = SessionRecord(state.with_sender_chain(next_chain), record.previous)
    pending = state.pending
    if pending is None:
        return CiphertextMessage("msg", data), new_record
    data = encode_prekey_message(
        registration_id=pending.local_registration_id,
        prekey_id=pending.prekey_id,
        signed_prekey_id=pending.signed_prekey_id,
        base_key=state.base_key,
        identity_key=our_identity.public,
        message=data,
    )
    return CiphertextMessage("pkmsg", data), new_record


def decrypt_prekey_message(
    record: SessionRecord,
    data: bytes,
    *,
    address: str,
    our_identity: KeyPair,
    signed_prekeys: Mapping[int, SignedPreKey],
    one_time_prekeys: Mapping[int, PreKey],
    trusted_identity: bytes | None,
    rng: Rng,
) -> tuple[bytes, SessionRecord, int | None]:
    """Decrypt a pre-key message (``pkmsg``), building the session it starts if it is new.

    ``signed_prekeys`` and ``one_time_prekeys`` map ids to our keys; only the ids the message
    names are looked up (the caller may pass just those). A message whose base key matches a
    session we already have (the peer has not seen our reply yet) uses that session.

    Returns ``(plaintext, new record, used one-time pre-key id)``; the id is None when no new
    session consumed a one-time pre-key, otherwise the caller deletes that pre-key.

    Raises:
        UnsupportedVersion, InvalidMessage: the message is malformed.
        UntrustedIdentity: the sender's identity key is not ``trusted_identity``.
        UnknownPreKey: the message names a signed or one-time pre-key we do not have.
        BadMac, DuplicateMessage, TooFarAhead: the inner message does not decrypt.
    """
    message = parse_prekey_message(data)
    _check_trust(address, message.identity_key, trusted_identity)
    state = record.find_base_key(message.base_key)
    used_prekey_id = None
    if state is None:
        signed_prekey = signed_prekeys.get(message.signed_prekey_id)
        if signed_prekey is None:
            raise UnknownPreKey(f"no signed pre-key {message.signed_prekey_id}")
        one_time_prekey = None
        if message.prekey_id is not None:
            one_time_prekey = one_time_prekeys.get(message.prekey_id)
            if one_time_prekey is None:
                raise UnknownPreKey(f"no one-time pre-key {message.prekey_id}")
            used_prekey_id = message.prekey_id
        try:
            root_key, chain_key = responder_keys(
                our_identity=our_identity,
                our_signed_prekey=signed_prekey.key_pair,
                our_one_time_prekey=one_time_prekey.key_pair if one_time_prekey else None,
                their_identity=message.identity_key,
                their_base_key=message.base_key,
            )
        except CryptoError as exc:
            raise InvalidMessage(f"unusable key in the pre-key message: {exc}") from exc
        state = SessionState(
            remote_identity=message.identity_key,
            remote_registration_id=message.registration_id,
            base_key=message.base_key,
            root_key=root_key,
            sender_ratchet=signed_prekey.key_pair,
            sender_chain=chain_key,
        )
    plaintext, state = _decrypt_with_state(state, message.message, our_identity.public, rng)
    return plaintext, record.with_current(state), used_prekey_id


def decrypt_message(
    record: SessionRecord,
    data: bytes,
    *,
    address: str,
    our_identity: KeyPair,
    trusted_identity: bytes | None,
    rng: Rng,
) -> tuple[bytes, SessionRecord]:
    """Decrypt a ``msg`` with the current session or, failing that, a previous one.

    Returns ``(plaintext, new record)``; the session that decrypted becomes current.

    Raises:
        UnsupportedVersion, InvalidMessage: the message is malformed.
        NoSession: the record holds no session.
        BadMac: no session's keys authenticate the message (tampered, or not for us).
        DuplicateMessage: the message's key was already used (a replay).
        TooFarAhead: the message is more than 2,000 ahead of its chain.
        UntrustedIdentity: the session's identity key is not ``trusted_identity``.
    """
    message = parse_signal_message(data)
    states = record.states
    if not states:
        raise NoSession("no session to decrypt with")
    # A state that already knows the ratchet key is the message's own: try those first, and let
    # its error (a duplicate, say) be the one reported.
    ordered: Sequence[SessionState] = states
    if states[0].receiver_chain(message.ratchet_key) is None:
        ordered = sorted(states, key=lambda s: s.receiver_chain(message.ratchet_key) is None)
    first_error: CryptoError | None = None
    for state in ordered:
        try:
            plaintext, new_state = _decrypt_with_state(state, message, our_identity.public, rng)
        except _STATE_MISMATCH as exc:
            first_error = first_error or exc
            continue
        _check_trust(address, new_state.remote_identity, trusted_identity)
        return plaintext, record.with_current(new_state)
    assert first_error is not None
    raise first_error


def _decrypt_with_state(
    state: SessionState, message: SignalMessage, our_identity: bytes, rng: Rng
) -> tuple[bytes, SessionState]:
    """Decrypt ``message`` with ``state``, stepping the DH ratchet for a new ratchet key.

    Returns the plaintext and the new state (pending pre-key cleared).

    Raises:
        InvalidMessage: the ratchet key is unusable, or the plaintext's padding is bad.
        DuplicateMessage, TooFarAhead: the counter has no key in its chain.
        BadMac: the message's MAC does not match the derived key.
    """
    their_key = message.ratchet_key
    chain = state.receiver_chain(their_key)
    is_new_chain = chain is None
    if chain is None:
        try:
            root_key, their_chain = ratchet_root_key(
                state.root_key, their_key, state.sender_ratchet.private
            )
            ratchet_key = KeyPair.generate(rng(32))
            root_key, our_chain = ratchet_root_key(root_key, their_key, ratchet_key.private)
        except CryptoError as exc:
            raise InvalidMessage(f"unusable ratchet key: {exc}") from exc
        chain = ReceiverChain(their_key, their_chain)
        state = dataclasses.replace(
            state,
            root_key=root_key,
            sender_ratchet=ratchet_key,
            sender_chain=our_chain,
            previous_counter=max(state.sender_chain.index - 1, 0),
        )
    seed, chain = chain.message_seed(message.counter)
    cipher_key, mac_key, iv = MessageKeys.from_seed(seed)
    message.verify_mac(mac_key, state.remote_identity, our_identity)
    plaintext = aes_cbc_decrypt(cipher_key, iv, message.ciphertext)
    chains = state.receiver_chains
    if is_new_chain:
        chains = (chain, *chains[: MAX_RECEIVER_CHAINS - 1])
    elif chains[0].ratchet_key == their_key:  # the common case: the newest chain
        chains = (chain, *chains[1:])
    else:
        position = [c.ratchet_key for c in chains].index(their_key)
        chains = (*chains[:position], chain, *chains[position + 1 :])
    return plaintext, state.with_receiver_chains(chains)
