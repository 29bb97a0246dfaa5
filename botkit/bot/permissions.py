"""Permission levels, checked whether a user appears by phone number or by LID."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable

from botkit.bot.client_api import GroupDirectory, IdentityResolver
from botkit.errors import ClientError
from botkit.types.jid import JID

__all__ = ["Permission", "PermissionPolicy"]

log = logging.getLogger(__name__)


class Permission(enum.IntEnum):
    """Who may use a command; each level includes the ones above it in rank."""

    MEMBER = 0  # anyone who can write to the bot
    GROUP_ADMIN = 1  # an admin of the group the command was sent in
    BOT_ADMIN = 2  # listed under bot.admins
    OWNER = 3  # listed under bot.owners

    @property
    def who(self) -> str:
        """Return the level as the people it names, for messages ("group admins")."""
        return _WHO[self]


_WHO = {
    Permission.MEMBER: "everyone",
    Permission.GROUP_ADMIN: "group admins",
    Permission.BOT_ADMIN: "bot admins",
    Permission.OWNER: "the bot's owners",
}


class PermissionPolicy:
    """Decides the :class:`Permission` level of a user in a chat.

    ``owners`` and ``admins`` may list phone-number JIDs or LIDs; a user matches through either
    identity, using the alternate JID carried by the event or else ``resolver``.
    """

    def __init__(
        self,
        owners: Iterable[JID],
        admins: Iterable[JID],
        resolver: IdentityResolver,
        groups: GroupDirectory,
    ) -> None:
        self._owners = frozenset(jid.to_non_ad() for jid in owners)
        self._admins = frozenset(jid.to_non_ad() for jid in admins)
        self._resolver = resolver
        self._groups = groups

    async def identities(self, user: JID, alt: JID | None = None) -> tuple[JID, ...]:
        """Return ``user`` and its other identity (``alt``, else resolved), without devices."""
        user = user.to_non_ad()
        if alt is None:
            alt = await self._resolver.alternate_jid(user)
        if alt is None or alt.to_non_ad() == user:
            return (user,)
        return (user, alt.to_non_ad())

    async def level(self, user: JID, chat: JID, alt: JID | None = None) -> Permission:
        """Return the highest level ``user`` has in ``chat``.

        A failure to fetch group metadata is logged and counts as "not a group admin".
        """
        return await self.level_for(await self.identities(user, alt), chat)

    async def level_for(self, ids: tuple[JID, ...], chat: JID) -> Permission:
        """Return the highest level in ``chat`` of the user known by ``ids`` (see identities)."""
        if self._owners.intersection(ids):
            return Permission.OWNER
        if self._admins.intersection(ids):
            return Permission.BOT_ADMIN
        if chat.is_group and await self._is_group_admin(chat, ids):
            return Permission.GROUP_ADMIN
        return Permission.MEMBER

    async def is_group_admin(self, group: JID, user: JID, alt: JID | None = None) -> bool:
        """Return whether ``user`` is an admin of ``group`` per the cached metadata."""
        return await self._is_group_admin(group, await self.identities(user, alt))

    async def _is_group_admin(self, group: JID, ids: tuple[JID, ...]) -> bool:
        try:
            info = await self._groups.group_info(group)
        except ClientError as error:
            log.warning("could not fetch the metadata of %s: %s", group, error)
            return False
        participant = info.participant(*ids)
        return participant is not None and participant.is_admin
