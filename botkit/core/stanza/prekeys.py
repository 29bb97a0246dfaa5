"""Pre-key stanzas (PROTOCOL.md §7): count, upload, and fetching other devices' bundles.

Numbers travel as big-endian bytes: registration ids in 4, key ids in 3. Keys are raw 32-byte
Curve25519 keys and ``<type>`` is the key-type byte ``05``. A fetched bundle lists
``registration``, ``identity``, ``skey`` and an optional one-time ``key`` (the last three
possibly wrapped in ``<keys>``, as in retry receipts); a device the server cannot serve carries
``<error code text/>`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from botkit.core.binary import AttrReader, Node
from botkit.core.signal import KEY_TYPE_DJB, PreKey, PreKeyBundle, SignedPreKey
from botkit.core.stanza.iq import iq, iq_error, result_payload
from botkit.errors import DecodeError, IQError
from botkit.types.jid import JID

__all__ = [
    "KEY_TYPE",
    "KeyFetchResult",
    "bundle_children",
    "count_query",
    "key_fetch_query",
    "key_node",
    "parse_bundle",
    "parse_count",
    "parse_key_fetch_result",
    "skey_node",
    "upload_query",
]

#: The ``<type>`` content: the Curve25519 key-type byte.
KEY_TYPE = bytes([KEY_TYPE_DJB])


@dataclass(frozen=True, slots=True)
class KeyFetchResult:
    """The answer to a key fetch: a bundle or an error for each device the server listed."""

    bundles: Mapping[JID, PreKeyBundle]
    errors: Mapping[JID, IQError]


def key_node(key_id: int, public: bytes) -> Node:
    """Return ``<key><id/><value/></key>`` for a one-time pre-key."""
    return Node("key", {}, [Node("id", {}, key_id.to_bytes(3, "big")), Node("value", {}, public)])


def skey_node(key_id: int, public: bytes, signature: bytes) -> Node:
    """Return ``<skey><id/><value/><signature/></skey>`` for a signed pre-key."""
    return Node(
        "skey",
        {},
        [
            Node("id", {}, key_id.to_bytes(3, "big")),
            Node("value", {}, public),
            Node("signature", {}, signature),
        ],
    )


def count_query(request_id: str) -> Node:
    """Return the IQ asking how many of our one-time pre-keys the server holds."""
    return iq("encrypt", "get", request_id, [Node("count")])


def parse_count(answer: Node) -> int:
    """Return the pre-key count of a count answer.

    Raises:
        IQError: the answer is an IQ error.
        DecodeError: the answer has no ``<count value>`` with a non-negative integer.
    """
    count = result_payload(answer).get_child("count")
    if count is None:
        raise DecodeError("a pre-key count answer needs <count>")
    reader = AttrReader(count)
    value = reader.int("value")
    reader.raise_if_errors()
    if value < 0:
        raise DecodeError(f"a pre-key count cannot be negative: {value}")
    return value


def upload_query(
    request_id: str,
    *,
    registration_id: int,
    identity_key: bytes,
    prekeys: Sequence[PreKey],
    signed_prekey: SignedPreKey,
) -> Node:
    """Return the IQ uploading our identity, signed pre-key and ``prekeys`` (§7.3)."""
    return iq(
        "encrypt",
        "set",
        request_id,
        [
            Node("registration", {}, registration_id.to_bytes(4, "big")),
            Node("type", {}, KEY_TYPE),
            Node("identity", {}, identity_key),
            Node("list", {}, [key_node(key.key_id, key.key_pair.public) for key in prekeys]),
            skey_node(signed_prekey.key_id, signed_prekey.key_pair.public, signed_prekey.signature),
        ],
    )


def key_fetch_query(request_id: str, devices: Sequence[JID]) -> Node:
    """Return the IQ fetching the bundles of ``devices`` (``reason="identity"`` for LIDs)."""
    users = []
    for device in devices:
        attrs: dict[str, str | JID] = {"jid": device}
        if device.is_lid:
            attrs["reason"] = "identity"
        users.append(Node("user", attrs))
    return iq("encrypt", "get", request_id, [Node("key", {}, users)])


def bundle_children(bundle: PreKeyBundle) -> list[Node]:
    """Return the children describing ``bundle``, as a fetch answer lists them under ``<user>``."""
    children = [
        Node("registration", {}, bundle.registration_id.to_bytes(4, "big")),
        Node("type", {}, KEY_TYPE),
        Node("identity", {}, bundle.identity_key),
        skey_node(bundle.signed_prekey_id, bundle.signed_prekey, bundle.signed_prekey_signature),
    ]
    if bundle.prekey_id is not None and bundle.prekey is not None:
        children.append(key_node(bundle.prekey_id, bundle.prekey))
    return children


def _bytes(parent: Node | None, tag: str, size: int) -> bytes:
    child = parent.get_child(tag) if parent is not None else None
    if child is None or not isinstance(child.content, bytes) or len(child.content) != size:
        raise DecodeError(f"<{tag}> must hold exactly {size} bytes")
    return child.content


def parse_bundle(node: Node, registration_id: int | None = None) -> PreKeyBundle:
    """Return the bundle described by ``node``'s children (directly or inside ``<keys>``).

    ``registration_id`` is used when ``node`` has no ``<registration>`` (a retry receipt's
    ``<keys>`` carries it beside, not inside).

    Raises:
        DecodeError: a field is missing or has the wrong size (registration 4 bytes, ids 3,
            keys 32, signature 64).
    """
    keys = node.get_child("keys") or node
    if registration_id is None:
        registration_id = int.from_bytes(_bytes(node, "registration", 4), "big")
    skey = keys.get_child("skey")
    one_time = keys.get_child("key")
    prekey_id = prekey = None
    if one_time is not None:
        prekey_id = int.from_bytes(_bytes(one_time, "id", 3), "big")
        prekey = _bytes(one_time, "value", 32)
    return PreKeyBundle(
        registration_id=registration_id,
        identity_key=_bytes(keys, "identity", 32),
        signed_prekey_id=int.from_bytes(_bytes(skey, "id", 3), "big"),
        signed_prekey=_bytes(skey, "value", 32),
        signed_prekey_signature=_bytes(skey, "signature", 64),
        prekey_id=prekey_id,
        prekey=prekey,
    )


def parse_key_fetch_result(answer: Node) -> KeyFetchResult:
    """Return the bundles (and per-device errors) of a key-fetch answer, keyed by device JID.

    Raises:
        IQError: the whole answer is an IQ error.
        DecodeError: the answer has no ``<list>``, or a ``<user>`` has no valid ``jid`` or a
            malformed bundle.
    """
    listed = result_payload(answer).get_child("list")
    if listed is None:
        raise DecodeError("a key-fetch answer needs <list>")
    bundles: dict[JID, PreKeyBundle] = {}
    errors: dict[JID, IQError] = {}
    for user in listed.get_children("user"):
        reader = AttrReader(user)
        jid = reader.jid("jid")
        reader.raise_if_errors()
        if user.get_child("error") is not None:
            errors[jid] = iq_error(user)
        else:
            bundles[jid] = parse_bundle(user)
    return KeyFetchResult(bundles, errors)
