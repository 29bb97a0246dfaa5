"""``!schedule``: list, add, pause, resume and remove announcements from a chat (bot admins)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from botkit import Arg, ArgType, Context, Permission, command
from botkit.bot import At, ScheduledJob, describe_trigger, next_token
from botkit.errors import ClientError, PluginError

from .announcements import Announcement
from .definitions import Defined, Source, add_stored, defined, definition, remove_stored, zone_of
from .delivery import render, resolve_targets

__all__ = ["schedule"]

_TIME_FORMAT = "%a %d %b %H:%M"

USAGE = """Usage:
{p}schedule list
{p}schedule add "<cron>" <target> <text>   e.g. {p}schedule add "0 9 * * mon" "Demo group" Hi
{p}schedule add every 30m <target> <text>
{p}schedule add at 2026-12-24T18:00 <target> <text>
{p}schedule pause|resume|remove <id>
<target> is a group name in quotes, a JID, or here; <text> may use {{{{ group.subject }}}}."""


class _Refused(Exception):
    """The command cannot be done; the message says why (it is the reply)."""


@command(
    "schedule",
    help="List, add, pause, resume or remove scheduled announcements",
    permission=Permission.BOT_ADMIN,
    args=[
        Arg("action", ArgType.STR, optional=True, help="list, add, pause, resume or remove"),
        Arg("details", ArgType.REST, optional=True, help="what the action needs"),
    ],
)
async def schedule(ctx: Context, action: str | None, details: str | None) -> None:
    prefix = ctx.prefix
    handler = _ACTIONS.get((action or "").lower())
    if handler is None:
        await ctx.reply().text(USAGE.format(p=prefix)).send()
        return
    try:
        answer = await handler(ctx, details or "")
    except _Refused as refusal:
        answer = str(refusal)
    await ctx.reply().text(answer).send()


async def _list(ctx: Context, details: str) -> str:
    items = await defined(ctx)
    if not items:
        return "No announcements are scheduled."
    lines = [_line(ctx, item, ctx.scheduler.get(key)) for key, item in sorted(items.items())]
    return "Announcements:\n" + "\n".join(lines)


async def _add(ctx: Context, details: str) -> str:
    tokens = _Tokens(details)
    when = tokens.take("a cron expression in quotes, every <duration> or at <date-time>")
    fields: dict[str, Any]
    if when.lower() == "every":
        fields = {"every": tokens.take("a duration like 30m")}
    elif when.lower() == "at":
        fields = {"at": tokens.take("a date and time like 2026-12-24T18:00")}
    elif tokens.quoted:
        fields = {"cron": when}
    else:
        raise _Refused(f'expected "<cron>" in quotes, every <duration> or at <date-time>: {when!r}')
    target = tokens.take("a target: a group name in quotes, a JID, or here")
    if target.lower() == "here" and ctx.chat is not None:
        target = str(ctx.chat)
    text = tokens.rest()
    if not text:
        raise _Refused("expected the text to send after the target")
    items = await defined(ctx)
    new_id = next(f"a{n}" for n in range(1, len(items) + 2) if f"a{n}" not in items)
    try:
        announcement = Announcement(id=new_id, to=[target], text=text, **fields)
    except ValidationError as error:
        raise _Refused("; ".join(_problem(item) for item in error.errors())) from None
    when_at = announcement.trigger(zone_of(ctx, announcement))
    if isinstance(when_at, At) and _aware(when_at.when, when_at.timezone) <= ctx.now():
        raise _Refused(f"{announcement.at} has already passed")
    chats, problems = await resolve_targets(ctx, announcement.to)
    if problems:
        raise _Refused(problems[0])
    try:
        await render(ctx, announcement, chats[0], zone_of(ctx, announcement))
    except (PluginError, ClientError) as error:
        raise _Refused(f"the text cannot be rendered: {error}") from None
    await add_stored(ctx, announcement)
    return "Added " + _line(ctx, Defined(announcement, Source.CHAT), ctx.scheduler.get(new_id))


async def _pause(ctx: Context, details: str) -> str:
    item = await _find(ctx, details)
    job = await ctx.scheduler.pause(item.announcement.id)
    return "Paused " + _line(ctx, item, job)


async def _resume(ctx: Context, details: str) -> str:
    item = await _find(ctx, details)
    job = await ctx.scheduler.resume(item.announcement.id)
    return "Resumed " + _line(ctx, item, job)


async def _remove(ctx: Context, details: str) -> str:
    item = await _find(ctx, details)
    if item.source is Source.CONFIG:
        raise _Refused(
            f"{item.announcement.id} is defined in the config file: remove it there and reload, "
            "or pause it."
        )
    await remove_stored(ctx, item.announcement.id)
    return f"Removed {item.announcement.id}."


_ACTIONS: dict[str, Callable[[Context, str], Awaitable[str]]] = {
    "list": _list,
    "add": _add,
    "pause": _pause,
    "resume": _resume,
    "remove": _remove,
}


async def _find(ctx: Context, details: str) -> Defined:
    wanted = details.strip()
    if not wanted:
        raise _Refused("expected the id of an announcement (see schedule list)")
    item = await definition(ctx, wanted)
    if item is None or ctx.scheduler.get(wanted) is None:
        raise _Refused(f"there is no announcement {wanted!r} (see schedule list)")
    return item


def _line(ctx: Context, item: Defined, job: ScheduledJob | None) -> str:
    announcement = item.announcement
    zone = ZoneInfo(zone_of(ctx, announcement))
    parts = [f"{announcement.id}: {describe_trigger(announcement.trigger(str(zone)))}"]
    parts.append("to " + ", ".join(announcement.to))
    if job is None or job.finished:
        parts.append("done")
    elif job.paused:
        parts.append("paused")
    elif job.next_run is not None:
        parts.append(f"next {job.next_run.astimezone(zone).strftime(_TIME_FORMAT)} ({zone})")
    if job is not None and job.last_run is not None:
        parts.append(f"last {job.last_run.astimezone(zone).strftime(_TIME_FORMAT)}")
    if item.source is Source.CHAT:
        parts.append("added in chat")
    return " — ".join(parts)


def _aware(when: dt.datetime, zone: str | None) -> dt.datetime:
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(zone or "UTC"))


def _problem(item: Any) -> str:
    where = ".".join(str(part) for part in item["loc"])
    message = str(item["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


class _Tokens:
    """Words and "quoted phrases" taken one by one from the command's text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._position = 0
        self.quoted = False

    def take(self, expected: str) -> str:
        found = next_token(self._text, self._position)
        if found is None:
            raise _Refused(f"expected {expected}")
        token, self.quoted, self._position = found
        return token

    def rest(self) -> str:
        return self._text[self._position :].strip()
