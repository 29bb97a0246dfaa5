"""The group metadata cache: asked once, then kept fresh by ``w:gp2`` notifications.

Sending to a group needs its members on every message; asking the server each time is what
gets accounts rate-limited (PROTOCOL.md §13.4). :class:`MetadataCache` answers from memory, then
from the store's :class:`~botkit.store.base.GroupCache` (entries younger than ``max_age``), and
asks the server (``fetch``) only for a group it does not know. Every change a notification
reports is applied to the cached value with :func:`apply_change`, so the cache stays right
without asking again; a change to a group we do not hold is left for the next fetch.

The cached value is a :class:`~botkit.types.group.GroupInfo`, stored as JSON.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from botkit.errors import DecodeError
from botkit.store.base import GroupCache
from botkit.types.events import GroupInfoChanged, GroupParticipantsChanged, ParticipantAction
from botkit.types.group import GroupInfo, GroupParticipant, ParticipantRole
from botkit.types.jid import JID

__all__ = ["DEFAULT_MAX_AGE", "MetadataCache", "apply_change", "decode_info", "encode_info"]

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE = 7 * 24 * 3600.0
"""How long a stored entry is trusted across restarts (notifications keep it right meanwhile)."""

GroupChange = GroupParticipantsChanged | GroupInfoChanged
"""A change a notification reports."""

_ROLES = {
    ParticipantAction.PROMOTED: ParticipantRole.ADMIN,
    ParticipantAction.DEMOTED: ParticipantRole.MEMBER,
}


def _participant(data: dict[str, Any]) -> GroupParticipant:
    alt = data.get("alt")
    role = ParticipantRole(data["role"])
    return GroupParticipant(JID.parse(data["jid"]), role, None if alt is None else JID.parse(alt))


def encode_info(info: GroupInfo) -> bytes:
    """Return ``info`` as the JSON bytes the store keeps."""
    data = {
        "jid": str(info.jid),
        "subject": info.subject,
        "participants": [
            {"jid": str(p.jid), "role": p.role.value, "alt": None if p.alt is None else str(p.alt)}
            for p in info.participants
        ],
        "description": info.description,
        "owner": None if info.owner is None else str(info.owner),
        "announce": info.announce,
        "locked": info.locked,
        "created_at": info.created_at,
        "ephemeral": info.ephemeral,
        "approval": info.approval,
        "addressing_lid": info.addressing_lid,
    }
    return json.dumps(data, separators=(",", ":")).encode()


def decode_info(blob: bytes) -> GroupInfo:
    """Return the :class:`GroupInfo` of :func:`encode_info`'s bytes.

    Raises:
        DecodeError: ``blob`` is not such a value.
    """
    try:
        data = json.loads(blob)
        owner = data["owner"]
        return GroupInfo(
            jid=JID.parse(data["jid"]),
            subject=data["subject"],
            participants=tuple(_participant(p) for p in data["participants"]),
            description=data["description"],
            owner=None if owner is None else JID.parse(owner),
            announce=data["announce"],
            locked=data["locked"],
            created_at=data["created_at"],
            ephemeral=data["ephemeral"],
            approval=data["approval"],
            addressing_lid=data["addressing_lid"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DecodeError(f"a cached group is not valid: {exc}") from exc


def _participants_changed(info: GroupInfo, change: GroupParticipantsChanged) -> GroupInfo:
    named = {jid.to_non_ad() for jid in change.participants}

    def matches(p: GroupParticipant) -> bool:
        return p.jid.to_non_ad() in named or (p.alt is not None and p.alt.to_non_ad() in named)

    kept = list(info.participants)
    if change.action in (ParticipantAction.REMOVED, ParticipantAction.LEFT):
        kept = [p for p in kept if not matches(p)]
    elif change.action is ParticipantAction.ADDED:
        present = {p.jid.to_non_ad() for p in kept} | {p.alt for p in kept if p.alt is not None}
        kept += [GroupParticipant(j) for j in change.participants if j.to_non_ad() not in present]
    else:
        role = _ROLES[change.action]
        kept = [replace(p, role=role) if matches(p) else p for p in kept]
    return replace(info, participants=tuple(kept))


def apply_change(info: GroupInfo, change: GroupChange) -> GroupInfo:
    """Return ``info`` with ``change`` applied."""
    if isinstance(change, GroupParticipantsChanged):
        return _participants_changed(info, change)
    updates: dict[str, Any] = {
        name: value
        for name in ("subject", "description", "announce", "locked", "ephemeral", "approval")
        if (value := getattr(change, name)) is not None
    }
    return replace(info, **updates)


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
        info = await self._fetch(group)
        await self.put(info)
        return info

    async def put(self, info: GroupInfo) -> None:
        """Hold ``info`` (fresh from the server) in memory and in the store."""
        self._memory[info.jid] = info
        await self._store.put_group(str(info.jid), encode_info(info))

    async def apply(self, change: GroupChange) -> GroupInfo | None:
        """Apply ``change`` to the held metadata of its group; return the result, if held."""
        held = self._memory.get(change.group) or await self._stored(change.group)
        if held is None:
            return None
        updated = apply_change(held, change)
        await self.put(updated)
        return updated

    async def forget(self, group: JID) -> None:
        """Drop what we hold of ``group`` (we left it, or a hash mismatch)."""
        self._memory.pop(group, None)
        await self._store.forget_group(str(group))

    async def _stored(self, group: JID) -> GroupInfo | None:
        cached = await self._store.get_group(str(group))
        if cached is None or self._clock() - cached.fetched_at > self._max_age:
            return None
        try:
            return decode_info(cached.metadata)
        except DecodeError as exc:
            log.warning("dropping the cached metadata of %s: %s", group, exc)
            return None
