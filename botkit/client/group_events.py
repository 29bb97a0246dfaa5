"""``w:gp2`` notifications (PROTOCOL.md §13.3): the cache kept right, typed events out.

Each change of a notification is applied to the :class:`~botkit.client.group_cache.
MetadataCache` first, then reported: participants added, removed (``left`` when they removed
themselves), promoted or demoted become :class:`GroupParticipantsChanged`; subject,
description, settings and invite-link resets become :class:`GroupInfoChanged`; a group we were
put in (``<create>``) becomes :class:`GroupJoined`. When a member is removed or leaves, our
sender key of the group is rotated before anything else is sent; when we are the one removed,
the group's metadata is dropped too (and, the key being rotated, a later return starts afresh:
we see none of the removals made while we were out). Being added by an ``<add>`` (rather than a
``<create>``) fetches the group's metadata in a spawned task, then reports
:class:`GroupJoined`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from botkit.client.devices import local_device
from botkit.client.group_cache import MetadataCache
from botkit.core.binary import Node
from botkit.core.e2e import LocalDevice
from botkit.core.stanza.group import (
    AnnounceChange,
    ApprovalChange,
    DescriptionChange,
    EphemeralChange,
    GroupChange,
    GroupCreated,
    GroupDeleted,
    GroupNotification,
    InviteChange,
    LockedChange,
    ParticipantsChange,
    SubjectChange,
    parse_gp2_notification,
)
from botkit.errors import BotkitError, DecodeError, NotConnected
from botkit.store.base import CredentialStore
from botkit.types.events import (
    GroupInfoChanged,
    GroupJoined,
    GroupParticipantsChanged,
    ParticipantAction,
)
from botkit.types.jid import JID

__all__ = ["GroupEvent", "GroupNotifications", "info_event"]

log = logging.getLogger(__name__)

GroupEvent = GroupParticipantsChanged | GroupInfoChanged | GroupJoined
"""The events group notifications become."""


def info_event(note: GroupNotification, change: GroupChange) -> GroupInfoChanged | None:
    """Return the :class:`GroupInfoChanged` a subject, description or setting change is."""
    fields: dict[str, Any]
    match change:
        case SubjectChange(subject):
            fields = {"subject": subject}
        case DescriptionChange(_, text):
            fields = {"description": text or ""}
        case AnnounceChange(on):
            fields = {"announce": on}
        case LockedChange(on):
            fields = {"locked": on}
        case EphemeralChange(seconds):
            fields = {"ephemeral": seconds}
        case ApprovalChange(on):
            fields = {"approval": on}
        case InviteChange():
            fields = {"invite_reset": True}
        case _:
            return None
    return GroupInfoChanged(note.group, float(note.timestamp), note.actor, **fields)


def _names(note: GroupNotification) -> set[JID]:
    return {jid.to_non_ad() for jid in (note.actor, note.actor_pn) if jid is not None}


class GroupNotifications:
    """Handles ``w:gp2`` notifications (see the module docstring).

    ``rotate`` drops our sender key of a group; ``spawn`` runs work that waits for the server.
    """

    def __init__(
        self,
        cache: MetadataCache,
        store: CredentialStore,
        *,
        emit: Callable[[GroupEvent], Awaitable[None]],
        rotate: Callable[[JID], Awaitable[None]],
        spawn: Callable[[Coroutine[Any, Any, None], str], None],
    ) -> None:
        self._cache = cache
        self._store = store
        self._emit = emit
        self._rotate = rotate
        self._spawn = spawn

    async def on_notification(self, node: Node) -> None:
        """Apply and report one ``<notification type="w:gp2">`` (the router acks it)."""
        try:
            note = parse_gp2_notification(node)
            local = local_device(await self._store.load_credentials())
        except (DecodeError, NotConnected) as exc:
            log.info("ignored a w:gp2 notification: %s", exc)
            return
        for change in note.changes:
            if isinstance(change, ParticipantsChange):
                await self._participants(note, change, local)
            elif isinstance(change, GroupCreated):
                if change.info.jid != note.group:
                    log.info(
                        "ignored a <create> of %s in a notice of %s", change.info.jid, note.group
                    )
                    continue
                await self._cache.put(change.info)
                await self._emit(GroupJoined(note.group, change.info, note.timestamp, note.actor))
            elif isinstance(change, GroupDeleted):
                await self._cache.forget(note.group)
            else:
                await self._cache.apply(note.group, change)
                event = info_event(note, change)
                if event is not None:
                    await self._emit(event)

    async def _participants(
        self, note: GroupNotification, change: ParticipantsChange, local: LocalDevice
    ) -> None:
        group = note.group
        named = [p.jid for p in change.participants]
        us = any(local.owns(p.jid) or (p.alt and local.owns(p.alt)) for p in change.participants)
        removed = change.action is ParticipantAction.REMOVED
        if removed and us:
            await self._cache.forget(group)
        else:
            await self._cache.apply(group, change)
        if removed:  # before anything else goes out: they must not read it
            await self._rotate(group)  # (nor, if we were removed, whoever leaves while we are out)
        actors = _names(note)
        left = removed and bool(actors) and all(jid.to_non_ad() in actors for jid in named)
        timestamp = float(note.timestamp)
        await self._emit(
            GroupParticipantsChanged(
                group, change.action, tuple(named), timestamp, note.actor, left
            )
        )
        if change.action is ParticipantAction.ADDED and us:
            self._spawn(self._joined(group, timestamp, note.actor), "group-joined")

    async def _joined(self, group: JID, timestamp: float, by: JID | None) -> None:
        try:
            info = await self._cache.get(group, refresh=True)
        except BotkitError as exc:
            log.info("no metadata for %s, which we joined: %s", group, exc)
            return
        await self._emit(GroupJoined(group, info, timestamp, by))
