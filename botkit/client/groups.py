"""The groups API (PROTOCOL.md §13.1): create, inspect and administer groups.

:class:`Groups` sends the ``w:g2`` IQs built by :mod:`botkit.core.stanza.group` and keeps the
:class:`~botkit.client.group_cache.MetadataCache` right: what it changes itself is applied at
once, what others change arrives as ``w:gp2`` notifications (:mod:`.group_events`). A server
refusal becomes a typed error: :class:`~botkit.errors.NotAuthorized` (401/403: not an admin,
not a member), :class:`~botkit.errors.NotFound` (404), :class:`~botkit.errors.InviteInvalid`
(406/410 on invite codes), else :class:`~botkit.errors.IQError`. Participant changes answer
per participant (:class:`~botkit.core.stanza.group.ParticipantResult`).

Removing a member (or leaving) rotates our sender key of the group, so the next message is
unreadable to whoever is gone.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from botkit.client.group_cache import MetadataCache
from botkit.client.group_send import GroupMembers
from botkit.client.requests import Requests
from botkit.core.binary import Node
from botkit.core.stanza.group import (
    AnnounceChange,
    ApprovalChange,
    ChangeParticipants,
    CreateGroup,
    DescriptionChange,
    EphemeralChange,
    GetInvite,
    GroupChange,
    GroupRequest,
    InviteInfo,
    JoinByCode,
    JoinResult,
    LeaveGroups,
    ListGroups,
    LockedChange,
    ParticipantResult,
    ParticipantsChange,
    QueryGroup,
    SetAnnounce,
    SetApproval,
    SetDescription,
    SetEphemeral,
    SetLocked,
    SetSubject,
    SubjectChange,
    group_request,
    parse_group_result,
    parse_groups,
    parse_invite_code,
    parse_join,
    parse_participant_results,
)
from botkit.errors import InviteInvalid, IQError, NotAuthorized, NotFound
from botkit.store.base import CredentialStore, GroupCache
from botkit.types.events import ParticipantAction
from botkit.types.group import AddressingMode, GroupInfo, GroupParticipant, GroupSetting
from botkit.types.jid import JID

__all__ = ["Groups", "JoinResult", "ParticipantResult"]

_INVITE_ERRORS: dict[int, type[IQError]] = {406: InviteInvalid, 410: InviteInvalid}
_ERRORS: dict[int, type[IQError]] = {401: NotAuthorized, 403: NotAuthorized, 404: NotFound}


class _Store(CredentialStore, GroupCache, Protocol):
    """What the groups API needs of the account store."""


def _typed(error: IQError, table: dict[int, type[IQError]]) -> IQError:
    kind = table.get(error.code) or _ERRORS.get(error.code)
    return error if kind is None else kind(error.code, error.text)


class Groups:
    """Group operations and the metadata cache (see the module docstring).

    ``rotate`` drops our sender key of a group (:meth:`GroupSender.rotate
    <botkit.client.group_send.GroupSender.rotate>`); ``clock`` is the wall clock.
    """

    def __init__(
        self,
        requests: Requests,
        store: _Store,
        *,
        rotate: Callable[[JID], Awaitable[None]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._requests = requests
        self._rotate = rotate
        self.cache = MetadataCache(store, self._fetch, clock=clock)

    # -- reading ---------------------------------------------------------------------------

    async def info(self, group: JID, *, refresh: bool = False) -> GroupInfo:
        """Return ``group``'s metadata, from the cache unless ``refresh``.

        Raises:
            NotFound: no such group. NotAuthorized: we are not a member.
            IQError, IQTimeout, NotConnected, DecodeError: the query failed.
        """
        return await self.cache.get(group, refresh=refresh)

    async def members(self, group: JID) -> GroupMembers:
        """Return the users a message to ``group`` goes to (from the cache)."""
        info = await self.cache.get(group)
        users = tuple(participant.jid for participant in info.participants)
        return GroupMembers(users, info.addressing_mode is AddressingMode.LID)

    async def is_admin(self, group: JID, user: JID) -> bool:
        """Return whether ``user`` (PN or LID) is an admin of ``group`` (from the cache).

        Raises:
            as :meth:`info`.
        """
        participant = (await self.cache.get(group)).participant(user)
        return participant is not None and participant.is_admin

    async def joined(self) -> list[GroupInfo]:
        """Return every group we are a member of (and refresh the cache with them).

        Raises:
            IQError, IQTimeout, NotConnected, DecodeError: the query failed.
        """

        async def fetch_all() -> Sequence[GroupInfo]:
            return parse_groups(await self._ask(ListGroups()))

        return await self.cache.fetched(fetch_all)

    # -- creating, joining and leaving -------------------------------------------------------

    async def create(self, subject: str, participants: Sequence[JID]) -> GroupInfo:
        """Create a group named ``subject`` with ``participants`` (and us, as its super-admin).

        Raises:
            IQError, IQTimeout, NotConnected, DecodeError: the server refused or did not answer.
        """
        info = parse_group_result(await self._ask(CreateGroup(subject, tuple(participants))))
        await self.cache.put(info)
        return info

    async def leave(self, group: JID) -> None:
        """Leave ``group``; its metadata and our sender key of it are dropped.

        Raises:
            NotFound, NotAuthorized, IQError, IQTimeout, NotConnected: the server refused.
        """
        await self._ask(LeaveGroups((group,)))
        await self.cache.forget(group)
        await self._rotate(group)

    async def invite_code(self, group: JID, *, reset: bool = False) -> str:
        """Return the invite code of ``group`` (``https://chat.whatsapp.com/<code>``).

        ``reset`` revokes the current code and returns the new one.

        Raises:
            NotAuthorized: we are not an admin. NotFound, IQError, IQTimeout, NotConnected.
        """
        return parse_invite_code(await self._ask(GetInvite(group, reset)))

    async def invite_info(self, code: str) -> GroupInfo:
        """Return the metadata of the group invite ``code`` leads to (without joining).

        Raises:
            InviteInvalid: the code is malformed or was revoked. IQError, IQTimeout...
        """
        return parse_group_result(await self._ask(InviteInfo(code), invite=True))

    async def join(self, code: str) -> JoinResult:
        """Join the group invite ``code`` leads to (or ask to, when it needs approval).

        Raises:
            InviteInvalid: the code is malformed or was revoked. IQError, IQTimeout...
        """
        return parse_join(await self._ask(JoinByCode(code), invite=True))

    # -- administering -----------------------------------------------------------------------

    async def change_participants(
        self, group: JID, participants: Sequence[JID], action: ParticipantAction
    ) -> list[ParticipantResult]:
        """Add, remove, promote or demote ``participants``; return the result of each.

        A result's ``error`` is 0 when that participant was changed, else WhatsApp's code
        (403: their privacy forbids a direct add, with an ``add_request`` to invite them; 408:
        they left recently; 409: already a member, or not one). A removal rotates our sender
        key of the group; the cache is updated for the participants changed.

        Raises:
            NotAuthorized: we are not an admin. NotFound, IQError, IQTimeout, NotConnected.
        """
        answer = await self._ask(ChangeParticipants(group, action, tuple(participants)))
        results = list(parse_participant_results(answer, action))
        done = tuple(GroupParticipant(result.jid) for result in results if not result.error)
        if done:
            await self.cache.apply(group, ParticipantsChange(action, done))
            if action is ParticipantAction.REMOVED:
                await self._rotate(group)
        return results

    async def set_subject(self, group: JID, subject: str) -> None:
        """Rename ``group``. Raises NotAuthorized (locked, not an admin) and as :meth:`info`."""
        await self._change(group, SetSubject(group, subject), SubjectChange(subject, 0))

    async def set_description(self, group: JID, description: str) -> None:
        """Set (or with ``""`` delete) ``group``'s description. Raises as :meth:`set_subject`."""
        previous = (await self.cache.get(group)).description_id
        new_id = self._requests.next_id()
        text = description or None
        request = SetDescription(group, text, new_id, previous)
        await self._change(group, request, DescriptionChange(new_id, text))

    async def set_setting(self, group: JID, setting: GroupSetting, enabled: bool) -> None:
        """Turn ``setting`` on or off (announce: only admins send; locked: only admins edit).

        Raises:
            NotAuthorized: we are not an admin. NotFound, IQError, IQTimeout, NotConnected.
        """
        if setting is GroupSetting.ANNOUNCE:
            await self._change(group, SetAnnounce(group, enabled), AnnounceChange(enabled))
        else:
            await self._change(group, SetLocked(group, enabled), LockedChange(enabled))

    async def set_approval(self, group: JID, enabled: bool) -> None:
        """Require (or not) an admin's approval to join by link. Raises as :meth:`set_setting`."""
        await self._change(group, SetApproval(group, enabled), ApprovalChange(enabled))

    async def set_ephemeral(self, group: JID, seconds: int) -> None:
        """Set the disappearing-messages timer (0 turns it off). Raises as :meth:`set_setting`."""
        await self._change(group, SetEphemeral(group, seconds), EphemeralChange(seconds))

    # -- plumbing ----------------------------------------------------------------------------

    async def _fetch(self, group: JID) -> GroupInfo:
        return parse_group_result(await self._ask(QueryGroup(group)))

    async def _change(self, group: JID, request: GroupRequest, change: GroupChange) -> None:
        """Ask for ``request``; once done, apply the ``change`` it makes to the cache."""
        await self._ask(request)
        await self.cache.apply(group, change)

    async def _ask(self, request: GroupRequest, *, invite: bool = False) -> Node:
        try:
            return await self._requests.request(lambda iq_id: group_request(request, iq_id))
        except IQError as exc:
            raise _typed(exc, _INVITE_ERRORS if invite else {}) from exc
