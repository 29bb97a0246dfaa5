"""Carrying out moderation: revoking, warning along the ladder, kicking, and the audit log.

Every change needs the bot to be a group admin. When it is not, the group's admins are told once
(per group, remembered in the store until the bot is admin again) and the action is logged as
skipped, so moderation never fails silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botkit import Context
from botkit.bot import Permission
from botkit.errors import ClientError
from botkit.types.events import MessageReceived
from botkit.types.jid import JID

from .engine import Action, PolicySet, Verdict
from .records import AuditEntry, WarningRecord
from .state import ModerationState, group_info

__all__ = ["Member", "Moderator"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Member:
    """A group member: the JID records are kept under, and every identity they are known by."""

    key: JID
    identities: tuple[JID, ...]

    @classmethod
    async def of(cls, ctx: Context, user: JID, alt: JID | None = None) -> Member:
        """Return the member ``user`` (``alt``: their other identity, if the event carries it)."""
        ids = await ctx.services.policy.identities(user, alt)
        return cls(next((jid for jid in ids if jid.is_pn), ids[0]), ids)


class Moderator:
    """Moderation actions in one group, for one event (``by``: the admin behind a command)."""

    def __init__(
        self, ctx: Context, state: ModerationState, group: JID, policy: PolicySet, by: JID | None
    ) -> None:
        self.ctx = ctx
        self.state = state
        self.group = group
        self.policy = policy
        self.by = str(by) if by is not None else None
        self.records = state.records

    @property
    def now(self) -> float:
        """The current wall-clock time (epoch seconds)."""
        return self.ctx.services.wall_clock()

    async def is_exempt(self, member: Member) -> bool:
        """Return whether ``member`` is above moderation: allow-listed, bot staff, or an admin."""
        settings = self.policy.settings
        if set(settings.exempt).intersection(member.identities):
            return True
        level = await self.ctx.services.policy.level_for(member.identities, self.group)
        return level >= (Permission.GROUP_ADMIN if settings.exempt_admins else Permission.BOT_ADMIN)

    async def apply(self, event: MessageReceived, member: Member, verdict: Verdict) -> None:
        """Carry out ``verdict`` on ``event`` by ``member`` (or only log it in dry-run mode)."""
        reasons = "; ".join(verdict.reasons())
        if self.policy.settings.dry_run:
            log.info(
                "dry run in %s: would %s %s (%s)",
                self.group,
                _names(verdict.actions),
                member.key,
                reasons,
            )
            await self.audit(member, f"would {_names(verdict.actions)}", reasons, dry_run=True)
            return
        done = []
        if Action.DELETE in verdict.actions:
            done.append(await self.delete(event))
        kick = Action.KICK in verdict.actions
        if Action.WARN in verdict.actions:
            count = await self.warn(member, reasons, announce=not kick)
            done.append(f"warned ({count}/{self.policy.settings.warnings.kick_at})")
            kick = kick or count >= self.policy.settings.warnings.kick_at
        if kick:
            done.append(await self.kick(member, reasons))
        await self.audit(member, ", ".join(done) or "logged", reasons)

    async def delete(self, event: MessageReceived) -> str:
        """Revoke ``event`` for everyone; return what happened."""
        if not await self.can_act():
            return "not deleted (bot is not admin)"
        try:
            await self.ctx.reply().revoke(event).send()
        except ClientError as error:
            log.warning("could not revoke %s in %s: %s", event.id, self.group, error)
            return "not deleted (the server refused)"
        return "deleted"

    async def warn(self, member: Member, reason: str, *, announce: bool = True) -> int:
        """Record a warning for ``member``; return their active warnings now.

        The warning is announced unless ``announce`` is false or the count reached
        ``warnings.kick_at`` (the caller then kicks, which is announced instead).
        """
        ladder = self.policy.settings.warnings
        warning = WarningRecord(self.now, reason, self.by)
        active = await self.records.add_warning(self.group, member.key, warning, ladder.decay_days)
        if announce and len(active) < ladder.kick_at:
            target = member.identities[0]
            await (
                self.ctx.send(self.group)
                .template(
                    ladder.template,
                    user=target,
                    count=len(active),
                    kick_at=ladder.kick_at,
                    reasons=reason,
                )
                .mention(target)
                .send()
            )
        return len(active)

    async def kick(self, member: Member, reason: str, *, jid: JID | None = None) -> str:
        """Remove ``member`` from the group (and forget their warnings); return what happened.

        ``jid`` is how the group addresses them when the caller knows (a join event); else it is
        looked up in the group's metadata.
        """
        if not await self.can_act():
            return "not removed (bot is not admin)"
        if jid is None:
            info = await group_info(self.ctx, self.group)
            participant = info.participant(*member.identities) if info is not None else None
            if participant is None:
                return "not removed (not a member)"
            jid = participant.jid
        try:
            await self.ctx.groups(self.group).kick(jid)
        except ClientError as error:
            log.warning("could not remove %s from %s: %s", member.key, self.group, error)
            return "not removed (the server refused)"
        await self.records.clear_warnings(self.group, member.key)
        await (
            self.ctx.send(self.group)
            .template("kicked.j2", user=jid, reasons=reason)
            .mention(jid)
            .send()
        )
        return "removed"

    async def can_act(self) -> bool:
        """Return whether the bot is admin; if not, tell the group's admins once."""
        tools = self.ctx.groups(self.group)
        standing = self.state.notices.get(self.group)
        if standing is None:
            standing = await self.records.noticed(self.group)
        if await tools.bot_is_admin():
            if standing:
                await self.records.set_noticed(self.group, None)
            self.state.notices[self.group] = False
            return True
        if not standing:
            info = await group_info(self.ctx, self.group)
            admins = [p.jid for p in info.participants if p.is_admin] if info is not None else []
            subject = info.subject if info is not None else "this group"
            notice = self.ctx.send(self.group).template(
                "not_admin.j2", admins=admins, group=subject
            )
            try:
                await notice.mention(*admins).send()
            except ClientError as error:  # e.g. only admins may send: nobody to tell but the log
                log.warning("could not tell the admins of %s: %s", self.group, error)
            await self.records.set_noticed(self.group, self.now)
        self.state.notices[self.group] = True
        return False

    async def audit(
        self, member: Member, action: str, reason: str, *, dry_run: bool = False
    ) -> None:
        """Append a decision about ``member`` to the group's audit log."""
        entry = AuditEntry(self.now, str(member.key), action, reason, self.by, dry_run)
        await self.records.audit(self.group, entry)


def _names(actions: Action) -> str:
    return "+".join(flag.name.lower() for flag in Action if flag in actions and flag.name) or "log"
