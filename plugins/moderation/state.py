"""What the moderation plugin keeps in memory for one bot: compiled policies, each group's
resolved policy, each member's recent messages, and the records in the store.

The state belongs to the bot's plugin store (one per runtime), so two bots in one process never
share it.
"""

from __future__ import annotations

import dataclasses
import logging
import weakref

from botkit import Context
from botkit.bot import PluginStore
from botkit.errors import ClientError
from botkit.types.group import GroupInfo
from botkit.types.jid import JID

from .engine import MemberState, PolicySet
from .records import Records
from .settings import ModerationSettings

__all__ = ["ModerationState", "group_info", "state_for"]

log = logging.getLogger(__name__)

_MAX_MEMBERS = 10_000  # member states kept before idle ones are dropped

_STATES: weakref.WeakKeyDictionary[PluginStore, ModerationState] = weakref.WeakKeyDictionary()


def state_for(ctx: Context) -> ModerationState:
    """Return the moderation state of the bot ``ctx`` belongs to (built on first use)."""
    state = _STATES.get(ctx.store)
    if state is None:
        state = ModerationState(ctx.config_as(ModerationSettings), ctx.store)
        _STATES[ctx.store] = state
    return state


class ModerationState:
    """Compiled policies (defaults and overrides), resolved per group, and member states."""

    def __init__(self, settings: ModerationSettings, store: PluginStore) -> None:
        self.settings = settings
        self.records = Records(store, settings.audit_size)
        self.default = settings.compiled()
        overrides = {key: settings.compiled(key) for key in settings.overrides}
        self._by_jid = {key: p for key, p in overrides.items() if key.endswith("@g.us")}
        self._by_name = {
            key.casefold(): p for key, p in overrides.items() if key not in self._by_jid
        }
        self._all = "*" in settings.groups
        self._jids = {g for g in settings.groups if g.endswith("@g.us")}
        self._names = {g.casefold() for g in settings.groups if g != "*" and g not in self._jids}
        self._groups: dict[JID, PolicySet | None] = {}
        self._members: dict[tuple[JID, JID], MemberState] = {}
        self.notices: dict[JID, bool] = {}  # group -> the admins were told (loaded lazily)

    async def policy(self, ctx: Context, group: JID) -> PolicySet | None:
        """Return the policy set of ``group``, or ``None`` if it is not moderated."""
        if group in self._groups:
            return self._groups[group]
        policy = self._by_jid.get(str(group))
        named, known = False, True
        if policy is None and (self._by_name or self._names):
            info = await group_info(ctx, group)
            known = info is not None  # unknown: decide again next time
            subject = info.subject.casefold() if info is not None else None
            policy = self._by_name.get(subject or "")
            named = subject in self._names
        if policy is None and (self._all or named or str(group) in self._jids):
            policy = self.default
        if policy is not None and not policy.settings.enabled:
            policy = None
        if policy is not None:
            override = await self.records.antilink(group)
            if override is not None:
                policy = dataclasses.replace(policy, links_enabled=override)
        if known:
            self._groups[group] = policy
        return policy

    def set_antilink(self, group: JID, enabled: bool) -> None:
        """Apply an ``!antilink`` override to the cached policy of ``group``."""
        policy = self._groups.get(group)
        if policy is not None:
            self._groups[group] = dataclasses.replace(policy, links_enabled=enabled)

    def forget(self, group: JID) -> None:
        """Drop the cached policy of ``group`` (its name changed, so an override may apply)."""
        self._groups.pop(group, None)

    def member(self, group: JID, user: JID, now: float) -> MemberState:
        """Return the state of ``user`` in ``group`` (forgetting members idle for an hour)."""
        key = (group, user)
        state = self._members.get(key)
        if state is None:
            if len(self._members) >= _MAX_MEMBERS:
                self._members = {
                    k: m for k, m in self._members.items() if m.recent and m.recent[-1] > now - 3600
                }
            state = self._members[key] = MemberState()
        return state


async def group_info(ctx: Context, group: JID) -> GroupInfo | None:
    """Return the metadata of ``group``, or ``None`` (logged) when it cannot be fetched."""
    try:
        return await ctx.groups(group).info()
    except ClientError as error:
        log.warning("could not fetch the metadata of %s: %s", group, error)
        return None
