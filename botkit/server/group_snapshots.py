"""The sandbox's groups and the phones' group crypto state as JSON (``--data``).

:func:`groups_registry` is the registry of :attr:`World.groups <botkit.server.world.World>`:
every group with all its metadata (subject and who set it when, description, members and
roles, announce / locked / ephemeral / approval / member add mode, invite code, pending join
requests, creation), the invite codes that were reset, and the number of the next ``w:gp2``
notification (so that a notification id is never reused across a restart: a companion's
mailbox holds notifications by id). :func:`phone_groups_json` and :func:`restore_phone_groups`
add to the phones registry (:func:`botkit.server.snapshots.phones_registry`) what a simulated
phone keeps per group: the sender keys others gave it, its own sender key and the devices
that already received it. A data directory written before groups were persisted has no
groups file and no such fields: it loads with no groups, and the phones start new sender keys.
"""

from __future__ import annotations

from typing import Any, TypeVar

from botkit.core.signal import SenderKeyRecord
from botkit.server.groups import Group, GroupRegistry, new_invite_code
from botkit.server.persistence import JSON, Hooks, from_b64, to_b64
from botkit.server.phone_chat import PhoneChat
from botkit.types.group import ParticipantRole
from botkit.types.jid import JID

__all__ = ["group_json", "group_of", "groups_registry", "phone_groups_json", "restore_phone_groups"]

T = TypeVar("T")


def _group_jid(text: Any) -> JID:
    """Return the group JID ``text`` names.

    Raises:
        ValueError: it is not a group JID.
    """
    jid = JID.parse(str(text))
    if not jid.is_group:
        raise ValueError(f"{jid} is not a group")
    return jid


def _field(data: JSON, name: str, kind: type[T], default: T | None = None) -> T:
    """Return field ``name`` of ``data``, which must be a ``kind`` (``default`` if absent).

    Raises:
        KeyError: it is absent and has no default.
        ValueError: it is not a ``kind``.
    """
    value = data[name] if default is None else data.get(name, default)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"group field {name!r} is not a {kind.__name__}: {value!r}")
    return value


def group_json(group: Group) -> JSON:
    """Return every field of ``group`` as JSON (members in joining order)."""
    return {
        "jid": str(group.jid),
        "subject": group.subject,
        "creator": group.creator,
        "created": group.created,
        "members": [[phone, role.value] for phone, role in group.members.items()],
        "subject_owner": group.subject_owner,
        "subject_time": group.subject_time,
        "description": group.description,
        "description_id": group.description_id,
        "description_owner": group.description_owner,
        "description_time": group.description_time,
        "announce": group.announce,
        "locked": group.locked,
        "ephemeral": group.ephemeral,
        "approval": group.approval,
        "member_add_mode": group.member_add_mode,
        "invite_code": group.invite_code,
        "pending": sorted(group.pending),
    }


def group_of(data: JSON) -> Group:
    """Return the group :func:`group_json` wrote (fields it lacks take their defaults).

    Raises:
        ValueError, KeyError, TypeError: ``data`` is not what :func:`group_json` writes.
    """
    return Group(
        jid=_group_jid(_field(data, "jid", str)),
        subject=_field(data, "subject", str),
        creator=_field(data, "creator", str),
        created=_field(data, "created", int),
        members={str(phone): ParticipantRole(role) for phone, role in data["members"]},
        subject_owner=_field(data, "subject_owner", str, ""),
        subject_time=_field(data, "subject_time", int, 0),
        description=_field(data, "description", str, ""),
        description_id=_field(data, "description_id", str, ""),
        description_owner=_field(data, "description_owner", str, ""),
        description_time=_field(data, "description_time", int, 0),
        announce=_field(data, "announce", bool, False),
        locked=_field(data, "locked", bool, False),
        ephemeral=_field(data, "ephemeral", int, 0),
        approval=_field(data, "approval", bool, False),
        member_add_mode=_field(data, "member_add_mode", str, "admin_add"),
        invite_code=_field(data, "invite_code", str, new_invite_code()),
        pending={str(phone) for phone in data.get("pending", [])},
    )


def groups_registry(groups: GroupRegistry) -> Hooks:
    """Return the hooks of the groups: metadata, reset invite codes, notification counter."""

    def snapshot() -> JSON:
        return {
            "groups": [group_json(group) for group in groups],
            "revoked_codes": sorted(groups.revoked_codes),
            "next_notice": groups.next_notice,
        }

    def restore(data: JSON) -> None:
        for group in data["groups"]:
            groups.adopt(group_of(group))
        groups.revoked_codes.update(str(code) for code in data.get("revoked_codes", []))
        groups.next_notice = max(groups.next_notice, int(data.get("next_notice", 1)))

    return Hooks("groups", snapshot, restore)


def phone_groups_json(chat: PhoneChat) -> dict[str, JSON]:
    """Return a phone's group crypto state: others' sender keys, its own, who holds its own."""
    return {
        "sender_keys": [
            [str(group), phone, device, to_b64(record.serialize())]
            for (group, (phone, device)), record in chat.sender_keys.items()
        ],
        "own_sender_keys": [
            [str(group), to_b64(record.serialize())]
            for group, record in chat.own_sender_keys.items()
        ],
        "key_holders": [
            [str(group), sorted([phone, device] for phone, device in holders)]
            for group, holders in chat.key_holders.items()
        ],
    }


def restore_phone_groups(chat: PhoneChat, state: JSON) -> None:
    """Load what :func:`phone_groups_json` returned into ``chat`` (absent fields: nothing).

    Raises:
        ValueError, KeyError, TypeError, BotkitError: ``state`` is not what it writes.
    """
    for group, phone, device, record in state.get("sender_keys", []):
        key = (_group_jid(group), (str(phone), int(device)))
        chat.sender_keys[key] = SenderKeyRecord.deserialize(from_b64(record))
    for group, record in state.get("own_sender_keys", []):
        chat.own_sender_keys[_group_jid(group)] = SenderKeyRecord.deserialize(from_b64(record))
    for group, holders in state.get("key_holders", []):
        devices = {(str(phone), int(device)) for phone, device in holders}
        chat.key_holders[_group_jid(group)] = devices
