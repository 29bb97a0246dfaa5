"""Presence and chat state in the sandbox (PROTOCOL.md §14.1, §14.2, §15.8).

A user is available while any of its devices said ``<presence type="available"/>`` and has not
said ``unavailable`` or disconnected since; when the last one goes, the user's last-seen time
is now. ``<presence type="subscribe" to="X"/>`` is answered at once with X's state,
``<presence from="X" [type="unavailable" last]/>``, and every later change of X is pushed to
the subscribed device, in the JID family it subscribed with.

``<chatstate to="X"><composing/></chatstate>`` reaches X's devices as ``<chatstate
from="<sender>">``; to a group, every member device but the sender's as ``<chatstate
from="<gid>" participant="<sender>">``. Presence and chat state are live only: a device that
is offline misses them (they are never queued, nor acked).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from botkit.core.binary import AttrReader, Node
from botkit.server.routing import Router
from botkit.server.world import Account, World, device_in_family
from botkit.types.jid import DEFAULT_USER_SERVER, JID

__all__ = ["PresenceHub"]

_STATES = frozenset({"composing", "paused"})


@dataclass(slots=True)
class _UserPresence:
    available: set[int] = field(default_factory=set)
    last_seen: int | None = None
    subscribers: dict[JID, JID] = field(default_factory=dict)
    """Subscribed device (PN device JID) -> the JID it subscribed to."""


class PresenceHub:
    """Tracks availability and subscriptions; forwards presence and chat state live."""

    def __init__(self, world: World, router: Router) -> None:
        self._world = world
        self._router = router
        self._users: dict[str, _UserPresence] = {}

    def _user(self, account: Account) -> _UserPresence:
        return self._users.setdefault(account.phone, _UserPresence())

    async def from_device(self, account: Account, device_id: int, node: Node) -> None:
        """Handle a ``<presence>`` or ``<chatstate>`` a device of ``account`` sent."""
        if node.tag == "presence":
            await self._presence(account, device_id, node)
        elif node.tag == "chatstate":
            await self._chatstate(account, device_id, node)

    async def device_gone(self, account: Account, device_id: int) -> None:
        """A device disconnected: it is no longer available."""
        user = self._user(account)
        if device_id in user.available:
            await self._set(account, device_id, available=False)

    async def _presence(self, account: Account, device_id: int, node: Node) -> None:
        reader = AttrReader(node)
        kind = reader.optional_string("type")
        to = reader.optional_jid("to")
        if kind in ("available", "unavailable"):
            await self._set(account, device_id, available=kind == "available")
        elif kind == "subscribe" and to is not None:
            target = self._world.account_of(to)
            if target is None:
                return
            me = JID(account.phone, DEFAULT_USER_SERVER, device_id)
            self._user(target).subscribers[me] = to.to_non_ad()
            await self._router.send_live(me, self._state(target, to.to_non_ad()))

    async def _set(self, account: Account, device_id: int, *, available: bool) -> None:
        user = self._user(account)
        was = bool(user.available)
        if available:
            user.available.add(device_id)
        else:
            user.available.discard(device_id)
            if was and not user.available:
                user.last_seen = int(time.time())
        if was != bool(user.available):
            for device, as_jid in list(user.subscribers.items()):
                await self._router.send_live(device, self._state(account, as_jid))

    def _state(self, account: Account, as_jid: JID) -> Node:
        user = self._user(account)
        if user.available:
            return Node("presence", {"from": as_jid})
        attrs: dict[str, str | JID] = {"from": as_jid, "type": "unavailable"}
        if user.last_seen is not None:
            attrs["last"] = str(user.last_seen)
        return Node("presence", attrs)

    async def _chatstate(self, account: Account, device_id: int, node: Node) -> None:
        reader = AttrReader(node)
        to = reader.optional_jid("to")
        states = [child for child in node.children if child.tag in _STATES]
        if to is None or len(node.children) != 1 or not states:
            return
        me = (account.phone, device_id)
        if to.is_group:
            group = self._world.groups.get(to)
            if group is None or not group.is_member(account.phone):
                return
            attrs: dict[str, str | JID] = {"from": group.jid, "participant": account.jid}
            targets = [a for phone in group.members if (a := self._world.account(phone))]
        else:
            target = self._world.account_of(to)
            if target is None:
                return
            attrs = {"from": device_in_family(account, 0, to.is_lid).to_non_ad()}
            targets = [target]
        forwarded = Node("chatstate", attrs, states)
        for target_account in targets:
            for device in sorted(target_account.devices):
                if (target_account.phone, device) != me:
                    key = JID(target_account.phone, DEFAULT_USER_SERVER, device)
                    await self._router.send_live(key, forwarded)
