"""The sandbox's groups: who is in them, who is admin, and their settings (PROTOCOL.md §15.7).

A :class:`Group` keeps its members by phone number (whatever JID family they were named in) with
their role; :meth:`Group.info` renders it as the PN-addressed :class:`GroupInfo` the wire
carries, each participant with their LID as the other identity. The :class:`GroupRegistry`
hands out group JIDs of the ``120363…@g.us`` form and finds groups by JID, member or invite
code. The rules of who may change what live in :mod:`botkit.server.group_ops`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from botkit.types.group import GroupInfo, GroupParticipant, ParticipantRole
from botkit.types.jid import DEFAULT_USER_SERVER, GROUP_SERVER, HIDDEN_USER_SERVER, JID

__all__ = ["Group", "GroupRegistry"]

_ID_PREFIX = "120363"
_ID_DIGITS = 12
_CODE_BYTES = 16

LidOf = Callable[[str], str | None]
"""Returns the LID user of a phone number (None for an unknown one)."""


def new_invite_code() -> str:
    """Return a fresh 22-character invite code."""
    return os.urandom(_CODE_BYTES).hex()[:22]


@dataclass(slots=True)
class Group:
    """One group: members (phone -> role, in joining order), subject, description, settings."""

    jid: JID
    subject: str
    creator: str
    created: int
    members: dict[str, ParticipantRole] = field(default_factory=dict)
    subject_owner: str = ""
    subject_time: int = 0
    description: str = ""
    description_id: str = ""
    description_owner: str = ""
    description_time: int = 0
    announce: bool = False
    locked: bool = False
    ephemeral: int = 0
    approval: bool = False
    member_add_mode: str = "admin_add"
    invite_code: str = field(default_factory=new_invite_code)
    pending: set[str] = field(default_factory=set)
    """Phone numbers that asked to join by link while approval is on."""

    def is_member(self, phone: str) -> bool:
        """True when ``phone`` is in the group."""
        return phone in self.members

    def is_admin(self, phone: str) -> bool:
        """True when ``phone`` is an admin or the super-admin."""
        return self.members.get(phone, ParticipantRole.MEMBER) is not ParticipantRole.MEMBER

    def participant(self, phone: str, lid_of: LidOf) -> GroupParticipant:
        """Return member ``phone`` as a PN-addressed participant with its LID."""
        lid = lid_of(phone)
        alt = None if lid is None else JID(lid, HIDDEN_USER_SERVER)
        role = self.members.get(phone, ParticipantRole.MEMBER)
        return GroupParticipant(JID(phone, DEFAULT_USER_SERVER), role, alt)

    def info(self, lid_of: LidOf) -> GroupInfo:
        """Return the group as the PN-addressed metadata the wire carries."""
        return GroupInfo(
            jid=self.jid,
            subject=self.subject,
            participants=tuple(self.participant(phone, lid_of) for phone in self.members),
            description=self.description,
            owner=_pn(self.creator),
            announce=self.announce,
            locked=self.locked,
            created_at=float(self.created),
            ephemeral=self.ephemeral,
            approval=self.approval,
            member_add_mode=self.member_add_mode,
            subject_owner=_pn(self.subject_owner),
            subject_time=self.subject_time,
            description_id=self.description_id,
            description_owner=_pn(self.description_owner),
            description_time=self.description_time,
        )


def _pn(phone: str) -> JID | None:
    return JID(phone, DEFAULT_USER_SERVER) if phone else None


class GroupRegistry:
    """Every group of one sandbox."""

    def __init__(self) -> None:
        self._groups: dict[JID, Group] = {}
        self.revoked_codes: set[str] = set()
        """Invite codes that were reset (joining with one answers 410)."""
        self.next_notice: int = 1
        """The number of the next ``w:gp2`` notification id (kept across restarts)."""

    def __iter__(self) -> Iterator[Group]:
        return iter(self._groups.values())

    def create(self, creator: str, subject: str, members: list[str], now: int) -> Group:
        """Create a group of ``creator`` (super-admin) and ``members``; return it."""
        jid = self._new_jid()
        group = Group(jid, subject, creator, now, subject_owner=creator, subject_time=now)
        group.members[creator] = ParticipantRole.SUPERADMIN
        for phone in members:
            group.members.setdefault(phone, ParticipantRole.MEMBER)
        self._groups[jid] = group
        return group

    def adopt(self, group: Group) -> None:
        """Add a group restored from disk.

        Raises:
            ValueError: a group with its JID exists already.
        """
        if group.jid in self._groups:
            raise ValueError(f"the group {group.jid} exists already")
        self._groups[group.jid] = group

    def notice_id(self) -> str:
        """Return a fresh ``w:gp2`` notification id (never reused, even after a restart)."""
        number, self.next_notice = self.next_notice, self.next_notice + 1
        return f"gp2-{number}"

    def notice_seen(self, notice_id: str) -> None:
        """Make sure :meth:`notice_id` never returns ``notice_id`` (one held from before)."""
        number = notice_id.removeprefix("gp2-")
        if number != notice_id and number.isascii() and number.isdigit():
            self.next_notice = max(self.next_notice, int(number) + 1)

    def _new_jid(self) -> JID:
        while True:
            number = int.from_bytes(os.urandom(8), "big") % 10**_ID_DIGITS
            jid = JID(f"{_ID_PREFIX}{number:0{_ID_DIGITS}d}", GROUP_SERVER)
            if jid not in self._groups:
                return jid

    def get(self, jid: JID) -> Group | None:
        """Return the group ``jid`` names, or None."""
        return self._groups.get(jid.to_non_ad())

    def of_member(self, phone: str) -> list[Group]:
        """Return every group ``phone`` is in, oldest first."""
        return [group for group in self._groups.values() if group.is_member(phone)]

    def by_code(self, code: str) -> Group | None:
        """Return the group whose current invite code is ``code``, or None."""
        for group in self._groups.values():
            if group.invite_code == code:
                return group
        return None
