"""Sending an announcement: resolve its targets, render its text at send time, send it.

Targets are group JIDs (or any chat JID) as written, or group names matched case-insensitively
against the subjects of the groups the bot is in (resolved at every run, so a renamed group is
followed by its JID, not its name). Texts and templates are Jinja2 with these variables:

* ``now``: the time of sending, in the announcement's time zone (a datetime);
* ``group``: ``group.subject``, ``group.member_count``, ``group.description``, ``group.jid``
  (``None`` when the target is not a group);
* ``schedule``: ``schedule.id`` and ``schedule.when`` (the trigger in words).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from botkit import Context
from botkit.bot.triggers import describe
from botkit.errors import ClientError, PluginError
from botkit.types.group import GroupInfo
from botkit.types.jid import JID

from .announcements import Announcement

__all__ = ["GroupView", "ScheduleView", "deliver", "render", "resolve_targets", "sample_group"]


@dataclass(frozen=True, slots=True)
class GroupView:
    """What a template sees of the target group."""

    jid: str
    subject: str
    member_count: int
    description: str

    @classmethod
    def of(cls, info: GroupInfo) -> GroupView:
        """Return the view of group metadata ``info``."""
        return cls(str(info.jid), info.subject, len(info.participants), info.description)


@dataclass(frozen=True, slots=True)
class ScheduleView:
    """What a template sees of the announcement: its id and its trigger in words."""

    id: str
    when: str


async def resolve_targets(ctx: Context, targets: list[str]) -> tuple[list[JID], list[str]]:
    """Return the chats ``targets`` name, and a problem line per target that names none."""
    chats: list[JID] = []
    problems: list[str] = []
    groups: list[GroupInfo] | None = None
    for target in targets:
        if "@" in target:
            chats.append(JID.parse(target))
            continue
        if groups is None:
            try:
                groups = await ctx.joined_groups()
            except ClientError as error:
                problems.append(f"cannot list the bot's groups to find {target!r}: {error}")
                groups = []
                continue
        matches = [info.jid for info in groups if info.subject.casefold() == target.casefold()]
        if len(matches) == 1:
            chats.append(matches[0])
        elif matches:
            problems.append(f"{len(matches)} groups are named {target!r}; use the group's JID")
        else:
            problems.append(f"the bot is in no group named {target!r}")
    return chats, problems


async def render(
    ctx: Context,
    announcement: Announcement,
    chat: JID,
    zone: str,
    group: GroupInfo | None = None,
) -> str:
    """Return the announcement's text for ``chat``, rendered now in ``zone``.

    ``group`` is the chat's metadata if already known (else fetched for a group chat). Raises
    PluginError when the template fails, ClientError when the group's metadata cannot be fetched.
    """
    if group is None and chat.is_group:
        group = await ctx.groups(chat).info()
    variables: dict[str, Any] = {
        "now": ctx.now().astimezone(ZoneInfo(zone)),
        "group": GroupView.of(group) if group is not None else None,
        "schedule": ScheduleView(announcement.id, describe(announcement.trigger(zone))),
    }
    if announcement.text is not None:
        return ctx.templates.render_string(announcement.text, **variables)
    if announcement.template is not None:
        return ctx.templates.render(announcement.template, **variables)
    raise PluginError(f"announcement {announcement.id!r} has no text")


async def deliver(ctx: Context, announcement: Announcement, zone: str) -> list[str]:
    """Send ``announcement`` to each of its targets; return a problem line per failed target.

    One failing target (unknown name, template error, send error) does not stop the others.
    """
    chats, problems = await resolve_targets(ctx, announcement.to)
    for chat in chats:
        try:
            text = await render(ctx, announcement, chat, zone)
            await ctx.send(chat).text(text).send()
        except (PluginError, ClientError) as error:
            problems.append(f"{chat}: {error}")
    return problems


def sample_group(chat: JID | None) -> GroupInfo:
    """Return stand-in metadata for checking a template before the target is known."""
    jid = chat if chat is not None and chat.is_group else JID("120363000000000000", "g.us")
    return GroupInfo(jid, "Example group")
