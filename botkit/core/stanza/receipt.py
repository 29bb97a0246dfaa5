"""Receipts and acks (PROTOCOL.md §9.8, §9.9, §10.3, §10.4, §10.6).

We send: delivery receipts (which double as the ack of a decrypted message), read receipts, retry
receipts when a message does not decrypt, and ``<ack>`` for everything else we must acknowledge.
We receive: receipts from other devices (delivered, read, retry...) and the server's ``<ack>`` of
each message we sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from botkit.core.binary import AttrReader, Node
from botkit.core.signal import PreKeyBundle
from botkit.core.stanza.prekeys import KEY_TYPE, key_node, parse_bundle, skey_node
from botkit.errors import DecodeError
from botkit.types.jid import JID

__all__ = [
    "Receipt",
    "RetryRequest",
    "ServerAck",
    "ack",
    "delivery_receipt",
    "parse_receipt",
    "parse_server_ack",
    "read_receipt",
    "retry_receipt",
]

_ROUTING = ("participant", "recipient")


def _reply_attrs(node: Node) -> dict[str, str | JID]:
    """Return the attributes that address an answer to ``node``: its ``id``, ``to`` its
    ``from``, and its ``participant`` and ``recipient`` as they are."""
    attrs: dict[str, str | JID] = {"id": node.attrs.get("id", ""), "to": node.attrs.get("from", "")}
    for key in _ROUTING:
        if (value := node.attrs.get(key)) is not None:
            attrs[key] = value
    return attrs


def ack(node: Node, error: int | None = None) -> Node:
    """Return the ``<ack>`` of a received ``node`` (§10.3).

    ``class`` is the node's tag; ``id``, ``participant`` and ``recipient`` are copied, ``to`` is
    its ``from``; ``type`` is copied except for messages; ``error`` is a nack code (487...).
    """
    attrs: dict[str, str | JID] = {"class": node.tag, **_reply_attrs(node)}
    if node.tag != "message" and (kind := node.attrs.get("type")) is not None:
        attrs["type"] = kind
    if error is not None:
        attrs["error"] = str(error)
    return Node("ack", attrs)


def delivery_receipt(message: Node, receipt_type: str | None = None) -> Node:
    """Return the receipt for a decrypted ``message`` node (§10.4).

    ``receipt_type`` is None for "delivered", or ``inactive``, ``sender`` (our own device's
    message) or ``peer_msg``.
    """
    attrs = _reply_attrs(message)
    if receipt_type is not None:
        attrs["type"] = receipt_type
    return Node("receipt", attrs)


def read_receipt(
    chat: JID,
    message_ids: Sequence[str],
    *,
    timestamp: int,
    sender: JID | None = None,
    receipt_type: str = "read",
) -> Node:
    """Return a read (or ``read-self``, ``played``...) receipt for ``message_ids`` in ``chat``.

    ``sender`` is the author of the messages, required in groups. The first id goes in ``id``,
    the others in ``<list><item id/></list>``.

    Raises:
        ValueError: ``message_ids`` is empty.
    """
    if not message_ids:
        raise ValueError("a read receipt needs at least one message id")
    attrs: dict[str, str | JID] = {"id": message_ids[0], "type": receipt_type, "to": chat}
    attrs["t"] = str(timestamp)
    if sender is not None:
        attrs["participant"] = sender
    items = [Node("item", {"id": message_id}) for message_id in message_ids[1:]]
    return Node("receipt", attrs, [Node("list", {}, items)] if items else None)


def retry_receipt(
    message: Node,
    *,
    count: int,
    registration_id: int,
    keys: PreKeyBundle | None = None,
    device_identity: bytes | None = None,
) -> Node:
    """Return the retry receipt asking the sender of ``message`` to send it again (§10.6).

    ``keys`` (our identity, signed pre-key and a fresh one-time pre-key; its registration id
    is not used, ``registration_id`` is) and
    ``device_identity`` are added when ``count`` > 1 or our session is gone, so the sender can
    start a new session without a key fetch.
    """
    attrs = _reply_attrs(message)
    attrs["type"] = "retry"
    if message.attrs.get("category") == "peer":
        attrs["category"] = "peer"
    retry = {"count": str(count), "id": message.attrs.get("id", ""), "v": "1"}
    retry["t"] = str(message.attrs.get("t", "0"))
    children = [
        Node("retry", retry),
        Node("registration", {}, registration_id.to_bytes(4, "big")),
    ]
    if keys is not None:
        key_nodes = [Node("type", {}, KEY_TYPE), Node("identity", {}, keys.identity_key)]
        if keys.prekey_id is not None and keys.prekey is not None:
            key_nodes.append(key_node(keys.prekey_id, keys.prekey))
        key_nodes.append(
            skey_node(keys.signed_prekey_id, keys.signed_prekey, keys.signed_prekey_signature)
        )
        if device_identity is not None:
            key_nodes.append(Node("device-identity", {}, device_identity))
        children.append(Node("keys", {}, key_nodes))
    return Node("receipt", attrs, children)


@dataclass(frozen=True, slots=True)
class RetryRequest:
    """What a retry receipt asks: the retry number, the message's time, and fresh keys if sent."""

    count: int
    timestamp: int
    registration_id: int | None
    bundle: PreKeyBundle | None


@dataclass(frozen=True, slots=True)
class Receipt:
    """A received ``<receipt>``: ``type`` None means delivered; ``message_ids`` lists every id."""

    from_: JID
    message_ids: tuple[str, ...]
    type: str | None
    timestamp: int | None
    participant: JID | None = None
    recipient: JID | None = None
    retry: RetryRequest | None = None


def _retry(node: Node) -> RetryRequest:
    retry = node.get_child("retry")
    if retry is None:
        raise DecodeError("a retry receipt needs <retry>")
    reader = AttrReader(retry)
    count = reader.int("count")
    timestamp = reader.optional_int("t") or 0
    reader.raise_if_errors()
    registration = node.get_child("registration")
    registration_id = None
    if registration is not None:
        if not isinstance(registration.content, bytes) or len(registration.content) != 4:
            raise DecodeError("<registration> must hold exactly 4 bytes")
        registration_id = int.from_bytes(registration.content, "big")
    bundle = None
    keys = node.get_child("keys")
    if keys is not None and registration_id is not None:
        key_type = keys.get_child("type")
        if key_type is not None and key_type.content != KEY_TYPE:
            raise DecodeError("<keys><type> must be 05")
        bundle = parse_bundle(keys, registration_id)
    return RetryRequest(count, timestamp, registration_id, bundle)


def parse_receipt(node: Node) -> Receipt:
    """Return a received ``<receipt>`` as a typed value.

    Raises:
        DecodeError: the node is not a receipt, ``id`` or ``from`` is missing or malformed, or a
            retry receipt's ``<retry>``, ``<registration>`` or ``<keys>`` is malformed.
    """
    if node.tag != "receipt":
        raise DecodeError(f"expected <receipt>, got <{node.tag}>")
    reader = AttrReader(node)
    first = reader.string("id")
    sender = reader.jid("from")
    timestamp = reader.optional_int("t")
    participant = reader.optional_jid("participant")
    recipient = reader.optional_jid("recipient")
    kind = reader.optional_string("type")
    reader.raise_if_errors()
    ids = [first]
    for item in (node.get_child("list") or Node("list")).get_children("item"):
        item_reader = AttrReader(item)
        item_id = item_reader.string("id")
        item_reader.raise_if_errors()
        ids.append(item_id)
    retry = _retry(node) if kind == "retry" else None
    return Receipt(sender, tuple(ids), kind, timestamp, participant, recipient, retry)


@dataclass(frozen=True, slots=True)
class ServerAck:
    """The server's ``<ack>`` of a stanza we sent (for messages: ``class="message"``)."""

    id: str
    ack_class: str
    from_: JID | None
    timestamp: int | None
    phash: str | None = None
    server_id: str | None = None
    error: int | None = None


def parse_server_ack(node: Node) -> ServerAck:
    """Return a received ``<ack>`` as a typed value (a non-zero ``error`` means it failed).

    Raises:
        DecodeError: the node is not an ``<ack>``, or ``id``/``class`` is missing, or ``t`` or
            ``error`` is not an integer.
    """
    if node.tag != "ack":
        raise DecodeError(f"expected <ack>, got <{node.tag}>")
    reader = AttrReader(node)
    result = ServerAck(
        id=reader.string("id"),
        ack_class=reader.string("class"),
        from_=reader.optional_jid("from"),
        timestamp=reader.optional_int("t"),
        phash=reader.optional_string("phash"),
        server_id=reader.optional_string("server_id"),
        error=reader.optional_int("error") or None,
    )
    reader.raise_if_errors()
    return result
