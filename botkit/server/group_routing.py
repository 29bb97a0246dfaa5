"""Group message fan-out in the sandbox (PROTOCOL.md §9.6, §9.7, §15.5, §15.7).

A device sends one ``<message to="<gid>@g.us">`` holding the ``skmsg`` once and, in
``<participants>``, the pairwise ``<enc>`` (its sender-key distribution) of each device that
needs one. The sandbox checks the sender may post (a member; an admin in an announcement group;
an admin for an admin revoke, ``edit="8"``) and hands every device of every member, except the
sending device, ``<message from="<gid>" participant="<sender device>" participant_lid …>`` with
that device's pairwise ``<enc>`` first (when it has one) and the ``skmsg`` after it. Pairwise
parts for users who are not members are dropped. A re-send (no ``<participants>``, the target
device in ``participant``) goes to that one device; a message without ``<participants>`` or
``participant`` is the skmsg alone, for every member device.

The ack carries the ``phash`` of the server's view of the fan-out (every member device, the
sender's included, PN-addressed): a client whose own hash differs knows its device list is
stale.
"""

from __future__ import annotations

from dataclasses import dataclass

from botkit.core.binary import AttrReader, Node
from botkit.core.stanza import participant_hash
from botkit.errors import DecodeError, SandboxRefusal
from botkit.server.groups import Group
from botkit.server.world import Account, World
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = ["ADMIN_REVOKE", "GroupFanOut", "group_fan_out"]

ADMIN_REVOKE = "8"
"""The ``edit`` value of an admin deleting another member's message (§9.5)."""

_COPIED = ("edit", "category", "device_fanout", "push_priority")

DeviceKey = tuple[str, int]


@dataclass(frozen=True, slots=True)
class GroupFanOut:
    """The deliveries of a group message (target PN device JID, stanza) and the server phash."""

    deliveries: list[tuple[JID, Node]]
    phash: str


def _pn(phone: str, device: int) -> JID:
    return JID(phone, DEFAULT_USER_SERVER, device)


def _pairwise(world: World, group: Group, node: Node) -> dict[DeviceKey, list[Node]]:
    """Return the pairwise ``<enc>`` children of each member device named in ``<participants>``.

    Raises:
        DecodeError: a ``<to>`` has no valid ``jid`` or no ``<enc>``.
        LookupError: a member's device that is not linked is named.
    """
    out: dict[DeviceKey, list[Node]] = {}
    for target in (node.get_child("participants") or Node("participants")).get_children("to"):
        reader = AttrReader(target)
        device = reader.jid("jid")
        reader.raise_if_errors()
        encs = target.get_children("enc")
        if not encs:
            raise DecodeError(f"<to jid={device}> has no <enc>")
        owner = world.account_of(device)
        if owner is None or not group.is_member(owner.phone):
            continue  # a stale member list: whoever left gets nothing
        if device.device and device.device not in owner.devices:
            raise LookupError(f"{device} is not a linked device")
        out[(owner.phone, device.device)] = encs
    return out


def group_fan_out(
    world: World, account: Account, device_id: int, node: Node, *, now: int
) -> GroupFanOut:
    """Return what each device gets of ``account``'s group message ``node``.

    Raises:
        SandboxRefusal: no such group (404), or the sender may not post in it (403).
        DecodeError: the message is malformed.
        LookupError: it names a member's device that is not linked.
    """
    reader = AttrReader(node)
    message_id = reader.string("id")
    chat = reader.jid("to")
    kind = reader.optional_string("type")
    resend_to = reader.optional_jid("participant")
    reader.raise_if_errors()
    group = world.groups.get(chat)
    if group is None:
        raise SandboxRefusal(404, f"no group {chat}")
    if not group.is_member(account.phone):
        raise SandboxRefusal(403, "the sender is not a member")
    if group.announce and not group.is_admin(account.phone):
        raise SandboxRefusal(403, "only admins may post")
    if node.attrs.get("edit") == ADMIN_REVOKE and not group.is_admin(account.phone):
        raise SandboxRefusal(403, "only admins may delete others' messages")
    attrs: dict[str, str | JID] = {"from": group.jid, "id": message_id, "t": str(now)}
    if kind is not None:
        attrs["type"] = kind
    attrs["participant"] = _pn(account.phone, device_id)
    attrs["participant_lid"] = account.lid
    attrs["addressing_mode"] = "pn"
    if account.name:
        attrs["notify"] = account.name
    attrs.update({k: v for k in _COPIED if (v := node.attrs.get(k)) is not None})
    group_encs = node.get_children("enc")
    identity = node.get_children("device-identity")
    members = [(phone, world.account(phone)) for phone in group.members]
    devices = [(p, d) for p, a in members if a is not None for d in a.device_ids()]
    everyone = [_pn(phone, device) for phone, device in devices]
    if node.get_child("participants") is None and resend_to is not None:
        target = world.account_of(resend_to)
        if target is None or not group.is_member(target.phone):
            raise LookupError(f"{resend_to} is no member's device")
        pairwise = {(target.phone, resend_to.device): group_encs}
        devices, group_encs = [(target.phone, resend_to.device)], []
    else:
        pairwise = _pairwise(world, group, node)
    deliveries: list[tuple[JID, Node]] = []
    for phone, device in devices:
        if (phone, device) == (account.phone, device_id):
            continue
        own = pairwise.get((phone, device), [])
        children = [*own, *group_encs]
        if not children:
            continue
        if any(enc.attrs.get("type") == "pkmsg" for enc in own):
            children.extend(identity)
        deliveries.append((_pn(phone, device), Node("message", dict(attrs), children)))
    return GroupFanOut(deliveries, participant_hash(everyone))
