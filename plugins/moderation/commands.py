"""Moderation commands: for group admins and the bot's owners and admins, in groups only.

``!warn @user [reason]``, ``!unwarn @user``, ``!warnings [@user]``, ``!kick @user [reason]``,
``!ban @user [reason]`` (kick, and remove again on rejoin), ``!unban @user``,
``!antilink on|off``, ``!modlog [N]``; and ``!rules`` for everyone.
"""

from __future__ import annotations

from botkit import JID, Arg, ArgType, Context, Permission, command

from .actions import Member, Moderator
from .state import state_for

__all__ = [
    "antilink",
    "ban",
    "kick",
    "modlog",
    "rules",
    "unban",
    "unwarn",
    "warn",
    "warnings",
]

_ADMIN = Permission.GROUP_ADMIN
_USER = Arg("user", ArgType.USER, help="an @mention or a phone number")
_REASON = Arg("reason", ArgType.REST, optional=True, default="", help="why (shown to the group)")
_MODLOG_MAX = 50


async def _moderator(ctx: Context) -> Moderator | None:
    """Return the moderator of the command's group, or answer that it needs a group."""
    if ctx.chat is None or not ctx.chat.is_group or ctx.message is None:
        await ctx.reply().text("This command works in groups only.").send()
        return None
    state = state_for(ctx)
    policy = await state.policy(ctx, ctx.chat) or state.default
    return Moderator(ctx, state, ctx.chat, policy, ctx.message.sender)


async def _target(ctx: Context, mod: Moderator, user: JID) -> Member | None:
    """Return the member ``user`` if they may be moderated, or answer why not."""
    member = await Member.of(ctx, user)
    own = ctx.own_jid
    if own is not None and own.to_non_ad() in member.identities:
        await ctx.reply().text("I will not do that to myself.").send()
        return None
    if await ctx.services.policy.level_for(member.identities, mod.group) >= _ADMIN:
        await ctx.reply().text(f"@{user.user} is an admin here; demote them first.").send()
        return None
    return member


async def _moderated(
    ctx: Context, user: JID, *, guarded: bool = True
) -> tuple[Moderator, Member] | None:
    """Return the moderator and the member ``user`` for a command on a member, or ``None``.

    ``guarded``: the command acts against the member, so admins and the bot are refused.
    """
    mod = await _moderator(ctx)
    if mod is None:
        return None
    member = await _target(ctx, mod, user) if guarded else await Member.of(ctx, user)
    return None if member is None else (mod, member)


@command(
    "warn", help="Warn a member (removed at the limit)", permission=_ADMIN, args=[_USER, _REASON]
)
async def warn(ctx: Context, user: JID, reason: str) -> None:
    found = await _moderated(ctx, user)
    if found is None:
        return
    mod, member = found
    why = reason or "warned by an admin"
    count = await mod.warn(member, why)
    done = f"warned ({count}/{mod.policy.settings.warnings.kick_at})"
    if count >= mod.policy.settings.warnings.kick_at:
        done += ", " + await mod.kick(member, why)
    await mod.audit(member, done, why)


@command("unwarn", help="Take back a member's latest warning", permission=_ADMIN, args=[_USER])
async def unwarn(ctx: Context, user: JID) -> None:
    found = await _moderated(ctx, user, guarded=False)
    if found is None:
        return
    mod, member = found
    ladder = mod.policy.settings.warnings
    left = await mod.records.remove_last_warning(mod.group, member.key, mod.now, ladder.decay_days)
    if left is None:
        await ctx.reply().text(f"@{user.user} has no warnings.").send()
        return
    await mod.audit(member, f"unwarned ({len(left)}/{ladder.kick_at})", "")
    await (
        ctx.reply()
        .text(f"Took back a warning: @{user.user} has {len(left)}/{ladder.kick_at}.")
        .send()
    )


@command(
    "warnings",
    help="Show a member's warnings, or everyone's",
    permission=_ADMIN,
    args=[Arg("user", ArgType.USER, optional=True, help="an @mention or a phone number")],
)
async def warnings(ctx: Context, user: JID | None) -> None:
    mod = await _moderator(ctx)
    if mod is None:
        return
    ladder = mod.policy.settings.warnings
    users = (
        [(await Member.of(ctx, user)).key]
        if user is not None
        else await mod.records.warned_members(mod.group)
    )
    lines = []
    for key in users:
        active = await mod.records.warnings(mod.group, key, mod.now, ladder.decay_days)
        if active:
            reasons = "; ".join(dict.fromkeys(w.reason for w in active))
            lines.append(f"@{key.user}: {len(active)}/{ladder.kick_at} — {reasons}")
    if not lines:
        lines.append(f"@{user.user} has no warnings." if user else "Nobody here has warnings.")
    await ctx.reply().text("\n".join(lines)).send()


@command("kick", help="Remove a member from the group", permission=_ADMIN, args=[_USER, _REASON])
async def kick(ctx: Context, user: JID, reason: str) -> None:
    await _remove(ctx, user, reason or "removed by an admin", ban=False)


@command("ban", help="Remove a member and keep them out", permission=_ADMIN, args=[_USER, _REASON])
async def ban(ctx: Context, user: JID, reason: str) -> None:
    await _remove(ctx, user, reason or "banned by an admin", ban=True)


async def _remove(ctx: Context, user: JID, reason: str, *, ban: bool) -> None:
    """Remove ``user`` from the group; a ban also keeps them out (recorded first)."""
    found = await _moderated(ctx, user)
    if found is None:
        return
    mod, member = found
    if ban:
        await mod.records.set_banned(mod.group, member.identities, True)
    done = await mod.kick(member, reason)
    await mod.audit(member, f"banned, {done}" if ban else done, reason)


@command("unban", help="Let a banned member rejoin", permission=_ADMIN, args=[_USER])
async def unban(ctx: Context, user: JID) -> None:
    found = await _moderated(ctx, user, guarded=False)
    if found is None:
        return
    mod, member = found
    if not await mod.records.set_banned(mod.group, member.identities, False):
        await ctx.reply().text(f"@{user.user} is not banned here.").send()
        return
    await mod.audit(member, "unbanned", "")
    await ctx.reply().text(f"@{user.user} may rejoin.").send()


@command(
    "antilink",
    help="Switch the link filter on or off in this group",
    permission=_ADMIN,
    args=[Arg("switch", ArgType.STR, help="on or off")],
)
async def antilink(ctx: Context, switch: str) -> None:
    if switch.lower() not in ("on", "off"):
        prefix = ctx.command.prefix if ctx.command else ctx.bot.prefixes[0]
        await ctx.reply().text(f"Usage: {prefix}antilink on|off").send()
        return
    mod = await _moderator(ctx)
    if mod is None:
        return
    enabled = switch.lower() == "on"
    await mod.records.set_antilink(mod.group, enabled)
    mod.state.set_antilink(mod.group, enabled)
    await (
        ctx.reply()
        .text(f"Links are {'filtered' if enabled else 'allowed'} in this group now.")
        .send()
    )


@command(
    "modlog",
    help="Show the latest moderation decisions in this group",
    permission=_ADMIN,
    args=[
        Arg("count", ArgType.INT, optional=True, default=10, help=f"how many (up to {_MODLOG_MAX})")
    ],
)
async def modlog(ctx: Context, count: int) -> None:
    mod = await _moderator(ctx)
    if mod is None:
        return
    entries = await mod.records.audit_log(mod.group, max(1, min(count, _MODLOG_MAX)))
    await ctx.reply().template("modlog.j2", entries=entries).send()


@command("rules", help="Show this group's rules")
async def rules(ctx: Context) -> None:
    if ctx.chat is None or not ctx.chat.is_group:
        await ctx.reply().text("This command works in groups only.").send()
        return
    state = state_for(ctx)
    policy = await state.policy(ctx, ctx.chat) or state.default
    text = policy.settings.welcome.rules.strip()
    await ctx.reply().text(text or "This group has no written rules.").send()
