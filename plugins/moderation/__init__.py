"""The moderation plugin: per-group policies, a warning ladder, an audit log and admin commands.

It reads the ``moderation:`` section (:mod:`.settings`), judges every group message with the pure
verdict engine (:mod:`.engine`) before any command sees it (``tryfirst``), and every edit of one,
and carries out the verdict (:mod:`.actions`): revoke, warn, remove at ``warnings.kick_at``.
Group admins, the bot's owners and admins, and ``exempt`` users are never moderated; ``dry_run``
only logs. New members are welcomed with the rules, and banned ones are removed again when they
rejoin.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel

from botkit import Context, Stop, hookimpl
from botkit.bot import Propagation
from botkit.errors import ClientError
from botkit.types.events import (
    GroupInfoChanged,
    GroupParticipantsChanged,
    MessageEdited,
    MessageReceived,
    ParticipantAction,
)
from botkit.types.jid import JID

from . import commands
from .actions import Member, Moderator
from .commands import *  # noqa: F403 (the commands are found as this module's attributes)
from .engine import MemberState, MessageFacts, evaluate
from .settings import ModerationSettings
from .state import group_info, reload_state, state_for

log = logging.getLogger(__name__)

__all__ = [
    "botkit_config_model",
    "botkit_config_reloaded",
    "botkit_group_info",
    "botkit_group_participants",
    "botkit_message",
    "botkit_message_edited",
    "botkit_startup",
    *commands.__all__,
]


@hookimpl
def botkit_config_model() -> type[BaseModel]:
    """Return the model of the ``moderation:`` section."""
    return ModerationSettings


@hookimpl
def botkit_startup(ctx: Context) -> None:
    """Set up the plugin's state (the policies were compiled when the config loaded)."""
    state_for(ctx)


@hookimpl
def botkit_config_reloaded(ctx: Context) -> None:
    """Apply the reloaded ``moderation:`` section (policies are compiled again)."""
    reload_state(ctx)


@hookimpl(tryfirst=True)
async def botkit_message(event: MessageReceived, ctx: Context) -> Propagation | None:
    """Judge a group message; carry out the verdict and return Stop if anything was done."""
    if not event.is_group or event.from_me:
        return None
    return await _judge(ctx, event, new=True)


@hookimpl(tryfirst=True)
async def botkit_message_edited(event: MessageEdited, ctx: Context) -> Propagation | None:
    """Judge an edited group message like a new one, so that no edit slips a link or a banned
    word past the policies (flood aside: an edit is no new message). Deleting it revokes the
    message's id, which takes its edits with it. The bot's own edits are let be."""
    if not event.chat.is_group:
        return None
    edited = MessageReceived(
        event.message_id, event.chat, event.sender, event.timestamp, event.text
    )
    return await _judge(ctx, edited, new=False)


async def _judge(ctx: Context, event: MessageReceived, *, new: bool) -> Propagation | None:
    """Judge ``event``, carry out the verdict; return Stop if anything was done.

    ``new``: a new message, which counts towards flood (an edited one does not).
    """
    state = state_for(ctx)
    policy = await state.policy(ctx, event.chat)
    if policy is None:
        return None
    now = event.timestamp or ctx.services.wall_clock()
    member_state = state.member(event.chat, _flood_key(event), now) if new else MemberState()
    facts = MessageFacts(event.text or "", len(set(event.mentions)), await _own_invites(ctx, event))
    verdict = evaluate(policy, facts, member_state, now)
    if new:
        member_state.record(now, policy, verdict)
    if verdict.clean:
        return None
    member = await Member.of(ctx, event.sender, event.sender_alt)
    mod = Moderator(ctx, state, event.chat, policy, None)
    own = ctx.own_jid
    if (own is not None and own.to_non_ad() in member.identities) or await mod.is_exempt(member):
        return None  # the bot itself (an edit made on another of its devices), or exempt
    await mod.apply(event, member, verdict)
    acted = verdict.actions and not policy.settings.dry_run
    return Stop if acted else None  # a log-only rule or a dry run lets the message through


@hookimpl
async def botkit_group_participants(event: GroupParticipantsChanged, ctx: Context) -> None:
    """Remove banned members who rejoin; welcome the others."""
    if event.action is not ParticipantAction.ADDED:
        return
    state = state_for(ctx)
    policy = await state.policy(ctx, event.group)
    if policy is None:
        return
    mod = Moderator(ctx, state, event.group, policy, None)
    banned = await mod.records.bans(event.group)
    own = ctx.own_jid.to_non_ad() if ctx.own_jid is not None else None
    newcomers = []
    for user in event.participants:
        member = await Member.of(ctx, user)
        if own in member.identities:
            continue
        if banned.intersection(member.identities):
            done = await mod.kick(member, "banned", jid=user)
            await mod.audit(member, f"banned, {done}", "rejoined")
        else:
            newcomers.append(user)
    welcome = policy.settings.welcome
    if newcomers and welcome.enabled:
        info = await group_info(ctx, event.group)
        subject = info.subject if info is not None else "the group"
        await (
            ctx.send(event.group)
            .template(welcome.template, members=newcomers, group=subject, rules=welcome.rules)
            .mention(*newcomers)
            .send()
        )


@hookimpl
def botkit_group_info(event: GroupInfoChanged, ctx: Context) -> None:
    """A renamed group may match another override: resolve its policy again."""
    if event.subject is not None:
        state_for(ctx).forget(event.group)


def _flood_key(event: MessageReceived) -> JID:
    """Return the sender by phone number when the event carries it, so that messages sent by
    phone number and by LID count as one person's (without a look-up on every message)."""
    alt = event.sender_alt
    return (alt if alt is not None and alt.is_pn else event.sender).to_non_ad()


async def _own_invites(ctx: Context, event: MessageReceived) -> frozenset[str]:
    """Return the group's own invite code when the text has an invite link, so that sharing the
    group's own link is no "invite to another group".

    The code is asked of the server each time (it changes when an admin resets the link, and only
    messages with an invite link pay for it); only admins may read it, and a bot that is not one
    cannot delete anything anyway, so a refusal leaves the set empty.
    """
    if event.text is None or "chat.whatsapp.com" not in event.text.lower():
        return frozenset()
    try:
        return frozenset({await ctx.groups(event.chat).invite_code()})
    except ClientError as error:
        log.debug("no invite code of %s: %s", event.chat, error)
        return frozenset()
