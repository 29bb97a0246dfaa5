"""Group metadata as plain values (what the client caches and the runtime checks admins in)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from botkit.types.jid import JID

__all__ = ["AddressingMode", "GroupInfo", "GroupParticipant", "GroupSetting", "ParticipantRole"]


class ParticipantRole(enum.Enum):
    """A participant's role in a group."""

    MEMBER = "member"
    ADMIN = "admin"
    SUPERADMIN = "superadmin"


class AddressingMode(enum.Enum):
    """How a group names its members: by phone number (``pn``) or by LID (``lid``)."""

    PN = "pn"
    LID = "lid"


@dataclass(frozen=True, slots=True)
class GroupParticipant:
    """A group member: ``jid`` as the group addresses them, ``alt`` their other identity if known.

    In a LID-addressed group ``jid`` is a LID and ``alt`` the phone-number JID (and vice versa).
    """

    jid: JID
    role: ParticipantRole = ParticipantRole.MEMBER
    alt: JID | None = None

    @property
    def is_admin(self) -> bool:
        """Return whether the participant is an admin or the group's super-admin."""
        return self.role is not ParticipantRole.MEMBER


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A group's metadata: subject, description, settings and participants.

    ``ephemeral`` is the disappearing-messages timer in seconds (0: off); ``approval`` says
    whether joining needs an admin's approval; ``member_add_mode`` is ``"admin_add"``,
    ``"all_member_add"`` or ``""`` when unknown. ``subject_owner``/``subject_time`` say who set
    the subject and when (unix seconds, 0 when unknown); ``description_id`` names the current
    description (``""`` when there is none), set by ``description_owner`` at
    ``description_time``.
    """

    jid: JID
    subject: str
    participants: tuple[GroupParticipant, ...] = ()
    description: str = ""
    owner: JID | None = None
    announce: bool = False
    locked: bool = False
    created_at: float = 0.0
    ephemeral: int = 0
    approval: bool = False
    addressing_mode: AddressingMode = AddressingMode.PN
    member_add_mode: str = ""
    subject_owner: JID | None = None
    subject_time: int = 0
    description_id: str = ""
    description_owner: JID | None = None
    description_time: int = 0

    def participant(self, *identities: JID) -> GroupParticipant | None:
        """Return the participant matching any of ``identities`` (PN or LID), or ``None``."""
        wanted = {jid.to_non_ad() for jid in identities}
        for participant in self.participants:
            if participant.jid.to_non_ad() in wanted:
                return participant
            if participant.alt is not None and participant.alt.to_non_ad() in wanted:
                return participant
        return None


class GroupSetting(enum.Enum):
    """A group switch the bot can set as an admin."""

    ANNOUNCE = "announce"  # only admins may send messages
    LOCKED = "locked"  # only admins may edit the group's info
