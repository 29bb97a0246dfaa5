"""The ``w:g2`` group requests as plain values (PROTOCOL.md §13.1).

One frozen dataclass per request; :data:`GroupRequest` is their union. They are turned into
IQs and read back by :mod:`botkit.core.stanza.group_iq`.
"""

from __future__ import annotations

from dataclasses import dataclass

from botkit.types.events import ParticipantAction
from botkit.types.jid import JID

__all__ = [
    "GROUP_XMLNS",
    "ChangeParticipants",
    "CreateGroup",
    "GetInvite",
    "GroupRequest",
    "InviteInfo",
    "JoinByCode",
    "LeaveGroups",
    "ListGroups",
    "QueryGroup",
    "SetAnnounce",
    "SetApproval",
    "SetDescription",
    "SetEphemeral",
    "SetLocked",
    "SetMemberAddMode",
    "SetSubject",
]

GROUP_XMLNS = "w:g2"


@dataclass(frozen=True, slots=True)
class CreateGroup:
    """Create a group with ``subject``, the creator (as super-admin) and ``participants``.

    ``member_add_mode`` is ``"admin_add"``, ``"all_member_add"`` or ``""`` (not sent: the
    server's default); ``key`` is the creator's idempotency key (Baileys sends one), ``""``
    for none.
    """

    subject: str
    participants: tuple[JID, ...] = ()
    announce: bool = False
    locked: bool = False
    ephemeral: int = 0
    approval: bool = False
    member_add_mode: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class QueryGroup:
    """Ask for a group's metadata."""

    group: JID


@dataclass(frozen=True, slots=True)
class ListGroups:
    """Ask for every group the asking user is in."""


@dataclass(frozen=True, slots=True)
class ChangeParticipants:
    """Add, remove, promote or demote ``participants`` of ``group``.

    ``action`` is :class:`~botkit.types.events.ParticipantAction`; its values are the tags.
    """

    group: JID
    action: ParticipantAction
    participants: tuple[JID, ...]


@dataclass(frozen=True, slots=True)
class SetSubject:
    """Rename ``group``."""

    group: JID
    subject: str


@dataclass(frozen=True, slots=True)
class SetDescription:
    """Set ``group``'s description to ``text`` (``None`` deletes it).

    ``description_id`` names the new description, ``previous`` the one it replaces (``""``
    when unknown).
    """

    group: JID
    text: str | None
    description_id: str = ""
    previous: str = ""


@dataclass(frozen=True, slots=True)
class SetAnnounce:
    """Let only admins post in ``group`` (``on``), or everyone."""

    group: JID
    on: bool


@dataclass(frozen=True, slots=True)
class SetLocked:
    """Let only admins edit ``group``'s info (``on``), or everyone."""

    group: JID
    on: bool


@dataclass(frozen=True, slots=True)
class SetEphemeral:
    """Set ``group``'s disappearing-messages timer (seconds; 0 turns it off)."""

    group: JID
    seconds: int


@dataclass(frozen=True, slots=True)
class SetApproval:
    """Require an admin's approval to join ``group`` (``on``), or not."""

    group: JID
    on: bool


@dataclass(frozen=True, slots=True)
class SetMemberAddMode:
    """Choose who may add members: ``"admin_add"`` or ``"all_member_add"``."""

    group: JID
    mode: str


@dataclass(frozen=True, slots=True)
class GetInvite:
    """Get ``group``'s invite code; with ``reset``, revoke it and get a new one."""

    group: JID
    reset: bool = False


@dataclass(frozen=True, slots=True)
class InviteInfo:
    """Ask what group an invite ``code`` leads to."""

    code: str


@dataclass(frozen=True, slots=True)
class JoinByCode:
    """Join the group an invite ``code`` leads to."""

    code: str


@dataclass(frozen=True, slots=True)
class LeaveGroups:
    """Leave every group in ``groups``."""

    groups: tuple[JID, ...]


GroupRequest = (
    CreateGroup
    | QueryGroup
    | ListGroups
    | ChangeParticipants
    | SetSubject
    | SetDescription
    | SetAnnounce
    | SetLocked
    | SetEphemeral
    | SetApproval
    | SetMemberAddMode
    | GetInvite
    | InviteInfo
    | JoinByCode
    | LeaveGroups
)
"""Every ``w:g2`` request botkit speaks."""
