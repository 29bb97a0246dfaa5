"""What moderation keeps in the plugin's store: warnings, bans, the audit log, notices, overrides.

Keys (JSON values), per group JID ``g`` and member ``u`` (the member's phone-number JID when
known, so a member keeps their record across WhatsApp's LID migration):

* ``warnings/g/u`` — the member's warnings: ``[{"at", "reason", "by"}]``;
* ``bans/g`` — the banned identities (phone-number JIDs and LIDs);
* ``audit/g`` — the audit log, newest last, at most ``audit_size`` entries;
* ``notice/g`` — when the bot last told the admins it needs to be one;
* ``antilink/g`` — the ``!antilink on|off`` override.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from botkit.bot import PluginStore
from botkit.types.jid import JID

__all__ = ["AuditEntry", "Records", "WarningRecord", "active"]

_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class WarningRecord:
    """A warning: when (epoch seconds), why, and who gave it (``None``: the policy engine)."""

    at: float
    reason: str
    by: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One moderation decision: who, what was done (``action``), why, by whom, dry run or not.

    ``reason`` names rules, domains and counts, never message text.
    """

    at: float
    user: str
    action: str
    reason: str
    by: str | None = None
    dry_run: bool = False


def active(warnings: Iterable[WarningRecord], now: float, decay_days: float) -> list[WarningRecord]:
    """Return the warnings that have not yet decayed at ``now`` (each lasts ``decay_days``)."""
    oldest = now - decay_days * _DAY
    return [w for w in warnings if w.at > oldest]


class Records:
    """Moderation's records in a :class:`PluginStore` (every method may raise StoreError)."""

    def __init__(self, store: PluginStore, audit_size: int) -> None:
        self._store = store
        self._audit_size = audit_size

    # -- warnings -----------------------------------------------------------------------------

    async def warnings(
        self, group: JID, user: JID, now: float, decay_days: float
    ) -> list[WarningRecord]:
        """Return the member's warnings that have not decayed, oldest first."""
        raw = await self._store.get_json(_warnings_key(group, user), [])
        return active((WarningRecord(**item) for item in raw), now, decay_days)

    async def add_warning(
        self, group: JID, user: JID, warning: WarningRecord, decay_days: float
    ) -> list[WarningRecord]:
        """Add ``warning`` (dropping decayed ones); return the member's active warnings."""
        current = await self.warnings(group, user, warning.at, decay_days)
        current.append(warning)
        await self._put_warnings(group, user, current)
        return current

    async def remove_last_warning(
        self, group: JID, user: JID, now: float, decay_days: float
    ) -> list[WarningRecord] | None:
        """Remove the newest active warning; return the rest, or ``None`` if there was none."""
        current = await self.warnings(group, user, now, decay_days)
        if not current:
            return None
        current.pop()
        await self._put_warnings(group, user, current)
        return current

    async def clear_warnings(self, group: JID, user: JID) -> None:
        """Forget every warning of the member in ``group``."""
        await self._store.delete(_warnings_key(group, user))

    async def warned_members(self, group: JID) -> list[JID]:
        """Return the members of ``group`` with stored warnings (decayed ones included)."""
        prefix = f"warnings/{group}/"
        return [
            JID.parse(key[len(prefix) :])
            for key in await self._store.keys()
            if key.startswith(prefix)
        ]

    async def _put_warnings(self, group: JID, user: JID, warnings: list[WarningRecord]) -> None:
        if warnings:
            await self._store.put_json(_warnings_key(group, user), [asdict(w) for w in warnings])
        else:
            await self.clear_warnings(group, user)

    # -- bans ---------------------------------------------------------------------------------

    async def bans(self, group: JID) -> set[JID]:
        """Return the identities banned from ``group``."""
        return {JID.parse(item) for item in await self._store.get_json(f"bans/{group}", [])}

    async def set_banned(self, group: JID, identities: Iterable[JID], banned: bool) -> bool:
        """Ban (or unban) every identity of one member; return whether anything changed."""
        current = await self.bans(group)
        wanted = set(identities)
        updated = current | wanted if banned else current - wanted
        if updated == current:
            return False
        await self._store.put_json(f"bans/{group}", sorted(str(jid) for jid in updated))
        return True

    # -- audit log ----------------------------------------------------------------------------

    async def audit(self, group: JID, entry: AuditEntry) -> None:
        """Append ``entry`` to the audit log of ``group`` (dropping the oldest beyond the cap)."""
        log: list[dict[str, Any]] = await self._store.get_json(f"audit/{group}", [])
        log.append(asdict(entry))
        await self._store.put_json(f"audit/{group}", log[-self._audit_size :])

    async def audit_log(self, group: JID, count: int) -> list[AuditEntry]:
        """Return the newest ``count`` entries of the audit log of ``group``, oldest first."""
        log = await self._store.get_json(f"audit/{group}", [])
        return [AuditEntry(**item) for item in log[-count:]] if count > 0 else []

    # -- not-admin notices and overrides --------------------------------------------------------

    async def noticed(self, group: JID) -> bool:
        """Return whether the admins of ``group`` were told that the bot needs to be admin."""
        return await self._store.get(f"notice/{group}") is not None

    async def set_noticed(self, group: JID, at: float | None) -> None:
        """Record the notice at ``at``, or forget it (``None``: the bot is admin again)."""
        if at is None:
            await self._store.delete(f"notice/{group}")
        else:
            await self._store.put_json(f"notice/{group}", at)

    async def antilink(self, group: JID) -> bool | None:
        """Return the ``!antilink`` override of ``group``, or ``None`` if there is none."""
        value = await self._store.get_json(f"antilink/{group}")
        return value if isinstance(value, bool) else None

    async def set_antilink(self, group: JID, enabled: bool) -> None:
        """Store the ``!antilink on|off`` override of ``group``."""
        await self._store.put_json(f"antilink/{group}", enabled)


def _warnings_key(group: JID, user: JID) -> str:
    return f"warnings/{group}/{user}"
