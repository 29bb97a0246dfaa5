"""Where announcements are defined (the YAML section, or the store for ones added by command)
and how they become ``ctx.scheduler`` jobs."""

from __future__ import annotations

import enum
import functools
import logging
from dataclasses import dataclass

from pydantic import ValidationError

from botkit import Context

from .announcements import Announcement, SchedulerConfig
from .delivery import deliver

__all__ = [
    "Defined",
    "Source",
    "add_stored",
    "defined",
    "definition",
    "remove_stored",
    "sync",
    "zone_of",
]

log = logging.getLogger(__name__)

_PREFIX = "announcement:"


class Source(enum.Enum):
    """Where an announcement is defined."""

    CONFIG = "config"  # the scheduler: section of the YAML file
    CHAT = "chat"  # added with !schedule add, kept in the store


@dataclass(frozen=True, slots=True)
class Defined:
    """An announcement and where it is defined."""

    announcement: Announcement
    source: Source


def config_of(ctx: Context) -> SchedulerConfig:
    """Return the plugin's validated config."""
    return ctx.config_as(SchedulerConfig)


def zone_of(ctx: Context, announcement: Announcement) -> str:
    """Return the time zone of ``announcement``: its own, the section's, or the bot's."""
    return announcement.timezone or config_of(ctx).timezone or ctx.scheduler.timezone


async def defined(ctx: Context) -> dict[str, Defined]:
    """Return every announcement by id: the config's, then the stored ones (config wins)."""
    found = {a.id: Defined(a, Source.CONFIG) for a in config_of(ctx).announcements}
    for key in await ctx.store.keys():
        if key.startswith(_PREFIX):
            announcement = await _stored(ctx, key)
            if announcement is not None:
                found.setdefault(announcement.id, Defined(announcement, Source.CHAT))
    return found


async def definition(ctx: Context, announcement_id: str) -> Defined | None:
    """Return announcement ``announcement_id`` as :func:`defined` would, reading only its key."""
    for announcement in config_of(ctx).announcements:
        if announcement.id == announcement_id:
            return Defined(announcement, Source.CONFIG)
    stored = await _stored(ctx, _PREFIX + announcement_id)
    return Defined(stored, Source.CHAT) if stored is not None else None


async def _stored(ctx: Context, key: str) -> Announcement | None:
    """Return the announcement stored under ``key``; ``None`` if none or invalid (logged)."""
    try:
        data = await ctx.store.get_json(key)
        return None if data is None else Announcement.model_validate(data)
    except (ValidationError, ValueError) as error:
        log.warning("stored announcement %s is invalid and skipped: %s", key, error)
        return None


async def add_stored(ctx: Context, announcement: Announcement) -> None:
    """Store ``announcement`` (added by command) and schedule it."""
    await ctx.store.put_json(_PREFIX + announcement.id, announcement.model_dump(mode="json"))
    await _schedule(ctx, announcement)


async def remove_stored(ctx: Context, announcement_id: str) -> None:
    """Forget a stored announcement and its job."""
    await ctx.store.delete(_PREFIX + announcement_id)
    if ctx.scheduler.get(announcement_id) is not None:
        await ctx.scheduler.remove(announcement_id)


async def sync(ctx: Context) -> None:
    """Make the jobs match the definitions: add or replace each, remove the ones left over."""
    wanted = await defined(ctx)
    for item in wanted.values():
        await _schedule(ctx, item.announcement)
    for job in ctx.scheduler.jobs():
        if job.id not in wanted:
            await ctx.scheduler.remove(job.id)


async def announce(ctx: Context, announcement_id: str) -> None:
    """The job of announcement ``announcement_id``: send its current definition.

    Problems (unknown group, template error, send failure) are logged with the announcement id.
    """
    item = await definition(ctx, announcement_id)
    if item is None:
        log.warning("announcement %s is no longer defined; nothing sent", announcement_id)
        return
    for problem in await deliver(ctx, item.announcement, zone_of(ctx, item.announcement)):
        log.warning("announcement %s: %s", announcement_id, problem)


async def _schedule(ctx: Context, announcement: Announcement) -> None:
    zone = config_of(ctx).timezone
    await ctx.scheduler.add(
        announcement.id,
        announcement.trigger(zone),
        functools.partial(announce, announcement_id=announcement.id),
        grace=config_of(ctx).grace,
    )
