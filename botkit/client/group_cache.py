"""The group metadata cache: asked once, then kept fresh by ``w:gp2`` notifications.

Sending to a group needs its members on every message; asking the server each time is what
gets accounts rate-limited (PROTOCOL.md §13.4). :class:`MetadataCache` answers from memory, then
from the store's :class:`~botkit.store.base.GroupCache` (entries younger than ``max_age``), and
asks the server (``fetch``) only for a group it does not know, once however many ask at once.
Every change a notification reports is applied to the cached value with :func:`apply_change`,
so the cache stays right without asking again; a change to a group we do not hold is left for
the next fetch. A change notified while the group is being fetched is applied to the answer
too (the server may have answered before the change: every change sets values, so applying it
twice is harmless), and an answer for a group forgotten meanwhile is returned but not kept.

The cached value is a :class:`~botkit.types.group.GroupInfo`, stored as its encoded ``<group>``
element (:mod:`botkit.core.stanza.group`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from botkit.core.binary import decode_node, encode_node
from botkit.core.stanza.group import (
    AnnounceChange,
    ApprovalChange,
    DescriptionChange,
    EphemeralChange,
    GroupChange,
    GroupCreated,
    LockedChange,
    ParticipantsChange,
    SubjectChange,
    group_node,
    parse_group,
)
from botkit.errors import DecodeError
from botkit.store.base import GroupCache
from botkit.types.events import ParticipantAction
from botkit.types.group import GroupInfo, GroupParticipant, ParticipantRole
from botkit.types.jid import JID

__all__ = ["DEFAULT_MAX_AGE", "MetadataCache", "apply_change", "decode_info", "encode_info"]

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE = 7 * 24 * 3600.0
"""How long a stored entry is trusted across restarts (notifications keep it right meanwhile)."""

_ROLES = {
    ParticipantAction.PROMOTED: ParticipantRole.ADMIN,
    ParticipantAction.DEMOTED: ParticipantRole.MEMBER,
}


def encode_info(info: GroupInfo) -> bytes:
    """Return ``info`` as the bytes the store keeps: its ``<group>`` element, encoded."""
    return encode_node(group_node(info))


def decode_info(blob: bytes) -> GroupInfo:
    """Return the :class:`GroupInfo` of :func:`encode_info`'s bytes.

    Raises:
        DecodeError: ``blob`` is not such a value.
    """
    try:
        return parse_group(decode_node(blob))
    except (ValueError, IndexError) as exc:
        raise DecodeError(f"a cached group is not valid: {exc}") from exc


def _participants_changed(info: GroupInfo, change: ParticipantsChange) -> GroupInfo:
    named = {jid.to_non_ad() for p in change.participants for jid in (p.jid, p.alt) if jid}

    def matches(p: GroupParticipant) -> bool:
        return p.jid.to_non_ad() in named or (p.alt is not None and p.alt.to_non_ad() in named)

    kept = list(info.participants)
    if change.action is ParticipantAction.REMOVED:
        kept = [p for p in kept if not matches(p)]
    elif change.action is ParticipantAction.ADDED:
        kept = [p for p in kept if not matches(p)] + list(change.participants)
    else:
        role = _ROLES[change.action]
        kept = [replace(p, role=role) if matches(p) else p for p in kept]
    return replace(info, participants=tuple(kept))


def apply_change(info: GroupInfo, change: GroupChange) -> GroupInfo:
    """Return ``info`` with the notified ``change`` applied (unmodelled changes: unchanged)."""
    match change:
        case ParticipantsChange():
            return _participants_changed(info, change)
        case SubjectChange(subject, at, owner):
            return replace(info, subject=subject, subject_time=at, subject_owner=owner)
        case DescriptionChange(description_id, text):
            return replace(info, description=text or "", description_id=description_id)
        case AnnounceChange(on):
            return replace(info, announce=on)
        case LockedChange(on):
            return replace(info, locked=on)
        case EphemeralChange(seconds):
            return replace(info, ephemeral=seconds)
        case ApprovalChange(on):
            return replace(info, approval=on)
        case GroupCreated(created):
            return created
    return info


class MetadataCache:
    """Group metadata from memory, the store, or ``fetch`` (see the module docstring).

    ``fetch`` asks the server for a group's metadata (raising as that query does).
    """

    def __init__(
        self,
        store: GroupCache,
        fetch: Callable[[JID], Awaitable[GroupInfo]],
        *,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._fetch = fetch
        self._max_age = max_age
        self._clock = clock
        self._memory: dict[JID, GroupInfo] = {}
        self._asking: dict[JID, asyncio.Future[GroupInfo]] = {}
        self._watching: list[list[tuple[JID, GroupChange | None]]] = []
        """The changes notified (``None``: forgotten) during each fetch in flight."""

    async def get(self, group: JID, *, refresh: bool = False) -> GroupInfo:
        """Return the metadata of ``group``; ``refresh`` asks the server whatever we hold.

        Raises:
            as ``fetch`` (IQError and its subclasses, IQTimeout, NotConnected, DecodeError).
            StoreError: the store failed.
        """
        if not refresh:
            held = self._memory.get(group) or await self._stored(group)
            if held is not None:
                self._memory[group] = held
                return held
        asking = self._asking.get(group)
        if asking is None:  # one question per group at a time: the others wait for its answer
            asking = self._asking[group] = asyncio.ensure_future(self._ask(group))
            asking.add_done_callback(lambda _: self._asking.pop(group, None))
        return await asyncio.shield(asking)

    async def _ask(self, group: JID) -> GroupInfo:
        async def fetch_one() -> Sequence[GroupInfo]:
            return (await self._fetch(group),)

        (info,) = await self.fetched(fetch_one)
        return info

    async def fetched(self, fetch: Callable[[], Awaitable[Sequence[GroupInfo]]]) -> list[GroupInfo]:
        """Hold and return the groups ``fetch`` asks the server for.

        The changes notified while it runs are applied to its answer; a group forgotten
        meanwhile is returned but not held (see the module docstring).

        Raises:
            as ``fetch``. StoreError: the store failed.
        """
        seen: list[tuple[JID, GroupChange | None]] = []
        self._watching.append(seen)
        try:
            infos = await fetch()
        finally:
            self._watching.remove(seen)
        out = []
        for info in infos:
            changes = [change for group, change in seen if group == info.jid]
            for change in changes:
                info = info if change is None else apply_change(info, change)
            if None not in changes:
                await self.put(info)
            out.append(info)
        return out

    async def put(self, info: GroupInfo) -> None:
        """Hold ``info`` (fresh from the server) in memory and in the store."""
        self._memory[info.jid] = info
        await self._store.put_group(str(info.jid), encode_info(info))

    async def apply(self, group: JID, change: GroupChange) -> GroupInfo | None:
        """Apply ``change`` to the held metadata of ``group``; return the result, if held."""
        self._note(group, change)
        held = self._memory.get(group) or await self._stored(group)
        if held is None:
            return None
        updated = apply_change(held, change)
        await self.put(updated)
        return updated

    async def forget(self, group: JID) -> None:
        """Drop what we hold of ``group`` (we left it, or a hash mismatch)."""
        self._note(group, None)
        self._memory.pop(group, None)
        await self._store.forget_group(str(group))

    def _note(self, group: JID, change: GroupChange | None) -> None:
        for seen in self._watching:
            seen.append((group, change))

    async def _stored(self, group: JID) -> GroupInfo | None:
        cached = await self._store.get_group(str(group))
        if cached is None or self._clock() - cached.fetched_at > self._max_age:
            return None
        try:
            return decode_info(cached.metadata)
        except DecodeError as exc:
            log.warning("dropping the cached metadata of %s: %s", group, exc)
            return None
