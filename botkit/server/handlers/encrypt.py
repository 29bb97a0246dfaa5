"""The ``encrypt`` namespace (PROTOCOL.md §7): pre-key count, upload, rotation, digest, fetch."""

from __future__ import annotations

import hashlib
import logging

from botkit.core.binary import AttrReader, Node
from botkit.core.signal import PreKeyBundle, serialize_public_key, verify
from botkit.core.stanza.iq import error_reply, result_reply
from botkit.core.stanza.prekeys import bundle_children
from botkit.errors import DecodeError
from botkit.server.handlers.base import IqContext
from botkit.server.world import Device, SignedKey

__all__ = ["bundle_node", "handle_encrypt"]

log = logging.getLogger(__name__)


def _bytes(node: Node | None, size: int, what: str) -> bytes:
    """Return the bytes content of ``node``, which must be ``size`` bytes long.

    Raises:
        DecodeError: ``node`` is missing or its content is not ``size`` bytes.
    """
    if node is None or not isinstance(node.content, bytes) or len(node.content) != size:
        raise DecodeError(f"<{what}> must hold {size} bytes")
    return node.content


def _signed_key(node: Node | None, identity: bytes) -> SignedKey:
    """Read a ``<skey>`` and check its signature by ``identity``.

    Raises:
        DecodeError: the node is malformed or the signature does not verify.
    """
    if node is None:
        raise DecodeError("<skey> is missing")
    key = SignedKey(
        int.from_bytes(_bytes(node.get_child("id"), 3, "id"), "big"),
        _bytes(node.get_child("value"), 32, "value"),
        _bytes(node.get_child("signature"), 64, "signature"),
    )
    if not verify(identity, serialize_public_key(key.public), key.signature):
        raise DecodeError("the signed pre-key signature does not verify")
    return key


def _upload(device: Device, iq: Node) -> None:
    """Store the keys of a pre-key upload.

    Raises:
        DecodeError: a field is malformed, the identity is not the device's, or the signed
            pre-key signature does not verify.
    """
    if _bytes(iq.get_child("identity"), 32, "identity") != device.identity:
        raise DecodeError("the uploaded identity is not the linked device's identity")
    registration = int.from_bytes(_bytes(iq.get_child("registration"), 4, "registration"), "big")
    signed = _signed_key(iq.get_child("skey"), device.identity)
    pre_keys: dict[int, bytes] = {}
    for key in (iq.get_child("list") or Node("list")).get_children("key"):
        key_id = int.from_bytes(_bytes(key.get_child("id"), 3, "id"), "big")
        pre_keys[key_id] = _bytes(key.get_child("value"), 32, "value")
    device.registration_id = registration
    device.signed_pre_key = signed
    device.pre_keys.update(pre_keys)


def bundle_node(jid_node: Node, bundle: PreKeyBundle) -> Node:
    """Return ``<user jid>`` (copied from the request) holding ``bundle`` in wire form."""
    return Node("user", {"jid": jid_node.attrs["jid"]}, bundle_children(bundle))


def _fetch(ctx: IqContext, request: Node) -> Node:
    """Return ``<list>`` with a bundle (or a per-user error) for each requested device."""
    users: list[Node] = []
    for user in request.get_children("user"):
        reader = AttrReader(user)
        jid = reader.jid("jid")
        bundle = ctx.world.take_bundle(jid) if reader.ok else None
        if bundle is None:
            error = Node("error", {"code": "404", "text": "item-not-found"})
            users.append(Node("user", {"jid": user.attrs.get("jid", "")}, [error]))
        else:
            users.append(bundle_node(user, bundle))
    return Node("list", {}, users)


def _digest(device: Device) -> Node:
    """Return the ``<digest>`` of what the server holds for ``device`` (Baileys checks for it).

    ``<hash>`` is SHA-1 over the identity, the signed pre-key and the one-time pre-keys in id
    order: a summary of our own choosing (what the real server hashes is not documented).
    """
    spk = device.signed_pre_key
    ids = sorted(device.pre_keys)
    summary = hashlib.sha1(usedforsecurity=False)
    for part in (device.identity, spk.public, spk.signature, *(device.pre_keys[i] for i in ids)):
        summary.update(part)
    return Node(
        "digest",
        {},
        [
            Node("registration", {}, device.registration_id.to_bytes(4, "big")),
            Node("type", {}, b"\x05"),
            Node("identity", {}, device.identity),
            Node("skey", {}, [Node("id", {}, spk.key_id.to_bytes(3, "big"))]),
            Node("list", {}, [Node("id", {}, i.to_bytes(3, "big")) for i in ids]),
            Node("hash", {}, summary.digest()),
        ],
    )


async def handle_encrypt(ctx: IqContext, iq: Node) -> Node:
    """Answer an ``encrypt`` IQ (see the module docstring)."""
    device = ctx.device
    if device is None:
        return error_reply(iq, 401, "not-authorized")
    kind = iq.attrs.get("type")
    try:
        if kind == "get" and iq.get_child("count") is not None:
            return result_reply(iq, [Node("count", {"value": str(len(device.pre_keys))})])
        if kind == "get" and (request := iq.get_child("key")) is not None:
            return result_reply(iq, [_fetch(ctx, request)])
        if kind == "get" and iq.get_child("digest") is not None:
            return result_reply(iq, [_digest(device)])
        if kind == "set" and iq.get_child("registration") is not None:
            _upload(device, iq)
            return result_reply(iq)
        if kind == "set" and (rotate := iq.get_child("rotate")) is not None:
            device.signed_pre_key = _signed_key(rotate.get_child("skey"), device.identity)
            return result_reply(iq)
    except DecodeError as exc:
        log.info("refused an encrypt IQ: %s", exc)
        return error_reply(iq, 406, "not-acceptable")
    return error_reply(iq, 501, "feature-not-implemented")
