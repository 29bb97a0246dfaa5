"""Answering a retry receipt: the message again, to the one device that asked (§10.6).

The re-sent stanza carries a single ``<enc count>`` (no ``<participants>``), ``t`` of the
original, and ``device_fanout="false"`` outside groups. A group message gets our sender key's
distribution attached, so the device can read it without the lost one; our own devices get the
``DeviceSentMessage`` wrapper. When the receipt carried keys, pass them as ``bundle`` to start
a fresh session.
"""

from __future__ import annotations

from dataclasses import replace

from botkit.core.binary import Node
from botkit.core.e2e.local import LocalDevice, message_attrs
from botkit.core.e2e.send import OutgoingMessage, device_sent, encrypt_to_devices
from botkit.core.signal import (
    PreKeyBundle,
    SenderKeyRecord,
    SessionRecord,
    distribution_message,
    pad,
)
from botkit.core.signal.prekeys import Rng
from botkit.core.stanza.message import enc_node, is_group_like
from botkit.core.stanza.phash import participant_hash
from botkit.pb import e2e_pb2
from botkit.types.jid import JID

__all__ = ["encrypt_resend"]


def encrypt_resend(
    message: e2e_pb2.Message,
    *,
    message_id: str,
    chat: JID,
    device: JID,
    local: LocalDevice,
    session: SessionRecord | None,
    bundle: PreKeyBundle | None,
    trusted_identity: bytes | None,
    count: int,
    timestamp: int,
    rng: Rng,
    sender_key: SenderKeyRecord | None = None,
) -> OutgoingMessage:
    """Encrypt ``message`` (sent before as ``message_id`` in ``chat``) again for ``device``.

    ``count`` is the retry receipt's count; ``timestamp`` the original send time;
    ``sender_key`` our own sender-key record when ``chat`` is a group.

    Returns:
        The node and ``device``'s new session record (``sender_key`` is left unchanged; the
        ``phash`` covers just ``device`` and us).

    Raises:
        NoSession: there is neither a session nor a bundle for ``device``, or ``sender_key``
            holds no key of ours.
        UntrustedIdentity, InvalidSignature, InvalidMessage: ``bundle`` was refused.
    """
    group_like = is_group_like(chat)
    kind, node_attrs, decrypt_fail = message_attrs(message)
    plaintext = e2e_pb2.Message()
    plaintext.CopyFrom(message)
    if group_like and sender_key is not None:
        skdm = plaintext.sender_key_distribution_message
        skdm.group_id = str(chat)
        skdm.axolotl_sender_key_distribution_message = distribution_message(sender_key)
    elif not group_like and local.owns(device):
        plaintext = device_sent(message, chat)
    encrypted = encrypt_to_devices(
        {device: pad(plaintext.SerializeToString(), rng(1)[0])},
        local=local,
        sessions={device: session} if session is not None else {},
        bundles={device: bundle} if bundle is not None else {},
        trusted_identities={device: trusted_identity} if trusted_identity is not None else {},
        rng=rng,
        decrypt_fail=decrypt_fail,
    )
    ((_, enc),) = encrypted.participants
    attrs: dict[str, str | JID] = {"id": message_id, "type": kind, "t": str(timestamp)}
    attrs.update(node_attrs)
    if group_like:
        attrs.update({"to": chat, "participant": device})
    else:
        attrs.update({"to": device, "device_fanout": "false"})
        if local.owns(device):
            attrs["recipient"] = chat
    children = [enc_node(replace(enc, count=count))]
    if encrypted.any_prekey:
        children.append(Node("device-identity", {}, local.device_identity))
    return OutgoingMessage(
        Node("message", attrs, children),
        encrypted.sessions,
        participant_hash([device, local.sender_for(chat)]),
    )
