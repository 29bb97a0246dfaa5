"""Decrypting a ``<message>`` one ``<enc>`` at a time (PROTOCOL.md §10.2).

A group message usually carries two parts: a pairwise ``pkmsg``/``msg`` holding the sender's
key distribution (SKDM) and the ``skmsg`` holding the content. :func:`decrypt_parts` decrypts
each part on its own, in document order (so the SKDM is processed before the ``skmsg`` it
unlocks). A part that fails does not throw away what an earlier part gave (the new session,
the consumed one-time pre-key, the sender's identity, the sender key of an SKDM), as whatsmeow's
``decryptMessages`` keeps each part it decrypted; unlike whatsmeow, which stops at the first
failing part, a later part is still tried with the keys already held. A part is all-or-nothing:
when it fails, the records stay as they were before it.

:class:`DecryptedParts` says per part what happened and sums it up as an :class:`Outcome` the
caller acts on. Records in, records out: nothing here stores, draws randomness or reads a clock.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace

from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.core.binary import Node
from botkit.core.e2e.local import LocalDevice
from botkit.core.signal import (
    PreKey,
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
from botkit.core.stanza.receipt import delivery_receipt
from botkit.errors import BotkitError, DecodeError, DuplicateMessage, InvalidPlaintext, NoSession
from botkit.pb import e2e_pb2
from botkit.types.jid import JID

__all__ = [
    "DecryptedParts",
    "Outcome",
    "Part",
    "ReceivedMessage",
    "decrypt_parts",
    "receipt_type",
]


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """A decrypted message and everything the caller commits before sending ``receipt``.

    ``message`` is the content (a ``DeviceSentMessage`` from our own device unwrapped, the
    sender-key distribution removed); ``destination`` is the chat our own device wrote to.
    ``session`` is the sender device's new record (None when no pairwise ``<enc>`` decrypted),
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


@dataclass(frozen=True, slots=True)
class Part:
    """What became of one ``<enc>``: ``error`` is None when it decrypted."""

    type: str
    error: BotkitError | None = None

    @property
    def duplicate(self) -> bool:
        """True when the part was decrypted before (a redelivery): neither done now nor failed."""
        return isinstance(self.error, DuplicateMessage)

    @property
    def failed(self) -> bool:
        """True when the part did not decrypt (other than being a duplicate)."""
        return self.error is not None and not self.duplicate


class Outcome(enum.Enum):
    """What a message's parts add up to; the last ``<enc>`` is the one carrying the content."""

    DECRYPTED = "decrypted"
    """Some part decrypted and none failed (a duplicate part counts as done): handle the
    message as a whole."""
    CONTENT_ONLY = "content_only"
    """The content decrypted but an earlier part (the pairwise one) failed: deliver the
    content, keep the records, and answer the failed part (a retry receipt)."""
    RECORDS_ONLY = "records_only"
    """An earlier part decrypted but the content failed: keep its records (the SKDM's sender
    key), but the message is not handled — a redelivery must still be read."""
    FAILED = "failed"
    """No part decrypted: nothing changed (only duplicates: the message is a duplicate)."""


@dataclass(frozen=True, slots=True)
class DecryptedParts:
    """The parts of one message, in document order, and what the ones that decrypted gave.

    ``received`` holds the records and content of the parts that decrypted (an empty message
    and no records when none did).
    """

    parts: tuple[Part, ...]
    received: ReceivedMessage

    @property
    def outcome(self) -> Outcome:
        """The :class:`Outcome` of the parts."""
        if all(part.error is not None for part in self.parts):
            return Outcome.FAILED
        if not any(part.failed for part in self.parts):
            return Outcome.DECRYPTED
        return Outcome.RECORDS_ONLY if self.parts[-1].failed else Outcome.CONTENT_ONLY

    @property
    def error(self) -> BotkitError | None:
        """The first error of any part, a duplicate too: the answer to the message as a whole."""
        return next((part.error for part in self.parts if part.error is not None), None)

    @property
    def failure(self) -> BotkitError | None:
        """The error to answer the message with, by :attr:`outcome`.

        None when ``DECRYPTED``; when ``FAILED``, the first part's error (a duplicate too, so a
        redelivery is answered as one); otherwise the first error of a part that failed.
        """
        if self.outcome is Outcome.FAILED:
            return self.error
        return next((part.error for part in self.parts if part.failed), None)


@dataclass(frozen=True, slots=True)
class _Records:
    session: SessionRecord | None
    sender_key: SenderKeyRecord | None
    session_changed: bool = False
    sender_key_changed: bool = False
    used_prekey_id: int | None = None
    identity_key: bytes | None = None


@dataclass(frozen=True, slots=True)
class _Keys:
    local: LocalDevice
    signed_prekeys: Mapping[int, SignedPreKey]
    one_time_prekeys: Mapping[int, PreKey]
    trusted_identity: bytes | None
    rng: Rng


def _parse_plaintext(data: bytes) -> e2e_pb2.Message:
    message = e2e_pb2.Message()
    try:
        message.ParseFromString(unpad(data))
    except ProtobufDecodeError as exc:
        raise InvalidPlaintext(f"the plaintext is not a Message: {exc}") from exc
    return message


def _pairwise(
    enc: Enc, incoming: IncomingMessage, records: _Records, keys: _Keys
) -> tuple[bytes, _Records]:
    address = str(incoming.sender.signal_address())
    record = records.session or SessionRecord()
    if enc.type != "pkmsg":
        plaintext, record = decrypt_message(
            record,
            enc.data,
            address=address,
            our_identity=keys.local.identity,
            trusted_identity=keys.trusted_identity,
            rng=keys.rng,
        )
        return plaintext, replace(records, session=record, session_changed=True)
    plaintext, record, used = decrypt_prekey_message(
        record,
        enc.data,
        address=address,
        our_identity=keys.local.identity,
        signed_prekeys=keys.signed_prekeys,
        one_time_prekeys=keys.one_time_prekeys,
        trusted_identity=keys.trusted_identity,
        rng=keys.rng,
    )
    current = record.current
    return plaintext, replace(
        records,
        session=record,
        session_changed=True,
        used_prekey_id=used if used is not None else records.used_prekey_id,
        identity_key=current.remote_identity if current is not None else records.identity_key,
    )


def _take_distribution(
    message: e2e_pb2.Message, incoming: IncomingMessage, records: _Records
) -> _Records:
    """Process and remove the SKDM ``message`` carries (the same SKDM twice changes nothing)."""
    if not message.HasField("sender_key_distribution_message"):
        return records
    skdm = message.sender_key_distribution_message
    if not incoming.is_group_like:
        raise InvalidPlaintext("a sender-key distribution outside a group")
    if skdm.group_id != str(incoming.from_):
        raise InvalidPlaintext(f"a sender-key distribution for {skdm.group_id!r} in another chat")
    record = records.sender_key or SenderKeyRecord()
    payload = skdm.axolotl_sender_key_distribution_message
    updated = process_distribution(record, payload)
    message.ClearField("sender_key_distribution_message")
    return replace(records, sender_key=updated, sender_key_changed=True)


def _destination(
    message: e2e_pb2.Message, incoming: IncomingMessage, is_from_me: bool
) -> JID | None:
    """Check a ``DeviceSentMessage`` in ``message``; return the chat it names."""
    if not message.HasField("device_sent_message"):
        return None
    if not is_from_me:
        raise InvalidPlaintext(f"a DeviceSentMessage from {incoming.sender}, not our device")
    sent = message.device_sent_message
    try:
        return JID.parse(sent.destination_jid) if sent.destination_jid else None
    except DecodeError as exc:
        raise InvalidPlaintext(f"bad DeviceSentMessage destination: {exc}") from exc


def _decrypt_part(
    enc: Enc, incoming: IncomingMessage, records: _Records, keys: _Keys
) -> tuple[e2e_pb2.Message, _Records]:
    """Decrypt one part; return its message and the records after it (``records`` if it fails)."""
    if enc.type == "skmsg":
        if records.sender_key is None:
            raise NoSession(f"no sender key of {incoming.sender} in {incoming.from_}")
        plaintext, sender_key = group_decrypt(records.sender_key, enc.data)
        after = replace(records, sender_key=sender_key, sender_key_changed=True)
    else:
        plaintext, after = _pairwise(enc, incoming, records, keys)
    message = _parse_plaintext(plaintext)
    after = _take_distribution(message, incoming, after)
    _destination(message, incoming, keys.local.owns(incoming.sender))
    return message, after


def _check_supported(incoming: IncomingMessage) -> None:
    if not incoming.encs:
        raise DecodeError("<message> has no <enc> to decrypt")
    for enc in incoming.encs:
        if enc.version != 2 or enc.type == "msmsg":
            raise DecodeError(f"<enc v={enc.version} type={enc.type}> is not supported")
        if enc.type == "skmsg" and not incoming.is_group_like:
            raise DecodeError("a skmsg outside a group")


def _unwrap(content: e2e_pb2.Message) -> e2e_pb2.Message:
    """Return the message a ``DeviceSentMessage`` in ``content`` wraps (else ``content``)."""
    if not content.HasField("device_sent_message"):
        return content
    inner = e2e_pb2.Message()
    inner.CopyFrom(content.device_sent_message.message)
    if content.HasField("message_context_info") and not inner.HasField("message_context_info"):
        inner.message_context_info.CopyFrom(content.message_context_info)
    return inner


def decrypt_parts(
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
) -> DecryptedParts:
    """Decrypt each ``<enc>`` of the incoming ``<message>`` ``node`` on its own.

    The arguments are those of :func:`~botkit.core.e2e.decrypt_incoming`. A part that does
    not decrypt is reported with its typed error (any :class:`~botkit.errors.CryptoError`,
    :class:`~botkit.errors.InvalidPlaintext`, or :class:`~botkit.errors.DuplicateMessage`
    for a part decrypted before) and leaves the records as they were.

    Returns:
        Each part's result and what the parts that decrypted gave (see :class:`Outcome`).

    Raises:
        DecodeError: the node is malformed, has no ``<enc>``, or an enc is of a kind botkit
            does not decrypt (``msmsg``, ``v="3"``, ``skmsg`` outside a group); nothing of it
            is decrypted then.
    """
    incoming = parse_message(node)
    _check_supported(incoming)
    keys = _Keys(local, signed_prekeys, one_time_prekeys, trusted_identity, rng)
    records = _Records(session, sender_key)
    content = e2e_pb2.Message()
    parts: list[Part] = []
    for enc in incoming.encs:
        try:
            message, records = _decrypt_part(enc, incoming, records, keys)
        except BotkitError as exc:
            parts.append(Part(enc.type, exc))
            continue
        content.MergeFrom(message)
        parts.append(Part(enc.type))
    is_from_me = local.owns(incoming.sender)
    received = ReceivedMessage(
        incoming=incoming,
        message=_unwrap(content),
        is_from_me=is_from_me,
        destination=_destination(content, incoming, is_from_me),
        session=records.session if records.session_changed else None,
        sender_key=records.sender_key if records.sender_key_changed else None,
        used_prekey_id=records.used_prekey_id,
        identity_key=records.identity_key,
        receipt=delivery_receipt(node, receipt_type(incoming, is_from_me, active)),
    )
    return DecryptedParts(tuple(parts), received)


def receipt_type(incoming: IncomingMessage, is_from_me: bool, active: bool) -> str | None:
    """Return the ``type`` of the delivery receipt for ``incoming`` (None: delivered)."""
    if incoming.category == "peer":
        return "peer_msg"
    if is_from_me:
        return "sender"
    return None if active else "inactive"
