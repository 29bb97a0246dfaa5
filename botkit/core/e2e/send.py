"""The send side of the E2E pipeline: a plaintext ``Message`` in, a ``<message>`` node out.

Records in, records out: the caller passes the session records it holds for the target devices
and pre-key bundles for the devices without one; it gets back the node and the new records, and
stores them once the node is on its way. Nothing is mutated, so a failure leaves every record
the caller holds valid.

Fan-out (§9.3-9.6): every device in ``devices`` except this one gets its own ``<enc>``. In a
1:1 chat our own other devices get the message wrapped in a ``DeviceSentMessage`` naming the
chat. In a group every device gets our sender key's distribution message pairwise and the
content travels once, as the ``skmsg``. The plaintext is padded once per variant (§8.6).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from botkit.core.binary import Node
from botkit.core.e2e.local import LocalDevice, message_attrs
from botkit.core.signal import (
    PreKeyBundle,
    SenderKeyRecord,
    SessionRecord,
    distribution_message,
    encrypt,
    group_encrypt,
    pad,
    process_bundle,
)
from botkit.core.signal.prekeys import Rng
from botkit.core.stanza.message import Enc, is_group_like, message_node
from botkit.core.stanza.phash import participant_hash
from botkit.errors import NoSession
from botkit.pb import e2e_pb2
from botkit.types.jid import JID

__all__ = [
    "Encrypted",
    "OutgoingMessage",
    "device_sent",
    "encrypt_direct",
    "encrypt_group",
    "encrypt_to_devices",
]


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A ``<message>`` ready to send, with the records its encryption produced.

    ``sessions`` holds the new record of every device encrypted to (store them all);
    ``sender_key`` is our advanced sender-key record for a group send; ``phash`` is the
    participant hash of the fan-out, to compare with the server's ack.
    """

    node: Node
    sessions: Mapping[JID, SessionRecord]
    phash: str
    sender_key: SenderKeyRecord | None = None


@dataclass(frozen=True, slots=True)
class Encrypted:
    """The pairwise ``<enc>`` of each device, their new records, and whether any is a pkmsg."""

    participants: list[tuple[JID, Enc]]
    sessions: dict[JID, SessionRecord]
    any_prekey: bool


def encrypt_to_devices(
    plaintexts: Mapping[JID, bytes],
    *,
    local: LocalDevice,
    sessions: Mapping[JID, SessionRecord],
    bundles: Mapping[JID, PreKeyBundle],
    trusted_identities: Mapping[JID, bytes],
    rng: Rng,
    decrypt_fail: str | None = None,
) -> Encrypted:
    """Encrypt each device's padded plaintext, starting sessions from bundles where given.

    ``decrypt_fail`` (``"hide"``) is set on every ``<enc>`` when given.

    Raises:
        NoSession: a device has neither a session nor a bundle.
        UntrustedIdentity, InvalidSignature, InvalidMessage: a bundle was refused.
    """
    participants: list[tuple[JID, Enc]] = []
    new_sessions: dict[JID, SessionRecord] = {}
    any_prekey = False
    for device, plaintext in plaintexts.items():
        record = sessions.get(device, SessionRecord())
        bundle = bundles.get(device)
        if bundle is not None:
            record = process_bundle(
                record,
                bundle,
                address=str(device.signal_address()),
                our_identity=local.identity,
                our_registration_id=local.registration_id,
                trusted_identity=trusted_identities.get(device),
                rng=rng,
            )
        elif record.current is None:
            raise NoSession(f"no session with {device} and no bundle to start one")
        ciphertext, record = encrypt(record, plaintext, our_identity=local.identity)
        any_prekey = any_prekey or ciphertext.type == "pkmsg"
        participants.append(
            (device, Enc(ciphertext.type, ciphertext.data, decrypt_fail=decrypt_fail))
        )
        new_sessions[device] = record
    return Encrypted(participants, new_sessions, any_prekey)


def device_sent(message: e2e_pb2.Message, chat: JID) -> e2e_pb2.Message:
    """Return ``message`` wrapped for our own other devices: a ``DeviceSentMessage`` to ``chat``."""
    wrapper = e2e_pb2.Message()
    wrapper.device_sent_message.destination_jid = str(chat)
    wrapper.device_sent_message.message.CopyFrom(message)
    if message.HasField("message_context_info"):
        wrapper.message_context_info.CopyFrom(message.message_context_info)
    return wrapper


def _fan_out_hash(devices: Sequence[JID], sender: JID) -> str:
    listed = list(devices)
    if sender not in listed:
        listed.append(sender)
    return participant_hash(listed)


def encrypt_direct(
    message: e2e_pb2.Message,
    *,
    message_id: str,
    to: JID,
    local: LocalDevice,
    devices: Sequence[JID],
    sessions: Mapping[JID, SessionRecord],
    bundles: Mapping[JID, PreKeyBundle],
    trusted_identities: Mapping[JID, bytes],
    rng: Rng,
    attrs: Mapping[str, str | JID] | None = None,
) -> OutgoingMessage:
    """Encrypt a 1:1 ``message`` to ``to`` for each of ``devices`` (§9.4, §9.5).

    ``devices`` are the recipient's and our own devices (this device is skipped);
    ``sessions`` and ``bundles`` are keyed by those JIDs; ``trusted_identities`` holds the
    identity keys we already trust. ``attrs`` adds ``<message>`` attributes (such as
    ``peer_recipient_pn``).

    Returns:
        The node and the new session record of every device in it.

    Raises:
        ValueError: ``to`` is a device JID or a group, or no device is left to send to.
        NoSession: a device has neither a session nor a bundle.
        UntrustedIdentity: a bundle's identity is not the one we trust for that device.
        InvalidSignature, InvalidMessage: a bundle's signed pre-key is invalid.
    """
    if to.device or to.is_group:
        raise ValueError(f"a 1:1 message goes to a user, not {to}")
    kind, node_attrs, decrypt_fail = message_attrs(message)
    original = pad(message.SerializeToString(), rng(1)[0])
    own_copy = pad(device_sent(message, to).SerializeToString(), rng(1)[0])
    plaintexts = {
        device: own_copy if local.owns(device) else original
        for device in devices
        if not local.is_this_device(device)
    }
    if not plaintexts:
        raise ValueError("no device to send to")
    encrypted = encrypt_to_devices(
        plaintexts,
        local=local,
        sessions=sessions,
        bundles=bundles,
        trusted_identities=trusted_identities,
        rng=rng,
        decrypt_fail=decrypt_fail,
    )
    node = message_node(
        message_id=message_id,
        to=to,
        message_type=kind,
        participants=encrypted.participants,
        device_identity=local.device_identity if encrypted.any_prekey else None,
        attrs={**node_attrs, **(attrs or {})},
    )
    return OutgoingMessage(node, encrypted.sessions, _fan_out_hash(devices, local.sender_for(to)))


def encrypt_group(
    message: e2e_pb2.Message,
    *,
    message_id: str,
    group: JID,
    local: LocalDevice,
    devices: Sequence[JID],
    sessions: Mapping[JID, SessionRecord],
    bundles: Mapping[JID, PreKeyBundle],
    trusted_identities: Mapping[JID, bytes],
    sender_key: SenderKeyRecord,
    rng: Rng,
    addressing_lid: bool = False,
    distribute_to: Collection[JID] | None = None,
) -> OutgoingMessage:
    """Encrypt a group ``message`` once with our sender key and hand that key to ``devices``.

    ``sender_key`` is our own record for this group (from
    :func:`~botkit.core.signal.create_sender_key` the first time); every member device gets its
    distribution message pairwise (§9.6), or only the devices in ``distribute_to`` when given
    (the ones known to lack it); ``phash`` still covers all of ``devices``. The node carries
    ``phash`` and, for LID-addressed groups, ``addressing_mode="lid"``.

    Returns:
        The node, the new session records and the advanced sender-key record.

    Raises:
        ValueError: ``group`` is not a group or broadcast JID.
        NoSession: ``sender_key`` holds no key of ours, or a device has neither a session nor
            a bundle.
        UntrustedIdentity, InvalidSignature, InvalidMessage: a bundle was refused.
    """
    if not is_group_like(group):
        raise ValueError(f"a group message goes to a group or broadcast, not {group}")
    kind, node_attrs, decrypt_fail = message_attrs(message)
    distribution = e2e_pb2.Message()
    distribution.sender_key_distribution_message.group_id = str(group)
    skdm = distribution.sender_key_distribution_message
    skdm.axolotl_sender_key_distribution_message = distribution_message(sender_key)
    skmsg, new_sender_key = group_encrypt(
        sender_key, pad(message.SerializeToString(), rng(1)[0]), rng=rng
    )
    padded_skdm = pad(distribution.SerializeToString(), rng(1)[0])
    receivers = devices if distribute_to is None else [d for d in devices if d in distribute_to]
    plaintexts = {d: padded_skdm for d in receivers if not local.is_this_device(d)}
    encrypted = encrypt_to_devices(
        plaintexts,
        local=local,
        sessions=sessions,
        bundles=bundles,
        trusted_identities=trusted_identities,
        rng=rng,
    )
    sender = local.lid if addressing_lid and local.lid is not None else local.jid
    phash = _fan_out_hash(devices, sender)
    extra: dict[str, str | JID] = {**node_attrs, "phash": phash}
    if addressing_lid:
        extra["addressing_mode"] = "lid"
    node = message_node(
        message_id=message_id,
        to=group,
        message_type=kind,
        participants=encrypted.participants,
        device_identity=local.device_identity if encrypted.any_prekey else None,
        group_enc=Enc("skmsg", skmsg, decrypt_fail=decrypt_fail),
        attrs=extra,
    )
    return OutgoingMessage(node, encrypted.sessions, phash, new_sender_key)
