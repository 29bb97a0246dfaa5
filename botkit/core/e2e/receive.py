"""The receive side of the E2E pipeline: a ``<message>`` node in, a ``Message`` and answers out.

Records in, records out: the caller passes the session record of the sender device, the
sender-key record of (chat, sender) for groups, and the pre-keys a pre-key message may name; it
gets back the plaintext, the new records, the one-time pre-key to delete and the receipt to send
once it has committed them. :func:`decrypt_incoming` takes the message as a whole: on any
failure nothing is returned, the records it holds stay valid, and :func:`failure_answers` says
what to send instead (§10.3, §10.6). :func:`~botkit.core.e2e.parts.decrypt_parts` is the same
per ``<enc>``, for callers that keep what the parts that decrypted gave.
"""

from __future__ import annotations

from collections.abc import Mapping

from botkit.core.binary import Node
from botkit.core.e2e.local import LocalDevice
from botkit.core.e2e.parts import ReceivedMessage, decrypt_parts, receipt_type
from botkit.core.signal import PreKey, PreKeyBundle, SenderKeyRecord, SessionRecord, SignedPreKey
from botkit.core.signal.prekeys import Rng
from botkit.core.stanza.message import parse_message
from botkit.core.stanza.receipt import ack, delivery_receipt, retry_receipt
from botkit.errors import (
    BotkitError,
    CryptoError,
    DuplicateMessage,
    InvalidPlaintext,
    NoSession,
)

__all__ = [
    "NACK_INVALID_PROTOBUF",
    "NACK_PARSING_ERROR",
    "ReceivedMessage",
    "decrypt_incoming",
    "failure_answers",
]

NACK_PARSING_ERROR = 487
NACK_INVALID_PROTOBUF = 491


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
    """Decrypt the incoming ``<message>`` ``node`` for this device, all or nothing.

    ``session`` is our record with the sender device (None if we have none), ``sender_key``
    our record of the sender's group key (groups only), ``trusted_identity`` the sender's
    identity key we trust (None on first contact). ``active`` chooses a plain delivery receipt
    over ``type="inactive"``. A failure raises the error of the first ``<enc>`` (in
    document order) that did not decrypt.

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
    parts = decrypt_parts(
        node,
        local=local,
        session=session,
        sender_key=sender_key,
        signed_prekeys=signed_prekeys,
        one_time_prekeys=one_time_prekeys,
        trusted_identity=trusted_identity,
        rng=rng,
        active=active,
    )
    if parts.error is not None:
        raise parts.error
    return parts.received


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
        kind = receipt_type(incoming, local.owns(incoming.sender), active)
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
