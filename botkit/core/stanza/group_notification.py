"""``w:gp2`` notifications: what changed in a group, both ways (PROTOCOL.md §13.3).

::

    <notification type="w:gp2" from="<gid>" id t participant="<actor>" [participant_pn]
                  [notify] [addressing_mode]>
      <add|remove|promote|demote [reason]><participant jid [type] [lid|phone_number]/>…</…>
      | <subject subject s_t [s_o]/> | <description id><body>text</body></description>
      | <description id><delete/></description> | <announcement [v_id]/> | <not_announcement/>
      | <locked/> | <unlocked/> | <ephemeral expiration/> | <not_ephemeral/> | <invite code/>
      | <membership_approval_mode><group_join state="on|off"/></membership_approval_mode>
      | <create [reason] [key]><group …/></create> | <delete reason/>
    </notification>

A member leaving is a ``<remove>`` whose participant is the actor (Baileys' ``<leave>`` spelling
is read as a remove too). Baileys reads only the first change of a notification, so a server
sends one change per notification; the parser keeps all of them, and keeps unknown ones as
:class:`UnknownChange`.
"""

from __future__ import annotations

from dataclasses import dataclass

from botkit.core.binary import AttrReader, Node
from botkit.core.stanza.group_info import (
    group_node,
    parse_group,
    parse_participant,
    participant_node,
    text_content,
)
from botkit.errors import DecodeError
from botkit.types.events import ParticipantAction
from botkit.types.group import GroupInfo, GroupParticipant
from botkit.types.jid import JID

__all__ = [
    "GP2",
    "AnnounceChange",
    "ApprovalChange",
    "DescriptionChange",
    "EphemeralChange",
    "GroupChange",
    "GroupCreated",
    "GroupDeleted",
    "GroupNotification",
    "InviteChange",
    "LockedChange",
    "ParticipantsChange",
    "SubjectChange",
    "UnknownChange",
    "gp2_notification",
    "parse_gp2_notification",
]

GP2 = "w:gp2"


@dataclass(frozen=True, slots=True)
class ParticipantsChange:
    """Participants were added, removed (or left), promoted or demoted."""

    action: ParticipantAction
    participants: tuple[GroupParticipant, ...]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SubjectChange:
    """The group was renamed by ``owner`` at ``time`` (unix seconds)."""

    subject: str
    time: int
    owner: JID | None = None


@dataclass(frozen=True, slots=True)
class DescriptionChange:
    """The description ``description_id`` was set to ``text`` (``None``: deleted)."""

    description_id: str
    text: str | None


@dataclass(frozen=True, slots=True)
class AnnounceChange:
    """Only admins may post (``on``), or everyone again; ``version`` is ``v_id``."""

    on: bool
    version: str = ""


@dataclass(frozen=True, slots=True)
class LockedChange:
    """Only admins may edit the group's info (``on``), or everyone again."""

    on: bool


@dataclass(frozen=True, slots=True)
class EphemeralChange:
    """The disappearing-messages timer is now ``seconds`` (0: off)."""

    seconds: int


@dataclass(frozen=True, slots=True)
class InviteChange:
    """The invite link was reset; ``code`` is the new one."""

    code: str


@dataclass(frozen=True, slots=True)
class ApprovalChange:
    """Joining now needs an admin's approval (``on``), or not."""

    on: bool


@dataclass(frozen=True, slots=True)
class GroupCreated:
    """The recipient is in a new group (created, or added to it): its full metadata."""

    info: GroupInfo
    reason: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class GroupDeleted:
    """The group was deleted."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class UnknownChange:
    """A change botkit does not model, as received."""

    node: Node


GroupChange = (
    ParticipantsChange
    | SubjectChange
    | DescriptionChange
    | AnnounceChange
    | LockedChange
    | EphemeralChange
    | InviteChange
    | ApprovalChange
    | GroupCreated
    | GroupDeleted
    | UnknownChange
)
"""One child of a ``w:gp2`` notification."""


@dataclass(frozen=True, slots=True)
class GroupNotification:
    """A ``w:gp2`` notification: ``actor`` changed ``group`` at ``timestamp``.

    ``actor_pn`` is the actor's phone-number JID when ``actor`` is a LID; ``notify`` the
    actor's push name.
    """

    group: JID
    id: str
    timestamp: int
    changes: tuple[GroupChange, ...]
    actor: JID | None = None
    actor_pn: JID | None = None
    notify: str | None = None
    addressing_mode: str | None = None


def _change_node(change: GroupChange) -> Node:
    match change:
        case ParticipantsChange(action, participants, reason):
            attrs: dict[str, str | JID] = {"reason": reason} if reason else {}
            return Node(action.value, attrs, [participant_node(p) for p in participants])
        case SubjectChange(subject, time, owner):
            attrs = {"subject": subject, "s_t": str(time)}
            if owner is not None:
                attrs["s_o"] = owner
            return Node("subject", attrs)
        case DescriptionChange(description_id, text):
            inner = Node("delete") if text is None else Node("body", {}, text.encode())
            return Node("description", {"id": description_id}, [inner])
        case AnnounceChange(on, version):
            tag = "announcement" if on else "not_announcement"
            return Node(tag, {"v_id": version} if version else {})
        case LockedChange(on):
            return Node("locked" if on else "unlocked")
        case EphemeralChange(seconds):
            if seconds:
                return Node("ephemeral", {"expiration": str(seconds)})
            return Node("not_ephemeral")
        case InviteChange(code):
            return Node("invite", {"code": code})
        case ApprovalChange(on):
            join = Node("group_join", {"state": "on" if on else "off"})
            return Node("membership_approval_mode", {}, [join])
        case GroupCreated(info, reason, key):
            attrs = {}
            if reason:
                attrs["reason"] = reason
            if key:
                attrs["key"] = key
            return Node("create", attrs, [group_node(info)])
        case GroupDeleted(reason):
            return Node("delete", {"reason": reason})
        case UnknownChange(node):
            return node


def gp2_notification(notification: GroupNotification) -> Node:
    """Return the ``<notification type="w:gp2">`` of ``notification``."""
    attrs: dict[str, str | JID] = {
        "from": notification.group,
        "type": GP2,
        "id": notification.id,
        "t": str(notification.timestamp),
    }
    if notification.actor is not None:
        attrs["participant"] = notification.actor
    if notification.actor_pn is not None:
        attrs["participant_pn"] = notification.actor_pn
    if notification.notify is not None:
        attrs["notify"] = notification.notify
    if notification.addressing_mode is not None:
        attrs["addressing_mode"] = notification.addressing_mode
    changes = [_change_node(change) for change in notification.changes]
    return Node("notification", attrs, changes)


_ACTIONS = {action.value: action for action in ParticipantAction}
_ACTIONS.setdefault("leave", ParticipantAction.REMOVED)


def _parse_change(node: Node) -> GroupChange:
    reader = AttrReader(node)
    tag = node.tag
    change: GroupChange
    if tag in _ACTIONS:
        participants = tuple(parse_participant(p) for p in node.get_children("participant"))
        change = ParticipantsChange(
            _ACTIONS[tag], participants, reader.optional_string("reason") or ""
        )
    elif tag == "subject":
        change = SubjectChange(
            reader.string("subject"), reader.int("s_t"), reader.optional_jid("s_o")
        )
    elif tag == "description":
        deleted = node.get_child("delete") is not None
        text = None if deleted else text_content(node.get_child("body"))
        change = DescriptionChange(reader.string("id"), text)
    elif tag in ("announcement", "not_announcement"):
        change = AnnounceChange(tag == "announcement", reader.optional_string("v_id") or "")
    elif tag in ("locked", "unlocked"):
        change = LockedChange(tag == "locked")
    elif tag in ("ephemeral", "not_ephemeral"):
        change = EphemeralChange(reader.optional_int("expiration") or 0)
    elif tag == "invite":
        change = InviteChange(reader.string("code"))
    elif tag == "membership_approval_mode":
        join = node.get_child("group_join")
        change = ApprovalChange(join is None or join.attrs.get("state") != "off")
    elif tag == "create":
        group = node.get_child("group")
        if group is None:
            raise DecodeError("<create> without <group>")
        reason = reader.optional_string("reason") or ""
        change = GroupCreated(parse_group(group), reason, reader.optional_string("key") or "")
    elif tag == "delete":
        change = GroupDeleted(reader.optional_string("reason") or "")
    else:
        change = UnknownChange(node)
    reader.raise_if_errors()
    return change


def parse_gp2_notification(node: Node) -> GroupNotification:
    """Return the ``w:gp2`` notification ``node`` as a typed value.

    Raises:
        DecodeError: the node is not a ``w:gp2`` ``<notification>``; ``from`` (a group),
            ``id`` or ``t`` is missing or malformed; or a known change is malformed.
    """
    if node.tag != "notification" or node.attrs.get("type") != GP2:
        raise DecodeError(f"expected a {GP2} <notification>, got <{node.tag}>")
    reader = AttrReader(node)
    group = reader.jid("from")
    notification_id = reader.string("id")
    timestamp = reader.int("t")
    actor = reader.optional_jid("participant")
    actor_pn = reader.optional_jid("participant_pn")
    reader.raise_if_errors()
    if not group.is_group:
        raise DecodeError(f"a {GP2} notification from {group}, not a group")
    return GroupNotification(
        group=group,
        id=notification_id,
        timestamp=timestamp,
        changes=tuple(_parse_change(child) for child in node.children),
        actor=actor,
        actor_pn=actor_pn,
        notify=reader.optional_string("notify"),
        addressing_mode=reader.optional_string("addressing_mode"),
    )
