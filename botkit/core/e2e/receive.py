"""The receive side of the E2E pipeline: a ``<message>`` node in, a ``Message`` and answers out.

Records in, records out: the caller passes the session record of the sender device, the
sender-key record of (chat, sender) for groups, and the pre-keys a pre-key message may name; it
gets back the plaintext, the new records, the one-time pre-key to delete and the receipt to send
once it has committed them. On failure nothing is returned, the records it holds stay valid,
and :func:`failure_answers` says what to send instead (§10.3, §10.6).

``<enc>`` children are handled in document order, so a group's pairwise sender-key
distribution is processed before the ``skmsg`` it unlocks (§10.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.core.binary import Node
from botkit.core.e2e.local import LocalDevice
from botkit.core.signal import (
    PreKey,
    PreKeyBundle,
    SenderKeyRecord,
    SessionRecord,
    SignedPreKey,
    decrypt_message,
    decrypt_prekey_message,
    group_decrypt,
    process_distribution,
    unpad,
)
from botkit.core.signal.prekeys import Rng
from botkit.core.stanza.message import Enc, IncomingMessage, parse_message
from botkit.core.stanza.receipt import ack, delivery_receipt, retry_receipt
from botkit.errors import (
    BotkitError,
    CryptoError,
    DecodeError,
    DuplicateMessage,
    InvalidPlaintext,
    NoSession,
)
from botkit.pb import e2e_pb2
from botkit.types.jid import JID

__all__ = [
    "NACK_INVALID_PROTOBUF",
    "NACK_PARSING_ERROR",
    "ReceivedMessage",
    "decrypt_incoming",
    "failure_answers",
]

NACK_PARSING_ERROR = 487
NACK_INVALID_PROTOBUF = 491


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """A decrypted message and everything the caller commits before sending ``receipt``.

    ``message`` is the content (a ``DeviceSentMessage`` from our own device unwrapped, the
    sender-key distribution removed); ``destination`` is the chat our own device wrote to.
    ``session`` is the sender device's new record (None when no pairwise ``<enc>`` came),
    ``sender_key`` the new (chat, sender) record (None when untouched), ``used_prekey_id`` the
    one-time pre-key to delete, ``identity_key`` the sender's identity a pre-key message showed.
    """

    incoming: IncomingMessage
    message: e2e_pb2.Message
    is_from_me: bool
    destination: JID | None
    session: SessionRecord | None
    sender_key: SenderKeyRecord | None
    used_prekey_id: int | None
    identity_key: bytes | None
    receipt: Node


@dataclass
class _State:
    session: SessionRecord | None
    sender_key: SenderKeyRecord | None
    session_changed: bool = False
    sender_key_changed: bool = False
    used_prekey_id: int | None = None


def _parse_plaintext(data: bytes) -> e2e_pb2.Message:
    message = e2e_pb2.Message()
    try:
        message.ParseFromString(unpad(data))
    except ProtobufDecodeError as exc:
        raise InvalidPlaintext(f"the plaintext is not a Message: {exc}") from exc
    return message


def _pairwise(
    enc: Enc,
    incoming: IncomingMessage,
    state: _State,
    *,
    local: LocalDevice,
    signed_prekeys: Mapping[int, SignedPreKey],
    one_time_prekeys: Mapping[int, PreKey],
    trusted_identity: bytes | None,
    rng: Rng,
) -> bytes:
    address = str(incoming.sender.signal_address())
    record = state.session or SessionRecord()
    if enc.type == "pkmsg":
        plaintext, record, used = decrypt_prekey_message(
            record,
            enc.data,
            address=address,
            our_identity=local.identity,
            signed_prekeys=signed_prekeys,
            one_time_prekeys=one_time_prekeys,
            trusted_identity=trusted_identity,
            rng=rng,
        )
        state.used_prekey_id = used if used is not None else state.used_prekey_id
    else:
        plaintext, record = decrypt_message(
            record,
            enc.data,
            address=address,
            our_identity=local.identity,
            trusted_identity=trusted_identity,
            rng=rng,
        )
    state.session, state.session_changed = record, True
    return plaintext


def _take_distribution(message: e2e_pb2.Message, incoming: IncomingMessage, state: _State) -> None:
    if not message.HasField("sender_key_distribution_message"):
        return
    skdm = message.sender_key_distribution_message
    if not incoming.is_group_like:
        raise InvalidPlaintext("a sender-key distribution outside a group")
    if skdm.group_id != str(incoming.from_):
        raise InvalidPlaintext(f"a sender-key distribution for {skdm.group_id!r} in another chat")
    record = state.sender_key or SenderKeyRecord()
    payload = skdm.axolotl_sender_key_distribution_message
    state.sender_key = process_distribution(record, payload)
    state.sender_key_changed = True
    message.ClearField("sender_key_distribution_message")


def decrypt_incoming(
    node: Node,
    *,
    local: LocalDevice,
    session: SessionRecord | None,
    sender_key: SenderKeyRecord | None,
    signed_prekeys: Mapping[int, SignedPreKey],
    one_time_prekeys: Mapping[int, PreKey],
    trusted_identity: bytes | None,
    rng: Rng,
    active: bool = True,
) -> ReceivedMessage:
    """Decrypt the incoming ``<message>`` ``node`` for this device.

    ``session`` is our record with the sender device (None if we have none), ``sender_key``
    our record of the sender's group key (groups only), ``trusted_identity`` the sender's
    identity key we trust (None on first contact). ``active`` chooses a plain delivery receipt
    over ``type="inactive"``.

    Returns:
        The message, the new records, and the receipt to send once they are committed.

    Raises:
        DecodeError: the node is malformed, has no ``<enc>``, or an enc is of a kind botkit
            does not decrypt (``msmsg``, ``v="3"``, ``skmsg`` outside a group).
        InvalidPlaintext: a plaintext is not an acceptable ``Message``.
        NoSession: no session (or no sender key) for the message.
        DuplicateMessage: the message was already decrypted (a redelivery).
        UntrustedIdentity, UnknownPreKey, BadMac, BadPadding, InvalidMessage, TooFarAhead:
            the message does not decrypt (any :class:`~botkit.errors.CryptoError`).
    """
    incoming = parse_message(node)
    if not incoming.encs:
        raise DecodeError("<message> has no <enc> to decrypt")
    state = _State(session, sender_key)
    result = e2e_pb2.Message()
    identity_key: bytes | None = None
    for enc in incoming.encs:
        if enc.version != 2 or enc.type == "msmsg":
            raise DecodeError(f"<enc v={enc.version} type={enc.type}> is not supported")
        if enc.type == "skmsg":
            if not incoming.is_group_like:
                raise DecodeError("a skmsg outside a group")
            if state.sender_key is None:
                raise NoSession(f"no sender key of {incoming.sender} in {incoming.from_}")
            plaintext, state.sender_key = group_decrypt(state.sender_key, enc.data)
            state.sender_key_changed = True
        else:
            plaintext = _pairwise(
                enc,
                incoming,
                state,
                local=local,
                signed_prekeys=signed_prekeys,
                one_time_prekeys=one_time_prekeys,
                trusted_identity=trusted_identity,
                rng=rng,
            )
            if enc.type == "pkmsg" and state.session is not None:
                current = state.session.current
                identity_key = current.remote_identity if current is not None else None
        message = _parse_plaintext(plaintext)
        _take_distribution(message, incoming, state)
        result.MergeFrom(message)
    is_from_me = local.owns(incoming.sender)
    destination = None
    if result.HasField("device_sent_message"):
        if not is_from_me:
            raise InvalidPlaintext(f"a DeviceSentMessage from {incoming.sender}, not our device")
        sent = result.device_sent_message
        try:
            destination = JID.parse(sent.destination_jid) if sent.destination_jid else None
        except DecodeError as exc:
            raise InvalidPlaintext(f"bad DeviceSentMessage destination: {exc}") from exc
        inner = e2e_pb2.Message()
        inner.CopyFrom(sent.message)
        if result.HasField("message_context_info") and not inner.HasField("message_context_info"):
            inner.message_context_info.CopyFrom(result.message_context_info)
        result = inner
    return ReceivedMessage(
        incoming=incoming,
        message=result,
        is_from_me=is_from_me,
        destination=destination,
        session=state.session if state.session_changed else None,
        sender_key=state.sender_key if state.sender_key_changed else None,
        used_prekey_id=state.used_prekey_id,
        identity_key=identity_key,
        receipt=delivery_receipt(node, _receipt_type(incoming, is_from_me, active)),
    )


def _receipt_type(incoming: IncomingMessage, is_from_me: bool, active: bool) -> str | None:
    if incoming.category == "peer":
        return "peer_msg"
    if is_from_me:
        return "sender"
    return None if active else "inactive"


def failure_answers(
    node: Node,
    error: BotkitError,
    *,
    local: LocalDevice,
    retry_count: int,
    retry_keys: PreKeyBundle | None = None,
    active: bool = True,
) -> tuple[Node, ...]:
    """Return the nodes to send when :func:`decrypt_incoming` raised ``error`` for ``node``.

    * a duplicate: the receipt only (the first delivery was handled);
    * any other crypto failure: a retry receipt numbered ``retry_count`` and a plain ack; the
      receipt carries ``retry_keys`` (our keys with a fresh one-time pre-key) and our device
      identity when ``retry_count`` > 1 or we had no session;
    * a plaintext that is no ``Message``: ack with nack 491; anything else: ack with nack 487.

    Raises:
        DecodeError: ``error`` is a duplicate but ``node`` is not a valid ``<message>`` (a
            duplicate is only known after the node parsed, so this is the caller's mix-up).
    """
    if isinstance(error, DuplicateMessage):
        incoming = parse_message(node)
        kind = _receipt_type(incoming, local.owns(incoming.sender), active)
        return (delivery_receipt(node, kind),)
    if isinstance(error, CryptoError):
        with_keys = retry_count > 1 or isinstance(error, NoSession)
        receipt = retry_receipt(
            node,
            count=retry_count,
            registration_id=local.registration_id,
            keys=retry_keys if with_keys else None,
            device_identity=local.device_identity if with_keys and retry_keys else None,
        )
        return receipt, ack(node)
    if isinstance(error, InvalidPlaintext):
        return (ack(node, NACK_INVALID_PROTOBUF),)
    return (ack(node, NACK_PARSING_ERROR),)
