"""The ``<message>`` stanza: what a client sends (§9.5, §9.6) and what it receives (§10.1).

Outgoing, a message fans out to devices::

    <message id to type [phash] [edit] [addressing_mode]>
      <participants><to jid><enc v="2" type="pkmsg|msg">…</enc></to>…</participants>
      [<device-identity>…</device-identity>]          (when any enc is a pkmsg)
      [<enc v="2" type="skmsg">…</enc>]               (groups: after <participants>)
    </message>

Incoming, the server has cut it down to one device: ``<message from id t [participant]
[notify]>`` with the ``<enc>`` children meant for that device, in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

from botkit.core.binary import AttrReader, Node
from botkit.errors import DecodeError
from botkit.types.jid import BROADCAST_SERVER, JID

__all__ = [
    "Enc",
    "EncType",
    "IncomingMessage",
    "enc_node",
    "is_group_like",
    "message_node",
    "parse_message",
    "split_for_devices",
]

EncType = Literal["pkmsg", "msg", "skmsg", "msmsg"]
_ENC_TYPES = frozenset({"pkmsg", "msg", "skmsg", "msmsg"})
#: Attributes of an incoming message that name a JID (read as JIDs, kept when valid).
_JID_ATTRS = (
    "sender_pn",
    "sender_lid",
    "participant_pn",
    "participant_lid",
    "peer_recipient_pn",
    "peer_recipient_lid",
)


def is_group_like(chat: JID) -> bool:
    """True for chats whose messages fan out by sender key: groups and broadcasts."""
    return chat.is_group or chat.server == BROADCAST_SERVER


@dataclass(frozen=True, slots=True)
class Enc:
    """One ``<enc>``: its type, version (2; 3 is unpadded Armadillo), bytes and attributes.

    ``count`` is the retry number of a re-sent message; ``mediatype`` and ``decrypt_fail``
    (``"hide"``) are passed through.
    """

    type: EncType
    data: bytes
    version: int = 2
    count: int | None = None
    mediatype: str | None = None
    decrypt_fail: str | None = None


def enc_node(enc: Enc) -> Node:
    """Return the ``<enc>`` node of ``enc``."""
    attrs: dict[str, str | JID] = {"v": str(enc.version), "type": enc.type}
    if enc.count is not None:
        attrs["count"] = str(enc.count)
    if enc.mediatype is not None:
        attrs["mediatype"] = enc.mediatype
    if enc.decrypt_fail is not None:
        attrs["decrypt-fail"] = enc.decrypt_fail
    return Node("enc", attrs, enc.data)


def message_node(
    *,
    message_id: str,
    to: JID,
    message_type: str,
    participants: Sequence[tuple[JID, Enc]],
    device_identity: bytes | None = None,
    group_enc: Enc | None = None,
    attrs: Mapping[str, str | JID] | None = None,
) -> Node:
    """Return an outgoing ``<message>`` for the server to fan out.

    ``participants`` pairs each device JID with its pairwise ``<enc>``; ``device_identity`` is
    our serialized ``ADVSignedDeviceIdentity`` (give it when any enc is a pkmsg); ``group_enc``
    is a group's ``skmsg``; ``attrs`` adds attributes such as ``phash``, ``edit``,
    ``addressing_mode`` or ``peer_recipient_pn``.

    Raises:
        ValueError: neither participants nor a group enc were given.
    """
    if not participants and group_enc is None:
        raise ValueError("a message needs at least one participant or a group enc")
    node_attrs: dict[str, str | JID] = {"id": message_id, "to": to, "type": message_type}
    node_attrs.update(attrs or {})
    children: list[Node] = []
    if participants:
        to_nodes = [Node("to", {"jid": jid}, [enc_node(enc)]) for jid, enc in participants]
        children.append(Node("participants", {}, to_nodes))
    if device_identity is not None:
        children.append(Node("device-identity", {}, device_identity))
    if group_enc is not None:
        children.append(enc_node(group_enc))
    return Node("message", node_attrs, children)


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A received ``<message>`` as its attributes and encrypted parts.

    ``sender`` is the device that wrote it (``participant`` in groups and broadcasts, else
    ``from``); ``chat`` is the conversation (the group, the recipient of our own other device's
    message, or the sender's user). ``alt_jids`` holds the PN/LID attributes present
    (``sender_pn``, ``participant_lid``...); ``attrs`` is every attribute as received, for acks
    and receipts.
    """

    id: str
    from_: JID
    timestamp: int
    encs: tuple[Enc, ...]
    participant: JID | None = None
    recipient: JID | None = None
    notify: str | None = None
    type: str | None = None
    category: str | None = None
    edit: str | None = None
    addressing_mode: str | None = None
    device_identity: bytes | None = None
    alt_jids: Mapping[str, JID] = field(default_factory=dict)
    attrs: Mapping[str, str | JID] = field(default_factory=dict)

    @property
    def sender(self) -> JID:
        """The device that wrote the message."""
        return self.participant if self.participant is not None else self.from_

    @property
    def is_group_like(self) -> bool:
        """True for groups and broadcasts (where the sender is ``participant``)."""
        return is_group_like(self.from_)

    @property
    def chat(self) -> JID:
        """The conversation: the group, the recipient named by our own device, or the sender."""
        if self.is_group_like:
            return self.from_
        if self.recipient is not None:
            return self.recipient
        return self.from_.to_non_ad()


def _enc(node: Node) -> Enc:
    reader = AttrReader(node)
    kind = reader.string("type")
    version = reader.int("v")
    count = reader.optional_int("count")
    mediatype = reader.optional_string("mediatype")
    decrypt_fail = reader.optional_string("decrypt-fail")
    reader.raise_if_errors()
    if kind not in _ENC_TYPES:
        raise DecodeError(f"<enc> has an unknown type {kind!r}")
    if version not in (2, 3):
        raise DecodeError(f"<enc> has an unknown version {version}")
    if not isinstance(node.content, bytes) or not node.content:
        raise DecodeError("<enc> must hold bytes")
    return Enc(cast(EncType, kind), node.content, version, count, mediatype, decrypt_fail)


def parse_message(node: Node) -> IncomingMessage:
    """Return the incoming ``<message>`` ``node`` as a typed value.

    Raises:
        DecodeError: the node is not a ``<message>``; ``id``, ``from`` or ``t`` is missing or
            malformed; a group or broadcast message has no ``participant``; an ``<enc>`` is
            malformed; or ``<device-identity>`` does not hold bytes.
    """
    if node.tag != "message":
        raise DecodeError(f"expected <message>, got <{node.tag}>")
    reader = AttrReader(node)
    message_id = reader.string("id")
    sender = reader.jid("from")
    timestamp = reader.int("t")
    participant = reader.optional_jid("participant")
    recipient = reader.optional_jid("recipient")
    alt_jids = {key: jid for key in _JID_ATTRS if (jid := reader.optional_jid(key)) is not None}
    reader.raise_if_errors()
    if not message_id:
        raise DecodeError("<message> has an empty id")
    if is_group_like(sender) and participant is None:
        raise DecodeError("a group or broadcast <message> needs a participant")
    identity_node = node.get_child("device-identity")
    identity = identity_node.content if identity_node is not None else None
    if identity_node is not None and not isinstance(identity, bytes):
        raise DecodeError("<device-identity> must hold bytes")
    return IncomingMessage(
        id=message_id,
        from_=sender,
        timestamp=timestamp,
        encs=tuple(_enc(child) for child in node.children if child.tag == "enc"),
        participant=participant,
        recipient=recipient,
        notify=reader.optional_string("notify"),
        type=reader.optional_string("type"),
        category=reader.optional_string("category"),
        edit=reader.optional_string("edit"),
        addressing_mode=reader.optional_string("addressing_mode"),
        device_identity=identity if isinstance(identity, bytes) else None,
        alt_jids=alt_jids,
        attrs=dict(node.attrs),
    )


def split_for_devices(
    node: Node, *, sender: JID, timestamp: int, notify: str | None = None
) -> list[tuple[JID, Node]]:
    """Return what each addressed device receives of an outgoing ``<message>`` (a server's job).

    Each ``<to jid>`` becomes ``<message from id t type [participant] [recipient] [notify]>``
    holding that device's ``<enc>`` (then the group ``skmsg``, if any) and the
    ``<device-identity>`` when its enc is a pkmsg. ``sender`` is the sending device; in groups
    it becomes ``participant``, and a copy to the sender's own devices names the chat in
    ``recipient``.

    Raises:
        DecodeError: the node is not a ``<message>`` with ``id`` and ``to``, or a ``<to>`` has
            no valid ``jid`` or no ``<enc>``.
    """
    if node.tag != "message":
        raise DecodeError(f"expected <message>, got <{node.tag}>")
    reader = AttrReader(node)
    message_id = reader.string("id")
    chat = reader.jid("to")
    kind = reader.optional_string("type")
    reader.raise_if_errors()
    group_like = is_group_like(chat)
    identity = node.get_child("device-identity")
    group_encs = [child for child in node.children if child.tag == "enc"]
    out: list[tuple[JID, Node]] = []
    for target in (node.get_child("participants") or Node("participants")).get_children("to"):
        to_reader = AttrReader(target)
        device = to_reader.jid("jid")
        to_reader.raise_if_errors()
        encs = target.get_children("enc")
        if not encs:
            raise DecodeError(f"<to jid={device}> has no <enc>")
        attrs: dict[str, str | JID] = {"from": chat if group_like else sender, "id": message_id}
        attrs["t"] = str(timestamp)
        if kind is not None:
            attrs["type"] = kind
        if group_like:
            attrs["participant"] = sender
        elif device.user == sender.user and device.server == sender.server:
            attrs["recipient"] = chat
        if notify is not None:
            attrs["notify"] = notify
        children = [*encs, *group_encs]
        if identity is not None and any(enc.attrs.get("type") == "pkmsg" for enc in encs):
            children.append(identity)
        out.append((device, Node("message", attrs, children)))
    return out
